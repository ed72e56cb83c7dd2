"""Time to read 10,000 small logs into a DataFrame with spikey.logging.Reader.

Writes the logs once into a temporary folder (setup, not timed), then times
``Reader(folder).df`` and compares with a plain ``json.load`` loop over the same files
(the floor any JSON-based reader pays). Target: under 10 s.

Usage::

    python benchmarks/reader.py [--n 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import numpy as np

from spikey.logging import Reader
from spikey.logging.log import make_log


def write_logs(folder: str, n: int) -> None:
    """n logs shaped like a small XOR run (params, 6 results, 2 short info arrays)."""
    rng = np.random.default_rng(0)
    network = {
        "n_inputs": 60,
        "n_neurons": 61,
        "n_outputs": 1,
        "processing_time": 500,
        "seed": 0,
        "learning_rate": 0.01,
        "firing_threshold": 16.0,
        "max_weight": 5.0,
    }
    game = {"preset": "XOR", "n_actions": 2}
    for i in range(n):
        network["seed"] = i
        results = {
            "accuracy": float(rng.random()),
            "total_time": float(rng.random() * 10),
            "episodes": 1,
            "mean_reward": float(rng.normal()),
            "converged": bool(i % 2),
            "steps": 800,
        }
        info = {"rewards": rng.normal(size=50), "actions": rng.integers(0, 2, 50)}
        with open(os.path.join(folder, f"2026-01-01-00-00-{i:05d}.json"), "w") as f:
            json.dump(make_log(network, game, results, info), f)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        write_logs(folder, args.n)
        names = sorted(os.listdir(folder))
        t0 = time.perf_counter()
        for name in names:
            with open(os.path.join(folder, name)) as f:
                json.load(f)
        floor = time.perf_counter() - t0
        t0 = time.perf_counter()
        reader = Reader(folder)
        df = reader.df
        spent = time.perf_counter() - t0
    print(f"{args.n} logs -> DataFrame {df.shape}: {spent:.2f} s ({spent / args.n * 1e6:.0f} us/log)")
    print(f"plain json.load loop: {floor:.2f} s -> Reader costs {spent / floor:.1f}x the JSON floor")
    print(f"target < 10 s: {'met' if spent < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
