"""Write one experiment's log: sections network, game, results and info."""

from __future__ import annotations

import datetime as _dt
import json
import os
from typing import Any

from spikey.files import atomic_write, unique_name
from spikey.logging.serialize import encode

__all__ = ["log", "make_log", "sanitize", "FORMAT_VERSION", "DATE_FORMAT"]

FORMAT_VERSION = 1
DATE_FORMAT = "%Y-%m-%d-%H-%M"


def sanitize(value: Any) -> Any:
    """JSON-ready form of a value, as logs store it (the original Spikey's name).

    Unlike the original, arrays and other non-JSON values are stored typed (dtype,
    shape, data), not as strings; :func:`spikey.logging.decode` (or
    :func:`spikey.logging.uncompressnd`) restores them exactly.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.logging import sanitize, uncompressnd
    >>> uncompressnd(sanitize(np.arange(3))).tolist()
    [0, 1, 2]
    """
    return encode(value)


def _params(obj: Any) -> dict:
    """Configuration of a network or game (or a plain dict), parts included."""
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return dict(obj)
    params = dict(getattr(obj, "params", {}) or {})
    parts = getattr(obj, "parts", None)
    if isinstance(parts, dict):
        for name, part in parts.items():
            params.setdefault(name, part)
    return params


def make_log(network: Any, game: Any, results: dict | None, info: dict | None, **extra: Any) -> dict:
    """The log of one run as JSON-ready data (see :func:`log`)."""
    from spikey import __version__

    net = _params(network)
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    data = {
        "format_version": FORMAT_VERSION,
        "spikey_version": __version__,
        "seed": net.get("seed"),
        "timestamps": {"written": now, **(extra.pop("timestamps", None) or {})},
        "network": encode(net),
        "game": encode(_params(game)),
        "results": encode(dict(results or {})),
        "info": encode(dict(info or {})),
    }
    data.update({k: encode(v) for k, v in extra.items()})
    return data


def log(
    network: Any = None,
    game: Any = None,
    results: dict | None = None,
    info: dict | None = None,
    folder: str | None = None,
    filename: str | None = None,
    **extra: Any,
) -> str:
    """Write a run's log as typed JSON; returns the file's path.

    Parameters
    ----------
    network, game : object or dict, optional
        Their ``params`` (and a network's ``parts``) fill the ``network`` and ``game``
        sections; None (the default) leaves a section empty.
    results : dict
        Scalars (one table cell each in :class:`~spikey.logging.Reader`'s ``df``).
    info : dict
        Arrays and other objects.
    folder : str, optional
        Folder to write into (created if needed). Default: ``"log"`` for a generated
        name; for a given ``filename``, none (the name is a path, relative to the
        working directory as in the original Spikey).
    filename : str, optional
        Default ``YYYY-MM-DD-HH-MM.json``; if that exists, ``-<5 letters>`` is added so
        nothing is ever overwritten. A given name is written as given (replacing a
        file of that name), inside ``folder`` when one is given.
    **extra
        Further top-level sections.

    Notes
    -----
    The file is written atomically (temporary file, fsync, rename): a crash never
    leaves a partial log. Values are stored exactly (see :mod:`spikey.logging.serialize`).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from spikey.logging import log, Reader
    >>> folder = tempfile.mkdtemp()
    >>> path = log({"n_neurons": 10}, {"preset": "XOR"}, {"accuracy": 0.9},
    ...            {"rates": np.zeros(3)}, folder=folder)
    >>> Reader(folder).df["accuracy"].tolist()
    [0.9]
    """
    text = json.dumps(make_log(network, game, results, info, **extra), allow_nan=False)
    if filename is not None:
        return atomic_write(os.path.join(folder, filename) if folder else filename, text)
    folder = "log" if folder is None else folder
    stem = _dt.datetime.now().strftime(DATE_FORMAT)
    name = f"{stem}.json"
    while True:
        try:
            return atomic_write(os.path.join(folder, name), text, overwrite=False)
        except FileExistsError:
            name = f"{stem}-{unique_name()}.json"
