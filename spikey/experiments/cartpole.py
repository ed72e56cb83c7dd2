"""Cart-pole balancing by a spiking network trained with reward-modulated STDP.

The game is Gymnasium's CartPole-v1 (:class:`~spikey.games.CartPole` preset
``"CartPole-v1"``: push left or right every 20 ms, the episode ends when the pole leans
more than 12 degrees or the cart leaves the track, or after 500 steps).

The network is one layer of plastic synapses from place cells to two pools of output
neurons:

- input: radial-basis place cells (:class:`~spikey.snn.input.RBF`), 10 per state
  variable, firing up to 300 Hz near their centres. Only the cells of the pole's angle
  and angular velocity are connected; the cart's position and velocity cells have no
  synapses (the reward below does not depend on them, and their constant drive slowed
  learning in trials);
- 2 pools of 10 leaky integrate-and-fire output neurons, one pool per action; the
  action is the pool with the larger recency-weighted activity
  (:class:`~spikey.snn.readout.TopAction`), each game step being 40 network steps;
- MSTDPET synapses (eligibility time constant 50 ms), a little random firing for
  exploration;
- reward (:class:`~spikey.snn.reward.cost_reduction.CostReduction`), given after every
  game step: +1 when the step reduced :func:`pole_cost`
  ``|theta + 0.5 s * theta_dot|`` (the pole is moving towards upright), -1 otherwise.
  This is a shaped reward; the game's own reward (1 per step survived) only counts
  the steps.

The baseline is a policy that pushes left or right at random, on the same episodes
(same game seed, hence the same initial states).

Examples
--------
.. code-block:: python

    from spikey.experiments import cartpole

    result = cartpole.run(seed=0)             # 200 training episodes
    result["mean_steps"], result["random_mean_steps"]
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from spikey.games.cartpole import CartPole
from spikey.rng import derive_seed, make_rng
from spikey.snn import input as inputs_
from spikey.snn import neuron, readout, synapse, weight
from spikey.snn.network import RLNetwork
from spikey.snn.registry import key_function
from spikey.snn.reward.cost_reduction import CostReduction

__all__ = [
    "N_PER_VARIABLE",
    "N_INPUTS",
    "POOL_SIZE",
    "N_OUTPUTS",
    "PROCESSING_TIME",
    "STATE_RANGES",
    "pole_cost",
    "input_mask",
    "initial_weights",
    "network_template",
    "game_template",
    "training_params",
    "train",
    "random_policy",
    "run",
]

#: Place cells per state variable.
N_PER_VARIABLE = 10
#: Ranges covered by the place cells of x [m], x_dot [m/s], theta [rad], theta_dot [rad/s].
STATE_RANGES = [(-2.4, 2.4), (-2.0, 2.0), (-0.21, 0.21), (-2.0, 2.0)]
N_INPUTS = N_PER_VARIABLE * len(STATE_RANGES)
#: State variables whose place cells are connected (theta, theta_dot).
CONNECTED_VARIABLES = (2, 3)
#: Output neurons per action.
POOL_SIZE = 10
N_OUTPUTS = 2 * POOL_SIZE
PROCESSING_TIME = 40
N_EPISODES = 200
#: Time constant [s] of the angular velocity in :func:`pole_cost`.
COST_TIME = 0.5


@key_function
def pole_cost(state: Any) -> float:
    """How far the pole is from upright and still: ``|theta + 0.5 s * theta_dot|``.

    Zero when the pole is upright and still, or moving back towards upright at the rate
    that would bring it there in 0.5 s.

    Parameters
    ----------
    state : array-like
        ``[x, x_dot, theta, theta_dot]``.

    Returns
    -------
    float

    Examples
    --------
    >>> pole_cost([0.0, 0.0, 0.1, -0.2])
    0.0
    """
    return abs(float(state[2]) + COST_TIME * float(state[3]))


def input_mask(n_inputs: int = N_INPUTS, n_outputs: int = N_OUTPUTS) -> np.ndarray:
    """Synapses: from the connected place cells to every output neuron.

    Returns
    -------
    ndarray of bool, shape (n_inputs + n_outputs, n_outputs)
    """
    per = n_inputs // len(STATE_RANGES)
    mask = np.zeros((n_inputs + n_outputs, n_outputs), dtype=bool)
    for var in CONNECTED_VARIABLES:
        mask[var * per : (var + 1) * per, :] = True
    return mask


@key_function
def initial_weights(weights: Any) -> np.ndarray:
    """Initial weights uniform in ``[0, max_weight]`` on :func:`input_mask`.

    Called by :class:`~spikey.snn.weight.Manual` with the weight part; draws from the
    part's own seeded generator.
    """
    mask = input_mask(weights._n_inputs, weights._n_neurons)
    draws = weights.init_rng().uniform(0.0, weights.max_weight, mask.shape)
    return np.where(mask, draws, 0.0)


class network_template(RLNetwork):
    """Place cells -> 2 pools of 10 output neurons, MSTDPET, shaped reward each step."""

    parts = {
        "inputs": inputs_.RBF,
        "neurons": neuron.Neuron,
        "weights": weight.Manual,
        "synapses": synapse.MSTDPET,
        "readout": readout.TopAction,
        "rewarder": CostReduction,
    }
    keys = {
        "n_inputs": N_INPUTS,
        "n_neurons": N_OUTPUTS,
        "n_outputs": N_OUTPUTS,
        "processing_time": PROCESSING_TIME,
        # place cells
        "state_ranges": STATE_RANGES,
        "rbf_rate": 0.3,
        "rbf_width": 1.0,
        "magnitude": 1.0,
        # LIF, tau_m = 20 ms
        "firing_threshold": 16.0,
        "potential_decay": 1.0 - math.exp(-1.0 / 20.0),
        "refractory_period": 0,
        "prob_rand_fire": 0.002,
        # weights and learning
        "max_weight": 3.0,
        "matrix": initial_weights,
        "matrix_mask": input_mask(),
        "learning_rate": 0.5,
        "tau_plus": 20.0,
        "tau_minus": 20.0,
        "A_plus": 1.0,
        "A_minus": -1.0,
        "tau_z": 50.0,
        # readout and reward
        "n_actions": 2,
        "state_cost": pole_cost,
        "reward_mult": 1.0,
        "punish_mult": 1.0,
    }


class game_template(CartPole):
    """Gymnasium's CartPole-v1: actions 0/1, at most 500 steps per episode."""

    config = dict(CartPole.PRESETS["CartPole-v1"])


