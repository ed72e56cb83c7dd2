"""Control tasks through real Gymnasium environments: networks, evaluation and baselines.

A :class:`ControlTask` names a Gymnasium environment (played through
:func:`spikey.games.gym_template`, the adapter, not a copy) and the spiking network that
plays it:

- input: :class:`~spikey.snn.input.BoxRBF`, ``n_fields`` radial-basis fields per
  observation dimension, ranges from the observation space (given ranges for its
  unbounded dimensions), regular (deterministic) spike trains;
- output: one layer of leaky integrate-and-fire neurons, fed by every input field,
  read by :class:`~spikey.snn.readout.ActionPools` (a pool per discrete action) or
  :class:`~spikey.snn.readout.PopulationCode` (a continuous action);
- rewarder: :class:`~spikey.snn.reward.EnvReward`, the environment's own reward.

:func:`frozen_evaluation` scores a network the way RL results are reported: the mean
return of 100 episodes with learning off, on evaluation seeds that training never used.
:func:`random_policy` gives the random baseline on the same kind of episodes.

Examples
--------
.. code-block:: python

    from spikey.experiments import control

    task = control.TASKS["cartpole"]
    Net, Game = task.network_template(), task.game_template()
    network = Net(seed=0).eval()
    control.frozen_evaluation(network, Game, n_episodes=5, seed=0)["mean_return"]
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.games.gym_adapter import gym_template
from spikey.rng import derive_seed, make_rng
from spikey.snn import neuron, synapse, weight
from spikey.snn.input import BoxRBF, box_ranges
from spikey.snn.network import RLNetwork
from spikey.snn.readout import ActionPools, PopulationCode
from spikey.snn.reward import EnvReward

__all__ = [
    "ControlTask",
    "TASKS",
    "get_task",
    "frozen_evaluation",
    "random_policy",
    "play",
    "mountaincar_height",
]

#: Seed stream of frozen evaluations (distinct from every training stream).
EVAL_STREAM = "evaluation"


@dataclass(frozen=True)
class ControlTask:
    """A Gymnasium task and the spiking network that plays it.

    Attributes
    ----------
    name : str
        Short name (``"cartpole"``).
    env_id : str
        Gymnasium id (``"CartPole-v1"``).
    threshold : float
        Return that counts as solved (Gymnasium's ``reward_threshold``, or the issue's
        target where Gymnasium gives none).
    state_ranges : tuple
        Per observation dimension ``(low, high)``, or None to take the space's bound.
    n_fields : int
        Radial-basis fields per observation dimension.
    pool_size : int
        Output neurons per discrete action (or per continuous dimension's preferred
        values for a Box action space).
    processing_time : int
        Network steps per game step.
    network_keys : dict
        Further keys of the network (neurons, weights).
    env_kwargs : dict
        Arguments of ``gymnasium.make``.
    extra : str or None
        The pip extra the environment needs (``"box2d"``).
    fitness_bonus : callable or None
        Shaping term of evolution's fitness, ``f(observations) -> float`` per training
        episode (see :class:`spikey.meta.es.WeightEvolution`); evaluations use the
        return alone.
    """

    name: str
    env_id: str
    threshold: float
    state_ranges: tuple | None = None
    n_fields: int = 7
    pool_size: int = 2
    processing_time: int = 5
    network_keys: dict = field(default_factory=dict)
    env_kwargs: dict = field(default_factory=dict)
    extra: str | None = None
    fitness_bonus: Any = None

    def with_options(self, **changes: Any) -> ControlTask:
        """A copy with some attributes changed."""
        return replace(self, **changes)

    def make_env(self) -> Any:
        """The Gymnasium environment (with a clear error when its extra is missing)."""
        import gymnasium

        try:
            return gymnasium.make(self.env_id, **self.env_kwargs)
        except (ImportError, gymnasium.error.DependencyNotInstalled) as e:
            extra = f" (pip install -e '.[{self.extra}]')" if self.extra else ""
            raise ConfigError(
                f"{self.name}: the environment {self.env_id} needs a package that is missing{extra}: {e}"
            ) from None

    def spaces(self) -> tuple[Any, Any]:
        """``(observation_space, action_space)`` of the environment."""
        env = self.make_env()
        try:
            return env.observation_space, env.action_space
        finally:
            env.close()

    def game_template(self) -> type:
        """The game class: the environment through :func:`spikey.games.gym_template`."""
        self.make_env().close()  # a missing extra is named now, not in a worker
        config = {"env_kwargs": dict(self.env_kwargs)} if self.env_kwargs else {}
        return gym_template(self.env_id, name=f"Gym_{self.name}", **config)

    def network_keys_for(self, **overrides: Any) -> dict:
        """The network's keys: sizes from the spaces, then :attr:`network_keys`, then ``overrides``."""
        obs_space, act_space = self.spaces()
        ranges = box_ranges(obs_space, self.state_ranges, owner=f"{self.name}: BoxRBF")
        n_inputs = self.n_fields * len(ranges)
        if hasattr(act_space, "n"):
            n_actions = int(act_space.n)
            n_outputs = n_actions * self.pool_size
            readout = {"n_actions": n_actions}
        else:
            low, high = np.ravel(act_space.low), np.ravel(act_space.high)
            n_outputs = low.size * self.pool_size
            readout = {
                "n_action_dims": int(low.size),
                "action_low": float(low.min()),
                "action_high": float(high.max()),
            }
        keys: dict[str, Any] = {
            "n_inputs": n_inputs,
            "n_neurons": n_outputs,
            "n_outputs": n_outputs,
            "processing_time": self.processing_time,
            "state_ranges": ranges,
            "rbf_rate": 1.0,
            "rbf_width": 1.0,
            "magnitude": 1.0,
            "firing_threshold": 2.0,
            "potential_decay": 0.5,
            "refractory_period": 0,
            "prob_rand_fire": 0.0,
            "max_weight": 1.0,
            "learning_rate": 0.0,
            **readout,
        }
        keys.update(self.network_keys)
        keys.update(overrides)
        n_pre = keys["n_inputs"] + keys["n_neurons"]
        if "matrix" not in keys:
            mask = np.zeros((n_pre, keys["n_neurons"]), dtype=bool)
            mask[: keys["n_inputs"]] = True
            keys["matrix_mask"] = mask
            keys["matrix"] = _half_weights
        return keys

    def network_template(self, **overrides: Any) -> type:
        """A network class for the task (``overrides``: its keys, e.g. ``processing_time``).

        Raises
        ------
        ConfigError
            An unbounded observation dimension without a range in ``state_ranges``, or
            an action space the readout cannot serve.
        """
        _, act_space = self.spaces()
        keys = self.network_keys_for(**overrides)
        readout = ActionPools if hasattr(act_space, "n") else PopulationCode
        parts = {
            "inputs": BoxRBF,
            "neurons": neuron.Neuron,
            "weights": weight.Manual,
            "synapses": synapse.Synapse,
            "readout": readout,
            "rewarder": EnvReward,
        }
        cls = type(f"Net_{self.name}", (RLNetwork,), {"parts": parts, "keys": keys, "__module__": __name__})
        probe = cls(seed=0)
        probe.readout.check_action_space(act_space)
        return cls


