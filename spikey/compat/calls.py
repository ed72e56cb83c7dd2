"""Call-form adapters that need nothing from spikey: the original's argument layouts.

Lowest layer of :mod:`spikey.compat`; any spikey module may import it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from spikey.compat._warn import deprecated

__all__ = ["StarCall", "star_call_items", "string_target"]


class StarCall:
    """``fn(*item)`` as a ``(shared, item)`` job: the original backends' call of a job.

    Picklable when ``fn`` is (a module-level function), so it runs on any backend.

    Examples
    --------
    >>> from spikey.compat.calls import StarCall
    >>> StarCall(pow)(None, (2, 3))
    8
    """

    def __init__(self, fn: Callable[..., Any]):
        self.fn = fn

    def __call__(self, shared: Any, item: Any) -> Any:
        return self.fn(*item)

    def __repr__(self) -> str:
        return f"StarCall({self.fn!r})"


def star_call_items(owner: str, fn: Callable[..., Any], items: Sequence[Any]) -> StarCall:
    """The job for ``backend.distribute(fn, [args, ...])``, the original's form.

    The original Spikey's backends called ``fn(*args)`` for each argument tuple;
    spikey's form passes ``shared`` and calls ``fn(shared, item)``.
    """
    deprecated(
        f"{owner}.distribute(fn, [args, ...]) calling fn(*args)",
        f"{owner}.distribute(fn, items, shared=...) calling fn(shared, item)",
        stacklevel=4,
    )
    return StarCall(fn)


def string_target(owner: str, target: str) -> list[str]:
    """A tracker target written as one string: ``"arg_0"`` or ``"network.synapses.weights"``.

    The original Spikey's ``monitor`` took such strings; spikey's spelling is a list of
    path elements.

    Examples
    --------
    >>> from spikey.compat.calls import string_target
    >>> string_target("RLCallback", "network.synapses.weights.matrix")
    ['network', 'synapses', 'weights', 'matrix']
    """
    path = [p for p in target.split(".") if p]
    deprecated(f"{owner}.track(..., {target!r})", f"{owner}.track(..., {path!r})", stacklevel=5)
    return path
