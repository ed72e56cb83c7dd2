"""The game template: what every spikey game promises.

A game is an environment a network plays: ``reset() -> state`` starts an episode and
``step(action) -> (state, reward, done, info)`` advances it, as in the original Spikey
(and Gym before the 2022 API change). :class:`Game` holds everything that is the same in
every game, so a new game only writes two hooks::

    from spikey.games import Game
    from spikey.games.spaces import Discrete
    from spikey.module import Key

    class Coin(Game):
        NECESSARY_KEYS = Game.extend_keys([Key("p_heads", "Chance of heads.", float, 0.5)])
        observation_space = Discrete(2)
        action_space = Discrete(2)

        def _reset(self):
            return int(self.rng.random() < self._p_heads)

        def _step(self, action):
            guess_right = action == self.state
            state = int(self.rng.random() < self._p_heads)
            return state, float(guess_right), False, False, {}

Design
------
*Template methods.* The public :meth:`Game.reset`, :meth:`Game.step` and
:meth:`Game.close` do the bookkeeping (action check, step count, ``max_steps``
truncation, errors for a step before ``reset`` or after ``done``, type coercion of
reward/done) and call the overridable hooks :meth:`Game._reset`, :meth:`Game._step` and
:meth:`Game._close`.

*Callbacks.* After each public method returns, the game calls
``callback.game_<method>(*inputs, *outputs)`` when the callback has that attribute:
``game_init(game)``, ``game_reset(state)``, ``game_step(action, state, reward, done,
info)``, ``game_close()``. ``__init_subclass__`` wraps ``__init__``, ``reset``, ``step``
and ``close`` wherever a class defines them, and a per-instance depth counter makes only
the outermost call report. So a subclass may also override ``step`` itself (calling
``super().step`` or not, e.g. to shape the reward): the callback still fires exactly
once, with what the caller received.

*Configuration.* Values come, from highest to lowest priority, from the keyword
arguments, the ``preset`` (an entry of ``PRESETS``), the class attribute ``config`` and
the keys' defaults. As a network does, a game warns about a key it does not declare
(:class:`~spikey.errors.UnclaimedKeyWarning`, with a did-you-mean) and ignores it, as
the original Spikey did; ``strict=True`` makes that an error. ``PRESETS`` lookups return
copies, so the original Spikey idiom ``config = Logic.PRESETS["XOR"];
config.update(...)`` never edits the preset itself.

*Copies.* :meth:`Game.copy`, ``copy.copy`` and ``copy.deepcopy`` all copy the state
and the generator (a shallow copy sharing ``self.rng`` would make two games disturb each
other) and share the callback, so a copy continues exactly as the original would.

*Randomness.* All draws come from ``self.rng``, the game's own generator (stream
``"game"`` of the ``seed`` key); :meth:`Game.seed` restarts it. A seed of ``None`` is
drawn once and stored, so ``params`` always holds the seed that was used.

Examples
--------
>>> from spikey.games import Logic
>>> game = Logic(preset="XOR", seed=0)
>>> state = game.reset()
>>> state, reward, done, info = game.step(Logic.PRESETS["XOR"]["expected_value"](state))
>>> reward, done, info["correct"]
(1.0, False, True)
"""

from __future__ import annotations

import copy as _copy
import functools
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from spikey.errors import ActionError, ActionWarning, ConfigError, EpisodeError, UnclaimedKeyWarning
from spikey.games.spaces import Space
from spikey.module import Interval, Key, Module, describe_value, suggest

__all__ = ["Game", "RL", "Presets", "ActionError", "EpisodeError", "HOOKED_METHODS"]


#: Public methods reported to the callback as ``game_<name>`` (``__init__`` as ``game_init``).
HOOKED_METHODS = ("__init__", "reset", "step", "close")


def _copy_value(value: Any) -> Any:
    """Copy containers and arrays; keep functions, classes and other objects by reference."""
    if isinstance(value, (np.ndarray, list, dict, tuple, set)):
        return _copy.deepcopy(value)
    return value


class Presets(Mapping):
    """Read-only mapping of preset name -> config; each lookup returns a fresh copy.

    Parameters
    ----------
    presets : mapping of str to dict
        The named configurations.
    owner : str
        Game class name, for error messages.

    Examples
    --------
    >>> p = Presets({"A": {"x": 1}}, owner="Demo")
    >>> cfg = p["A"]; cfg["x"] = 2
    >>> p["A"]["x"]
    1
    """

    def __init__(self, presets: Mapping[str, Mapping[str, Any]], owner: str = "Game"):
        self._owner = owner
        self._data = {str(name): dict(config) for name, config in presets.items()}

    def __getitem__(self, name: str) -> dict[str, Any]:
        if name not in self._data:
            raise KeyError(
                f"{self._owner}: no preset {name!r}{suggest(str(name), self._data)}; "
                f"presets are {sorted(self._data)}."
            )
        return {k: _copy_value(v) for k, v in self._data[name].items()}

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Presets({sorted(self._data)})"


