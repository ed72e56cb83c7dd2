"""Evolution strategies over weights (spikey.meta.es): strategies, genomes, runs, failures, resume, backends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from spikey.errors import ConfigError
from spikey.experiments import control
from spikey.meta.checkpoint import Checkpoint
from spikey.meta.es import CMAES, OpenAIES, WeightEvolution, WeightGenome, play_episodes, read_evolution

TASK = control.TASKS["cartpole"]
NET = TASK.network_template(firing_threshold=6.0)
GAME = TASK.game_template()


def _sphere(x: np.ndarray) -> np.ndarray:
    return -np.sum((x - 0.7) ** 2, axis=1)


@pytest.mark.parametrize("cls", [OpenAIES, CMAES])
def test_strategy_climbs_a_quadratic(cls):
    """Each strategy moves its centre towards the optimum of a 5-d quadratic within 60 generations."""
    es = cls(np.zeros(5), 0.3, 10, np.random.default_rng(0))
    start = float(np.sum((es.mean - 0.7) ** 2))
    for _ in range(60):
        es.tell(_sphere(es.ask()))
    assert float(np.sum((es.mean - 0.7) ** 2)) < 0.05 * start


def test_cmaes_draws_from_its_own_generator_only():
    """CMA-ES samples come from the given generator: same seed, same samples; numpy's global state untouched."""
    before = np.random.get_state()[1].copy()  # noqa: NPY002 - checks the global state is untouched
    a = CMAES(np.zeros(4), 0.5, 6, np.random.default_rng(3)).ask()
    b = CMAES(np.zeros(4), 0.5, 6, np.random.default_rng(3)).ask()
    c = CMAES(np.zeros(4), 0.5, 6, np.random.default_rng(4)).ask()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def test_cmaes_takes_failed_agents_as_worst():
    """A -inf fitness is ranked below every finite one (the update still moves towards the best)."""
    es = CMAES(np.zeros(3), 0.5, 6, np.random.default_rng(0))
    x = es.ask()
    f = _sphere(x)
    f[0] = -np.inf
    es.tell(f)
    assert np.all(np.isfinite(es.mean))


def test_openai_es_uses_antithetic_pairs_and_needs_even_population():
    """OpenAI-ES samples mirrored pairs around its centre; an odd population is a ConfigError."""
    es = OpenAIES(np.ones(3), 0.1, 4, np.random.default_rng(0))
    x = es.ask()
    np.testing.assert_allclose(x[:2] + x[2:], 2 * np.ones((2, 3)))
    with pytest.raises(ConfigError, match="pop_size: expected an even number"):
        OpenAIES(np.ones(3), 0.1, 5, np.random.default_rng(0))


def test_genome_maps_named_subsets_and_rejects_empty_ones():
    """'all' and 'inputs' cover the input synapses; 'body' names none here and is a ConfigError naming genome."""
    net = NET(seed=0)
    g = WeightGenome(net)
    assert g.size == net.weights.mask.sum() == WeightGenome(net, "inputs").size
    with pytest.raises(ConfigError, match=r"WeightEvolution.genome: 'body' names no synapse"):
        WeightGenome(net, "body")
    with pytest.raises(ConfigError, match="expected a bool mask of shape"):
        WeightGenome(net, np.ones((2, 2), dtype=bool))
    m = g.matrix(np.full(g.size, 5.0))
    assert m.max() == net.weights.max_weight and m[~net.weights.mask].sum() == 0


def test_bad_settings_are_rejected_before_any_work(tmp_path):
    """Unknown strategy, bad sizes and bad sigma raise ConfigErrors naming the key; nothing is written."""
    for kwargs, match in [
        ({"strategy": "cmaes"}, "strategy: expected one of"),
        ({"pop_size": 1}, "pop_size: expected an int >= 2"),
        ({"n_episodes": 0}, "n_episodes: expected an int >= 1"),
        ({"sigma": -1.0}, "sigma: expected a float > 0"),
        ({"genome": "body"}, "genome: 'body' names no synapse"),
    ]:
        with pytest.raises(ConfigError, match=match):
            WeightEvolution(NET, GAME, folder=str(tmp_path / "x"), **kwargs)
    assert not os.path.exists(tmp_path / "x")


def _evo(folder, **kwargs):
    settings = dict(
        strategy="cma-es", pop_size=6, n_generations=3, n_episodes=1, sigma=0.2, seed=5, progress=False
    )
    settings.update(kwargs)
    return WeightEvolution(NET, GAME, folder=str(folder), **settings)


def test_evolution_improves_cartpole_fitness(tmp_path):
    """CMA-ES over the weights raises the centre's CartPole return well above its start within 12 generations."""
    result = _evo(tmp_path / "run", pop_size=16, n_generations=12, n_episodes=3, seed=0).run()
    h = result.history
    assert len(h) == 12 and list(h.columns[:5]) == ["generation", "best", "mean", "std", "center"]
    assert h["center"].iloc[-4:].max() > 3 * h["center"].iloc[0]
    assert result.env_steps == int(h["env_steps"].sum()) > 0


