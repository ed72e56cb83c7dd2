"""spikey.core.loggers: TensorBoard event files (read back with tensorboard's own event reader),
CSV and MLflow runs written while a loop trains, a callback with loggers that copies and
pickles (Series jobs), logs already written, and `--tensorboard DIR` of run/series/population."""

from __future__ import annotations

import copy
import os
import pickle
import textwrap

import numpy as np
import pandas as pd
import pytest
from conftest import XorGame, XorTemplate

from spikey.cli import main
from spikey.core import GenericLoop, RLCallback
from spikey.core.loggers import (
    CSVLogger,
    MLflowLogger,
    TensorBoardLogger,
    attach,
    hparams,
    run_name,
    write_folder_to,
)
from spikey.errors import ConfigError

event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator", reason="tensorboard (the reader) is not installed"
)

HERE = os.path.dirname(os.path.abspath(__file__))
PARAMS = {"n_episodes": 5, "len_episode": 8, "eval_episodes": 2, "seed": 3, "progress": False}


def events(folder):
    """Every scalar, histogram and plugin tag of a run folder, read with tensorboard's reader."""
    acc = event_accumulator.EventAccumulator(str(folder), size_guidance={"scalars": 0, "histograms": 0})
    acc.Reload()
    return acc


def train(callback, **params):
    loop = GenericLoop(XorTemplate, XorGame, callback, {**PARAMS, **params})
    loop()
    return callback


@pytest.fixture(scope="module")
def tb_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tb")
    callback = train(attach(RLCallback(), TensorBoardLogger(str(folder), histogram_every=2)))
    return folder, callback


def test_tensorboard_scalars_are_the_callbacks_episodes(tb_run):
    """episode/return, /length, /accuracy per training episode; eval/* numbered after them."""
    folder, callback = tb_run
    assert os.listdir(folder) == ["seed=3"]
    acc = events(folder / "seed=3")
    ret = acc.Scalars("episode/return")
    assert [e.step for e in ret] == [1, 2, 3, 4, 5]
    assert [e.value for e in ret] == pytest.approx(callback.info["episode_env_returns"])
    assert [e.value for e in acc.Scalars("episode/length")] == callback.info["episode_lens"]
    assert [e.value for e in acc.Scalars("episode/accuracy")] == pytest.approx(callback.info["episode_accuracy"])
    assert [e.step for e in acc.Scalars("eval/return")] == [6, 7]
    assert [e.value for e in acc.Scalars("eval/accuracy")] == pytest.approx(callback.info["eval_episode_accuracy"])
    final = acc.Scalars("results/mean_accuracy")
    assert final[0].value == pytest.approx(callback.results["mean_accuracy"])


def test_tensorboard_weight_histograms_over_training(tb_run):
    """Weight histograms at the start and every histogram_every episodes, one count per synapse."""
    folder, callback = tb_run
    acc = events(folder / "seed=3")
    hist = acc.Histograms("weights")
    assert [h.step for h in hist] == [0, 2, 4]
    final = callback.info["weights_final"]
    start = callback.info["weights_start"]
    assert hist[0].histogram_value.num == np.count_nonzero(start)
    assert hist[0].histogram_value.max == pytest.approx(start.max())
    assert hist[-1].histogram_value.num <= np.count_nonzero(final) + np.count_nonzero(start)


def test_tensorboard_hparams_hold_the_runs_parameters(tb_run):
    """The HParams plugin data of the run names the network's keys (learning_rate) and the seed."""
    folder, _ = tb_run
    acc = events(folder / "seed=3")
    content = acc.PluginTagToContent("hparams")
    blob = b"".join(content.values())
    assert b"learning_rate" in blob and b"seed" in blob and b"results/mean_accuracy" in blob


