"""Population vector: normalised, recency-weighted activity of action pools."""

from __future__ import annotations

import numpy as np

from spikey.module import Interval, Key
from spikey.snn.readout.neuron_rates import pool_bounds
from spikey.snn.readout.template import Readout

__all__ = ["PopulationVector"]

_POS = Interval(0, None, low_closed=False)


class PopulationVector(Readout):
    """Share of recent activity in each of ``n_actions`` pools of output neurons.

    Spikes are weighted by their age :math:`a` (steps before the end of the train)
    with the double-exponential kernel

    .. math:: K(a) = (e^{-a/\\tau_d} - e^{-a/\\tau_r}) / (\\tau_d - \\tau_r),

    summed per pool and normalised to sum 1 (uniform when there is no activity).

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.readout import PopulationVector
    >>> r = PopulationVector(n_outputs=2, n_actions=2)
    >>> train = np.zeros((30, 2), dtype=bool); train[10, 0] = True
    >>> r(train).tolist()
    [1.0, 0.0]
    """

    NECESSARY_KEYS = Readout.extend_keys(
        [
            Key("n_actions", "Number of action pools.", int, constraint=Interval(1, None)),
            Key(
                "kernel_tau_decay",
                "Decay time of the recency kernel.",
                float,
                50.0,
                constraint=_POS,
                units="ms",
            ),
            Key(
                "kernel_tau_rise",
                "Rise time of the recency kernel.",
                float,
                20.0,
                constraint=_POS,
                units="ms",
            ),
        ]
    )

    def _kernel(self, length: int) -> np.ndarray:
        """The recency weights of a train of ``length`` steps (computed once per length
        and time constants, then reused: a readout runs every game step)."""
        td, tr = self._kernel_tau_decay, self._kernel_tau_rise
        key = (length, td, tr, self._n_outputs, self._n_actions)
        cached = getattr(self, "_kernel_cache", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        age = np.arange(length)[::-1].astype(float)
        if td == tr:
            weights = age * np.exp(-age / td) / td**2
        else:
            weights = (np.exp(-age / td) - np.exp(-age / tr)) / (td - tr)
        weights.flags.writeable = False
        self._kernel_cache = (key, weights, pool_bounds(self._n_outputs, self._n_actions)[:-1])
        return weights

    def __call__(self, output_spike_train: np.ndarray) -> np.ndarray:
        """Normalised pool activities, shape (n_actions,)."""
        n = self._n_actions
        if self._n_outputs == 0:
            return np.full(n, 1.0 / n)
        spikes = np.asarray(output_spike_train != 0, dtype=float)
        activity = self._kernel(len(spikes)) @ spikes
        pools = np.add.reduceat(activity, self._kernel_cache[2])
        total = pools.sum()
        return pools / total if total > 0 else np.full(n, 1.0 / n)
