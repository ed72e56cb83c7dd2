"""Reward-modulated STDP of Florian (2007): MSTDP and MSTDPET, and Spikey's RLSTDP."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from spikey.module import Interval, Key
from spikey.snn.engine.kernel import PartKernel, checked, kernel
from spikey.snn.synapse.ltp import LTP, _clip, ltp_bump, ltp_traces
from spikey.snn.synapse.template import dense_propagate

__all__ = ["MSTDP", "MSTDPET", "RLSTDP", "RLSTDPET"]

#: Eligibility magnitudes below this are set to 0 (far below any effect on weights).
_TINY = 1e-200
#: Above this many synapses, buffered spikes are folded in with sparse products.
_SPARSE_FLUSH = 40_000


class MSTDP(LTP):
    """Modulated STDP without eligibility trace (Florian 2007, MSTDP).

    The STDP term :math:`\\zeta_{ij}(t)` of :class:`LTP` is not applied by itself;
    a reward :math:`r` given at the same step changes the weights as

    .. math:: \\Delta w_{ij} = \\eta \\, r \\, p_i \\, \\zeta_{ij}(t),

    clipped to ``[0, max_weight]``. A reward only acts on the spikes of the step it
    follows, so use it with a network that rewards every step
    (:class:`~spikey.snn.network.ActiveRLNetwork`).

    References
    ----------
    R. V. Florian, "Reinforcement learning through modulation of spike-timing-dependent
    synaptic plasticity", Neural Computation 19(6):1468-1502, 2007.
    """

    STATE = LTP.STATE + ("_last_pre", "_last_post", "_last_P_plus", "_last_P_minus")

    def reset(self) -> None:
        """Zero the traces and forget the last STDP term."""
        super().reset()
        self._last_pre = self._last_post = np.zeros(0, dtype=np.int64)
        self._last_P_plus = self._last_P_minus = None

    def update(self, fired: np.ndarray, polarities: np.ndarray) -> None:
        """Compute this step's STDP term (no weight change without reward)."""
        pre_idx, post_idx = self._traces(fired)
        self._signed_mask(polarities)
        self._last_pre, self._last_post = pre_idx, post_idx
        self._last_P_plus = self.pre_trace.copy() if post_idx.size else None
        self._last_P_minus = self.post_trace.copy() if pre_idx.size else None
        self._bump(pre_idx, post_idx)

    def reward(self, rwd: float) -> None:
        """Apply :math:`\\eta r \\zeta` for the last step's spikes."""
        if not self.training or not rwd or self._gain is None:
            return
        scale = self._learning_rate * float(rwd)
        gain = self._gain
        if self._last_P_plus is not None:
            cols = self._last_post
            self._add_clipped(slice(None), cols, scale * self._last_P_plus[:, None] * gain[:, cols])
        if self._last_P_minus is not None:
            rows = self._last_pre
            self._add_clipped(rows, slice(None), scale * self._last_P_minus[None, :] * gain[rows])

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """:func:`dense_propagate`, :func:`mstdp_learn` and :func:`mstdp_reward`.

        The last step's spikes and traces live in fixed-size arrays during the tick and
        are written back to ``_last_pre``, ``_last_post``, ``_last_P_plus`` and
        ``_last_P_minus`` afterwards (a reward given after the tick reads them).
        """
        params, st, finish_ltp = self._ltp_kernel_data(network)
        n_pre, n = self.n_pre, self._n_neurons
        last_pre = np.zeros(n_pre, dtype=np.int64)
        last_post = np.zeros(n, dtype=np.int64)
        counts = np.array([self._last_pre.size, self._last_post.size], dtype=np.int64)
        last_pre[: counts[0]] = self._last_pre
        last_post[: counts[1]] = self._last_post
        p_plus, p_minus = np.zeros(n_pre), np.zeros(n)
        have = np.array([self._last_P_plus is not None, self._last_P_minus is not None])
        if have[0]:
            p_plus[:] = self._last_P_plus
        if have[1]:
            p_minus[:] = self._last_P_minus

        def finish() -> None:
            finish_ltp()
            self._last_pre = last_pre[: counts[0]].copy()
            self._last_post = last_post[: counts[1]].copy()
            self._last_P_plus = p_plus.copy() if have[0] else None
            self._last_P_minus = p_minus.copy() if have[1] else None

        return PartKernel(
            {"propagate": dense_propagate, "learn": mstdp_learn, "reward": mstdp_reward},
            params=params,
            state=st + (last_pre, last_post, counts, p_plus, p_minus, have),
            finish=finish,
        )


