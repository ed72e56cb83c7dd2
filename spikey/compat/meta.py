"""The original Spikey's call forms of Series, Population and their backends.

- ``Series(training_loop, series_params, max_process=2)`` (2021, positional) and
  ``Series(training_loop=loop, experiment_params=spec)`` (its keyword names): the
  templates come from the loop instance, ``experiment_params`` is the spec.
- ``max_process=n`` on Series and Population: ``n`` local worker processes.
- Population's keys that spikey's genetic algorithm does not use
  (:data:`POPULATION_KEYS`), ignored with a warning naming what replaces them.
- The original's public :class:`GenotypeMapping` (a fitness memory) and
  :func:`checkpoint_population` (here: the folder a population already checkpoints to).
"""

from __future__ import annotations

import copy as _copy
import os
import warnings
from typing import Any

import numpy as np

from spikey.compat._warn import deprecated
from spikey.core import TrainingLoop
from spikey.errors import ConfigError, SpikeyError, SpikeyWarning
from spikey.meta.backends import MetaBackend, MultiprocessBackend, SingleProcessBackend
from spikey.module import Interval, Key

__all__ = [
    "UNSET",
    "series_arguments",
    "max_process_backend",
    "POPULATION_KEYS",
    "population_config",
    "GenotypeMapping",
    "checkpoint_population",
]

#: Marks a keyword argument that was not given (``experiment_params=None`` is a spec).
UNSET: Any = object()

#: Keys of the original Spikey's Population that spikey's algorithm does not use -> what
#: replaces them (None: nothing).
POPULATION_KEYS = {
    "survivor_rate": "elitism",
    "mutate_eligable_pct": "tournament_size",
    "max_age": None,
    "log_fn": None,
    "max_process": "backend",
}


def max_process_backend(owner: str, backend: Any, max_process: Any) -> Any:
    """The backend the original's ``max_process=n`` meant: ``n`` local processes.

    ``1`` (or None) is :class:`~spikey.meta.backends.SingleProcessBackend`, more is
    :class:`~spikey.meta.backends.MultiprocessBackend`.

    Raises
    ------
    ConfigError
        For anything but an int >= 1 or None, or with a ``backend`` other than the default.

    Examples
    --------
    >>> from spikey.compat.meta import max_process_backend
    >>> max_process_backend("Series", "single", 1), max_process_backend("Series", "single", 2)
    (SingleProcessBackend(), MultiprocessBackend(max_process=2))
    """
    if backend != "single":
        raise ConfigError(f"{owner}: got both backend and max_process; give one of them.")
    if isinstance(max_process, bool) or not isinstance(max_process, (int, type(None))):
        raise ConfigError(f"{owner}.max_process: expected an int >= 1; got {max_process!r}.")
    if max_process is not None and max_process < 1:
        raise ConfigError(f"{owner}.max_process: expected an int >= 1; got {max_process!r}.")
    deprecated(
        f"{owner}(..., max_process={max_process})", f'{owner}(..., backend="multiprocess")', stacklevel=5
    )
    if max_process is None or max_process == 1:
        return SingleProcessBackend()
    return MultiprocessBackend(max_process=max_process)


def series_arguments(
    network_template: Any,
    game_template: Any,
    training_loop: Any,
    spec: Any,
    experiment_params: Any = UNSET,
    backend: str | MetaBackend | type = "single",
    max_process: Any = None,
) -> tuple[Any, Any, Any, Any, Any]:
    """``(network_template, game_template, training_loop, spec, backend)`` of any Series call.

    Accepts spikey's form ``Series(network_template, game_template, training_loop,
    spec)`` unchanged, and the original Spikey's ``Series(training_loop, series_params,
    max_process=2)`` and ``Series(training_loop=loop, experiment_params=spec)``.

    Raises
    ------
    ConfigError
        For a spec given twice.
    """
    if isinstance(network_template, TrainingLoop):
        if training_loop is not None or spec is not None:
            raise ConfigError(
                "Series: given a training loop instance first (the original Spikey's "
                "Series(training_loop, series_params)), expected at most the spec after it."
            )
        deprecated(
            "Series(training_loop, series_params)",
            "Series(network_template, game_template, training_loop, spec)",
            stacklevel=4,
        )
        training_loop, spec = network_template, game_template
        network_template = game_template = None
    if experiment_params is not UNSET:
        if spec is not None:
            raise ConfigError(
                "Series: got both spec and experiment_params (the original's name of the spec)."
            )
        deprecated("Series(..., experiment_params=spec)", "Series(..., spec=spec)", stacklevel=4)
        spec = experiment_params
    if network_template is None and game_template is None and isinstance(training_loop, TrainingLoop):
        network_template, game_template = training_loop.network_template, training_loop.game_template
    if max_process is not None:
        backend = max_process_backend("Series", backend, max_process)
    return network_template, game_template, training_loop, spec, backend


