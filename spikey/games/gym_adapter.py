"""Gymnasium, both ways: any Gymnasium env as a spikey game, any spikey game as an env.

- :class:`GymGame` / :func:`gym_wrapper`: play a ``gymnasium.Env`` through the spikey
  game API (``reset() -> state``, ``step(a) -> (state, reward, done, info)``).
  ``terminated`` and ``truncated`` are folded into ``done`` and both kept in ``info``.
  Each episode's ``env.reset(seed=...)`` gets a seed drawn from the game's generator,
  so the game's ``seed`` key fixes every episode.
- :class:`GymnasiumEnv`: expose a spikey game as a ``gymnasium.Env`` (Gymnasium 1.x API:
  ``reset(seed=, options=) -> (obs, info)``, ``step(a) -> (obs, reward, terminated,
  truncated, info)``), with spaces converted to ``gymnasium.spaces``. It passes
  ``gymnasium.utils.env_checker.check_env`` without a warning for every stock game.
  No env is endless by accident: a game without ``max_steps`` (e.g. ``Logic``, which
  never terminates) is truncated after :data:`DEFAULT_MAX_EPISODE_STEPS` steps.

A network trained on a :class:`GymGame` may shape its own reward (``network.reward``);
the env's own reward is still summed per episode by :class:`spikey.core.RLCallback`
(``info["episode_env_returns"]``, ``results["mean_env_return"]``), so results compare
with other RL libraries.

Conventions are those of Gymnasium 1.x (``gymnasium.Env`` and its ``env_checker``).

Examples
--------
>>> from spikey.games import gym_wrapper, GymnasiumEnv, Logic
>>> game = gym_wrapper("CartPole-v1", seed=0)
>>> state = game.reset()
>>> state, reward, done, info = game.step(0)
>>> reward, done, sorted(k for k in info if k.endswith("ated"))
(1.0, False, ['terminated', 'truncated'])
>>> env = GymnasiumEnv(Logic(preset="XOR"))
>>> obs, info = env.reset(seed=3)
>>> env.observation_space, env.action_space
(MultiBinary(2), Discrete(2))
"""

from __future__ import annotations

import copy as _copy
from typing import Any

import gymnasium
import numpy as np
from gymnasium.envs.registration import EnvSpec

from spikey.errors import ActionError, ConfigError, EpisodeError
from spikey.games.registration import ENV_IDS
from spikey.games.spaces import Space, to_gymnasium_space
from spikey.games.template import Game
from spikey.module import Key, describe_value

__all__ = [
    "GymGame",
    "GymnasiumEnv",
    "gym_wrapper",
    "gym_template",
    "DEFAULT_MAX_EPISODE_STEPS",
    "make_env",
]

#: Episode length of a :class:`GymnasiumEnv` whose game has no ``max_steps`` (as
#: Gymnasium's registered envs have a ``max_episode_steps``).
DEFAULT_MAX_EPISODE_STEPS = 1000

_FROM_GAME = object()  # sentinel: max_episode_steps from the game


def _is_env_spec(value: Any) -> bool:
    return isinstance(value, (str, gymnasium.Env)) or callable(value)


