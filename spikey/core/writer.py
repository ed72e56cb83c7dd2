"""The one place where training loops and callbacks write a run's log.

:meth:`spikey.core.TrainingLoop.log` and :meth:`spikey.core.ExperimentCallback.log`
both call :func:`write_log`, which hands the run to :func:`spikey.logging.log`: typed
JSON with the sections ``network``, ``game``, ``results`` and ``info``, named
``YYYY-MM-DD-HH-MM.json`` and written atomically. To change how every run is logged,
change this one function.

Examples
--------
>>> import tempfile
>>> from spikey.core.writer import write_log
>>> from spikey.logging import read_log
>>> path = write_log(None, None, {"accuracy": 1.0}, {}, folder=tempfile.mkdtemp())
>>> read_log(path)["results"]
{'accuracy': 1.0}
"""

from __future__ import annotations

from typing import Any

__all__ = ["write_log"]


def write_log(
    network: Any,
    game: Any,
    results: dict | None,
    info: dict | None,
    folder: str | None = None,
    filename: str | None = None,
    **extra: Any,
) -> str:
    """Write one run's log; return the file's path.

    Parameters
    ----------
    network, game : object or None
        The trained network and the game (their ``params`` are logged).
    results : dict
        Scalars (one row of a results table).
    info : dict
        Arrays and other objects.
    folder : str, optional
        Folder for the file, created if missing (default ``"log"``; with a
        ``filename`` and no folder, the name is a path relative to the working
        directory, as in the original Spikey).
    filename : str, optional
        File name (inside ``folder`` when given). Default: ``YYYY-MM-DD-HH-MM.json`` of
        the current local time, with a suffix when that name is taken (never
        overwrites).
    **extra
        Further top-level sections.

    Returns
    -------
    str
        Path of the written file (read it back with :func:`spikey.logging.read_log`
        or :class:`spikey.logging.Reader`).
    """
    from spikey.logging import log

    return log(network, game, results, info, folder=folder, filename=filename, **extra)
