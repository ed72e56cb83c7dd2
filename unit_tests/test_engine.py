"""The compiled engine: same logs and states as the reference engine on every stock network,
how the engine is chosen and why it falls back, bad state rejected before a kernel runs,
NaN reported, monitors/callbacks/copies/snapshots/eval/Series the same on both engines."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import XorGame, XorTemplate

import spikey
from spikey.errors import ConfigError, EngineFallbackWarning, NumericalError, ShapeError
from spikey.snn.engine import compiled
from spikey.snn.engine.compiled import NumbaEngine
from spikey.snn.engine.reference import ReferenceEngine
from spikey.testing.engines import EngineMismatch, check_engines
from spikey.testing.networks import STOCK_NETWORKS

pytest.importorskip("numba")


def xor(state) -> int:
    return int(state[0]) ^ int(state[1])


def small(engine="auto", seed=0, **kw):
    """A small ActiveRLNetwork (per-step reward) with parts that all have kernels."""
    keys = dict(
        n_inputs=6,
        n_neurons=8,
        n_outputs=2,
        processing_time=30,
        magnitude=1.0,
        firing_threshold=1.5,
        potential_decay=0.2,
        refractory_period=1,
        prob_rand_fire=0.05,
        state_rate_map=[0.05, 0.4],
        density=0.7,
        learning_rate=0.2,
        action_threshold=0.05,
        expected_value=xor,
        tau_z=10.0,
    )
    keys.update(kw)
    parts = dict(
        inputs=spikey.input.RateMap,
        neurons=spikey.neuron.Neuron,
        weights=spikey.weight.Random,
        synapses=spikey.synapse.MSTDPET,
        readout=spikey.readout.Threshold,
        rewarder=spikey.reward.SpikeReward,
    )
    for slot in list(parts):
        if slot in kw:
            parts[slot] = keys.pop(slot)
    return spikey.network.ActiveRLNetwork(strict=True, engine=engine, seed=seed, **parts, **keys)


STATES = [(0, 0), (0, 1), (1, 0), (1, 1)]


def run(net, n=10):
    net.reset()
    out = []
    for k in range(n):
        s = STATES[k % 4]
        a = net.tick(s)
        out.append((a, net.reward(s, a), net.spike_log.copy()))
    return out


# --------------------------------------------------------------------------- equivalence
@pytest.mark.parametrize("name", sorted(STOCK_NETWORKS))
def test_stock_network_same_on_both_engines(name):
    """Every stock network: identical spike logs, actions and rewards, states to rtol 1e-10."""
    spec = STOCK_NETWORKS[name]
    report = check_engines(spec.build, spec.states, n_ticks=spec.n_ticks, every=max(1, spec.n_ticks // 4))
    assert report.n_spikes > 0  # a silent network would agree trivially
    assert report.engines == ("reference", "numba")


def test_per_step_reward_network_same_on_both_engines():
    """ActiveRLNetwork with a reward every step: same spikes, rewards, weights and eligibility."""
    report = check_engines(lambda s, e: small(e, s), lambda rng, t: STATES[int(rng.integers(4))], n_ticks=60)
    assert report.n_spikes > 100


def test_check_engines_reports_first_difference():
    """A deliberately different second network is caught with the tick and the spike index."""

    def build(seed, engine):
        return small(engine, seed, firing_threshold=1.5 if engine == "reference" else 1.0)

    with pytest.raises(EngineMismatch, match=r"tick 0: spike logs differ first at network step \d+"):
        check_engines(build, lambda rng, t: (1, 1), n_ticks=3)


def test_learning_changes_weights_identically_and_eval_freezes_them():
    """Learning moves the weights on both engines by the same amounts; eval() freezes them."""
    a, b = small("reference"), small("numba")
    w0 = a.weights.matrix.copy()
    run(a, 12), run(b, 12)
    assert not np.allclose(a.weights.matrix, w0)
    np.testing.assert_allclose(a.weights.matrix, b.weights.matrix, rtol=1e-10, atol=1e-12)
    b.eval()
    frozen = b.weights.matrix.copy()
    b.tick((0, 1))
    b.reward((0, 1), 1)
    assert (b.weights.matrix == frozen).all()


# --------------------------------------------------------------------------- selection
def test_auto_picks_numba_and_schedule_says_so():
    """With kernels for every part, auto runs compiled and print(schedule) names the engine."""
    net = small()
    assert isinstance(net.engine, NumbaEngine)
    assert str(net.schedule).splitlines()[0].startswith("engine: numba")
    ref = small("reference")
    assert type(ref.engine) is ReferenceEngine
    assert "engine: reference" in str(ref.schedule)


class LoudNeuron(spikey.neuron.Neuron):
    """A user neuron that changes the dynamics (adds 0.1 to every input)."""

    def update(self, incoming_v):
        super().update(incoming_v + 0.1)


def test_user_override_falls_back_with_one_warning_naming_class_and_method():
    """A subclass overriding a step method runs on the reference engine, with one warning."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        net = small(neurons=LoudNeuron)
    fallback = [w for w in seen if issubclass(w.category, EngineFallbackWarning)]
    assert len(fallback) == 1
    assert "LoudNeuron" in str(fallback[0].message) and "update()" in str(fallback[0].message)
    assert fallback[0].filename == __file__  # points at the user's line
    assert type(net.engine) is ReferenceEngine
    assert "LoudNeuron" in net.schedule.engine


