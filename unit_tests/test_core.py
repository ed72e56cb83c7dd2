"""Training loops (spikey.core.training_loop) and the log writer (spikey.core.writer)."""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest
from conftest import KEYS, PARTS, TinyRL

import spikey
from spikey.core import ExperimentCallback, GenericLoop, RLCallback, TrainingLoop, check_actions
from spikey.core.training_loop import progress_enabled
from spikey.core.writer import write_log
from spikey.errors import ConfigError, MissingKeyError, SpikeyError
from spikey.games import CartPole, Logic
from spikey.logging import read_log
from spikey.rng import derive_seed


class TinyPlain(spikey.network.Network):
    """The same network without a rewarder (no reward method)."""

    parts = dict(PARTS)
    keys = {k: v for k, v in KEYS.items() if k != "learning_rate"} | {"learning_rate": 0.0}


class Counter(ExperimentCallback):
    """Counts hook calls."""

    def reset(self, **params):
        super().reset(**params)
        self.counts = {}

    def _count(self, name):
        self.counts[name] = self.counts.get(name, 0) + 1

    def network_reset(self):
        self._count("network_reset")

    def network_tick(self, state, action):
        self._count("network_tick")

    def game_reset(self, state):
        self._count("game_reset")

    def game_step(self, action, state, reward, done, info):
        self._count("game_step")

    def training_loop_episode_end(self, episode, n_steps):
        self._count("episode_end")

    def training_end(self):
        self._count("training_end")


def xor_params(**extra):
    return {"n_episodes": 3, "len_episode": 7, "seed": 0, "preset": "XOR", **extra}


def strip_time(results):
    return {k: v for k, v in results.items() if k != "total_time"}


def assert_info_equal(a, b):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_equal(a[key], b[key], err_msg=key)


# --------------------------------------------------------------------------- running


def test_runs_requested_episodes_and_steps():
    """n_episodes + eval_episodes episodes of len_episode steps each, all hooks fired."""
    cb = Counter()
    loop = GenericLoop(TinyRL, Logic, cb, xor_params(eval_episodes=2))
    network, game, results, info = loop()
    assert cb.counts == {
        "network_reset": 5,
        "game_reset": 5,
        "network_tick": 35,
        "game_step": 35,
        "episode_end": 5,
        "training_end": 1,
    }
    assert results["n_episodes"] == 3 and results["eval_episodes"] == 2 and results["seed"] == 0
    assert isinstance(network, TinyRL) and isinstance(game, Logic)


def test_done_ends_episode_early():
    """An episode stops at the step where the game reports done."""
    loop = GenericLoop(TinyRL, Logic, RLCallback(), xor_params(len_episode=10, max_steps=4))
    _, _, results, info = loop()
    assert info["episode_lens"] == [4, 4, 4]
    assert results["n_steps"] == 12 and results["final_steps"] == 4


def test_cartpole_steps_balanced_and_no_accuracy():
    """With CartPole, episodes end when the pole falls; steps are recorded, accuracy is not."""

    class PoleNet(TinyRL):
        parts = {**PARTS, "rewarder": spikey.reward.MatchExpected}
        keys = {
            **KEYS,
            "n_inputs": 2,
            "state_rate_map": lambda s: [float(s[2] > 0), float(s[2] <= 0)],
            "expected_value": lambda s: int(s[2] > 0),
        }

    params = {"n_episodes": 3, "len_episode": 200, "seed": 1, "preset": "CartPole-v1"}
    _, _, results, info = GenericLoop(PoleNet, CartPole, RLCallback(), params)()
    lens = info["episode_lens"]
    assert len(lens) == 3 and all(1 <= n < 200 for n in lens)
    assert results["mean_steps"] == pytest.approx(np.mean(lens))
    assert results["final_steps"] == lens[-1]
    # CartPole-v1 pays 1 per step; the network's rewards are its own (MatchExpected)
    assert "accuracy" not in results and "episode_accuracy" not in info


