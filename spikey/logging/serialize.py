"""Typed JSON encoding of experiment data: exact round trips, nothing executed.

JSON holds str, finite floats, ints, bools, None, lists and str-keyed dicts as they are.
Everything else is stored as a marked object ``{"__spikey__": <kind>, ...}``:

=========== ===================================================================
kind        stored as
=========== ===================================================================
ndarray     dtype, shape and the raw bytes in base64 (exact, NaN/inf included)
scalar      a numpy scalar: dtype and value (floats as text for NaN/inf)
float       a Python float that JSON cannot hold (NaN, inf, -inf)
tuple       its items
set         its items
dict        a dict whose keys are not all str (or that uses the marker key)
import      a class or function, as ``"module:qualname"``; read back as an
            :class:`ImportPath` string and never imported
repr        any other object, as its ``repr``; read back as a :class:`Repr` string
=========== ===================================================================

Decoding checks every declared size against the payload before allocating, so a
crafted file cannot make the reader allocate far more memory than the file's own size:

- a byte-stored array's shape and dtype must need exactly the bytes its base64 holds
  (the array takes 3/4 of the payload's size);
- a string array (``U``/``S``) may take at most :data:`MAX_STRING_EXPANSION` (8) times
  the bytes its items take as written (each character counted as one byte, plus the
  two quotes and the comma of each item) plus :data:`STRING_SLACK` bytes (so short
  padded arrays such as ``np.zeros(3, "U10")`` read back); an object array needs one
  item per element;
- with a :class:`DecodeBudget` (:func:`spikey.logging.read_log` gives every file one):
  all arrays of one file together take at most :data:`MAX_STRING_EXPANSION` (8) times
  the file's size plus one :data:`STRING_SLACK`, and a folder's files share a budget of
  8 times their total size plus one slack, so many small files cannot each spend the
  slack;
- every dimension is checked, so a shape with a 0 and huge other dimensions is refused;
- nesting deeper than :data:`MAX_DEPTH` is refused (no ``RecursionError``).

The limit that remains is Python's own: parsing JSON into lists and dicts costs a
small constant factor (about 25x, measured, for text such as ``[{},{},...]``) of the text.
Object dtypes (``"O"``) are never created from bytes, nothing is imported, ``eval``-ed
or unpickled.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

from spikey._lazy import lazy_exports
from spikey.errors import SpikeyError

__all__ = [
    "encode",
    "decode",
    "ImportPath",
    "Repr",
    "DecodeError",
    "DecodeBudget",
    "MARK",
    "MAX_DEPTH",
    "MAX_STRING_EXPANSION",
    "STRING_SLACK",
]

# The original Spikey's names in this module (its string form of arrays), kept in
# spikey.compat.logging and imported on first use.
__getattr__, __dir__ = lazy_exports(
    __name__, dict.fromkeys(("compressnd", "uncompressnd", "sanitize_dictionary", "dejsonize"), "spikey.compat.logging")
)

MARK = "__spikey__"
#: Deepest nesting of lists, dicts and marked values that :func:`decode` accepts.
MAX_DEPTH = 200
#: Arrays may take at most this many times the bytes of the text they are decoded from
#: (a string array: its items as written; a file: its size; a folder: its total) ...
MAX_STRING_EXPANSION = 8
#: ... plus this many bytes (so short padded arrays such as ``np.zeros(3, "U10")`` read back).
STRING_SLACK = 2**20
#: Largest number of elements of one array (any larger shape is refused outright).
_MAX_ELEMENTS = 2**48
#: dtype kinds stored as raw bytes (bool, ints, unsigned, floats, complex).
_BYTE_KINDS = set("biufc")


class DecodeError(SpikeyError, ValueError):
    """A logged value is malformed (corrupt or crafted)."""


class DecodeBudget:
    """Bytes that the arrays decoded from one file (or one folder) may still take.

    Parameters
    ----------
    limit : int
        Bytes the arrays may take in total.
    what : str
        What the budget is for, named in the error (e.g. the file).
    parent : DecodeBudget, optional
        A budget charged as well (a folder's, shared by its files).

    Examples
    --------
    >>> folder = DecodeBudget.for_size(0, "a folder")
    >>> one = DecodeBudget.for_size(1000, "a.json", parent=folder)
    >>> one.limit == 8 * 1000 + STRING_SLACK and folder.limit == 8 * 1000 + STRING_SLACK
    True
    """

    def __init__(self, limit: int, what: str, parent: DecodeBudget | None = None):
        self.limit, self.what, self.parent, self.used = int(limit), what, parent, 0

    @classmethod
    def for_size(cls, size: int, what: str, parent: DecodeBudget | None = None) -> DecodeBudget:
        """A budget of :data:`MAX_STRING_EXPANSION` x ``size`` + :data:`STRING_SLACK` bytes.

        With a ``parent``, the parent's limit grows by ``MAX_STRING_EXPANSION x size``
        (its own slack is counted once).
        """
        if parent is not None:
            parent.limit += MAX_STRING_EXPANSION * int(size)
        return cls(MAX_STRING_EXPANSION * int(size) + STRING_SLACK, what, parent)

    def take(self, nbytes: int, where: str) -> None:
        """Count ``nbytes`` more; raise :class:`DecodeError` beyond the limit (nothing is allocated yet)."""
        budget: DecodeBudget | None = self
        while budget is not None:
            if budget.used + nbytes > budget.limit:
                raise DecodeError(
                    f"{where}: decoding needs {budget.used + nbytes} bytes of arrays, more than "
                    f"{MAX_STRING_EXPANSION}x the size of {budget.what} + {STRING_SLACK} bytes "
                    f"(limit {budget.limit})."
                )
            budget = budget.parent
        budget = self
        while budget is not None:
            budget.used += nbytes
            budget = budget.parent


class ImportPath(str):
    """A class or function stored as ``'module:qualname'``; a string, never imported."""

    def __repr__(self) -> str:
        return f"ImportPath({str.__repr__(self)})"


class Repr(str):
    """An object that had no typed encoding, stored as its ``repr``."""

    def __repr__(self) -> str:
        return f"Repr({str.__repr__(self)})"


def _float_text(x: float) -> str | float:
    return x if math.isfinite(x) else repr(float(x))


def encode(value: Any) -> Any:
    """Turn ``value`` into plain JSON data (see the module docstring).

    Parameters
    ----------
    value : object
        Nested lists, tuples, dicts, sets, numpy arrays and scalars, Python scalars,
        None, classes and functions.

    Returns
    -------
    object
        Data that :func:`json.dumps` writes without loss (``allow_nan=False`` safe).
    """
    if isinstance(value, ImportPath):
        return {MARK: "import", "path": str(value)}
    if isinstance(value, Repr):
        return {MARK: "repr", "text": str(value)}
    if isinstance(value, np.generic):  # before float: np.float64 subclasses float
        return _encode_scalar(value)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {MARK: "float", "value": repr(value)}
    if isinstance(value, np.ndarray):
        return _encode_array(value)
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {MARK: "tuple", "items": [encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        items = sorted(value, key=repr)
        return {MARK: "set", "items": [encode(v) for v in items]}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and MARK not in value:
            return {k: encode(v) for k, v in value.items()}
        return {MARK: "dict", "items": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, type) or callable(value):
        module = getattr(value, "__module__", None)
        qualname = getattr(value, "__qualname__", None)
        if module and qualname:
            return {MARK: "import", "path": f"{module}:{qualname}"}
    return {MARK: "repr", "text": repr(value)}


def _encode_array(arr: np.ndarray) -> dict:
    if isinstance(arr, np.ma.MaskedArray):
        return {
            MARK: "masked",
            "data": _encode_array(arr.filled(0)),
            "mask": _encode_array(np.ma.getmaskarray(arr)),
        }
    if arr.dtype.kind in _BYTE_KINDS:
        data = arr if arr.flags.c_contiguous else arr.copy(order="C")  # keeps 0-d arrays 0-d
        return {
            MARK: "ndarray",
            "dtype": data.dtype.str,
            "shape": list(arr.shape),
            "b64": base64.b64encode(data.tobytes()).decode("ascii"),
        }
    if arr.dtype.kind == "U" or arr.dtype.kind == "S":
        return {
            MARK: "ndarray",
            "dtype": arr.dtype.str,
            "shape": list(arr.shape),
            # bytes as latin-1 text (one character per byte), so JSON can hold them
            "items": [x.decode("latin-1") if isinstance(x, bytes) else x for x in arr.ravel().tolist()],
        }
    # object arrays: store the elements one by one
    return {
        MARK: "ndarray",
        "dtype": "object",
        "shape": list(arr.shape),
        "items": [encode(v) for v in arr.ravel()],
    }


def _encode_scalar(x: np.generic) -> dict:
    dtype = x.dtype.str
    if x.dtype.kind in "fc":
        # readable value, plus the exact bits (NaN payloads and signs included)
        value = _float_text(float(x)) if x.dtype.kind == "f" else [_float_text(x.real), _float_text(x.imag)]
        return {
            MARK: "scalar",
            "dtype": dtype,
            "value": value,
            "b64": base64.b64encode(x.tobytes()).decode("ascii"),
        }
    if x.dtype.kind == "b":
        return {MARK: "scalar", "dtype": dtype, "value": bool(x)}
    if x.dtype.kind in "iu":
        return {MARK: "scalar", "dtype": dtype, "value": int(x)}
    if x.dtype.kind == "S":
        return {MARK: "scalar", "dtype": dtype, "value": x.item().decode("latin-1")}
    return {MARK: "scalar", "dtype": dtype, "value": x.item() if x.dtype.kind == "U" else repr(x)}


def _dtype(text: Any, where: str) -> np.dtype:
    if not isinstance(text, str):
        raise DecodeError(f"{where}: dtype must be a string; got {text!r}.")
    try:
        dt = np.dtype(text)
    except TypeError:
        raise DecodeError(f"{where}: unknown dtype {text!r}.") from None
    if dt.kind not in _BYTE_KINDS | {"U", "S"} or dt.fields is not None or dt.subdtype is not None:
        raise DecodeError(f"{where}: dtype {text!r} is not allowed.")
    return dt


def _shape(shape: Any, where: str) -> tuple[int, ...]:
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise DecodeError(f"{where}: shape must be a list of non-negative ints; got {shape!r}.")
    if len(shape) > 32:
        raise DecodeError(f"{where}: too many dimensions ({len(shape)}).")
    # every dimension counts, also when another is 0 (numpy refuses such shapes)
    if math.prod(max(n, 1) for n in shape) > _MAX_ELEMENTS:
        raise DecodeError(f"{where}: shape {shape} is too large.")
    return tuple(shape)


def _number(v: Any, where: str) -> float:
    if isinstance(v, str) and v in ("nan", "inf", "-inf"):
        return float(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    raise DecodeError(f"{where}: expected a number; got {v!r}.")


def decode(data: Any, where: str = "$", _depth: int = 0, *, budget: DecodeBudget | None = None) -> Any:
    """Invert :func:`encode`; raises :class:`DecodeError` on malformed input.

    Nothing is imported or executed: classes and functions come back as
    :class:`ImportPath` strings. See the module docstring for the memory bounds.

    Parameters
    ----------
    data : object
        Parsed JSON data.
    where : str
        Where ``data`` is, for messages.
    budget : DecodeBudget, optional
        Bytes every array decoded here may take together (e.g. 8x the file's size).
    """
    if _depth > MAX_DEPTH:
        raise DecodeError(f"{where}: nested deeper than {MAX_DEPTH} levels.")
    if isinstance(data, (list, dict)):
        return _decode(data, where, _depth + 1, budget)
    return data


def _decode(data: Any, where: str, d: int, budget: DecodeBudget | None = None) -> Any:
    if isinstance(data, list):
        return [decode(v, f"{where}[{i}]", d, budget=budget) for i, v in enumerate(data)]
    if not isinstance(data, dict):
        return data
    kind = data.get(MARK)
    if kind is None:
        return {k: decode(v, f"{where}.{k}", d, budget=budget) for k, v in data.items()}
    if kind == "float":
        return _number(data.get("value"), where)
    if kind == "tuple":
        return tuple(decode(v, f"{where}[{i}]", d, budget=budget) for i, v in enumerate(_items(data, where)))
    if kind == "set":
        return {_hashable(decode(v, where, d, budget=budget), where) for v in _items(data, where)}
    if kind == "dict":
        out = {}
        for i, pair in enumerate(_items(data, where)):
            if not isinstance(pair, list) or len(pair) != 2:
                raise DecodeError(f"{where}: dict items must be [key, value] pairs.")
            key = _hashable(decode(pair[0], f"{where}<key {i}>", d, budget=budget), where)
            out[key] = decode(pair[1], f"{where}[{i}]", d, budget=budget)
        return out
    if kind == "import":
        path = data.get("path")
        if not isinstance(path, str):
            raise DecodeError(f"{where}: import path must be a string.")
        return ImportPath(path)
    if kind == "repr":
        text = data.get("text")
        if not isinstance(text, str):
            raise DecodeError(f"{where}: repr text must be a string.")
        return Repr(text)
    if kind == "scalar":
        return _decode_scalar(data, where)
    if kind == "ndarray":
        return _decode_array(data, where, d, budget)
    if kind == "masked":
        values = _decode_array(data.get("data") or {}, where + ".data", d, budget)
        mask = _decode_array(data.get("mask") or {}, where + ".mask", d, budget)
        if mask.shape != values.shape or mask.dtype != bool:
            raise DecodeError(f"{where}: mask does not match data.")
        return np.ma.array(values, mask=mask)
    raise DecodeError(f"{where}: unknown marked kind {kind!r}.")


def _items(data: dict, where: str) -> list:
    items = data.get("items")
    if not isinstance(items, list):
        raise DecodeError(f"{where}: 'items' must be a list.")
    return items


def _hashable(key: Any, where: str) -> Any:
    if isinstance(key, list):
        key = tuple(key)
    try:
        hash(key)
    except TypeError:
        raise DecodeError(f"{where}: unhashable key {key!r}.") from None
    return key


def _decode_scalar(data: dict, where: str) -> np.generic:
    dt = _dtype(data.get("dtype"), where)
    v = data.get("value")
    if dt.kind in "fc" and "b64" in data:
        raw = data["b64"]
        if not isinstance(raw, str) or len(raw) != 4 * math.ceil(dt.itemsize / 3):
            raise DecodeError(f"{where}: scalar payload does not match dtype {dt}.")
        try:
            return np.frombuffer(base64.b64decode(raw, validate=True), dtype=dt)[0]
        except ValueError:
            raise DecodeError(f"{where}: invalid scalar payload.") from None
    if dt.kind == "f":
        return dt.type(_number(v, where))
    if dt.kind == "c":
        if not isinstance(v, list) or len(v) != 2:
            raise DecodeError(f"{where}: complex value must be [real, imag].")
        return dt.type(complex(_number(v[0], where), _number(v[1], where)))
    if dt.kind == "b":
        if not isinstance(v, bool):
            raise DecodeError(f"{where}: bool scalar expected; got {v!r}.")
        return np.bool_(v)
    if dt.kind in "iu":
        if not isinstance(v, int) or isinstance(v, bool):
            raise DecodeError(f"{where}: integer scalar expected; got {v!r}.")
        info = np.iinfo(dt)
        if not info.min <= v <= info.max:
            raise DecodeError(f"{where}: {v} does not fit {dt}.")
        return dt.type(v)
    if dt.kind in "US" and isinstance(v, str):
        try:
            return dt.type(v.encode("latin-1") if dt.kind == "S" else v)
        except (TypeError, ValueError, UnicodeEncodeError):
            raise DecodeError(f"{where}: {v!r} is not a {dt} scalar.") from None
    raise DecodeError(f"{where}: cannot decode scalar of dtype {dt}.")


def _decode_array(data: dict, where: str, depth: int = 0, budget: DecodeBudget | None = None) -> np.ndarray:
    if not isinstance(data, dict) or data.get(MARK) != "ndarray":
        raise DecodeError(f"{where}: expected an encoded array.")
    shape = _shape(data.get("shape"), where)
    count = math.prod(shape)
    if data.get("dtype") == "object":
        items = _items(data, where)
        if len(items) != count:
            raise DecodeError(f"{where}: shape {shape} needs {count} items; got {len(items)}.")
        if budget is not None:
            budget.take(count * np.dtype(object).itemsize, where)
        out = np.empty(count, dtype=object)
        for i, v in enumerate(items):
            out[i] = decode(v, f"{where}[{i}]", depth, budget=budget)
        return out.reshape(shape)
    dt = _dtype(data.get("dtype"), where)
    if dt.kind in "US":
        items = _items(data, where)
        if len(items) != count or not all(isinstance(x, str) for x in items):
            raise DecodeError(f"{where}: shape {shape} needs {count} strings.")
        # bound the allocation by the text present (a crafted "<U500000000" is refused):
        # every character takes at least one byte in the file, every item two quotes and a comma
        present = sum(len(x) for x in items) + 3 * count
        need = count * dt.itemsize
        if need > MAX_STRING_EXPANSION * present + STRING_SLACK:
            raise DecodeError(
                f"{where}: dtype {dt} x {count} items needs {need} bytes, far more than the "
                f"{present} bytes of text present (limit {MAX_STRING_EXPANSION}x + {STRING_SLACK})."
            )
        if budget is not None:
            budget.take(need, where)
        if dt.kind == "S":
            try:
                items = [x.encode("latin-1") for x in items]
            except UnicodeEncodeError:
                raise DecodeError(f"{where}: bytes items must be latin-1 text.") from None
        try:
            return np.array(items, dtype=dt).reshape(shape)
        except (ValueError, TypeError, UnicodeEncodeError) as e:
            raise DecodeError(f"{where}: strings do not fit dtype {dt} ({e}).") from None
    b64 = data.get("b64")
    if not isinstance(b64, str):
        raise DecodeError(f"{where}: array payload must be a base64 string.")
    expected = count * dt.itemsize
    # 4 base64 characters per 3 bytes: check before decoding anything
    if len(b64) != 4 * math.ceil(expected / 3):
        raise DecodeError(
            f"{where}: declared shape {shape} and dtype {dt} need {expected} bytes; "
            f"payload holds about {len(b64) * 3 // 4}."
        )
    if budget is not None:
        budget.take(expected, where)
    try:
        raw = base64.b64decode(b64, validate=True)
    except ValueError:
        raise DecodeError(f"{where}: invalid base64 payload.") from None
    if len(raw) != expected:
        raise DecodeError(f"{where}: payload has {len(raw)} bytes; expected {expected}.")
    try:
        return np.frombuffer(raw, dtype=dt).reshape(shape).copy()
    except ValueError as e:
        raise DecodeError(f"{where}: cannot shape the payload as {shape} ({e}).") from None
