"""Population: a genetic algorithm over a MetaRL game's ``GENOTYPE_CONSTRAINTS``.

.. code-block:: python

    from spikey.meta import EvolveNetwork, Population

    metagame = EvolveNetwork(training_loop=GenericLoop, network_template=..., game_template=...,
                             training_params={...}, genotype_constraints={...},
                             fitness_getter="mean_accuracy")
    population = Population(metagame, n_agents=8, n_epoch=6, seed=0, backend="ray")
    while not population.terminated:          # the original Spikey's loop
        fitness = population.evaluate()
        population.update(fitness)
    population.fitness_per_epoch()            # or simply: df = population.run()

Algorithm
---------
Epoch 0 draws ``n_agents`` random genotypes. Each later generation keeps the
``elitism`` best genotypes unchanged, adds ``round(random_rate * rest)`` random ones,
and fills the rest with children: a parent is the fittest of ``tournament_size``
agents drawn without replacement (tournament selection); with probability
``crossover_rate`` a second parent is drawn and every gene comes from either parent
with equal chance (uniform crossover); then every gene is redrawn from its constraint
with probability ``mutation_rate``.

Fitness cache and seeds
-----------------------
Fitness is cached by genotype: a genotype seen before is not evaluated again. A
genotype's evaluation seed is derived from the population seed and the genotype itself,
so its fitness is the same whenever (and wherever) it is computed: the cache, the
backend and the order of jobs never change results. The generation of epoch ``e`` uses
its own generator ``make_rng(seed, f"population/epoch/{e}")``.

Durability
----------
``folder`` (default ``log/population-<date>-<id>``) gets ``checkpoint.jsonl`` (every
evaluated genotype, appended and fsynced as it finishes), one log per epoch (results:
max/mean/min fitness; info: the genotypes and their fitness) and a summary.
``resume=True`` (or :func:`read_population`) refills the cache from the checkpoint and
replays the epochs deterministically, so the search continues exactly where it stopped.
"""

from __future__ import annotations

import hashlib
import math
import os
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from spikey.compat.meta import GenotypeMapping, checkpoint_population, population_config
from spikey.errors import ConfigError, SpikeyError
from spikey.logging.log import make_log
from spikey.logging.serialize import decode, encode
from spikey.meta.backends import LOST, MetaBackend, get_backend
from spikey.meta.checkpoint import Checkpoint, JobLogger, OutputError, fingerprint
from spikey.meta.jobs import (
    FitnessJob,
    JobFailedWarning,
    JobsLostWarning,
    default_folder,
    progress_bar,
    run_fitness_job,
)
from spikey.meta.metagames import MetaRL
from spikey.meta.spec import canonical_key, parse_constraints
from spikey.module import Interval, Key, Module, suggest
from spikey.rng import derive_seed, fresh_seed, make_rng

__all__ = ["Population", "read_population", "GenotypeCache", "GenotypeMapping", "checkpoint_population"]

class GenotypeCache:
    """Genotype key -> evaluation outcome, optionally bounded (oldest dropped first).

    Parameters
    ----------
    n_storing : int, optional
        Most genotypes kept; None: all.
    """

    def __init__(self, n_storing: int | None = None):
        self.n_storing = n_storing
        self._data: dict[str, dict] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def __getitem__(self, key: str) -> dict:
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __setitem__(self, key: str, outcome: dict) -> None:
        self._data.pop(key, None)
        self._data[key] = outcome
        if self.n_storing is not None:
            while len(self._data) > max(self.n_storing, 0):
                self._data.pop(next(iter(self._data)))

    def __len__(self) -> int:
        return len(self._data)


def _genotype_seed(seed: int, key: str) -> int:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return derive_seed(seed, f"genotype/{digest}")


def _rank_value(f: float) -> float:
    return -math.inf if f is None or (isinstance(f, float) and math.isnan(f)) else float(f)


