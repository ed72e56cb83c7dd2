"""Training loops: build a network and a game, let them interact, report.

A training loop is configured like every spikey module: its own keys
(``n_episodes``, ``len_episode``, ...) are validated at construction; every other
parameter is an *override*: the game gets the overrides it declares as keys (and
``preset``), the network gets all of them (but ``preset``), and the network also reads
the game's params, so game parameters flow into the network's keys (kwargs > network
``keys`` > game params). A key nobody claims is reported by the network.

Examples
--------
>>> import spikey
>>> training_params = {"n_episodes": 2, "len_episode": 5, "seed": 0}
>>> loop = spikey.core.GenericLoop(network_template, game_template, training_params)  # doctest: +SKIP
>>> network, game, results, info = loop()  # doctest: +SKIP
>>> loop.log(folder="log")  # doctest: +SKIP
'log/2024-01-31-12-00.json'
"""

from __future__ import annotations

import copy as _copy
import difflib
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from spikey.compat.core import (
    ORIGINAL_LOOP_KEYS,
    logged_loop_values,
    loop_arguments,
    reset_callback,
    run_result,
)
from spikey.compat.templates import as_template, template_attr
from spikey.core.callback import ExperimentCallback, RLCallback
from spikey.errors import ConfigError, MissingKeyError, SpikeyError
from spikey.module import Interval, Key, Module, describe_value
from spikey.rng import derive_seed, fresh_seed, make_rng

__all__ = ["TrainingLoop", "GenericLoop", "check_actions", "network_actions", "progress_enabled"]


# --------------------------------------------------------------------------- checks


def network_actions(network: Any) -> tuple[list | None, str]:
    """The actions a network's readout can produce, if it is a finite set.

    Parameters
    ----------
    network : Network
        A built network.

    Returns
    -------
    actions : list or None
        ``None`` when unknown or continuous (e.g. rate or population vectors).
    source : str
        Where the actions come from, for messages, e.g. ``"Threshold.output_range"``.

    Notes
    -----
    A readout may declare its actions with a ``possible_actions()`` method;
    otherwise ``Threshold``'s ``output_range`` and ``TopAction``'s ``n_actions`` are
    understood.
    """
    readout = getattr(network, "readout", None)
    if readout is None:
        return None, ""
    name = type(readout).__name__
    declared = getattr(readout, "possible_actions", None)
    if callable(declared):
        return list(declared()), f"{name}.possible_actions()"
    from spikey.snn.readout import Threshold, TopAction

    if isinstance(readout, Threshold):
        return list(readout._output_range), f"{name}.output_range={describe_value(readout._output_range)}"
    if isinstance(readout, TopAction):
        return list(range(readout._n_actions)), f"{name}.n_actions={readout._n_actions}"
    return None, name


def _space_contains(space: Any) -> tuple[Callable[[Any], bool], str] | None:
    """A membership test for a game's ``action_space`` and its description."""
    if space is None:
        return None
    contains = getattr(space, "contains", None)
    if callable(contains):  # gymnasium.spaces.Space

        def test(a: Any) -> bool:
            try:
                return bool(contains(a))
            except Exception:  # noqa: BLE001 - a space that cannot compare is no match
                return False

        return test, repr(space)
    if isinstance(space, int) and not isinstance(space, bool):
        space = range(space)
    if isinstance(space, Iterable) and not isinstance(space, (str, bytes, dict)):
        values = list(space)

        def member(a: Any) -> bool:
            try:
                return any(bool(a == v) for v in values)
            except (TypeError, ValueError):
                return False

        return member, describe_value(values)
    return None


def check_actions(network: Any, game: Any, owner: str = "TrainingLoop") -> None:
    """Raise unless every action the network can produce is in the game's action space.

    Parameters
    ----------
    network, game : object
        Built network and game. Checked when the readout's actions are a known
        finite set (see :func:`network_actions`) and the game has an
        ``action_space`` (a sequence of actions, an int ``n`` for ``range(n)``, or a
        gymnasium space).
    owner : str
        Name used in the message.

    Raises
    ------
    ConfigError
        Naming the readout, the offending action and the game's action space.

    Examples
    --------
    >>> import types
    >>> from spikey.core import check_actions
    >>> from spikey.snn.readout import Threshold
    >>> net = types.SimpleNamespace(readout=Threshold(n_outputs=1, action_threshold=0.5, output_range=[0, 2]))
    >>> game = types.SimpleNamespace(action_space=[0, 1])
    >>> check_actions(net, game)
    Traceback (most recent call last):
    ...
    spikey.errors.ConfigError: TrainingLoop: the network's readout can produce action 2 (Threshold.output_range=[0, 2]), which is not in the game's (SimpleNamespace) action_space [0, 1].
    """
    actions, source = network_actions(network)
    test = _space_contains(getattr(game, "action_space", None))
    if actions is None or test is None:
        return
    contains, described = test
    for a in actions:
        if not contains(a):
            raise ConfigError(
                f"{owner}: the network's readout can produce action {a!r} ({source}), which is not "
                f"in the game's ({type(game).__name__}) action_space {described}."
            )


