"""The compiled engine: one numba call runs all the network steps of a tick.

Each part gives its kernels (:mod:`spikey.snn.engine.kernel`); this module writes the
loop that calls them in the order of the network's schedule as a small Python module
(one per combination of kernels, named by a hash of what it calls), imports it, and
compiles it with numba's ``cache=True``: a later process, or a Ray worker, with the
same combination loads the machine code from the cache instead of compiling again.

The generated loop, for a network with a per-step reward
(:class:`~spikey.snn.network.ActiveRLNetwork`), is::

    for t in range(t0, t1):
        spikes[:n_inputs] = input_block[t]          # inputs: drawn for the tick in numpy
        emit(neuron_params, neuron_state, neuron_random, t, spikes[n_inputs:])
        spike_log[t] = spikes != 0
        current[:] = 0
        propagate(syn_params, syn_state, syn_random, t, spikes, current)
        integrate(neuron_params, neuron_state, current)
        if learning:
            learn(syn_params, syn_state, spike_log[t], polarities)
        r = step(reward_params, spike_log[t, -n_outputs:])
        if learning and r != 0:
            reward(syn_params, syn_state, r)

Random numbers come from the parts' own generators, drawn in numpy blocks before the
call in the order the reference engine draws them, so both engines give the same log.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from spikey.errors import ConfigError, EngineFallbackWarning, ShapeError
from spikey.snn.engine import cache as _cache
from spikey.snn.engine.kernel import PartKernel, kernel, kernel_owner
from spikey.snn.engine.reference import ReferenceEngine

__all__ = ["NumbaEngine", "numba_available", "kernel_plan", "select_engine", "ENGINES"]

#: Bump when the generated source changes shape (old cached modules are then unused).
_SOURCE_VERSION = 1
_STANDARD = ("emit_inputs", "emit_neurons", "record", "propagate", "learn_step")
_ROLES = {
    "neurons": ("emit", "integrate"),
    "synapses": ("propagate", "learn", "reward"),
    "rewarder": ("step",),
}
_numba_state: dict[str, Any] = {}
_lock = threading.Lock()


def numba_available() -> tuple[bool, str]:
    """Whether numba can be imported here, and why not."""
    if "ok" not in _numba_state:
        try:
            import numba  # noqa: F401
        except Exception as e:  # ImportError, or a broken llvmlite
            _numba_state.update(ok=False, why=f"numba cannot be imported ({type(e).__name__}: {e})")
        else:
            _numba_state.update(ok=True, why="")
    return _numba_state["ok"], _numba_state["why"]


# --------------------------------------------------------------------------- planning
def _slots(network: Any) -> list[str]:
    slots = ["inputs", "neurons", "synapses"]
    if _per_step_reward(network):
        slots.append("rewarder")
    return slots


def _per_step_reward(network: Any) -> bool:
    return any(e.phase == "step_reward" for e in network._schedule_entries())


def kernel_plan(network: Any) -> list[str]:
    """Why ``network`` cannot run compiled: one line per obstacle (empty: it can).

    Each line names the slot, the part's class and the reason (no kernel, or a step
    method that a subclass overrides).
    """
    why = []
    phases = tuple(e.phase for e in network._schedule_entries())
    extra = [p for p in phases if p not in _STANDARD + ("step_reward",)]
    if phases[: len(_STANDARD)] != _STANDARD or extra:
        why.append(
            f"network ({type(network).__name__}): its schedule {list(phases)} has steps the compiled "
            "engine does not know"
        )
    for slot in _slots(network):
        part = getattr(network, slot, None)
        if part is None:
            why.append(f"network.{slot}: no part")
            continue
        owner, overridden = kernel_owner(type(part))
        name = type(part).__name__
        if owner is None:
            why.append(f"network.{slot} ({name}): has no compiled kernel")
        elif overridden is not None:
            cls_name, method = overridden.split(".", 1)
            if cls_name == name and not type(part).__module__.startswith("spikey."):
                why.append(f"network.{slot} ({name}): overrides {method}(), which its kernel stands in for")
            else:
                why.append(f"network.{slot} ({name}): {overridden}() has no compiled kernel")
        elif callable(getattr(part, "kernel_obstacle", None)) and (reason := part.kernel_obstacle()):
            why.append(f"network.{slot} ({name}): {reason}")
        why.extend(_group_obstacles(slot, part))
    if _per_step_reward(network):
        from spikey.snn.network import ActiveRLNetwork

        if getattr(network, "_continuous_rwd_action", None) is not None:
            why.append("network.continuous_rwd_action: a Python function, called every step")
        if type(network).continuous_reward is not ActiveRLNetwork.continuous_reward:
            why.append(f"network ({type(network).__name__}): overrides continuous_reward()")
    return why


def select_engine(network: Any, choice: str) -> tuple[type, list[str]]:
    """The engine class for ``network`` under key ``engine=choice``, and the reasons
    the compiled engine is not used (empty when it is).

    ``"auto"`` runs compiled when numba imports and every part has a kernel; a part
    whose class overrides a step method makes it fall back with an
    :class:`~spikey.errors.EngineFallbackWarning`. ``"numba"`` raises
    :class:`~spikey.errors.ConfigError` instead of falling back.
    """
    if choice == "reference":
        return ReferenceEngine, ["engine='reference' was asked for"]
    why = kernel_plan(network)
    ok, numba_why = numba_available()
    if not ok:
        why = [numba_why] + why
    if not why:
        return NumbaEngine, []
    if choice == "numba":
        raise ConfigError(
            f"{type(network).__name__}.engine: expected every part to have a compiled kernel for "
            f"engine='numba'; got: {'; '.join(why)}. Use engine='auto' to fall back to the reference engine."
        )
    user_overrides = [w for w in why if "overrides" in w]
    if user_overrides or not ok:
        warnings.warn(
            f"{type(network).__name__}: runs on the reference engine: {'; '.join(user_overrides or why)}.",
            EngineFallbackWarning,
            stacklevel=_user_stacklevel(),
        )
    return ReferenceEngine, why


def _user_stacklevel() -> int:
    """``stacklevel`` that points a warning at the first caller outside spikey."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(root + os.sep):
        frame, level = frame.f_back, level + 1
    return level + 1


