"""A small reward-modulated spiking network on the four XOR input states.

Builds an :class:`~spikey.snn.network.RLNetwork` from stock parts (rate-coded inputs,
Spikey's leaky integrate-and-fire neurons, random weights, MSTDPET synapses, a threshold
readout and a rewarder that expects ``a XOR b``), trains it for a few epochs, then
shows, for each XOR state with learning frozen, how many spikes each population fired,
the action read out and the reward it earned. It shows the mechanics of a network, not
a solved task: a few epochs of this small network do not learn XOR.

Every number printed depends only on ``--seed``::

    python examples/network_demo.py --seed 0
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

import spikey

#: The four XOR input states, in the usual order.
XOR_STATES: list[tuple[int, int]] = [(0, 0), (0, 1), (1, 0), (1, 1)]


def xor(state: Sequence[int]) -> int:
    """The expected action for ``state``: ``state[0] XOR state[1]``."""
    return int(state[0]) ^ int(state[1])


class XORNetwork(spikey.network.RLNetwork):
    """Parts and keys of the demo network (a class, as in the original Spikey)."""

    parts = {
        "inputs": spikey.input.RateMap,
        "neurons": spikey.neuron.Neuron,
        "weights": spikey.weight.Random,
        "synapses": spikey.synapse.MSTDPET,
        "readout": spikey.readout.Threshold,
        "rewarder": spikey.reward.MatchExpected,
    }
    keys = {
        "n_inputs": 20,  # 10 input neurons per state bit
        "n_neurons": 30,
        "n_outputs": 5,  # the last 5 body neurons
        "processing_time": 100,  # network steps (ms) per game step
        "magnitude": 1.0,
        "firing_threshold": 4.0,
        "potential_decay": 0.2,
        "refractory_period": 3,
        "neuron_pct_inhibitory": 0.2,
        "prob_rand_fire": 0.005,
        "state_rate_map": [0.0, 0.25],  # bit 0 -> silent, bit 1 -> 250 Hz
        "density": 0.4,
        "max_weight": 2.0,
        "learning_rate": 0.05,
        "tau_z": 25.0,
        "action_threshold": 0.1,  # output spikes per step per output neuron
        "expected_value": xor,
    }


def run(seed: int = 0, epochs: int = 5) -> dict:
    """Train for ``epochs`` passes over the XOR states, then evaluate each state once.

    Parameters
    ----------
    seed : int
        The one seed of every random stream in the network.
    epochs : int
        Training passes over the four states.

    Returns
    -------
    dict
        ``network``, per-epoch training ``rewards`` (list of 4-lists) and the ``eval``
        rows: ``state``, ``expected``, ``action``, ``reward`` and spike counts
        ``inputs``, ``hidden``, ``outputs``.
    """
    network = XORNetwork(seed=seed, strict=True)
    n_in, n_out = network.params["n_inputs"], network.params["n_outputs"]
    weights_before = network.weights.matrix.copy()

    network.train()
    network.reset()
    rewards = []
    for _ in range(epochs):
        row = []
        for state in XOR_STATES:
            action = network.tick(state)
            row.append(network.reward(state, action))
        rewards.append(row)
    weight_change = float(np.abs(network.weights.matrix - weights_before).sum())

    network.eval()
    rows = []
    for state in XOR_STATES:
        network.reset()
        action = network.tick(state)
        log = network.spike_log  # (processing_time, n_inputs + n_neurons), bool
        rows.append(
            {
                "state": state,
                "expected": xor(state),
                "action": action,
                "reward": network.reward(state, action),
                "inputs": int(log[:, :n_in].sum()),
                "hidden": int(log[:, n_in : log.shape[1] - n_out].sum()),
                "outputs": int(log[:, log.shape[1] - n_out :].sum()),
            }
        )
    return {"network": network, "rewards": rewards, "weight_change": weight_change, "eval": rows}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; prints the summary and returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="seed of every random stream (default 0)")
    parser.add_argument("--epochs", type=int, default=5, help="training passes over the 4 states (default 5)")
    args = parser.parse_args(argv)

    out = run(seed=args.seed, epochs=args.epochs)
    network = out["network"]
    p = network.params

    print(f"spikey {spikey.__version__}: XOR demo, seed={p['seed']}")
    print(network)
    print(
        f"{p['n_inputs']} inputs, {p['n_neurons']} body neurons ({p['n_outputs']} outputs), "
        f"{p['processing_time']} network steps per game step\n"
    )
    print("Schedule of one network step:")
    print(network.schedule)

    print(f"\nTraining ({args.epochs} epochs over {XOR_STATES}), reward per state:")
    for i, row in enumerate(out["rewards"]):
        print(f"  epoch {i}: " + "  ".join(f"{r:+.0f}" for r in row) + f"   total {sum(row):+.0f}")
    print(f"  total |weight change|: {out['weight_change']:.4f}")

    print("\nEvaluation (learning off), spike counts over one game step:")
    header = (
        f"  {'state':<8}{'inputs':>8}{'hidden':>8}{'outputs':>9}{'action':>8}{'expected':>10}{'reward':>8}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    for r in out["eval"]:
        print(
            f"  {str(r['state']):<8}{r['inputs']:>8}{r['hidden']:>8}{r['outputs']:>9}"
            f"{r['action']:>8}{r['expected']:>10}{r['reward']:>+8.0f}"
        )
    correct = sum(r["action"] == r["expected"] for r in out["eval"])
    print(f"\n{correct}/4 states answered correctly after {args.epochs} training epochs.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
