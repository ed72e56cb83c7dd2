"""What a part gives the compiled engine: kernels (numba functions) and their data.

A part that can run on the compiled engine defines ``_numba_kernel(self, n_steps, network, state)``, which
returns a :class:`PartKernel`: the part's step functions (module-level functions
decorated with :func:`kernel`, written next to the part's Python step in the same
module), the parameters they read and the state arrays they change in place. The
engine (:mod:`spikey.snn.engine.compiled`) composes the kernels of a network's parts
into one compiled loop per :meth:`~spikey.snn.network.Network.tick`.

Kernel signatures, by family (``P`` a tuple of parameters, ``S`` a tuple of state
arrays, ``R`` a 2-d float array of random numbers drawn in numpy for this tick, row
``t`` for network step ``t``; all arrays float64 unless said):

========== =============================================== ===================================
family     role and signature                              what it does
========== =============================================== ===================================
neurons    ``emit(P, S, R, t, out)``                       write this step's spikes (values)
neurons    ``integrate(P, S, current)``                    advance one step with the input
synapses   ``propagate(P, S, R, t, spikes, current)``      add the synaptic input to current
synapses   ``learn(P, S, fired, polarities)``              plasticity of one step (bool fired)
synapses   ``reward(P, S, r)``                             a reward signal (r != 0)
rewarders  ``step(P, fired_outputs) -> float``             the reward of one network step
========== =============================================== ===================================

Inputs do not depend on the network's state, so an input's kernel is a vectorised
numpy method, ``_emit_block(n_steps)``, which returns the whole tick's input spikes
``(n_steps, n_inputs)`` at once; readouts run once per tick on the spike log, as on
the reference engine.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from spikey.errors import CacheWarning
from spikey.snn.engine import cache as _cache

__all__ = [
    "kernel",
    "helper",
    "PartKernel",
    "NO_RANDOM",
    "noop_learn",
    "noop_reward",
    "kernel_owner",
    "checked",
    "at",
    "scalar_or_array",
    "SPIKE_BLOCK",
    "block_silent",
]

#: The random block of a kernel that draws nothing.
NO_RANDOM = np.zeros((0, 0))


class kernel:
    """Mark a module-level function as a compiled-engine kernel.

    The function stays plain Python (call it directly to debug or test it); the
    numba dispatcher is made on first use of :attr:`dispatcher` and compiled with
    ``cache=True``, so numba is imported only when a network runs compiled.

    Parameters
    ----------
    fn : callable
        The kernel, written in the subset of Python and numpy that numba compiles.
    """

    #: Extra options of ``numba.njit``.
    OPTIONS: dict[str, Any] = {}

    def __init__(self, fn: Callable):
        self.py_func = fn
        self._dispatcher: Any = None
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any) -> Any:
        return self.py_func(*args)

    @property
    def dispatcher(self) -> Any:
        """The numba dispatcher (``njit(cache=True)``) of the function."""
        if self._dispatcher is None:
            import numba

            caching = _cache.configure_numba()
            try:
                dispatcher = numba.njit(cache=caching, nogil=True, **self.OPTIONS)(self.py_func)
            except RuntimeError as e:  # numba found no folder for this function's cache
                if not caching:
                    raise
                warnings.warn(
                    f"spikey: cannot cache {self!r} ({e}); compiling it without a cache.",
                    CacheWarning,
                    stacklevel=2,
                )
                dispatcher = numba.njit(cache=False, nogil=True, **self.OPTIONS)(self.py_func)
            self._dispatcher = _cache.guard(dispatcher)
        return self._dispatcher

    @property
    def _numba_type_(self) -> Any:
        """numba's type of the kernel: lets one kernel call another (a helper) by name."""
        from numba.core import types

        return types.Dispatcher(self.dispatcher)

    def __repr__(self) -> str:
        return f"kernel({self.py_func.__module__}.{self.py_func.__qualname__})"


class helper(kernel):
    """A kernel's helper function: inlined into the kernels that call it by name
    (numba ``inline='always'``), so a call per row or per neuron costs nothing."""

    OPTIONS = {"inline": "always"}


@helper
def at(values, i):  # noqa: ANN001, ANN201 - kernel helper
    """``values[i]`` for an array of per-neuron values, ``values`` itself for a float.

    Kernels read per-neuron parameters through it, so one kernel serves both: numba
    compiles a version per argument type (the ``isinstance`` test is resolved at
    compile time), and a uniform parameter passed as a float
    (:func:`scalar_or_array`) costs no memory traffic and lets the loop vectorise.
    """
    if isinstance(values, float):
        return values
    return values[i]


#: Presynaptic neurons per block of the spike scans (:func:`block_silent`): a block
#: without a spike is skipped after one vectorised test (most blocks, in a network of
#: thousands of neurons firing at tens of Hz with steps of 0.1 ms).
SPIKE_BLOCK = 64