# --------------------------------------------------------------------------- codegen
_source_digests: dict[str, str] = {}


def kernel_sources_digest(modules: list[str]) -> str:
    """Hash of the source files the kernels come from: all of ``spikey.snn`` (kernels call
    helper kernels of other modules) plus any other module named. A generated module
    carries it, so that a changed kernel (an upgrade, an edit) is compiled again instead
    of running stale machine code from the cache."""
    key = "\0".join(sorted(set(modules)))
    if key not in _source_digests:
        h = hashlib.sha1()
        snn = Path(__file__).resolve().parent.parent
        files = sorted(snn.rglob("*.py"))
        for mod in sorted(set(modules)):
            if not mod.startswith("spikey."):
                spec = importlib.util.find_spec(mod)
                if spec is not None and spec.origin and os.path.exists(spec.origin):
                    files.append(Path(spec.origin))
        for f in files:
            h.update(str(f.relative_to(snn.parent) if f.is_relative_to(snn.parent) else f).encode())
            h.update(f.read_bytes())
        _source_digests[key] = h.hexdigest()[:16]
    return _source_digests[key]


def _emits_fired(emit: kernel) -> bool:
    """Whether ``emit`` is :func:`~spikey.snn.neuron.izhikevich.fired_emit` (the emit of
    the stock neuron models): the driver then writes its loop inline, fused with the
    log row and the zeroing of the current (one pass over the neurons instead of two)."""
    from spikey.snn.neuron.izhikevich import fired_emit

    return emit is fired_emit


