"""Spiking neural network parts and networks.

``spikey.snn.neuron``, ``.synapse``, ``.input``, ``.weight``, ``.readout``, ``.reward``,
``.modifier`` hold the part families (each a ``template`` plus stock parts);
``spikey.snn.network`` the networks, ``spikey.snn.populations`` networks of named
populations and projections, ``spikey.snn.monitor`` per-step recording.
"""

from spikey.snn import (
    input,
    modifier,
    monitor,
    network,
    neuron,
    populations,
    readout,
    reward,
    synapse,
    weight,
)
from spikey.snn.monitor import Monitor
from spikey.snn.network import ActiveRLNetwork, ContinuousRLNetwork, Network, RLNetwork
from spikey.snn.populations import Population, PopulationNetwork, Projection
from spikey.snn.registry import register_part

__all__ = [
    "input",
    "modifier",
    "network",
    "neuron",
    "readout",
    "reward",
    "synapse",
    "weight",
    "Network",
    "RLNetwork",
    "ActiveRLNetwork",
    "ContinuousRLNetwork",
    "register_part",
    "monitor",
    "populations",
    "Monitor",
    "Population",
    "PopulationNetwork",
    "Projection",
]
