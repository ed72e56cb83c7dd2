"""Leaky integrate-and-fire neurons in physical units, current- or conductance-based."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Interval, Key, OneOf
from spikey.snn.engine.kernel import PartKernel, at, helper, kernel, scalar_or_array
from spikey.snn.neuron.izhikevich import _ODENeuron, fired_emit, per_neuron_key

__all__ = ["LIF"]

_POSITIVE = Interval(0, None, low_closed=False)
_NONNEG = Interval(0, None)
_EPS = 1e-9  # ms: tolerance of the refractory timers


class LIF(_ODENeuron):
    """Leaky integrate-and-fire neurons with current or conductance input.

    Each ``neurons += x`` integrates one step of ``dt`` ms, exactly by default (the
    potential relaxes exponentially towards its steady state for the step's input) or
    with a forward Euler step (``integration='euler'``, see Notes):

    - ``input_mode = 'current'``: ``x`` is a current [nA], held over the step;
    - ``input_mode = 'conductance'``: ``x`` is a synaptic input: a positive value is
      added to the excitatory conductance ``g_e``, a negative one (its magnitude) to
      the inhibitory conductance ``g_i``; both are in units of the leak conductance
      and decay with ``tau_ge`` and ``tau_gi`` (as in Diehl & Cook 2015 and the COBA
      benchmark). ``i_ext`` is still a current.

    A neuron whose potential reaches ``firing_threshold + theta`` spikes (reported by
    the next ``neurons()``), is reset to ``v_reset`` and held there for
    ``refractory_period`` ms (rounded up to whole steps); conductances keep integrating
    their input meanwhile. With ``theta_plus > 0`` the threshold adapts: each spike adds
    ``theta_plus`` to the neuron's ``theta``, which decays with ``tau_theta``.

    Parameters
    ----------
    **kwargs
        Values for the keys below (a part ignores keys it does not declare: a network shares one configuration among its parts and warns about a key no part claims). All model parameters may
        be floats or arrays of shape ``(n_neurons,)``.

    Attributes
    ----------
    potentials : ndarray, shape (n_neurons,)
        Membrane potential [mV].
    g_e, g_i : ndarray, shape (n_neurons,)
        Excitatory and inhibitory conductances, in units of the leak conductance
        (conductance mode; zero in current mode).
    theta : ndarray, shape (n_neurons,)
        Adaptive threshold increment [mV]. Learned: kept over :meth:`reset` (see
        :meth:`reset_theta`) and frozen in ``eval()`` mode, as in Diehl & Cook's test
        phase.
    refractory_timers : ndarray, shape (n_neurons,)
        Refractory time left [ms].
    fired : ndarray of bool, shape (n_neurons,)
        Neurons that spiked in the last step.

    Notes
    -----
    Current mode, with rest :math:`V_r` (``resting_mv``) and resistance :math:`R`:

    .. math:: \\tau_m \\frac{dV}{dt} = -(V - V_r) + R (I + I_{ext}),

    conductance mode (Diehl & Cook 2015, eq. 1):

    .. math::

        \\tau_m \\frac{dV}{dt} &= (V_r - V) + g_e (E_{exc} - V) + g_i (E_{inh} - V)
            + R I_{ext}, \\\\
        \\tau_{ge} \\frac{dg_e}{dt} &= -g_e, \\quad
        \\tau_{gi} \\frac{dg_i}{dt} = -g_i, \\quad
        g_e \\mathrel{+}= [x]_+, \\; g_i \\mathrel{+}= [-x]_+ \\text{ at each input } x,

    spike when :math:`V \\ge \\vartheta + \\theta`; then :math:`V \\leftarrow V_{reset}`,
    :math:`\\theta \\leftarrow \\theta + \\theta_+`; between spikes
    :math:`\\tau_\\theta \\, d\\theta/dt = -\\theta`.

    With conductances held over a step, :math:`V` relaxes with time constant
    :math:`\\tau_m / (1 + g_e + g_i)` towards
    :math:`(V_r + g_e E_{exc} + g_i E_{inh} + R I_{ext}) / (1 + g_e + g_i)`; this exact
    step is stable at any ``dt``. With ``integration='euler'`` the potential takes one
    forward Euler step instead, :math:`V \\mathrel{+}= \\frac{dt}{\\tau_m}(\\ldots)` with the
    right-hand side above evaluated at the start of the step (the conductances still
    decay exactly): no exponential per neuron and step, so the compiled loop
    vectorises (about 6x faster for conductance input), at the price of Euler's error,
    small while ``dt`` is well below the effective membrane time constant
    :math:`\\tau_m / (1 + g_e + g_i)`. This is how Brian2 integrates the COBA benchmark
    (``method='euler'``), which :mod:`spikey.experiments.coba` follows. Under a constant current the first spike comes after
    :math:`t^* = \\tau_m \\ln\\frac{RI}{RI - (\\vartheta - V_r)}` (from rest), at the end
    of step :math:`\\lceil t^*/dt \\rceil`.

    Units: time in ms, voltages in mV, currents in nA, resistance in MΩ (nA * MΩ = mV),
    conductances relative to the leak conductance (COBA's 0.6 nS with a 10 nS leak is
    0.06).

    Configurations from the literature:

    - Diehl & Cook 2015, excitatory: ``input_mode='conductance', tau_m=100,
      resting_mv=-65, v_reset=-65, firing_threshold=-72`` (their -52 mV minus the 20 mV
      offset of their code), ``refractory_period=5, e_exc=0, e_inh=-100, tau_ge=1,
      tau_gi=2, theta_plus=0.05, tau_theta=1e7``, ``dt=0.5``;
      inhibitory: ``tau_m=10, resting_mv=-60, v_reset=-45, firing_threshold=-40,
      refractory_period=2, e_inh=-85``.
    - COBA (Brette et al. 2007): ``input_mode='conductance', tau_m=20, resting_mv=-60,
      v_reset=-60, firing_threshold=-50, refractory_period=5, e_exc=0, e_inh=-80,
      tau_ge=5, tau_gi=10``, ``dt=0.1`` (with ``integration='euler'`` in
      :mod:`spikey.experiments.coba`).

    References
    ----------
    .. [1] P. U. Diehl and M. Cook, "Unsupervised learning of digit recognition using
       spike-timing-dependent plasticity", Front. Comput. Neurosci. 9:99, 2015.
    .. [2] R. Brette et al., "Simulation of networks of spiking neurons: a review of
       tools and strategies", J. Comput. Neurosci. 23:349-398, 2007.
    .. [3] W. Gerstner, W. M. Kistler, R. Naud and L. Paninski, "Neuronal Dynamics",
       Cambridge University Press, 2014, chapter 1.

    Examples
    --------
    >>> from spikey.snn.neuron import LIF
    >>> neurons = LIF(n_neurons=1, dt=0.1, tau_m=10.0, resting_mv=-65.0, v_reset=-65.0,
    ...               firing_threshold=-50.0, resistance=10.0, refractory_period=2.0, seed=0)
    >>> neurons.reset()
    >>> times = []
    >>> for step in range(1000):  # 100 ms at 2 nA: R I = 20 mV
    ...     neurons += 2.0
    ...     if neurons()[0]:
    ...         times.append(round((step + 1) * 0.1, 1))
    >>> times[:3]  # t* = 10 ln(20 / 5) = 13.86 ms, then every 2 + 13.86 ms
    [13.9, 29.8, 45.7]
    """

    STATE = ("potentials", "g_e", "g_i", "theta", "refractory_timers", "fired")
    KERNEL_REPLACES = ("__call__", "update")
    LEARNED = ("theta",)
    PER_NEURON = (
        "i_ext",
        "tau_m",
        "resting_mv",
        "v_reset",
        "firing_threshold",
        "refractory_period",
        "resistance",
        "e_exc",
        "e_inh",
        "tau_ge",
        "tau_gi",
        "theta_plus",
        "tau_theta",
        "v_init",
    )

    NECESSARY_KEYS = _ODENeuron.extend_keys(
        [
            per_neuron_key("i_ext", "Constant external current added every step.", 0.0, units="nA"),
            Key(
                "input_mode",
                "'current': input is a current; 'conductance': input increments g_e (> 0) or g_i (< 0).",
                str,
                "current",
                constraint=OneOf("current", "conductance"),
            ),
            Key(
                "integration",
                "Membrane update per step: 'exact' (exponential relaxation) or 'euler' (forward Euler).",
                str,
                "exact",
                constraint=OneOf("exact", "euler"),
            ),
            per_neuron_key("tau_m", "Membrane time constant.", 20.0, units="ms", constraint=_POSITIVE),
            per_neuron_key("resting_mv", "Resting (leak reversal) potential.", -65.0, units="mV"),
            per_neuron_key("v_reset", "Potential after a spike (None: resting_mv).", None, units="mV"),
            per_neuron_key("firing_threshold", "Spike threshold (before theta).", -50.0, units="mV"),
            per_neuron_key(
                "refractory_period",
                "Time held at v_reset after a spike.",
                2.0,
                units="ms",
                constraint=_NONNEG,
            ),
            per_neuron_key("resistance", "Membrane resistance R.", 1.0, units="MΩ", constraint=_NONNEG),
            per_neuron_key("e_exc", "Excitatory reversal potential (conductance mode).", 0.0, units="mV"),
            per_neuron_key("e_inh", "Inhibitory reversal potential (conductance mode).", -80.0, units="mV"),
            per_neuron_key(
                "tau_ge", "Excitatory conductance time constant.", 5.0, units="ms", constraint=_POSITIVE
            ),
            per_neuron_key(
                "tau_gi", "Inhibitory conductance time constant.", 10.0, units="ms", constraint=_POSITIVE
            ),
            per_neuron_key(
                "theta_plus",
                "Adaptive threshold increment per spike (0: off).",
                0.0,
                units="mV",
                constraint=_NONNEG,
            ),
            per_neuron_key(
                "tau_theta", "Decay time constant of theta.", 1e7, units="ms", constraint=_POSITIVE
            ),
            per_neuron_key("v_init", "Initial potential (None: resting_mv).", None, units="mV"),
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.g_e = self.g_i = self.theta = self.refractory_timers = None

    def _resolve(self) -> None:
        p = self._pv
        for name in ("v_reset", "v_init"):
            if p[name] is None:
                p[name] = p["resting_mv"]
        dt = self._dt
        self._decay_m = np.exp(-dt / p["tau_m"])
        # conductance mode: the membrane decays by exp(rate_m * (1 + g_e + g_i)) per step
        # (one exp per neuron and step; decay_m ** g_tot costs a pow, several times more)
        self._rate_m = -dt / np.asarray(p["tau_m"], dtype=float)
        self._dt_tau = dt / np.asarray(p["tau_m"], dtype=float)  # Euler
        self._decay_ge = np.exp(-dt / p["tau_ge"])
        self._decay_gi = np.exp(-dt / p["tau_gi"])
        self._decay_theta = np.exp(-dt / p["tau_theta"])
        if self._input_mode == "conductance" and np.any(
            np.asarray(p["e_inh"]) >= np.asarray(p["e_exc"])
        ):  # a sign error would silently swap excitation and inhibition
            raise ConfigError(
                f"{self._owner()}.e_inh: expected e_inh < e_exc in conductance mode; "
                f"got e_inh={p['e_inh']!r}, e_exc={p['e_exc']!r}."
            )

    def reset(self) -> None:
        """Potentials to ``v_init``, no conductance, not refractory; ``theta`` is kept."""
        super().reset()
        n = self._n_neurons
        self.potentials = self._full("v_init")
        self.g_e = np.zeros(n)
        self.g_i = np.zeros(n)
        self.refractory_timers = np.zeros(n)
        if self.theta is None or np.shape(self.theta) != (n,):
            self.theta = np.zeros(n)

    def reset_theta(self) -> None:
        """Set the adaptive thresholds ``theta`` to 0."""
        self.theta = np.zeros(self._n_neurons)

    def update(self, incoming_v: np.ndarray | float) -> None:
        """Advance one step of ``dt`` ms.

        Parameters
        ----------
        incoming_v : ndarray, shape (n_neurons,), or float
            Input current [nA] (current mode) or conductance increments in units of the
            leak conductance, positive excitatory and negative inhibitory
            (conductance mode).
        """
        p = self._pv
        x = self._input(incoming_v)
        v = self.potentials
        refractory = self.refractory_timers > _EPS
        self.refractory_timers = np.maximum(self.refractory_timers - self._dt, 0.0)
        euler = self._integration == "euler"
        if self._input_mode == "current":
            drive = p["resistance"] * (x + p["i_ext"])
            if euler:
                v = v + self._dt_tau * ((p["resting_mv"] - v) + drive)
            else:
                v_inf = p["resting_mv"] + drive
                v = v_inf + (v - v_inf) * self._decay_m
        else:
            g_e = self.g_e + np.maximum(x, 0.0)
            g_i = self.g_i + np.maximum(-x, 0.0)
            if euler:
                v = v + self._dt_tau * (
                    (p["resting_mv"] - v)
                    + g_e * (p["e_exc"] - v)
                    + g_i * (p["e_inh"] - v)
                    + p["resistance"] * p["i_ext"]
                )
            else:
                g_tot = 1.0 + g_e + g_i
                v_inf = (
                    p["resting_mv"] + g_e * p["e_exc"] + g_i * p["e_inh"] + p["resistance"] * p["i_ext"]
                ) / g_tot
                v = v_inf + (v - v_inf) * np.exp(self._rate_m * g_tot)
            self.g_e = g_e * self._decay_ge
            self.g_i = g_i * self._decay_gi
        v = np.where(refractory, p["v_reset"], v)
        if self.training:
            self.theta = self.theta * self._decay_theta
        fired = (v >= p["firing_threshold"] + self.theta) & ~refractory
        if fired.any():
            v = np.where(fired, p["v_reset"], v)
            self.refractory_timers = np.where(fired, p["refractory_period"], self.refractory_timers)
            if self.training:
                self.theta = self.theta + fired * p["theta_plus"]
        self.potentials = v
        self.fired = fired

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """Kernels :func:`~spikey.snn.neuron.izhikevich.fired_emit` / :func:`lif_physical_integrate`
        and their data for a tick (uniform parameters as floats, see
        :func:`~spikey.snn.engine.kernel.at`)."""
        key = ("_lif_params",)
        values = self._kernel_cache.get(key)
        if values is None:
            n = self._n_neurons
            values = tuple(
                scalar_or_array(self._pv[k] if k in self._pv else getattr(self, k), n) for k in _KERNEL_PARAMS
            )
            self._kernel_cache[key] = values
        state = self._kernel_state("fired", "potentials", "g_e", "g_i", "theta", "refractory_timers")
        # theta can only change while training with a non-zero theta_plus or theta: else
        # the loop without theta (the same numbers, less memory traffic) runs
        adaptive = bool(self.training) and (np.any(np.asarray(self._pv["theta_plus"]) != 0) or state[4].any())
        return PartKernel(
            {"emit": fired_emit, "integrate": lif_physical_integrate},
            params=(
                self._spike_values,
                float(self._dt),
                self._input_mode == "current",
                self._integration == "euler",
                bool(adaptive),
                *values,
            ),
            state=state,
        )


#: The per-neuron values of lif_physical_integrate's parameters, in order.
_KERNEL_PARAMS = (
    "i_ext",
    "resting_mv",
    "v_reset",
    "firing_threshold",
    "refractory_period",
    "resistance",
    "e_exc",
    "e_inh",
    "theta_plus",
    "_decay_m",
    "_rate_m",
    "_dt_tau",
    "_decay_ge",
    "_decay_gi",
    "_decay_theta",
)


# ---------------------------------------------------------------------- kernels
# The compiled engine's version of LIF.update: the same operations in the same order,
# one neuron at a time. One loop per input mode and integration, each branch-free
# (selects, no early exit), so that numba vectorises it; the flags are constants in
# each loop (lif_loop is inlined with literal flags).


@kernel
def lif_physical_integrate(P, S, current):  # noqa: N803 - kernel signature
    """One step of :class:`LIF`, current or conductance input, exact or Euler (see
    ``LIF.update``).

    The three flags (current mode, Euler, adaptive threshold) select one of eight
    calls of :func:`lif_loop`, each with literal flags.
    """
    if P[2]:
        _lif_modes(P, S, current, True)
    else:
        _lif_modes(P, S, current, False)


@helper
def _lif_modes(P, S, current, current_mode):  # noqa: N803 - kernel signature
    """The Euler and adaptive-threshold flags, in one flat branch (a chain of a helper
    per flag measured 15 % slower)."""
    if P[3]:
        if P[4]:
            lif_loop(P, S, current, current_mode, True, True)
        else:
            lif_loop(P, S, current, current_mode, True, False)
    elif P[4]:
        lif_loop(P, S, current, current_mode, False, True)
    else:
        lif_loop(P, S, current, current_mode, False, False)


@helper
def lif_loop(P, S, current, current_mode, euler, training):  # noqa: N803 - kernel signature
    """The neuron loop of :func:`lif_physical_integrate` for one mode (literal flags)."""
    (
        _values,
        dt,
        _current_mode,
        _euler,
        _training,
        i_ext,
        rest,
        v_reset,
        threshold,
        refractory_period,
        resistance,
        e_exc,
        e_inh,
        theta_plus,
        decay_m,
        rate_m,
        dt_tau,
        decay_ge,
        decay_gi,
        decay_theta,
    ) = P
    fired, v, g_e, g_i, theta, timers = S
    for i in range(v.shape[0]):
        x = current[i]
        timer = timers[i]
        refractory = timer > _EPS
        timer = max(timer - dt, 0.0)
        vi = v[i]
        if current_mode:
            drive = at(resistance, i) * (x + at(i_ext, i))
            if euler:
                vi = vi + at(dt_tau, i) * ((at(rest, i) - vi) + drive)
            else:
                v_inf = at(rest, i) + drive
                vi = v_inf + (vi - v_inf) * at(decay_m, i)
        else:
            ge = g_e[i] + max(x, 0.0)
            gi = g_i[i] + max(-x, 0.0)
            if euler:
                vi = vi + at(dt_tau, i) * (
                    (at(rest, i) - vi)
                    + ge * (at(e_exc, i) - vi)
                    + gi * (at(e_inh, i) - vi)
                    + at(resistance, i) * at(i_ext, i)
                )
            else:
                g_tot = 1.0 + ge + gi
                v_inf = (
                    at(rest, i) + ge * at(e_exc, i) + gi * at(e_inh, i) + at(resistance, i) * at(i_ext, i)
                ) / g_tot
                vi = v_inf + (vi - v_inf) * math.exp(at(rate_m, i) * g_tot)
            g_e[i] = ge * at(decay_ge, i)
            g_i[i] = gi * at(decay_gi, i)
        reset_to = at(v_reset, i)
        vi = reset_to if refractory else vi
        th = theta[i]
        if training:
            th = th * at(decay_theta, i)
        spiked = (vi >= at(threshold, i) + th) & (not refractory)
        vi = reset_to if spiked else vi
        timers[i] = at(refractory_period, i) if spiked else timer  # one store per neuron
        if training:
            theta[i] = th + at(theta_plus, i) if spiked else th
        fired[i] = spiked
        v[i] = vi