def _driver_source(funcs: dict[str, kernel], active: bool) -> str:
    imports, binds = [], []
    for i, (role, k) in enumerate(funcs.items()):
        mod, qual = k.py_func.__module__, k.py_func.__qualname__
        if "." in qual or "<" in qual:
            raise ConfigError(f"kernel {k!r}: expected a module-level function; got {qual!r}.")
        imports.append(f"from {mod} import {qual} as _k{i}")
        binds.append(f"{role} = _k{i}.dispatcher")
    reward_lines = (
        """
        r = step(rP, row[n_pre - n_out :])
        rewards[t] = r
        total += r
        if learn and r != 0.0:
            reward_(sP, sS, r)"""
        if active
        else ""
    )
    if _emits_fired(funcs["emit"]):  # fired_emit inline: its loop is the one below
        emit_setup = "    values, fired = nP[0], nS[0]\n"
        emit_call, emit_value = "", "x = values[j] if fired[j] else 0.0\n            body[j] = x"
    else:
        emit_setup, emit_call, emit_value = "", "emit(nP, nS, nR, t, body)\n        ", "x = body[j]"
    sources = kernel_sources_digest([k.py_func.__module__ for k in funcs.values()])
    return f'''"""Generated by spikey's compiled engine (source version {_SOURCE_VERSION}): one tick.

Kernel sources {sources}. Do not edit; delete the file to have it written again.
"""

from numba import njit

{chr(10).join(imports)}

{chr(10).join(binds)}


@njit(cache=True, nogil=True)
def run(t0, t1, n_in, n_out, learn, inp, nP, nS, nR, sP, sS, sR, pol, rP, log, rewards, spikes, cur):
    n_pre = spikes.shape[0]
    n_post = cur.shape[0]
    body = spikes[n_in:]
{emit_setup}    total = 0.0
    for t in range(t0, t1):
        for i in range(n_in):
            spikes[i] = inp[t, i]
        {emit_call}row = log[t]
        for i in range(n_in):
            row[i] = spikes[i] != 0.0
        row_body = row[n_in:]
        for j in range(n_post):  # one pass: the body's log row and a zero current
            {emit_value}
            row_body[j] = x != 0.0
            cur[j] = 0.0
        propagate(sP, sS, sR, t, spikes, cur)
        integrate(nP, nS, cur)
        if learn:
            learn_(sP, sS, row, pol){reward_lines}
    return total
'''


_drivers: dict[str, Any] = {}
_drivers_by_kernels: dict[tuple, Any] = {}
_group_kernels_by_parts: dict[tuple, tuple[Any, Any]] = {}


def driver(funcs: dict[str, kernel], active: bool) -> Any:
    """The compiled tick loop for these kernels (generated, cached on disk: see
    :mod:`spikey.snn.engine.cache` for where, and what the cache trusts)."""
    key = (tuple(funcs.items()), active)  # kernels compare by identity
    run = _drivers_by_kernels.get(key)
    if run is not None:
        return run
    source = _driver_source(funcs, active)
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    if digest in _drivers:
        _drivers_by_kernels[key] = _drivers[digest]
        return _drivers[digest]
    with _lock:
        if digest not in _drivers:
            _drivers[digest] = _cache.load_generated(f"tick_{digest}", source, ("run",)).run
        _drivers_by_kernels[key] = _drivers[digest]
        return _drivers[digest]


# --------------------------------------------------------------------------- calls
def _fingerprint(x: Any) -> Any:
    """What numba's type of an argument depends on, computed cheaply: arrays by dtype,
    dimensions, layout, writeability and alignment, tuples element by element, other
    values by their class (ints also by whether they fit an int64)."""
    if isinstance(x, np.ndarray):
        f = x.flags
        return (x.dtype.str, x.ndim, f.c_contiguous, f.f_contiguous, f.writeable, f.aligned)
    if isinstance(x, tuple):
        return tuple(_fingerprint(v) for v in x)
    if isinstance(x, int) and not isinstance(x, bool):
        return (int, -(2**63) <= x < 2**63)
    if isinstance(x, np.random.Generator):
        return (np.random.Generator, type(x.bit_generator))
    return type(x)


#: (dispatcher, fingerprint of the arguments) -> the compiled entry point.
_entries: dict[tuple, Any] = {}


def _call(dispatcher: Any, args: tuple) -> Any:
    """``dispatcher(*args)``, calling the compiled version straight when arguments of
    the same types were seen before: numba's own dispatch types every argument anew,
    about a millisecond per call for a network with many state arrays."""
    key = (id(dispatcher), _fingerprint(args))
    entry = _entries.get(key)
    if entry is None:
        result = dispatcher(*args)
        sig = tuple(dispatcher.typeof_pyval(a) for a in args)
        compiled = dispatcher.overloads.get(sig)
        if compiled is not None:
            _entries[key] = compiled.entry_point
        return result
    return entry(*args)


