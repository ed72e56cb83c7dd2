"""Control tasks solved by evolving a spiking network's weights (``spikey run cartpole-es``, ...).

:class:`EvolutionExperiment` runs :class:`spikey.meta.es.WeightEvolution` on a
:class:`~spikey.experiments.control.ControlTask`, then scores the returned policy the way
RL results are reported: the mean return of 100 episodes with learning frozen, on
evaluation seeds that training never used, next to the task's threshold, the
environment steps used and the wall time, and a random policy on the same episodes.

Registered entries: ``cartpole-es``, ``acrobot-es``, ``mountaincar-es``, ``pendulum-es``
and ``lunarlander-es`` (Box2D: ``pip install -e '.[box2d]'``). ``spikey run NAME
--show-config`` lists the options; ``--set name=value`` changes one.

Output (``--out DIR``): ``DIR/<name>-seed<seed>/`` holds the evolution's checkpoint
(one record per generation; ``--resume`` continues a killed run with the same result)
and ``summary.json`` (the results, typed JSON); with ``--report``, ``report.html`` (fitness
curve, the frozen returns, an episode's observations under the returned policy).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, ClassVar

import numpy as np

from spikey.core.loggers import PopulationWriter, TensorBoardLogger
from spikey.errors import ConfigError
from spikey.experiments.control import TASKS, frozen_evaluation, get_task, random_policy
from spikey.experiments.registry import Experiment
from spikey.files import atomic_write
from spikey.logging.serialize import encode
from spikey.meta.checkpoint import Checkpoint
from spikey.meta.es import STRATEGIES, WeightEvolution
from spikey.module import Interval, Key, OneOf
from spikey.rng import derive_seed

__all__ = ["EvolutionExperiment", "DEFAULTS"]

_POS = Interval(0, None, low_closed=False)

#: Per-task defaults (the budgets measured in docs/guide/control_tasks.rst).
DEFAULTS: dict[str, dict[str, Any]] = {
    "cartpole": {
        "n_generations": 100,
        "n_episodes": 5,
        "center_episodes": 50,
        "stop_fitness": 490.0,
        "stop_patience": 2,
    },
    "acrobot": {
        "stop_patience": 1,
        "n_generations": 60,
        "n_episodes": 3,
        "center_episodes": 10,
        "stop_fitness": -80.0,
    },
    "mountaincar": {
        "stop_patience": 1,
        "n_generations": 60,
        "n_episodes": 5,
        "center_episodes": 20,
        "stop_fitness": -105.0,
    },
    "pendulum": {
        "stop_patience": 1,
        "n_generations": 100,
        "n_episodes": 3,
        "center_episodes": 10,
        "stop_fitness": -150.0,
    },
    "lunarlander": {
        "stop_patience": 1,
        "n_generations": 200,
        "n_episodes": 3,
        "center_episodes": 10,
        "stop_fitness": 250.0,
    },
}


class EvolutionExperiment(Experiment):
    """Evolve the weights of a task's spiking network, then evaluate it frozen.

    Options (``--set``): see ``OPTIONS``; the task's defaults fill those left None.
    """

    OPTIONS: ClassVar[list[Key]] = [
        Key("task", "Control task.", str, "cartpole", constraint=OneOf(*TASKS)),
        Key("strategy", "Evolution strategy.", str, "cma-es", constraint=OneOf(*STRATEGIES)),
        Key("pop_size", "Agents per generation.", int, 16, constraint=Interval(2, None)),
        Key(
            "n_generations",
            "Generations at most (None: the task's default).",
            int,
            None,
            constraint=Interval(1, None),
        ),
        Key(
            "n_episodes",
            "Episodes per agent's fitness (None: the task's default).",
            int,
            None,
            constraint=Interval(1, None),
        ),
        Key(
            "center_episodes",
            "Episodes of the centre's fitness (None: the task's default).",
            int,
            None,
            constraint=Interval(1, None),
        ),
        Key(
            "stop_fitness",
            "Stop when the centre's mean return reaches this (None: the task's default).",
            float,
            None,
        ),
        Key(
            "stop_patience",
            "Generations in a row whose centre reaches stop_fitness before stopping (None: the task's).",
            int,
            None,
            constraint=Interval(1, None),
        ),
        Key(
            "sigma",
            "Initial step size (CMA-ES) or perturbation size (OpenAI-ES), in weight units.",
            float,
            0.2,
            constraint=_POS,
        ),
        Key("learning_rate", "Adam step size of OpenAI-ES.", float, 0.05, constraint=_POS),
        Key("eval_episodes", "Episodes of the frozen evaluation.", int, 100, constraint=Interval(1, None)),
        Key(
            "backend",
            "Where agents run: 'single' or 'ray'.",
            str,
            "single",
            constraint=OneOf("single", "ray", "multiprocess"),
        ),
        Key(
            "processing_time",
            "Network steps per game step (None: the task's).",
            int,
            None,
            constraint=Interval(1, None),
        ),
        Key(
            "n_fields",
            "Radial-basis fields per observation dimension (None: the task's).",
            int,
            None,
            constraint=Interval(2, None),
        ),
        Key("firing_threshold", "Output neurons' firing threshold.", float, 6.0, constraint=_POS),
    ]

    def _setting(self, name: str) -> Any:
        value = self.config[name]
        return DEFAULTS[self.config["task"]][name] if value is None else value

    def build(self) -> None:
        """The task's network and game templates; errors (spaces, extras) before any work."""
        task = get_task(self.config["task"])
        changes = {k: self.config[k] for k in ("processing_time", "n_fields") if self.config[k] is not None}
        self.task = task.with_options(**changes) if changes else task
        self.network_template = self.task.network_template(firing_threshold=self.config["firing_threshold"])
        self.game_template = self.task.game_template()
        if self.config["strategy"] == "openai-es" and self.config["pop_size"] % 2:
            raise ConfigError(
                f"{self.name}.pop_size: OpenAI-ES needs an even pop_size; got {self.config['pop_size']}."
            )

    def folder(self, seed: int, out: str) -> str:
        """The run's output folder: ``out/<name>-seed<seed>``."""
        return os.path.join(out, f"{self.name}-seed{seed}")

    def train(
        self,
        seed: int,
        out: str,
        progress: bool | None = None,
        resume: bool = False,
        tensorboard: str | None = None,
    ) -> dict[str, Any]:
        """Evolve; return the budget used (generations, environment steps, wall time).

        With ``tensorboard`` (a folder), each generation is written there as it ends
        (one run named after the experiment and seed)."""
        writer = (
            PopulationWriter(TensorBoardLogger(tensorboard), run=f"{self.name}-seed={seed}")
            if tensorboard
            else None
        )
        t0 = time.perf_counter()
        options = (
            {"learning_rate": self.config["learning_rate"]} if self.config["strategy"] == "openai-es" else {}
        )
        self.evolution = WeightEvolution(
            self.network_template,
            self.game_template,
            strategy=self.config["strategy"],
            pop_size=self.config["pop_size"],
            n_generations=self._setting("n_generations"),
            n_episodes=self._setting("n_episodes"),
            center_episodes=self._setting("center_episodes"),
            sigma=self.config["sigma"],
            seed=seed,
            stop_fitness=self._setting("stop_fitness"),
            stop_patience=self._setting("stop_patience"),
            fitness_bonus=self.task.fitness_bonus,
            strategy_options=options,
            backend=self.config["backend"],
            folder=os.path.join(self.folder(seed, out), "evolution"),
            resume=resume,
            progress=progress,
            on_generation=writer,
        )
        folder = os.path.join(self.folder(seed, out), "evolution")
        if not resume and Checkpoint.exists(folder):
            raise ConfigError(
                f"{self.name}: {folder} holds the run of seed {seed} already; continue it with --resume "
                "(resume=True), or choose another --out."
            )
        try:
            self.result = self.evolution.run()
        finally:
            if writer is not None:
                writer.close()
        history = self.result.history
        return {
            "task": self.task.env_id,
            "learner": f"{self.config['strategy']} over weights",
            "seed": seed,
            "generations": len(history),
            "best_center_return": float(history["center_return"].max()) if len(history) else float("nan"),
            "env_steps": self.result.env_steps,
            "train_time": time.perf_counter() - t0,
        }

    def evaluate(self, seed: int) -> dict[str, Any]:
        """Frozen evaluation of the evolved policy and a random policy, on evaluation seeds."""
        network = self.result.network(seed)
        n = self.config["eval_episodes"]
        frozen = frozen_evaluation(network, self.game_template, n, seed)
        rand = random_policy(self.game_template, n, seed)
        return {
            "frozen_mean_return": frozen["mean_return"],
            "frozen_std_return": frozen["std_return"],
            "eval_episodes": n,
            "threshold": self.task.threshold,
            "solved": bool(frozen["mean_return"] >= self.task.threshold),
            "random_mean_return": rand["mean_return"],
            "frozen_returns": frozen["returns"].tolist(),
        }

    def run(
        self,
        seed: int = 0,
        out: str = "log",
        progress: bool | None = None,
        resume: bool = False,
        report: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Evolve, evaluate, write ``summary.json`` (and ``report.html``); return the results."""
        t0 = time.perf_counter()
        self.build()
        results = self.train(seed, out, progress, resume=resume, tensorboard=kwargs.get("tensorboard"))
        results.update(self.evaluate(seed))
        results["wall_time"] = time.perf_counter() - t0
        results["config"] = dict(self.config)
        path = os.path.join(self.folder(seed, out), "summary.json")
        atomic_write(path, json.dumps(encode(results), indent=1, allow_nan=False))
        results["summary_path"] = path
        if report:
            results["report_path"] = self.write_report(seed, out, results)
        return results

    def write_report(self, seed: int, out: str, results: dict[str, Any]) -> str:
        """``report.html`` beside the summary: fitness curve, frozen returns, an episode's observations.

        Returns
        -------
        str
            The page's path (one self-contained HTML file, the figure embedded as PNG).
        """
        import base64
        import io

        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        history = self.result.history
        network = self.result.network(seed)
        game = self.game_template(seed=derive_seed(seed, "report/episode"))
        network.reset()
        state, done, states, total = game.reset(), False, [], 0.0
        while not done:
            states.append(np.asarray(state, dtype=float).ravel())
            state, reward, done, _ = game.step(network.tick(state))
            total += float(reward)
        states = np.array(states)
        fig, axes = plt.subplots(1, 3, figsize=(15, 4))
        ax = axes[0]
        ax.plot(history["generation"], history["best"], label="best agent")
        ax.plot(history["generation"], history["mean"], label="mean of agents")
        ax.plot(history["generation"], history["center"], label="centre")
        ax.axhline(self.task.threshold, color="k", ls=":", label="threshold")
        ax.set(xlabel="generation", ylabel="mean return (frozen)", title="fitness")
        ax.legend(fontsize=8)
        ax = axes[1]
        ax.hist(results["frozen_returns"], bins=20)
        ax.axvline(self.task.threshold, color="k", ls=":")
        ax.set(
            xlabel="return",
            ylabel="episodes",
            title=f"frozen evaluation ({results['eval_episodes']} episodes)",
        )
        ax = axes[2]
        for k in range(states.shape[1]):
            ax.plot(states[:, k], label=f"obs[{k}]")
        ax.set(xlabel="step", ylabel="observation", title=f"an episode of the policy (return {total:.1f})")
        ax.legend(fontsize=7, ncol=2)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
        plt.close(fig)
        png = base64.b64encode(buf.getvalue()).decode("ascii")
        rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in self.summary_rows(results))
        page = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{self.name} seed {seed}</title></head>"
            f"<body><h1>spikey run {self.name}</h1><table>{rows}</table>"
            f"<img alt='fitness, frozen returns, an episode' src='data:image/png;base64,{png}'></body></html>"
        )
        path = os.path.join(self.folder(seed, out), "report.html")
        atomic_write(path, page)
        return path

    def summary_rows(self, results: dict[str, Any]) -> list[tuple[str, str]]:
        """Task, learner, frozen mean return against the threshold, budget."""
        r = results
        solved = "solved" if r["solved"] else "not solved"
        return [
            ("task", f"{r['task']} (threshold {r['threshold']:g})"),
            ("learner", r["learner"]),
            ("seed", str(r["seed"])),
            (
                "frozen mean return",
                f"{r['frozen_mean_return']:.1f} ± {r['frozen_std_return']:.1f} over "
                f"{r['eval_episodes']} episodes on evaluation seeds ({solved})",
            ),
            ("random policy", f"{r['random_mean_return']:.1f}"),
            ("generations", str(r["generations"])),
            ("environment steps", str(r["env_steps"])),
            ("wall time [s]", f"{r['wall_time']:.1f}"),
        ]
