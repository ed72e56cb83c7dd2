"""Radial-basis (place-cell) coding of continuous states."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Interval, Key
from spikey.snn.input.template import Input

__all__ = ["RBF"]


class RBF(Input):
    """Gaussian receptive fields tiling each state dimension (place cells).

    The ``n_inputs`` neurons are split evenly over the ``d`` state dimensions. In
    dimension ``k``, with range ``state_ranges[k] = (low, high)``, the ``m = n_inputs/d``
    neurons have centres ``linspace(low, high, m)`` and width
    ``sigma = rbf_width * (high - low) / (m - 1)``. Each step neuron ``j`` fires with
    probability

    .. math:: p_j = \\text{rbf\\_rate} \\, \\exp(-(x_k - c_j)^2 / 2\\sigma^2).

    Examples
    --------
    >>> from spikey.snn.input import RBF
    >>> inp = RBF(n_inputs=10, magnitude=1.0, state_ranges=[(-1, 1), (0, 1)], seed=0)
    >>> inp.reset(); inp.update([0.0, 1.0]); inp.values.round(2).tolist()[:5]
    [0.05, 0.24, 0.4, 0.24, 0.05]
    """

    NECESSARY_KEYS = Input.extend_keys(
        [
            Key(
                "state_ranges",
                "(low, high) of each state dimension.",
                (list, tuple, np.ndarray),
            ),
            Key(
                "rbf_width",
                "Width of each field, in units of the spacing between centres.",
                float,
                default=1.0,
                constraint=Interval(0, None, low_closed=False),
            ),
            Key(
                "rbf_rate",
                "Firing probability per step at a field's centre.",
                float,
                default=0.4,
                constraint=Interval(0, 1),
            ),
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        ranges = np.asarray(self._state_ranges, dtype=float)
        name = type(self).__name__
        if ranges.ndim != 2 or ranges.shape[1] != 2 or np.any(ranges[:, 1] <= ranges[:, 0]):
            raise ConfigError(
                f"{name}.state_ranges: expected a list of (low, high) pairs with "
                f"low < high; got {self._state_ranges!r}."
            )
        d = len(ranges)
        if self._n_inputs % d or self._n_inputs // d < 2:
            raise ConfigError(
                f"{name}.n_inputs: expected a multiple of the {d} state dimensions with "
                f"at least 2 neurons each; got {self._n_inputs}."
            )
        m = self._n_inputs // d
        self._dim = np.repeat(np.arange(d), m)
        self._centres = np.concatenate([np.linspace(lo, hi, m) for lo, hi in ranges])
        self._sigma = np.repeat(self._rbf_width * (ranges[:, 1] - ranges[:, 0]) / (m - 1), m)
        self._n_dims = d

    def update(self, state: Any) -> None:
        """Compute each neuron's firing probability for ``state``."""
        self.network_time = 0
        x = np.asarray(state, dtype=float).ravel()
        if x.size != self._n_dims:
            raise ConfigError(
                f"{type(self).__name__}: expected a state with {self._n_dims} values "
                f"(one per state_ranges entry); got {x.size}."
            )
        z = (x[self._dim] - self._centres) / self._sigma
        self.values = self._rbf_rate * np.exp(-0.5 * z * z)

    def _fire(self) -> np.ndarray:
        return self._uniforms(self._n_inputs) < self.values

    def _fire_block(self, n_steps: int) -> np.ndarray:
        return self._uniform_rows(n_steps, self._n_inputs) < self.values
