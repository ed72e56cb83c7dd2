"""Log many runs into one folder and summarise them."""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from spikey.files import atomic_write, unique_name
from spikey.logging.log import DATE_FORMAT, FORMAT_VERSION, make_log
from spikey.logging.serialize import encode

__all__ = ["MultiLogger"]


class MultiLogger:
    """Logs a series of runs as ``YYYY-MM-DD-HH-MM-<5 letter id>.json``.

    The date is fixed when the logger is created; the id makes every name unique,
    also when many runs (or processes) log in the same minute.

    Parameters
    ----------
    folder : str
        Where the logs go (created if needed).

    Examples
    --------
    >>> import tempfile
    >>> from spikey.logging import MultiLogger, Reader
    >>> logger = MultiLogger(folder=tempfile.mkdtemp())
    >>> for acc in (0.5, 0.7):
    ...     _ = logger.log({"seed": 1}, None, {"accuracy": acc}, {})
    >>> summary = logger.summarize()
    >>> Reader(logger.folder).df["accuracy"].sort_values().tolist()
    [0.5, 0.7]

    As a context manager (``with MultiLogger(folder) as logger:``) it summarises the
    runs it logged when the block ends without an error. :meth:`filename_gen` yields
    unused log paths of the same form, for :func:`spikey.logging.log`'s ``filename``.
    """

    def __init__(self, folder: str = "log"):
        self.folder = folder
        self.prefix = _dt.datetime.now().strftime(DATE_FORMAT)
        self.filenames: list[str] = []
        self._results: list[dict] = []
        self._configs: list[dict] = []
        self._n_summarized = -1

    def __enter__(self) -> MultiLogger:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        """Write the summary of the logged runs, unless the block raised or it is written."""
        if exc_type is None and self.filenames and self._n_summarized != len(self.filenames):
            self.summarize()

    def filename_gen(self) -> Iterator[str]:
        """Paths ``<folder>/<prefix>-<5 letter id>.json`` not yet in the folder.

        Yields
        ------
        str
            A path for ``log(..., filename=path)``; never one that exists.

        Examples
        --------
        >>> import os, tempfile
        >>> from spikey.logging import MultiLogger, log
        >>> logger = MultiLogger(folder=tempfile.mkdtemp())
        >>> names = logger.filename_gen()
        >>> path = log(results={"accuracy": 1.0}, filename=next(names))
        >>> os.path.dirname(path) == logger.folder and path.endswith(".json")
        True
        """
        while True:
            path = os.path.join(self.folder, f"{self.prefix}-{unique_name()}.json")
            if not os.path.exists(path):
                yield path

    def log(
        self, network: Any, game: Any, results: dict | None = None, info: dict | None = None, **extra: Any
    ) -> str:
        """Write one run's log (see :func:`spikey.logging.log`); returns its path."""
        data = make_log(network, game, results, info, **extra)
        text = json.dumps(data, allow_nan=False)
        while True:
            name = f"{self.prefix}-{unique_name()}.json"
            try:
                path = atomic_write(os.path.join(self.folder, name), text, overwrite=False)
                break
            except FileExistsError:
                continue
        self.filenames.append(name)
        self._results.append(dict(results or {}))
        self._configs.append({"network": data["network"], "game": data["game"]})
        return path

    def summarize(self, results: dict | None = None, info: dict | None = None, **extra: Any) -> str:
        """Write ``YYYY-MM-DD-HH-MM~SUMMARY.json``: statistics of every numeric result.

        Parameters
        ----------
        results : dict, optional
            More entries of the summary's ``results`` section (beside the statistics).
        info : dict, optional
            The summary's ``info`` section.
        **extra
            Further top-level sections.

        Returns
        -------
        str
            The summary's path.
        """
        stats = {}
        keys = sorted({k for r in self._results for k in r})
        for key in keys:
            values = [r[key] for r in self._results if key in r]
            nums = [
                float(v)
                for v in values
                if isinstance(v, (int, float, np.integer, np.floating))
                and not isinstance(v, (bool, np.bool_))
            ]
            if nums and len(nums) == len(values):
                arr = np.array(nums)
                finite = arr[np.isfinite(arr)]
                stats[key] = {
                    "count": len(nums),
                    "mean": float(finite.mean()) if finite.size else math.nan,
                    "std": float(finite.std()) if finite.size else math.nan,
                    "min": float(finite.min()) if finite.size else math.nan,
                    "max": float(finite.max()) if finite.size else math.nan,
                }
        varying = {}
        for section in ("network", "game"):
            texts: dict[str, set] = {}
            for cfg in self._configs:
                for k, v in cfg[section].items():
                    texts.setdefault(k, set()).add(json.dumps(v, sort_keys=True))
            varying[section] = sorted(k for k, t in texts.items() if len(t) > 1)
        data = {
            "format_version": FORMAT_VERSION,
            "n_runs": len(self.filenames),
            "filenames": list(self.filenames),
            "results": encode({**stats, **(results or {})}),
            "info": encode(dict(info or {})),
            "varying_params": varying,
            **{k: encode(v) for k, v in extra.items()},
        }
        path = os.path.join(self.folder, f"{self.prefix}~SUMMARY.json")
        self._n_summarized = len(self.filenames)
        return atomic_write(path, json.dumps(data, allow_nan=False))
