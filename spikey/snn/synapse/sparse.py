"""Synapses on sparse weights: propagation and learning that touch only stored synapses.

A weight part with sparse storage (:class:`~spikey.snn.weight.Weight`, key
``storage``) keeps, per presynaptic row ``i``, the post columns
``indices[indptr[i]:indptr[i + 1]]`` and magnitudes ``values[...]`` of its synapses
(CSR). The functions here are the sparse counterparts of the dense steps of
:class:`~spikey.snn.synapse.Synapse`, :class:`~spikey.snn.synapse.StaticSynapse` and
:class:`~spikey.snn.synapse.LTP`; those classes dispatch to them when
``weights.sparse`` is true.

- Propagation visits only the rows of the presynaptic neurons that spiked: the work of
  a step is proportional to the number of synaptic events, not to ``n_pre * n_post``.
- LTP-family learning reads a column index built once per structure
  (:meth:`~spikey.snn.weight.Weight.column_index`: per post neuron the positions of its
  synapses, 4 bytes per synapse), so a post spike updates the synapses of its column
  only, and skips presynaptic neurons whose trace is zero.

Every step exists twice, as vectorised numpy (the reference engine) and as a numba
kernel (the compiled engine), computing the same operations in the same order: on a
sparse network both engines give identical spike logs. Sums over the active rows run in
ascending row order in both (``numpy.bincount`` adds its weights in input order), so
the sparse result equals the dense one up to the rounding of the dense matrix product.

What sparse synapses support: static transmission with failures, one delay for all
synapses, delta / exponential / alpha kernels, current- or conductance-based output,
post-synaptic reset; learning with :class:`~spikey.snn.synapse.LTP`. A learning rule
without a sparse implementation raises :class:`~spikey.errors.ConfigError` when it is
built on sparse weights (:func:`check_sparse_support`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.snn.engine.kernel import (
    SPIKE_BLOCK,
    PartKernel,
    block_silent,
    helper,
    kernel,
    noop_learn,
    noop_reward,
)

__all__ = [
    "check_sparse_support",
    "check_static_config",
    "row_synapses",
    "propagate_rows",
    "sparse_arrivals",
    "ltp_update",
    "sparse_propagate",
    "sparse_static_propagate",
    "sparse_ltp_learn",
    "synapse_kernel",
    "static_kernel",
    "ltp_kernel",
]

_EMPTY_F = np.zeros(0)
_EMPTY_I8 = np.zeros(0, dtype=np.int8)
_KINDS = {"delta": 0, "exponential": 1, "alpha": 2}


# --------------------------------------------------------------------------- checks
def check_sparse_support(syn: Any) -> None:
    """Raise a :class:`~spikey.errors.ConfigError` when ``syn``'s learning rule has no
    sparse implementation.

    A class declares one with ``SPARSE_LEARNING = True`` in its own body; the check
    looks at the classes that define ``update`` and ``reward`` for ``syn``: each must be
    the static template or declare sparse learning.
    """
    from spikey.snn.synapse.template import Synapse

    mro = type(syn).__mro__
    for name in ("update", "reward"):
        owner = next(k for k in mro if name in k.__dict__)
        if owner is Synapse or owner.__dict__.get("SPARSE_LEARNING", False):
            continue
        raise ConfigError(
            f"{type(syn).__name__}: the learning rule {owner.__name__} ({owner.__name__}.{name}) has no "
            f"implementation for sparse weights ({type(syn.weights).__name__} with storage="
            f"{syn.weights._storage!r}, {syn.weights.n_synapses} synapses); use storage='dense' on the "
            "weights, or a rule that supports sparse weights (LTP, or a static synapse)."
        )


def check_static_config(syn: Any) -> None:
    """What :class:`~spikey.snn.synapse.StaticSynapse` on sparse weights cannot do:
    per-synapse delays (one delay for all synapses is supported)."""
    if not isinstance(syn._delay_plan, int):
        raise ConfigError(
            f"{type(syn).__name__}.delays: sparse weights support one delay for all synapses (an int); "
            f"got an array of per-synapse delays. Use storage='dense' on the weights for per-synapse delays."
        )


# --------------------------------------------------------------------------- numpy (reference)
def row_synapses(w: Any, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the synapses of presynaptic ``rows`` (in row order, columns
    ascending within a row) and the number per row.

    Returns
    -------
    idx : ndarray of int64, shape (sum(counts),)
    counts : ndarray of int64, shape (len(rows),)
    """
    start = w.indptr[rows].astype(np.int64)
    counts = w.indptr[np.asarray(rows) + 1].astype(np.int64) - start
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), counts
    offsets = np.repeat(start - (np.cumsum(counts) - counts), counts)
    return np.arange(total, dtype=np.int64) + offsets, counts


