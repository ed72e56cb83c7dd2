"""The ``spikey`` command (spikey.cli)."""

from __future__ import annotations

import json
import os
import sys
import textwrap

import numpy as np
import pytest

import spikey
from spikey.cli import main, summary_rows

EXPERIMENT = textwrap.dedent(
    """
    import spikey

    class network_template(spikey.network.RLNetwork):
        parts = {
            "inputs": spikey.input.RateMap,
            "neurons": spikey.neuron.Neuron,
            "weights": spikey.weight.Random,
            "synapses": spikey.synapse.RLSTDP,
            "readout": spikey.readout.Threshold,
            "rewarder": spikey.reward.MatchExpected,
        }
        keys = {
            "n_inputs": 4, "n_neurons": 6, "n_outputs": 2, "processing_time": 8,
            "magnitude": 1.0, "firing_threshold": 1.0, "potential_decay": 0.2,
            "refractory_period": 1, "max_weight": 2.0, "density": 0.8,
            "state_rate_map": [0.05, 0.9], "action_threshold": 0.1, "learning_rate": 0.5,
        }

    game_template = spikey.games.Logic
    training_params = {"n_episodes": 3, "len_episode": 6, "eval_episodes": 1, "preset": "XOR"}
    """
)

EVALUATE = textwrap.dedent(
    """
    def evaluate(network, game, n_presentations):
        network.eval()
        state, correct = game.reset(), 0
        for _ in range(n_presentations):
            action = network.tick(state)
            correct += action == game.expected_value(state)
            state, _, _, _ = game.step(action)
        return correct / n_presentations
    """
)


@pytest.fixture
def experiment(tmp_path):
    path = tmp_path / "tiny.py"
    path.write_text(EXPERIMENT)
    return path


def read_log(path):
    with open(path) as f:
        json.load(f)  # valid JSON
    return spikey.logging.read_log(path)


def logged_path(out: str) -> str:
    line = [ln for ln in out.splitlines() if ln.startswith("log: ")][-1]
    return line[len("log: ") :]


def test_run_py_experiment_end_to_end(experiment, tmp_path, capsys):
    """`spikey run file.py` trains, prints a summary table and writes the log."""
    out_dir = tmp_path / "logs"
    assert main(["run", str(experiment), "--seed", "5", "--episodes", "2", "--out", str(out_dir)]) == 0
    out = capsys.readouterr().out
    for label in ("episodes", "2 (+1 eval)", "mean reward", "accuracy (final episode)", "time [s]"):
        assert label in out
    path = logged_path(out)
    assert os.path.dirname(path) == str(out_dir)
    data = read_log(path)
    assert data["results"]["n_episodes"] == 2 and data["results"]["seed"] == 5
    assert len(data["info"]["episode_lens"]) == 2 and data["game"]["name"] == "XOR"


def test_same_seed_same_log(experiment, tmp_path, capsys):
    """Two runs with the same --seed log identical info and results (but time)."""
    logs = []
    for _ in range(2):
        assert main(["run", str(experiment), "--seed", "9", "--out", str(tmp_path), "--quiet"]) == 0
        logs.append(read_log(capsys.readouterr().out.strip()))
    a, b = logs
    assert a["network"] == b["network"] and a["info"].keys() == b["info"].keys()
    for key in a["info"]:
        np.testing.assert_equal(a["info"][key], b["info"][key], err_msg=key)
    a["results"].pop("total_time"), b["results"].pop("total_time")
    assert a["results"] == b["results"]


