"""Network snapshots: one ``.npz`` file holding arrays and a JSON manifest.

The file is read with ``allow_pickle=False``; classes and functions named in the
manifest are resolved only within spikey or the registry
(:func:`spikey.snn.register_part`), so loading a snapshot never runs foreign code.
Anything that cannot be resolved must be passed to :meth:`Network.load` by name.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import warnings
from typing import Any

import numpy as np

from spikey.errors import ConfigError, SpikeyError
from spikey.snn.registry import import_path, resolve

__all__ = ["save_network", "load_network", "FORMAT", "VERSION"]

FORMAT = "spikey-network"
VERSION = 1
_MANIFEST = "__manifest__"


class _Unresolved:
    """Placeholder for a class or function the loader may not import."""

    def __init__(self, path: str, where: str):
        self.path, self.where = path, where

    def __repr__(self) -> str:
        return f"<unresolved {self.path}>"


class _Encoder:
    """Turns values into JSON, moving arrays into a dict of named arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def __call__(self, value: Any, name: str) -> Any:
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
            return int(value)
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, (float, np.floating)):
            f = float(value)
            return f if math.isfinite(f) else {"__float__": repr(f)}
        if _is_sparse(value):  # scipy.sparse weights (e.g. Manual.matrix): stored as CSR arrays
            c = _sparse().csr_array(value, copy=True)
            c.sum_duplicates()  # sorted, distinct columns per row: what the loader checks
            return {
                "__sparse__": {
                    "shape": [int(x) for x in c.shape],
                    "data": self(np.asarray(c.data), f"{name}.data"),
                    "indices": self(np.asarray(c.indices), f"{name}.indices"),
                    "indptr": self(np.asarray(c.indptr), f"{name}.indptr"),
                }
            }
        if isinstance(value, np.ndarray):
            if value.dtype == object:
                raise SpikeyError(f"cannot save {name}: object arrays are not supported.")
            if isinstance(value, np.ma.MaskedArray):
                value = np.ma.filled(value, 0)
            self.arrays[name] = value
            return {"__array__": name}
        if isinstance(value, tuple):
            return {"__tuple__": [self(v, f"{name}.{i}") for i, v in enumerate(value)]}
        if isinstance(value, list):
            return [self(v, f"{name}.{i}") for i, v in enumerate(value)]
        if isinstance(value, dict):
            if all(isinstance(k, str) for k in value):
                return {"__dict__": {k: self(v, f"{name}.{k}") for k, v in value.items()}}
            return {
                "__items__": [
                    [self(k, f"{name}.k{i}"), self(v, f"{name}.v{i}")]
                    for i, (k, v) in enumerate(value.items())
                ]
            }
        if isinstance(value, type) or callable(value):
            if getattr(value, "__qualname__", "<lambda>").endswith("<lambda>"):
                return {"__import__": None, "__repr__": repr(value)}
            return {"__import__": import_path(value)}
        raise SpikeyError(f"cannot save {name}: values of type {type(value).__name__} are not supported.")


