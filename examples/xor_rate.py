"""Florian (2007) rate-coded XOR: train, then test with learning frozen.

Usage::

    python examples/xor_rate.py            # seeds 0-4, about 3 s each (compiled kernels)
    python examples/xor_rate.py --seeds 0  # one seed

Prints, per seed, the frozen-weight accuracy (each pattern shown 50 times, answer 1 from
10 output spikes per 500 ms presentation on) and the mean output spike counts.
"""

from __future__ import annotations

import argparse

import numpy as np

from spikey.experiments import florian_rate


def main() -> None:
    """Run the experiment for the seeds given on the command line and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--presentations", type=int, default=florian_rate.N_PRESENTATIONS)
    parser.add_argument("--per-pattern", type=int, default=50)
    args = parser.parse_args()

    print(f"threshold: {florian_rate.SPIKE_THRESHOLD} output spikes per presentation")
    print("seed  accuracy  spikes 00 / 01 / 10 / 11        train [s]")
    accuracies = []
    for seed in args.seeds:
        r = florian_rate.run(seed, args.presentations, args.per_pattern)
        spikes = " / ".join(f"{r['mean_spikes'][p]:5.1f}" for p in florian_rate.PATTERNS)
        print(f"{seed:4d}  {r['accuracy']:8.3f}  {spikes}    {r['train_time']:8.1f}")
        accuracies.append(r["accuracy"])
    print(f"mean accuracy: {np.mean(accuracies):.3f}")


if __name__ == "__main__":
    main()
