"""Adaptive exponential integrate-and-fire neurons (Brette & Gerstner 2005)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from spikey.module import Interval, Key, OneOf
from spikey.snn.engine.kernel import PartKernel, kernel
from spikey.snn.neuron.izhikevich import _ODENeuron, fired_emit, per_neuron_key

__all__ = ["AdEx", "ADEX_PRESETS", "ADEX_PRESET_CURRENTS"]

_POSITIVE = Interval(0, None, low_closed=False)

_NAMES = ("c_m", "g_l", "e_l", "v_t", "delta_T", "a", "tau_w", "b", "v_reset")

#: Naud et al. (2008), Table 1: parameter sets of the eight firing patterns, each a dict
#: with ``c_m`` [pF], ``g_l`` [nS], ``e_l`` [mV], ``v_t`` [mV], ``delta_T`` [mV], ``a`` [nS],
#: ``tau_w`` [ms], ``b`` [pA], ``v_reset`` [mV].
ADEX_PRESETS: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {
        name: MappingProxyType(dict(zip(_NAMES, values)))
        for name, values in {
            "tonic": (200.0, 10.0, -70.0, -50.0, 2.0, 2.0, 30.0, 0.0, -58.0),
            "adapting": (200.0, 12.0, -70.0, -50.0, 2.0, 2.0, 300.0, 60.0, -58.0),
            "initial_burst": (130.0, 18.0, -58.0, -50.0, 2.0, 4.0, 150.0, 120.0, -50.0),
            "regular_bursting": (200.0, 10.0, -58.0, -50.0, 2.0, 2.0, 120.0, 100.0, -46.0),
            "delayed_accelerating": (200.0, 12.0, -70.0, -50.0, 2.0, -10.0, 300.0, 0.0, -58.0),
            "delayed_regular_bursting": (100.0, 10.0, -65.0, -50.0, 2.0, -10.0, 90.0, 30.0, -47.0),
            "transient": (100.0, 10.0, -65.0, -50.0, 2.0, 10.0, 90.0, 100.0, -47.0),
            "irregular": (100.0, 12.0, -60.0, -50.0, 2.0, -11.0, 130.0, 30.0, -48.0),
        }.items()
    }
)

#: The step current [pA] that shows each pattern: Naud et al. (2008), Table 1, except
#: ``transient``: with the table's 350 pA the neuron keeps firing slowly after its
#: first spikes (spikes detected at 0 mV); 250 pA gives the transient response (two
#: spikes, then silence).
ADEX_PRESET_CURRENTS: Mapping[str, float] = MappingProxyType(
    {
        "tonic": 500.0,
        "adapting": 500.0,
        "initial_burst": 400.0,
        "regular_bursting": 210.0,
        "delayed_accelerating": 300.0,
        "delayed_regular_bursting": 110.0,
        "transient": 250.0,
        "irregular": 160.0,
    }
)


class AdEx(_ODENeuron):
    """Adaptive exponential integrate-and-fire neurons.

    Each ``neurons += I`` integrates ``V`` and ``w`` over one step of ``dt`` ms with
    ``n_substeps`` forward-Euler sub-steps. A neuron whose ``V`` reaches ``v_peak`` spikes
    (reported by the next ``neurons()``) and is reset: ``V <- v_reset``, ``w <- w + b``.
    The exponential's argument is capped at ``(v_peak - v_t) / delta_T`` (its value at
    the peak, never exceeded in continuous time), so large steps cannot overflow.

    Parameters
    ----------
    **kwargs
        Values for the keys below (a part ignores keys it does not declare: a network shares one configuration among its parts and warns about a key no part claims). The model parameters
        default to the values of ``preset`` (Naud et al. 2008, Table 1); each may be a
        float or an array of shape ``(n_neurons,)``.

    Attributes
    ----------
    potentials : ndarray, shape (n_neurons,)
        Membrane potential ``V`` [mV] (``v_reset`` after a spike).
    w : ndarray, shape (n_neurons,)
        Adaptation current [pA].
    fired : ndarray of bool, shape (n_neurons,)
        Neurons that spiked in the last step.

    Notes
    -----
    .. math::

        C \\frac{dV}{dt} &= -g_L (V - E_L) + g_L \\Delta_T
            \\exp\\left(\\frac{V - V_T}{\\Delta_T}\\right) - w + I, \\\\
        \\tau_w \\frac{dw}{dt} &= a (V - E_L) - w, \\\\
        V \\ge V_{peak}: &\\quad V \\leftarrow V_r, \\; w \\leftarrow w + b.

    Units: time in ms, voltages in mV, ``C`` (``c_m``) in pF, conductances (``g_l``,
    ``a``) in nS, currents (``I``, ``w``, ``b``, ``i_ext``) in pA; then
    nS * mV = pA and pA / pF = mV/ms. Initially ``V = v_init`` (``e_l`` when None) and
    ``w = 0``.

    Presets (``preset``; step current of Table 1 in :data:`ADEX_PRESET_CURRENTS`):
    ``tonic``, ``adapting``, ``initial_burst``, ``regular_bursting``,
    ``delayed_accelerating``, ``delayed_regular_bursting``, ``transient``,
    ``irregular``. Naud et al. detect a spike at 0 mV, the default ``v_peak``.

    References
    ----------
    .. [1] R. Brette and W. Gerstner, "Adaptive exponential integrate-and-fire model as
       an effective description of neuronal activity", J. Neurophysiol. 94:3637-3642,
       2005.
    .. [2] R. Naud, N. Marcille, C. Clopath and W. Gerstner, "Firing patterns in the
       adaptive exponential integrate-and-fire model", Biol. Cybern. 99:335-347, 2008.

    Examples
    --------
    >>> from spikey.snn.neuron import AdEx
    >>> neurons = AdEx(n_neurons=1, preset="tonic", dt=0.1, seed=0)
    >>> neurons.reset()
    >>> n_spikes = 0
    >>> for _ in range(5000):  # 500 ms of the Table 1 step current, 500 pA
    ...     neurons += 500.0
    ...     n_spikes += int(neurons()[0] != 0)
    >>> n_spikes  # tonic firing at 100 Hz
    50
    """

    STATE = ("potentials", "w", "fired")
    PER_NEURON = ("i_ext", *_NAMES, "v_init")
    SPIKE_PEAK_KEY = "v_peak"
    PRESETS = ADEX_PRESETS
    PRESET_CURRENTS = ADEX_PRESET_CURRENTS

    NECESSARY_KEYS = _ODENeuron.extend_keys(
        [
            Key(
                "dt",
                "Integration time step: the length of one step.",
                float,
                0.1,
                constraint=_POSITIVE,
                units="ms",
            ),
            per_neuron_key(
                "i_ext", "Constant external current added to the input of every step.", 0.0, units="pA"
            ),
            Key(
                "preset",
                "Firing pattern (Naud et al. 2008) giving the default parameters: "
                + ", ".join(ADEX_PRESETS)
                + ".",
                str,
                default="tonic",
                constraint=OneOf(*ADEX_PRESETS),
            ),
            per_neuron_key(
                "c_m", "Membrane capacitance C (None: from preset).", None, units="pF", constraint=_POSITIVE
            ),
            per_neuron_key(
                "g_l", "Leak conductance g_L (None: from preset).", None, units="nS", constraint=_POSITIVE
            ),
            per_neuron_key("e_l", "Leak reversal potential E_L (None: from preset).", None, units="mV"),
            per_neuron_key("v_t", "Threshold slope potential V_T (None: from preset).", None, units="mV"),
            per_neuron_key(
                "delta_T", "Slope factor Delta_T (None: from preset).", None, units="mV", constraint=_POSITIVE
            ),
            per_neuron_key("a", "Subthreshold adaptation a (None: from preset).", None, units="nS"),
            per_neuron_key(
                "tau_w",
                "Adaptation time constant (None: from preset).",
                None,
                units="ms",
                constraint=_POSITIVE,
            ),
            per_neuron_key(
                "b", "Spike-triggered adaptation increment (None: from preset).", None, units="pA"
            ),
            per_neuron_key("v_reset", "Reset potential V_r (None: from preset).", None, units="mV"),
            per_neuron_key("v_init", "Initial potential (None: e_l).", None, units="mV"),
            Key("v_peak", "Spike detection potential: V at or above it is a spike.", float, 0.0, units="mV"),
            Key("n_substeps", "Forward-Euler sub-steps per step.", int, 1, constraint=Interval(1, 1000)),
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.w = None

    @classmethod
    def from_preset(cls, preset: str, **kwargs: Any) -> AdEx:
        """Neurons with one of the :data:`ADEX_PRESETS` firing patterns (``'tonic'``, ...)."""
        return cls(preset=preset, **kwargs)

    def _resolve(self) -> None:
        preset = ADEX_PRESETS[self._preset]
        for name in _NAMES:
            if self._pv[name] is None:
                self._pv[name] = preset[name]
        if self._pv["v_init"] is None:
            self._pv["v_init"] = self._pv["e_l"]

    def reset(self) -> None:
        """``V = v_init`` (``e_l`` by default), ``w = 0``, no spike."""
        super().reset()
        self.potentials = self._full("v_init")
        self.w = np.zeros(self._n_neurons, dtype=np.float64)

    def _step(self, current: np.ndarray) -> np.ndarray:
        p = self._pv
        v, w = self.potentials, self.w
        g_l, e_l, v_t, d_T = p["g_l"], p["e_l"], p["v_t"], p["delta_T"]
        cap = np.minimum((self._v_peak - v_t) / d_T, 50.0)
        h = self._dt / self._n_substeps
        k_v, k_w = h / p["c_m"], h / p["tau_w"]
        fired = np.zeros(self._n_neurons, dtype=bool)
        for _ in range(self._n_substeps):  # sub-steps in time, vectorised over neurons
            spike = g_l * d_T * np.exp(np.minimum((v - v_t) / d_T, cap))
            dv = k_v * (-g_l * (v - e_l) + spike - w + current)
            w += k_w * (p["a"] * (v - e_l) - w)
            v += dv
            now = v >= self._v_peak
            if now.any():
                fired |= now
                v[now] = np.broadcast_to(p["v_reset"], v.shape)[now]
                w += np.where(now, p["b"], 0.0)
        return fired

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """Kernels :func:`~spikey.snn.neuron.izhikevich.fired_emit` / :func:`adex_integrate`
        and their data for a tick."""
        return PartKernel(
            {"emit": fired_emit, "integrate": adex_integrate},
            params=(
                self._spike_values,
                float(self._dt / self._n_substeps),
                int(self._n_substeps),
                float(self._v_peak),
                *self._kernel_values(
                    "i_ext", "c_m", "g_l", "e_l", "v_t", "delta_T", "a", "tau_w", "b", "v_reset"
                ),
            ),
            state=self._kernel_state("fired", "potentials", "w"),
        )


# ---------------------------------------------------------------------- kernels
# The compiled engine's version of AdEx._step: the same operations in the same order,
# one neuron at a time.


@kernel
def adex_integrate(P, S, current):  # noqa: N803 - kernel signature
    """One step of :class:`AdEx` (see ``AdEx._step``)."""
    _values, h, n_substeps, v_peak, i_ext, c_m, g_l, e_l, v_t, d_T, a, tau_w, b, v_reset = P  # noqa: N806
    fired, v, w = S
    for i in range(v.shape[0]):
        x = current[i] + i_ext[i]
        cap = min((v_peak - v_t[i]) / d_T[i], 50.0)
        k_v = h / c_m[i]
        k_w = h / tau_w[i]
        vi = v[i]
        wi = w[i]
        spiked = False
        for _ in range(n_substeps):
            spike = g_l[i] * d_T[i] * np.exp(min((vi - v_t[i]) / d_T[i], cap))
            dv = k_v * (-g_l[i] * (vi - e_l[i]) + spike - wi + x)
            wi += k_w * (a[i] * (vi - e_l[i]) - wi)
            vi += dv
            if vi >= v_peak:
                spiked = True
                vi = v_reset[i]
                wi += b[i]
        fired[i] = spiked
        v[i] = vi
        w[i] = wi