def test_quiet_prints_only_the_log_path(experiment, tmp_path, capsys):
    """--quiet: no table, no progress bar; stdout is the log path."""
    assert main(["run", str(experiment), "--out", str(tmp_path), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert os.path.isfile(captured.out.strip()) and captured.err == ""


def test_frozen_weight_evaluation_reported_and_logged(tmp_path, capsys):
    """An experiment's evaluate() result is printed and logged as frozen_accuracy."""
    path = tmp_path / "with_eval.py"
    path.write_text(EXPERIMENT + EVALUATE)
    assert main(["run", str(path), "--seed", "1", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "accuracy (frozen weights)" in out
    data = read_log(logged_path(out))
    frozen = data["results"]["frozen_accuracy"]
    assert 0.0 <= frozen <= 1.0 and (frozen * 100) == pytest.approx(round(frozen * 100))
    assert data["info"]["episode_lens"] == [6, 6, 6], "the evaluation does not feed the run's callback"
    assert data["info"]["eval_episode_lens"] == [6] and len(data["info"]["step_actions"]) == 18


def test_yaml_experiment_with_overrides(experiment, tmp_path, capsys):
    """A YAML file names the experiment (relative .py) and overrides its params."""
    pytest.importorskip("yaml")
    spec = tmp_path / "exp.yaml"
    spec.write_text("experiment: tiny.py\noverrides:\n  n_episodes: 1\n  learning_rate: 0.0\n")
    assert main(["run", str(spec), "--out", str(tmp_path / "l"), "--seed", "2"]) == 0
    data = read_log(logged_path(capsys.readouterr().out))
    assert data["results"]["n_episodes"] == 1 and data["network"]["learning_rate"] == 0.0


def test_json_experiment_file(experiment, tmp_path, capsys):
    """A JSON experiment file works like YAML (no PyYAML needed)."""
    spec = tmp_path / "exp.json"
    spec.write_text(json.dumps({"experiment": str(experiment), "overrides": {"len_episode": 2}}))
    assert main(["run", str(spec), "--out", str(tmp_path), "--quiet"]) == 0
    assert read_log(capsys.readouterr().out.strip())["info"]["episode_lens"] == [2, 2, 2]


def test_yaml_without_pyyaml_is_a_clear_error(experiment, tmp_path, capsys, monkeypatch):
    """Without PyYAML a YAML file fails with an install hint (exit status 2)."""
    spec = tmp_path / "exp.yaml"
    spec.write_text("experiment: tiny.py\n")
    monkeypatch.setitem(sys.modules, "yaml", None)
    assert main(["run", str(spec)]) == 2
    assert "needs PyYAML" in capsys.readouterr().err


def test_yaml_unknown_entry_rejected(tmp_path, capsys):
    """An unknown top-level YAML entry is named with a suggestion."""
    pytest.importorskip("yaml")
    spec = tmp_path / "exp.yaml"
    spec.write_text("experiment: tiny.py\noverides: {}\n")
    assert main(["run", str(spec)]) == 2
    assert "unknown entry 'overides' (did you mean 'overrides'?)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "xorr"], "no experiment 'xorr' (did you mean 'xor'?)"),
        (["run", "missing.py"], "no such file 'missing.py'"),
        (["run", "TINY", "--episodes", "0"], "GenericLoop.n_episodes: expected an int >= 1; got 0"),
    ],
)
def test_bad_input_exits_2_with_message(args, message, experiment, capsys):
    """Unknown names, missing files and bad params exit with status 2 and a clear message."""
    args = [str(experiment) if a == "TINY" else a for a in args]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_py_file_missing_definitions(tmp_path, capsys):
    """A .py file without the experiment's names is rejected, naming what is missing."""
    path = tmp_path / "empty.py"
    path.write_text("training_params = {}\n")
    assert main(["run", str(path)]) == 2
    assert "does not define network_template, game_template" in capsys.readouterr().err


def test_list_and_version(capsys):
    """`spikey list` names the built-in experiments; --version prints the version."""
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "xor" in out and "cartpole" in out and "xor-temporal" in out
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and "spikey 0." in capsys.readouterr().out


def test_summary_rows_steps_for_games_without_accuracy():
    """Games without an expected answer (CartPole) show steps instead of accuracy."""
    rows = dict(summary_rows({"n_episodes": 4, "mean_reward": 2.0, "mean_steps": 12.5, "final_steps": 20}))
    assert (
        rows["mean steps"] == "12.5"
        and rows["final steps"] == "20"
        and "accuracy (final episode)" not in rows
    )
