"""Names that a saved network may refer to: spikey's own objects and registered ones.

A class or function named in a file (``"module:qualname"``) is turned into an object
only if

- it was registered with :func:`register_part` (looked up by its exact import path,
  or by its qualname), or
- it is a class or function *defined* in spikey: the module is ``spikey`` or a
  ``spikey.*`` submodule (an identifier path, never ``__main__`` or a private
  component), the object is found in that module's own namespace and, for nested
  names, in the namespace of a spikey class (never by ``getattr`` through a foreign
  object or a module), and the object's own ``__module__`` is inside spikey.

Everything else (``os.system`` reached through a spikey module's globals, a function
imported into spikey from another package, a module, an instance) resolves to None.
:func:`resolve` never calls what it finds; callers check the expected family
(:func:`resolve` with ``expected=``) before using it.

A key's *value* (a callable key such as ``expected_value`` or ``state_cost``) is held
to a narrower rule, :func:`resolve_value`: a registered object, a spikey function
marked with :func:`key_function` (the stock logic gates, the experiments' weight and
cost functions), or a spikey :class:`~spikey.module.Module` class (whose ``__init__``
only validates and stores). Any other spikey function (``spikey.cli:main``, ...)
resolves to None, so a snapshot cannot make ``reward()`` call it.

Limits: resolving may import a spikey submodule that was not imported yet (spikey's
own code, which has no import-time side effects besides ``spikey.__main__``, which is
never imported). A registered object is trusted as the user registered it.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
from typing import Any

from spikey.errors import ConfigError
from spikey.module import Module

__all__ = [
    "register_part",
    "import_path",
    "resolve",
    "resolve_value",
    "key_function",
    "registered",
    "is_spikey_object",
]

_REGISTRY: dict[str, Any] = {}
_KEY_FUNCTIONS: dict[str, Any] = {}
_MODULE_RE = re.compile(r"spikey(\.[A-Za-z][A-Za-z0-9_]*)*")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def import_path(obj: Any) -> str:
    """``'module:qualname'`` of a class or function."""
    return f"{obj.__module__}:{obj.__qualname__}"


def register_part(obj: Any) -> Any:
    """Allow snapshots to refer to ``obj`` (a user part class or function).

    Usable as a decorator::

        @spikey.snn.register_part
        class MyNeuron(spikey.neuron.Neuron): ...
    """
    if not (inspect.isclass(obj) or inspect.isfunction(obj)) or not hasattr(obj, "__qualname__"):
        raise ConfigError(f"register_part: expected a class or function; got {obj!r}.")
    _REGISTRY[import_path(obj)] = obj
    _REGISTRY.setdefault(obj.__qualname__, obj)
    return obj


def key_function(fn: Any) -> Any:
    """Mark a spikey function as a value that a callable key may name in a snapshot.

    Usable as a decorator on module-level functions meant as key values (e.g. the
    logic gates for ``expected_value``). User functions are allowed with
    :func:`register_part` instead.

    Raises
    ------
    ConfigError
        If ``fn`` is not a function.
    """
    if not inspect.isfunction(fn):
        raise ConfigError(f"key_function: expected a function; got {fn!r}.")
    _KEY_FUNCTIONS[import_path(fn)] = fn
    return fn


def resolve_value(path: Any) -> Any:
    """The class or function a key's value names, if it may be one (see the module docstring).

    Returns
    -------
    object or None
        A registered object, a spikey function marked with :func:`key_function`, or a
        spikey :class:`~spikey.module.Module` subclass; None for anything else
        (nothing is called).
    """
    obj = resolve(path)
    if obj is None:
        return None
    if any(v is obj for v in _REGISTRY.values()):
        return obj
    if inspect.isfunction(obj):
        return obj if _KEY_FUNCTIONS.get(import_path(obj)) is obj else None
    if inspect.isclass(obj) and issubclass(obj, Module):
        return obj
    return None


def registered() -> dict[str, Any]:
    """Copy of the registry."""
    return dict(_REGISTRY)


def _in_spikey(module: Any) -> bool:
    return isinstance(module, str) and (module == "spikey" or module.startswith("spikey."))


def is_spikey_object(obj: Any) -> bool:
    """Whether ``obj`` is a class or function whose own ``__module__`` is inside spikey."""
    if not (inspect.isclass(obj) or inspect.isfunction(obj)):
        return False
    return _in_spikey(getattr(obj, "__module__", None))


def _spikey_module(name: str) -> Any:
    """The spikey module ``name`` (imported if needed), or None."""
    if not _MODULE_RE.fullmatch(name) or any(p.startswith("_") for p in name.split(".")):
        return None
    module = sys.modules.get(name)
    if module is not None:
        return module
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _own_attr(obj: Any, name: str) -> Any:
    """``name`` from ``obj``'s own namespace (a class: its MRO's dicts), never ``getattr``."""
    if inspect.ismodule(obj):
        return vars(obj).get(name)
    if inspect.isclass(obj):
        for klass in inspect.getmro(obj):
            if name in vars(klass):
                return vars(klass)[name]
    return None


def resolve(path: Any, expected: Any = None) -> Any:
    """Return the object named ``path`` if it is spikey's or registered, else None.

    Parameters
    ----------
    path : str
        ``"module:qualname"`` as written by :func:`import_path`.
    expected : type or tuple of type, optional
        If given, the object must be a subclass of it (else None is returned).

    Returns
    -------
    object or None
        A class or function; nothing found is ever called.
    """
    if not isinstance(path, str):
        return None
    obj = _lookup(path)
    if obj is None or expected is None:
        return obj
    return obj if inspect.isclass(obj) and issubclass(obj, expected) else None


def _lookup(path: str) -> Any:
    if path in _REGISTRY:
        return _REGISTRY[path]
    module_name, sep, qualname = path.partition(":")
    if not sep or not _in_spikey(module_name):
        return _REGISTRY.get(qualname) if qualname in _REGISTRY else None
    parts = qualname.split(".")
    if not all(_NAME_RE.fullmatch(p) for p in parts) or any(p.startswith("__") for p in parts):
        return None
    obj: Any = _spikey_module(module_name)
    for i, attr in enumerate(parts):
        if obj is None:
            return None
        obj = _own_attr(obj, attr)
        # every step, not only the last, must be a spikey-defined class or function
        if not is_spikey_object(obj):
            return None
        if i < len(parts) - 1 and not inspect.isclass(obj):
            return None
    return obj
