"""job_timeout on Series and Population: a sleeping job is stopped and recorded as failed with
reason "timeout", the others finish, and a resumed run retries it only with retry_failed=True."""

from __future__ import annotations

import time

import pytest
from conftest import XorGame, XorTemplate

import spikey
from spikey.errors import ConfigError
from spikey.meta import JobFailedWarning, MetaBackend, MetaRL, Population, Series
from spikey.meta.backends.template import TIMEOUT, JobTimeout, time_limit
from spikey.meta.checkpoint import Checkpoint
from spikey.module import Key

network_template, game_template = XorTemplate, XorGame



class SleepyLoop(spikey.core.GenericLoop):
    """GenericLoop that sleeps ``hang`` seconds before training (a job that hangs)."""

    NECESSARY_KEYS = spikey.core.GenericLoop.extend_keys(
        [Key("hang", "Seconds to sleep before training.", float, default=0.0)]
    )

    def run(self, network, game, params):
        if params["hang"]:
            time.sleep(params["hang"])
        return super().run(network, game, params)


PARAMS = {"n_episodes": 1, "len_episode": 3}


def sleepy_series(folder, **kwargs):
    return Series(
        network_template,
        game_template,
        SleepyLoop,
        ("hang", [0.0, 60.0, 0.0]),
        training_params=PARAMS,
        seed=3,
        folder=str(folder),
        progress=False,
        **kwargs,
    )


def test_time_limit_interrupts_a_sleep():
    """time_limit raises JobTimeout inside a sleeping block after about the limit, not later."""
    t0 = time.perf_counter()
    with pytest.raises(JobTimeout, match="job_timeout=0.2 s"):
        with time_limit(0.2):
            time.sleep(30)
    assert time.perf_counter() - t0 < 2.0


def test_series_job_timeout_fails_only_the_sleeping_job(tmp_path):
    """The job that sleeps 60 s is stopped after ~5 s as failed/"timeout"; the other two finish."""
    series = sleepy_series(tmp_path / "s", job_timeout=5.0)
    t0 = time.perf_counter()
    with pytest.warns(JobFailedWarning, match="1 of 3 jobs failed"):
        df = series.run()
    assert time.perf_counter() - t0 < 20
    assert df["status"].tolist() == ["ok", "failed", "ok"]
    assert df.loc[1, "error"].startswith("timeout")
    assert [f["reason"] for f in series.failures] == [TIMEOUT]
    assert "sleep" in series.failures[0]["traceback"]  # where the job was stopped
    _, records, _ = Checkpoint.read(str(tmp_path / "s"))
    assert {r["job"]: r.get("reason") for r in records if r["status"] == "failed"} == {1: TIMEOUT}


def test_resume_keeps_a_timed_out_job_unless_retry_failed(tmp_path):
    """A resumed run does not rerun the timed-out job; retry_failed=True runs it again."""
    folder = tmp_path / "s"
    with pytest.warns(JobFailedWarning):
        sleepy_series(folder, job_timeout=5.0).run()
    t0 = time.perf_counter()
    with pytest.warns(JobFailedWarning):
        df = sleepy_series(folder, job_timeout=5.0, resume=True).run()
    assert time.perf_counter() - t0 < 5 and df["status"].tolist() == ["ok", "failed", "ok"]
    _, before, _ = Checkpoint.read(str(folder))
    with pytest.warns(JobFailedWarning):
        sleepy_series(folder, job_timeout=5.0, resume=True, retry_failed=True).run()
    _, after, _ = Checkpoint.read(str(folder))
    new = after[len(before) :]
    assert [(r["job"], r["status"], r.get("reason")) for r in new] == [(1, "failed", TIMEOUT)]


class SleepyGame(MetaRL):
    """Fitness x, except that x > 0.8 hangs for a minute."""

    GENOTYPE_CONSTRAINTS = {"x": (0.0, 1.0)}

    def get_fitness(self, genotype):
        if genotype["x"] > 0.8:
            time.sleep(60)
        return float(genotype["x"]), False


def test_population_job_timeout_records_timeout_and_goes_on(tmp_path):
    """Hanging evaluations get failed_fitness and reason "timeout"; the search finishes quickly."""
    population = Population(
        SleepyGame(),
        n_agents=8,
        n_epoch=2,
        seed=1,
        folder=str(tmp_path / "p"),
        job_timeout=0.5,
        progress=False,
    )
    hanging = sum(g["x"] > 0.8 for g in population.population)
    assert hanging >= 1, "the seed must draw at least one hanging genotype"
    t0 = time.perf_counter()
    with pytest.warns(JobFailedWarning, match="failed to evaluate"):
        population.run()
    assert time.perf_counter() - t0 < 0.5 * 16 + 5
    timed_out = [r for r in population.records if r.get("reason") == TIMEOUT]
    assert timed_out and all(r["status"] == "failed" for r in timed_out)
    assert all(decode_x(r) > 0.8 for r in timed_out)
    fitness = population.history[0]["fitness"]
    assert all(
        f == float("-inf") for f, g in zip(fitness, population.history[0]["genotypes"]) if g["x"] > 0.8
    )
    assert any(0 <= f <= 0.8 for f in fitness)


def decode_x(record) -> float:
    from spikey.logging.serialize import decode

    return float(decode(record["genotype"])["x"])


def test_job_timeout_rejected_for_a_backend_without_timeouts_and_bad_values():
    """job_timeout needs a backend that supports it and a positive number of seconds."""

    class Plain(MetaBackend):
        name = "plain"

        def run(self, fn, items, shared=None):
            for i, item in enumerate(items):
                yield i, fn(shared, item)

    with pytest.raises(ConfigError, match=r"Series.job_timeout: the backend .* cannot stop jobs"):
        Series(
            network_template,
            game_template,
            SleepyLoop,
            None,
            training_params=PARAMS,
            backend=Plain(),
            job_timeout=1.0,
            logging=False,
        )
    with pytest.raises(ConfigError, match=r"Population.job_timeout: expected a number of seconds > 0"):
        Population(SleepyGame(), n_agents=2, n_epoch=1, job_timeout=-1, logging=False)


@pytest.mark.ray
def test_ray_job_timeout_frees_the_worker(tmp_path):
    """On Ray (2 CPUs), the sleeping jobs time out and the other jobs finish on the same workers.

    The limit is generous: a worker's first job also imports spikey and loads compiled kernels.
    """
    pytest.importorskip("ray")
    from spikey.meta.backends import RayBackend

    series = Series(
        network_template,
        game_template,
        SleepyLoop,
        ("hang", [0.0, 120.0, 120.0, 0.0, 0.0]),
        training_params=PARAMS,
        seed=3,
        folder=str(tmp_path / "r"),
        progress=False,
        backend=RayBackend(num_cpus=2),
        job_timeout=15.0,
    )
    t0 = time.perf_counter()
    with pytest.warns(JobFailedWarning, match="2 of 5 jobs failed"):
        df = series.run()
    assert time.perf_counter() - t0 < 90
    assert df["status"].tolist() == ["ok", "failed", "failed", "ok", "ok"]
    assert [f["reason"] for f in series.failures] == [TIMEOUT, TIMEOUT]
    assert len({tuple(sorted(r["worker"].items())) for r in series.records if r.get("worker")}) <= 2
