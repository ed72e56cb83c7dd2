"""Games: template contract, spaces, Logic, CartPole (vs Gymnasium), check_game."""

from __future__ import annotations

import copy
import doctest
import math
import pickle

import gymnasium
import numpy as np
import pytest

import spikey
import spikey.games.cartpole
import spikey.games.gym_adapter
import spikey.games.logic
import spikey.games.spaces
import spikey.games.template
import spikey.testing.games
from spikey.errors import ConfigError, MissingKeyError
from spikey.games import ActionError, CartPole, EpisodeError, Game, Logic
from spikey.games.spaces import Box, Discrete, MultiBinary
from spikey.module import Key
from spikey.testing.games import check_game

TRUTH = {
    "AND": [0, 0, 0, 1],
    "OR": [0, 1, 1, 1],
    "XOR": [0, 1, 1, 0],
    "NAND": [1, 1, 1, 0],
    "NOR": [1, 0, 0, 0],
    "XNOR": [1, 0, 0, 1],
}
PAIRS = [(0, 0), (0, 1), (1, 0), (1, 1)]


class Recorder:
    """Callback recording every game_* call."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        if not name.startswith("game_"):
            raise AttributeError(name)
        return lambda *args: self.calls.append((name, args))


def balance(state) -> int:
    """A linear controller that keeps CartPole-v1 up for 500 steps."""
    x, x_dot, theta, theta_dot = state
    return int(0.05 * x + 0.2 * x_dot + 1.0 * theta + 0.3 * theta_dot > 0)


# --------------------------------------------------------------------------- check_game


STOCK = [
    (Logic, {}),
    *[(Logic, {"preset": p}) for p in TRUTH],
    (Logic, {"max_steps": 7}),
    (CartPole, {}),
    *[(CartPole, {"preset": p}) for p in ("CartPole-v1", "DEFAULT", "FREMAUX")],
    (CartPole, {"action_type": "push"}),
    (CartPole, {"action_type": "discrete", "kinematics_integrator": "semi_implicit_euler", "max_steps": 25}),
]


@pytest.mark.parametrize(("cls", "config"), STOCK, ids=[f"{c.__name__}-{cfg}" for c, cfg in STOCK])
def test_check_game_passes_on_stock_games(cls, config):
    """Every stock game and preset passes the conformance suite."""
    check_game(cls, config)


def test_check_game_passes_on_gym_wrapper():
    """A wrapped Gymnasium env passes the conformance suite (pickle included)."""
    check_game(spikey.games.GymGame, {"env": "CartPole-v1"}, n_steps=30)


class Guess(Game):
    """A well-behaved minimal game, the base of the broken ones below."""

    NECESSARY_KEYS = Game.extend_keys([Key("p", "Chance of a 1.", float, 0.5)])
    observation_space = Discrete(2)
    action_space = Discrete(2)

    def draw(self):
        return int(self.rng.random() < self._p)

    def _reset(self):
        return self.draw()

    def _step(self, action):
        return self.draw(), float(action == self.state), False, False, {}


class GlobalRandom(Guess):
    def draw(self):
        return int(np.random.random() < self._p)  # noqa: NPY002 - the bug under test


class Unseeded(Guess):
    def draw(self):
        return int(np.random.default_rng().random() < self._p)


class OutOfSpace(Guess):
    def _reset(self):
        return 2


class IntReward(Guess):
    def step(self, action):
        state, reward, done, info = super().step(action)
        return state, int(reward), done, info


class NoActionCheck(Guess):
    def check_action(self, action):
        return action


class DoubleCallback(Guess):
    def _step(self, action):
        out = super()._step(action)
        if self.callback is not None:  # Spikey-style manual call: reported twice
            self.callback.game_step(action, *out[:3], out[4])
        return out


class StepForever(Guess):
    def step(self, action):  # ignores done and max_steps
        return self._step(self.check_action(action))[0], 0.0, False, {"terminated": False, "truncated": False}


class SharedCopy(Guess):
    def __copy__(self):
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)  # shares the generator
        return new


class HiddenConfig(Guess):
    def __init__(self, callback=None, preset=None, flip=False, **kwargs):
        super().__init__(callback, preset, **kwargs)
        self.flip = flip  # configuration outside the keys: params cannot rebuild it

    def _step(self, action):
        state, reward, *rest = super()._step(action)
        return (state, 1.0 - reward if self.flip else reward, *rest)


class Lambda(Guess):
    NECESSARY_KEYS = Guess.extend_keys([Key("f", "Some function.", callable, default=None)])
    config = {"f": lambda s: s}


def test_check_game_passes_on_minimal_game():
    """The minimal game the broken variants derive from passes."""
    check_game(Guess)


@pytest.mark.parametrize(
    ("cls", "check"),
    [
        (GlobalRandom, "determinism"),
        (Unseeded, "determinism"),
        (OutOfSpace, "reset"),
        (IntReward, "step"),
        (NoActionCheck, "invalid_action"),
        (DoubleCallback, "callbacks"),
        (StepForever, "episode_errors"),
        (SharedCopy, "copies"),
        (HiddenConfig, "params"),
        (Lambda, "copies"),
    ],
)
def test_check_game_fails_on_broken_games(cls, check):
    """A deliberately broken game fails check_game, naming the failed check."""
    config = {"flip": True} if cls is HiddenConfig else {}
    with pytest.raises(AssertionError, match=rf"check_game\({cls.__name__}\) failed check '{check}'"):
        check_game(cls, config)


def test_check_game_detects_global_random_even_if_deterministic():
    """Global np.random use is reported by its own check when others are skipped."""
    with pytest.raises(AssertionError, match="no_global_random.*global np.random"):
        check_game(GlobalRandom, skip=("determinism", "reseed", "params", "copies", "invalid_action"))


def test_check_game_rejects_unknown_skip():
    """skip names must be checks."""
    with pytest.raises(ValueError, match="unknown checks"):
        check_game(Logic, skip=("determinsm",))


def test_docstring_examples_run():
    """The examples in the games' docstrings run and print what they claim."""
    for module in (
        spikey.games.spaces,
        spikey.games.template,
        spikey.games.logic,
        spikey.games.cartpole,
        spikey.games.gym_adapter,
        spikey.testing.games,
    ):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.__name__
        assert result.attempted > 0, module.__name__


