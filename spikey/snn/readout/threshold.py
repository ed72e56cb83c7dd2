"""Binary action from the output firing rate."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.module import Key, Predicate
from spikey.snn.readout.template import Readout

__all__ = ["Threshold"]


def _threshold_ok(value: Any) -> bool:
    return value == "mean" or isinstance(value, float)


class Threshold(Readout):
    """``output_range[rate >= action_threshold]``.

    ``rate`` is the output neurons' mean number of spikes per step. With
    ``action_threshold='mean'`` the threshold is the mean rate of all earlier calls
    (0 at the first).

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.readout import Threshold
    >>> r = Threshold(n_outputs=1, action_threshold=0.1, output_range=[0, 1])
    >>> r.reset(); r(np.array([[True], [False], [False]]))
    1
    """

    STATE = ("rate_log",)

    NECESSARY_KEYS = Readout.extend_keys(
        [
            Key(
                "action_threshold",
                "Rate (spikes per step per output neuron) at which the action flips, or 'mean'.",
                (float, str),
                constraint=Predicate(_threshold_ok, "a float or 'mean'"),
            ),
            Key("output_range", "The two actions [low, high].", (list, tuple, np.ndarray), default=[0, 1]),
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.rate_log = []

    def reset(self) -> None:
        """Forget the rates seen (for ``'mean'``)."""
        self.rate_log = []

    def __call__(self, output_spike_train: np.ndarray) -> Any:
        """The action for this output (see class docstring)."""
        if self._n_outputs == 0:
            return self._output_range[0]
        rate = float(np.mean(output_spike_train != 0))
        if self._action_threshold == "mean":
            threshold = float(np.mean(self.rate_log)) if self.rate_log else 0.0
            self.rate_log.append(rate)
        else:
            threshold = self._action_threshold
        return self._output_range[int(rate >= threshold)]
