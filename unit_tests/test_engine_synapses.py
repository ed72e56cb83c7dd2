"""Compiled (numba) kernels of the stock synapses and per-step rewarders: the same
spike log and state as the reference engine, tick by tick."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import spikey
from spikey.snn.engine.compiled import numba_available
from spikey.snn.synapse import delays as delays_module

pytestmark = pytest.mark.skipif(not numba_available()[0], reason="numba is not installed")

N_IN, N, N_OUT = 8, 24, 4
STATES = [(0, 0), (0, 1), (1, 0), (1, 1)]


def xor_expected(state: Any) -> int:
    """XOR of a pair of 0/1 values."""
    return int(sum(state) % 2)


def recurrent_matrix(
    seed: int = 0, density: float = 0.5, wmax: float = 2.0, n_in: int = N_IN, n: int = N
) -> tuple[np.ndarray, np.ndarray]:
    """A random (n_in + n, n) weight matrix and mask, no self-connections."""
    rng = np.random.default_rng(seed)
    mask = rng.random((n_in + n, n)) < density
    mask[n_in + np.arange(n), np.arange(n)] = False
    return rng.uniform(0.0, wmax, mask.shape) * mask, mask


def network(
    synapse: type,
    engine: str,
    active: bool = False,
    seed: int = 5,
    weight_scale: float = 0.5,
    size: tuple[int, int] = (N_IN, N),
    **keys: Any,
) -> Any:
    """A small recurrent network of spikey Neurons with ``synapse`` (``size``: inputs,
    neurons); reset."""
    matrix, mask = recurrent_matrix(n_in=size[0], n=size[1])
    matrix = matrix * weight_scale
    base = spikey.ActiveRLNetwork if active else spikey.RLNetwork
    parts = {
        "inputs": spikey.input.RateMap,
        "neurons": spikey.neuron.Neuron,
        "weights": spikey.weight.Manual,
        "synapses": synapse,
        "readout": spikey.readout.Threshold,
        "rewarder": spikey.reward.MatchExpected,
    }
    parts.update({k: keys.pop(k) for k in list(keys) if k in parts})
    config = {
        "n_inputs": size[0],
        "n_neurons": size[1],
        "n_outputs": N_OUT,
        "processing_time": 50,
        "magnitude": 1.0,
        "firing_threshold": 3.0,
        "potential_decay": 0.15,
        "refractory_period": 2,
        "prob_rand_fire": 0.01,
        "neuron_pct_inhibitory": 0.25,
        "input_pct_inhibitory": 0.25,
        "state_rate_map": [0.05, 0.4],
        "max_weight": 2.0,
        "matrix": matrix,
        "matrix_mask": mask,
        "learning_rate": 0.05,
        "action_threshold": 0.05,
        "expected_value": xor_expected,
        "engine": engine,
    }
    config.update(keys)
    if "expected_value" not in parts["rewarder"].key_names():
        del config["expected_value"]
    cls = type("EqNet", (base,), {"parts": parts, "keys": config})
    net = cls(seed=seed)
    net.reset()
    return net


def _arrays(value: Any, name: str) -> list[tuple[str, np.ndarray]]:
    """Every array (and number) inside a STATE value, with a path naming it."""
    if isinstance(value, np.ndarray):
        return [(name, value.astype(float) if value.dtype == bool else value)]
    if isinstance(value, (int, float, np.number, bool)):
        return [(name, np.asarray(value, dtype=float))]
    if isinstance(value, dict):
        return [a for k in sorted(value) for a in _arrays(value[k], f"{name}.{k}")]
    if isinstance(value, (list, tuple)):
        return [a for i, v in enumerate(value) for a in _arrays(v, f"{name}[{i}]")]
    return []


def state_arrays(net: Any) -> list[tuple[str, np.ndarray]]:
    """The STATE of the synapses, weights and neurons as named arrays."""
    syn = net.synapses
    if hasattr(syn, "_flush"):
        syn._flush()
    out = []
    for slot in ("synapses", "weights", "neurons", "rewarder"):
        part = getattr(net, slot)
        for name in part.STATE:
            if name != "_buf":  # MSTDPET's spike buffer: rows past _n_buf are stale scratch
                out += _arrays(getattr(part, name, None), f"{slot}.{name}")
    return out


def compare(ref: Any, fast: Any, ticks: int = 8, rewards: bool = True) -> None:
    """Tick both networks over the XOR states; assert identical logs and states each tick."""
    assert ref.engine.name == "reference"
    assert fast.engine.name == "numba", fast.schedule.engine
    for k in range(ticks):
        s = STATES[k % 4]
        a_ref, a_fast = ref.tick(s), fast.tick(s)
        if not np.array_equal(ref.spike_log, fast.spike_log):
            t, i = np.argwhere(ref.spike_log != fast.spike_log)[0]
            pytest.fail(f"tick {k}: spike logs differ first at step {t}, neuron {i}")
        assert a_ref == a_fast, f"tick {k}: actions differ"
        if rewards:
            assert ref.reward(s, a_ref) == fast.reward(s, a_fast), f"tick {k}: rewards differ"
        rng_ref, rng_fast = (n.synapses.rng.bit_generator.state for n in (ref, fast))
        assert rng_ref == rng_fast, f"tick {k}: the synapses' generators are at different positions"
        got = state_arrays(fast)
        want = state_arrays(ref)
        assert [n for n, _ in got] == [n for n, _ in want], f"tick {k}: state names differ"
        for (name, a), (_, b) in zip(want, got):
            if a.shape != b.shape or not np.allclose(a, b, rtol=1e-10, atol=1e-12):
                diff = np.abs(a - b).max() if a.shape == b.shape else f"shapes {a.shape} vs {b.shape}"
                pytest.fail(f"tick {k}: {name} differs (max abs difference {diff})")
    assert ref.spike_log.any(), "nothing spiked: the comparison would prove nothing"


def pair(synapse: type, active: bool = False, **keys: Any) -> tuple[Any, Any]:
    """The same network on the reference and the numba engine."""
    return (
        network(synapse, "reference", active=active, **keys),
        network(synapse, "numba", active=active, **keys),
    )


STATIC_CONFIGS = {
    "plain": {},
    "delay_int": {"delays": 3},
    "delay_blocks": {"delays": "blocks"},
    "delay_classes": {"delays": "random"},
    "delay_matrix": {"delays": "random", "generic": True},
    "failure": {"prob_failure": 0.3},
    "exponential": {
        "kernel_exc": "exponential",
        "kernel_inh": "exponential",
        "tau_exc": 4.0,
        "tau_inh": 4.0,
        "firing_threshold": 14.0,
    },
    "exp_split": {"kernel_exc": "exponential", "kernel_inh": "alpha", "tau_exc": 3.0, "tau_inh": 6.0},
    "alpha": {
        "kernel_exc": "alpha",
        "kernel_inh": "alpha",
        "tau_exc": 2.0,
        "tau_inh": 2.0,
        "firing_threshold": 16.0,
    },
    "signed_delay": {
        "inh_weight_mask": "random",
        "delays": 2,
        "kernel_exc": "exponential",
        "kernel_inh": "exponential",
    },
    "signed_split": {"kernel_exc": "exponential", "kernel_inh": "delta", "inh_weight_mask": "random"},
    "conductance": {
        "conductance": True,
        "kernel_exc": "exponential",
        "kernel_inh": "exponential",
        "tau_exc": 1.0,
        "tau_inh": 3.0,
        "E_exc": 5.0,
        "E_inh": -5.0,
        "weight_scale": 0.2,
    },
    "post_reset": {
        "post_reset": True,
        "kernel_exc": "exponential",
        "kernel_inh": "alpha",
        "firing_threshold": 8.0,
    },
    "everything": {
        "delays": "random",
        "generic": True,
        "prob_failure": 0.2,
        "kernel_exc": "alpha",
        "kernel_inh": "exponential",
        "post_reset": True,
        "inh_weight_mask": "random",
        "firing_threshold": 8.0,
    },
}


def delay_matrix(kind: str) -> Any:
    """Delays for a config: 'blocks' (one per projection) or 'random' (per synapse)."""
    if kind == "blocks":
        d = np.zeros((N_IN + N, N), dtype=np.int64)
        d[:N_IN, : N // 2], d[:N_IN, N // 2 :], d[N_IN:, : N // 2], d[N_IN:, N // 2 :] = 1, 4, 0, 2
        return d
    return np.random.default_rng(1).integers(0, 6, (N_IN + N, N))


def static_keys(name: str, monkeypatch: Any) -> dict:
    """The keys of a StaticSynapse configuration (arrays made; generic delay lines forced)."""
    keys = dict(STATIC_CONFIGS[name])
    if isinstance(keys.get("delays"), str):
        keys["delays"] = delay_matrix(keys["delays"])
    if keys.pop("generic", False):  # every row its own class: force the per-synapse scatter
        monkeypatch.setattr(delays_module, "MAX_ROW_CLASSES", 4)
    if isinstance(keys.get("inh_weight_mask"), str):
        keys["inh_weight_mask"] = np.random.default_rng(2).random((N_IN + N, N)) < 0.3
    return keys


@pytest.mark.parametrize("name", list(STATIC_CONFIGS))
def test_static_synapse_kernel_matches_reference(name, monkeypatch):
    """StaticSynapse (delays, failures, kernels, conductance, post-synaptic reset) on the
    numba engine gives the reference engine's spike log and state at every tick."""
    ref, fast = pair(spikey.synapse.StaticSynapse, **static_keys(name, monkeypatch))
    expected_mode = {"delay_int": "uniform", "delay_blocks": "classes", "delay_classes": "classes"}
    expected_mode.update(delay_matrix="generic", everything="generic", signed_delay="uniform")
    lines = fast.synapses._lines
    assert (lines[0].mode if lines else None) == expected_mode.get(name)
    compare(ref, fast, rewards=False)


