"""Modifier template: changes one key of a network part during training.

A modifier is given to a network as an instance, in ``parts["modifiers"]``. At
construction the network attaches it (checking that the target exists), then calls
``modifier.update(network)`` once per game step (``network.tick``) while training.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Key, suggest
from spikey.snn.part import Part

__all__ = ["Modifier"]

_SINGULAR = {
    "synapse": "synapses",
    "neuron": "neurons",
    "input": "inputs",
    "weight": "weights",
    "reward": "rewarder",
}


def _as_key_type(owner: Any, key: str, value: Any) -> Any:
    """A schedule's float value for an int key (e.g. ``processing_time``), rounded."""
    for k in getattr(type(owner), "NECESSARY_KEYS", []):
        if getattr(k, "name", None) == key and k.type is int and isinstance(value, (float, np.floating)):
            return int(round(float(value)))
    return value


def _set_attribute(obj: Any, path: list[str], value: Any) -> None:
    """``obj.<path...> = value`` along attribute names (for objects other than spikey networks)."""
    for name in path[:-1]:
        obj = getattr(obj, name)
    setattr(obj, path[-1], value)


class Modifier(Part):
    """Sets a part's key from a schedule (template).

    Parameters
    ----------
    param : str or list of str
        Target key, e.g. ``"network.synapses.learning_rate"`` or
        ``["network", "synapses", "learning_rate"]``; singular slot names
        (``synapse``) and a leading underscore on the key are accepted. A key without
        a part, as the original Spikey wrote them (``"processing_time"``,
        ``["network", "_processing_time"]``), targets the network's own key, or else
        every part that declares it (the parts share one configuration).
    *args, **kwargs
        Further keys, positionally in the order of ``ARGS``.

    Notes
    -----
    ``time`` counts the game steps this modifier has been updated for; it survives
    ``network.reset()`` (a schedule spans the whole training) and restarts with
    :meth:`reset`.
    """

    FAMILY = "modifiers"
    RNG_STREAM = "modifiers"
    STATE = ("time",)
    #: Names of the keys that may be given positionally, in order.
    ARGS: tuple[str, ...] = ("param",)

    NECESSARY_KEYS = [
        Key("param", "Target key path, e.g. 'network.synapses.learning_rate'.", (str, list, tuple)),
    ]

    def __init__(self, *args: Any, **kwargs: Any):
        if len(args) > len(self.ARGS):
            raise ConfigError(
                f"{type(self).__name__}: expected at most {len(self.ARGS)} positional "
                f"arguments {self.ARGS}; got {len(args)}."
            )
        for name, value in zip(self.ARGS, args):
            if name in kwargs:
                raise ConfigError(f"{type(self).__name__}.{name}: given twice.")
            kwargs[name] = value
        super().__init__(**kwargs)
        path = self._param.split(".") if isinstance(self._param, str) else list(self._param)
        if path and path[0] == "network":
            path = path[1:]
        if len(path) not in (1, 2) or not all(isinstance(p, str) and p for p in path):
            raise ConfigError(
                f"{type(self).__name__}.param: expected 'network.<part>.<key>' or a key name such as "
                f"'processing_time'; got {self._param!r}."
            )
        self.param = ["network", *path]
        self.time = 0
        self._target = None

    def reset(self) -> None:
        """Restart the schedule."""
        self.time = 0

    def attach(self, network: Any) -> None:
        """Check that the target exists on ``network`` and remember it.

        Raises
        ------
        ConfigError
            Naming the missing part or key and what exists there.
        """
        slots = [s for s in network.part_names if getattr(network, s, None) is not None]
        if len(self.param) == 2:
            self._target = self._whole_network_target(network, self.param[1].lstrip("_"), slots)
            return
        slot, key = self.param[1], self.param[2].lstrip("_")
        slot = _SINGULAR.get(slot, slot) if slot not in slots else slot
        name = type(self).__name__
        if slot not in slots:
            raise ConfigError(
                f"{name}.param: network has no part {self.param[1]!r}{suggest(self.param[1], slots)}; "
                f"parts are {slots}."
            )
        part = getattr(network, slot)
        keys = part.key_names() if hasattr(part, "key_names") else []
        if key not in keys:
            raise ConfigError(
                f"{name}.param: {slot} ({type(part).__name__}) has no key {key!r}"
                f"{suggest(key, keys)}; keys are {keys}."
            )
        self._target = (slot, key)

    def _whole_network_target(self, network: Any, key: str, slots: list[str]) -> tuple:
        """Target of a key given without a part: the network's key, else every part's."""
        if key in type(network).key_names():
            return ("network", key)
        owners = tuple(
            s for s in slots if s != "modifiers" and key in getattr(getattr(network, s), "key_names", list)()
        )
        if not owners:
            known = sorted(
                set(type(network).key_names())
                | {
                    k
                    for s in slots
                    if s != "modifiers"
                    for k in getattr(getattr(network, s), "key_names", list)()
                }
            )
            raise ConfigError(
                f"{type(self).__name__}.param: no part of the network has a key {key!r}"
                f"{suggest(key, known)}; give 'network.<part>.<key>'."
            )
        return (owners, key)

    def set_param(self, network: Any, value: Any) -> None:
        """Set the target key on ``network`` to ``value`` (validated)."""
        if self._target is None and not hasattr(network, "part_names"):
            _set_attribute(network, self.param[1:], value)  # not a spikey network: the original's setattr
            return
        if self._target is None:
            self.attach(network)
        slot, key = self._target
        value = _as_key_type(
            network if slot == "network" else getattr(network, slot if isinstance(slot, str) else slot[0]),
            key,
            value,
        )
        if slot == "network":
            network.set_params(**{key: value})  # (a new processing_time: the next tick resizes the log)
            return
        for name in (slot,) if isinstance(slot, str) else slot:
            getattr(network, name).set_params(**{key: value})

    def value(self, time: int) -> Any:
        """The scheduled value at game step ``time``."""
        raise NotImplementedError(f"{type(self).__name__} must implement value().")

    def update(self, network: Any) -> None:
        """Set the target to the scheduled value, then advance one game step."""
        self.set_param(network, self.value(self.time))
        self.time += 1
