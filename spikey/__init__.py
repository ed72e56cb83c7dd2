"""spikey: spiking neural networks trained with reinforcement learning.

Short aliases of the part families and networks::

    spikey.neuron, spikey.synapse, spikey.input, spikey.weight,
    spikey.readout, spikey.reward, spikey.modifier, spikey.network

``spikey.core``, ``spikey.logging``, ``spikey.meta``, ``spikey.MetaRL`` and ``spikey.viz``
are imported on first use (PEP 562), so ``import spikey`` does not import pandas, Ray or
numba; matplotlib is imported only when a plot is drawn.
"""

from spikey import games, module
from spikey._lazy import lazy_exports
from spikey.compat.aliases import alias_modules
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


alias_modules()  # the original Spikey's module paths (spikey.neuron, spikey.RL, ...)


_LAZY = {name: f"spikey.{name}" for name in ("core", "logging", "meta", "MetaRL", "viz")}
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)


__all__ = [
    "__version__",
    "module",
    "core",
    "games",
    "logging",
    "meta",
    "viz",
    "RL",
    "MetaRL",
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