class Population(Module):
    """A genetic algorithm over a MetaRL game's ``GENOTYPE_CONSTRAINTS``.

    Parameters
    ----------
    game : MetaRL
        Scores genotypes (e.g. :class:`~spikey.meta.EvolveNetwork`); its
        ``GENOTYPE_CONSTRAINTS`` define the genes.
    backend : "single", "ray" or a MetaBackend
        Where evaluations run; one session (e.g. one Ray runtime) for all epochs.
    seed : int, optional
        Seed of the search (drawn and logged if None).
    folder : str, optional
        Output folder; default ``log/population-<date>-<id>``.
    logging : bool
        Write the folder (checkpoint, epoch logs, summary). False: no resume.
    resume : bool
        Continue the run whose checkpoint is in ``folder``.
    progress : bool, optional
        Progress bar (default: only on a terminal).
    metadata : dict, optional
        JSON data kept in the checkpoint's header (e.g. the experiment file).
    job_timeout : float, optional
        Seconds an evaluation may run. One running longer is stopped and recorded as
        failed with reason ``"timeout"`` (fitness ``failed_fitness``); the others go on.
    retry_failed : bool
        On resume, evaluate failed (and timed-out) genotypes again; by default their
        failure is kept, like any cached fitness.
    on_epoch : callable, optional
        Called as each epoch ends with ``{"epoch", "genotypes", "fitness", "keys",
        "repeated"}`` (an entry of :attr:`history`), e.g. a
        :class:`~spikey.core.loggers.PopulationWriter` to watch the run in TensorBoard
        while it runs. Epochs restored by ``resume`` are not replayed to it.
    **config
        Keys below (``NECESSARY_KEYS``).

    Raises
    ------
    ConfigError
        Before any evaluation: malformed or invalid ``GENOTYPE_CONSTRAINTS`` (each
        value checked with the experiment's keys by the game's ``check_constraints``),
        an unknown or invalid key.

    Attributes
    ----------
    epoch : int
        Current epoch (0-based).
    population : list of dict
        The current genotypes.
    history : list of dict
        Per finished epoch: ``epoch``, ``genotypes``, ``fitness``.
    terminated : bool
        True after the last epoch (or when a genotype reached the game's goal).
    best : (dict, float) or None
        Fittest genotype seen and its fitness.
    """

    NECESSARY_KEYS = [
        Key("n_agents", "Genotypes per epoch.", int, constraint=Interval(2, None)),
        Key("n_epoch", "Number of epochs (generations).", int, constraint=Interval(1, None)),
        Key(
            "elitism",
            "Best genotypes copied unchanged into the next epoch.",
            int,
            1,
            constraint=Interval(0, None),
        ),
        Key("tournament_size", "Agents compared to pick each parent.", int, 3, constraint=Interval(1, None)),
        Key("crossover_rate", "Chance that a child has two parents.", float, 0.5, constraint=Interval(0, 1)),
        Key(
            "mutation_rate",
            "Chance that each gene of a child is redrawn.",
            float,
            0.2,
            constraint=Interval(0, 1),
        ),
        Key("random_rate", "Share of each new epoch drawn at random.", float, 0.0, constraint=Interval(0, 1)),
        Key(
            "n_storing",
            "Genotypes kept in the fitness cache (None: all).",
            int,
            None,
            constraint=Interval(0, None),
        ),
        Key("failed_fitness", "Fitness of a genotype whose evaluation raised.", float, -math.inf, allow_inf=True),
    ]
    RNG_STREAM = "population"

    def __init__(
        self,
        game: MetaRL,
        backend: str | MetaBackend | type = "single",
        *,
        seed: int | None = None,
        folder: str | None = None,
        logging: bool = True,
        resume: bool = False,
        progress: bool | None = None,
        metadata: dict | None = None,
        job_timeout: float | None = None,
        retry_failed: bool = False,
        on_epoch: Callable[[dict], Any] | None = None,
        **config: Any,
    ):
        from spikey.meta.jobs import check_timeout

        if on_epoch is not None and not callable(on_epoch):
            raise ConfigError(f"Population.on_epoch: expected a callable or None; got {on_epoch!r}.")
        self._on_epoch = on_epoch

        names = self.key_names()
        config, backend = population_config(config, backend)
        unknown = [k for k in config if k not in names]
        if unknown:
            raise ConfigError(
                f"Population: has no key {unknown[0]!r}{suggest(unknown[0], names)}; keys are {sorted(names)}."
            )
        super().__init__(**config)
        if self._elitism >= self._n_agents:
            raise ConfigError(
                f"Population.elitism: expected fewer than n_agents={self._n_agents}; got {self._elitism}."
            )
        if "tournament_size" in config and self._tournament_size > self._n_agents:  # default: capped
            raise ConfigError(
                f"Population.tournament_size: expected at most n_agents={self._n_agents}; got "
                f"{self._tournament_size}."
            )
        if folder is not None and os.path.exists(folder) and not os.path.isdir(folder):
            raise ConfigError(f"Population.folder: {folder!r} exists and is not a folder.")
        if not callable(getattr(game, "get_fitness", None)):
            raise ConfigError(f"Population.game: expected a MetaRL game with get_fitness; got {game!r}.")
        self.game = game
        self.genotype_constraints = dict(getattr(game, "GENOTYPE_CONSTRAINTS", {}) or {})
        self.constraints = parse_constraints(self.genotype_constraints, "Population")
        check = getattr(game, "check_constraints", None)
        if callable(check):
            check(self.constraints, "Population")
        self.backend = get_backend(backend, owner="Population")
        self.job_timeout = check_timeout(job_timeout, self.backend, "Population")
        self.retry_failed = bool(retry_failed)
        self.logging = bool(logging)
        self.progress = progress
        self.metadata = dict(metadata or {})
        if resume and folder is None and self.logging:
            raise ConfigError("Population: resume=True needs the folder of the run to continue (folder=...).")

        header = (
            Checkpoint.read_header(folder) if resume and self.logging and Checkpoint.exists(folder) else None
        )
        if seed is None and header is not None:
            seed = header.get("seed")
        self.search_seed = Key("seed", "", int).validate(
            seed if seed is not None else fresh_seed(), "Population"
        )
        Module.seed(self, self.search_seed)
        self.cache = GenotypeCache(self._n_storing)
        self.epoch = 0
        self.terminated = False
        self.history: list[dict] = []
        self.best: tuple[dict, float] | None = None
        self.records: list[dict] = []
        self._session = False
        self._checkpoint: Checkpoint | None = None
        self._logger: JobLogger | None = None
        self.folder = folder
        if self.logging:
            self._open_folder(header)
        self.population = self._random_population(make_rng(self.search_seed, "population/epoch/0"))

    # ------------------------------------------------------------------ persistence
    def _config(self) -> dict:
        return self.get_params()

    def _description(self) -> dict:
        return {
            "tool": "Population",
            "seed": self.search_seed,
            "config": self._config(),
            "constraints": self.genotype_constraints,
        }

    def _game_description(self) -> dict:
        game_params = getattr(self.game, "params", {})
        return {
            "game": f"{type(self.game).__module__}:{type(self.game).__qualname__}",
            "params": {k: v for k, v in dict(game_params).items() if k != "seed"},
        }

    def _open_folder(self, header: dict | None) -> None:
        fp = fingerprint(self._description())
        game_fp = fingerprint(self._game_description())
        if header is not None:
            if header.get("fingerprint") != fp:
                stored = decode(header.get("config") or {})
                diffs = [
                    f"{k}={stored[k]!r} there, {v!r} here"
                    for k, v in {"seed": self.search_seed, **self._config()}.items()
                    if k in stored and stored[k] != v
                ]
                if header.get("seed") != self.search_seed:
                    diffs.insert(0, f"seed={header.get('seed')!r} there, {self.search_seed!r} here")
                raise ConfigError(
                    f"Population(resume=True): the checkpoint in {self.folder} was written by a different "
                    f"run ({'; '.join(diffs) or 'its GENOTYPE_CONSTRAINTS differ'}); resume it with the same "
                    "settings, or use another folder."
                )
            self._checkpoint = Checkpoint.open(self.folder, fp, owner="Population(resume=True)")
            if (
                not isinstance(self.game, _StoredGame)
                and self._checkpoint.header.get("game_fingerprint") != game_fp
            ):
                self._checkpoint.close()
                raise ConfigError(
                    f"Population(resume=True): the checkpoint in {self.folder} was written with another game "
                    f"(or game configuration) than {type(self.game).__name__}; resume with the same game."
                )
            prefix = self._checkpoint.header.get("prefix")
            keep = ("ok",) if self.retry_failed else ("ok", "failed")
            for rec in self._checkpoint.records:
                if rec.get("status") in keep and "key" in rec:
                    self.cache[rec["key"]] = self._outcome_from_record(rec)
        else:
            prefix = JobLogger.new_prefix()
            if self.folder is None:
                self.folder = default_folder("population", prefix)
            self._checkpoint = Checkpoint.create(
                self.folder,
                owner="Population",
                header={
                    "tool": "Population",
                    "fingerprint": fp,
                    "game_fingerprint": game_fp,
                    "seed": self.search_seed,
                    "prefix": prefix,
                    "config": encode(self._config()),
                    "constraints": encode(self.genotype_constraints),
                    "game": self._game_description()["game"],
                    "metadata": encode(self.metadata),
                },
            )
        self._logger = JobLogger(self.folder, prefix)
        self.records = self._checkpoint.records

    @staticmethod
    def _outcome_from_record(rec: dict) -> dict:
        if rec["status"] == "ok":
            return {"status": "ok", "fitness": float(decode(rec["fitness"])), "done": bool(rec.get("done"))}
        return {
            "status": "failed",
            "error": rec.get("error"),
            "traceback": rec.get("traceback"),
            "reason": rec.get("reason") or "error",
        }

    # ------------------------------------------------------------------ genotypes
    def _random(self, rng: np.random.Generator) -> dict:
        return {gene: cons.sample(rng) for gene, cons in self.constraints.items()}

    def _random_population(self, rng: np.random.Generator) -> list[dict]:
        return [self._random(rng) for _ in range(self._n_agents)]

    def _tournament(self, rng: np.random.Generator, ranks: list[float]) -> int:
        k = min(self._tournament_size, len(ranks))
        picks = rng.choice(len(ranks), size=k, replace=False)
        return int(min(picks, key=lambda i: (-ranks[i], i)))

    def next_generation(self, genotypes: list[dict], fitness: list[float], epoch: int) -> list[dict]:
        """The genotypes of ``epoch`` bred from the previous epoch's (see the module docstring).

        Deterministic: uses the generator ``make_rng(seed, f"population/epoch/{epoch}")``.
        """
        rng = make_rng(self.search_seed, f"population/epoch/{epoch}")
        ranks = [_rank_value(f) for f in fitness]
        order = sorted(range(len(genotypes)), key=lambda i: (-ranks[i], i))
        n = self._n_agents
        new = [dict(genotypes[i]) for i in order[: self._elitism]]
        n_random = int(round(self._random_rate * (n - len(new))))
        genes = list(self.constraints)
        while len(new) < n - n_random:
            first = genotypes[self._tournament(rng, ranks)]
            child = dict(first)
            if rng.random() < self._crossover_rate:
                second = genotypes[self._tournament(rng, ranks)]
                take = rng.random(len(genes)) < 0.5
                child = {g: (second[g] if t else first[g]) for g, t in zip(genes, take)}
            redraw = rng.random(len(genes)) < self._mutation_rate
            for g, r in zip(genes, redraw):
                if r:
                    child[g] = self.constraints[g].sample(rng)
            new.append(child)
        new += [self._random(rng) for _ in range(n - len(new))]
        return new

    # ------------------------------------------------------------------ evaluation
    def _open_session(self) -> None:
        if not self._session:
            self.backend.__enter__()
            self._session = True

    def close(self) -> None:
        """End the backend session (e.g. shut down a Ray runtime started for this search)."""
        if self._session:
            self._session = False
            self.backend.__exit__(None, None, None)
        if self._checkpoint is not None:
            self._checkpoint.close()

    def __enter__(self) -> Population:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self.population)

    def evaluate(self) -> list[float]:
        """Fitness of every genotype of the current epoch (cached ones are not run again).

        Returns
        -------
        list of float
            In the order of :attr:`population`; ``failed_fitness`` for a genotype whose
            evaluation raised (recorded with its traceback in the checkpoint).
        """
        if self.terminated:
            raise SpikeyError("Population.evaluate: the search has terminated; read population.history.")
        keys = [canonical_key(g) for g in self.population]
        outcomes: dict[str, dict] = {k: self.cache[k] for k in keys if k in self.cache}
        todo: dict[str, FitnessJob] = {}
        for key, genotype in zip(keys, self.population):
            if key not in outcomes and key not in todo:
                todo[key] = FitnessJob(key, dict(genotype), _genotype_seed(self.search_seed, key))
        if todo:
            self._open_session()
            jobs = list(todo.values())
            show = self.progress if getattr(self, "_agent_bars", True) else False
            bar = progress_bar(len(jobs), f"Population epoch {self.epoch}", show, unit="agent")
            try:
                timeout = {"timeout": self.job_timeout} if self.job_timeout else {}
                for k, outcome in self.backend.run(run_fitness_job, jobs, self.game, **timeout):
                    try:
                        stored = self._finish(jobs[k], outcome)
                    except OSError as e:
                        raise self._output_error(e) from e
                    if stored is not None:
                        outcomes[jobs[k].key] = stored
                    bar.update(1)
            finally:
                bar.close()
        lost = [k for k in todo if k not in outcomes]
        if lost:
            warnings.warn(
                f"Population: {len(lost)} evaluations lost their worker beyond the retries; they count as "
                "failed now and run again when the search is resumed.",
                JobsLostWarning,
                stacklevel=2,
            )
        fitness, done = [], False
        for key in keys:
            outcome = outcomes.get(key, {"status": LOST})
            if outcome["status"] == "ok":
                fitness.append(outcome["fitness"])
                done = done or outcome["done"]
            else:
                fitness.append(self._failed_fitness)
        failed = [k for k in todo if outcomes.get(k, {}).get("status") == "failed"]
        if failed:
            err = outcomes[failed[0]].get("error")
            warnings.warn(
                f"Population epoch {self.epoch}: {len(failed)} genotypes failed to evaluate (fitness "
                f"{self._failed_fitness}); first error: {err}. Tracebacks are in the checkpoint.",
                JobFailedWarning,
                stacklevel=2,
            )
        self._done = done
        self._log_epoch(keys, fitness)
        return fitness

    def _finish(self, job: FitnessJob, outcome: dict) -> dict | None:
        """Checkpoint and cache one evaluation; returns what is stored (None for a lost worker)."""
        status = outcome.get("status")
        if status == LOST:
            return None
        record: dict[str, Any] = {
            "key": job.key,
            "genotype": encode(job.genotype),
            "seed": job.seed,
            "epoch": self.epoch,
            "status": status,
            "duration": outcome.get("duration"),
            "worker": outcome.get("worker"),
        }
        if status == "ok":
            record.update(fitness=encode(float(outcome["fitness"])), done=bool(outcome["done"]))
        else:
            record.update(error=outcome.get("error"), traceback=outcome.get("traceback"))
            if outcome.get("reason"):
                record["reason"] = outcome["reason"]
        if self._checkpoint is not None:
            self._checkpoint.append(record)
        else:
            self.records.append(record)
        stored = self._outcome_from_record(record)
        self.cache[job.key] = stored
        return stored

    def _log_epoch(self, keys: list[str], fitness: list[float]) -> None:
        seen_before = {k for h in self.history for k in h["keys"]}
        repeated, seen = [], set()
        for k in keys:
            repeated.append(k in seen_before or k in seen)
            seen.add(k)
        entry = {
            "epoch": self.epoch,
            "genotypes": [dict(g) for g in self.population],
            "fitness": list(fitness),
            "keys": keys,
            "repeated": repeated,
        }
        self.history.append(entry)
        if self._on_epoch is not None:  # e.g. a TensorBoard writer, live
            self._on_epoch(entry)
        finite = [f for f in fitness if math.isfinite(f)]
        best_i = max(range(len(fitness)), key=lambda i: (_rank_value(fitness[i]), -i))
        if self.best is None or _rank_value(fitness[best_i]) > _rank_value(self.best[1]):
            self.best = (dict(self.population[best_i]), fitness[best_i])
        if self._logger is not None:
            results = {
                "epoch": self.epoch,
                "max_fitness": max(finite) if finite else math.nan,
                "mean_fitness": float(np.mean(finite)) if finite else math.nan,
                "min_fitness": min(finite) if finite else math.nan,
                "n_agents": len(fitness),
                "n_new": len(keys) - sum(repeated),
            }
            info = {"genotypes": entry["genotypes"], "fitness": entry["fitness"]}
            data = make_log(self._config(), getattr(self.game, "params", {}), results, info)
            try:
                self._logger.write(self.epoch, data, results)
            except OSError as e:
                raise self._output_error(e) from e

    def _output_error(self, error: OSError) -> OutputError:
        """The error for a failed write to the output folder (what the checkpoint holds, how to resume)."""
        n = len(self.records)
        progress = (
            f"the {n} evaluation{'s' * (n != 1)} finished before (epoch {self.epoch} of {self._n_epoch})"
        )
        return OutputError.during("Population", self.folder, error, progress)

    def update(self, fitness: list[float]) -> None:
        """Breed the next epoch from ``fitness`` (of :meth:`evaluate`); terminate after the last.

        Raises
        ------
        ConfigError
            If ``fitness`` does not have one value per genotype.
        """
        if len(fitness) != len(self.population):
            raise ConfigError(
                f"Population.update: expected {len(self.population)} fitness values (one per agent); got {len(fitness)}."
            )
        done = getattr(self, "_done", False)
        self.epoch += 1
        if self.epoch >= self._n_epoch or done:
            self.terminated = True
            self._summarize()
            self.close()
            return
        self.population = self.next_generation(self.population, list(fitness), self.epoch)

    def _summarize(self) -> None:
        if self._logger is None:
            return
        best = {"genotype": self.best[0], "fitness": self.best[1]} if self.best else None
        try:
            self._write_summary(best)
        except OSError as e:
            raise self._output_error(e) from e

    def _write_summary(self, best: dict | None) -> None:
        self._logger.summarize(
            population={
                "seed": self.search_seed,
                "n_epochs_run": len(self.history),
                "max_fitness_per_epoch": [max(h["fitness"]) for h in self.history],
                "mean_fitness_per_epoch": [
                    float(np.mean([f for f in h["fitness"] if math.isfinite(f)] or [math.nan]))
                    for h in self.history
                ],
                "best": best,
                "backend": getattr(self.backend, "name", type(self.backend).__name__),
            }
        )

    def run(self) -> pd.DataFrame:
        """Evaluate and update until terminated; return :meth:`to_dataframe`.

        Shows a progress bar over epochs (with the best and mean fitness so far).
        """
        bar = progress_bar(self._n_epoch, "Population", self.progress, initial=self.epoch, unit="epoch")
        self._agent_bars = False
        try:
            while not self.terminated:
                fitness = self.evaluate()
                finite = [f for f in fitness if math.isfinite(f)]
                if finite:
                    bar.set_postfix_str(f"max {max(finite):.4g}, mean {float(np.mean(finite)):.4g}")
                self.update(fitness)
                bar.update(1)
        except BaseException:  # Ctrl-C, a full disk: the checkpoint is valid; let go of the folder
            self.close()
            raise
        finally:
            self._agent_bars = True
            bar.close()
            if self.terminated:
                self.close()
        return self.to_dataframe()

    def _replay(self) -> None:
        """Run the epochs whose genotypes are all cached (no jobs), e.g. after a resume."""
        while not self.terminated and all(canonical_key(g) in self.cache for g in self.population):
            self.update(self.evaluate())

    # ------------------------------------------------------------------ results
    def to_dataframe(self) -> pd.DataFrame:
        """One row per agent and epoch: ``epoch``, ``agent``, the genes, ``fitness``, ``repeated``.

        ``repeated`` marks a genotype seen earlier in the search (its fitness came from the
        cache).
        """
        rows = []
        for h in self.history:
            for i, (g, f, r) in enumerate(zip(h["genotypes"], h["fitness"], h["repeated"])):
                rows.append({"epoch": h["epoch"], "agent": i, **g, "fitness": f, "repeated": r})
        return pd.DataFrame.from_records(rows)

    def fitness_per_epoch(self) -> pd.DataFrame:
        """``epoch``, ``max``, ``mean``, ``min`` fitness of each finished epoch."""
        rows = []
        for h in self.history:
            f = np.array(h["fitness"], dtype=float)
            finite = f[np.isfinite(f)]
            rows.append(
                {
                    "epoch": h["epoch"],
                    "max": float(finite.max()) if finite.size else math.nan,
                    "mean": float(finite.mean()) if finite.size else math.nan,
                    "min": float(finite.min()) if finite.size else math.nan,
                }
            )
        return pd.DataFrame.from_records(rows, columns=["epoch", "max", "mean", "min"])

    def __repr__(self) -> str:
        return (
            f"Population({type(self.game).__name__}, epoch {self.epoch}/{self._n_epoch}, "
            f"{self._n_agents} agents, genes {list(self.constraints)})"
        )


