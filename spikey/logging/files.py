"""Durable file writes: temporary file in the same folder, fsync, atomic rename."""

from __future__ import annotations

import os
import string
import tempfile
import uuid

__all__ = ["atomic_write", "unique_name", "TMP_SUFFIX"]

TMP_SUFFIX = ".spikey-tmp"


def _fsync_dir(folder: str) -> None:
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
    (``overwrite=False``: raises :class:`FileExistsError` if ``path`` exists).

    Returns
    -------
    str
        ``path``.
    """
    folder = os.path.dirname(os.path.abspath(path)) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=TMP_SUFFIX)
    try:
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
    _fsync_dir(folder)
    return path


def unique_name(n_letters: int = 5) -> str:
    """A random id of ``n_letters`` lowercase letters (file names, not simulation)."""
    value = uuid.uuid4().int
    letters = []
    for _ in range(n_letters):
        value, r = divmod(value, 26)
        letters.append(string.ascii_lowercase[r])
    return "".join(letters)