def _unknown_keys(cls: type, names: list[str], where: str, strict: bool) -> None:
    """Warn (or raise, ``strict``) about keys a game does not declare."""
    keys = cls.key_names()
    hints = "; ".join(f"{n!r}{suggest(n, keys)}" for n in names)
    msg = (
        f"{where}: has no key {hints}; keys are {sorted(keys)}."
        if len(names) == 1
        else f"{where}: has no keys {hints}; keys are {sorted(keys)}."
    )
    if strict:
        raise ConfigError(msg)
    warnings.warn(msg + " Ignored.", UnclaimedKeyWarning, stacklevel=5)


def _notify(game: Game, method: str, args: tuple, kwargs: dict, out: Any) -> None:
    callback = game.__dict__.get("callback")
    if callback is None:
        return
    fn = getattr(callback, "game_" + method, None)
    if fn is None:
        return
    if method == "init":
        fn(game)
        return
    # step returns (state, reward, done, info): unpacked; reset returns one state
    # (which may itself be a tuple); close returns nothing.
    if method == "step":
        outputs = tuple(out)
    elif method == "close":
        outputs = ()
    else:
        outputs = (out,)
    fn(*args, *kwargs.values(), *outputs)


def _hooked(name: str, fn: Any) -> Any:
    """Wrap a public method so the outermost call reports to the callback."""
    hook = "init" if name == "__init__" else name

    @functools.wraps(fn)
    def wrapper(self, *args: Any, **kwargs: Any) -> Any:
        depth = self.__dict__.get("_hook_depth", 0)
        self.__dict__["_hook_depth"] = depth + 1
        try:
            out = fn(self, *args, **kwargs)
        finally:
            self.__dict__["_hook_depth"] = depth
        if depth == 0:
            _notify(self, hook, args, kwargs, out)
        return out

    wrapper._spikey_hooked = True
    return wrapper