class GymGame(Game):
    """A Gymnasium environment played as a spikey game.

    Parameters
    ----------
    callback : object, optional
        See :class:`spikey.games.Game`.
    preset : str, optional
        No presets are defined; subclasses may add some.
    **kwargs
        Keys below.

    Notes
    -----
    Keys (besides ``seed`` and ``max_steps``):

    - ``env``: a registered id (``"CartPole-v1"``, made with ``gymnasium.make``), an
      ``Env`` subclass or factory (called with ``env_kwargs``), or an ``Env`` instance
      (used as is; copies of the game copy it).
    - ``env_kwargs`` (dict): keyword arguments for ``gymnasium.make`` or the factory.

    ``observation_space`` and ``action_space`` are the environment's Gymnasium spaces;
    states are the environment's observations. The info of the last ``env.reset`` is
    kept in :attr:`reset_info`.

    Examples
    --------
    >>> from spikey.games import GymGame
    >>> game = GymGame(env="CartPole-v1", seed=1)
    >>> state = game.reset(); state.dtype
    dtype('float32')
    """

    NECESSARY_KEYS = Game.extend_keys(
        [
            Key("env", "Gymnasium env: registered id, Env class or factory, or Env instance."),
            Key("env_kwargs", "Keyword arguments for gymnasium.make or the env factory.", dict, default=None),
        ]
    )
    metadata = {"render_modes": []}

    def __init__(self, callback: Any = None, preset: str | None = None, **kwargs: Any):
        super().__init__(callback, preset, **kwargs)
        spec = self._env
        if not _is_env_spec(spec):
            raise ConfigError(
                f"{type(self).__name__}.env: expected a registered id (str), an Env class or factory, or an "
                f"Env instance; got {describe_value(spec)} ({type(spec).__name__})."
            )
        env_kwargs = dict(self._env_kwargs or {})
        if isinstance(spec, gymnasium.Env):
            if env_kwargs:
                raise ConfigError(
                    f"{type(self).__name__}.env_kwargs: an Env instance is used as is; got env_kwargs "
                    f"{sorted(env_kwargs)}."
                )
            self.env = spec
        elif isinstance(spec, str):
            self.env = gymnasium.make(spec, **env_kwargs)
        else:
            self.env = spec(**env_kwargs)
        if not isinstance(self.env, gymnasium.Env):
            raise ConfigError(
                f"{type(self).__name__}.env: the factory returned {type(self.env).__name__}, not a gymnasium.Env."
            )
        self.reset_info: dict[str, Any] = {}

    @property
    def observation_space(self) -> Any:
        """The environment's observation space."""
        return self.env.observation_space

    @property
    def action_space(self) -> Any:
        """The environment's action space."""
        return self.env.action_space

    def _reset(self) -> Any:
        obs, info = self.env.reset(seed=int(self.rng.integers(2**31 - 1)))
        self.reset_info = dict(info)
        return obs

    def _step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        return obs, float(reward), bool(terminated), bool(truncated), dict(info)

    def _close(self) -> None:
        self.env.close()

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Classes made by gym_template live nowhere importable: pickle their instances
        # by the template's arguments (the class is re-created on loading).
        spec = type(self).__dict__.get("_template_spec")
        if spec is None:
            return super().__reduce_ex__(protocol)
        return (_rebuild_templated, (spec,), dict(self.__dict__))


def gym_template(env: Any, name: str | None = None, **config: Any) -> type[GymGame]:
    """A :class:`GymGame` subclass (a game template) playing ``env``.

    Parameters
    ----------
    env : str, Env class or factory
        As the ``env`` key of :class:`GymGame`.
    name : str, optional
        Class name; default ``"Gym_<env name>"``.
    **config
        Further class-level config (``env_kwargs``, ``max_steps``, ...).

    Returns
    -------
    type
        A subclass whose ``config`` holds ``env`` and ``config``; instantiate it as
        any game, e.g. in a training loop. Its instances pickle (the class is rebuilt
        from these arguments on loading, so ``env`` must pickle); the class object
        itself pickles only by value (e.g. with cloudpickle, as Ray does).

    Examples
    --------
    >>> from spikey.games import gym_template
    >>> Pole = gym_template("CartPole-v1")
    >>> Pole.__name__, Pole(seed=0).reset().shape
    ('Gym_CartPole_v1', (4,))
    """
    label = env if isinstance(env, str) else getattr(env, "__name__", type(env).__name__)
    cls_name = name or "Gym_" + "".join(c if c.isalnum() else "_" for c in str(label))
    spec = (env, cls_name, config)
    namespace = {"config": {"env": env, **config}, "__module__": __name__, "_template_spec": spec}
    return type(cls_name, (GymGame,), namespace)


def _rebuild_templated(spec: tuple) -> GymGame:
    """Unpickle an instance of a :func:`gym_template` class (re-creating the class)."""
    env, name, config = spec
    cls = gym_template(env, name, **config)
    return cls.__new__(cls)


