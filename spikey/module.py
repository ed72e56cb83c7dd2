"""Parameters of every spikey part: :class:`Key`, :class:`Module` and constraints.

A part declares its parameters as a list of :class:`Key` in ``NECESSARY_KEYS``. One
validator, :meth:`Key.validate`, checks and coerces every value, with one policy, at
construction, in :meth:`Module.set_params`, and in Series/Population before any job is
sent anywhere. Values are stored on the instance as ``self._<key>``, as in the original
Spikey.

Examples
--------
>>> from spikey.module import Key, Module, Interval
>>> class Leaky(Module):
...     NECESSARY_KEYS = [
...         Key("tau", "Membrane time constant.", float, 20.0,
...             constraint=Interval(0, None, low_closed=False), units="ms"),
...     ]
>>> Leaky(tau=10)._tau
10.0
>>> Leaky(tau=-1)
Traceback (most recent call last):
...
spikey.errors.ConfigError: Leaky.tau: expected a float > 0 [ms]; got -1 (int).
"""

from __future__ import annotations

import builtins
import copy as _copy
import difflib
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from spikey.errors import ConfigError, MissingKeyError
from spikey.rng import fresh_seed, make_rng

__all__ = [
    "REQUIRED",
    "Key",
    "Module",
    "Constraint",
    "Interval",
    "OneOf",
    "Predicate",
    "describe_value",
    "suggest",
]


class _Required:
    """Sentinel: a key without a default must be given."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "REQUIRED"

    def __reduce__(self):
        return (_Required, ())

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self


#: Default of a key that must be given.
REQUIRED = _Required()


# --------------------------------------------------------------------------- helpers


def describe_value(value: Any, limit: int = 60) -> str:
    """Short ``repr`` of a value for error messages (arrays by shape and dtype)."""
    if isinstance(value, np.ndarray) and value.size > 6:
        return f"array(shape={value.shape}, dtype={value.dtype})"
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def suggest(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _has_nan(value: Any) -> bool:
    """Whether ``value`` is a float NaN or a float/complex array holding one."""
    if isinstance(value, (float, np.floating)):
        return value != value
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        return bool(np.isnan(value).any())
    return False


def _has_inf(value: Any) -> bool:
    """Whether ``value`` is an infinite float or a float array holding one."""
    if isinstance(value, (float, np.floating)):
        return math.isinf(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        return bool(np.isinf(value).any())
    return False


def _fmt_num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


# --------------------------------------------------------------------------- constraints


class Constraint:
    """A condition on a key's (coerced) value.

    Subclasses implement :meth:`check` and :meth:`describe`; arrays are checked
    element-wise.
    """

    def check(self, value: Any) -> bool:  # pragma: no cover - interface
        """Return True when ``value`` satisfies the constraint."""
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - interface
        """Human readable condition, e.g. ``'in [0, 1]'``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"


class Interval(Constraint):
    """Value (or every element) within ``[low, high]``; ``None`` is unbounded.

    Parameters
    ----------
    low, high : float or None
        Bounds.
    low_closed, high_closed : bool
        Whether each bound is included.
    """

    def __init__(
        self,
        low: float | None = None,
        high: float | None = None,
        *,
        low_closed: bool = True,
        high_closed: bool = True,
    ):
        self.low, self.high = low, high
        self.low_closed, self.high_closed = low_closed, high_closed

    def check(self, value: Any) -> bool:
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError, OverflowError):
            return False
        if arr.size == 0:
            return True
        if np.isnan(arr).any():
            return False
        ok = True
        if self.low is not None:
            ok &= bool(np.all(arr >= self.low) if self.low_closed else np.all(arr > self.low))
        if self.high is not None:
            ok &= bool(np.all(arr <= self.high) if self.high_closed else np.all(arr < self.high))
        return ok

    def describe(self) -> str:
        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            left = "[" if self.low_closed else "("
            right = "]" if self.high_closed else ")"
            return f"in {left}{_fmt_num(lo)}, {_fmt_num(hi)}{right}"
        if lo is not None:
            return f"{'>=' if self.low_closed else '>'} {_fmt_num(lo)}"
        if hi is not None:
            return f"{'<=' if self.high_closed else '<'} {_fmt_num(hi)}"
        return "any number"


class OneOf(Constraint):
    """Value is one of a fixed set of choices."""

    def __init__(self, *choices: Any):
        self.choices = tuple(choices)

    def check(self, value: Any) -> bool:
        return any(value == c and type(value) is type(c) for c in self.choices) or (
            isinstance(value, str) and value in self.choices
        )

    def describe(self) -> str:
        return "one of {" + ", ".join(repr(c) for c in self.choices) + "}"


