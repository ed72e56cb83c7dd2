"""The one warning every compatibility adapter gives: the old spelling and the new one.

Adapters call :func:`deprecated` with the spelling the code used and the spelling that
replaces it. The warning's category is :class:`OriginalSpikeyWarning`, a
``DeprecationWarning``; spikey filters it out unless asked (the original Spikey's public
names keep working silently, as the guide promises). Show them with::

    import spikey.compat
    spikey.compat.show_warnings()          # or: warnings.simplefilter("default", spikey.compat.OriginalSpikeyWarning)
"""

from __future__ import annotations

import warnings

__all__ = ["OriginalSpikeyWarning", "deprecated", "show_warnings"]


class OriginalSpikeyWarning(DeprecationWarning):
    """Code uses a spelling of the original Spikey; the message names the new one."""


# silent by default: code written for the original Spikey runs without noise
warnings.filterwarnings("ignore", category=OriginalSpikeyWarning)


def deprecated(old: str, new: str, stacklevel: int = 3) -> None:
    """Warn that ``old`` (the original Spikey's spelling) is spelled ``new`` in spikey.

    Parameters
    ----------
    old, new : str
        The two spellings, as code would write them.
    stacklevel : int
        As for :func:`warnings.warn` (default: the caller of the adapter).
    """
    warnings.warn(
        f"{old} is the original Spikey's spelling; in spikey write {new}.",
        OriginalSpikeyWarning,
        stacklevel=stacklevel,
    )


def show_warnings(action: str = "default") -> None:
    """Show (``"default"``, ``"always"``) or raise (``"error"``) the original-spelling warnings.

    Parameters
    ----------
    action : str
        A :mod:`warnings` filter action.
    """
    warnings.filterwarnings(action, category=OriginalSpikeyWarning)
