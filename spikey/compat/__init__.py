"""Everything that exists only so code written for the original Spikey runs on spikey.

The rest of spikey does not know the original existed; it reaches this package through
a few hooks (module aliases at import, one table of the original's template names read
at construction, mixins with the original's attribute names, call-form adapters at the
public entry points). Each adapter gives an
:class:`OriginalSpikeyWarning` (a ``DeprecationWarning``, silent unless shown with
:func:`show_warnings`) naming the spikey spelling.

Modules, lowest layer first (each imports only spikey modules of its layer or below):

- :mod:`spikey.compat.aliases`: ``spikey.neuron``, ``spikey.RL``, ... as import paths.
- :mod:`spikey.compat.calls`: call-form adapters needing nothing from spikey
  (backends' ``fn(*args)``, string tracker targets).
- :mod:`spikey.compat.templates`: ``config`` / ``_template_parts`` (the one table of
  the original's template names) and built networks and games as templates.
- :mod:`spikey.compat.weights`: ``Manual(matrix=[layer, ...])``, ``Weight._matrix``
  and ``_clip_weights``.
- :mod:`spikey.compat.synapse`: :class:`RLSTDPET`, the original's reward-modulated
  STDP rule as it computed (opt-in).
- :mod:`spikey.compat.core`: training loops' and callbacks' call forms (``monitor``,
  ``training_end``, ``list(callback)``, ``reset()`` without parameters, ``eval_steps``).
- :mod:`spikey.compat.logging`: ``compressnd``, ``sanitize_dictionary``, ``dejsonize``.
- :mod:`spikey.compat.meta`: Series' and Population's call forms and keys,
  ``GenotypeMapping``, ``checkpoint_population``.

See the guide page "Coming from Spikey".
"""

from spikey._lazy import lazy_exports
from spikey.compat._warn import OriginalSpikeyWarning, deprecated, show_warnings

_LAZY = {
    "aliases": "spikey.compat.aliases",
    "calls": "spikey.compat.calls",
    "templates": "spikey.compat.templates",
    "weights": "spikey.compat.weights",
    "synapse": "spikey.compat.synapse",
    "core": "spikey.compat.core",
    "logging": "spikey.compat.logging",
    "meta": "spikey.compat.meta",
    "RLSTDPET": "spikey.compat.synapse",
    "compressnd": "spikey.compat.logging",
    "sanitize_dictionary": "spikey.compat.logging",
    "dejsonize": "spikey.compat.logging",
}
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)

__all__ = ["OriginalSpikeyWarning", "deprecated", "show_warnings", *_LAZY]
