"""Poisson spike trains from rates or images."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Interval, Key
from spikey.snn.input.template import Input

__all__ = ["Poisson"]


class Poisson(Input):
    """Independent Poisson (Bernoulli per step) spike trains, one per input.

    The state is an array with ``n_inputs`` values (an image is flattened), read as
    intensities; input ``i`` fires each step with probability
    ``state[i] * rate_scale * dt / 1000``.

    Use ``rate_scale=1`` to give rates in Hz directly, or ``rate_scale=0.25`` for MNIST
    pixels 0-255 (max 63.75 Hz, as in Diehl & Cook 2015).

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.input import Poisson
    >>> inp = Poisson(n_inputs=3, magnitude=1.0, rate_scale=1.0, dt=1.0, seed=0)
    >>> inp.reset(); inp.update(np.array([0.0, 500.0, 1000.0])); inp.values.tolist()
    [0.0, 0.5, 1.0]
    """

    NECESSARY_KEYS = Input.extend_keys(
        [
            Key(
                "rate_scale",
                "Firing rate per unit of state intensity.",
                float,
                default=1.0,
                constraint=Interval(0, None),
                units="Hz",
            ),
            Key(
                "dt",
                "Length of a network step.",
                float,
                default=1.0,
                constraint=Interval(0, None, low_closed=False),
                units="ms",
            ),
        ]
    )

    def update(self, state: Any) -> None:
        """Set each input's spike probability per step from the intensities."""
        self.network_time = 0
        x = np.asarray(state, dtype=float).ravel()
        name = type(self).__name__
        if x.size != self._n_inputs:
            raise ConfigError(
                f"{name}.n_inputs: expected a state with {self._n_inputs} values; "
                f"got {x.size} (shape {np.shape(state)})."
            )
        p = x * (self._rate_scale * self._dt / 1000.0)
        if np.any(p < 0) or np.any(p > 1) or np.isnan(p).any():
            raise ConfigError(
                f"{name}: expected rates in [0, {1000.0 / self._dt:g}] Hz for dt "
                f"{self._dt:g} ms; got rates from {np.nanmin(x) * self._rate_scale:g} to "
                f"{np.nanmax(x) * self._rate_scale:g} Hz."
            )
        self.values = p

    def _fire(self) -> np.ndarray:
        return self._uniforms(self._n_inputs) < self.values

    def _fire_block(self, n_steps: int) -> np.ndarray:
        return self._uniform_rows(n_steps, self._n_inputs) < self.values
