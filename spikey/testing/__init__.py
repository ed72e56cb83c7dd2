"""Conformance suites and helpers for testing parts.

:func:`check_part` runs every check of the part contract on a part class (stock or
user-written); :data:`~spikey.testing.registry.STOCK_PARTS` lists spikey's own parts
with a small valid configuration each. :func:`check_game` (in
:mod:`spikey.testing.games`) is the games' suite; it is imported on first use.
"""

from typing import Any

from spikey.testing.parts import (
    CHECK_NAMES,
    CHECKS,
    PartCheck,
    PartCheckError,
    PartHarness,
    check_part,
    infer_family,
    invalid_values,
    iter_checks,
    make_harness,
    run_check,
    small_network,
)

__all__ = [
    "CHECK_NAMES",
    "CHECKS",
    "PartCheck",
    "PartCheckError",
    "PartHarness",
    "check_part",
    "infer_family",
    "invalid_values",
    "iter_checks",
    "make_harness",
    "run_check",
    "small_network",
    "check_game",
    "GAME_CHECKS",
]


def __getattr__(name: str) -> Any:
    """Import the games' suite lazily (``check_game``, ``GAME_CHECKS``)."""
    if name in ("check_game", "GAME_CHECKS"):
        from spikey.testing import games

        return getattr(games, name)
    raise AttributeError(f"module 'spikey.testing' has no attribute {name!r}")
