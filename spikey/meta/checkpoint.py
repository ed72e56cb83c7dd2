"""Durable progress of a Series or Population: an append-only checkpoint file.

``<folder>/checkpoint.jsonl`` holds one JSON object per line: a header (what is being
run: a fingerprint of every job, the seed, the log-name prefix), then one record per
finished job, appended as soon as the job finishes, flushed and fsynced. A crash can
at worst leave the last line incomplete; reading drops such a line (with a warning)
and truncates it away before anything new is appended. Values are stored with
:func:`spikey.logging.serialize.encode`, so a resumed run reads back exactly the values
an uninterrupted run computed. Nothing read from the file is ever executed.

A line that is not JSON, is nested too deeply (e.g. 100,000 brackets), or is a record
whose fields have the wrong type (``"job": "x"``, a log name with a path, values that
do not decode) is dropped with a :class:`CheckpointWarning` naming the file and line
(that job runs again); a header that is not valid raises
:class:`~spikey.errors.SpikeyError` naming the file.

While a run writes a checkpoint it holds an exclusive lock on the output folder
(:class:`FolderLock`: ``<folder>/.spikey.lock`` with the process id, locked with
``flock``): a second run or resume of the same folder is refused with
:class:`FolderInUseError` ("in use by PID n"); a lock file left by a process that
died is taken over (the operating system releases a dead process's ``flock``).

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
from spikey.files import TMP_SUFFIX, atomic_write, fsync_dir
from spikey.logging.log import DATE_FORMAT
from spikey.logging.multilogger import MultiLogger
from spikey.logging.serialize import DecodeError, decode, encode

try:  # POSIX; elsewhere the lock is an exclusively created file checked by PID
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "Checkpoint",
    "CheckpointWarning",
    "FolderLock",
    "FolderInUseError",
    "OutputError",
    "JobLogger",
    "fingerprint",
    "job_letters",
    "CHECKPOINT_NAME",
    "FORMAT",
]

CHECKPOINT_NAME = "checkpoint.jsonl"
#: The lock file of an output folder while a run writes it.
LOCK_NAME = ".spikey.lock"
#: Marks the header line of a checkpoint (value: format version).
FORMAT = "spikey_checkpoint"
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


class CheckpointWarning(SpikeyWarning):
    """Part of a checkpoint could not be read (e.g. a line cut by a crash) and was dropped."""


class FolderInUseError(ConfigError):
    """Another process is running or resuming the output folder (it holds the folder's lock)."""


class OutputError(SpikeyError, OSError):
    """Writing a run's output folder failed (e.g. a full disk); its checkpoint stays valid.

    Build it with :meth:`during`; the message says which jobs the checkpoint holds and
    how to resume.
    """

    @classmethod
    def during(cls, tool: str, folder: str | None, error: OSError, progress: str) -> OutputError:
        """The error for ``tool``'s run in ``folder``; ``progress`` says what the checkpoint holds."""
        where = getattr(error, "filename", None) or folder
        what = error.strerror or str(error)
        command = f"spikey {tool.lower()} --resume {folder}"
        out = cls(
            f"{tool}: writing to {where} failed ({what}). The checkpoint {os.path.join(str(folder), CHECKPOINT_NAME)} "
            f"is valid and holds {progress}; free space (or fix the folder) "
            f"and resume: {command}  (or {tool}(..., folder={str(folder)!r}, resume=True))."
        )
        out.errno, out.folder, out.resume_command = error.errno, folder, command
        return out


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0
    return True


class FolderLock:
    """An exclusive lock on an output folder: ``<folder>/.spikey.lock`` holding the PID.

    Parameters
    ----------
    folder : str
        The output folder (it must exist).
    owner : str
        Who asks, for messages (e.g. ``"Series.run"``).

    Raises
    ------
    FolderInUseError
        From :meth:`acquire`, if another process holds the lock (the message names its PID).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with FolderLock(folder, "demo"):
    ...     FolderLock(folder, "another").acquire()
    Traceback (most recent call last):
    ...
    spikey.meta.checkpoint.FolderInUseError: another: ... is in use by PID ...
    """

    def __init__(self, folder: str, owner: str = "spikey"):
        self.folder, self.owner = folder, owner
        self.path = os.path.join(folder, LOCK_NAME)
        self._fd: int | None = None

    def _in_use(self, pid: int | None) -> FolderInUseError:
        who = f"PID {pid}" if pid else "another process"
        if pid == os.getpid():
            who += " (this process: an earlier run on it was not closed; call its close())"
        return FolderInUseError(
            f"{self.owner}: {self.folder} is in use by {who} (lock file {self.path}); wait until it "
            "finishes or stop it, then resume."
        )

    def _read_pid(self, fd: int) -> int | None:
        try:
            text = os.pread(fd, 64, 0).decode("ascii", "replace").split()
            return int(text[0]) if text and text[0].isdigit() else None
        except OSError:
            return None

    def acquire(self) -> FolderLock:
        """Take the lock (or take over a dead process's); returns ``self``."""
        if self._fd is not None:
            return self
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        for _ in range(20):
            if fcntl is None:  # pragma: no cover - Windows
                fd = self._acquire_by_pid()
            else:
                try:
                    fd = os.open(self.path, flags, 0o644)
                except OSError as e:  # a symlink planted there (O_NOFOLLOW), a read-only folder, ...
                    raise SpikeyError(
                        f"{self.owner}: cannot open the lock file {self.path} ({e.strerror or e}); it must be "
                        "a regular file in a folder this user can write."
                    ) from None
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    pid = self._read_pid(fd)
                    os.close(fd)
                    raise self._in_use(pid) from None
                except OSError as e:  # e.g. a network file system without flock
                    warnings.warn(
                        f"{self.path}: cannot lock the folder ({e.strerror or e}); a second run on it is "
                        "not prevented.",
                        CheckpointWarning,
                        stacklevel=3,
                    )
                try:  # the file may have been removed (released) between open and flock
                    same = os.path.samestat(os.fstat(fd), os.stat(self.path, follow_symlinks=False))
                except FileNotFoundError:
                    same = False
                if not same:
                    os.close(fd)
                    continue
            old = self._read_pid(fd)
            if old and old != os.getpid() and not _pid_alive(old):
                warnings.warn(
                    f"{self.path}: taking over the lock of PID {old}, which is no longer running.",
                    CheckpointWarning,
                    stacklevel=3,
                )
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            self._fd = fd
            return self
        raise self._in_use(None)

    def _acquire_by_pid(self) -> int:  # pragma: no cover - Windows
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL
        try:
            return os.open(self.path, flags, 0o644)
        except FileExistsError:
            with open(self.path, "rb") as f:
                text = f.read(64).split()
            pid = int(text[0]) if text and text[0].isdigit() else None
            if pid and _pid_alive(pid):
                raise self._in_use(pid) from None
            os.unlink(self.path)
            return os.open(self.path, flags, 0o644)

    def release(self) -> None:
        """Remove the lock file and let go (idempotent)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.unlink(self.path)  # while still holding it: a waiting process re-checks the path
        except OSError:
            pass
        os.close(fd)

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def __del__(self) -> None:  # pragma: no cover - safety net
        try:
            self.release()
        except Exception:  # noqa: BLE001
            pass


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

    def __init__(self, path: str, header: dict, records: list[dict], fd: int, lock: FolderLock | None = None):
        self.path = path
        self.header = header
        self.records = records
        self._fd: int | None = fd
        self._lock = lock

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
    def create(cls, folder: str, header: dict, owner: str = "run") -> Checkpoint:
        """Start a new checkpoint in ``folder`` (which must not hold one), holding its lock.

        Raises
        ------
        FolderInUseError
            If another process holds the folder's lock.
        ConfigError
            If ``folder`` already holds a checkpoint.
        SpikeyError
            If the folder or the header cannot be written (naming it; nothing ran yet).
        """
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as e:
            raise SpikeyError(
                f"{owner}: cannot create the output folder {folder} ({e.strerror or e})."
            ) from None
        path = cls.path_in(folder)
        header = {
            FORMAT: 1,
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            **header,
        }
        line = json.dumps(header, allow_nan=False) + "\n"
        lock = FolderLock(folder, owner).acquire()
        try:
            atomic_write(path, line, overwrite=False)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except FileExistsError:
            lock.release()
            raise ConfigError(
                f"{folder} already holds a checkpoint ({CHECKPOINT_NAME}); pass resume=True to continue "
                "that run, or choose another folder."
            ) from None
        except OSError as e:
            lock.release()
            raise SpikeyError(
                f"{owner}: cannot write the checkpoint {path} ({e.strerror or e}); no job ran yet."
            ) from None
        except BaseException:
            lock.release()
            raise
        return cls(path, header, [], fd, lock)

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
                obj = _parse_line(raw)
            except ValueError as e:
                if n == 0:
                    raise SpikeyError(f"{path}: the header line is not valid JSON ({e}).") from None
                warnings.warn(
                    f"{path}: line {n + 1} is not valid JSON ({e}); dropped.", CheckpointWarning, stacklevel=3
                )
                valid += len(raw) + 1
                continue
            if n == 0:
                header = _check_header(obj, path)
            else:
                problem = _record_problem(obj)
                if problem:
                    warnings.warn(
                        f"{path}: line {n + 1} is not a valid record ({problem}); dropped, that job runs again.",
                        CheckpointWarning,
                        stacklevel=3,
                    )
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
                first = f.readline(MAX_HEADER_BYTES + 1)
            if len(first) > MAX_HEADER_BYTES:
                raise ValueError(f"longer than {MAX_HEADER_BYTES} bytes")
            header = _parse_line(first)
        except (OSError, ValueError) as e:
            raise SpikeyError(f"{path}: cannot read the checkpoint's header ({e}).") from None
        return _check_header(header, path)

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
        FolderInUseError
            If another process holds the folder's lock.
        ConfigError
            If the checkpoint belongs to a different run.
        """
        lock = FolderLock(folder, owner).acquire()
        try:
            return cls._open_locked(folder, fingerprint, owner, settings, otherwise, lock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def _open_locked(
        cls,
        folder: str,
        fingerprint: str | None,
        owner: str,
        settings: dict | None,
        otherwise: str,
        lock: FolderLock,
    ) -> Checkpoint:
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
        return cls(path, header, records, fd, lock)

    # ------------------------------------------------------------------ writing
    def append(self, record: dict) -> None:
        """Append one record (one line, one write), flush and fsync it."""
        if self._fd is None:
            raise SpikeyError(f"{self.path}: the checkpoint is closed.")
        line = (json.dumps(record, allow_nan=False) + "\n").encode("utf-8")
        view = memoryview(line)
        start = os.lseek(self._fd, 0, os.SEEK_END)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            os.fsync(self._fd)
        except OSError:
            try:  # a full disk: drop the part of the line written, so the file stays exactly valid
                os.ftruncate(self._fd, start)
            except OSError:
                pass  # reading drops an incomplete last line anyway
            raise
        self.records.append(record)

    def close(self) -> None:
        """Close the file and release the folder's lock (records stay readable)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            fsync_dir(os.path.dirname(self.path) or ".")
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __del__(self) -> None:  # pragma: no cover - safety net
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass


#: Longest header line read (bytes).
MAX_HEADER_BYTES = 2**24
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.~-]*")


def _parse_line(raw: bytes) -> dict:
    """One line as a JSON object; ValueError (with the reason) for anything else."""
    try:
        obj = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8: {e}") from None
    if not isinstance(obj, dict):
        raise ValueError(f"a JSON {type(obj).__name__}, not an object")
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _is_index(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _decodes(v: Any) -> bool:
    try:
        decode(v)
    except (DecodeError, RecursionError, ValueError, TypeError, OverflowError):
        return False
    return True


def _decodes_to_dict(v: Any) -> bool:
    return _decodes(v) and isinstance(decode(v), dict)


def _check_header(obj: dict, path: str) -> dict:
    """The header line, its fields checked (a prefix is used in file names)."""
    if obj.get(FORMAT) != 1:
        raise SpikeyError(f"{path}: not a spikey checkpoint (no {FORMAT!r} header).")
    checks = {
        "tool": lambda v: isinstance(v, str),
        "fingerprint": lambda v: isinstance(v, str),
        "prefix": lambda v: isinstance(v, str) and bool(_SAFE_NAME.fullmatch(v)) and len(v) < 200,
        "seed": _is_index,
        "n_jobs": _is_index,
        "n_repeats": _is_index,
        "product": lambda v: isinstance(v, bool),
        "metadata": _decodes_to_dict,
        "config": _decodes_to_dict,
        "constraints": _decodes_to_dict,
    }
    for key, ok in checks.items():
        if key in obj and obj[key] is not None and not ok(obj[key]):
            raise SpikeyError(
                f"{path}: damaged checkpoint header: {key}={str(obj[key])[:80]!r} is not valid."
            )
    return obj


def _record_problem(rec: dict) -> str | None:
    """Why ``rec`` is not a valid record (None when it is)."""
    if "job" in rec and not _is_index(rec["job"]):
        return f"job={str(rec['job'])[:40]!r} is not a job index"
    if "epoch" in rec and not _is_index(rec["epoch"]):
        return f"epoch={str(rec['epoch'])[:40]!r} is not an epoch number"
    if "status" in rec and not isinstance(rec["status"], str):
        return "status is not a string"
    if "key" in rec and not isinstance(rec["key"], str):
        return "key is not a string"
    name = rec.get("log")
    if name is not None and not (
        isinstance(name, str) and _SAFE_NAME.fullmatch(name) and name.endswith(".json")
    ):
        return f"log={str(name)[:60]!r} is not a log file name in the folder"
    for k in ("results", "fitness", "genotype"):
        if k in rec and not _decodes(rec[k]):
            return f"{k} does not decode"
    if "results" in rec and not _decodes_to_dict(rec["results"]):
        return "results is not a mapping"
    if "key" in rec and rec.get("status") == "ok":  # a Population's evaluation
        fitness = decode(rec["fitness"]) if "fitness" in rec else None
        if not isinstance(fitness, (int, float)) or isinstance(fitness, bool):
            return "fitness is not a number"
    for k in ("error", "traceback", "reason"):
        if rec.get(k) is not None and not isinstance(rec[k], str):
            return f"{k} is not a string"
    return None


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