BLOCK_CONFIGS = {  # synapse, keys, weight scale (sparse enough firing for silent blocks)
    "synapse": (spikey.synapse.Synapse, {}, 0.3),
    "static": (spikey.synapse.StaticSynapse, {}, 0.3),
    "static_split": (spikey.synapse.StaticSynapse, {"kernel_exc": "exponential", "kernel_inh": "delta"}, 0.03),
    "static_signed": (spikey.synapse.StaticSynapse, {"inh_weight_mask": "random"}, 0.3),
}


@pytest.mark.parametrize("name", list(BLOCK_CONFIGS))
def test_dense_kernels_scan_spikes_in_blocks(name):
    """130 presynaptic neurons (two whole blocks of SPIKE_BLOCK and a partial one):
    the dense propagation kernels, which skip silent blocks, give the reference's spike
    log and state, with steps where a whole block is silent and steps where it is not."""
    from spikey.snn.engine.kernel import SPIKE_BLOCK

    n_in, n = 10, 120
    assert n_in + n > 2 * SPIKE_BLOCK
    synapse, keys, scale = BLOCK_CONFIGS[name]
    keys = dict(keys)
    if keys.get("inh_weight_mask") == "random":
        keys["inh_weight_mask"] = np.random.default_rng(2).random((n_in + n, n)) < 0.3
    ref, fast = (
        network(synapse, engine, size=(n_in, n), weight_scale=scale, **keys) for engine in ("reference", "numba")
    )
    compare(ref, fast, ticks=6, rewards=False)
    second = ref.spike_log[:, SPIKE_BLOCK - n_in : 2 * SPIKE_BLOCK - n_in]  # presynaptic block 1
    active = second.any(axis=1)
    assert active.any() and not active.all(), "block 1 never or always active: the skip is untested"


