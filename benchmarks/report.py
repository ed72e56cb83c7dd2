"""Time to write ``spikey report`` of a run of 10^4 game steps, for three games.

Trains once per game (setup, not timed; ``processing_time`` is cut to a few network
steps, since only the log's size matters here), then times
:func:`spikey.viz.report.write_report` of each log, split into reading the log and
drawing the page. Games:

- ``acrobot``: Gymnasium's Acrobot-v1 (six continuous observations, three actions;
  ``examples/acrobot.py``), 20 episodes of 500 steps;
- ``cartpole``: spikey's CartPole-v1 (``spikey run cartpole``'s network), episodes
  of up to 500 steps until 10^4 steps;
- ``xor``: one episode of 10^4 XOR presentations (Logic game).

Target: at most 5 s per report, whatever the game. The reference measured in the same
sitting is the JSON decoding of the same log (:func:`spikey.logging.read_log`), which any
report pays.

Usage::

    python benchmarks/report.py [--steps 10000] [--games acrobot,cartpole,xor]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _acrobot(steps: int) -> tuple:
    spec = importlib.util.spec_from_file_location("example_acrobot", os.path.join(HERE, "..", "examples", "acrobot.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.network_template, module.game_template, {"n_episodes": steps // 500, "len_episode": 500}


def _cartpole(steps: int) -> tuple:
    from spikey.experiments import cartpole

    return cartpole.network_template, cartpole.game_template, {"n_episodes": steps, "len_episode": 500}


def _xor(steps: int) -> tuple:
    from spikey.experiments import florian_rate

    return florian_rate.network_template, florian_rate.game_template, {"n_episodes": 1, "len_episode": steps}


GAMES = {"acrobot": _acrobot, "cartpole": _cartpole, "xor": _xor}


def train(name: str, steps: int, folder: str) -> tuple[str, int]:
    from spikey.core import GenericLoop, RLCallback

    network, game, params = GAMES[name](steps)
    params = {**params, "eval_episodes": 1, "seed": 0, "progress": False, "processing_time": 2}
    if name == "cartpole":
        # episodes end when the pole falls: train in chunks until the step budget is spent
        n = 20
        while True:
            loop = GenericLoop(network, game, RLCallback(), {**params, "n_episodes": n})
            _, _, results, _ = loop()
            if results["n_steps"] >= steps or n >= steps:
                break
            n = min(steps, max(n + 1, int(n * steps / max(results["n_steps"], 1)) + 1))
    else:
        loop = GenericLoop(network, game, RLCallback(), params)
        _, _, results, _ = loop()
    return loop.log(folder=folder), int(results["n_steps"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--games", default=",".join(GAMES))
    args = parser.parse_args()
    from spikey.logging.reader import read_log
    from spikey.viz.report import write_report

    print(f"load average {os.getloadavg()[0]:.2f}; target: report <= 5 s for {args.steps} game steps")
    print(f"{'game':<10} {'steps':>7} {'log [MB]':>9} {'read [s]':>9} {'report [s]':>11} {'figures':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.games.split(","):
            log, n_steps = train(name, args.steps, os.path.join(tmp, name))
            t0 = time.perf_counter()
            read_log(log)
            t_read = time.perf_counter() - t0
            t0 = time.perf_counter()
            page = write_report(log)
            t_report = time.perf_counter() - t0
            n_fig = open(page, encoding="utf-8").read().count("<img ")
            size = os.path.getsize(log) / 1e6
            print(f"{name:<10} {n_steps:>7} {size:>9.2f} {t_read:>9.2f} {t_report:>11.2f} {n_fig:>8}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
