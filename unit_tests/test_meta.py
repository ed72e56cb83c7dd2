"""spikey.meta: spec grammar, validation before jobs, Series and Population on the single backend,
checkpoints and resume (driver killed with SIGKILL), failed jobs, the CLI commands."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import spikey
from spikey.cli import main as cli_main
from spikey.errors import ConfigError, SpikeyError
from spikey.logging import MetaReader, Reader
from spikey.meta import (
    TIMING_COLUMNS,
    EvolveNetwork,
    JobFailedWarning,
    MetaBackend,
    MetaNQueens,
    MetaRL,
    Population,
    Series,
    SingleProcessBackend,
    expand_spec,
    get_backend,
    parse_constraints,
    read_population,
)
from spikey.meta.checkpoint import Checkpoint, CheckpointWarning, job_letters
from spikey.module import Key

HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------- templates


def xor(state) -> int:
    return int(sum(state) % 2)


class network_template(spikey.RLNetwork):
    parts = {
        "inputs": spikey.input.RateMap,
        "neurons": spikey.neuron.Neuron,
        "weights": spikey.weight.Random,
        "synapses": spikey.synapse.MSTDPET,
        "readout": spikey.readout.Threshold,
        "rewarder": spikey.reward.MatchExpected,
    }
    keys = {
        "n_inputs": 4,
        "n_neurons": 6,
        "n_outputs": 1,
        "processing_time": 20,
        "magnitude": 1.0,
        "firing_threshold": 1.0,
        "potential_decay": 0.1,
        "refractory_period": 1,
        "state_rate_map": [0.0, 0.3],
        "learning_rate": 0.1,
        "action_threshold": 0.05,
        "expected_value": xor,
    }


class game_template(spikey.games.Logic):
    config = spikey.games.Logic.PRESETS["XOR"]


class SlowLoop(spikey.core.GenericLoop):
    """GenericLoop that can sleep, raise, or wait to be killed once (for fault tests)."""

    NECESSARY_KEYS = spikey.core.GenericLoop.extend_keys(
        [
            Key("sleep", "Seconds to sleep after training.", float, default=0.0),
            Key("explode", "Raise instead of training.", bool, default=False),
            Key(
                "kill_marker", "Path: the first job to claim it waits there to be killed.", str, default=None
            ),
        ]
    )
    UNLOGGED_KEYS = ("progress", "kill_marker")

    def run(self, network, game, params):
        if params["explode"]:
            raise RuntimeError(f"boom at seed {params['seed']}")
        marker = params["kill_marker"]
        if marker:
            try:
                fd = os.open(marker + ".claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                fd = None
            if fd is not None:
                os.close(fd)
                super().run(network, game, {**params, "n_episodes": 1})  # part of the job done
                with open(marker + ".tmp", "w") as f:
                    f.write(str(os.getpid()))
                os.replace(marker + ".tmp", marker)
                time.sleep(120)  # killed here
        super().run(network, game, params)
        if params["sleep"]:
            time.sleep(params["sleep"])


PARAMS = {"n_episodes": 2, "len_episode": 4}
SPEC = ("learning_rate", [0.05, 0.1, 0.2, 0.4])
DROP = [*TIMING_COLUMNS, "log"]


def comparable(df: pd.DataFrame) -> pd.DataFrame:
    """The table without timings and log file names (which differ between equal runs)."""
    return df.drop(columns=[c for c in DROP if c in df.columns])


class NoJobs(MetaBackend):
    """A backend that fails the test if any job is sent."""

    name = "nojobs"

    def run(self, fn, items, shared=None):
        raise AssertionError("a job was sent")
        yield  # pragma: no cover


class ThreadBackend(MetaBackend):
    """A user backend: jobs on a thread pool (the documented plug-in interface)."""

    name = "threads"

    def run(self, fn, items, shared=None):
        from concurrent.futures import ThreadPoolExecutor, as_completed

        with ThreadPoolExecutor(2) as pool:
            futures = {pool.submit(fn, shared, item): i for i, item in enumerate(items)}
            for future in as_completed(futures):
                yield futures[future], future.result()


def make_series(tmp_path=None, **kwargs) -> Series:
    kw = dict(training_params=PARAMS, n_repeats=2, seed=7, progress=False)
    if tmp_path is None:
        kw["logging"] = False
    else:
        kw["folder"] = str(tmp_path)
    kw.update(kwargs)
    loop = kw.pop("loop", spikey.core.GenericLoop)
    spec = kw.pop("spec", SPEC)
    return Series(network_template, game_template, loop, spec, **kw)


# --------------------------------------------------------------------------- spec grammar


def test_spec_grammar_forms():
    """Ranges, lists, arrays, generators, lists iterated together, dicts and None expand as documented."""
    assert expand_spec(("a", 3)) == [{"a": 0}, {"a": 1}, {"a": 2}]
    assert expand_spec(("a", 1, 7, 2)) == [{"a": 1}, {"a": 3}, {"a": 5}]
    assert expand_spec(("a", (0.0, 0.3, 0.1)))[1] == {"a": 0.1}
    assert expand_spec(("a", np.array([4, 5]))) == [{"a": 4}, {"a": 5}]
    assert type(expand_spec(("a", np.array([4, 5])))[0]["a"]) is int
    assert expand_spec(("a", (x * x for x in range(3)))) == [{"a": 0}, {"a": 1}, {"a": 4}]
    assert expand_spec([("a", [1, 2]), ("b", ["x", "y"])]) == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    assert expand_spec({"a": [1, 2], "b": [3, 4]}) == [{"a": 1, "b": 3}, {"a": 2, "b": 4}]
    assert expand_spec(None) == [{}]


def test_spec_product_grid_and_zipped_axis():
    """product=True crosses entries (last fastest); a nested list is one zipped axis."""
    grid = expand_spec([("a", [1, 2]), ("b", [3, 4, 5])], product=True)
    assert grid[:3] == [{"a": 1, "b": 3}, {"a": 1, "b": 4}, {"a": 1, "b": 5}] and len(grid) == 6
    axis = expand_spec([[("a", [1, 2]), ("b", [3, 4])], ("c", [0, 1, 2])], product=True)
    assert len(axis) == 6 and axis[3] == {"a": 2, "b": 4, "c": 0}


@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.booleans())
@settings(max_examples=40, deadline=None)
def test_spec_grid_sizes(lengths, product):
    """A grid has prod(lengths) configurations; lists iterated together need one length."""
    spec = [(f"p{i}", list(range(n))) for i, n in enumerate(lengths)]
    if product:
        configs = expand_spec(spec, product=True)
        assert len(configs) == math.prod(lengths)
        assert len({json.dumps(c, sort_keys=True) for c in configs}) == len(configs)
    elif len(set(lengths)) == 1:
        assert len(expand_spec(spec)) == lengths[0]
    else:
        with pytest.raises(ConfigError, match="equal lengths"):
            expand_spec(spec)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (("a",), r"expected a detail \(attr, values\)"),
        ((3, [1, 2]), "expected the parameter's name"),
        (("a", "abc"), r"expected the values as a list, a range .*\('a', \[value\]\)"),
        (("a", []), "no values"),
        (("a", 0, 5, 0), "step must not be 0"),
        ([("a", [1]), ("a", [2])], "'a' is given twice"),
        ([("a", [1, 2]), ("b", [1])], r"equal lengths; got \{.*product=True"),
    ],
)
def test_spec_errors(spec, message):
    """A malformed spec is rejected with a message naming the problem."""
    with pytest.raises(ConfigError, match=message):
        expand_spec(spec)


def test_job_letters_follow_job_order():
    """Log ids count jobs in base 26 and sort in job order."""
    assert [job_letters(i) for i in (0, 1, 25, 26)] == ["aaaaa", "aaaab", "aaaaz", "aaaba"]
    names = [job_letters(i) for i in range(0, 3000, 7)]
    assert names == sorted(names)


# --------------------------------------------------------------------------- validation before jobs


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            ("learnin_rate", [0.1]),
            r"Series config 0 \(learnin_rate=0.1\): 'learnin_rate' is a key of no part.*did you mean 'learning_rate'",
        ),
        (
            ("learning_rate", [0.1, -1.0]),
            r"Series config 1 \(learning_rate=-1.0\): .*learning_rate: expected a float >= 0; got -1.0",
        ),
        (("n_episodes", [2, 0]), r"Series config 1 .*GenericLoop.n_episodes: expected an int >= 1; got 0"),
        (("potential_decay", [0.5, 2.0]), r"potential_decay: expected a float in \[0, 1\]; got 2.0"),
        (
            ("n_outputs", [1, 9]),
            r"Series config 1 \(n_outputs=9\): .*n_outputs: expected at most n_neurons=6",
        ),
    ],
)
def test_bad_spec_fails_before_any_job(spec, message):
    """Unknown keys, invalid values and unbuildable configs are rejected in the driver; no job is sent."""
    with pytest.raises(ConfigError, match=message):
        make_series(spec=spec, backend=NoJobs())


def test_bad_training_params_and_backend_fail_early(tmp_path):
    """Bad training params, repeats or backend names fail at construction."""
    with pytest.raises(ConfigError, match="GenericLoop.len_episode: expected an int >= 1; got -3"):
        make_series(training_params={"n_episodes": 1, "len_episode": -3}, backend=NoJobs())
    with pytest.raises(
        ConfigError, match="Series.training_params: 'learnin_rate' .*did you mean 'learning_rate'"
    ):
        make_series(training_params={**PARAMS, "learnin_rate": 0.1}, backend=NoJobs(), check=False)
    with pytest.raises(ConfigError, match="n_repeats: expected an int >= 1"):
        make_series(n_repeats=0)
    with pytest.raises(ConfigError, match="did you mean 'ray'"):
        make_series(backend="rey")
    with pytest.raises(ConfigError, match="resume=True needs the folder"):
        Series(network_template, game_template, spikey.core.GenericLoop, SPEC, resume=True)
    assert not os.listdir(tmp_path)


# --------------------------------------------------------------------------- series


def test_series_runs_logs_and_summarizes(tmp_path):
    """One row and one log per run, a summary and a checkpoint; Reader reads the logs back."""
    series = make_series(tmp_path)
    df = series.run()
    assert len(df) == len(series) == 8
    assert list(df.columns[:6]) == ["job", "config", "repeat", "seed", "learning_rate", "status"]
    assert (df["status"] == "ok").all() and df["job"].tolist() == list(range(8))
    assert df["learning_rate"].tolist() == [0.05, 0.05, 0.1, 0.1, 0.2, 0.2, 0.4, 0.4]
    assert df["seed"].nunique() == 8  # distinct derived seeds
    files = sorted(os.listdir(tmp_path))
    logs = [f for f in files if f.endswith(".json") and "~SUMMARY" not in f]
    assert len(logs) == 8 and logs == sorted(df["log"]) and "checkpoint.jsonl" in files
    assert sum("~SUMMARY" in f for f in files) == 1
    reader = Reader(str(tmp_path))
    assert reader.df["learning_rate"].tolist() == df["learning_rate"].tolist()
    assert reader.df["mean_reward"].tolist() == df["mean_reward"].tolist()
    summary = MetaReader(str(tmp_path)).summaries
    (data,) = summary.values()
    assert data["n_runs"] == 8 and data["varying_params"]["network"] == ["learning_rate", "seed"]


def test_series_default_folder_is_new_per_run(tmp_path, monkeypatch):
    """Without folder=, each run writes a new folder under log/ (never into an old checkpoint)."""
    monkeypatch.chdir(tmp_path)
    series = make_series(tmp_path, folder=None)
    series.run()
    first = series.folder
    series.run()
    assert first != series.folder and os.path.dirname(first) == "log"
    assert sorted(os.listdir("log")) == sorted(os.path.basename(f) for f in (first, series.folder))


def test_series_same_seed_same_table_and_seed_scheme():
    """The same seed gives the same table; a run's seed does not depend on n_repeats."""
    a = make_series().run()
    b = make_series().run()
    pd.testing.assert_frame_equal(comparable(a), comparable(b))
    c = make_series(n_repeats=3).run()
    pair = c[c["repeat"] < 2].reset_index(drop=True)
    assert pair["seed"].tolist() == a["seed"].tolist()
    assert pair["mean_reward"].tolist() == a["mean_reward"].tolist()
    d = make_series(seed=8).run()
    assert d["seed"].tolist() != a["seed"].tolist()


