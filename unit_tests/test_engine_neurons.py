"""Compiled neuron kernels: the numba engine reproduces the reference engine.

Each network runs from the same seed on ``engine="reference"`` and ``engine="numba"``;
after every tick the spike logs must be identical and every state array (neurons,
synapses, weights, inputs, and the generators' states) equal to rtol 1e-10. A failure
names the first differing tick, the part and the state (and, for the spike log, the
network step and the population of the neuron).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import spikey
from spikey.errors import ConfigError, EngineFallbackWarning
from spikey.snn.neuron import (
    LIF,
    AdEx,
    BernoulliSource,
    HodgkinHuxley,
    Izhikevich,
    NeuronBase,
    PoissonSource,
    RandPotential,
)
from spikey.snn.neuron.adex import ADEX_PRESET_CURRENTS
from spikey.snn.populations import Population, PopulationNetwork, Projection
from spikey.snn.synapse import Synapse

pytest.importorskip("numba")

RTOL, ATOL = 1e-10, 1e-12


# ------------------------------------------------------------------ comparison
def _first_difference(a: Any, b: Any, path: str) -> str | None:
    """Where two states differ (None when equal: floats to rtol 1e-10, the rest exactly)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            d = _first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return f"{path}: lengths {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = _first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return f"{path}: shapes {a.shape} != {b.shape}"
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            ok = np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)
            if not ok:
                i = np.unravel_index(np.argmax(np.abs(a - b)), a.shape)
                return f"{path}: max difference at {i}: {a[i]!r} (reference) vs {b[i]!r} (numba)"
            return None
        return None if np.array_equal(a, b) else f"{path}: {a} != {b}"
    if isinstance(a, float) or isinstance(b, float):
        return None if np.isclose(a, b, rtol=RTOL, atol=ATOL) else f"{path}: {a!r} != {b!r}"
    return None if a == b else f"{path}: {a!r} != {b!r}"


def _population_of(net: Any, neuron: int) -> str:
    """Name of the population (or 'inputs') of spike-log column ``neuron``."""
    if neuron < net._n_inputs:
        return "inputs"
    for name, sl in getattr(net, "slices", {}).items():
        if sl.start <= neuron - net._n_inputs < sl.stop:
            return name
    return "body"


def assert_engines_agree(make, n_ticks: int, states: list | None = None) -> tuple[Any, Any, np.ndarray]:
    """Run ``make(engine)`` on both engines; fail at the first tick where they differ.

    Returns both networks and the spike count of each spike-log column over all ticks.
    """
    ref, fast = make("reference"), make("numba")
    assert fast.engine.name == "numba", fast.schedule.engine
    assert ref.engine.name == "reference"
    ref.reset()
    fast.reset()
    counts = 0
    for k in range(n_ticks):
        state = None if states is None else states[k % len(states)]
        ra, fa = ref.tick(state), fast.tick(state)
        if not np.array_equal(ref.spike_log, fast.spike_log):
            step, neuron = np.argwhere(ref.spike_log != fast.spike_log)[0]
            pytest.fail(
                f"tick {k}: spike logs differ first at network step {step}, neuron {neuron} "
                f"(population {_population_of(ref, neuron)})"
            )
        counts = counts + ref.spike_log.sum(axis=0)
        assert np.array_equal(np.asarray(ra), np.asarray(fa)), f"tick {k}: readouts {ra} != {fa}"
        for slot in ("inputs", "neurons", "synapses", "weights"):
            d = _first_difference(getattr(ref, slot).state_dict(), getattr(fast, slot).state_dict(), slot)
            if d:
                pytest.fail(f"tick {k}: network.{d}")
        if hasattr(ref.neurons, "last_input"):
            d = _first_difference(ref.neurons.last_input, fast.neurons.last_input, "neurons.last_input")
            if d:
                pytest.fail(f"tick {k}: network.{d}")
    assert counts[ref._n_inputs :].sum() > 0, "the body neurons never spiked: the spike logic is unchecked"
    return ref, fast, counts