def _contributions(w: Any, spikes: np.ndarray, rows: np.ndarray, rng: Any, prob: float):
    """``(idx, c)``: synapse positions of ``rows`` and ``s_i * (w_k * sign_k)`` per
    synapse, failures applied (one uniform per synapse, in order)."""
    idx, counts = row_synapses(w, rows)
    s = np.repeat(spikes[rows], counts)
    if w.synapse_signs is None:
        c = s * w.values[idx]
    else:
        c = s * (w.values[idx] * w.synapse_signs[idx])
    if prob > 0.0:
        c *= rng.random(c.size) >= prob
    return idx, c


def propagate_rows(w: Any, spikes: np.ndarray) -> np.ndarray:
    """``spikes @ effective`` for sparse weights ``w``, from the rows that spiked.

    Parameters
    ----------
    w : Weight
        Weights with sparse storage.
    spikes : ndarray, shape (n_pre,), float
        Spike values (0 where silent).

    Returns
    -------
    ndarray, shape (n_post,)
    """
    rows = np.flatnonzero(spikes)
    idx, c = _contributions(w, np.asarray(spikes, dtype=np.float64), rows, None, 0.0)
    return np.bincount(w.indices[idx], weights=c, minlength=w.shape[1]).astype(np.float64, copy=False)


def sparse_arrivals(syn: Any, spikes: np.ndarray) -> tuple[np.ndarray, ...]:
    """:meth:`StaticSynapse._arrivals` on sparse weights: the weight arriving at the
    body neurons this step, ``(a,)`` or ``(a_exc, a_inh)`` (magnitudes)."""
    w = syn.weights
    n = w.shape[1]
    prob, rng = syn._prob_failure, syn.rng
    rows = np.flatnonzero(spikes)
    if not syn._split:
        sent = [_contributions(w, spikes, rows, rng, prob)]
    elif w.synapse_signs is None:  # the sign of a synapse is its spike's sign
        exc, inh = rows[spikes[rows] > 0], rows[spikes[rows] < 0]
        e_idx, e_c = _contributions(w, spikes, exc, rng, prob)
        i_idx, i_c = _contributions(w, spikes, inh, rng, prob)
        sent = [(e_idx, e_c), (i_idx, -i_c)]
    else:
        idx, c = _contributions(w, spikes, rows, rng, prob)
        sent = [(idx, np.maximum(c, 0.0)), (idx, np.maximum(-c, 0.0))]
    sums = [np.bincount(w.indices[idx], weights=c, minlength=n).astype(np.float64, copy=False) for idx, c in sent]
    if syn._lines is None:
        return tuple(sums)
    out = []
    for line, (idx, _), a in zip(syn._lines, sent, sums):
        if idx.size:
            line.push_sum(a)
        out.append(line.pop())
    return tuple(out)


