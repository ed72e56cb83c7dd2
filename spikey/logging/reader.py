"""Read a folder of logs into pandas, restoring every value's type; nothing is executed.

What a crafted or damaged folder can do, and what it cannot:

- only regular files are read (a FIFO, a device or a symlink to one is skipped with a
  :class:`CorruptLogWarning`; files are opened non-blocking and checked with ``fstat``),
  and at most ``max_bytes`` (:data:`MAX_LOG_BYTES` by default) of each;
- a file that is not valid JSON, has ``NaN``/``Infinity`` tokens or numbers that
  overflow to inf (``1e400``), holds a string that is not valid Unicode (a lone
  surrogate such as ``"\\ud800"``, which no table or page can hold), is nested too
  deeply, or whose typed values are malformed or declare more memory than their
  payload is skipped with a warning naming it (``strict=True``: raises
  :class:`~spikey.errors.SpikeyError`);
- when the table is built, a column of ints with a value beyond int64 is kept as
  Python ints (object dtype) with a :class:`CorruptLogWarning` naming the file; the
  other logs' values are kept as they are;
- duplicate keys in a JSON object are reported with a :class:`DuplicateKeyWarning`
  (the last value is used, as JSON parsers do);
- the table's ``filename`` (and MetaReader's ``subfolder``) column comes from the
  file system; a log key of that name is shown as ``<section>.<key>``.

Memory: the arrays decoded from one file take at most
:data:`~spikey.logging.serialize.MAX_STRING_EXPANSION` (8) times the file's size plus
:data:`~spikey.logging.serialize.STRING_SLACK` (1 MiB), and those of a folder at most 8
times the folder's total plus 1 MiB (a file beyond that is skipped with a warning naming
it; see :class:`~spikey.logging.serialize.DecodeBudget`); parsing JSON into Python
objects costs a small constant factor of the file's size, which ``max_bytes`` caps.
"""

from __future__ import annotations

import json
import os
import re
import stat
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from spikey.errors import SpikeyError, SpikeyWarning
from spikey.files import TMP_SUFFIX
from spikey.logging.serialize import DecodeBudget, DecodeError, decode

if TYPE_CHECKING:  # pandas is imported where a table is built: reading a log does not need it
    import pandas as pd

__all__ = [
    "Reader",
    "MetaReader",
    "CorruptLogWarning",
    "DuplicateKeyWarning",
    "read_log",
    "read_json",
    "uncompressnd",
    "MAX_LOG_BYTES",
    "FILE_COLUMNS",
]

SECTIONS = ("network", "game", "results", "info")
#: Default largest log file read (bytes); a larger one is skipped with a warning.
MAX_LOG_BYTES = 2**30
#: Table columns that describe the file, never taken from a log's content.
FILE_COLUMNS = ("filename", "subfolder")


class CorruptLogWarning(SpikeyWarning):
    """A log file could not be read and was skipped."""


