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


def _alias_modules() -> None:
    """Make ``spikey.<family>`` real import paths (``from spikey.neuron.template import
    Neuron``, as in the original Spikey), pointing at ``spikey.snn.<family>``."""
    import importlib
    import pkgutil
    import sys

    for family in ("neuron", "synapse", "input", "weight", "readout", "reward", "modifier", "network"):
        package = importlib.import_module(f"spikey.snn.{family}")
        sys.modules[f"spikey.{family}"] = package
        for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
            sys.modules[f"spikey.{family}.{info.name}"] = importlib.import_module(
                f"spikey.snn.{family}.{info.name}"
            )
    sys.modules["spikey.RL"] = games
    # spikey.RL.<module> is spikey.games.<module> (never a second copy of the module)
    for info in pkgutil.iter_modules(games.__path__):
        sys.modules[f"spikey.RL.{info.name}"] = importlib.import_module(f"spikey.games.{info.name}")
    # the original Spikey's module names of its games (spikey/games/RL/Logic.py, ...)
    for name, mod_name in (("Logic", "logic"), ("CartPole", "cartpole")):
        sys.modules[f"spikey.games.{name}"] = sys.modules[f"spikey.RL.{name}"] = importlib.import_module(
            f"spikey.games.{mod_name}"
        )
    # the original Spikey's module of the Neuron template
    from spikey.snn import neuron as _neuron_family
    from spikey.snn.neuron import template as _neuron_template

    sys.modules["spikey.snn.neuron.neuron"] = _neuron_template
    sys.modules["spikey.neuron.neuron"] = _neuron_template
    _neuron_family.neuron = _neuron_template


_alias_modules()

#: The original Spikey's name for :mod:`spikey.games`.
RL = games


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