class _EligibilitySTDP(LTP):
    """STDP accumulated in a per-synapse eligibility trace, turned into weight
    change by reward. Subclasses set the trace's decay and gain in ``_z_params``.

    Spikes are buffered and folded into the traces in one exact batched pass when a
    reward arrives, when the eligibility is read, or when the buffer is full: the
    result equals stepping the recursions one step at a time (to rounding), at a
    fraction of the cost.
    """

    STATE = LTP.STATE + ("_z", "_buf", "_n_buf")
    #: State that holds no information once flushed (rows past ``_n_buf``): engine
    #: comparisons skip it.
    ENGINE_SCRATCH = ("_buf",)
    #: Largest number of buffered steps (also bounded by the trace time constants).
    MAX_BUFFER = 256

    def _z_params(self) -> tuple[float, float]:
        """(decay factor per step, gain of the STDP term)."""
        raise NotImplementedError

    def reset(self) -> None:
        """Zero the traces and the eligibility."""
        super().reset()
        self._z = np.zeros((self.n_pre, self._n_neurons))
        # cp**-b must stay far from overflow in the batched trace recursion
        tau = min(self._tau_plus, self._tau_minus)
        size = max(1, min(self.MAX_BUFFER, int(300 * tau)))
        self._buf = np.zeros((size, self.n_pre), dtype=bool)
        self._n_buf = 0

    @property
    def eligibility(self) -> np.ndarray:
        """The eligibility trace :math:`z`, shape (n_inputs + n_neurons, n_neurons)."""
        self._flush()
        return self._z

    def update(self, fired: np.ndarray, polarities: np.ndarray) -> None:
        """Record this step's spikes (folded into the eligibility lazily)."""
        if self._gain is None or polarities is not self._pol:
            self._signed_mask(polarities)
        self._buf[self._n_buf] = fired
        self._n_buf += 1
        if self._n_buf == len(self._buf):
            self._flush()

    @staticmethod
    def _filtered(x: np.ndarray, c: float, p0: np.ndarray, amp: float) -> np.ndarray:
        """Trace values used at each buffered step (after decay, before the bump).

        ``P(s) = c**(s+1) p0 + amp * sum_{u<s} c**(s-u) x(u)``, for ``s < len(x)``.
        """
        b = len(x)
        s = np.arange(b, dtype=float)
        up = c**s  # c**s
        down = c**-s  # c**-s; b is bounded so that this stays finite
        inclusive = np.cumsum(down[:, None] * x, axis=0)
        return (c * up)[:, None] * p0[None, :] + amp * (up[:, None] * inclusive - x)

    def _flush(self) -> None:
        """Fold the buffered steps into the traces and the eligibility."""
        b = self._n_buf
        if b == 0:
            return
        x = self._buf[:b].astype(float)
        xq = x[:, self._n_inputs :]
        cp = math.exp(-1.0 / self._tau_plus)
        cm = math.exp(-1.0 / self._tau_minus)
        p_used = self._filtered(x, cp, self.pre_trace, self._A_plus)
        q_used = self._filtered(xq, cm, self.post_trace, self._A_minus)
        decay, gain = self._z_params()
        w = gain * decay ** np.arange(b - 1, -1, -1, dtype=float)
        self._z *= decay**b
        if decay**b < 1e-3:  # keep long-decayed traces out of the slow subnormal range
            np.putmask(self._z, np.abs(self._z) < _TINY, 0.0)
        if self._z.size > _SPARSE_FLUSH:  # large network: spikes are sparse in the buffer
            from scipy import sparse

            self._z += np.asarray((p_used * w[:, None]).T @ sparse.csr_matrix(xq))
            self._z += np.asarray(sparse.csr_matrix(x * w[:, None]).T @ q_used)
        else:
            self._z += (p_used * w[:, None]).T @ xq
            self._z += (x * w[:, None]).T @ q_used
        self.pre_trace = p_used[-1] + self._A_plus * x[-1]
        self.post_trace = q_used[-1] + self._A_minus * xq[-1]
        self._n_buf = 0

    def reward(self, rwd: float) -> None:
        """Apply :math:`\\eta r p_i z_{ij}` to all synapses."""
        if not self.training or not rwd or self._gain is None:
            return
        self._flush()
        m = self.weights.matrix
        delta = self._z * self._gain
        delta *= self._learning_rate * float(rwd)
        m += delta
        np.clip(m, 0.0, self.weights.max_weight, out=m)


    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """:func:`eligibility_learn` / :func:`eligibility_reward` on this synapse's state.

        The buffered steps are folded in first; the kernel then steps the recursions
        one step at a time, keeping :math:`z` as ``z_scaled * scale`` so that a step
        without spikes costs no pass over the synapses.
        """
        self._flush()
        if self._gain is None or network.polarities is not self._pol:
            self._signed_mask(network.polarities)
        decay, gain = self._z_params()
        scale = np.ones(1)
        shape = (self.n_pre, self._n_neurons)
        z = checked(self, "_z", shape)
        pre = checked(self, "pre_trace", (self.n_pre,))
        post = checked(self, "post_trace", (self._n_neurons,))
        gain_ij = checked(self, "_gain", shape)

        def finish() -> None:
            np.multiply(z, scale[0], out=z)
            scale[0] = 1.0

        matrix, signs = self._weights_kernel_data()
        return PartKernel(
            {"propagate": dense_propagate, "learn": eligibility_learn, "reward": eligibility_reward},
            params=(
                int(self._n_inputs),
                math.exp(-1.0 / self._tau_plus),
                math.exp(-1.0 / self._tau_minus),
                float(self._A_plus),
                float(self._A_minus),
                float(decay),
                float(gain),
                float(self._learning_rate),
                float(self.weights.max_weight),
            ),
            state=(matrix, signs, pre, post, z, gain_ij, scale),
            finish=finish,
        )


