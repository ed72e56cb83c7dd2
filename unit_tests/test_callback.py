"""Callbacks (spikey.core.callback): hooks, runtime tracking, RLCallback summaries."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from conftest import KEYS, PARTS, TinyRL

import spikey
from spikey.core import ExperimentCallback, GenericLoop, RLCallback, TDCallback
from spikey.errors import ConfigError
from spikey.games import Logic
from spikey.games.logic import xor_gate
from spikey.logging import read_log


def td_value(state, action):
    return float(action == xor_gate(state))


class TinyTD(spikey.network.RLNetwork):
    parts = {**PARTS, "rewarder": spikey.reward.TDError}
    keys = {**KEYS, "expected_value": td_value, "gamma": 0.5}


PARAMS = {"n_episodes": 2, "len_episode": 6, "seed": 3, "preset": "XOR"}


class Recorder(ExperimentCallback):
    """Records every argument its hooks receive."""

    def reset(self, **params):
        super().reset(**params)
        self.calls = {}

    def _rec(self, name, *args):
        self.calls.setdefault(name, []).append(copy.deepcopy(args))

    def network_tick(self, state, action):
        self._rec("network_tick", state, action)

    def network_reward(self, state, action, reward):
        self._rec("network_reward", state, action, reward)

    def game_reset(self, state):
        self._rec("game_reset", state)

    def game_step(self, action, state, reward, done, info):
        self._rec("game_step", action, state, reward, done, info)

    def training_loop_step(self, state, action, state_next, reward, done):
        self._rec("training_loop_step", state, action, state_next, reward, done)


def run(callback, network=TinyRL, **params):
    return GenericLoop(network, Logic, callback, {**PARAMS, **params})()


# --------------------------------------------------------------------------- hooks


def test_undefined_hooks_are_noops_other_names_are_not():
    """network_/game_/training_ hooks a callback lacks are no-ops; other names raise."""
    cb = ExperimentCallback()
    assert cb.network_anything(1, 2, x=3) is None
    assert cb.game_render() is None and cb.training_loop_whatever() is None
    with pytest.raises(AttributeError, match="not_a_hook"):
        cb.not_a_hook  # noqa: B018


def test_hooks_receive_inputs_and_outputs():
    """Hooks get (inputs..., outputs...): ticks, game steps and rewards agree with each other."""
    cb = Recorder()
    run(cb)
    ticks, steps, rewards = cb.calls["network_tick"], cb.calls["game_step"], cb.calls["network_reward"]
    loop_steps = cb.calls["training_loop_step"]
    assert len(ticks) == len(steps) == len(rewards) == len(loop_steps) == 12
    resets = cb.calls["game_reset"]
    assert len(resets) == 2 and ticks[0][0] == resets[0][0] and ticks[6][0] == resets[1][0]
    for (state, action), (g_action, g_state, g_reward, done, info), (r_state, r_action, reward), ls in zip(
        ticks, steps, rewards, loop_steps
    ):
        assert g_action == action and r_state == state and r_action == action
        assert g_reward == float(action == xor_gate(state)) and not done  # Logic's own reward
        assert info["correct"] == (action == xor_gate(state))
        assert reward == (1.0 if action == xor_gate(state) else -1.0)  # MatchExpected's
        assert ls[0] == state and ls[1] == action and ls[2] == g_state and ls[3] == g_reward
    # the next tick sees the state the game step returned
    for i in range(5):
        assert ticks[i + 1][0] == steps[i][1]


def test_callback_binds_network_and_game():
    """After a run the callback is bound to the returned network and game."""
    cb = ExperimentCallback()
    network, game, _, _ = run(cb)
    assert cb.network is network and cb.game is game


# --------------------------------------------------------------------------- tracking


def test_track_list_and_scalar_equal_observed_values():
    """'list' appends each call's value, 'scalar' keeps the last, as the hooks saw them."""
    cb = Recorder()
    cb.track("network_tick", "info", "actions", ["arg", 1], "list")
    cb.track("network_tick", "info", "states", ["arg_0"], "list")
    cb.track("network_reward", "results", "last_reward", ["arg", 2], "scalar")
    cb.track("network_reward", "info", "first_state_bit", ["arg", 0, 0], "list")
    _, _, results, info = run(cb)
    assert info["actions"] == [a for _, a in cb.calls["network_tick"]]
    assert info["states"] == [s for s, _ in cb.calls["network_tick"]]
    assert results["last_reward"] == cb.calls["network_reward"][-1][2]
    assert info["first_state_bit"] == [s[0] for s, _, _ in cb.calls["network_reward"]]