# --------------------------------------------------------------------------- spaces


def test_discrete_membership_and_canonical_form():
    """Discrete accepts integral numbers of any type and rejects the rest."""
    space = Discrete(2)
    for x, v in [
        (0, 0),
        (1, 1),
        (True, 1),
        (np.int64(1), 1),
        (np.bool_(False), 0),
        (1.0, 1),
        (np.array(1), 1),
    ]:
        assert space.canonical(x) == v and type(space.canonical(x)) is int
    for x in (2, -1, 0.5, "1", None, [1], np.array([1]), float("nan")):
        assert x not in space
    with pytest.raises(ValueError, match=r"expected an int in \{0, 1\}; got 2 \(int\)"):
        space.canonical(2)
    assert list(Discrete(3, start=-1)) == [-1, 0, 1] and len(space) == 2


def test_multibinary_and_box_membership():
    """MultiBinary takes 0/1 sequences; Box takes in-bound numeric arrays, scalars for 1 element."""
    mb = MultiBinary(2)
    assert mb.canonical(np.array([True, False])) == (1, 0)
    assert (1, 2) not in mb and (1,) not in mb and "10" not in mb and np.ones((2, 1)) not in mb
    assert list(mb) == PAIRS
    box = Box(-10.0, 10.0, (1,))
    assert np.array_equal(box.canonical(np.float32(2.5)), [2.5]) and box.canonical(3).dtype == np.float64
    for x in (10.5, np.nan, True, [1.0, 2.0], "1", np.array([[1.0, 2.0]])):
        assert x not in box
    with pytest.raises(ValueError, match=r"shape \(1,\) in \[-10, 10\]"):
        box.canonical(11)


def test_space_samples_come_from_the_given_generator():
    """sample(rng) is reproducible and in the space, for finite and infinite bounds."""
    for space in (Discrete(3), MultiBinary(4), Box([-1, -np.inf, 0], [1, np.inf, np.inf])):
        a = [space.sample(np.random.default_rng(5)) for _ in range(3)]
        b = [space.sample(np.random.default_rng(5)) for _ in range(3)]
        assert all(np.array_equal(x, y) for x, y in zip(a, b))
        rng = np.random.default_rng(0)
        assert all(space.contains(space.sample(rng)) for _ in range(50))