class MSTDPET(_EligibilitySTDP):
    """Modulated STDP with eligibility trace (Florian 2007, MSTDPET).

    Each synapse keeps an eligibility trace

    .. math:: z_{ij} \\leftarrow z_{ij} \\, e^{-1/\\tau_z} + \\zeta_{ij} / \\tau_z

    (:math:`\\zeta` as in :class:`LTP`), and a reward :math:`r` changes the weights as
    :math:`\\Delta w_{ij} = \\eta \\, r \\, p_i \\, z_{ij}`, clipped to
    ``[0, max_weight]``. Without reward the weights never change.

    Spikes are buffered and folded into :math:`z` in exact batched passes, so a step
    costs one row copy; a reward costs one pass over the weights.

    References
    ----------
    R. V. Florian, "Reinforcement learning through modulation of spike-timing-dependent
    synaptic plasticity", Neural Computation 19(6):1468-1502, 2007.
    """

    NECESSARY_KEYS = LTP.extend_keys(
        [
            Key(
                "tau_z",
                "Decay time of the eligibility trace.",
                float,
                25.0,
                constraint=Interval(0, None, low_closed=False),
                units="ms",
            )
        ]
    )

    def _z_params(self) -> tuple[float, float]:
        """(decay factor per step, gain of the STDP term)."""
        return math.exp(-1.0 / self._tau_z), 1.0 / self._tau_z


def _stdp_window_key() -> Key:
    return Key(
        "stdp_window",
        "The original Spikey's STDP window: when given, tau_plus = tau_minus = stdp_window.",
        float,
        None,
        constraint=Interval(0, None, low_closed=False),
        units="ms",
    )


