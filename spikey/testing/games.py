"""``check_game``: the conformance suite every spikey game should pass.

Like Gymnasium's ``check_env``, it drives a game class through its whole public
contract and raises ``AssertionError`` naming the first check that fails:

=====================  ==============================================================
``keys``               ``NECESSARY_KEYS`` are described :class:`~spikey.module.Key`
                       objects including ``seed`` and ``max_steps``; ``PRESETS`` and
                       ``config`` only use declared keys.
``presets``            every preset constructs and its values reach ``params``.
``spaces``             ``observation_space`` / ``action_space`` are declared and have
                       ``contains``.
``reset``              ``reset()`` returns a state in the observation space.
``step``               ``step`` returns ``(state, float reward, bool done, dict info)``,
                       state in the space, ``info["terminated"]``/``["truncated"]``
                       bools whose ``or`` is ``done``.
``episode_errors``     a step before ``reset()`` and a step after ``done`` raise.
``determinism``        same seed and actions -> identical trajectory (all outputs).
``reseed``             ``seed(s)`` restarts the stream: the trajectory replays.
``invalid_action``     actions outside the space raise ``ValueError`` naming the game,
                       the action's space, and leave the game unchanged.
``callbacks``          ``game_init/reset/step/close`` called once each, with the
                       method's inputs and outputs.
``params``             ``params`` has every key; ``type(game)(**params)`` has equal
                       params and replays the trajectory.
``copies``             ``copy()``, ``copy.copy``, ``copy.deepcopy`` and pickle made mid-
                       episode continue identically to the original.
``no_global_random``   neither ``np.random``'s global state nor ``random``'s changes.
=====================  ==============================================================

Examples
--------
>>> from spikey.games import Logic
>>> from spikey.testing.games import check_game
>>> check_game(Logic, {"max_steps": 20})
"""

from __future__ import annotations

import copy as _copy
import pickle
import random
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from spikey.games.spaces import Space
from spikey.games.template import Game
from spikey.module import Key

__all__ = ["check_game", "GAME_CHECKS", "same", "rollout", "sample_action"]


# --------------------------------------------------------------------------- helpers


def same(a: Any, b: Any) -> bool:
    """Exact, type-aware equality of game outputs (arrays, tuples, dicts, NaN == NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and a.dtype == b.dtype
            and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        )
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def sample_action(space: Any, rng: np.random.Generator) -> Any:
    """A member of ``space`` drawn from ``rng`` (spikey or Gymnasium space)."""
    if isinstance(space, Space):
        return space.sample(rng)
    space.seed(int(rng.integers(2**31 - 1)))
    return space.sample()


def rollout(game: Game, n_steps: int, action_seed: int, reset: bool = True) -> list[tuple]:
    """Play ``n_steps`` actions drawn from ``action_seed``; reset when done.

    Returns the list of ``("reset", state)`` and ``("step", action, state, reward, done,
    info)`` records.
    """
    rng = np.random.default_rng(action_seed)
    log: list[tuple] = []
    if reset:
        log.append(("reset", game.reset()))
    for _ in range(n_steps):
        action = sample_action(game.action_space, rng)
        state, reward, done, info = game.step(action)
        log.append(("step", action, state, reward, done, info))
        if done:
            log.append(("reset", game.reset()))
    return log


def _first_difference(a: list[tuple], b: list[tuple]) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if not same(x, y):
            return f"record {i}: {x!r} != {y!r}"
    return f"lengths {len(a)} != {len(b)}"


def _contains(space: Any, x: Any) -> bool:
    try:
        return bool(space.contains(x))
    except Exception:  # a space that cannot even judge a value does not contain it
        return False


class _Junk:
    def __repr__(self) -> str:
        return "<not an action>"


class _Recorder:
    """Callback recording every ``game_*`` call with its arguments."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []

    def __getattr__(self, name: str) -> Callable[..., None]:
        if not name.startswith("game_"):
            raise AttributeError(name)

        def record(*args: Any) -> None:
            self.calls.append((name, args))

        return record

    def __deepcopy__(self, memo: dict) -> _Recorder:
        return self


# --------------------------------------------------------------------------- checks


class _Ctx:
    def __init__(self, game_class: type, config: dict, seed: int, n_steps: int):
        config = dict(config)
        self.preset = config.pop("preset", None)
        self.cls, self.config, self.seed, self.n_steps = game_class, config, seed, n_steps

    def make(self, **overrides: Any) -> Game:
        kwargs = {**self.config, "seed": self.seed, **overrides}
        return self.cls(preset=self.preset, **kwargs)


