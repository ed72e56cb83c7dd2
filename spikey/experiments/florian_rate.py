"""Rate-coded XOR learned with reward-modulated STDP (Florian 2007).

Two groups of 30 input neurons fire at 0 or 40 Hz, one group per input bit; 60 hidden
neurons feed one output neuron. Each pattern is shown for 500 ms (500 steps of 1 ms).
Every output spike is rewarded (+1) when the XOR of the pattern is 1 and punished (-1)
when it is 0, at the moment of the spike (:class:`~spikey.snn.reward.spike_reward.SpikeReward`
in an :class:`~spikey.snn.network.ActiveRLNetwork`); synapses learn with MSTDPET
(:class:`~spikey.snn.synapse.RLSTDPET`, which also takes the original Spikey's keys).
After training the network answers with learning frozen: 1 when the output fires at least
:data:`SPIKE_THRESHOLD` spikes during the presentation.

Layout (Florian 2007, with the choices that make frozen-weight XOR work):

- half of each input group is inhibitory (exact halves, interleaved), hidden neurons
  are excitatory, so hidden -> output weights are non-negative;
- feed-forward connectivity only (inputs -> hidden -> output), all synapses plastic,
  initial weights uniform over the full range ``[0, max_weight]``, mirror-symmetric
  in the two inputs (see :func:`initial_weights`);
- a little exploration: every body neuron also fires at random, with probability
  0.004 per step early in training and 0.001 (0.5 spikes per presentation) later;
- the firing threshold of the body neurons rises linearly during training (a
  modifier), from 16 to 44 mV above rest. With the threshold low, the
  random initial network is active and learning sorts the hidden neurons into
  "A and not B" and "B and not A" detectors; with it high, the balanced excitation and
  inhibition that such a neuron receives when both inputs are on rarely reaches the
  threshold, so the output falls silent for ``(1, 1)``. The ramp starts after a quarter
  of the run (:class:`~spikey.experiments.modifiers.DelayedRamp`): raised from the
  start, it silences one of the two "on" patterns before its detectors have formed.

Examples
--------
>>> from spikey.experiments import florian_rate
>>> florian_rate.network_template.keys["processing_time"]
500

.. code-block:: python

    network = florian_rate.train(seed=0)                 # 800 presentations, ~3 s
    result = florian_rate.evaluate(network, n_per_pattern=50, seed=0)
    result["accuracy"]

References
----------
R. V. Florian, "Reinforcement learning through modulation of spike-timing-dependent
synaptic plasticity", Neural Computation 19(6):1468-1502, 2007.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from spikey.experiments.modifiers import DelayedRamp
from spikey.games.logic import Logic, xor_gate
from spikey.rng import make_rng
from spikey.snn import input as inputs_
from spikey.snn import neuron, readout, synapse, weight
from spikey.snn.network import ActiveRLNetwork
from spikey.snn.registry import key_function
from spikey.snn.reward.spike_reward import SpikeReward

__all__ = [
    "N_INPUTS",
    "N_HIDDEN",
    "N_OUTPUTS",
    "N_NEURONS",
    "PROCESSING_TIME",
    "PATTERNS",
    "SPIKE_THRESHOLD",
    "LEARNING_KEYS",
    "input_polarities",
    "feedforward_mask",
    "threshold_ramp",
    "initial_weights",
    "network_template",
    "game_template",
    "training_params",
    "train",
    "evaluate",
    "run",
]

N_INPUTS = 60
N_HIDDEN = 60
N_OUTPUTS = 1
N_NEURONS = N_HIDDEN + N_OUTPUTS
PROCESSING_TIME = 500
N_PRESENTATIONS = 800
#: The four input patterns of XOR.
PATTERNS = ((0, 0), (0, 1), (1, 0), (1, 1))
#: Output spikes per presentation at and above which the answer is 1: 20 Hz over 500 ms,
#: half the rate of an active input neuron. Fixed before any testing.
SPIKE_THRESHOLD = 10
#: Firing threshold [mV above rest] at the start and the end of training.
THRESHOLD_START = 16.0
THRESHOLD_END = 44.0
#: The threshold ramp, as fractions of the training run: constant before the first,
#: linear up to the second, then constant.
THRESHOLD_RAMP = (0.25, 0.75)
#: Probability per step that a body neuron fires at random, before and after the ramp.
EXPLORATION_START = 0.004
EXPLORATION_END = 0.001


def input_polarities(n_inputs: int = N_INPUTS, n_groups: int = 2) -> np.ndarray:
    """Polarities of the inputs: exactly half of each input group inhibitory.

    Input ``i`` encodes state element ``i % n_groups`` (as :class:`~spikey.snn.input.RateMap`
    tiles the rates); within each group every second neuron is inhibitory.

    Parameters
    ----------
    n_inputs : int
        Number of inputs, a multiple of ``2 * n_groups``.
    n_groups : int
        Number of input groups (state elements).

    Returns
    -------
    ndarray, shape (n_inputs,)
        ``+1`` (excitatory) or ``-1`` (inhibitory).

    Examples
    --------
    >>> input_polarities(8).tolist()
    [1.0, 1.0, -1.0, -1.0, 1.0, 1.0, -1.0, -1.0]
    """
    if n_inputs % (2 * n_groups):
        raise ValueError(
            f"input_polarities: expected n_inputs to be a multiple of 2 * n_groups = {2 * n_groups}; "
            f"got {n_inputs}."
        )
    index_in_group = np.arange(n_inputs) // n_groups
    return np.where(index_in_group % 2 == 1, -1.0, 1.0)


def feedforward_mask(
    n_inputs: int = N_INPUTS, n_hidden: int = N_HIDDEN, n_outputs: int = N_OUTPUTS
) -> np.ndarray:
    """Connectivity inputs -> hidden -> outputs (all to all between layers, nothing else).

    Parameters
    ----------
    n_inputs, n_hidden, n_outputs : int
        Layer sizes; the body neurons are the hidden neurons then the outputs.

    Returns
    -------
    ndarray of bool, shape (n_inputs + n_hidden + n_outputs, n_hidden + n_outputs)
        ``mask[i, j]``: a synapse from presynaptic neuron ``i`` to body neuron ``j``.
    """
    n = n_hidden + n_outputs
    mask = np.zeros((n_inputs + n, n), dtype=bool)
    mask[:n_inputs, :n_hidden] = True
    mask[n_inputs : n_inputs + n_hidden, n_hidden:] = True
    return mask


@key_function
def initial_weights(weights: Any) -> np.ndarray:
    """Initial weights: uniform in ``[0, max_weight]``, mirror-symmetric in the two inputs.

    Given as the ``matrix`` key of :class:`~spikey.snn.weight.Manual`, which calls it
    with the weight part; the draws come from that part's own seeded generator, so each
    network seed gets its own initial weights. The weights from group A (even inputs)
    are drawn; hidden neuron ``j + n_hidden/2`` then receives from group B what hidden
    neuron ``j`` receives from group A and vice versa, and both have the same weight to
    the output. The network thus starts with as many detectors for ``(1, 0)`` as for
    ``(0, 1)``; with independent draws, one pattern can start with so little drive that
    it never earns reward and is never learned.

    Parameters
    ----------
    weights : Weight
        The weight part being built (``n_inputs``, ``n_neurons``, ``max_weight``); the
        hidden layer has ``n_neurons - 1`` neurons, an even number, and the inputs come
        in two interleaved groups.

    Returns
    -------
    ndarray, shape (n_inputs + n_neurons, n_neurons)
    """
    n_in, n = weights._n_inputs, weights._n_neurons
    n_hidden = n - N_OUTPUTS
    half = n_hidden // 2
    rng = weights.init_rng()
    w_max = weights.max_weight
    from_a = rng.uniform(0.0, w_max, (n_in // 2, n_hidden))
    to_out = rng.uniform(0.0, w_max, half)
    swap = np.r_[np.arange(half, n_hidden), np.arange(half)]
    matrix = np.zeros((n_in + n, n))
    matrix[0:n_in:2, :n_hidden] = from_a
    matrix[1:n_in:2, :n_hidden] = from_a[:, swap]
    matrix[n_in : n_in + n_hidden, n_hidden:] = np.r_[to_out, to_out][:, None]
    return matrix


def threshold_ramp(n_presentations: int = N_PRESENTATIONS) -> list[DelayedRamp]:
    """The modifiers of a training run of ``n_presentations``: threshold and exploration.

    The firing threshold stays at :data:`THRESHOLD_START` for the first quarter of
    training, rises linearly to :data:`THRESHOLD_END` by three quarters and stays there
    (:data:`THRESHOLD_RAMP`); over the same steps the random firing probability falls
    from :data:`EXPLORATION_START` to :data:`EXPLORATION_END`.

    Parameters
    ----------
    n_presentations : int
        Length of the training run.

    Returns
    -------
    list of Modifier
    """
    t_start = round(n_presentations * THRESHOLD_RAMP[0])
    t_stop = max(t_start + 1, round(n_presentations * THRESHOLD_RAMP[1]))
    return [
        DelayedRamp(
            "network.neurons.firing_threshold", t_stop, THRESHOLD_START, THRESHOLD_END, t_start=t_start
        ),
        DelayedRamp(
            "network.neurons.prob_rand_fire", t_stop, EXPLORATION_START, EXPLORATION_END, t_start=t_start
        ),
    ]


#: Learning, reward and readout keys shared by the rate and temporal XOR experiments:
#: MSTDPET with tau+ = tau- = 20 ms and tau_z = 25 ms, reward +1 / -1 per output spike,
#: answer 1 from SPIKE_THRESHOLD output spikes per presentation on.
LEARNING_KEYS = {
    "learning_rate": 0.3,
    "tau_plus": 20.0,
    "tau_minus": 20.0,
    "A_plus": 1.0,
    "A_minus": -1.0,
    "tau_z": 25.0,
    "reward_mult": 1.0,
    "punish_mult": 1.0,
    "expected_value": xor_gate,
    "action_threshold": (SPIKE_THRESHOLD - 0.5) / PROCESSING_TIME,
    "output_range": [0, 1],
}


class network_template(ActiveRLNetwork):
    """60 inputs -> 60 hidden -> 1 output, MSTDPET, reward at each output spike.

    The synapses are :class:`~spikey.snn.synapse.RLSTDPET` (MSTDPET that also takes the
    original Spikey's ``stdp_window`` and ``trace_decay``, which override ``tau_plus =
    tau_minus`` and ``tau_z`` when given), so code written for the original's
    experiment, e.g. a ``GENOTYPE_CONSTRAINTS`` over ``stdp_window`` and
    ``trace_decay``, changes what its authors meant. ``config`` is the original's name
    of ``keys`` (the same dict).
    """

    parts = {
        "inputs": inputs_.RateMap,
        "neurons": neuron.Neuron,
        "weights": weight.Manual,
        "synapses": synapse.RLSTDPET,
        "readout": readout.Threshold,
        "rewarder": SpikeReward,
        # the threshold ramp of an 800-presentation run (train() fits it to the run length)
        "modifiers": threshold_ramp(N_PRESENTATIONS),
    }
    keys = {
        "n_inputs": N_INPUTS,
        "n_neurons": N_NEURONS,
        "n_outputs": N_OUTPUTS,
        "processing_time": PROCESSING_TIME,
        # inputs: 0 or 40 Hz at 1 ms steps, half of each group inhibitory
        "state_rate_map": [0.0, 0.04],
        "input_polarities": input_polarities(),
        "magnitude": 1.0,
        # LIF: tau_m = 20 ms, threshold 16 mV above rest (raised during training)
        "firing_threshold": THRESHOLD_START,
        "potential_decay": 1.0 - math.exp(-1.0 / 20.0),
        "refractory_period": 0,
        "neuron_pct_inhibitory": 0.0,
        "prob_rand_fire": EXPLORATION_START,
        # weights
        "max_weight": 5.0,
        "matrix": initial_weights,
        "matrix_mask": feedforward_mask(),
        **LEARNING_KEYS,
    }
    #: The original Spikey's name of ``keys`` (the same dict).
    config = keys


class game_template(Logic):
    """XOR on random input pairs (drawn from the game's seeded generator)."""

    config = dict(Logic.PRESETS["XOR"])


training_params = {
    "n_episodes": 1,
    "len_episode": N_PRESENTATIONS,
    "eval_episodes": 0,
}


def train(
    seed: int = 0,
    n_presentations: int = N_PRESENTATIONS,
    callback: Any = None,
    **overrides: Any,
) -> ActiveRLNetwork:
    """Train a network on random XOR patterns.

    Runs :class:`spikey.core.GenericLoop` for one episode of ``n_presentations``
    presentations; the patterns come from the game's generator, seeded from ``seed``.

    Parameters
    ----------
    seed : int
        Seed of the run (network and game seeds derive from it).
    n_presentations : int
        Number of patterns shown (500 ms each).
    callback : ExperimentCallback, optional
        Default: ``RLCallback(reduced=True)``.
    **overrides
        Keys or parts for the network (e.g. ``learning_rate=0.1``).

    Returns
    -------
    network_template
        The trained network (still in training mode).
    """
    from spikey.core import GenericLoop, RLCallback

    params = dict(training_params)
    params.update(len_episode=int(n_presentations), seed=int(seed), progress=False)
    params.setdefault("modifiers", threshold_ramp(n_presentations))
    params.update(overrides)
    loop = GenericLoop(network_template, game_template, callback or RLCallback(reduced=True), params)
    network, _, _, _ = loop()
    return network


def evaluate(network: Any, n_per_pattern: int = 50, seed: int = 0) -> dict[str, Any]:
    """Frozen-weight accuracy: show each pattern ``n_per_pattern`` times, learning off.

    A copy of ``network`` (without its callback) is switched to :meth:`eval` mode and
    reset, then sees the ``4 * n_per_pattern`` presentations in a random order drawn
    from ``seed``. An answer is the readout's action: 1 when the output fires at least
    :data:`SPIKE_THRESHOLD` spikes in the presentation. ``network`` is not changed.

    Parameters
    ----------
    network : Network
        A (trained) florian_rate network.
    n_per_pattern : int
        Presentations of each of the four patterns.
    seed : int
        Seed of the presentation order.

    Returns
    -------
    dict
        ``accuracy`` (fraction of correct answers), ``auc`` (threshold-free: the
        chance that a presentation whose XOR is 1 has more output spikes than one
        whose XOR is 0, ties counting half), ``accuracy_per_pattern`` and
        ``mean_spikes`` (dicts by pattern), ``spike_counts`` (dict of int arrays by
        pattern), ``spike_threshold`` and ``n_per_pattern``.
    """
    net = network.copy()
    net.callback = None
    net.eval()
    net.reset()
    order = make_rng(seed, "experiments/florian_rate/evaluate").permutation(
        np.repeat(np.arange(len(PATTERNS)), n_per_pattern)
    )
    counts: dict[tuple, list] = {p: [] for p in PATTERNS}
    correct: dict[tuple, int] = dict.fromkeys(PATTERNS, 0)
    for k in order:
        state = PATTERNS[k]
        action = net.tick(state)
        counts[state].append(int(np.count_nonzero(net.output_spikes)))
        correct[state] += int(action == xor_gate(state))
    on = np.concatenate([counts[p] for p in PATTERNS if xor_gate(p)])
    off = np.concatenate([counts[p] for p in PATTERNS if not xor_gate(p)])
    auc = (np.sum(on[:, None] > off[None, :]) + 0.5 * np.sum(on[:, None] == off[None, :])) / (
        on.size * off.size
    )
    return {
        "accuracy": sum(correct.values()) / len(order),
        "auc": float(auc),
        "accuracy_per_pattern": {p: correct[p] / n_per_pattern for p in PATTERNS},
        "mean_spikes": {p: float(np.mean(counts[p])) for p in PATTERNS},
        "spike_counts": {p: np.array(counts[p]) for p in PATTERNS},
        "spike_threshold": SPIKE_THRESHOLD,
        "n_per_pattern": n_per_pattern,
    }


def run(seed: int = 0, n_presentations: int = N_PRESENTATIONS, n_per_pattern: int = 50) -> dict[str, Any]:
    """Train with ``seed``, evaluate frozen, and time both.

    Parameters
    ----------
    seed : int
        Seed of training and of the evaluation order.
    n_presentations : int
        Training presentations.
    n_per_pattern : int
        Evaluation presentations per pattern.

    Returns
    -------
    dict
        :func:`evaluate`'s result plus ``seed``, ``n_presentations``, ``train_time`` and
        ``eval_time`` [s].
    """
    t0 = time.perf_counter()
    network = train(seed, n_presentations)
    t1 = time.perf_counter()
    result = evaluate(network, n_per_pattern, seed)
    t2 = time.perf_counter()
    result.update(seed=seed, n_presentations=n_presentations, train_time=t1 - t0, eval_time=t2 - t1)
    return result
