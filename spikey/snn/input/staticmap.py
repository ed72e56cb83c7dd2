"""A fixed spike pattern per state."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Key, Predicate
from spikey.snn.input.template import Input

__all__ = ["StaticMap"]


def _as_key(state: Any) -> Any:
    """Hashable form of a state: scalars stay, sequences become tuples of scalars."""
    if isinstance(state, np.ndarray):
        return tuple(state.ravel().tolist()) if state.ndim else state.item()
    if isinstance(state, (list, tuple)):
        return tuple(np.asarray(state).ravel().tolist())
    return state


def _is_map(value: Any) -> bool:
    """What ``state_spike_map`` accepts: a dict, something indexable by state, a function."""
    if isinstance(value, (str, bytes)):
        return False
    return isinstance(value, dict) or callable(value) or callable(getattr(value, "__getitem__", None))


class _LazyPatterns(dict):
    """State -> pattern cache over a non-dict ``state_spike_map`` (array, indexable
    object or function): a state is looked up, checked and stored the first time it is
    asked for (``state in patterns``), so ``update`` works as for a dict."""

    def __init__(self, source: Any, check: Any):
        super().__init__()
        self._source, self._check = source, check

    def _lookup(self, key: Any) -> Any:
        src = self._source
        if callable(src) and not callable(getattr(src, "__getitem__", None)):
            return src(key)
        try:
            return src[key]
        except (KeyError, IndexError, TypeError, ValueError):
            if isinstance(key, tuple) and isinstance(src, np.ndarray):
                return src[tuple(int(k) for k in key)]
            raise

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        try:
            pattern = self._lookup(key)
        except (KeyError, IndexError, TypeError, ValueError):
            return False
        self[key] = self._check(key, pattern)
        return True


class StaticMap(Input):
    """Replays a stored spike pattern for each state (temporal coding).

    ``state_spike_map`` maps a state (a tuple for vector states) to a boolean array of
    shape ``(n_inputs,)`` (the same spikes every step) or ``(T, n_inputs)`` (row ``t``
    at network step ``t``, wrapping after ``T``). As in the original Spikey it may be a
    dict, an array indexed by state, any object with ``__getitem__`` (e.g. one whose
    ``__getitem__`` returns ``np.array(state)``), or a function ``f(state) ->
    pattern``; non-dict maps are asked for a state's pattern the first time the state
    is shown, and the pattern is checked then.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.input import StaticMap
    >>> pattern = np.array([[1, 0], [0, 1]], dtype=bool)
    >>> inp = StaticMap(n_inputs=2, magnitude=2.0, state_spike_map={(0, 1): pattern}, seed=0)
    >>> inp.reset(); inp.update([0, 1]); inp().tolist(), inp().tolist()
    ([2.0, 0.0], [0.0, 2.0])

    A function of the state (each state's bits are its spikes):

    >>> inp = StaticMap(n_inputs=2, magnitude=1.0, state_spike_map=np.array, seed=0)
    >>> inp.reset(); inp.update((1, 0)); inp().tolist()
    [1.0, 0.0]
    """

    NECESSARY_KEYS = Input.extend_keys(
        [
            Key(
                "state_spike_map",
                "State -> bool array (n_inputs,) or (T, n_inputs) of spikes: a dict, an array "
                "indexed by state, an object with __getitem__, or f(state) -> array.",
                None,
                constraint=Predicate(
                    _is_map,
                    "a dict, an array indexed by state, an object with __getitem__, or a function "
                    "f(state) -> bool array (n_inputs,) or (T, n_inputs)",
                ),
            )
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        source = self._state_spike_map
        if not isinstance(source, dict):
            self._patterns = _LazyPatterns(source, self._pattern)
            return
        self._patterns = {}
        for state, pattern in source.items():
            self._patterns[_as_key(state)] = self._pattern(state, pattern)

    def _pattern(self, state: Any, pattern: Any) -> np.ndarray:
        """Check one state's pattern; return it as bool (T, n_inputs)."""
        arr = np.asarray(pattern).astype(bool)
        if arr.ndim not in (1, 2) or arr.shape[-1] != self._n_inputs:
            raise ConfigError(
                f"{type(self).__name__}.state_spike_map: expected arrays of shape "
                f"({self._n_inputs},) or (T, {self._n_inputs}); got shape {arr.shape} "
                f"for state {state!r}."
            )
        return arr if arr.ndim == 2 else arr[None, :]

    def update(self, state: Any) -> None:
        """Select the pattern of ``state``."""
        self.network_time = 0
        key = _as_key(state)
        if key not in self._patterns:
            raise ConfigError(
                f"{type(self).__name__}.state_spike_map: no pattern for state {key!r}; "
                f"states are {list(self._patterns)[:10]}."
            )
        self.values = key

    def _fire(self) -> np.ndarray:
        pattern = self._patterns[self.values]
        return pattern[self.network_time % len(pattern)]

    def _fire_block(self, n_steps: int) -> np.ndarray:
        pattern = self._patterns[self.values]
        rows = (self.network_time + np.arange(n_steps)) % len(pattern)
        return pattern[rows]