def ltp_update(syn: Any, fired: np.ndarray, polarities: np.ndarray) -> None:
    """:meth:`LTP.update` on sparse weights (same operations per synapse)."""
    pre_idx, post_idx = syn._traces(fired)
    if pre_idx.size:
        w = syn.weights
        pol = np.asarray(polarities, dtype=np.float64)
        lr, top = syn._learning_rate, w.max_weight
        v = w.values
        if post_idx.size:
            colptr, perm = w.column_index()
            start = colptr[post_idx].astype(np.int64)
            counts = colptr[post_idx + 1].astype(np.int64) - start
            total = int(counts.sum())
            if total:
                pos = np.arange(total, dtype=np.int64) + np.repeat(start - (np.cumsum(counts) - counts), counts)
                k = perm[pos]
                rows = np.searchsorted(w.indptr, k, side="right") - 1
                gain = pol[rows] if w.synapse_signs is None else pol[rows] * w.synapse_signs[k]
                block = v[k] + (lr * syn.pre_trace[rows]) * gain
                np.clip(block, 0.0, top, out=block)
                v[k] = block
        k, counts = row_synapses(w, pre_idx)
        if k.size:
            rows = np.repeat(pre_idx, counts)
            gain = pol[rows] if w.synapse_signs is None else pol[rows] * w.synapse_signs[k]
            block = v[k] + (lr * syn.post_trace[w.indices[k]]) * gain
            np.clip(block, 0.0, top, out=block)
            v[k] = block
    syn._bump(pre_idx, post_idx)


# --------------------------------------------------------------------------- kernels
@kernel
def sparse_propagate(P, S, R, t, spikes, current):  # noqa: N803 - kernel signature
    """``current += spikes @ effective`` from the rows that spiked.

    ``S``: 0 indptr, 1 indices, 2 values, 3 signs (int8, empty when unsigned).
    """
    indptr, indices, values, signs = S[0], S[1], S[2], S[3]
    signed = signs.shape[0] != 0
    n = spikes.shape[0]
    full = n // SPIKE_BLOCK
    for b in range(full + 1):  # skip silent blocks with a vectorised test
        if b < full and block_silent(spikes, b):
            continue
        for i in range(b * SPIKE_BLOCK, min((b + 1) * SPIKE_BLOCK, n)):
            s = spikes[i]
            if s != 0.0:
                if signed:
                    add_signed_row(current, indices, values, signs, indptr[i], indptr[i + 1], s)
                else:
                    add_row(current, indices, values, indptr[i], indptr[i + 1], s)


@helper
def add_row(current, indices, values, start, stop, s):  # noqa: ANN001, ANN201 - kernel helper
    """``current[indices[k]] += s * values[k]`` for the synapses ``start <= k < stop``
    of a row.

    Positions and columns are cast to unsigned integers: numba then drops its
    negative-index wrap-around (a compare and a select per access), which costs a third
    of a sparse propagation. ``indptr`` and ``indices`` are checked to be in range
    before any kernel runs (:func:`~spikey.snn.weight.template.check_csr`).
    """
    for k in range(np.uint64(start), np.uint64(stop)):
        current[np.uint64(indices[k])] += s * values[k]


@helper
def add_signed_row(current, indices, values, signs, start, stop, s):  # noqa: ANN001, ANN201 - kernel helper
    """:func:`add_row` with a sign per synapse: ``s * (values[k] * signs[k])``."""
    for k in range(np.uint64(start), np.uint64(stop)):
        current[np.uint64(indices[k])] += s * (values[k] * signs[k])