def test_spaces_convert_to_gymnasium():
    """Each space converts to the matching gymnasium space, values included."""
    g = MultiBinary(2).to_gymnasium()
    assert isinstance(g, gymnasium.spaces.MultiBinary) and MultiBinary(2).to_gymnasium_value((1, 0)) in g
    g = Box(-1.0, 1.0, (2,)).to_gymnasium()
    assert isinstance(g, gymnasium.spaces.Box) and g.dtype == np.float64 and np.array([0.5, -1.0]) in g
    assert Discrete(2).to_gymnasium() == gymnasium.spaces.Discrete(2)


# --------------------------------------------------------------------------- template


def test_config_priority_kwargs_over_preset_over_class_config_over_defaults():
    """kwargs > preset > class config > key defaults."""

    class Template(Logic):
        config = {**Logic.PRESETS["XOR"], "reward_incorrect": -1.0, "reward_correct": 2.0}

    assert Template().params["name"] == "XOR"
    assert Template(preset="AND").params["name"] == "AND"
    assert Template(preset="AND").params["reward_incorrect"] == -1.0
    game = Template(preset="AND", reward_incorrect=-3.0)
    assert game.params["reward_incorrect"] == -3.0 and game.params["reward_correct"] == 2.0
    assert Logic().params["reward_correct"] == 1.0 and Logic().params["name"] == "OR"


def test_spikey_template_idiom_does_not_edit_presets():
    """`config = Logic.PRESETS['XOR']; config.update(...)` leaves the preset intact."""

    class game_template(Logic):
        config = Logic.PRESETS["XOR"]
        config.update({"reward_correct": 5.0})

    assert game_template().params["reward_correct"] == 5.0
    assert "reward_correct" not in Logic.PRESETS["XOR"]
    assert Logic(preset="XOR").params["reward_correct"] == 1.0


def test_positional_preset_string_is_accepted():
    """Logic('XOR') works as in the original Spikey (preset first)."""
    assert Logic("XOR").params["name"] == "XOR"


def test_unknown_key_preset_and_invalid_values_are_rejected():
    """Errors name the game, the key or preset, and suggest the closest name."""
    with pytest.raises(
        ConfigError, match=r"Logic: has no key 'reward_corect' \(did you mean 'reward_correct'\?\)"
    ):
        Logic(reward_corect=1.0, strict=True)
    with pytest.warns(
        spikey.errors.UnclaimedKeyWarning, match=r"Logic: has no key 'reward_corect' \(did you mean"
    ):
        assert Logic(reward_corect=5.0).params["reward_correct"] == 1.0
    with pytest.raises(ConfigError, match=r"Logic: no preset 'XNR' \(did you mean 'XNOR'\?\)"):
        Logic(preset="XNR")
    with pytest.raises(ConfigError, match=r"CartPole.Tau: expected a float > 0 \[s\]; got -0.1"):
        CartPole(Tau=-0.1)
    with pytest.raises(
        ConfigError,
        match=r"CartPole.x_init_range: expected a pair \[low, high\] of finite numbers with low <= high \[m\]",
    ):
        CartPole(x_init_range=[0.1, -0.1])
    with pytest.raises(ConfigError, match="max_steps"):
        Logic(max_steps=0)


def test_bad_class_config_fails_at_class_creation():
    """A config using an undeclared key warns when the class is defined; a bad value is an error."""
    with pytest.warns(
        spikey.errors.UnclaimedKeyWarning, match=r"Bad.config: Bad: has no key 'reward_corect'"
    ):

        class Bad(Logic):
            config = {"reward_corect": 1.0}

    with pytest.raises(ConfigError, match=r"Bad2.PRESETS\['X'\].reward_correct: expected a float"):

        class Bad2(Logic):
            PRESETS = {"X": {"reward_correct": "high"}}


def test_subclass_dropping_base_keys_is_rejected():
    """A game must extend Game's keys (seed, max_steps), not replace them."""
    with pytest.raises(ConfigError, match="drops keys of Game"):

        class Legacy(Game):
            NECESSARY_KEYS = [Key("expected_value", "f(state)")]


