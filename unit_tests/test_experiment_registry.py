"""The experiment registry (register, make, show_config) and the spikey run / list commands that read it."""

from __future__ import annotations

import json

import pytest

from spikey.cli import main
from spikey.errors import ConfigError
from spikey.experiments import registry as reg
from spikey.experiments.registry import Experiment, make, register, show_config
from spikey.module import Interval, Key


class _Counter(Experiment):
    """A tiny experiment: counts to n."""

    OPTIONS = [
        Key("n", "How far to count.", int, 3, constraint=Interval(1, None)),
        Key("label", "Label.", str, "x"),
    ]

    def train(self, seed, out, progress=None):
        return {"count": self.config["n"] + seed}

    def evaluate(self, seed):
        return {"label": self.config["label"]}


@pytest.fixture
def counter():
    """Register _Counter as 'counter' for one test."""
    saved = reg.registry()
    register("counter", _Counter, "counts", label="fixed")
    yield
    reg._REGISTRY.clear()
    reg._REGISTRY.update(saved)


def test_make_validates_options_and_applies_fixed_ones(counter):
    """make() fills defaults and fixed options; unknown or invalid options are ConfigErrors naming them."""
    exp = make("counter", n=5)
    assert exp.config == {"n": 5, "label": "fixed"} and exp.run(seed=1) == {"count": 6, "label": "fixed"}
    with pytest.raises(ConfigError, match=r"counter: no option 'nn' \(did you mean 'n'\?\)"):
        make("counter", nn=2)
    with pytest.raises(ConfigError, match=r"counter.n"):
        make("counter", n=0)
    with pytest.raises(ConfigError, match="option 'label' is fixed by this entry"):
        make("counter", label="y")


def test_unknown_name_suggests_and_loop_modules_are_not_made():
    """An unknown name gets a did-you-mean; a training-loop module is run by spikey run, not made."""
    with pytest.raises(ConfigError, match=r"no experiment 'cartpole-ess' \(did you mean 'cartpole-es'\?\)"):
        make("cartpole-ess")
    with pytest.raises(ConfigError, match="training-loop module"):
        make("xor")


def test_every_entry_is_registered_with_a_description():
    """The registry holds the loop modules, diehl-cook and the five evolution tasks, each described."""
    names = set(reg.registry())
    assert {"xor", "xor-temporal", "cartpole", "diehl-cook"} <= names
    assert {"cartpole-es", "acrobot-es", "mountaincar-es", "pendulum-es", "lunarlander-es"} <= names
    assert all(e.description for e in reg.registry().values())


def test_show_config_lists_options_with_defaults():
    """show_config gives each option's default and meaning, marking those fixed by the entry."""
    rows = {name: (default, what) for name, default, what in show_config("acrobot-es")}
    assert rows["pop_size"][0] == "16" and "fixed" in rows["task"][1] and rows["task"][0] == "'acrobot'"
    assert any(name == "learning_rate" for name, *_ in show_config("xor"))


def test_cli_list_and_show_config(capsys):
    """spikey list shows every entry; spikey run NAME --show-config prints its options."""
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "cartpole-es" in out and "diehl-cook" in out and "xor" in out
    assert main(["run", "cartpole-es", "--show-config"]) == 0
    out = capsys.readouterr().out
    assert "n_generations" in out and "sigma" in out and "0.2" in out


def test_cli_runs_an_evolution_experiment_and_resumes(tmp_path, capsys):
    """spikey run cartpole-es writes a summary with the frozen return and budget; --resume continues the folder."""
    args = [
        "run",
        "cartpole-es",
        "--seed",
        "3",
        "--out",
        str(tmp_path),
        "--set",
        "n_generations=2",
        "--set",
        "pop_size=4",
        "--set",
        "eval_episodes=3",
        "--set",
        "n_episodes=1",
        "--set",
        "center_episodes=1",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "frozen mean return" in out and "threshold 475" in out and "environment steps" in out
    with open(tmp_path / "cartpole-es-seed3" / "summary.json", encoding="utf-8") as f:
        summary = json.load(f)
    assert summary["seed"] == 3 and summary["generations"] == 2 and summary["eval_episodes"] == 3
    assert main(args) == 2
    assert "holds the run of seed 3 already; continue it with --resume" in capsys.readouterr().err
    assert main([*args[:-2], "--set", "center_episodes=1", "--resume", "--quiet", "--report"]) == 0
    lines = capsys.readouterr().out.split()
    assert lines[0].endswith("summary.json") and lines[1].endswith("report.html")
    with open(lines[1], encoding="utf-8") as f:
        page = f.read()
    assert "data:image/png;base64," in page and "frozen mean return" in page


def test_cli_rejects_bad_options_with_the_key(capsys):
    """A misspelt --set option and --episodes on an evolution experiment exit 2 with a message."""
    assert main(["run", "pendulum-es", "--set", "pop_sise=4"]) == 2
    assert "no option 'pop_sise' (did you mean 'pop_size'?)" in capsys.readouterr().err
    assert main(["run", "pendulum-es", "--episodes", "4"]) == 2
    assert "takes no --episodes" in capsys.readouterr().err