def _check_keys(ctx: _Ctx) -> None:
    cls = ctx.cls
    assert isinstance(cls, type) and issubclass(cls, Game), f"{cls!r} is not a subclass of spikey.games.Game"
    keys = cls.NECESSARY_KEYS
    assert all(isinstance(k, Key) for k in keys), "NECESSARY_KEYS must hold Key objects"
    names = [k.name for k in keys]
    assert len(set(names)) == len(names), f"duplicate keys in {names}"
    for k in keys:
        assert k.description, f"key {k.name!r} has no description"
    for base_key in ("seed", "max_steps"):
        assert base_key in names, f"key {base_key!r} of Game is missing"
    assert isinstance(cls.PRESETS, Mapping), "PRESETS must be a mapping of name -> config"
    for name in cls.PRESETS:
        unknown = set(cls.PRESETS[name]) - set(names)
        assert not unknown, f"PRESETS[{name!r}] uses undeclared keys {sorted(unknown)}"
    unknown = set(cls.config) - set(names)
    assert not unknown, f"config uses undeclared keys {sorted(unknown)}"


def _check_presets(ctx: _Ctx) -> None:
    for name in ctx.cls.PRESETS:
        preset = ctx.cls.PRESETS[name]
        overridden = set(ctx.config)
        game = ctx.cls(preset=name, **{**ctx.config, "seed": ctx.seed})
        params = game.params
        for key, value in preset.items():
            if key in overridden:
                continue
            expected = ctx.cls.NECESSARY_KEYS[ctx.cls.key_names().index(key)].validate(value)
            assert same(params[key], expected), (
                f"preset {name!r}: params[{key!r}] = {params[key]!r} != {value!r}"
            )
        game.reset()
        game.close()


def _check_spaces(ctx: _Ctx) -> None:
    game = ctx.make()
    for attr in ("observation_space", "action_space"):
        space = getattr(game, attr)
        assert space is not None, f"{attr} is None"
        assert hasattr(space, "contains"), f"{attr} {space!r} has no contains()"


def _check_reset(ctx: _Ctx) -> None:
    game = ctx.make()
    state = game.reset()
    assert _contains(game.observation_space, state), (
        f"reset() returned {state!r}, not in observation_space {game.observation_space!r}"
    )


def _check_step(ctx: _Ctx) -> None:
    game = ctx.make()
    for record in rollout(game, ctx.n_steps, ctx.seed):
        if record[0] == "reset":
            state = record[1]
            assert _contains(game.observation_space, state), f"reset() state {state!r} not in the space"
            continue
        _, action, state, reward, done, info = record
        assert type(reward) is float, f"reward {reward!r} is a {type(reward).__name__}, not a float"
        assert type(done) is bool, f"done {done!r} is a {type(done).__name__}, not a bool"
        assert isinstance(info, dict), f"info {info!r} is not a dict"
        for flag in ("terminated", "truncated"):
            assert type(info.get(flag)) is bool, f"info[{flag!r}] missing or not a bool: {info.get(flag)!r}"
        assert done == (info["terminated"] or info["truncated"]), (
            f"done={done} but terminated={info['terminated']}, truncated={info['truncated']}"
        )
        assert _contains(game.observation_space, state), (
            f"step({action!r}) returned state {state!r}, not in {game.observation_space!r}"
        )


def _check_episode_errors(ctx: _Ctx) -> None:
    game = ctx.make()
    rng = np.random.default_rng(ctx.seed)
    try:
        game.step(sample_action(game.action_space, rng))
    except Exception:
        pass
    else:
        raise AssertionError("step() before reset() did not raise")
    game = ctx.make(max_steps=3)
    game.reset()
    steps, done = 0, False
    while not done and steps < 3:
        *_, done, _ = game.step(sample_action(game.action_space, rng))
        steps += 1
    assert done, "max_steps=3 did not end the episode within 3 steps"
    try:
        game.step(sample_action(game.action_space, rng))
    except Exception:
        pass
    else:
        raise AssertionError(f"step() after done (step {steps + 1}) did not raise")


def _check_determinism(ctx: _Ctx) -> None:
    a, b = rollout(ctx.make(), ctx.n_steps, ctx.seed), rollout(ctx.make(), ctx.n_steps, ctx.seed)
    assert len(a) == len(b) and all(same(x, y) for x, y in zip(a, b)), (
        f"same seed and actions gave different trajectories: {_first_difference(a, b)}"
    )


