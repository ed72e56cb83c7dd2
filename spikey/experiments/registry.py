"""The experiment registry: one protocol, ``register`` / ``make``, read by ``spikey run`` and ``spikey list``.

An :class:`Experiment` declares its settings as :class:`~spikey.module.Key` objects
(``OPTIONS``: name, meaning, type, default), validated when it is made; ``run`` trains,
evaluates and writes the output, returning the results. Entries are registered by
name, as in Gymnasium's ``register`` / ``make``::

    from spikey.experiments.registry import register, make
    register("my-task", "my_package.tasks:MyExperiment", "what it does")
    exp = make("my-task", n_generations=10)
    results = exp.run(seed=0, out="log")

Two kinds of entry exist:

- an :class:`Experiment` subclass (``cartpole-es``, ``diehl-cook``, ...), made with
  :func:`make`;
- a *loop module* (``xor``, ``xor-temporal``, ``cartpole``): a module with
  ``network_template``, ``game_template`` and ``training_params``, run by the CLI's
  training-loop path (:func:`spikey.cli.run_experiment`).

:func:`show_config` prints an experiment's options and defaults (``spikey run NAME
--show-config``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from spikey.errors import ConfigError
from spikey.module import Key, describe_value, suggest

__all__ = ["Experiment", "ExperimentSpec", "register", "make", "registry", "spec", "show_config"]


class Experiment:
    """An experiment ``spikey run`` can run (the protocol; subclass it).

    Subclasses set ``OPTIONS`` (a list of :class:`~spikey.module.Key`) and implement
    :meth:`build`, :meth:`train` and :meth:`evaluate`; :meth:`run` calls them in order
    and returns the results. Options are validated at construction: an unknown name or
    a bad value raises :class:`~spikey.errors.ConfigError` naming the experiment and the
    key, before any work.

    Parameters
    ----------
    **options
        Values for ``OPTIONS`` (the others keep their defaults).

    Attributes
    ----------
    config : dict
        Every option's value.
    """

    #: Registered name (set by :func:`make`).
    name: str = "experiment"
    #: The experiment's settings.
    OPTIONS: ClassVar[list[Key]] = []

    def __init__(self, **options: Any):
        known = {k.name: k for k in self.OPTIONS}
        for key in options:
            if key not in known:
                raise ConfigError(
                    f"{self.name}: no option {key!r}{suggest(key, known)}; options are {sorted(known)} "
                    f"(spikey run {self.name} --show-config)."
                )
        config: dict[str, Any] = {}
        for k in self.OPTIONS:
            value = options.get(k.name, k.default)
            config[k.name] = k.validate(value, owner=self.name)
        self.config = config

    def build(self) -> None:
        """Check everything that can be checked before work (spaces, parts); build what is needed."""

    def train(self, seed: int, out: str, progress: bool | None = None) -> dict[str, Any]:
        """Train; return results (scalars)."""
        raise NotImplementedError(f"{type(self).__name__} must implement train().")

    def evaluate(self, seed: int) -> dict[str, Any]:
        """Evaluate the trained agent with learning frozen; return results (scalars)."""
        return {}

    def run(
        self, seed: int = 0, out: str = "log", progress: bool | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """``build``, ``train``, ``evaluate``; return the merged results."""
        self.build()
        results = dict(self.train(seed, out, progress))
        results.update(self.evaluate(seed))
        return results

    def summary_rows(self, results: dict[str, Any]) -> list[tuple[str, str]]:
        """Rows of the summary table printed by ``spikey run``."""
        return [(k.replace("_", " "), _fmt(v)) for k, v in results.items() if not isinstance(v, (list, dict))]


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@dataclass(frozen=True)
class ExperimentSpec:
    """A registry entry.

    Attributes
    ----------
    name : str
        What ``spikey run`` takes.
    entry_point : str
        ``"module:Class"`` (an :class:`Experiment` subclass) or ``"module"`` (a loop module).
    description : str
        One line for ``spikey list``.
    kwargs : dict
        Options the entry fixes (e.g. the task of a shared class).
    """

    name: str
    entry_point: str
    description: str = ""
    kwargs: tuple = ()

    @property
    def is_loop_module(self) -> bool:
        """Whether the entry is a loop module (run by the CLI's training-loop path)."""
        return ":" not in self.entry_point

    @property
    def module(self) -> str:
        """The module the entry lives in."""
        return self.entry_point.split(":", 1)[0]

    def load(self) -> Any:
        """The entry's module (loop module) or class."""
        module = importlib.import_module(self.module)
        if self.is_loop_module:
            return module
        return getattr(module, self.entry_point.split(":", 1)[1])


_REGISTRY: dict[str, ExperimentSpec] = {}


def register(name: str, entry_point: str | Callable, description: str = "", **kwargs: Any) -> None:
    """Register an experiment under ``name``.

    Parameters
    ----------
    name : str
        The name ``spikey run`` takes (re-registering replaces the entry).
    entry_point : str or type
        ``"module:Class"`` (an :class:`Experiment` subclass), ``"module"`` (a loop
        module), or the class itself.
    description : str
        One line for ``spikey list``.
    **kwargs
        Options fixed for this entry (passed to the class with the user's options).
    """
    if isinstance(entry_point, type):
        entry_point = f"{entry_point.__module__}:{entry_point.__qualname__}"
    if not isinstance(entry_point, str) or not entry_point:
        raise ConfigError(
            f"register({name!r}): expected 'module:Class', 'module' or a class; got {entry_point!r}."
        )
    _REGISTRY[str(name)] = ExperimentSpec(str(name), entry_point, description, tuple(sorted(kwargs.items())))


def registry() -> dict[str, ExperimentSpec]:
    """Every registered entry, by name."""
    return dict(_REGISTRY)


def spec(name: str) -> ExperimentSpec:
    """The entry called ``name``.

    Raises
    ------
    ConfigError
        For an unknown name (with a did-you-mean).
    """
    if name not in _REGISTRY:
        raise ConfigError(
            f"no experiment {name!r}{suggest(name, _REGISTRY)}; experiments are {sorted(_REGISTRY)} (spikey list)."
        )
    return _REGISTRY[name]


def make(name: str, **options: Any) -> Experiment:
    """An instance of the experiment called ``name`` with ``options``.

    Raises
    ------
    ConfigError
        Unknown name, a loop module (run those with ``spikey run``), or a bad option.
    """
    entry = spec(name)
    if entry.is_loop_module:
        raise ConfigError(
            f"{name}: a training-loop module ({entry.module}); run it with spikey run {name} or "
            "spikey.cli.run_experiment."
        )
    cls = entry.load()
    fixed = dict(entry.kwargs)
    clash = sorted(set(fixed) & set(options))
    if clash:
        raise ConfigError(f"{name}: option {clash[0]!r} is fixed by this entry ({fixed[clash[0]]!r}).")
    exp = cls.__new__(cls)
    exp.name = name
    cls.__init__(exp, **fixed, **options)
    return exp


def show_config(name: str) -> list[tuple[str, str, str]]:
    """``(option, default, description)`` of every option of experiment ``name``.

    A loop module's options are its ``training_params`` and its network's keys.
    """
    entry = spec(name)
    target = entry.load()
    rows = []
    if entry.is_loop_module:
        for k, v in target.training_params.items():
            rows.append((k, describe_value(v), "training loop"))
        for k, v in getattr(target.network_template, "keys", {}).items():
            rows.append((k, describe_value(v), "network key"))
        return rows
    fixed = dict(entry.kwargs)
    for k in target.OPTIONS:
        default = fixed.get(k.name, k.default)
        note = " (fixed by this entry)" if k.name in fixed else ""
        rows.append((k.name, describe_value(default), k.description + note))
    return rows
