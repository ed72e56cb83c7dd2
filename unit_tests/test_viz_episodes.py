"""spikey.viz for every RL game: episode return and length per episode, observation traces
for continuous states (CartPole, a Gymnasium env), overlays of many runs, config values
printed by name, and the report pages built from them."""

from __future__ import annotations

import importlib.util
import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from conftest import XorGame, XorTemplate  # noqa: E402

from spikey import viz  # noqa: E402
from spikey.cli import summary_rows  # noqa: E402
from spikey.core import GenericLoop, RLCallback  # noqa: E402
from spikey.errors import ConfigError, MissingKeyError  # noqa: E402
from spikey.experiments import cartpole  # noqa: E402
from spikey.logging import read_log  # noqa: E402
from spikey.logging.serialize import ImportPath, Repr  # noqa: E402
from spikey.viz.report import _fmt, write_report  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, "examples")


def _load_example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _log(folder, network, game, **params):
    loop = GenericLoop(network, game, RLCallback(), {"progress": False, **params})
    loop()
    return loop.log(folder=str(folder))


@pytest.fixture(scope="module")
def cartpole_log(tmp_path_factory):
    return _log(
        tmp_path_factory.mktemp("cartpole"),
        cartpole.network_template,
        cartpole.game_template,
        n_episodes=5,
        len_episode=40,
        eval_episodes=2,
        seed=3,
    )


@pytest.fixture(scope="module")
def acrobot_log(tmp_path_factory):
    acrobot = _load_example("acrobot")
    return _log(
        tmp_path_factory.mktemp("acrobot"),
        acrobot.network_template,
        acrobot.game_template,
        n_episodes=3,
        len_episode=30,
        eval_episodes=1,
        seed=1,
        processing_time=2,
    )


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_episode_returns_plots_the_games_own_return_and_length(cartpole_log):
    """Top: the env return of each training episode, eval episodes after them; bottom: lengths."""
    data = read_log(cartpole_log)
    fig = viz.episode_returns(data)
    ax_r, ax_l = fig.axes
    returns = data["info"]["episode_env_returns"]
    raw = ax_r.get_lines()[0]
    assert raw.get_ydata().tolist() == pytest.approx(returns)
    assert raw.get_xdata().tolist() == [1, 2, 3, 4, 5]
    evaluation = [ln for ln in ax_r.get_lines() if ln.get_label() == "evaluation (frozen weights)"][0]
    assert evaluation.get_xdata().tolist() == [6, 7]
    assert evaluation.get_ydata().tolist() == pytest.approx(data["info"]["eval_episode_env_returns"])
    assert ax_l.get_lines()[0].get_ydata().tolist() == data["info"]["episode_lens"]
    assert ax_r.get_ylabel() == "env return per episode" and ax_l.get_xlabel() == "episode"
    assert all(float(t).is_integer() for t in ax_l.get_xticks())


def test_episode_returns_without_env_returns_uses_the_networks_reward():
    """A log without episode_env_returns falls back to episode_rewards, labelled as reward."""
    fig = viz.episode_returns({"info": {"episode_lens": [3, 4], "episode_rewards": [1.0, 2.0]}})
    assert fig.axes[0].get_ylabel() == "reward per episode"
    assert fig.axes[0].get_lines()[0].get_ydata().tolist() == [1.0, 2.0]
    with pytest.raises(MissingKeyError, match="episode_lens"):
        viz.episode_returns({"info": {"episode_rewards": [1.0]}})


def test_continuous_states_are_never_categorical(acrobot_log, cartpole_log):
    """Float observations are continuous; a few discrete input pairs are categories."""
    for log in (acrobot_log, cartpole_log):
        assert not viz.is_categorical(read_log(log)["info"]["step_states"])
    assert viz.is_categorical([(0, 1), (1, 0), (0, 1)])
    assert not viz.is_categorical(list(range(200)))