def test_engine_numba_raises_naming_the_part():
    """engine='numba' with a part that cannot run compiled raises a ConfigError naming it."""
    with pytest.raises(ConfigError, match=r"engine: .*network\.neurons \(LoudNeuron\): overrides update\(\)"):
        small("numba", neurons=LoudNeuron)


def test_engine_key_is_validated():
    """An unknown engine name is rejected with the usual message."""
    with pytest.raises(
        ConfigError, match=r"ActiveRLNetwork.engine: expected a str one of .*'auto'.*got 'fast'"
    ):
        small("fast")


def test_missing_numba_falls_back_with_a_warning(monkeypatch):
    """If numba cannot be imported, auto warns and runs the reference engine; numba raises."""
    monkeypatch.setattr(compiled, "numba_available", lambda: (False, "numba cannot be imported (test)"))
    with pytest.warns(EngineFallbackWarning, match="numba cannot be imported"):
        net = small()
    assert type(net.engine) is ReferenceEngine
    with pytest.raises(ConfigError, match="numba cannot be imported"):
        small("numba")


def test_set_engine_switches_mid_run_and_continues_identically():
    """Switching engines between ticks continues the run exactly as staying on one."""
    a, b = small("reference"), small("reference")
    run(a, 4), run(b, 4)
    b.set_engine("numba")
    for k in range(6):
        s = STATES[k % 4]
        xa, xb = a.tick(s), b.tick(s)
        assert xa == xb and (a.spike_log == b.spike_log).all()
        a.reward(s, xa), b.reward(s, xb)


# --------------------------------------------------------------------------- bad state
def test_wrong_shape_state_is_rejected_before_the_kernel_runs():
    """A state array of the wrong shape gives a ShapeError naming the part and attribute."""
    net = small("numba")
    net.reset()
    net.neurons.potentials = np.zeros(3)
    with pytest.raises(
        ShapeError, match=r"Neuron\.potentials: expected .*shape \(8,\).*got ndarray of shape \(3,\)"
    ):
        net.tick((0, 1))


def test_processing_time_changed_between_ticks_gives_a_log_of_the_new_length():
    """set_params(processing_time=...) between ticks: the next tick runs the new number of
    steps into a log of that length, the same on both engines (the compiled loop never
    writes past the end of the old log)."""
    logs = []
    for engine in ("reference", "numba"):
        net = small(engine)
        run(net, 2)
        net.set_params(processing_time=45)
        net.tick(STATES[0])
        assert net.spike_log.shape == (45, 14)
        net.set_params(processing_time=12)
        net.tick(STATES[1])
        assert net.spike_log.shape == (12, 14)
        logs.append(net.spike_log.copy())
    assert np.array_equal(*logs)


def test_a_spike_log_of_the_wrong_shape_is_rejected_before_the_loop_runs():
    net = small("numba")
    net.reset()
    net._spike_log = np.zeros((5, 14), dtype=bool)  # shorter than processing_time
    net.inputs.update(STATES[0])
    with pytest.raises(ShapeError, match=r"spike_log: expected .*shape \(30, 14\).*got bool \(5, 14\)"):
        net.engine.run(STATES[0])


def test_wrong_dtype_weights_rejected():
    """Weights that are not float64 are rejected before a kernel indexes them."""
    net = small("numba")
    net.reset()
    net.weights.matrix = net.weights.matrix.astype(np.float32)
    with pytest.raises(ShapeError, match=r"matrix: expected .*float64"):
        net.tick((0, 1))


