"""spikey.viz results plots: learning curves (frozen evaluation marked), Series comparison,
Population plot, weight histograms, game states, the original Spikey's matrices, and the
errors for logs without the needed signal."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from conftest import XorGame, XorTemplate, xor  # noqa: E402

import spikey  # noqa: E402
from spikey import viz  # noqa: E402
from spikey.errors import ConfigError, MissingKeyError  # noqa: E402
from spikey.logging import read_log  # noqa: E402

network_template, game_template = XorTemplate, XorGame



def run_log(folder, reduced=False, **params):
    """Train the small network and write its log; return the decoded log."""
    loop = spikey.core.GenericLoop(
        network_template,
        game_template,
        spikey.core.RLCallback(reduced=reduced),
        {"n_episodes": 6, "len_episode": 8, "eval_episodes": 2, "seed": 4, **params},
    )
    loop(progress=False)
    return read_log(loop.log(folder=str(folder)))


@pytest.fixture(scope="module")
def episodic(tmp_path_factory):
    return run_log(tmp_path_factory.mktemp("ep"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_learning_curve_by_episode_plots_reward_per_step_and_accuracy(episodic, tmp_path):
    """Per episode: reward / steps on the left axis, accuracy on the right, eval episodes shaded."""
    ax = viz.learning_curve(episodic, window=1)
    info = episodic["info"]
    per_step = np.array(info["episode_rewards"]) / np.array(info["episode_lens"])
    lines = ax.get_lines()
    assert np.allclose(lines[1].get_ydata(), per_step)  # window 1: the curve is the data
    assert np.allclose(ax.right.get_lines()[0].get_ydata(), info["episode_accuracy"])
    eval_x = ax.right.get_lines()[1].get_xdata()
    assert list(eval_x) == [7, 8]  # the two frozen-weight episodes come after the six training ones
    assert np.allclose(ax.right.get_lines()[1].get_ydata(), info["eval_episode_accuracy"])
    spans = [p for p in ax.patches if p.get_xy() is not None]
    assert spans, "the frozen-weight evaluation is shaded"
    assert any("frozen" in t.get_text() for t in ax.texts)
    ax.figure.savefig(tmp_path / "lc.png")
    assert (tmp_path / "lc.png").stat().st_size > 5000


def test_learning_curve_by_step_uses_step_correctness(tmp_path):
    """One long episode: moving averages over game steps; accuracy = action == XOR(state)."""
    data = run_log(tmp_path, n_episodes=1, len_episode=40, eval_episodes=0)
    ax = viz.learning_curve(data, window=5)
    states, actions = data["info"]["step_states"], data["info"]["step_actions"]
    correct = np.array([int(a) == xor(s) for s, a in zip(states, actions)], dtype=float)
    assert np.array_equal(viz.step_correct(data), correct.astype(bool))
    expected = [correct[max(0, i - 4) : i + 1].mean() for i in range(len(correct))]
    assert np.allclose(ax.right.get_lines()[0].get_ydata(), expected)
    assert ax.get_xlabel() == "game step"


def test_learning_curve_marks_frozen_accuracy_of_spikey_run(episodic):
    """results['frozen_accuracy'] (spikey run's evaluate) is a star labelled with its value."""
    data = {**episodic, "results": {**episodic["results"], "frozen_accuracy": 0.75}}
    ax = viz.learning_curve(data)
    star = [ln for ln in ax.right.get_lines() if ln.get_marker() == "*"]
    assert len(star) == 1 and star[0].get_ydata()[0] == 0.75 and "0.75" in star[0].get_label()


def test_missing_signal_names_key_and_callback(episodic, tmp_path):
    """A log without the signal raises MissingKeyError naming the key and the callback."""
    bare = {"network": {}, "game": {}, "results": {}, "info": {}}
    with pytest.raises(MissingKeyError, match=r"info\['episode_rewards'\].*spikey\.core\.RLCallback"):
        viz.learning_curve(bare)
    reduced = run_log(tmp_path, reduced=True)
    with pytest.raises(MissingKeyError, match=r"info\['weights_start'\].*RLCallback\(reduced=False\)"):
        viz.weight_histograms(reduced)
    with pytest.raises(MissingKeyError, match=r"info\['step_states'\].*RLCallback\(reduced=False\)"):
        viz.game_states(reduced)
    with pytest.raises(MissingKeyError, match=r"info\['step_rewards'\]"):
        viz.learning_curve(reduced, by="step")


def test_weight_histograms_count_every_synapse_before_and_after(episodic):
    """Both histograms hold one count per synapse (nonzero before or after), on shared bins."""
    ax = viz.weight_histograms(episodic, bins=10)
    start, final = episodic["info"]["weights_start"], episodic["info"]["weights_final"]
    n = int(((start != 0) | (final != 0)).sum())
    before, after = ax.patches[0], ax.patches[1]
    assert len(ax.patches) == 2 and f"({n} synapses)" in ax.get_title()
    assert before.get_label().startswith("before") and after.get_label().startswith("after")
    counts_before = np.histogram(start[(start != 0) | (final != 0)], bins=10)[0]
    heights = before.get_xy()[1:-1:2, 1]  # step outline: two vertices per bin
    assert np.allclose(heights, counts_before)


def test_series_comparison_mean_and_spread_per_value():
    """Error bars are the mean and std over repeats of each parameter value; failed rows left out."""
    df = pd.DataFrame(
        {
            "learning_rate": [0.1, 0.1, 0.2, 0.2, 0.2],
            "status": ["ok", "ok", "ok", "ok", "failed"],
            "mean_accuracy": [0.5, 0.7, 0.8, 1.0, 0.0],
        }
    )
    ax = viz.series_comparison(df, "learning_rate")
    line = ax.containers[0].lines[0]
    assert np.allclose(line.get_xdata(), [0.1, 0.2]) and np.allclose(line.get_ydata(), [0.6, 0.9])
    segments = ax.containers[0].lines[2][0].get_segments()
    assert np.allclose([s[1][1] - s[0][1] for s in segments], [0.2, 0.2])  # 2 std
    assert len(ax.collections[0].get_offsets()) == 4
    with pytest.raises(MissingKeyError, match="no column 'tau'"):
        viz.series_comparison(df, "tau")


def test_series_comparison_on_a_series_run():
    """A Series that has run is plotted against its varied attribute by default."""
    series = spikey.meta.Series(
        network_template,
        game_template,
        None,
        ("learning_rate", [0.05, 0.2]),
        training_params={"n_episodes": 1, "len_episode": 4},
        n_repeats=2,
        seed=0,
        logging=False,
    )
    series.run()
    ax = viz.series_comparison(series)
    assert ax.get_xlabel() == "learning_rate" and ax.get_ylabel() == "mean_accuracy"


class Quadratic(spikey.meta.MetaRL):
    GENOTYPE_CONSTRAINTS = {"x": (-1.0, 1.0), "y": [0, 1, 2]}

    def get_fitness(self, genotype):
        return -(genotype["x"] ** 2) + genotype["y"], False


def test_population_plot_best_mean_and_spread():
    """Best and mean lines are the per-epoch max and mean; one spread line per numeric gene."""
    population = spikey.meta.Population(Quadratic(), n_agents=6, n_epoch=3, seed=2, logging=False)
    population.run()
    fig = viz.population_plot(population)
    ax_f, ax_g = fig.axes
    df = population.to_dataframe()
    best = [ln for ln in ax_f.get_lines() if ln.get_label() == "best"][0]
    mean = [ln for ln in ax_f.get_lines() if ln.get_label() == "mean"][0]
    assert np.allclose(best.get_ydata(), df.groupby("epoch")["fitness"].max())
    assert np.allclose(mean.get_ydata(), df.groupby("epoch")["fitness"].mean())
    assert sorted(ln.get_label() for ln in ax_g.get_lines()) == ["x", "y"]
    spread_x = df.groupby("epoch")["x"].std(ddof=0) / (df["x"].max() - df["x"].min())
    assert np.allclose([ln for ln in ax_g.get_lines() if ln.get_label() == "x"][0].get_ydata(), spread_x)


def test_original_spikey_matrices_count_by_brute_force():
    """state_transition_matrix / state_action_counts equal explicit counting."""
    rng = np.random.default_rng(0)
    states = [tuple(int(v) for v in rng.integers(0, 2, 2)) for _ in range(200)]
    actions = [int(a) for a in rng.integers(0, 2, 200)]
    su, au = sorted(set(states)), sorted(set(actions))
    t = viz.state_transition_matrix(states)
    for i, a in enumerate(su):
        for j, b in enumerate(su):
            assert t[i, j] == sum(1 for p, q in zip(states, states[1:]) if p == a and q == b)
    c = viz.state_action_counts(states, actions)
    assert c.sum() == 200 and all(
        c[i, j] == sum(1 for s, x in zip(states, actions) if s == a and x == b)
        for i, a in enumerate(su)
        for j, b in enumerate(au)
    )
    with pytest.raises(ConfigError, match="3 states but 2 actions"):
        viz.state_action_counts(states[:3], actions[:2])


def test_game_states_logic_heat_map_and_cartpole_episode(episodic, tmp_path):
    """Logic: shares of answers per input pair; CartPole: x and theta of the last episode."""
    ax = viz.game_states(episodic)
    counts = viz.state_action_counts(episodic["info"]["step_states"], episodic["info"]["step_actions"])
    assert np.allclose(ax.images[0].get_array(), counts / counts.sum(axis=1, keepdims=True))
    assert "XOR" in ax.get_title()

    from spikey.experiments import cartpole

    loop = spikey.core.GenericLoop(
        cartpole.network_template,
        cartpole.game_template,
        spikey.core.RLCallback(),
        {"n_episodes": 2, "len_episode": 30, "seed": 1},
    )
    loop(progress=False)
    data = read_log(loop.log(folder=str(tmp_path)))
    ax = viz.game_states(data)
    lens = data["info"]["episode_lens"]
    last = np.array(data["info"]["step_states"][lens[0] :])
    assert np.allclose(ax.get_lines()[0].get_ydata(), last[:, 0])
    assert np.allclose(ax.get_lines()[1].get_ydata(), last[:, 2])
    assert f"{lens[-1]} steps balanced" in ax.get_title()


def test_delay_embedding_coordinates():
    """2-D: points (x(t), x(t - lag)); 3-D adds x(t - 2 lag); bad lags are rejected."""
    x = np.sin(np.arange(50) / 3)
    ax = viz.delay_embedding(x, lag=2)
    line = ax.get_lines()[0]
    assert np.allclose(line.get_xdata(), x[2:]) and np.allclose(line.get_ydata(), x[:-2])
    ax3 = viz.delay_embedding(x, lag=1, dimensions=3)
    assert ax3.name == "3d"
    with pytest.raises(ConfigError, match="lag: expected an int >= 1"):
        viz.delay_embedding(x, lag=0)
