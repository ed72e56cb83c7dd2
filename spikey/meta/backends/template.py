"""The backend interface of Series and Population: run many jobs, report each as it ends.

A backend runs ``fn(shared, item)`` for every item and yields ``(i, outcome)`` as each
finishes, in any order. ``shared`` is sent to the workers once (e.g. the templates);
``item`` describes one job (its parameters and seed). Meta tools wrap their jobs so
that ``fn`` never raises for a failing experiment: it returns an outcome recording the
error. A backend therefore only deals with infrastructure: starting, distributing,
retrying lost workers. To plug in your own, subclass :class:`MetaBackend` and
implement :meth:`MetaBackend.run` (and :meth:`~MetaBackend.start` /
:meth:`~MetaBackend.close` if it holds resources).

Examples
--------
A backend using a thread pool (jobs of numpy code release the GIL only in part):

>>> from concurrent.futures import ThreadPoolExecutor, as_completed
>>> from spikey.meta.backends import MetaBackend
>>> class ThreadBackend(MetaBackend):
...     name = "threads"
...     def run(self, fn, items, shared=None):
...         with ThreadPoolExecutor(2) as pool:
...             futures = {pool.submit(fn, shared, item): i for i, item in enumerate(items)}
...             for future in as_completed(futures):
...                 yield futures[future], future.result()
>>> sorted(ThreadBackend().distribute(lambda shared, x: x * shared, [1, 2, 3], shared=10))
[10, 20, 30]
"""

from __future__ import annotations

import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from spikey.compat.calls import star_call_items

__all__ = [
    "MetaBackend",
    "LOST",
    "TIMEOUT",
    "JobTimeout",
    "time_limit",
    "run_with_timeout",
    "timeout_outcome",
]

#: ``status`` of an outcome whose worker was lost for good (retries exhausted). Such jobs
#: are not checkpointed, so a resumed run tries them again.
LOST = "lost"
#: ``reason`` of a failed outcome whose job ran longer than ``job_timeout``.
TIMEOUT = "timeout"


class JobTimeout(BaseException):
    """Raised inside a job when its ``job_timeout`` expires.

    A ``BaseException`` (like ``KeyboardInterrupt``), so a job's own ``except Exception``
    does not swallow it: the backend records the job as failed with reason ``"timeout"``.
    """


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[bool]:
    """Interrupt the block with :class:`JobTimeout` after ``seconds`` (wall clock).

    Uses ``SIGALRM`` (POSIX, main thread), which interrupts Python code and sleeps and
    lets the process go on with the next job. Elsewhere (another thread, Windows) the
    block is not interrupted and the context yields False, so the caller can enforce the
    limit another way (the Ray backend also stops the worker from the driver).

    Yields
    ------
    bool
        Whether the limit is enforced in this process.
    """
    if not seconds or not _can_alarm():
        yield False
        return

    def _expired(signum: int, frame: Any) -> None:
        raise JobTimeout(f"the job ran longer than job_timeout={seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timeout_outcome(seconds: float, duration: float, trace: str = "") -> dict:
    """The outcome of a job stopped by its timeout: failed, reason ``"timeout"``."""
    return {
        "status": "failed",
        "reason": TIMEOUT,
        "error": f"timeout: the job ran longer than job_timeout={seconds:g} s and was stopped",
        "traceback": trace or "(stopped from outside the job; no traceback)",
        "duration": duration,
    }


def run_with_timeout(fn: Callable[[Any, Any], Any], shared: Any, item: Any, timeout: float | None) -> Any:
    """``fn(shared, item)``, or :func:`timeout_outcome` when it runs longer than ``timeout`` s."""
    if not timeout:
        return fn(shared, item)
    start = time.perf_counter()
    try:
        with time_limit(timeout):
            return fn(shared, item)
    except JobTimeout:
        return timeout_outcome(timeout, time.perf_counter() - start, traceback.format_exc())


_ARGS: Any = object()  # distribute without ``shared``: items are argument tuples


class MetaBackend:
    """Template of backends (see the module docstring).

    A backend is a context manager; nested ``with`` blocks share one session, and
    :meth:`close` runs when the outermost block exits. Meta tools enter their backend
    for the whole run, so a backend given to several of them (inside a user's ``with
    backend:``) keeps one runtime for all.

    Attributes
    ----------
    name : str
        Short name (``"single"``, ``"ray"``).
    """

    name = "template"

    def __init__(self) -> None:
        self._depth = 0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Acquire resources (e.g. start a runtime); idempotent. Default: nothing."""

    def close(self) -> None:
        """Release what :meth:`start` acquired; idempotent. Default: nothing."""

    def __enter__(self) -> MetaBackend:
        if self._depth == 0:
            self.start()
        self._depth += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        self._depth = max(0, self._depth - 1)
        if self._depth == 0:
            self.close()

    # ------------------------------------------------------------------ running
    @property
    def n_workers(self) -> int:
        """How many jobs run at once (for progress and chunking); default 1."""
        return 1

    #: Whether :meth:`run` takes ``timeout=`` (Series/Population's ``job_timeout``).
    supports_timeout = False

    def run(
        self, fn: Callable[[Any, Any], Any], items: Sequence[Any], shared: Any = None
    ) -> Iterator[tuple[int, Any]]:
        """Run ``fn(shared, item)`` for every item; yield ``(index, outcome)`` as each ends.

        Backends with ``supports_timeout = True`` also take ``timeout`` (seconds per
        job): a job running longer is stopped, its worker freed, and its outcome is
        :func:`timeout_outcome` (``status`` ``"failed"``, ``reason`` ``"timeout"``).

        Parameters
        ----------
        fn : callable
            A module-level function (picklable) of ``(shared, item)``.
        items : sequence
            One entry per job.
        shared : object
            Sent to the workers once, not once per job.

        Yields
        ------
        (int, object)
            Index into ``items`` and ``fn``'s return value, in completion order. A job
            whose worker was lost for good yields ``{"status": LOST, "error": ...}``.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement run(fn, items, shared).")

    def distribute(self, fn: Callable[..., Any], items: Sequence[Any], shared: Any = _ARGS) -> list:
        """Run every job and return the outcomes in the order of ``items``.

        Parameters
        ----------
        fn : callable
            ``fn(shared, item)`` when ``shared`` is given; without ``shared``, each item
            is a tuple of arguments and ``fn(*item)`` runs (the original Spikey's form).
        items : sequence
            One entry per job.
        shared : object, optional
            Sent to the workers once.

        Returns
        -------
        list
            The outcomes, in the order of ``items``.
        """
        if shared is _ARGS:
            fn, shared = star_call_items(type(self).__name__, fn, items), None
        out: list = [None] * len(items)
        with self:
            for i, outcome in self.run(fn, items, shared):
                out[i] = outcome
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
