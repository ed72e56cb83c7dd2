"""Network snapshots: one ``.npz`` file holding arrays and a JSON manifest.

What loading a file can and cannot do:

- nothing is unpickled (the archive is read member by member, object and structured
  dtypes are refused) and nothing outside spikey is imported;
- a class named as a part, modifier or network resolves only to an object defined in
  spikey or registered with :func:`spikey.snn.register_part` (see
  :mod:`spikey.snn.registry`), and must derive from its family's template; a key's
  value (a callable key such as ``expected_value``) resolves only to a registered
  object, a spikey function marked with :func:`~spikey.snn.registry.key_function`
  or a spikey ``Module`` class; all this is checked before anything is called;
- each array's declared shape and dtype must match the bytes present, the archive may
  unpack to at most :data:`MAX_EXPANSION` times its size (+1 MiB), the manifest must
  be JSON without duplicate keys, nested at most :data:`MAX_DEPTH` deep, and the saved
  state must have the shapes and types of the rebuilt network's; the private buffers
  of the parts (uniforms drawn in advance ``_ubuf`` with their position ``_upos``,
  buffered spikes ``_buf`` with their count ``_n_buf``) must be consistent (positions
  within the buffer, uniforms in [0, 1)); an encrypted archive member is refused;
  anything else raises :class:`SnapshotError` naming the file and the entry.

Limits: spikey's own constructors run with the saved keys (validated as any keys), so
a file may describe any network spikey can build; its dense weights must match the
saved matrix and the memory they need must fit the machine. Anything that cannot be
resolved must be passed to :meth:`Network.load` by name.
"""

from __future__ import annotations

import copy as _copy
import json
import math
import os
import stat
import tempfile
import warnings
import zipfile
from typing import Any

import numpy as np

from spikey.errors import ConfigError, SpikeyError
from spikey.files import file_mode
from spikey.snn.registry import import_path, resolve, resolve_value

__all__ = ["save_network", "load_network", "read_snapshot", "SnapshotError", "FORMAT", "VERSION", "MAX_DEPTH"]

FORMAT = "spikey-network"
VERSION = 1
_MANIFEST = "__manifest__"


class _Unresolved:
    """Placeholder for a class or function the loader may not import."""

    def __init__(self, path: str, where: str, spikey_function: bool = False):
        self.path, self.where = path, where
        #: a spikey function that is not marked as a key function
        self.spikey_function = spikey_function

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


#: Deepest nesting of manifest values (dicts in lists in ...) that ``load`` accepts.
MAX_DEPTH = 64
#: Uncompressed array data may be at most this many times the file's size (plus 1 MiB):
#: ``save`` writes uncompressed members, so this only stops crafted compressed members.
MAX_EXPANSION = 4
#: dtype kinds an array in a snapshot may have (bool, ints, floats, complex, strings).
_ARRAY_KINDS = set("biufcUS")


class SnapshotError(SpikeyError, ValueError):
    """A snapshot file is damaged, crafted or not what it claims; names the file."""


