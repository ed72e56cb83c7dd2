"""Files: durable writes (temporary file in the same folder, fsync, atomic rename), and
Python files loaded as modules.

The lowest layer of spikey (beside :mod:`spikey.module` and :mod:`spikey.errors`): every
other package writes and loads files through it.

Files get the permissions of any file the user creates (``0o666`` minus the umask),
not the ``0o600`` of a bare temporary file. A temporary file left by a killed write
(``.<random>.spikey-tmp``) is removed by a later write into the same folder once it is
older than :data:`STALE_AFTER` seconds (younger ones may belong to a live writer).
"""

from __future__ import annotations

import importlib.util
import os
import string
import sys
import tempfile
import threading
import time
import types
import uuid

__all__ = [
    "atomic_write",
    "unique_name",
    "TMP_SUFFIX",
    "STALE_AFTER",
    "file_mode",
    "remove_stale_tmp",
    "import_file",
    "NotAModuleError",
    "fsync_dir",
]

TMP_SUFFIX = ".spikey-tmp"
#: Age in seconds after which a temporary file of an interrupted write is removed.
STALE_AFTER = 3600.0
#: A folder is scanned for stale temporary files at most once per this many seconds.
_SCAN_EVERY = 600.0
_last_scan: dict[str, float] = {}
_scan_lock = threading.Lock()


def _umask() -> int:
    try:  # Linux: read it without changing it (os.umask is process-wide and racy)
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _scan_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def file_mode() -> int:
    """Permissions of a new file: ``0o666`` minus the process's umask."""
    return 0o666 & ~_umask()


def remove_stale_tmp(folder: str, older_than: float = STALE_AFTER, *, force: bool = False) -> list[str]:
    """Remove ``.*.spikey-tmp`` files in ``folder`` older than ``older_than`` seconds.

    Called by :func:`atomic_write` (at most once per folder every 10 minutes unless
    ``force``). Returns the names removed.
    """
    key = os.path.abspath(folder)
    now = time.time()
    with _scan_lock:
        if not force and now - _last_scan.get(key, -_SCAN_EVERY) < _SCAN_EVERY:
            return []
        _last_scan[key] = now
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(".") and name.endswith(TMP_SUFFIX)):
            continue
        path = os.path.join(folder, name)
        try:
            st = os.lstat(path)
            if now - st.st_mtime > older_than:
                os.unlink(path)
                removed.append(name)
        except OSError:
            pass
    return removed


def fsync_dir(folder: str) -> None:
    """Flush ``folder``'s entries (a rename into it) to disk; a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str, text: str, *, overwrite: bool = True) -> str:
    """Write ``text`` to ``path`` so that a crash never leaves a partial file.

    The text goes to a temporary file in the same folder, which is flushed, fsynced
    and then renamed over ``path`` (``overwrite=True``) or hard-linked to it
    (``overwrite=False``: raises :class:`FileExistsError` if ``path`` exists). The
    file's mode is ``0o666`` minus the umask; stale temporary files of killed writes
    in the folder are removed first (see :func:`remove_stale_tmp`).

    Returns
    -------
    str
        ``path``.
    """
    folder = os.path.dirname(os.path.abspath(path)) or "."
    os.makedirs(folder, exist_ok=True)
    remove_stale_tmp(folder)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=TMP_SUFFIX)
    try:
        os.fchmod(fd, file_mode())  # mkstemp makes 0o600; a log is an ordinary file
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if path exists: never overwrites
            os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    fsync_dir(folder)
    return path


def unique_name(n_letters: int = 5) -> str:
    """A random id of ``n_letters`` lowercase letters (file names, not simulation)."""
    value = uuid.uuid4().int
    letters = []
    for _ in range(n_letters):
        value, r = divmod(value, 26)
        letters.append(string.ascii_lowercase[r])
    return "".join(letters)



class NotAModuleError(ImportError):
    """A file that Python cannot load as a module (see :func:`import_file`)."""


def import_file(name: str, path: str | os.PathLike) -> types.ModuleType:
    """Execute the Python file ``path`` as the module ``name`` (registered in
    :data:`sys.modules`, so classes defined there can be found again by copy and pickle;
    removed again if the file raises).

    The file is code: call this only on files the user named, or spikey's own generated
    ones (see :doc:`/guide/security`).

    Raises
    ------
    NotAModuleError
        When ``path`` cannot be loaded as a Python module (whatever the file itself
        raises while it runs propagates unchanged).
    """
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise NotAModuleError(f"cannot load {str(path)!r} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
