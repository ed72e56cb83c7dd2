"""Move a key linearly from one value to another."""

from __future__ import annotations

from spikey.module import Interval, Key
from spikey.snn.modifier.template import Modifier

__all__ = ["LinearDecay"]


class LinearDecay(Modifier):
    """Value goes linearly from ``value_start`` (step 0) to ``value_stop`` (step
    ``t_stop``) and stays there.

    Examples
    --------
    >>> from spikey.snn.modifier import LinearDecay
    >>> m = LinearDecay("network.synapses.learning_rate", 4, 0.0, 2.0)
    >>> [m.value(t) for t in range(6)]
    [0.0, 0.5, 1.0, 1.5, 2.0, 2.0]
    """

    ARGS = ("param", "t_stop", "value_start", "value_stop")
    NECESSARY_KEYS = Modifier.extend_keys(
        [
            Key("t_stop", "Game step at which value_stop is reached.", int, constraint=Interval(1, None)),
            Key("value_start", "Value at step 0.", float),
            Key("value_stop", "Value from step t_stop on.", float),
        ]
    )

    def value(self, time: int) -> float:
        """``value_start + (value_stop - value_start) * min(time, t_stop) / t_stop``."""
        frac = min(time, self._t_stop) / self._t_stop
        return self._value_start + (self._value_stop - self._value_start) * frac
