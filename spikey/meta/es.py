"""Evolution strategies over a network's weights: OpenAI-ES and CMA-ES, on any backend.

The genome is the vector of a network's synaptic weights (all synapses of its weight
part, or a named subset, :class:`WeightGenome`). An agent is a network built from the
template with the genome's weights, its learning frozen (``network.eval()``); its
fitness is the mean return (the game's own reward summed per episode) over
``n_episodes`` episodes. Each generation:

1. the strategy proposes ``pop_size`` genomes (:meth:`OpenAIES.ask` / :meth:`CMAES.ask`);
2. every agent, and the strategy's centre (the policy it would return now), plays the
   same ``n_episodes`` episodes (a game seeded from the run seed and the generation,
   so agents are compared on the same initial states) on the backend;
3. the fitnesses go back to the strategy (:meth:`tell`), and one record is appended to
   the checkpoint: fitness of each agent, best / mean / std, the centre's fitness and
   genome, the step size, failures, environment steps and wall time.

Seeds: agent ``i`` of generation ``g`` gets ``derive_seed(seed, "evolution/g/i")`` (its
network's streams), the episodes ``derive_seed(seed, "evolution/g/episodes")`` and the
strategy its own stream, so the same seed gives the same run on every backend.

Resuming replays the checkpoint: the strategy is rebuilt from the seed and told the
recorded fitnesses generation by generation (nothing is evaluated again, nothing is
unpickled), which puts it in exactly the state it had; a generation cut by a crash is
run again in full. A killed run resumed with ``resume=True`` therefore ends with the
same records as one never interrupted.

An agent whose episode raises, or whose return is not finite, scores ``-inf``; its
error and traceback are kept in the generation's record and the generation goes on.

References
----------
Salimans, T., Ho, J., Chen, X., Sidor, S. & Sutskever, I. (2017). Evolution strategies as
a scalable alternative to reinforcement learning. arXiv:1703.03864.

Hansen, N. (2016). The CMA evolution strategy: a tutorial. arXiv:1604.00772.

Examples
--------
.. code-block:: python

    from spikey.experiments import control
    from spikey.meta import WeightEvolution

    task = control.TASKS["cartpole"]
    evo = WeightEvolution(task.network_template(), task.game_template(), strategy="cma-es",
                          pop_size=16, n_generations=20, n_episodes=3, seed=0)
    result = evo.run()
    result.history[["generation", "best", "mean", "center"]]
    network = result.network()           # the centre's weights, learning frozen
"""

from __future__ import annotations

import math
import os
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from spikey.errors import ConfigError, SpikeyError
from spikey.logging.serialize import decode, encode
from spikey.meta.backends import get_backend
from spikey.meta.checkpoint import Checkpoint, fingerprint
from spikey.meta.jobs import default_folder, progress_bar
from spikey.rng import derive_seed, make_rng

__all__ = [
    "WeightGenome",
    "OpenAIES",
    "CMAES",
    "STRATEGIES",
    "AgentJob",
    "AgentRunner",
    "evaluate_agent",
    "play_episodes",
    "WeightEvolution",
    "EvolutionResult",
    "read_evolution",
]