def test_observation_traces_draw_each_dimension_and_the_actions(acrobot_log):
    """One axes per observation dimension (Acrobot: 6) plus actions, over the last episode's steps."""
    data = read_log(acrobot_log)
    fig = viz.observation_traces(data)
    assert len(fig.axes) == 7
    states = np.asarray(data["info"]["step_states"])
    lens = data["info"]["episode_lens"]
    last = states[sum(lens[:-1]) :]
    for i in range(6):
        assert fig.axes[i].get_lines()[0].get_ydata() == pytest.approx(last[:, i])
    actions = np.asarray(data["info"]["step_actions"][sum(lens[:-1]) :], dtype=float)
    assert fig.axes[-1].get_lines()[0].get_ydata() == pytest.approx(actions)
    fig2 = viz.observation_traces(data, max_dims=2, evaluation=True)
    assert len(fig2.axes) == 3 and "first 2 of 6" in fig2.axes[0].get_title()
    assert "evaluation" in fig2.axes[0].get_title()


def test_game_states_of_a_gymnasium_env_are_traces_not_a_heat_map(acrobot_log):
    """game_states on continuous observations draws lines, with no image and few tick labels."""
    ax = viz.game_states(read_log(acrobot_log))
    assert not ax.images and len(ax.get_lines()) == 4
    assert len(ax.get_yticklabels()) < 20


def test_report_of_a_gymnasium_env_shows_returns_and_traces(acrobot_log):
    """The page of a continuous-observation env: returns, weights and traces; no categorical chart."""
    page = open(write_report(acrobot_log), encoding="utf-8").read()
    assert "Return (the game&#x27;s own reward, summed per episode)" in page
    assert "Observations and actions over the last training episode" in page
    assert "Observations and actions over the last evaluation episode (frozen weights)" in page
    assert "Answers per state" not in page and "Learning curve" not in page
    assert "Acrobot-v1" in page and "env return per episode, mean over training" in page


def test_report_of_cartpole_says_what_is_counted(cartpole_log):
    """CartPole: the summary compares the first and last episodes; traces carry the failure bounds."""
    page = open(write_report(cartpole_log), encoding="utf-8").read()
    assert "steps per episode, mean of the first and last 1 episode" not in page
    assert "steps per episode, first and last episode" in page
    assert "Observations and actions over the last training episode" in page
    fig = viz.observation_traces(read_log(cartpole_log))
    assert [ax.get_ylabel() for ax in fig.axes] == ["x [m]", "x' [m/s]", "theta [rad]", "theta' [rad/s]", "action"]
    dashed = [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() == "--"]
    assert sorted(ln.get_ydata()[0] for ln in dashed) == pytest.approx([-2.4, 2.4])


def test_config_values_print_as_their_names():
    """Classes print as their name, objects as their class's name, never with an address."""
    assert _fmt(ImportPath("spikey.snn.neuron.lif:LIF")) == "LIF"
    assert _fmt(Repr("<spikey.snn.reward.tderror.TDError object at 0x7f3a2c1d9e50>")) == "TDError"
    assert _fmt([ImportPath("a.b:C"), Repr("<x.Y object at 0xdeadbeef>")]) == "[C, Y]"
    assert _fmt(Repr("some text")) == "some text"


def test_overlay_curves_mean_and_spread_per_group():
    """Each group's line is the mean of its runs' returns; the band is ± one standard deviation."""
    logs = [
        {"info": {"episode_lens": [1, 1, 1], "episode_env_returns": r}}
        for r in ([1.0, 2.0, 3.0], [3.0, 4.0, 5.0], [10.0, 10.0, 10.0])
    ]
    ax = viz.overlay_curves(logs, ["lr=0.1", "lr=0.1", "lr=0.5"])
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["lr=0.1 (2 runs)", "lr=0.5 (1 run)"]
    assert lines[0].get_ydata().tolist() == [2.0, 3.0, 4.0]
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(1.0) and band.max() == pytest.approx(5.0)
    with pytest.raises(ConfigError, match="one label per log"):
        viz.overlay_curves(logs, ["a"])