def test_callback_with_loggers_copies_and_pickles(tmp_path):
    """A deep copy writes its own run (its hooks point at the copy); pickling keeps no open file."""
    callback = attach(RLCallback(reduced=True), CSVLogger(str(tmp_path)))
    clone = copy.deepcopy(callback)
    assert clone.training_loop_begin.callback is clone
    train(clone, seed=5)
    assert callback.info["episode_lens"] == [] and len(clone.info["episode_lens"]) == 5
    restored = pickle.loads(pickle.dumps(clone))
    assert restored.training_loop_end is not None
    df = pd.read_csv(tmp_path / "seed=5.csv")
    assert df["phase"].tolist() == ["train"] * 5 + ["eval"] * 2
    assert df["return"].tolist()[:5] == pytest.approx(clone.info["episode_env_returns"])
    params = pd.read_csv(tmp_path / "seed=5.params.csv").set_index("key")["value"]
    assert float(params["seed"]) == 5 and "results/mean_accuracy" in params.index


def test_run_names_from_parameters_and_numbered_when_taken(tmp_path):
    """Names fill {key} from the run's parameters; a taken name gets -2; an unknown key is an error."""
    assert run_name("lr={learning_rate}-{seed}", {"learning_rate": 0.1, "seed": 2}) == "lr=0.1-2"
    with pytest.raises(ConfigError, match=r"uses \{lr\}"):
        run_name("{lr}", {"seed": 1})
    logger = CSVLogger(str(tmp_path))
    for _ in range(2):
        train(attach(RLCallback(reduced=True), logger), n_episodes=1, eval_episodes=0)
    assert sorted(f for f in os.listdir(tmp_path) if not f.endswith("params.csv")) == ["seed=3-2.csv", "seed=3.csv"]
    assert hparams({"a": np.float64(0.5), "b": None, "c": [1]}) == {"a": 0.5}


def test_attach_rejects_what_is_not_a_logger_or_callback():
    """attach names what it got when it is not a callback or not a logger."""
    with pytest.raises(ConfigError, match="expected a spikey callback"):
        attach(object(), CSVLogger("x"))
    with pytest.raises(ConfigError, match="expected TensorBoardLogger, CSVLogger or MLflowLogger"):
        attach(RLCallback(), "tensorboard")


def test_mlflow_run_per_loop(tmp_path):
    """MLflowLogger: one run with the per-episode metrics, params and results."""
    pytest.importorskip("mlflow", reason="mlflow-skinny is not installed (the [mlflow] extra)")
    from mlflow.tracking import MlflowClient

    callback = train(attach(RLCallback(reduced=True), MLflowLogger(str(tmp_path / "mlruns"))))
    client = MlflowClient("file://" + str(tmp_path / "mlruns"))
    (run,) = client.search_runs([client.get_experiment_by_name("spikey").experiment_id])
    history = client.get_metric_history(run.info.run_id, "episode.return")
    assert [m.value for m in sorted(history, key=lambda m: m.step)] == pytest.approx(
        callback.info["episode_env_returns"]
    )
    assert run.data.params["seed"] == "3" and "learning_rate" in run.data.params


