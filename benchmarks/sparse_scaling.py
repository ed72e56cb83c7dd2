"""Nanoseconds per synaptic event of sparse networks, 1,000 -> 10,000 neurons, fixed fan-in.

Each network has Spikey LIF neurons, 20 rate-coded inputs and sparse
:class:`~spikey.snn.weight.Random` weights with ``density = fan_in / n_neurons`` (about
100 synapses per neuron, in and out), on the compiled engine. A synaptic event is one
spike crossing one synapse; the figure is the whole tick time (inputs, neurons,
propagation, learning when on) divided by the events of the tick, so it includes the
per-neuron work. It should stay roughly flat as the network grows: the per-step cost
is proportional to the events, not to ``n_neurons ** 2``.

Rows: static synapses (:class:`~spikey.snn.synapse.Synapse`), conductance synapses with
exponential kernels (:class:`~spikey.snn.synapse.StaticSynapse`, the COBA path) and LTP
learning; ``--dense`` adds the dense storage of the static network for comparison (up
to 4,000 neurons).

Usage::

    python benchmarks/sparse_scaling.py            # ~1-2 minutes after the first compile
    python benchmarks/sparse_scaling.py --quick    # fewer ticks and sizes
    python benchmarks/sparse_scaling.py --dense    # also dense storage
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import spikey

N_IN = 20


def network(n: int, synapse: str, storage: str, fan_in: float, seed: int = 0) -> spikey.Network:
    """A sparse benchmark network of ``n`` body neurons (~2-5% fire per step)."""
    extra: dict = {}
    syn_cls = spikey.synapse.Synapse
    threshold, wmax = 50.0, 2.0
    if synapse == "conductance":
        syn_cls = spikey.synapse.StaticSynapse
        extra = dict(conductance=True, kernel_exc="exponential", kernel_inh="exponential",
                     tau_exc=5.0, tau_inh=10.0, E_exc=14.0, E_inh=-4.0)
        wmax = 0.05
    elif synapse == "ltp":
        syn_cls = spikey.synapse.LTP
        extra = dict(learning_rate=0.01)

    class Bench(spikey.Network):
        parts = {
            "inputs": spikey.input.RateMap,
            "neurons": spikey.neuron.Neuron,
            "weights": spikey.weight.Random,
            "synapses": syn_cls,
            "readout": spikey.readout.Threshold,
        }
        keys = {
            "n_inputs": N_IN, "n_neurons": n, "n_outputs": 2, "processing_time": 100,
            "magnitude": 1.0, "firing_threshold": threshold, "potential_decay": 0.1,
            "refractory_period": 2, "prob_rand_fire": 0.03, "input_pct_inhibitory": 0.2,
            "neuron_pct_inhibitory": 0.2, "state_rate_map": [0.0, 0.3], "max_weight": wmax,
            "action_threshold": 0.05, "density": min(1.0, fan_in / n), "storage": storage,
            "engine": "numba", **extra,
        }

    return Bench(seed=seed)


def measure(net: spikey.Network, ticks: int) -> tuple[float, float, float]:
    """(ns per synaptic event, us per network step, fraction of body neurons firing)."""
    w = net.weights
    fan_out = np.diff(w.indptr).astype(np.float64) if w.sparse else w.mask.sum(axis=1).astype(np.float64)
    net.reset()
    net.tick((1, 1))  # compile / warm up
    events, steps, active = 0.0, 0, 0.0
    cpu = 0.0
    for k in range(ticks):
        t0 = time.process_time()
        net.tick((k % 2, 1))
        cpu += time.process_time() - t0
        log = net.spike_log
        events += float((log @ fan_out).sum())
        steps += log.shape[0]
        active += float(log[:, N_IN:].mean())
    return cpu / events * 1e9, cpu / steps * 1e6, active / ticks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer ticks and sizes")
    parser.add_argument("--dense", action="store_true", help="also dense storage (static, <= 4000 neurons)")
    parser.add_argument("--fan-in", type=float, default=100.0, help="synapses per neuron (default 100)")
    args = parser.parse_args()
    sizes = [1000, 3000, 10000] if args.quick else [1000, 2000, 4000, 10000]
    ticks = 5 if args.quick else 20
    rows = [("static", "sparse"), ("conductance", "sparse"), ("ltp", "sparse")]
    if args.dense:
        rows.append(("static", "dense"))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"fan-in {args.fan_in:g}, {ticks} ticks x 100 steps, CPU time, load average {load:.2f}")
    print(f"{'synapse':<12} {'storage':<7} {'neurons':>8} {'synapses':>10} {'active':>7} {'us/step':>9} {'ns/event':>9}")
    for synapse, storage in rows:
        for n in sizes:
            if storage == "dense" and n > 4000:
                continue
            net = network(n, synapse, storage, args.fan_in)
            ns, us, act = measure(net, ticks)
            print(f"{synapse:<12} {storage:<7} {n:>8} {net.weights.n_synapses:>10} {act:>7.3f} {us:>9.2f} {ns:>9.2f}")


if __name__ == "__main__":
    main()
