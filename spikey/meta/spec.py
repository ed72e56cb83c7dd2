"""The Series spec grammar and ``GENOTYPE_CONSTRAINTS``, parsed into plain values.

A Series spec lists parameters to vary. Each *detail* names one parameter and its
values::

    (attr, stop)                       np.arange(stop)
    (attr, start, stop)                np.arange(start, stop)
    (attr, start, stop, step)          np.arange(start, stop, step)
    (attr, (start, stop, step))        the same
    (attr, [v1, v2, ...])              the listed values (also a numpy array)
    (attr, generator or iterable)      its values (read once, in the driver)

and a spec is one detail, a list of details (iterated together: the i-th run takes
the i-th value of every list), a dict ``{attr: values}`` (same as a list of
``(attr, values)``), or ``None`` (one run, no change). With ``product=True`` the
entries of the list are crossed instead (a cartesian grid); an entry that is itself a
list of details is one axis whose details are iterated together.

Examples
--------
>>> from spikey.meta.spec import expand_spec
>>> expand_spec(("learning_rate", [0.1, 0.2]))
[{'learning_rate': 0.1}, {'learning_rate': 0.2}]
>>> expand_spec([("a", 0, 3), ("b", ["x", "y", "z"])])
[{'a': 0, 'b': 'x'}, {'a': 1, 'b': 'y'}, {'a': 2, 'b': 'z'}]
>>> len(expand_spec({"a": [1, 2], "b": [3, 4, 5]}, product=True))
6
"""

from __future__ import annotations

import itertools
import json
import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.logging.serialize import encode
from spikey.module import describe_value

__all__ = [
    "expand_spec",
    "spec_axes",
    "parse_constraints",
    "Constraint",
    "GridConstraint",
    "UniformConstraint",
    "ChoiceConstraint",
    "canonical_key",
    "plain",
    "count_configs",
    "range_length",
    "MAX_JOBS",
]


def plain(value: Any) -> Any:
    """A numpy scalar as the equal Python scalar (other values unchanged)."""
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return value.item()
    return value


def canonical_key(values: Mapping[str, Any]) -> str:
    """A text that is equal for equal configurations (key order ignored).

    Values are typed-encoded (:func:`spikey.logging.serialize.encode`), so ``1``,
    ``1.0`` and ``True`` differ, floats are exact, and classes are named by import path.
    """
    return json.dumps(encode(dict(values)), sort_keys=True, separators=(",", ":"))


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


#: Default largest number of jobs (configurations x repeats) of a Series, and of
#: points of one range; larger specs are refused before anything is expanded.
MAX_JOBS = 100_000


def _too_many(where: str, n: int, limit: int, what: str = "values") -> ConfigError:
    return ConfigError(
        f"{where}: {n:,} {what}, more than the limit of {limit:,} (max_jobs); "
        "narrow the spec, or raise max_jobs if you mean it."
    )


def range_length(start: float, stop: float, step: float) -> int:
    """``len(np.arange(start, stop, step))``, computed without allocating."""
    n = math.ceil((stop - start) / step)
    return max(int(n), 0)


def _arange(args: tuple, where: str, limit: int | None = None) -> list:
    if not 1 <= len(args) <= 3 or not all(_is_number(a) for a in args):
        raise ConfigError(
            f"{where}: a range is (stop), (start, stop) or (start, stop, step) of numbers; got "
            f"{describe_value(args)}."
        )
    if not all(math.isfinite(a) for a in args):
        raise ConfigError(f"{where}: a range needs finite numbers; got {describe_value(args)}.")
    if len(args) == 3 and args[2] == 0:
        raise ConfigError(f"{where}: the range's step must not be 0; got {describe_value(args)}.")
    start, stop, step = (0, args[0], 1) if len(args) == 1 else (*args[:2], args[2] if len(args) == 3 else 1)
    if limit is not None:
        n = range_length(start, stop, step)
        if n > limit:
            raise _too_many(where, n, limit, "values in the range")
    return [plain(v) for v in np.arange(*args)]


