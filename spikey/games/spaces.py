"""The stock games' spaces: Gymnasium's, with what the original Spikey's games had.

:class:`Discrete`, :class:`MultiBinary` and :class:`Box` *are* ``gymnasium.spaces``
(subclasses: ``isinstance(Logic.action_space, gymnasium.spaces.Discrete)`` holds, and
Gymnasium's tools, wrappers and ``spaces.utils`` accept them). This module stays, thin,
for what Gymnasium's spaces do not do and code written for the original Spikey relies
on:

- **iteration**: the original Spikey declared spaces as lists
  (``Logic.observation_space = [(0, 0), (0, 1), (1, 0), (1, 1)]``), so
  ``for state in Logic.observation_space`` and ``list(Logic.action_space)`` must keep
  working; Gymnasium's finite spaces are not iterable;
- **lenient membership with a canonical form**: networks answer with ``True``,
  ``np.int64(1)``, ``1.0`` or a 0-d array; the games take any integral number
  (:meth:`Space.canonical` turns it into a Python ``int`` or tuple and raises
  ``ValueError`` saying what was expected), where Gymnasium's ``Discrete.contains(1.0)``
  is False;
- **sampling from a given generator**: ``space.sample(rng)`` draws from ``rng`` (house
  rule: no hidden random state); ``space.sample()`` is Gymnasium's own.

:meth:`Space.to_gymnasium` returns the plain Gymnasium space (strict membership), which
:class:`~spikey.games.GymnasiumEnv` exposes. A game may also declare any plain
``gymnasium.spaces`` space; its ``contains`` is then used as is.

Examples
--------
>>> import gymnasium
>>> from spikey.games.spaces import Box, Discrete, MultiBinary
>>> 1 in Discrete(2), 2 in Discrete(2), isinstance(Discrete(2), gymnasium.spaces.Discrete)
(True, False, True)
>>> list(MultiBinary(2))
[(0, 0), (0, 1), (1, 0), (1, 1)]
>>> Box(-10.0, 10.0, (1,)).canonical(3)
array([3.])
"""

from __future__ import annotations

import itertools
import numbers
from typing import Any

import gymnasium.spaces as gym_spaces
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
    """What spikey adds to a Gymnasium space (a mixin; see the module docstring)."""

    def canonical(self, x: Any) -> Any:  # pragma: no cover - interface
        """Return ``x`` in canonical form; raise ``ValueError`` if ``x`` is not a member."""
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - interface
        """What a member looks like, e.g. ``'an int in {0, 1}'``."""
        raise NotImplementedError

    def sample(self, mask: Any = None, probability: Any = None) -> Any:
        """A random member: ``sample(rng)`` draws from the generator ``rng``; ``sample()``
        (or with Gymnasium's ``mask`` / ``probability``) is Gymnasium's sampling."""
        if isinstance(mask, np.random.Generator):
            return self._sample_from(mask)
        return super().sample(mask, probability)  # type: ignore[misc]

    def _sample_from(self, rng: np.random.Generator) -> Any:  # pragma: no cover - interface
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


class Discrete(Space, gym_spaces.Discrete):
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
        gym_spaces.Discrete.__init__(self, int(n), start=int(start))
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

    def _sample_from(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.start, self.start + self.n))

    def to_gymnasium(self) -> Any:
        return gym_spaces.Discrete(self.n, start=self.start)

    def to_gymnasium_value(self, x: Any) -> np.int64:
        return np.int64(self.canonical(x))

    def __iter__(self):
        return iter(range(self.start, self.start + self.n))

    def __len__(self) -> int:
        return self.n

    def __eq__(self, other: object) -> bool:
        return isinstance(other, gym_spaces.Discrete) and (self.n, self.start) == (
            int(other.n),
            int(other.start),
        )

    def __hash__(self) -> int:
        return hash(("Discrete", self.n, self.start))

    def __repr__(self) -> str:
        return f"Discrete({self.n})" if self.start == 0 else f"Discrete({self.n}, start={self.start})"


class MultiBinary(Space, gym_spaces.MultiBinary):
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
        gym_spaces.MultiBinary.__init__(self, int(n))
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

    def _sample_from(self, rng: np.random.Generator) -> tuple[int, ...]:
        return tuple(int(v) for v in rng.integers(0, 2, size=self.n))

    def to_gymnasium(self) -> Any:
        return gym_spaces.MultiBinary(self.n)

    def to_gymnasium_value(self, x: Any) -> np.ndarray:
        return np.array(self.canonical(x), dtype=np.int8)

    def __iter__(self):
        return iter(itertools.product((0, 1), repeat=self.n))

    def __len__(self) -> int:
        return 2**self.n

    def __eq__(self, other: object) -> bool:
        return isinstance(other, gym_spaces.MultiBinary) and other.shape == (self.n,)

    def __hash__(self) -> int:
        return hash(("MultiBinary", self.n))

    def __repr__(self) -> str:
        return f"MultiBinary({self.n})"


class Box(Space, gym_spaces.Box):
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
        out_dtype = np.dtype(dtype)
        if out_dtype not in (np.float64, np.float32):
            raise ValueError(f"Box: expected dtype float64 or float32; got {out_dtype}")
        low_a = np.asarray(low, dtype=out_dtype).astype(np.float64)
        high_a = np.asarray(high, dtype=out_dtype).astype(np.float64)
        if shape is None:
            shape = np.broadcast_shapes(low_a.shape, high_a.shape)
        shape = tuple(int(s) for s in shape)
        lo, hi = np.broadcast_to(low_a, shape).copy(), np.broadcast_to(high_a, shape).copy()
        if np.isnan(lo).any() or np.isnan(hi).any() or (lo > hi).any():
            raise ValueError(f"Box: expected low <= high without NaN; got low={low!r}, high={high!r}")
        gym_spaces.Box.__init__(self, lo, hi, shape=shape, dtype=np.float64)
        #: dtype of the values handed to Gymnasium (:meth:`to_gymnasium`); states stay float64
        self._out_dtype = out_dtype

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

    def _sample_from(self, rng: np.random.Generator) -> np.ndarray:
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
        return gym_spaces.Box(
            self.low.astype(self._out_dtype), self.high.astype(self._out_dtype), shape=self.shape, dtype=self._out_dtype
        )

    def to_gymnasium_value(self, x: Any) -> np.ndarray:
        return self.canonical(x).astype(self._out_dtype, copy=False)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, gym_spaces.Box)
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
    if isinstance(space, gym_spaces.Space):
        return space
    raise TypeError(
        f"expected a spikey.games.spaces.Space or a gymnasium space; got {describe_value(space)} "
        f"({type(space).__name__})"
    )
