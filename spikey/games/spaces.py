"""Descriptions of the states and actions a game accepts.

Three small spaces cover the stock games: :class:`Discrete` (``n`` integer choices),
:class:`MultiBinary` (a fixed-length tuple of 0/1) and :class:`Box` (a float array in
bounds). Each space can

- test membership (``action in space`` / :meth:`Space.contains`),
- turn an accepted value into its canonical form (:meth:`Space.canonical`, which raises
  ``ValueError`` saying what was expected),
- draw a member from a given generator (:meth:`Space.sample`; never the global
  ``np.random``),
- convert itself and its values to Gymnasium (:meth:`Space.to_gymnasium`,
  :meth:`Space.to_gymnasium_value`); ``gymnasium`` is imported only then.

The finite spaces are iterable, so ``list(Logic.observation_space)`` lists every input
pair as in the original Spikey, whose games declared spaces as plain lists.

Examples
--------
>>> from spikey.games.spaces import Box, Discrete, MultiBinary
>>> 1 in Discrete(2), 2 in Discrete(2)
(True, False)
>>> list(MultiBinary(2))
[(0, 0), (0, 1), (1, 0), (1, 1)]
>>> Box(-10.0, 10.0, (1,)).canonical(3)
array([3.])
"""

from __future__ import annotations

import itertools
import numbers
from typing import Any

import numpy as np

from spikey.module import describe_value

__all__ = ["Space", "Discrete", "MultiBinary", "Box", "to_gymnasium_space"]


def _is_bool(x: Any) -> bool:
    return isinstance(x, (bool, np.bool_)) or (isinstance(x, np.ndarray) and x.dtype == bool)


def _as_int(x: Any) -> int | None:
    """``x`` as an int when it is an integral number (bools count as 0/1), else None."""
    if isinstance(x, np.ndarray):
        if x.ndim != 0:
            return None
        x = x.item()
    if isinstance(x, (bool, np.bool_)):
        return int(x)
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, numbers.Real):
        xf = float(x)
        if np.isfinite(xf) and xf == int(xf):
            return int(xf)
    return None


def _fmt(x: float) -> str:
    return f"{x:g}"