def _half_weights(weights: Any) -> np.ndarray:
    """Starting weights: ``max_weight / 2`` on every synapse (a symmetric start for evolution)."""
    return np.full(weights.shape, 0.5 * weights.max_weight)


def mountaincar_height(observations: np.ndarray) -> float:
    """MountainCar's fitness bonus: 100 x how far right of the valley floor (x = -0.5) the car got.

    A policy that never reaches the flag scores -200 whatever it does, which leaves
    evolution without a signal; the height reached ranks such policies (up to +110 at
    the flag).

    Examples
    --------
    >>> import numpy as np
    >>> mountaincar_height(np.array([[-0.5, 0.0], [-0.3, 0.01]]))
    20.0
    """
    return round(100.0 * (float(np.max(observations[:, 0])) + 0.5), 10)


#: The stock tasks. Ranges are given for the dimensions Gymnasium leaves unbounded.
TASKS: dict[str, ControlTask] = {
    "cartpole": ControlTask(
        "cartpole",
        "CartPole-v1",
        475.0,
        state_ranges=((-2.4, 2.4), (-3.0, 3.0), (-0.21, 0.21), (-3.5, 3.5)),
    ),
    "acrobot": ControlTask("acrobot", "Acrobot-v1", -100.0),
    "mountaincar": ControlTask(
        "mountaincar", "MountainCar-v0", -120.0, n_fields=9, fitness_bonus=mountaincar_height
    ),
    "pendulum": ControlTask(
        "pendulum", "Pendulum-v1", -300.0, n_fields=9, pool_size=2, network_keys={"rule": "difference"}
    ),
    "lunarlander": ControlTask(
        "lunarlander",
        "LunarLander-v3",
        200.0,
        state_ranges=(
            (-1.5, 1.5),
            (-0.5, 1.5),
            (-2.0, 2.0),
            (-2.0, 2.0),
            (-1.5, 1.5),
            (-2.0, 2.0),
            (0.0, 1.0),
            (0.0, 1.0),
        ),
        n_fields=5,
        extra="box2d",
    ),
}