def test_eval_episodes_leave_weights_bit_identical():
    """Learning changes weights in training; eval episodes leave them bit-identical."""

    class Snap(RLCallback):
        def reset(self, **params):
            super().reset(**params)
            self.snaps = []

        def network_reset(self):
            super().network_reset()
            self.snaps.append((self.network.training, self.network.weights.matrix.copy()))

    cb = Snap()
    network, _, results, info = GenericLoop(TinyRL, Logic, cb, xor_params(eval_episodes=3))()
    train = [m for training, m in cb.snaps if training]
    evals = [m for training, m in cb.snaps if not training]
    assert len(train) == 3 and len(evals) == 3
    assert not np.array_equal(info["weights_start"], evals[0]), "training should change weights"
    for m in evals[1:] + [network.weights.matrix]:
        assert np.array_equal(m, evals[0])
    assert network.training, "the network is back in training mode after evaluation"
    assert len(info["eval_episode_lens"]) == 3 and 0.0 <= results["eval_accuracy"] <= 1.0


def test_same_seed_same_results_different_seed_differs():
    """The same seed reproduces results and info exactly; another seed does not."""
    loop = GenericLoop(TinyRL, Logic, RLCallback(), xor_params(eval_episodes=1))
    n1, _, r1, i1 = loop()
    n2, _, r2, i2 = loop()
    assert strip_time(r1) == strip_time(r2)
    assert_info_equal(i1, i2)
    assert np.array_equal(n1.weights.matrix, n2.weights.matrix)
    _, _, r3, i3 = loop(seed=1)
    assert i3["step_states"] != i1["step_states"]


def test_seeds_derive_from_the_run_seed():
    """Network and game seeds are derive_seed(seed, 'network' / 'game')."""
    network, game, results, _ = GenericLoop(TinyRL, Logic, RLCallback(), xor_params(seed=42))()
    assert network.params["seed"] == derive_seed(42, "network")
    assert game.params["seed"] == derive_seed(42, "game")


def test_seed_none_is_drawn_logged_and_replayable():
    """Without a seed each call draws one, stores it in results, and it replays the run."""
    loop = GenericLoop(TinyRL, Logic, RLCallback(), xor_params(seed=None))
    _, _, r1, i1 = loop()
    _, _, r2, _ = loop()
    assert isinstance(r1["seed"], int) and r1["seed"] != r2["seed"]
    _, _, r3, i3 = loop(seed=r1["seed"])
    assert_info_equal(i1, i3)


def test_spikey_call_shape_third_argument_is_training_params():
    """GenericLoop(network, game, training_params) (README logging example) works."""
    loop = GenericLoop(TinyRL, Logic, xor_params(n_episodes=2))
    assert isinstance(loop.callback, RLCallback)
    _, _, results, info = loop()
    assert len(info["episode_lens"]) == 2 and results["n_episodes"] == 2
    with pytest.raises(ConfigError, match="both as the third argument"):
        GenericLoop(TinyRL, Logic, xor_params(), training_params=xor_params())


def test_kwargs_and_call_overrides():
    """Keyword params and per-call params override training_params for that run only."""
    loop = GenericLoop(TinyRL, Logic, RLCallback(), xor_params(), n_episodes=2)
    assert loop.params["n_episodes"] == 2
    _, _, _, info = loop(n_episodes=1, learning_rate=0.0)
    assert len(info["episode_lens"]) == 1
    assert np.array_equal(info["weights_start"], info["weights_final"]), "learning_rate=0 freezes weights"
    _, _, _, info = loop()
    assert len(info["episode_lens"]) == 2
    assert not np.array_equal(info["weights_start"], info["weights_final"])


def test_game_params_flow_into_network():
    """The game's expected_value reaches the network's rewarder; preset is not a network key."""
    network, game, _, _ = GenericLoop(TinyRL, Logic, RLCallback(), xor_params(preset="AND"))()
    assert network.rewarder._expected_value is spikey.games.logic.and_gate
    assert game.params["name"] == "AND"


def test_callback_class_is_built_with_its_keys():
    """A callback class is instantiated with the config; its keys are not network keys."""
    loop = GenericLoop(TinyRL, Logic, RLCallback, xor_params(reduced=True))
    assert isinstance(loop.callback, RLCallback) and loop.callback._reduced is True
    _, _, _, info = loop()
    assert "step_actions" not in info and "weights_final" not in info