def _check_reseed(ctx: _Ctx) -> None:
    fresh = rollout(ctx.make(), ctx.n_steps, ctx.seed)
    game = ctx.make(seed=ctx.seed + 1)
    rollout(game, 5, ctx.seed + 1)
    used = game.seed(ctx.seed)
    assert used == ctx.seed and game.params["seed"] == ctx.seed, f"seed({ctx.seed}) returned {used!r}"
    again = rollout(game, ctx.n_steps, ctx.seed)
    assert all(same(x, y) for x, y in zip(fresh, again)), (
        f"seed(s) then reset() did not replay the game of seed s: {_first_difference(fresh, again)}"
    )


def _check_invalid_action(ctx: _Ctx) -> None:
    # games that may take any action (``strict_actions=False``) are checked in strict mode
    keys = getattr(ctx.cls, "key_names", lambda: [])()
    game = ctx.make(strict_actions=True) if "strict_actions" in keys else ctx.make()
    game.reset()
    space = game.action_space
    candidates = [
        _Junk(),
        "not an action",
        float("nan"),
        -(10**9),
        10**9,
        np.full(7, 0.5),
        [[2.5, -2.5]],
        None,
    ]
    invalid = [c for c in candidates if not _contains(space, c)]
    assert invalid, f"action_space {space!r} claims to contain every test value"
    name = type(game).__name__
    for action in invalid:
        before = game.copy()
        try:
            game.step(action)
        except ValueError as e:
            msg = str(e)
            assert name in msg, f"error for invalid action {action!r} does not name the game {name!r}: {msg}"
            assert repr(space) in msg or str(space) in msg, (
                f"error for invalid action {action!r} does not name the action space {space!r}: {msg}"
            )
        except Exception as e:  # noqa: BLE001 - any other type is the failure
            raise AssertionError(
                f"invalid action {action!r} raised {type(e).__name__}, not a ValueError: {e}"
            ) from None
        else:
            raise AssertionError(f"invalid action {action!r} was accepted by step()")
        a = rollout(before, 10, ctx.seed, reset=False)
        b = rollout(game, 10, ctx.seed, reset=False)
        assert all(same(x, y) for x, y in zip(a, b)), (
            f"a rejected action {action!r} changed the game: {_first_difference(a, b)}"
        )


def _check_callbacks(ctx: _Ctx) -> None:
    rec = _Recorder()
    game = ctx.make(callback=rec)
    assert [c[0] for c in rec.calls] == ["game_init"], f"after construction: calls {rec.calls!r}"
    assert rec.calls[0][1][0] is game, "game_init was not given the game"
    rec.calls.clear()
    state = game.reset()
    assert len(rec.calls) == 1 and rec.calls[0][0] == "game_reset", f"after reset(): calls {rec.calls!r}"
    assert same(rec.calls[0][1], (state,)), f"game_reset got {rec.calls[0][1]!r}, reset returned {state!r}"
    rng = np.random.default_rng(ctx.seed)
    for _ in range(min(ctx.n_steps, 10)):
        rec.calls.clear()
        action = sample_action(game.action_space, rng)
        out = game.step(action)
        assert len(rec.calls) == 1 and rec.calls[0][0] == "game_step", f"after step(): calls {rec.calls!r}"
        assert same(rec.calls[0][1], (action, *out)), (
            f"game_step got {rec.calls[0][1]!r}; expected (action, state, reward, done, info) = {(action, *out)!r}"
        )
        if out[2]:
            game.reset()
    rec.calls.clear()
    game.close()
    assert rec.calls == [("game_close", ())], f"after close(): calls {rec.calls!r}"


def _check_params(ctx: _Ctx) -> None:
    game = ctx.make()
    params = game.params
    assert list(params) == ctx.cls.key_names(), f"params keys {list(params)} != keys {ctx.cls.key_names()}"
    assert params["seed"] == ctx.seed, f"params['seed'] = {params['seed']!r}, built with seed={ctx.seed}"
    rebuilt = ctx.cls(**params)
    assert same(rebuilt.params, params), (
        f"type(game)(**params).params differs: {rebuilt.params!r} != {params!r}"
    )
    a, b = rollout(game, ctx.n_steps, ctx.seed), rollout(rebuilt, ctx.n_steps, ctx.seed)
    assert all(same(x, y) for x, y in zip(a, b)), (
        f"a game rebuilt from params plays differently: {_first_difference(a, b)}"
    )
    unseeded = ctx.make(seed=None)
    assert isinstance(unseeded.params["seed"], int), (
        "a seed of None was not replaced by the drawn seed in params"
    )


