"""Cost of watching a run: TensorBoard and CSV loggers against the plain callback.

Trains the same runs (same seeds, so the same episodes) with ``RLCallback()`` alone and
with a :class:`~spikey.core.loggers.TensorBoardLogger` (histograms every tenth of the
run) and a :class:`~spikey.core.loggers.CSVLogger` attached, alternating the two, and prints
the median CPU time of the process (``time.process_time``: all its threads, the
event writer's included; unlike wall time it does not count other processes' load on a
shared machine) of each and their ratio. Target: at most 5 % slower. Both variants are warmed up first (compiling the
kernels, importing tensorboardX: 0.35 s once per process).

Runs: ``spikey run cartpole``'s network on CartPole-v1 (many short episodes: the most
writes per second of training) and ``spikey run xor`` (one long episode).

Usage::

    python benchmarks/loggers.py [--repeats 5] [--episodes 100] [--presentations 800]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from spikey.core import GenericLoop, RLCallback
from spikey.core.loggers import CSVLogger, TensorBoardLogger, attach


def one(network, game, params, folder: str | None, csv: bool = False) -> float:
    callback = RLCallback()
    if folder is not None:
        loggers = [TensorBoardLogger(os.path.join(folder, "tb"))]
        if csv:
            loggers.append(CSVLogger(os.path.join(folder, "csv")))
        attach(callback, *loggers)
    loop = GenericLoop(network, game, callback, {**params, "progress": False})
    t0 = time.process_time()
    loop()
    return time.process_time() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--only", default="", help="comma-separated runs (cartpole, xor)")
    parser.add_argument("--episodes", type=int, default=100, help="CartPole training episodes")
    parser.add_argument("--presentations", type=int, default=800, help="XOR presentations (spikey run xor: 800)")
    args = parser.parse_args()
    from spikey.experiments import cartpole, florian_rate

    runs = {
        "cartpole": (cartpole.network_template, cartpole.game_template,
                     {"n_episodes": args.episodes, "len_episode": 500, "eval_episodes": 2}),
        "xor": (florian_rate.network_template, florian_rate.game_template,
                {**florian_rate.training_params, "n_episodes": 1, "len_episode": args.presentations}),
    }
    print(f"load average {os.getloadavg()[0]:.2f}; {args.repeats} repeats, alternating; target: ratio <= 1.05")
    print(f"{'run':<10} {'plain [CPU s]':>14} {'+tensorboard':>13} {'ratio':>6} {'+tb+csv':>9} {'ratio':>6}")
    for name, (network, game, params) in runs.items():
        if args.only and name not in args.only.split(","):
            continue
        with tempfile.TemporaryDirectory() as tmp:  # compile, import tensorboardX, warm up
            one(network, game, {**params, "seed": 0}, None)
            one(network, game, {**params, "seed": 0}, tmp, csv=True)
        times: dict[str, list[float]] = {"plain": [], "tb": [], "tb+csv": []}
        order = list(times)
        for r in range(args.repeats):
            for variant in order[r % 3 :] + order[: r % 3]:  # rotate who goes first
                with tempfile.TemporaryDirectory() as tmp:
                    folder = None if variant == "plain" else tmp
                    times[variant].append(one(network, game, {**params, "seed": r}, folder, csv=variant == "tb+csv"))
        p, t, c = (statistics.median(times[k]) for k in order)
        print(f"{name:<10} {p:>14.3f} {t:>13.3f} {t / p:>6.3f} {c:>9.3f} {c / p:>6.3f}", flush=True)


if __name__ == "__main__":
    main()