def _values(detail: Any, where: str, limit: int | None = None) -> tuple[str, list]:
    """(attr, list of values) of one detail."""
    if not isinstance(detail, tuple) or len(detail) < 2:
        raise ConfigError(
            f"{where}: expected a detail (attr, values), (attr, start, stop[, step]) or a list of "
            f"details; got {describe_value(detail)}."
        )
    attr, rest = detail[0], detail[1:]
    if not isinstance(attr, str) or not attr.isidentifier():
        raise ConfigError(f"{where}: expected the parameter's name (a str) first; got {attr!r}.")
    where = f"{where} ({attr!r})"
    first = rest[0]
    if _is_number(first):
        values = _arange(rest, where, limit)
    elif len(rest) != 1:
        raise ConfigError(
            f"{where}: expected (attr, values) or (attr, start, stop[, step]); got {len(detail)} items "
            f"{describe_value(detail)}."
        )
    elif isinstance(first, tuple):
        values = _arange(first, where, limit)
    elif isinstance(first, np.ndarray):
        values = [plain(v) for v in first.tolist()] if first.ndim == 1 else list(first)
    elif isinstance(first, list):
        values = [plain(v) for v in first]
    elif isinstance(first, (str, bytes, Mapping)) or not isinstance(first, Iterable):
        raise ConfigError(
            f"{where}: expected the values as a list, a range (start, stop, step), or a generator or "
            f"iterable; got {describe_value(first)} ({type(first).__name__}). To give one value, use "
            f"({attr!r}, [value])."
        )
    else:
        # a generator is read once, and no further than the limit
        values = [plain(v) for v in (first if limit is None else itertools.islice(first, limit + 1))]
        if limit is not None and len(values) > limit:
            raise _too_many(where, len(values), limit, "values or more from the iterable")
    if limit is not None and len(values) > limit:
        raise _too_many(where, len(values), limit)
    if not values:
        raise ConfigError(f"{where}: no values (empty list or range).")
    return attr, values


def _group(entry: Any, where: str, limit: int | None = None) -> list[dict]:
    """One axis: a detail, or a list of details iterated together -> list of dicts."""
    details = entry if isinstance(entry, list) else [entry]
    if not details:
        raise ConfigError(f"{where}: an empty list of details.")
    columns = [
        _values(d, f"{where}[{i}]" if isinstance(entry, list) else where, limit)
        for i, d in enumerate(details)
    ]
    lengths = {attr: len(v) for attr, v in columns}
    if len(set(lengths.values())) > 1:
        raise ConfigError(
            f"{where}: details iterated together must have equal lengths; got {lengths}. Use "
            "product=True for a grid."
        )
    n = len(columns[0][1])
    return [{attr: v[i] for attr, v in columns} for i in range(n)]


def spec_axes(spec: Any, owner: str = "Series", max_values: int | None = MAX_JOBS) -> list[list[dict]]:
    """The axes of a spec: each a list of partial configurations (dicts).

    Parameters
    ----------
    spec : tuple, list, dict or None
        See the module docstring.
    owner : str
        Name used in error messages.
    max_values : int or None
        Largest number of values of one detail; ranges are counted before they are
        expanded and generators read no further (None: no limit).

    Raises
    ------
    ConfigError
        For a malformed spec (naming the entry), a parameter named twice, or a detail
        with more than ``max_values`` values (stating the count).
    """
    where = f"{owner}.spec"
    if spec is None:
        return []
    if isinstance(spec, Mapping):
        spec = [(k, v) for k, v in spec.items()]
    entries = spec if isinstance(spec, list) else [spec]
    axes = [
        _group(e, f"{where}[{i}]" if isinstance(spec, list) else where, max_values)
        for i, e in enumerate(entries)
    ]
    seen: dict[str, int] = {}
    for i, axis in enumerate(axes):
        for attr in axis[0]:
            if attr in seen:
                raise ConfigError(
                    f"{where}: parameter {attr!r} is given twice (entries {seen[attr]} and {i})."
                )
            seen[attr] = i
    return axes


