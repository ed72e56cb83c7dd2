"""Durable progress of a Series or Population: an append-only checkpoint file.

``<folder>/checkpoint.jsonl`` holds one JSON object per line: a header (what is being
run: a fingerprint of every job, the seed, the log-name prefix), then one record per
finished job, appended as soon as the job finishes, flushed and fsynced. A crash can
at worst leave the last line incomplete; reading drops such a line (with a warning)
and truncates it away before anything new is appended. Values are stored with
:func:`spikey.logging.serialize.encode`, so a resumed run reads back exactly the values
an uninterrupted run computed. Nothing read from the file is ever executed.

Examples
--------
>>> import tempfile
>>> from spikey.meta.checkpoint import Checkpoint
>>> folder = tempfile.mkdtemp()
>>> ck = Checkpoint.create(folder, {"tool": "demo", "fingerprint": "abc"})
>>> ck.append({"job": 0, "status": "ok"})
>>> ck.close()
>>> Checkpoint.open(folder, fingerprint="abc").records
[{'job': 0, 'status': 'ok'}]
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import string
import warnings
from typing import Any

from spikey.errors import ConfigError, SpikeyError, SpikeyWarning
from spikey.logging.files import TMP_SUFFIX, atomic_write
from spikey.logging.log import DATE_FORMAT
from spikey.logging.multilogger import MultiLogger
from spikey.logging.serialize import encode

__all__ = [
    "Checkpoint",
    "CheckpointWarning",
    "JobLogger",
    "fingerprint",
    "job_letters",
    "CHECKPOINT_NAME",
    "FORMAT",
]

CHECKPOINT_NAME = "checkpoint.jsonl"
#: Marks the header line of a checkpoint (value: format version).
FORMAT = "spikey_checkpoint"
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


class CheckpointWarning(SpikeyWarning):
    """Part of a checkpoint could not be read (e.g. a line cut by a crash) and was dropped."""


def _stable(value: Any) -> Any:
    """Encoded value with object addresses removed from reprs (stable across processes)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    if isinstance(value, str):
        return _ADDRESS.sub("", value)
    return value


