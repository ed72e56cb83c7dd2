"""The original Spikey README's tracking, logging and reading examples run as written."""

from __future__ import annotations

import os

import numpy as np
import pytest

import spikey


def xor(state) -> int:
    return int(sum(state) % 2)


def td_value(state, action) -> float:
    return 1.0 if action == xor(state) else 0.0


class network_template(spikey.RLNetwork):
    parts = {
        "inputs": spikey.input.RateMap,
        "neurons": spikey.neuron.Neuron,
        "weights": spikey.weight.Random,
        "synapses": spikey.synapse.MSTDPET,
        "readout": spikey.readout.Threshold,
        "rewarder": spikey.reward.TDError,
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
        "expected_value": td_value,
    }


class game_template(spikey.games.Logic):
    config = spikey.games.Logic.PRESETS["XOR"]


training_params = {"n_episodes": 2, "len_episode": 4, "progress": False}


def test_readme_tracking_logging_and_reading(tmp_path, monkeypatch):
    """Tracking signals, logging single/multiple files and reading them back."""
    monkeypatch.chdir(tmp_path)

    # --- Tracking Signals (README) ---
    callback = spikey.core.RLCallback()
    callback.track("network_reward", "info", "td_td", ["network", "rewarder", "prev_td"], "list")
    callback.track("network_reward", "info", "td_reward", ["network", "rewarder", "prev_reward"], "list")
    callback.track("network_reward", "info", "td_value", ["network", "rewarder", "prev_value"], "list")
    training_loop = spikey.core.GenericLoop(network_template, game_template, callback, training_params)
    network, game, results, info = training_loop()
    assert len(info["td_td"]) == 8 and len(info["td_reward"]) == 8

    # --- Logging Data (README) ---
    from spikey.logging import MultiLogger

    ## Single file
    training_loop = spikey.core.GenericLoop(network_template, game_template, training_params)
    network, game, results, info = training_loop()
    training_loop.log()

    ## Multiple files
    logger = MultiLogger(folder=os.path.join("log", "control"))
    for _ in range(10):
        training_loop = spikey.core.GenericLoop(network_template, game_template, training_params)
        network, game, results, info = training_loop()

        logger.log(network, game, results, info)

    logger.summarize()

    # --- Reading logs (README) ---
    reader = spikey.logging.Reader(os.path.join("log", "control"))
    print(reader.df["accuracy"])
    print(reader["step_states"])

    assert len(reader.df) == 10 and reader.df["accuracy"].between(0, 1).all()
    assert reader.df["n_neurons"].dtype == np.int64 and (reader.df["name"] == "XOR").all()
    assert all(len(s) == 8 for s in reader["step_states"])
    assert len(os.listdir("log")) == 2  # the single log and the control folder
    assert any(f.endswith("~SUMMARY.json") for f in os.listdir(os.path.join("log", "control")))


def test_same_seed_same_log(tmp_path):
    """The same seed gives the same results and info (the log's content)."""
    runs = []
    for _ in range(2):
        loop = spikey.core.GenericLoop(network_template, game_template, {**training_params, "seed": 5})
        _, _, results, info = loop()
        runs.append((results, info))
    (r1, i1), (r2, i2) = runs
    r1.pop("total_time", None), r2.pop("total_time", None)
    assert r1 == pytest.approx(r2) and repr(i1["step_states"]) == repr(i2["step_states"])
