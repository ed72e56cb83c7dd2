"""Run jobs on Ray: a local runtime started on demand, or a cluster.

Without an address (and without ``RAY_ADDRESS`` in the environment) the backend starts
a local Ray runtime when it starts and shuts it down when it closes; with
``address="host:port"`` (or ``RAY_ADDRESS``) it joins that cluster and only disconnects
at the end. If Ray is already initialised in this process, it uses that runtime and
leaves it running.

Cost model (2 cores): starting Ray takes 4-6 s, a task round trip about 2 ms. So the
backend keeps one runtime for a whole Series or Population, sends the shared part of
the jobs (templates, training params) to the object store once, lets Ray reuse its
worker processes, and groups short jobs into one task: it measures how long jobs take
and sizes tasks to about ``task_seconds`` (never more than a fair share of what is
left, so the workers stay balanced). A worker process that dies is replaced and its
task retried by Ray (``max_retries``); jobs are deterministic, so a retried job gives
the same result.

User code travels with the jobs: classes and functions from modules that are not
installed packages (scripts, notebooks, test files, experiment files) are pickled by
value, so the workers need not import them.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import math
import os
import socket
import statistics
import sys
import time
import types
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from spikey.errors import SpikeyError
from spikey.meta.backends.template import LOST, MetaBackend, run_with_timeout, timeout_outcome

__all__ = ["RayBackend", "check_address", "user_modules"]


def _run_chunk(
    fn: Callable[[Any, Any], Any], shared: Any, chunk: list[tuple[int, Any]], timeout: float | None = None
) -> list:
    """Worker side: run a group of jobs; return ``[(index, outcome, seconds), ...]``.

    With ``timeout``, each job is interrupted after that many seconds (on the worker's
    main thread) and its outcome records the timeout; the worker goes on.
    """
    try:
        import ray

        node = ray.get_runtime_context().get_node_id()
    except Exception:  # noqa: BLE001 - informational only
        node = None
    out = []
    for i, item in chunk:
        start = time.perf_counter()
        outcome = run_with_timeout(fn, shared, item, timeout)
        seconds = time.perf_counter() - start
        if isinstance(outcome, dict) and "worker" not in outcome:
            outcome["worker"] = {"node": node, "pid": os.getpid()}
        out.append((i, outcome, seconds))
    return out


@functools.lru_cache(maxsize=1)
def _installed_top_levels() -> frozenset[str]:
    try:
        return frozenset(importlib.metadata.packages_distributions())
    except Exception:  # noqa: BLE001 - metadata quirks: treat nothing as installed
        return frozenset()


def user_modules(obj: Any, max_depth: int = 6) -> list[str]:
    """Modules of the classes and functions reachable from ``obj`` that are user code.

    User code is any module that is neither part of the standard library nor of an
    installed distribution (spikey itself counts as installed), e.g. a script, a test
    file or an experiment file loaded by path. ``__main__`` is left out: cloudpickle
    already sends it by value.

    Parameters
    ----------
    obj : object
        What will be sent to the workers.
    max_depth : int
        How deep to follow attributes, containers and class dicts.

    Returns
    -------
    list of str
        Module names, sorted.
    """
    installed = _installed_top_levels()
    stdlib = set(getattr(sys, "stdlib_module_names", ())) | {"builtins"}
    found: set[str] = set()
    seen: set[int] = set()

    def note(module: str | None) -> None:
        if not module or module == "__main__" or module not in sys.modules:
            return
        top = module.split(".")[0]
        if top in stdlib or top in installed or top in ("spikey", "numpy", "ray"):
            return
        found.add(module)

    def walk(x: Any, depth: int) -> None:
        if depth > max_depth or id(x) in seen:
            return
        seen.add(id(x))
        if isinstance(x, (str, bytes, int, float, bool, type(None))):
            return
        if isinstance(x, dict):
            for k, v in x.items():
                walk(k, depth + 1)
                walk(v, depth + 1)
            return
        if isinstance(x, (list, tuple, set, frozenset, deque)):
            for v in x:
                walk(v, depth + 1)
            return
        if isinstance(x, type):
            for base in x.__mro__:
                if base is object:
                    continue
                note(getattr(base, "__module__", None))
                if getattr(base, "__module__", "").split(".")[0] not in ("spikey", "builtins"):
                    for v in list(vars(base).values()):
                        walk(v, depth + 1)
            return
        if isinstance(x, (types.FunctionType, types.MethodType)):
            note(getattr(x, "__module__", None))
            for v in (x.__defaults__ or ()) if isinstance(x, types.FunctionType) else ():
                walk(v, depth + 1)
            return
        if isinstance(x, (staticmethod, classmethod)):
            walk(x.__func__, depth + 1)
            return
        if callable(x) and hasattr(x, "__module__") and not hasattr(x, "__dict__"):
            note(getattr(x, "__module__", None))
            return
        walk(type(x), depth + 1)
        state = getattr(x, "__dict__", None)
        if isinstance(state, dict):
            for v in state.values():
                walk(v, depth + 1)

    walk(obj, 0)
    return sorted(found)


def check_address(address: str, timeout: float = 10.0) -> None:
    """Raise unless a Ray cluster address answers within ``timeout`` seconds.

    ``ray.init(address=...)`` on an address where nothing listens retries for minutes,
    printing only connection warnings; this opens a TCP connection to the address
    first. ``"auto"`` (find a cluster started on this machine) is not checked.

    Parameters
    ----------
    address : str
        ``"host:port"`` (the head's GCS port, 6379 by default) or ``"ray://host:port"``
        (Ray Client).
    timeout : float
        Seconds to wait for the connection.

    Raises
    ------
    SpikeyError
        Naming the address and what failed (unknown host, nothing listening, no answer).

    Examples
    --------
    >>> from spikey.meta.backends.ray import check_address
    >>> check_address("no-port-given")
    Traceback (most recent call last):
    ...
    spikey.errors.SpikeyError: RayBackend: cluster address 'no-port-given': expected 'host:port' or 'ray://host:port'.
    """
    if address in ("auto", "local"):
        return
    target = address.split("://", 1)[1] if "://" in address else address
    host, sep, port_text = target.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit():
        raise SpikeyError(
            f"RayBackend: cluster address {address!r}: expected 'host:port' or 'ray://host:port'."
        )
    port = int(port_text)
    hint = (
        f"start the head with 'ray start --head --port={port}' there, or check --address / RAY_ADDRESS"
    )
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except socket.gaierror as e:
        raise SpikeyError(f"RayBackend: cannot join Ray cluster at {address}: unknown host {host!r} ({e}).") from None
    except TimeoutError:
        raise SpikeyError(
            f"RayBackend: cannot join Ray cluster at {address}: no answer within {timeout:g} s; {hint}."
        ) from None
    except OSError as e:
        raise SpikeyError(
            f"RayBackend: cannot join Ray cluster at {address}: nothing answers there "
            f"({e.strerror or e}); {hint}."
        ) from None


class RayBackend(MetaBackend):
    """Runs jobs on a Ray runtime (local) or cluster.

    Parameters
    ----------
    address : str, optional
        Cluster to join, ``"host:port"``. Default: the ``RAY_ADDRESS`` environment
        variable, else a new local runtime.
    num_cpus : int, optional
        CPUs of a local runtime (default: all). Ignored when joining a cluster.
    max_retries : int
        How often Ray retries a task whose worker process or node died.
    task_seconds : float
        Target duration of one task; short jobs are grouped up to about this long.
    max_jobs_per_task : int, optional
        Upper bound of jobs grouped into one task (1: one job per task).
    init_kwargs : dict, optional
        More arguments to ``ray.init`` (e.g. ``{"log_to_driver": True}`` to see the
        workers' output, ``runtime_env``).
    pickle_by_value : "auto", list of str or False
        Modules whose classes and functions are sent by value: ``"auto"`` finds the
        user code reachable from the jobs (see :func:`user_modules`).
    scheduling_strategy : str, optional
        Ray's task scheduling strategy, e.g. ``"SPREAD"`` to use every node even when
        the jobs would fit on one.
    verbose : bool
        Print ``spikey: starting Ray (N CPUs) ... ready in T s`` (or ``joining Ray
        cluster at ADDRESS``) to stderr when the backend starts a runtime.
    connect_timeout : float
        Seconds to wait for a cluster address to answer before
        :class:`~spikey.errors.SpikeyError` (Ray itself would retry for minutes).

    Notes
    -----
    A local runtime started here is shut down by :meth:`close`; a runtime that was
    already running (``ray.init`` called by the user) is left alone. Ray's usage
    statistics are turned off for local runtimes unless ``RAY_USAGE_STATS_ENABLED`` is
    set.

    Examples
    --------
    >>> from spikey.meta import Series
    >>> from spikey.meta.backends import RayBackend
    >>> series = Series(network_template, game_template, GenericLoop, spec,
    ...                 training_params=params, backend=RayBackend(num_cpus=2))  # doctest: +SKIP
    >>> with RayBackend() as backend:  # one runtime for several series  # doctest: +SKIP
    ...     df_a = Series(..., backend=backend).run()
    ...     df_b = Series(..., backend=backend).run()
    """

    name = "ray"
    supports_timeout = True
    #: Extra seconds the driver waits beyond ``timeout`` before it stops a worker whose job
    #: did not stop itself (e.g. stuck in compiled code), counted from when the job started.
    timeout_grace = 5.0

    def __init__(
        self,
        address: str | None = None,
        *,
        num_cpus: int | None = None,
        max_retries: int = 3,
        task_seconds: float = 0.5,
        max_jobs_per_task: int | None = None,
        init_kwargs: dict | None = None,
        pickle_by_value: str | Sequence[str] | bool = "auto",
        scheduling_strategy: str | None = None,
        verbose: bool = True,
        connect_timeout: float = 10.0,
    ):
        super().__init__()
        if max_retries < 0:
            raise SpikeyError(f"RayBackend.max_retries: expected an int >= 0; got {max_retries!r}.")
        if task_seconds <= 0:
            raise SpikeyError(f"RayBackend.task_seconds: expected a float > 0; got {task_seconds!r}.")
        self.address = address
        self.num_cpus = num_cpus
        self.max_retries = int(max_retries)
        self.task_seconds = float(task_seconds)
        self.max_jobs_per_task = max_jobs_per_task
        self.init_kwargs = dict(init_kwargs or {})
        self.pickle_by_value = pickle_by_value
        self.scheduling_strategy = scheduling_strategy
        self.verbose = bool(verbose)
        self.connect_timeout = float(connect_timeout)
        self._owned = False
        self._started = False
        self._remote = None
        self.startup_seconds: float | None = None
        #: ``{"jobs": n, "tasks": m}`` of the last :meth:`run` (how jobs were grouped).
        self.last_run_stats: dict[str, int] = {}

    def __repr__(self) -> str:
        where = self.address or os.environ.get("RAY_ADDRESS") or "local"
        return f"RayBackend(address={where!r})"

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Join the cluster or start a local runtime (if Ray is not running yet)."""
        if self._started:
            return
        import ray

        t0 = time.perf_counter()
        if ray.is_initialized():
            self._owned = False
        else:
            address = self.address or os.environ.get("RAY_ADDRESS") or "local"
            kwargs: dict[str, Any] = {
                "include_dashboard": False,
                "log_to_driver": False,
                "logging_level": logging.ERROR,
            }
            if address == "local":
                os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
                if self.num_cpus is not None:
                    kwargs["num_cpus"] = int(self.num_cpus)
            else:
                kwargs.pop("include_dashboard")
                check_address(address, self.connect_timeout)
            kwargs.update(self.init_kwargs)
            if self.verbose:
                if address == "local":
                    n = kwargs.get("num_cpus") or os.cpu_count() or 1
                    what = f"starting Ray ({n} CPU{'s' if n != 1 else ''})"
                else:
                    what = f"joining Ray cluster at {address}"
                print(f"spikey: {what} ...", end="", file=sys.stderr, flush=True)
            try:
                ray.init(address=address, **kwargs)
            except (ConnectionError, RuntimeError, ValueError) as e:
                if self.verbose:
                    print(" failed", file=sys.stderr, flush=True)
                raise SpikeyError(
                    f"RayBackend: cannot {'start a local Ray runtime' if address == 'local' else 'join ' + address}: "
                    f"{type(e).__name__}: {e}"
                ) from e
            self._owned = True
            if self.verbose:
                seconds = time.perf_counter() - t0
                extra = ""
                if address != "local":
                    try:
                        extra = f", {int(ray.cluster_resources().get('CPU', 0))} CPUs"
                    except Exception:  # noqa: BLE001 - informational only
                        extra = ""
                print(f" ready in {seconds:.1f} s{extra}", file=sys.stderr, flush=True)
        options: dict[str, Any] = {"max_retries": self.max_retries, "retry_exceptions": False}
        if self.scheduling_strategy is not None:
            options["scheduling_strategy"] = self.scheduling_strategy
        self._remote = ray.remote(_run_chunk).options(**options)
        self._started = True
        self.startup_seconds = time.perf_counter() - t0

    def close(self) -> None:
        """Shut down the runtime if this backend started or joined it."""
        if not self._started:
            return
        self._started = False
        self._remote = None
        if self._owned:
            import ray

            self._owned = False
            if ray.is_initialized():
                ray.shutdown()

    @property
    def n_workers(self) -> int:
        """CPUs of the cluster (1 before :meth:`start`)."""
        if not self._started:
            return 1
        import ray

        try:
            return max(1, int(ray.cluster_resources().get("CPU", 1)))
        except Exception:  # noqa: BLE001
            return 1

    # ------------------------------------------------------------------ running
    def _register_by_value(self, shared: Any) -> None:
        if not self.pickle_by_value:
            return
        from ray import cloudpickle

        names = user_modules(shared) if self.pickle_by_value == "auto" else list(self.pickle_by_value)
        for name in names:
            module = sys.modules.get(name)
            if module is not None:
                try:
                    cloudpickle.register_pickle_by_value(module)
                except ValueError:  # already registered or not picklable by value
                    pass

    def run(
        self,
        fn: Callable[[Any, Any], Any],
        items: Sequence[Any],
        shared: Any = None,
        *,
        timeout: float | None = None,
    ) -> Iterator[tuple[int, Any]]:
        """Run ``fn(shared, item)`` for every item on Ray; yield ``(index, outcome)`` as each ends.

        ``shared`` goes to the object store once. Jobs are grouped into tasks of about
        ``task_seconds`` once their duration is known (single jobs until then). A task
        that still fails after ``max_retries`` (e.g. every retry lost its worker)
        yields ``{"status": "lost", "error": ...}`` for each of its jobs.

        With ``timeout`` (seconds per job), every job is its own task and at most one
        task per CPU is in flight; a job running longer is interrupted on its worker
        (which goes on with the next task) and recorded as failed with reason
        ``"timeout"``. A job that cannot be interrupted there (stuck in compiled code)
        has its worker process stopped by the driver ``timeout_grace`` seconds later;
        Ray starts a new one.

        Raises
        ------
        SpikeyError
            If the jobs cannot run on the workers at all (e.g. classes the workers
            cannot unpickle); jobs finished until then have been yielded.
        """
        import ray

        with self:
            self._register_by_value((fn, shared, list(items)))
            shared_ref = ray.put(shared)
            n_cpus = self.n_workers
            pending = deque(range(len(items)))
            in_flight: dict[Any, list[int]] = {}
            durations: list[float] = []
            stats = self.last_run_stats = {"jobs": len(items), "tasks": 0}

            started: dict[Any, float] = {}

            def chunk_size() -> int:
                if timeout:
                    return 1
                if not durations:
                    return 1
                # the median: a worker's first job also pays one-off costs (imports, loading
                # compiled kernels), which must not make every later task small
                mean = max(statistics.median(durations), 1e-6)
                by_time = max(1, int(self.task_seconds / mean))
                by_balance = max(1, math.ceil(len(pending) / (2 * n_cpus)))
                n = min(by_time, by_balance)
                if self.max_jobs_per_task:
                    n = min(n, int(self.max_jobs_per_task))
                return n

            try:
                limit = n_cpus if timeout else 2 * n_cpus
                while pending or in_flight:
                    while pending and len(in_flight) < limit:
                        k = min(chunk_size(), len(pending))
                        chunk = [pending.popleft() for _ in range(k)]
                        ref = self._remote.remote(fn, shared_ref, [(i, items[i]) for i in chunk], timeout)
                        in_flight[ref] = chunk
                        started[ref] = time.monotonic()
                        stats["tasks"] += 1
                    ready, _ = ray.wait(
                        list(in_flight), num_returns=1, timeout=min(1.0, float(timeout)) if timeout else None
                    )
                    if timeout:
                        yield from self._stop_overdue(in_flight, started, float(timeout), set(ready))
                    for ref in ready:
                        chunk = in_flight.pop(ref)
                        started.pop(ref, None)
                        try:
                            results = ray.get(ref)
                        except ray.exceptions.RayTaskError as e:
                            # jobs catch their own errors: this is the machinery failing on the
                            # worker (typically templates it cannot unpickle), the same for all jobs
                            raise SpikeyError(
                                "RayBackend: the jobs cannot run on the Ray workers: "
                                f"{str(e).strip().splitlines()[-1][:500]}. Define templates in an "
                                "installed module, or list their modules in pickle_by_value=[...]."
                            ) from e
                        except ray.exceptions.RayError as e:  # worker or node lost beyond the retries
                            text = f"{type(e).__name__}: {e}"
                            for i in chunk:
                                yield (
                                    i,
                                    {
                                        "status": LOST,
                                        "error": text.strip().splitlines()[0][:500],
                                        "traceback": text,
                                    },
                                )
                            continue
                        for i, outcome, seconds in results:
                            durations.append(seconds)
                            yield i, outcome
            finally:
                for ref in in_flight:
                    try:
                        ray.cancel(ref, force=True)
                    except Exception:  # noqa: BLE001 - best effort on interruption
                        pass

    def _stop_overdue(
        self, in_flight: dict[Any, list[int]], started: dict[Any, float], timeout: float, ready: set
    ) -> Iterator[tuple[int, Any]]:
        """Stop the workers of tasks (not ``ready``) past ``timeout + timeout_grace``; yield their timeouts."""
        import ray

        now = time.monotonic()
        overdue = [
            r for r, t0 in started.items() if r not in ready and now - t0 > timeout + self.timeout_grace
        ]
        for ref in overdue:
            try:
                ray.cancel(ref, force=True)
            except Exception:  # noqa: BLE001 - the worker may have just finished
                pass
            t0 = started.pop(ref)
            for i in in_flight.pop(ref):
                yield i, timeout_outcome(timeout, now - t0)
