"""Readout template: turns the output neurons' spikes into an action.

Protocol: ``readout(output_spike_train)`` with a boolean array of shape
``(processing_time, n_outputs)`` in time order (row ``-1`` is the latest step), the
output neurons being the last ``n_outputs`` body neurons; returns the action.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.module import Interval, Key
from spikey.snn.part import Part

__all__ = ["Readout"]


class Readout(Part):
    """Translates output spike trains into game actions (template)."""

    FAMILY = "readout"
    RNG_STREAM = "readout"

    NECESSARY_KEYS = [
        Key("n_outputs", "Number of output neurons.", int, constraint=Interval(0, None)),
        Key(
            "magnitude",
            "Size of a spike (kept for compatibility; readouts count spikes).",
            float,
            default=1.0,
            constraint=Interval(0, None),
        ),
        Key(
            "output_range",
            "The original Spikey's range of actions [low, high]: the two actions of Threshold; "
            "accepted (unused) by readouts whose actions are rates or pools.",
            (list, tuple, np.ndarray),
            default=None,
        ),
    ]

    def __call__(self, output_spike_train: np.ndarray) -> Any:
        """Interpret the output spikes of one game step.

        Parameters
        ----------
        output_spike_train : ndarray of bool, shape (processing_time, n_outputs)
            Output spikes in time order.

        Returns
        -------
        object
            The action.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement __call__.")