def test_missing_required_key():
    """A required key without a value anywhere raises MissingKeyError."""

    class Custom(Logic):
        config = {}

    with pytest.raises(MissingKeyError, match="expected_value"):
        Custom()


def test_presets_lookup_returns_copies():
    """Editing a looked-up preset never changes the stored one."""
    p = CartPole.PRESETS["DEFAULT"]
    p["x_init_range"][0] = 99.0
    p["x_max"] = 1.0
    assert (
        CartPole.PRESETS["DEFAULT"]["x_init_range"] == [0.0, 0.0]
        and CartPole.PRESETS["DEFAULT"]["x_max"] == 4.5
    )
    with pytest.raises(KeyError, match="did you mean 'XOR'"):
        Logic.PRESETS["XRO"]


def test_step_before_reset_and_after_done_raise():
    """step() without a running episode raises EpisodeError saying to call reset()."""
    game = Logic(max_steps=2, seed=0)
    with pytest.raises(EpisodeError, match=r"Logic.step: no episode is running; call reset\(\)"):
        game.step(0)
    game.reset()
    assert game.step(0)[2] is False
    _, _, done, info = game.step(0)
    assert done and info == {**info, "truncated": True, "terminated": False}
    with pytest.raises(EpisodeError, match=r"ended \(done=True\) after 2 steps; call reset\(\)"):
        game.step(0)
    game.reset()
    assert game.steps == 0 and not game.done


def test_step_hook_with_wrong_return_shape_is_explained():
    """A _step returning Spikey's 4-tuple gets an error saying what to return."""

    class FourTuple(Guess):
        def _step(self, action):
            return 0, 1.0, False, {}

    game = FourTuple(seed=0)
    game.reset()
    with pytest.raises(
        TypeError, match=r"FourTuple._step must return \(state, reward, terminated, truncated, info\)"
    ):
        game.step(0)


def test_invalid_action_message_and_check_action():
    """An invalid action raises ActionError (a ValueError) naming game, action and space."""
    game = Logic(seed=0, strict_actions=True)
    game.reset()
    with pytest.raises(
        ActionError, match=r"Logic.step: action 'left' \(str\) is not in the action space Discrete\(2\)"
    ):
        game.step("left")
    with pytest.raises(
        ValueError, match=r"CartPole.step: action 12.0 \(float\) is not in the action space Box"
    ):
        CartPole(seed=0).check_action(12.0)
    assert game.check_action(True) == 1 and np.array_equal(CartPole().check_action(-3), [-3.0])


def test_callback_hooks_receive_inputs_and_outputs():
    """game_init/reset/step/close get the method's inputs then outputs, once each."""
    rec = Recorder()
    game = Logic(callback=rec, preset="XOR", seed=1)
    state = game.reset()
    out = game.step(True)
    game.close()
    assert [c[0] for c in rec.calls] == ["game_init", "game_reset", "game_step", "game_close"]
    assert rec.calls[0][1] == (game,)
    assert rec.calls[1][1] == (state,)  # a tuple state is passed whole, not unpacked
    assert rec.calls[2][1] == (True, *out)
    assert rec.calls[3][1] == ()


def test_callback_is_not_called_for_rejected_calls():
    """A step that raises is not reported."""
    rec = Recorder()
    game = Logic(callback=rec, seed=1, strict_actions=True)
    game.reset()
    with pytest.raises(ActionError):
        game.step(5)
    assert [c[0] for c in rec.calls] == ["game_init", "game_reset"]


def test_overriding_step_reports_once_with_what_the_caller_got():
    """A subclass that shapes the reward in step() is reported once, with the shaped reward."""

    class Shaped(Logic):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.extra = True  # set before game_init fires

        def step(self, action):
            state, reward, done, info = super().step(action)
            return state, 10.0 * reward, done, info

    seen = {}

    class CB:
        def game_init(self, game):
            seen["extra"] = getattr(game, "extra", False)

        def game_step(self, action, state, reward, done, info):
            seen.setdefault("rewards", []).append(reward)

    game = Shaped(callback=CB(), preset="XOR", seed=0)
    state = game.reset()
    _, reward, _, _ = game.step(game.expected_value(state))
    assert reward == 10.0 and seen == {"extra": True, "rewards": [10.0]}


