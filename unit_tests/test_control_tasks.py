"""Parts and tasks for Gymnasium control tasks: encoder, readouts, rewarder, task networks, evaluation."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

from spikey.errors import ConfigError
from spikey.experiments import control
from spikey.snn.input import BoxRBF, box_ranges
from spikey.snn.readout import ActionPools, PopulationCode
from spikey.snn.reward import EnvReward


def test_box_ranges_unbounded_dimension_needs_a_range():
    """An unbounded observation dimension without a given range is a ConfigError naming state_ranges and the dimension."""
    space = gymnasium.make("CartPole-v1").observation_space
    with pytest.raises(ConfigError, match=r"state_ranges: observation dimension 1 is unbounded"):
        box_ranges(space)
    ranges = box_ranges(space, [None, (-3, 3), None, (-4, 4)])
    assert ranges[1] == (-3.0, 3.0) and ranges[0] == pytest.approx((-4.8, 4.8))


def test_box_ranges_rejects_wrong_length_and_inverted_pairs():
    """Given ranges must have one entry per dimension and low < high."""
    space = gymnasium.make("MountainCar-v0").observation_space
    with pytest.raises(ConfigError, match="expected 2 entries"):
        box_ranges(space, [None])
    with pytest.raises(ConfigError, match=r"state_ranges\[0\]: expected low < high"):
        box_ranges(space, [(1, 0), None])
    with pytest.raises(ConfigError, match="expected a Box observation space"):
        box_ranges(gymnasium.spaces.Discrete(3))


def test_boxrbf_regular_spikes_are_deterministic_and_rate_true():
    """Regular mode gives round(T * rate) evenly spaced spikes per field, the same on every call."""
    enc = BoxRBF(n_inputs=5, magnitude=1.0, state_ranges=[(0.0, 1.0)], rbf_rate=0.5, rbf_width=0.4, seed=1)
    enc.reset()
    enc.update([0.5])
    block = enc._fire_block(20)
    expected = np.floor(20 * enc.values + 0.5)
    np.testing.assert_array_equal(block.sum(axis=0), expected)
    assert block[:, 2].sum() == 10 and not (block[1:, 2] & block[:-1, 2]).any()  # every other step
    enc.update([0.5])
    one_by_one = np.array([enc() != 0 for _ in range(20)])
    np.testing.assert_array_equal(one_by_one, block)


def test_boxrbf_clips_and_rejects_bad_observations():
    """Values beyond a range drive the outermost field; a wrong size or a NaN is an error."""
    enc = BoxRBF(n_inputs=4, magnitude=1.0, state_ranges=[(-1, 1), (-1, 1)], rbf_rate=1.0, seed=0)
    enc.reset()
    enc.update([100.0, -100.0])
    assert enc.values[1] == pytest.approx(1.0) and enc.values[2] == pytest.approx(1.0)
    with pytest.raises(ConfigError, match="expected an observation with 2 values"):
        enc.update([0.0])
    with pytest.raises(ConfigError, match="not finite"):
        enc.update([np.nan, 0.0])


def test_action_pools_counts_and_ties():
    """ActionPools picks the pool with most spikes; ties go to tie_action."""
    r = ActionPools(n_outputs=6, n_actions=3, tie_action=2)
    train = np.zeros((4, 6), dtype=bool)
    train[:, 2] = True
    train[0, 0] = True
    assert r(train) == 1
    assert r(np.zeros((4, 6), dtype=bool)) == 2
    np.testing.assert_array_equal(r.counts(train), [1, 4, 0])


def test_action_pools_rejects_spaces_it_cannot_serve():
    """A Box space or a Discrete of another size is a ConfigError naming n_actions."""
    r = ActionPools(n_outputs=4, n_actions=2)
    r.check_action_space(gymnasium.spaces.Discrete(2))
    with pytest.raises(ConfigError, match=r"ActionPools.n_actions: the action space has 3 actions"):
        r.check_action_space(gymnasium.spaces.Discrete(3))
    with pytest.raises(ConfigError, match="serves a Discrete action space"):
        r.check_action_space(gymnasium.spaces.Box(-1, 1, (1,)))
    with pytest.raises(ConfigError, match="at least one output neuron per action"):
        ActionPools(n_outputs=1, n_actions=2)


def test_population_code_vector_and_difference_rules():
    """The vector rule averages preferred values by spike counts; the difference rule is tanh of a push-pull pair."""
    r = PopulationCode(n_outputs=4, n_action_dims=2, action_low=-2.0, action_high=2.0)
    train = np.zeros((5, 4), dtype=bool)
    train[:, 1] = True  # dim 0: all at +2
    train[:1, 2] = True
    train[:3, 3] = True  # dim 1: (1*-2 + 3*2) / 4 = 1
    np.testing.assert_allclose(r(train), [2.0, 1.0])
    assert r(np.zeros((5, 4), dtype=bool)).tolist() == [0.0, 0.0]
    d = PopulationCode(n_outputs=2, action_low=-2.0, action_high=2.0, rule="difference", action_scale=2.0)
    train = np.zeros((5, 2), dtype=bool)
    train[:4, 1] = True
    assert d(train)[0] == pytest.approx(2.0 * np.tanh(2.0), rel=1e-6)
    assert d(train).dtype == np.float32


def test_population_code_rejects_bad_config_and_spaces():
    """Wrong action dimension, range outside the space, or a Discrete space are ConfigErrors naming the key."""
    r = PopulationCode(n_outputs=2, action_low=-2.0, action_high=2.0)
    r.check_action_space(gymnasium.spaces.Box(-2, 2, (1,)))
    with pytest.raises(ConfigError, match=r"n_action_dims: the action space has 2 dimension"):
        r.check_action_space(gymnasium.spaces.Box(-2, 2, (2,)))
    with pytest.raises(ConfigError, match="action_low: the range"):
        r.check_action_space(gymnasium.spaces.Box(-1, 1, (1,)))
    with pytest.raises(ConfigError, match="serves a Box action space"):
        r.check_action_space(gymnasium.spaces.Discrete(2))
    with pytest.raises(ConfigError, match="action_high: expected action_low < action_high"):
        PopulationCode(n_outputs=2, action_low=1.0, action_high=1.0)
    with pytest.raises(ConfigError, match="'difference' needs 2 output neurons"):
        PopulationCode(n_outputs=3, rule="difference")


def test_env_reward_scales_clips_shapes_and_needs_the_reward():
    """EnvReward = clip(scale * r_env + shaping); without the env's reward it says what to pass."""
    r = EnvReward(reward_scale=2.0, reward_clip=3.0, reward_shaping=lambda s, a, s2: float(s2[0] - s[0]))
    assert r([0.0], 0, [0.5], env_reward=1.0) == pytest.approx(2.5)
    assert r([0.0], 0, [0.0], env_reward=10.0) == 3.0
    assert r([0.0], 0, [0.0], env_reward=-10.0) == -3.0
    with pytest.raises(ConfigError, match="needs the environment's reward"):
        r([0.0], 0, [0.0])