@kernel
def sparse_static_propagate(P, S, R, t, spikes, current):  # noqa: N803 - kernel signature
    """:meth:`StaticSynapse.propagate` on sparse weights: failures, one delay, kernels,
    post-synaptic reset, current- or conductance-based output.

    ``P``: 0 n_inputs, 1 split, 2 delay (-1: no line), 3 prob_failure, 4 generator,
    5-7 excitatory kernel (code, decay, gain), 8-10 inhibitory kernel, 11 conductance,
    12 E_exc, 13 E_inh, 14 post_reset.
    ``S``: 0 indptr, 1 indices, 2 values, 3 signs, 4 x_exc, 5 y_exc, 6 x_inh, 7 y_inh,
    8 buffer_exc, 9 buffer_inh, 10 pos (2,), 11 potentials, 12 a_exc, 13 a_inh.
    """
    n_in, split, delay, prob, gen = P[0], P[1], P[2], P[3], P[4]
    indptr, indices, values, signs = S[0], S[1], S[2], S[3]
    a_e, a_i = S[12], S[13]
    signed = signs.shape[0] != 0
    n = current.shape[0]
    for j in range(n):
        a_e[j] = 0.0
        a_i[j] = 0.0
    sent_e = 0
    sent_i = 0
    for phase in range(2):  # unsigned split: excitatory rows first, then inhibitory
        if phase == 1 and (not split or signed):
            break
        n_pre = spikes.shape[0]
        full = n_pre // SPIKE_BLOCK
        for b in range(full + 1):
            if b < full and block_silent(spikes, b):
                continue  # a silent block
            for i in range(b * SPIKE_BLOCK, min((b + 1) * SPIKE_BLOCK, n_pre)):
                s = spikes[i]
                if s == 0.0:
                    continue
                if split and not signed and ((phase == 0) != (s > 0.0)):
                    continue
                for k in range(np.uint64(indptr[i]), np.uint64(indptr[i + 1])):  # unsigned: see add_row
                    if signed:
                        c = s * (values[k] * signs[k])
                    else:
                        c = s * values[k]
                    if prob > 0.0:
                        if not gen.random() >= prob:
                            c = c * 0.0
                    j = np.uint64(indices[k])
                    if not split:
                        a_e[j] += c
                    elif signed:
                        a_e[j] += c if c > 0.0 else 0.0
                        a_i[j] += -c if -c > 0.0 else 0.0
                    elif phase == 0:
                        a_e[j] += c
                    else:
                        a_i[j] += -c
                    if phase == 0:
                        sent_e += 1
                    else:
                        sent_i += 1
    if split and signed:
        sent_i = sent_e
    if delay >= 0:  # DelayLine.push_sum + pop, per line
        pos = S[10]
        for line in range(2 if split else 1):
            buf = S[8] if line == 0 else S[9]
            acc = a_e if line == 0 else a_i
            length = buf.shape[0]
            p = pos[line]
            if (sent_e if line == 0 else sent_i) > 0:
                slot = (p + delay) % length
                for j in range(n):
                    buf[slot, j] += acc[j]
            for j in range(n):
                acc[j] = buf[p, j]
                buf[p, j] = 0.0
            pos[line] = (p + 1) % length
    kind_e, decay_e, gain_e = P[5], P[6], P[7]
    kind_i, decay_i, gain_i = P[8], P[9], P[10]
    x_e, y_e, x_i, y_i = S[4], S[5], S[6], S[7]
    if P[14]:  # post-synaptic reset
        for j in range(n):
            if spikes[n_in + j] != 0.0:
                if kind_e != 0:
                    x_e[j] = 0.0
                    if kind_e == 2:
                        y_e[j] = 0.0
                if split and kind_i != 0:
                    x_i[j] = 0.0
                    if kind_i == 2:
                        y_i[j] = 0.0
    v = S[11]
    for j in range(n):
        g_e = a_e[j]
        if kind_e == 1:
            g_e = x_e[j] * decay_e + a_e[j]
            x_e[j] = g_e
        elif kind_e == 2:
            g_e = (x_e[j] + gain_e * y_e[j]) * decay_e
            x_e[j] = g_e
            y_e[j] = y_e[j] * decay_e + a_e[j]
        if not split:
            current[j] += g_e
            continue
        g_i = a_i[j]
        if kind_i == 1:
            g_i = x_i[j] * decay_i + a_i[j]
            x_i[j] = g_i
        elif kind_i == 2:
            g_i = (x_i[j] + gain_i * y_i[j]) * decay_i
            x_i[j] = g_i
            y_i[j] = y_i[j] * decay_i + a_i[j]
        if P[11]:
            current[j] += g_e * (P[12] - v[j]) + g_i * (P[13] - v[j])
        else:
            current[j] += g_e - g_i