@pytest.mark.parametrize("ahead", [0.0, 0.3, 10.0])
def test_failure_uniforms_drawn_ahead_keep_the_stream(ahead, monkeypatch):
    """However many failure uniforms are drawn ahead of a tick (none, too few, too many),
    the kernel uses the reference's numbers and leaves the generator where it does."""
    monkeypatch.setattr(spikey.synapse.StaticSynapse, "FAILURE_AHEAD", ahead)
    ref, fast = pair(spikey.synapse.StaticSynapse, prob_failure=0.4, delays=2)
    compare(ref, fast, ticks=5, rewards=False)


LEARNING_CONFIGS = {
    "LTP": (spikey.synapse.LTP, False, {"learning_rate": 0.02}),
    "MSTDP": (spikey.synapse.MSTDP, True, {"learning_rate": 0.05, "rewarder": spikey.reward.SpikeReward}),
    "MSTDP_tick_reward": (spikey.synapse.MSTDP, False, {"learning_rate": 0.05}),
    "MSTDPET": (spikey.synapse.MSTDPET, True, {"learning_rate": 0.5, "rewarder": spikey.reward.SpikeReward}),
    "DiehlCook": (spikey.synapse.DiehlCook, False, {"learning_rate": 5.0, "plastic": "all"}),
    "DiehlCook_soft": (
        spikey.synapse.DiehlCook,
        False,
        {"learning_rate": 5.0, "mu": 0.7, "plastic": "excitatory", "delays": 2, "kernel_exc": "exponential"},
    ),
    "DASTDP": (
        spikey.synapse.DASTDP,
        True,
        {"learning_rate": 2.0, "rewarder": spikey.reward.SpikeReward, "update_every": 5, "tau_c": 50.0},
    ),
    "DASTDP_transmission": (
        spikey.synapse.DASTDP,
        False,
        {
            "learning_rate": 5.0,
            "plastic": "all",
            "prob_failure": 0.1,
            "delays": "blocks",
            "kernel_exc": "exponential",
            "kernel_inh": "alpha",
            "post_reset": True,
            "tau_c": 20.0,
        },
    ),
}


