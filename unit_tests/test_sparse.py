"""Sparse connectivity: storage, memory, propagation, learning, both engines, snapshots."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import spikey
from spikey.errors import ConfigError, ShapeError, WeightClipWarning
from spikey.snn.engine.kernel import SPIKE_BLOCK, block_silent
from spikey.snn.synapse import LTP, MSTDPET, StaticSynapse, Synapse
from spikey.snn.synapse.sparse import (
    add_row,
    add_signed_row,
    propagate_rows,
    sparse_ltp_learn,
    sparse_propagate,
)
from spikey.snn.synapse.template import dense_propagate
from spikey.snn.weight import Manual, Random
from spikey.snn.weight.template import SPARSE_MIN_SIZE

N_IN = 20


def net_class(synapse: type, n: int = 300, **keys):
    """A RateMap -> Spikey LIF network on sparse Random weights (about 2% of the body
    neurons fire per step)."""

    config = {
        "n_inputs": N_IN,
        "n_neurons": n,
        "n_outputs": 2,
        "processing_time": 10,
        "magnitude": 1.0,
        "firing_threshold": 10.0,
        "potential_decay": 0.1,
        "refractory_period": 1,
        "prob_rand_fire": 0.01,
        "input_pct_inhibitory": 0.2,
        "neuron_pct_inhibitory": 0.2,
        "state_rate_map": [0.0, 0.4],
        "max_weight": 2.0,
        "learning_rate": 0.05,
        "action_threshold": 0.05,
        "density": 0.05,
        "storage": "sparse",
    }
    config.update(keys)

    class SparseNet(spikey.Network):
        parts = {
            "inputs": spikey.input.RateMap,
            "neurons": spikey.neuron.Neuron,
            "weights": Random,
            "synapses": synapse,
            "readout": spikey.readout.Threshold,
        }

    SparseNet.keys = config
    return SparseNet


def _arrays(obj, seen=None, depth=0):
    """Every ndarray reachable from ``obj``'s attributes (and scipy.sparse data)."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 6:
        return
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        yield obj
        return
    if sp.issparse(obj):
        yield from (obj.data, obj.indices, obj.indptr)
        return
    if isinstance(obj, dict):
        items = list(obj.values())
    elif isinstance(obj, (list, tuple)):
        items = list(obj)
    elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("spikey"):
        items = list(vars(obj).values())
    else:
        return
    for v in items:
        yield from _arrays(v, seen, depth + 1)


