"""spikey.meta.tune: a 4-trial Ray Tune search on the local runtime (fixed seed), per-episode
reports, param spaces from a Series spec and from GENOTYPE_CONSTRAINTS, validation before Tune."""

from __future__ import annotations

import pytest
from conftest import XorGame, XorTemplate

import spikey
from spikey.errors import ConfigError
from spikey.meta import Series

tune = pytest.importorskip(
    "ray.tune", reason="Ray Tune is not installed (pip install 'spikey-snn[tune]')", exc_type=ImportError
)

from spikey.meta.tune import (  # noqa: E402 - after the skip
    CONFIG_KEY,
    param_space_from_constraints,
    param_space_from_spec,
    trial_seed,
    tune_search,
)

pytestmark = pytest.mark.ray


network_template, game_template = XorTemplate, XorGame



PARAMS = {"n_episodes": 4, "len_episode": 5}
SPEC = ("learning_rate", [0.05, 0.1, 0.2, 0.4])


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """One 4-trial grid search (a Series spec as the param space) with ASHA early stopping."""
    from ray.tune.schedulers import ASHAScheduler

    return tune_search(
        network_template,
        game_template,
        spikey.core.GenericLoop,
        param_space_from_spec(SPEC),
        training_params=PARAMS,
        seed=7,
        metric="mean_accuracy",
        mode="max",
        scheduler=ASHAScheduler(max_t=100, grace_period=1, reduction_factor=2),
        num_cpus=2,
        storage_path=str(tmp_path_factory.mktemp("tune")),
    )


def test_tune_search_runs_four_trials_shaped_like_series(searched):
    """4 trials, each ok or stopped by ASHA, with Series' leading columns and the run's results."""
    df = searched
    assert len(df) == 4 and df["status"].isin(["ok", "stopped"]).all()
    assert ((df["status"] == "stopped") == df["stopped_early"]).all()
    assert list(df.columns[:4]) == ["job", "config", "repeat", "seed"]
    assert sorted(df["learning_rate"]) == [0.05, 0.1, 0.2, 0.4]
    for col in ("mean_accuracy", "mean_reward_per_step", "episode", "stopped_early", "error", "log"):
        assert col in df.columns
    assert df["episode"].between(1, 4).all()
    assert (df["stopped_early"] == (df["episode"] < 4)).all()
    finished = df[~df["stopped_early"]]
    assert len(finished) >= 1 and (finished["n_steps"] == 20).all()  # final report: the run's results


def test_tune_trials_equal_the_same_runs_outside_tune(searched):
    """Each trial's last report equals a plain run of as many episodes with the trial's seed.

    Trials ASHA stopped early are compared with a run of the episodes they got, so the
    per-episode reports are proved to be the running metrics of the training run.
    """
    for _, row in searched.iterrows():
        assert row["seed"] == trial_seed(7, {"learning_rate": row["learning_rate"]})
        loop = spikey.core.GenericLoop(network_template, game_template, None, dict(PARAMS))
        _, _, results, _ = loop(
            seed=int(row["seed"]),
            learning_rate=row["learning_rate"],
            n_episodes=int(row["episode"]),
            progress=False,
        )
        assert results["mean_accuracy"] == pytest.approx(row["mean_accuracy"])
        assert results["mean_reward"] / results["mean_steps"] == pytest.approx(row["mean_reward_per_step"])


def test_param_space_from_constraints_maps_each_kind():
    """(low, high) -> uniform, list -> choice, (start, stop, step) -> choice over the range."""
    space = param_space_from_constraints({"a": (0.0, 1.0), "b": [1, 2], "c": (0, 3, 1)})
    assert (space["a"].lower, space["a"].upper) == (0.0, 1.0)
    assert space["b"].categories == [1, 2]
    assert list(space["c"].categories) == [0, 1, 2]
    with pytest.raises(ConfigError, match=r"GENOTYPE_CONSTRAINTS\['a'\]: expected low < high"):
        param_space_from_constraints({"a": (1.0, 0.0)})


def test_param_space_from_spec_keeps_entries_together():
    """A spec iterating two keys together is one grid of 2 configurations, not a 2x2 product."""
    space = param_space_from_spec([("learning_rate", [0.1, 0.2]), ("n_neurons", [6, 8])])
    assert space[CONFIG_KEY]["grid_search"] == [
        {"learning_rate": 0.1, "n_neurons": 6},
        {"learning_rate": 0.2, "n_neurons": 8},
    ]
    spec = [("learning_rate", [0.1, 0.2]), ("n_neurons", [6, 8])]
    series = Series(network_template, game_template, None, spec, training_params=PARAMS, logging=False)
    assert space[CONFIG_KEY]["grid_search"] == series.configs


def test_invalid_values_fail_before_tune_starts():
    """A bad value in the space is a ConfigError naming the key, before any trial."""
    with pytest.raises(ConfigError, match="learning_rate"):
        tune_search(
            network_template,
            game_template,
            None,
            param_space_from_spec(("learning_rate", ["fast"])),
            training_params=PARAMS,
            seed=0,
        )


def test_rank_trials_puts_stopped_trials_below_completed_ones():
    """A stopped trial with the best metric ranks after every completed trial; failed ones last."""
    import pandas as pd

    from spikey.meta.tune import rank_trials

    df = pd.DataFrame(
        {"job": [0, 1, 2, 3], "status": ["stopped", "ok", "failed", "ok"], "loss": [0.1, 0.5, None, 0.3]}
    )
    ranked = rank_trials(df, "loss", mode="min")
    assert ranked["job"].tolist() == [3, 1, 0, 2] and ranked["rank"].tolist() == [1, 2, 3, 4]
    with pytest.raises(ConfigError, match="no column 'accuracy'"):
        rank_trials(df, "accuracy")

