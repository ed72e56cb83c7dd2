"""Unsupervised STDP of Diehl & Cook (2015), as coded for their MNIST network."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from spikey.module import Interval, Key, OneOf
from spikey.snn.engine.kernel import PartKernel, checked, kernel, noop_reward
from spikey.snn.synapse.ltp import _clip
from spikey.snn.synapse.static import PLASTIC_CHOICES, StaticSynapse, plastic_gain, static_propagate

__all__ = ["DiehlCook"]

_POS = Interval(0, None, low_closed=False)


class DiehlCook(StaticSynapse):
    """Nearest-spike STDP with one presynaptic and two postsynaptic traces.

    Traces jump to 1 at a spike and decay exponentially: :math:`x_i` (presynaptic,
    ``tau_pre``), :math:`y^1_j` (``tau_post1``) and :math:`y^2_j` (``tau_post2``).

    - At a presynaptic spike of :math:`i`: :math:`w_{ij} \\leftarrow w_{ij} - \\eta\\,
      \\nu_{pre}\\, y^1_j\\, f_-(w_{ij})` for all :math:`j`, then :math:`x_i \\leftarrow 1`.
    - At a postsynaptic spike of :math:`j`: :math:`w_{ij} \\leftarrow w_{ij} + \\eta\\,
      \\nu_{post}\\, x_i\\, y^2_j\\, f_+(w_{ij})` for all :math:`i`, with :math:`y^2_j`
      read *before* this spike, then :math:`y^1_j, y^2_j \\leftarrow 1`.

    Presynaptic updates run before postsynaptic ones within a step, so a pre and a
    post spike at the same step potentiate with :math:`x_i = 1`. Weights are clipped to
    ``[0, max_weight]``. The weight dependence :math:`f_+(w) = (w_{max} - w)^{\\mu}`,
    :math:`f_-(w) = w^{\\mu}` is off with the default :math:`\\mu = 0` (hard bounds,
    as in the published code); :math:`\\mu > 0` gives soft bounds. Only the synapses
    selected by ``plastic`` learn (default: from the input neurons, as in the paper's
    input-to-excitatory connections). Transmission is that of
    :class:`StaticSynapse`: the paper uses conductance-based exponential kernels
    (``conductance=True``, ``kernel_exc='exponential'``, ``tau_exc=1``, ``tau_inh=2``).

    Notes
    -----
    Defaults are the paper's: :math:`\\nu_{pre} = 10^{-4}`, :math:`\\nu_{post} =
    10^{-2}`, :math:`\\tau_{pre} = \\tau_{post1} = 20` ms, :math:`\\tau_{post2} = 40` ms,
    ``max_weight = 1``. Traces decay by :math:`e^{-dt/\\tau}` per step. Work per step is
    proportional to the spikes.

    References
    ----------
    P. U. Diehl and M. Cook, "Unsupervised learning of digit recognition using
    spike-timing-dependent plasticity", Front. Comput. Neurosci. 9:99, 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.weight import Manual
    >>> from spikey.snn.synapse import DiehlCook
    >>> w = Manual(n_inputs=1, n_neurons=1, matrix=np.array([[0.5], [0.0]]))
    >>> syn = DiehlCook(w, n_inputs=1, n_neurons=1, seed=0)
    >>> syn.reset()
    >>> pol = np.ones(2)
    >>> for t in range(12):  # post at 0 (sets y2), pre at 5, post at 10
    ...     syn.update(np.array([t == 5, t in (0, 10)]), pol)
    >>> bool(w.matrix[0, 0] > 0.5)
    True
    """

    STATE = StaticSynapse.STATE + ("pre_trace", "post1", "post2", "_pol", "_gain")

    NECESSARY_KEYS = StaticSynapse.extend_keys(
        [
            Key(
                "learning_rate",
                "Scale eta of both weight changes.",
                float,
                default=1.0,
                constraint=Interval(0, None),
            ),
            Key(
                "nu_pre", "Depression rate at a presynaptic spike.", float, 1e-4, constraint=Interval(0, None)
            ),
            Key(
                "nu_post",
                "Potentiation rate at a postsynaptic spike.",
                float,
                1e-2,
                constraint=Interval(0, None),
            ),
            Key("tau_pre", "Decay time of the presynaptic trace.", float, 20.0, constraint=_POS, units="ms"),
            Key(
                "tau_post1",
                "Decay time of the postsynaptic depression trace.",
                float,
                20.0,
                constraint=_POS,
                units="ms",
            ),
            Key(
                "tau_post2",
                "Decay time of the postsynaptic potentiation trace.",
                float,
                40.0,
                constraint=_POS,
                units="ms",
            ),
            Key(
                "mu", "Exponent of the weight dependence (0: none).", float, 0.0, constraint=Interval(0, None)
            ),
            Key(
                "plastic",
                "Synapses that learn: 'inputs' (from the input neurons), 'excitatory' or 'all'.",
                str,
                default="inputs",
                constraint=OneOf(*PLASTIC_CHOICES),
            ),
        ]
    )

    def __init__(self, w: Any, **kwargs: Any):
        super().__init__(w, **kwargs)
        self.pre_trace = self.post1 = self.post2 = None
        self._pol = self._gain = None

    def reset(self) -> None:
        """Zero the traces (weights are kept)."""
        super().reset()
        self.pre_trace = np.zeros(self.n_pre)
        self.post1 = np.zeros(self._n_neurons)
        self.post2 = np.zeros(self._n_neurons)

    def update(self, fired: np.ndarray, polarities: np.ndarray) -> None:
        """Apply this step's pre- then postsynaptic weight changes."""
        if polarities is not self._pol or self._gain is None:
            self._gain = plastic_gain(self.weights, polarities, self._n_inputs, self._plastic)
            self._pol = polarities
        dt = self._dt
        self.pre_trace *= math.exp(-dt / self._tau_pre)
        self.post1 *= math.exp(-dt / self._tau_post1)
        self.post2 *= math.exp(-dt / self._tau_post2)
        pre_idx = fired.nonzero()[0]
        post_idx = fired[self._n_inputs :].nonzero()[0]
        m = self.weights.matrix
        wmax = self.weights.max_weight
        eta = self._learning_rate
        mu = self._mu
        if pre_idx.size:
            block = m[pre_idx]
            dep = (eta * self._nu_pre) * self.post1[None, :] * self._gain[pre_idx]
            if mu:
                dep = dep * np.power(block, mu)
            block -= dep
            np.clip(block, 0.0, wmax, out=block)
            m[pre_idx] = block
            self.pre_trace[pre_idx] = 1.0
        if post_idx.size:
            block = m[:, post_idx]
            pot = (eta * self._nu_post) * self.pre_trace[:, None] * self.post2[post_idx][None, :]
            pot = pot * self._gain[:, post_idx]
            if mu:
                pot = pot * np.power(np.maximum(wmax - block, 0.0), mu)
            block += pot
            np.clip(block, 0.0, wmax, out=block)
            m[:, post_idx] = block
            self.post1[post_idx] = 1.0
            self.post2[post_idx] = 1.0

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """:func:`~spikey.snn.synapse.static.static_propagate` and :func:`diehl_cook_learn`."""
        if self.pre_trace is None:
            self.reset()
        params, st, chunk, finish = self._static_kernel_data(n_steps)
        polarities = network.polarities
        if polarities is not self._pol or self._gain is None:
            self._gain = plastic_gain(self.weights, polarities, self._n_inputs, self._plastic)
            self._pol = polarities
        dt, eta = self._dt, self._learning_rate
        params = params + (
            math.exp(-dt / self._tau_pre),
            math.exp(-dt / self._tau_post1),
            math.exp(-dt / self._tau_post2),
            float(eta * self._nu_pre),
            float(eta * self._nu_post),
            float(self._mu),
            float(self.weights.max_weight),
        )
        n_pre, n = self.n_pre, self._n_neurons
        st = st + (
            checked(self, "pre_trace", (n_pre,)),
            checked(self, "post1", (n,)),
            checked(self, "post2", (n,)),
            checked(self, "_gain", (n_pre, n)),
        )
        return PartKernel(
            {"propagate": static_propagate, "learn": diehl_cook_learn, "reward": noop_reward},
            params=params,
            state=st,
            random=chunk,
            finish=finish,
        )


# ---------------------------------------------------------------------- kernels
# P: StaticSynapse's (0-18), then 19-21 decays of pre_trace, post1, post2, 22 eta nu_pre,
#    23 eta nu_post, 24 mu, 25 max_weight.
# S: StaticSynapse's (0-17), then 18 pre_trace, 19 post1, 20 post2, 21 gain.


@kernel
def diehl_cook_learn(P, S, fired, polarities):  # noqa: N803 - kernel signature
    """One step of :meth:`DiehlCook.update`: rows of pre spikes, then columns of post spikes."""
    n_in = P[0]
    c_pre, c_post1, c_post2, dep_rate, pot_rate, mu, wmax = P[19], P[20], P[21], P[22], P[23], P[24], P[25]
    m, pre, post1, post2, gain = S[0], S[18], S[19], S[20], S[21]
    n_pre, n_post = m.shape
    for i in range(n_pre):
        pre[i] *= c_pre
    for j in range(n_post):
        post1[j] *= c_post1
        post2[j] *= c_post2
    for i in range(n_pre):
        if fired[i]:
            for j in range(n_post):
                w = m[i, j]
                dep = (dep_rate * post1[j]) * gain[i, j]
                if mu != 0.0:
                    dep = dep * w**mu
                m[i, j] = _clip(w - dep, wmax)
            pre[i] = 1.0
    for j in range(n_post):
        if fired[n_in + j]:
            y2 = post2[j]
            for i in range(n_pre):
                w = m[i, j]
                pot = ((pot_rate * pre[i]) * y2) * gain[i, j]
                if mu != 0.0:
                    room = wmax - w
                    pot = pot * (room if room > 0.0 else 0.0) ** mu
                m[i, j] = _clip(w + pot, wmax)
            post1[j] = 1.0
            post2[j] = 1.0
