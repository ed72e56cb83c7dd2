"""Meta reinforcement-learning games: the fitness functions of a Population.

A :class:`MetaRL` game scores a *genotype* (a dict of gene -> value drawn from its
``GENOTYPE_CONSTRAINTS``): ``get_fitness(genotype) -> (fitness, done)``, ``done`` ending
the search early. :class:`EvolveNetwork` trains a network template on a game with a
training loop, the genotype overriding the loop's params, and scores the run;
:class:`MetaNQueens` is a cheap benchmark without networks.

Seeds: a Population seeds its game (``game.seed(s)``) before each evaluation; a game
draws its randomness from ``self.rng`` or derives seeds from ``self._seed``.
"""

from __future__ import annotations

import copy as _copy
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from spikey.errors import ConfigError, UnclaimedKeyWarning
from spikey.meta.spec import Constraint, expand_spec
from spikey.meta.validate import KeyIndex, check_build, describe_params
from spikey.module import Interval, Key, Module, describe_value, suggest
from spikey.rng import derive_seed

__all__ = ["MetaRL", "EvolveNetwork", "MetaNQueens"]


class MetaRL(Module):
    """Template of meta games (see the module docstring).

    Parameters
    ----------
    preset : str, optional
        Name of an entry of ``PRESETS``.
    strict : bool
        Raise for a key the game does not declare; by default such a key is ignored
        with an :class:`~spikey.errors.UnclaimedKeyWarning` (with a did-you-mean), as
        games do (the original Spikey ignored them silently).
    **kwargs
        Values of ``NECESSARY_KEYS`` (they override the preset and the class
        attribute ``config``), and ``seed``.

    Raises
    ------
    ConfigError
        For an unknown preset, an invalid value, or (``strict=True``) an unknown key,
        with a did-you-mean.

    Examples
    --------
    >>> from spikey.meta import MetaRL
    >>> class Parabola(MetaRL):
    ...     GENOTYPE_CONSTRAINTS = {"x": (-2.0, 2.0)}
    ...     def get_fitness(self, genotype):
    ...         return -genotype["x"] ** 2, False
    >>> Parabola().get_fitness({"x": 1.0})
    (-1.0, False)
    """

    NECESSARY_KEYS: list[Key] = []
    #: Gene -> valid values: ``[values]``, ``(start, stop, step)`` or ``(low, high)``.
    GENOTYPE_CONSTRAINTS: dict[str, Any] = {}
    PRESETS: dict[str, dict[str, Any]] = {}
    config: dict[str, Any] = {}
    RNG_STREAM = "metagame"

    def __init__(self, preset: str | None = None, *, strict: bool = False, **kwargs: Any):
        names = self.key_names()
        unknown = [k for k in kwargs if k not in names and k != "seed"]
        for name in unknown:
            msg = (
                f"{type(self).__name__}: has no key {name!r}{suggest(name, names)}; keys are {sorted(names)}."
            )
            if strict:
                raise ConfigError(msg)
            warnings.warn(msg[:-1] + "; ignored.", UnclaimedKeyWarning, stacklevel=3)
            del kwargs[name]
        merged = dict(self.config)
        if preset is not None:
            if preset not in self.PRESETS:
                raise ConfigError(
                    f"{type(self).__name__}: no preset {preset!r}{suggest(str(preset), self.PRESETS)}; "
                    f"presets are {sorted(self.PRESETS)}."
                )
            merged.update(self.PRESETS[preset])
        merged.update(kwargs)
        super().__init__(**merged)

    @property
    def params(self) -> dict[str, Any]:
        """The game's configuration (a copy)."""
        return _copy.deepcopy(self.get_params())

    @property
    def population_arguments(self) -> tuple[dict, Callable]:
        """``(GENOTYPE_CONSTRAINTS, get_fitness)``, as in the original Spikey."""
        return self.GENOTYPE_CONSTRAINTS, self.get_fitness

    def check_constraints(self, constraints: Mapping[str, Constraint], owner: str = "Population") -> None:
        """Check, before any job runs, that genotypes drawn from ``constraints`` are valid.

        The default accepts everything; :class:`EvolveNetwork` validates every gene
        against the keys of the experiment.

        Raises
        ------
        ConfigError
            Naming the gene, the value and what was expected.
        """

    def get_fitness(self, genotype: dict) -> tuple[float, bool]:
        """Score ``genotype``; returns ``(fitness, done)`` (``done`` ends the search)."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_fitness(genotype).")

    def reset(self) -> None:
        """Nothing to reset (meta games are stateless between genotypes)."""

    def step(self, action: dict, **kwargs: Any) -> tuple[None, float, bool, dict]:
        """Gym-style alias of :meth:`get_fitness`: ``(None, fitness, done, {})``."""
        fitness, done = self.get_fitness(action, **kwargs)
        return None, fitness, done, {}

    def close(self) -> None:
        """Nothing to release."""


def _fitness_from(getter: str | Callable, network: Any, game: Any, results: dict, info: dict) -> float:
    if isinstance(getter, str):
        if getter not in results:
            raise ConfigError(
                f"EvolveNetwork.fitness_getter: the run's results have no {getter!r}"
                f"{suggest(getter, results)}; they have {sorted(results)}."
            )
        return float(results[getter])
    return float(getter(network, game, results, info))


class EvolveNetwork(MetaRL):
    """Fitness of a genotype: train a network on a game with a training loop and score it.

    Each gene is a parameter of the experiment (a key of the loop, game, network or a
    part, or a part slot); ``genotype_constraints`` become ``GENOTYPE_CONSTRAINTS``.
    ``get_fitness`` runs the loop ``n_reruns`` times for each configuration of
    ``static_updates`` (a Series spec; None: one), the genotype overriding the training
    params, and aggregates the scores.

    Seeds: rerun ``r`` of configuration ``c`` has seed
    ``derive_seed(self._seed, f"config/{c}/rerun/{r}")`` (the Population seeds the game
    per genotype), so a genotype's fitness is reproducible.

    Examples
    --------
    >>> import spikey
    >>> from spikey.meta import EvolveNetwork, Population
    >>> metagame = EvolveNetwork(
    ...     training_loop=spikey.core.GenericLoop,
    ...     network_template=network_template, game_template=game_template,
    ...     training_params={"n_episodes": 10, "len_episode": 20},
    ...     genotype_constraints={"learning_rate": (0.0, 0.2), "firing_threshold": [4, 8, 16]},
    ...     fitness_getter="mean_accuracy", n_reruns=2,
    ... )  # doctest: +SKIP
    >>> population = Population(metagame, n_agents=8, n_epoch=5, seed=0)  # doctest: +SKIP
    """

    NECESSARY_KEYS = MetaRL.extend_keys(
        [
            Key(
                "training_loop",
                "TrainingLoop class (e.g. GenericLoop) or a configured instance (its templates, "
                "params and callback are used).",
            ),
            Key(
                "genotype_constraints",
                "Gene -> valid values ([values], (start, stop, step) or (low, high)); genes are "
                "experiment parameters.",
                dict,
            ),
            Key("network_template", "Network class (default: the training loop instance's).", default=None),
            Key("game_template", "Game class (default: the training loop instance's).", default=None),
            Key(
                "training_params", "Training loop keys and overrides shared by every run.", dict, default=None
            ),
            Key("callback", "Callback class or instance (each run gets a copy).", default=None),
            Key(
                "static_updates",
                "A Series spec: every genotype runs each of its configurations (None: one).",
                default=None,
            ),
            Key(
                "n_reruns",
                "Runs per configuration, each with its own seed.",
                int,
                2,
                constraint=Interval(1, None),
            ),
            Key("win_fitness", "Fitness that ends the search (None: never).", float, default=None),
            Key(
                "fitness_getter",
                "f(network, game, results, info) -> float, or the name of a results key.",
                (str, callable),
                default="mean_reward",
            ),
            Key("fitness_aggregator", "f(list of fitness) -> float over runs.", callable, default=np.mean),
        ]
    )

    def __init__(self, preset: str | None = None, **kwargs: Any):
        super().__init__(preset, **kwargs)
        from spikey.core import TrainingLoop

        loop = self._training_loop
        params: dict = {}
        callback = self._callback
        net, game = self._network_template, self._game_template
        if isinstance(loop, TrainingLoop):
            params.update(loop.params)
            callback = callback if callback is not None else loop.callback
            net = net if net is not None else loop.network_template
            game = game if game is not None else loop.game_template
            loop_class = type(loop)
        elif isinstance(loop, type) and issubclass(loop, TrainingLoop):
            loop_class = loop
        else:
            raise ConfigError(
                f"EvolveNetwork.training_loop: expected a TrainingLoop subclass or instance; got {describe_value(loop)}."
            )
        if net is None or game is None:
            raise ConfigError(
                "EvolveNetwork: network_template and game_template are required with a training loop class "
                "(or give a configured training loop instance)."
            )
        params.update(self._training_params or {})
        params.pop("progress", None)
        params.pop("seed", None)
        self.loop_class, self.network_template, self.game_template = loop_class, net, game
        self.loop_params, self.loop_callback = params, callback
        self.static_configs = expand_spec(self._static_updates, owner="EvolveNetwork.static_updates")
        self.GENOTYPE_CONSTRAINTS = dict(self._genotype_constraints)
        overlap = sorted({k for cfg in self.static_configs for k in cfg} & set(self.GENOTYPE_CONSTRAINTS))
        if overlap:
            raise ConfigError(
                f"EvolveNetwork: {overlap} are both genes and static_updates; a parameter is either evolved "
                "or varied by static_updates."
            )

    def _make_loop(self) -> Any:
        callback = self.loop_callback
        if callback is not None and not isinstance(callback, type):
            callback = _copy.deepcopy(callback)
        return self.loop_class(
            self.network_template, self.game_template, callback, dict(self.loop_params), check=False
        )

    def check_constraints(self, constraints: Mapping[str, Constraint], owner: str = "Population") -> None:
        """Validate every gene's values with the experiment's keys and build two genotypes.

        Each listed value (the ends of a range) is checked with every
        :class:`~spikey.module.Key` of that name; then the network and game are built with
        all genes at their first and at their last example values.
        """
        loop = self._make_loop()
        keys = KeyIndex(self.loop_class, self.network_template, self.game_template, loop.callback)
        where = f"{owner}.GENOTYPE_CONSTRAINTS"
        for gene, cons in constraints.items():
            for value in cons.examples():
                for static in self.static_configs:
                    # the loop's params too: parts given there (the original's style) claim keys
                    keys.check(
                        {**self.loop_params, **static, gene: value},
                        f"{where}[{gene!r}] value {describe_value(value)}",
                    )
        for pick in (0, -1):
            genotype = {gene: cons.examples()[pick] for gene, cons in constraints.items()}
            for static in self.static_configs:
                params = {**static, **genotype}
                check_build(loop, params, 0, f"{where}: genotype ({describe_params(params)})")
        if isinstance(self._fitness_getter, str):
            first = {gene: cons.examples()[0] for gene, cons in constraints.items()}
            self._check_fitness_getter(loop, {**self.static_configs[0], **first})

    def _check_fitness_getter(self, loop: Any, params: dict) -> None:
        """A pilot run (one episode of one step) must produce the ``fitness_getter`` result.

        Skipped for loops without ``n_episodes`` and ``len_episode`` keys, and when the
        pilot itself fails (the evaluations then record that failure).
        """
        names = set(loop.key_names())
        if not {"n_episodes", "len_episode"} <= names:
            return
        pilot = {"n_episodes": 1, "len_episode": 1}
        if "eval_episodes" in names and (self.loop_params.get("eval_episodes") or 0) > 0:
            pilot["eval_episodes"] = 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, _, results, _ = loop(seed=0, progress=False, **{**params, **pilot})
        except Exception:  # noqa: BLE001 - the real evaluations report their own failures
            return
        getter = self._fitness_getter
        if getter not in results:
            raise ConfigError(
                f"EvolveNetwork.fitness_getter: a run's results have no {getter!r}"
                f"{suggest(getter, results)}; they have {sorted(results)}."
            )

    def get_fitness(self, genotype: dict) -> tuple[float, bool]:
        """Train ``n_reruns`` times per static configuration; aggregate the scores.

        Returns
        -------
        fitness : float
            ``fitness_aggregator`` of the scores.
        done : bool
            ``fitness >= win_fitness``.
        """
        loop = self._make_loop()
        scores = []
        for c, static in enumerate(self.static_configs):
            for r in range(self._n_reruns):
                seed = derive_seed(self._seed, f"config/{c}/rerun/{r}")
                network, game, results, info = loop(seed=seed, progress=False, **{**static, **genotype})
                scores.append(_fitness_from(self._fitness_getter, network, game, results, info))
        fitness = float(self._fitness_aggregator(scores))
        done = self._win_fitness is not None and fitness >= self._win_fitness
        return fitness, bool(done)


class MetaNQueens(MetaRL):
    """Place ``n_queens`` queens on a chess board so that none attacks another.

    Genes ``<letter>x`` and ``<letter>y`` (``ax``, ``ay``, ``bx``, ...) in 0..7 are the
    queens' squares. Fitness is the number of queen pairs that do not attack each other
    (pairs on one row, column or diagonal do), at most ``n(n-1)/2``; ``done`` when no
    pair attacks. A benchmark of the genetic algorithm that needs no network.

    Examples
    --------
    >>> from spikey.meta import MetaNQueens
    >>> game = MetaNQueens(n_queens=2)
    >>> sorted(game.GENOTYPE_CONSTRAINTS)
    ['ax', 'ay', 'bx', 'by']
    >>> game.get_fitness({"ax": 0, "ay": 0, "bx": 1, "by": 2})
    (1.0, True)
    >>> game.get_fitness({"ax": 0, "ay": 0, "bx": 3, "by": 3})
    (0.0, False)
    """

    NECESSARY_KEYS = MetaRL.extend_keys(
        [Key("n_queens", "Number of queens to place.", int, default=8, constraint=Interval(1, 8))]
    )

    def __init__(self, preset: str | None = None, **kwargs: Any):
        super().__init__(preset, **kwargs)
        self.letters = "abcdefgh"[: self._n_queens]
        self.GENOTYPE_CONSTRAINTS = {f"{q}{axis}": list(range(8)) for q in self.letters for axis in "xy"}

    def get_fitness(self, genotype: dict) -> tuple[float, bool]:
        """``(non-attacking pairs, no pair attacks)``."""
        xs = np.array([int(genotype[f"{q}x"]) for q in self.letters])
        ys = np.array([int(genotype[f"{q}y"]) for q in self.letters])
        attacks = 0
        for line in (xs, ys, xs + ys, xs - ys):
            _, counts = np.unique(line, return_counts=True)
            attacks += int(np.sum(counts * (counts - 1) // 2))
        n = self._n_queens
        pairs = n * (n - 1) // 2
        # a pair on one square shares all four lines but is one attacking pair
        _, counts = np.unique(xs * 8 + ys, return_counts=True)
        same = int(np.sum(counts * (counts - 1) // 2))
        attacking = attacks - 3 * same
        return float(pairs - attacking), attacking == 0
