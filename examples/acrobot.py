"""Gymnasium's Acrobot-v1 played by a spiking network (an experiment file for ``spikey run``).

A continuous-observation game from Gymnasium: six observations (cosines and sines of
the two joint angles, and the two angular velocities), three actions (torque -1, 0,
+1 on the middle joint), reward -1 per step until the tip swings above the bar (at
most 500 steps). The network is the cart-pole experiment's design: radial-basis place
cells on every observation, three pools of output neurons (one per action), MSTDPET
synapses, and the env's own reward as the learning signal.

Run it, and write its report (episode return per episode, observation traces)::

    spikey run examples/acrobot.py --episodes 5 --report

This file is a demonstration of the report and of a Gymnasium game; it is not tuned to
solve Acrobot.
"""

import math

import numpy as np

from spikey.games import gym_template
from spikey.snn import input as inputs_
from spikey.snn import neuron, readout, synapse, weight
from spikey.snn.network import RLNetwork
from spikey.snn.reward.cost_reduction import CostReduction

N_PER_VARIABLE = 8
#: (low, high) of cos1, sin1, cos2, sin2, omega1 [rad/s], omega2 [rad/s].
STATE_RANGES = [(-1, 1), (-1, 1), (-1, 1), (-1, 1), (-4 * math.pi, 4 * math.pi), (-9 * math.pi, 9 * math.pi)]
POOL_SIZE = 6
N_INPUTS = N_PER_VARIABLE * len(STATE_RANGES)
#: Synapses from the place cells to every output neuron; none between output neurons.
MASK = np.zeros((N_INPUTS + 3 * POOL_SIZE, 3 * POOL_SIZE), dtype=bool)
MASK[:N_INPUTS] = True


def tip_low(state):
    """How far the tip is below its highest point (0 at the top, 4 hanging down): the cost to reduce."""
    cos1, sin1, cos2, sin2 = (float(v) for v in state[:4])
    return 2.0 + cos1 + (cos1 * cos2 - sin1 * sin2)


class network_template(RLNetwork):
    """Place cells on 6 observations -> 3 pools of output neurons, MSTDPET."""

    parts = {
        "inputs": inputs_.RBF,
        "neurons": neuron.Neuron,
        "weights": weight.Random,
        "synapses": synapse.MSTDPET,
        "readout": readout.TopAction,
        "rewarder": CostReduction,
    }
    keys = {
        "n_inputs": N_INPUTS,
        "n_neurons": 3 * POOL_SIZE,
        "n_outputs": 3 * POOL_SIZE,
        "n_actions": 3,
        "processing_time": 10,
        "state_ranges": STATE_RANGES,
        "rbf_rate": 0.3,
        "magnitude": 1.0,
        "firing_threshold": 8.0,
        "potential_decay": 0.05,
        "refractory_period": 0,
        "prob_rand_fire": 0.01,
        "max_weight": 2.0,
        "matrix_mask": MASK,
        "learning_rate": 0.1,
        "tau_z": 50.0,
        "state_cost": tip_low,
    }


game_template = gym_template("Acrobot-v1")

training_params = {"n_episodes": 5, "len_episode": 500, "eval_episodes": 1}