class Game(Module):
    """Base of every game (see the module docstring for the design).

    Parameters
    ----------
    callback : object, optional
        Receives ``game_init(game)``, ``game_reset(state)``, ``game_step(action, state,
        reward, done, info)`` and ``game_close()`` when it has those attributes. A
        string here is taken as ``preset`` (the original Spikey's argument order).
    preset : str, optional
        Name of an entry of ``PRESETS``.
    strict : bool
        Raise :class:`~spikey.errors.ConfigError` for a key the game does not declare
        (default: warn and ignore it).
    **kwargs
        Values of ``NECESSARY_KEYS``; they override the preset and ``config``.

    Attributes
    ----------
    state : object or None
        The current state (None before the first :meth:`reset`).
    steps : int
        Steps taken in the current episode.
    done : bool
        Whether the current episode has ended.
    rng : numpy.random.Generator
        The game's random generator.

    Raises
    ------
    ConfigError
        For an unknown preset or key (with a did-you-mean) or an invalid value.

    Notes
    -----
    Keys shared by every game:

    - ``seed``: seed of ``self.rng`` (stream ``"game"``); drawn and stored if None.
    - ``max_steps``: an episode is truncated (``done=True``, ``info["truncated"]``) after
      this many steps; None: no limit.
    - ``strict_actions`` (default True): an action outside ``action_space`` raises
      :class:`~spikey.errors.ActionError`; with False the game takes it as given and
      warns once (:class:`~spikey.errors.ActionWarning`), as the original Spikey's games
      did (e.g. its tutorial's ``NeuronRates`` readout on ``Logic``).

    ``step`` always reports ``info["terminated"]`` (the game reached a terminal state)
    and ``info["truncated"]`` (cut off by a time limit); ``done`` is their ``or``.
    """

    NECESSARY_KEYS = [
        Key("seed", "Seed of the game's random stream; drawn and stored if None.", int, default=None),
        Key(
            "max_steps",
            "Steps after which an episode is truncated (done); None: no limit.",
            int,
            default=None,
            constraint=Interval(1, None),
            units="steps",
        ),
        Key(
            "strict_actions",
            "True: an action outside action_space raises ActionError; False: the game takes it "
            "as given, with a warning (as the original Spikey's games did).",
            bool,
            default=True,
        ),
    ]
    #: Named configurations, e.g. ``Logic.PRESETS["XOR"]``.
    PRESETS: Mapping[str, dict[str, Any]] = Presets({}, owner="Game")
    #: Class-level configuration (below ``preset`` and kwargs in priority).
    config: dict[str, Any] = {}
    #: Description of the states (a :class:`spikey.games.spaces.Space` or gymnasium space).
    observation_space: Any = None
    #: Description of the valid actions.
    action_space: Any = None
    metadata: dict[str, Any] = {}
    RNG_STREAM = "game"

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        for name in HOOKED_METHODS:
            fn = cls.__dict__.get(name)
            if fn is not None and callable(fn) and not getattr(fn, "_spikey_hooked", False):
                setattr(cls, name, _hooked(name, fn))
        if "PRESETS" in cls.__dict__:
            cls.PRESETS = Presets(cls.__dict__["PRESETS"], owner=cls.__name__)
            for name in cls.PRESETS:
                cls._check_config(cls.PRESETS[name], f"{cls.__name__}.PRESETS[{name!r}]")
        if "config" in cls.__dict__:
            cls._check_config(cls.__dict__["config"], f"{cls.__name__}.config")

    @classmethod
    def _check_config(cls, config: Mapping[str, Any], where: str) -> None:
        keys = {k.name: k for k in cls.NECESSARY_KEYS}
        if not isinstance(config, Mapping):
            raise ConfigError(f"{where}: expected a dict of key -> value; got {describe_value(config)}.")
        for name, value in config.items():
            if name not in keys:
                _unknown_keys(cls, [name], f"{where}: {cls.__name__}", strict=False)
                continue
            keys[name].validate(value, owner=where)

    def __init__(
        self, callback: Any = None, preset: str | None = None, *, strict: bool = False, **kwargs: Any
    ):
        if isinstance(callback, str) and preset is None:
            callback, preset = None, callback
        self.callback = callback
        self.preset = preset
        self._warned_action = False
        super().__init__(**self.resolve_config(preset, strict=strict, **kwargs))
        self.state: Any = None
        self.steps = 0
        self.done = False

    @classmethod
    def resolve_config(
        cls, preset: str | None = None, *, strict: bool = False, **kwargs: Any
    ) -> dict[str, Any]:
        """The configuration an instance would get: kwargs > preset > ``config``.

        Key defaults fill what is left at construction. A key the game does not declare
        is dropped with an :class:`~spikey.errors.UnclaimedKeyWarning` naming the
        closest key (the original Spikey ignored such keys), or rejected with
        ``strict=True``.

        Raises
        ------
        ConfigError
            For an unknown preset, an invalid value, or (``strict=True``) an unknown
            key (with a did-you-mean).
        """
        keys = cls.key_names()
        unknown = [k for k in kwargs if k not in keys]
        if unknown:
            _unknown_keys(cls, unknown, cls.__name__, strict=strict)
            kwargs = {k: v for k, v in kwargs.items() if k in keys}
        merged = {k: _copy_value(v) for k, v in cls.config.items()}
        if preset is not None:
            if preset not in cls.PRESETS:
                raise ConfigError(
                    f"{cls.__name__}: no preset {preset!r}{suggest(str(preset), cls.PRESETS)}; "
                    f"presets are {sorted(cls.PRESETS)}."
                )
            merged.update(cls.PRESETS[preset])
        merged.update(kwargs)
        return merged

    # ------------------------------------------------------------------ configuration
    @property
    def params(self) -> dict[str, Any]:
        """The full configuration (every key); containers are copies.

        ``type(game)(**game.params)`` builds an identically configured game (same seed).
        """
        return {k: _copy_value(v) for k, v in self.get_params().items()}

    def seed(self, seed: int | None = None, stream: str | None = None) -> int:
        """(Re)start the game's generator ``self.rng``; returns the seed used.

        Parameters
        ----------
        seed : int, optional
            None draws a fresh seed, which is stored in ``params["seed"]``.
        stream : str, optional
            Stream name (default ``"game"``).

        Examples
        --------
        >>> from spikey.games import Logic
        >>> game = Logic(seed=1)
        >>> a = game.reset(); _ = game.seed(1)
        >>> game.reset() == a
        True
        """
        return super().seed(seed, stream)

    # ------------------------------------------------------------------ actions
    def check_action(self, action: Any) -> Any:
        """Return ``action`` in the canonical form of the action space, or raise.

        Raises
        ------
        ActionError
            Naming the game, the action and the valid space.
        """
        space = self.action_space
        if space is None:
            return action
        reason = ""
        if isinstance(space, Space):
            try:
                return space.canonical(action)
            except (ValueError, TypeError) as e:
                reason = f": {e}"
        elif space.contains(action):
            return action
        msg = (
            f"{type(self).__name__}.step: action {describe_value(action)} ({type(action).__name__}) "
            f"is not in the action space {space!r}{reason}."
        )
        if getattr(self, "_strict_actions", True):
            raise ActionError(
                msg[:-1] + "; give the game strict_actions=False to take such actions as given "
                "(with a warning), as the original Spikey did."
            )
        if not self.__dict__.get("_warned_action", False):
            self.__dict__["_warned_action"] = True
            warnings.warn(
                msg[:-1] + "; taken as given (strict_actions=False); warned once per game.",
                ActionWarning,
                stacklevel=4,
            )
        return action

    # ------------------------------------------------------------------ public API
    def reset(self) -> Any:
        """Start a new episode; returns the initial state.

        Returns
        -------
        object
            The initial state, a member of ``observation_space``.
        """
        state = self._reset()
        self.state, self.steps, self.done = state, 0, False
        return state.copy() if isinstance(state, np.ndarray) else state

    def step(self, action: Any) -> tuple[Any, float, bool, dict[str, Any]]:
        """Act in the current state.

        Parameters
        ----------
        action : object
            A member of ``action_space``.

        Returns
        -------
        state : object
            The next state.
        reward : float
            Reward of this step.
        done : bool
            True when the episode ended (``info["terminated"] or info["truncated"]``).
        info : dict
            Diagnostics; always has ``"terminated"`` and ``"truncated"``.

        Raises
        ------
        ActionError
            For an action outside ``action_space`` (the game is left unchanged).
        EpisodeError
            Before the first :meth:`reset`, or after ``done`` until the next reset.
        """
        name = type(self).__name__
        if self.state is None:
            raise EpisodeError(f"{name}.step: no episode is running; call reset() before step().")
        if self.done:
            raise EpisodeError(
                f"{name}.step: the episode ended (done=True) after {self.steps} steps; "
                "call reset() to start a new one."
            )
        action = self.check_action(action)
        out = self._step(action)
        if not (isinstance(out, tuple) and len(out) == 5):
            raise TypeError(
                f"{name}._step must return (state, reward, terminated, truncated, info); "
                f"got {describe_value(out)}."
            )
        state, reward, terminated, truncated, info = out
        self.steps += 1
        terminated = bool(terminated)
        truncated = bool(truncated) or (self._max_steps is not None and self.steps >= self._max_steps)
        info = dict(info)
        info["terminated"], info["truncated"] = terminated, truncated
        self.state, self.done = state, terminated or truncated
        out = state.copy() if isinstance(state, np.ndarray) else state
        return out, float(reward), self.done, info

    def close(self) -> None:
        """Release resources (windows, files, wrapped environments)."""
        self._close()

    # ------------------------------------------------------------------ hooks
    def _reset(self) -> Any:
        """Draw and return the initial state (override)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _reset().")

    def _step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Advance one step (override).

        Parameters
        ----------
        action : object
            The action, already checked and in canonical form; ``self.state`` is the
            state it responds to.

        Returns
        -------
        tuple
            ``(state, reward, terminated, truncated, info)``.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement _step().")

    def _close(self) -> None:
        """Release resources (override if needed)."""

    # ------------------------------------------------------------------ copies
    def __deepcopy__(self, memo: dict) -> Game:
        if self.__dict__.get("callback") is not None:
            memo[id(self.callback)] = self.callback
        cls = type(self)
        new = cls.__new__(cls)
        memo[id(self)] = new
        for k, v in self.__dict__.items():
            new.__dict__[k] = _copy.deepcopy(v, memo)
        return new

    def __copy__(self) -> Game:
        # A shallow copy would share self.rng and the state arrays, so the two games
        # would silently disturb each other: copies are always deep (callback shared).
        return _copy.deepcopy(self)

    def copy(self) -> Game:
        """Independent copy that continues identically (callback shared)."""
        return _copy.deepcopy(self)

    def __repr__(self) -> str:
        preset = f"preset={self.preset!r}, " if self.preset else ""
        return f"{type(self).__name__}({preset}seed={self._seed})"


for _name in HOOKED_METHODS:
    setattr(Game, _name, _hooked(_name, Game.__dict__[_name]))
del _name


#: The original Spikey's name of the game template (``spikey.RL.template.RL``).
RL = Game