# ---------------------------------------------------------------------- genome
class WeightGenome:
    """Which weights of a network evolve, and how a genome vector becomes a weight matrix.

    Parameters
    ----------
    network : Network
        A network built from the template (its weight part gives the shape, the
        synapses, ``max_weight`` and the starting weights).
    synapses : {"all", "inputs", "body"} or ndarray of bool, shape (n_pre, n_post)
        The synapses in the genome: every synapse of the weight part, those leaving
        the input neurons, those leaving body neurons, or the synapses of a mask
        (intersected with the weight part's own).

    Raises
    ------
    ConfigError
        ``genome`` naming no synapse of the network, or a mask of the wrong shape.

    Notes
    -----
    Genome values are weights in the weight part's units; :meth:`matrix` clips them
    into ``[0, max_weight]`` (weights are magnitudes, signs come from the presynaptic
    neurons' polarities).

    Examples
    --------
    >>> from spikey.experiments.control import TASKS
    >>> from spikey.meta.es import WeightGenome
    >>> net = TASKS["mountaincar"].network_template()(seed=0)    # 18 inputs -> 6 outputs
    >>> g = WeightGenome(net)
    >>> g.size, g.initial()[:3].tolist(), g.matrix(g.initial() + 1.0).max()
    (108, [0.5, 0.5, 0.5], np.float64(1.0))
    """

    def __init__(self, network: Any, synapses: Any = "all"):
        weights = network.weights
        base = weights.matrix
        base = base.toarray() if hasattr(base, "toarray") else np.array(base, dtype=float)
        mask = weights.mask
        mask = mask.toarray() if hasattr(mask, "toarray") else np.asarray(mask, dtype=bool)
        n_in = int(network.params["n_inputs"])
        if isinstance(synapses, str):
            if synapses == "all":
                chosen = mask.copy()
            elif synapses in ("inputs", "body"):
                rows = np.zeros(mask.shape[0], dtype=bool)
                rows[:n_in] = synapses == "inputs"
                rows[n_in:] = synapses == "body"
                chosen = mask & rows[:, None]
            else:
                raise ConfigError(
                    f"WeightEvolution.genome: expected 'all', 'inputs', 'body' or a bool mask of shape "
                    f"{mask.shape}; got {synapses!r}."
                )
        else:
            given = np.asarray(synapses)
            if given.dtype != bool or given.shape != mask.shape:
                raise ConfigError(
                    f"WeightEvolution.genome: expected a bool mask of shape {mask.shape} (n_inputs + n_neurons, "
                    f"n_neurons); got dtype {given.dtype}, shape {given.shape}."
                )
            chosen = mask & given
        if not chosen.any():
            raise ConfigError(
                f"WeightEvolution.genome: {synapses if isinstance(synapses, str) else 'the mask'!r} names no "
                f"synapse of the network's weight part ({int(mask.sum())} synapses); choose 'all' or a mask "
                "overlapping weights.mask."
            )
        self.shape = mask.shape
        self.rows, self.cols = np.nonzero(chosen)
        self.base = np.where(mask, base, 0.0)
        self.max_weight = float(weights.max_weight)

    @property
    def size(self) -> int:
        """Number of genes (evolving synapses)."""
        return int(self.rows.size)

    def initial(self) -> np.ndarray:
        """The network's own weights on the genome's synapses, shape (size,)."""
        return self.base[self.rows, self.cols].copy()

    def matrix(self, genome: np.ndarray) -> np.ndarray:
        """The full weight matrix for ``genome`` (clipped into ``[0, max_weight]``)."""
        genome = np.asarray(genome, dtype=float)
        if genome.shape != (self.size,):
            raise ConfigError(f"WeightGenome: expected a genome of shape ({self.size},); got {genome.shape}.")
        out = self.base.copy()
        out[self.rows, self.cols] = np.clip(genome, 0.0, self.max_weight)
        return out


