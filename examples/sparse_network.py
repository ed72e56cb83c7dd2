"""A sparse network: 4,000 neurons at 2% connectivity, stored per synapse.

Builds a rate-coded network whose weights are drawn sparsely (``storage="sparse"``),
runs a few ticks on the compiled engine (the reference engine when numba is missing)
and prints how much memory the weights take against a dense matrix.

Run: ``python examples/sparse_network.py``
"""

from __future__ import annotations

import spikey

N = 4000


class SparseNet(spikey.Network):
    parts = {
        "inputs": spikey.input.RateMap,
        "neurons": spikey.neuron.Neuron,
        "weights": spikey.weight.Random,
        "synapses": spikey.synapse.StaticSynapse,
        "readout": spikey.readout.Threshold,
    }
    keys = {
        "n_inputs": 20, "n_neurons": N, "n_outputs": 2, "processing_time": 100,
        "magnitude": 1.0, "firing_threshold": 50.0, "potential_decay": 0.1,
        "refractory_period": 2, "prob_rand_fire": 0.03, "input_pct_inhibitory": 0.2,
        "neuron_pct_inhibitory": 0.2, "state_rate_map": [0.0, 0.3], "max_weight": 0.05,
        "action_threshold": 0.05, "density": 0.02, "storage": "sparse",
        "conductance": True, "kernel_exc": "exponential", "kernel_inh": "exponential",
        "E_exc": 14.0, "E_inh": -4.0,
    }


if __name__ == "__main__":
    net = SparseNet(seed=0)
    net.reset()
    for k in range(5):
        net.tick((k % 2, 1))
    w = net.weights
    stored = w.indptr.nbytes + w.indices.nbytes + w.values.nbytes
    print(net.schedule.engine if hasattr(net.schedule, "engine") else type(net.engine).__name__)
    print(f"{w.n_synapses} synapses in a {w.shape} matrix: {stored / 1e6:.1f} MB stored, "
          f"{w.size * 8 / 1e6:.0f} MB as a dense float64 matrix")
    print(f"fraction of body neurons firing per step: {net.spike_log[:, 20:].mean():.3f}")
