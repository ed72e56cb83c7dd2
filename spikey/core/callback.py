"""Experiment callbacks: observe a network and a game while they run.

Networks, games and training loops announce each public method to their callback as
``callback.<owner>_<method>(*inputs, *outputs)``, e.g. ``network_tick(state, action)``.
A callback collects what it sees in two dicts: ``results`` (scalars, one row of a
table) and ``info`` (arrays and other objects). Callbacks observe; they never steer.

Hooks announced by spikey
-------------------------
========================================  ==============================================
hook                                      arguments
========================================  ==============================================
``network_init``                          ``network``
``network_reset``                         (none)
``network_tick``                          ``state, action``
``network_reward``                        ``state, action, reward``
``network_continuous_reward``             ``state, action, reward`` (each network step)
``game_<method>``                         see the game's documentation
``training_loop_begin``                   ``network, game`` (before the first episode)
``training_loop_step``                    ``state, action, state_next, game_reward, done``
``training_loop_episode_end``             ``episode, n_steps``
``training_loop_end``                     ``network, game``
``training_end``                          (none; the original Spikey's name)
========================================  ==============================================

Any hook whose name starts with ``network_``, ``game_`` or ``training_`` and that a
callback does not define is a no-op, so networks and games can call hooks blindly.

Examples
--------
Track a value at runtime (the target path is checked when the callback is bound to a
network and a game, before any training):

>>> import spikey
>>> callback = spikey.core.RLCallback()
>>> callback.track("network_reward", "info", "td_td", ["network", "rewarder", "prev_td"], "list")
>>> callback.track("network_tick", "info", "actions", ["arg", 1], "list")
"""

from __future__ import annotations

import copy as _copy
import functools
import math
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from spikey.compat.calls import string_target
from spikey.compat.core import OriginalCallbackAPI
from spikey.core import writer
from spikey.errors import ConfigError
from spikey.module import Key, Module, describe_value, suggest
from spikey.snn.network import NOOP_HOOK, listener

__all__ = ["HOOK_PREFIXES", "HOOK_ARITY", "ExperimentCallback", "RLCallback", "TDCallback", "active_hook"]

#: Hook names with these prefixes are no-ops unless a callback defines them.
HOOK_PREFIXES = ("network_", "game_", "training_")

#: Number of arguments of the hooks spikey itself announces (used to check
#: ``["arg", i]`` targets before training).
HOOK_ARITY = {
    "network_init": 1,
    "network_reset": 0,
    "network_tick": 2,
    "network_reward": 3,
    "network_continuous_reward": 3,
    "training_loop_begin": 2,
    "training_loop_step": 5,
    "training_loop_episode_end": 2,
    "training_loop_end": 2,
    "training_end": 0,
}


def _noop(*args: Any, **kwargs: Any) -> None:
    """A hook nobody listens to."""
    return None


setattr(_noop, NOOP_HOOK, True)


def active_hook(callback: Any, hook: str) -> Callable[..., Any] | None:
    """``callback.<hook>`` if something listens to it, else None.

    For code that announces a hook many times per game step (the compiled engine
    replays ``network_continuous_reward`` once per network step after its kernel ran):
    with None it can skip building the arguments of calls that would do nothing. A
    hook that an :class:`ExperimentCallback` neither defines nor tracks is such a
    no-op; so is any hook of ``callback=None``. What is logged does not change.

    Parameters
    ----------
    callback : object or None
        A callback (any object with hook methods) or None.
    hook : str
        Hook name, e.g. ``"network_continuous_reward"``.

    Returns
    -------
    callable or None

    Examples
    --------
    >>> from spikey.core.callback import RLCallback, active_hook
    >>> cb = RLCallback()
    >>> active_hook(cb, "network_continuous_reward") is None
    True
    >>> cb.track("network_continuous_reward", "info", "step_rewards", ["arg", 2], "list")
    >>> active_hook(cb, "network_continuous_reward") is None
    False
    """
    return listener(callback, hook)


class _Tracker(NamedTuple):
    hook: str
    location: str
    key: str
    target: tuple | Callable[[], Any]
    method: str


def _dispatch(callback: ExperimentCallback, hook: str, *args: Any, **kwargs: Any) -> Any:
    """Run the callback's own ``hook`` method (if any), then its trackers of ``hook``."""
    method = getattr(type(callback), hook, None)
    out = method(callback, *args, **kwargs) if callable(method) else None
    for tracker in callback.tracking.get(hook, ()):
        callback._record(tracker, args)
    return out