def progress_enabled(progress: bool | None) -> bool:
    """Whether to show a progress bar.

    ``SPIKEY_PROGRESS=0`` in the environment turns bars off; otherwise ``progress``
    decides, and ``None`` means: only when stderr is a terminal (or
    ``SPIKEY_PROGRESS=1``).
    """
    env = os.environ.get("SPIKEY_PROGRESS", "").strip()
    if env == "0":
        return False
    if progress is not None:
        return bool(progress)
    if env == "1":
        return True
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


def _hook(callback: Any, name: str) -> Callable[..., Any]:
    """``callback.<name>``, or a no-op for a callback without it (e.g. a user's duck-typed
    callback written for the original Spikey, which lacks the newer hooks)."""
    fn = getattr(callback, name, None)
    return fn if callable(fn) else _ignore


def _ignore(*args: Any, **kwargs: Any) -> None:
    return None


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def set_description(self, desc: str) -> None:
        pass

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(
    total: int, desc: str, enabled: bool, unit: str = "ep", leave: bool = True, position: int | None = None
) -> Any:
    if not enabled:
        return _NoBar()
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return _NoBar()
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        dynamic_ncols=True,
        leave=leave,
        position=position,
    )


class _Running:
    """Running totals of one episode, for the progress bar's postfix."""

    def __init__(self) -> None:
        self.steps = 0
        self.reward = 0.0
        self.n_correct = 0
        self.n_scored = 0

    def add(self, reward: Any, info: Any) -> None:
        self.steps += 1
        try:
            self.reward += float(reward)
        except (TypeError, ValueError):
            pass
        correct = info.get("correct") if isinstance(info, dict) else None
        if correct is not None:
            self.n_scored += 1
            self.n_correct += bool(correct)

    def text(self) -> str:
        """``acc=0.75 reward=38`` (accuracy when the game scores answers, e.g. Logic)."""
        parts = []
        if self.n_scored:
            parts.append(f"acc={self.n_correct / self.n_scored:.2f}")
        parts.append(f"reward={self.reward:.4g}")
        return " ".join(parts)


# --------------------------------------------------------------------------- loops


