"""Monitors: record spikes, state variables and weights of chosen neurons at every step.

A :class:`Monitor` attached to a network adds a ``monitor`` phase at the end of the
engine's schedule (``print(network.schedule)`` shows it); at each network step it
copies

- the spikes of its neurons (``monitor.spikes``, bool ``(steps, k)``),
- state variables (``monitor["v"]``, ``monitor["u"]``, ... float ``(steps, k)``;
  ``"v"`` is the membrane potential, ``"I"`` the total input current when the
  neurons are :class:`~spikey.snn.populations.PopulationNeurons`),
- chosen weights (``monitor.weights``, ``(steps, m)``),

after the step's integration and learning. Recording costs a few row copies per step.

Examples
--------
>>> import numpy as np
>>> from spikey.snn.neuron import Izhikevich
>>> from spikey.snn.populations import Population, PopulationNetwork
>>> from spikey.snn.monitor import Monitor
>>> net = PopulationNetwork(populations=[Population("rs", 3, Izhikevich, bias=10.0)],
...                         processing_time=200, seed=0)
>>> mon = Monitor(net, neurons=[0, 2], variables=("v", "u"))
>>> net.reset(); _ = net.tick(None)
>>> mon["v"].shape, mon.spikes.shape, int(mon.spikes[:, 0].sum())
((200, 2), (200, 2), 5)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import describe_value
from spikey.snn.engine.reference import ReferenceEngine, ScheduleEntry

__all__ = ["Monitor", "MonitoredEngine"]

_ALIASES = {"v": "potentials", "I": "last_input"}


class _Rows:
    """A growing 2-D array filled one row at a time (in preallocated blocks)."""

    BLOCK = 1024

    def __init__(self, width: int, dtype: Any):
        self.width, self.dtype = width, dtype
        self.blocks: list[np.ndarray] = []
        self.n = 0

    def append(self, row: np.ndarray) -> None:
        i = self.n % self.BLOCK
        if i == 0:
            self.blocks.append(np.empty((self.BLOCK, self.width), dtype=self.dtype))
        self.blocks[-1][i] = row
        self.n += 1

    def array(self) -> np.ndarray:
        if not self.blocks:
            return np.empty((0, self.width), dtype=self.dtype)
        out = np.concatenate(self.blocks)
        return out[: self.n]


class MonitoredEngine(ReferenceEngine):
    """The reference engine plus a final ``monitor`` phase calling each attached monitor."""

    name = "reference+monitors"

    def __init__(self, network: Any, monitors: Iterable[Monitor] = ()):
        super().__init__(network)
        self.monitors: list[Monitor] = list(monitors)
        self.schedule.append(
            ScheduleEntry("monitor", "monitors", "monitor.record(t)", "record chosen neurons and weights")
        )

    def _monitor(self, t: int) -> None:
        for m in self.monitors:
            m.record(self, t)


class Monitor:
    """Records the activity of chosen neurons of a network at every network step.

    Parameters
    ----------
    network : Network, optional
        Attach at once (see :meth:`attach`).
    neurons : None, int, slice, sequence of int, or population name(s)
        Body neurons to record (default: all). Names need a
        :class:`~spikey.snn.populations.PopulationNetwork`.
    variables : sequence of str
        State variables to record: ``"v"`` (potentials), ``"I"`` (input current, with
        population networks) or any per-neuron attribute of the neuron part (``"u"``).
    spikes : bool
        Record spikes.
    synapses : sequence of (int, int), optional
        Weights ``matrix[pre, post]`` to record (pre counts input neurons first).
    every : int
        Record every ``every``-th step only.

    Attributes
    ----------
    index : ndarray of int
        The recorded body neurons.
    steps : ndarray of int
        Network step (since attaching) of each recorded row.
    """

    def __init__(
        self,
        network: Any = None,
        neurons: Any = None,
        variables: Sequence[str] = ("v",),
        *,
        spikes: bool = True,
        synapses: Sequence[tuple[int, int]] | None = None,
        every: int = 1,
    ):
        if isinstance(variables, str):
            variables = (variables,)
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ConfigError(f"Monitor.every: expected an int >= 1; got {every!r}.")
        self.neurons_spec = neurons
        self.variables = tuple(variables)
        self.record_spikes = bool(spikes)
        self.synapses = [tuple(int(x) for x in s) for s in (synapses or [])]
        self.every = every
        self.network = None
        self.index = np.zeros(0, dtype=np.int64)
        self.dt = 1.0
        self.clear()
        if network is not None:
            self.attach(network)

    # ------------------------------------------------------------------ attach
    def _resolve(self, network: Any) -> np.ndarray:
        n = network._n_neurons
        spec = self.neurons_spec
        if spec is None:
            return np.arange(n)
        if isinstance(spec, str) or (
            isinstance(spec, (list, tuple)) and spec and all(isinstance(s, str) for s in spec)
        ):
            names = [spec] if isinstance(spec, str) else list(spec)
            if not hasattr(network, "slice"):
                raise ConfigError(
                    f"Monitor.neurons: population names {names} need a PopulationNetwork; "
                    "give neuron indices instead."
                )
            return np.concatenate([np.arange(n)[network.slice(name)] for name in names])
        if isinstance(spec, slice):
            return np.arange(n)[spec]
        idx = np.atleast_1d(np.asarray(spec))
        if idx.size == 0:
            return np.zeros(0, dtype=np.int64)
        if idx.dtype.kind not in "iu" or idx.ndim != 1 or np.any(idx < -n) or np.any(idx >= n):
            raise ConfigError(
                f"Monitor.neurons: expected None, a slice, population names or body-neuron indices "
                f"in [0, {n}); got {describe_value(spec)}."
            )
        return np.arange(n)[idx]

    def attach(self, network: Any) -> Monitor:
        """Record from ``network`` from its next step on; returns self.

        Replaces the network's engine by a :class:`MonitoredEngine` (once) and checks
        that the variables and synapses exist.
        """
        if self.network is not None and self.network is not network:
            raise ConfigError("Monitor: already attached to another network; detach() it first.")
        index = self._resolve(network)
        if self._steps.n and not np.array_equal(index, self.index):
            raise ConfigError("Monitor.attach: other neurons than the recorded ones; call clear() first.")
        self.index = index
        if self._steps.n == 0:
            self.clear()
        self._n_in = network._n_inputs
        self.dt = float(getattr(network, "_params", {}).get("dt", 1.0) or 1.0)
        shape = network.weights.matrix.shape
        for pre, post in self.synapses:
            if not (0 <= pre < shape[0] and 0 <= post < shape[1]):
                raise ConfigError(f"Monitor.synapses: ({pre}, {post}) is outside the weight matrix {shape}.")
        engine = network.engine
        if type(engine) is ReferenceEngine:
            header = engine.schedule.engine
            engine = network.engine = MonitoredEngine(network)
            engine.schedule.engine = header
        if self not in engine.monitors:
            engine.monitors.append(self)
        self.network = network
        if getattr(network.neurons, "potentials", None) is not None:
            for var in self.variables:
                self._read(network.neurons, var)
        return self

    def detach(self) -> None:
        """Stop recording (the data is kept)."""
        net = self.network
        if net is not None and self in getattr(net.engine, "monitors", ()):
            net.engine.monitors.remove(self)
        self.network = None

    def clear(self) -> None:
        """Forget everything recorded."""
        k = len(self.index)
        self._count = 0
        self._steps = _Rows(1, np.int64)
        self._spikes = _Rows(k, bool)
        self._vars = {v: _Rows(k, np.float64) for v in self.variables}
        self._weights = _Rows(len(self.synapses), np.float64)

    # ------------------------------------------------------------------ recording
    def _read(self, neurons: Any, var: str) -> np.ndarray:
        fn = getattr(neurons, "state_variable", None)
        if fn is not None and var not in ("I",):
            x = fn(var)
        else:
            x = getattr(neurons, _ALIASES.get(var, var), None)
        n = len(neurons)
        if x is None or np.shape(x) != (n,):
            raise ConfigError(
                f"Monitor.variables: {type(neurons).__name__} has no per-neuron state {var!r} of shape ({n},)."
            )
        return np.asarray(x)

    def record(self, engine: Any, t: int) -> None:
        """Record one step (called by the engine)."""
        count = self._count
        self._count += 1
        if count % self.every:
            return
        net = engine.network
        idx = self.index
        self._steps.append(count)
        if self.record_spikes:
            self._spikes.append(engine._log[t, self._n_in + idx])
        for var, rows in self._vars.items():
            rows.append(self._read(net.neurons, var)[idx])
        if self.synapses:
            m = net.weights.matrix
            pre, post = zip(*self.synapses)
            self._weights.append(m[list(pre), list(post)])

    # ------------------------------------------------------------------ results
    @property
    def steps(self) -> np.ndarray:
        """Network step (since attaching) of each recorded row, (rows,)."""
        return self._steps.array()[:, 0]

    @property
    def times(self) -> np.ndarray:
        """Time [ms] of each recorded row (steps times the network's ``dt``)."""
        return self.steps * self.dt

    @property
    def spikes(self) -> np.ndarray:
        """Recorded spikes, bool (rows, len(index))."""
        return self._spikes.array()

    @property
    def weights(self) -> np.ndarray:
        """Recorded weights, (rows, len(synapses))."""
        return self._weights.array()

    def __getitem__(self, variable: str) -> np.ndarray:
        """Recorded state variable, (rows, len(index))."""
        try:
            return self._vars[variable].array()
        except KeyError:
            raise ConfigError(
                f"Monitor: {variable!r} is not recorded; variables are {list(self.variables)}."
            ) from None

    def spike_times(self) -> tuple[np.ndarray, np.ndarray]:
        """``(times_ms, neurons)`` of every recorded spike (neurons as body indices)."""
        rows, cols = np.nonzero(self.spikes)
        return self.times[rows], self.index[cols]

    def rates(self) -> np.ndarray:
        """Mean firing rate [Hz] of each recorded neuron over the recorded steps."""
        s = self.spikes
        if len(s) == 0:
            return np.zeros(len(self.index))
        return s.mean(axis=0) * 1000.0 / (self.dt * self.every)

    def __repr__(self) -> str:
        return (
            f"Monitor({len(self.index)} neurons, variables={list(self.variables)}, "
            f"{len(self.synapses)} synapses, {self._steps.n} rows)"
        )
