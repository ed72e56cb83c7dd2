"""Milliseconds of wall time per second of biological time: Izhikevich's (2003) network.

The 1000-neuron network of the paper's ``net.m`` (800 excitatory, 200 inhibitory
neurons with random heterogeneity, all-to-all weights 0.5 U from excitatory and -U from
inhibitory neurons, thalamic noise 5 N(0, 1) / 2 N(0, 1) per ms, 1 ms steps with v in
two 0.5 ms half-steps) built as a :class:`~spikey.snn.populations.PopulationNetwork` and
run by the reference engine (or ``--engine numba``), one game step of 1000 network steps
(1 s) at a time.

Prints the median time per simulated second over ``--repeats`` runs (after one warm-up
second), the mean firing rate, and for context the time of a straightforward
plain-numpy transcription of ``net.m`` written below. Target: < 150 ms per simulated
second (Brian2's numpy target needs about 135 ms on this machine class).

Usage::

    python benchmarks/izhikevich_network.py            # 10 simulated seconds
    python benchmarks/izhikevich_network.py --repeats 3
    python benchmarks/izhikevich_network.py --engine numba   # compiled engine
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from spikey.snn.neuron import Izhikevich
from spikey.snn.populations import Population, PopulationNetwork, Projection
from spikey.snn.synapse import Synapse

TARGET_MS = 150.0
NE, NI = 800, 200


def draws(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """net.m's random draws: r per neuron and the weights S as (pre, post)."""
    rng = np.random.default_rng(seed)
    re, ri = rng.random(NE), rng.random(NI)
    w = np.vstack([0.5 * rng.random((NE, NE + NI)), -rng.random((NI, NE + NI))])
    return re, ri, w


def network(seed: int = 0, engine: str | None = None) -> PopulationNetwork:
    """The net.m network as populations and projections (delay-free static synapses);
    ``engine`` None: the network's default ($SPIKEY_ENGINE, else 'auto')."""
    re, ri, w = draws(seed)
    exc, inh = slice(0, NE), slice(NE, NE + NI)
    return PopulationNetwork(
        populations=[
            Population("exc", NE, Izhikevich, a=0.02, b=0.2, c=-65 + 15 * re**2, d=8 - 6 * re**2, noise=5.0),
            Population(
                "inh",
                NI,
                Izhikevich,
                a=0.02 + 0.08 * ri,
                b=0.25 - 0.05 * ri,
                c=-65.0,
                d=2.0,
                inhibitory=True,
                noise=2.0,
            ),
        ],
        projections=[
            Projection(pre, post, weight=w[rows, cols])
            for pre, rows in (("exc", exc), ("inh", inh))
            for post, cols in (("exc", exc), ("inh", inh))
        ],
        processing_time=1000,
        synapses=Synapse,
        seed=seed,
        **({} if engine is None else {"engine": engine}),
    )


def plain_numpy_second(state: dict, rng: np.random.Generator) -> int:
    """One simulated second of net.m in plain numpy; returns the number of spikes."""
    v, u, a, b, c, d, s = (state[k] for k in "vuabcds")
    count = 0
    for _ in range(1000):
        current = np.concatenate([5 * rng.standard_normal(NE), 2 * rng.standard_normal(NI)])
        fired = np.flatnonzero(v >= 30)
        count += fired.size
        v[fired] = c[fired]
        u[fired] += d[fired]
        current += s[:, fired].sum(axis=1)
        v += 0.5 * (0.04 * v * v + 5 * v + 140 - u + current)
        v += 0.5 * (0.04 * v * v + 5 * v + 140 - u + current)
        u += a * (b * v - u)
    return count


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="simulated seconds timed (default 10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", choices=("reference", "numba", "auto"), default="reference")
    args = parser.parse_args(argv)

    net = network(args.seed, args.engine)
    net.reset()
    net.tick(None)  # warm-up second
    times, spikes = [], 0
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        net.tick(None)
        times.append(time.perf_counter() - t0)
        spikes += int(net.spike_log.sum())
    ms = 1000 * statistics.median(times)
    rate = spikes / (NE + NI) / args.repeats

    re, ri, w = draws(args.seed)
    state = {
        "a": np.concatenate([np.full(NE, 0.02), 0.02 + 0.08 * ri]),
        "b": np.concatenate([np.full(NE, 0.2), 0.25 - 0.05 * ri]),
        "c": np.concatenate([-65 + 15 * re**2, np.full(NI, -65.0)]),
        "d": np.concatenate([8 - 6 * re**2, np.full(NI, 2.0)]),
        "v": np.full(NE + NI, -65.0),
        "s": np.ascontiguousarray(w.T),
    }
    state["u"] = state["b"] * state["v"]
    rng = np.random.default_rng(args.seed + 1)
    plain_numpy_second(state, rng)
    ref_times, ref_spikes = [], 0
    for _ in range(max(3, args.repeats // 2)):
        t0 = time.perf_counter()
        ref_spikes += plain_numpy_second(state, rng)
        ref_times.append(time.perf_counter() - t0)
    ref_ms = 1000 * statistics.median(ref_times)
    ref_rate = ref_spikes / (NE + NI) / len(ref_times)

    print(f"Izhikevich (2003) network: 1000 neurons, all-to-all, 1 ms steps, {net.engine.name} engine")
    print(
        f"  spikey:            {ms:7.1f} ms per simulated second (median of {args.repeats}), mean rate {rate:.2f} Hz"
    )
    print(f"  plain numpy net.m: {ref_ms:7.1f} ms per simulated second, mean rate {ref_rate:.2f} Hz")
    print(f"  target:            {TARGET_MS:7.1f} ms  -> {'met' if ms < TARGET_MS else 'NOT met'}")
    return {"ms_per_second": ms, "rate_hz": rate, "numpy_ms_per_second": ref_ms, "numpy_rate_hz": ref_rate}


if __name__ == "__main__":
    main()