@kernel
def sparse_ltp_learn(P, S, fired, polarities):  # noqa: N803 - kernel signature
    """:meth:`LTP.update` on sparse weights: decay the traces, update the columns of
    post spikes (rows with a non-zero trace) and the rows of pre spikes, bump.

    ``P``: 0 n_inputs, 1 learning_rate, 2 pre decay, 3 post decay, 4 A_plus,
    5 A_minus, 6 max_weight.
    ``S``: 0 indptr, 1 indices, 2 values, 3 signs, 4 colptr, 5 perm, 6 pre_trace,
    7 post_trace, 8 steps (1,) int64.
    """
    n_in, lr, dp, dm, a_plus, a_minus, top = P[0], P[1], P[2], P[3], P[4], P[5], P[6]
    indptr, indices, values, signs = S[0], S[1], S[2], S[3]
    colptr, perm, pre, post, steps = S[4], S[5], S[6], S[7], S[8]
    signed = signs.shape[0] != 0
    n_pre = pre.shape[0]
    n_post = post.shape[0]
    for i in range(n_pre):
        pre[i] *= dp
    for j in range(n_post):
        post[j] *= dm
    steps[0] += 1
    if steps[0] % 512 == 0:
        for i in range(n_pre):
            if abs(pre[i]) < 1e-200:
                pre[i] = 0.0
        for j in range(n_post):
            if abs(post[j]) < 1e-200:
                post[j] = 0.0
    any_pre = False
    for i in range(n_pre):
        if fired[i]:
            any_pre = True
            break
    if any_pre:
        for j in range(n_post):
            if not fired[n_in + j]:
                continue
            for q in range(colptr[j], colptr[j + 1]):
                k = perm[q]
                lo, hi = 0, n_pre  # the row of synapse k: indptr[lo] <= k < indptr[lo + 1]
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if indptr[mid] <= k:
                        lo = mid
                    else:
                        hi = mid
                tr = pre[lo]
                if tr != 0.0:
                    g = polarities[lo] * signs[k] if signed else polarities[lo]
                    w = values[k] + (lr * tr) * g
                    values[k] = 0.0 if w < 0.0 else (top if w > top else w)
        for i in range(n_pre):
            if not fired[i]:
                continue
            for k in range(np.uint64(indptr[i]), np.uint64(indptr[i + 1])):  # unsigned: see add_row
                tr = post[np.uint64(indices[k])]
                if tr != 0.0:
                    g = polarities[i] * signs[k] if signed else polarities[i]
                    w = values[k] + (lr * tr) * g
                    values[k] = 0.0 if w < 0.0 else (top if w > top else w)
    for i in range(n_pre):
        if fired[i]:
            pre[i] += a_plus
    for j in range(n_post):
        if fired[n_in + j]:
            post[j] += a_minus


# --------------------------------------------------------------------------- PartKernels
def _weight_state(syn: Any) -> tuple:
    w = syn.weights
    n_pre, n_post = w.shape
    if (syn.n_pre, syn._n_neurons) != (n_pre, n_post):
        raise ConfigError(
            f"{type(syn).__name__}.weights: expected sparse weights of shape ({syn.n_pre}, {syn._n_neurons}); "
            f"got {w.shape}."
        )
    from spikey.snn.weight.template import check_csr

    # the structure arrays are read-only: check them in full once per structure, and
    # their sizes at every tick (values and signs may be replaced)
    token = (id(w.indptr), id(w.indices))
    if w.__dict__.get("_checked_structure") != token or w.indptr.flags.writeable or w.indices.flags.writeable:
        check_csr(w.indptr, w.indices, w.values, w.shape, type(w).__name__, w.synapse_signs)
        w.indptr.flags.writeable = w.indices.flags.writeable = False  # (copies come back writeable)
        w._checked_structure = token
    elif w.values.shape != w.indices.shape or (w.synapse_signs is not None and w.synapse_signs.shape != w.indices.shape):
        check_csr(w.indptr, w.indices, w.values, w.shape, type(w).__name__, w.synapse_signs)
    if w.indptr.dtype != np.int32 or w.indices.dtype != np.int32 or w.values.dtype != np.float64:
        raise ConfigError(f"{type(w).__name__}: sparse weights must be int32 indptr/indices and float64 values.")
    signs = _EMPTY_I8 if w.synapse_signs is None else w.synapse_signs
    return (w.indptr, w.indices, w.values, signs)