def fingerprint(description: Any) -> str:
    """SHA-256 of a description of a run (typed-encoded, addresses removed; dict order counts)."""
    text = json.dumps(_stable(encode(description)), separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def job_letters(index: int, n_letters: int = 5) -> str:
    """The 5-letter id of job ``index`` in log names: 0 -> ``aaaaa``, 1 -> ``aaaab``.

    Sorted names follow job order; more letters are used beyond 26**5 jobs.
    """
    letters = []
    value = int(index)
    while value or len(letters) < n_letters:
        value, r = divmod(value, 26)
        letters.append(string.ascii_lowercase[r])
    return "".join(reversed(letters))


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Checkpoint:
    """An append-only, fsynced record of finished jobs (use :meth:`create` or :meth:`open`).

    Attributes
    ----------
    path : str
        The checkpoint file.
    header : dict
        The first line: ``tool``, ``fingerprint``, ``seed``, ``prefix``, ...
    records : list of dict
        One per finished job, in the order they finished.
    """

    def __init__(self, path: str, header: dict, records: list[dict], fd: int):
        self.path = path
        self.header = header
        self.records = records
        self._fd: int | None = fd

    # ------------------------------------------------------------------ opening
    @staticmethod
    def path_in(folder: str) -> str:
        """The checkpoint file of an output folder."""
        return os.path.join(folder, CHECKPOINT_NAME)

    @classmethod
    def exists(cls, folder: str | None) -> bool:
        """Whether ``folder`` holds a checkpoint."""
        return folder is not None and os.path.isfile(cls.path_in(folder))

    @classmethod
    def create(cls, folder: str, header: dict) -> Checkpoint:
        """Start a new checkpoint in ``folder`` (which must not hold one).

        Raises
        ------
        ConfigError
            If ``folder`` already holds a checkpoint.
        """
        os.makedirs(folder, exist_ok=True)
        path = cls.path_in(folder)
        header = {
            FORMAT: 1,
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            **header,
        }
        line = json.dumps(header, allow_nan=False) + "\n"
        try:
            atomic_write(path, line, overwrite=False)
        except FileExistsError:
            raise ConfigError(
                f"{folder} already holds a checkpoint ({CHECKPOINT_NAME}); pass resume=True to continue "
                "that run, or choose another folder."
            ) from None
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        return cls(path, header, [], fd)

    @classmethod
    def read(cls, folder: str) -> tuple[dict, list[dict], int]:
        """(header, records, length of the valid part in bytes) of ``folder``'s checkpoint.

        Raises
        ------
        SpikeyError
            If the file is missing or its header is not a spikey checkpoint.
        """
        path = cls.path_in(folder)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise SpikeyError(f"{path}: cannot read the checkpoint ({e}).") from None
        lines = data.split(b"\n")
        complete, tail = lines[:-1], lines[-1]
        valid = 0
        header = None
        records: list[dict] = []
        for n, raw in enumerate(complete):
            try:
                obj = json.loads(raw.decode("utf-8"))
                if not isinstance(obj, dict):
                    raise ValueError("not an object")
            except (UnicodeDecodeError, ValueError) as e:
                if n == 0:
                    raise SpikeyError(f"{path}: the header line is not valid JSON ({e}).") from None
                warnings.warn(
                    f"{path}: line {n + 1} is not valid JSON ({e}); dropped.", CheckpointWarning, stacklevel=3
                )
                valid += len(raw) + 1
                continue
            if n == 0:
                if obj.get(FORMAT) != 1:
                    raise SpikeyError(f"{path}: not a spikey checkpoint (no {FORMAT!r} header).")
                header = obj
            else:
                records.append(obj)
            valid += len(raw) + 1
        if header is None:
            raise SpikeyError(f"{path}: empty checkpoint (no header line).")
        if tail:
            warnings.warn(
                f"{path}: the last line is incomplete (cut by a crash?); it is dropped and that job runs again.",
                CheckpointWarning,
                stacklevel=3,
            )
        return header, records, valid

    @classmethod
    def read_header(cls, folder: str) -> dict:
        """The header (first line) of ``folder``'s checkpoint.

        Raises
        ------
        SpikeyError
            If the file is missing or does not start with a spikey checkpoint header.
        """
        path = cls.path_in(folder)
        try:
            with open(path, "rb") as f:
                first = f.readline()
            header = json.loads(first.decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise SpikeyError(f"{path}: cannot read the checkpoint's header ({e}).") from None
        if not isinstance(header, dict) or header.get(FORMAT) != 1:
            raise SpikeyError(f"{path}: not a spikey checkpoint (no {FORMAT!r} header).")
        return header

    @classmethod
    def open(
        cls,
        folder: str,
        fingerprint: str | None = None,
        owner: str = "resume",
        settings: dict | None = None,
        otherwise: str = "its templates, training params or spec differ",
    ) -> Checkpoint:
        """Open ``folder``'s checkpoint to continue it.

        Parameters
        ----------
        folder : str
            The output folder.
        fingerprint : str, optional
            Expected ``header["fingerprint"]``: the run being resumed must be the one
            that wrote the checkpoint.
        owner : str
            Name used in messages.
        settings : dict, optional
            Header entries to name in the message when the fingerprints differ (e.g.
            ``seed``, ``n_repeats``).
        otherwise : str
            What the message says when none of ``settings`` differs.

        Raises
        ------
        ConfigError
            If the checkpoint belongs to a different run.
        """
        header, records, valid = cls.read(folder)
        if fingerprint is not None and header.get("fingerprint") != fingerprint:
            diffs = [
                f"{k}={header.get(k)!r} there, {v!r} here"
                for k, v in (settings or {}).items()
                if k in header and header.get(k) != v
            ]
            what = "; ".join(diffs) if diffs else otherwise
            raise ConfigError(
                f"{owner}: the checkpoint in {folder} was written by a different run ({what}); resume it "
                "with the same settings, or use another folder."
            )
        path = cls.path_in(folder)
        if os.path.getsize(path) != valid:
            with open(path, "r+b") as f:  # drop a line cut by a crash before appending
                f.truncate(valid)
                f.flush()
                os.fsync(f.fileno())
        for name in os.listdir(folder):  # temporary files of interrupted log writes
            if name.endswith(TMP_SUFFIX):
                try:
                    os.unlink(os.path.join(folder, name))
                except OSError:
                    pass
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        return cls(path, header, records, fd)

    # ------------------------------------------------------------------ writing
    def append(self, record: dict) -> None:
        """Append one record (one line, one write), flush and fsync it."""
        if self._fd is None:
            raise SpikeyError(f"{self.path}: the checkpoint is closed.")
        line = (json.dumps(record, allow_nan=False) + "\n").encode("utf-8")
        view = memoryview(line)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        os.fsync(self._fd)
        self.records.append(record)

    def close(self) -> None:
        """Close the file (records stay readable)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            _fsync_dir(os.path.dirname(self.path) or ".")

    def __del__(self) -> None:  # pragma: no cover - safety net
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass


class JobLogger(MultiLogger):
    """A :class:`~spikey.logging.MultiLogger` whose file names follow the job index.

    Job ``i`` is logged as ``<prefix>-<job_letters(i)>.json``, so a job that runs again
    after a crash rewrites its own file instead of adding another, and sorted names
    follow job order. The prefix (``YYYY-MM-DD-HH-MM`` when the run started) is kept in
    the checkpoint, so a resumed run keeps its names.

    Parameters
    ----------
    folder : str
        Output folder.
    prefix : str, optional
        Date prefix of the names (default: now).
    """

    def __init__(self, folder: str, prefix: str | None = None):
        super().__init__(folder=folder)
        if prefix is not None:
            self.prefix = prefix
        self._entries: dict[int, tuple[str, dict, dict]] = {}

    @staticmethod
    def new_prefix() -> str:
        """A prefix for a new run: the current local time."""
        return _dt.datetime.now().strftime(DATE_FORMAT)

    def name_for(self, index: int) -> str:
        """File name of job ``index``."""
        return f"{self.prefix}-{job_letters(index)}.json"

    def write(self, index: int, data: dict, results: dict) -> str:
        """Write job ``index``'s log (``data`` from :func:`spikey.logging.log.make_log`); returns its name."""
        name = self.name_for(index)
        atomic_write(os.path.join(self.folder, name), json.dumps(data, allow_nan=False))
        self.add(index, name, results, {"network": data.get("network", {}), "game": data.get("game", {})})
        return name

    def add(self, index: int, name: str, results: dict, configs: dict) -> None:
        """Count an already written log in the summary."""
        self._entries[index] = (name, dict(results), configs)
        order = sorted(self._entries)
        self.filenames = [self._entries[i][0] for i in order]
        self._results = [self._entries[i][1] for i in order]
        self._configs = [self._entries[i][2] for i in order]

    def has(self, index: int) -> bool:
        """Whether job ``index``'s log is counted."""
        return index in self._entries

    def read_configs(self, name: str) -> dict:
        """The (encoded) network and game sections of an existing log (for the summary)."""
        try:
            with open(os.path.join(self.folder, name), encoding="utf-8") as f:
                raw = json.load(f)
        except (OSError, ValueError):
            return {"network": {}, "game": {}}
        return {"network": raw.get("network", {}), "game": raw.get("game", {})}
