"""Run jobs on a pool of local worker processes (the original Spikey's ``max_process``).

For one machine without Ray: ``max_process`` worker processes, each receiving the
shared part of the jobs (templates, training params) once. Jobs and their shared data
are serialized with cloudpickle (Ray's copy), so templates and functions defined in a
script or notebook, lambdas included, reach the workers. Ray stays the backend for
clusters and for losing workers gracefully; here a worker that dies takes the run down
with a :class:`~spikey.errors.SpikeyError`.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from spikey.errors import ConfigError, SpikeyError
from spikey.meta.backends.template import MetaBackend

__all__ = ["MultiprocessBackend"]

#: What a worker process received at start: (fn, shared).
_WORKER: dict[str, Any] = {}


def _dumps(obj: Any) -> bytes:
    try:
        from ray import cloudpickle
    except ImportError:  # pragma: no cover - ray is a dependency
        return pickle.dumps(obj)
    return cloudpickle.dumps(obj)


def _init_worker(payload: bytes) -> None:
    fn, shared = pickle.loads(payload)
    _WORKER["fn"], _WORKER["shared"] = fn, shared


def _run_one(item: bytes) -> Any:
    return _WORKER["fn"](_WORKER["shared"], pickle.loads(item))


class MultiprocessBackend(MetaBackend):
    """Runs jobs on ``max_process`` local worker processes.

    Parameters
    ----------
    max_process : int, optional
        Number of worker processes (default: the number of CPUs).

    Examples
    --------
    >>> from spikey.meta.backends import MultiprocessBackend
    >>> def add(shared, x):
    ...     return x + shared
    >>> MultiprocessBackend(max_process=2).distribute(add, [1, 2, 3], shared=10)
    [11, 12, 13]
    """

    name = "multiprocess"

    def __init__(self, max_process: int | None = None):
        super().__init__()
        if max_process is None:
            max_process = os.cpu_count() or 1
        if isinstance(max_process, bool) or not isinstance(max_process, int) or max_process < 1:
            raise ConfigError(f"MultiprocessBackend.max_process: expected an int >= 1; got {max_process!r}.")
        self.max_process = max_process

    @property
    def n_workers(self) -> int:
        """Number of worker processes."""
        return self.max_process

    def run(
        self, fn: Callable[[Any, Any], Any], items: Sequence[Any], shared: Any = None
    ) -> Iterator[tuple[int, Any]]:
        """Run ``fn(shared, item)`` for every item on the pool; yield ``(index, outcome)``
        as each finishes.

        Raises
        ------
        SpikeyError
            If a worker process dies (e.g. killed, out of memory).
        """
        items = list(items)
        if not items:
            return
        payload = _dumps((fn, shared))
        workers = min(self.max_process, len(items))
        ctx = multiprocessing.get_context(
            "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        )
        with ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_init_worker, initargs=(payload,)
        ) as pool:
            pending = {pool.submit(_run_one, _dumps(item)): i for i, item in enumerate(items)}
            try:
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        i = pending.pop(future)
                        yield i, future.result()
            except BrokenProcessPool as e:
                raise SpikeyError(
                    f"MultiprocessBackend: a worker process died ({e}); {len(pending)} job(s) did not "
                    "finish. Use the 'ray' backend to retry lost workers, or resume=True to continue."
                ) from None
            finally:
                for future in pending:
                    future.cancel()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(max_process={self.max_process})"