def assert_all_spiked(net: Any, counts: np.ndarray) -> None:
    """Every population of ``net`` spiked at least once (so its spike logic was compared)."""
    for name in net.population_names:
        assert counts[net.rows(name)].sum() > 0, f"population {name} never spiked"


def _dyadic(x: np.ndarray) -> np.ndarray:
    """``x`` rounded to multiples of 1/256. Sums of such weights (spike values are +-1)
    are exact in any order, so the synaptic input is bit-identical on both engines
    (numpy's matmul and the compiled propagation add in different orders) and every
    difference found comes from the neuron kernels."""
    return np.round(np.asarray(x) * 256.0) / 256.0


def _weights(scale: float):
    return lambda rng, shape: _dyadic(scale * rng.random(shape))


def population_net(populations, projections, *, dt=1.0, processing_time=50, seed=3):
    """A PopulationNetwork factory on static (delay-free) synapses with kernels."""

    def make(engine: str) -> PopulationNetwork:
        return PopulationNetwork(
            populations=populations,
            projections=projections,
            dt=dt,
            processing_time=processing_time,
            synapses=Synapse,
            seed=seed,
            engine=engine,
        )

    return make


# ------------------------------------------------------------------ per model
def test_izhikevich_presets_and_sources_match_reference():
    """Izhikevich RS/FS/CH (the paper's half-step scheme, heterogeneous c/d), Poisson and
    Bernoulli sources, normal and uniform noise and bias: identical logs and states."""
    r = np.random.default_rng(1)
    make = population_net(
        [
            Population("rs", 30, Izhikevich, preset="RS", c=-65 + 15 * r.random(30) ** 2, noise=5.0),
            Population(
                "fs", 10, Izhikevich, preset="FS", inhibitory=True, bias=2.0, noise=8.0, noise_type="uniform"
            ),
            Population("ch", 10, Izhikevich, preset="CH", bias=3.0, noise=3.0),
            Population("poisson", 8, PoissonSource, rate=80.0),
            Population("bernoulli", 6, BernoulliSource, prob_fire=r.random(6) * 0.2),
        ],
        [
            Projection("rs", ["rs", "fs", "ch"], weight=_weights(0.5)),
            Projection("fs", ["rs", "fs", "ch"], weight=_weights(1.0)),
            Projection("ch", ["rs", "fs"], weight=_weights(0.5)),
            Projection("poisson", ["rs", "ch"], weight=_weights(3.0)),
            Projection("bernoulli", ["fs"], weight=_weights(3.0)),
        ],
    )
    ref, fast, counts = assert_engines_agree(make, 8)
    assert len(fast.neurons.groups) == 5
    assert_all_spiked(fast, counts)


def test_lif_current_and_conductance_with_theta_match_reference():
    """LIF in current and conductance mode with an adaptive threshold (theta learning on),
    refractoriness and per-neuron i_ext: identical logs, potentials, g_e, g_i and theta."""
    r = np.random.default_rng(2)
    lif = dict(refractory_period=2.0, theta_plus=0.5, tau_theta=50.0)
    make = population_net(
        [
            Population("cur", 30, LIF, input_mode="current", bias=14.0, noise=4.0, i_ext=r.random(30), **lif),
            Population(
                "cond",
                30,
                LIF,
                input_mode="conductance",
                bias=0.06,
                noise=0.03,
                resistance=2.0,
                i_ext=2.0,
                **lif,
            ),
            Population("inh", 10, LIF, input_mode="conductance", bias=0.08, inhibitory=True, **lif),
            # forward Euler, one population with per-neuron values (array parameters),
            # one with uniform values only (float parameters: another compiled version)
            Population(
                "cur_euler",
                20,
                LIF,
                input_mode="current",
                integration="euler",
                bias=14.0,
                noise=4.0,
                tau_m=15.0 + 10.0 * r.random(20),
                **lif,
            ),
            Population(
                "cond_euler", 20, LIF, input_mode="conductance", integration="euler", bias=0.06, noise=0.03, **lif
            ),
        ],
        [
            Projection("cur", ["cur", "cond", "cur_euler"], weight=_weights(0.3), density=0.5),
            Projection("cond", ["cur", "cond", "inh", "cond_euler"], weight=_weights(0.05), density=0.5),
            Projection("inh", ["cur", "cond", "cond_euler"], weight=_weights(0.1)),
            Projection("cond_euler", ["cond_euler", "inh"], weight=_weights(0.05), density=0.5),
        ],
        dt=0.5,
    )
    ref, fast, counts = assert_engines_agree(make, 8)
    assert_all_spiked(fast, counts)
    theta = fast.neurons.state_variable("theta")
    assert np.all(theta >= 0) and theta.max() > 0, "theta never adapted"
    cond = fast.neurons.groups[1][0]
    assert cond.g_e.max() > 0 and cond.g_i.max() > 0, "conductances never moved"
    # frozen (eval) mode: theta neither decays nor grows, on both engines
    ref.eval()
    fast.eval()
    before = fast.neurons.state_variable("theta").copy()
    ref.tick(None)
    fast.tick(None)
    assert np.array_equal(ref.spike_log, fast.spike_log)
    np.testing.assert_array_equal(fast.neurons.state_variable("theta"), before)
    np.testing.assert_allclose(
        fast.neurons.state_variable("v"), ref.neurons.state_variable("v"), rtol=RTOL, atol=ATOL
    )


