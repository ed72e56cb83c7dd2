"""Names that a saved network may refer to: spikey's own objects and registered ones.

Loading a snapshot never imports arbitrary modules: a class or function named in a
file is resolved only if it lives in ``spikey`` or was registered here.
"""

from __future__ import annotations

import importlib
from typing import Any

from spikey.errors import ConfigError

__all__ = ["register_part", "import_path", "resolve", "registered"]

_REGISTRY: dict[str, Any] = {}


def import_path(obj: Any) -> str:
    """``'module:qualname'`` of a class or function."""
    return f"{obj.__module__}:{obj.__qualname__}"


def register_part(obj: Any) -> Any:
    """Allow snapshots to refer to ``obj`` (a user part class or function).

    Usable as a decorator::

        @spikey.snn.register_part
        class MyNeuron(spikey.neuron.Neuron): ...
    """
    if not hasattr(obj, "__qualname__"):
        raise ConfigError(f"register_part: expected a class or function; got {obj!r}.")
    _REGISTRY[import_path(obj)] = obj
    _REGISTRY.setdefault(obj.__qualname__, obj)
    return obj


def registered() -> dict[str, Any]:
    """Copy of the registry."""
    return dict(_REGISTRY)


def resolve(path: str) -> Any:
    """Return the object named ``path`` if it is spikey's or registered, else None."""
    if path in _REGISTRY:
        return _REGISTRY[path]
    module, _, qualname = path.partition(":")
    if module != "spikey" and not module.startswith("spikey."):
        return _REGISTRY.get(qualname) if qualname in _REGISTRY else None
    try:
        obj: Any = importlib.import_module(module)
    except ImportError:
        return None
    for attr in qualname.split("."):
        obj = getattr(obj, attr, None)
        if obj is None:
            return None
    return obj
