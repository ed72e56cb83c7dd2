"""Everything that exists only so code written for the original Spikey runs on spikey.

The rest of spikey does not know the original existed; it reaches this package through
a few hooks (module aliases at import, one legacy-key table applied at construction,
call-form adapters at the public entry points). Each adapter gives an
:class:`OriginalSpikeyWarning` (a ``DeprecationWarning``, silent unless shown with
:func:`show_warnings`) naming the spikey spelling.

Modules, lowest layer first (each imports only spikey modules of its layer or below):

- :mod:`spikey.compat.aliases`: ``spikey.neuron``, ``spikey.RL``, ... as import paths.
- :mod:`spikey.compat.keys`: the table of the original's key names and values.
- :mod:`spikey.compat.snn`: the original's ``Manual`` layer lists, ``Weight._matrix``,
  and :class:`RLSTDPET`, the original's reward-modulated STDP rule as it computed.
- :mod:`spikey.compat.logging`: ``compressnd``, ``sanitize_dictionary``, ``dejsonize``.
- :mod:`spikey.compat.calls`: the original's call forms of training loops, callbacks,
  Series, Population and meta games.

See the guide page "Coming from Spikey".
"""

from spikey._lazy import lazy_exports
from spikey.compat._warn import OriginalSpikeyWarning, deprecated, show_warnings

_LAZY = {
    "aliases": "spikey.compat.aliases",
    "keys": "spikey.compat.keys",
    "snn": "spikey.compat.snn",
    "logging": "spikey.compat.logging",
    "calls": "spikey.compat.calls",
    "RLSTDPET": "spikey.compat.snn",
    "compressnd": "spikey.compat.logging",
    "sanitize_dictionary": "spikey.compat.logging",
    "dejsonize": "spikey.compat.logging",
}
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)

__all__ = ["OriginalSpikeyWarning", "deprecated", "show_warnings", *_LAZY]