def _decode(value: Any, arrays: Any, where: str, unresolved: list) -> Any:
    if isinstance(value, list):
        return [_decode(v, arrays, where, unresolved) for v in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        return np.array(arrays[value["__array__"]])
    if "__sparse__" in value:
        return _decode_sparse(value["__sparse__"], arrays, where)
    if "__float__" in value:
        return float(value["__float__"])
    if "__tuple__" in value:
        return tuple(_decode(v, arrays, where, unresolved) for v in value["__tuple__"])
    if "__dict__" in value:
        return {k: _decode(v, arrays, where, unresolved) for k, v in value["__dict__"].items()}
    if "__items__" in value:
        out = {}
        for k, v in value["__items__"]:
            key = _decode(k, arrays, where, unresolved)
            out[tuple(key) if isinstance(key, list) else key] = _decode(v, arrays, where, unresolved)
        return out
    if "__import__" in value:
        path = value["__import__"]
        obj = resolve(path) if path else None
        if obj is None:
            obj = _Unresolved(path or value.get("__repr__", "?"), where)
            unresolved.append(obj)
        return obj
    raise SpikeyError(f"corrupt snapshot: unknown entry {sorted(value)} in {where}.")


def _sparse() -> Any:
    import scipy.sparse

    return scipy.sparse


def _is_sparse(value: Any) -> bool:
    return "scipy" in type(value).__module__ and _sparse().issparse(value)


def _decode_sparse(entry: Any, arrays: Any, where: str) -> Any:
    """A CSR matrix from the snapshot, checked against its declared shape."""
    from spikey.snn.weight.template import check_csr

    try:
        shape = tuple(int(x) for x in entry["shape"])
        data, indices, indptr = (np.array(arrays[entry[k]["__array__"]]) for k in ("data", "indices", "indptr"))
    except (KeyError, TypeError, ValueError) as e:
        raise SpikeyError(f"corrupt snapshot: sparse matrix in {where} is incomplete ({e!r}).") from None
    if len(shape) != 2 or min(shape) < 0:
        raise SpikeyError(f"corrupt snapshot: sparse matrix in {where} has shape {shape}.")
    check_csr(indptr, indices, data, shape, f"snapshot {where}")
    return _sparse().csr_array((data, indices, indptr), shape=shape)


def save_network(network: Any, path: str) -> str:
    """Write ``network`` to ``path`` (``.npz`` appended if missing), atomically.

    Returns
    -------
    str
        The path written.
    """
    if not str(path).endswith(".npz"):
        path = f"{path}.npz"
    enc = _Encoder()
    parts = {}
    for name, part in network._parts():
        if name.startswith("modifiers"):
            continue
        parts[name] = {
            "class": enc(type(part), f"{name}.class"),
            "params": enc(part.get_params(), f"{name}.params"),
        }
    modifiers = [
        {"class": enc(type(m), f"mod{i}.class"), "params": enc(m.get_params(), f"mod{i}.params")}
        for i, m in enumerate(network.modifiers or [])
    ]
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "class": enc(type(network), "network.class"),
        "params": enc(network._params, "network.params"),
        "parts": parts,
        "modifiers": modifiers,
        "state": enc(network.state_dict(), "state"),
    }
    text = json.dumps(manifest)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **{_MANIFEST: np.array(text)}, **enc.arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def load_network(cls: type, path: str, callback: Any = None, **overrides: Any) -> Any:
    """Rebuild the network saved at ``path``.

    Parameters
    ----------
    cls : type
        The class ``load`` was called on; used when it is the saved class (by name) or
        when the saved class cannot be resolved.
    path : str
        The ``.npz`` file.
    callback : object, optional
        Callback of the new network.
    **overrides
        Values for keys or part slots the file names but may not import (lambdas,
        user classes not registered), or to replace saved ones.
    """
    with np.load(path, allow_pickle=False) as data:
        if _MANIFEST not in data.files:
            raise SpikeyError(f"{path}: not a spikey network snapshot (no manifest).")
        manifest = json.loads(str(data[_MANIFEST]))
        arrays = {k: data[k] for k in data.files if k != _MANIFEST}
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise SpikeyError(
            f"{path}: expected format {FORMAT!r} version {VERSION}; got "
            f"{manifest.get('format')!r} version {manifest.get('version')!r}."
        )
    unresolved: list[_Unresolved] = []
    saved_cls = _decode(manifest["class"], arrays, "network class", [])
    if isinstance(saved_cls, type) and issubclass(saved_cls, cls):
        net_cls = saved_cls
    else:
        net_cls = cls
        wanted = manifest["class"].get("__import__", "")
        if not wanted.endswith(":" + cls.__qualname__) and not (
            isinstance(saved_cls, type) and issubclass(cls, saved_cls)
        ):
            raise ConfigError(
                f"{path}: saved network class {wanted!r} cannot be resolved as or under "
                f"{cls.__name__}; call that class's load(), or register it with "
                f"spikey.snn.register_part."
            )
    params = _decode(manifest["params"], arrays, "network params", unresolved)
    part_classes = {}
    part_params = {}
    for slot, entry in manifest["parts"].items():
        part_classes[slot] = _decode(entry["class"], arrays, f"part {slot}", unresolved)
        part_params[slot] = _decode(entry["params"], arrays, f"{slot} params", unresolved)
    mods = []
    for i, entry in enumerate(manifest["modifiers"]):
        mcls = _decode(entry["class"], arrays, f"modifier {i}", unresolved)
        mods.append((mcls, _decode(entry["params"], arrays, f"modifier {i} params", unresolved)))
    state = _decode(manifest["state"], arrays, "state", unresolved)

    # overrides fill what could not be resolved
    for key, value in overrides.items():
        if key in part_classes:
            part_classes[key] = value
        else:
            params[key] = value
            for p in part_params.values():
                if key in p:
                    p[key] = value

    def _missing(obj: Any) -> bool:
        return isinstance(obj, _Unresolved)

    still = sorted(
        {f"{slot}" for slot, c in part_classes.items() if _missing(c)}
        | {k for k, v in params.items() if _missing(v)}
        | {k for p in part_params.values() for k, v in p.items() if _missing(v)}
    )
    if still:
        raise ConfigError(
            f"{path}: cannot restore {still} (not spikey objects and not registered); "
            f"pass them to load(), e.g. load(path, {still[0]}=...), or register them "
            f"with spikey.snn.register_part."
        )
    bad_mods = [m for m, _ in mods if _missing(m)]
    if bad_mods:
        raise ConfigError(
            f"{path}: cannot restore modifier classes {[m.path for m in bad_mods]}; "
            f"register them with spikey.snn.register_part."
        )
    kwargs = dict(params)
    kwargs.update(part_classes)
    kwargs["modifiers"] = [mcls(**mparams) for mcls, mparams in mods] or None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = net_cls(callback=callback, **kwargs)
    for slot, p in part_params.items():
        part = getattr(net, slot)
        part.set_params(**p)
    net.load_state_dict(state)
    return net
