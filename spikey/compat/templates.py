"""Templates as the original Spikey wrote them: its attribute names and built objects.

:data:`TEMPLATE_NAMES` is the one table of the original's names of template class
attributes; :func:`template_attr` is the hook that reads a template through it, and
:func:`as_template` lets a training loop take an already built network or game.
Imports nothing from spikey but the warning, so any layer may use it.
"""

from __future__ import annotations

from typing import Any

from spikey.compat._warn import deprecated
from spikey.errors import ConfigError

__all__ = ["TEMPLATE_NAMES", "template_attr", "as_template", "GivenInstance"]

#: spikey's template attribute -> the original Spikey's 2021 name of it.
TEMPLATE_NAMES = {"parts": "_template_parts", "keys": "config"}


def template_attr(cls: type, name: str) -> dict:
    """A template's class attribute ``name`` (``"parts"`` or ``"keys"``), as a new dict.

    The original Spikey's 2021 spelling (``_template_parts`` / ``config``, see
    :data:`TEMPLATE_NAMES`) is read too: the dict defined lowest in the class hierarchy
    wins, and where one class defines both spellings they are merged (``name`` over
    the old one).

    Examples
    --------
    >>> from spikey.compat.templates import template_attr
    >>> class Old:
    ...     config = {"n_neurons": 3}
    >>> class New(Old):
    ...     keys = {"n_inputs": 2}
    >>> template_attr(Old, "keys"), template_attr(New, "keys")
    ({'n_neurons': 3}, {'n_inputs': 2})
    """
    legacy = TEMPLATE_NAMES[name]
    for klass in getattr(cls, "__mro__", (type(cls),)):
        new, old = klass.__dict__.get(name), klass.__dict__.get(legacy)
        if isinstance(new, dict) or isinstance(old, dict):
            merged = {}
            if isinstance(old, dict) and old is not new:
                deprecated(f"{klass.__name__}.{legacy}", f"{klass.__name__}.{name}", stacklevel=4)
                merged.update(old)
            merged.update(new if isinstance(new, dict) else {})
            return merged
    return {}


class GivenInstance:
    """A template that gives one already built object (a network or a game) at every call.

    The original Spikey's training loops took ``GenericLoop(network, game, ...)`` with
    instances as well as classes; the object is bound to the run's callback and used as
    it is (the same object each run, so a network keeps what it learned).
    """

    def __init__(self, obj: Any):
        self.obj = obj
        self.__name__ = type(obj).__name__

    def __call__(self, callback: Any = None, **ignored: Any) -> Any:
        if callback is not None:
            try:
                self.obj.callback = callback
            except AttributeError:  # a read-only attribute: keep the object's own
                pass
        return self.obj

    def key_names(self) -> list[str]:
        """The object's key names (no overrides are passed to a built object)."""
        names = getattr(self.obj, "key_names", None)
        return list(names()) if callable(names) else []

    def __repr__(self) -> str:
        return f"GivenInstance({self.obj!r})"


def as_template(owner: str, template: Any, kind: str, methods: tuple[str, ...]) -> Any:
    """``template`` itself if it is a class or function, else a :class:`GivenInstance`.

    Parameters
    ----------
    owner : str
        Who asks (for messages).
    template : class, function or object
        The template, or an already built object.
    kind : str
        ``"network"`` or ``"game"`` (for messages).
    methods : tuple of str
        Methods a built object must have (e.g. ``("tick",)`` for a network).

    Raises
    ------
    ConfigError
        For an object that is neither a class nor a built ``kind``.

    Examples
    --------
    >>> from spikey.compat.templates import as_template
    >>> as_template("GenericLoop", dict, "game", ("step",)) is dict
    True
    """
    if isinstance(template, type) or callable(template):
        return template
    if not all(callable(getattr(template, m, None)) for m in methods):
        raise ConfigError(
            f"{owner}: expected a {kind} class (or a built {kind}, with {', '.join(methods)}); "
            f"got {template!r}."
        )
    name = type(template).__name__
    deprecated(
        f"{owner}({name.lower()}_instance, ...)",
        f"{owner}({name}, ...) with its keys as overrides",
        stacklevel=4,
    )
    return GivenInstance(template)