def count_configs(axes: list[list[dict]], product: bool) -> int:
    """Number of configurations of ``axes`` (from :func:`spec_axes`), without expanding them."""
    if not axes:
        return 1
    lengths = [len(a) for a in axes]
    return math.prod(lengths) if product else lengths[0]


def expand_spec(
    spec: Any, product: bool = False, owner: str = "Series", max_configs: int | None = MAX_JOBS
) -> list[dict]:
    """The configurations of a spec, in order.

    Parameters
    ----------
    spec : tuple, list, dict or None
        See the module docstring.
    product : bool
        Cross the entries (a grid; the last entry varies fastest) instead of
        iterating them together.
    owner : str
        Name used in error messages.
    max_configs : int or None
        Largest number of configurations; counted before anything is expanded
        (None: no limit).

    Returns
    -------
    list of dict
        One ``{attr: value}`` per configuration (``[{}]`` for ``None``).

    Raises
    ------
    ConfigError
        For a malformed spec, unequal lengths of entries iterated together, a
        parameter named twice, or more than ``max_configs`` configurations.
    """
    axes = spec_axes(spec, owner, max_configs)
    if not axes:
        return [{}]
    n = count_configs(axes, product)
    if max_configs is not None and n > max_configs:
        raise _too_many(f"{owner}.spec", n, max_configs, "configurations")
    if product:
        return [
            dict(itertools.chain.from_iterable(d.items() for d in combo))
            for combo in itertools.product(*axes)
        ]
    lengths = [len(a) for a in axes]
    if len(set(lengths)) > 1:
        names = [list(a[0]) for a in axes]
        raise ConfigError(
            f"{owner}.spec: entries iterated together must have equal lengths; got "
            f"{dict(zip(map(str, names), lengths))}. Pass product=True for a grid."
        )
    return [dict(itertools.chain.from_iterable(a[i].items() for a in axes)) for i in range(lengths[0])]


# --------------------------------------------------------------------------- genotypes


#: Largest number of points of a ``(start, stop, step)`` gene.
MAX_GRID = 10**6


class Constraint:
    """The valid values of one gene (see :func:`parse_constraints`)."""

    def sample(self, rng: np.random.Generator) -> Any:  # pragma: no cover - interface
        """A random valid value."""
        raise NotImplementedError

    def examples(self) -> list:  # pragma: no cover - interface
        """Values to validate before any job runs (all choices, or the range's ends)."""
        raise NotImplementedError

    def contains(self, value: Any) -> bool:  # pragma: no cover - interface
        """Whether ``value`` is valid for this gene."""
        raise NotImplementedError


class ChoiceConstraint(Constraint):
    """One of the listed values, drawn uniformly."""

    def __init__(self, values: list):
        self.values = [plain(v) for v in values]

    def sample(self, rng: np.random.Generator) -> Any:
        return self.values[int(rng.integers(len(self.values)))]

    def examples(self) -> list:
        return list(self.values)

    def contains(self, value: Any) -> bool:
        key = canonical_key({"v": value})
        return any(canonical_key({"v": v}) == key for v in self.values)

    def __repr__(self) -> str:
        return f"ChoiceConstraint({self.values!r})"


class GridConstraint(ChoiceConstraint):
    """A point of ``np.arange(start, stop, step)``, drawn uniformly."""

    def __init__(self, start: float, stop: float, step: float):
        self.start, self.stop, self.step = start, stop, step
        super().__init__(list(np.arange(start, stop, step)))

    def examples(self) -> list:
        return [self.values[0], self.values[-1]]

    def __repr__(self) -> str:
        return f"GridConstraint({self.start!r}, {self.stop!r}, {self.step!r})"