def test_track_readme_td_example():
    """The README's TD tracking: prev_td/prev_reward/prev_value per reward call."""
    cb = RLCallback()
    cb.track("network_reward", "info", "td_td", ["network", "rewarder", "prev_td"], "list")
    cb.track("network_reward", "info", "td_reward", ["network", "rewarder", "prev_reward"], "list")
    cb.track("network_reward", "info", "td_value", ["network", "rewarder", "prev_value"], "list")
    _, _, _, info = run(cb, network=TinyTD)
    assert len(info["td_td"]) == 12
    assert info["td_td"] == info["step_rewards"]  # a TD network's reward is the TD error
    assert info["td_reward"] == [td_value(s, a) for s, a in zip(info["step_states"], info["step_actions"])]
    assert info["td_value"][0] == 0.0 and any(v != 0.0 for v in info["td_value"])


def test_tdcallback_tracks_td_values():
    """TDCallback records td_td equal to the rewards."""
    _, _, _, info = run(TDCallback(), network=TinyTD)
    assert info["td_td"] == info["step_rewards"] and len(info["td_value"]) == 12


def test_track_key_names_and_snapshots():
    """A part's key name resolves to its value; arrays are copied at each call."""
    cb = ExperimentCallback()
    cb.track("network_reward", "results", "lr", ["network", "synapses", "learning_rate"], "scalar")
    cb.track("network_reward", "info", "w", ["network", "weights", "matrix"], "list")
    cb.track("network_tick", "info", "potentials", ["network", "neurons", "potentials"], "list")
    network, _, results, info = run(cb)
    assert results["lr"] == 0.5
    assert len(info["w"]) == 12 and not np.array_equal(info["w"][0], info["w"][-1])
    assert (
        np.array_equal(info["w"][-1], network.weights.matrix) and info["w"][-1] is not network.weights.matrix
    )
    assert len(info["potentials"]) == 12 and info["potentials"][0].shape == (6,)


def test_callable_target_and_training_end_hook():
    """A callable target is called; training_end fires once at the end."""
    cb = ExperimentCallback()
    calls = []
    cb.track("training_end", "results", "marker", lambda: calls.append(1) or len(calls), "scalar")
    _, _, results, _ = run(cb)
    assert results["marker"] == 1 and calls == [1]


def test_bad_target_path_fails_at_construction_naming_path():
    """A missing attribute fails before training, naming the path and listing what exists."""
    cb = Recorder()
    cb.track("network_reward", "info", "td", ["network", "rewarder", "prev_tdd"], "list")
    with pytest.raises(ConfigError) as err:
        GenericLoop(TinyTD, Logic, cb, PARAMS)
    msg = str(err.value)
    assert (
        "['network', 'rewarder', 'prev_tdd']" in msg and "network.rewarder (TDError) has no 'prev_tdd'" in msg
    )
    assert "did you mean 'prev_td'" in msg and "it has:" in msg and "prev_value" in msg
    assert "network_tick" not in cb.calls


def test_bad_target_added_after_construction_fails_before_training():
    """A tracker added later is checked when bound at the call, before any step."""
    cb = Recorder()
    loop = GenericLoop(TinyRL, Logic, cb, PARAMS)
    cb.track("game_step", "info", "x", ["game", "no_such_thing"], "list")
    with pytest.raises(ConfigError, match=r"game \(Logic\) has no 'no_such_thing'; it has: .*steps"):
        loop()
    assert "network_tick" not in cb.calls and "game_step" not in cb.calls


def test_track_on_bound_callback_is_checked_at_once():
    """track() on an already bound callback checks the path immediately."""
    cb = ExperimentCallback()
    run(cb)
    with pytest.raises(ConfigError, match="has no 'neuronz'.*did you mean 'neurons'"):
        cb.track("network_tick", "info", "x", ["network", "neuronz"], "list")


@pytest.mark.parametrize(
    "args, match",
    [
        (("network_tick", "info", "a", ["arg", 2]), "network_tick has 2 arguments; expected an index in"),
        (("network_tick", "table", "a", ["arg", 0]), "expected location 'results' or 'info'; got 'table'"),
        (("network_tick", "info", "a", ["arg", 0], "mean"), "expected method 'list' or 'scalar'; got 'mean'"),
        (("netwrok_tick", "info", "a", ["arg", 0]), "hook 'netwrok_tick'.*did you mean 'network_tick'"),
        (("network_tick", "info", "a", []), "non-empty list"),
        (("network_tick", "info", "a", ""), "non-empty list"),
        (("network_tick", "info", "a", ["arg"]), "argument index >= 0"),
        (("network_tick", "info", "a", ["network", 1.5]), "names \\(str\\) or indices"),
    ],
)
def test_track_rejects_bad_arguments(args, match):
    """Bad hook, location, method or target shape fails at track() time."""
    with pytest.raises(ConfigError, match=match):
        ExperimentCallback().track(*args)