@pytest.mark.parametrize("name", list(LEARNING_CONFIGS))
def test_learning_rule_kernel_matches_reference(name):
    """Each learning rule (LTP, MSTDP, MSTDPET, Diehl & Cook, DA-STDP; per-step and
    per-tick rewards) on the numba engine gives the reference's spike log, weights,
    traces and eligibilities at every tick, and the weights really learn."""
    cls, active, keys = LEARNING_CONFIGS[name]
    keys = dict(keys)
    if isinstance(keys.get("delays"), str):
        keys["delays"] = delay_matrix(keys["delays"])
    ref, fast = pair(cls, active=active, **keys)
    before = ref.weights.matrix.copy()
    compare(ref, fast)
    changed = np.abs(ref.weights.matrix - before).max()
    assert changed > 1e-3, f"weights changed by at most {changed}: the rule did not learn"


def test_cost_reduction_per_step_kernel():
    """CostReduction as an ActiveRLNetwork's per-step rewarder runs compiled and gives
    the reference's per-step rewards (-punish_mult: no state_next per step)."""
    keys = {
        "rewarder": spikey.reward.CostReduction,
        "state_cost": lambda s: float(sum(s)),
        "punish_mult": 0.25,
    }
    ref, fast = pair(spikey.synapse.MSTDP, active=True, **keys)
    before = ref.weights.matrix.copy()
    compare(ref, fast)
    assert ref.reward(STATES[0], 0) == pytest.approx(-0.25 * ref._processing_time)
    assert np.abs(ref.weights.matrix - before).max() > 1e-3


def test_tderror_per_step_stays_on_reference_engine():
    """TDError calls a Python function of each step's action, so an ActiveRLNetwork with it
    runs on the reference engine (auto) and engine='numba' names it as the obstacle."""
    keys = {"rewarder": spikey.reward.TDError, "expected_value": lambda s, a: float(np.sum(a))}
    net = network(spikey.synapse.MSTDP, "auto", active=True, **keys)
    assert net.engine.name == "reference"
    with pytest.raises(
        spikey.errors.ConfigError, match=r"network\.rewarder \(TDError\): has no compiled kernel"
    ):
        network(spikey.synapse.MSTDP, "numba", active=True, **keys)
