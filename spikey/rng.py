"""Seeded random streams.

One user seed feeds every consumer. Each consumer (a part slot, the game, the
training loop, a Series job) draws from its own stream, derived as::

    np.random.SeedSequence(seed, spawn_key=(zlib.crc32(name),))

so adding a part never shifts another part's random numbers. spikey never calls the
module-level ``np.random.<fn>`` functions.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["make_rng", "derive_seed", "fresh_seed", "stream_key"]


def stream_key(name: str) -> tuple[int, ...]:
    """Spawn key of the stream called ``name`` (``'a/b'`` nests: one int per level)."""
    return tuple(zlib.crc32(part.encode("utf-8")) for part in str(name).split("/"))


def make_rng(seed: int | None, name: str = "") -> np.random.Generator:
    """Return the generator of stream ``name`` under ``seed``.

    Parameters
    ----------
    seed : int or None
        The user seed. ``None`` draws fresh entropy (not reproducible).
    name : str
        Stream name, e.g. ``"neurons"``; ``"a/b"`` is stream ``b`` inside ``a``.

    Returns
    -------
    numpy.random.Generator
        A PCG64 generator private to this stream.
    """
    key = stream_key(name) if name else ()
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def derive_seed(seed: int | None, name: str) -> int:
    """Derive a child integer seed for stream ``name`` (e.g. one job of a Series)."""
    ss = np.random.SeedSequence(seed, spawn_key=stream_key(name))
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def fresh_seed() -> int:
    """Draw a new seed from OS entropy, small enough to log and type by hand."""
    return int(np.random.SeedSequence().generate_state(1, dtype=np.uint32)[0])