def _snapshot(value: Any) -> Any:
    """An independent copy of an observed value (so later mutation cannot change it)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, dict, set)):
        return _copy.deepcopy(value)
    return value


def _normalize_target(target: Any, owner: str) -> tuple | Callable[[], Any]:
    """``["arg_1"]`` -> ``("arg", 1)``; checks the shape of a target path."""
    if callable(target) and not isinstance(target, (list, tuple, str)):
        return target
    if isinstance(target, str) and target.strip("."):
        target = string_target(owner, target)
    if isinstance(target, str) or not isinstance(target, Sequence) or not len(target):
        raise ConfigError(
            f"{owner}.track: expected target as a non-empty list such as ['network', 'rewarder', "
            f"'prev_td'] or ['arg', 1], or a function of no arguments; got {describe_value(target)}."
        )
    path = []
    for item in target:
        if isinstance(item, str) and item.startswith("arg_") and item[4:].isdigit():
            path.extend(["arg", int(item[4:])])
        elif isinstance(item, (str, int, np.integer)) and not isinstance(item, bool):
            path.append(int(item) if isinstance(item, np.integer) else item)
        else:
            raise ConfigError(
                f"{owner}.track: target elements must be names (str) or indices (int); "
                f"got {item!r} in {list(target)}."
            )
    if path[0] == "arg" and (len(path) < 2 or not isinstance(path[1], int) or path[1] < 0):
        raise ConfigError(
            f"{owner}.track: expected an argument index >= 0 after 'arg' (e.g. ['arg', 1]); got {list(target)}."
        )
    return tuple(path)


def _names_at(obj: Any) -> list[str]:
    """What can be reached from ``obj`` with one more path element."""
    if isinstance(obj, dict):
        return [repr(k) for k in obj][:40]
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [f"indices 0..{len(obj) - 1}"] if len(obj) else ["nothing (empty)"]
    names = {n for n in getattr(obj, "__dict__", {}) if not n.startswith("_")}
    if isinstance(obj, Module):
        names |= set(type(obj).key_names())
    for n in dir(type(obj)):
        if not n.startswith("_") and isinstance(getattr(type(obj), n, None), property):
            names.add(n)
    return sorted(names)[:60]


_MISSING = object()


def _step(obj: Any, name: Any) -> Any:
    """``obj[name]`` or ``obj.name`` (a key name gives the stored ``_name``); ``_MISSING``."""
    if isinstance(obj, dict):
        return obj.get(name, _MISSING)
    if isinstance(name, int):
        try:
            return obj[name]
        except (IndexError, KeyError, TypeError):
            return _MISSING
    try:
        return getattr(obj, name)
    except AttributeError:
        pass
    if isinstance(obj, Module) and name in type(obj).key_names():
        return getattr(obj, "_" + name, _MISSING)
    return _MISSING


class ExperimentCallback(Module, OriginalCallbackAPI):
    """Blank-slate callback: empty ``results`` and ``info``; every hook a no-op.

    Subclass it and define ``network_<method>`` / ``game_<method>`` /
    ``training_loop_<method>`` methods, or add runtime trackers with :meth:`track`.

    Parameters
    ----------
    **kwargs
        Values for ``NECESSARY_KEYS`` (none here); other keys are ignored, so a
        training loop can build a callback class with its whole configuration.

    Attributes
    ----------
    network, game : object or None
        What the callback is bound to (see :meth:`bind`).
    results : dict
        Scalars: one row of a results table.
    info : dict
        Arrays and other (serializable) objects.
    tracking : dict
        Hook name -> list of trackers added with :meth:`track`.

    Examples
    --------
    >>> from spikey.core import ExperimentCallback
    >>> class CountTicks(ExperimentCallback):
    ...     def network_tick(self, state, action):
    ...         self.results["ticks"] = self.results.get("ticks", 0) + 1
    >>> cb = CountTicks()
    >>> cb.reset()
    >>> cb.network_tick((0, 1), 1); cb.network_reward((0, 1), 1, 1.0)  # second one: no-op
    >>> cb.results["ticks"]
    1
    """

    NECESSARY_KEYS: list[Key] = []
    RNG_STREAM = "callback"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.network = None
        self.game = None
        self.results: dict[str, Any] = {}
        self.info: dict[str, Any] = {}
        self.tracking: dict[str, list[_Tracker]] = {}
        self.user_hooks: set[str] = set()
        self.experiment_params: dict[str, Any] = {}
        self._checked: tuple[int, int] | None = None
        self.reset()

    # ------------------------------------------------------------------ hooks
    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: unknown hooks are no-ops
        if name.startswith(HOOK_PREFIXES):
            return _noop
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def network_init(self, network: Any) -> None:
        """Bind the network (called by the network at the end of its construction)."""
        self.bind(network=network)

    def game_init(self, game: Any) -> None:
        """Bind the game (called by the game at the end of its construction)."""
        self.bind(game=game)

    # ------------------------------------------------------------------ lifecycle
    def reset(self, **experiment_params: Any) -> None:
        """Forget all collected data and the bound network and game.

        Parameters
        ----------
        **experiment_params
            Scalars describing the run (e.g. ``n_episodes``, ``seed``), copied into
            ``results`` and kept as :attr:`experiment_params` (the path root
            ``"experiment_params"`` of :meth:`track`; a training loop sets it to its
            whole configuration).
        """
        from spikey import __version__

        self.network = self.game = None
        self._checked = None
        self.experiment_params = dict(experiment_params)
        self.results = {"version": __version__}
        self.results.update(experiment_params)
        self.info = {}
        for trackers in self.tracking.values():
            for t in trackers:
                self._init_storage(t)

    def bind(self, network: Any = None, game: Any = None) -> None:
        """Attach the callback to a network and/or a game, or add a user-defined hook.

        Once both are known, every tracker's target path is checked (before any
        training), see :meth:`check_targets`.

        ``callback.bind("name")`` (a string, as in the original Spikey) instead
        registers a hook of that name: ``callback.name(*args)`` then runs the trackers
        added with ``callback.track("name", ...)``.

        Parameters
        ----------
        network, game : object, optional
            What to observe; ``None`` keeps the current one. A string ``network`` is
            the name of a user-defined hook.

        Raises
        ------
        ConfigError
            For a target path that does not exist, or a hook name that is not an
            identifier or would hide an attribute of the callback.

        Examples
        --------
        >>> from spikey.core import ExperimentCallback
        >>> cb = ExperimentCallback()
        >>> cb.bind("random")
        >>> cb.track("random", "info", "seen", ["arg_0"], "list")
        >>> cb.reset(); cb.random(3); cb.random(4)
        >>> cb.info["seen"]
        [3, 4]
        """
        if isinstance(network, str):
            self._add_user_hook(network)
            return
        if network is not None:
            self.network = network
        if game is not None:
            self.game = game
        if self.network is not None and self.game is not None:
            ids = (id(self.network), id(self.game))
            if self._checked != ids:
                self.check_targets(self.network, self.game)
                self._checked = ids

    def _add_user_hook(self, name: str) -> None:
        owner = type(self).__name__
        if not name.isidentifier() or name.startswith("_"):
            raise ConfigError(f"{owner}.bind: expected a hook name such as 'random'; got {name!r}.")
        taken = name in self.__dict__ and name not in self.tracking and name not in self.user_hooks
        if taken or (hasattr(type(self), name) and not name.startswith(HOOK_PREFIXES)):
            raise ConfigError(
                f"{owner}.bind({name!r}): {owner} already has an attribute {name!r}; choose another hook name."
            )
        self.user_hooks.add(name)
        self.__dict__[name] = functools.partial(_dispatch, self, name)

    # ------------------------------------------------------------------ tracking
    def track(
        self,
        hook: str,
        location: str,
        key: str,
        target: Sequence[str | int] | Callable[[], Any],
        method: str = "list",
    ) -> None:
        """Record a value every time ``hook`` is called.

        Parameters
        ----------
        hook : str
            Hook name, e.g. ``"network_reward"``, ``"game_step"``, ``"training_end"``.
        location : {"results", "info"}
            Dict to store into (scalars in ``results``; arrays, lists in ``info``).
        key : str
            Key in that dict.
        target : list of str/int, or callable
            Path to the value: ``["network", "rewarder", "prev_td"]``,
            ``["game", "<attribute>", ...]``, ``["experiment_params", "<key>"]``
            (the training loop's configuration), or ``["arg", i]`` (the hook's ``i``-th
            argument, ``"arg_i"`` is accepted too), optionally continued into the
            argument (``["arg", 0, 1]``). Each element is an attribute, a dict key, a
            sequence index, or a key name of a part (``["network", "neurons",
            "firing_threshold"]`` gives its ``_firing_threshold``). A function of no
            arguments is called instead.
        method : {"list", "scalar"}
            ``"list"`` appends the value at each call (one flat list over the run);
            ``"scalar"`` keeps the last value (0 until the hook first runs).

        Raises
        ------
        ConfigError
            For a bad hook name, location, method or path shape. Whether the path
            exists is checked when the callback is bound to a network and a game.

        Examples
        --------
        >>> from spikey.core import ExperimentCallback
        >>> cb = ExperimentCallback()
        >>> cb.track("network_tick", "info", "actions", ["arg", 1], "list")
        >>> cb.track("network_tick", "results", "last_state", ["arg", 0], "scalar")
        >>> cb.reset()
        >>> cb.network_tick((1, 0), 1); cb.network_tick((0, 0), 0)
        >>> cb.info["actions"], cb.results["last_state"]
        ([1, 0], (0, 0))
        """
        owner = type(self).__name__
        if not isinstance(hook, str) or not hook.isidentifier():
            raise ConfigError(f"{owner}.track: expected a hook name such as 'network_tick'; got {hook!r}.")
        if (
            not hook.startswith(HOOK_PREFIXES)
            and hook not in self.user_hooks
            and not callable(getattr(type(self), hook, None))
        ):
            raise ConfigError(
                f"{owner}.track: hook {hook!r} is not announced by spikey"
                f"{suggest(hook, list(HOOK_ARITY) + sorted(self.user_hooks))}; expected a name starting with "
                f"{' / '.join(HOOK_PREFIXES)}, a method of {owner}, or a hook added with "
                f"{owner}.bind({hook!r}) first."
            )
        if location not in ("results", "info"):
            raise ConfigError(f"{owner}.track: expected location 'results' or 'info'; got {location!r}.")
        if not isinstance(key, str):
            raise ConfigError(f"{owner}.track: expected key as a str; got {key!r}.")
        if method not in ("list", "scalar"):
            raise ConfigError(f"{owner}.track: expected method 'list' or 'scalar'; got {method!r}.")
        tracker = _Tracker(hook, location, key, _normalize_target(target, owner), method)
        arity = HOOK_ARITY.get(hook)
        if isinstance(tracker.target, tuple) and tracker.target[0] == "arg" and arity is not None:
            if tracker.target[1] >= arity:
                raise ConfigError(
                    f"{owner}.track({hook!r}, ..., {list(tracker.target)}): {hook} has {arity} "
                    f"argument{'s' if arity != 1 else ''}; expected an index in [0, {arity - 1}]."
                )
        self.tracking.setdefault(hook, []).append(tracker)
        # an instance attribute shadows the class's method; it runs both
        self.__dict__[hook] = functools.partial(_dispatch, self, hook)
        self._init_storage(tracker)
        if self.network is not None and self.game is not None:
            self._check_target(tracker, self.network, self.game)

    def _init_storage(self, tracker: _Tracker) -> None:
        store = getattr(self, tracker.location)
        store[tracker.key] = [] if tracker.method == "list" else 0

    def _describe(self, tracker: _Tracker) -> str:
        target = tracker.target if callable(tracker.target) else list(tracker.target)
        return f"{type(self).__name__}.track({tracker.hook!r}, {tracker.location!r}, {tracker.key!r}, {target!r})"

    def _resolve(self, tracker: _Tracker, args: tuple, network: Any, game: Any, checking: bool) -> Any:
        """Follow ``tracker.target``; while checking, stop (accept) at a value not yet set."""
        target = tracker.target
        if callable(target):
            return None if checking else target()
        if target[0] == "arg":
            if checking:
                return None
            if target[1] >= len(args):
                raise ConfigError(
                    f"{self._describe(tracker)}: {tracker.hook} was called with {len(args)} "
                    f"argument{'s' if len(args) != 1 else ''}; no argument {target[1]}."
                )
            item, done, rest = args[target[1]], [f"arg {target[1]}"], target[2:]
        else:
            roots = {"network": network, "game": game}
            item = roots[target[0]] if target[0] in roots else _step(self, target[0])
            if item is _MISSING:
                raise ConfigError(
                    f"{self._describe(tracker)}: cannot find {target[0]!r}; a path starts with "
                    f"'network', 'game', 'experiment_params', 'arg' or an attribute of the callback."
                )
            done, rest = [str(target[0])], target[1:]
        for name in rest:
            if item is None and checking:
                return None  # e.g. state allocated by reset(): checked at runtime
            try:
                nxt = _step(item, name)
            except Exception:  # noqa: BLE001 - a property that cannot be computed yet
                if checking:
                    return None
                raise
            if nxt is _MISSING:
                raise ConfigError(
                    f"{self._describe(tracker)}: {'.'.join(done)} ({type(item).__name__}) has no "
                    f"{name!r}{suggest(str(name), _names_at(item))}; it has: {', '.join(_names_at(item))}."
                )
            item = nxt
            done.append(str(name))
        return item

    def _check_target(self, tracker: _Tracker, network: Any, game: Any) -> None:
        self._resolve(tracker, (), network, game, checking=True)

    def check_targets(self, network: Any, game: Any) -> None:
        """Check that every tracker's target path exists in ``network`` and ``game``.

        Does not bind the callback. Values set only later (``None`` until ``reset()``)
        and ``["arg", i]`` targets are checked when the hook runs.

        Raises
        ------
        ConfigError
            Naming the tracker and the failing path, and listing what exists there.
        """
        for trackers in self.tracking.values():
            for tracker in trackers:
                self._check_target(tracker, network, game)

    def _record(self, tracker: _Tracker, args: tuple) -> None:
        value = _snapshot(self._resolve(tracker, args, self.network, self.game, checking=False))
        store = getattr(self, tracker.location)
        if tracker.method == "list":
            if not isinstance(store.get(tracker.key), list):
                store[tracker.key] = []
            store[tracker.key].append(value)
        else:
            store[tracker.key] = value

    # ------------------------------------------------------------------ output
    def log(self, log_func: Callable | None = None, **log_kwargs: Any) -> str:
        """Write the bound network's and game's params, ``results`` and ``info`` to a file.

        Parameters
        ----------
        log_func : callable, optional
            ``f(network, game, results, info, **log_kwargs) -> path``; default
            :func:`spikey.core.writer.write_log`.
        **log_kwargs
            E.g. ``folder="log"``, ``filename="run.json"``.

        Returns
        -------
        str
            Path of the log file.
        """
        fn = log_func if log_func is not None else writer.write_log
        return fn(self.network, self.game, self.results, self.info, **log_kwargs)


def _expected_value_fn(game: Any) -> Callable[[Any], Any] | None:
    """The game's ``expected_value(state)`` (the correct action), if it has one."""
    if game is None:
        return None
    for fn in (
        getattr(game, "expected_value", None),
        getattr(game, "_expected_value", None),
        (getattr(game, "params", None) or {}).get("expected_value")
        if isinstance(getattr(game, "params", None), dict)
        else None,
    ):
        if callable(fn):
            return fn
    return None