def synapse_kernel(syn: Any) -> PartKernel:
    """:class:`Synapse` (static, instantaneous) on sparse weights: :func:`sparse_propagate`."""
    return PartKernel(
        {"propagate": sparse_propagate, "learn": noop_learn, "reward": noop_reward}, state=_weight_state(syn)
    )


def static_kernel(syn: Any) -> PartKernel:
    """:class:`StaticSynapse` on sparse weights: :func:`sparse_static_propagate`."""
    if syn._kernels is None:
        syn._build_state()
    n = syn._n_neurons
    k_e = syn._kernels[0]
    k_i = syn._kernels[1] if len(syn._kernels) > 1 else None
    lines = syn._lines or ()
    pos = np.array([line.pos for line in lines] + [0] * (2 - len(lines)), dtype=np.int64)
    empty2 = np.zeros((0, 0))
    buf_e = lines[0].buffer if lines else empty2
    buf_i = lines[1].buffer if len(lines) > 1 else empty2
    delay = int(lines[0].delays) if lines else -1
    v = syn._potentials() if syn._conductance else _EMPTY_F
    if syn._conductance and (v.shape != (n,) or v.dtype != np.float64):
        raise ConfigError(
            f"{type(syn).__name__}.conductance: expected the body neurons' potentials as float64 of shape ({n},); "
            f"got {v.dtype} {v.shape}."
        )
    scratch = getattr(syn, "_sparse_scratch", None)
    if scratch is None or scratch[0].shape != (n,):
        scratch = syn._sparse_scratch = (np.zeros(n), np.zeros(n))
    params = (
        int(syn._n_inputs),
        bool(syn._split),
        delay,
        float(syn._prob_failure),
        syn.rng,
        _KINDS[k_e.shape],
        float(k_e.decay),
        float(k_e.gain),
        _KINDS[k_i.shape] if k_i is not None else 0,
        float(k_i.decay) if k_i is not None else 0.0,
        float(k_i.gain) if k_i is not None else 0.0,
        bool(syn._conductance),
        float(syn._E_exc),
        float(syn._E_inh),
        bool(syn._post_reset),
    )
    state = _weight_state(syn) + (
        k_e.x,
        k_e.y if k_e.y is not None else _EMPTY_F,
        k_i.x if k_i is not None else _EMPTY_F,
        k_i.y if k_i is not None and k_i.y is not None else _EMPTY_F,
        buf_e,
        buf_i,
        pos,
        v,
    ) + scratch

    def finish() -> None:
        for line, p in zip(lines, pos.tolist()):
            line.pos = p

    return PartKernel(
        {"propagate": sparse_static_propagate, "learn": noop_learn, "reward": noop_reward},
        params=params,
        state=state,
        finish=finish,
    )


def ltp_kernel(syn: Any) -> PartKernel:
    """:class:`LTP` on sparse weights: :func:`sparse_propagate` and :func:`sparse_ltp_learn`."""
    import math

    if syn.pre_trace is None:
        syn.reset()
    colptr, perm = syn.weights.column_index()
    steps = np.array([syn._steps], dtype=np.int64)
    params = (
        int(syn._n_inputs),
        float(syn._learning_rate),
        math.exp(-1.0 / syn._tau_plus),
        math.exp(-1.0 / syn._tau_minus),
        float(syn._A_plus),
        float(syn._A_minus),
        float(syn.weights.max_weight),
    )
    state = _weight_state(syn) + (colptr, perm, syn.pre_trace, syn.post_trace, steps)

    def finish() -> None:
        syn._steps = int(steps[0])

    return PartKernel(
        {"propagate": sparse_propagate, "learn": sparse_ltp_learn, "reward": noop_reward},
        params=params,
        state=state,
        finish=finish,
    )