class DuplicateKeyWarning(SpikeyWarning):
    """A JSON object in a log names a key twice; the last value is used."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        # as NaN/Infinity tokens are refused, so is a literal that overflows to inf;
        # spikey writes non-finite floats as marked values
        raise ValueError(f"number {text[:40]} overflows a float")
    return value


def _read_bytes(path: str, max_bytes: int) -> bytes:
    """The bytes of a regular file (at most ``max_bytes``), never blocking on a FIFO."""
    if not stat.S_ISREG(os.stat(path).st_mode):  # devices are not even opened
        raise SpikeyError(f"{path}: not a regular file (a FIFO, device or socket); not read.")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)  # non-blocking: a FIFO swapped in after the check cannot hang
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SpikeyError(f"{path}: not a regular file (a FIFO, device or socket); not read.")
        if st.st_size > max_bytes:
            raise SpikeyError(f"{path}: {st.st_size} bytes, more than max_bytes={max_bytes}; not read.")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, min(1 << 24, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise SpikeyError(f"{path}: grew beyond max_bytes={max_bytes} while read; not read.")
        return b"".join(chunks)
    finally:
        os.close(fd)


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _check_text(data: Any, path: str) -> None:
    """Raise unless every string (key or value) in ``data`` is valid Unicode (no lone surrogate)."""
    stack = [(data, "$")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                _check_str(k, f"{where} key", path)
                stack.append((v, f"{where}.{k}"))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(value))
        elif isinstance(value, str):
            _check_str(value, where, path)


def _check_str(text: str, where: str, path: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise SpikeyError(
            f"{path}: not a readable JSON log ({where[:80]} holds {text[e.start : e.end]!r}, a lone "
            "surrogate: not valid Unicode text)."
        ) from None


def read_json(path: str, max_bytes: int = MAX_LOG_BYTES) -> Any:
    """Parse the JSON file at ``path`` with the checks of a log (see the module docstring).

    Raises
    ------
    SpikeyError
        Naming the file: not a regular file, too large, not valid JSON, a
        non-finite number, a lone surrogate in a string, or nested too deeply.
    """
    return _read_json(path, max_bytes)[0]


def _read_json(path: str, max_bytes: int) -> tuple[Any, int]:
    """(parsed data, file size in bytes) of ``path``; see :func:`read_json`."""
    duplicates: list[str] = []

    def pairs(items: list) -> dict:
        out = {}
        for k, v in items:
            if k in out:
                duplicates.append(k)
            out[k] = v
        return out

    try:
        raw = _read_bytes(path, max_bytes)
        data = json.loads(
            raw.decode("utf-8"),
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            object_pairs_hook=pairs,
        )
    except SpikeyError:
        raise
    except RecursionError:
        raise SpikeyError(f"{path}: not a readable JSON log (nested too deeply).") from None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise SpikeyError(f"{path}: not a readable JSON log ({type(e).__name__}: {e}).") from None
    if _SURROGATE_ESCAPE.search(raw):  # only a \\uD800-\\uDFFF escape can make a lone surrogate
        _check_text(data, path)
    if duplicates:
        warnings.warn(
            f"{path}: duplicate JSON keys {sorted(set(duplicates))[:5]}; the last value of each is used.",
            DuplicateKeyWarning,
            stacklevel=4,
        )
    return data, len(raw)


def read_log(path: str, max_bytes: int = MAX_LOG_BYTES, budget: DecodeBudget | None = None) -> dict:
    """Read and decode one log file.

    Parameters
    ----------
    path : str
        The file.
    max_bytes : int
        Largest file read.
    budget : DecodeBudget, optional
        A folder's budget, shared by its files (see the module docstring); the file's
        own arrays take at most 8x its size + 1 MiB in any case.

    Raises
    ------
    SpikeyError
        Naming the file: if it is not a regular file, larger than ``max_bytes``, not
        valid JSON, not a spikey log, its values are malformed, or its arrays would
        take more memory than the bound allows.
    """
    raw, size = _read_json(path, max_bytes)
    if not isinstance(raw, dict) or not any(s in raw for s in SECTIONS):
        raise SpikeyError(f"{path}: not a spikey log (no network/game/results/info section).")
    spent = budget.used if budget is not None else 0
    try:
        data = decode(raw, budget=DecodeBudget.for_size(size, path, parent=budget))
    except (RecursionError, DecodeError, ValueError, TypeError, OverflowError, MemoryError) as e:
        if budget is not None:  # a skipped file spends none of the folder's budget
            _refund(budget, budget.used - spent)
        if isinstance(e, RecursionError):
            raise SpikeyError(f"{path}: nested too deeply.") from None
        if isinstance(e, DecodeError):
            raise SpikeyError(f"{path}: {e}") from None
        # defensive: any other malformation
        raise SpikeyError(f"{path}: malformed value ({type(e).__name__}: {e}).") from None
    for section in SECTIONS:
        if not isinstance(data.get(section, {}), dict):
            raise SpikeyError(f"{path}: section {section!r} is not a mapping.")
        data.setdefault(section, {})
    return data


def _refund(budget: DecodeBudget | None, nbytes: int) -> None:
    while budget is not None:
        budget.used -= nbytes
        budget = budget.parent


def _is_log_name(name: str) -> bool:
    return name.endswith(".json") and "~SUMMARY" not in name and not name.endswith(TMP_SUFFIX)


def uncompressnd(value: Any) -> Any:
    """An array back from the original Spikey's string form, e.g. ``"[[0.1 0.2],[0.3 0.4]]"``.

    Parsed without executing anything: numbers, ``True``/``False``, ``nan``/``inf`` and
    ``None`` (as nan) inside brackets. Values spikey itself logged (typed JSON, see
    :func:`spikey.logging.decode`) are decoded; anything else is returned unchanged.

    Raises
    ------
    SpikeyError
        For a bracketed string that is not a (rectangular) array.

    Examples
    --------
    >>> from spikey.logging import uncompressnd
    >>> uncompressnd("[[0.5 1.0],[2.0 3.0]]").tolist()
    [[0.5, 1.0], [2.0, 3.0]]
    """
    if isinstance(value, dict):
        return decode(value)
    if not isinstance(value, str) or not value.strip().startswith("["):
        return value
    tokens = value.replace(",", " ").replace("[", " [ ").replace("]", " ] ").split()
    stack: list[list] = [[]]
    words = {"true": True, "false": False, "none": np.nan, "nan": np.nan, "inf": np.inf, "-inf": -np.inf}
    for tok in tokens:
        if tok == "[":
            stack.append([])
        elif tok == "]":
            if len(stack) < 2:
                raise SpikeyError(f"uncompressnd: unbalanced brackets in {value[:60]!r}.")
            done = stack.pop()
            stack[-1].append(done)
        else:
            low = tok.lower()
            if low in words:
                stack[-1].append(words[low])
                continue
            try:
                stack[-1].append(float(tok))
            except ValueError:
                raise SpikeyError(f"uncompressnd: {tok!r} is not a number in {value[:60]!r}.") from None
    if len(stack) != 1 or len(stack[0]) != 1:
        raise SpikeyError(f"uncompressnd: unbalanced brackets in {value[:60]!r}.")
    try:
        return np.array(stack[0][0])
    except ValueError:
        raise SpikeyError(f"uncompressnd: {value[:60]!r} is not a rectangular array.") from None


class Reader:
    """Logs of a folder (or one log file) as a pandas table.

    Parameters
    ----------
    folder : str
        Folder with ``.json`` logs (summaries and temporary files are ignored), or the
        path of one log file (``Reader("run.json")``, as in the original Spikey).
    filenames : list of str, optional
        Only these files (default: every log in ``folder``, sorted). A
        ``~SUMMARY.json`` file among them is read into :attr:`summary`.
    strict : bool
        Raise on a corrupt file instead of skipping it with a
        :class:`CorruptLogWarning` naming the file.
    max_bytes : int
        Largest file read (default :data:`MAX_LOG_BYTES`, 1 GiB); larger files, and
        anything that is not a regular file, are skipped with a warning.

    Attributes
    ----------
    logs : list of dict
        Every decoded log, sections ``network``, ``game``, ``results``, ``info``.
    filenames : list of str
        The files read, in order.
    summary : dict or None
        The folder's (or given) ``~SUMMARY.json`` file, decoded, if there is one.

    Examples
    --------
    >>> import tempfile
    >>> from spikey.logging import log, Reader
    >>> folder = tempfile.mkdtemp()
    >>> _ = log({"n_neurons": 10}, None, {"reward": 3}, {}, folder=folder, filename="a.json")
    >>> reader = Reader(folder)
    >>> reader.df[["n_neurons", "reward"]].to_dict("records")
    [{'n_neurons': 10, 'reward': 3}]
    """

    def __init__(
        self,
        folder: str = ".",
        filenames: list[str] | None = None,
        strict: bool = False,
        max_bytes: int = MAX_LOG_BYTES,
    ):
        if filenames is None and os.path.isfile(folder):
            folder, filenames = os.path.split(folder)
            folder, filenames = folder or ".", [filenames]
        self.folder = folder
        self.max_bytes = int(max_bytes)
        self.summary: dict | None = None
        if filenames is None:
            if not os.path.isdir(folder):
                raise SpikeyError(f"Reader: folder {folder!r} does not exist (nor is it a log file).")
            listed = sorted(os.listdir(folder))
            filenames = [f for f in listed if _is_log_name(f)]
            summaries = [f for f in listed if f.endswith("~SUMMARY.json")]
            if summaries:
                self._read_summary(summaries[-1], strict)
        else:
            filenames = list(filenames)
            for name in [f for f in filenames if f.endswith("~SUMMARY.json")]:
                filenames.remove(name)
                self._read_summary(name, strict)
        self.filenames: list[str] = []
        self.logs: list[dict] = []
        budget = DecodeBudget.for_size(0, f"the logs read from {folder}")  # shared by the folder's files
        for name in filenames:
            path = os.path.join(folder, name)
            try:
                data = read_log(path, self.max_bytes, budget)
            except SpikeyError as e:
                if strict:
                    raise
                warnings.warn(f"skipping {path}: {e}", CorruptLogWarning, stacklevel=2)
                continue
            self.filenames.append(name)
            self.logs.append(data)
        self._df: pd.DataFrame | None = None

    def _read_summary(self, name: str, strict: bool) -> None:
        path = os.path.join(self.folder, name)
        try:
            self.summary = decode(read_json(path, self.max_bytes))
        except (SpikeyError, DecodeError, RecursionError) as e:
            if strict:
                raise SpikeyError(f"{path}: {e}") from None
            warnings.warn(f"skipping {path}: {e}", CorruptLogWarning, stacklevel=3)

    def __len__(self) -> int:
        return len(self.logs)

    def _section(self, section: str) -> pd.DataFrame:
        import pandas as pd

        names: list[str] = []
        for data in self.logs:
            names.extend(k for k in data[section] if k not in names)
        if section == "info":
            rows = [{k: data[section].get(k) for k in names} for data in self.logs]
            return pd.DataFrame.from_records(rows, columns=names, index=range(len(rows)))
        return self.df[[n for n in names if n in self.df.columns]]

    @property
    def network(self) -> pd.DataFrame:
        """The ``network`` section of every log: one row per log (the original Spikey's)."""
        return self._section("network")

    @property
    def game(self) -> pd.DataFrame:
        """The ``game`` section of every log: one row per log."""
        return self._section("game")

    @property
    def results(self) -> pd.DataFrame:
        """The ``results`` section of every log: one row per log."""
        return self._section("results")

    @property
    def info(self) -> pd.DataFrame:
        """The ``info`` section of every log: one row per log, values as logged (objects)."""
        return self._section("info")

    def read_file(self, filename: str) -> dict:
        """Every value of one log file, its sections merged into one flat dict.

        Parameters
        ----------
        filename : str
            File name inside the reader's folder.

        Raises
        ------
        SpikeyError
            If the file is not a readable spikey log.
        """
        data = read_log(os.path.join(self.folder, filename))
        out: dict = {}
        for key, value in data.items():
            if isinstance(value, dict) and key in SECTIONS:
                out.update(value)
            else:
                out[key] = value
        return out

    def iter_unique(
        self, key: str | list[str], hashable_keys: str | list[str] | None = None, return_value: bool = False
    ) -> Iterator[Any]:
        """Iterate over the distinct values of ``hashable_keys`` (default ``key``).

        Yields, for each distinct configuration, the ``df[key]`` rows of the logs that
        have it (with ``return_value``: ``(configuration, rows)``), as in the original
        Spikey.

        Parameters
        ----------
        key : str or list of str
            Column(s) of :attr:`df` to yield.
        hashable_keys : str or list of str, optional
            Column(s) that define a configuration.
        return_value : bool
            Also yield the configuration (a pandas Series).
        """
        hashable = hashable_keys if hashable_keys is not None else key
        cols = [hashable] if isinstance(hashable, str) else list(hashable)
        df = self.df
        missing = [c for c in cols + ([key] if isinstance(key, str) else list(key)) if c not in df.columns]
        if missing:
            raise KeyError(f"Reader.iter_unique: no column {missing[0]!r}; columns are {list(df.columns)}.")
        unique = df[cols].astype(str).drop_duplicates()
        as_str = df[cols].astype(str)
        for idx in unique.index:
            rows = (as_str == unique.loc[idx]).all(axis="columns")
            part = df.loc[rows, key]
            yield (df.loc[idx, cols], part) if return_value else part

    @property
    def df(self) -> pd.DataFrame:
        """One row per log: network and game params and results as flat columns.

        A key in several sections takes the value of the later one (results over
        game over network); ``filename`` is a column. Columns whose values are all
        numpy scalars of one dtype keep that dtype; ints stay ints and bools stay bools.
        The file columns (:data:`FILE_COLUMNS`) come from the file system: a log's own
        key ``filename`` or ``subfolder`` is shown as ``<section>.<key>``.
        """
        if self._df is None:
            import pandas as pd

            rows = []
            for name, data in zip(self.filenames, self.logs):
                row = {"filename": name}
                for section in ("network", "game", "results"):
                    for k, v in data[section].items():
                        row[f"{section}.{k}" if k in FILE_COLUMNS else k] = v
                row["filename"] = name
                rows.append(row)
            df = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=["filename"])
            self._df = _restore_dtypes(df, rows, self.filenames, self.folder)
        return self._df

    def __getitem__(self, key: str | tuple) -> pd.Series:
        """Values of ``key`` in every log, looked up in results, info, game, network.

        ``reader[key, n]`` gives the first ``n`` logs' values, ``reader[key, [i, j]]``
        those of logs ``i`` and ``j`` (the original Spikey's forms).

        Returns
        -------
        pandas.Series
            Indexed by file name; arrays and objects as they were logged.

        Raises
        ------
        KeyError
            If no log has ``key`` (the message lists the keys there are).
        """
        if isinstance(key, tuple):
            name, which = (tuple(key) + (None,))[:2]
            series = self[name]
            if which is None:
                return series
            if isinstance(which, (int, np.integer)):
                return series.iloc[: int(which)]
            return series.iloc[list(which)]
        values = []
        found = False
        for data in self.logs:
            for section in ("results", "info", "game", "network"):
                if key in data[section]:
                    values.append(data[section][key])
                    found = True
                    break
            else:
                values.append(None)
        if not found:
            known = sorted({k for d in self.logs for s in SECTIONS for k in d[s]})
            raise KeyError(f"Reader: no log has key {key!r}; keys are {known}.")
        import pandas as pd

        series = pd.Series(values, index=self.filenames, name=key, dtype=object)
        return series.infer_objects()

    def read_info(self, key: str, n: int | None = None, loc: int = 0) -> list:
        """The ``info[key]`` arrays of ``n`` logs from the ``loc``-th (all by default).

        Raises
        ------
        KeyError
            If a log read has no ``info[key]``.
        """
        out = []
        pairs = list(zip(self.filenames, self.logs))
        for name, data in pairs[loc : None if n is None else loc + n]:
            if key not in data["info"]:
                raise KeyError(
                    f"Reader.read_info: {name} has no info key {key!r}; it has {sorted(data['info'])}."
                )
            out.append(data["info"][key])
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.folder!r}, {len(self)} logs)"