class _StoredGame(MetaRL):
    """Stands in for the game of a population read back without one."""

    def __init__(self, constraints: dict):
        super().__init__()
        self.GENOTYPE_CONSTRAINTS = constraints

    def get_fitness(self, genotype: dict) -> tuple[float, bool]:
        raise SpikeyError(
            "read_population: this population was read without its game, so new genotypes cannot be "
            "evaluated; pass game= to read_population to continue the search."
        )


def read_population(
    folder: str, game: MetaRL | None = None, backend: str | MetaBackend | type = "single", **kwargs: Any
) -> Population:
    """Restore a Population from its output folder.

    The configuration, seed and constraints come from the checkpoint; every evaluated
    genotype refills the fitness cache, and the finished epochs are replayed (no job
    runs), so the population returned is exactly where the search stopped.

    Parameters
    ----------
    folder : str
        The population's output folder.
    game : MetaRL, optional
        The game, to continue the search (``population.run()``); without it the history
        and best genotype can be read, but new genotypes cannot be evaluated.
    backend : "single", "ray" or a MetaBackend
        Backend for further evaluations.
    **kwargs
        ``progress`` and other arguments of :class:`Population`.

    Returns
    -------
    Population

    Raises
    ------
    SpikeyError
        If ``folder`` holds no population checkpoint.
    """
    if not Checkpoint.exists(folder):
        raise SpikeyError(
            f"read_population: no checkpoint in {folder!r} (expected {Checkpoint.path_in(folder)})."
        )
    header = Checkpoint.read_header(folder)
    if header.get("tool") != "Population":
        raise SpikeyError(
            f"read_population: {folder} holds a {header.get('tool')} checkpoint, not a Population's."
        )
    config = decode(header.get("config", {}))
    constraints = decode(header.get("constraints", {}))
    if game is None:
        game = _StoredGame(constraints)
    kwargs.setdefault("progress", None)
    population = Population(
        game, backend, seed=header.get("seed"), folder=folder, resume=True, **{**config, **kwargs}
    )
    population._replay()
    return population