# --------------------------------------------------------------------------- engine
class NumbaEngine(ReferenceEngine):
    """Runs each tick's ``processing_time`` network steps in one compiled call.

    Same schedule, same state arrays and same random streams as
    :class:`~spikey.snn.engine.reference.ReferenceEngine`: callbacks, monitors,
    snapshots and logs do not see which engine ran.
    """

    name = "numba"

    def __init__(self, network: Any):
        super().__init__(network)
        self.monitors: list[Any] = []
        self._active = _per_step_reward(network)
        self._current = np.zeros(network._n_neurons)
        self._rewards = np.zeros(network._processing_time)
        self._no_reward = PartKernel({}, params=())

    def _kernels(self, state: Any) -> dict[str, PartKernel]:
        net = self.network
        T = net._processing_time
        out = {}
        for slot in _slots(net):
            with _named(slot, getattr(net, slot)):
                out[slot] = getattr(net, slot)._numba_kernel(T, net, state)
        return out

    def run(self, state: Any) -> None:
        """Run one game step's network steps into ``network._spike_log`` (compiled)."""
        net = self.network
        T = net._processing_time
        ks = self._kernels(state)
        kn, kst = ks["neurons"], ks["synapses"]
        kr = ks.get("rewarder", self._no_reward)
        funcs = {"emit": kn.funcs["emit"], "integrate": kn.funcs["integrate"]}
        funcs.update(propagate=kst.funcs["propagate"], learn_=kst.funcs["learn"], reward_=kst.funcs["reward"])
        if self._active:
            funcs["step"] = kr.funcs["step"]
        run = driver(funcs, self._active)
        if len(self._rewards) != T:
            self._rewards = np.zeros(T)
        if len(self._current) != net._n_neurons:
            self._current = np.zeros(net._n_neurons)
        log = self._log = net._spike_log
        if not (
            isinstance(log, np.ndarray)
            and log.dtype == np.bool_
            and log.shape == (T, self._spikes.shape[0])
            and log.flags.c_contiguous
            and log.flags.writeable
        ):  # the loop writes log[t] for every step: never past its end
            raise ShapeError(
                f"{type(net).__name__}.spike_log: expected a writeable C-contiguous bool array of shape "
                f"({T}, {self._spikes.shape[0]}) (processing_time, n_inputs + n_neurons); got "
                f"{getattr(log, 'dtype', type(log).__name__)} {getattr(log, 'shape', '')}."
            )
        inp = ks["inputs"].params[0]
        if not (isinstance(inp, np.ndarray) and inp.shape == (T, net._n_inputs) and inp.dtype == np.float64):
            raise ConfigError(
                f"network.inputs ({type(net.inputs).__name__}): expected a float64 spike block of shape "
                f"({T}, {net._n_inputs}); got {getattr(inp, 'shape', inp)!r}."
            )
        args = (
            net._n_inputs,
            net._n_outputs,
            bool(net.training),
            inp,
            kn.params,
            kn.state,
            kn.random,
            kst.params,
            kst.state,
            kst.random,
            net.polarities,
            kr.params,
            log,
            self._rewards,
            self._spikes,
            self._current,
        )
        try:
            if self.monitors:
                total = 0.0
                for t in range(T):
                    total += _call(run, (t, t + 1, *args))
                    for m in self.monitors:
                        m.record(self, t)
            else:
                total = _call(run, (0, T, *args))
        finally:
            for k in ks.values():
                if k.finish is not None:
                    k.finish()
        self._check_finite()
        if self._active:
            net._compiled_step_rewards(state, self._rewards, total)

    def _all_finite(self, a: np.ndarray) -> bool:
        return _all_finite(a)


def _all_finite(a: np.ndarray) -> bool:
    """Whether ``a`` holds no NaN or infinity (a compiled count, no temporary array)."""
    flat = a.reshape(-1) if a.flags.c_contiguous else np.ascontiguousarray(a).reshape(-1)
    return count_not_finite.dispatcher(flat) == 0


@kernel
def count_not_finite(a):  # noqa: ANN001, ANN201 - kernel
    """The number of NaN and infinite entries of the 1-d float array ``a``."""
    n = 0
    for i in range(a.shape[0]):
        x = a[i]
        n += (x - x) != 0.0  # NaN exactly for NaN and +-inf (branch-free: vectorises)
    return n