def _trace_decay_key(default: float | None, description: str) -> Key:
    return Key("trace_decay", description, float, default, constraint=Interval(0, 1, high_closed=False))


class _SpikeyKeys:
    """The original Spikey's synapse keys, mapped onto the trace time constants.

    ``stdp_window`` (steps) sets both STDP time constants, ``tau_plus = tau_minus =
    stdp_window``: the window of the original Spikey (linear, ``stdp_window`` steps
    wide) becomes an exponential window of that time constant.
    """

    def _apply_stdp_window(self) -> None:
        window = getattr(self, "_stdp_window", None)
        if window is not None:
            self._tau_plus = self._tau_minus = float(window)

    def _params_changed(self, names: set[str]) -> None:
        parent = getattr(super(), "_params_changed", None)
        if callable(parent):
            parent(names)
        if "stdp_window" in names:
            self._apply_stdp_window()


class RLSTDP(_SpikeyKeys, _EligibilitySTDP):
    """Spikey's reward-modulated STDP: an STDP trace decaying by ``trace_decay``.

    As :class:`MSTDPET` with :math:`z \\leftarrow (1 - \\text{trace\\_decay}) z +
    \\zeta`; a reward applies :math:`\\eta r p_i z_{ij}`. The original Spikey's
    ``stdp_window`` (steps) sets ``tau_plus = tau_minus``.
    """

    NECESSARY_KEYS = LTP.extend_keys(
        [
            _trace_decay_key(0.04, "Fraction of the STDP trace lost each step."),
            _stdp_window_key(),
        ]
    )

    def __init__(self, w: Any, **kwargs: Any):
        super().__init__(w, **kwargs)
        self._apply_stdp_window()

    def _z_params(self) -> tuple[float, float]:
        return 1.0 - self._trace_decay, 1.0


class RLSTDPET(_SpikeyKeys, MSTDPET):
    """The original Spikey's ``RLSTDPET``: :class:`MSTDPET` with its keys.

    - ``stdp_window`` (steps): ``tau_plus = tau_minus = stdp_window``;
    - ``trace_decay``: fraction of the eligibility trace lost per step,
      :math:`z \\leftarrow (1 - d) z + d \\, \\zeta` (``d = 1 - e^{-1/\\tau_z}``
      gives MSTDPET with :math:`\\tau_z`, e.g. ``0.04`` is close to ``tau_z = 25``).

    Without them (both None) it is exactly :class:`MSTDPET` with ``tau_plus``,
    ``tau_minus`` and ``tau_z``. Florian's (2007) settings in the original's keys are
    ``stdp_window=20, trace_decay=0.04``.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.weight import Manual
    >>> from spikey.snn.synapse import RLSTDPET
    >>> w = Manual(n_inputs=1, n_neurons=2, max_weight=1.0, matrix=np.full((3, 2), 0.5))
    >>> s = RLSTDPET(w, n_inputs=1, n_neurons=2, learning_rate=0.1, stdp_window=10, trace_decay=0.04)
    >>> s._tau_plus, s._tau_minus
    (10.0, 10.0)
    """

    NECESSARY_KEYS = MSTDPET.extend_keys(
        [
            _trace_decay_key(
                None,
                "The original Spikey's trace decay: fraction of the eligibility trace lost per "
                "step (None: use tau_z).",
            ),
            _stdp_window_key(),
        ]
    )

    def __init__(self, w: Any, **kwargs: Any):
        super().__init__(w, **kwargs)
        self._apply_stdp_window()

    def _z_params(self) -> tuple[float, float]:
        """(decay factor per step, gain of the STDP term)."""
        d = self._trace_decay
        if d is None:
            return super()._z_params()
        return 1.0 - d, d


# ---------------------------------------------------------------------- kernels
# The compiled engine's MSTDPET / RLSTDP: the recursions of _EligibilitySTDP._flush
# stepped one network step at a time, with z = S[4] * S[6][0].