def test_overlay_of_single_episode_runs_uses_accuracy(tmp_path):
    """Runs of one long episode (XOR) are compared by their accuracy per game step."""
    logs = [
        read_log(_log(tmp_path, XorTemplate, XorGame, n_episodes=1, len_episode=20, seed=s)) for s in (1, 2)
    ]
    ax = viz.overlay_curves(logs)
    assert ax.get_xlabel() == "game step" and ax.get_ylabel().startswith("accuracy")
    assert len(ax.get_lines()[0].get_ydata()) == 20


def test_summary_rows_compare_first_and_last_tenth_of_training(cartpole_log):
    """With the log, spikey run's summary shows steps and env return, first -> last tenth."""
    data = read_log(cartpole_log)
    rows = dict(summary_rows(data["results"], data))
    lens = data["info"]["episode_lens"]
    assert rows["steps per episode, first -> last tenth of training"] == f"{lens[0]:.4g} -> {lens[-1]:.4g}"
    assert "final steps" not in rows
    assert "ms of network time per game step" in rows["episodes"]


def test_series_report_overlays_configurations_and_folds_runs(tmp_path):
    """A Series page: one overlay with a line per configuration; each run's curve folded away."""
    from spikey.meta import Series

    folder = tmp_path / "series"
    Series(
        XorTemplate,
        XorGame,
        GenericLoop,
        ("learning_rate", [0.05, 0.2]),
        training_params={"n_episodes": 4, "len_episode": 6},
        n_repeats=2,
        seed=0,
        folder=str(folder),
        progress=False,
    ).run()
    page = open(write_report(str(folder)), encoding="utf-8").read()
    assert "Learning curves of 4 runs in 2 configurations" in page
    assert "<details class='runs'><summary>Runs one by one</summary>" in page
    figures = page.index("<h2>Figures</h2>")
    folded = page.index("Runs one by one")
    assert page.count("<img", figures, folded) == 2  # the overlay and the comparison by learning_rate
    assert page.count("<img", folded) == 4  # each run's own curve


def test_population_collapse_is_found_from_its_first_epoch():
    """_collapse_epoch names the first epoch from which every agent shares one genotype."""
    import pandas as pd

    from spikey.viz.report import _collapse_epoch

    table = pd.DataFrame(
        {"epoch": [0, 0, 1, 1, 2, 2], "x": [0.1, 0.5, 0.5, 0.5, 0.5, 0.5], "fitness": [1, 2, 2, 2, 2, 2]}
    )
    assert _collapse_epoch(table, ["x"]) == (1, {"x": 0.5})
    table.loc[5, "x"] = 0.7
    assert _collapse_epoch(table, ["x"]) is None


def test_population_plot_epochs_are_integers():
    """Fitness per epoch has integer epoch ticks."""
    import pandas as pd

    df = pd.DataFrame({"epoch": [0, 0, 1, 1, 2, 2], "agent": [0, 1] * 3, "x": [0.1, 0.2] * 3, "fitness": [1.0] * 6})
    fig = viz.population_plot(df)
    assert all(float(t).is_integer() for t in fig.axes[0].get_xticks())


def test_overlay_of_many_groups_keeps_the_best():
    """With more groups than max_groups, the best by their last tenth are drawn, and the title says so."""
    logs = [{"info": {"episode_lens": [1] * 4, "episode_env_returns": [0.0, 0.0, 0.0, float(k)]}} for k in range(12)]
    ax = viz.overlay_curves(logs, [f"c{k}" for k in range(12)], max_groups=3)
    assert [ln.get_label().split()[0] for ln in ax.get_lines()] == ["c11", "c10", "c9"]
    assert "best 3 of 12 groups" in ax.get_title()