class _named:
    """Prefix errors raised while a part prepares its kernel with its slot."""

    def __init__(self, slot: str, part: Any):
        self.slot, self.part = slot, part

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, value, tb) -> bool:
        if isinstance(value, ConfigError) and not str(value).startswith("network."):
            value.args = (f"network.{self.slot}: {value}",) + value.args[1:]
        return False


# --------------------------------------------------------------------------- neuron groups
# A neurons part made of other neuron parts, each running a slice of the body neurons
# (spikey.snn.populations.PopulationNeurons), runs compiled as ONE neurons kernel:
# compose_neuron_groups() writes (like driver()) a small module whose emit/integrate call
# each group's emit/integrate on its slice, after an optional ``prepare`` kernel that
# makes the groups' input from the synaptic current (bias, noise). The tick loop above is
# unchanged: it sees an ordinary neurons kernel.
#
# A part opts in with ``kernel_groups() -> [(label, part), ...]`` (checked by kernel_plan
# like the slot's own part) and returns compose_neuron_groups(...) from its _numba_kernel.

__all__ += ["compose_neuron_groups"]

#: Bump when the generated group source changes shape.
_GROUPS_VERSION = 1
_group_modules: dict[str, Any] = {}


def _group_obstacles(slot: str, part: Any) -> list[str]:
    """kernel_plan's lines for the sub-parts of a part made of neuron groups."""
    groups = getattr(part, "kernel_groups", None)
    if not callable(groups):
        return []
    why = []
    for label, sub in groups():
        owner, overridden = kernel_owner(type(sub))
        name = type(sub).__name__
        where = f"network.{slot} ({type(part).__name__}), {label} ({name})"
        if owner is None:
            why.append(f"{where}: has no compiled kernel")
        elif overridden is not None:
            cls_name, method = overridden.split(".", 1)
            if cls_name == name and not type(sub).__module__.startswith("spikey."):
                why.append(f"{where}: overrides {method}(), which its kernel stands in for")
            else:
                why.append(f"{where}: {overridden}() has no compiled kernel")
    return why


def _groups_source(pairs: list[tuple[kernel, kernel]], prepare: kernel | None) -> str:
    imports, binds = [], []
    named = [(f"_e{g}", e) for g, (e, _) in enumerate(pairs)] + [
        (f"_i{g}", i) for g, (_, i) in enumerate(pairs)
    ]
    if prepare is not None:
        named.append(("_prepare", prepare))
    for j, (local, k) in enumerate(named):
        mod, qual = k.py_func.__module__, k.py_func.__qualname__
        if "." in qual or "<" in qual:
            raise ConfigError(f"kernel {k!r}: expected a module-level function; got {qual!r}.")
        imports.append(f"from {mod} import {qual} as _m{j}")
        binds.append(f"{local} = _m{j}.dispatcher")
    emits = [
        f"    _e{g}(P[{g + 3}], S[{g + 3}], R[{g}], t, out[b[{2 * g}] : b[{2 * g + 1}]])"
        for g in range(len(pairs))
    ]
    if prepare is None:
        head = "    x = current"
    else:
        head = "    x = S[1]\n    _prepare(P[1], S[2], P[2], S[0][0], current, x)"
    integrates = [
        f"    _i{g}(P[{g + 3}], S[{g + 3}], x[b[{2 * g}] : b[{2 * g + 1}]])" for g in range(len(pairs))
    ]
    sources = kernel_sources_digest([k.py_func.__module__ for _, k in named])
    return f'''"""Generated by spikey's compiled engine (groups version {_GROUPS_VERSION}): neuron groups.

Kernel sources {sources}. Do not edit; delete the file to have it written again.
"""

from spikey.snn.engine.kernel import kernel

{chr(10).join(imports)}

{chr(10).join(binds)}


@kernel
def emit(P, S, R, t, out):
    b = P[0]
    S[0][0] = t
{chr(10).join(emits)}


@kernel
def integrate(P, S, current):
    b = P[0]
{head}
{chr(10).join(integrates)}
'''


