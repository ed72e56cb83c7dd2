"""Check that a network runs the same on the reference and the compiled engine.

:func:`check_engines` builds a network twice from one seed, once per engine, runs both
tick by tick with learning on and compares, after every tick, the spike log exactly
and every part's state to a tolerance; the first difference is reported with its
tick, part and state name. Use it for a kernel of your own:

>>> from spikey.testing.engines import check_engines
>>> from spikey.testing.networks import STOCK_NETWORKS
>>> spec = STOCK_NETWORKS["readme-xor"]
>>> report = check_engines(spec.build, spec.states, n_ticks=5)  # doctest: +SKIP
>>> report.engines
('reference', 'numba')

:data:`~spikey.testing.networks.STOCK_NETWORKS` lists spikey's stock networks; the
test suite runs this check over every one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["EngineMismatch", "EngineReport", "check_engines", "compare_states"]


class EngineMismatch(AssertionError):
    """The two engines disagree; the message names the tick, the part and the state."""


@dataclass
class EngineReport:
    """What :func:`check_engines` compared."""

    n_ticks: int
    n_spikes: int
    engines: tuple[str, str]
    max_rel_diff: float


def _settle(network: Any) -> None:
    """Fold lazily kept state in (buffered eligibility) so both engines can be compared."""
    flush = getattr(network.synapses, "_flush", None)
    if callable(flush):
        flush()


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k in sorted(value, key=str):
            yield from _leaves(value[k], f"{path}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{path}[{i}]")
    else:
        yield path, value


def compare_states(a: Any, b: Any, rtol: float = 1e-10, atol: float = 1e-12) -> tuple[str | None, float]:
    """Compare two networks' states.

    Returns
    -------
    (where, max_rel)
        ``where`` names the first differing state (``"synapses._z"``) with the size of
        the difference, or None when all agree; ``max_rel`` is the largest relative
        difference seen among float arrays.
    """
    _settle(a)
    _settle(b)
    sa, sb = a.state_dict(), b.state_dict()
    worst = 0.0
    for slot in sa:
        if slot == "network":
            continue
        scratch = set(getattr(getattr(a, slot.split(".")[0], None), "ENGINE_SCRATCH", ()))
        la = dict(_leaves({k: v for k, v in sa[slot].items() if k not in scratch}, slot))
        lb = dict(_leaves({k: v for k, v in sb.get(slot, {}).items() if k not in scratch}, slot))
        if la.keys() != lb.keys():
            return f"{slot}: state names differ ({sorted(set(la) ^ set(lb))[:4]})", worst
        for name, x in la.items():
            y = lb[name]
            if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
                x, y = np.asarray(x), np.asarray(y)
                if x.shape != y.shape:
                    return f"{name}: shapes {x.shape} and {y.shape}", worst
                if x.dtype.kind in "fc":
                    diff = np.abs(x - y)
                    if x.size:
                        scale = np.maximum(np.abs(x), np.abs(y))
                        rel = np.where(scale > 0, diff / np.where(scale > 0, scale, 1.0), 0.0)
                        worst = max(worst, float(np.nanmax(rel)))
                    if not np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True):
                        i = np.unravel_index(int(np.nanargmax(diff - rtol * np.abs(y))), x.shape)
                        return f"{name}{list(i)}: {x[i]!r} vs {y[i]!r}", worst
                elif not np.array_equal(x, y):
                    return f"{name}: {x.ravel()[:6]} vs {y.ravel()[:6]}", worst
            elif isinstance(x, float) and isinstance(y, float):
                if not np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=True):
                    return f"{name}: {x!r} vs {y!r}", worst
            elif x != y and not (x is None and y is None):
                return f"{name}: {x!r} vs {y!r}", worst
    return None, worst


def check_engines(
    build: Callable[[int, str], Any],
    states: Callable[[np.random.Generator, int], Any],
    n_ticks: int = 50,
    seed: int = 0,
    engines: tuple[str, str] = ("reference", "numba"),
    rtol: float = 1e-10,
    atol: float = 1e-12,
    every: int = 1,
) -> EngineReport:
    """Run one network on two engines and compare them tick by tick.

    Parameters
    ----------
    build : callable
        ``build(seed, engine) -> Network``.
    states : callable
        ``states(rng, tick) -> game state`` for each tick (``rng`` seeded from ``seed``).
    n_ticks : int
        Ticks to run, each followed by ``network.reward(state, action)`` when the
        network has a rewarder.
    seed : int
        Seed of the networks and of the state sequence.
    engines : (str, str)
        The two engines, by the network key ``engine``.
    rtol, atol : float
        Tolerance for float states; spike logs and actions must be identical.
    every : int
        Compare the states every ``every`` ticks (spike logs every tick).

    Returns
    -------
    EngineReport

    Raises
    ------
    EngineMismatch
        At the first tick where the spike logs, the actions, the rewards or a state
        differ, naming the tick, the part and the state.
    """
    nets = [build(seed, e) for e in engines]
    got = tuple(n.engine.name.split("+")[0] for n in nets)
    if got != tuple(engines):
        raise EngineMismatch(f"asked for engines {engines}, got {got}: {nets[1].schedule.engine}")
    rng = np.random.default_rng(seed)
    for n in nets:
        n.reset()
    spikes = 0
    worst = 0.0
    for tick in range(n_ticks):
        state = states(rng, tick)
        out = []
        for n in nets:
            action = n.tick(state)
            reward = n.reward(state, action) if hasattr(n, "rewarder") else None
            out.append((action, reward, n.spike_log.copy()))
        (a0, r0, l0), (a1, r1, l1) = out
        if not np.array_equal(l0, l1):
            step, neuron = np.argwhere(l0 != l1)[0]
            raise EngineMismatch(
                f"tick {tick}: spike logs differ first at network step {step}, presynaptic index {neuron} "
                f"({engines[0]}: {bool(l0[step, neuron])}, {engines[1]}: {bool(l1[step, neuron])})"
            )
        spikes += int(l0.sum())
        if not np.array_equal(np.asarray(a0), np.asarray(a1)):
            raise EngineMismatch(f"tick {tick}: actions differ ({a0!r} vs {a1!r})")
        if r0 is not None and not np.isclose(r0, r1, rtol=rtol, atol=atol):
            raise EngineMismatch(f"tick {tick}: rewards differ ({r0!r} vs {r1!r})")
        if (tick + 1) % every == 0 or tick == n_ticks - 1:
            where, rel = compare_states(nets[0], nets[1], rtol, atol)
            worst = max(worst, rel)
            if where is not None:
                raise EngineMismatch(f"tick {tick}: states differ at {where}")
    return EngineReport(n_ticks, spikes, tuple(engines), worst)