def get_task(name: str) -> ControlTask:
    """The stock task called ``name`` (a :class:`ConfigError` with a suggestion otherwise)."""
    from spikey.module import suggest

    if name not in TASKS:
        raise ConfigError(f"control task {name!r} unknown{suggest(name, TASKS)}; tasks are {sorted(TASKS)}.")
    return TASKS[name]


def play(network: Any, game: Any, n_episodes: int) -> tuple[np.ndarray, int]:
    """Returns of ``n_episodes`` episodes (the game's own rewards, summed) and the steps taken."""
    from spikey.meta.es import play_episodes

    return play_episodes(network, game, n_episodes)


def frozen_evaluation(
    network: Any, game_template: type, n_episodes: int = 100, seed: int = 0
) -> dict[str, Any]:
    """Mean return of ``n_episodes`` episodes with learning frozen, on evaluation seeds.

    The game is seeded from ``derive_seed(seed, "evaluation")``, a stream no training
    episode uses (Gymnasium's protocol: evaluate on seeds training never saw).

    Returns
    -------
    dict
        ``mean_return``, ``std_return``, ``returns`` (ndarray), ``env_steps``, ``time`` [s].
    """
    t0 = time.perf_counter()
    was = network.training
    network.eval()
    try:
        game = game_template(seed=derive_seed(seed, EVAL_STREAM))
        returns, steps = play(network, game, n_episodes)
    finally:
        network.train(was)
    return {
        "mean_return": float(returns.mean()),
        "std_return": float(returns.std()),
        "returns": returns,
        "env_steps": int(steps),
        "time": time.perf_counter() - t0,
    }


def random_policy(game_template: type, n_episodes: int = 100, seed: int = 0) -> dict[str, Any]:
    """Mean return of uniformly random actions on the evaluation episodes of :func:`frozen_evaluation`."""
    game = game_template(seed=derive_seed(seed, EVAL_STREAM))
    space = game.action_space
    rng = make_rng(seed, "random_policy")
    returns = np.zeros(n_episodes)
    for e in range(n_episodes):
        game.reset()
        done, total = False, 0.0
        while not done:
            if hasattr(space, "n"):
                action = int(rng.integers(int(space.n)))
            else:
                action = rng.uniform(space.low, space.high).astype(space.dtype)
            _, reward, done, _ = game.step(action)
            total += float(reward)
        returns[e] = total
    return {"mean_return": float(returns.mean()), "std_return": float(returns.std()), "returns": returns}