def test_series_iteration_runs_like_jobs():
    """Iterating a Series gives one configured loop per job; running it reproduces the job."""
    series = make_series()
    df = series.run()
    loops = list(series)
    assert len(loops) == 8
    _, _, results, _ = loops[5]()
    assert results["mean_reward"] == df.loc[5, "mean_reward"] and results["seed"] == df.loc[5, "seed"]


def test_series_explicit_seeds_and_user_backend():
    """A spec over 'seed' sets the seeds; a plugged-in backend gives the single backend's table."""
    df = make_series(spec=("seed", [11, 12]), n_repeats=1).run()
    assert df["seed"].tolist() == [11, 12]
    single = make_series().run()
    threads = make_series(backend=ThreadBackend()).run()
    pd.testing.assert_frame_equal(comparable(single), comparable(threads))


def test_raising_job_is_recorded_and_others_finish(tmp_path):
    """A job that raises is recorded as failed with its traceback; the other jobs finish."""
    series = make_series(tmp_path, loop=SlowLoop, spec=("explode", [False, True, False]), n_repeats=1)
    with pytest.warns(
        JobFailedWarning, match=r"1 of 3 jobs failed.*job 1 \(explode=True\): RuntimeError: boom"
    ):
        df = series.run()
    assert df["status"].tolist() == ["ok", "failed", "ok"]
    assert df.loc[1, "error"].startswith("RuntimeError: boom") and np.isnan(df.loc[1, "mean_reward"])
    (failure,) = series.failures
    assert "Traceback" in failure["traceback"] and "raise RuntimeError" in failure["traceback"]
    header, records, _ = Checkpoint.read(str(tmp_path))
    assert sorted(r["status"] for r in records) == ["failed", "ok", "ok"]
    # resuming does not run the failed job again
    again = make_series(
        tmp_path, loop=SlowLoop, spec=("explode", [False, True, False]), n_repeats=1, resume=True
    )
    with pytest.warns(JobFailedWarning):
        df2 = again.run(progress=False)
    assert len(again.records) == 3
    pd.testing.assert_frame_equal(comparable(df), comparable(df2))


