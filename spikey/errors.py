"""Exceptions and warnings raised by spikey.

Every configuration problem is reported in one format::

    <Part>.<key>: expected <what>; got <value> (<type>).

Inside a network the slot is prefixed (``network.neurons: Neuron.firing_threshold: ...``).
"""

from __future__ import annotations

__all__ = [
    "SpikeyError",
    "ConfigError",
    "MissingKeyError",
    "ShapeError",
    "ActionError",
    "EpisodeError",
    "NumericalError",
    "SpikeyWarning",
    "UnclaimedKeyWarning",
    "EngineFallbackWarning",
    "WeightClipWarning",
    "ActionWarning",
    "CacheWarning",
]


class SpikeyError(Exception):
    """Base class of every error spikey raises on purpose."""


class ConfigError(SpikeyError, ValueError):
    """A parameter has the wrong type, is out of range, or parts disagree.

    Also a :class:`ValueError`, so code written against the original Spikey that
    caught ``ValueError`` keeps working.
    """


class MissingKeyError(ConfigError, KeyError):
    """A required key was not given and has no default.

    Also a :class:`KeyError`, as in the original Spikey.
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ShapeError(ConfigError):
    """Parts of a network disagree about array shapes or sizes."""


class ActionError(SpikeyError, ValueError):
    """An action outside a game's action space."""


class EpisodeError(SpikeyError, RuntimeError):
    """A game stepped before ``reset()`` or after its episode ended."""


class NumericalError(SpikeyError, FloatingPointError):
    """A state of a part became NaN or infinite while the network ran."""


class SpikeyWarning(UserWarning):
    """Base class of spikey's warnings."""


class UnclaimedKeyWarning(SpikeyWarning):
    """A configuration key that no part of a network uses (likely a typo)."""


class EngineFallbackWarning(SpikeyWarning):
    """A part overrides dynamics that a compiled engine cannot run."""


class WeightClipWarning(SpikeyWarning):
    """Weights given outside ``[0, max_weight]`` were clipped (as the original Spikey did)."""


class ActionWarning(SpikeyWarning):
    """A game took an action outside its action space (``strict_actions=False``)."""


class CacheWarning(SpikeyWarning):
    """A compile cache folder was refused, damaged or could not be written; the run
    goes on (see :mod:`spikey.snn.engine.cache`)."""
