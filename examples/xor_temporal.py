"""Florian (2007) temporally coded XOR: train, then test with learning frozen.

Usage::

    python examples/xor_temporal.py            # seeds 0-4
    python examples/xor_temporal.py --seeds 0

Prints, per seed, the frozen-weight accuracy, the threshold-free AUC of the output spike
counts (0.5: no discrimination) and the mean output spike counts per pattern.
"""

from __future__ import annotations

import argparse

import numpy as np

from spikey.experiments import florian_temporal


def main() -> None:
    """Run the experiment for the seeds given on the command line and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--presentations", type=int, default=florian_temporal.N_PRESENTATIONS)
    parser.add_argument("--per-pattern", type=int, default=50)
    args = parser.parse_args()

    print("seed  accuracy    auc  spikes 00 / 01 / 10 / 11        train [s]")
    accuracies, aucs = [], []
    for seed in args.seeds:
        r = florian_temporal.run(seed, args.presentations, args.per_pattern)
        spikes = " / ".join(f"{r['mean_spikes'][p]:5.1f}" for p in florian_temporal.PATTERNS)
        print(f"{seed:4d}  {r['accuracy']:8.3f}  {r['auc']:5.2f}  {spikes}    {r['train_time']:8.1f}")
        accuracies.append(r["accuracy"])
        aucs.append(r["auc"])
    print(f"mean accuracy: {np.mean(accuracies):.3f}, mean AUC: {np.mean(aucs):.2f}")


if __name__ == "__main__":
    main()