# --------------------------------------------------------------------------- durability


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**62), 2**62),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.builds(np.float64, st.floats(allow_nan=False)),
    st.builds(np.int32, st.integers(-(2**31), 2**31 - 1)),
)


@given(st.dictionaries(st.text(min_size=1, max_size=6), SCALARS, max_size=6))
@settings(max_examples=40, deadline=None)
def test_checkpoint_records_round_trip_exactly(results):
    """Results written to a checkpoint read back with the same values, types and key order."""
    import tempfile

    from spikey.logging.serialize import decode, encode

    with tempfile.TemporaryDirectory() as folder:
        ck = Checkpoint.create(folder, {"tool": "test", "fingerprint": "x"})
        ck.append({"job": 0, "results": encode(results)})
        ck.close()
        opened = Checkpoint.open(folder, "x")
        opened.close()
    back = decode(opened.records[0]["results"])
    assert list(back) == list(results)
    for k, v in results.items():
        assert type(back[k]) is type(v)
        assert back[k] == v or (isinstance(v, float) and math.isnan(v) and math.isnan(back[k]))


def test_checkpoint_refuses_other_runs(tmp_path):
    """An existing checkpoint is never overwritten; resuming with other settings is refused."""
    make_series(tmp_path).run()
    with pytest.raises(
        ConfigError, match=r"already holds a checkpoint \(checkpoint.jsonl\); pass resume=True"
    ):
        make_series(tmp_path).run()
    with pytest.raises(ConfigError, match="different run .*n_repeats=2 there, 3 here"):
        make_series(tmp_path, n_repeats=3, resume=True).run()
    with pytest.raises(ConfigError, match="different run .*seed=7 there, 9 here"):
        make_series(tmp_path, seed=9, resume=True).run()