def test_non_rl_network_counts_game_rewards():
    """For a network without reward(), RLCallback totals the game's rewards."""
    _, _, results, info = GenericLoop(TinyPlain, Logic, RLCallback(), xor_params())()
    # Logic pays 1 for a correct answer and 0 otherwise: total reward == correct answers
    expected = [
        sum(Logic.PRESETS["XOR"]["expected_value"](s) == a for s, a in zip(states, actions))
        for states, actions in _split(info["step_states"], info["step_actions"], info["episode_lens"])
    ]
    assert info["episode_rewards"] == [float(x) for x in expected]
    assert info["episode_accuracy"] == [x / 7 for x in expected]


def _split(states, actions, lens):
    start = 0
    for n in lens:
        yield states[start : start + n], actions[start : start + n]
        start += n


def test_template_needs_run_and_custom_run_works():
    """TrainingLoop.run is abstract; a subclass's run gets built, bound parts."""
    with pytest.raises(NotImplementedError, match="run"):
        TrainingLoop(TinyRL, Logic, seed=0, preset="XOR")()

    class OneStep(TrainingLoop):
        def run(self, network, game, params):
            assert self.callback.network is network and self.callback.game is game
            network.reset()
            network.tick(game.reset())

    _, _, _, info = OneStep(TinyRL, Logic, RLCallback(), {"seed": 0, "preset": "XOR"})()
    assert info["episode_lens"] == [1]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("value", [0, -3])
def test_non_positive_n_episodes_rejected(value):
    """n_episodes <= 0 fails at construction with the key, value and expectation."""
    with pytest.raises(
        ConfigError, match=rf"GenericLoop.n_episodes: expected an int >= 1; got {value} \(int\)"
    ):
        GenericLoop(TinyRL, Logic, RLCallback(), xor_params(n_episodes=value))


def test_missing_len_episode_rejected():
    """A missing required loop key names the key."""
    with pytest.raises(MissingKeyError, match="len_episode"):
        GenericLoop(TinyRL, Logic, RLCallback(), {"n_episodes": 2})


def test_readout_actions_outside_game_action_space_rejected_before_training():
    """Threshold.output_range with an action the game does not have fails at construction."""

    class Bad(TinyRL):
        keys = {**KEYS, "output_range": [0, 2]}

    cb = Counter()
    with pytest.raises(ConfigError, match=r"can produce action 2 \(Threshold.output_range=\[0, 2\]\).*Logic"):
        GenericLoop(Bad, Logic, cb, xor_params())
    assert cb.counts == {}, "nothing ran"
    # without the construction check, the call still fails before any step
    loop = GenericLoop(Bad, Logic, cb, xor_params(), check=False)
    with pytest.raises(ConfigError, match="action_space"):
        loop()
    assert "network_tick" not in cb.counts


def test_check_actions_topaction_and_gymnasium_spaces():
    """TopAction's n_actions and gymnasium spaces are checked like Threshold and Discrete."""
    import types

    gym_spaces = pytest.importorskip("gymnasium.spaces")
    top = types.SimpleNamespace(readout=spikey.readout.TopAction(n_outputs=3, n_actions=3))
    with pytest.raises(ConfigError, match=r"action 2 \(TopAction.n_actions=3\).*Discrete\(2\)"):
        check_actions(top, Logic(preset="XOR", seed=0))
    check_actions(top, types.SimpleNamespace(action_space=gym_spaces.Discrete(3)))
    with pytest.raises(ConfigError, match="action 2"):
        check_actions(top, types.SimpleNamespace(action_space=gym_spaces.Discrete(2)))
    rates = types.SimpleNamespace(readout=spikey.readout.NeuronRates(n_outputs=2, n_actions=2))
    check_actions(rates, Logic(seed=0))  # continuous readouts are not checked


def test_bool_output_range_fits_discrete_actions():
    """output_range [False, True] fits Logic's Discrete(2) (True is 1)."""

    class Boolish(TinyRL):
        keys = {**KEYS, "output_range": [False, True]}

    GenericLoop(Boolish, Logic, RLCallback(), xor_params(n_episodes=1))()


def test_unclaimed_override_is_reported():
    """A training param nobody uses reaches the network's unclaimed-key check."""
    with pytest.warns(spikey.errors.UnclaimedKeyWarning, match="learnig_rate.*did you mean 'learning_rate'"):
        GenericLoop(TinyRL, Logic, RLCallback(), xor_params(learnig_rate=0.1))