def _run(net, ticks: int) -> list[np.ndarray]:
    logs = []
    for k in range(ticks):
        net.tick((k % 2, (k // 2) % 2))
        logs.append(net.spike_log.copy())
    return logs


# --------------------------------------------------------------------------- storage
def test_random_sparse_same_seed_same_synapses():
    """The same seed draws the same sparse synapses and weights; another seed does not."""
    a = Random(n_inputs=5, n_neurons=500, density=0.03, seed=4, storage="sparse")
    b = Random(n_inputs=5, n_neurons=500, density=0.03, seed=4, storage="sparse")
    c = Random(n_inputs=5, n_neurons=500, density=0.03, seed=5, storage="sparse")
    assert a.sparse and b.sparse
    for name in ("indptr", "indices", "values"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.indices[:50], c.indices[:50])


def test_random_sparse_statistics_and_rules():
    """Sparse Random: each allowed entry exists with probability density (5 sigma), no
    self-connections, weights in [0, max_weight], matrix_mask and force_unidirectional kept."""
    n_in, n, p = 10, 800, 0.04
    w = Random(n_inputs=n_in, n_neurons=n, density=p, seed=1, storage="sparse", max_weight=3.0)
    allowed = (n_in + n) * n - n
    mean, sd = allowed * p, np.sqrt(allowed * p * (1 - p))
    assert abs(w.n_synapses - mean) < 5 * sd
    rows = w.synapse_rows()
    assert not np.any(rows - n_in == w.indices)
    assert w.values.min() >= 0 and w.values.max() <= 3.0
    # uniform weights: mean max_weight / 2 within 5 standard errors
    assert abs(w.values.mean() - 1.5) < 5 * 3.0 / np.sqrt(12 * w.values.size)
    mask = np.zeros((n, n), dtype=bool)
    mask[:, : n // 2] = True
    wm = Random(n_inputs=n_in, n_neurons=n, density=0.2, seed=2, storage="sparse", matrix_mask=sp.csr_array(mask))
    body = wm.synapse_rows() >= n_in
    assert np.all(wm.indices[body] < n // 2) and np.any(wm.indices[~body] >= n // 2)
    wu = Random(n_inputs=0, n_neurons=200, density=0.3, seed=3, storage="sparse", force_unidirectional=True)
    d = wu.matrix.toarray() > 0
    assert not np.any(d & d.T) and wu.n_synapses > 0.8 * 0.3 * 200 * 199 * (1 - 0.3 / 2)


def test_auto_storage_picks_by_size_and_density():
    """storage='auto' stores large, low-density weights sparsely and everything else densely."""
    n = int(np.ceil(np.sqrt(SPARSE_MIN_SIZE)))
    assert Random(n_inputs=0, n_neurons=n, density=0.02, seed=0).sparse
    assert not Random(n_inputs=0, n_neurons=n, density=0.5, seed=0).sparse
    assert not Random(n_inputs=0, n_neurons=100, density=0.02, seed=0).sparse
    assert not Random(n_inputs=0, n_neurons=n, density=0.02, seed=0, storage="dense").sparse
    assert Random(n_inputs=0, n_neurons=50, density=0.5, seed=0, storage="sparse").sparse


def test_matrix_view_shares_values():
    """weights.matrix of sparse weights is a csr_array over the same values: writes
    through .data change the weights; entries read like a dense matrix."""
    w = Random(n_inputs=2, n_neurons=60, density=0.1, seed=0, storage="sparse")
    m = w.matrix
    assert isinstance(m, sp.csr_array) and m.shape == (62, 60)
    i, j = int(w.synapse_rows()[3]), int(w.indices[3])
    assert m[i, j] == w.values[3]
    m.data[3] = 0.123
    assert w.values[3] == 0.123 and w.matrix[i, j] == 0.123
    assert w.mask.toarray().sum() == w.n_synapses
    assert np.array_equal(w.matrix.toarray() != 0, w.mask.toarray() & (w.matrix.toarray() != 0))


def test_manual_scipy_sparse_matrix():
    """Manual takes a scipy.sparse matrix: stored entries are the synapses (explicit zeros
    too), stored sparsely; storage='dense' converts it to the dense layout."""
    coo = sp.coo_array((np.array([0.5, 0.0, 1.5]), (np.array([0, 1, 3]), np.array([2, 0, 1]))), shape=(4, 3))
    w = Manual(n_inputs=1, n_neurons=3, max_weight=2.0, matrix=coo)
    assert w.sparse and w.n_synapses == 3
    assert w.matrix.toarray()[3, 1] == 1.5 and w.mask.toarray()[1, 0]
    d = Manual(n_inputs=1, n_neurons=3, max_weight=2.0, matrix=coo, storage="dense")
    assert not d.sparse and isinstance(d.matrix, np.ndarray) and d.mask.sum() == 3


# --------------------------------------------------------------------------- memory
def test_coba_sized_network_memory_per_synapse():
    """4000 neurons at 2% (COBA size): building and running a conductance network allocates
    no n^2 array anywhere (parts, engine, state_dict), and weights + synapse state stay
    below the per-neuron state plus 16 bytes per synapse."""
    n = 4000
    cls = net_class(
        StaticSynapse,
        n=n,
        density=0.02,
        conductance=True,
        kernel_exc="exponential",
        kernel_inh="exponential",
        tau_exc=5.0,
        tau_inh=10.0,
        E_exc=5.0,
        E_inh=-5.0,
        processing_time=5,
        engine="reference",
    )
    tracemalloc.start()
    net = cls(seed=1)
    net.reset()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    w = net.weights
    nnz = w.n_synapses
    n_pre = N_IN + n
    assert w.sparse and abs(nnz - 0.02 * (n_pre * n - n)) < 5 * np.sqrt(0.02 * n_pre * n)
    assert peak < 40 * 8 * nnz < n_pre * n * 8  # well under one dense float matrix (128 MB)
    _run(net, 2)
    state = net.state_dict()
    largest = max(a.size for obj in (net, state) for a in _arrays(obj))
    assert largest <= nnz
    parts = list(_arrays((w, net.synapses)))  # each array once (synapses reach the weights too)
    sizes = (n, n + 1, n_pre, n_pre + 1)
    per_neuron = sum(a.nbytes for a in parts if a.ndim and a.shape[-1] in sizes)  # kernels, buffers, pointers
    total = sum(a.nbytes for a in parts)
    assert 12 * nnz <= total <= per_neuron + 16 * nnz


def test_ltp_column_index_fits_budget():
    """LTP on sparse weights adds a 4-byte-per-synapse column index: weights plus LTP state
    stay within 16 bytes per synapse plus per-neuron arrays."""
    w = Random(n_inputs=10, n_neurons=2000, density=0.02, seed=0, storage="sparse")
    syn = LTP(w, n_inputs=10, n_neurons=2000, learning_rate=0.1)
    syn.reset()
    w.column_index()
    nnz = w.n_synapses
    parts = list(_arrays(syn))  # reaches the weights through syn.weights
    sizes = (w.shape[0], w.shape[0] + 1, w.shape[1], w.shape[1] + 1)
    per_neuron = sum(a.nbytes for a in parts if a.ndim and a.shape[-1] in sizes)
    total = sum(a.nbytes for a in parts)
    assert total <= per_neuron + 16 * nnz and total >= 16 * nnz


# --------------------------------------------------------------------------- propagation
def _twin(seed: int = 0, inh: bool = False):
    """Sparse Random weights and dense Manual weights on the same synapses."""
    n_in, n = 8, 250
    inh_mask = np.random.default_rng(seed + 1).random((n_in + n, n)) < 0.3 if inh else None
    ws = Random(n_inputs=n_in, n_neurons=n, density=0.05, seed=seed, storage="sparse", inh_weight_mask=inh_mask)
    wd = Manual(
        n_inputs=n_in, n_neurons=n, matrix=ws.matrix.toarray(), matrix_mask=ws.mask.toarray(),
        storage="dense", inh_weight_mask=inh_mask,
    )
    return ws, wd


@pytest.mark.parametrize("inh", [False, True])
def test_propagate_equals_dense(inh):
    """Sparse propagation (numpy and the kernel) equals the dense product on the same synapses."""
    ws, wd = _twin(inh=inh)
    rng = np.random.default_rng(3)
    kernel_state = (ws.indptr, ws.indices, ws.values, ws.synapse_signs if inh else np.zeros(0, np.int8))
    for _ in range(20):
        spikes = (rng.random(ws.shape[0]) < 0.1) * rng.choice([-1.0, 1.0], ws.shape[0])
        dense = spikes @ wd.effective
        np.testing.assert_allclose(propagate_rows(ws, spikes), dense, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(Synapse(ws, n_inputs=8, n_neurons=250).propagate(spikes), dense, rtol=1e-12, atol=1e-12)
        cur = np.zeros(ws.shape[1])
        sparse_propagate.dispatcher((), kernel_state, np.zeros((0, 0)), 0, spikes, cur)
        assert np.array_equal(cur, propagate_rows(ws, spikes))
    assert np.any(dense != 0)


@pytest.mark.parametrize("n_pre", [1, 63, 64, 65, 130, 200])
def test_propagate_kernel_finds_spikes_at_block_edges(n_pre):
    """The kernel scans whole blocks of 64 with one count, then the rest value by value:
    a spike at either edge of a block, in the last partial block, or alone is never
    missed, compiled or in Python, and the sum equals the dense product; the dense
    propagation kernel (the same scan) too, with and without signs."""
    rng = np.random.default_rng(n_pre)
    m = sp.random(n_pre, 40, density=0.3, format="csr", random_state=rng, data_rvs=lambda k: rng.uniform(0.1, 1.0, k))
    m.sort_indices()
    state = (m.indptr.astype(np.int32), m.indices.astype(np.int32), m.data.astype(np.float64), np.zeros(0, np.int8))
    edges = sorted({p for b in range(0, n_pre + SPIKE_BLOCK, SPIKE_BLOCK) for p in (b - 1, b) if 0 <= p < n_pre})
    patterns = [[], [0], [n_pre - 1], edges, [edges[len(edges) // 2]]]
    for pattern in patterns:
        spikes = np.zeros(n_pre)
        spikes[pattern] = rng.choice([-1.0, 2.0], len(pattern))
        expected = spikes @ m.toarray()
        for fn in (sparse_propagate.dispatcher, sparse_propagate.py_func):
            cur = np.zeros(40)
            fn((), state, np.zeros((0, 0)), 0, spikes, cur)
            np.testing.assert_allclose(cur, expected, rtol=1e-12, atol=1e-12)
        dense, signs = m.toarray(), np.where(rng.random((n_pre, 40)) < 0.3, -1.0, 1.0)
        for fn in (dense_propagate.dispatcher, dense_propagate.py_func):  # the same scan, dense
            for dense_state, want in (((dense, np.zeros((0, 0))), expected), ((dense, signs), spikes @ (dense * signs))):
                cur = np.zeros(40)
                fn((), dense_state, np.zeros((0, 0)), 0, spikes, cur)
                np.testing.assert_allclose(cur, want, rtol=1e-12, atol=1e-12)
        for b in range(n_pre // SPIKE_BLOCK):
            block = spikes[b * SPIKE_BLOCK : (b + 1) * SPIKE_BLOCK]
            assert block_silent.dispatcher(spikes, b) == block_silent(spikes, b) == (not block.any())


def test_row_helpers_add_one_row_compiled_and_in_python():
    """add_row / add_signed_row (unsigned positions in the compiled form) add exactly the
    synapses start <= k < stop of a row, to the right columns."""
    import numba

    @numba.njit
    def both(cur, indices, values, signs, a, b, s):
        add_row(cur, indices, values, a, b, s)
        add_signed_row(cur, indices, values, signs, a, b, s)

    indices = np.array([4, 0, 2, 4, 1], dtype=np.int32)
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    signs = np.array([1, -1, 1, -1, 1], dtype=np.int8)
    expected = np.zeros(5)
    expected[[0, 2, 4]] += 0.5 * values[1:4] + 0.5 * values[1:4] * signs[1:4]
    for fn in (both, both.py_func):
        cur = np.zeros(5)
        fn(cur, indices, values, signs, 1, 4, 0.5)
        np.testing.assert_array_equal(cur, expected)


@pytest.mark.parametrize(
    "keys",
    [
        {"kernel_exc": "exponential", "kernel_inh": "alpha", "delays": 3, "post_reset": True},
        {"kernel_exc": "exponential", "kernel_inh": "exponential", "tau_inh": 7.0, "conductance": True},
        {"kernel_exc": "alpha", "kernel_inh": "alpha", "delays": 1},
    ],
)
def test_static_synapse_sparse_equals_dense(keys):
    """StaticSynapse dynamics (delays, kernels, conductances, post reset) give the same input
    on sparse weights as on dense weights with the same synapses."""
    ws, wd = _twin(seed=2, inh=True)

    class V:
        potentials = np.linspace(-5.0, 3.0, 250)

    outs = []
    for w in (ws, wd):
        syn = StaticSynapse(w, n_inputs=8, n_neurons=250, seed=0, **keys)
        syn.attach(V())
        syn.reset()
        rng = np.random.default_rng(5)
        run = []
        for _ in range(30):
            spikes = (rng.random(258) < 0.08) * rng.choice([-1.0, 1.0], 258)
            run.append(syn.propagate(spikes))
        outs.append(np.array(run))
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-10, atol=1e-12)
    assert np.abs(outs[0]).max() > 0


def test_ltp_sparse_equals_dense():
    """LTP on sparse weights changes the stored synapses exactly as dense LTP does, and
    the numba kernel exactly as the numpy update."""
    ws, wd = _twin(seed=4, inh=True)
    wk = Random(n_inputs=8, n_neurons=250, density=0.05, seed=4, storage="sparse", inh_weight_mask=ws._inh_weight_mask)
    syns = [LTP(w, n_inputs=8, n_neurons=250, learning_rate=0.3, tau_plus=5.0, tau_minus=8.0) for w in (ws, wd, wk)]
    for s in syns:
        s.reset()
    pol = np.where(np.random.default_rng(0).random(258) < 0.2, -1.0, 1.0)
    k = syns[2]
    import math

    P = (8, 0.3, math.exp(-1 / 5.0), math.exp(-1 / 8.0), 1.0, -1.0, wk.max_weight)
    colptr, perm = wk.column_index()
    S = (wk.indptr, wk.indices, wk.values, wk.synapse_signs, colptr, perm, k.pre_trace, k.post_trace, np.zeros(1, np.int64))
    rng = np.random.default_rng(9)
    v0 = ws.values.copy()
    for _ in range(600):
        fired = rng.random(258) < 0.05
        syns[0].update(fired, pol)
        syns[1].update(fired, pol)
        sparse_ltp_learn.dispatcher(P, S, fired, pol)
    dense = wd.matrix
    assert np.array_equal(ws.values, dense[ws.synapse_rows(), ws.indices])
    assert np.array_equal(ws.values, wk.values)
    assert np.count_nonzero(dense[~ws.mask.toarray()]) == 0
    assert np.abs(ws.values - v0).max() > 0.1


# --------------------------------------------------------------------------- engines
ENGINE_CASES = [
    (Synapse, {}),
    (LTP, {}),
    (StaticSynapse, {"kernel_exc": "exponential", "kernel_inh": "alpha", "delays": 2, "post_reset": True,
                     "firing_threshold": 20.0}),
    (StaticSynapse, {"conductance": True, "kernel_exc": "exponential", "kernel_inh": "exponential",
                     "E_exc": 14.0, "E_inh": -4.0, "tau_inh": 8.0, "max_weight": 0.12}),
    (StaticSynapse, {"prob_failure": 0.3, "kernel_exc": "exponential", "kernel_inh": "exponential", "tau_inh": 5.0,
                     "firing_threshold": 20.0}),
]


@pytest.mark.parametrize("synapse,keys", ENGINE_CASES, ids=lambda x: getattr(x, "__name__", str(x)))
def test_engines_identical_on_sparse(synapse, keys):
    """Over 200 ticks (2000 network steps, learning on) both engines give identical spike
    logs on a sparse network, and its states agree to rtol 1e-10."""
    cls = net_class(synapse, **keys)
    ref, comp = cls(seed=3, engine="reference"), cls(seed=3, engine="numba")
    assert type(comp.engine).__name__ == "NumbaEngine" and ref.weights.sparse
    ref.reset()
    comp.reset()
    v0 = ref.weights.values.copy()
    for k in range(200):
        s = (k % 2, (k // 2) % 2)
        ref.tick(s)
        comp.tick(s)
        if not np.array_equal(ref.spike_log, comp.spike_log):
            bad = np.argwhere(ref.spike_log != comp.spike_log)[0]
            pytest.fail(f"spike logs differ at tick {k}, step/neuron {bad.tolist()}")
    assert 0.005 < ref.spike_log[:, N_IN:].mean() < 0.3
    np.testing.assert_allclose(ref.weights.values, comp.weights.values, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ref.neurons.potentials, comp.neurons.potentials, rtol=1e-10, atol=1e-12)
    for a, b in zip(_arrays(ref.synapses.state_dict()), _arrays(comp.synapses.state_dict())):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    if synapse is LTP:
        assert np.abs(ref.weights.values - v0).max() > 0.1


def test_monitor_reads_sparse_weights():
    """A Monitor records chosen synapses of a sparse network (read through the csr view)."""
    cls = net_class(LTP, engine="reference")
    net = cls(seed=1)
    w = net.weights
    pre, post = int(w.synapse_rows()[0]), int(w.indices[0])
    mon = spikey.snn.monitor.Monitor(synapses=[(pre, post)])
    net.reset()
    mon.attach(net)
    _run(net, 3)
    assert mon.weights.shape[0] == 30 and mon.weights[-1, 0] == net.weights.values[0]


# --------------------------------------------------------------------------- snapshots
def test_snapshot_round_trip_sparse(tmp_path):
    """save/load of a sparse network restores its structure and learned weights, and both
    continue identically."""
    cls = net_class(LTP, engine="reference")
    net = cls(seed=2)
    net.reset()
    _run(net, 20)
    path = net.save(str(tmp_path / "sparse"))
    n_pre, n_post = net.weights.shape
    with np.load(path, allow_pickle=False) as data:
        assert max(data[k].size for k in data.files) < n_pre * n_post / 4
    back = cls.load(path)
    assert back.weights.sparse
    for name in ("indptr", "indices", "values"):
        assert np.array_equal(getattr(back.weights, name), getattr(net.weights, name))
    for a, b in zip(_run(net, 10), _run(back, 10)):
        assert np.array_equal(a, b)


def test_snapshot_manual_scipy_matrix(tmp_path):
    """A Manual weight given as a scipy.sparse matrix round-trips through a snapshot."""
    n = 40
    m = sp.random_array((N_IN + n, n), density=0.1, rng=np.random.default_rng(0), format="csr") * 2.0
    cls = net_class(Synapse, n=n, engine="reference")
    cls.parts = dict(cls.parts, weights=Manual)
    cls.keys = dict(cls.keys, matrix=m)
    del cls.keys["density"]
    net = cls(seed=0)
    net.reset()
    back = cls.load(net.save(str(tmp_path / "manual")))
    assert back.weights.sparse
    assert np.array_equal(back.weights.matrix.toarray(), m.toarray())


def test_load_state_rejects_corrupt_sparse_state():
    """A sparse state whose indices lie outside the matrix, or whose indptr does not fit,
    is refused with a ShapeError naming the problem."""
    w = Random(n_inputs=2, n_neurons=30, density=0.2, seed=0, storage="sparse")
    state = w.state_dict()
    bad = dict(state, indices=state["indices"] + 100)
    with pytest.raises(ShapeError, match="column index lies outside"):
        w.load_state_dict(bad)
    with pytest.raises(ShapeError, match="indptr must have n_pre"):
        w.load_state_dict(dict(state, indptr=state["indptr"][:-1]))
    with pytest.raises(ShapeError, match="one entry per synapse"):
        w.load_state_dict(dict(state, values=state["values"][:-1]))
    w.load_state_dict(state)
    assert w.n_synapses == state["indices"].size


# --------------------------------------------------------------------------- errors
def test_rule_without_sparse_support_is_named():
    """A learning rule with no sparse implementation raises a ConfigError naming the rule."""
    w = Random(n_inputs=2, n_neurons=30, density=0.2, seed=0, storage="sparse")
    with pytest.raises(ConfigError, match=r"learning rule .*(MSTDPET|_EligibilitySTDP).*storage='dense'"):
        MSTDPET(w, n_inputs=2, n_neurons=30, learning_rate=0.1)


def test_sparse_rejects_per_synapse_delays():
    """StaticSynapse on sparse weights refuses a per-synapse delay array, saying what works."""
    w = Random(n_inputs=2, n_neurons=30, density=0.2, seed=0, storage="sparse")
    delays = np.arange(32 * 30).reshape(32, 30) % 3
    with pytest.raises(ConfigError, match="one delay for all synapses"):
        StaticSynapse(w, n_inputs=2, n_neurons=30, delays=delays)


def test_no_implicit_dense_conversion():
    """np.asarray on sparse weights raises instead of silently allocating n_pre x n_post."""
    w = Random(n_inputs=2, n_neurons=30, density=0.2, seed=0, storage="sparse")
    with pytest.raises(ConfigError, match=r"not converted to a dense array implicitly.*toarray"):
        np.asarray(w)
    with pytest.raises(ConfigError, match="connectivity of sparse weights is their structure"):
        w.mask = np.ones(w.shape, dtype=bool)


def test_bad_storage_and_values():
    """An unknown storage value is refused; out-of-range sparse weights are clipped with a
    warning (as dense ones, and as the original Spikey did); NaN and wrong shapes are refused."""
    with pytest.raises(ConfigError, match=r"storage.*'auto', 'dense', 'sparse'|storage"):
        Random(n_inputs=2, n_neurons=30, storage="csr")
    with pytest.warns(WeightClipWarning, match=r"Manual.matrix: .*clipped 1 out-of-range weight\(s\), first 3.0 at \(1, 0\)"):
        w = Manual(n_inputs=1, n_neurons=3, matrix=sp.csr_array(np.array([[0, 0, 0], [3.0, 0, 0], [0, 0, 0], [0, 0, 0]])))
    assert w.values.max() == 1.0
    with pytest.raises(ConfigError, match=r"Manual.matrix: expected weights in \[0, max_weight=1\].*got nan at \(1, 0\)"):
        Manual(n_inputs=1, n_neurons=3, matrix=sp.csr_array(np.array([[0, 0, 0], [np.nan, 0, 0], [0, 0, 0], [0, 0, 0]])))
    with pytest.raises(ShapeError, match=r"Manual.matrix: expected shape \(4, 3\)"):
        Manual(n_inputs=1, n_neurons=3, matrix=sp.csr_array(np.eye(3)))


def test_dense_and_sparse_static_synapse_both_run_compiled():
    """StaticSynapse with kernels runs on the compiled engine with dense and with sparse weights."""
    for storage in ("dense", "sparse"):
        cls = net_class(StaticSynapse, storage=storage, kernel_exc="exponential", engine="numba")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = cls(seed=0)
        assert net.engine.name == "numba", net.schedule.engine