@pytest.mark.parametrize("name", ["cartpole", "acrobot", "mountaincar", "pendulum"])
def test_task_networks_build_and_act_in_their_spaces(name):
    """Each stock task's network acts in its environment's action space."""
    task = control.TASKS[name]
    net_cls, game_cls = task.network_template(), task.game_template()
    net = net_cls(seed=0).eval()
    game = game_cls(seed=0)
    action = net.tick(game.reset())
    assert game.action_space.contains(action)


def test_task_without_ranges_for_unbounded_dimensions_is_rejected():
    """CartPole without given ranges fails before any work, naming state_ranges."""
    task = control.TASKS["cartpole"].with_options(state_ranges=None)
    with pytest.raises(ConfigError, match="state_ranges: observation dimension 1 is unbounded"):
        task.network_template()


def test_missing_box2d_names_the_extra():
    """LunarLander without Box2D is a ConfigError naming the box2d extra."""
    try:
        import Box2D  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match=r"\.\[box2d\]"):
            control.TASKS["lunarlander"].game_template()
    else:
        pytest.skip("Box2D is installed")


def test_frozen_evaluation_is_seeded_and_leaves_training_mode():
    """Frozen evaluation of a network built alike gives the same returns for a seed, others for another seed."""
    task = control.TASKS["cartpole"]
    net_cls, game_cls = task.network_template(), task.game_template()
    net = net_cls(seed=0)
    a = control.frozen_evaluation(net, game_cls, 4, seed=3)
    b = control.frozen_evaluation(net_cls(seed=0), game_cls, 4, seed=3)
    c = control.frozen_evaluation(net_cls(seed=0), game_cls, 4, seed=4)
    np.testing.assert_array_equal(a["returns"], b["returns"])
    assert not np.array_equal(a["returns"], c["returns"])
    assert net.training and a["env_steps"] == int(a["returns"].sum())


def test_random_policy_scores_cartpole_near_its_known_mean():
    """A uniformly random policy balances CartPole-v1 about 22 steps on average."""
    out = control.random_policy(control.TASKS["cartpole"].game_template(), 100, seed=0)
    assert 15 < out["mean_return"] < 30