def test_bad_templates_and_params_rejected():
    """Non-callable templates and non-dict training_params are rejected by name."""
    with pytest.raises(ConfigError, match="network class"):
        GenericLoop(None, Logic, RLCallback(), xor_params())
    with pytest.raises(ConfigError, match="training_params as a dict"):
        GenericLoop(TinyRL, Logic, RLCallback(), training_params=[1, 2])


# --------------------------------------------------------------------------- logging


def test_log_written_as_json_with_sections(tmp_path):
    """loop.log writes valid JSON named YYYY-MM-DD-HH-MM.json; it reads back exactly."""
    loop = GenericLoop(TinyRL, Logic, RLCallback(), xor_params(eval_episodes=1))
    network, _, results, info = loop()
    path = loop.log(folder=str(tmp_path))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}\.json", os.path.basename(path))
    with open(path) as f:
        raw = json.load(f)
    assert {"network", "game", "results", "info"} <= set(raw)
    data = read_log(path)
    assert data["network"]["n_neurons"] == 6 and data["network"]["seed"] == network.params["seed"]
    assert data["network"]["expected_value"] == "spikey.games.logic:xor_gate"
    assert data["game"]["name"] == "XOR"
    assert data["results"] == results
    assert data["info"]["episode_lens"] == info["episode_lens"]
    assert data["info"]["step_states"] == info["step_states"]
    w = data["info"]["weights_final"]
    assert w.dtype == info["weights_final"].dtype and np.array_equal(w, info["weights_final"])
    second = loop.log(folder=str(tmp_path))
    assert second != path and os.path.exists(second), "a second log never overwrites the first"
    assert sorted(os.listdir(tmp_path)) == sorted(os.path.basename(p) for p in (path, second))


def test_log_before_run_raises():
    """Logging before the loop ran is an error, not an empty file."""
    loop = GenericLoop(TinyRL, Logic, RLCallback(), xor_params())
    with pytest.raises(SpikeyError, match="run the loop first"):
        loop.log()


def test_write_log_is_the_single_writer(tmp_path, monkeypatch):
    """loop.log and callback.log both go through spikey.core.writer.write_log."""
    seen = []
    monkeypatch.setattr(spikey.core.writer, "write_log", lambda *a, **kw: seen.append((a, kw)) or "p")
    loop = GenericLoop(TinyRL, Logic, RLCallback(), xor_params(n_episodes=1))
    network, game, _, _ = loop()
    assert loop.log(folder="f") == "p" and loop.callback.log(filename="x.json") == "p"
    (args, kw), (args2, kw2) = seen
    assert args[0] is network and args[1] is game and args[2] is loop.callback.results
    assert kw == {"folder": "f"} and kw2 == {"filename": "x.json"}


def test_write_log_explicit_filename(tmp_path):
    """An explicit filename is used inside folder."""
    path = write_log(
        None, None, {"x": np.int64(1)}, {"y": np.zeros(2)}, folder=str(tmp_path), filename="run.json"
    )
    assert path == os.path.join(str(tmp_path), "run.json")
    data = read_log(path)
    assert data["results"]["x"] == 1 and np.array_equal(data["info"]["y"], np.zeros(2))


# --------------------------------------------------------------------------- progress


def test_progress_enabled_rules(monkeypatch):
    """SPIKEY_PROGRESS=0 wins; progress decides; auto means stderr is a terminal."""

    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("SPIKEY_PROGRESS", raising=False)
    assert progress_enabled(None) is False  # pytest captures stderr: not a terminal
    assert progress_enabled(True) is True
    monkeypatch.setattr("sys.stderr", Tty())
    assert progress_enabled(None) is True and progress_enabled(False) is False
    monkeypatch.setenv("SPIKEY_PROGRESS", "0")
    assert progress_enabled(None) is False and progress_enabled(True) is False


def test_progress_bar_only_when_asked(capsys, monkeypatch):
    """A bar is drawn on stderr with progress=True and not by default off a terminal."""
    monkeypatch.delenv("SPIKEY_PROGRESS", raising=False)
    GenericLoop(TinyRL, Logic, RLCallback(), xor_params(n_episodes=2))()
    assert capsys.readouterr().err == ""
    GenericLoop(TinyRL, Logic, RLCallback(), xor_params(n_episodes=2, progress=True))()
    assert "GenericLoop" in capsys.readouterr().err