def test_callbacks_never_steer():
    """The same seed gives the same run with a blank callback or a tracking RLCallback."""
    blank = ExperimentCallback()
    busy = RLCallback()
    busy.track("network_tick", "info", "w", ["network", "weights", "matrix"], "list")
    busy.track("game_step", "info", "s", ["game", "state"], "list")
    rec = Recorder()
    n1, g1, _, _ = run(blank)
    n2, g2, _, _ = run(busy)
    n3, g3, _, _ = run(rec)
    assert np.array_equal(n1.weights.matrix, n2.weights.matrix)
    assert np.array_equal(n1.weights.matrix, n3.weights.matrix)
    assert g1.state == g2.state == g3.state


def test_tracked_callback_copies_and_pickles():
    """A callback with trackers survives deepcopy and pickle, and still tracks."""
    cb = ExperimentCallback()
    cb.track("network_tick", "info", "actions", ["arg", 1], "list")
    for clone in (copy.deepcopy(cb), pickle.loads(pickle.dumps(cb))):
        clone.network_tick((0, 1), 1)
        assert clone.info["actions"] == [1]
    assert cb.info["actions"] == []


# --------------------------------------------------------------------------- RLCallback


def test_rlcallback_accuracy_and_rewards_match_steps():
    """Accuracy uses the game's expected value; totals match the per-step lists."""
    _, _, results, info = run(RLCallback(), eval_episodes=1)
    states, actions, rewards = info["step_states"], info["step_actions"], info["step_rewards"]
    correct = [a == xor_gate(s) for s, a in zip(states, actions)]
    assert info["episode_accuracy"] == [sum(correct[:6]) / 6, sum(correct[6:]) / 6]
    assert results["accuracy"] == info["episode_accuracy"][-1]
    assert results["mean_accuracy"] == pytest.approx(sum(correct) / 12)
    assert info["episode_rewards"] == [sum(rewards[:6]), sum(rewards[6:])]
    assert results["mean_reward"] == pytest.approx(np.mean(info["episode_rewards"]))
    eval_correct = [a == xor_gate(s) for s, a in zip(info["eval_step_states"], info["eval_step_actions"])]
    assert results["eval_accuracy"] == pytest.approx(np.mean(eval_correct))
    assert info["eval_episode_lens"] == [6] and results["total_time"] > 0


def test_rlcallback_without_loop():
    """RLCallback also works driven by hand (no training loop)."""
    game = Logic(preset="XOR", seed=0)
    cb = RLCallback(reduced=True)
    network = TinyRL(callback=cb, game=game, seed=0)
    cb.bind(network, game)
    network.reset()
    state = game.reset()
    for _ in range(5):
        action = network.tick(state)
        state_next, _, _, _ = game.step(action)
        network.reward(state, action)
        state = state_next
    cb.training_end()
    assert cb.info["episode_lens"] == [5] and cb.results["n_steps"] == 5
    assert 0.0 <= cb.results["accuracy"] <= 1.0 and "step_actions" not in cb.info


def test_tdcallback_requires_td_rewarder():
    """TDCallback on a rewarder without prev_td fails at construction."""
    with pytest.raises(ConfigError, match="MatchExpected\\) has no 'prev_td'"):
        GenericLoop(TinyRL, Logic, TDCallback(), PARAMS)


def test_callback_log_uses_writer_and_custom_function(tmp_path):
    """callback.log writes the same sections; log_func replaces the writer."""
    cb = RLCallback(reduced=True)
    run(cb)
    path = cb.log(folder=str(tmp_path), filename="cb.json")
    data = read_log(path)
    assert data["results"]["n_steps"] == 12 and data["game"]["name"] == "XOR"
    seen = []
    cb.log(log_func=lambda *a, **kw: seen.append((a, kw)) or "x", folder="elsewhere")
    (network, game, results, info), kw = seen[0]
    assert network is cb.network and results is cb.results and kw == {"folder": "elsewhere"}


def test_iter_yields_network_game_results_info():
    """``return [*callback]`` gives network, game and copies of results and info."""
    cb = RLCallback()
    network, game, _, _ = run(cb)
    n, g, r, i = cb
    assert n is network and g is game and r == cb.results and r is not cb.results
