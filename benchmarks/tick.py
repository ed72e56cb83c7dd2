"""Microseconds per network step of the reference engine.

Prints, for the Florian XOR-sized network (60 inputs, 61 body neurons, 1 output,
processing_time 500, MSTDPET learning on) and for networks of 50 / 200 / 1000 / 4000
neurons, the time per network step with learning on and off, and ratios against

- a straightforward per-step numpy implementation of the same XOR network, written
  below (dense outer-product eligibility update every step), run on the same machine;
- the original Spikey's figure on this machine class (180-250 us per step, from the
  issue tracker; the original code is not installed here).

Usage::

    python benchmarks/tick.py            # full run (~1-2 minutes)
    python benchmarks/tick.py --quick    # fewer repetitions
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np

import spikey

ORIGINAL_SPIKEY_US = (180.0, 250.0)


def xor_expected(state) -> int:
    """XOR of a 2-tuple of 0/1."""
    return int(sum(state) % 2)


def feedforward(n_in: int, n: int, n_out: int, rng: np.random.Generator, wmax: float) -> np.ndarray:
    """Inputs -> hidden and hidden -> output weights, zero elsewhere."""
    m = np.zeros((n_in + n, n))
    hidden = n - n_out
    m[:n_in, :hidden] = rng.uniform(0, wmax, (n_in, hidden))
    m[n_in : n_in + hidden, hidden:] = rng.uniform(0, wmax, (hidden, n_out))
    return m


def xor_network(learning: bool = True, seed: int = 0) -> spikey.RLNetwork:
    """The XOR-sized network of the issue (RLNetwork, MSTDPET)."""
    n_in, n, n_out = 60, 61, 1

    class XorNet(spikey.RLNetwork):
        parts = {
            "inputs": spikey.input.RateMap,
            "neurons": spikey.neuron.Neuron,
            "weights": spikey.weight.Manual,
            "synapses": spikey.synapse.MSTDPET,
            "readout": spikey.readout.Threshold,
            "rewarder": spikey.reward.MatchExpected,
        }
        keys = {
            "n_inputs": n_in,
            "n_neurons": n,
            "n_outputs": n_out,
            "processing_time": 500,
            "magnitude": 1.0,
            "firing_threshold": 16.0,
            "potential_decay": 0.05,
            "refractory_period": 0,
            "prob_rand_fire": 0.01,
            "input_pct_inhibitory": 0.5,
            "state_rate_map": [0.0, 0.04],
            "max_weight": 5.0,
            "learning_rate": 0.01,
            "action_threshold": 0.0,
            "expected_value": xor_expected,
            "matrix": feedforward(n_in, n, n_out, np.random.default_rng(seed), 5.0),
        }

    net = XorNet(seed=seed, strict=True)
    return net if learning else net.eval()


def scaled_network(n: int, learning: bool, seed: int = 0) -> spikey.RLNetwork:
    """A recurrent network of ``n`` neurons with n/4 Poisson-like inputs, ~2% density."""
    n_in = max(4, n // 4)
    density = min(1.0, 20.0 / n)  # ~20 synapses in per neuron from the body

    class ScaledNet(spikey.RLNetwork):
        parts = {
            "inputs": spikey.input.RateMap,
            "neurons": spikey.neuron.Neuron,
            "weights": spikey.weight.Random,
            "synapses": spikey.synapse.MSTDPET,
            "readout": spikey.readout.Threshold,
            "rewarder": spikey.reward.MatchExpected,
        }
        keys = {
            "n_inputs": n_in,
            "n_neurons": n,
            "n_outputs": 1,
            "processing_time": 100,
            "magnitude": 1.0,
            "firing_threshold": 18.0,
            "potential_decay": 0.05,
            "refractory_period": 2,
            "prob_rand_fire": 0.02,
            "neuron_pct_inhibitory": 0.2,
            "state_rate_map": [0.0, 0.04],
            "max_weight": 3.0,
            "density": density,
            "learning_rate": 0.001,
            "action_threshold": 0.0,
            "expected_value": xor_expected,
        }

    net = ScaledNet(seed=seed, strict=True)
    return net if learning else net.eval()


def time_ticks(net: spikey.RLNetwork, n_ticks: int) -> tuple[float, float]:
    """(us per network step, mean fraction of neurons firing per step)."""
    states = [(0, 0), (0, 1), (1, 0), (1, 1)]
    net.reset()
    for i in range(2):  # warm-up
        s = states[i % 4]
        net.reward(s, net.tick(s))
    rate = []
    t0 = time.perf_counter()
    for i in range(n_ticks):
        s = states[i % 4]
        action = net.tick(s)
        net.reward(s, action)
        rate.append(net.spike_log[:, net._n_inputs :].mean())
    dt = time.perf_counter() - t0
    return dt / (n_ticks * net._processing_time) * 1e6, float(np.mean(rate))


def naive_xor_us(n_ticks: int, seed: int = 0) -> float:
    """The same XOR network as a direct per-step numpy loop (the reference)."""
    rng = np.random.default_rng(seed)
    n_in, n, T = 60, 61, 500
    W = feedforward(n_in, n, 1, rng, 5.0)
    mask = W != 0
    pol = np.concatenate([np.where(rng.random(n_in) < 0.5, -1.0, 1.0), np.ones(n)])
    cp = cm = math.exp(-1 / 20)
    cz = math.exp(-1 / 25)
    t0 = time.perf_counter()
    for tick in range(n_ticks):
        s = ((tick % 4) // 2, tick % 2)
        rates = np.tile(np.array([0.0, 0.04])[list(s)], n_in // 2)
        v = np.zeros(n)
        P = np.zeros(n_in + n)
        Q = np.zeros(n)
        Z = np.zeros((n_in + n, n))
        fired_body = np.zeros(n, bool)
        for _ in range(T):
            f_in = rng.random(n_in) < rates
            f_body = (v >= 16.0) | (rng.random(n) < 0.01)
            fired = np.concatenate([f_in, f_body])
            spikes = fired * pol
            v[f_body] = 0.0
            v = v * 0.95 + spikes @ W
            P *= cp
            Q *= cm
            Z = Z * cz + (np.outer(P, f_body) + np.outer(fired, Q)) / 25.0
            P += fired
            Q -= f_body
            fired_body = f_body
        r = 1.0 if bool(fired_body[-1]) == bool(sum(s) % 2) else -1.0
        W = np.clip(W + 0.01 * r * Z * pol[:, None] * mask, 0, 5.0)
    return (time.perf_counter() - t0) / (n_ticks * T) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    warnings.simplefilter("error", spikey.errors.UnclaimedKeyWarning)
    reps = 8 if args.quick else 40

    print(f"spikey {spikey.__version__}, numpy {np.__version__}")
    print("\nFlorian XOR size: 60 inputs, 61 neurons, 1 output, processing_time 500")
    us_on, rate = time_ticks(xor_network(True), reps)
    us_off, _ = time_ticks(xor_network(False), reps)
    naive = naive_xor_us(max(2, reps // 4))
    lo, hi = ORIGINAL_SPIKEY_US
    print(f"  learning on  (MSTDPET): {us_on:7.1f} us/step   (body firing {rate:.3f}/step)")
    print(f"  learning off (eval)   : {us_off:7.1f} us/step")
    print(f"  naive per-step numpy  : {naive:7.1f} us/step   -> spikey is {naive / us_on:.1f}x faster")
    print(
        f"  original Spikey       : {lo:.0f}-{hi:.0f} us/step   -> spikey is {lo / us_on:.1f}-{hi / us_on:.1f}x faster"
    )
    print(f"  target <= 40 us/step  : {'met' if us_on <= 40 else 'NOT met'}")

    print("\nScaling (recurrent, ~20 synapses in per neuron, processing_time 100)")
    print(f"  {'n_neurons':>9}  {'learning on':>12}  {'learning off':>12}  {'firing/step':>11}")
    for n in (50, 200, 1000, 4000):
        ticks = max(2, reps // (1 if n <= 200 else 4 if n <= 1000 else 8))
        on, rate = time_ticks(scaled_network(n, True), ticks)
        off, _ = time_ticks(scaled_network(n, False), ticks)
        print(f"  {n:>9}  {on:>9.1f} us  {off:>9.1f} us  {rate:>11.3f}")


if __name__ == "__main__":
    main()