_INT64 = np.iinfo(np.int64)


def _restore_dtypes(df: pd.DataFrame, rows: list[dict], names: list[str], folder: str) -> pd.DataFrame:
    """Columns whose values are all of one numpy dtype, all bools or all ints get that dtype.

    A column of ints with a value beyond int64 stays Python ints (object dtype), with a
    :class:`CorruptLogWarning` naming the files that hold such values.
    """
    for col in df.columns:
        values = [r.get(col) for r in rows]
        if values and all(isinstance(v, np.generic) for v in values):
            dtypes = {v.dtype for v in values}
            if len(dtypes) == 1:
                df[col] = np.array(values, dtype=dtypes.pop())
        elif values and all(isinstance(v, bool) for v in values):
            df[col] = df[col].astype(bool)
        elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            wide = [name for name, v in zip(names, values) if not _INT64.min <= v <= _INT64.max]
            if not wide:
                df[col] = df[col].astype(np.int64)
                continue
            df[col] = np.array(values, dtype=object)  # one Python int per row, never converted
            warnings.warn(
                f"{os.path.join(folder, wide[0])}: column {col!r} holds an int beyond int64"
                + (f" (also in {len(wide) - 1} other files)" if len(wide) > 1 else "")
                + "; the column is kept as Python ints (object dtype).",
                CorruptLogWarning,
                stacklevel=3,
            )
    return df