def _check_copies(ctx: _Ctx, check_pickle: bool) -> None:
    game = ctx.make()
    rollout(game, max(ctx.n_steps // 3, 3), ctx.seed)
    copies = {
        "copy()": game.copy(),
        "copy.copy": _copy.copy(game),
        "copy.deepcopy": _copy.deepcopy(game),
    }
    if check_pickle:
        copies["pickle"] = pickle.loads(pickle.dumps(game))
    runs = {name: rollout(g, ctx.n_steps, ctx.seed + 7, reset=False) for name, g in copies.items()}
    original = rollout(game, ctx.n_steps, ctx.seed + 7, reset=False)
    for name, run in runs.items():
        assert all(same(x, y) for x, y in zip(original, run)), (
            f"a {name} made mid-episode continued differently: {_first_difference(original, run)}"
        )


def _check_no_global_random(ctx: _Ctx) -> None:
    # Reading the legacy global state is the point: a game must leave it untouched.
    np_state, py_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    game = ctx.make()
    rollout(game, ctx.n_steps, ctx.seed)
    game.copy()
    game.close()
    after = np.random.get_state()  # noqa: NPY002
    assert all(same(x, y) for x, y in zip(np_state, after)), "the game used the global np.random state"
    assert random.getstate() == py_state, "the game used the global `random` module"


#: Names of the checks, in the order they run.
GAME_CHECKS = (
    "keys",
    "presets",
    "spaces",
    "reset",
    "step",
    "episode_errors",
    "determinism",
    "reseed",
    "invalid_action",
    "callbacks",
    "params",
    "copies",
    "no_global_random",
)


def check_game(
    game_class: type[Game],
    config: Mapping[str, Any] | None = None,
    *,
    seed: int = 1234,
    n_steps: int = 40,
    check_pickle: bool = True,
    skip: tuple[str, ...] = (),
) -> None:
    """Run the conformance suite (see the module docstring) on a game class.

    Parameters
    ----------
    game_class : type
        A subclass of :class:`spikey.games.Game`.
    config : dict, optional
        Keyword arguments for every construction: key values and optionally
        ``"preset"`` (every preset is also built by the ``presets`` check). Give
        environments by id or factory, not as a shared instance.
    seed : int
        Seed of the games and of the action draws.
    n_steps : int
        Steps per trajectory.
    check_pickle : bool
        Include the pickle round trip in ``copies``.
    skip : tuple of str
        Names from :data:`GAME_CHECKS` not to run.

    Raises
    ------
    AssertionError
        ``"check_game(<Game>) failed check '<name>': <what went wrong>"``.

    Examples
    --------
    >>> from spikey.games import CartPole
    >>> from spikey.testing.games import check_game
    >>> check_game(CartPole, {"action_type": "push"}, n_steps=20)
    """
    unknown = set(skip) - set(GAME_CHECKS)
    if unknown:
        raise ValueError(f"check_game: unknown checks {sorted(unknown)}; checks are {list(GAME_CHECKS)}.")
    ctx = _Ctx(game_class, dict(config or {}), seed, n_steps)
    label = getattr(game_class, "__name__", repr(game_class))
    checks: dict[str, Callable[[], None]] = {
        "keys": lambda: _check_keys(ctx),
        "presets": lambda: _check_presets(ctx),
        "spaces": lambda: _check_spaces(ctx),
        "reset": lambda: _check_reset(ctx),
        "step": lambda: _check_step(ctx),
        "episode_errors": lambda: _check_episode_errors(ctx),
        "determinism": lambda: _check_determinism(ctx),
        "reseed": lambda: _check_reseed(ctx),
        "invalid_action": lambda: _check_invalid_action(ctx),
        "callbacks": lambda: _check_callbacks(ctx),
        "params": lambda: _check_params(ctx),
        "copies": lambda: _check_copies(ctx, check_pickle),
        "no_global_random": lambda: _check_no_global_random(ctx),
    }
    for name in GAME_CHECKS:
        if name in skip:
            continue
        try:
            checks[name]()
        except AssertionError as e:
            raise AssertionError(f"check_game({label}) failed check {name!r}: {e}") from None
        except Exception as e:
            raise AssertionError(
                f"check_game({label}) failed check {name!r}: raised {type(e).__name__}: {e}"
            ) from e