# ---------------------------------------------------------------------- strategies
class OpenAIES:
    """OpenAI evolution strategy (Salimans et al. 2017) with antithetic sampling and Adam.

    Parameters
    ----------
    x0 : ndarray, shape (n,)
        Starting centre.
    sigma : float
        Standard deviation of the perturbations (fixed).
    pop_size : int
        Perturbations per generation (even: pairs ``+eps``, ``-eps``).
    rng : numpy.random.Generator
        The strategy's own generator.
    learning_rate : float
        Adam's step size.
    weight_decay : float
        L2 pull of the centre towards 0 (per step, times the learning rate).

    Notes
    -----
    With perturbations :math:`\\epsilon_i \\sim N(0, I)` and centred ranks
    :math:`u_i \\in [-1/2, 1/2]` of the fitnesses, the gradient estimate is

    .. math:: g = \\frac{1}{P \\sigma} \\sum_i u_i \\epsilon_i,

    and the centre takes an Adam step along :math:`g` (ascent).

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.meta.es import OpenAIES
    >>> es = OpenAIES(np.zeros(2), sigma=0.1, pop_size=8, rng=np.random.default_rng(0), learning_rate=0.1)
    >>> for _ in range(30):
    ...     X = es.ask(); es.tell(-np.sum((X - 1.0) ** 2, axis=1))
    >>> bool(np.all(np.abs(es.mean - 1.0) < 0.3))
    True
    """

    name = "openai-es"

    def __init__(
        self,
        x0: np.ndarray,
        sigma: float,
        pop_size: int,
        rng: np.random.Generator,
        learning_rate: float = 0.05,
        weight_decay: float = 0.0,
    ):
        if pop_size < 2 or pop_size % 2:
            raise ConfigError(
                f"OpenAIES.pop_size: expected an even number >= 2 (antithetic pairs); got {pop_size}."
            )
        self.mean = np.array(x0, dtype=float)
        self.sigma = float(sigma)
        self.pop_size = int(pop_size)
        self.rng = rng
        self.learning_rate = float(learning_rate)
        self.weight_decay = float(weight_decay)
        self._m = np.zeros_like(self.mean)
        self._v = np.zeros_like(self.mean)
        self._t = 0
        self._eps: np.ndarray | None = None

    def ask(self) -> np.ndarray:
        """The generation's genomes, shape (pop_size, n)."""
        half = self.rng.standard_normal((self.pop_size // 2, self.mean.size))
        self._eps = np.concatenate([half, -half])
        return self.mean + self.sigma * self._eps

    def tell(self, fitness: Sequence[float]) -> None:
        """Update the centre from the fitnesses of the last :meth:`ask` (higher is better)."""
        if self._eps is None:
            raise SpikeyError("OpenAIES.tell: call ask() first.")
        f = np.asarray(fitness, dtype=float)
        ranks = np.empty(f.size)
        ranks[np.argsort(f, kind="stable")] = np.arange(f.size)
        utility = ranks / max(f.size - 1, 1) - 0.5
        grad = utility @ self._eps / (f.size * self.sigma)
        self._t += 1
        b1, b2 = 0.9, 0.999
        self._m = b1 * self._m + (1 - b1) * grad
        self._v = b2 * self._v + (1 - b2) * grad * grad
        mhat = self._m / (1 - b1**self._t)
        vhat = self._v / (1 - b2**self._t)
        self.mean = self.mean + self.learning_rate * (
            mhat / (np.sqrt(vhat) + 1e-8) - self.weight_decay * self.mean
        )
        self._eps = None


class CMAES:
    """Covariance matrix adaptation evolution strategy, through the ``cma`` library.

    A thin adapter: ``cma.CMAEvolutionStrategy`` draws its normal samples from the
    strategy's own generator (never the global ``numpy.random``), minimises
    ``-fitness``, and gets a failed agent's ``-inf`` as a fitness below the worst finite
    one (CMA-ES uses ranks, so only the order matters).

    Parameters
    ----------
    x0 : ndarray, shape (n,)
        Starting mean.
    sigma : float
        Initial step size.
    pop_size : int
        Offspring per generation (lambda).
    rng : numpy.random.Generator
        The strategy's own generator.
    **options
        Further ``cma`` options (e.g. ``CMA_diagonal=True``).

    Raises
    ------
    ConfigError
        When ``cma`` is not installed (``pip install cma``, or the ``spikey[evolution]`` extra).
    """

    name = "cma-es"

    def __init__(self, x0: np.ndarray, sigma: float, pop_size: int, rng: np.random.Generator, **options: Any):
        try:
            import cma
        except ImportError:  # pragma: no cover - cma is a dependency
            raise ConfigError(
                "CMAES: needs the 'cma' package; pip install cma (or pip install -e '.[evolution]')."
            ) from None
        if pop_size < 2:
            raise ConfigError(f"CMAES.pop_size: expected an int >= 2; got {pop_size}.")
        self.rng = rng
        self.pop_size = int(pop_size)

        def randn(*shape: int) -> np.ndarray:
            return self.rng.standard_normal(shape)

        opts = {"popsize": self.pop_size, "seed": float("nan"), "randn": randn, "verbose": -9}
        opts.update(options)
        self._es = cma.CMAEvolutionStrategy(np.asarray(x0, dtype=float), float(sigma), opts)
        self._asked: list | None = None

    @property
    def mean(self) -> np.ndarray:
        """The distribution's mean (the centre)."""
        return np.array(self._es.mean, dtype=float)

    @property
    def sigma(self) -> float:
        """The current overall step size."""
        return float(self._es.sigma)

    def ask(self) -> np.ndarray:
        """The generation's genomes, shape (pop_size, n)."""
        self._asked = self._es.ask()
        return np.array(self._asked, dtype=float)

    def tell(self, fitness: Sequence[float]) -> None:
        """Update the distribution from the fitnesses of the last :meth:`ask` (higher is better)."""
        if self._asked is None:
            raise SpikeyError("CMAES.tell: call ask() first.")
        f = np.asarray(fitness, dtype=float)
        finite = np.isfinite(f)
        floor = (f[finite].min() - 1.0 - abs(f[finite].min())) if finite.any() else 0.0
        costs = np.where(finite, -f, -floor)
        self._es.tell(self._asked, costs.tolist())
        self._asked = None


#: Strategy name -> class.
STRATEGIES: dict[str, type] = {"openai-es": OpenAIES, "cma-es": CMAES}


# ---------------------------------------------------------------------- agents
@dataclass(frozen=True)
class AgentJob:
    """One agent's evaluation: ``index`` ``pop_size`` is the strategy's centre.

    ``n_episodes`` 0 means the runner's ``n_episodes``.
    """

    generation: int
    index: int
    genome: np.ndarray
    seed: int
    episode_seed: int
    n_episodes: int = 0


@dataclass
class AgentRunner:
    """What every agent of a run shares (sent to the workers once)."""

    network_template: Any
    game_template: Any
    keys: dict
    genome_shape: tuple
    rows: np.ndarray
    cols: np.ndarray
    base: np.ndarray
    max_weight: float
    n_episodes: int
    max_steps: int | None = None
    game_keys: dict = field(default_factory=dict)
    fitness_bonus: Any = None

    def weights(self, genome: np.ndarray) -> np.ndarray:
        """The weight matrix of ``genome`` (see :meth:`WeightGenome.matrix`)."""
        out = self.base.copy()
        out[self.rows, self.cols] = np.clip(np.asarray(genome, dtype=float), 0.0, self.max_weight)
        return out

    def build(self, genome: np.ndarray, seed: int) -> Any:
        """A network with ``genome``'s weights, learning frozen."""
        network = self.network_template(**{**self.keys, "seed": int(seed)})
        network.weights.matrix = self.weights(genome)
        return network.eval()

    def game(self, seed: int) -> Any:
        """A game whose episodes are fixed by ``seed``."""
        return self.game_template(**{**self.game_keys, "seed": int(seed)})


def play_episodes(
    network: Any, game: Any, n_episodes: int, max_steps: int | None = None, bonus: Any = None
) -> tuple[np.ndarray, int] | tuple[np.ndarray, int, np.ndarray]:
    """Play ``n_episodes`` episodes; return each episode's return and the steps taken.

    Each episode resets the network and the game, then ticks until the game is done
    (or ``max_steps``); the return is the sum of the game's own rewards. The network is
    not rewarded (use a frozen network: ``network.eval()``).

    Parameters
    ----------
    network, game : object
        The agent and its game.
    n_episodes : int
        Episodes to play.
    max_steps : int, optional
        Cap on an episode's steps.
    bonus : callable, optional
        ``bonus(observations) -> float`` of an episode's observations (array of shape
        ``(steps + 1, obs_size)``); when given, each episode's bonus is returned too.

    Returns
    -------
    returns : ndarray, shape (n_episodes,)
    steps : int
    bonuses : ndarray, shape (n_episodes,)
        Only with ``bonus``.

    Raises
    ------
    SpikeyError
        When a return or a bonus is not finite.
    """
    returns = np.zeros(n_episodes)
    bonuses = np.zeros(n_episodes)
    steps = 0
    for e in range(n_episodes):
        network.reset()
        state = game.reset()
        seen = [np.asarray(state, dtype=float).ravel()] if bonus is not None else None
        total, done, t = 0.0, False, 0
        while not done and (max_steps is None or t < max_steps):
            action = network.tick(state)
            state, reward, done, _ = game.step(action)
            total += float(reward)
            t += 1
            if seen is not None:
                seen.append(np.asarray(state, dtype=float).ravel())
        if not math.isfinite(total):
            raise SpikeyError(f"episode {e}: the return is not finite ({total}).")
        returns[e] = total
        steps += t
        if seen is not None:
            bonuses[e] = float(bonus(np.array(seen)))
            if not math.isfinite(bonuses[e]):
                raise SpikeyError(f"episode {e}: the fitness bonus is not finite ({bonuses[e]}).")
    if bonus is not None:
        return returns, steps, bonuses
    return returns, steps


def evaluate_agent(runner: AgentRunner, job: AgentJob) -> dict:
    """Score one agent: its mean return over ``runner.n_episodes`` frozen episodes.

    Never raises for a failing agent: the outcome is ``{"status": "failed", "fitness":
    -inf, "error", "traceback", ...}``.

    Returns
    -------
    dict
        ``status``, ``fitness``, ``returns``, ``steps``, ``duration``.
    """
    start = time.perf_counter()
    try:
        network = runner.build(job.genome, job.seed)
        game = runner.game(job.episode_seed)
        n = job.n_episodes or runner.n_episodes
        if runner.fitness_bonus is None:
            returns, steps = play_episodes(network, game, n, runner.max_steps)
            bonuses = np.zeros_like(returns)
        else:
            returns, steps, bonuses = play_episodes(network, game, n, runner.max_steps, runner.fitness_bonus)
    except Exception as e:  # noqa: BLE001 - recorded; the generation goes on
        return {
            "status": "failed",
            "fitness": -math.inf,
            "error": f"{type(e).__name__}: {e}"[:2000],
            "traceback": traceback.format_exc(),
            "steps": 0,
            "duration": time.perf_counter() - start,
        }
    return {
        "status": "ok",
        "fitness": float((returns + bonuses).mean()),
        "returns": returns.tolist(),
        "mean_return": float(returns.mean()),
        "steps": int(steps),
        "duration": time.perf_counter() - start,
    }


# ---------------------------------------------------------------------- the run
@dataclass
class EvolutionResult:
    """What :meth:`WeightEvolution.run` returns.

    Attributes
    ----------
    history : pandas.DataFrame
        One row per generation: ``generation``, ``best``, ``mean``, ``std`` (agents'
        fitness), ``center`` (the centre's fitness), ``sigma``, ``n_failed``,
        ``env_steps`` (this generation), ``total_env_steps``, ``duration`` [s].
    center : ndarray
        The returned policy: the last centre when the run stopped by its stop rule,
        else the evaluated centre with the best mean return (the latest among equals;
        a centre is evaluated on its generation's episodes).
    records : list of dict
        The checkpoint's records (fitness of every agent, failures with tracebacks).
    folder : str
        The output folder.
    evolution : WeightEvolution
        The run (for :meth:`network`).
    """

    history: Any
    center: np.ndarray
    records: list
    folder: str
    evolution: Any

    @property
    def env_steps(self) -> int:
        """Environment steps used by the whole run (all agents and centres)."""
        return int(sum(r["env_steps"] for r in self.records))

    def network(self, seed: int | None = None) -> Any:
        """A network with the final centre's weights, learning frozen."""
        evo = self.evolution
        return evo.runner.build(self.center, evo.seed if seed is None else seed)


class WeightEvolution:
    """Evolve a network's weights with an evolution strategy (see the module docstring).

    Parameters
    ----------
    network_template : type
        The network class (its ``keys`` give the starting weights).
    game_template : type
        The game class; episodes end when it says done.
    strategy : {"cma-es", "openai-es"}
        The strategy.
    pop_size : int
        Agents per generation.
    n_generations : int
        Generations (fewer when ``stop_fitness`` is reached).
    n_episodes : int
        Episodes per fitness evaluation (frozen learning).
    center_episodes : int, optional
        Episodes of the centre's evaluation (default ``n_episodes``); more make
        ``stop_fitness`` and the choice of the returned policy less noisy.
    sigma : float
        Perturbation size (OpenAI-ES) or initial step size (CMA-ES), in weight units.
    seed : int
        Seed of the run.
    genome : {"all", "inputs", "body"} or ndarray of bool
        The evolving synapses (:class:`WeightGenome`).
    keys : dict, optional
        Overrides of the network's keys.
    game_keys : dict, optional
        Overrides of the game's keys.
    max_steps : int, optional
        Cap on the steps of an episode (default: the game's own end).
    stop_fitness : float, optional
        Stop after ``stop_patience`` generations in a row whose centre's mean return
        reaches this value.
    stop_patience : int
        See ``stop_fitness`` (each generation's centre plays other episodes, so more
        than 1 guards against stopping on a lucky evaluation).
    fitness_bonus : callable, optional
        ``f(observations) -> float`` added to each training episode's return in the
        fitness (a module-level function, so it pickles to Ray workers): a shaping term
        for tasks whose return alone gives evolution no signal (MountainCar: the height
        reached). Frozen evaluations use the return alone; the records keep both
        (``center`` is the fitness, ``center_return`` the return).
    strategy_options : dict, optional
        Options of the strategy (``learning_rate``, ``weight_decay`` for OpenAI-ES;
        ``cma`` options for CMA-ES).
    backend : str or MetaBackend
        ``"single"``, ``"ray"``, ... (:func:`spikey.meta.backends.get_backend`).
    folder : str, optional
        Output folder (checkpoint); default ``log/evolution-<...>``.
    resume : bool
        Continue the run whose checkpoint is in ``folder``.
    progress : bool, optional
        Progress bar over generations (default: on a terminal).
    on_generation : callable, optional
        Called with each generation's record as it ends (``generation``, ``fitness``,
        ``best``, ``mean``, ``center``, ``sigma``, ...), e.g. a
        :class:`~spikey.core.loggers.PopulationWriter` to watch the run in TensorBoard.
        Generations restored by ``resume`` are not replayed to it.

    Raises
    ------
    ConfigError
        Before any work: an unknown strategy, a genome naming no synapse, a bad
        ``pop_size``/``n_episodes``/``sigma``, or a network that cannot be built.
    """

    def __init__(
        self,
        network_template: type,
        game_template: type,
        strategy: str = "cma-es",
        pop_size: int = 16,
        n_generations: int = 50,
        n_episodes: int = 3,
        center_episodes: int | None = None,
        sigma: float = 0.1,
        seed: int = 0,
        genome: Any = "all",
        keys: dict | None = None,
        game_keys: dict | None = None,
        max_steps: int | None = None,
        stop_fitness: float | None = None,
        stop_patience: int = 1,
        fitness_bonus: Any = None,
        strategy_options: dict | None = None,
        backend: Any = "single",
        folder: str | None = None,
        resume: bool = False,
        progress: bool | None = None,
        on_generation: Any = None,
    ):
        if on_generation is not None and not callable(on_generation):
            raise ConfigError(f"WeightEvolution.on_generation: expected a callable or None; got {on_generation!r}.")
        self.on_generation = on_generation
        if strategy not in STRATEGIES:
            raise ConfigError(
                f"WeightEvolution.strategy: expected one of {sorted(STRATEGIES)}; got {strategy!r}."
            )
        for name, value, low in (
            ("pop_size", pop_size, 2),
            ("n_generations", n_generations, 1),
            ("n_episodes", n_episodes, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ConfigError(f"WeightEvolution.{name}: expected an int >= {low}; got {value!r}.")
        if center_episodes is not None and (
            not isinstance(center_episodes, (int, np.integer)) or center_episodes < 1
        ):
            raise ConfigError(
                f"WeightEvolution.center_episodes: expected an int >= 1 or None; got {center_episodes!r}."
            )
        if isinstance(sigma, bool) or not isinstance(sigma, (int, float)) or not sigma > 0:
            raise ConfigError(f"WeightEvolution.sigma: expected a float > 0; got {sigma!r}.")
        if max_steps is not None and (not isinstance(max_steps, (int, np.integer)) or max_steps < 1):
            raise ConfigError(f"WeightEvolution.max_steps: expected an int >= 1 or None; got {max_steps!r}.")
        self.network_template = network_template
        self.game_template = game_template
        self.strategy = strategy
        self.pop_size = int(pop_size)
        self.n_generations = int(n_generations)
        self.n_episodes = int(n_episodes)
        self.center_episodes = int(center_episodes or n_episodes)
        self.sigma = float(sigma)
        self.seed = int(seed)
        self.keys = dict(keys or {})
        self.game_keys = dict(game_keys or {})
        self.max_steps = max_steps
        self.stop_fitness = stop_fitness
        if (
            isinstance(stop_patience, bool)
            or not isinstance(stop_patience, (int, np.integer))
            or stop_patience < 1
        ):
            raise ConfigError(f"WeightEvolution.stop_patience: expected an int >= 1; got {stop_patience!r}.")
        self.stop_patience = int(stop_patience)
        if fitness_bonus is not None and not callable(fitness_bonus):
            raise ConfigError(
                f"WeightEvolution.fitness_bonus: expected f(observations) -> float or None; got {fitness_bonus!r}."
            )
        self.fitness_bonus = fitness_bonus
        self.strategy_options = dict(strategy_options or {})
        self.backend = get_backend(backend, owner="WeightEvolution")
        self.folder = folder
        self.resume = bool(resume)
        self.progress = progress
        probe = network_template(**{**self.keys, "seed": self.seed})
        self.genome = WeightGenome(probe, genome)
        self.runner = AgentRunner(
            network_template,
            game_template,
            self.keys,
            self.genome.shape,
            self.genome.rows,
            self.genome.cols,
            self.genome.base,
            self.genome.max_weight,
            self.n_episodes,
            max_steps,
            self.game_keys,
            fitness_bonus,
        )
        self._make_strategy()  # options checked before any work

    def _make_strategy(self) -> Any:
        cls = STRATEGIES[self.strategy]
        rng = make_rng(self.seed, "evolution/strategy")
        try:
            return cls(self.genome.initial(), self.sigma, self.pop_size, rng, **self.strategy_options)
        except TypeError as e:
            raise ConfigError(f"WeightEvolution.strategy_options: {e}") from None

    def description(self) -> dict:
        """What identifies the run (its checkpoint's fingerprint is taken from this)."""
        return {
            "tool": "WeightEvolution",
            "network_template": f"{self.network_template.__module__}.{self.network_template.__qualname__}",
            "game_template": f"{self.game_template.__module__}.{self.game_template.__qualname__}",
            "strategy": self.strategy,
            "pop_size": self.pop_size,
            "n_episodes": self.n_episodes,
            "center_episodes": self.center_episodes,
            "sigma": self.sigma,
            "seed": self.seed,
            "genes": self.genome.size,
            "keys": encode(self.keys),
            "game_keys": encode(self.game_keys),
            "max_steps": self.max_steps,
            "fitness_bonus": None
            if self.fitness_bonus is None
            else getattr(self.fitness_bonus, "__qualname__", "f"),
            "strategy_options": encode(self.strategy_options),
            "initial": encode(self.genome.initial()),
        }

    def _jobs(self, generation: int, genomes: np.ndarray, center: np.ndarray) -> list[AgentJob]:
        episode_seed = derive_seed(self.seed, f"evolution/{generation}/episodes")
        jobs = [
            AgentJob(
                generation, i, genomes[i], derive_seed(self.seed, f"evolution/{generation}/{i}"), episode_seed
            )
            for i in range(len(genomes))
        ]
        jobs.append(
            AgentJob(
                generation,
                len(genomes),
                center,
                derive_seed(self.seed, f"evolution/{generation}/center"),
                episode_seed,
                self.center_episodes,
            )
        )
        return jobs

    def run(self) -> EvolutionResult:
        """Run (or resume) the evolution; see the class docstring."""
        import pandas as pd

        folder = self.folder or default_folder("evolution", self.strategy)
        desc = self.description()
        fp = fingerprint(desc)
        if self.resume and Checkpoint.exists(folder):
            ck = Checkpoint.open(
                folder,
                fingerprint=fp,
                owner="WeightEvolution(resume=True)",
                settings={"seed": self.seed, "pop_size": self.pop_size},
            )
        else:
            if self.resume:
                os.makedirs(folder, exist_ok=True)
            ck = Checkpoint.create(
                folder,
                {
                    "tool": "WeightEvolution",
                    "fingerprint": fp,
                    "seed": self.seed,
                    "pop_size": self.pop_size,
                    "strategy": self.strategy,
                },
            )
        records = [decode(r) for r in ck.records]
        es = self._make_strategy()
        for record in records:  # replay: the strategy's state after those generations
            es.ask()
            es.tell(record["fitness"])
        done = self._should_stop(records)
        bar = progress_bar(
            self.n_generations, f"{self.strategy}", self.progress, initial=len(records), unit="gen"
        )
        try:
            with self.backend:
                g = len(records)
                while g < self.n_generations and not done:
                    t0 = time.perf_counter()
                    center = es.mean.copy()
                    genomes = es.ask()
                    jobs = self._jobs(g, genomes, center)
                    outcomes: list = [None] * len(jobs)
                    for i, outcome in self.backend.run(evaluate_agent, jobs, self.runner):
                        outcomes[i] = outcome
                    fitness = [
                        o["fitness"] if isinstance(o, dict) and "fitness" in o else -math.inf
                        for o in outcomes
                    ]
                    es.tell(fitness[: self.pop_size])
                    record = self._record(g, fitness, outcomes, center, es, time.perf_counter() - t0)
                    ck.append(encode(record))
                    records.append(record)
                    if self.on_generation is not None:
                        self.on_generation(record)
                    bar.update(1)
                    bar.set_postfix_str(f"best={record['best']:.4g} center={record['center']:.4g}")
                    done = self._should_stop(records)
                    g += 1
        finally:
            bar.close()
            ck.close()
        history = pd.DataFrame([_row(r) for r in records])
        if len(history):
            history["total_env_steps"] = history["env_steps"].cumsum()
        if not records:
            final = self.genome.initial()
        elif self._should_stop(records):  # the strategy's centre met the stop rule: return it
            final = np.asarray(records[-1]["center_genome"], dtype=float)
        else:
            final = _best_center(records)
        return EvolutionResult(history, np.asarray(final, dtype=float), records, folder, self)

    def _should_stop(self, records: list[dict]) -> bool:
        """Whether the last ``stop_patience`` centres all reached ``stop_fitness``."""
        if self.stop_fitness is None or len(records) < self.stop_patience:
            return False
        return all(r["center_return"] >= self.stop_fitness for r in records[-self.stop_patience :])

    def _record(
        self, g: int, fitness: list, outcomes: list, center: np.ndarray, es: Any, duration: float
    ) -> dict:
        agents = np.asarray(fitness[: self.pop_size], dtype=float)
        finite = agents[np.isfinite(agents)]
        failures = [
            {"index": i, "error": o.get("error", "lost worker"), "traceback": o.get("traceback", "")}
            for i, o in enumerate(outcomes)
            if not (isinstance(o, dict) and o.get("status") == "ok")
        ]
        return {
            "generation": g,
            "fitness": [float(f) for f in agents],
            "best": float(agents.max()),
            "mean": float(finite.mean()) if finite.size else -math.inf,
            "std": float(finite.std()) if finite.size else 0.0,
            "center": float(fitness[self.pop_size]),
            "center_return": float(outcomes[self.pop_size].get("mean_return", -math.inf))
            if isinstance(outcomes[self.pop_size], dict)
            else -math.inf,
            "center_genome": np.asarray(center, dtype=float),
            "sigma": float(es.sigma),
            "n_failed": len(failures),
            "failures": failures,
            "env_steps": int(sum(o.get("steps", 0) for o in outcomes if isinstance(o, dict))),
            "duration": float(duration),
        }


_COLUMNS = (
    "generation",
    "best",
    "mean",
    "std",
    "center",
    "center_return",
    "sigma",
    "n_failed",
    "env_steps",
    "duration",
)


def _best_center(records: list[dict]) -> np.ndarray:
    """The evaluated centre with the highest mean return (the latest among equals)."""
    scores = np.array([r.get("center_return", r["center"]) for r in records], dtype=float)
    best = len(scores) - 1 - int(np.argmax(scores[::-1]))
    return np.asarray(records[best]["center_genome"], dtype=float)


def _row(record: dict) -> dict:
    row = {k: record.get(k) for k in _COLUMNS}
    if row["center_return"] is None:  # a run without fitness bonus: the fitness is the return
        row["center_return"] = record["center"]
    return row


def read_evolution(folder: str) -> tuple[Any, list[dict]]:
    """The history (one row per generation) and records of a :class:`WeightEvolution` folder.

    Returns
    -------
    history : pandas.DataFrame
    records : list of dict
        Decoded checkpoint records (``fitness`` of every agent, ``center_genome``,
        ``failures`` with tracebacks).
    """
    import pandas as pd

    header, raw, _ = Checkpoint.read(folder)
    if header.get("tool") != "WeightEvolution":
        raise SpikeyError(f"{folder}: not a WeightEvolution checkpoint (tool {header.get('tool')!r}).")
    records = [decode(r) for r in raw]
    history = pd.DataFrame([_row(r) for r in records], columns=list(_COLUMNS))
    history["total_env_steps"] = history["env_steps"].cumsum()
    return history, records
