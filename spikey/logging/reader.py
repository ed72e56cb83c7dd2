"""Read a folder of logs into pandas, restoring every value's type; nothing is executed."""

from __future__ import annotations

import json
import os
import warnings
from typing import Any

import numpy as np
import pandas as pd

from spikey.errors import SpikeyError, SpikeyWarning
from spikey.logging.files import TMP_SUFFIX
from spikey.logging.serialize import DecodeError, decode

__all__ = ["Reader", "MetaReader", "CorruptLogWarning", "read_log"]

SECTIONS = ("network", "game", "results", "info")


class CorruptLogWarning(SpikeyWarning):
    """A log file could not be read and was skipped."""


def read_log(path: str) -> dict:
    """Read and decode one log file.

    Raises
    ------
    SpikeyError
        If the file is not valid JSON, not a spikey log, or its values are malformed.
    """
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f, parse_constant=_reject_constant)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
        raise SpikeyError(f"{path}: not a readable JSON log ({type(e).__name__}: {e}).") from None
    if not isinstance(raw, dict) or not any(s in raw for s in SECTIONS):
        raise SpikeyError(f"{path}: not a spikey log (no network/game/results/info section).")
    try:
        data = decode(raw)
    except (DecodeError, RecursionError) as e:
        raise SpikeyError(f"{path}: {e}") from None
    for section in SECTIONS:
        if not isinstance(data.get(section, {}), dict):
            raise SpikeyError(f"{path}: section {section!r} is not a mapping.")
        data.setdefault(section, {})
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _is_log_name(name: str) -> bool:
    return name.endswith(".json") and "~SUMMARY" not in name and not name.endswith(TMP_SUFFIX)


class Reader:
    """Logs of a folder as a pandas table.

    Parameters
    ----------
    folder : str
        Folder with ``.json`` logs (summaries and temporary files are ignored).
    filenames : list of str, optional
        Only these files (default: every log in ``folder``, sorted).
    strict : bool
        Raise on a corrupt file instead of skipping it with a
        :class:`CorruptLogWarning` naming the file.

    Attributes
    ----------
    logs : list of dict
        Every decoded log, sections ``network``, ``game``, ``results``, ``info``.
    filenames : list of str
        The files read, in order.

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

    def __init__(self, folder: str, filenames: list[str] | None = None, strict: bool = False):
        self.folder = folder
        if filenames is None:
            if not os.path.isdir(folder):
                raise SpikeyError(f"Reader: folder {folder!r} does not exist.")
            filenames = sorted(f for f in os.listdir(folder) if _is_log_name(f))
        self.filenames: list[str] = []
        self.logs: list[dict] = []
        for name in filenames:
            path = os.path.join(folder, name)
            try:
                data = read_log(path)
            except SpikeyError as e:
                if strict:
                    raise
                warnings.warn(f"skipping {path}: {e}", CorruptLogWarning, stacklevel=2)
                continue
            self.filenames.append(name)
            self.logs.append(data)
        self._df: pd.DataFrame | None = None

    def __len__(self) -> int:
        return len(self.logs)

    @property
    def df(self) -> pd.DataFrame:
        """One row per log: network and game params and results as flat columns.

        A key in several sections takes the value of the later one (results over
        game over network); ``filename`` is a column. Columns whose values are all
        numpy scalars of one dtype keep that dtype; ints stay ints and bools stay bools.
        """
        if self._df is None:
            rows = []
            for name, data in zip(self.filenames, self.logs):
                row = {"filename": name}
                for section in ("network", "game", "results"):
                    row.update(data[section])
                rows.append(row)
            df = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=["filename"])
            self._df = _restore_dtypes(df, rows)
        return self._df

    def __getitem__(self, key: str) -> pd.Series:
        """Values of ``key`` in every log, looked up in results, info, game, network.

        Returns
        -------
        pandas.Series
            Indexed by file name; arrays and objects as they were logged.

        Raises
        ------
        KeyError
            If no log has ``key`` (the message lists the keys there are).
        """
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
        series = pd.Series(values, index=self.filenames, name=key, dtype=object)
        return series.infer_objects()

    def read_info(self, key: str, n: int | None = None) -> list:
        """The ``info[key]`` arrays of the first ``n`` logs (all by default).

        Raises
        ------
        KeyError
            If a log read has no ``info[key]``.
        """
        out = []
        for name, data in list(zip(self.filenames, self.logs))[:n]:
            if key not in data["info"]:
                raise KeyError(
                    f"Reader.read_info: {name} has no info key {key!r}; it has {sorted(data['info'])}."
                )
            out.append(data["info"][key])
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.folder!r}, {len(self)} logs)"


def _restore_dtypes(df: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    for col in df.columns:
        values = [r.get(col) for r in rows]
        if values and all(isinstance(v, np.generic) for v in values):
            dtypes = {v.dtype for v in values}
            if len(dtypes) == 1:
                df[col] = np.array(values, dtype=dtypes.pop())
        elif values and all(isinstance(v, bool) for v in values):
            df[col] = df[col].astype(bool)
        elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            df[col] = df[col].astype(np.int64)
    return df


class MetaReader(Reader):
    """Logs of a Series or Population output folder and its subfolders.

    Adds a ``subfolder`` column and reads the ``~SUMMARY.json`` files into
    :attr:`summaries` (by file name).
    """

    def __init__(self, folder: str, strict: bool = False):
        if not os.path.isdir(folder):
            raise SpikeyError(f"MetaReader: folder {folder!r} does not exist.")
        names, self.summaries = [], {}
        for root, _, files in sorted(os.walk(folder)):
            for f in sorted(files):
                rel = os.path.relpath(os.path.join(root, f), folder)
                if _is_log_name(f):
                    names.append(rel)
                elif f.endswith("~SUMMARY.json"):
                    try:
                        with open(os.path.join(folder, rel), encoding="utf-8") as fh:
                            self.summaries[rel] = decode(json.load(fh, parse_constant=_reject_constant))
                    except (OSError, ValueError, DecodeError) as e:
                        if strict:
                            raise SpikeyError(f"{rel}: {e}") from None
                        warnings.warn(f"skipping {rel}: {e}", CorruptLogWarning, stacklevel=2)
        super().__init__(folder, names, strict=strict)

    @property
    def df(self) -> pd.DataFrame:
        """As :attr:`Reader.df`, with the ``subfolder`` of each log."""
        df = super().df
        if "subfolder" not in df.columns:
            df.insert(1, "subfolder", [os.path.dirname(f) for f in self.filenames])
        return df
