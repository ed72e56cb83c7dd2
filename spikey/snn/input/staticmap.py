"""A fixed spike pattern per state."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Key
from spikey.snn.input.template import Input

__all__ = ["StaticMap"]


def _as_key(state: Any) -> Any:
    """Hashable form of a state: scalars stay, sequences become tuples of scalars."""
    if isinstance(state, np.ndarray):
        return tuple(state.ravel().tolist()) if state.ndim else state.item()
    if isinstance(state, (list, tuple)):
        return tuple(np.asarray(state).ravel().tolist())
    return state


class StaticMap(Input):
    """Replays a stored spike pattern for each state (temporal coding).

    ``state_spike_map`` maps a state (a tuple for vector states) to a boolean array of
    shape ``(n_inputs,)`` (the same spikes every step) or ``(T, n_inputs)`` (row ``t``
    at network step ``t``, wrapping after ``T``).

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.input import StaticMap
    >>> pattern = np.array([[1, 0], [0, 1]], dtype=bool)
    >>> inp = StaticMap(n_inputs=2, magnitude=2.0, state_spike_map={(0, 1): pattern}, seed=0)
    >>> inp.reset(); inp.update([0, 1]); inp().tolist(), inp().tolist()
    ([2.0, 0.0], [0.0, 2.0])
    """

    NECESSARY_KEYS = Input.extend_keys(
        [
            Key(
                "state_spike_map",
                "State -> bool array (n_inputs,) or (T, n_inputs) of spikes.",
                dict,
            )
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._patterns = {}
        for state, pattern in self._state_spike_map.items():
            arr = np.asarray(pattern).astype(bool)
            if arr.ndim not in (1, 2) or arr.shape[-1] != self._n_inputs:
                raise ConfigError(
                    f"{type(self).__name__}.state_spike_map: expected arrays of shape "
                    f"({self._n_inputs},) or (T, {self._n_inputs}); got shape {arr.shape} "
                    f"for state {state!r}."
                )
            self._patterns[_as_key(state)] = arr if arr.ndim == 2 else arr[None, :]

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
