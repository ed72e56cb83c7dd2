"""The one place where a run's log file is written.

A run's log is a JSON object with the sections ``network``, ``game``, ``results`` and
``info`` (plus ``format_version``), as in the original Spikey. :func:`write_log` is the
only writer: :meth:`spikey.core.TrainingLoop.log` and
:meth:`spikey.core.ExperimentCallback.log` both call it, so a richer writer (typed
arrays, see :mod:`spikey.logging`) replaces this one function.

This interim format is plain JSON: numpy arrays become (nested) lists, numpy scalars
Python numbers, callables and classes ``"module:qualname"`` strings, non-finite floats
the strings ``"nan"``, ``"inf"`` and ``"-inf"``, other objects their ``repr``.

Examples
--------
>>> import numpy as np
>>> from spikey.core.writer import to_jsonable
>>> to_jsonable({"w": np.array([[1, 2]]), "r": np.float64(0.5), "f": len})
{'w': [[1, 2]], 'r': 0.5, 'f': 'builtins:len'}
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import tempfile
from typing import Any

import numpy as np

__all__ = ["FORMAT_VERSION", "callable_name", "to_jsonable", "log_sections", "write_log"]

#: Version of the plain-JSON log layout written by :func:`write_log`.
FORMAT_VERSION = 0


def callable_name(obj: Any) -> str:
    """``"module:qualname"`` of a function, method or class.

    Parameters
    ----------
    obj : callable
        Function, class, bound method, ``functools.partial`` ...

    Returns
    -------
    str
        E.g. ``"numpy:sum"``; objects without a name give their type's name.

    Examples
    --------
    >>> from spikey.core.writer import callable_name
    >>> callable_name(dict)
    'builtins:dict'
    """
    target = getattr(obj, "func", obj)  # functools.partial
    module = getattr(target, "__module__", None) or type(target).__module__
    qualname = getattr(target, "__qualname__", None) or type(target).__qualname__
    return f"{module}:{qualname}"


def _float(x: float) -> float | str:
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def to_jsonable(value: Any) -> Any:
    """Convert ``value`` into something :func:`json.dumps` accepts (strictly).

    Parameters
    ----------
    value : object
        Nested dicts, lists, tuples, numpy arrays and scalars, callables, modules.

    Returns
    -------
    object
        Made of dict (str keys), list, str, int, float (finite), bool and None only.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.core.writer import to_jsonable
    >>> to_jsonable((np.bool_(True), np.int64(3), float("nan"), {1: None}))
    [True, 3, 'nan', {'1': None}]
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biu":
            return value.tolist()
        return to_jsonable(value.tolist())
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, range)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, type) or callable(value):
        return callable_name(value)
    get_params = getattr(value, "get_params", None)
    if callable(get_params):  # a Module instance, e.g. a modifier in the network config
        try:
            params = get_params()
        except Exception:  # noqa: BLE001 - a broken get_params must not lose the log
            params = None
        if isinstance(params, dict):
            return {"class": callable_name(type(value)), "params": to_jsonable(params)}
    return repr(value)


def _section(obj: Any) -> dict[str, Any]:
    """The configuration section of a network or game (``{}`` for None)."""
    if obj is None:
        return {}
    params = getattr(obj, "params", None)
    if params is None and callable(getattr(obj, "get_params", None)):
        params = obj.get_params()
    out = dict(params) if isinstance(params, dict) else {}
    parts = getattr(obj, "parts", None)
    if isinstance(parts, dict) and parts:
        out.setdefault("parts", {slot: p for slot, p in parts.items()})
    out.setdefault("class", callable_name(type(obj)))
    return out


def log_sections(network: Any, game: Any, results: dict | None, info: dict | None) -> dict[str, Any]:
    """The JSON-ready content of a log: ``format_version`` and the four sections.

    Parameters
    ----------
    network, game : object or None
        Their ``params`` (plus the network's ``parts`` and both classes) form the
        ``network`` and ``game`` sections.
    results, info : dict or None
        The callback's scalars and arrays/objects.

    Returns
    -------
    dict
    """
    return {
        "format_version": FORMAT_VERSION,
        "network": to_jsonable(_section(network)),
        "game": to_jsonable(_section(game)),
        "results": to_jsonable(dict(results or {})),
        "info": to_jsonable(dict(info or {})),
    }


def _free_name(folder: str, stamp: str) -> str:
    path = os.path.join(folder, f"{stamp}.json")
    n = 2
    while os.path.exists(path):
        path = os.path.join(folder, f"{stamp}-{n}.json")
        n += 1
    return path


def write_log(
    network: Any,
    game: Any,
    results: dict | None,
    info: dict | None,
    folder: str = "log",
    filename: str | None = None,
) -> str:
    """Write one run's log as JSON; return the file's path.

    The file is written to a temporary name in the same folder and renamed, so a
    crash never leaves a half-written log.

    Parameters
    ----------
    network, game : object or None
        The trained network and the game (their ``params`` are logged).
    results : dict
        Scalars (one row of a results table).
    info : dict
        Arrays and other objects.
    folder : str
        Folder for the file, created if missing (default ``"log"``).
    filename : str, optional
        File name (``.json`` is appended if missing); an absolute path ignores
        ``folder``. Default: ``YYYY-MM-DD-HH-MM.json`` of the current local time,
        with ``-2``, ``-3``... appended when that name is taken.

    Returns
    -------
    str
        Path of the written file.

    Examples
    --------
    >>> import json, tempfile
    >>> from spikey.core.writer import write_log
    >>> path = write_log(None, None, {"accuracy": 1.0}, {}, folder=tempfile.mkdtemp())
    >>> sorted(json.load(open(path)))
    ['format_version', 'game', 'info', 'network', 'results']
    """
    content = log_sections(network, game, results, info)
    text = json.dumps(content, allow_nan=False, indent=1)
    os.makedirs(folder, exist_ok=True)
    if filename is None:
        path = _free_name(folder, _dt.datetime.now().strftime("%Y-%m-%d-%H-%M"))
    else:
        if not filename.endswith(".json"):
            filename += ".json"
        path = filename if os.path.isabs(filename) else os.path.join(folder, filename)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".spikey-log-", suffix=".tmp", dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path