def test_copy_shares_callback_but_not_state():
    """Copies continue independently and report to the same callback."""
    rec = Recorder()
    game = Logic(callback=rec, seed=0)
    game.reset()
    for twin in (game.copy(), copy.copy(game), copy.deepcopy(game)):
        assert twin.callback is rec and twin.rng is not game.rng
        assert twin.step(1) == copy.deepcopy(game).step(1)


def test_seed_none_is_drawn_and_stored():
    """A game without a seed draws one and reports it in params; two such games differ."""
    a, b = Logic(), Logic()
    assert isinstance(a.params["seed"], int) and a.params["seed"] != b.params["seed"]
    replay = Logic(seed=a.params["seed"])
    assert [a.reset() for _ in range(20)] == [replay.reset() for _ in range(20)]


def test_params_copies_containers_and_keeps_functions():
    """params copies arrays (editing them changes nothing) and keeps functions by reference."""
    game = CartPole()
    params = game.params
    params["xdot_init_range"][0] = -50.0
    assert game.params["xdot_init_range"][0] == -0.1
    assert Logic(preset="XOR").params["expected_value"] is spikey.games.logic.xor_gate


def test_pickle_round_trip():
    """A pickled game continues identically."""
    game = Logic(preset="XOR", seed=3)
    game.reset()
    twin = pickle.loads(pickle.dumps(game))
    assert [game.step(i % 2) for i in range(10)] == [twin.step(i % 2) for i in range(10)]


# --------------------------------------------------------------------------- Logic


@pytest.mark.parametrize("preset", list(TRUTH))
def test_logic_truth_tables(preset):
    """Each preset computes its gate, as function, method and reward."""
    fn = Logic.PRESETS[preset]["expected_value"]
    assert [fn(s) for s in PAIRS] == TRUTH[preset]
    assert [fn(tuple(map(bool, s))) for s in PAIRS] == TRUTH[preset]
    game = Logic(preset=preset, seed=0)
    assert [game.expected_value(s) for s in PAIRS] == TRUTH[preset]
    state = game.reset()
    for _ in range(40):
        expected = TRUTH[preset][PAIRS.index(state)]
        _, r_right, _, info = game.copy().step(expected)
        next_state, r_wrong, _, info_wrong = game.step(1 - expected)
        assert (r_right, r_wrong) == (1.0, 0.0)
        assert info["correct"] and not info_wrong["correct"] and info["expected"] == expected
        state = next_state


def test_logic_states_are_uniform_pairs_of_ints():
    """States are (int, int) tuples, the four pairs equally likely (4-sigma bounds)."""
    game = Logic(seed=11)
    states = [game.reset()] + [game.step(0)[0] for _ in range(3999)]
    assert all(type(s) is tuple and len(s) == 2 and all(type(v) is int for v in s) for s in states)
    counts = np.array([states.count(p) for p in PAIRS])
    assert np.all(np.abs(counts - 1000) < 4 * math.sqrt(4000 * 0.25 * 0.75)), counts
    pairs = list(zip(states[:-1], states[1:]))
    same_as_before = sum(a == b for a, b in pairs) / len(pairs)
    assert abs(same_as_before - 0.25) < 0.03  # draws independent of the previous state


def test_logic_seeds_determine_the_sequence():
    """Same seed -> same states; different seeds -> different states."""

    def run(seed):
        game = Logic(seed=seed)
        return [game.reset()] + [game.step(1)[0] for _ in range(30)]

    assert run(4) == run(4) and run(4) != run(5)


def test_logic_rewards_and_episode_length_are_configurable():
    """reward_correct / reward_incorrect and max_steps shape the game."""
    game = Logic(preset="AND", reward_correct=2.0, reward_incorrect=-1.0, max_steps=5, seed=0)
    state = game.reset()
    rewards, done, n = [], False, 0
    while not done:
        state, r, done, _ = game.step(0)
        rewards.append(r)
        n += 1
    assert n == 5 and set(rewards) <= {2.0, -1.0}


def test_logic_spikey_compatible_spaces():
    """observation_space lists the four pairs and action_space the two answers."""
    assert list(Logic.observation_space) == PAIRS and list(Logic.action_space) == [0, 1]


