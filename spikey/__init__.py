"""spikey: spiking neural networks trained with reinforcement learning.

Short aliases of the part families and networks::

    spikey.neuron, spikey.synapse, spikey.input, spikey.weight,
    spikey.readout, spikey.reward, spikey.modifier, spikey.network
"""

from spikey import core, games, module
from spikey.errors import ConfigError, MissingKeyError, ShapeError, SpikeyError
from spikey.module import REQUIRED, Key, Module
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

__version__ = "0.1.0"

#: The original Spikey's name for :mod:`spikey.games`.
RL = games

__all__ = [
    "__version__",
    "module",
    "core",
    "games",
    "RL",
    "Key",
    "Module",
    "REQUIRED",
    "SpikeyError",
    "ConfigError",
    "MissingKeyError",
    "ShapeError",
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
]
