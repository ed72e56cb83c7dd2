"""Drive neurons with a current and record what they do: :func:`simulate`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from spikey.errors import ConfigError, ShapeError
from spikey.module import suggest

__all__ = ["simulate", "SimulationResult"]


@dataclass
class SimulationResult:
    """Traces of a :func:`simulate` run; ``result["v"]`` etc. also work.

    Attributes
    ----------
    t : ndarray, shape (T,)
        Time at the end of each step [ms] (``dt``, ``2 dt``, ...).
    v : ndarray, shape (T, n_neurons)
        Potentials after each step [mV]. With ``mark_spikes``, set to the model's
        spike peak (e.g. Izhikevich's ``v_peak``) at the steps where a neuron spiked.
    spikes : ndarray of bool, shape (T, n_neurons)
        ``spikes[k, i]``: neuron ``i`` spiked as a result of step ``k`` (the output of
        ``neurons()`` right after step ``k`` was non-zero).
    current : ndarray, shape (T, n_neurons)
        The input of each step.
    traces : dict of str to ndarray, shape (T, n_neurons)
        The other recorded state variables (e.g. ``"u"``, ``"w"``, ``"m"``).
    neuron : NeuronBase
        The neuron part, in its state after the run.
    dt : float
        Step length [ms].
    """

    t: np.ndarray
    v: np.ndarray
    spikes: np.ndarray
    current: np.ndarray
    traces: dict[str, np.ndarray] = field(default_factory=dict)
    neuron: Any = None
    dt: float = 1.0

    def __getitem__(self, name: str) -> np.ndarray:
        if name in ("t", "v", "spikes", "current"):
            return getattr(self, name)
        if name in self.traces:
            return self.traces[name]
        names = ["t", "v", "spikes", "current", *self.traces]
        raise KeyError(f"SimulationResult has no trace {name!r}{suggest(name, names)}; traces are {names}.")

    @property
    def n_spikes(self) -> np.ndarray:
        """Spike count of each neuron, shape (n_neurons,)."""
        return self.spikes.sum(axis=0)

    @property
    def rates(self) -> np.ndarray:
        """Mean firing rate of each neuron over the run [Hz], shape (n_neurons,)."""
        return self.n_spikes / (len(self.t) * self.dt / 1000.0)

    def spike_times(self, neuron: int = 0) -> np.ndarray:
        """Spike times [ms] of one neuron (end of the step that caused each spike)."""
        return self.t[self.spikes[:, neuron]]


def _as_current(current: Any, n_neurons: int | None) -> tuple[np.ndarray, int]:
    arr = np.asarray(current, dtype=np.float64)
    if arr.ndim == 1:
        n = 1 if n_neurons is None else n_neurons
        return np.repeat(arr[:, None], n, axis=1), n
    if arr.ndim == 2:
        if n_neurons is not None and arr.shape[1] != n_neurons:
            raise ShapeError(
                f"simulate: current has shape {arr.shape}, so {arr.shape[1]} neurons; the neuron part "
                f"has n_neurons={n_neurons}."
            )
        return arr, arr.shape[1]
    raise ShapeError(f"simulate: current must have shape (T,) or (T, n_neurons); got shape {arr.shape}.")


def simulate(
    neuron: Any,
    current: Any,
    *,
    dt: float | None = None,
    record: Iterable[str] = ("v",),
    mark_spikes: bool = False,
    reset: bool = True,
    **params: Any,
) -> SimulationResult:
    """Drive a neuron model (class or instance) with a current and record its traces.

    Works with every neuron part (``Izhikevich``, ``AdEx``, ``HodgkinHuxley``,
    ``LIF``, Spikey's ``Neuron``, user subclasses of ``NeuronBase``): each step ``k``
    runs ``neurons += current[k]``, records the state, then calls ``neurons()`` for the
    spikes the step caused; the same calls a network makes.

    Parameters
    ----------
    neuron : type or NeuronBase
        A neuron class (built with ``params``, ``n_neurons`` from ``current`` unless
        given, and ``seed=0`` unless given) or an instance (``params`` are applied with
        ``set_params``).
    current : array_like, shape (T,) or (T, n_neurons)
        Input of each step, in the model's units (see :mod:`spikey.snn.currents`). A 1-D
        current drives every neuron alike.
    dt : float, optional
        Step length [ms]: passed to the model's ``dt`` key when it has one (else used
        only for the time axis). Default: the model's ``dt``, or 1.0.
    record : iterable of str
        State to record each step: ``"v"`` (the potentials, always recorded) and any
        per-neuron array attribute of the model, e.g. ``"u"`` (Izhikevich), ``"w"``
        (AdEx), ``"m"``, ``"h"``, ``"n"`` (Hodgkin-Huxley), ``"g_e"``, ``"theta"`` (LIF).
    mark_spikes : bool
        Draw spikes into ``v``: for models that reset at the spike (their
        ``SPIKE_PEAK_KEY``, e.g. ``v_peak``), ``v`` is set to the peak at spike steps.
    reset : bool
        Call ``reset()`` before running (default True).
    **params
        Keys of the neuron model.

    Returns
    -------
    SimulationResult
        ``t``, ``v``, ``spikes``, ``current``, ``traces``, ``neuron``, ``n_spikes``,
        ``rates``, ``spike_times(i)``.

    Raises
    ------
    ShapeError
        When the current's shape does not fit the neurons.
    ConfigError
        For invalid keys or an unknown trace name.

    Examples
    --------
    >>> from spikey.snn import currents
    >>> from spikey.snn.neuron import Izhikevich, simulate
    >>> I = currents.step(200.0, 10.0, onset=20.0, dt=0.5)
    >>> result = simulate(Izhikevich, I, dt=0.5, n_substeps=1, preset="FS", record=("v", "u"))
    >>> result.v.shape, result["u"].shape, int(result.n_spikes[0]) > 5
    ((400, 1), (400, 1), True)
    """
    if isinstance(neuron, type):
        keys = set(neuron.key_names())
        kwargs = dict(params)
        kwargs.setdefault("seed", 0)
        if dt is not None and "dt" in keys:
            kwargs["dt"] = dt
        given_n = kwargs.get("n_neurons")
        cur, n = _as_current(current, given_n)
        kwargs["n_neurons"] = n
        part = neuron(**kwargs)
    else:
        part = neuron
        keys = set(part.key_names())
        if dt is not None and "dt" in keys:
            params = {**params, "dt": dt}
        unknown = [k for k in params if k not in keys]
        if unknown:
            raise ConfigError(
                f"simulate: {type(part).__name__} has no key {unknown[0]!r}{suggest(unknown[0], keys)}."
            )
        if params:
            part.set_params(**params)
        cur, n = _as_current(current, part._n_neurons)
    step_ms = float(getattr(part, "_dt", dt if dt is not None else 1.0))
    names = [r for r in dict.fromkeys(record) if r != "v"]
    if reset:
        part.reset()
    for name in names:
        value = getattr(part, name, None)
        if not (isinstance(value, np.ndarray) and value.shape == (n,)):
            available = [
                a
                for a in getattr(part, "STATE", ())
                if isinstance(getattr(part, a, None), np.ndarray) and getattr(part, a).shape == (n,)
            ]
            raise ConfigError(
                f"simulate: {type(part).__name__} has no per-neuron state {name!r}"
                f"{suggest(name, available)}; record one of {['v', *available]}."
            )
    T = cur.shape[0]
    v = np.empty((T, n))
    spikes = np.zeros((T, n), dtype=bool)
    traces = {name: np.empty((T, n)) for name in names}
    part()  # the network's first call: spikes before any input are not recorded
    for k in range(T):
        part += cur[k]
        v[k] = part.potentials
        for name in names:
            traces[name][k] = getattr(part, name)
        out = part()
        fired = getattr(part, "fired", None)  # also counts spikes of magnitude 0
        spikes[k] = fired if isinstance(fired, np.ndarray) and fired.shape == (n,) else out != 0
    peak_key = getattr(part, "SPIKE_PEAK_KEY", None)
    if mark_spikes and peak_key is not None:
        peak = np.broadcast_to(np.asarray(getattr(part, "_" + peak_key), dtype=np.float64), (n,))
        v = np.where(spikes, peak, v)
    t = (np.arange(T) + 1) * step_ms
    return SimulationResult(t=t, v=v, spikes=spikes, current=cur, traces=traces, neuron=part, dt=step_ms)
