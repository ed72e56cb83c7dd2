"""Weight template: the synaptic weight matrix and its connectivity.

``matrix`` has shape ``(n_inputs + n_neurons, n_neurons)``: row ``i`` is the
presynaptic neuron (inputs first, then body neurons), column ``j`` the postsynaptic
body neuron. Values are magnitudes in ``[0, max_weight]``; the sign of a synapse comes
from its presynaptic neuron's polarity (and, optionally, ``inh_weight_mask``).
Connectivity is the explicit boolean ``mask``: learning never creates or touches a
synapse outside it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ShapeError
from spikey.module import Interval, Key
from spikey.snn.part import Part

__all__ = ["Weight"]


class Weight(Part):
    """Synaptic weights (template).

    Subclasses build the matrix in ``__init__`` by calling :meth:`_set_matrix`.

    Attributes
    ----------
    matrix : ndarray, shape (n_inputs + n_neurons, n_neurons), float64
        Weight magnitudes; zero outside ``mask``.
    mask : ndarray of bool, same shape
        Which synapses exist.
    signs : ndarray of float or None
        ``-1`` where ``inh_weight_mask`` marks a synapse inhibitory, else ``+1``;
        None when no mask was given.
    """

    FAMILY = "weights"
    RNG_STREAM = "weights"
    STATE = ("matrix", "mask")

    NECESSARY_KEYS = [
        Key("n_inputs", "Number of input neurons.", int, constraint=Interval(0, None)),
        Key("n_neurons", "Number of body neurons.", int, constraint=Interval(1, None)),
        Key(
            "max_weight",
            "Largest weight magnitude; learning clips to [0, max_weight].",
            float,
            default=1.0,
            constraint=Interval(0, None, low_closed=False),
        ),
        Key(
            "inh_weight_mask",
            "Optional bool (n_inputs + n_neurons, n_neurons): synapses that inhibit.",
            np.ndarray,
            default=None,
        ),
    ]

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.matrix = np.zeros(self.shape)
        self.mask = np.zeros(self.shape, dtype=bool)
        self.signs = None
        if self._inh_weight_mask is not None:
            inh = self._check_shape(self._inh_weight_mask, "inh_weight_mask").astype(bool)
            self.signs = np.where(inh, -1.0, 1.0)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_inputs + n_neurons, n_neurons)``."""
        return (self._n_inputs + self._n_neurons, self._n_neurons)

    @property
    def max_weight(self) -> float:
        """Largest allowed weight magnitude."""
        return self._max_weight

    def _check_shape(self, array: Any, key: str) -> np.ndarray:
        arr = np.asarray(array)
        if arr.shape != self.shape:
            raise ShapeError(
                f"{type(self).__name__}.{key}: expected shape {self.shape} "
                f"(n_inputs + n_neurons, n_neurons) = ({self._n_inputs} + "
                f"{self._n_neurons}, {self._n_neurons}); got shape {arr.shape}."
            )
        return arr

    def _set_matrix(self, matrix: np.ndarray, mask: np.ndarray) -> None:
        self.matrix = np.where(mask, np.asarray(matrix, dtype=np.float64), 0.0)
        self.mask = np.asarray(mask, dtype=bool).copy()

    @property
    def _matrix(self) -> np.ndarray:
        """Alias of :attr:`matrix` (the original Spikey's attribute name)."""
        return self.matrix

    @_matrix.setter
    def _matrix(self, value: np.ndarray) -> None:
        self.matrix = value

    @property
    def effective(self) -> np.ndarray:
        """Weights with ``inh_weight_mask`` signs applied (``matrix`` when unsigned)."""
        return self.matrix if self.signs is None else self.matrix * self.signs

    def clip(self) -> None:
        """Clip to ``[0, max_weight]`` in place."""
        np.clip(self.matrix, 0.0, self._max_weight, out=self.matrix)

    def _clip_weights(self) -> None:
        """Adopt a matrix set directly (``self._matrix = ...``, as the original Spikey's
        weight subclasses do) and clip it to ``[0, max_weight]``.

        A numpy masked array becomes a plain float matrix (masked entries absent, 0)
        and the mask; for a plain array, non-zero entries join the mask.
        """
        m = self.matrix
        if isinstance(m, np.ma.MaskedArray):
            mask = ~np.ma.getmaskarray(m)
            values = np.ma.filled(m.astype(float), 0.0)
        else:
            values = np.asarray(m, dtype=float)
            current = np.asarray(getattr(self, "mask", np.zeros(values.shape, dtype=bool)), dtype=bool)
            mask = (current if current.shape == values.shape else np.zeros(values.shape, dtype=bool)) | (
                values != 0
            )
        values = self._check_shape(values, "matrix")
        self._set_matrix(np.clip(values, 0.0, self._max_weight), mask)

    def __getitem__(self, index: Any) -> np.ndarray:
        return self.matrix[index]

    def __mul__(self, spikes: np.ndarray) -> np.ndarray:
        """Input to the body neurons from presynaptic ``spikes``: ``spikes @ matrix``."""
        return np.asarray(spikes, dtype=float) @ self.effective

    def __array__(self, dtype=None, copy=None):
        return self.matrix if dtype is None else self.matrix.astype(dtype)
