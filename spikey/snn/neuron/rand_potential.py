"""Leaky integrate-and-fire neurons driven by random potential kicks."""

from __future__ import annotations

import numpy as np

from spikey.module import Interval, Key
from spikey.snn.neuron.template import Neuron

__all__ = ["RandPotential"]


class RandPotential(Neuron):
    """Spikey's LIF neurons where noise, not random spikes, drives exploration.

    Each step a random subset of neurons (each with probability ``prob_rand_fire``)
    receives a potential kick drawn from ``U(0, leak_scalar)`` before the threshold is
    tested; no neuron fires purely at random.

    Notes
    -----
    As :class:`~spikey.snn.neuron.Neuron`, with :math:`V \\leftarrow V + \\xi` before
    the threshold test, :math:`\\xi \\sim U(0, \\text{leak\\_scalar})` with probability
    ``prob_rand_fire`` and 0 otherwise.

    Examples
    --------
    >>> from spikey.snn.neuron import RandPotential
    >>> n = RandPotential(n_neurons=4, magnitude=1.0, firing_threshold=0.5,
    ...                   potential_decay=0.1, refractory_period=1,
    ...                   prob_rand_fire=1.0, leak_scalar=1.0, seed=1)
    >>> n.reset(); n().shape
    (4,)
    """

    NECESSARY_KEYS = Neuron.extend_keys(
        [
            Key(
                "leak_scalar",
                "Upper bound of the uniform potential kick (default: the original Spikey's "
                "documented value 0.1).",
                float,
                default=0.1,
                constraint=Interval(0, None),
                units="mV",
            )
        ]
    )

    def _threshold_crossings(self, threshold: float) -> np.ndarray:
        n = self._n_neurons
        kicked = self._uniforms(n) < self._prob_rand_fire
        noise = self.rng.random(n) * self._leak_scalar
        self.potentials += np.where(kicked, noise, 0.0)
        return self.potentials >= threshold
