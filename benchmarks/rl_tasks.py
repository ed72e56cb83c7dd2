"""The control-task table: task x learner over seeds, frozen mean return, budget and baselines.

For every task and seed it runs

- ``snn-es``: the registry's ``<task>-es`` experiment (CMA-ES over the weights of the
  task's spiking network, :class:`spikey.experiments.evolution.EvolutionExperiment`);
- ``linear-es`` and ``mlp-es``: the same CMA-ES (:class:`spikey.meta.es.CMAES`, same
  population, episodes per fitness and per centre, ``stop_fitness`` and generation cap;
  no fitness bonus and no stop patience) on a non-spiking
  policy: linear (``argmax(W [obs, 1])``, or ``tanh`` scaled to the action range for a
  Box action) and a 16-unit tanh MLP, on observations scaled by the same ranges the
  spiking encoder uses;
- ``random``: uniformly random actions;

each scored the same way: the mean return of ``--eval-episodes`` (100) frozen episodes
on evaluation seeds no training episode used. It prints one row per (task, learner):
frozen mean return (mean ± std over seeds), success (seeds reaching the task's
threshold), environment steps used and wall time per seed (this machine, load average
printed), and writes the per-seed figures to ``--json``.

Usage::

    python benchmarks/rl_tasks.py                               # every task, 3 seeds (hours)
    python benchmarks/rl_tasks.py --tasks cartpole --seeds 0,1,2
    python benchmarks/rl_tasks.py --tasks acrobot --learners linear-es,random
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import numpy as np

from spikey.experiments import make
from spikey.experiments.control import EVAL_STREAM, get_task, random_policy
from spikey.experiments.evolution import DEFAULTS
from spikey.meta.es import CMAES
from spikey.rng import derive_seed, make_rng
from spikey.snn.input import box_ranges

LEARNERS = ("snn-es", "linear-es", "mlp-es", "random")
TASK_NAMES = ("cartpole", "acrobot", "mountaincar", "pendulum", "lunarlander")


class NumpyPolicy:
    """A linear or one-hidden-layer tanh policy on range-scaled observations."""

    def __init__(self, task: Any, hidden: int = 0):
        obs_space, act_space = task.spaces()
        ranges = np.array(box_ranges(obs_space, task.state_ranges))
        self.mid = ranges.mean(axis=1)
        self.half = (ranges[:, 1] - ranges[:, 0]) / 2
        self.discrete = hasattr(act_space, "n")
        self.n_out = int(act_space.n) if self.discrete else int(np.prod(act_space.shape))
        self.low = None if self.discrete else act_space.low
        self.high = None if self.discrete else act_space.high
        self.n_in = len(ranges) + 1
        self.hidden = hidden
        self.size = self.n_in * self.n_out if not hidden else self.n_in * hidden + (hidden + 1) * self.n_out

    def act(self, theta: np.ndarray, obs: Any) -> Any:
        x = np.append(np.clip((np.asarray(obs, float) - self.mid) / self.half, -3, 3), 1.0)
        if self.hidden:
            w1 = theta[: self.n_in * self.hidden].reshape(self.n_in, self.hidden)
            w2 = theta[self.n_in * self.hidden :].reshape(self.hidden + 1, self.n_out)
            out = np.append(np.tanh(x @ w1), 1.0) @ w2
        else:
            out = x @ theta.reshape(self.n_in, self.n_out)
        if self.discrete:
            return int(np.argmax(out))
        return (self.low + (np.tanh(out) + 1) / 2 * (self.high - self.low)).astype(np.float32)


def _returns(policy: NumpyPolicy, theta: np.ndarray, game: Any, n: int) -> tuple[np.ndarray, int]:
    out, steps = np.zeros(n), 0
    for e in range(n):
        obs, done, total = game.reset(), False, 0.0
        while not done:
            obs, r, done, _ = game.step(policy.act(theta, obs))
            total += float(r)
            steps += 1
        out[e] = total
    return out, steps


def numpy_es(task: Any, game_cls: type, seed: int, hidden: int, eval_episodes: int) -> dict:
    """CMA-ES on a numpy policy with the snn-es budget rules; frozen evaluation on evaluation seeds."""
    t0 = time.perf_counter()
    d = DEFAULTS[task.name]
    policy = NumpyPolicy(task, hidden)
    es = CMAES(np.zeros(policy.size), 0.5, 16, make_rng(seed, "baseline/strategy"))
    steps, best_center, best_score = 0, np.zeros(policy.size), -np.inf
    generations = 0
    for g in range(d["n_generations"]):
        generations += 1
        center = es.mean
        X = es.ask()
        fitness = []
        for x in X:
            game = game_cls(seed=derive_seed(seed, f"evolution/{g}/episodes"))
            r, s = _returns(policy, x, game, d["n_episodes"])
            fitness.append(r.mean())
            steps += s
        es.tell(fitness)
        r, s = _returns(
            policy, center, game_cls(seed=derive_seed(seed, f"evolution/{g}/episodes")), d["center_episodes"]
        )
        steps += s
        if r.mean() >= best_score:
            best_score, best_center = r.mean(), center
        if r.mean() >= d["stop_fitness"]:
            break
    train_time = time.perf_counter() - t0
    frozen, _ = _returns(policy, best_center, game_cls(seed=derive_seed(seed, EVAL_STREAM)), eval_episodes)
    return {
        "frozen_mean_return": float(frozen.mean()),
        "env_steps": steps,
        "wall_time": time.perf_counter() - t0,
        "train_time": train_time,
        "generations": generations,
        "genes": policy.size,
    }


def run_one(task_name: str, learner: str, seed: int, eval_episodes: int, out: str) -> dict:
    """One (task, learner, seed) cell."""
    task = get_task(task_name)
    if learner == "snn-es":
        exp = make(f"{task_name}-es", eval_episodes=eval_episodes)
        r = exp.run(seed=seed, out=out, progress=False)
        return {k: r[k] for k in ("frozen_mean_return", "env_steps", "wall_time", "generations")}
    game_cls = task.game_template()
    if learner == "random":
        t0 = time.perf_counter()
        r = random_policy(game_cls, eval_episodes, seed)
        return {"frozen_mean_return": r["mean_return"], "env_steps": 0, "wall_time": time.perf_counter() - t0}
    return numpy_es(task, game_cls, seed, 16 if learner == "mlp-es" else 0, eval_episodes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", default=",".join(TASK_NAMES[:4]))
    parser.add_argument("--learners", default=",".join(LEARNERS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--eval-episodes", type=int, default=100)
    parser.add_argument("--out", default=os.path.join("log", f"rl_tasks-{int(time.time())}"))
    parser.add_argument("--json", default=None, help="write the per-seed figures here")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    cells: dict = {}
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    for task_name in args.tasks.split(","):
        task = get_task(task_name)
        for learner in args.learners.split(","):
            rows = []
            for seed in seeds:
                cell = run_one(task_name, learner, seed, args.eval_episodes, args.out)
                cell["seed"] = seed
                rows.append(cell)
                print(
                    f"  {task_name:<12} {learner:<10} seed {seed}: frozen {cell['frozen_mean_return']:8.1f}  "
                    f"steps {cell['env_steps']:>9}  {cell['wall_time']:7.1f} s",
                    flush=True,
                )
            cells[(task_name, learner)] = (task.threshold, rows)
    print()
    print(
        f"{'task':<21}{'learner':<11}{'frozen mean return':>22}{'success':>9}{'env steps':>12}{'wall s':>8}"
    )
    for (task_name, learner), (threshold, rows) in cells.items():
        ret = np.array([r["frozen_mean_return"] for r in rows])
        ok = int(np.sum(ret >= threshold))
        steps = np.mean([r["env_steps"] for r in rows])
        wall = np.mean([r["wall_time"] for r in rows])
        label = f"{task_name} (≥{threshold:g})"
        print(
            f"{label:<21}{learner:<11}{ret.mean():>12.1f} ± {ret.std():<7.1f}{ok:>5}/{len(rows):<3}{steps:>12.0f}{wall:>8.1f}"
        )
    if args.json:
        data = [
            {"task": t, "learner": lrn, "threshold": th, "runs": rows}
            for (t, lrn), (th, rows) in cells.items()
        ]
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
