"""Shared fixtures: small valid configurations of networks and parts."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import spikey


def xor_expected(state) -> int:
    """XOR of a pair of 0/1 values."""
    return int(sum(state) % 2)


def feedforward(n_in: int, n: int, n_out: int, wmax: float = 5.0, seed: int = 0) -> np.ndarray:
    """Inputs -> hidden -> output weight matrix, zero elsewhere."""
    rng = np.random.default_rng(seed)
    m = np.zeros((n_in + n, n))
    hidden = n - n_out
    m[:n_in, :hidden] = rng.uniform(0, wmax, (n_in, hidden))
    m[n_in : n_in + hidden, hidden:] = rng.uniform(0, wmax, (hidden, n_out))
    return m


class SmallRL(spikey.RLNetwork):
    """A 10-input, 12-neuron feed-forward RL network with MSTDPET learning."""

    parts = {
        "inputs": spikey.input.RateMap,
        "neurons": spikey.neuron.Neuron,
        "weights": spikey.weight.Manual,
        "synapses": spikey.synapse.MSTDPET,
        "readout": spikey.readout.Threshold,
        "rewarder": spikey.reward.MatchExpected,
    }
    keys = {
        "n_inputs": 10,
        "n_neurons": 12,
        "n_outputs": 2,
        "processing_time": 40,
        "magnitude": 1.0,
        "firing_threshold": 4.0,
        "potential_decay": 0.1,
        "refractory_period": 1,
        "prob_rand_fire": 0.02,
        "input_pct_inhibitory": 0.3,
        "state_rate_map": [0.0, 0.3],
        "max_weight": 3.0,
        "learning_rate": 0.5,
        "action_threshold": 0.05,
        "expected_value": xor_expected,
        "matrix": feedforward(10, 12, 2, 3.0),
    }


STATES = [(0, 0), (0, 1), (1, 0), (1, 1)]


def run_ticks(net, n: int, start: int = 0) -> list:
    """Tick and reward ``n`` times over the four XOR states; returns the spike logs."""
    logs = []
    for i in range(start, start + n):
        s = STATES[i % 4]
        a = net.tick(s)
        net.reward(s, a)
        logs.append(net.spike_log.copy())
    return logs


@pytest.fixture
def small_net() -> SmallRL:
    """A reset SmallRL network with seed 7."""
    net = SmallRL(seed=7, strict=True)
    net.reset()
    return net


# A tiny RL network shared by the loop and callback tests.
KEYS = {
    "n_inputs": 4,
    "n_neurons": 6,
    "n_outputs": 2,
    "processing_time": 8,
    "magnitude": 1.0,
    "firing_threshold": 1.0,
    "potential_decay": 0.2,
    "refractory_period": 1,
    "max_weight": 2.0,
    "density": 0.8,
    "state_rate_map": [0.05, 0.9],
    "action_threshold": 0.1,
    "learning_rate": 0.5,
}
PARTS = {
    "inputs": spikey.input.RateMap,
    "neurons": spikey.neuron.Neuron,
    "weights": spikey.weight.Random,
    "synapses": spikey.synapse.RLSTDP,
    "readout": spikey.readout.Threshold,
}


class TinyRL(spikey.network.RLNetwork):
    """A 6-neuron RL network; with Logic(preset=XOR) the rewarder scores XOR."""

    parts = {**PARTS, "rewarder": spikey.reward.MatchExpected}
    keys = dict(KEYS)


def xor(state) -> int:
    """XOR of a pair of 0/1 values (the expected answer of Logic's XOR preset)."""
    return int(sum(state) % 2)


class XorTemplate(spikey.RLNetwork):
    """A 6-neuron XOR network for loops, Series, Population, reports and plots."""

    parts = {
        "inputs": spikey.input.RateMap,
        "neurons": spikey.neuron.Neuron,
        "weights": spikey.weight.Random,
        "synapses": spikey.synapse.MSTDPET,
        "readout": spikey.readout.Threshold,
        "rewarder": spikey.reward.MatchExpected,
    }
    keys = {
        "n_inputs": 4,
        "n_neurons": 6,
        "n_outputs": 1,
        "processing_time": 10,
        "magnitude": 1.0,
        "firing_threshold": 1.0,
        "potential_decay": 0.1,
        "refractory_period": 1,
        "state_rate_map": [0.0, 0.3],
        "learning_rate": 0.1,
        "action_threshold": 0.05,
        "expected_value": xor,
    }


class XorGame(spikey.games.Logic):
    """Logic with the XOR preset."""

    config = spikey.games.Logic.PRESETS["XOR"]


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code: str, timeout: float = 120, memory_mb: int | None = None) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter from the repository root (optionally under RLIMIT_AS:
    what the interpreter holds after its imports plus ``memory_mb``)."""
    prelude = ""
    if memory_mb is not None:
        # the limit is what the interpreter holds after imports plus ``memory_mb``
        prelude = textwrap.dedent(
            f"""
            import resource, spikey, spikey.logging, numpy, pandas
            with open("/proc/self/status") as f:
                vm = [int(l.split()[1]) * 1024 for l in f if l.startswith("VmSize:")][0]
            limit = vm + {memory_mb} * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            """
        )
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
    )
