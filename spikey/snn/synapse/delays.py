"""Axonal delays: a ring buffer of synaptic input waiting to arrive.

:class:`DelayLine` holds, for every postsynaptic column, the input that will arrive at
each of the next ``max_delay + 1`` steps. A spike of presynaptic neuron :math:`i` sent
at step :math:`t` through a synapse with delay :math:`d_{ij}` (an integer number of
steps) adds its contribution to slot :math:`t + d_{ij}`; at every step the current
slot is read and cleared. Nothing is lost or created: each contribution is delivered
exactly once, exactly :math:`d_{ij}` steps after it was sent.

The buffer is filled without per-synapse Python loops:

- one delay for all synapses: the contributions are summed and added to one slot;
- block-structured delays (one delay per projection between populations, the common
  case): presynaptic neurons with identical rows of delays form a *row class*; per
  class the contributions are summed over the active rows, then each distinct delay of
  the class adds its columns to one slot (slices when the columns are contiguous);
- arbitrary per-synapse delays: one :func:`numpy.bincount` over the active rows'
  (slot, column) indices.

It is used by :class:`~spikey.snn.synapse.static.StaticSynapse` and the learning rules
derived from it (key ``delays``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError, ShapeError
from spikey.module import describe_value

__all__ = ["DelayLine", "as_delay_matrix"]

#: Largest number of row classes handled class by class; above it the generic path runs.
MAX_ROW_CLASSES = 64


def as_delay_matrix(delays: Any, shape: tuple[int, int], owner: str = "DelayLine") -> np.ndarray | int:
    """Check ``delays`` (an int, or an int array of ``shape``) and return it.

    Returns
    -------
    int or ndarray of int64, shape ``shape``
        A plain int when all synapses share one delay.

    Raises
    ------
    ConfigError
        For negative or non-integer delays; :class:`~spikey.errors.ShapeError` for a
        wrong shape.
    """
    arr = np.asarray(delays)
    if arr.dtype.kind not in "iuf" or (arr.dtype.kind == "f" and not np.all(np.isfinite(arr))):
        raise ConfigError(
            f"{owner}.delays: expected an int or an int array of shape {shape} [steps]; "
            f"got {describe_value(delays)}."
        )
    if arr.dtype.kind == "f":
        if not np.all(arr == np.round(arr)):
            raise ConfigError(
                f"{owner}.delays: expected whole numbers of steps; got {describe_value(delays)} "
                "(convert a delay in ms with round(delay / dt))."
            )
    arr = arr.astype(np.int64)
    if np.any(arr < 0):
        raise ConfigError(f"{owner}.delays: expected delays >= 0 [steps]; got minimum {int(arr.min())}.")
    if arr.ndim == 0:
        return int(arr)
    if arr.shape != shape:
        raise ShapeError(
            f"{owner}.delays: expected an int or an array of shape {shape}; got shape {arr.shape}."
        )
    if arr.size and np.all(arr == arr.flat[0]):
        return int(arr.flat[0])
    return arr


def _as_index(cols: np.ndarray) -> slice | np.ndarray:
    """A slice when ``cols`` (sorted) is contiguous, else the index array."""
    if cols.size and cols[-1] - cols[0] + 1 == cols.size:
        return slice(int(cols[0]), int(cols[-1]) + 1)
    return cols


class DelayLine:
    """Ring buffer of delayed synaptic input for ``n_post`` columns.

    Parameters
    ----------
    delays : int or ndarray of int, shape (n_pre, n_post)
        Delay of each synapse in steps (0: delivered at the step it is sent).
    n_pre, n_post : int
        Numbers of presynaptic rows and postsynaptic columns.
    max_delay : int, optional
        Longest delay the buffer can hold (default: the largest of ``delays``); a
        larger delay raises :class:`~spikey.errors.ConfigError`.
    owner : str
        Name used in error messages.

    Attributes
    ----------
    buffer : ndarray, shape (max_delay + 1, n_post)
        Input waiting to arrive; row ``(pos + k) % (max_delay + 1)`` arrives in
        ``k`` steps.
    pos : int
        Slot of the current step.

    Examples
    --------
    >>> import numpy as np
    >>> line = DelayLine(np.array([[0, 2], [1, 1]]), 2, 2)
    >>> line.push(np.array([0]), np.array([[1.0, 5.0]]))  # row 0 sends at step 0
    >>> [line.pop().tolist() for _ in range(3)]
    [[1.0, 0.0], [0.0, 0.0], [0.0, 5.0]]
    """

    def __init__(
        self, delays: Any, n_pre: int, n_post: int, max_delay: int | None = None, owner: str = "DelayLine"
    ):
        d = as_delay_matrix(delays, (n_pre, n_post), owner)
        largest = int(d) if isinstance(d, int) else int(d.max(initial=0))
        if max_delay is None:
            max_delay = largest
        elif largest > max_delay:
            raise ConfigError(
                f"{owner}.max_delay: expected at least the largest delay {largest} [steps]; got {max_delay}."
            )
        self.n_pre, self.n_post = n_pre, n_post
        self.max_delay = int(max_delay)
        self.length = self.max_delay + 1
        self.delays = d
        self._plan(d)
        self.reset()

    # ------------------------------------------------------------------ set-up
    def _plan(self, d: np.ndarray | int) -> None:
        """Choose how contributions are scattered (see the module docstring)."""
        self.mode = "uniform"
        self.row_class = None
        self.classes: list[list[tuple[int, slice | np.ndarray]]] = []
        if isinstance(d, int):
            return
        # rows with identical delays share a class: hash rows, then check exactly
        probe = np.cos(np.arange(self.n_post) * 0.7071 + 0.1)
        keys = d.astype(np.float64) @ probe
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        if len(first) <= MAX_ROW_CLASSES and np.array_equal(d, d[first][inverse]):
            self.mode = "classes"
            self.row_class = inverse.astype(np.int64)
            for rep in first:
                row = d[rep]
                entries = []
                for value in np.unique(row):
                    cols = np.flatnonzero(row == value)
                    entries.append((int(value), _as_index(cols)))
                self.classes.append(entries)
        else:
            self.mode = "generic"
            self._cols = np.arange(self.n_post, dtype=np.int64)

    def reset(self) -> None:
        """Empty the buffer (nothing in flight)."""
        self.buffer = np.zeros((self.length, self.n_post))
        self.pos = 0

    # ------------------------------------------------------------------ stepping
    def push(self, rows: np.ndarray, contrib: np.ndarray) -> None:
        """Send the contributions of presynaptic ``rows`` at the current step.

        Parameters
        ----------
        rows : ndarray of int, shape (k,)
            Presynaptic indices (distinct).
        contrib : ndarray, shape (k, n_post)
            Input each row sends to each column; entry ``(r, j)`` arrives at column
            ``j`` after ``delays[rows[r], j]`` steps.
        """
        if len(rows) == 0:
            return
        buf, L, pos = self.buffer, self.length, self.pos
        if self.mode == "uniform":
            buf[(pos + self.delays) % L] += contrib.sum(axis=0)
        elif self.mode == "classes":
            cls = self.row_class[rows]
            present = np.unique(cls)
            for c in present:
                total = contrib[cls == c].sum(axis=0) if len(present) > 1 else contrib.sum(axis=0)
                for delay, cols in self.classes[c]:
                    buf[(pos + delay) % L, cols] += total[cols]
        else:
            slots = (self.delays[rows] + pos) % L
            index = (slots * self.n_post + self._cols).ravel()
            flat = buf.reshape(-1)
            flat += np.bincount(index, weights=contrib.ravel(), minlength=flat.size)

    def push_sum(self, values: np.ndarray) -> None:
        """Send ``values`` (n_post,) with the single delay of a uniform line."""
        self.buffer[(self.pos + self.delays) % self.length] += values

    def pop(self) -> np.ndarray:
        """Input arriving at the current step (a new array); advance one step."""
        out = self.buffer[self.pos].copy()
        self.buffer[self.pos] = 0.0
        self.pos = (self.pos + 1) % self.length
        return out

    def in_flight(self) -> float:
        """Total input sent but not yet delivered."""
        return float(self.buffer.sum())

    # ------------------------------------------------------------------ compiled engine
    #: Codes of the scatter modes in :meth:`kernel_plan`.
    MODE_CODES = {"uniform": 1, "classes": 2, "generic": 3}

    def kernel_plan(self) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
        """The scatter plan as arrays, for the compiled engine's kernels.

        Returns
        -------
        (mode, delay, delays, row_class, class_delays)
            ``mode`` 1 (uniform), 2 (classes) or 3 (generic); ``delay`` the single
            delay of a uniform line; ``delays`` the int64 matrix (generic, else (0, 0));
            ``row_class`` (n_pre,) and ``class_delays`` (n_classes, n_post), the delay of
            each column per row class (classes, else empty).
        """
        plan = getattr(self, "_kernel_plan", None)
        if plan is None:
            none2 = np.zeros((0, 0), dtype=np.int64)
            none1 = np.zeros(0, dtype=np.int64)
            if self.mode == "uniform":
                plan = (1, int(self.delays), none2, none1, none2)
            elif self.mode == "classes":
                cd = np.zeros((len(self.classes), self.n_post), dtype=np.int64)
                for c, entries in enumerate(self.classes):
                    for delay, cols in entries:
                        cd[c, cols] = delay
                plan = (2, 0, none2, np.ascontiguousarray(self.row_class, dtype=np.int64), cd)
            else:
                plan = (3, 0, np.ascontiguousarray(self.delays, dtype=np.int64), none1, none2)
            self._kernel_plan = plan
        return plan

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        """Copy of the buffer and position."""
        return {"buffer": self.buffer.copy(), "pos": self.pos}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        buf = np.asarray(state["buffer"], dtype=np.float64)
        if buf.shape != self.buffer.shape:
            raise ShapeError(f"DelayLine: saved buffer has shape {buf.shape}; expected {self.buffer.shape}.")
        self.buffer = buf.copy()
        self.pos = int(state["pos"])
