"""Trace-based spike-timing-dependent plasticity."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from spikey.module import Interval, Key
from spikey.snn.engine.kernel import PartKernel, checked, helper, kernel, noop_reward
from spikey.snn.synapse.sparse import ltp_kernel, ltp_update
from spikey.snn.synapse.template import Synapse, dense_propagate

__all__ = ["LTP"]

_POS = Interval(0, None, low_closed=False)


class LTP(Synapse):
    """Pair-based STDP with exponential traces (unsupervised).

    Each presynaptic neuron keeps a trace :math:`P^+_i` and each postsynaptic neuron
    a trace :math:`P^-_j`:

    .. math::

        P^+_i \\leftarrow P^+_i e^{-1/\\tau_+} + A_+ f_i, \\qquad
        P^-_j \\leftarrow P^-_j e^{-1/\\tau_-} + A_- \\Phi_j,

    with :math:`f_i, \\Phi_j \\in \\{0, 1\\}` the spikes of the step. The STDP term of
    a step is :math:`\\zeta_{ij} = P^+_i \\Phi_j + P^-_j f_i` (traces read before this
    step's increments, so simultaneous spikes do not pair), and LTP applies
    :math:`\\Delta w_{ij} = \\eta \\, p_i \\, \\zeta_{ij}` at once, clipped to
    ``[0, max_weight]``. :math:`p_i` is the presynaptic polarity: weights are
    magnitudes, so potentiating an inhibitory synapse (making it less negative)
    shrinks its magnitude.

    A pre spike at step :math:`t` and a post spike at :math:`t + \\Delta` give
    :math:`\\Delta w = \\eta A_+ e^{-\\Delta/\\tau_+}`; the reverse order gives
    :math:`\\eta A_- e^{-\\Delta/\\tau_-}`. Time constants are in network steps
    (ms at the usual 1 ms step). Only synapses in the weight mask change, and the
    work per step is proportional to the number of spikes.
    """

    STATE = ("pre_trace", "post_trace", "_steps", "_pol", "_gain")
    #: Runs on sparse weights (:func:`spikey.snn.synapse.sparse.ltp_update`).
    SPARSE_LEARNING = True

    NECESSARY_KEYS = Synapse.extend_keys(
        [
            Key("learning_rate", "Scale eta of weight changes.", float, constraint=Interval(0, None)),
            Key("tau_plus", "Decay time of the presynaptic trace.", float, 20.0, constraint=_POS, units="ms"),
            Key(
                "tau_minus", "Decay time of the postsynaptic trace.", float, 20.0, constraint=_POS, units="ms"
            ),
            Key(
                "A_plus",
                "Trace increment at a presynaptic spike (potentiation).",
                float,
                1.0,
                constraint=Interval(0, None),
            ),
            Key(
                "A_minus",
                "Trace increment at a postsynaptic spike (depression, <= 0).",
                float,
                -1.0,
                constraint=Interval(None, 0),
            ),
        ]
    )

    def __init__(self, w: Any, **kwargs: Any):
        super().__init__(w, **kwargs)
        self.pre_trace = self.post_trace = None
        self._pol = self._gain = None

    def reset(self) -> None:
        """Zero the traces."""
        self.pre_trace = np.zeros(self.n_pre)
        self.post_trace = np.zeros(self._n_neurons)
        self._steps = 0

    def _signed_mask(self, polarities: np.ndarray) -> np.ndarray:
        """``p_i * sign_ij * mask_ij``: the factor each weight change is scaled by."""
        if polarities is not self._pol:
            w = self.weights
            gain = np.asarray(polarities, dtype=float)[:, None] * w.mask
            if w.signs is not None:
                gain = gain * w.signs
            self._pol, self._gain = polarities, gain
        return self._gain

    def _add_clipped(self, rows: Any, cols: Any, delta: np.ndarray) -> None:
        """``W[rows, cols] += delta`` then clip that block to ``[0, max_weight]``."""
        m = self.weights.matrix
        block = m[rows, cols] + delta
        np.clip(block, 0.0, self.weights.max_weight, out=block)
        m[rows, cols] = block

    def _traces(self, fired: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Decay the traces; return the indices of pre and post spikes."""
        self.pre_trace *= math.exp(-1.0 / self._tau_plus)
        self.post_trace *= math.exp(-1.0 / self._tau_minus)
        self._steps += 1
        if self._steps % 512 == 0:  # keep decayed traces out of the slow subnormal range
            for trace in (self.pre_trace, self.post_trace):
                np.putmask(trace, np.abs(trace) < 1e-200, 0.0)
        return fired.nonzero()[0], fired[self._n_inputs :].nonzero()[0]

    def _bump(self, pre_idx: np.ndarray, post_idx: np.ndarray) -> None:
        self.pre_trace[pre_idx] += self._A_plus
        self.post_trace[post_idx] += self._A_minus

    def update(self, fired: np.ndarray, polarities: np.ndarray) -> None:
        """Apply this step's STDP weight changes."""
        if getattr(self.weights, "sparse", False):
            return ltp_update(self, fired, polarities)
        pre_idx, post_idx = self._traces(fired)
        if pre_idx.size:
            gain = self._signed_mask(polarities)
            lr = self._learning_rate
            if post_idx.size:
                delta = lr * self.pre_trace[:, None] * gain[:, post_idx]
                self._add_clipped(slice(None), post_idx, delta)
            delta = lr * self.post_trace[None, :] * gain[pre_idx]
            self._add_clipped(pre_idx, slice(None), delta)
        self._bump(pre_idx, post_idx)

    #: The Python step methods that :meth:`_numba_kernel` stands in for on the compiled engine.
    KERNEL_REPLACES = Synapse.KERNEL_REPLACES + ("_traces", "_bump", "_add_clipped", "_signed_mask")

    def _ltp_kernel_data(self, network: Any) -> tuple[tuple, tuple, Any]:
        """Parameters, state and ``finish`` shared by the LTP-family kernels."""
        if self.pre_trace is None:
            self.reset()
        self._signed_mask(network.polarities)
        matrix, signs = self._weights_kernel_data()
        steps = np.array([self._steps], dtype=np.int64)

        def finish() -> None:
            self._steps = int(steps[0])

        params = (
            int(self._n_inputs),
            math.exp(-1.0 / self._tau_plus),
            math.exp(-1.0 / self._tau_minus),
            float(self._A_plus),
            float(self._A_minus),
            float(self._learning_rate),
            float(self.weights.max_weight),
        )
        pre = checked(self, "pre_trace", (self.n_pre,))
        post = checked(self, "post_trace", (self._n_neurons,))
        gain = checked(self, "_gain", matrix.shape)
        return params, (matrix, signs, pre, post, gain, steps), finish

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """:func:`dense_propagate` and :func:`ltp_learn` (sparse weights:
        :func:`~spikey.snn.synapse.sparse.ltp_kernel`)."""
        if getattr(self.weights, "sparse", False):
            return ltp_kernel(self)
        params, st, finish = self._ltp_kernel_data(network)
        return PartKernel(
            {"propagate": dense_propagate, "learn": ltp_learn, "reward": noop_reward},
            params=params,
            state=st,
            finish=finish,
        )


# ---------------------------------------------------------------------- kernels
# P: 0 n_inputs, 1 pre decay, 2 post decay, 3 A_plus, 4 A_minus, 5 learning_rate, 6 max_weight
# S: 0 matrix, 1 signs, 2 pre_trace, 3 post_trace, 4 gain, 5 steps (1,)


@helper
def ltp_traces(P, S):  # noqa: N803 - kernel signature
    """Decay both traces one step (``LTP._traces``, without the spike indices)."""
    cp, cm = P[1], P[2]
    pre, post, steps = S[2], S[3], S[5]
    for i in range(pre.shape[0]):
        pre[i] *= cp
    for j in range(post.shape[0]):
        post[j] *= cm
    steps[0] += 1
    if steps[0] % 512 == 0:  # keep decayed traces out of the slow subnormal range
        for i in range(pre.shape[0]):
            if abs(pre[i]) < 1e-200:
                pre[i] = 0.0
        for j in range(post.shape[0]):
            if abs(post[j]) < 1e-200:
                post[j] = 0.0


@helper
def ltp_bump(P, S, fired):  # noqa: N803 - kernel signature
    """Add this step's spikes to the traces (``LTP._bump``)."""
    n_in, a_plus, a_minus = P[0], P[3], P[4]
    pre, post = S[2], S[3]
    for i in range(pre.shape[0]):
        if fired[i]:
            pre[i] += a_plus
    for j in range(post.shape[0]):
        if fired[n_in + j]:
            post[j] += a_minus


@helper
def _clip(v, wmax):  # noqa: N803 - kernel signature
    """``v`` clipped to ``[0, wmax]``."""
    if v < 0.0:
        return 0.0
    if v > wmax:
        return wmax
    return v


@kernel
def ltp_learn(P, S, fired, polarities):  # noqa: N803 - kernel signature
    """One step of :meth:`LTP.update`: columns of post spikes, then rows of pre spikes."""
    n_in, lr, wmax = P[0], P[5], P[6]
    m, pre, post, gain = S[0], S[2], S[3], S[4]
    n_pre, n_post = m.shape
    ltp_traces(P, S)
    any_pre = False
    for i in range(n_pre):
        if fired[i]:
            any_pre = True
            break
    if any_pre:
        for j in range(n_post):
            if fired[n_in + j]:
                for i in range(n_pre):
                    m[i, j] = _clip(m[i, j] + (lr * pre[i]) * gain[i, j], wmax)
        for i in range(n_pre):
            if fired[i]:
                for j in range(n_post):
                    m[i, j] = _clip(m[i, j] + (lr * post[j]) * gain[i, j], wmax)
    ltp_bump(P, S, fired)