class Predicate(Constraint):
    """Any condition, given as a function and its description."""

    def __init__(self, fn: Callable[[Any], bool], description: str):
        self.fn, self.description = fn, description

    def check(self, value: Any) -> bool:
        try:
            return bool(self.fn(value))
        except Exception:  # a predicate that fails to evaluate is a failed check
            return False

    def describe(self) -> str:
        return self.description


# --------------------------------------------------------------------------- types

_TYPE_NAMES = {
    float: "a float",
    int: "an int",
    bool: "a bool",
    str: "a str",
    list: "a list",
    tuple: "a tuple",
    dict: "a dict",
    np.ndarray: "an array",
    type(None): "None",
}


def _type_name(t: Any) -> str:
    if t is builtins.any or t is None:
        return "any value"
    if t is callable:
        return "a callable"
    if isinstance(t, tuple):
        return " or ".join(_type_name(x) for x in t)
    if t in _TYPE_NAMES:
        return _TYPE_NAMES[t]
    name = getattr(t, "__name__", repr(t))
    return f"an instance of {name}"


_NO = object()


def _coerce(t: Any, value: Any) -> Any:
    """Coerce ``value`` to type spec ``t`` under the one policy; ``_NO`` if impossible.

    Policy: numpy scalars count as Python numbers; bool is not a number; an int is a
    valid float; lists and tuples become arrays for array keys (numeric, not object).
    """
    if t is builtins.any or t is None:
        return value
    if isinstance(t, tuple):
        for sub in t:
            out = _coerce(sub, value)
            if out is not _NO:
                return out
        return _NO
    if t is callable:
        return value if callable(value) else _NO
    if t is bool:
        return bool(value) if isinstance(value, (bool, np.bool_)) else _NO
    if t is int:
        if isinstance(value, (bool, np.bool_)):
            return _NO
        return int(value) if isinstance(value, (int, np.integer)) else _NO
    if t is float:
        if isinstance(value, (bool, np.bool_)):
            return _NO
        if isinstance(value, (int, float, np.integer, np.floating)):
            try:
                return float(value)
            except OverflowError:  # an int beyond the float range
                return _NO
        return _NO
    if t is np.ndarray:
        if isinstance(value, np.ndarray):
            return value
        if isinstance(value, (list, tuple)):
            try:
                arr = np.asarray(value)
            except ValueError:  # ragged
                return _NO
            return arr if arr.dtype.kind in "biufc" else _NO
        return _NO
    if t is list:
        return value if isinstance(value, (list, tuple)) else _NO
    if isinstance(t, type):
        return value if isinstance(value, t) else _NO
    return _NO


# --------------------------------------------------------------------------- Key