def test_checkpoint_cut_line_is_dropped_and_job_reruns(tmp_path):
    """A last line cut by a crash is dropped with a warning, truncated away, and its job runs again."""
    full = make_series(tmp_path / "a").run()
    folder = tmp_path / "b"
    make_series(folder).run()
    path = Checkpoint.path_in(str(folder))
    lines = open(path, "rb").read().split(b"\n")
    with open(path, "wb") as f:  # keep header + 5 records, then half of the 6th
        f.write(b"\n".join(lines[:6]) + b"\n" + lines[6][: len(lines[6]) // 2])
    series = make_series(folder, resume=True)
    with pytest.warns(CheckpointWarning, match="incomplete"):
        df = series.run()
    pd.testing.assert_frame_equal(comparable(full), comparable(df))
    header, records, _ = Checkpoint.read(str(folder))
    assert sorted(r["job"] for r in records) == list(range(8))
    assert len([f for f in os.listdir(folder) if f.endswith(".json") and "~" not in f]) == 8


DRIVER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {here!r})
    import spikey
    from test_meta import SlowLoop, network_template, game_template, SPEC
    from spikey.meta import Series

    Series(network_template, game_template, SlowLoop, SPEC,
           training_params={{"n_episodes": 2, "len_episode": 4, "sleep": 0.3}},
           n_repeats=2, seed=7, folder=sys.argv[1], progress=False).run()
    """
)


def test_driver_sigkill_mid_series_then_resume_equals_uninterrupted(tmp_path):
    """The driver killed with SIGKILL mid-series, resumed, ends with the uninterrupted run's table."""
    folder = tmp_path / "killed"
    script = tmp_path / "driver.py"
    script.write_text(DRIVER.format(here=HERE))
    proc = subprocess.Popen([sys.executable, str(script), str(folder)], stdout=subprocess.DEVNULL)
    path = Checkpoint.path_in(str(folder))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if os.path.exists(path) and open(path, "rb").read().count(b"\n") >= 4:  # header + 3 jobs
                break
            assert proc.poll() is None, "the driver ended before it was killed"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    _, records, _ = Checkpoint.read(str(folder))
    assert 3 <= len(records) < 8  # killed mid-series

    params = {"n_episodes": 2, "len_episode": 4, "sleep": 0.3}
    resumed = make_series(folder, loop=SlowLoop, training_params=params, resume=True)
    df = resumed.run()
    assert len(resumed.records) == 8 and sum(1 for r in resumed.records if r["job"] < 3) == 3
    uninterrupted = make_series(tmp_path / "clean", loop=SlowLoop, training_params=params).run()
    pd.testing.assert_frame_equal(comparable(df), comparable(uninterrupted))
    assert len([f for f in os.listdir(folder) if f.endswith(".json") and "~" not in f]) == 8


# --------------------------------------------------------------------------- population


GENES = {
    "learning_rate": (0.0, 0.5),
    "firing_threshold": [0.5, 1.0, 2.0, 4.0, 8.0],
    "action_threshold": [0.0, 0.05, 0.1, 0.2, 0.4],
    "potential_decay": (0.0, 0.5, 0.05),
}


def xor_metagame(genes=GENES, **kwargs) -> EvolveNetwork:
    kw = dict(
        training_loop=spikey.core.GenericLoop,
        network_template=network_template,
        game_template=game_template,
        training_params={"n_episodes": 10, "len_episode": 8},
        genotype_constraints=genes,
        fitness_getter="mean_accuracy",
        n_reruns=2,
    )
    kw.update(kwargs)
    return EvolveNetwork(**kw)


def test_constraints_parse_and_reject():
    """GENOTYPE_CONSTRAINTS: lists, grids and uniform ranges parse; malformed ones name the gene."""
    cons = parse_constraints({"a": [1, 2], "b": (0, 10, 5), "c": (0.0, 1.0)})
    assert cons["b"].values == [0, 5] and cons["c"].contains(0.5) and not cons["c"].contains(1.0)
    for bad, message in [
        ({}, "expected a non-empty dict"),
        ({"a": []}, r"\['a'\]: expected at least one value"),
        ({"a": (2, 1)}, r"\['a'\]: expected low < high"),
        ({"a": (0, 1, 0)}, r"\['a'\]: expected a non-empty range"),
        ({"a": "xyz"}, r"\['a'\]: expected a list of values"),
        ({"_age": [1]}, "gene names that are keys"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_constraints(bad)


@pytest.mark.parametrize(
    ("genes", "message"),
    [
        ({"learnig_rate": (0.0, 0.5)}, r"\['learnig_rate'\].*key of no part.*did you mean 'learning_rate'"),
        (
            {"potential_decay": [0.1, 1.5]},
            r"\['potential_decay'\] value 1.5: .*expected a float in \[0, 1\]; got 1.5",
        ),
        ({"learning_rate": (-1.0, 0.5)}, r"learning_rate: expected a float >= 0; got -1.0"),
        ({"n_outputs": [1, 7]}, r"genotype \(n_outputs=7\).*expected at most n_neurons=6"),
    ],
)
def test_invalid_genotype_constraints_fail_before_any_job(genes, message):
    """Invalid genes or values are rejected when the Population is built; no job is sent."""
    with pytest.raises(ConfigError, match=message):
        Population(xor_metagame(genes), NoJobs(), n_agents=4, n_epoch=2, seed=0, logging=False)


def test_population_keys_are_validated():
    """Population keys are validated (names, ranges, elitism < n_agents)."""
    game = MetaNQueens(n_queens=4)
    with pytest.raises(ConfigError, match="did you mean 'n_agents'"):
        Population(game, n_agent=4, n_epoch=2, logging=False)
    with pytest.raises(ConfigError, match="mutation_rate: expected a float in"):
        Population(game, n_agents=4, n_epoch=2, mutation_rate=1.5, logging=False)
    with pytest.raises(ConfigError, match="elitism: expected fewer than n_agents=4"):
        Population(game, n_agents=4, n_epoch=2, elitism=4, logging=False)


def test_ga_fitness_improves_on_xor():
    """On XOR the GA's fitness improves over epochs (elitism keeps the best), and reruns are identical."""
    pop = Population(xor_metagame(), n_agents=10, n_epoch=6, seed=0, logging=False)
    df = pop.run()
    per_epoch = pop.fitness_per_epoch()
    print(per_epoch.round(3).to_string(index=False))
    assert len(per_epoch) == 6 and len(df) == 60
    assert per_epoch["max"].is_monotonic_increasing  # elitism: never loses the best
    assert per_epoch["max"].iloc[-1] > per_epoch["max"].iloc[0] and per_epoch["max"].iloc[-1] >= 0.75
    assert per_epoch["mean"].iloc[-2:].mean() > per_epoch["mean"].iloc[0] + 0.05
    assert pop.best[1] == per_epoch["max"].max()
    # the cache: each distinct genotype is evaluated once
    assert len(pop.records) == len({json.dumps(r["key"]) for r in pop.records}) == (~df["repeated"]).sum()
    again = Population(xor_metagame(), n_agents=10, n_epoch=6, seed=0, logging=False).run()
    pd.testing.assert_frame_equal(df, again)


def test_genotype_fitness_depends_on_genotype_only():
    """A genotype's fitness is a function of (seed, genotype): the cache never changes results."""
    pop = Population(xor_metagame(), n_agents=6, n_epoch=3, seed=1, logging=False)
    df = pop.run()
    for _, group in df.groupby(["learning_rate", "firing_threshold", "action_threshold", "potential_decay"]):
        assert group["fitness"].nunique() == 1
    small = Population(xor_metagame(), n_agents=6, n_epoch=3, seed=1, n_storing=0, logging=False)
    pd.testing.assert_frame_equal(df, small.run())


def test_nqueens_is_solved_and_terminates_early():
    """MetaNQueens: the GA finds a placement and stops when a genotype reaches the goal."""
    pop = Population(MetaNQueens(n_queens=5), n_agents=16, n_epoch=40, seed=0, logging=False)
    pop.run()
    genotype, fitness = pop.best
    assert fitness == 10.0 and pop.terminated and pop.epoch < 40
    assert MetaNQueens(n_queens=5).get_fitness(genotype) == (10.0, True)


class CountingBackend(SingleProcessBackend):
    """Single backend that stops (as a crash would) after ``limit`` jobs."""

    def __init__(self, limit=None):
        super().__init__()
        self.limit, self.count = limit, 0

    def run(self, fn, items, shared=None):
        for i, outcome in super().run(fn, items, shared):
            if self.limit is not None and self.count >= self.limit:
                raise KeyboardInterrupt("simulated crash")
            self.count += 1
            yield i, outcome


def test_population_resume_and_read_population(tmp_path):
    """A search interrupted mid-epoch resumes to the uninterrupted result; read_population restores it."""
    clean = Population(xor_metagame(), n_agents=8, n_epoch=4, seed=3, folder=str(tmp_path / "clean"))
    expected = clean.run()
    folder = str(tmp_path / "crash")
    crashing = Population(
        xor_metagame(), CountingBackend(limit=13), n_agents=8, n_epoch=4, seed=3, folder=folder
    )
    with pytest.raises(KeyboardInterrupt):
        crashing.run()
    crashing.close()
    assert len(Checkpoint.read(folder)[1]) == 13
    backend = CountingBackend()
    resumed = Population(
        xor_metagame(), backend, n_agents=8, n_epoch=4, seed=None, folder=folder, resume=True
    )
    pd.testing.assert_frame_equal(resumed.run(), expected)
    assert backend.count == len(clean.records) - 13  # only the missing evaluations ran
    logs = sorted(f for f in os.listdir(folder) if f.endswith(".json") and "~" not in f)
    assert (
        len(logs) == 4
        and Reader(folder).df["max_fitness"].tolist() == clean.fitness_per_epoch()["max"].tolist()
    )

    restored = read_population(folder)  # without the game: history and best
    assert restored.terminated and restored.best == clean.best
    pd.testing.assert_frame_equal(restored.to_dataframe(), expected)
    with pytest.raises(ConfigError, match=r"different run \(n_agents=8 there, 9 here\)"):
        Population(xor_metagame(), n_agents=9, n_epoch=4, seed=3, folder=folder, resume=True)
    with pytest.raises(ConfigError, match="different run .*GENOTYPE_CONSTRAINTS differ"):
        Population(
            xor_metagame({**GENES, "learning_rate": (0.0, 0.4)}),
            n_agents=8,
            n_epoch=4,
            seed=3,
            folder=folder,
            resume=True,
        )
    with pytest.raises(ConfigError, match="another game"):
        Population(xor_metagame(n_reruns=3), n_agents=8, n_epoch=4, seed=3, folder=folder, resume=True)


def test_population_original_loop_api_and_failed_genotypes():
    """evaluate/update as in the original Spikey; a genotype that raises gets failed_fitness."""

    class Picky(MetaRL):
        GENOTYPE_CONSTRAINTS = {"x": [0, 1, 2, 3]}

        def get_fitness(self, genotype):
            if genotype["x"] == 3:
                raise ValueError("x=3 is not allowed")
            return float(genotype["x"]), False

    pop = Population(Picky(), n_agents=8, n_epoch=3, seed=2, logging=False)
    epochs = 0
    with pytest.warns(JobFailedWarning, match="x=3 is not allowed"):
        while not pop.terminated:
            fitness = pop.evaluate()
            assert all(f == (-math.inf if g["x"] == 3 else g["x"]) for g, f in zip(pop.population, fitness))
            pop.update(fitness)
            epochs += 1
    assert epochs == 3 and pop.best[1] == max(max(h["fitness"]) for h in pop.history) >= 1.0
    failed = [r for r in pop.records if r["status"] == "failed"]
    assert failed and "ValueError: x=3 is not allowed" in failed[0]["traceback"]


# --------------------------------------------------------------------------- backends and CLI


def test_get_backend_and_distribute():
    """Backends by name, class or instance; distribute keeps the order of items."""
    assert isinstance(get_backend("single"), SingleProcessBackend)
    assert isinstance(get_backend(SingleProcessBackend), SingleProcessBackend)
    with pytest.raises(ConfigError, match="expected 'single', 'ray'"):
        get_backend(42)
    assert ThreadBackend().distribute(lambda shared, x: x * shared, [3, 1, 2], shared=2) == [6, 2, 4]


def test_user_code_travels_by_value():
    """The ray backend pickles user modules (tests, scripts) by value, installed packages by reference."""
    from spikey.meta.backends.ray import RayBackend, user_modules
    from spikey.meta.jobs import SeriesRunner

    runner = SeriesRunner(network_template, game_template, SlowLoop, PARAMS)
    assert user_modules(runner) == [__name__]
    assert user_modules(SeriesRunner(spikey.RLNetwork, spikey.games.Logic, spikey.core.GenericLoop, {})) == []
    with pytest.raises(SpikeyError, match="max_retries: expected an int >= 0"):
        RayBackend(max_retries=-1)


SERIES_FILE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {here!r})
    from test_meta import network_template, game_template

    training_params = {{"n_episodes": 2, "len_episode": 4}}
    spec = ("learning_rate", [0.1, 0.2])
    n_repeats = 2
    seed = 4
    """
)

POPULATION_FILE = textwrap.dedent(
    """
    from spikey.meta import MetaNQueens

    metagame = MetaNQueens(n_queens=4)
    population_params = {"n_agents": 8, "n_epoch": 5}
    seed = 0
    """
)


def test_cli_series_and_resume(tmp_path, capsys):
    """`spikey series FILE` runs and tabulates; `--resume DIR` finishes from the checkpoint."""
    path = tmp_path / "my_series.py"
    path.write_text(SERIES_FILE.format(here=HERE))
    out = tmp_path / "out"
    assert cli_main(["series", str(path), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "best configurations by mean accuracy over repeats" in text and f"logs: {out}" in text
    assert len(Checkpoint.read(str(out))[1]) == 4
    assert cli_main(["series", "--resume", str(out), "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert cli_main(["series", str(path), "--resume", str(out), "--repeats", "3"]) == 2
    assert "n_repeats=2 there, 3 here" in capsys.readouterr().err
    assert cli_main(["series", str(tmp_path / "missing.py")]) == 2
    assert cli_main(["series"]) == 2
    assert cli_main(["population", "--resume", str(out)]) == 2
    assert "holds a Series run; use spikey series --resume" in capsys.readouterr().err


def test_cli_population(tmp_path, capsys):
    """`spikey population FILE` prints fitness per epoch and the best genotype."""
    path = tmp_path / "queens.py"
    path.write_text(POPULATION_FILE)
    out = tmp_path / "pop"
    assert cli_main(["population", str(path), "--out", str(out), "--epochs", "3"]) == 0
    text = capsys.readouterr().out
    assert "fitness per epoch" in text and "best: {" in text
    assert Checkpoint.read_header(str(out))["tool"] == "Population"
    assert cli_main(["population", "--resume", str(out), "--quiet"]) == 0  # all cached: replays
    assert capsys.readouterr().out.strip() == str(out)
    assert cli_main(["population", "--resume", str(out), "--epochs", "4"]) == 2
    assert "different run (n_epoch=3 there, 4 here)" in capsys.readouterr().err
    bad = tmp_path / "bad.py"
    bad.write_text("x = 1\n")
    assert cli_main(["population", str(bad)]) == 2
    assert "does not define" in capsys.readouterr().err


def test_read_population_errors(tmp_path):
    """read_population names a missing or foreign checkpoint."""
    with pytest.raises(SpikeyError, match="no checkpoint"):
        read_population(str(tmp_path))
    make_series(tmp_path).run()
    with pytest.raises(SpikeyError, match="holds a Series checkpoint"):
        read_population(str(tmp_path))
