"""Registry of spikey's stock networks, each with a way to build it and to feed it.

Every entry is a :class:`NetworkSpec`: ``build(seed, engine)`` returns a fresh
network and ``states(rng, tick)`` the game state of each tick. The test suite runs
:func:`spikey.testing.engines.check_engines` over every entry, so a network added
here is checked on both engines.

Examples
--------
>>> from spikey.testing.networks import STOCK_NETWORKS
>>> sorted(STOCK_NETWORKS)[:2]
['cartpole', 'coba']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["NetworkSpec", "STOCK_NETWORKS", "register_stock_network"]


@dataclass(frozen=True)
class NetworkSpec:
    """A stock network for the engine checks.

    Attributes
    ----------
    name : str
        Registry name.
    build : callable
        ``build(seed, engine) -> Network``.
    states : callable
        ``states(rng, tick) -> state``.
    n_ticks : int
        Ticks the engine check runs (a few hundred network steps at least).
    """

    name: str
    build: Callable[[int, str], Any]
    states: Callable[[np.random.Generator, int], Any]
    n_ticks: int = 20


#: name -> :class:`NetworkSpec`.
STOCK_NETWORKS: dict[str, NetworkSpec] = {}


def register_stock_network(
    name: str,
    build: Callable[[int, str], Any],
    states: Callable[[np.random.Generator, int], Any],
    n_ticks: int = 20,
) -> NetworkSpec:
    """Add (or replace) a registry entry; returns it."""
    spec = NetworkSpec(name, build, states, n_ticks)
    STOCK_NETWORKS[name] = spec
    return spec


_PATTERNS = [(0, 0), (0, 1), (1, 0), (1, 1)]


def _xor_states(rng: np.random.Generator, tick: int) -> tuple[int, int]:
    return _PATTERNS[int(rng.integers(4))]


def _xor(state: Any) -> int:
    return int(state[0]) ^ int(state[1])


def _readme_xor(seed: int, engine: str) -> Any:
    """The README's XOR network, with Spikey's LIF neurons."""
    from spikey.snn import input, neuron, readout, reward, synapse, weight
    from spikey.snn.network import RLNetwork

    return RLNetwork(
        strict=True,
        engine=engine,
        seed=seed,
        inputs=input.RateMap,
        neurons=neuron.Neuron,
        weights=weight.Random,
        synapses=synapse.MSTDPET,
        readout=readout.Threshold,
        rewarder=reward.MatchExpected,
        n_inputs=10,
        n_neurons=20,
        n_outputs=4,
        processing_time=50,
        magnitude=1.0,
        firing_threshold=2.0,
        potential_decay=0.2,
        refractory_period=2,
        prob_rand_fire=0.02,
        state_rate_map=[0.0, 0.3],
        density=0.5,
        learning_rate=0.1,
        action_threshold=0.1,
        expected_value=_xor,
        spike_delay=1,
    )


def _xor_rate(seed: int, engine: str) -> Any:
    from spikey.experiments import florian_rate

    return florian_rate.network_template(seed=seed, engine=engine, strict=True)


def _xor_temporal(seed: int, engine: str) -> Any:
    from spikey.experiments import florian_temporal

    return florian_temporal.network_template(seed=seed, engine=engine, strict=True)


def _cartpole(seed: int, engine: str) -> Any:
    from spikey.experiments import cartpole

    return cartpole.network_template(seed=seed, engine=engine, strict=True)


def _cartpole_states(rng: np.random.Generator, tick: int) -> np.ndarray:
    return rng.uniform([-2.4, -2.0, -0.21, -2.0], [2.4, 2.0, 0.21, 2.0])


register_stock_network("readme-xor", _readme_xor, _xor_states, n_ticks=40)
register_stock_network("xor-rate", _xor_rate, _xor_states, n_ticks=12)
register_stock_network("xor-temporal", _xor_temporal, _xor_states, n_ticks=12)
register_stock_network("cartpole", _cartpole, _cartpole_states, n_ticks=40)


def _izhikevich_2003(seed: int, engine: str) -> Any:
    """A 200-neuron version of Izhikevich's (2003) net.m network (populations, noise)."""
    from spikey.snn.neuron import Izhikevich
    from spikey.snn.populations import Population, PopulationNetwork, Projection
    from spikey.snn.synapse import Synapse

    ne, ni = 160, 40
    rng = np.random.default_rng(seed)
    re, ri = rng.random(ne), rng.random(ni)
    return PopulationNetwork(
        populations=[
            Population("exc", ne, Izhikevich, a=0.02, b=0.2, c=-65 + 15 * re**2, d=8 - 6 * re**2, noise=5.0),
            Population(
                "inh",
                ni,
                Izhikevich,
                a=0.02 + 0.08 * ri,
                b=0.25 - 0.05 * ri,
                c=-65.0,
                d=2.0,
                inhibitory=True,
                noise=2.0,
            ),
        ],
        projections=[
            Projection("exc", ["exc", "inh"], weight=lambda r, shape: 2.5 * r.random(shape)),
            Projection("inh", ["exc", "inh"], weight=lambda r, shape: 5.0 * r.random(shape)),
        ],
        synapses=Synapse,
        processing_time=100,
        seed=seed,
        engine=engine,
    )


def _coba(seed: int, engine: str) -> Any:
    """A 400-neuron COBA network (conductance LIF), 20 ms per tick."""
    from spikey.experiments import coba

    return coba.network(seed=seed, n_neurons=400, processing_time=200, engine=engine)


def _no_state(rng: np.random.Generator, tick: int) -> None:
    return None


register_stock_network("izhikevich-2003", _izhikevich_2003, _no_state, n_ticks=10)
register_stock_network("coba", _coba, _no_state, n_ticks=10)