class UniformConstraint(Constraint):
    """A float drawn uniformly from ``[low, high)``."""

    def __init__(self, low: float, high: float):
        self.low, self.high = float(low), float(high)

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))

    def examples(self) -> list:
        return [self.low, float(np.nextafter(self.high, self.low))]

    def contains(self, value: Any) -> bool:
        return _is_number(value) and self.low <= float(value) < self.high

    def __repr__(self) -> str:
        return f"UniformConstraint({self.low!r}, {self.high!r})"


def parse_constraints(constraints: Any, owner: str = "Population") -> dict[str, Constraint]:
    """Parse ``GENOTYPE_CONSTRAINTS``.

    Parameters
    ----------
    constraints : dict
        ``{gene: [values]}`` (one of the values), ``{gene: (start, stop, step)}`` (a
        point of ``np.arange(start, stop, step)``) or ``{gene: (low, high)}`` (a float
        uniform in ``[low, high)``).
    owner : str
        Name used in error messages.

    Returns
    -------
    dict of str -> Constraint

    Raises
    ------
    ConfigError
        Naming the gene, the value given and what was expected.

    Examples
    --------
    >>> from spikey.meta.spec import parse_constraints
    >>> parse_constraints({"learning_rate": (0.0, 1.0), "n_neurons": [10, 20]})
    {'learning_rate': UniformConstraint(0.0, 1.0), 'n_neurons': ChoiceConstraint([10, 20])}
    >>> parse_constraints({"learning_rate": (1.0, 0.0)})
    Traceback (most recent call last):
    ...
    spikey.errors.ConfigError: Population.GENOTYPE_CONSTRAINTS['learning_rate']: expected low < high in (low, high); got (1.0, 0.0).
    """
    where = f"{owner}.GENOTYPE_CONSTRAINTS"
    if not isinstance(constraints, Mapping) or not constraints:
        raise ConfigError(
            f"{where}: expected a non-empty dict {{gene: [values] or (start, stop, step)}}; got "
            f"{describe_value(constraints)}."
        )
    out: dict[str, Constraint] = {}
    for gene, cons in constraints.items():
        at = f"{where}[{gene!r}]"
        if not isinstance(gene, str) or not gene.isidentifier() or gene.startswith("_"):
            raise ConfigError(f"{where}: expected gene names that are keys (identifiers); got {gene!r}.")
        if isinstance(cons, np.ndarray):
            cons = cons.tolist()
        if isinstance(cons, list):
            if not cons:
                raise ConfigError(f"{at}: expected at least one value; got [].")
            out[gene] = ChoiceConstraint(cons)
        elif isinstance(cons, tuple) and len(cons) in (2, 3) and all(_is_number(c) for c in cons):
            if not all(math.isfinite(c) for c in cons):
                raise ConfigError(
                    f"{at}: expected finite numbers (a uniform draw or a grid needs finite bounds); "
                    f"got {cons!r}."
                )
            if len(cons) == 2:
                if not cons[0] < cons[1]:
                    raise ConfigError(f"{at}: expected low < high in (low, high); got {cons!r}.")
                out[gene] = UniformConstraint(*cons)
            else:
                start, stop, step = cons
                if step == 0 or not range_length(start, stop, step):
                    raise ConfigError(
                        f"{at}: expected a non-empty range (start, stop, step) with step != 0; got {cons!r}."
                    )
                if range_length(start, stop, step) > MAX_GRID:
                    raise ConfigError(
                        f"{at}: the grid has {range_length(start, stop, step):,} points, more than "
                        f"{MAX_GRID:,}; use (low, high) for a continuous range."
                    )
                out[gene] = GridConstraint(start, stop, step)
        else:
            raise ConfigError(
                f"{at}: expected a list of values, (start, stop, step) or (low, high) of numbers; got "
                f"{describe_value(cons)} ({type(cons).__name__})."
            )
    return out
