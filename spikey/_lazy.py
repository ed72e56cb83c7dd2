"""Lazy re-exports for package ``__init__`` modules (PEP 562).

A package lists the names it re-exports and the module each lives in; a name is
imported on first access (``spikey.meta.Series``, ``from spikey.logging import
Reader``) and then cached in the package's namespace, so ``import spikey`` does not
import pandas, Ray or numba. ``dir()`` and ``__all__`` list every name.

Examples
--------
In a package's ``__init__.py``::

    from spikey._lazy import lazy_exports

    _LAZY = {"Series": "spikey.meta.series", "backends": "spikey.meta.backends"}
    __getattr__, __dir__ = lazy_exports(__name__, _LAZY)
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module-level ``__getattr__`` and ``__dir__`` for ``package``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : mapping of str to str
        Public name -> module that defines it. A name equal to the module's last
        component (``"backends": "spikey.meta.backends"``) is that module itself.

    Returns
    -------
    __getattr__, __dir__ : callable
        To assign in the package's namespace.
    """
    exports = dict(exports)

    def __getattr__(name: str) -> Any:
        where = exports.get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(where)
        value = module if where.rpartition(".")[2] == name else getattr(module, name)
        setattr(sys.modules[package], name, value)  # next access: a plain attribute
        return value

    def __dir__() -> list[str]:
        namespace = vars(sys.modules[package])
        return sorted(set(namespace) | set(exports) | set(namespace.get("__all__", ())))

    return __getattr__, __dir__