training_params = {
    "n_episodes": N_EPISODES,
    "len_episode": 500,
    "eval_episodes": 0,
}


def train(
    seed: int = 0, n_episodes: int = N_EPISODES, callback: Any = None, **overrides: Any
) -> tuple[RLNetwork, dict[str, Any], dict[str, Any]]:
    """Train a network for ``n_episodes`` episodes with :class:`spikey.core.GenericLoop`.

    Parameters
    ----------
    seed : int
        Seed of the run (network and game seeds derive from it).
    n_episodes : int
        Training episodes (at most 500 steps each).
    callback : ExperimentCallback, optional
        Default: ``RLCallback(reduced=True)``.
    **overrides
        Keys, parts or loop params (e.g. ``eval_episodes=10``).

    Returns
    -------
    network : network_template
        The trained network.
    results, info : dict
        The callback's results and info; ``info["episode_lens"]`` holds the steps
        balanced in each training episode.
    """
    from spikey.core import GenericLoop, RLCallback

    params = dict(training_params)
    params.update(n_episodes=int(n_episodes), seed=int(seed), progress=False)
    params.update(overrides)
    loop = GenericLoop(network_template, game_template, callback or RLCallback(reduced=True), params)
    network, _, results, info = loop()
    return network, results, info


def random_policy(seed: int = 0, n_episodes: int = N_EPISODES) -> np.ndarray:
    """Steps balanced by a policy pushing left or right at random, on :func:`train`'s episodes.

    The game is seeded as :class:`spikey.core.GenericLoop` seeds it for ``seed``, so
    the episodes start from the same states as a training run with that seed.

    Parameters
    ----------
    seed : int
        Seed of the run.
    n_episodes : int
        Number of episodes.

    Returns
    -------
    ndarray of int, shape (n_episodes,)
    """
    game = game_template(seed=derive_seed(seed, "game"))
    rng = make_rng(seed, "experiments/cartpole/random_policy")
    lens = np.zeros(n_episodes, dtype=int)
    for episode in range(n_episodes):
        game.reset()
        done, steps = False, 0
        while not done:
            _, _, done, _ = game.step(int(rng.integers(2)))
            steps += 1
        lens[episode] = steps
    return lens


def run(seed: int = 0, n_episodes: int = N_EPISODES, eval_episodes: int = 20) -> dict[str, Any]:
    """Train, evaluate frozen, and compare with the random policy on the same episodes.

    Parameters
    ----------
    seed : int
        Seed of the run.
    n_episodes : int
        Training episodes.
    eval_episodes : int
        Episodes played after training with learning frozen (``network.eval()``).

    Returns
    -------
    dict
        ``episode_lens`` (steps per training episode), ``mean_steps`` (over training),
        ``final_mean_steps`` (last fifth of training), ``eval_mean_steps`` (frozen),
        ``random_mean_steps`` and ``random_final_mean_steps`` (random policy, same
        episodes), ``seed``, ``n_episodes`` and ``time`` [s].
    """
    t0 = time.perf_counter()
    _, results, info = train(seed, n_episodes, eval_episodes=eval_episodes)
    elapsed = time.perf_counter() - t0
    lens = np.asarray(info["episode_lens"], dtype=int)
    rand = random_policy(seed, n_episodes)
    tail = max(1, n_episodes // 5)
    return {
        "seed": seed,
        "n_episodes": n_episodes,
        "episode_lens": lens,
        "mean_steps": float(lens.mean()),
        "final_mean_steps": float(lens[-tail:].mean()),
        "eval_mean_steps": results.get("eval_mean_steps"),
        "random_mean_steps": float(rand.mean()),
        "random_final_mean_steps": float(rand[-tail:].mean()),
        "time": elapsed,
    }
