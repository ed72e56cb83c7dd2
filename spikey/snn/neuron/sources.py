"""Spike sources as neuron parts: Poisson and Bernoulli neurons that ignore their input."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Interval, Key
from spikey.snn.engine.kernel import PartKernel, kernel
from spikey.snn.neuron.izhikevich import _PerNeuronBase, per_neuron_key

__all__ = ["PoissonSource", "BernoulliSource"]

_POSITIVE = Interval(0, None, low_closed=False)


class _Source(_PerNeuronBase):
    """Neurons that spike at random with a fixed probability per step."""

    def reset(self) -> None:
        """No spike yet; ``potentials`` stay 0 (sources have no membrane)."""
        super().reset()
        self.potentials = np.zeros(self._n_neurons)

    def _prob(self) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def update(self, incoming_v: np.ndarray | float = 0.0) -> None:
        """Advance one step: each neuron spikes with its probability (the input is ignored).

        Parameters
        ----------
        incoming_v : ndarray, shape (n_neurons,), or float
            Ignored (checked for shape only), so a source can sit in any network slot.
        """
        self._input(incoming_v)
        self.fired = self._uniforms(self._n_neurons) < self._prob()

    KERNEL_REPLACES = ("__call__", "update")

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """Kernels :func:`source_emit` / :func:`source_integrate` and their data for a tick:
        the uniforms of the tick's ``n_steps`` updates, drawn as ``update`` draws them."""
        n = self._n_neurons
        prob = np.ascontiguousarray(np.broadcast_to(np.asarray(self._prob(), dtype=np.float64), (n,)))
        return PartKernel(
            {"emit": source_emit, "integrate": source_integrate},
            params=(self._spike_values, prob),
            state=self._kernel_state("fired"),
            random=self._uniform_rows(n_steps, n),
        )


class BernoulliSource(_Source):
    """Neurons that spike independently with probability ``prob_fire`` each step.

    The input is ignored: use these to drive other populations or as a baseline.

    Parameters
    ----------
    **kwargs
        Values for the keys below (a part ignores keys it does not declare: a network shares one configuration among its parts and warns about a key no part claims).

    Notes
    -----
    Each step, neuron ``i`` spikes with probability :math:`p_i` (``prob_fire``),
    independently of other neurons and steps; its spike count over ``T`` steps is
    binomial :math:`B(T, p_i)`. Draws come from the part's own generator (``seed``).

    Examples
    --------
    >>> from spikey.snn.neuron import BernoulliSource
    >>> src = BernoulliSource(n_neurons=1000, prob_fire=0.2, seed=0)
    >>> src.reset()
    >>> counts = 0
    >>> for _ in range(100):
    ...     src += 0.0
    ...     counts += int((src() != 0).sum())
    >>> abs(counts / (1000 * 100) - 0.2) < 0.01
    True
    """

    PER_NEURON = ("prob_fire",)
    NECESSARY_KEYS = _PerNeuronBase.extend_keys(
        [per_neuron_key("prob_fire", "Probability of a spike per step.", 0.1, constraint=Interval(0, 1))]
    )

    def _prob(self) -> Any:
        return self._pv["prob_fire"]


class PoissonSource(_Source):
    """Neurons that spike as Poisson processes with ``rate`` Hz, one step = ``dt`` ms.

    The input is ignored: use these to drive other populations (e.g. the Poisson input
    layer of Diehl & Cook 2015) or as a baseline.

    Parameters
    ----------
    **kwargs
        Values for the keys below (a part ignores keys it does not declare: a network shares one configuration among its parts and warns about a key no part claims).

    Notes
    -----
    A Poisson process of rate :math:`\\lambda` discretised in steps of :math:`\\Delta t`:
    each step a neuron spikes with probability :math:`p = \\lambda \\Delta t` (rate in Hz,
    :math:`\\Delta t` in s), so the expected rate is exactly :math:`\\lambda`. At most one
    spike per step is possible, so :math:`\\lambda \\Delta t \\le 1` is required.

    References
    ----------
    .. [1] P. Dayan and L. F. Abbott, "Theoretical Neuroscience", MIT Press, 2001,
       section 1.4.

    Examples
    --------
    >>> from spikey.snn.neuron import PoissonSource
    >>> src = PoissonSource(n_neurons=500, rate=40.0, dt=1.0, seed=0)
    >>> src.reset()
    >>> n = 0
    >>> for _ in range(1000):  # 1 s
    ...     src += 0.0
    ...     n += int((src() != 0).sum())
    >>> abs(n / 500 - 40.0) < 1.0  # spikes per neuron per second
    True
    """

    PER_NEURON = ("rate",)
    NECESSARY_KEYS = _PerNeuronBase.extend_keys(
        [
            per_neuron_key("rate", "Firing rate.", 10.0, units="Hz", constraint=Interval(0, None)),
            Key("dt", "Length of one step.", float, 1.0, constraint=_POSITIVE, units="ms"),
        ]
    )

    def _resolve(self) -> None:
        p = np.asarray(self._pv["rate"]) * self._dt / 1000.0
        if np.any(p > 1.0):
            raise ConfigError(
                f"{self._owner()}.rate: expected rate * dt <= 1 spike per step (rate <= "
                f"{1000.0 / self._dt:g} Hz at dt={self._dt:g} ms); got a maximum rate of {np.max(self._pv['rate']):g} Hz."
            )
        self._p_step = p if p.ndim else float(p)

    def _prob(self) -> Any:
        return self._p_step


# ---------------------------------------------------------------------- kernels
# The compiled engine's version of _Source.__call__ and _Source.update. A source ignores
# its input, so its whole step runs in emit: the spikes of the last update are written,
# then this step's update draws the next ones (the engine calls emit and integrate of
# step t in that order, so the state after each step is the reference engine's).


@kernel
def source_emit(P, S, R, t, out):  # noqa: N803 - kernel signature
    """Spikes of the last update into ``out``, then the update of step ``t``: fire where
    the step's uniform is below the neuron's probability."""
    values, prob = P
    fired = S[0]
    for i in range(out.shape[0]):
        out[i] = values[i] if fired[i] else 0.0
        fired[i] = R[t, i] < prob[i]


@kernel
def source_integrate(P, S, current):  # noqa: N803 - kernel signature
    """Nothing: the input is ignored (the update ran in :func:`source_emit`)."""
    return
