"""The original Spikey's ``Manual(matrix=[layer, layer, ...])``: a feedforward matrix from layers.

Imports only numpy and :mod:`spikey.errors`, so the weight parts may use it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.compat._warn import deprecated
from spikey.errors import ConfigError

__all__ = ["is_layer_list", "feedforward_matrix", "OriginalWeightAPI"]


def is_layer_list(value: Any) -> bool:
    """Whether ``value`` is a list or tuple of 2-D weight blocks (not one nested-list matrix)."""
    if not isinstance(value, (list, tuple)) or not value:
        return False
    return all(isinstance(m, np.ndarray) and m.ndim == 2 for m in value)


def feedforward_matrix(layers: list | tuple, owner: str = "Manual") -> np.ndarray | np.ma.MaskedArray:
    """One ``(n_inputs + n_neurons, n_neurons)`` matrix from the blocks of a layered network.

    ``layers[0]`` connects the inputs to the first body layer, ``layers[k]`` body layer
    ``k - 1`` to body layer ``k``: its rows follow the previous block's rows, its
    columns the previous block's columns. All other entries are absent synapses (a
    masked array, so a zero inside a block stays a synapse of weight 0).

    Raises
    ------
    ConfigError
        When a block's rows do not match the previous block's columns.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.compat.weights import feedforward_matrix
    >>> m = feedforward_matrix([np.ones((2, 2)), np.full((2, 1), 0.5)])
    >>> m.shape, m.filled(0).tolist()
    ((5, 3), [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.5], [0.0, 0.0, 0.5], [0.0, 0.0, 0.0]])
    """
    blocks = [np.ma.asarray(m, dtype=float) for m in layers]
    for k in range(1, len(blocks)):
        if blocks[k].shape[0] != blocks[k - 1].shape[1]:
            raise ConfigError(
                f"{owner}.matrix: layer {k} has {blocks[k].shape[0]} rows; expected "
                f"{blocks[k - 1].shape[1]}, the neurons of layer {k - 1} (shapes "
                f"{[b.shape for b in blocks]})."
            )
    n_neurons = sum(b.shape[1] for b in blocks)
    n_pre = blocks[0].shape[0] + n_neurons
    out = np.ma.masked_all((n_pre, n_neurons), dtype=float)
    row = col = 0
    for b in blocks:
        out[row : row + b.shape[0], col : col + b.shape[1]] = b
        row, col = row + b.shape[0], col + b.shape[1]
    deprecated(
        f"{owner}(matrix=[layer, ...])",
        f"{owner}(matrix=spikey.compat.weights.feedforward_matrix([layer, ...]))",
        stacklevel=4,
    )
    return out


class OriginalWeightAPI:
    """The original Spikey's weight attributes, mixed into :class:`spikey.snn.weight.template.Weight`.

    ``self._matrix`` is the original's name of ``matrix`` (a weight subclass sets it),
    and ``self._clip_weights()`` adopts a matrix set that way.
    """

    @property
    def _matrix(self) -> Any:
        """Alias of ``matrix`` (the original Spikey's attribute name)."""
        return self.matrix  # type: ignore[attr-defined]

    @_matrix.setter
    def _matrix(self, value: Any) -> None:
        self.matrix = value  # type: ignore[attr-defined]

    def _clip_weights(self) -> None:
        """Adopt a matrix set directly (``self._matrix = ...``, as the original Spikey's
        weight subclasses do) and clip it to ``[0, max_weight]``.

        A numpy masked array becomes a plain float matrix (masked entries absent, 0)
        and the mask; for a plain array, non-zero entries join the mask.
        """
        m = self.matrix  # type: ignore[attr-defined]
        if isinstance(m, np.ma.MaskedArray):
            mask = ~np.ma.getmaskarray(m)
            values = np.ma.filled(m.astype(float), 0.0)
        else:
            values = np.asarray(m, dtype=float)
            current = np.asarray(getattr(self, "mask", np.zeros(values.shape, dtype=bool)), dtype=bool)
            mask = (current if current.shape == values.shape else np.zeros(values.shape, dtype=bool)) | (
                values != 0
            )
        values = self._check_shape(values, "matrix")  # type: ignore[attr-defined]
        self._set_matrix(np.clip(values, 0.0, self._max_weight), mask)  # type: ignore[attr-defined]