def gym_wrapper(env_or_id: Any, **kwargs: Any) -> GymGame | type[GymGame]:
    """Play a Gymnasium environment as a spikey game.

    Parameters
    ----------
    env_or_id : str, gymnasium.Env, Env class or factory
        What to wrap. An ``Env`` *class* gives a game *class* (as the original Spikey's
        ``gym_wrapper(Env)`` did, for use as a game template); anything else gives a game
        instance.
    **kwargs
        Game keys (``seed``, ``max_steps``, ``env_kwargs``), ``callback`` and
        ``preset``; any other keyword goes to ``gymnasium.make`` / the factory.

    Returns
    -------
    GymGame or type
        The game (or game class for an ``Env`` class).

    Examples
    --------
    >>> import gymnasium
    >>> from spikey.games import gym_wrapper
    >>> game = gym_wrapper("CartPole-v1", seed=0, max_episode_steps=20)
    >>> game.env.spec.max_episode_steps
    20
    >>> from gymnasium.envs.classic_control import CartPoleEnv
    >>> gym_wrapper(CartPoleEnv).__name__
    'Gym_CartPoleEnv'
    """
    own = set(GymGame.key_names()) | {"callback", "preset"}
    game_kwargs = {k: v for k, v in kwargs.items() if k in own}
    extra = {k: v for k, v in kwargs.items() if k not in own}
    if extra:
        game_kwargs["env_kwargs"] = {**(game_kwargs.get("env_kwargs") or {}), **extra}
    if isinstance(env_or_id, type):
        if "callback" in game_kwargs or "preset" in game_kwargs:
            raise ConfigError(
                "gym_wrapper: for an Env class, give callback and preset when instantiating the game."
            )
        return gym_template(env_or_id, **game_kwargs)
    return GymGame(env=env_or_id, **game_kwargs)


def _env_from_spec(game: Game, **kwargs: Any) -> GymnasiumEnv:
    """Entry point of a :class:`GymnasiumEnv`'s ``spec``: a new env on a copy of the game."""
    return GymnasiumEnv(game.copy(), **kwargs)


