"""The compiled engine's on-disk caches, and the folders spikey trusts with them.

Two caches hold code that a later process runs:

- spikey's **engine cache** (``<base>/engine``): the generated tick loops and
  neuron-group kernels, small Python modules that the engine imports;
- **numba's cache** (``<base>/numba``, or ``$NUMBA_CACHE_DIR`` when set): the machine
  code of every kernel, stored by numba in ``.nbi``/``.nbc`` files that numba reads
  back with :mod:`pickle`.

``<base>`` is ``$SPIKEY_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/spikey`` or
``~/.cache/spikey``.

Trust model
-----------
A cache folder is code: whoever can write it runs code in every later spikey process
of the user who loads from it, exactly as whoever can write the installed package.
spikey therefore compiles into, and loads from, only a folder that

- the current user owns,
- no one else can write (no group or other write bit),
- is not a symbolic link,
- and whose parent folders are owned by the user or by root and writable by no one
  else unless sticky (as ``/tmp`` is, where only a file's owner may rename it).

A folder that fails a check is refused with one :class:`~spikey.errors.CacheWarning`
naming it and the reason; the process then uses a fresh private folder
(:func:`tempfile.mkdtemp`, mode 0700, an unpredictable name, removed at exit) and runs
on, compiling once for that process. Where no folder at all can be written, kernels
are compiled without a cache. spikey creates its own files with
``O_CREAT | O_EXCL | O_NOFOLLOW`` under a random name and renames them into place.

A damaged cache (a truncated index, garbage in a data file, a broken generated module)
is rebuilt once, with a warning, never fatal; a full disk or a folder where a file
should be makes that process compile without writing, with a warning. (On platforms
without user ids, Windows, the ownership checks are skipped.)
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import secrets
import shutil
import stat
import sys
import tempfile
import threading
import types
import warnings
from pathlib import Path
from typing import Any

from spikey.errors import CacheWarning
from spikey.files import import_file

__all__ = [
    "base_dir",
    "asked_folders",
    "cache_dir",
    "numba_cache_dir",
    "folder_problem",
    "configure_numba",
    "guard",
    "load_generated",
    "write_new",
    "clear",
]

_lock = threading.RLock()
#: Per process: resolved folders by the path asked for, the private fallback, warnings given.
_resolved: dict[tuple[str, str], Path | None] = {}
_private: dict[str, Path | None] = {}
_warned: set[str] = set()


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, CacheWarning, stacklevel=3)


def base_dir() -> Path:
    """The cache root asked for: ``$SPIKEY_CACHE_DIR``, else ``$XDG_CACHE_HOME/spikey``
    or ``~/.cache/spikey`` (not yet checked; see :func:`cache_dir`)."""
    base = os.environ.get("SPIKEY_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "spikey")
    return Path(base)


def asked_folders() -> dict[str, Path]:
    """The engine and numba cache folders asked for (by the environment or the
    defaults), before any check: ``{"engine": ..., "numba": ...}``."""
    numba = os.environ.get("NUMBA_CACHE_DIR")
    return {"engine": base_dir() / "engine", "numba": Path(numba) if numba else base_dir() / "numba"}


def folder_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` is not a folder to load code from, or ``None`` when it is one.

    Parameters
    ----------
    path : str or path-like
        The folder.

    Returns
    -------
    str or None
        A phrase completing "the folder ...", e.g. ``"can be written by others (mode
        0o777)"``; ``None`` when the current user owns the folder, no one else can write
        it, it is not a symbolic link and its parents are safe (see the module docstring).

    Examples
    --------
    >>> import tempfile
    >>> folder_problem(tempfile.mkdtemp()) is None
    True
    """
    path = Path(path)
    try:
        st = os.lstat(path)
    except OSError as e:
        return f"cannot be examined ({type(e).__name__}: {e.strerror or e})"
    if stat.S_ISLNK(st.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a folder"
    if not hasattr(os, "getuid"):
        return None
    uid = os.getuid()
    if st.st_uid != uid:
        return f"is owned by another account (uid {st.st_uid}, this process runs as uid {uid})"
    if st.st_mode & 0o022:
        who = "its group and others" if st.st_mode & 0o022 == 0o022 else (
            "its group" if st.st_mode & 0o020 else "others")
        return f"can be written by {who} (mode {oct(stat.S_IMODE(st.st_mode))})"
    parent = Path(os.path.realpath(path.parent))
    for folder in (parent, *parent.parents):
        try:
            pst = os.stat(folder)
        except OSError as e:  # pragma: no cover - a parent vanished
            return f"has a parent {folder} that cannot be examined ({e.strerror or e})"
        if pst.st_uid not in (uid, 0):
            return f"has a parent {folder} owned by another account (uid {pst.st_uid})"
        if pst.st_mode & 0o022 and not pst.st_mode & stat.S_ISVTX:
            return (
                f"has a parent {folder} that others can write (mode {oct(stat.S_IMODE(pst.st_mode))}, "
                "not sticky): they could replace the folder"
            )
    return None


def _private_folder() -> Path | None:
    """This process's own fresh cache folder (``mkdtemp``: mode 0700, unpredictable
    name, removed at exit), or ``None`` when the temporary folder cannot be written."""
    with _lock:
        if "path" not in _private:
            try:
                path = Path(tempfile.mkdtemp(prefix="spikey-cache-"))
            except OSError as e:
                _warn_once(
                    "no-private",
                    f"spikey: no folder can hold compiled code (the temporary folder {tempfile.gettempdir()} "
                    f"cannot be written: {e.strerror or e}); kernels are compiled without a cache in every "
                    "process. Set SPIKEY_CACHE_DIR to a folder of your own to keep them.",
                )
                path = None
            else:
                atexit.register(shutil.rmtree, path, ignore_errors=True)
            _private["path"] = path
        return _private["path"]


def _trusted(path: Path, what: str) -> Path | None:
    """``path`` (created mode 0700 if missing) when it is safe to hold code, else the
    private fallback folder's ``what`` subfolder, with one warning naming ``path``."""
    key = (what, str(path))
    with _lock:
        if key in _resolved:
            return _resolved[key]
        problem = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.mkdir(exist_ok=True, mode=0o700)
        except OSError as e:
            problem = f"cannot be created ({type(e).__name__}: {e.strerror or e})"
        problem = problem or folder_problem(path)
        if problem is None and not os.access(path, os.W_OK | os.X_OK):
            problem = "cannot be written by this user"
        if problem is None:
            result: Path | None = path
        else:
            private = _private_folder()
            result = None
            if private is not None:
                result = private / what
                result.mkdir(exist_ok=True, mode=0o700)
            instead = (
                f"using a private temporary folder for this process instead ({result})"
                if result is not None
                else "compiling without a cache"
            )
            _warn_once(
                f"untrusted:{path}",
                f"spikey: not using the {what} cache folder {path}: it {problem}. Code in a cache folder "
                f"runs in every later spikey process, so spikey loads it only from a folder that you own and "
                f"no one else can write; {instead}. Fix: `chmod go-w {path}`, or set "
                f"{'NUMBA_CACHE_DIR' if what == 'numba' else 'SPIKEY_CACHE_DIR'} to a folder of your own.",
            )
        _resolved[key] = result
        return result


def cache_dir() -> Path | None:
    """Folder of the generated tick modules: ``<base>/engine`` when it is safe to load
    code from (see the module docstring), else a private temporary folder (with one
    warning), else ``None`` (compile without a cache)."""
    return _trusted(base_dir() / "engine", "engine")


def numba_cache_dir() -> Path | None:
    """Folder numba caches kernels in: ``$NUMBA_CACHE_DIR`` if the user set it, else
    ``<base>/numba``; checked and replaced like :func:`cache_dir`."""
    return _trusted(asked_folders()["numba"], "numba")


def configure_numba() -> bool:
    """Point numba's cache at :func:`numba_cache_dir` (before any ``cache=True``
    function is made) and return whether kernels can be cached at all.

    Sets ``numba.config.CACHE_DIR`` and ``$NUMBA_CACHE_DIR`` (so numba's own
    environment reload and child processes, such as Ray workers, keep it). Called by
    the engine each time it makes a dispatcher; checked again when the folders asked
    for change (``$SPIKEY_CACHE_DIR``)."""
    from numba.core import config

    folder = numba_cache_dir()
    if folder is None:
        return False
    if config.CACHE_DIR != str(folder):
        config.CACHE_DIR = str(folder)
        os.environ["NUMBA_CACHE_DIR"] = str(folder)
    return True


def _remove_index(cache: Any) -> None:
    """Delete numba's index of one cached function (its data files are overwritten)."""
    index = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
    if index:
        try:
            if os.path.isdir(index) and not os.path.islink(index):
                shutil.rmtree(index)
            else:
                os.unlink(index)
        except OSError:
            pass


def guard(dispatcher: Any) -> Any:
    """Make a numba dispatcher's disk cache fail soft.

    Loading: any error (a truncated index, garbage data, a missing class) warns once,
    deletes the function's index and compiles again, writing a fresh entry. Saving: a
    failure to write (a full disk, a read-only folder) warns once and keeps the
    compiled code for this process. Works on numba's ``Dispatcher._cache``
    (``load_overload``/``save_overload``, numba 0.55 and later); a dispatcher without
    one is returned unchanged.
    """
    cache = getattr(dispatcher, "_cache", None)
    load, save = getattr(cache, "load_overload", None), getattr(cache, "save_overload", None)
    if load is None or save is None or not hasattr(cache, "_cache_file") or getattr(cache, "_spikey", False):
        return dispatcher
    name = getattr(dispatcher, "__qualname__", None) or getattr(dispatcher.py_func, "__qualname__", "?")

    def load_overload(sig: Any, target_context: Any) -> Any:
        try:
            return load(sig, target_context)
        except Exception as e:
            _warn_once(
                f"damaged:{getattr(cache, '_cache_path', '')}:{name}",
                f"spikey: the compile cache of {name} in {getattr(cache, '_cache_path', '?')} is damaged "
                f"({type(e).__name__}: {e}); compiling it again and rewriting the cache.",
            )
            _remove_index(cache)
            return None

    def save_overload(sig: Any, data: Any) -> None:
        try:
            save(sig, data)
        except Exception as e:
            _warn_once(
                f"unsaved:{getattr(cache, '_cache_path', '')}",
                f"spikey: cannot write the compile cache in {getattr(cache, '_cache_path', '?')} "
                f"({type(e).__name__}: {e}); this process keeps its compiled code, later ones compile again.",
            )

    cache.load_overload, cache.save_overload, cache._spikey = load_overload, save_overload, True
    return dispatcher


def write_new(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a new file under a random name, created
    with ``O_CREAT | O_EXCL | O_NOFOLLOW`` (mode 0600; never through a planted link),
    then renamed over ``path``. Nothing is left behind on failure."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _in_memory(name: str, source: str) -> types.ModuleType:
    """The generated module compiled from its source without a file (and so without a
    numba cache): for processes with no folder to write, or a folder that fails."""
    module = types.ModuleType(name)
    module.__file__ = f"<spikey generated {name}>"
    code = compile(source.replace("cache=True", "cache=False"), module.__file__, "exec")
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)  # spikey's own generated source, never data read from a file
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def load_generated(stem: str, source: str, dispatchers: tuple[str, ...]) -> types.ModuleType:
    """Import the generated module ``stem`` with ``source`` from the engine cache.

    The file ``<cache_dir>/<stem>.py`` is (re)written when missing or different; a
    module that fails to import is removed and written once more (a damaged file); an
    ``OSError`` (a full disk, a folder in the file's place) or no safe folder gives an
    in-memory module without a cache, with one warning. The numba dispatchers named in
    ``dispatchers`` are :func:`guard`-ed.
    """
    name = f"spikey_engine_{stem}"
    module: types.ModuleType | None = None
    if configure_numba():
        folder = cache_dir()
        if folder is not None:
            path = folder / f"{stem}.py"
            for attempt in (0, 1):
                try:
                    try:
                        same = path.read_text(encoding="utf-8") == source
                    except FileNotFoundError:
                        same = False
                    if not same:
                        write_new(path, source)
                    module = import_file(name, path)
                    break
                except OSError as e:
                    _warn_once(
                        f"oserror:{folder}",
                        f"spikey: cannot use the engine cache file {path} ({type(e).__name__}: "
                        f"{e.strerror or e}); compiling without the cache in this process.",
                    )
                    break
                except Exception as e:
                    if attempt:
                        raise
                    _warn_once(
                        f"damaged:{path}",
                        f"spikey: the generated module {path} is damaged ({type(e).__name__}: {e}); "
                        "writing it again.",
                    )
                    for stale in (path, Path(importlib.util.cache_from_source(str(path)))):
                        try:
                            stale.unlink()
                        except OSError:
                            pass
    if module is None:
        module = _in_memory(name, source)
    for attr in dispatchers:
        guard(getattr(module, attr))
    return module


def clear() -> list[Path]:
    """Delete the engine and numba cache folders spikey would use (only folders that
    pass the trust checks) and return them; the next compiled run writes them again."""
    removed = []
    for folder in asked_folders().values():
        if folder.is_dir() and folder_problem(folder) is None:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    with _lock:
        _resolved.clear()
    return removed