def test_one_checkpoint_record_per_generation(tmp_path):
    """The checkpoint holds a record per generation, read back as a history table with the same values."""
    result = _evo(tmp_path / "run").run()
    history, records = read_evolution(str(tmp_path / "run"))
    assert len(records) == 3
    np.testing.assert_array_equal(history["best"], result.history["best"])
    assert records[0]["fitness"] == result.records[0]["fitness"] and len(records[0]["fitness"]) == 6


def test_resume_after_a_cut_gives_the_same_records(tmp_path):
    """A run stopped after 2 of 4 generations and resumed ends with the records of an uninterrupted run."""
    full = _evo(tmp_path / "full", n_generations=4).run()
    _evo(tmp_path / "cut", n_generations=2).run()
    resumed = _evo(tmp_path / "cut", n_generations=4, resume=True).run()
    keys = ("fitness", "center", "sigma", "env_steps")
    assert [[r[k] for k in keys] for r in resumed.records] == [[r[k] for k in keys] for r in full.records]
    np.testing.assert_array_equal(resumed.center, full.center)


def test_resume_refuses_a_different_run(tmp_path):
    """Resuming a folder with other settings is a ConfigError naming the difference."""
    _evo(tmp_path / "run", n_generations=1).run()
    with pytest.raises(ConfigError, match="seed=5 there, 6 here"):
        _evo(tmp_path / "run", seed=6, resume=True).run()


_CHILD = """
import sys
from spikey.experiments import control
from spikey.meta.es import WeightEvolution
net = control.TASKS["cartpole"].network_template(firing_threshold=6.0)
game = control.TASKS["cartpole"].game_template()
WeightEvolution(net, game, strategy="cma-es", pop_size=6, n_generations=40, n_episodes=2, sigma=0.2, seed=5,
                folder=sys.argv[1], progress=False).run()
"""


@pytest.mark.slow
def test_sigkill_and_resume_give_the_uninterrupted_result(tmp_path):
    """A run killed with SIGKILL after 2 generations and resumed ends exactly as an uninterrupted run."""
    folder = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(folder)], env=env)
    path = Checkpoint.path_in(str(folder))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if os.path.exists(path) and open(path, encoding="utf-8").read().count("\n") >= 3:  # header + 2
            break
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    n_done = len(Checkpoint.read(str(folder))[1])
    assert 2 <= n_done < 40
    settings = dict(pop_size=6, n_generations=n_done + 2, n_episodes=2)
    resumed = _evo(folder, resume=True, **settings).run()
    full = _evo(tmp_path / "full", **settings).run()
    keys = ("fitness", "center", "sigma", "env_steps")
    assert [[r[k] for k in keys] for r in resumed.records] == [[r[k] for k in keys] for r in full.records]


class _Fragile(NET):
    """The task's network, whose agents with an even seed raise in their first tick."""

    def tick(self, state):
        if self.params["seed"] % 2 == 0:
            raise RuntimeError("fragile agent")
        return super().tick(state)


def test_failing_agents_score_minus_inf_with_traceback(tmp_path):
    """Agents that raise score -inf with their traceback recorded; the generation and the run go on."""
    result = WeightEvolution(
        _Fragile,
        GAME,
        pop_size=8,
        n_generations=2,
        n_episodes=1,
        seed=1,
        folder=str(tmp_path / "run"),
        progress=False,
    ).run()
    rec = result.records[0]
    failed = [i for i, f in enumerate(rec["fitness"]) if f == -np.inf]
    assert failed and len(failed) < 8 and rec["n_failed"] >= len(failed)
    tb = {f["index"]: f["traceback"] for f in rec["failures"]}
    assert all("RuntimeError: fragile agent" in tb[i] for i in failed)
    assert len(result.records) == 2 and np.isfinite(rec["best"])


def test_non_finite_return_is_an_error():
    """play_episodes raises when an episode's return is not finite (the agent then scores -inf)."""

    class NanGame(GAME):
        def step(self, action):
            state, _, done, info = super().step(action)
            return state, float("nan"), done, info

    with pytest.raises(Exception, match="not finite"):
        play_episodes(NET(seed=0).eval(), NanGame(seed=0), 1)


@pytest.mark.ray
def test_single_and_ray_backends_give_identical_runs(tmp_path):
    """The same seed gives the same records on the single and the Ray backend."""
    from spikey.meta.backends import RayBackend

    single = _evo(tmp_path / "single", n_generations=2).run()
    ray = _evo(tmp_path / "ray", n_generations=2, backend=RayBackend(num_cpus=2)).run()
    keys = ("fitness", "center", "sigma", "env_steps")
    assert [[r[k] for k in keys] for r in ray.records] == [[r[k] for k in keys] for r in single.records]


def test_stop_rule_waits_for_patience_generations(tmp_path):
    """With stop_fitness reached at once, the run stops after stop_patience generations."""
    one = _evo(tmp_path / "one", n_generations=5, stop_fitness=0.0).run()
    two = _evo(tmp_path / "two", n_generations=5, stop_fitness=0.0, stop_patience=2).run()
    assert len(one.records) == 1 and len(two.records) == 2
    with pytest.raises(ConfigError, match="stop_patience: expected an int >= 1"):
        _evo(tmp_path / "x", stop_patience=0)