class GymnasiumEnv(gymnasium.Env):
    """A spikey game as a ``gymnasium.Env``.

    Parameters
    ----------
    game : Game or Game subclass
        The game to expose; a class is instantiated with ``**game_kwargs``.
    render_mode : {None, "rgb_array", "human"}
        For games that draw themselves (``render_frame``: :class:`~spikey.games.CartPole`,
        :class:`~spikey.games.Logic`): ``"rgb_array"`` makes :meth:`render` return the
        frame, ``"human"`` shows it in a matplotlib window after every reset and step.
    max_episode_steps : int or None, optional
        Truncate an episode after this many steps (``truncated=True``). Default: the
        game's ``max_steps``, or :data:`DEFAULT_MAX_EPISODE_STEPS` (1000) for a game
        without one, so that a random-agent loop ``while not (terminated or
        truncated)`` always ends; ``None``: no limit (an endless game stays endless).
    rescale_actions : bool
        Expose a ``Box`` action space with finite bounds other than ``[-1, 1]`` or
        ``[0, 1]`` (e.g. CartPole's force in newtons) as ``[-1, 1]`` (float32), as
        Gymnasium recommends, and map actions linearly onto the game's bounds.
        ``False``: the game's bounds as they are.
    **game_kwargs
        Configuration when ``game`` is a class.

    Notes
    -----
    - ``reset(seed=s)`` reseeds the game (``game.seed(s)``) before resetting it;
      ``reset()`` continues the game's random stream.
    - Observations are converted to the Gymnasium space's type (``MultiBinary`` ->
      ``int8`` array, ``Box`` -> new array of the box's dtype, e.g. ``float32`` for
      CartPole as in CartPole-v1, ``Discrete`` -> ``np.int64``).
    - ``terminated``/``truncated`` come from the game's ``info`` (and are removed from
      the returned ``info``, a deep copy).
    - Stepping after the episode ended (terminated, or truncated by the game or by
      ``max_episode_steps``) raises :class:`spikey.games.EpisodeError`.

    Examples
    --------
    >>> from gymnasium.utils.env_checker import check_env
    >>> from spikey.games import CartPole, GymnasiumEnv
    >>> env = GymnasiumEnv(CartPole, preset="CartPole-v1")
    >>> obs, info = env.reset(seed=0)
    >>> obs, reward, terminated, truncated, info = env.step(1)
    >>> reward, terminated, truncated
    (1.0, False, False)
    """

    def __init__(
        self,
        game: Game | type[Game],
        render_mode: str | None = None,
        *,
        max_episode_steps: Any = _FROM_GAME,
        rescale_actions: bool = True,
        **game_kwargs: Any,
    ):
        if isinstance(game, type) and issubclass(game, Game):
            game = game(**game_kwargs)
        elif game_kwargs:
            raise ConfigError(
                f"GymnasiumEnv: keyword arguments {sorted(game_kwargs)} configure a game class; "
                f"got an instance of {type(game).__name__}."
            )
        if not isinstance(game, Game):
            raise ConfigError(
                f"GymnasiumEnv: expected a spikey Game or Game class; got {describe_value(game)} "
                f"({type(game).__name__})."
            )
        modes = list(getattr(game, "metadata", {}).get("render_modes", [])) if callable(
            getattr(game, "render_frame", None)
        ) else []
        if render_mode is not None and render_mode not in modes:
            raise ConfigError(
                f"GymnasiumEnv({type(game).__name__}).render_mode: expected one of {[None, *modes]}; "
                f"got {render_mode!r}."
            )
        for attr in ("observation_space", "action_space"):
            if getattr(game, attr) is None:
                raise ConfigError(f"GymnasiumEnv: {type(game).__name__}.{attr} is None; declare a space.")
        self.game = game
        self.render_mode = render_mode
        self.metadata = {"render_modes": modes, "render_fps": game.metadata.get("render_fps", 30) if modes else 30}
        self._window: Any = None
        self._game_obs_space = game.observation_space
        self.observation_space = to_gymnasium_space(game.observation_space)
        self.action_space = to_gymnasium_space(game.action_space)
        if max_episode_steps is _FROM_GAME:
            max_episode_steps = game.params.get("max_steps") or DEFAULT_MAX_EPISODE_STEPS
        if max_episode_steps is not None and (
            isinstance(max_episode_steps, bool)
            or not isinstance(max_episode_steps, (int, np.integer))
            or max_episode_steps < 1
        ):
            raise ConfigError(
                f"GymnasiumEnv.max_episode_steps: expected an int >= 1 or None; got "
                f"{describe_value(max_episode_steps)} ({type(max_episode_steps).__name__})."
            )
        self.max_episode_steps = None if max_episode_steps is None else int(max_episode_steps)
        # A spec, so that gymnasium.make(env.spec) and check_env's render/close checks
        # can build a fresh copy (of the game, with its state and generator).
        self.spec = EnvSpec(
            id=_registered_id(game),
            entry_point=_env_from_spec,
            kwargs={
                "game": game,
                "max_episode_steps": self.max_episode_steps,
                "rescale_actions": rescale_actions,
                "render_mode": render_mode,
            },
        )
        self._elapsed = 0
        self._over = False
        self._action_scale: tuple[np.ndarray, np.ndarray] | None = None
        space = self.action_space
        if rescale_actions and isinstance(space, gymnasium.spaces.Box):
            low, high = np.asarray(space.low, dtype=np.float64), np.asarray(space.high, dtype=np.float64)
            normalized = (np.all(low == -1) or np.all(low == 0)) and np.all(high == 1)
            if np.all(np.isfinite(low)) and np.all(np.isfinite(high)) and not normalized:
                self._action_scale = (low, high)
                self.action_space = gymnasium.spaces.Box(-1.0, 1.0, shape=space.shape, dtype=np.float32)

    def _obs(self, state: Any) -> Any:
        if isinstance(self._game_obs_space, Space):
            return self._game_obs_space.to_gymnasium_value(state)
        return _copy.deepcopy(state)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict]:
        """Start an episode; ``seed`` reseeds the game. ``options`` are ignored."""
        super().reset(seed=seed)
        if seed is not None:
            self.game.seed(int(seed))
        state = self.game.reset()
        self._elapsed, self._over = 0, False
        info = _copy.deepcopy(getattr(self.game, "reset_info", {}))
        if self.render_mode == "human":
            self.render()
        return self._obs(state), info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        """Advance the game one step (Gymnasium's five-tuple)."""
        if self._over:
            raise EpisodeError(
                f"GymnasiumEnv({type(self.game).__name__}).step: the episode ended (truncated after "
                f"max_episode_steps={self.max_episode_steps}); call reset() before step()."
            )
        if isinstance(action, np.ndarray) and action.ndim == 0:
            action = action.item()
        if self._action_scale is not None:
            low, high = self._action_scale
            a = np.asarray(action, dtype=np.float64)
            if a.shape != low.shape or not np.all((a >= -1.0) & (a <= 1.0)):
                raise ActionError(
                    f"GymnasiumEnv({type(self.game).__name__}).step: action {describe_value(action)} is not "
                    f"in the action space {self.action_space!r} (rescaled to the game's [{low}, {high}])."
                )
            action = low + (a + 1.0) * 0.5 * (high - low)
        state, reward, done, info = self.game.step(action)
        info = _copy.deepcopy(info)
        terminated = bool(info.pop("terminated", done))
        truncated = bool(info.pop("truncated", False))
        self._elapsed += 1
        if not terminated and self.max_episode_steps is not None and self._elapsed >= self.max_episode_steps:
            truncated = True
            self._over = True
        if self.render_mode == "human":
            self.render()
        return self._obs(state), float(reward), terminated, truncated, info

    def render(self) -> np.ndarray | None:
        """The game's current frame (``"rgb_array"``), or show it in a window (``"human"``).

        Returns
        -------
        ndarray of uint8, shape (height, width, 3) or None
            The frame for ``render_mode="rgb_array"``; None for ``"human"`` (the frame is
            shown in a matplotlib window, at ``metadata["render_fps"]``) and for no
            render mode.
        """
        if self.render_mode is None:
            return None
        frame = self.game.render_frame()
        if self.render_mode == "rgb_array":
            return frame
        import time

        import matplotlib.pyplot as plt  # a window only for render_mode="human"

        if self._window is None:
            fig, ax = plt.subplots()
            ax.set_axis_off()
            ax.set_title(type(self.game).__name__)
            self._window = (fig, ax.imshow(frame))
            plt.show(block=False)
        else:
            self._window[1].set_data(frame)
        self._window[0].canvas.draw_idle()
        self._window[0].canvas.flush_events()
        time.sleep(1.0 / self.metadata["render_fps"])
        return None

    def close(self) -> None:
        """Close the game (and the window of ``render_mode="human"``)."""
        if self._window is not None:
            import matplotlib.pyplot as plt

            plt.close(self._window[0])
            self._window = None
        self.game.close()

    def __repr__(self) -> str:
        return f"GymnasiumEnv({self.game!r})"