def _group_kernels(pairs: list[tuple[kernel, kernel]], prepare: kernel | None) -> tuple[kernel, kernel]:
    """The composed emit/integrate kernels (module generated once, cached on disk)."""
    key = (tuple(pairs), prepare)  # kernels compare by identity
    known = _group_kernels_by_parts.get(key)
    if known is not None:
        return known
    source = _groups_source(pairs, prepare)
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    module = _group_modules.get(digest)
    if module is None:
        with _lock:
            module = _group_modules.get(digest)
            if module is None:
                module = _group_modules[digest] = _cache.load_generated(
                    f"groups_{digest}", source, ("emit", "integrate")
                )
    _group_kernels_by_parts[key] = (module.emit, module.integrate)
    return module.emit, module.integrate


def compose_neuron_groups(
    groups: list[tuple[slice, PartKernel]],
    prepare: PartKernel | None = None,
    scratch: np.ndarray | None = None,
) -> PartKernel:
    """One neurons kernel that runs several neuron kernels, each on its slice.

    Parameters
    ----------
    groups : list of (slice, PartKernel)
        Consecutive slices of the body neurons (step 1, covering them in order) and the
        neurons kernel of the part that runs each.
    prepare : PartKernel, optional
        Kernel ``"prepare"`` with signature ``prepare(P, S, R, t, current, x)``: writes
        the groups' input of step ``t`` into ``x`` from the synaptic ``current`` (e.g.
        adding bias and noise; ``R`` is its random block). Without it the groups get
        ``current`` itself.
    scratch : ndarray (n_neurons,), optional
        ``x`` (required with ``prepare``); the part may expose it (it holds the last
        step's input after each step).

    Returns
    -------
    PartKernel
        ``emit`` and ``integrate`` call the groups' emit (in order, on their slices of
        the spikes) and ``prepare`` then the groups' integrate; params, state, random
        and finish combine the groups'.
    """
    if prepare is not None and (scratch is None or scratch.ndim != 1 or scratch.dtype != np.float64):
        raise ConfigError(
            "compose_neuron_groups: prepare needs a float64 scratch array x of shape (n_neurons,)."
        )
    bounds = np.array([x for sl, _ in groups for x in (sl.start, sl.stop)], dtype=np.int64)
    if (
        len(groups) == 0
        or bounds[0] != 0
        or np.any(bounds[2::2] != bounds[1:-1:2])
        or np.any(bounds[1::2] < bounds[::2])
    ):
        raise ConfigError(
            f"compose_neuron_groups: expected consecutive slices from 0; got {[(s.start, s.stop) for s, _ in groups]}."
        )
    if prepare is not None and scratch.shape[0] != bounds[-1]:
        raise ConfigError(
            f"compose_neuron_groups: scratch has {scratch.shape[0]} values for {bounds[-1]} neurons."
        )
    pairs = [(k.funcs["emit"], k.funcs["integrate"]) for _, k in groups]
    emit, integrate = _group_kernels(pairs, None if prepare is None else prepare.funcs["prepare"])
    clock = np.zeros(1, dtype=np.int64)
    finishers = [k.finish for _, k in groups if k.finish is not None]
    if prepare is not None and prepare.finish is not None:
        finishers.append(prepare.finish)

    def finish() -> None:
        for f in finishers:
            f()

    no_x = np.zeros(0)
    return PartKernel(
        {"emit": emit, "integrate": integrate},
        params=(
            bounds,
            () if prepare is None else prepare.params,
            prepare.random if prepare is not None else no_x[None],
        )
        + tuple(k.params for _, k in groups),
        state=(clock, no_x if scratch is None else scratch, () if prepare is None else prepare.state)
        + tuple(k.state for _, k in groups),
        random=tuple(k.random for _, k in groups),
        finish=finish if finishers else None,
    )


#: Engine names accepted by the network key ``engine``.
ENGINES = ("auto", "reference", "numba")


def describe(engine: Any, why: list[str]) -> str:
    """The schedule's header line: which engine runs and why."""
    if isinstance(engine, NumbaEngine):
        return "engine: numba (every part has a compiled kernel; one compiled call per tick)"
    if why:
        return "engine: reference (" + "; ".join(why) + ")"
    return "engine: reference"
