"""Cart-pole balanced by a spiking network trained with reward-modulated STDP.

Usage::

    python examples/cartpole.py             # seeds 0-4, 200 training episodes each
    python examples/cartpole.py --seeds 0 --episodes 100

Prints, per seed, the mean steps balanced over training, over the last fifth of
training and with learning frozen afterwards, next to a random policy on the same
episodes.
"""

from __future__ import annotations

import argparse

import numpy as np

from spikey.experiments import cartpole


def main() -> None:
    """Run the experiment for the seeds given on the command line and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--episodes", type=int, default=cartpole.N_EPISODES)
    parser.add_argument("--eval-episodes", type=int, default=20)
    args = parser.parse_args()

    print("seed  mean steps (train / last fifth / frozen)   random (train / last fifth)   time [s]")
    rows = []
    for seed in args.seeds:
        r = cartpole.run(seed, args.episodes, args.eval_episodes)
        rows.append((r["mean_steps"], r["random_mean_steps"]))
        print(
            f"{seed:4d}  {r['mean_steps']:10.1f} / {r['final_mean_steps']:6.1f} / {r['eval_mean_steps']:6.1f}"
            f"   {r['random_mean_steps']:13.1f} / {r['random_final_mean_steps']:6.1f}   {r['time']:8.1f}"
        )
    net, rand = np.mean(rows, axis=0)
    print(f"mean steps over training: network {net:.1f}, random policy {rand:.1f}")


if __name__ == "__main__":
    main()
