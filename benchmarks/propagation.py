"""Dense spike propagation alone: the block scan of ``dense_propagate`` against a scan
that tests every presynaptic value.

``spikey.snn.synapse.template.dense_propagate`` (the propagation kernel of
:class:`~spikey.snn.synapse.Synapse` and the learning rules built on it) skips whole
blocks of :data:`~spikey.snn.engine.kernel.SPIKE_BLOCK` silent presynaptic neurons after
one vectorised test (:func:`~spikey.snn.engine.kernel.block_silent`). The reference
here is the same row sums with every value tested in the loop (the kernel before the
block scan), called the same way. Both run 2000 steps of a fixed random spike train
in one compiled loop; the figure is the fastest of 7 runs, in µs per step, with the
load average. The block scan pays where most blocks are silent (a speed-up above 1) and
costs a little where most blocks hold a spike (a speed-up below 1).

Usage::

    python benchmarks/propagation.py
    python benchmarks/propagation.py --repeats 15
"""

from __future__ import annotations

import argparse
import os
import time

import numba
import numpy as np

from spikey.snn.synapse.template import dense_propagate

#: (presynaptic neurons, postsynaptic neurons, probability of a spike per step): large
#: and quiet, large and busier, Izhikevich-like (1000 at ~7 Hz, 1 ms steps), Diehl &
#: Cook-like input (784 -> 400), XOR-sized (121 -> 61)
CASES = ((4000, 100, 0.001), (4000, 100, 0.01), (1000, 1000, 0.007), (784, 400, 0.005), (121, 61, 0.05))
STEPS = 2000


@numba.njit(cache=True)
def every_value(P, S, R, t, spikes, current):  # noqa: N803, ANN001, ANN201 - kernel signature
    """``dense_propagate`` as it was before the block scan: every value tested."""
    m, signs = S[0], S[1]
    n_post = m.shape[1]
    signed = signs.shape[0] != 0
    for i in range(spikes.shape[0]):
        s = spikes[i]
        if s != 0.0:
            if signed:
                for j in range(n_post):
                    current[j] += s * (m[i, j] * signs[i, j])
            else:
                for j in range(n_post):
                    current[j] += s * m[i, j]


@numba.njit(cache=True)
def run(kernel, m, train, current):  # noqa: ANN001, ANN201
    """Every step of ``train`` through ``kernel`` (a propagation kernel)."""
    signs = np.zeros((0, 0))
    random = np.zeros((0, 0))
    for t in range(train.shape[0]):
        kernel((), (m, signs), random, t, train[t], current)


def fastest(repeats: int, fn, *args) -> float:  # noqa: ANN001
    """The fastest of ``repeats`` calls ``fn(*args)``, in µs per step."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times) / STEPS * 1e6


def main(argv: list[str] | None = None) -> list[tuple[int, int, float, float, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    kernel = dense_propagate.dispatcher
    out = []
    print(f"{'pre -> post':>14} {'firing':>7} {'block scan':>11} {'every value':>12} {'speed-up':>8}")
    for n_pre, n_post, rate in CASES:
        rng = np.random.default_rng(0)
        m = rng.random((n_pre, n_post))
        train = (rng.random((STEPS, n_pre)) < rate).astype(float)
        ours_cur, ref_cur = np.zeros(n_post), np.zeros(n_post)
        run(kernel, m, train, ours_cur)  # compile or load, and check the sums
        run(every_value, m, train, ref_cur)
        if not np.allclose(ours_cur, ref_cur, rtol=1e-12):
            raise SystemExit(f"{n_pre} -> {n_post}: the block scan's sums differ from the reference")
        ours = fastest(args.repeats, run, kernel, m, train, ours_cur)
        ref = fastest(args.repeats, run, every_value, m, train, ref_cur)
        out.append((n_pre, n_post, rate, ours, ref))
        print(
            f"{n_pre:>6} -> {n_post:<5} {rate:>7.1%} {ours:>8.3f} µs {ref:>9.3f} µs {ref / ours:>7.2f}x"
            f"  [load {os.getloadavg()[0]:.2f}]",
            flush=True,
        )
    return out


if __name__ == "__main__":
    main()
