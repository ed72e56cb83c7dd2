"""Backends of Series and Population: where the jobs run.

- ``"single"``: :class:`SingleProcessBackend`, in this process, one job after the other.
- ``"multiprocess"``: :class:`MultiprocessBackend`, on a pool of local worker processes
  (the original Spikey's ``max_process``).
- ``"ray"``: :class:`RayBackend`, on a local Ray runtime or a cluster.

:func:`get_backend` turns a name, class or instance into a backend. Write your own
by subclassing :class:`MetaBackend` (see :mod:`spikey.meta.backends.template`).
"""

from __future__ import annotations

from typing import Any

from spikey.errors import ConfigError
from spikey.meta.backends.multiprocess import MultiprocessBackend
from spikey.meta.backends.ray import RayBackend
from spikey.meta.backends.single import SingleProcessBackend
from spikey.meta.backends.template import LOST, MetaBackend
from spikey.module import suggest

__all__ = [
    "MetaBackend",
    "SingleProcessBackend",
    "MultiprocessBackend",
    "RayBackend",
    "BACKENDS",
    "get_backend",
    "LOST",
]

#: Backend name -> class.
BACKENDS: dict[str, type[MetaBackend]] = {
    "single": SingleProcessBackend,
    "multiprocess": MultiprocessBackend,
    "ray": RayBackend,
}


def get_backend(backend: Any = "single", owner: str = "Series", **kwargs: Any) -> MetaBackend:
    """A backend from a name (``"single"``, ``"ray"``), a class or an instance.

    Parameters
    ----------
    backend : str, type or MetaBackend
        What to use; ``None`` means ``"single"``.
    owner : str
        Name used in messages.
    **kwargs
        Arguments of the backend's class (for a name or a class).

    Raises
    ------
    ConfigError
        For an unknown name or an object that is not a backend.

    Examples
    --------
    >>> from spikey.meta.backends import get_backend
    >>> get_backend("single")
    SingleProcessBackend()
    >>> get_backend("rey")
    Traceback (most recent call last):
    ...
    spikey.errors.ConfigError: Series.backend: no backend 'rey' (did you mean 'ray'?); backends are ['multiprocess', 'ray', 'single'], or give a MetaBackend instance.
    """
    if backend is None:
        backend = "single"
    if isinstance(backend, str):
        if backend not in BACKENDS:
            raise ConfigError(
                f"{owner}.backend: no backend {backend!r}{suggest(backend, BACKENDS)}; backends are "
                f"{sorted(BACKENDS)}, or give a MetaBackend instance."
            )
        return BACKENDS[backend](**kwargs)
    if isinstance(backend, type) and issubclass(backend, MetaBackend):
        return backend(**kwargs)
    if isinstance(backend, MetaBackend):
        return backend
    if callable(getattr(backend, "run", None)):
        return backend
    raise ConfigError(
        f"{owner}.backend: expected 'single', 'ray', 'multiprocess', a MetaBackend class or instance; "
        f"got {backend!r}."
    )
