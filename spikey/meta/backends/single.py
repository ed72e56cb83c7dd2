"""Run jobs one after the other in this process (tests, debugging, small runs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from spikey.meta.backends.template import MetaBackend, run_with_timeout

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
    supports_timeout = True

    def run(
        self,
        fn: Callable[[Any, Any], Any],
        items: Sequence[Any],
        shared: Any = None,
        *,
        timeout: float | None = None,
    ) -> Iterator[tuple[int, Any]]:
        """Run ``fn(shared, item)`` for each item in order; yield ``(index, outcome)``.

        With ``timeout`` (seconds), a job running longer is interrupted (``SIGALRM``; in
        the main thread on POSIX) and recorded as failed with reason ``"timeout"``; the
        next job starts at once. Elsewhere the limit cannot interrupt in-process code
        and a :class:`~spikey.errors.ConfigError` says so before any job runs.
        """
        if timeout:
            from spikey.meta.backends.template import _can_alarm

            if not _can_alarm():
                from spikey.errors import ConfigError

                raise ConfigError(
                    "SingleProcessBackend: job_timeout needs SIGALRM in the main thread (POSIX); here jobs "
                    "cannot be interrupted. Use the ray backend, or run from the main thread."
                )
        for i, item in enumerate(items):
            yield i, run_with_timeout(fn, shared, item, timeout)
