"""Switch a key's value at a given step."""

from __future__ import annotations

from typing import Any

from spikey.module import Interval, Key
from spikey.snn.modifier.template import Modifier

__all__ = ["DropOff"]


class DropOff(Modifier):
    """``value_start`` before game step ``t_stop``, ``value_end`` from then on.

    Examples
    --------
    >>> from spikey.snn.modifier import DropOff
    >>> m = DropOff("network.neurons.prob_rand_fire", 2, 0.1, 0.0)
    >>> [m.value(t) for t in range(4)]
    [0.1, 0.1, 0.0, 0.0]
    """

    ARGS = ("param", "t_stop", "value_start", "value_end")
    NECESSARY_KEYS = Modifier.extend_keys(
        [
            Key("t_stop", "Game step at which the value switches.", int, constraint=Interval(0, None)),
            Key("value_start", "Value before t_stop."),
            Key("value_end", "Value from t_stop on."),
        ]
    )

    def value(self, time: int) -> Any:
        """The value at game step ``time``."""
        return self._value_start if time < self._t_stop else self._value_end
