"""Firing rates of groups of output neurons."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.module import Interval, Key
from spikey.snn.readout.template import Readout

__all__ = ["NeuronRates", "pool_bounds"]


def pool_bounds(n_outputs: int, n_actions: int) -> np.ndarray:
    """Boundaries splitting ``n_outputs`` neurons into ``n_actions`` near-equal pools."""
    return np.linspace(0, n_outputs, n_actions + 1).astype(np.int64)


class NeuronRates(Readout):
    """Mean firing rate (spikes per step) of each pool of output neurons.

    The outputs are split into ``n_actions`` consecutive pools (``0``: one pool per
    neuron); returns an array of ``n_actions`` rates.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.readout import NeuronRates
    >>> r = NeuronRates(n_outputs=4, n_actions=2)
    >>> r(np.array([[1, 1, 0, 0], [1, 0, 0, 0]], dtype=bool)).tolist()
    [0.75, 0.0]
    """

    NECESSARY_KEYS = Readout.extend_keys(
        [Key("n_actions", "Number of pools (0: one per output neuron).", int, constraint=Interval(0, None))]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        if self._n_actions == 0:
            self._n_actions = self._n_outputs

    def __call__(self, output_spike_train: np.ndarray) -> np.ndarray:
        """Rates of the pools, shape (n_actions,)."""
        if self._n_outputs == 0:
            return np.zeros(self._n_actions)
        per_neuron = np.mean(output_spike_train != 0, axis=0)
        bounds = pool_bounds(self._n_outputs, self._n_actions)
        sums = np.add.reduceat(per_neuron, bounds[:-1]) if len(per_neuron) else per_neuron
        return sums / np.maximum(np.diff(bounds), 1)
