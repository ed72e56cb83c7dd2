"""A weight matrix given by the user."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp

from spikey.compat.weights import feedforward_matrix, is_layer_list
from spikey.errors import ConfigError, WeightClipWarning
from spikey.module import Key
from spikey.snn.weight.template import SPARSE_TYPES, Weight

__all__ = ["Manual"]


def _clip_with_warning(values: np.ndarray, mask: np.ndarray, max_weight: float, name: str) -> np.ndarray:
    """Clip weights to ``[0, max_weight]`` as the original Spikey did, warning when any
    synapse (inside ``mask``) had to change."""
    bad = mask & ((values < 0) | (values > max_weight))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        warnings.warn(
            f"{name}.matrix: weights are magnitudes in [0, max_weight={max_weight:g}] (signs come "
            f"from polarities); clipped {int(bad.sum())} out-of-range weight(s), first "
            f"{float(values[i, j])!r} at ({i}, {j}).",
            WeightClipWarning,
            stacklevel=5,
        )
        values = np.clip(values, 0.0, max_weight)
    return values


class Manual(Weight):
    """Weights given as a matrix (or a function that builds one).

    ``matrix`` may be an array, a numpy masked array (masked entries are absent
    synapses, as in the original Spikey), a scipy.sparse matrix or array, or a
    callable ``f(weight_part) -> array``. Without ``matrix_mask`` the synapses are the
    non-zero entries of an array, or the stored entries of a scipy.sparse matrix
    (explicit zeros included: a synapse of weight 0). A scipy.sparse ``matrix`` is
    stored sparsely unless ``storage="dense"``; an array follows ``storage``. Weights
    outside ``[0, max_weight]`` are clipped into it, as in the original Spikey, with a
    :class:`~spikey.errors.WeightClipWarning`; NaN is an error.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.weight import Manual
    >>> w = Manual(n_inputs=1, n_neurons=2, max_weight=1.0,
    ...            matrix=np.array([[0.5, 0.0], [0.0, 0.2], [0.3, 0.0]]))
    >>> w.mask.sum()
    np.int64(3)
    """

    NECESSARY_KEYS = Weight.extend_keys(
        [
            Key(
                "matrix",
                "Weights (n_inputs + n_neurons, n_neurons) (array or scipy.sparse), or f(weight_part) -> weights.",
                (np.ndarray, *SPARSE_TYPES, callable),
            ),
            Key(
                "matrix_mask",
                "Optional bool mask of existing synapses; default: non-zero entries.",
                (np.ndarray, *SPARSE_TYPES),
                default=None,
            ),
        ]
    )

    def _add_values(self, kwargs, base="NECESSARY_KEYS", prefix="_"):
        super()._add_values(kwargs, base, prefix)
        # the key is stored as self._matrix, which Weight aliases to .matrix: keep the
        # value as given before Weight.__init__ allocates the real matrix
        self._matrix_given = self.matrix

    def __init__(self, **kwargs: Any):
        if is_layer_list(kwargs.get("matrix")):
            kwargs["matrix"] = feedforward_matrix(kwargs["matrix"], type(self).__name__)
        super().__init__(**kwargs)
        self._build(self._matrix_given)
        del self._matrix_given

    def set_params(self, **params: Any) -> Manual:
        """As :meth:`Module.set_params`; a new ``matrix`` or ``matrix_mask`` is checked
        (shape, bounds) and applied as at construction, or nothing changes."""
        old_mask, old_storage = self._matrix_mask, self._storage
        saved = self._storage_state()
        params = dict(params)
        has_matrix = "matrix" in params
        if has_matrix and is_layer_list(params["matrix"]):
            params["matrix"] = feedforward_matrix(params["matrix"], self._owner())
        if has_matrix:
            key = next(k for k in type(self).NECESSARY_KEYS if k.name == "matrix")
            given = key.validate(params.pop("matrix"), owner=self._owner())
        else:
            given = self.matrix
        super().set_params(**params)
        if has_matrix or "matrix_mask" in params or "storage" in params:
            try:
                self._build(given)
            except ConfigError:
                self._restore_storage(saved)
                self._matrix_mask, self._storage = old_mask, old_storage
                raise
        return self

    def _build(self, m: Any) -> None:
        """Check ``m`` (and ``matrix_mask``) and set the matrix and mask from them."""
        if callable(m) and not isinstance(m, (np.ndarray, *SPARSE_TYPES)):
            m = m(self)
        if isinstance(m, SPARSE_TYPES) or isinstance(self._matrix_mask, SPARSE_TYPES):
            self._build_sparse(m)
            return
        if self.sparse:  # the part held sparse weights: start from dense storage again
            self._mark_sparse(False)
        if isinstance(m, np.ma.MaskedArray):
            mask = ~np.ma.getmaskarray(m)
            values = np.ma.filled(m.astype(float), 0.0)
        else:
            values = np.asarray(m, dtype=float)
            mask = None
        values = self._check_shape(values, "matrix")
        if self._matrix_mask is not None:
            mask = self._check_shape(self._matrix_mask, "matrix_mask").astype(bool)
        elif mask is None:
            mask = values != 0
        name = type(self).__name__
        if np.isnan(values[mask]).any():
            i, j = np.argwhere(mask & np.isnan(values))[0]
            raise ConfigError(f"{name}.matrix: expected weights in [0, max_weight]; got nan at ({i}, {j}).")
        values = _clip_with_warning(values, mask, self._max_weight, name)
        self._set_matrix(values, mask)

    def _bad_value(self, value: float, i: int, j: int, count: int) -> None:
        raise ConfigError(
            f"{type(self).__name__}.matrix: expected weights in [0, max_weight={self._max_weight:g}] "
            f"(signs come from polarities); got {value!r} at ({i}, {j})"
            + (f" and {count - 1} more." if count > 1 else ".")
        )

    def _build_sparse(self, m: Any) -> None:
        """The synapses from a scipy.sparse ``matrix`` (or mask), without dense arrays."""
        m = self._check_shape(m, "matrix")
        if isinstance(m, SPARSE_TYPES):
            c = sp.csr_array(m, dtype=np.float64)
            c.sum_duplicates()
        else:  # a dense matrix with a sparse mask
            c = None
        if self._matrix_mask is not None:
            mm = self._check_shape(self._matrix_mask, "matrix_mask")
            mm = sp.csr_array(mm, dtype=bool) if isinstance(mm, SPARSE_TYPES) else sp.csr_array(np.asarray(mm, dtype=bool))
            mm.eliminate_zeros()
            coo = mm.tocoo()
            rows, cols = coo.row.astype(np.int64), coo.col.astype(np.int64)
            values = np.asarray(c[rows, cols]).ravel() if c is not None else np.asarray(m, dtype=float)[rows, cols]
        else:
            coo = c.tocoo()
            rows, cols, values = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
        nan = np.isnan(values)
        if nan.any():
            k = int(np.flatnonzero(nan)[0])
            self._bad_value(float(values[k]), int(rows[k]), int(cols[k]), int(nan.sum()))
        bad = (values < 0) | (values > self._max_weight)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            warnings.warn(
                f"{type(self).__name__}.matrix: weights are magnitudes in [0, max_weight={self._max_weight:g}] "
                f"(signs come from polarities); clipped {int(bad.sum())} out-of-range weight(s), first "
                f"{float(values[k])!r} at ({int(rows[k])}, {int(cols[k])}).",
                WeightClipWarning,
                stacklevel=4,
            )
            values = np.clip(values, 0.0, self._max_weight)
        self._set_sparse(rows, cols, values)