class MetaReader(Reader):
    """Logs of a Series or Population output folder and its subfolders.

    Adds a ``subfolder`` column and reads the ``~SUMMARY.json`` files into
    :attr:`summaries` (by file name); :attr:`summary` is the folder's own one (as
    :class:`Reader`'s). For a Population folder (one with a ``checkpoint.jsonl`` of
    evaluated genotypes), :attr:`df` has one row per agent evaluation, as the original
    Spikey's MetaReader: the genes, ``fitness``, ``epoch``, ``status``, ``seed``.

    Attributes
    ----------
    summaries : dict
        Every summary below the folder, by relative path.
    evaluations : list of dict
        A Population's evaluation records (empty for other folders).
    genotype_keys : list of str
        The genes of a Population's genotypes (empty for other folders).
    """

    def __init__(self, folder: str, strict: bool = False, max_bytes: int = MAX_LOG_BYTES):
        if not os.path.isdir(folder):
            raise SpikeyError(f"MetaReader: folder {folder!r} does not exist.")
        names, self.summaries = [], {}
        for root, _, files in sorted(os.walk(folder)):
            for f in sorted(files):
                rel = os.path.relpath(os.path.join(root, f), folder)
                if _is_log_name(f):
                    names.append(rel)
                elif f.endswith("~SUMMARY.json") and not f.endswith(TMP_SUFFIX):
                    path = os.path.join(folder, rel)
                    try:
                        try:
                            self.summaries[rel] = decode(read_json(path, max_bytes))
                        except RecursionError:
                            raise SpikeyError(f"{path}: nested too deeply.") from None
                        except DecodeError as e:
                            raise SpikeyError(f"{path}: {e}") from None
                    except SpikeyError as e:
                        if strict:
                            raise
                        warnings.warn(f"skipping {path}: {e}", CorruptLogWarning, stacklevel=2)
        super().__init__(folder, names, strict=strict, max_bytes=max_bytes)
        own = sorted(k for k in self.summaries if os.path.dirname(k) == "")
        if own:
            self.summary = self.summaries[own[-1]]
        elif len(self.summaries) == 1:
            self.summary = next(iter(self.summaries.values()))
        self.evaluations = self._read_evaluations(os.path.join(folder, "checkpoint.jsonl"), strict)
        self.genotype_keys = sorted({k for rec in self.evaluations for k in rec["genotype"]})

    def _read_evaluations(self, path: str, strict: bool) -> list[dict]:
        """The genotype records of a Population checkpoint (JSON lines); [] without one."""
        if not os.path.isfile(path):
            return []
        try:
            raw = _read_bytes(path, self.max_bytes).decode("utf-8")
        except (SpikeyError, OSError, UnicodeDecodeError) as e:
            if strict:
                raise SpikeyError(f"{path}: {e}") from None
            warnings.warn(f"skipping {path}: {e}", CorruptLogWarning, stacklevel=3)
            return []
        records = []
        for n, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = decode(json.loads(line, parse_constant=_reject_constant, parse_float=_finite_float))
            except (ValueError, DecodeError, RecursionError) as e:
                # a line cut by a crash, or damage: skipped, the rest is read
                if strict:
                    raise SpikeyError(f"{path}: line {n}: {e}") from None
                warnings.warn(f"{path}: skipping line {n}: {e}", CorruptLogWarning, stacklevel=3)
                continue
            if isinstance(rec, dict) and isinstance(rec.get("genotype"), dict) and "fitness" in rec:
                records.append(rec)
        return records

    @property
    def df(self) -> pd.DataFrame:
        """As :attr:`Reader.df`, with the ``subfolder`` of each log (from the file system);
        for a Population folder, one row per agent evaluation (see the class docstring)."""
        if self.evaluations:
            import pandas as pd

            rows = [
                {
                    **rec["genotype"],
                    "fitness": rec["fitness"],
                    **{k: rec.get(k) for k in ("epoch", "status", "seed", "done")},
                }
                for rec in self.evaluations
            ]
            return pd.DataFrame.from_records(rows)
        df = super().df
        sub = [os.path.dirname(f) for f in self.filenames]
        if "subfolder" in df.columns:
            df["subfolder"] = sub
        else:
            df.insert(1, "subfolder", sub)
        return df
