"""Gymnasium adapters: spikey games as gymnasium.Env, gymnasium envs as spikey games."""

from __future__ import annotations

import functools
import warnings

import gymnasium
import numpy as np
import pytest
from gymnasium.envs.classic_control import CartPoleEnv
from gymnasium.utils.env_checker import check_env

from spikey.errors import ConfigError
from spikey.games import CartPole, EpisodeError, Game, GymGame, GymnasiumEnv, Logic, gym_template, gym_wrapper
from spikey.rng import make_rng
from spikey.testing.games import check_game

# check_env's advice, also given for Gymnasium's own CartPole-v1 (infinite velocity
# bounds) and for an action space in newtons instead of [-1, 1].
EXPECTED_ADVICE = ("infinity", "symmetric and normalized", "alternative render modes")


def run_check_env(env) -> list[str]:
    """check_env(env); returns its warnings, failing on any that is not known advice."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env)
    messages = [str(w.message) for w in caught]
    unexpected = [m for m in messages if not any(a in m for a in EXPECTED_ADVICE)]
    assert not unexpected, unexpected
    return messages


def balance(state) -> int:
    x, x_dot, theta, theta_dot = state
    return int(0.05 * x + 0.2 * x_dot + 1.0 * theta + 0.3 * theta_dot > 0)


STOCK = [(Logic, {"preset": p}) for p in Logic.PRESETS] + [
    (CartPole, {"preset": p}) for p in CartPole.PRESETS
]
STOCK += [(CartPole, {"action_type": "push"})]


# --------------------------------------------------------------------------- GymnasiumEnv


@pytest.mark.parametrize(("cls", "config"), STOCK, ids=[f"{c.__name__}-{cfg}" for c, cfg in STOCK])
def test_every_stock_game_passes_check_env(cls, config):
    """GymnasiumEnv(game) passes gymnasium's check_env for every stock game and preset."""
    run_check_env(GymnasiumEnv(cls(**config)))


def test_check_env_warnings_for_logic_are_only_render_advice():
    """Logic's finite spaces draw no space warnings at all."""
    messages = run_check_env(GymnasiumEnv(Logic, preset="XOR"))
    assert all("render" in m for m in messages), messages


def test_gymnasium_env_spaces_and_observations():
    """Spaces convert to gymnasium types and observations to their dtypes."""
    env = GymnasiumEnv(Logic, preset="XOR")
    assert env.observation_space == gymnasium.spaces.MultiBinary(2)
    assert env.action_space == gymnasium.spaces.Discrete(2)
    obs, info = env.reset(seed=0)
    assert obs.dtype == np.int8 and obs.shape == (2,) and info == {}
    obs, reward, terminated, truncated, info = env.step(np.int64(1))
    assert type(reward) is float and terminated is False and truncated is False
    assert set(info) == {"expected", "correct"}

    pole = GymnasiumEnv(CartPole, preset="CartPole-v1")
    assert (
        isinstance(pole.observation_space, gymnasium.spaces.Box)
        and pole.observation_space.dtype == np.float32
    )
    obs, _ = pole.reset(seed=2)
    assert obs.dtype == np.float32 and np.array_equal(obs, pole.game.state.astype(np.float32))
    assert obs is not pole.game.state


def test_gymnasium_env_reset_seed_reseeds_the_game():
    """reset(seed=s) plays the game built with seed s; reset() continues the stream."""
    env = GymnasiumEnv(CartPole, preset="CartPole-v1")
    first, _ = env.reset(seed=7)
    second, _ = env.reset()
    game = CartPole(preset="CartPole-v1", seed=7)
    f32 = np.float32
    assert np.array_equal(first, game.reset().astype(f32)) and np.array_equal(second, game.reset().astype(f32))
    again, _ = env.reset(seed=7)
    assert np.array_equal(first, again)


def test_gymnasium_env_matches_gymnasium_cartpole_through_truncation():
    """Our CartPole-v1 as an Env steps like gymnasium's, flags and 500-step truncation included."""
    ours = GymnasiumEnv(CartPole, preset="CartPole-v1")
    theirs = gymnasium.make("CartPole-v1")
    obs, _ = ours.reset(seed=3)
    theirs.reset(seed=0)
    theirs.unwrapped.state = ours.game.state.copy()
    steps, term, trunc = 0, False, False
    while not (term or trunc):
        action = balance(obs)
        obs, r, term, trunc, _ = ours.step(action)
        obs_g, r_g, term_g, trunc_g, _ = theirs.step(action)
        steps += 1
        assert obs.dtype == obs_g.dtype and np.array_equal(obs, obs_g) and (r, term, trunc) == (r_g, term_g, trunc_g)
    assert steps == 500 and trunc and not term
    with pytest.raises(EpisodeError, match="call reset"):
        ours.step(0)


def test_gymnasium_env_rejects_bad_arguments():
    """Config for an instance, unknown render modes, and games without spaces are rejected clearly."""
    with pytest.raises(ConfigError, match="configure a game class"):
        GymnasiumEnv(Logic(), preset="XOR")
    with pytest.raises(ConfigError, match=r"render_mode: expected one of \[None, 'rgb_array', 'human'\]; got 'ansi'"):
        GymnasiumEnv(Logic, render_mode="ansi")
    with pytest.raises(ConfigError, match="expected a spikey Game"):
        GymnasiumEnv(gymnasium.make("CartPole-v1"))

    class NoSpaces(Game):
        def _reset(self):
            return 0

    with pytest.raises(ConfigError, match=r"NoSpaces.observation_space is None"):
        GymnasiumEnv(NoSpaces)