# ---------------------------------------------------------------------- registered ids
def _stock_games() -> dict[str, type[Game]]:
    from spikey.games.cartpole import CartPole
    from spikey.games.logic import Logic

    return {"CartPole": CartPole, "Logic": Logic}


def _registered_id(game: Game) -> str:
    """The registered id a game's env answers to (``spikey/XOR-v0``), else ``spikey/<class name>-v0``."""
    name = type(game).__name__
    if type(game) is _stock_games()["Logic"] and f"spikey/{game.params.get('name')}-v0" in ENV_IDS:
        return f"spikey/{game.params.get('name')}-v0"
    return f"spikey/{name}-v0"


def make_env(game: str, preset: str | None = None, **kwargs: Any) -> GymnasiumEnv:
    """Entry point of spikey's registered Gymnasium ids: a :class:`GymnasiumEnv` of a stock game.

    Parameters
    ----------
    game : {"CartPole", "Logic"}
        The game, by name (only spikey's own games; nothing is imported by name).
    preset : str, optional
        The game's preset.
    **kwargs
        ``render_mode``, ``max_episode_steps``, ``rescale_actions`` for the env; the
        rest configure the game (e.g. ``seed``, ``max_steps``).

    Examples
    --------
    >>> import gymnasium as gym
    >>> env = gym.make("spikey/XOR-v0", render_mode="rgb_array")
    >>> obs, info = env.reset(seed=0)
    >>> env.render().shape
    (140, 265, 3)
    """
    games = _stock_games()
    if game not in games:
        raise ConfigError(f"spikey.games.make_env.game: expected one of {sorted(games)}; got {game!r}.")
    env_keys = ("render_mode", "max_episode_steps", "rescale_actions")
    env_kwargs = {k: kwargs.pop(k) for k in env_keys if k in kwargs}
    if preset is not None:
        kwargs["preset"] = preset
    return GymnasiumEnv(games[game], **env_kwargs, **kwargs)