@kernel
def eligibility_learn(P, S, fired, polarities):  # noqa: N803 - kernel signature
    """One step of the traces and the eligibility (``_EligibilitySTDP.update``)."""
    n_in, cp, cm, a_plus, a_minus, decay, gain = P[0], P[1], P[2], P[3], P[4], P[5], P[6]
    pre, post, zs, scale = S[2], S[3], S[4], S[6]
    n_pre, n_post = zs.shape
    for i in range(n_pre):
        pre[i] *= cp
    for j in range(n_post):
        post[j] *= cm
    scale[0] *= decay
    inc = gain / scale[0]
    for j in range(n_post):
        if fired[n_in + j]:
            for i in range(n_pre):
                zs[i, j] += inc * pre[i]
    for i in range(n_pre):
        if fired[i]:
            for j in range(n_post):
                zs[i, j] += inc * post[j]
            pre[i] += a_plus
    for j in range(n_post):
        if fired[n_in + j]:
            post[j] += a_minus
    if scale[0] < 1e-100:  # fold the scale in before it underflows
        sc = scale[0]
        for i in range(n_pre):
            for j in range(n_post):
                v = zs[i, j] * sc
                zs[i, j] = v if abs(v) >= 1e-200 else 0.0
        scale[0] = 1.0


@kernel
def eligibility_reward(P, S, r):  # noqa: N803 - kernel signature
    """``W += eta r p_i z_ij``, clipped to ``[0, max_weight]`` (``_EligibilitySTDP.reward``)."""
    lr, wmax = P[7], P[8]
    m, zs, g, scale = S[0], S[4], S[5], S[6]
    f = lr * r
    sc = scale[0]
    n_pre, n_post = m.shape
    for i in range(n_pre):
        for j in range(n_post):
            v = m[i, j] + (zs[i, j] * sc) * g[i, j] * f
            if v < 0.0:
                v = 0.0
            elif v > wmax:
                v = wmax
            m[i, j] = v



# The compiled engine's MSTDP (P and S[:6] as LTP's kernels; S[6:] the last step's
# pre / post spike indices, their counts, the traces P+ / P- and whether each is set).


@kernel
def mstdp_learn(P, S, fired, polarities):  # noqa: N803 - kernel signature
    """One step of :meth:`MSTDP.update`: remember the step's STDP term, bump the traces."""
    n_in = P[0]
    pre, post = S[2], S[3]
    last_pre, last_post, counts, p_plus, p_minus, have = S[6], S[7], S[8], S[9], S[10], S[11]
    ltp_traces(P, S)
    k = 0
    for i in range(pre.shape[0]):
        if fired[i]:
            last_pre[k] = i
            k += 1
    counts[0] = k
    q = 0
    for j in range(post.shape[0]):
        if fired[n_in + j]:
            last_post[q] = j
            q += 1
    counts[1] = q
    have[0] = q > 0
    if q > 0:
        for i in range(pre.shape[0]):
            p_plus[i] = pre[i]
    have[1] = k > 0
    if k > 0:
        for j in range(post.shape[0]):
            p_minus[j] = post[j]
    ltp_bump(P, S, fired)


@kernel
def mstdp_reward(P, S, r):  # noqa: N803 - kernel signature
    """:meth:`MSTDP.reward`: ``eta r p_i zeta_ij`` on the last step's columns, then rows."""
    lr, wmax = P[5], P[6]
    m, gain = S[0], S[4]
    last_pre, last_post, counts, p_plus, p_minus, have = S[6], S[7], S[8], S[9], S[10], S[11]
    scale = lr * r
    n_pre, n_post = m.shape
    if have[0]:
        for c in range(counts[1]):
            j = last_post[c]
            for i in range(n_pre):
                m[i, j] = _clip(m[i, j] + (scale * p_plus[i]) * gain[i, j], wmax)
    if have[1]:
        for c in range(counts[0]):
            i = last_pre[c]
            for j in range(n_post):
                m[i, j] = _clip(m[i, j] + (scale * p_minus[j]) * gain[i, j], wmax)