class Key:
    """One declared parameter of a part (frozen).

    Parameters
    ----------
    name : str
        Parameter name; stored on the part as ``self._<name>``.
    description : str
        What the parameter does (shown in ``list_keys`` and the docs' key tables).
    type : type, tuple of types, ``callable`` or ``any``
        Accepted type(s). ``float`` accepts ints and numpy scalars, ``bool`` is not a
        number, ``numpy.ndarray`` accepts lists. ``any`` (the default) accepts anything.
    default : object
        Value used when none is given; :data:`REQUIRED` (the default) means the key
        must be given. A default of ``None`` makes ``None`` an accepted value.
    constraint : Constraint, optional
        Extra condition, e.g. ``Interval(0, 1)``.
    units : str, optional
        Physical units (``"ms"``, ``"mV"``), shown in errors and docs.
    allow_inf : bool, optional
        Whether an infinite float (or an array holding one) is a valid value. False by
        default: a value that is infinite before the first step can only make a state
        non-finite later, so it is rejected here, naming the key.

    Notes
    -----
    Keys compare equal by name, also to plain strings, so ``"n_inputs" in
    Neuron.NECESSARY_KEYS`` works as in the original Spikey.
    """

    __slots__ = ("name", "description", "type", "default", "constraint", "units", "allow_inf")

    def __init__(
        self,
        name: str,
        description: str = "",
        type: Any = builtins.any,
        default: Any = REQUIRED,
        *,
        constraint: Constraint | None = None,
        units: str | None = None,
        allow_inf: bool = False,
    ):
        if not isinstance(name, str) or not name.isidentifier():
            raise ConfigError(f"Key: expected an identifier as name; got {name!r}.")
        if constraint is not None and not isinstance(constraint, Constraint):
            raise ConfigError(
                f"Key {name!r}: expected a Constraint (Interval, OneOf, Predicate); got {constraint!r}."
            )
        for attr, val in (
            ("name", name),
            ("description", description),
            ("type", type),
            ("default", default),
            ("constraint", constraint),
            ("units", units),
            ("allow_inf", bool(allow_inf)),
        ):
            object.__setattr__(self, attr, val)

    def __setattr__(self, attr, value):
        raise AttributeError(f"Key is frozen; cannot set {attr!r}")

    def __delattr__(self, attr):
        raise AttributeError(f"Key is frozen; cannot delete {attr!r}")

    def __reduce__(self):
        return (
            _rebuild_key,
            (self.name, self.description, self.type, self.default, self.constraint, self.units, self.allow_inf),
        )

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self

    # -- comparison: by name, also against str
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Key):
            return self.name == other.name
        if isinstance(other, str):
            return self.name == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.name)

    @property
    def required(self) -> bool:
        """True when the key has no default."""
        return self.default is REQUIRED

    def expected(self) -> str:
        """What a valid value looks like, e.g. ``'a float > 0 [mV]'``."""
        text = _type_name(self.type)
        if isinstance(self.constraint, Predicate):  # describes the whole condition
            text = self.constraint.describe()
        elif self.constraint is not None:
            text += f" {self.constraint.describe()}"
        if self.default is None and self.type not in (builtins.any, None):
            text += " or None"
        if self.units:
            text += f" [{self.units}]"
        return text

    def error(self, owner: str, value: Any) -> ConfigError:
        """The :class:`ConfigError` for an invalid ``value`` of this key."""
        return ConfigError(
            f"{owner}.{self.name}: expected {self.expected()}; "
            f"got {describe_value(value)} ({type(value).__name__})."
        )

    def validate(self, value: Any, owner: str = "Module") -> Any:
        """Check and coerce ``value``; return the value to store.

        Parameters
        ----------
        value : object
            The value given by the user.
        owner : str
            Name of the part, used in the error message.

        Returns
        -------
        object
            The coerced value.

        Raises
        ------
        ConfigError
            Naming ``owner``, the key, the value and what was expected.
        """
        if value is None and self.default is None:
            return None
        out = _coerce(self.type, value)
        if out is _NO:
            raise self.error(owner, value)
        if _has_nan(out):  # NaN passes no comparison, so no key takes it
            err = self.error(owner, value)
            raise ConfigError(f"{err} NaN is not a valid value.")
        if not self.allow_inf and _has_inf(out):
            err = self.error(owner, value)
            raise ConfigError(f"{err} An infinite value is not valid for this key.")
        c = self.constraint
        if c is not None and out is not None:
            # a str alternative (e.g. 'mean' for a float-or-str key) is not a number
            if not (isinstance(out, str) and isinstance(c, Interval)) and not c.check(out):
                raise self.error(owner, value)
        return out

    def __str__(self) -> str:
        default = "" if self.required else f", default={self.default!r}"
        return f'"{self.name}": "[{self.expected()}{default}] {self.description}"'

    def __repr__(self) -> str:
        return f"Key({self.name!r}, {_type_name(self.type)}{'' if self.required else ', default=' + repr(self.default)})"


def _rebuild_key(name, description, type_, default, constraint, units, allow_inf=False):
    return Key(name, description, type_, default, constraint=constraint, units=units, allow_inf=allow_inf)


def _normalize_keys(keys: Any, owner: str) -> list[Key]:
    """Turn the accepted spellings of NECESSARY_KEYS into a list of Key."""
    if isinstance(keys, dict):  # legacy {name: description}
        return [Key(k, str(v)) for k, v in keys.items()]
    out = []
    for k in keys:
        if isinstance(k, Key):
            out.append(k)
        elif isinstance(k, str):
            out.append(Key(k, ""))
        else:
            raise ConfigError(f"{owner}.NECESSARY_KEYS: expected Key objects or names; got {k!r}.")
    return out


# --------------------------------------------------------------------------- Module


