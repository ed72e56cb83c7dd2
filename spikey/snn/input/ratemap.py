"""Rate coding: each state value sets a firing probability per step."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Key, Predicate
from spikey.snn.input.template import Input

__all__ = ["RateMap"]


def _is_rate_map(value: Any) -> bool:
    """What ``state_rate_map`` accepts (a str is not a map)."""
    if isinstance(value, (str, bytes)):
        return False
    return (
        isinstance(value, (list, tuple, np.ndarray, dict))
        or callable(value)
        or callable(getattr(value, "__getitem__", None))
    )


class RateMap(Input):
    """Inputs that fire at random with a probability set by the state.

    The state is a vector of ``k`` values (a scalar counts as ``k = 1``).
    ``state_rate_map`` turns it into ``k`` firing probabilities per step:

    - a sequence (e.g. ``[0.0, 0.08]``): value ``v`` maps to ``state_rate_map[int(v)]``;
    - a dict: the whole state (as a tuple) or each value is looked up;
    - a callable ``f(state) -> rates``.

    The ``k`` rates are tiled over the ``n_inputs`` neurons (input ``i`` encodes state
    element ``i % k``), so ``n_inputs`` must be a multiple of ``k``. With a 1 ms step,
    ``0.04`` is 40 Hz.

    Examples
    --------
    >>> from spikey.snn.input import RateMap
    >>> inp = RateMap(n_inputs=4, magnitude=1.0, state_rate_map=[0.0, 1.0], seed=0)
    >>> inp.reset(); inp.update([1, 0]); inp().tolist()
    [1.0, 0.0, 1.0, 0.0]
    """

    NECESSARY_KEYS = Input.extend_keys(
        [
            Key(
                "state_rate_map",
                "State value -> firing probability per step: sequence, dict, callable, or an "
                "object with __getitem__ (indexed like a dict).",
                None,
                constraint=Predicate(
                    _is_rate_map,
                    "a sequence, a dict, a function f(state) -> rates or an object with __getitem__",
                ),
            ),
        ]
    )

    def _rates(self, state: Any) -> np.ndarray:
        m = self._state_rate_map
        if callable(m) and not isinstance(m, dict):
            return np.asarray(m(state), dtype=float).ravel()
        flat = np.atleast_1d(np.asarray(state)).ravel()
        if isinstance(m, dict) or not isinstance(m, (list, tuple, np.ndarray)):
            key = tuple(flat.tolist())
            if isinstance(m, dict) and key in m:
                return np.asarray(m[key], dtype=float).ravel()
            if not isinstance(m, dict):  # an object with __getitem__ (the original Spikey's maps)
                try:
                    return np.asarray(m[key], dtype=float).ravel()
                except (KeyError, IndexError, TypeError, ValueError):
                    pass
            try:
                return np.array([m[v] for v in flat.tolist()], dtype=float)
            except KeyError as e:
                raise ConfigError(
                    f"{type(self).__name__}.state_rate_map: no rate for state {key!r} "
                    f"(value {e.args[0]!r}); keys are {list(m)[:10]}."
                ) from None
        table = np.asarray(m, dtype=float)
        idx = flat.astype(np.int64)
        if np.any(idx < 0) or np.any(idx >= len(table)):
            raise ConfigError(
                f"{type(self).__name__}.state_rate_map: expected state values in "
                f"[0, {len(table) - 1}] to index the map; got state {flat.tolist()}."
            )
        return table[idx].ravel()

    def update(self, state: Any) -> None:
        """Set the firing probabilities from ``state``."""
        self.network_time = 0
        rates = self._rates(state)
        n = self._n_inputs
        if rates.size == 0 or n % rates.size:
            raise ConfigError(
                f"{type(self).__name__}.n_inputs: expected a multiple of the {rates.size} "
                f"rates the state gives; got {n}."
            )
        if np.any(rates < 0) or np.any(rates > 1) or np.isnan(rates).any():
            raise ConfigError(
                f"{type(self).__name__}.state_rate_map: expected probabilities per step "
                f"in [0, 1]; got {rates.tolist()[:8]}."
            )
        self.values = np.tile(rates, n // rates.size)

    def _fire(self) -> np.ndarray:
        return self._uniforms(self._n_inputs) < self.values

    def _fire_block(self, n_steps: int) -> np.ndarray:
        return self._uniform_rows(n_steps, self._n_inputs) < self.values