def test_gymnasium_env_invalid_action_names_game_and_space():
    """An action outside the space raises the game's error."""
    env = GymnasiumEnv(CartPole, preset="DEFAULT", rescale_actions=False)
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"CartPole.step: action .* not in the action space Box"):
        env.step(np.array([50.0]))


# --------------------------------------------------------------------------- gym_wrapper


def test_gym_wrapper_plays_a_registered_env():
    """Step returns the 4-tuple; done folds terminated/truncated, both kept in info."""
    game = gym_wrapper("CartPole-v1", seed=0)
    assert isinstance(game, GymGame) and isinstance(game, Game)
    state = game.reset()
    assert state.shape == (4,) and state in game.observation_space
    n, done = 0, False
    while not done:
        state, reward, done, info = game.step(balance(state))
        n += 1
        assert reward == 1.0 and {"terminated", "truncated"} <= set(info)
    assert n == 500 and info["truncated"] and not info["terminated"]


def test_gym_wrapper_termination_is_reported():
    """Pushing one way topples the pole: done with terminated, not truncated."""
    game = gym_wrapper("CartPole-v1", seed=1)
    game.reset()
    done = False
    while not done:
        _, _, done, info = game.step(1)
    assert info["terminated"] and not info["truncated"] and game.steps < 100


def test_gym_wrapper_seeds_env_reset_from_the_game_seed():
    """Episode k resets the env with the k-th seed drawn from the game's stream."""
    game = gym_wrapper("CartPole-v1", seed=42)
    draws = make_rng(42, "game")
    for _ in range(3):
        env = gymnasium.make("CartPole-v1")
        expected, _ = env.reset(seed=int(draws.integers(2**31 - 1)))
        assert np.array_equal(game.reset(), expected)
    same = gym_wrapper("CartPole-v1", seed=42)
    other = gym_wrapper("CartPole-v1", seed=43)
    first = same.reset()
    assert not np.array_equal(first, other.reset())
    assert np.array_equal(first, gym_wrapper("CartPole-v1", seed=42).reset())


def test_gym_wrapper_passes_extra_kwargs_to_make():
    """Unknown keywords go to gymnasium.make; game keys stay with the game."""
    game = gym_wrapper("CartPole-v1", seed=0, max_steps=50, max_episode_steps=20, sutton_barto_reward=True)
    assert game.params["env_kwargs"] == {"max_episode_steps": 20, "sutton_barto_reward": True}
    assert game.params["max_steps"] == 50
    state = game.reset()
    rewards = []
    done = False
    while not done:
        state, reward, done, info = game.step(balance(state))
        rewards.append(reward)
    assert len(rewards) == 20 and info["truncated"] and set(rewards) == {0.0}


def test_gym_wrapper_max_steps_truncates_before_the_env():
    """The game's own max_steps also truncates."""
    game = gym_wrapper("CartPole-v1", seed=0, max_steps=5)
    state = game.reset()
    for _ in range(5):
        state, _, done, info = game.step(balance(state))
    assert done and info["truncated"]


def test_gym_wrapper_of_env_class_is_a_game_template():
    """An Env class gives a Game class (as Spikey's gym_wrapper did) usable as a template."""
    Template = gym_wrapper(CartPoleEnv, max_steps=500)
    assert isinstance(Template, type) and issubclass(Template, GymGame)
    assert Template.__name__ == "Gym_CartPoleEnv"
    game = Template(seed=3)
    assert isinstance(game.env, CartPoleEnv) and game.params["max_steps"] == 500
    assert game.reset().shape == (4,)
    check_game(Template, n_steps=20)


def test_gym_template_from_id():
    """gym_template builds a template class from an id."""
    Pole = gym_template("CartPole-v1", env_kwargs={"max_episode_steps": 10})
    game = Pole(seed=0)
    game.reset()
    assert game.env.spec.max_episode_steps == 10


def test_gym_wrapper_of_env_instance_and_invalid_env():
    """An Env instance is used as is; other values are rejected naming the key."""
    env = gymnasium.make("CartPole-v1")
    game = gym_wrapper(env, seed=0)
    assert game.env is env
    with pytest.raises(ConfigError, match=r"GymGame.env: expected a registered id"):
        GymGame(env=3)
    with pytest.raises(ConfigError, match="used as is"):
        GymGame(env=env, env_kwargs={"render_mode": None})
    with pytest.raises(gymnasium.error.Error):
        gym_wrapper("NoSuchEnv-v0")


def test_gym_wrapper_rejects_invalid_actions():
    """Actions outside the env's space raise naming the game and the space."""
    game = gym_wrapper("CartPole-v1", seed=0)
    game.reset()
    with pytest.raises(
        ValueError, match=r"GymGame.step: action 2 \(int\) is not in the action space Discrete\(2\)"
    ):
        game.step(2)


# --------------------------------------------------------------------------- both ways


def test_round_trip_gymnasium_to_spikey_to_gymnasium_passes_check_env():
    """GymnasiumEnv(gym_wrapper(env)) passes check_env."""
    run_check_env(GymnasiumEnv(gym_wrapper("CartPole-v1", seed=0)))


def test_round_trip_spikey_to_gymnasium_to_spikey_passes_check_game():
    """GymGame(env=GymnasiumEnv(Logic)) passes check_game and gives Logic's rewards."""
    factory = functools.partial(GymnasiumEnv, Logic, preset="XOR")
    check_game(GymGame, {"env": factory}, n_steps=20)
    game = GymGame(env=factory, seed=0)
    state = game.reset()
    _, reward, _, info = game.step(int(state[0] != state[1]))
    assert reward == 1.0 and info["correct"]
