"""Series: run an experiment over a grid or list of configurations, repeated, on a backend.

.. code-block:: python

    import spikey
    from spikey.meta import Series

    series = Series(
        network_template, game_template, spikey.core.GenericLoop,
        ("learning_rate", [0.01, 0.05, 0.1]),
        training_params={"n_episodes": 20, "len_episode": 10},
        n_repeats=4, seed=0, backend="ray", folder="log/lr",
    )
    df = series.run()                      # one row per run, a pandas DataFrame
    df.groupby("learning_rate")["mean_accuracy"].mean()

The spec grammar is described in :mod:`spikey.meta.spec`. Every job's configuration is
validated in the driver when the Series is built (see :mod:`spikey.meta.validate`), so
a typo or an invalid value fails before anything runs.

Seeds
-----
One series seed (``seed=``; default ``training_params["seed"]``, else drawn and logged).
Run ``r`` of configuration ``c`` gets ``spikey.rng.derive_seed(seed, f"job/{c}/{r}")``,
so a run's result does not depend on the backend, the order jobs run in, retries, or
how many repeats there are. A spec that varies ``seed`` itself gives those seeds.

Output folder
-------------
``folder`` (default ``log/series-<date>-<id>``) gets one log per run
(``<date>-<5 letters>.json``, the letters counting jobs: ``aaaaa``, ``aaaab``, ...),
``<date>~SUMMARY.json`` and ``checkpoint.jsonl``, to which every finished job is
appended (fsynced) at once. ``resume=True`` continues a run that crashed or was killed,
skipping finished jobs; a resumed run ends with exactly the table of an uninterrupted
one. A job that raises is recorded as failed with its traceback; the others go on.
"""

from __future__ import annotations

import numbers
import os
import warnings
from collections.abc import Iterator
from typing import Any

import pandas as pd

from spikey.compat.meta import UNSET, series_arguments
from spikey.errors import ConfigError
from spikey.logging.serialize import decode, encode
from spikey.meta.backends import LOST, MetaBackend, get_backend
from spikey.meta.checkpoint import Checkpoint, JobLogger, OutputError, fingerprint
from spikey.meta.jobs import (
    Job,
    JobFailedWarning,
    JobsLostWarning,
    SeriesRunner,
    default_folder,
    progress_bar,
    run_series_job,
)
from spikey.meta.spec import MAX_JOBS, canonical_key, count_configs, expand_spec, spec_axes
from spikey.meta.validate import KeyIndex, check_build, describe_params
from spikey.module import Interval, Key
from spikey.rng import derive_seed, fresh_seed

__all__ = ["Series", "TIMING_COLUMNS", "job_seed", "structure_key", "BUILD_EACH"]

#: Result columns that measure time (they differ between otherwise identical runs).
TIMING_COLUMNS = ("total_time",)
#: Leading columns of the results table.
JOB_COLUMNS = ("job", "config", "repeat", "seed")


#: Up to this many configurations, each distinct one is built once in the driver; above,
#: one representative per :func:`structure_key`.
BUILD_EACH = 256


def structure_key(params: dict) -> str:
    """The configuration with every number replaced by its type: equal for configurations
    that differ only in numbers (which key checks cover without building)."""

    def shape(v: Any) -> Any:
        if isinstance(v, numbers.Number) and not isinstance(v, bool):
            return f"<{type(v).__name__}>"
        return v

    return canonical_key({k: shape(v) for k, v in params.items()})


def job_seed(series_seed: int, config: int, repeat: int) -> int:
    """The seed of run ``repeat`` of configuration ``config``.

    Examples
    --------
    >>> from spikey.meta.series import job_seed
    >>> job_seed(0, 0, 0) == job_seed(0, 0, 0) != job_seed(0, 0, 1)
    True
    """
    return derive_seed(series_seed, f"job/{config}/{repeat}")


def _import_path(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}:{getattr(obj, '__qualname__', type(obj).__name__)}"


