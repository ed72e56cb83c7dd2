"""Dopamine-modulated STDP with eligibility traces (Izhikevich 2007, distal reward)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from spikey.module import Interval, Key, OneOf
from spikey.snn.engine.kernel import PartKernel, checked, kernel
from spikey.snn.synapse.ltp import _clip
from spikey.snn.synapse.static import PLASTIC_CHOICES, StaticSynapse, plastic_gain, static_propagate

__all__ = ["DASTDP"]

_POS = Interval(0, None, low_closed=False)
#: Rescale the lazily decayed eligibility before its scale factor gets this small.
_MIN_SCALE = 1e-100


class DASTDP(StaticSynapse):
    """STDP tagged into slow eligibility traces, turned into weight change by dopamine.

    Each synapse keeps an eligibility trace :math:`c_{ij}` and the network one
    extracellular dopamine concentration :math:`d`:

    .. math::

        \\dot c_{ij} &= -c_{ij} / \\tau_c + \\mathrm{STDP}_{ij}(t), \\\\
        \\dot d &= -d / \\tau_d + \\text{reward}(t), \\\\
        \\Delta w_{ij} &= \\eta \\, (d_0 + d) \\, c_{ij} \\quad \\text{every ``update_every`` steps},

    weights clipped to ``[0, max_weight]``. :math:`\\mathrm{STDP}_{ij}` is pair-based
    STDP with exponential traces (as :class:`~spikey.snn.synapse.LTP`): a post spike adds
    :math:`A_+ P^+_i` (presynaptic trace, +1 per pre spike, time constant
    :math:`\\tau_+`), a pre spike adds :math:`A_- P^-_j` (postsynaptic trace,
    :math:`\\tau_-`); traces are read before this step's increments. :meth:`reward`
    adds its argument to :math:`d` (a dopamine release, e.g. 0.5).

    Only the synapses selected by ``plastic`` learn (default: those from excitatory
    neurons, as in the paper); a magnitude moves by :math:`p_i \\sigma_{ij}` times the
    change (see :func:`~spikey.snn.synapse.static.plastic_gain`). Transmission
    (delays, kernels, failures) is that of :class:`StaticSynapse`.

    The defaults are the paper's: :math:`A_+ = 0.1`, :math:`A_- = -0.15` (LTD 1.5 times
    LTP), :math:`\\tau_\\pm = 20` ms, :math:`\\tau_c = 1` s, :math:`\\tau_d = 200` ms,
    :math:`d_0 = 0.002`, weight updates every 10 ms; use ``max_weight = 4``.

    Notes
    -----
    Traces decay by :math:`e^{-dt/\\tau}` per step. The eligibility decays lazily
    (one scale factor for the whole matrix), so a step costs work in proportion to the
    spikes, plus one pass over the plastic weights every ``update_every`` steps.
    STDP timing uses firing times (not arrival times after ``delays``).

    References
    ----------
    E. M. Izhikevich, "Solving the distal reward problem through linkage of STDP
    and dopamine signaling", Cerebral Cortex 17(10):2443-2452, 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.weight import Manual
    >>> from spikey.snn.synapse import DASTDP
    >>> w = Manual(n_inputs=1, n_neurons=1, max_weight=4.0, matrix=np.array([[1.0], [0.0]]))
    >>> syn = DASTDP(w, n_inputs=1, n_neurons=1, seed=0)
    >>> syn.reset()
    >>> pol = np.ones(2)
    >>> for t in range(20):  # pre (input 0) at t=0, post (neuron 0) at t=5
    ...     syn.update(np.array([t == 0, t == 5]), pol)
    >>> bool(syn.eligibility[0, 0] > 0)
    True
    >>> syn.reward(0.5)
    >>> for t in range(200):
    ...     syn.update(np.zeros(2, dtype=bool), pol)
    >>> bool(w.matrix[0, 0] > 1.0)
    True
    """

    STATE = StaticSynapse.STATE + (
        "pre_trace",
        "post_trace",
        "_c",
        "_c_scale",
        "dopamine",
        "_steps",
        "_pol",
        "_gain",
    )

    NECESSARY_KEYS = StaticSynapse.extend_keys(
        [
            Key(
                "learning_rate",
                "Scale eta of the weight change (d0 + d) c.",
                float,
                default=1.0,
                constraint=Interval(0, None),
            ),
            Key(
                "tau_plus",
                "Decay time of the presynaptic STDP trace.",
                float,
                20.0,
                constraint=_POS,
                units="ms",
            ),
            Key(
                "tau_minus",
                "Decay time of the postsynaptic STDP trace.",
                float,
                20.0,
                constraint=_POS,
                units="ms",
            ),
            Key(
                "A_plus",
                "Eligibility added per pre-before-post pairing.",
                float,
                0.1,
                constraint=Interval(0, None),
            ),
            Key(
                "A_minus",
                "Eligibility added per post-before-pre pairing (<= 0).",
                float,
                -0.15,
                constraint=Interval(None, 0),
            ),
            Key("tau_c", "Decay time of the eligibility trace.", float, 1000.0, constraint=_POS, units="ms"),
            Key("tau_d", "Decay time of dopamine.", float, 200.0, constraint=_POS, units="ms"),
            Key("da_baseline", "Tonic dopamine d0 added to d.", float, 0.002, constraint=Interval(0, None)),
            Key(
                "update_every",
                "Steps between weight updates.",
                int,
                default=10,
                constraint=Interval(1, None),
                units="steps",
            ),
            Key(
                "plastic",
                "Synapses that learn: 'excitatory' (from excitatory neurons), 'inputs' or 'all'.",
                str,
                default="excitatory",
                constraint=OneOf(*PLASTIC_CHOICES),
            ),
        ]
    )

    def __init__(self, w: Any, **kwargs: Any):
        super().__init__(w, **kwargs)
        self.pre_trace = self.post_trace = self._c = None
        self._c_scale, self.dopamine, self._steps = 1.0, 0.0, 0
        self._pol = self._gain = None

    def reset(self) -> None:
        """Zero traces, eligibility and dopamine (weights are kept)."""
        super().reset()
        n_pre, n = self.n_pre, self._n_neurons
        self.pre_trace = np.zeros(n_pre)
        self.post_trace = np.zeros(n)
        self._c = np.zeros((n_pre, n))
        self._c_scale = 1.0
        self.dopamine = 0.0
        self._steps = 0

    @property
    def eligibility(self) -> np.ndarray:
        """The eligibility traces :math:`c`, shape (n_inputs + n_neurons, n_neurons)."""
        return self._c * self._c_scale

    def _gain_for(self, polarities: np.ndarray) -> np.ndarray:
        if polarities is not self._pol or self._gain is None:
            self._gain = plastic_gain(self.weights, polarities, self._n_inputs, self._plastic)
            self._pol = polarities
        return self._gain

    def update(self, fired: np.ndarray, polarities: np.ndarray) -> None:
        """One step of STDP tagging, decays and (every ``update_every`` steps) learning."""
        dt = self._dt
        gain = self._gain_for(polarities)
        self.pre_trace *= math.exp(-dt / self._tau_plus)
        self.post_trace *= math.exp(-dt / self._tau_minus)
        pre_idx = fired.nonzero()[0]
        post_idx = fired[self._n_inputs :].nonzero()[0]
        inv = 1.0 / self._c_scale
        c = self._c
        if post_idx.size:
            c[:, post_idx] += (self._A_plus * inv) * self.pre_trace[:, None] * gain[:, post_idx]
        if pre_idx.size:
            c[pre_idx] += (self._A_minus * inv) * self.post_trace[None, :] * gain[pre_idx]
        self.pre_trace[pre_idx] += 1.0
        self.post_trace[post_idx] += 1.0
        self._c_scale *= math.exp(-dt / self._tau_c)
        self.dopamine *= math.exp(-dt / self._tau_d)
        self._steps += 1
        if self._steps % self._update_every == 0:
            self._apply()
        if self._c_scale < _MIN_SCALE:
            c *= self._c_scale
            self._c_scale = 1.0
        if self._steps % 512 == 0:  # keep long-decayed traces out of the slow subnormal range
            for trace in (self.pre_trace, self.post_trace):
                np.putmask(trace, trace < 1e-200, 0.0)

    def _apply(self) -> None:
        """``w += eta (d0 + d) c`` on the plastic synapses, clipped."""
        factor = self._learning_rate * (self._da_baseline + self.dopamine) * self._c_scale
        if factor == 0.0:
            return
        m = self.weights.matrix
        m += factor * self._c
        np.clip(m, 0.0, self.weights.max_weight, out=m)

    def reward(self, rwd: float) -> None:
        """Release dopamine: ``d += rwd`` (ignored while not training)."""
        if self.training:
            self.dopamine += float(rwd)

    #: The Python step methods that :meth:`_numba_kernel` stands in for on the compiled engine.
    KERNEL_REPLACES = StaticSynapse.KERNEL_REPLACES + ("_apply", "_gain_for")

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """:func:`~spikey.snn.synapse.static.static_propagate`, :func:`dastdp_learn` and
        :func:`dastdp_reward`."""
        if self._c is None:
            self.reset()
        params, st, chunk, finish_static = self._static_kernel_data(n_steps)
        gain = self._gain_for(network.polarities)
        n_pre, n = self.n_pre, self._n_neurons
        dt = self._dt
        params = params + (
            math.exp(-dt / self._tau_plus),
            math.exp(-dt / self._tau_minus),
            float(self._A_plus),
            float(self._A_minus),
            math.exp(-dt / self._tau_c),
            math.exp(-dt / self._tau_d),
            float(self._learning_rate),
            float(self._da_baseline),
            int(self._update_every),
            float(self.weights.max_weight),
        )
        scalars = np.array([self._c_scale, self.dopamine])
        steps = np.array([self._steps], dtype=np.int64)

        def finish() -> None:
            finish_static()
            self._c_scale, self.dopamine = float(scalars[0]), float(scalars[1])
            self._steps = int(steps[0])

        return PartKernel(
            {"propagate": static_propagate, "learn": dastdp_learn, "reward": dastdp_reward},
            params=params,
            state=st
            + (
                checked(self, "pre_trace", (n_pre,)),
                checked(self, "post_trace", (n,)),
                checked(self, "_c", (n_pre, n)),
                checked(self, "_gain", (n_pre, n), value=gain),
                scalars,
                steps,
            ),
            random=chunk,
            finish=finish,
        )


# ---------------------------------------------------------------------- kernels
# P: StaticSynapse's (0-18), then 19 pre decay, 20 post decay, 21 A_plus, 22 A_minus,
#    23 eligibility decay, 24 dopamine decay, 25 learning_rate, 26 da_baseline,
#    27 update_every, 28 max_weight.
# S: StaticSynapse's (0-17), then 18 pre_trace, 19 post_trace, 20 c (scaled),
#    21 gain, 22 [c_scale, dopamine], 23 [steps].


@kernel
def dastdp_learn(P, S, fired, polarities):  # noqa: N803 - kernel signature
    """One step of :meth:`DASTDP.update` (tagging, decays, every ``update_every`` steps the weights)."""
    n_in = P[0]
    cp, cm, a_plus, a_minus, c_decay, d_decay = P[19], P[20], P[21], P[22], P[23], P[24]
    lr, d0, every, wmax = P[25], P[26], P[27], P[28]
    m, pre, post, c, gain, scalars, steps = S[0], S[18], S[19], S[20], S[21], S[22], S[23]
    n_pre, n_post = c.shape
    for i in range(n_pre):
        pre[i] *= cp
    for j in range(n_post):
        post[j] *= cm
    inv = 1.0 / scalars[0]
    up = a_plus * inv
    for j in range(n_post):
        if fired[n_in + j]:
            for i in range(n_pre):
                c[i, j] += (up * pre[i]) * gain[i, j]
    down = a_minus * inv
    for i in range(n_pre):
        if fired[i]:
            for j in range(n_post):
                c[i, j] += (down * post[j]) * gain[i, j]
    for i in range(n_pre):
        if fired[i]:
            pre[i] += 1.0
    for j in range(n_post):
        if fired[n_in + j]:
            post[j] += 1.0
    scalars[0] *= c_decay
    scalars[1] *= d_decay
    steps[0] += 1
    if steps[0] % every == 0:
        factor = lr * (d0 + scalars[1]) * scalars[0]
        if factor != 0.0:
            for i in range(n_pre):
                for j in range(n_post):
                    m[i, j] = _clip(m[i, j] + factor * c[i, j], wmax)
    if scalars[0] < _MIN_SCALE:
        sc = scalars[0]
        for i in range(n_pre):
            for j in range(n_post):
                c[i, j] *= sc
        scalars[0] = 1.0
    if steps[0] % 512 == 0:  # keep long-decayed traces out of the slow subnormal range
        for i in range(n_pre):
            if pre[i] < 1e-200:
                pre[i] = 0.0
        for j in range(n_post):
            if post[j] < 1e-200:
                post[j] = 0.0


@kernel
def dastdp_reward(P, S, r):  # noqa: N803 - kernel signature
    """:meth:`DASTDP.reward`: a dopamine release ``d += r``."""
    S[22][1] += r
