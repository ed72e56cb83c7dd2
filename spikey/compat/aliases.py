"""The original Spikey's module paths, as aliases of spikey's modules.

:func:`alias_modules` (run once by ``import spikey``) makes ``spikey.<family>``
(``neuron``, ``synapse``, ``input``, ``weight``, ``readout``, ``reward``, ``modifier``,
``network``) and their modules real import paths pointing at ``spikey.snn.<family>``
(``from spikey.neuron.template import Neuron``), ``spikey.RL`` and ``spikey.RL.<module>``
the game modules, ``spikey.games.Logic`` / ``spikey.RL.Logic`` (the original's module
names of its games) and ``spikey.snn.neuron.neuron`` the Neuron template. Each alias is
the same module object, never a second copy.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

__all__ = ["alias_modules", "FAMILIES", "GAME_MODULES"]

#: Part families reachable as ``spikey.<family>``.
FAMILIES = ("neuron", "synapse", "input", "weight", "readout", "reward", "modifier", "network")
#: The original Spikey's module names of its games -> spikey's.
GAME_MODULES = {"Logic": "logic", "CartPole": "cartpole"}


def alias_modules() -> None:
    """Register the aliases in ``sys.modules`` and ``spikey.RL`` (idempotent)."""
    spikey = sys.modules["spikey"]
    games = importlib.import_module("spikey.games")
    for family in FAMILIES:
        package = importlib.import_module(f"spikey.snn.{family}")
        sys.modules[f"spikey.{family}"] = package
        for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
            sys.modules[f"spikey.{family}.{info.name}"] = importlib.import_module(
                f"spikey.snn.{family}.{info.name}"
            )
    sys.modules["spikey.RL"] = games
    spikey.RL = games
    for info in pkgutil.iter_modules(games.__path__):
        sys.modules[f"spikey.RL.{info.name}"] = importlib.import_module(f"spikey.games.{info.name}")
    for name, module in GAME_MODULES.items():
        sys.modules[f"spikey.games.{name}"] = sys.modules[f"spikey.RL.{name}"] = importlib.import_module(
            f"spikey.games.{module}"
        )
    template = importlib.import_module("spikey.snn.neuron.template")
    sys.modules["spikey.snn.neuron.neuron"] = sys.modules["spikey.neuron.neuron"] = template
    importlib.import_module("spikey.snn.neuron").neuron = template
