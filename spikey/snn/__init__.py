"""Spiking neural network parts and networks.

``spikey.snn.neuron``, ``.synapse``, ``.input``, ``.weight``, ``.readout``, ``.reward``,
``.modifier`` hold the part families (each a ``template`` plus stock parts);
``spikey.snn.network`` the networks, ``spikey.snn.populations`` networks of named
populations and projections, ``spikey.snn.monitor`` per-step recording.
"""

import spikey  # the original Spikey's ``from spikey.snn import *`` binds the name ``spikey`` too
from spikey._lazy import lazy_exports
from spikey.snn import (
    input,
    modifier,
    network,
    neuron,
    readout,
    reward,
    synapse,
    weight,
)
from spikey.snn.network import ActiveRLNetwork, ContinuousRLNetwork, Network, RLNetwork
from spikey.snn.registry import register_part

# imported on first use (PEP 562): networks of named populations and per-step monitors
_LAZY = {
    "monitor": "spikey.snn.monitor",
    "Monitor": "spikey.snn.monitor",
    "populations": "spikey.snn.populations",
    "Population": "spikey.snn.populations",
    "PopulationNetwork": "spikey.snn.populations",
    "Projection": "spikey.snn.populations",
}
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "spikey",
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