@pytest.mark.parametrize("engine", ["reference", "numba"])
def test_nan_in_a_state_is_reported_with_part_and_tick(engine):
    """A NaN that enters the state is reported (key path, part, tick) on both engines."""
    net = small(engine, prob_rand_fire=0.0, firing_threshold=1e9)  # no spike resets the neuron
    run(net, 2)
    net.neurons.potentials[0] = np.nan
    with pytest.raises(
        NumericalError, match=r"network\.neurons\.potentials \(Neuron\) became NaN during tick 2 .* at 1 of 8"
    ):
        net.tick((0, 1))


def test_overflow_raises_the_same_error_on_both_engines():
    """Keys that overflow float64 (a tiny threshold, a huge spike magnitude) raise the same
    NumericalError on both engines, at the same tick, naming the state and the extreme keys."""
    messages = []
    for engine in ("reference", "numba"):
        net = small(engine, firing_threshold=1e-320, magnitude=1e308)
        with np.errstate(over="ignore"), pytest.raises(NumericalError) as info:
            run(net, 5)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "network.neurons.potentials (Neuron) became inf during tick 1" in messages[0]
    assert "magnitude=1e+308" in messages[0] and "firing_threshold=" in messages[0]


# --------------------------------------------------------------------------- same behaviour
class Recorder(spikey.core.RLCallback):
    """Counts per-step reward calls and their total."""

    def __init__(self):
        super().__init__()
        self.steps = []

    def network_continuous_reward(self, state, action, reward):
        self.steps.append((tuple(np.asarray(action, dtype=bool).tolist()), reward))


def test_per_step_callbacks_see_the_same_calls():
    """network_continuous_reward is called once per step with the same values on both engines."""
    calls = []
    for engine in ("reference", "numba"):
        cb = Recorder()
        net = small(engine)
        net.callback = cb
        run(net, 5)
        calls.append(cb.steps)
    assert len(calls[0]) == 5 * 30
    assert calls[0] == calls[1]


def test_monitors_record_the_same_on_both_engines():
    """A Monitor of potentials and spikes records identical traces on either engine."""
    recs = []
    for engine in ("reference", "numba"):
        net = small(engine)
        mon = spikey.snn.Monitor(net, variables=["v"], synapses=[(0, 0)])
        run(net, 4)
        recs.append((mon.spikes, mon["v"], mon.weights))
        assert engine in net.engine.name
    (s0, v0, w0), (s1, v1, w1) = recs
    assert s0.shape == (4 * 30, 8) and s0.any()
    np.testing.assert_array_equal(s0, s1)
    np.testing.assert_allclose(v0, v1, rtol=1e-10, atol=1e-12)  # sums of inputs: rounding only
    np.testing.assert_allclose(w0, w1, rtol=1e-10, atol=1e-12)


def test_copy_and_snapshot_continue_bit_identically(tmp_path):
    """copy() and save/load of a compiled network continue exactly like the original."""
    net = small("numba")
    run(net, 3)
    twin = net.copy()
    spikey.snn.register_part(xor)
    loaded = type(net).load(net.save(str(tmp_path / "n.npz")))
    assert isinstance(loaded.engine, NumbaEngine) and isinstance(twin.engine, NumbaEngine)
    for k in range(4):
        s = STATES[k % 4]
        outs = [n.tick(s) for n in (net, twin, loaded)]
        assert outs[0] == outs[1] == outs[2]
        assert (net.spike_log == twin.spike_log).all() and (net.spike_log == loaded.spike_log).all()
        for n, a in zip((net, twin, loaded), outs):
            n.reward(s, a)


