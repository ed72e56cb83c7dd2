"""Run jobs one after the other in this process (tests, debugging, small runs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from spikey.meta.backends.template import MetaBackend

__all__ = ["SingleProcessBackend"]


class SingleProcessBackend(MetaBackend):
    """Runs every job in the calling process, in order.

    Nothing is pickled, so templates may be defined anywhere, and a debugger or
    ``print`` works inside jobs. Results are identical to the ``ray`` backend's (each
    job has its own seed).

    Examples
    --------
    >>> from spikey.meta.backends import SingleProcessBackend
    >>> SingleProcessBackend().distribute(lambda shared, x: x + shared, [1, 2], shared=1)
    [2, 3]
    """

    name = "single"

    def run(
        self, fn: Callable[[Any, Any], Any], items: Sequence[Any], shared: Any = None
    ) -> Iterator[tuple[int, Any]]:
        """Run ``fn(shared, item)`` for each item in order; yield ``(index, outcome)``."""
        for i, item in enumerate(items):
            yield i, fn(shared, item)