def _resolve_loop(training_loop: Any, training_params: dict | None, callback: Any) -> tuple[type, dict, Any]:
    """(loop class, training params, callback) from a TrainingLoop class or instance."""
    from spikey.core import TrainingLoop

    params: dict = {}
    if isinstance(training_loop, TrainingLoop):
        params.update(training_loop.params)
        if callback is None:
            callback = training_loop.callback
        loop_class = type(training_loop)
    elif isinstance(training_loop, type) and issubclass(training_loop, TrainingLoop):
        loop_class = training_loop
    else:
        raise ConfigError(
            f"Series.training_loop: expected a spikey.core.TrainingLoop subclass (e.g. GenericLoop) or "
            f"instance; got {training_loop!r}."
        )
    if training_params is not None:
        if not isinstance(training_params, dict):
            raise ConfigError(
                f"Series.training_params: expected a dict; got {type(training_params).__name__}."
            )
        params.update(training_params)
    params.pop("progress", None)
    return loop_class, params, callback


class Series:
    """Run an experiment for every configuration of a spec, ``n_repeats`` times each.

    Parameters
    ----------
    network_template : type
        Network class.
    game_template : type
        Game class.
    training_loop : TrainingLoop class or instance
        E.g. :class:`spikey.core.GenericLoop`. An instance contributes its params
        (below ``training_params``) and, if ``callback`` is None, its callback.
    spec : tuple, list, dict or None
        What to vary, see :mod:`spikey.meta.spec`; None: one configuration.
    callback : ExperimentCallback class or instance, optional
        Default: the loop's (:class:`~spikey.core.RLCallback`). Each job gets a copy.
    training_params : dict, optional
        The loop's keys (``n_episodes``, ...) and overrides shared by every job.
    n_repeats : int
        Runs of each configuration, each with its own seed.
    product : bool
        Cross the spec's entries (a grid) instead of iterating them together.
    seed : int, optional
        Series seed (see the module docstring).
    backend : "single", "ray", or a MetaBackend
        Where jobs run. One backend session (e.g. one Ray runtime) serves a whole run.
    folder : str, optional
        Output folder (logs, summary, checkpoint); default ``log/series-<date>-<id>``.
    logging : bool
        Write the output folder. False: results are only returned (no resume).
    resume : bool
        Continue the run whose checkpoint is in ``folder``, skipping finished jobs;
        starts afresh if ``folder`` has no checkpoint.
    check : bool
        Build every distinct configuration's network and game once in the driver (keys
        are always checked).
    progress : bool, optional
        Progress bar over jobs (default: only on a terminal).
    metadata : dict, optional
        JSON data kept in the checkpoint's header (e.g. the experiment file, which
        ``spikey series --resume DIR`` reads back).
    max_jobs : int
        Largest number of jobs (configurations x repeats), counted before anything is
        expanded (default 100,000; a larger spec raises a ConfigError stating the
        count). Above :data:`BUILD_EACH` configurations, one representative
        of each structure (the same part classes and non-numeric values; numbers
        vary) is built instead of every one; every value is still key-checked.
    job_timeout : float, optional
        Seconds a job may run. A job running longer is stopped and recorded as failed
        with reason ``"timeout"``; its worker goes on with the other jobs. Both stock
        backends support it.
    retry_failed : bool
        On resume, run failed (and timed-out) jobs again; by default they stay failed.
    max_process : int, optional
        The original Spikey's way to choose a backend (see :mod:`spikey.compat.meta`).
    experiment_params : tuple, list, dict or None, optional
        The original Spikey's name of ``spec``.

    Notes
    -----
    The network and game templates may be left out when ``training_loop`` is an
    instance: they come from the loop. The original Spikey's forms
    ``Series(training_loop, series_params, max_process=2)`` and
    ``Series(training_loop=loop, experiment_params=spec)`` are accepted
    (:func:`spikey.compat.meta.series_arguments`).

    Raises
    ------
    ConfigError
        Before any job runs: for a malformed spec, a parameter no part has, an invalid
        value (naming job, key, part, value and expectation), a configuration that
        cannot be built, or an unknown backend.

    Attributes
    ----------
    configs : list of dict
        The spec's configurations, in order.
    attrs : list of str
        The varied parameters.
    seed : int
        The series seed.
    folder : str or None
        The output folder.
    results : pandas.DataFrame or None
        The table of the last :meth:`run`.
    failures : list of dict
        ``job``, ``params``, ``error``, ``traceback`` of the failed jobs of the last run.
    records : list of dict
        The checkpoint records of the last run (status, worker node and pid, duration).
    """

    def __init__(
        self,
        network_template: type | None = None,
        game_template: type | None = None,
        training_loop: Any = None,
        spec: Any = None,
        callback: Any = None,
        *,
        training_params: dict | None = None,
        n_repeats: int = 1,
        product: bool = False,
        seed: int | None = None,
        backend: str | MetaBackend | type = "single",
        folder: str | None = None,
        logging: bool = True,
        resume: bool = False,
        check: bool = True,
        progress: bool | None = None,
        metadata: dict | None = None,
        max_jobs: int = MAX_JOBS,
        max_process: int | None = None,
        experiment_params: Any = UNSET,
        job_timeout: float | None = None,
        retry_failed: bool = False,
    ):
        from spikey.core import GenericLoop
        from spikey.meta.jobs import check_timeout

        network_template, game_template, training_loop, spec, backend = series_arguments(
            network_template, game_template, training_loop, spec, experiment_params, backend, max_process
        )
        if not callable(network_template):
            raise ConfigError(f"Series.network_template: expected a network class; got {network_template!r}.")
        if not callable(game_template):
            raise ConfigError(f"Series.game_template: expected a game class; got {game_template!r}.")
        self.network_template = network_template
        self.game_template = game_template
        self.loop_class, self.training_params, self.callback = _resolve_loop(
            training_loop if training_loop is not None else GenericLoop, training_params, callback
        )
        self.spec = spec
        self.product = bool(product)
        self.n_repeats = Key("n_repeats", "", int).validate(n_repeats, "Series")
        if self.n_repeats < 1:
            raise ConfigError(f"Series.n_repeats: expected an int >= 1; got {n_repeats!r}.")
        self.max_jobs = Key("max_jobs", "", int, constraint=Interval(1, None)).validate(max_jobs, "Series")
        if self.n_repeats > self.max_jobs:
            raise ConfigError(
                f"Series: n_repeats={self.n_repeats:,} is more than max_jobs={self.max_jobs:,} jobs; "
                "raise max_jobs if you mean it."
            )
        if folder is not None and os.path.exists(folder) and not os.path.isdir(folder):
            raise ConfigError(f"Series.folder: {folder!r} exists and is not a folder.")
        self.backend = get_backend(backend, owner="Series")
        self.job_timeout = check_timeout(job_timeout, self.backend, "Series")
        self.retry_failed = bool(retry_failed)
        self.logging = bool(logging)
        self.resume = bool(resume)
        self.progress = progress
        self.folder = folder
        self._folder_given = folder is not None
        self.metadata = dict(metadata or {})
        if self.resume and folder is None and self.logging:
            raise ConfigError("Series: resume=True needs the folder of the run to continue (folder=...).")

        axes = spec_axes(spec, "Series", max_values=self.max_jobs)
        self.attrs = [a for axis in axes for a in axis[0]]
        n_configs = count_configs(axes, self.product)  # before expanding anything
        if n_configs * self.n_repeats > self.max_jobs:
            raise ConfigError(
                f"Series: {n_configs:,} configurations x {self.n_repeats:,} repeats = "
                f"{n_configs * self.n_repeats:,} jobs, more than max_jobs={self.max_jobs:,}; narrow the "
                "spec, or raise max_jobs if you mean it."
            )
        self.configs = expand_spec(spec, product=self.product, owner="Series", max_configs=self.max_jobs)
        self._explicit_seeds = "seed" in self.attrs
        if self._explicit_seeds:
            seed_key = Key("seed", "", int)
            for i, cfg in enumerate(self.configs):
                seed_key.validate(cfg["seed"], f"Series config {i}")

        header = None
        if self.resume and self.logging and Checkpoint.exists(folder):
            header = Checkpoint.read_header(folder)
        if seed is None and header is not None:
            seed = header.get("seed")
        if seed is None:
            seed = self.training_params.get("seed")
        self.seed = Key("seed", "", int).validate(seed if seed is not None else fresh_seed(), "Series")
        self.training_params.pop("seed", None)
        self._prefix = header.get("prefix") if header else None

        self._loop = self.loop_class(
            network_template, game_template, self.callback, dict(self.training_params), check=False
        )
        self._keys = KeyIndex(self.loop_class, network_template, game_template, self._loop.callback)
        self._validate(check)
        self.results: pd.DataFrame | None = None
        self.failures: list[dict] = []
        self.records: list[dict] = []
        #: Jobs finished (run here or read from the checkpoint) and jobs in all, of the last run().
        self.jobs_done, self.jobs_total = 0, 0

    # ------------------------------------------------------------------ jobs
    def _where(self, config: int) -> str:
        params = self.configs[config]
        return f"Series config {config}" + (f" ({describe_params(params)})" if params else "")

    def _validate(self, build: bool) -> None:
        self._keys.check(self.training_params, "Series.training_params")
        for i, params in enumerate(self.configs):
            self._keys.check(self._job_params(params), self._where(i), context=self.training_params)
        if not build:
            return
        # few configurations: build each distinct one; many: one per structure (numbers vary)
        key = canonical_key if len(self.configs) <= BUILD_EACH else structure_key
        seen: set[str] = set()
        for i, params in enumerate(self.configs):
            job_params = self._job_params(params)
            k = key(job_params)
            if k in seen:
                continue
            seen.add(k)
            check_build(self._loop, job_params, self._seed_for(i, 0), self._where(i))

    def _job_params(self, params: dict) -> dict:
        return {k: v for k, v in params.items() if k != "seed"}

    def _seed_for(self, config: int, repeat: int) -> int:
        if self._explicit_seeds:
            base = int(self.configs[config]["seed"])
            return base if repeat == 0 else derive_seed(base, f"repeat/{repeat}")
        return job_seed(self.seed, config, repeat)

    def jobs(self, n_repeats: int | None = None) -> list[Job]:
        """Every job, in order: configuration-major, repeats inner.

        Parameters
        ----------
        n_repeats : int, optional
            Default: the Series' ``n_repeats``.
        """
        n = self.n_repeats if n_repeats is None else int(n_repeats)
        out = []
        for c, params in enumerate(self.configs):
            for r in range(n):
                out.append(Job(len(out), c, r, self._seed_for(c, r), self._job_params(params)))
        return out

    def __len__(self) -> int:
        return len(self.configs) * self.n_repeats

    def __iter__(self) -> Iterator[Any]:
        """A training loop per job, configured with the job's params and seed (``loop()`` runs it)."""
        runner = self._runner(log=False)
        for job in self.jobs():
            loop = runner.make_loop()
            loop.set_params(seed=job.seed, **job.params)
            yield loop

    def _runner(self, log: bool) -> SeriesRunner:
        return SeriesRunner(
            self.network_template,
            self.game_template,
            self.loop_class,
            dict(self.training_params),
            self.callback,
            log,
        )

    def _description(self, jobs: list[Job]) -> dict:
        return {
            "tool": "Series",
            "network": _import_path(self.network_template),
            "game": _import_path(self.game_template),
            "loop": _import_path(self.loop_class),
            "callback": _import_path(
                self.callback if isinstance(self.callback, type) else type(self.callback)
            ),
            "training_params": self.training_params,
            "jobs": [[j.index, j.seed, canonical_key(j.params)] for j in jobs],
        }

    # ------------------------------------------------------------------ running
    def run(
        self,
        n_repeats: int | None = None,
        log_folder: str | None = None,
        *,
        resume: bool | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Run every job not finished yet; return the results table.

        Parameters
        ----------
        n_repeats : int, optional
            Override the Series' ``n_repeats``.
        log_folder : str, optional
            Override ``folder`` (the original Spikey's argument).
        resume : bool, optional
            Override ``resume``.
        progress : bool, optional
            Override ``progress``.

        Returns
        -------
        pandas.DataFrame
            One row per job, in job order: ``job``, ``config``, ``repeat``, ``seed``,
            the varied parameters, ``status`` (``"ok"``, ``"failed"``, or ``"lost"``
            when a worker was lost beyond the retries), the callback's ``results``
            (``RLCallback``: ``mean_reward``, ``accuracy``, ...; ``total_time`` is a
            timing, see :data:`TIMING_COLUMNS`), ``error``, and ``log`` (the run's log
            file in the folder).
        """
        n = self.n_repeats if n_repeats is None else Key("n_repeats", "", int).validate(n_repeats, "Series")
        resume = self.resume if resume is None else bool(resume)
        progress = self.progress if progress is None else progress
        folder = log_folder or (self.folder if self._folder_given or resume else None)
        jobs = self.jobs(n)
        fp = fingerprint(self._description(jobs))
        self.records = []

        checkpoint = logger = None
        done: dict[int, dict] = {}
        if self.logging:
            if folder is None:
                self._prefix = self._prefix or JobLogger.new_prefix()
                folder = default_folder("series", self._prefix)
            if resume and Checkpoint.exists(folder):
                checkpoint = Checkpoint.open(
                    folder,
                    fp,
                    owner="Series.run(resume=True)",
                    settings={
                        "seed": self.seed,
                        "n_repeats": n,
                        "product": self.product,
                        "n_jobs": len(jobs),
                    },
                )
                self._prefix = checkpoint.header.get("prefix") or JobLogger.new_prefix()
                keep = ("ok",) if self.retry_failed else ("ok", "failed")
                for rec in checkpoint.records:
                    if rec.get("status") in keep and 0 <= rec.get("job", -1) < len(jobs):
                        done[rec["job"]] = rec
            else:
                self._prefix = self._prefix or JobLogger.new_prefix()
                checkpoint = Checkpoint.create(
                    folder,
                    owner="Series.run",
                    header={
                        "tool": "Series",
                        "fingerprint": fp,
                        "seed": self.seed,
                        "prefix": self._prefix,
                        "n_jobs": len(jobs),
                        "n_repeats": n,
                        "product": self.product,
                        "metadata": encode(self.metadata),
                    },
                )
            logger = JobLogger(folder, self._prefix)
            for i, rec in sorted(done.items()):
                if rec.get("log"):
                    logger.add(i, rec["log"], decode(rec.get("results", {})), logger.read_configs(rec["log"]))
        self.folder = folder

        outcomes: dict[int, dict] = {i: self._from_record(rec) for i, rec in done.items()}
        todo = [job for job in jobs if job.index not in done]
        self.jobs_done, self.jobs_total = len(done), len(jobs)
        bar = progress_bar(len(jobs), "Series", progress, initial=len(done))
        try:
            if todo:  # a finished run resumed starts no backend
                with self.backend:
                    timeout = {"timeout": self.job_timeout} if self.job_timeout else {}
                    for k, outcome in self.backend.run(
                        run_series_job, todo, self._runner(self.logging), **timeout
                    ):
                        job = todo[k]
                        try:
                            outcomes[job.index] = self._finish(job, outcome, checkpoint, logger)
                        except OSError as e:
                            raise OutputError.during(
                                "Series",
                                folder,
                                e,
                                f"the {self.jobs_done} of {len(jobs)} jobs finished before",
                            ) from e
                        self.jobs_done = len(outcomes)
                        bar.update(1)
        finally:
            bar.close()
            if checkpoint is not None:
                self.records = list(checkpoint.records)
                checkpoint.close()
        self.results = self._table(jobs, outcomes)
        if logger is not None:
            failed = [
                {"job": j, "error": o.get("error")}
                for j, o in sorted(outcomes.items())
                if o["status"] != "ok"
            ]
            try:
                logger.summarize(
                    results={"experiment_params": self.spec},
                    series={
                        "attrs": self.attrs,
                        "configs": self.configs,
                        "n_repeats": n,
                        "product": self.product,
                        "seed": self.seed,
                        "n_jobs": len(jobs),
                        "failed": failed,
                        "backend": getattr(self.backend, "name", type(self.backend).__name__),
                    }
                )
            except OSError as e:
                raise OutputError.during(
                    "Series", folder, e, f"the {self.jobs_done} of {len(jobs)} jobs finished before"
                ) from e
        self._report(jobs, outcomes)
        return self.results

    @staticmethod
    def _from_record(rec: dict) -> dict:
        out = {"status": rec["status"], "log": rec.get("log")}
        if rec["status"] == "ok":
            out["results"] = decode(rec.get("results", {}))
        else:
            out["error"], out["traceback"] = rec.get("error"), rec.get("traceback")
            out["reason"] = rec.get("reason")
        return out

    def _finish(
        self, job: Job, outcome: dict, checkpoint: Checkpoint | None, logger: JobLogger | None
    ) -> dict:
        """Log and checkpoint one finished job; return its row data."""
        status = outcome.get("status")
        record: dict[str, Any] = {
            "job": job.index,
            "seed": job.seed,
            "status": status,
            "duration": outcome.get("duration"),
            "worker": outcome.get("worker"),
        }
        if status == "ok":
            results = outcome.get("results") or {}
            encoded = encode(dict(results))
            name = None
            if logger is not None and outcome.get("log") is not None:
                name = logger.write(job.index, outcome["log"], results)
            record.update(results=encoded, log=name)
            row = {"status": "ok", "results": decode(encoded), "log": name}
        else:
            record.update(error=outcome.get("error"), traceback=outcome.get("traceback"))
            if outcome.get("reason"):
                record["reason"] = outcome["reason"]
            row = {
                "status": status,
                "error": outcome.get("error"),
                "traceback": outcome.get("traceback"),
                "reason": outcome.get("reason"),
            }
        if checkpoint is not None and status != LOST:
            checkpoint.append(record)
        elif checkpoint is None:
            self.records.append(record)
        return row

    def _table(self, jobs: list[Job], outcomes: dict[int, dict]) -> pd.DataFrame:
        rows = []
        for job in jobs:
            o = outcomes.get(job.index, {"status": LOST, "error": "not run"})
            row: dict[str, Any] = {
                "job": job.index,
                "config": job.config,
                "repeat": job.repeat,
                "seed": job.seed,
            }
            row.update(self.configs[job.config])
            row["seed"] = job.seed
            row["status"] = o["status"]
            for k, v in (o.get("results") or {}).items():
                row.setdefault(k, v)
            row["error"] = o.get("error")
            row["log"] = o.get("log")
            rows.append(row)
        return pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=[*JOB_COLUMNS, "status"])

    def _report(self, jobs: list[Job], outcomes: dict[int, dict]) -> None:
        self.failures = []
        lost = []
        for job in jobs:
            o = outcomes.get(job.index, {})
            if o.get("status") == "failed":
                self.failures.append(
                    {
                        "job": job.index,
                        "params": job.params,
                        "error": o.get("error"),
                        "traceback": o.get("traceback"),
                        "reason": o.get("reason") or "error",
                    }
                )
            elif o.get("status") == LOST:
                lost.append(job.index)
        if self.failures:
            first = self.failures[0]
            warnings.warn(
                f"Series: {len(self.failures)} of {len(jobs)} jobs failed; the others finished. First: job "
                f"{first['job']} ({describe_params(first['params'])}): {first['error']}. Tracebacks are in "
                f"series.failures{' and ' + str(self.folder) + '/checkpoint.jsonl' if self.folder else ''}.",
                JobFailedWarning,
                stacklevel=3,
            )
        if lost:
            warnings.warn(
                f"Series: {len(lost)} jobs lost their worker beyond the backend's retries (jobs {lost[:10]}); "
                "run again with resume=True to finish them.",
                JobsLostWarning,
                stacklevel=3,
            )

    def __repr__(self) -> str:
        return (
            f"Series({getattr(self.network_template, '__name__', '?')}, {getattr(self.game_template, '__name__', '?')}, "
            f"{self.loop_class.__name__}, {len(self.configs)} configs x {self.n_repeats} repeats, "
            f"backend={getattr(self.backend, 'name', self.backend)!r})"
        )
