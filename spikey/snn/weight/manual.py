"""A weight matrix given by the user."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from spikey.errors import ConfigError, WeightClipWarning
from spikey.module import Key
from spikey.snn.weight.template import Weight

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
    synapses, as in the original Spikey), or a callable ``f(weight_part) -> array``.
    Without ``matrix_mask`` the synapses are the non-zero entries. Weights outside
    ``[0, max_weight]`` are clipped into it, as in the original Spikey, with a
    :class:`~spikey.errors.WeightClipWarning`.

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
                "Weights (n_inputs + n_neurons, n_neurons), or f(weight_part) -> weights.",
                (np.ndarray, callable),
            ),
            Key(
                "matrix_mask",
                "Optional bool mask of existing synapses; default: non-zero entries.",
                np.ndarray,
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
        super().__init__(**kwargs)
        self._build(self._matrix_given)
        del self._matrix_given

    def set_params(self, **params: Any) -> Manual:
        """As :meth:`Module.set_params`; a new ``matrix`` or ``matrix_mask`` is checked
        (shape, bounds) and applied as at construction, or nothing changes."""
        old = (self.matrix, self.mask, self._matrix_mask)
        super().set_params(**params)
        if "matrix" in params or "matrix_mask" in params:
            try:
                self._build(self.matrix if "matrix" in params else old[0])
            except ConfigError:
                self.matrix, self.mask, self._matrix_mask = old
                raise
        return self

    def _build(self, m: Any) -> None:
        """Check ``m`` (and ``matrix_mask``) and set the matrix and mask from them."""
        if callable(m) and not isinstance(m, np.ndarray):
            m = m(self)
        name = type(self).__name__
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
        if np.isnan(values[mask]).any():
            i, j = np.argwhere(mask & np.isnan(values))[0]
            raise ConfigError(f"{name}.matrix: expected weights in [0, max_weight]; got nan at ({i}, {j}).")
        values = _clip_with_warning(values, mask, self._max_weight, name)
        self._set_matrix(values, mask)
