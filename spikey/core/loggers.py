"""Watch a run while it trains: TensorBoard, CSV and MLflow loggers for any callback.

A logger is attached to a callback (an :class:`~spikey.core.RLCallback` or any
:class:`~spikey.core.ExperimentCallback`) and writes, per episode, the scalars RL users
watch; the callback itself still collects ``results`` and ``info`` for the JSON log.

=======================  ==========================================================
what                     written as
=======================  ==========================================================
per training episode     ``episode/return`` (the game's own reward summed: a
                         Gymnasium env's return, CartPole's steps balanced),
                         ``episode/reward`` (the network's reward summed),
                         ``episode/length`` (steps), ``episode/accuracy`` (share of
                         correct answers, games with an expected answer)
per evaluation episode   the same under ``eval/`` (frozen weights), numbered after
                         the training episodes
weights                  ``weights`` histogram at the start and every
                         ``histogram_every`` training episodes (TensorBoard)
at the end               the run's parameters (scalars: ``learning_rate``, ``seed``,
                         ...) as hyperparameters with the run's results as metrics
                         (TensorBoard's HParams tab, MLflow params), and ``results/*``
=======================  ==========================================================

One run per training loop: a Series writes one run per job (each job's copy of the
callback opens its own run, on any backend), so TensorBoard overlays the jobs and its
HParams tab groups them by configuration.

Loggers:

- :class:`TensorBoardLogger`: event files through ``tensorboardX`` (no TensorFlow or
  PyTorch needed); view with ``tensorboard --logdir DIR``;
- :class:`CSVLogger`: one CSV file per run, a row per episode (pandas reads it);
- :class:`MLflowLogger`: an MLflow run per training loop (``pip install
  "spikey-snn[mlflow]"``, which installs ``mlflow-skinny``).

Examples
--------
>>> import tempfile
>>> from spikey.core import GenericLoop, RLCallback
>>> from spikey.core.loggers import CSVLogger, attach
>>> callback = attach(RLCallback(reduced=True), CSVLogger(tempfile.mkdtemp()))
>>> loop = GenericLoop(network_template, game_template, callback, params)  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import math
import os
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import describe_value

__all__ = [
    "RunLogger",
    "TensorBoardLogger",
    "CSVLogger",
    "MLflowLogger",
    "attach",
    "run_name",
    "hparams",
    "write_log_to",
    "write_folder_to",
    "PopulationWriter",
    "with_tensorboard",
]

#: Hooks a logger listens to (wrapped on the callback instance; the callback's own
#: method runs first).
HOOKS = ("training_loop_begin", "game_step", "training_loop_episode_end", "training_end")


def _is_scalar(v: Any) -> bool:
    return isinstance(v, (int, float, str, bool, np.integer, np.floating, np.bool_))


def hparams(params: Mapping[str, Any]) -> dict[str, float | int | str | bool]:
    """The scalar entries of a run's parameters (the hyperparameters a logger records).

    Classes and functions are given by name; arrays, lists and None are left out.

    Examples
    --------
    >>> from spikey.core.loggers import hparams
    >>> hparams({"learning_rate": 0.1, "seed": 3, "matrix": [1, 2], "progress": None})
    {'learning_rate': 0.1, 'seed': 3}
    """
    out: dict[str, float | int | str | bool] = {}
    for k, v in params.items():
        if isinstance(v, (np.integer, np.floating, np.bool_)):
            v = v.item()
        if isinstance(v, type) or callable(v) and hasattr(v, "__qualname__"):
            v = v.__qualname__
        if _is_scalar(v) and not (isinstance(v, float) and not math.isfinite(v)):
            out[str(k)] = v
    return out


def run_name(template: str, params: Mapping[str, Any]) -> str:
    """A run's name from ``template`` with ``{key}`` replaced by the run's parameter values.

    Characters other than letters, digits, ``.``, ``_``, ``-`` and ``=`` become ``_``
    (the name is a folder name).

    Raises
    ------
    ConfigError
        For a ``{key}`` the run's parameters do not have.

    Examples
    --------
    >>> from spikey.core.loggers import run_name
    >>> run_name("lr={learning_rate}-seed={seed}", {"learning_rate": 0.05, "seed": 2})
    'lr=0.05-seed=2'
    """
    def value(m: re.Match) -> str:
        key = m.group(1)
        if key not in params:
            raise ConfigError(
                f"spikey.core.loggers.run_name: the name {template!r} uses {{{key}}}, which the run's "
                f"parameters do not have; they are {sorted(params)[:20]}."
            )
        v = params[key]
        return f"{v:g}" if isinstance(v, float) else str(v)

    text = re.sub(r"\{(\w+)\}", value, template)
    return re.sub(r"[^\w.=-]", "_", text) or "run"


class RunLogger:
    """A place a run's scalars go (template of :class:`TensorBoardLogger`, ...).

    Parameters
    ----------
    folder : str
        Where runs are written; each run in ``folder/<run name>``.
    name : str
        Run name template (see :func:`run_name`), e.g. ``"lr={learning_rate}-{seed}"``.
        Default ``"seed={seed}"``; a number is appended when the name is taken.
    histogram_every : int
        Training episodes between weight histograms (0: none). Default: a tenth of the
        run's episodes.

    Notes
    -----
    A subclass implements :meth:`open`, :meth:`scalars`, :meth:`close` and optionally
    :meth:`histogram` and :meth:`hyperparameters`. A logger holds no open file until
    its run starts, so a callback with loggers copies and pickles (Series jobs,
    Ray).
    """

    def __init__(self, folder: str, name: str = "seed={seed}", histogram_every: int | None = None):
        if not isinstance(folder, (str, os.PathLike)):
            raise ConfigError(f"{type(self).__name__}.folder: expected a path; got {describe_value(folder)}.")
        if histogram_every is not None and (
            isinstance(histogram_every, bool) or not isinstance(histogram_every, int) or histogram_every < 0
        ):
            raise ConfigError(
                f"{type(self).__name__}.histogram_every: expected an int >= 0 or None; got "
                f"{describe_value(histogram_every)}."
            )
        self.folder = os.fspath(folder)
        self.name = str(name)
        self.histogram_every = histogram_every
        self.run: str | None = None

    # ---------------------------------------------------------------- backend API
    def open(self, run: str, params: dict[str, Any]) -> None:
        """Start writing run ``run`` (a unique name)."""
        raise NotImplementedError

    def scalars(self, step: int, values: dict[str, float]) -> None:
        """Write ``values`` (tag -> number) at ``step``."""
        raise NotImplementedError

    def histogram(self, step: int, tag: str, values: np.ndarray) -> None:
        """Write a histogram of ``values`` at ``step`` (default: nothing)."""

    def results(self, step: int, values: dict[str, float]) -> None:
        """Write the run's final results (``results/<key>`` tags) at ``step`` (default: as scalars)."""
        self.scalars(step, values)

    def hyperparameters(self, params: dict[str, Any], metrics: dict[str, float]) -> None:
        """Write the run's parameters with its final metrics (default: nothing)."""

    def close(self) -> None:
        """Finish the run."""
        raise NotImplementedError

    # ---------------------------------------------------------------- helpers
    def unique_run(self, params: Mapping[str, Any]) -> str:
        """The run's name (from :attr:`name`), numbered when the folder holds it already."""
        return self.numbered(run_name(self.name, params))

    def numbered(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``, ... when the folder holds that run already."""
        name, k = base, 1
        while os.path.exists(os.path.join(self.folder, name)) or os.path.exists(
            os.path.join(self.folder, name + ".csv")
        ):
            k += 1
            name = f"{base}-{k}"
        return name

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for k in self._open_state():
            state[k] = None
        return state

    def _open_state(self) -> tuple[str, ...]:
        """Attributes holding open files or clients (not copied or pickled)."""
        return ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.folder!r}, name={self.name!r})"


class TensorBoardLogger(RunLogger):
    """Event files for TensorBoard, written with ``tensorboardX`` (see :class:`RunLogger`).

    View them with ``tensorboard --logdir FOLDER``: the Scalars tab overlays the runs'
    ``episode/return`` curves, the Histograms tab shows the weights over training, the
    HParams tab compares runs by parameters and results.

    Examples
    --------
    >>> import tempfile
    >>> from spikey.core.loggers import TensorBoardLogger
    >>> logger = TensorBoardLogger(tempfile.mkdtemp())
    >>> logger.open("demo", {"seed": 0}); logger.scalars(1, {"episode/return": 3.0}); logger.close()
    """

    def __init__(
        self,
        folder: str,
        name: str = "seed={seed}",
        histogram_every: int | None = None,
        flush_secs: float = 2.0,
    ):
        super().__init__(folder, name, histogram_every)
        self.flush_secs = float(flush_secs)
        self._writer: Any = None
        self._pending: list[tuple] = []
        self._last_flush = 0.0

    def _open_state(self) -> tuple[str, ...]:
        return ("_writer", "_pending")

    def open(self, run: str, params: dict[str, Any]) -> None:  # noqa: D102
        from tensorboardX import SummaryWriter

        self.run = run
        self._writer = SummaryWriter(os.path.join(self.folder, run), flush_secs=max(1, int(self.flush_secs)))
        self._pending, self._last_flush = [], time.monotonic()

    # Events are handed to the writer in bursts, at most every ``flush_secs``: one
    # event at a time between game steps wakes the writer's thread each time, which
    # cost a run of short CartPole episodes 10 % of its CPU time; in bursts, < 5 %.
    def _hand_over(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._last_flush < self.flush_secs:
            return
        from tensorboardX.proto.summary_pb2 import Summary

        file_writer = self._writer.file_writer
        for kind, values, step, wall in self._pending:
            if kind == "s":  # one event holding the episode's scalars
                summary = Summary(value=[Summary.Value(tag=t, simple_value=v) for t, v in values.items()])
                file_writer.add_summary(summary, step, wall)
            else:
                self._writer.add_histogram(values[0], values[1], step, walltime=wall)
        self._pending.clear()
        self._last_flush = time.monotonic()

    def scalars(self, step: int, values: dict[str, float]) -> None:  # noqa: D102
        self._pending.append(("s", {tag: float(v) for tag, v in values.items()}, step, time.time()))
        self._hand_over()

    def histogram(self, step: int, tag: str, values: np.ndarray) -> None:  # noqa: D102
        if values.size:
            self._pending.append(("h", (tag, np.array(values, dtype=float)), step, time.time()))
            self._hand_over()

    def hyperparameters(self, params: dict[str, Any], metrics: dict[str, float]) -> None:  # noqa: D102
        from tensorboardX.summary import hparams as hparams_summaries

        # into the run's own event file (SummaryWriter.add_hparams would open a second
        # writer in a sub-folder, a second run in TensorBoard's list); the metrics are the
        # results/* scalars written just before
        self._hand_over(force=True)
        for summary in hparams_summaries(params, {f"results/{k}": v for k, v in metrics.items()}):
            self._writer.file_writer.add_summary(summary)

    def close(self) -> None:  # noqa: D102
        if self._writer is not None:
            self._hand_over(force=True)
            self._writer.close()
            self._writer = None


class CSVLogger(RunLogger):
    """One CSV file per run, ``FOLDER/<run>.csv``: a row per episode (see :class:`RunLogger`).

    Columns: ``episode``, ``phase`` (``train`` / ``eval``), then the scalars without
    their ``episode/`` or ``eval/`` prefix (``return``, ``reward``, ``length``,
    ``accuracy``), and ``time`` (seconds since the run started). The run's parameters
    and results go to ``FOLDER/<run>.params.csv`` (``key,value``) at the end.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from spikey.core.loggers import CSVLogger
    >>> logger = CSVLogger(tempfile.mkdtemp())
    >>> logger.open("demo", {}); logger.scalars(1, {"episode/return": 3.0}); logger.close()
    >>> pd.read_csv(logger.path)[["episode", "phase", "return"]].values.tolist()
    [[1, 'train', 3.0]]
    """

    COLUMNS = ("episode", "phase", "return", "reward", "length", "accuracy", "time")

    def __init__(self, folder: str, name: str = "seed={seed}"):
        super().__init__(folder, name, histogram_every=0)
        self._file: Any = None
        self._writer: Any = None
        self._t0 = 0.0
        self.path: str | None = None

    def _open_state(self) -> tuple[str, ...]:
        return ("_file", "_writer")

    def open(self, run: str, params: dict[str, Any]) -> None:  # noqa: D102
        os.makedirs(self.folder, exist_ok=True)
        self.run = run
        self.path = os.path.join(self.folder, run + ".csv")
        self._file = open(self.path, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self._writer = csv.DictWriter(self._file, self.COLUMNS, extrasaction="ignore")
        self._writer.writeheader()
        self._t0 = time.perf_counter()

    def scalars(self, step: int, values: dict[str, float]) -> None:  # noqa: D102
        phase = "eval" if any(k.startswith("eval/") for k in values) else "train"
        row: dict[str, Any] = {"episode": step, "phase": phase, "time": round(time.perf_counter() - self._t0, 4)}
        for tag, v in values.items():
            row[tag.split("/", 1)[-1]] = v
        self._writer.writerow(row)

    def results(self, step: int, values: dict[str, float]) -> None:  # noqa: D102
        pass  # in <run>.params.csv (hyperparameters), not as an episode row

    def hyperparameters(self, params: dict[str, Any], metrics: dict[str, float]) -> None:  # noqa: D102
        with open(os.path.join(self.folder, self.run + ".params.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["key", "value"])
            for k, v in {**params, **{f"results/{k}": v for k, v in metrics.items()}}.items():
                w.writerow([k, v])

    def close(self) -> None:  # noqa: D102
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None


class MLflowLogger(RunLogger):
    """An MLflow run per training loop (``mlflow-skinny``; see :class:`RunLogger`).

    Parameters
    ----------
    folder : str
        Tracking URI: a server's or database's URI (``http://...``, ``sqlite:///...``), or
        a folder for a local file store (MLflow 3 keeps that store in maintenance mode;
        spikey sets ``MLFLOW_ALLOW_FILE_STORE=true`` unless you set it).
    name : str
        Run name template.
    experiment : str
        MLflow experiment name.

    Notes
    -----
    Install with ``pip install "spikey-snn[mlflow]"``. Metrics are logged with the
    episode as ``step``; the run's scalar parameters as MLflow params.
    """

    def __init__(self, folder: str, name: str = "seed={seed}", experiment: str = "spikey"):
        super().__init__(folder, name, histogram_every=0)
        self.experiment = str(experiment)
        self._client: Any = None
        self._run_id: str | None = None

    def _open_state(self) -> tuple[str, ...]:
        return ("_client", "_run_id")

    def _uri(self) -> str:
        if "://" in self.folder:
            return self.folder
        # mlflow-skinny has no database backend; MLflow 3 asks for this opt-in to keep
        # writing a local folder store (readable by `mlflow ui --backend-store-uri FOLDER`)
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
        return "file://" + os.path.abspath(self.folder)

    def unique_run(self, params: Mapping[str, Any]) -> str:  # noqa: D102
        return run_name(self.name, params)

    def open(self, run: str, params: dict[str, Any]) -> None:  # noqa: D102
        try:
            from mlflow.tracking import MlflowClient
        except ImportError:
            raise ConfigError(
                "MLflowLogger needs mlflow-skinny, which is not installed; install it with "
                'pip install "spikey-snn[mlflow]".'
            ) from None
        self.run = run
        self._client = MlflowClient(tracking_uri=self._uri())
        exp = self._client.get_experiment_by_name(self.experiment)
        exp_id = exp.experiment_id if exp is not None else self._client.create_experiment(self.experiment)
        self._run_id = self._client.create_run(exp_id, run_name=run).info.run_id

    def scalars(self, step: int, values: dict[str, float]) -> None:  # noqa: D102
        now = int(time.time() * 1000)
        from mlflow.entities import Metric

        metrics = [Metric(tag.replace("/", "."), float(v), now, int(step)) for tag, v in values.items()]
        self._client.log_batch(self._run_id, metrics=metrics)

    def hyperparameters(self, params: dict[str, Any], metrics: dict[str, float]) -> None:  # noqa: D102
        from mlflow.entities import Metric, Param

        now = int(time.time() * 1000)
        self._client.log_batch(
            self._run_id,
            params=[Param(k, str(v)[:500]) for k, v in params.items()],
            metrics=[Metric(f"results.{k}", float(v), now, 0) for k, v in metrics.items()],
        )

    def close(self) -> None:  # noqa: D102
        if self._client is not None and self._run_id is not None:
            self._client.set_terminated(self._run_id)
        self._client = self._run_id = None


# ---------------------------------------------------------------------- attaching
class _Episode:
    """What one logger has seen of the current episode (correct answers)."""

    def __init__(self) -> None:
        self.correct = 0
        self.answered = 0


class _Hook:
    """A callback's hook followed by the loggers' (plain object: copies and pickles with the callback)."""

    def __init__(self, callback: Any, hook: str, inner: Callable[..., Any] | None, watcher: _Watcher):
        self.callback, self.hook, self.inner, self.watcher = callback, hook, inner, watcher

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.inner(*args, **kwargs) if self.inner is not None else None
        getattr(self.watcher, self.hook)(self.callback, *args, **kwargs)
        return out


class _StepHook(_Hook):
    """``game_step``, called every game step: counts correct answers, nothing else."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.inner(*args, **kwargs) if self.inner is not None else None
        info = args[-1] if args else None
        if type(info) is dict and "correct" in info:
            episode = self.watcher.episode
            episode.answered += 1
            episode.correct += bool(info["correct"])
        return out


class _Watcher:
    """Turns a callback's hooks into the loggers' writes."""

    def __init__(self, loggers: list[RunLogger]):
        self.loggers = loggers
        self.episode = _Episode()
        self.params: dict[str, Any] = {}
        self.n_train = 0
        self.every = 0

    def training_loop_begin(self, callback: Any, network: Any, game: Any) -> None:
        params = dict(getattr(callback, "experiment_params", {}) or {})
        # the network's keys (learning_rate, ...) and the game's, then the loop's (seed, n_episodes, ...)
        config = {**dict(getattr(game, "params", {}) or {}), **dict(getattr(network, "params", {}) or {})}
        self.params = hparams({**config, **params})
        n = params.get("n_episodes")
        self.n_train = int(n) if isinstance(n, (int, np.integer)) else 0
        self.episode = _Episode()
        for logger in self.loggers:
            logger.open(logger.unique_run({**config, **params}), self.params)
        self._weights(network, 0)

    def training_loop_episode_end(self, callback: Any, episode: int, n_steps: int) -> None:
        info = callback.info
        training = bool(getattr(callback.network, "training", True))
        p = "" if training else "eval_"
        tag = "episode" if training else "eval"
        values: dict[str, float] = {f"{tag}/length": float(n_steps)}
        for key, name in (("episode_env_returns", "return"), ("episode_rewards", "reward")):
            seq = info.get(p + key)
            if seq:
                values[f"{tag}/{name}"] = float(seq[-1])
        if self.episode.answered:
            values[f"{tag}/accuracy"] = self.episode.correct / self.episode.answered
        self.episode = _Episode()
        step = int(episode) + 1
        for logger in self.loggers:
            logger.scalars(step, values)
        if training:
            self._weights(callback.network, step)

    def _weights(self, network: Any, step: int) -> None:
        matrix = getattr(getattr(network, "weights", None), "matrix", None)
        if not isinstance(matrix, np.ndarray):
            return
        for logger in self.loggers:
            every = logger.histogram_every
            if every is None:
                every = max(1, self.n_train // 10)
            if every and step % every == 0:
                logger.histogram(step, "weights", matrix[matrix != 0])

    def training_end(self, callback: Any) -> None:
        results = {
            k: float(v)
            for k, v in getattr(callback, "results", {}).items()
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
            and k not in self.params and math.isfinite(float(v))
        }
        for logger in self.loggers:
            if logger.run is None:
                continue
            logger.results(self.n_train, {f"results/{k}": v for k, v in results.items()})
            logger.hyperparameters(self.params, results)
            logger.close()
            logger.run = None


def attach(callback: Any, *loggers: RunLogger) -> Any:
    """Make ``callback`` also write to ``loggers``; return it.

    Parameters
    ----------
    callback : ExperimentCallback
        Usually an :class:`~spikey.core.RLCallback` (its ``info`` holds the episode
        returns the loggers write). Its own hooks run first and its log is unchanged.
    *loggers : RunLogger
        :class:`TensorBoardLogger`, :class:`CSVLogger`, :class:`MLflowLogger`.

    Returns
    -------
    ExperimentCallback
        ``callback`` itself.

    Raises
    ------
    ConfigError
        For something that is not a logger, or a callback without an ``info`` dict.
    """
    if not hasattr(callback, "info") or not isinstance(callback.info, dict):
        raise ConfigError(
            f"spikey.core.loggers.attach: expected a spikey callback (e.g. RLCallback()); got {describe_value(callback)}."
        )
    for logger in loggers:
        if not isinstance(logger, RunLogger):
            raise ConfigError(
                f"spikey.core.loggers.attach: expected TensorBoardLogger, CSVLogger or MLflowLogger; got "
                f"{describe_value(logger)}."
            )
    watcher = _Watcher(list(loggers))
    for hook in HOOKS:
        inner = getattr(callback, hook, None)
        if inner is not None and getattr(inner, "__name__", "") == "_noop":
            inner = None
        callback.__dict__[hook] = (_StepHook if hook == "game_step" else _Hook)(callback, hook, inner, watcher)
    return callback


# ---------------------------------------------------------------------- logs already written
def _episode_rows(info: dict, prefix: str) -> list[dict[str, float]]:
    lens = list(info.get(prefix + "episode_lens") or [])
    tag = "eval" if prefix else "episode"
    rows = []
    for i, n in enumerate(lens):
        row = {f"{tag}/length": float(n)}
        for key, name in (("episode_env_returns", "return"), ("episode_rewards", "reward"), ("episode_accuracy", "accuracy")):
            seq = info.get(prefix + key)
            if seq is not None and i < len(seq) and seq[i] is not None and math.isfinite(float(seq[i])):
                row[f"{tag}/{name}"] = float(seq[i])
        rows.append(row)
    return rows


def write_log_to(logger: RunLogger, data: dict, params: dict[str, Any] | None = None) -> str:
    """Write one finished run's log (a decoded JSON log) to ``logger`` as one run; return its name.

    Per-episode scalars come from the log's ``info`` (``episode_lens``,
    ``episode_env_returns``, ``episode_rewards``, ``episode_accuracy`` and their
    ``eval_`` versions), the weight histograms from ``weights_start`` and
    ``weights_final``, the hyperparameters from the network's and game's configuration
    (and ``params``), the metrics from ``results``. A Population's epoch log (results
    ``epoch``, info ``fitness``) becomes its epoch's fitness scalars.
    """
    info, results = data.get("info") or {}, data.get("results") or {}
    config = hparams({**(data.get("game") or {}), **(data.get("network") or {}), **(params or {})})
    seed = results.get("seed", config.get("seed"))
    names = {**config, **hparams(results), "seed": seed}
    logger.open(logger.unique_run(names), config)
    train = _episode_rows(info, "")
    for i, row in enumerate(train):
        logger.scalars(i + 1, row)
    for i, row in enumerate(_episode_rows(info, "eval_")):
        logger.scalars(len(train) + i + 1, row)
    for step, key in ((0, "weights_start"), (len(train), "weights_final")):
        w = info.get(key)
        if isinstance(w, np.ndarray):
            logger.histogram(step, "weights", w[w != 0])
    metrics = {
        k: float(v)
        for k, v in results.items()
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and math.isfinite(float(v))
        and k not in config
    }
    logger.results(len(train), {f"results/{k}": v for k, v in metrics.items()})
    logger.hyperparameters(config, metrics)
    name = logger.run or ""
    logger.close()
    logger.run = None
    return name


def write_folder_to(logger: RunLogger, folder: str) -> list[str]:
    """Write every log of a folder (a Series' jobs, a Population's epochs) to ``logger``; return the runs.

    A Series folder gives one run per job (named by ``logger.name``, default
    ``seed={seed}``). A Population folder gives one run, ``population``, with per
    epoch the best, mean and worst fitness and histograms of the fitness and of each
    numeric gene. Unreadable files are skipped (the Reader warns about them).
    """
    from spikey.logging.reader import Reader

    reader = Reader(folder)
    epochs = [d for d in reader.logs if "epoch" in (d.get("results") or {}) and "fitness" in (d.get("info") or {})]
    if not epochs:
        return [write_log_to(logger, data) for data in reader.logs]
    writer = PopulationWriter(logger)
    for data in sorted(epochs, key=lambda d: d["results"]["epoch"]):
        writer(
            {
                "epoch": int(data["results"]["epoch"]),
                "fitness": data["info"]["fitness"],
                "genotypes": data["info"].get("genotypes") or [],
            }
        )
    return [writer.close()]


class PopulationWriter:
    """Writes a search's generations to a logger as they end: one run (``population``
    by default), with per generation the best, mean and worst fitness, a histogram of the
    fitness and of each numeric gene, and an evolution strategy's ``center``,
    ``center_return`` and ``sigma`` where the entry has them.

    Pass it as :class:`~spikey.meta.Population`'s ``on_epoch`` or
    :class:`~spikey.meta.WeightEvolution`'s ``on_generation`` (``spikey population ...
    --tensorboard DIR`` and ``spikey run cartpole-es --tensorboard DIR`` do), and
    :meth:`close` it after the run.

    Parameters
    ----------
    logger : RunLogger
        Where to write (e.g. a :class:`TensorBoardLogger`).
    run : str
        Name of the run.
    """

    def __init__(self, logger: RunLogger, run: str = "population"):
        self.logger = logger
        self.run = run
        self._open = False

    def __call__(self, entry: dict) -> None:
        """Write one generation: ``entry`` has ``epoch`` or ``generation``, ``fitness`` (one
        per agent) and optionally ``genotypes``, ``center``, ``center_return``, ``sigma``."""
        logger = self.logger
        if not self._open:
            logger.open(logger.numbered(self.run), {})
            self._open = True
        epoch = int(entry["epoch"] if "epoch" in entry else entry["generation"])
        extra = {k: float(entry[k]) for k in ("center", "center_return", "sigma") if k in entry}
        extra = {k: v for k, v in extra.items() if math.isfinite(v)}
        if extra:
            logger.scalars(epoch, {f"es/{k}": v for k, v in extra.items()})
        fitness = np.asarray(entry["fitness"], dtype=float)
        ok = fitness[np.isfinite(fitness)]
        if ok.size:
            logger.scalars(
                epoch, {"fitness/max": float(ok.max()), "fitness/mean": float(ok.mean()), "fitness/min": float(ok.min())}
            )
            logger.histogram(epoch, "fitness", ok)
        genotypes = entry.get("genotypes") or []
        for gene in genotypes[0] if genotypes else {}:
            values = np.asarray([g.get(gene) for g in genotypes], dtype=object)
            if all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values):
                logger.histogram(epoch, f"genes/{gene}", values.astype(float))

    def close(self) -> str:
        """Close the run (flushing its events); the run's name ("" if no epoch was written)."""
        if not self._open:
            return ""
        name = self.logger.run or ""
        self.logger.close()
        self.logger.run = None
        self._open = False
        return name


def with_tensorboard(callback: Any, folder: str | None, name: str = "seed={seed}") -> Any:
    """``callback`` (an instance; a class is instantiated, None is an ``RLCallback()``) writing to TensorBoard.

    What ``spikey run/series ... --tensorboard DIR`` uses; with ``folder`` None the
    callback is returned as it is.
    """
    if folder is None:
        return callback
    from spikey.core.callback import RLCallback

    if callback is None:
        callback = RLCallback()
    elif isinstance(callback, type):
        callback = callback()
    return attach(callback, TensorBoardLogger(folder, name=name))
