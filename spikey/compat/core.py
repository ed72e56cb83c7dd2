"""The original Spikey's call forms of training loops and callbacks.

- ``GenericLoop(network, game, training_params)``: a dict third is the training params
  (:func:`loop_arguments`);
- a callback whose ``reset()`` takes no parameters, or that is iterable and says what a
  run returns (``return [*callback]``) (:func:`reset_callback`, :func:`run_result`);
- the loop key ``eval_steps`` (:data:`ORIGINAL_LOOP_KEYS`), logged when set;
- the callback methods ``monitor`` (the 2022 name of ``track``), ``training_end`` (a
  hook announced after ``training_loop_end``), ``bind("name")`` (a user hook) and
  ``network, game, results, info = callback`` (:class:`OriginalCallbackAPI`).
"""

from __future__ import annotations

import copy as _copy
import inspect
from collections.abc import Callable, Sequence
from typing import Any

from spikey.compat._warn import deprecated
from spikey.errors import ConfigError
from spikey.module import Interval, Key

__all__ = [
    "ORIGINAL_LOOP_KEYS",
    "logged_loop_values",
    "loop_arguments",
    "reset_callback",
    "run_result",
    "OriginalCallbackAPI",
]

#: Keys of the original's loops that spikey's loops accept without using them.
ORIGINAL_LOOP_KEYS = [
    Key(
        "eval_steps",
        "The original Spikey's number of final steps its notebooks score; logged in "
        "results, not used by the loop (use eval_episodes for a frozen evaluation).",
        int,
        default=None,
        constraint=Interval(0, None),
    ),
]


def logged_loop_values(values: dict[str, Any]) -> dict[str, Any]:
    """The loop values a run logs: the original's keys (:data:`ORIGINAL_LOOP_KEYS`) only when set."""
    unset = {k.name for k in ORIGINAL_LOOP_KEYS if values.get(k.name, 0) is None}
    return {k: v for k, v in values.items() if k not in unset}


def loop_arguments(owner: str, callback: Any, training_params: Any) -> tuple[Any, Any]:
    """``(callback, training_params)`` of a loop call; a dict third is the training params.

    Raises
    ------
    ConfigError
        For training params given twice.
    """
    if isinstance(callback, dict):
        if training_params is not None:
            raise ConfigError(
                f"{owner}: got training params both as the third argument and as "
                "training_params; give the callback third or use training_params= alone."
            )
        deprecated(
            f"{owner}(network, game, training_params)", f"{owner}(network, game, **training_params)", 5
        )
        return None, callback
    return callback, training_params


def reset_callback(callback: Any, logged: dict[str, Any], params: dict[str, Any]) -> None:
    """Reset ``callback`` with the run's scalars (or without, for an original-style
    ``reset()``) and give it the whole configuration as ``experiment_params``."""
    reset = getattr(callback, "reset", None)
    if callable(reset):
        try:
            inspect.signature(reset).bind(**logged)
        except TypeError:  # an original-style reset() without parameters
            reset()
        else:
            reset(**logged)
    if callback is not None:
        try:
            callback.experiment_params = params
        except AttributeError:  # a callback with __slots__ or a read-only attribute
            pass


def run_result(callback: Any, spikey_callback: type, network: Any, game: Any) -> tuple | list:
    """What a loop call returns: ``(network, game, results, info)``, or ``list(callback)``
    for a callback of the original's kind that is not a ``spikey_callback`` but iterable."""
    if not isinstance(callback, spikey_callback) and hasattr(type(callback), "__iter__"):
        return list(callback)
    return (
        network,
        game,
        _copy.deepcopy(getattr(callback, "results", {})),
        _copy.deepcopy(getattr(callback, "info", {})),
    )


class OriginalCallbackAPI:
    """The original Spikey's callback methods, mixed into :class:`spikey.core.ExperimentCallback`."""

    def monitor(
        self,
        hook: str,
        location: str,
        key: str,
        target: Sequence[str | int] | Callable[[], Any] | str,
        method: str = "list",
    ) -> None:
        """The original's 2022 name of ``track`` (same arguments)."""
        deprecated(f"{type(self).__name__}.monitor(...)", f"{type(self).__name__}.track(...)")
        self.track(hook, location, key, target, method)  # type: ignore[attr-defined]

    def training_end(self) -> None:
        """The original's end-of-training hook (announced after ``training_loop_end``); no-op here."""

    def __iter__(self):
        """``network, game, results, info`` (copies of the dicts), as the original unpacked a callback."""
        yield self.network  # type: ignore[attr-defined]
        yield self.game  # type: ignore[attr-defined]
        yield _copy.deepcopy(self.results)  # type: ignore[attr-defined]
        yield _copy.deepcopy(self.info)  # type: ignore[attr-defined]
