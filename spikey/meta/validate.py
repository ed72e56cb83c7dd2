"""Check a job's configuration in the driver, before any job is sent anywhere.

A job's parameters are overrides of a training loop (see
:class:`spikey.core.TrainingLoop`): each must be a key of the loop, the callback, the
game or the network and its parts (a part slot such as ``synapses`` may be replaced by
another part class, whose keys then count too). Every value is validated with every
:class:`~spikey.module.Key` of that name; then the network and the game are built once
per distinct configuration (:meth:`~spikey.core.TrainingLoop.check`), which catches
what only construction can tell (shapes, parts that do not fit, trackers).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from spikey.compat.templates import template_attr
from spikey.errors import ConfigError, SpikeyError, UnclaimedKeyWarning
from spikey.module import describe_value, suggest

__all__ = ["KeyIndex", "describe_params", "check_build"]


def describe_params(params: Mapping[str, Any], limit: int = 90) -> str:
    """``a=1, b='x'`` for messages (shortened)."""
    text = ", ".join(f"{k}={describe_value(v, 30)}" for k, v in params.items())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _keys_of(cls: Any, attr: str = "NECESSARY_KEYS") -> list:
    keys = getattr(cls, attr, None)
    return [k for k in keys if hasattr(k, "validate")] if isinstance(keys, (list, tuple)) else []


class KeyIndex:
    """Which key names the parts of a training loop claim, and their :class:`Key` objects.

    Parameters
    ----------
    loop_class : type
        The training loop class.
    network_template, game_template : type
        The templates.
    callback : object or type, optional
        The callback (its keys are claimed when it is a :class:`~spikey.module.Module`).
    """

    def __init__(self, loop_class: type, network_template: type, game_template: Any, callback: Any = None):
        self.network_template = network_template
        self.owners: list[tuple[str, list]] = [(loop_class.__name__, _keys_of(loop_class))]
        cb_cls = callback if isinstance(callback, type) else type(callback)
        if callback is not None and _keys_of(cb_cls):
            self.owners.append((cb_cls.__name__, _keys_of(cb_cls)))
        self.open_game = not callable(getattr(game_template, "key_names", None))
        if not self.open_game:
            self.owners.append((game_template.__name__, _keys_of(game_template)))
        self.game_extra = {"preset"}
        self.open_network = not _keys_of(network_template)
        self.slots = [k.name for k in _keys_of(network_template, "NECESSARY_PARTS")]
        self.template_parts = (
            template_attr(network_template, "parts")
            if isinstance(network_template, type)
            else dict(getattr(network_template, "parts", None) or {})
        )

    def _owners_for(self, params: Mapping[str, Any]) -> list[tuple[str, list]]:
        return self._entry(params)[0]

    def _entry(self, params: Mapping[str, Any]) -> tuple[list, set, list]:
        """(owners, known names, owners with keys by name) for ``params``' part classes.

        Cached by the classes ``params`` puts in slots (the jobs of a Series share them).
        """
        slot_values = [params[k] for k in self.slots if k in params]
        cacheable = all(isinstance(v, type) for v in slot_values)
        sig = tuple(id(v) for v in slot_values) + tuple(k for k in self.slots if k in params)
        cache = self.__dict__.setdefault("_cache", {})
        if cacheable and sig in cache:
            return cache[sig]
        owners = self._compute_owners(params)
        known = set(self.game_extra) | set(self.slots)
        for _, keys in owners:
            known |= {k.name for k in keys}
        entry = (owners, known, [(o, {k.name: k for k in keys}) for o, keys in owners])
        if cacheable:
            if len(cache) > 1024:
                cache.clear()
            cache[sig] = entry
        return entry

    def _compute_owners(self, params: Mapping[str, Any]) -> list[tuple[str, list]]:
        owners = list(self.owners)
        if not self.open_network:
            net = self.network_template.__name__
            owners.append((net, _keys_of(self.network_template)))
            parts = dict(self.template_parts)
            parts.update({k: v for k, v in params.items() if k in self.slots})
            for slot, part in parts.items():
                if isinstance(part, type) and _keys_of(part):
                    owners.append((f"{net}.{slot} ({part.__name__})", _keys_of(part)))
        return owners

    def known(self, params: Mapping[str, Any] | None = None) -> set[str]:
        """Every name a job may set (given the part classes of ``params``)."""
        return set(self._entry(params or {})[1])

    def check(self, params: Mapping[str, Any], where: str, context: Mapping[str, Any] | None = None) -> None:
        """Raise unless every name is claimed and every value valid for every claiming key.

        Parameters
        ----------
        params : dict
            A job's overrides.
        where : str
            Prefix of error messages, e.g. ``"Series job 3 (learning_rate=-1)"``.
        context : dict, optional
            Parameters already checked (e.g. shared training params) whose part
            classes count for which names ``params`` may set; not checked again.

        Raises
        ------
        ConfigError
            Naming the job, the key, the part, the value and the expectation.
        """
        _, known, indexed = self._entry({**context, **params} if context else params)
        if not (self.open_game or self.open_network):
            for name in params:
                if name not in known:
                    raise ConfigError(
                        f"{where}: {name!r} is a key of no part of this experiment{suggest(name, known)} "
                        f"(the training loop, callback, game, network and its parts)."
                    )
        self._check_values(params, indexed, where)

    @staticmethod
    def _check_values(params: Mapping[str, Any], indexed: list, where: str) -> None:
        for owner, by_name in indexed:
            for name, value in params.items():
                key = by_name.get(name)
                if key is not None:
                    try:
                        key.validate(value, owner=owner)
                    except ConfigError as e:
                        raise ConfigError(f"{where}: {e}") from None


def check_build(loop: Any, params: Mapping[str, Any], seed: int, where: str) -> None:
    """Build the job's game and network once (nothing runs); raise a ConfigError if that fails.

    ``loop.check(seed=seed, **params)``; a key nobody claims is an error here.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UnclaimedKeyWarning)
            loop.check(seed=seed, **params)
    except (ConfigError, UnclaimedKeyWarning) as e:
        raise ConfigError(f"{where}: {e}") from None
    except (SpikeyError, ValueError, TypeError, KeyError, IndexError, AttributeError) as e:
        raise ConfigError(f"{where}: building the network and game failed: {type(e).__name__}: {e}") from e


def unique_configs(configs: Iterable[Mapping[str, Any]], key: Any) -> list[int]:
    """Indices of the first occurrence of each distinct configuration."""
    seen, out = set(), []
    for i, cfg in enumerate(configs):
        k = key(cfg)
        if k not in seen:
            seen.add(k)
            out.append(i)
    return out
