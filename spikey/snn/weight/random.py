"""Randomly generated weights and connectivity."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from spikey.errors import ConfigError
from spikey.module import Interval, Key, Predicate
from spikey.snn.weight.template import SPARSE_TYPES, Weight

__all__ = ["Random", "bernoulli_synapses"]

_DISTRIBUTIONS = ("uniform", "normal", "lognormal")


def _valid_distribution(value: Any) -> bool:
    return callable(value) or value in _DISTRIBUTIONS


def bernoulli_synapses(rng: np.random.Generator, shape: tuple[int, int], p: float) -> tuple[np.ndarray, np.ndarray]:
    """Entries of a ``shape`` matrix that each exist independently with probability ``p``,
    drawn with memory proportional to their number (no ``shape``-sized array).

    The flat positions are partial sums of geometric gaps drawn from ``rng``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator (the same state gives the same entries).
    shape : (int, int)
        ``(n_rows, n_cols)``.
    p : float
        Probability in ``[0, 1]``.

    Returns
    -------
    rows, cols : ndarray of int64
        Row-major order (rows ascending, columns ascending within a row).

    Examples
    --------
    >>> import numpy as np
    >>> rows, cols = bernoulli_synapses(np.random.default_rng(0), (1000, 1000), 0.02)
    >>> bool(abs(rows.size - 20_000) < 5 * np.sqrt(20_000))
    True
    """
    n_rows, n_cols = int(shape[0]), int(shape[1])
    total = n_rows * n_cols
    if p >= 1.0:
        flat = np.arange(total, dtype=np.int64)
    elif p <= 0.0 or total == 0:
        flat = np.zeros(0, dtype=np.int64)
    else:  # Bernoulli(p) per entry = geometric gaps between present entries
        pieces, last = [], -1
        chunk = int(total * p * 1.02 + 10 * np.sqrt(total * p) + 64)
        while last < total - 1:
            pos = last + np.cumsum(rng.geometric(p, size=chunk), dtype=np.int64)
            pieces.append(pos[pos < total])
            last = int(pos[-1])
            chunk = max(64, chunk // 8)
        flat = np.concatenate(pieces)
    return flat // n_cols, flat % n_cols


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
                (np.ndarray, *SPARSE_TYPES),
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
        if self.wants_sparse(self._density):
            self._build_sparse(rng)
            return
        allowed = np.ones(shape, dtype=bool)
        if self._matrix_mask is not None:
            mm = self._matrix_mask
            mm = mm.toarray() if isinstance(mm, SPARSE_TYPES) else mm
            mm = np.asarray(mm).astype(bool)
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

    def _allowed(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Which of the candidate synapses ``(rows, cols)`` ``matrix_mask`` allows."""
        n_in, n = self._n_inputs, self._n_neurons
        mm = self._matrix_mask
        if isinstance(mm, SPARSE_TYPES):
            mm = sp.csr_array(mm, dtype=bool)
        else:
            mm = np.asarray(mm).astype(bool)
        if mm.shape == (n, n):
            body = rows >= n_in
            ok = np.ones(rows.shape, dtype=bool)
            ok[body] = np.asarray(mm[rows[body] - n_in, cols[body]]).ravel()
            return ok
        mm = self._check_shape(mm, "matrix_mask")
        return np.asarray(mm[rows, cols]).ravel().astype(bool)

    def _build_sparse(self, rng: np.random.Generator) -> None:
        """Draw the synapses and weights with memory proportional to their number."""
        n_in, n = self._n_inputs, self._n_neurons
        n_pre, n_post = self.shape
        rows, cols = bernoulli_synapses(rng, (n_pre, n_post), self._density)
        keep = rows - n_in != cols  # no self-connections
        if self._matrix_mask is not None:
            keep &= self._allowed(rows, cols)
        rows, cols = rows[keep], cols[keep]
        if self._force_unidirectional:
            body = rows >= n_in
            a, b = rows[body] - n_in, cols[body]
            keys = a * n + b
            both = (a < b) & np.isin(b * n + a, keys)  # pairs (a < b) present both ways
            coin = rng.random(int(both.sum())) < 0.5
            drop = np.zeros(rows.shape, dtype=bool)
            idx = np.flatnonzero(body)
            drop[idx[both][coin]] = True  # drop a -> b
            reverse = np.isin(keys, (b * n + a)[both][~coin])  # drop b -> a
            drop[idx[reverse]] = True
            rows, cols = rows[~drop], cols[~drop]
        values = self._draw(rng, (rows.size,))
        self._set_sparse(rows, cols, np.clip(values, 0.0, self._max_weight))

    def _draw(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
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