def test_spikey_run_tensorboard_flag(tmp_path, capsys):
    """spikey run FILE --tensorboard DIR writes the run's event files; the log is unchanged."""
    exp = tmp_path / "exp.py"
    exp.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {HERE!r})
            from conftest import XorTemplate as network_template, XorGame as game_template
            training_params = {{"n_episodes": 3, "len_episode": 5}}
            """
        )
    )
    tb = tmp_path / "tb"
    assert main(["run", str(exp), "--seed", "4", "--out", str(tmp_path / "log"), "--tensorboard", str(tb), "--quiet"]) == 0
    acc = events(tb / "seed=4")
    assert [e.step for e in acc.Scalars("episode/return")] == [1, 2, 3]


SERIES_FILE = """
import sys
sys.path.insert(0, {here!r})
from conftest import XorTemplate as network_template, XorGame as game_template
training_params = {{"n_episodes": 2, "len_episode": 4}}
spec = ("learning_rate", [0.1, 0.2])
seed = 4
"""


def test_spikey_series_tensorboard_one_run_per_job(tmp_path):
    """spikey series --tensorboard: one TensorBoard run per job, each with its episodes."""
    path = tmp_path / "s.py"
    path.write_text(SERIES_FILE.format(here=HERE))
    tb = tmp_path / "tb"
    assert main(["series", str(path), "--out", str(tmp_path / "out"), "--tensorboard", str(tb), "--quiet"]) == 0
    runs = sorted(os.listdir(tb))
    assert [r.split("-seed=")[0] for r in runs] == ["learning_rate=0.1", "learning_rate=0.2"]
    for r in runs:
        assert [e.step for e in events(tb / r).Scalars("episode/length")] == [1, 2]


def test_population_folder_to_tensorboard(tmp_path):
    """A Population's epochs: fitness max/mean/min per epoch equal the epoch logs'."""
    path = tmp_path / "q.py"
    path.write_text(
        "from spikey.meta import MetaNQueens\nmetagame = MetaNQueens(n_queens=4)\n"
        "population_params = {'n_agents': 6, 'n_epoch': 3}\nseed = 0\n"
    )
    tb, out = tmp_path / "tb", tmp_path / "pop"
    assert main(["population", str(path), "--out", str(out), "--tensorboard", str(tb), "--quiet"]) == 0
    acc = events(tb / "population")
    best = acc.Scalars("fitness/max")
    assert [e.step for e in best] == [0, 1, 2] or [e.step for e in best] == [1, 2, 3]
    from spikey.logging import Reader

    logs = sorted(Reader(str(out)).logs, key=lambda d: d["results"]["epoch"])
    assert [e.value for e in best] == pytest.approx([max(d["info"]["fitness"]) for d in logs])
    assert write_folder_to(CSVLogger(str(tmp_path / "csv")), str(out)) == ["population"]


def test_population_on_epoch_sees_each_epoch_as_it_ends(tmp_path):
    """Population(on_epoch=...) is called once per epoch, in order, while the run goes on
    (the checkpoint then holds only that epoch's evaluations); a PopulationWriter turns the
    calls into one TensorBoard run identical to the one written from the folder after."""
    from spikey.core.loggers import PopulationWriter, TensorBoardLogger
    from spikey.meta import MetaNQueens, Population

    seen = []
    writer = PopulationWriter(TensorBoardLogger(str(tmp_path / "live")))

    def on_epoch(entry):
        seen.append((entry["epoch"], len(pop.records if pop.folder is None else pop.history)))
        writer(entry)

    pop = Population(MetaNQueens(n_queens=4), seed=0, folder=str(tmp_path / "pop"), progress=False,
                     n_agents=6, n_epoch=3, on_epoch=on_epoch)
    pop.run()
    assert writer.close() == "population"
    assert [e for e, _ in seen] == sorted(e for e, _ in seen) and len(seen) == 3
    assert [n for _, n in seen] == [1, 2, 3]  # called as each epoch ended, not after the run
    write_folder_to(TensorBoardLogger(str(tmp_path / "after")), str(tmp_path / "pop"))
    live = [(e.step, e.value) for e in events(tmp_path / "live" / "population").Scalars("fitness/mean")]
    after = [(e.step, e.value) for e in events(tmp_path / "after" / "population").Scalars("fitness/mean")]
    assert live == after and len(live) == 3
    with pytest.raises(ConfigError, match=r"Population\.on_epoch: expected a callable"):
        Population(MetaNQueens(n_queens=4), on_epoch=3, n_agents=6, n_epoch=1)


def test_evolution_experiment_writes_each_generation_to_tensorboard(tmp_path):
    """spikey run cartpole-es --tensorboard DIR: one run whose fitness/mean and es/sigma per
    generation equal the evolution's own records; an experiment without the option refuses it."""
    from spikey.meta.es import read_evolution

    tb, out = tmp_path / "tb", tmp_path / "out"
    args = ["run", "cartpole-es", "--seed", "0", "--out", str(out), "--quiet", "--tensorboard", str(tb),
            "--set", "n_generations=2", "--set", "pop_size=4", "--set", "n_episodes=1",
            "--set", "center_episodes=1", "--set", "eval_episodes=2"]
    assert main(args) == 0
    (run,) = os.listdir(tb)
    assert run == "cartpole-es-seed=0"
    acc = events(tb / run)
    history, _ = read_evolution(str(out / "cartpole-es-seed0" / "evolution"))
    assert [e.step for e in acc.Scalars("fitness/mean")] == list(history["generation"])
    assert [e.value for e in acc.Scalars("es/sigma")] == pytest.approx(list(history["sigma"]))
    assert main(["run", "diehl-cook", "--tensorboard", str(tb), "--quiet", "--out", str(out)]) == 2
