"""spikey.meta on the ray backend: same tables as single, lost workers retried, failures recorded,
short jobs grouped. One local Ray runtime (2 CPUs) for the whole module, shut down at the end."""

from __future__ import annotations

import os
import signal
import threading
import time

import pandas as pd
import pytest
from test_meta import (
    HERE,
    PARAMS,
    SERIES_FILE,
    SPEC,
    SlowLoop,
    comparable,
    game_template,
    make_series,
    network_template,
    xor_metagame,
)

import spikey
from spikey.cli import main as cli_main
from spikey.meta import JobFailedWarning, Population, RayBackend, Series

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"  # a zombie is dead, waiting to be reaped


@pytest.fixture(scope="module")
def backend():
    """A RayBackend with its own local runtime, entered once for the module; checks the shutdown."""
    assert not ray.is_initialized(), "another Ray runtime is running in this process"
    backend = RayBackend(num_cpus=2)
    with backend:
        node = ray._private.worker._global_node
        pids = [
            info.process.pid
            for infos in node.all_processes.values()
            for info in infos
            if getattr(info, "process", None) is not None
        ]
        assert pids
        yield backend
    assert not ray.is_initialized()
    deadline = time.monotonic() + 20
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in pids if _alive(p)], "Ray processes left running after shutdown"


def test_series_single_and_ray_identical(backend, tmp_path):
    """The same seed gives the same results table (and logs) on the single and ray backends."""
    single = make_series(tmp_path / "single")
    on_ray = make_series(tmp_path / "ray", backend=backend)
    df_single, df_ray = single.run(), on_ray.run()
    pd.testing.assert_frame_equal(comparable(df_single), comparable(df_ray))
    assert {r["worker"]["pid"] for r in on_ray.records}.isdisjoint({os.getpid()})  # ran in workers
    assert sorted(os.listdir(tmp_path / "ray")) == sorted(
        f.replace(single._prefix, on_ray._prefix) for f in os.listdir(tmp_path / "single")
    )


def test_population_single_and_ray_identical(backend):
    """A GA search gives the same genotypes and fitness on both backends."""
    kw = dict(n_agents=6, n_epoch=3, seed=4, logging=False)
    df_single = Population(xor_metagame(), "single", **kw).run()
    df_ray = Population(xor_metagame(), backend, **kw).run()
    pd.testing.assert_frame_equal(df_single, df_ray)


def test_worker_killed_mid_job_is_retried_with_same_result(backend, tmp_path):
    """A worker process killed (SIGKILL) mid-job is replaced, the job retried, and the table unchanged."""
    marker = str(tmp_path / "victim")
    killed = []

    def killer():
        deadline = time.monotonic() + 60
        while not os.path.exists(marker) and time.monotonic() < deadline:
            time.sleep(0.02)
        pid = int(open(marker).read())
        assert pid != os.getpid()
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    params = {**PARAMS, "kill_marker": marker}
    series = make_series(loop=SlowLoop, training_params=params, backend=backend)
    df = series.run()
    thread.join(timeout=60)
    assert killed, "no worker was killed"
    assert (df["status"] == "ok").all()
    victim_pids = {r["worker"]["pid"] for r in series.records}
    assert killed[0] not in victim_pids  # every job's result came from a live worker
    expected = make_series(loop=SlowLoop, training_params=PARAMS).run()
    pd.testing.assert_frame_equal(comparable(df), comparable(expected))


def test_raising_job_recorded_on_ray(backend, tmp_path):
    """On ray, a job that raises is recorded as failed with its traceback; the others finish."""
    series = make_series(
        tmp_path, loop=SlowLoop, spec=("explode", [True, False, False]), n_repeats=1, backend=backend
    )
    with pytest.warns(JobFailedWarning, match="boom"):
        df = series.run()
    assert df["status"].tolist() == ["failed", "ok", "ok"]
    assert "RuntimeError: boom" in series.failures[0]["traceback"]


def test_short_jobs_are_grouped_into_few_tasks(backend):
    """Many short jobs travel in few tasks (after the first ones are timed); the table is unchanged."""
    kw = dict(
        training_params={"n_episodes": 1, "len_episode": 1}, spec=("learning_rate", [0.1, 0.2]), n_repeats=40
    )
    df_ray = make_series(backend=backend, **kw).run()
    stats = backend.last_run_stats
    assert stats["jobs"] == 80 and stats["tasks"] <= 30
    pd.testing.assert_frame_equal(comparable(make_series(**kw).run()), comparable(df_ray))


def test_cli_series_on_ray(backend, tmp_path, capsys):
    """`spikey series FILE --backend ray` runs on Ray (here: the runtime that is already up)."""
    path = tmp_path / "s.py"
    path.write_text(SERIES_FILE.format(here=HERE))
    assert cli_main(["series", str(path), "--backend", "ray", "--out", str(tmp_path / "o"), "--quiet"]) == 0
    assert ray.is_initialized()  # a runtime it did not start is left running
    capsys.readouterr()


def test_series_from_a_training_loop_instance(backend):
    """A configured TrainingLoop instance supplies params and callback (the original Spikey style)."""
    loop = spikey.core.GenericLoop(
        network_template, game_template, spikey.core.RLCallback(reduced=True), PARAMS
    )
    series = Series(
        network_template, game_template, loop, SPEC, seed=7, n_repeats=1, backend=backend, logging=False
    )
    df = series.run()
    assert len(df) == 4 and (df["status"] == "ok").all() and "mean_reward" in df