class Space:
    """Base of the space descriptions (see module docstring)."""

    def canonical(self, x: Any) -> Any:  # pragma: no cover - interface
        """Return ``x`` in canonical form; raise ``ValueError`` if ``x`` is not a member."""
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - interface
        """What a member looks like, e.g. ``'an int in {0, 1}'``."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator) -> Any:  # pragma: no cover - interface
        """A random member drawn from ``rng``."""
        raise NotImplementedError

    def to_gymnasium(self) -> Any:  # pragma: no cover - interface
        """The equivalent ``gymnasium.spaces`` object."""
        raise NotImplementedError

    def to_gymnasium_value(self, x: Any) -> Any:  # pragma: no cover - interface
        """``x`` (a member) as the matching Gymnasium space represents it (a new object)."""
        raise NotImplementedError

    def contains(self, x: Any) -> bool:
        """True when ``x`` is a member of this space."""
        try:
            self.canonical(x)
        except (ValueError, TypeError):
            return False
        return True

    def __contains__(self, x: Any) -> bool:
        return self.contains(x)

    def _reject(self, x: Any) -> ValueError:
        return ValueError(f"expected {self.describe()}; got {describe_value(x)} ({type(x).__name__})")


class Discrete(Space):
    """The integers ``start, ..., start + n - 1``.

    Integral numbers of any type are members (``True`` is 1, ``1.0`` is 1, a 0-d integer
    array is its value); the canonical form is a Python ``int``.

    Parameters
    ----------
    n : int
        Number of choices, > 0.
    start : int
        Smallest member.

    Examples
    --------
    >>> space = Discrete(2)
    >>> space.canonical(True), space.contains(0.5), list(space)
    (1, False, [0, 1])
    """

    def __init__(self, n: int, start: int = 0):
        if _as_int(n) is None or int(n) <= 0 or _is_bool(n):
            raise ValueError(f"Discrete: expected n an int > 0; got {n!r}")
        self.n, self.start = int(n), int(start)

    def canonical(self, x: Any) -> int:
        v = None if isinstance(x, (str, bytes)) else _as_int(x)
        if v is None or not self.start <= v < self.start + self.n:
            raise self._reject(x)
        return v

    def describe(self) -> str:
        members = ", ".join(str(i) for i in self)
        return (
            f"an int in {{{members}}}"
            if self.n <= 6
            else f"an int in [{self.start}, {self.start + self.n - 1}]"
        )

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.start, self.start + self.n))

    def to_gymnasium(self) -> Any:
        from gymnasium import spaces

        return spaces.Discrete(self.n, start=self.start)

    def to_gymnasium_value(self, x: Any) -> np.int64:
        return np.int64(self.canonical(x))

    def __iter__(self):
        return iter(range(self.start, self.start + self.n))

    def __len__(self) -> int:
        return self.n

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Discrete) and (self.n, self.start) == (other.n, other.start)

    def __hash__(self) -> int:
        return hash(("Discrete", self.n, self.start))

    def __repr__(self) -> str:
        return f"Discrete({self.n})" if self.start == 0 else f"Discrete({self.n}, start={self.start})"


class MultiBinary(Space):
    """Fixed-length sequences of 0/1 (bools count); canonical form: a tuple of ints.

    Parameters
    ----------
    n : int
        Length of the sequence, > 0.

    Examples
    --------
    >>> MultiBinary(2).canonical([True, 0])
    (1, 0)
    >>> (1, 2) in MultiBinary(2)
    False
    """

    def __init__(self, n: int):
        if _as_int(n) is None or int(n) <= 0 or _is_bool(n):
            raise ValueError(f"MultiBinary: expected n an int > 0; got {n!r}")
        self.n = int(n)

    def canonical(self, x: Any) -> tuple[int, ...]:
        if isinstance(x, (str, bytes, dict, set)) or not hasattr(x, "__len__"):
            raise self._reject(x)
        if isinstance(x, np.ndarray) and x.ndim != 1:
            raise self._reject(x)
        if len(x) != self.n:
            raise self._reject(x)
        out = []
        for v in x:
            i = None if isinstance(v, (str, bytes)) else _as_int(v)
            if i not in (0, 1):
                raise self._reject(x)
            out.append(i)
        return tuple(out)

    def describe(self) -> str:
        return f"a sequence of {self.n} values in {{0, 1}}"

    def sample(self, rng: np.random.Generator) -> tuple[int, ...]:
        return tuple(int(v) for v in rng.integers(0, 2, size=self.n))

    def to_gymnasium(self) -> Any:
        from gymnasium import spaces

        return spaces.MultiBinary(self.n)

    def to_gymnasium_value(self, x: Any) -> np.ndarray:
        return np.array(self.canonical(x), dtype=np.int8)

    def __iter__(self):
        return iter(itertools.product((0, 1), repeat=self.n))

    def __len__(self) -> int:
        return 2**self.n

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MultiBinary) and self.n == other.n

    def __hash__(self) -> int:
        return hash(("MultiBinary", self.n))

    def __repr__(self) -> str:
        return f"MultiBinary({self.n})"


class Box(Space):
    """Float arrays of a fixed shape with every element in ``[low, high]``.

    Members are numbers or arrays (not bools, not NaN) with ``size == prod(shape)``; a
    scalar is a member of a one-element box. The canonical form is a new ``float64``
    array of ``shape``.

    Parameters
    ----------
    low, high : float or array_like
        Element-wise bounds (``-inf`` / ``inf`` allowed), broadcast to ``shape``.
    shape : tuple of int, optional
        Array shape; default: the broadcast shape of ``low`` and ``high``.
    dtype : {numpy.float64, numpy.float32}
        dtype of the Gymnasium space and of Gymnasium observations
        (:meth:`to_gymnasium_value`); bounds are rounded to it. Canonical values
        stay ``float64``.

    Examples
    --------
    >>> box = Box(-1.0, 1.0, (2,))
    >>> box.canonical([0.5, -1])
    array([ 0.5, -1. ])
    >>> [0.5, 2.0] in box
    False
    """

    def __init__(self, low: Any, high: Any, shape: tuple[int, ...] | None = None, dtype: Any = np.float64):
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float64, np.float32):
            raise ValueError(f"Box: expected dtype float64 or float32; got {self.dtype}")
        low_a = np.asarray(low, dtype=self.dtype).astype(np.float64)
        high_a = np.asarray(high, dtype=self.dtype).astype(np.float64)
        if shape is None:
            shape = np.broadcast_shapes(low_a.shape, high_a.shape)
        self.shape = tuple(int(s) for s in shape)
        self.low = np.broadcast_to(low_a, self.shape).copy()
        self.high = np.broadcast_to(high_a, self.shape).copy()
        if np.isnan(self.low).any() or np.isnan(self.high).any() or (self.low > self.high).any():
            raise ValueError(f"Box: expected low <= high without NaN; got low={low!r}, high={high!r}")

    def canonical(self, x: Any) -> np.ndarray:
        if _is_bool(x) or isinstance(x, (str, bytes)):
            raise self._reject(x)
        if isinstance(x, (list, tuple)) and any(_is_bool(v) for v in x):
            raise self._reject(x)
        try:
            arr = np.array(x, dtype=np.float64)
        except (TypeError, ValueError):
            raise self._reject(x) from None
        if arr.shape != self.shape:
            if arr.size != int(np.prod(self.shape)) or arr.ndim > 1:
                raise self._reject(x)
            arr = arr.reshape(self.shape)
        if np.isnan(arr).any() or (arr < self.low).any() or (arr > self.high).any():
            raise self._reject(x)
        return arr

    def _bounds(self) -> str:
        lo, hi = np.unique(self.low), np.unique(self.high)
        if lo.size == 1 and hi.size == 1:
            return f"in [{_fmt(lo[0])}, {_fmt(hi[0])}]"
        return f"in [{self.low.tolist()}, {self.high.tolist()}]"

    def describe(self) -> str:
        return f"a float array of shape {self.shape} {self._bounds()}"

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        """Uniform in finite bounds; shifted exponential when one-sided; normal when unbounded."""
        lo, hi = self.low, self.high
        u, normal = rng.uniform(size=self.shape), rng.normal(size=self.shape)
        expo = rng.exponential(size=self.shape)
        lo_ok, hi_ok = np.isfinite(lo), np.isfinite(hi)
        with np.errstate(invalid="ignore", over="ignore"):
            out = np.select(
                [lo_ok & hi_ok, lo_ok, hi_ok],
                [lo + u * (hi - lo), lo + expo, hi - expo],
                default=normal,
            )
        return np.clip(out, lo, hi)

    def to_gymnasium(self) -> Any:
        from gymnasium import spaces

        return spaces.Box(
            self.low.astype(self.dtype), self.high.astype(self.dtype), shape=self.shape, dtype=self.dtype
        )

    def to_gymnasium_value(self, x: Any) -> np.ndarray:
        return self.canonical(x).astype(self.dtype, copy=False)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Box)
            and self.shape == other.shape
            and np.array_equal(self.low, other.low)
            and np.array_equal(self.high, other.high)
            and self.dtype == other.dtype
        )

    def __hash__(self) -> int:
        return hash(("Box", self.shape))

    def __repr__(self) -> str:
        return f"Box(shape={self.shape}, {self._bounds()})"


def to_gymnasium_space(space: Any) -> Any:
    """A spikey space as a ``gymnasium.spaces.Space`` (Gymnasium spaces pass through).

    Raises
    ------
    TypeError
        For an object that is neither.
    """
    if isinstance(space, Space):
        return space.to_gymnasium()
    from gymnasium import spaces

    if isinstance(space, spaces.Space):
        return space
    raise TypeError(
        f"expected a spikey.games.spaces.Space or a gymnasium space; got {describe_value(space)} "
        f"({type(space).__name__})"
    )
