"""Modifiers used by the experiments."""

from __future__ import annotations

from spikey.errors import ConfigError
from spikey.module import Interval, Key
from spikey.snn.modifier.linear_decay import LinearDecay

__all__ = ["DelayedRamp"]


class DelayedRamp(LinearDecay):
    """Hold ``value_start`` until game step ``t_start``, then move linearly to
    ``value_stop`` at step ``t_stop`` and stay there.

    :class:`~spikey.snn.modifier.LinearDecay` with a delayed start (``t_start = 0``
    is ``LinearDecay``).

    Parameters
    ----------
    param, t_stop, value_start, value_stop
        As for :class:`~spikey.snn.modifier.LinearDecay` (also positional).
    t_start : int
        Game step at which the change starts (keyword), ``< t_stop``.

    Examples
    --------
    >>> from spikey.experiments.modifiers import DelayedRamp
    >>> m = DelayedRamp("network.neurons.firing_threshold", 4, 10.0, 20.0, t_start=2)
    >>> [m.value(t) for t in range(6)]
    [10.0, 10.0, 10.0, 15.0, 20.0, 20.0]
    """

    NECESSARY_KEYS = LinearDecay.extend_keys(
        [
            Key(
                "t_start",
                "Game step at which the value starts to change.",
                int,
                default=0,
                constraint=Interval(0, None),
            )
        ]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._t_start >= self._t_stop:
            raise ConfigError(
                f"{type(self).__name__}.t_start: expected a step before t_stop={self._t_stop}; "
                f"got {self._t_start}."
            )

    def value(self, time: int) -> float:
        """``value_start`` before ``t_start``, linear up to ``t_stop``, then ``value_stop``."""
        frac = min(max(time - self._t_start, 0), self._t_stop - self._t_start) / (
            self._t_stop - self._t_start
        )
        return self._value_start + (self._value_stop - self._value_start) * frac