def test_damaged_compile_cache_is_rebuilt(tmp_path, monkeypatch):
    """A damaged generated module in the cache is written again, never fatal."""
    monkeypatch.setenv("SPIKEY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(compiled, "_drivers", {})
    monkeypatch.setattr(compiled, "_drivers_by_kernels", {})
    net = small("numba")
    run(net, 1)
    files = list((tmp_path / "engine").glob("tick_*.py"))
    assert files
    for f in files:
        f.write_text("this is not python (\n")
    monkeypatch.setattr(compiled, "_drivers", {})
    monkeypatch.setattr(compiled, "_drivers_by_kernels", {})
    other = small("numba")
    assert run(other, 2)[0][0] in (0, 1)
    assert all("not python" not in f.read_text() for f in files)


def test_series_same_table_on_both_engines():
    """A Series gives the same results table whichever engine the networks use."""
    from spikey.meta import Series

    tables = []
    for engine in ("reference", "numba"):
        series = Series(
            XorTemplate,
            XorGame,
            spikey.core.GenericLoop,
            ("learning_rate", [0.05, 0.2]),
            training_params={"n_episodes": 2, "len_episode": 4, "engine": engine},
            n_repeats=2,
            seed=3,
            progress=False,
            logging=False,
        )
        df = series.run()
        tables.append(df[["seed", "mean_reward"]].reset_index(drop=True))
    pd.testing.assert_frame_equal(*tables)


def test_generated_tick_module_is_readable_python(tmp_path, monkeypatch):
    """The composed loop is a plain module in the cache folder that calls the parts' kernels."""
    monkeypatch.setenv("SPIKEY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(compiled, "_drivers", {})
    monkeypatch.setattr(compiled, "_drivers_by_kernels", {})
    run(small("numba"), 1)
    (src,) = [f.read_text() for f in (tmp_path / "engine").glob("tick_*.py")]
    assert "from spikey.snn.neuron.template import lif_emit" in src
    assert "from spikey.snn.synapse.florian import eligibility_learn" in src
    assert os.access(tmp_path / "engine", os.W_OK)


def test_fired_emit_is_written_inline_in_the_log_row_pass(tmp_path, monkeypatch):
    """Neurons whose emit is the stock fired_emit get no emit call in the generated loop:
    the loop writes the spike values in its log-row pass. A neuron that fires with a
    spike value of 0 logs no spike there, as on the reference engine."""
    from spikey.experiments import coba

    monkeypatch.setenv("SPIKEY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(compiled, "_drivers", {})
    monkeypatch.setattr(compiled, "_drivers_by_kernels", {})
    logs, fired = [], []
    for engine in ("reference", "numba"):
        net = coba.network(seed=1, n_neurons=120, processing_time=40, engine=engine, magnitude=0.0)
        net.reset()
        fired.append(0)
        for _ in range(3):
            net.tick(None)
            fired[-1] += int((net.neurons.refractory_timers > 0).sum())
            logs.append(net.spike_log.copy())
    (src,) = [f.read_text() for f in (tmp_path / "engine").glob("tick_*.py")]
    assert "emit(nP" not in src and "x = values[j] if fired[j] else 0.0" in src
    assert fired[0] == fired[1] > 0  # neurons fired ...
    assert not any(log.any() for log in logs)  # ... with a spike value of 0: no logged spike
    net = coba.network(seed=1, n_neurons=120, processing_time=40, engine="numba")
    net.reset()
    net.tick(None)
    assert net.spike_log.any()


def test_a_changed_kernel_source_gives_a_new_compiled_loop(tmp_path, monkeypatch):
    """The generated loop names a hash of the kernels' sources: an edited kernel is compiled
    again instead of running stale cached machine code."""
    monkeypatch.setenv("SPIKEY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(compiled, "_drivers", {})
    monkeypatch.setattr(compiled, "_drivers_by_kernels", {})
    monkeypatch.setattr(compiled, "_source_digests", {})
    run(small("numba"), 1)
    before = {f.name for f in (tmp_path / "engine").glob("tick_*.py")}
    monkeypatch.setattr(compiled, "_drivers", {})
    monkeypatch.setattr(compiled, "_drivers_by_kernels", {})
    monkeypatch.setattr(compiled, "_source_digests", {})
    real = compiled.Path.read_bytes
    monkeypatch.setattr(
        compiled.Path,
        "read_bytes",
        lambda self: real(self) + (b"# edited" if self.name == "template.py" else b""),
    )
    run(small("numba"), 1)
    after = {f.name for f in (tmp_path / "engine").glob("tick_*.py")}
    assert before and after - before


def test_direct_calls_follow_the_argument_types():
    """_call reuses a compiled entry point only for arguments of the same numba types:
    a new dtype, layout, writeability or int range goes through numba's dispatch."""
    import numba

    @numba.njit
    def total(a, p):
        return a.sum() + p[0] + p[1]

    f64 = np.arange(4.0)
    assert compiled._call(total, (f64, (1.0, 2))) == 9.0
    assert compiled._call(total, (f64 * 2, (1.0, 2))) == 15.0  # the entry point
    assert compiled._call(total, (np.arange(4), (1.0, 2))) == 9  # int64 array: dispatched
    ro = f64.copy()
    ro.flags.writeable = False
    assert compiled._call(total, (ro, (0.5, 2))) == 8.5
    assert compiled._call(total, (f64[::2], (0.0, 2**63))) == 2.0 + 2**63  # strided, uint64
    assert len({k for k in compiled._entries if k[0] == id(total)}) == 4


def test_all_finite_finds_nan_and_infinities():
    a = np.ones((5, 7))
    assert compiled._all_finite(a) and compiled._all_finite(a.T)
    for bad in (np.nan, np.inf, -np.inf):
        b = a.copy()
        b[3, 4] = bad
        assert not compiled._all_finite(b) and not compiled._all_finite(b.T)
