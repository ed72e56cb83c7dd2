"""The original Spikey's logging helpers (its 2022 ``spikey.logging`` names).

``compressnd`` writes an array in the original's one-line string form,
``uncompressnd`` reads it back, ``sanitize_dictionary`` makes a dict JSON-safe and
``dejsonize`` turns a value read from a log back into the value it stood for. Logs
spikey writes store values typed (see :mod:`spikey.logging.serialize`); these helpers
exist for code that calls them directly.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from spikey.errors import SpikeyError
from spikey.logging.reader import uncompressnd
from spikey.logging.serialize import MARK, decode, encode

__all__ = ["compressnd", "uncompressnd", "sanitize_dictionary", "dejsonize"]


def _text(value: Any, precision: int | None) -> str:
    if precision and isinstance(value, (float, np.floating)):
        return f"{value:.{precision}f}"
    return str(value.item() if isinstance(value, np.generic) else value)


def compressnd(matrix: Any, precision: int | None = None) -> str:
    """An n-dimensional array as one line of text, e.g. ``"[[1 2 3],[4 5 6]]"``.

    Rows are separated by commas, values by spaces; :func:`uncompressnd` reads it back.

    Parameters
    ----------
    matrix : array_like
        The array (a list or tuple is converted).
    precision : int, optional
        Decimals of floating point values (default: as Python prints them).

    Returns
    -------
    str

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.logging import compressnd, uncompressnd
    >>> compressnd(np.arange(6).reshape(2, 3))
    '[[0 1 2],[3 4 5]]'
    >>> compressnd([0.123, 1.0], precision=2)
    '[0.12 1.00]'
    >>> uncompressnd(compressnd(np.eye(2))).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    arr = np.asarray(matrix)
    if isinstance(matrix, np.ma.MaskedArray):
        arr = np.asarray(matrix.data)
    if arr.ndim == 0:
        return _text(arr[()], precision)
    if arr.ndim > 1:
        return "[" + ",".join(compressnd(row, precision) for row in arr) + "]"
    return "[" + " ".join(_text(v, precision) for v in arr) + "]"


def sanitize_dictionary(dictionary: dict) -> dict:
    """A JSON-safe copy of ``dictionary``, as logs store it.

    As in the original Spikey, functions (and other callables) are left out and keys
    that JSON cannot hold (tuples, numpy numbers) become strings or Python numbers;
    unlike it, arrays and other values are stored typed (dtype, shape, data), so
    :func:`dejsonize` restores them exactly.

    Parameters
    ----------
    dictionary : dict

    Returns
    -------
    dict
        Data :func:`json.dumps` writes (``allow_nan=False`` safe).

    Examples
    --------
    >>> import json, numpy as np
    >>> from spikey.logging import sanitize_dictionary, dejsonize
    >>> clean = sanitize_dictionary({"w": np.ones(2), "f": print, (1, 2): 3})
    >>> sorted(clean)
    ['(1, 2)', 'w']
    >>> dejsonize(json.loads(json.dumps(clean)))["w"].tolist()
    [1.0, 1.0]
    """
    out: dict = {}
    for key, value in dictionary.items():
        if callable(value):
            continue
        if isinstance(key, np.integer):
            key = int(key)
        elif isinstance(key, np.floating):
            key = float(key)
        elif not isinstance(key, (str, int, float, bool)) and key is not None:
            key = str(key)
        out[key if isinstance(key, str) else str(key)] = (
            sanitize_dictionary(value) if isinstance(value, dict) else encode(value)
        )
    return out


def dejsonize(value: Any) -> Any:
    """The value a logged value stands for.

    Typed values (as spikey logs them) are decoded exactly; as in the original Spikey,
    text that reads as a number becomes a float and an array written by
    :func:`compressnd` becomes an array; dicts and lists are converted item by item.
    Nothing is executed.

    Parameters
    ----------
    value : object
        A value as :func:`json.load` returns it.

    Returns
    -------
    object

    Examples
    --------
    >>> from spikey.logging import dejsonize
    >>> dejsonize({"a": "0.5", "b": "[1 2]", "c": "XOR"})
    {'a': 0.5, 'b': array([1., 2.]), 'c': 'XOR'}
    """
    if isinstance(value, dict):
        if MARK in value:
            return decode(value)
        return {k: dejsonize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [dejsonize(v) for v in value]
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            pass
        else:
            if not math.isnan(number) or value.strip().lower() == "nan":
                return number
        if value.strip().startswith("[") and value.strip().endswith("]"):
            try:
                return uncompressnd(value)
            except SpikeyError:  # bracketed text that is not an array stays text
                return value
    return value
