"""Postsynaptic kernels: how an arriving spike shapes the synaptic input over time.

A spike of weight :math:`w` arriving at step :math:`t_0` contributes
:math:`w\\,K(t - t_0)` to its postsynaptic neuron's synaptic variable :math:`s(t)`,
with a kernel :math:`K` peaking at 1:

- ``"delta"``: :math:`K(0) = 1` and 0 afterwards (spikey's default: the weight is
  delivered in one step);
- ``"exponential"``: :math:`K(t) = e^{-t/\\tau}`, peak at :math:`t = 0`;
- ``"alpha"``: :math:`K(t) = (t/\\tau)\\, e^{1 - t/\\tau}`, peak at :math:`t = \\tau`.

Kernels are linear, so the sum over all synapses onto a neuron is tracked with one
state per neuron (two for the alpha kernel), updated exactly each step of ``dt`` ms:

- exponential: :math:`x \\leftarrow x e^{-dt/\\tau} + a`;
- alpha: :math:`x \\leftarrow e^{-dt/\\tau}(x + \\tfrac{e\\,dt}{\\tau} y)`,
  :math:`y \\leftarrow y e^{-dt/\\tau} + a`, output :math:`x`
  (:math:`y` is the exponential kernel, :math:`x` its filtered copy),

with :math:`a` the weights arriving at the step. The variable is used either as a
current, :math:`I = s`, or as a conductance, :math:`I = s\\,(E - v)` with reversal
potential :math:`E` and the postsynaptic potential :math:`v`
(:class:`~spikey.snn.synapse.static.StaticSynapse` keys ``kernel_exc``, ``kernel_inh``,
``tau_exc``, ``tau_inh``, ``conductance``, ``E_exc``, ``E_inh``).

Notes
-----
With peak-normalised kernels the charge of one spike grows with :math:`\\tau`: an
exponential kernel delivers :math:`w / (1 - e^{-dt/\\tau}) \\approx w\\,\\tau/dt` over
its lifetime, an alpha kernel :math:`\\approx e\\,w\\,\\tau/dt`. This is the convention of
the seed models (e.g. a decay :math:`e^{-t/20}` for excitatory and
:math:`(t/50) e^{1 - t/50}` for inhibitory synapses in the basal ganglia model).

References
----------
A. Roth and M. C. W. van Rossum, "Modeling synapses", in Computational
Modeling Methods for Neuroscientists, MIT Press, 2009.

R. Brette et al., "Simulation of networks of spiking neurons: a review of
tools and strategies", J. Comput. Neurosci. 23:349-398, 2007 (COBA benchmark).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["KERNELS", "Kernel"]

#: Names of the kernel shapes.
KERNELS = ("delta", "exponential", "alpha")


class Kernel:
    """State of one kernel shape for ``n`` postsynaptic neurons.

    Parameters
    ----------
    shape : {'delta', 'exponential', 'alpha'}
        Kernel shape (module docstring).
    tau : float
        Time constant [ms] (ignored by ``'delta'``).
    dt : float
        Step length [ms].
    n : int
        Number of postsynaptic neurons.

    Examples
    --------
    >>> k = Kernel("exponential", tau=10.0, dt=1.0, n=1)
    >>> out = [float(k.step(np.array([1.0 if t == 0 else 0.0]))[0]) for t in range(3)]
    >>> [round(v, 4) for v in out]
    [1.0, 0.9048, 0.8187]
    """

    def __init__(self, shape: str, tau: float, dt: float, n: int):
        if shape not in KERNELS:
            raise ValueError(f"Kernel: expected a shape in {KERNELS}; got {shape!r}.")
        self.shape, self.tau, self.dt, self.n = shape, float(tau), float(dt), int(n)
        self.decay = math.exp(-self.dt / self.tau) if shape != "delta" else 0.0
        self.gain = math.e * self.dt / self.tau if shape == "alpha" else 0.0
        self.reset()

    def reset(self) -> None:
        """Zero the state."""
        self.x = np.zeros(self.n)
        self.y = np.zeros(self.n) if self.shape == "alpha" else None

    def step(self, arriving: np.ndarray) -> np.ndarray:
        """Advance one step with the weights ``arriving`` (n,); return the kernel output.

        The returned array is the state itself for stateful kernels: copy it to keep it.
        """
        if self.shape == "delta":
            return arriving
        if self.shape == "exponential":
            x = self.x
            x *= self.decay
            x += arriving
            return x
        x, y = self.x, self.y
        x += self.gain * y
        x *= self.decay
        y *= self.decay
        y += arriving
        return x

    def clear(self, which: np.ndarray) -> None:
        """Zero the state of the neurons selected by the bool mask ``which`` (post-synaptic reset)."""
        if self.shape == "delta":
            return
        self.x[which] = 0.0
        if self.y is not None:
            self.y[which] = 0.0

    def state(self) -> dict[str, Any]:
        """Copies of the state arrays."""
        return {"x": self.x.copy(), "y": None if self.y is None else self.y.copy()}

    def load(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state` returned."""
        self.x = np.array(state["x"], dtype=np.float64)
        self.y = None if state.get("y") is None else np.array(state["y"], dtype=np.float64)