def test_adex_patterns_and_hodgkin_huxley_methods_match_reference():
    """AdEx (Naud 2008 'adapting' with 2 sub-steps and 'irregular') and Hodgkin-Huxley
    (exponential Euler and RK4) driven by their step currents plus noise: identical
    logs and states (V, w, m, h, n)."""
    make = population_net(
        [
            Population(
                "adapting",
                10,
                AdEx,
                preset="adapting",
                n_substeps=2,
                bias=ADEX_PRESET_CURRENTS["adapting"],
                noise=100.0,
            ),
            Population(
                "irregular", 10, AdEx, preset="irregular", bias=ADEX_PRESET_CURRENTS["irregular"], noise=100.0
            ),
            Population("hh_euler", 10, HodgkinHuxley, method="exp_euler", bias=10.0, noise=5.0),
            Population("hh_rk4", 10, HodgkinHuxley, method="rk4", bias=10.0, noise=5.0),
        ],
        [
            Projection("adapting", ["irregular"], weight=_weights(50.0)),
            Projection("hh_euler", ["hh_rk4"], weight=_weights(2.0)),
            Projection("hh_rk4", ["hh_euler"], weight=_weights(2.0)),
        ],
        dt=0.025,
        processing_time=100,
    )
    ref, fast, counts = assert_engines_agree(make, 6)
    assert_all_spiked(fast, counts)
    assert [type(g).__name__ for g, _, _ in fast.neurons.groups] == ["AdEx"] * 2 + ["HodgkinHuxley"] * 2


def test_rand_potential_and_spikey_lif_populations_match_reference():
    """RandPotential (kicks drawn around the uniform block refills) and Spikey's LIF with
    random firing and a spike delay, as populations: identical logs and states."""
    make = population_net(
        [
            Population(
                "kicked",
                20,
                RandPotential,
                firing_threshold=1.0,
                potential_decay=0.2,
                refractory_period=2,
                prob_rand_fire=0.3,
                leak_scalar=0.6,
            ),
            Population(
                "spikey",
                20,
                spikey.neuron.Neuron,
                firing_threshold=2.0,
                potential_decay=0.1,
                refractory_period=1,
                prob_rand_fire=0.05,
                spike_delay=2,
                bias=0.1,
            ),
        ],
        [
            Projection("kicked", ["spikey"], weight=_weights(1.0)),
            Projection("spikey", ["kicked"], weight=_weights(0.5)),
        ],
        processing_time=37,  # not a divisor of the 64-row random blocks
    )
    _, fast, counts = assert_engines_agree(make, 8)
    assert_all_spiked(fast, counts)


class _Direct(spikey.Network):
    """A plain network (no populations): rate-coded inputs into one neuron part."""

    parts = {
        "inputs": spikey.input.RateMap,
        "weights": spikey.weight.Manual,
        "synapses": Synapse,
        "readout": spikey.readout.Threshold,
    }