def _decode(
    value: Any, arrays: Any, where: str, unresolved: list, depth: int = 0, classes: bool = False
) -> Any:
    """A manifest value; ``classes``: an ``__import__`` names a class (else a key's value)."""
    if depth > MAX_DEPTH:
        raise SnapshotError(f"corrupt snapshot: {where} is nested deeper than {MAX_DEPTH} levels.")
    d = depth + 1
    if isinstance(value, list):
        return [_decode(v, arrays, where, unresolved, d) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1 and not ("__import__" in value and set(value) <= {"__import__", "__repr__"}):
        raise SnapshotError(f"corrupt snapshot: unknown entry {sorted(value)[:5]} in {where}.")
    if "__array__" in value:
        name = value["__array__"]
        if not isinstance(name, str) or name not in arrays:
            raise SnapshotError(f"corrupt snapshot: {where} refers to array {name!r}, which the file lacks.")
        return np.array(arrays[name])
    if "__sparse__" in value:
        return _decode_sparse(value["__sparse__"], arrays, where)
    if "__float__" in value:
        text = value["__float__"]
        if text not in ("nan", "inf", "-inf"):
            raise SnapshotError(f"corrupt snapshot: {where}: expected 'nan', 'inf' or '-inf'; got {text!r}.")
        return float(text)
    if "__tuple__" in value:
        return tuple(_decode(v, arrays, where, unresolved, d) for v in _list(value["__tuple__"], where))
    if "__dict__" in value:
        items = value["__dict__"]
        if not isinstance(items, dict):
            raise SnapshotError(f"corrupt snapshot: {where}: '__dict__' must be a mapping.")
        return {k: _decode(v, arrays, where, unresolved, d) for k, v in items.items()}
    if "__items__" in value:
        out = {}
        for pair in _list(value["__items__"], where):
            if not isinstance(pair, list) or len(pair) != 2:
                raise SnapshotError(f"corrupt snapshot: {where}: '__items__' must hold [key, value] pairs.")
            key = _decode(pair[0], arrays, where, unresolved, d)
            key = tuple(key) if isinstance(key, list) else key
            try:
                hash(key)
            except TypeError:
                raise SnapshotError(f"corrupt snapshot: {where}: unhashable key {key!r}.") from None
            out[key] = _decode(pair[1], arrays, where, unresolved, d)
        return out
    if "__import__" in value:
        path = value["__import__"]
        if path is not None and not isinstance(path, str):
            raise SnapshotError(f"corrupt snapshot: {where}: import path must be a string; got {path!r}.")
        obj = (resolve(path) if classes else resolve_value(path)) if path else None
        if obj is None:
            text = value.get("__repr__", "?")
            marked = not classes and bool(path) and resolve(path) is not None
            obj = _Unresolved(path or (text if isinstance(text, str) else "?"), where, marked)
            unresolved.append(obj)
        return obj
    raise SnapshotError(f"corrupt snapshot: unknown entry {sorted(value)[:5]} in {where}.")


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise SnapshotError(f"corrupt snapshot: {where}: expected a list; got {type(value).__name__}.")
    return value


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
        data, indices, indptr = (
            np.array(arrays[entry[k]["__array__"]]) for k in ("data", "indices", "indptr")
        )
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
        os.fchmod(fd, file_mode())  # an ordinary file, not mkstemp's 0o600
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


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> np.ndarray:
    """One ``.npy`` member, its header checked against the bytes present before reading."""
    with zf.open(info) as fp:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
        else:
            raise SnapshotError(f"{path}: array {info.filename!r} has npy format version {version}.")
        if dtype.hasobject or dtype.kind not in _ARRAY_KINDS or dtype.fields is not None:
            raise SnapshotError(f"{path}: array {info.filename!r} has dtype {dtype}, which is not allowed.")
        header = fp.tell()
        need = math.prod(shape) * dtype.itemsize
        if header + need != info.file_size:
            raise SnapshotError(
                f"{path}: array {info.filename!r} declares shape {shape} of {dtype} ({need} bytes) but "
                f"holds {info.file_size - header} bytes."
            )
        data = fp.read(need)
    if len(data) != need:
        raise SnapshotError(f"{path}: array {info.filename!r} is truncated.")
    order = "F" if fortran else "C"
    return np.frombuffer(data, dtype=dtype).reshape(shape, order=order).copy(order="K")


def _no_duplicates(pairs: list) -> dict:
    out = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def read_snapshot(path: str) -> tuple[dict, dict[str, np.ndarray]]:
    """The manifest and arrays of the snapshot at ``path``, checked; nothing is built.

    Only a regular file is read. Each array's declared shape and dtype must match the
    bytes the file holds (so nothing larger than the file is allocated), object and
    structured dtypes are refused, the uncompressed total may be at most
    :data:`MAX_EXPANSION` times the file's size plus 1 MiB, and the manifest must be
    JSON without duplicate keys or NaN tokens.

    Raises
    ------
    SnapshotError
        Naming the file and what is wrong.
    """
    path = os.fspath(path)
    try:
        st = os.stat(path)
    except OSError as e:
        raise SnapshotError(f"{path}: cannot read the snapshot ({e.strerror or e}).") from None
    if not stat.S_ISREG(st.st_mode):
        raise SnapshotError(f"{path}: not a regular file; a snapshot is an .npz file.")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_EXPANSION * st.st_size + 2**20:
                raise SnapshotError(
                    f"{path}: its members would unpack to {total} bytes from a {st.st_size}-byte file "
                    f"(limit {MAX_EXPANSION}x + 1 MiB); refusing a crafted or compressed snapshot."
                )
            encrypted = [i.filename for i in infos if i.flag_bits & 0x1]
            if encrypted:
                raise SnapshotError(
                    f"{path}: archive member {encrypted[0]!r} is encrypted; spikey writes (and reads) only "
                    "plain .npz snapshots."
                )
            names = [i.filename for i in infos]
            if len(set(names)) != len(names):
                raise SnapshotError(f"{path}: the archive names a member twice.")
            if _MANIFEST + ".npy" not in names:
                raise SnapshotError(f"{path}: not a spikey network snapshot (no manifest).")
            arrays = {}
            for info in infos:
                if not info.filename.endswith(".npy"):
                    raise SnapshotError(f"{path}: unexpected member {info.filename!r}.")
                arrays[info.filename[:-4]] = _read_member(zf, info, path)
    except SnapshotError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        KeyError,
        NotImplementedError,  # a compression method zipfile lacks
        RuntimeError,  # e.g. "File is encrypted" from a member the flag check did not see
    ) as e:
        raise SnapshotError(f"{path}: damaged snapshot archive ({type(e).__name__}: {e}).") from None
    text = arrays.pop(_MANIFEST)
    if text.shape != () or text.dtype.kind != "U":
        raise SnapshotError(f"{path}: the manifest must be one string; got {text.dtype} {text.shape}.")
    try:
        manifest = json.loads(str(text), object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except RecursionError:
        raise SnapshotError(f"{path}: the manifest is nested too deeply.") from None
    except ValueError as e:
        raise SnapshotError(f"{path}: the manifest is not valid JSON ({e}).") from None
    if not isinstance(manifest, dict):
        raise SnapshotError(f"{path}: the manifest must be a JSON object; got {type(manifest).__name__}.")
    return manifest, arrays


def _family(slot: str) -> type:
    """The part template a class in ``slot`` must derive from."""
    from spikey.snn.input.template import Input
    from spikey.snn.modifier.template import Modifier
    from spikey.snn.neuron.template import NeuronBase
    from spikey.snn.part import Part
    from spikey.snn.readout.template import Readout
    from spikey.snn.reward.template import Reward
    from spikey.snn.synapse.template import Synapse
    from spikey.snn.weight.template import Weight

    return {
        "inputs": Input,
        "neurons": NeuronBase,
        "weights": Weight,
        "synapses": Synapse,
        "readout": Readout,
        "rewarder": Reward,
        "modifiers": Modifier,
    }.get(slot, Part)


def _check_class(obj: Any, family: type, where: str, path: str) -> None:
    """Raise unless ``obj`` is a class of ``family`` (or an unresolved placeholder)."""
    if isinstance(obj, _Unresolved):
        return
    if not (isinstance(obj, type) and issubclass(obj, family)):
        raise ConfigError(
            f"{path}: {where} must be a {family.__module__}.{family.__qualname__} subclass; got "
            f"{obj!r}. Nothing was called."
        )


def _entry(value: Any, keys: tuple, where: str, path: str) -> dict:
    if not isinstance(value, dict) or any(k not in value for k in keys):
        raise SnapshotError(
            f"{path}: corrupt snapshot: {where} must be a mapping with keys {list(keys)}; got "
            f"{type(value).__name__}{' with ' + str(sorted(value)[:6]) if isinstance(value, dict) else ''}."
        )
    return value


def _check_state(saved: Any, ref: Any, where: str) -> Any:
    """``saved`` checked against the state of a freshly reset network (``ref``).

    Arrays must have the reference's shape and dtype kind; mappings the same keys;
    scalars the same type. ``None`` (state not allocated yet) is accepted anywhere.
    """
    if saved is None:
        return None
    if isinstance(ref, dict):
        if not isinstance(saved, dict):
            raise SnapshotError(f"state {where}: expected a mapping; got {type(saved).__name__}.")
        missing = sorted(set(ref) - set(saved))
        extra = sorted(set(saved) - set(ref), key=str)
        if missing or extra:
            raise SnapshotError(
                f"state {where}: "
                + (f"missing entries {missing}" if missing else "")
                + ("; " if missing and extra else "")
                + (f"unknown entries {extra}" if extra else "")
                + "."
            )
        return {k: _check_state(saved[k], ref[k], f"{where}.{k}") for k in saved}
    if isinstance(ref, np.ndarray):
        if not isinstance(saved, np.ndarray):
            raise SnapshotError(f"state {where}: expected an array; got {type(saved).__name__}.")
        if saved.shape != ref.shape or saved.dtype.kind != ref.dtype.kind:
            raise SnapshotError(
                f"state {where}: expected shape {ref.shape} of {ref.dtype}; got shape {saved.shape} of "
                f"{saved.dtype}."
            )
        return saved.astype(ref.dtype, copy=False)
    if ref is None:
        if isinstance(saved, np.ndarray) and saved.dtype.kind not in "biuf":
            raise SnapshotError(f"state {where}: unexpected array of {saved.dtype}.")
        return saved
    if isinstance(ref, bool) or isinstance(saved, bool):
        if type(saved) is not type(ref):
            raise SnapshotError(f"state {where}: expected {type(ref).__name__}; got {saved!r}.")
        return saved
    if isinstance(ref, (int, float)):
        if not isinstance(saved, (int, float)) or (isinstance(ref, int) and not isinstance(saved, int)):
            raise SnapshotError(f"state {where}: expected {type(ref).__name__}; got {saved!r}.")
        # compiled engines hold int64 (a generator's state, checked by numpy, holds 128-bit ints)
        if isinstance(saved, int) and "__rng__" not in where and not -(2**63) <= saved < 2**63:
            raise SnapshotError(f"state {where}: {saved} does not fit a 64-bit int.")
        return saved
    if isinstance(ref, (list, tuple, str)) and not isinstance(saved, type(ref)):
        raise SnapshotError(f"state {where}: expected {type(ref).__name__}; got {type(saved).__name__}.")
    return saved


#: A part's buffer and the position (or count) that indexes it: (buffer, position, the
#: position may equal the buffer's length, the buffer holds uniforms in [0, 1)).
_BUFFERS = (("_ubuf", "_upos", True, True), ("_nbuf", "_npos", True, False), ("_buf", "_n_buf", False, False))


def _check_buffers(state: dict, where: str = "") -> None:
    """Raise unless every part's private buffers and their positions are consistent.

    Checked at load so that a damaged file fails here, naming the entry, and not at
    the first tick (with an IndexError deep in a step).
    """
    for slot, st in state.items():
        if not isinstance(st, dict):
            continue
        for buf_name, pos_name, may_equal, unit in _BUFFERS:
            if pos_name not in st and buf_name not in st:
                continue
            buf, pos = st.get(buf_name), st.get(pos_name)
            at = f"state {where}{slot}.{pos_name}"
            if pos is not None and (isinstance(pos, bool) or not isinstance(pos, (int, np.integer))):
                raise SnapshotError(f"{at}: expected an int; got {pos!r}.")
            pos = 0 if pos is None else int(pos)
            if buf is None:
                if pos < 0:
                    raise SnapshotError(f"{at}: expected an int >= 0; got {pos}.")
                continue
            bat = f"state {where}{slot}.{buf_name}"
            if not isinstance(buf, np.ndarray) or buf.ndim != 2:
                raise SnapshotError(
                    f"{bat}: expected a 2-d array; got {getattr(buf, 'shape', type(buf).__name__)}."
                )
            if unit or buf_name == "_nbuf":
                if buf.dtype.kind != "f" or not np.isfinite(buf).all():
                    raise SnapshotError(
                        f"{bat}: expected finite floats; got {buf.dtype} with non-finite values."
                    )
                if unit and buf.size and not (buf.min() >= 0.0 and buf.max() < 1.0):
                    raise SnapshotError(
                        f"{bat}: uniforms must lie in [0, 1); got [{buf.min()}, {buf.max()}]."
                    )
            top = len(buf) if may_equal else len(buf) - 1
            if not 0 <= pos <= top:
                raise SnapshotError(
                    f"{at}: expected an int in [0, {top}] (a position in {buf_name}, {len(buf)} rows); got {pos}."
                )


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

    Raises
    ------
    SnapshotError
        For a damaged, truncated or crafted file, or state that does not fit the
        network (naming the file and the entry).
    ConfigError
        For a class or value the file names that is not spikey's or registered, or not
        of the expected kind (checked before anything is called), or saved keys that
        are invalid.
    """
    path = os.fspath(path)
    manifest, arrays = read_snapshot(path)
    try:
        return _load(cls, path, manifest, arrays, callback, overrides)
    except SpikeyError as e:
        if path in str(e):
            raise
        try:
            new = type(e)(f"{path}: {e}")
        except Exception:  # noqa: BLE001 - an exception type with another signature
            raise e from None
        raise new from None
    except RecursionError:
        raise SnapshotError(f"{path}: the manifest is nested too deeply.") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as e:
        raise SnapshotError(f"{path}: corrupt snapshot ({type(e).__name__}: {e}).") from None


def _load(cls: type, path: str, manifest: dict, arrays: dict, callback: Any, overrides: dict) -> Any:
    from spikey.snn.network import Network

    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise SnapshotError(
            f"{path}: expected format {FORMAT!r} version {VERSION}; got "
            f"{manifest.get('format')!r} version {manifest.get('version')!r}."
        )
    _entry(manifest, ("class", "params", "parts", "modifiers", "state"), "the manifest", path)
    cls_entry = _entry(manifest["class"], ("__import__",), "the network class", path)
    wanted = cls_entry["__import__"]
    if not isinstance(wanted, str):
        raise SnapshotError(f"{path}: corrupt snapshot: the network class must be an import path.")
    unresolved: list[_Unresolved] = []
    saved_cls = resolve(wanted, expected=Network)
    if isinstance(saved_cls, type) and issubclass(saved_cls, cls):
        net_cls = saved_cls
    else:
        net_cls = cls
        if not wanted.endswith(":" + cls.__qualname__) and not (
            isinstance(saved_cls, type) and issubclass(cls, saved_cls)
        ):
            raise ConfigError(
                f"{path}: saved network class {wanted!r} cannot be resolved as or under "
                f"{cls.__name__}; call that class's load(), or register it with "
                f"spikey.snn.register_part."
            )
    params = _decode(manifest["params"], arrays, "network params", unresolved)
    if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
        raise SnapshotError(f"{path}: corrupt snapshot: network params must be a mapping of key names.")
    if not isinstance(manifest["parts"], dict):
        raise SnapshotError(
            f"{path}: corrupt snapshot: 'parts' must map slot names to parts; got "
            f"{type(manifest['parts']).__name__}."
        )
    part_classes = {}
    part_params = {}
    for slot, entry in manifest["parts"].items():
        entry = _entry(entry, ("class", "params"), f"part {slot!r}", path)
        part_classes[slot] = _decode(entry["class"], arrays, f"part {slot}", unresolved, classes=True)
        _check_class(part_classes[slot], _family(slot), f"the class of part {slot!r}", path)
        part_params[slot] = _decode(entry["params"], arrays, f"{slot} params", unresolved)
        if not isinstance(part_params[slot], dict) or not all(isinstance(k, str) for k in part_params[slot]):
            raise SnapshotError(f"{path}: corrupt snapshot: params of part {slot!r} must be a mapping.")
    mods = []
    for i, entry in enumerate(_list(manifest["modifiers"], "modifiers")):
        entry = _entry(entry, ("class", "params"), f"modifier {i}", path)
        mcls = _decode(entry["class"], arrays, f"modifier {i}", unresolved, classes=True)
        _check_class(mcls, _family("modifiers"), f"modifier {i}", path)
        mparams = _decode(entry["params"], arrays, f"modifier {i} params", unresolved)
        if not isinstance(mparams, dict) or not all(isinstance(k, str) for k in mparams):
            raise SnapshotError(f"{path}: corrupt snapshot: params of modifier {i} must be a mapping.")
        mods.append((mcls, mparams))
    state = _decode(manifest["state"], arrays, "state", unresolved)
    if not isinstance(state, dict):
        raise SnapshotError(f"{path}: corrupt snapshot: 'state' must be a mapping.")

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
    refused = sorted({u.path for u in unresolved if u.spikey_function})
    if still and refused:
        raise ConfigError(
            f"{path}: cannot restore {still}: the file names {refused}, spikey functions that are not "
            "key functions (only those marked with spikey.snn.registry.key_function, or registered with "
            f"spikey.snn.register_part, may be a key's value); nothing was called. Pass the value to "
            f"load(), e.g. load(path, {still[0]}=...)."
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
    # the largest allocation (the dense weights) must match the saved matrix, before building
    weights = state.get("weights")
    matrix = weights.get("matrix") if isinstance(weights, dict) else None
    n_in, n = params.get("n_inputs"), params.get("n_neurons")
    if isinstance(matrix, np.ndarray) and isinstance(n_in, int) and isinstance(n, int):
        if matrix.shape != (n_in + n, n):
            raise SnapshotError(
                f"{path}: corrupt snapshot: n_inputs={n_in}, n_neurons={n} need a ({n_in + n}, {n}) "
                f"weight matrix; the file holds {matrix.shape}."
            )
    kwargs = dict(params)
    kwargs.update(part_classes)
    # every class was checked against its family above, before this first call
    kwargs["modifiers"] = [mcls(**mparams) for mcls, mparams in mods] or None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = net_cls(callback=callback, **kwargs)
    for slot, p in part_params.items():
        part = getattr(net, slot, None)
        if part is None or not callable(getattr(part, "set_params", None)):
            raise SnapshotError(f"{path}: corrupt snapshot: the network has no part {slot!r}.")
        part.set_params(**p)
    ref = _copy.deepcopy(net)
    ref.reset()
    state = _check_state(state, ref.state_dict(), "")
    _check_buffers(state)
    try:
        net.load_state_dict(state)
    except (KeyError, TypeError, ValueError, OverflowError) as e:
        raise SnapshotError(
            f"{path}: corrupt snapshot: cannot restore the state ({type(e).__name__}: {e})."
        ) from None
    return net