def population_config(config: dict, backend: Any) -> tuple[dict, Any]:
    """``(config, backend)`` without the original's Population keys (see :data:`POPULATION_KEYS`).

    ``max_process`` chooses the backend; the other keys are dropped with one
    :class:`~spikey.errors.SpikeyWarning` naming what replaces each.
    """
    config = dict(config)
    if "max_process" in config:
        backend = max_process_backend("Population", backend, config.pop("max_process"))
    legacy = {k: config.pop(k) for k in list(config) if k in POPULATION_KEYS}
    if legacy:
        hints = ", ".join(f"{k} (use {POPULATION_KEYS[k]})" if POPULATION_KEYS[k] else k for k in legacy)
        warnings.warn(
            f"Population: ignoring the original Spikey's keys {hints}.", SpikeyWarning, stacklevel=3
        )
    return config, backend


class GenotypeMapping:
    """The original Spikey's fitness memory: the last ``n_storing`` genotypes and their fitness.

    Populations keep their own cache (:class:`GenotypeCache`); this is the original's
    public class for code that used it directly.

    Parameters
    ----------
    n_storing : int
        How many (genotype, fitness) pairs to remember; the oldest is forgotten first.

    Attributes
    ----------
    genotypes : list of dict
        Remembered genotypes (copies), oldest first.
    fitnesses : list of float
        Their fitness, in the same order.

    Examples
    --------
    >>> from spikey.meta import GenotypeMapping
    >>> mapping = GenotypeMapping(n_storing=2)
    >>> for i in range(3):
    ...     mapping.update({"idx": i}, 10 * i)
    >>> mapping[{"idx": 2}], mapping[{"idx": 0}], [g["idx"] for g in mapping.genotypes]
    (20, None, [1, 2])
    """

    def __init__(self, n_storing: int = 256, **kwargs: Any):
        self.n_storing = Key("n_storing", "", int, constraint=Interval(0, None)).validate(
            n_storing, "GenotypeMapping"
        )
        self.genotypes: list[dict] = []
        self.fitnesses: list[float] = []

    def update(self, genotype: dict, fitness: float) -> None:
        """Remember ``genotype -> fitness`` (a copy of the genotype), forgetting the oldest."""
        if self.n_storing == 0:
            return
        self.genotypes.append(dict(genotype))
        self.fitnesses.append(fitness)
        del self.genotypes[: -self.n_storing]
        del self.fitnesses[: -self.n_storing]

    def __getitem__(self, genotype: dict) -> float | None:
        """The remembered fitness of an equal genotype (same genes and values), else None."""
        for stored, fitness in zip(reversed(self.genotypes), reversed(self.fitnesses)):
            if stored.keys() == genotype.keys() and all(_same_gene(stored[k], genotype[k]) for k in stored):
                return fitness
        return None

    def __len__(self) -> int:
        return len(self.genotypes)

    def copy(self) -> GenotypeMapping:
        """An independent copy (genotypes copied; fitness values shared, they are numbers)."""
        out = GenotypeMapping(self.n_storing)
        out.genotypes = [_copy.deepcopy(g) for g in self.genotypes]
        out.fitnesses = list(self.fitnesses)
        return out


def _same_gene(a: Any, b: Any) -> bool:
    try:
        return bool(np.all(a == b)) if not (isinstance(a, type) or isinstance(b, type)) else a is b
    except (TypeError, ValueError):
        return a is b


def checkpoint_population(population: Any, folder: str | None = None) -> str:
    """The original Spikey's explicit checkpoint: here every evaluation is already durable.

    A :class:`Population` appends each evaluated genotype to ``<folder>/checkpoint.jsonl``
    (fsynced) as it finishes, so there is nothing left to save; this returns that
    folder, from which ``Population(..., folder=folder, resume=True)`` or
    :func:`read_population` continue. (The original pickled the population; spikey's
    checkpoints are JSON and never unpickled.)

    Parameters
    ----------
    population : Population
        The search.
    folder : str, optional
        Must be the population's own folder if given.

    Returns
    -------
    str
        The population's folder.

    Raises
    ------
    SpikeyError
        For a population built with ``logging=False`` (it keeps no checkpoint) or a
        ``folder`` other than its own.
    """
    own = getattr(population, "folder", None)
    if not getattr(population, "logging", False) or own is None:
        raise SpikeyError(
            "checkpoint_population: this Population was built with logging=False and keeps no "
            "checkpoint; build it with a folder (logging=True) to resume it later."
        )
    if folder is not None and os.path.abspath(folder) != os.path.abspath(own):
        raise SpikeyError(
            f"checkpoint_population: the population checkpoints into its own folder {own!r}; got {folder!r}."
        )
    return own