def _direct(neuron: type, processing_time: int = 40, **keys: Any):
    def make(engine: str) -> _Direct:
        rng = np.random.default_rng(5)
        n_in, n = 8, 12
        return _Direct(
            neurons=neuron,
            n_inputs=n_in,
            n_neurons=n,
            n_outputs=2,
            processing_time=processing_time,
            state_rate_map=[0.0, 0.4],
            matrix=_dyadic(rng.uniform(0, 1.5, (n_in + n, n))),
            action_threshold=0.05,
            max_weight=1.5,
            magnitude=1.0,
            seed=11,
            engine=engine,
            **keys,
        )

    return make


@pytest.mark.parametrize("spike_delay", [0, 3])
def test_rand_potential_in_the_neuron_slot_matches_reference(spike_delay):
    """RandPotential as the network's neuron part (no population layer), with and
    without a spike delay: identical logs and states."""
    make = _direct(
        RandPotential,
        firing_threshold=2.0,
        potential_decay=0.2,
        refractory_period=1,
        prob_rand_fire=0.2,
        leak_scalar=1.0,
        spike_delay=spike_delay,
        neuron_pct_inhibitory=0.2,
    )
    assert_engines_agree(make, 10, states=[(0, 1), (1, 0), (1, 1)])


def test_izhikevich_in_the_neuron_slot_matches_reference():
    """Izhikevich as the network's neuron part, with per-neuron i_ext: identical logs and states."""
    make = _direct(Izhikevich, preset="CH", i_ext=np.linspace(0.0, 8.0, 12), neuron_pct_inhibitory=0.2)
    assert_engines_agree(make, 10, states=[(0, 1), (1, 0), (1, 1)])


# ------------------------------------------------------------------ fallback and errors
class MyIzhikevich(Izhikevich):
    """A user model: Izhikevich with a different update."""

    def update(self, incoming_v):
        super().update(np.asarray(incoming_v) * 0.5)


class NoKernel(NeuronBase):
    """A user model without a compiled kernel."""

    def reset(self) -> None:
        self.potentials = np.zeros(self._n_neurons)

    def __call__(self) -> np.ndarray:
        return (self.potentials > 1.0) * self._spike_values

    def update(self, incoming_v) -> None:
        self.potentials = self.potentials * 0.9 + incoming_v


def test_subclass_overriding_update_falls_back_with_a_warning():
    """A user subclass overriding update() runs on the reference engine with an
    EngineFallbackWarning naming the class and the method, in the neuron slot and as a
    population's model."""
    with pytest.warns(EngineFallbackWarning, match=r"MyIzhikevich\): overrides update\(\)"):
        net = _direct(MyIzhikevich)("auto")
    assert net.engine.name == "reference"
    make = population_net(
        [Population("a", 5, Izhikevich), Population("mine", 5, MyIzhikevich, noise=1.0)],
        [Projection("a", "mine")],
    )
    with pytest.warns(
        EngineFallbackWarning, match=r"populations \['mine'\] \(MyIzhikevich\): overrides update\(\)"
    ):
        net = make("auto")
    assert net.engine.name == "reference"
    net.reset()
    net.tick(None)  # still runs


def test_numba_engine_without_a_kernel_raises_naming_the_part():
    """engine='numba' with a neuron part (or a population's model) that has no kernel
    raises a ConfigError naming the part."""
    with pytest.raises(ConfigError, match=r"network\.neurons \(NoKernel\): has no compiled kernel"):
        _direct(NoKernel)("numba")
    make = population_net([Population("x", 4, NoKernel), Population("y", 4, Izhikevich)], [])
    with pytest.raises(ConfigError, match=r"populations \['x'\] \(NoKernel\): has no compiled kernel"):
        make("numba")
    with pytest.raises(ConfigError, match=r"populations \['mine'\] \(MyIzhikevich\): overrides update"):
        population_net([Population("mine", 4, MyIzhikevich)], [])("numba")