def _mean(values: list) -> float | None:
    return float(np.mean(values)) if len(values) else None


class RLCallback(ExperimentCallback):
    """Callback for reinforcement-learning runs: rewards, steps, accuracy, time.

    Episodes start at ``network_reset``. Episodes run with learning frozen
    (``network.training`` False, e.g. a loop's evaluation episodes) are recorded
    under keys prefixed ``eval_``.

    ``info`` (per episode, ``eval_`` variants too):

    - ``episode_rewards``: total reward (the network's rewards; the game's for
      networks without ``reward``);
    - ``episode_lens``: steps taken (for CartPole: steps balanced);
    - ``episode_env_returns``: the game's own rewards summed over the episode (for a
      Gymnasium env played with :class:`~spikey.games.GymGame`, the env's episode
      return, comparable with other RL libraries), recorded next to
      ``episode_rewards`` even when the network's ``reward()`` shapes its own
      (from the loop's ``training_loop_step`` hook);
    - ``episode_accuracy``: fraction of actions equal to the game's
      ``expected_value(state)`` (only for games that have one, such as Logic);
    - unless ``reduced``: ``step_states``, ``step_actions``, ``step_rewards``
      (one entry per game step) and ``weights_start`` (also as ``weights_original``,
      the original Spikey's name) / ``weights_final``;
    - with ``measure_rates``: ``step_inrates``, ``step_sysrates``, ``step_outrates``,
      the mean spike rate (spikes per neuron per network step) of the inputs, the
      hidden body neurons and the outputs during each game step.

    With ``per_episode`` the ``step_*`` lists hold one list per episode (the original
    Spikey 2021 layout, e.g. ``np.array(info["step_states"])`` of shape ``(n_episodes,
    len_episode, 2)`` for equal episodes); by default they are flat over the run.

    ``results`` (scalars, written at ``training_end``): ``total_time`` [s],
    ``n_steps``, ``mean_reward``, ``final_reward``, ``mean_steps``, ``final_steps``,
    ``mean_env_return``, ``final_env_return`` (of ``episode_env_returns``),
    ``accuracy`` (of the final training episode), ``mean_accuracy`` (over all training
    steps), and ``eval_mean_reward``, ``eval_mean_steps``, ``eval_accuracy`` (over all
    evaluation steps), ``eval_mean_env_return`` when evaluation episodes were run.

    Parameters
    ----------
    reduced : bool
        Skip the per-step lists and weight matrices (smaller logs).
    measure_rates : bool
        Record the input, hidden and output rates of every game step.
    per_episode : bool
        Nest the ``step_*`` lists per episode.

    Examples
    --------
    >>> from spikey.core import RLCallback
    >>> cb = RLCallback(reduced=True)
    >>> cb.reset()
    >>> cb.network_reset(); cb.network_tick((1, 0), 1); cb.network_reward((1, 0), 1, 2.0)
    >>> cb.training_end()
    >>> cb.info["episode_rewards"], cb.results["mean_reward"]
    ([2.0], 2.0)
    """

    NECESSARY_KEYS = ExperimentCallback.extend_keys(
        [
            Key("reduced", "Skip per-step lists and weight matrices in info.", bool, default=False),
            Key(
                "measure_rates",
                "Record input, hidden and output spike rates at each game step (step_inrates, ...).",
                bool,
                default=False,
            ),
            Key(
                "per_episode",
                "Nest the step_* lists of info per episode (the original Spikey 2021 layout).",
                bool,
                default=False,
            ),
        ]
    )

    def _step_keys(self) -> list[str]:
        keys = [] if self._reduced else ["step_states", "step_actions", "step_rewards"]
        if self._measure_rates:
            keys += ["step_inrates", "step_sysrates", "step_outrates"]
        return keys

    def _append_step(self, p: str, key: str, value: Any) -> None:
        store = self.info[p + key]
        if self._per_episode:
            if not store:
                store.append([])
            store[-1].append(value)
        else:
            store.append(value)

    def reset(self, **experiment_params: Any) -> None:
        """Forget all data; see :meth:`ExperimentCallback.reset`."""
        super().reset(**experiment_params)
        for p in ("", "eval_"):
            self.info[p + "episode_rewards"] = []
            self.info[p + "episode_lens"] = []
            self.info[p + "episode_env_returns"] = []
            for key in self._step_keys():
                self.info[p + key] = []
        self._correct = {"": [], "eval_": []}
        self._expected = None
        self._start = None

    def bind(self, network: Any = None, game: Any = None) -> None:
        """Bind (see :meth:`ExperimentCallback.bind`) and find the game's expected value."""
        super().bind(network=network, game=game)
        self._expected = _expected_value_fn(self.game)

    def _prefix(self) -> str:
        return "" if getattr(self.network, "training", True) else "eval_"

    def _ensure_episode(self, p: str) -> None:
        if not self.info[p + "episode_lens"]:
            self._new_episode(p)

    def _new_episode(self, p: str) -> None:
        self.info[p + "episode_rewards"].append(0.0)
        self.info[p + "episode_lens"].append(0)
        self.info[p + "episode_env_returns"].append(0.0)
        self._correct[p].append(0)
        if self._per_episode:
            for key in self._step_keys():
                self.info[p + key].append([])

    # ------------------------------------------------------------------ hooks
    def network_init(self, network: Any) -> None:
        """Bind the network; start the clock; record the initial weights."""
        super().network_init(network)
        self._start = time.perf_counter()
        self._record_weights("weights_start")
        if "weights_start" in self.info:
            self.info["weights_original"] = self.info["weights_start"]

    def training_loop_begin(self, network: Any, game: Any) -> None:
        """Restart the clock when the loop starts its first episode."""
        self.bind(network, game)
        self._start = time.perf_counter()

    def network_reset(self) -> None:
        """A new episode."""
        self._new_episode(self._prefix())

    def network_tick(self, state: Any, action: Any) -> None:
        """Count the step; score the action against the game's expected value."""
        p = self._prefix()
        self._ensure_episode(p)
        self.info[p + "episode_lens"][-1] += 1
        if self._expected is not None:
            correct = bool(np.all(np.asarray(action) == np.asarray(self._expected(state))))
            self._correct[p][-1] += correct
        if not self._reduced:
            self._append_step(p, "step_states", _snapshot(state))
            self._append_step(p, "step_actions", _snapshot(action))
        if self._measure_rates:
            for key, rate in zip(("step_inrates", "step_sysrates", "step_outrates"), self._rates()):
                self._append_step(p, key, rate)

    def _rates(self) -> tuple[float, float, float]:
        """Mean spike rates of the inputs, hidden body neurons and outputs in the last game step."""
        net = self.network
        log = getattr(net, "spike_log", None)
        if log is None or not np.size(log):
            return (math.nan, math.nan, math.nan)
        n_in, n_out = int(getattr(net, "_n_inputs", 0)), int(getattr(net, "_n_outputs", 0))
        spikes = np.abs(np.asarray(log, dtype=float))

        def rate(block: np.ndarray) -> float:
            return float(block.mean()) if block.size else math.nan

        n = spikes.shape[1]
        return rate(spikes[:, :n_in]), rate(spikes[:, n_in : n - n_out]), rate(spikes[:, n - n_out :])

    def network_reward(self, state: Any, action: Any, reward: float) -> None:
        """Add the network's reward to the episode's total."""
        p = self._prefix()
        self._ensure_episode(p)
        self.info[p + "episode_rewards"][-1] += float(reward)
        if not self._reduced:
            self._append_step(p, "step_rewards", float(reward))

    def training_loop_step(self, state: Any, action: Any, state_next: Any, reward: Any, done: bool) -> None:
        """Add the game's reward to the env return; for networks without ``reward``, also to the reward."""
        p = self._prefix()
        self._ensure_episode(p)
        r = float(reward) if reward is not None else 0.0
        self.info[p + "episode_env_returns"][-1] += r
        if callable(getattr(self.network, "reward", None)):
            return
        self.info[p + "episode_rewards"][-1] += r
        if not self._reduced:
            self._append_step(p, "step_rewards", r)

    def _record_weights(self, key: str) -> None:
        matrix = getattr(getattr(self.network, "weights", None), "matrix", None)
        if not self._reduced and isinstance(matrix, np.ndarray):
            self.info[key] = matrix.copy()

    def training_end(self) -> None:
        """Write the scalar summaries into ``results``."""
        if self._start is not None:
            self.results["total_time"] = time.perf_counter() - self._start
        self._record_weights("weights_final")
        for p in ("", "eval_"):
            rewards, lens = self.info[p + "episode_rewards"], self.info[p + "episode_lens"]
            if self._expected is not None:
                self.info[p + "episode_accuracy"] = [
                    c / n if n else math.nan for c, n in zip(self._correct[p], lens)
                ]
            if not lens:
                continue
            self.results[p + "mean_reward"] = _mean(rewards)
            self.results[p + "mean_steps"] = _mean(lens)
            self.results[p + "mean_env_return"] = _mean(self.info[p + "episode_env_returns"])
            if self._expected is not None:
                total = int(np.sum(lens))
                share = float(np.sum(self._correct[p]) / total) if total else math.nan
                self.results[p + ("mean_accuracy" if not p else "accuracy")] = share
            if not p:
                self.results["n_steps"] = int(np.sum(lens))
                self.results["final_reward"] = float(rewards[-1])
                self.results["final_steps"] = int(lens[-1])
                self.results["final_env_return"] = float(self.info["episode_env_returns"][-1])
                if self._expected is not None:
                    self.results["accuracy"] = self.info["episode_accuracy"][-1]


class TDCallback(RLCallback):
    """:class:`RLCallback` that also tracks a TD rewarder's ``prev_td``,
    ``prev_reward`` and ``prev_value`` at each ``network_reward`` (into ``info``
    as ``td_td``, ``td_reward``, ``td_value``).

    Examples
    --------
    >>> from spikey.core import TDCallback
    >>> sorted(TDCallback().tracking)
    ['network_reward']
    """

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        for key, attr in (("td_td", "prev_td"), ("td_reward", "prev_reward"), ("td_value", "prev_value")):
            self.track("network_reward", "info", key, ["network", "rewarder", attr], "list")