# --------------------------------------------------------------------------- CartPole vs Gymnasium


def _compare_with_gymnasium(game, env, policy, to_gym_action=None, tol=1e-12):
    """Step both from the game's initial state; assert equal states and flags. Returns steps taken."""
    state = game.reset()
    env.reset(seed=0)
    env.unwrapped.state = state.copy()
    for t in range(10_000):
        action = policy(state)
        state, reward, done, info = game.step(action)
        gym_action = action if to_gym_action is None else to_gym_action(env, action)
        obs, g_reward, terminated, truncated, _ = env.step(gym_action)
        np.testing.assert_allclose(state, env.unwrapped.state, rtol=0, atol=tol)
        assert np.array_equal(state.astype(np.float32), obs)
        assert (info["terminated"], info["truncated"], reward) == (terminated, truncated, g_reward), t
        if done:
            return t + 1
    raise AssertionError("episode did not end")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cartpole_v1_matches_gymnasium_with_random_actions(seed):
    """Random 0/1 actions: states equal Gymnasium CartPole-v1 to 1e-12, same termination step."""
    game = CartPole(preset="CartPole-v1", seed=seed)
    rng = np.random.default_rng(seed)
    n = _compare_with_gymnasium(game, gymnasium.make("CartPole-v1"), lambda s: int(rng.integers(2)))
    assert 5 < n < 500  # terminated, not truncated


def test_cartpole_v1_truncates_at_500_like_gymnasium():
    """A balancing controller reaches Gymnasium's 500-step truncation at the same step."""
    game = CartPole(preset="CartPole-v1", seed=3)
    assert _compare_with_gymnasium(game, gymnasium.make("CartPole-v1"), balance) == 500
    assert game.done and game.steps == 500


def test_cartpole_semi_implicit_euler_matches_gymnasium():
    """The semi-implicit integrator matches Gymnasium's non-'euler' branch (and differs from Euler)."""
    game = CartPole(preset="CartPole-v1", kinematics_integrator="semi_implicit_euler", seed=4)
    env = gymnasium.make("CartPole-v1")
    env.unwrapped.kinematics_integrator = "semi-implicit euler"
    assert _compare_with_gymnasium(game, env, balance) == 500
    explicit = CartPole(preset="CartPole-v1", seed=4)
    semi = CartPole(preset="CartPole-v1", kinematics_integrator="semi_implicit_euler", seed=4)
    assert np.array_equal(explicit.reset(), semi.reset())
    assert not np.array_equal(explicit.step(1)[0], semi.step(1)[0])


def test_cartpole_continuous_force_matches_gymnasium():
    """A force F in newtons equals Gymnasium's push with force_mag = |F| in F's direction."""
    game = CartPole(
        preset="DEFAULT", x_max=2.4, theta_max=12 * 2 * math.pi / 360, reward_per_step=1.0, seed=5
    )
    rng = np.random.default_rng(5)

    def to_gym(env, force):
        env.unwrapped.force_mag = abs(force)
        return int(force >= 0)

    def policy(state):
        return float(rng.uniform(-10, 10)) if rng.random() < 0.5 else 10.0 * (2 * balance(state) - 1)

    env = gymnasium.make("CartPole-v1", max_episode_steps=10_000)
    assert _compare_with_gymnasium(game, env, policy, to_gym) > 5


def test_cartpole_push_action_maps_to_force():
    """push [left, right] applies (right - left) * Force_Mag newtons."""
    push = CartPole(action_type="push", seed=0)
    force = CartPole(action_type="force", seed=0)
    push.reset(), force.reset()
    for left, right in [(1.0, 0.0), (0.25, 0.75), (0.5, 0.5), (0.0, 1.0)]:
        s_push, _, _, info = push.step([left, right])
        s_force = force.step((right - left) * 10.0)[0]
        assert info["force"] == (right - left) * 10.0 and np.array_equal(s_push, s_force)