class Module:
    """Base of every configurable spikey object.

    Subclasses declare ``NECESSARY_KEYS``; ``__init__(**kwargs)`` validates every key and
    stores it as ``self._<name>``. Keys a part does not declare are ignored (a network
    shares one config between all its parts).

    A module also owns a random generator, ``self.rng``, derived from the ``seed`` kwarg
    and the stream name ``RNG_STREAM`` (see :mod:`spikey.rng`).

    Parameters
    ----------
    **kwargs
        Values for the keys in ``NECESSARY_KEYS`` (and ``seed``).
    """

    NECESSARY_KEYS: list[Key] = []
    #: Name of this module's random stream; defaults to the class name.
    RNG_STREAM: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "NECESSARY_KEYS" not in cls.__dict__:
            return
        keys = _normalize_keys(cls.__dict__["NECESSARY_KEYS"], cls.__name__)
        names = [k.name for k in keys]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ConfigError(f"{cls.__name__}.NECESSARY_KEYS: duplicate keys {sorted(dup)}.")
        for base in cls.__mro__[1:]:
            if base is Module or "NECESSARY_KEYS" not in base.__dict__:
                continue
            missing = [k.name for k in base.NECESSARY_KEYS if k.name not in names]
            if missing:
                raise ConfigError(
                    f"{cls.__name__}.NECESSARY_KEYS drops keys of {base.__name__}: {missing}; "
                    f"build it with {base.__name__}.extend_keys([...]) to keep them."
                )
            break
        for k in keys:
            if k.default is not REQUIRED and k.default is not None:
                k.validate(k.default, owner=f"{cls.__name__} (default)")
        cls.NECESSARY_KEYS = keys

    def __init__(self, **kwargs: Any):
        self._add_values(kwargs)
        self.seed(kwargs.get("seed"))

    # ------------------------------------------------------------------ keys
    @classmethod
    def extend_keys(cls, new_keys: Sequence[Key] | dict, base: str = "NECESSARY_KEYS") -> list[Key]:
        """Copy the class's keys, replace same-named keys in place, append the rest.

        Parameters
        ----------
        new_keys : list of Key (or legacy dict of name -> description)
            Keys to add or replace.
        base : str
            Name of the class attribute to extend.

        Returns
        -------
        list of Key
        """
        keys = list(_normalize_keys(getattr(cls, base), cls.__name__))
        for key in _normalize_keys(new_keys, cls.__name__):
            if key in keys:
                keys[keys.index(key)] = key
            else:
                keys.append(key)
        return keys

    @classmethod
    def key_names(cls) -> list[str]:
        """Names of the declared keys."""
        return [k.name for k in cls.NECESSARY_KEYS]

    @classmethod
    def list_keys(cls) -> list[Key]:
        """Print the keys of this module (as the original Spikey did) and return them."""
        print("{")
        for key in cls.NECESSARY_KEYS:
            print(f"\t{key},")
        print("}")
        return list(cls.NECESSARY_KEYS)

    @classmethod
    def _owner(cls) -> str:
        return cls.__name__

    def _add_values(self, kwargs: dict, base: str = "NECESSARY_KEYS", prefix: str = "_") -> None:
        keys = getattr(type(self), base)
        missing = [k for k in keys if k.required and k.name not in kwargs]
        if missing:
            owner = self._owner()
            parts = "; ".join(f"{owner}.{k.name}: expected {k.expected()} ({k.description})" for k in missing)
            raise MissingKeyError(
                f"{owner}: missing required key{'s' if len(missing) > 1 else ''} "
                f"{', '.join(repr(k.name) for k in missing)}. {parts}."
            )
        for key in keys:
            if key.name in kwargs:
                value = key.validate(kwargs[key.name], owner=self._owner())
            else:
                value = _copy.deepcopy(key.default)
                if value is not None and value is not REQUIRED:  # same coercion as a given value
                    value = key.validate(value, owner=self._owner())
            setattr(self, prefix + key.name, value)

    def get_params(self) -> dict[str, Any]:
        """Current values of all declared keys, by name."""
        return {k.name: getattr(self, "_" + k.name) for k in type(self).NECESSARY_KEYS}

    @property
    def params(self) -> dict[str, Any]:
        """Read-only copy of the current configuration."""
        return _copy.deepcopy(self.get_params())

    def set_params(self, **params: Any) -> Module:
        """Validate and set keys by name; returns ``self``.

        Raises
        ------
        ConfigError
            For an unknown key (with a did-you-mean) or an invalid value.
        """
        keys = {k.name: k for k in type(self).NECESSARY_KEYS}
        staged = {}
        for name, value in params.items():
            if name not in keys:
                raise ConfigError(
                    f"{self._owner()}: has no key {name!r}{suggest(name, keys)}; keys are {sorted(keys)}."
                )
            staged[name] = keys[name].validate(value, owner=self._owner())
        for name, value in staged.items():
            setattr(self, "_" + name, value)
        return self

    # ------------------------------------------------------------------ randomness
    @property
    def rng_stream(self) -> str:
        """Name of this module's random stream."""
        return getattr(self, "_rng_stream", None) or self.RNG_STREAM or type(self).__name__

    def seed(self, seed: int | None = None, stream: str | None = None) -> int:
        """(Re)seed this module's generator ``self.rng``; returns the seed used.

        ``None`` draws a fresh seed, which is stored so that it can be logged.
        """
        if seed is None:
            seed = fresh_seed()
        if stream is not None:
            self._rng_stream = stream
        self._seed = int(seed)
        self.rng = make_rng(self._seed, self.rng_stream)
        return self._seed

    def init_rng(self) -> np.random.Generator:
        """A generator for draws made once at construction (e.g. polarities).

        Separate from ``self.rng`` so that reseeding replays the dynamics without
        redrawing the structure.
        """
        return make_rng(self._seed, self.rng_stream + "/init")

    def copy(self) -> Module:
        """Deep copy of this module, state and generator included."""
        return _copy.deepcopy(self)
