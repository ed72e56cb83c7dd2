"""Randomly generated weights and connectivity."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Interval, Key, Predicate
from spikey.snn.weight.template import Weight

__all__ = ["Random"]

_DISTRIBUTIONS = ("uniform", "normal", "lognormal")


def _valid_distribution(value: Any) -> bool:
    return callable(value) or value in _DISTRIBUTIONS


class Random(Weight):
    """Random weights: each synapse exists with probability ``density``.

    Weights are drawn as fractions of ``max_weight``:

    - ``"uniform"``: ``U(0, 1)``;
    - ``"normal"``: ``N(0.5, 0.15)`` clipped to ``[0, 1]``;
    - ``"lognormal"``: ``exp(N(log 0.25, 0.5))`` clipped to ``[0, 1]``;
    - a callable ``f(rng, shape) -> fractions``.

    The legacy ``weight_generator(shape) -> weights`` (absolute values) is honoured
    when given. ``matrix_mask`` (shape ``(n_inputs + n_neurons, n_neurons)``, or
    ``(n_neurons, n_neurons)`` for body-to-body synapses with all inputs connected)
    restricts which synapses may exist. Self-connections are never made;
    ``force_unidirectional`` keeps at most one direction of each neuron pair.

    Examples
    --------
    >>> from spikey.snn.weight import Random
    >>> w = Random(n_inputs=2, n_neurons=3, max_weight=2.0, density=0.5, seed=0)
    >>> w.matrix.shape, bool((w.matrix <= 2.0).all())
    ((5, 3), True)
    """

    NECESSARY_KEYS = Weight.extend_keys(
        [
            Key(
                "density",
                "Probability that each allowed synapse exists.",
                float,
                default=1.0,
                constraint=Interval(0, 1),
            ),
            Key(
                "distribution",
                "Weight distribution: 'uniform', 'normal', 'lognormal' or f(rng, shape).",
                (str, callable),
                default="uniform",
                constraint=Predicate(
                    _valid_distribution, f"one of {_DISTRIBUTIONS} or a callable f(rng, shape)"
                ),
            ),
            Key(
                "weight_generator",
                "Legacy: f(shape) -> absolute weights; overrides distribution.",
                callable,
                default=None,
            ),
            Key(
                "matrix_mask",
                "Optional bool mask of allowed synapses.",
                np.ndarray,
                default=None,
            ),
            Key(
                "force_unidirectional",
                "Keep at most one direction of each pair of body neurons.",
                bool,
                default=False,
            ),
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        rng = self.init_rng()
        n_in, n = self._n_inputs, self._n_neurons
        shape = self.shape
        allowed = np.ones(shape, dtype=bool)
        if self._matrix_mask is not None:
            mm = np.asarray(self._matrix_mask).astype(bool)
            if mm.shape == (n, n):
                allowed[n_in:] = mm
            else:
                allowed = self._check_shape(mm, "matrix_mask").copy()
        allowed[n_in + np.arange(n), np.arange(n)] = False  # no self-connections
        exists = allowed & (rng.random(shape) < self._density)
        if self._force_unidirectional:
            body = exists[n_in:]
            both = np.triu(body & body.T, 1)
            coin = rng.random((n, n)) < 0.5
            body[both & coin] = False
            body[(both & ~coin).T] = False
        values = self._draw(rng, shape)
        self._set_matrix(np.clip(values, 0.0, self._max_weight), exists)

    def _draw(self, rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
        if self._weight_generator is not None:
            return np.asarray(self._weight_generator(shape), dtype=float)
        dist = self._distribution
        if callable(dist):
            frac = np.asarray(dist(rng, shape), dtype=float)
        elif dist == "uniform":
            frac = rng.random(shape)
        elif dist == "normal":
            frac = rng.normal(0.5, 0.15, shape)
        else:
            frac = np.exp(rng.normal(np.log(0.25), 0.5, shape))
        if frac.shape != shape:
            raise ConfigError(
                f"{type(self).__name__}.distribution: expected f(rng, shape) to return "
                f"shape {shape}; got {frac.shape}."
            )
        return np.clip(frac, 0.0, 1.0) * self._max_weight
