"""spikey's games under Gymnasium's conventions: registered ids made with gymnasium.make pass
check_env, reset(seed=) / five-tuple step, and render_mode "rgb_array" / "human"."""

from __future__ import annotations

import warnings

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import spikey  # noqa: F401  (registers the ids)
from spikey.games import ENV_IDS, CartPole, GymnasiumEnv, Logic, register_envs
from spikey.games.render import Canvas


@pytest.mark.parametrize("env_id", sorted(ENV_IDS))
def test_every_registered_id_passes_check_env(env_id):
    """gymnasium.make of each registered id gives an env that passes check_env without a warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        env = gymnasium.make(env_id)
        check_env(env.unwrapped)
    assert [str(w.message) for w in caught] == []
    assert env.spec.id == env_id and env.unwrapped.spec.id == env_id


def test_gymnasium_api_reset_with_seed_and_five_tuple_step():
    """reset(seed=) -> (obs, info) replays the same episode; step returns five values."""
    env = gymnasium.make("spikey/CartPole-v0", preset="CartPole-v1")
    runs = []
    for _ in range(2):
        obs, info = env.reset(seed=7)
        assert isinstance(info, dict)
        trace = [obs]
        for _ in range(5):
            out = env.step(1)
            assert len(out) == 5
            trace.append(out[0])
        runs.append(np.array(trace))
    np.testing.assert_array_equal(runs[0], runs[1])
    assert env.action_space == gymnasium.spaces.Discrete(2)


def test_make_passes_game_keys_and_presets():
    """Keyword arguments of gymnasium.make configure the game; XOR-v0 is Logic's XOR preset."""
    env = gymnasium.make("spikey/XOR-v0", max_steps=3)
    assert env.unwrapped.game.params["name"] == "XOR"
    env.reset(seed=0)
    done = [env.step(0)[3] for _ in range(3)]
    assert done == [False, False, True]


def test_register_twice_changes_nothing():
    """register_envs is idempotent: the same ids, no duplicate-registration warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert register_envs() == list(ENV_IDS)
    assert caught == []


def test_cartpole_rgb_array_frame_follows_the_pole():
    """The frame is (400, 600, 3) uint8; the pole's pixels lean the way theta does."""
    env = GymnasiumEnv(CartPole, render_mode="rgb_array", preset="CartPole-v1")
    env.reset(seed=0)
    pole = np.array([202, 152, 101], dtype=np.uint8)
    leans = []
    for theta in (0.15, -0.15):
        env.game.state = np.array([0.0, 0.0, theta, 0.0])
        frame = env.render()
        assert frame.shape == (400, 600, 3) and frame.dtype == np.uint8
        ys, xs = np.nonzero((frame == pole).all(axis=-1))
        top = xs[ys == ys.min()].mean()
        leans.append(top - 300.0)
    assert leans[0] > 10 and leans[1] < -10


def test_logic_frame_shows_the_inputs_and_the_answer():
    """Top row: the inputs shown (dark = 1); bottom right: the last answer framed green or red."""
    game = Logic(preset="XOR", seed=1)
    state = game.reset()
    frame = game.render_frame(cell=12)
    pad = 1
    for i, bit in enumerate(state):
        x = pad + i * (12 + pad) + 6
        assert (frame[pad + 6, x] < 128).all() == bool(bit)
    _, _, _, info = game.step(1 - game.expected_value(state))
    frame = game.render_frame(cell=12)
    x0 = pad + 3 * (12 + pad)
    assert frame[pad + 12 + 2 * pad, x0].tolist() == [200, 40, 40]  # wrong answer: red frame


def test_human_mode_shows_frames_in_a_window(monkeypatch):
    """render_mode="human" renders after reset and each step (a matplotlib window) and returns None."""
    import matplotlib

    matplotlib.use("Agg")
    shown = []
    env = GymnasiumEnv(Logic, render_mode="human", preset="XOR", max_episode_steps=2)
    monkeypatch.setattr(env.game, "render_frame", lambda: shown.append(1) or np.zeros((4, 4, 3), np.uint8))
    env.metadata["render_fps"] = 1000
    env.reset(seed=0)
    env.step(0)
    assert len(shown) == 2 and env.render() is None and len(shown) == 3
    env.close()
    assert env._window is None


def test_canvas_line_is_vectorised_and_clipped():
    """A thick line covers the pixels within half its width of the segment; shapes clip at the edges."""
    c = Canvas(20, 20)
    c.line(2, 10, 17, 10, 4, (0, 0, 0))
    dark = (c.pixels == 0).all(axis=-1)
    assert dark[8:13, 2:18].all() and not dark[5].any()
    c.rect(-5, -5, 3, 3, (1, 2, 3))
    assert c.pixels[0, 0].tolist() == [1, 2, 3]