class TrainingLoop(Module):
    """Template of reusable training loops.

    ``loop()`` builds the game and the network, binds the callback, calls
    :meth:`run` and returns ``(network, game, results, info)``. Subclasses implement
    :meth:`run` (or override ``__call__`` entirely, as in the original Spikey).

    Parameters
    ----------
    network_template : type
        Network class; built as ``network_template(callback=callback, game=game,
        seed=..., **overrides)``. (An already built network is used as it is, bound
        to the callback: :func:`spikey.compat.templates.as_template`.)
    game_template : type
        Game class; built as ``game_template(callback=callback, seed=...,
        **game_overrides)``, where ``game_overrides`` are the overrides (and the
        network template's class ``keys``) named by the game's keys (and ``preset``);
        all overrides if the class declares no keys. (A built game is used as it is.)
    callback : ExperimentCallback (class or instance), optional
        Default: a new :meth:`default_callback`. A class is built with the whole
        configuration (it takes the keys it declares, e.g. ``RLCallback``'s ``reduced``;
        those are not passed to the network). A dict given here is taken as
        ``training_params`` (the original Spikey's ``GenericLoop(network_template,
        game_template, training_params)``).
    training_params : dict, optional
        The loop's keys (``NECESSARY_KEYS``) and overrides for the network and game.
    check : bool
        Build a game and a network once at construction (with a silent callback) to
        check that they fit together and that the callback's tracker paths exist, so
        that a bad configuration fails before any training.
    **kwargs
        More training params (win over ``training_params``).

    Notes
    -----
    Seeds: ``seed`` (a loop key) seeds the game with
    ``spikey.rng.derive_seed(seed, "game")`` and the network with
    ``derive_seed(seed, "network")``, so the same seed gives the same run. With
    ``seed=None`` each call draws a fresh seed; either way the seed used is in
    ``results["seed"]``.
    """

    NECESSARY_KEYS = [
        Key(
            "seed",
            "Seed of the run (game and network seeds derive from it); None: fresh.",
            int,
            default=None,
            constraint=Interval(0, None),
        ),
        Key(
            "progress",
            "Show a progress bar: True, False, or None for auto (only when stderr is a terminal; "
            "the environment variable SPIKEY_PROGRESS=0 turns it off).",
            bool,
            default=None,
        ),
    ]
    RNG_STREAM = "training_loop"
    #: Loop keys that are not copied into ``results``.
    UNLOGGED_KEYS = ("progress",)

    def __init__(
        self,
        network_template: type,
        game_template: type,
        callback: ExperimentCallback | type | dict | None = None,
        training_params: dict | None = None,
        *,
        check: bool = True,
        **kwargs: Any,
    ):
        callback, training_params = loop_arguments(type(self).__name__, callback, training_params)
        if training_params is not None and not isinstance(training_params, dict):
            raise ConfigError(
                f"{type(self).__name__}: expected training_params as a dict; got "
                f"{describe_value(training_params)} ({type(training_params).__name__})."
            )
        network_template = as_template(type(self).__name__, network_template, "network", ("tick",))
        game_template = as_template(type(self).__name__, game_template, "game", ("step", "reset"))
        config = dict(training_params or {})
        config.update(kwargs)
        try:
            super().__init__(**config)
        except MissingKeyError as e:
            # a misspelt loop key becomes an override; name it beside the missing key
            names = self.key_names()
            missing = [k.name for k in type(self).NECESSARY_KEYS if k.required and k.name not in config]
            hints = [
                f"{given!r} looks like a misspelling of {close[0]!r}"
                for given in config
                if given not in names
                for close in [difflib.get_close_matches(given, missing, n=1, cutoff=0.6)]
                if close
            ]
            if not hints:
                raise
            raise MissingKeyError(f"{e.args[0]} ({'; '.join(hints)}.)") from None
        self.network_template = network_template
        self.game_template = game_template
        self._overrides = {k: v for k, v in config.items() if k not in self.key_names()}
        self.callback = self._init_callback(callback)
        if self.callback is not None and hasattr(self.callback, "experiment_params"):
            self.callback.experiment_params = self.params
        self.network = self.game = None
        if check:
            self.check()

    # ------------------------------------------------------------------ config
    def seed(self, seed: int | None = None, stream: str | None = None) -> int | None:
        """Set the run's seed (``None``: a fresh seed at each call); returns it."""
        if stream is not None:
            self._rng_stream = stream
        self._seed = None if seed is None else int(seed)
        self.rng = make_rng(self._seed, self.rng_stream)
        return self._seed

    @property
    def params(self) -> dict[str, Any]:
        """The whole configuration: loop keys and overrides (a copy)."""
        out = self.get_params()
        out.update(_copy.deepcopy(self._overrides))
        return out

    @property
    def overrides(self) -> dict[str, Any]:
        """Parameters passed to the game and the network (a copy)."""
        return _copy.deepcopy(self._overrides)

    def set_params(self, **params: Any) -> TrainingLoop:
        """Validate and set loop keys; other names become overrides. Returns ``self``."""
        own = {k: v for k, v in params.items() if k in self.key_names()}
        super().set_params(**own)
        self._overrides.update({k: v for k, v in params.items() if k not in own})
        return self

    def _split(self, kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(validated loop values, overrides) for one call."""
        keys = {k.name: k for k in type(self).NECESSARY_KEYS}
        values = self.get_params()
        overrides = dict(self._overrides)
        for name, value in kwargs.items():
            if name in keys:
                values[name] = keys[name].validate(value, owner=type(self).__name__)
            else:
                overrides[name] = value
        return values, overrides

    def default_callback(self) -> ExperimentCallback:
        """The callback used when none is given (:class:`RLCallback`)."""
        return RLCallback()

    def _callback_keys(self) -> list[str]:
        """Keys the callback declares (kept from the network's overrides)."""
        names = getattr(self.callback, "key_names", None)
        return list(names()) if callable(names) else []

    def _init_callback(self, callback: Any) -> Any:
        if callback is None:
            return self.default_callback()
        if isinstance(callback, type):
            if issubclass(callback, Module):
                return callback(**self.params)
            return callback()
        return callback

    def reset(
        self,
        network_template: type | None = None,
        game_template: type | None = None,
        callback: Any = None,
        params: dict | None = None,
        **kwparams: Any,
    ) -> None:
        """Optionally replace templates, callback or params; clear the callback's data."""
        if network_template is not None:
            self.network_template = network_template
        if game_template is not None:
            self.game_template = game_template
        if params or kwparams:
            self.set_params(**{**(params or {}), **kwparams})
        if callback is not None:
            self.callback = self._init_callback(callback)
        reset_callback(self.callback, {}, self.params)

    # ------------------------------------------------------------------ building
    def build(self, callback: Any = None, **kwargs: Any) -> tuple[Any, Any]:
        """Build the game, then the network, as a call would (without running).

        Parameters
        ----------
        callback : object, optional
            Given to both; default none.
        **kwargs
            Per-call params, as for ``__call__``.

        Returns
        -------
        (network, game)
        """
        values, overrides = self._split(kwargs)
        seed = values["seed"] if values["seed"] is not None else fresh_seed()
        return self._build(callback, seed, overrides)

    def _game_overrides(self, overrides: dict[str, Any]) -> dict[str, Any]:
        """The overrides a game takes: its declared keys and ``preset`` (all for other classes).

        Keys of the game set in the network template's class ``keys`` that no part of
        the network uses count too (below the overrides), as in the original Spikey,
        where network and game shared one configuration.
        """
        key_names = getattr(self.game_template, "key_names", None)
        if not callable(key_names):
            return dict(overrides)
        names = set(key_names()) | {"preset"}
        config = {**self._network_only_game_keys(names), **overrides}
        return {k: v for k, v in config.items() if k in names}

    def _network_only_game_keys(self, game_names: set[str]) -> dict[str, Any]:
        """Game keys set in the network template's class ``keys`` that no network part uses."""
        net = self.network_template
        if not isinstance(net, type):
            return {}
        shared = {k: v for k, v in template_attr(net, "keys").items() if k in game_names}
        if not shared:
            return {}
        claimed = {k.name for k in getattr(net, "NECESSARY_KEYS", ())}
        for part in template_attr(net, "parts").values():
            for cls in part if isinstance(part, (list, tuple)) else [part]:
                claimed |= {k.name for k in getattr(cls, "NECESSARY_KEYS", ())}
        return {k: v for k, v in shared.items() if k not in claimed}

    def _build(self, callback: Any, seed: int, overrides: dict[str, Any]) -> tuple[Any, Any]:
        game_kwargs = self._game_overrides(overrides)
        game = self.game_template(callback=callback, seed=derive_seed(seed, "game"), **game_kwargs)
        if callback is not None and hasattr(callback, "bind"):
            callback.bind(game=game)
        skip = {"preset"} | set(self._callback_keys())
        network_kwargs = {k: v for k, v in overrides.items() if k not in skip}
        network = self.network_template(
            callback=callback, game=game, seed=derive_seed(seed, "network"), **network_kwargs
        )
        if callback is not None and hasattr(callback, "bind"):
            callback.bind(network=network, game=game)
        return network, game

    def check_fit(self, network: Any, game: Any, values: dict[str, Any] | None = None) -> None:
        """Check that a built network and game can run together (before training).

        Raises
        ------
        ConfigError
            For a readout whose actions are not in the game's ``action_space``.
        """
        check_actions(network, game, owner=type(self).__name__)
        readout = getattr(network, "readout", None)
        needs = getattr(readout, "NEEDS_OUTPUTS", None)  # a readout may declare it
        if needs is None and getattr(network, "_n_outputs", 1) == 0:
            # the stock readouts return a constant action without output neurons
            from spikey.snn.readout import NeuronRates, PopulationVector, Threshold

            needs = isinstance(readout, (Threshold, NeuronRates, PopulationVector))
        if needs and getattr(network, "_n_outputs", 1) == 0:
            raise ConfigError(
                f"{type(network).__name__}.n_outputs: expected >= 1 with readout {type(readout).__name__} "
                "when playing a game (with no output neurons its action would not depend on the "
                "network); got 0."
            )

    def check(self, **kwargs: Any) -> None:
        """Build once with a silent callback; check fit and the callback's tracker paths.

        Raises
        ------
        ConfigError
            For a network that does not fit the game or a tracker path that does not
            exist.
        """
        values, overrides = self._split(kwargs)
        seed = values["seed"] if values["seed"] is not None else fresh_seed()
        network, game = self._build(None, seed, overrides)
        self.check_fit(network, game, values)
        if hasattr(self.callback, "check_targets"):
            if hasattr(self.callback, "experiment_params"):
                self.callback.experiment_params = {**self.params, **values}
            self.callback.check_targets(network, game)

    # ------------------------------------------------------------------ running
    def __call__(self, **kwargs: Any) -> tuple[Any, Any, dict, dict]:
        """Run once: build, bind, :meth:`run`, report.

        Parameters
        ----------
        **kwargs
            Params for this call only (loop keys or overrides), e.g. ``seed=3``.

        Returns
        -------
        network : Network
            The trained network.
        game : object
            The game.
        results : dict
            The callback's scalars (a copy).
        info : dict
            The callback's arrays and objects (a copy).
        """
        values = self._split(kwargs)[0]
        network, game = self.init(**kwargs)
        callback = self.callback
        self.check_fit(network, game, values)
        _hook(callback, "training_loop_begin")(network, game)
        self.run(network, game, values)
        _hook(callback, "training_loop_end")(network, game)
        _hook(callback, "training_end")()
        return run_result(callback, ExperimentCallback, network, game)

    def init(self, **kwargs: Any) -> tuple[Any, Any]:
        """Start a run: reset the callback, build the game and the network bound to it.

        The first step of ``__call__``; a custom loop that overrides ``__call__`` (as
        in the original Spikey) starts with ``network, game = self.init()``.

        Parameters
        ----------
        **kwargs
            Params for this run only, as for ``__call__``.

        Returns
        -------
        (network, game)
        """
        values, overrides = self._split(kwargs)
        seed = values["seed"] if values["seed"] is not None else fresh_seed()
        callback = self.callback
        logged = {k: v for k, v in values.items() if k not in self.UNLOGGED_KEYS}
        logged["seed"] = seed
        logged = logged_loop_values(logged)
        reset_callback(callback, logged, {**self._overrides, **logged})
        network, game = self._build(callback, seed, overrides)
        self.network, self.game = network, game
        return network, game

    def run(self, network: Any, game: Any, params: dict[str, Any]) -> None:
        """Let ``network`` and ``game`` interact (implemented by subclasses).

        Parameters
        ----------
        network, game : object
            Built and bound to the callback.
        params : dict
            The loop's validated keys for this call.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement run(network, game, params).")

    def log(self, **log_kwargs: Any) -> str:
        """Write the last run's log via the callback; returns the file's path.

        Parameters
        ----------
        **log_kwargs
            ``folder`` (default ``"log"``), ``filename``; see
            :func:`spikey.core.writer.write_log`.
        """
        if self.network is None:
            raise SpikeyError(f"{type(self).__name__}.log: nothing to log yet; run the loop first (loop()).")
        return self.callback.log(**log_kwargs)


class GenericLoop(TrainingLoop):
    """Episodic reinforcement-learning loop with optional frozen evaluation.

    .. code-block:: python

        for episode in range(n_episodes):      # then eval_episodes with network.eval()
            network.reset()
            state = game.reset()
            for step in range(len_episode):
                action = network.tick(state)
                state_next, _, done, info = game.step(action)
                network.reward(state, action, state_next)   # RL networks only
                state = state_next
                if done:
                    break

    After training, ``eval_episodes`` more episodes run the same way with learning
    frozen (``network.eval()``; weights, critics and modifiers do not change); the
    network is switched back to training mode afterwards. Callbacks see them with
    ``network.training`` False (``RLCallback`` stores them under ``eval_`` keys).

    Progress is shown on a terminal (stderr; see the ``progress`` key): a bar over the
    game steps of the running episode with the running accuracy (games that score
    answers, such as Logic) and reward in its postfix, and, when there is more than one
    episode, a bar over episodes above it with the last episode's steps and reward.

    Parameters
    ----------
    network_template, game_template, callback, training_params, check, **kwargs
        See :class:`TrainingLoop`.

    Examples
    --------
    >>> import spikey
    >>> loop = spikey.core.GenericLoop(
    ...     network_template, game_template, spikey.core.RLCallback(),
    ...     {"n_episodes": 10, "len_episode": 20, "eval_episodes": 2, "seed": 0},
    ... )  # doctest: +SKIP
    >>> network, game, results, info = loop()  # doctest: +SKIP
    >>> results["eval_accuracy"]  # doctest: +SKIP
    0.95
    """

    NECESSARY_KEYS = TrainingLoop.extend_keys(
        [
            Key("n_episodes", "Number of training episodes.", int, constraint=Interval(1, None)),
            Key(
                "len_episode", "Maximum number of game steps per episode.", int, constraint=Interval(1, None)
            ),
            Key(
                "eval_episodes",
                "Episodes run after training with learning frozen (network.eval()).",
                int,
                default=0,
                constraint=Interval(0, None),
            ),
            *ORIGINAL_LOOP_KEYS,
        ]
    )

    def check_fit(self, network: Any, game: Any, values: dict[str, Any] | None = None) -> None:
        """As :meth:`TrainingLoop.check_fit`; evaluation also needs ``network.eval``."""
        super().check_fit(network, game, values)
        values = values if values is not None else self.get_params()
        if values.get("eval_episodes", 0) > 0 and not callable(getattr(network, "eval", None)):
            raise ConfigError(
                f"{type(self).__name__}.eval_episodes: expected a network with eval() to freeze "
                f"learning; {type(network).__name__} has none (set eval_episodes=0)."
            )

    def run(self, network: Any, game: Any, params: dict[str, Any]) -> None:
        """Run ``n_episodes`` training and ``eval_episodes`` frozen episodes."""
        n_train, n_eval = params["n_episodes"], params["eval_episodes"]
        enabled = progress_enabled(params["progress"])
        name = type(self).__name__
        several = n_train + n_eval > 1
        bar = _progress_bar(n_train + n_eval, name, enabled and several)
        # the bar over the steps of each episode (see episode()); nested under `bar`
        self._step_bar_args = {"enabled": enabled, "leave": not several, "position": 1 if several else None}
        self._step_bar_desc = name if not several else "steps"
        self._last_running = None
        try:
            for episode in range(n_train):
                steps = self.episode(network, game, params["len_episode"])
                _hook(self.callback, "training_loop_episode_end")(episode, steps)
                bar.set_postfix_str(self._episode_postfix(steps), refresh=False)
                bar.update(1)
            if n_eval:
                bar.set_description(f"{name} (eval)")
                if not several:
                    self._step_bar_desc = f"{name} (eval)"
                was_training = getattr(network, "training", True)
                network.eval()
                try:
                    for episode in range(n_train, n_train + n_eval):
                        steps = self.episode(network, game, params["len_episode"])
                        _hook(self.callback, "training_loop_episode_end")(episode, steps)
                        bar.set_postfix_str(self._episode_postfix(steps), refresh=False)
                        bar.update(1)
                finally:
                    network.train(was_training)
        finally:
            bar.close()
            self._step_bar_args = None

    def _episode_postfix(self, steps: int) -> str:
        running = getattr(self, "_last_running", None)
        return f"last: steps={steps}" + (f" {running.text()}" if running is not None else "")

    def episode(self, network: Any, game: Any, len_episode: int) -> int:
        """Run one episode; return the number of game steps taken."""
        step_hook = _hook(self.callback, "training_loop_step")
        network.reset()
        state = game.reset()
        reward_fn = getattr(network, "reward", None)
        if not callable(reward_fn):
            reward_fn = None
        bar_args = getattr(self, "_step_bar_args", None) or {"enabled": False}
        bar = _progress_bar(len_episode, getattr(self, "_step_bar_desc", "steps"), unit="step", **bar_args)
        running = self._last_running = _Running()
        try:
            for step in range(len_episode):
                action = network.tick(state)
                state_next, game_reward, done, info = game.step(action)
                reward = game_reward
                if reward_fn is not None:
                    reward = reward_fn(state, action, state_next)
                step_hook(state, action, state_next, game_reward, done)
                running.add(reward, info)
                bar.set_postfix_str(running.text(), refresh=False)
                bar.update(1)
                state = state_next
                if done:
                    return step + 1
            return len_episode
        finally:
            bar.close()