@helper
def block_silent(spikes, b):  # noqa: ANN001, ANN201 - kernel helper
    """Whether the ``b``-th whole block of :data:`SPIKE_BLOCK` values of ``spikes`` is
    all zero.

    A count without branches over a fixed number of values, which numba unrolls into a
    few vector compares (a block given as a slice of variable length measured three
    times slower). Indices are not checked: the block must lie inside ``spikes``.

    Parameters
    ----------
    spikes : ndarray
        1-d float array of the presynaptic spikes of a step (zero: no spike).
    b : int
        Index of a whole block, ``0 <= b < len(spikes) // SPIKE_BLOCK``.

    Returns
    -------
    bool
        True when ``spikes[b * SPIKE_BLOCK : (b + 1) * SPIKE_BLOCK]`` holds no spike.

    Examples
    --------
    The scan of the propagation kernels; the last, partial block is read value by
    value::

        full = n // SPIKE_BLOCK
        for b in range(full + 1):
            if b < full and block_silent(spikes, b):
                continue
            for i in range(b * SPIKE_BLOCK, min((b + 1) * SPIKE_BLOCK, n)):
                ...  # spikes[i], zero or not

    >>> import numpy as np
    >>> spikes = np.zeros(2 * SPIKE_BLOCK)
    >>> spikes[SPIKE_BLOCK] = 1.0
    >>> bool(block_silent(spikes, 0)), bool(block_silent(spikes, 1))
    (True, False)
    """
    base = np.uint64(b) * np.uint64(SPIKE_BLOCK)
    count = 0
    for q in range(np.uint64(SPIKE_BLOCK)):
        count += spikes[base + q] != 0.0
    return count == 0


def scalar_or_array(value: Any, n: int) -> float | np.ndarray:
    """A parameter for a kernel: a float when it is one value for all ``n`` neurons
    (a 0-d value), else a C-contiguous float64 array of shape ``(n,)`` (read with
    :func:`at`)."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return float(arr)
    return np.ascontiguousarray(np.broadcast_to(arr, (n,)))


@dataclass
class PartKernel:
    """A part's kernels and their data for one tick.

    Attributes
    ----------
    funcs : dict
        Role (``"emit"``, ``"integrate"``, ``"propagate"``, ``"learn"``, ``"reward"``,
        ``"step"``) -> :class:`kernel`.
    params : tuple
        Read-only values (floats, ints, bools, arrays).
    state : tuple
        Arrays the kernels change in place (the part's own state arrays, or arrays
        that ``finish`` copies back).
    random : ndarray
        2-d random block for the tick (:data:`NO_RANDOM` when none).
    finish : callable, optional
        Called after the compiled loop: write scalar state back to the part.
    """

    funcs: dict[str, kernel]
    params: tuple = ()
    state: tuple = ()
    random: np.ndarray = field(default_factory=lambda: NO_RANDOM)
    finish: Callable[[], None] | None = None


def checked(
    part: Any, name: str, shape: tuple[int, ...], dtype: Any = np.float64, value: Any = None
) -> np.ndarray:
    """``part.<name>`` (or ``value``), checked to be a C-contiguous array of ``shape`` and
    ``dtype`` before a kernel indexes it (kernels do not check bounds).

    Raises
    ------
    ShapeError
        Naming the part, the attribute, what it is and what was expected.
    """
    from spikey.errors import ShapeError

    arr = getattr(part, name) if value is None else value
    dtype = np.dtype(dtype)
    if (
        not isinstance(arr, np.ndarray)
        or arr.shape != tuple(shape)
        or arr.dtype != dtype
        or not arr.flags.c_contiguous
        or not arr.flags.writeable
    ):
        got = (
            f"{type(arr).__name__} of shape {arr.shape}, dtype {arr.dtype}"
            if isinstance(arr, np.ndarray)
            else f"{arr!r} ({type(arr).__name__})"
        )
        raise ShapeError(
            f"{type(part).__name__}.{name}: expected a writeable C-contiguous {dtype} array of shape "
            f"{tuple(shape)} for the compiled engine; got {got}."
        )
    return arr


@kernel
def noop_learn(P, S, fired, polarities):  # noqa: N803 - kernel signature
    """Learning rule of static synapses: nothing."""
    return


@kernel
def noop_reward(P, S, r):  # noqa: N803 - kernel signature
    """Reward of non reward-modulated synapses: nothing."""
    return


def kernel_owner(part_type: type) -> tuple[type | None, str | None]:
    """The class that provides a part's kernel, and the step method that a more
    derived class overrides (which makes that kernel wrong for the part), if any.

    A template lists in ``KERNEL_PROVIDERS`` the methods through which a class gives
    its kernel (``_numba_kernel``; inputs also ``_fire_block``) and in ``KERNEL_REPLACES``
    the Python step methods a kernel stands in for. The most derived class that
    defines a provider is the kernel's owner; a class more derived than the owner
    that defines one of the step methods (a user subclass changing the dynamics)
    makes the part run on the reference engine.

    Returns
    -------
    (owner, overridden)
        ``owner`` is None when no class has a kernel. ``overridden`` names the first
        overridden step method as ``"Class.method"``, else None.
    """
    mro = part_type.__mro__
    providers = getattr(part_type, "KERNEL_PROVIDERS", ("_numba_kernel",))
    owner_at = next((i for i, k in enumerate(mro) if any(p in k.__dict__ for p in providers)), None)
    if owner_at is None:
        return None, None
    for name in getattr(part_type, "KERNEL_REPLACES", ()):
        definer_at = next((i for i, k in enumerate(mro) if name in k.__dict__), None)
        if definer_at is not None and definer_at < owner_at:
            return mro[owner_at], f"{mro[definer_at].__name__}.{name}"
    return mro[owner_at], None
