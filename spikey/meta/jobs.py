"""What Series and Population send to a backend: jobs, their runner, their outcomes.

A job is data (index, parameters, seed); the *runner* is what all jobs share (the
templates, the training loop and its params, the callback) and is sent to the workers
once. :func:`run_series_job` and :func:`run_fitness_job` are the functions a backend
calls; they never raise for a failing experiment: the outcome records the error and
its traceback instead.

Outcomes are dicts: ``status`` (``"ok"`` or ``"failed"``), ``duration`` [s], and
``results``/``log`` (Series) or ``fitness``/``done`` (Population), or ``error`` and
``traceback``.
"""

from __future__ import annotations

import copy as _copy
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from spikey.errors import SpikeyWarning

__all__ = [
    "Job",
    "SeriesRunner",
    "FitnessJob",
    "run_series_job",
    "run_fitness_job",
    "JobFailedWarning",
    "JobsLostWarning",
    "progress_bar",
    "default_folder",
    "check_timeout",
]


class JobFailedWarning(SpikeyWarning):
    """Some jobs raised; they are recorded as failed (with tracebacks) and the others ran."""


class JobsLostWarning(SpikeyWarning):
    """Some jobs lost their worker more often than the backend retries; a resumed run tries them again."""


@dataclass(frozen=True)
class Job:
    """One run of a Series.

    Attributes
    ----------
    index : int
        Position in the series (``config * n_repeats + repeat``).
    config : int
        Index of the configuration in the spec.
    repeat : int
        Repetition of that configuration.
    seed : int
        The run's seed (see :class:`spikey.meta.Series` for how it is derived).
    params : dict
        The configuration's parameters (overrides of the training loop).
    """

    index: int
    config: int
    repeat: int
    seed: int
    params: dict = field(default_factory=dict)


@dataclass
class SeriesRunner:
    """What every job of a Series shares (sent to the workers once)."""

    network_template: Any
    game_template: Any
    loop_class: Any
    training_params: dict
    callback: Any = None
    log: bool = True

    def make_loop(self) -> Any:
        """A fresh training loop with its own copy of the callback (no build check)."""
        callback = self.callback
        if callback is not None and not isinstance(callback, type):
            callback = _copy.deepcopy(callback)
        return self.loop_class(
            self.network_template, self.game_template, callback, dict(self.training_params), check=False
        )


def _failure(e: BaseException, start: float) -> dict:
    return {
        "status": "failed",
        "error": f"{type(e).__name__}: {e}".strip()[:2000],
        "traceback": traceback.format_exc(),
        "duration": time.perf_counter() - start,
    }


def run_series_job(runner: SeriesRunner, job: Job) -> dict:
    """Run one Series job: build a loop, train, return results and the log's content.

    Returns
    -------
    dict
        ``{"status": "ok", "results": dict, "log": dict or None, "duration": s}`` or
        ``{"status": "failed", "error": str, "traceback": str, "duration": s}``.
    """
    from spikey.logging.log import make_log

    start = time.perf_counter()
    try:
        loop = runner.make_loop()
        network, game, results, info = loop(seed=job.seed, progress=False, **job.params)
        log = make_log(network, game, results, info) if runner.log else None
    except Exception as e:  # noqa: BLE001 - a failing job is recorded, the others go on
        return _failure(e, start)
    return {"status": "ok", "results": results, "log": log, "duration": time.perf_counter() - start}


@dataclass(frozen=True)
class FitnessJob:
    """One fitness evaluation of a Population.

    Attributes
    ----------
    key : str
        The genotype's canonical key (the fitness cache's key).
    genotype : dict
        Gene -> value.
    seed : int
        Seed of the evaluation, derived from the population seed and ``key``.
    """

    key: str
    genotype: dict
    seed: int


def run_fitness_job(game: Any, job: FitnessJob) -> dict:
    """Evaluate one genotype with a MetaRL game (a copy, seeded with the job's seed).

    Returns
    -------
    dict
        ``{"status": "ok", "fitness": float, "done": bool, "duration": s}`` or a
        failure record.
    """
    start = time.perf_counter()
    try:
        metagame = game.copy() if callable(getattr(game, "copy", None)) else _copy.deepcopy(game)
        metagame.seed(job.seed)
        out = metagame.get_fitness(dict(job.genotype))
        if isinstance(out, tuple):
            fitness, done = out
        else:
            fitness, done = out, False
        fitness = float(fitness)
    except Exception as e:  # noqa: BLE001 - recorded as failed; the others go on
        return _failure(e, start)
    return {"status": "ok", "fitness": fitness, "done": bool(done), "duration": time.perf_counter() - start}


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(total: int, desc: str, progress: bool | None, initial: int = 0, unit: str = "job") -> Any:
    """A tqdm bar on stderr (see :func:`spikey.core.training_loop.progress_enabled`), or a no-op."""
    from spikey.core.training_loop import progress_enabled

    if not progress_enabled(progress):
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return _NoBar()
    return tqdm(total=total, initial=initial, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)


def default_folder(kind: str, prefix: str) -> str:
    """``log/<kind>-<prefix>-<5 letters>``: a new folder for a run without ``folder=``."""
    from spikey.files import unique_name

    while True:
        path = os.path.join("log", f"{kind}-{prefix}-{unique_name()}")
        if not os.path.exists(path):
            return path


def check_timeout(job_timeout: Any, backend: Any, owner: str) -> float | None:
    """``job_timeout`` as seconds (None: no limit), checked against the backend.

    Raises
    ------
    ConfigError
        For a value that is not a number > 0, or a backend whose ``run`` takes no
        ``timeout`` (``supports_timeout`` False).
    """
    from spikey.errors import ConfigError

    if job_timeout is None:
        return None
    if isinstance(job_timeout, bool) or not isinstance(job_timeout, (int, float)) or not job_timeout > 0:
        raise ConfigError(f"{owner}.job_timeout: expected a number of seconds > 0 or None; got {job_timeout!r}.")
    if not getattr(backend, "supports_timeout", False):
        raise ConfigError(
            f"{owner}.job_timeout: the backend {backend!r} cannot stop jobs (its run() takes no timeout); use "
            "'single' or 'ray', or set supports_timeout and accept timeout= in your backend's run()."
        )
    return float(job_timeout)
