"""Spiking neural network parts and networks.

``spikey.snn.neuron``, ``.synapse``, ``.input``, ``.weight``, ``.readout``, ``.reward``,
``.modifier`` hold the part families (each a ``template`` plus stock parts);
``spikey.snn.network`` the networks.
"""

from spikey.snn import input, modifier, network, neuron, readout, reward, synapse, weight
from spikey.snn.network import ActiveRLNetwork, ContinuousRLNetwork, Network, RLNetwork
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
]