def test_cartpole_initial_states():
    """Resets draw from the game's generator within the init ranges (signs random for Spikey presets)."""
    v1 = CartPole(preset="CartPole-v1", seed=0)
    starts = np.array([v1.reset() for _ in range(500)])
    assert np.all(np.abs(starts) <= 0.05) and np.all(starts.max(0) > 0.045) and np.all(starts.min(0) < -0.045)
    assert np.array_equal(CartPole(preset="CartPole-v1", seed=0).reset(), starts[0])
    assert not np.array_equal(CartPole(preset="CartPole-v1", seed=1).reset(), starts[0])
    spikey_starts = np.array([CartPole(preset="FREMAUX", seed=s).reset() for s in range(200)])
    assert np.all(spikey_starts[:, [0, 2]] == 0.0)
    assert np.all(np.abs(spikey_starts[:, [1, 3]]) <= 0.1)
    assert (spikey_starts[:, 1] < 0).any() and (spikey_starts[:, 1] > 0).any()


def test_cartpole_pole_falls_toward_its_tilt_and_cart_recoils():
    """Without force, a pole tilted right (theta > 0) falls right and pushes the cart left."""
    game = CartPole(preset="DEFAULT", xdot_init_range=[0, 0], thetadot_init_range=[0, 0], seed=0)
    game.reset()
    game.state = np.array([0.0, 0.0, 0.1, 0.0])
    thetas, xdots = [], []
    for _ in range(10):
        s = game.step(0.0)[0]
        thetas.append(s[2])
        xdots.append(s[1])
    assert np.all(np.diff(thetas) > 0) and xdots[-1] < 0
    # small-angle check of the first acceleration: theta_acc ~ g*theta / (l*(4/3 - m/M))
    g, m, big_m, half = 9.8, 0.1, 1.1, 0.5
    game.state = np.array([0.0, 0.0, 1e-6, 0.0])
    theta_dot = game.step(0.0)[0][3]
    assert theta_dot / 0.02 == pytest.approx(g * 1e-6 / (half * (4 / 3 - m / big_m)), rel=1e-6)


@pytest.mark.parametrize(
    ("preset", "x_max", "theta_max"), [("DEFAULT", 4.5, math.pi / 2), ("FREMAUX", 2.5, math.pi / 2)]
)
def test_cartpole_spikey_presets_thresholds(preset, x_max, theta_max):
    """Spikey presets terminate past their x/theta limits, reward 0, no time limit."""
    game = CartPole(preset=preset, seed=0)
    game.reset()
    game.state = np.array([x_max - 1e-3, 1.0, 0.0, 0.0])
    _, reward, done, info = game.step(0.0)
    assert done and info["terminated"] and not info["truncated"] and reward == 0.0
    game.reset()
    game.state = np.array([0.0, 0.0, theta_max - 1e-3, 1.0])
    assert game.step(0.0)[2]
    assert game.params["max_steps"] is None


def test_cartpole_spaces_follow_the_config():
    """Spaces follow action_type, Force_Mag and the thresholds."""
    assert CartPole(preset="CartPole-v1").action_space == Discrete(2)
    assert CartPole(Force_Mag=5.0).action_space == Box(-5.0, 5.0, (1,))
    assert CartPole(action_type="push").action_space == Box(0.0, 1.0, (2,))
    high = CartPole(preset="FREMAUX").observation_space.high
    big = np.finfo(np.float32).max
    assert np.array_equal(high, np.array([5.0, big, math.pi, big], dtype=np.float32))


def test_stock_game_spaces_are_gymnasium_spaces():
    """Logic's and CartPole's spaces are gymnasium.spaces objects that Gymnasium's utilities accept."""
    from gymnasium.spaces import utils

    pairs = [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert isinstance(Logic.observation_space, gymnasium.spaces.MultiBinary)
    assert isinstance(Logic.action_space, gymnasium.spaces.Discrete)
    assert list(Logic.observation_space) == pairs and 1 in Logic.action_space  # the original Spikey's lists
    assert utils.flatdim(Logic.observation_space) == 2 and utils.flatdim(Logic.action_space) == 2
    for preset, kind in (("CartPole-v1", gymnasium.spaces.Discrete), ("DEFAULT", gymnasium.spaces.Box)):
        game = CartPole(preset=preset)
        assert isinstance(game.action_space, kind) and isinstance(game.observation_space, gymnasium.spaces.Box)
        assert game.observation_space.contains(game.reset())
    Logic.action_space.seed(3)
    assert Logic.action_space.sample() in (0, 1)  # Gymnasium's own sampling still works