def test_monitor_records_the_same_traces_on_both_engines():
    """A Monitor on a PopulationNetwork records the same v, u and total input I (bias and
    noise included) at every step on both engines."""
    from spikey.snn.monitor import Monitor

    make = population_net(
        [
            Population("rs", 6, Izhikevich, preset="RS", bias=4.0, noise=5.0),
            Population("fs", 4, Izhikevich, preset="FS", inhibitory=True, noise=3.0, noise_type="uniform"),
        ],
        [Projection("rs", ["fs"], weight=_weights(2.0)), Projection("fs", ["rs"], weight=_weights(1.0))],
        processing_time=60,
    )
    traces = {}
    for engine in ("reference", "numba"):
        net = make(engine)
        mon = Monitor(net, neurons=["rs", "fs"], variables=("v", "u", "I"))
        net.reset()
        for _ in range(3):
            net.tick(None)
        assert net.engine.name.startswith(engine)
        traces[engine] = {var: mon[var] for var in ("v", "u", "I")} | {"spikes": mon.spikes}
    assert traces["reference"]["v"].shape == (180, 10)
    assert traces["reference"]["spikes"].any()
    assert np.all(np.abs(traces["reference"]["I"]) > 0)  # noise reaches every neuron
    d = _first_difference(traces["reference"], traces["numba"], "monitor")
    assert d is None, d


def test_izhikevich_general_substeps_match_reference():
    """Izhikevich with 1 and 3 sub-steps (the kernel's general path, not the unrolled
    two half-steps) and a per-neuron i_ext: identical logs and states."""
    r = np.random.default_rng(4)
    make = population_net(
        [
            Population("one", 12, Izhikevich, preset="RS", n_substeps=1, i_ext=r.random(12), noise=4.0),
            Population("three", 8, Izhikevich, preset="FS", n_substeps=3, bias=4.0, noise=3.0),
        ],
        [
            Projection("one", ["three"], weight=_weights(2.0)),
            Projection("three", ["one"], weight=_weights(1.0)),
        ],
        dt=0.5,
    )
    ref, fast, counts = assert_engines_agree(make, 4)
    assert_all_spiked(fast, counts)


def _noisy_net(engine: str) -> PopulationNetwork:
    return population_net(
        [
            Population("n", 20, Izhikevich, bias=4.0, noise=5.0),
            Population("u", 10, Izhikevich, preset="FS", noise=12.0, noise_type="uniform"),
        ],
        [Projection("n", ["u"], weight=_weights(2.0))],
        processing_time=40,
    )(engine)


@pytest.mark.parametrize("block", [7, 64, 130])
def test_noise_blocks_continue_identically_across_engines(block, monkeypatch):
    """The compiled engine consumes and refills the population noise blocks as the
    reference does, for blocks shorter than, across and longer than a tick: switching
    engines between ticks, or loading a state whose block has another length, continues
    the run exactly."""
    from spikey.snn.populations import PopulationNeurons

    monkeypatch.setattr(PopulationNeurons, "RANDOM_BLOCK", block)
    a, b = _noisy_net("reference"), _noisy_net("reference")
    a.reset(), b.reset()
    for k in range(5):
        b.set_engine("numba" if k % 2 else "reference")
        a.tick(None), b.tick(None)
        assert np.array_equal(a.spike_log, b.spike_log), f"tick {k}"
        d = _first_difference(a.neurons.state_dict(), b.neurons.state_dict(), "neurons")
        assert d is None, f"tick {k}: {d}"
    # a block of another length (a state saved with another RANDOM_BLOCK) is used up first
    saved = a.neurons.state_dict()
    monkeypatch.setattr(PopulationNeurons, "RANDOM_BLOCK", 64 if block != 64 else 16)
    for net in (a, b):
        net.neurons.load_state_dict(saved)
    b.set_engine("numba")
    for k in range(4):
        a.tick(None), b.tick(None)
        assert np.array_equal(a.spike_log, b.spike_log), f"tick {k} after load"
        d = _first_difference(a.neurons.state_dict(), b.neurons.state_dict(), "neurons")
        assert d is None, f"tick {k} after load: {d}"
