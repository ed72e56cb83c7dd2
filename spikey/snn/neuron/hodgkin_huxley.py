"""Hodgkin-Huxley (1952) squid giant axon neurons."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.module import Interval, Key, OneOf
from spikey.snn.engine.kernel import PartKernel, kernel
from spikey.snn.neuron.izhikevich import _ODENeuron, fired_emit, per_neuron_key

__all__ = ["HodgkinHuxley", "hh_rates"]

_POSITIVE = Interval(0, None, low_closed=False)
_NONNEG = Interval(0, None)


def _linoid(x: np.ndarray, k: float) -> np.ndarray:
    """``x / (1 - exp(-x / k))``, continuous at ``x = 0`` (value ``k``)."""
    u = np.asarray(x, dtype=np.float64) / k
    small = np.abs(u) < 1e-6
    safe = np.where(small, 1.0, u)
    return np.where(small, k * (1.0 + 0.5 * u), k * safe / -np.expm1(-safe))


def hh_rates(v: np.ndarray) -> tuple[np.ndarray, ...]:
    """Opening and closing rates [1/ms] of the gates m, h, n at potential ``v`` [mV].

    Returns
    -------
    tuple of ndarray
        ``(alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n)``, each shaped as ``v``.
    """
    v = np.asarray(v, dtype=np.float64)
    alpha_m = 0.1 * _linoid(v + 40.0, 10.0)
    beta_m = 4.0 * np.exp(-(v + 65.0) / 18.0)
    alpha_h = 0.07 * np.exp(-(v + 65.0) / 20.0)
    beta_h = 1.0 / (1.0 + np.exp(-(v + 35.0) / 10.0))
    alpha_n = 0.01 * _linoid(v + 55.0, 10.0)
    beta_n = 0.125 * np.exp(-(v + 65.0) / 80.0)
    return alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n


class HodgkinHuxley(_ODENeuron):
    """Hodgkin-Huxley neurons: sodium, potassium and leak currents of the squid axon.

    Each ``neurons += I`` integrates the membrane potential and the gates ``m``, ``h``,
    ``n`` over one step of ``dt`` ms, with exponential Euler (``method = 'exp_euler'``,
    the default: each gate, then the potential, relaxes exponentially towards its
    steady state with the other variables held fixed; stable at any ``dt``, accurate
    for ``dt`` up to about 0.05 ms) or the classical Runge-Kutta method (``'rk4'``,
    about four times slower). A spike is an upward crossing of ``v_spike`` (0 mV by default); it
    is reported by the next ``neurons()``. Nothing is reset: the action potential is
    the dynamics.

    Parameters
    ----------
    **kwargs
        Values for the keys below (a part ignores keys it does not declare: a network shares one configuration among its parts and warns about a key no part claims). Conductances, reversal
        potentials and the capacitance may be floats or arrays of shape ``(n_neurons,)``.

    Attributes
    ----------
    potentials : ndarray, shape (n_neurons,)
        Membrane potential ``V`` [mV].
    m, h, n : ndarray, shape (n_neurons,)
        Gating variables (sodium activation, sodium inactivation, potassium activation).
    fired : ndarray of bool, shape (n_neurons,)
        Neurons whose potential crossed ``v_spike`` upwards in the last step.

    Notes
    -----
    .. math::

        C \\frac{dV}{dt} &= I - \\bar g_{Na} m^3 h (V - E_{Na})
            - \\bar g_K n^4 (V - E_K) - g_L (V - E_L), \\\\
        \\frac{dx}{dt} &= \\alpha_x(V) (1 - x) - \\beta_x(V) x, \\quad x \\in \\{m, h, n\\},

    with rates in 1/ms of ``V`` in mV (rest near -65 mV, 6.3 °C):
    :math:`\\alpha_m = 0.1 (V+40) / (1 - e^{-(V+40)/10})`,
    :math:`\\beta_m = 4 e^{-(V+65)/18}`, :math:`\\alpha_h = 0.07 e^{-(V+65)/20}`,
    :math:`\\beta_h = 1 / (1 + e^{-(V+35)/10})`,
    :math:`\\alpha_n = 0.01 (V+55) / (1 - e^{-(V+55)/10})`,
    :math:`\\beta_n = 0.125 e^{-(V+65)/80}`.

    Units: time in ms, voltages in mV, current densities (``I``, ``i_ext``) in µA/cm²,
    conductances in mS/cm², capacitance in µF/cm² (mS/cm² * mV = µA/cm²; µA/cm² /
    µF/cm² = mV/ms). Initially ``V = v_init`` and each gate is at its steady state
    :math:`x_\\infty = \\alpha_x / (\\alpha_x + \\beta_x)` for that potential.

    References
    ----------
    .. [1] A. L. Hodgkin and A. F. Huxley, "A quantitative description of membrane
       current and its application to conduction and excitation in nerve", J. Physiol.
       117(4):500-544, 1952.
    .. [2] W. Gerstner, W. M. Kistler, R. Naud and L. Paninski, "Neuronal Dynamics",
       Cambridge University Press, 2014, chapter 2.

    Examples
    --------
    >>> from spikey.snn.neuron import HodgkinHuxley
    >>> neurons = HodgkinHuxley(n_neurons=1, dt=0.01, seed=0)
    >>> neurons.reset()
    >>> n_spikes, peak = 0, -100.0
    >>> for _ in range(5000):  # 50 ms at 10 µA/cm²
    ...     neurons += 10.0
    ...     n_spikes += int(neurons()[0] != 0)
    ...     peak = max(peak, float(neurons.potentials[0]))
    >>> n_spikes, 30 < peak < 50
    (4, True)
    """

    STATE = ("potentials", "m", "h", "n", "fired")
    PER_NEURON = ("i_ext", "c_m", "g_na", "g_k", "g_l", "e_na", "e_k", "e_l", "v_init")

    NECESSARY_KEYS = _ODENeuron.extend_keys(
        [
            Key(
                "dt",
                "Integration time step: the length of one step.",
                float,
                0.01,
                constraint=_POSITIVE,
                units="ms",
            ),
            per_neuron_key(
                "i_ext", "Constant external current added to the input of every step.", 0.0, units="µA/cm²"
            ),
            per_neuron_key("c_m", "Membrane capacitance.", 1.0, units="µF/cm²", constraint=_POSITIVE),
            per_neuron_key("g_na", "Maximal sodium conductance.", 120.0, units="mS/cm²", constraint=_NONNEG),
            per_neuron_key("g_k", "Maximal potassium conductance.", 36.0, units="mS/cm²", constraint=_NONNEG),
            per_neuron_key("g_l", "Leak conductance.", 0.3, units="mS/cm²", constraint=_NONNEG),
            per_neuron_key("e_na", "Sodium reversal potential.", 50.0, units="mV"),
            per_neuron_key("e_k", "Potassium reversal potential.", -77.0, units="mV"),
            per_neuron_key("e_l", "Leak reversal potential.", -54.4, units="mV"),
            per_neuron_key(
                "v_init", "Initial potential; gates start at their steady state.", -65.0, units="mV"
            ),
            Key("v_spike", "Spike detection: an upward crossing of this potential.", float, 0.0, units="mV"),
            Key(
                "method",
                "Integration method: 'exp_euler' (exponential Euler) or 'rk4' (classical Runge-Kutta).",
                str,
                "exp_euler",
                constraint=OneOf("exp_euler", "rk4"),
            ),
        ]
    )

    KERNEL_REPLACES = _ODENeuron.KERNEL_REPLACES + ("_derivatives",)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.m = self.h = self.n = None

    def reset(self) -> None:
        """``V = v_init``, gates at their steady state, no spike."""
        super().reset()
        v = self._full("v_init")
        am, bm, ah, bh, an, bn = hh_rates(v)
        self.potentials = v
        self.m, self.h, self.n = am / (am + bm), ah / (ah + bh), an / (an + bn)

    def _derivatives(self, v, m, h, n, current):
        p = self._pv
        am, bm, ah, bh, an, bn = hh_rates(v)
        i_ion = (
            p["g_na"] * m**3 * h * (v - p["e_na"])
            + p["g_k"] * n**4 * (v - p["e_k"])
            + p["g_l"] * (v - p["e_l"])
        )
        return (
            (current - i_ion) / p["c_m"],
            am * (1.0 - m) - bm * m,
            ah * (1.0 - h) - bh * h,
            an * (1.0 - n) - bn * n,
        )

    def _step(self, current: np.ndarray) -> np.ndarray:
        dt = self._dt
        v0 = self.potentials
        y = (v0, self.m, self.h, self.n)
        if self._method == "rk4":
            k1 = self._derivatives(*y, current)
            k2 = self._derivatives(*(a + 0.5 * dt * b for a, b in zip(y, k1)), current)
            k3 = self._derivatives(*(a + 0.5 * dt * b for a, b in zip(y, k2)), current)
            k4 = self._derivatives(*(a + dt * b for a, b in zip(y, k3)), current)
            v, m, h, n = (
                a + dt / 6.0 * (b1 + 2.0 * b2 + 2.0 * b3 + b4) for a, b1, b2, b3, b4 in zip(y, k1, k2, k3, k4)
            )
        else:
            p = self._pv
            am, bm, ah, bh, an, bn = hh_rates(v0)
            m, h, n = (
                x_inf + (x - x_inf) * np.exp(-dt * s)
                for x, x_inf, s in (
                    (self.m, am / (am + bm), am + bm),
                    (self.h, ah / (ah + bh), ah + bh),
                    (self.n, an / (an + bn), an + bn),
                )
            )
            g_na, g_k = p["g_na"] * m**3 * h, p["g_k"] * n**4
            g_tot = g_na + g_k + p["g_l"]
            v_inf = (g_na * p["e_na"] + g_k * p["e_k"] + p["g_l"] * p["e_l"] + current) / g_tot
            v = v_inf + (v0 - v_inf) * np.exp(-dt * g_tot / p["c_m"])
        self.potentials, self.m, self.h, self.n = v, m, h, n
        return (v0 < self._v_spike) & (v >= self._v_spike)

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """Kernels :func:`~spikey.snn.neuron.izhikevich.fired_emit` / :func:`hh_integrate`
        and their data for a tick."""
        return PartKernel(
            {"emit": fired_emit, "integrate": hh_integrate},
            params=(
                self._spike_values,
                float(self._dt),
                self._method == "rk4",
                float(self._v_spike),
                *self._kernel_values("i_ext", "c_m", "g_na", "g_k", "g_l", "e_na", "e_k", "e_l"),
            ),
            state=self._kernel_state("fired", "potentials", "m", "h", "n"),
        )


# ---------------------------------------------------------------------- kernels
# The compiled engine's version of HodgkinHuxley._step (with hh_rates and _derivatives
# written out): the same operations in the same order, one neuron at a time.


@kernel
def hh_integrate(P, S, current):  # noqa: N803 - kernel signature
    """One step of :class:`HodgkinHuxley`, exponential Euler or RK4 (see ``HodgkinHuxley._step``)."""
    _values, dt, rk4, v_spike, i_ext, c_m, g_na, g_k, g_l, e_na, e_k, e_l = P
    fired, v, m, h, n = S
    half = 0.5 * dt
    sixth = dt / 6.0
    stages = 4 if rk4 else 1
    for i in range(v.shape[0]):
        x = current[i] + i_ext[i]
        v0, m0, h0, n0 = v[i], m[i], h[i], n[i]
        vs, ms, hs, ns = v0, m0, h0, n0
        kv = km = kh = kn = 0.0
        sv = sm = sh = sn = 0.0
        am = bm = ah = bh = an = bn = 0.0
        for s in range(stages):
            if s == 1 or s == 2:
                vs, ms, hs, ns = v0 + half * kv, m0 + half * km, h0 + half * kh, n0 + half * kn
            elif s == 3:
                vs, ms, hs, ns = v0 + dt * kv, m0 + dt * km, h0 + dt * kh, n0 + dt * kn
            # hh_rates(vs), with _linoid(x, 10) = x / (1 - exp(-x / 10))
            u = (vs + 40.0) / 10.0
            if abs(u) < 1e-6:
                am = 0.1 * (10.0 * (1.0 + 0.5 * u))
            else:
                am = 0.1 * (10.0 * u / -np.expm1(-u))
            bm = 4.0 * np.exp(-(vs + 65.0) / 18.0)
            ah = 0.07 * np.exp(-(vs + 65.0) / 20.0)
            bh = 1.0 / (1.0 + np.exp(-(vs + 35.0) / 10.0))
            u = (vs + 55.0) / 10.0
            if abs(u) < 1e-6:
                an = 0.01 * (10.0 * (1.0 + 0.5 * u))
            else:
                an = 0.01 * (10.0 * u / -np.expm1(-u))
            bn = 0.125 * np.exp(-(vs + 65.0) / 80.0)
            if not rk4:
                break
            # _derivatives
            i_ion = (
                g_na[i] * ms**3.0 * hs * (vs - e_na[i])
                + g_k[i] * ns**4.0 * (vs - e_k[i])
                + g_l[i] * (vs - e_l[i])
            )
            kv = (x - i_ion) / c_m[i]
            km = am * (1.0 - ms) - bm * ms
            kh = ah * (1.0 - hs) - bh * hs
            kn = an * (1.0 - ns) - bn * ns
            if s == 0:
                sv, sm, sh, sn = kv, km, kh, kn
            elif s == 3:
                sv, sm, sh, sn = sv + kv, sm + km, sh + kh, sn + kn
            else:
                sv, sm, sh, sn = sv + 2.0 * kv, sm + 2.0 * km, sh + 2.0 * kh, sn + 2.0 * kn
        if rk4:
            vi = v0 + sixth * sv
            mi = m0 + sixth * sm
            hi = h0 + sixth * sh
            ni = n0 + sixth * sn
        else:
            inf = am / (am + bm)
            mi = inf + (m0 - inf) * np.exp(-dt * (am + bm))
            inf = ah / (ah + bh)
            hi = inf + (h0 - inf) * np.exp(-dt * (ah + bh))
            inf = an / (an + bn)
            ni = inf + (n0 - inf) * np.exp(-dt * (an + bn))
            gna = g_na[i] * mi**3.0 * hi
            gk = g_k[i] * ni**4.0
            g_tot = gna + gk + g_l[i]
            v_inf = (gna * e_na[i] + gk * e_k[i] + g_l[i] * e_l[i] + x) / g_tot
            vi = v_inf + (v0 - v_inf) * np.exp(-dt * g_tot / c_m[i])
        fired[i] = v0 < v_spike and vi >= v_spike
        v[i] = vi
        m[i] = mi
        h[i] = hi
        n[i] = ni
