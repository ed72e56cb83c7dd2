"""The reference engine: steps a network with the parts' own vectorised methods."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from spikey.errors import NumericalError

__all__ = ["ScheduleEntry", "Schedule", "ReferenceEngine"]


class ScheduleEntry(NamedTuple):
    """One operation of a network step."""

    phase: str
    slot: str
    call: str
    description: str


class Schedule(list):
    """The ordered operations of one network step; prints as a table, after a line
    saying which engine runs them (:attr:`engine`)."""

    #: Which engine runs the schedule, and why (set by the network).
    engine: str = ""

    def __str__(self) -> str:
        rows = [("#", "phase", "part", "call", "what it does")]
        rows += [(str(i), e.phase, e.slot, e.call, e.description) for i, e in enumerate(self)]
        widths = [max(len(r[c]) for r in rows) for c in range(4)]
        lines = []
        for r in rows:
            lines.append("  ".join(r[c].ljust(widths[c]) for c in range(4)) + "  " + r[4])
        lines.insert(1, "-" * len(lines[0]))
        if self.engine:
            lines.insert(0, self.engine)
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle):  # IPython
        p.text(str(self))


class ReferenceEngine:
    """Runs ``processing_time`` steps per game step, phase by phase.

    Each step executes the entries of :attr:`schedule` in order; each entry maps to a
    method ``_<phase>`` of the engine. Subclasses of :class:`~spikey.snn.network.Network`
    may add entries (``ActiveRLNetwork`` adds a per-step reward).

    Parameters
    ----------
    network : Network
        The network to step.
    """

    name = "reference"

    def __init__(self, network: Any):
        self.network = network
        self.schedule = Schedule(network._schedule_entries())
        self.monitors: list[Any] = []
        n_pre = network._n_inputs + network._n_neurons
        self._spikes = np.zeros(n_pre)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(network={type(self.network).__name__})\n{self.schedule}"

    def run(self, state: Any) -> None:
        """Run one game step's worth of network steps into ``network._spike_log``."""
        net = self.network
        self._inputs, self._neurons, self._synapses = net.inputs, net.neurons, net.synapses
        self._log = net._spike_log
        self._n_in = net._n_inputs
        self._pol = net.polarities
        self._learn = net.training
        self._state = state
        steps = [getattr(self, "_" + e.phase) for e in self.schedule]
        if len(steps) == 5:  # the standard schedule: unrolled, same order
            s0, s1, s2, s3, s4 = steps
            for t in range(net._processing_time):
                s0(t)
                s1(t)
                s2(t)
                s3(t)
                s4(t)
        else:
            for t in range(net._processing_time):
                for step in steps:
                    step(t)
        self._check_finite()

    def _all_finite(self, a: np.ndarray) -> bool:
        """Whether ``a`` holds no NaN or infinity."""
        return bool(np.isfinite(a).all())

    def _check_finite(self) -> None:
        """Raise :class:`~spikey.errors.NumericalError` naming the first state (in slot
        order neurons, synapses, weights) that holds a NaN or an infinity after a tick.

        Both engines run this same check after each tick, on the same states, so they
        raise at the same tick with the same message."""
        net = self.network
        for slot in ("neurons", "synapses", "weights"):
            part = getattr(net, slot)
            groups = getattr(part, "kernel_groups", None)
            members = groups() if callable(groups) else [("", part)]
            for label, member in members:
                for name in member.STATE:
                    if isinstance(getattr(type(member), name, None), property):
                        continue  # derived views (copies) of state checked elsewhere
                    value = getattr(member, name, None)
                    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and not self._all_finite(value):
                        raise NumericalError(_not_finite_message(net, slot, label, part, name, value))


    # -- phases --------------------------------------------------------------
    def _emit_inputs(self, t: int) -> None:
        self._spikes[: self._n_in] = self._inputs()

    def _emit_neurons(self, t: int) -> None:
        self._spikes[self._n_in :] = self._neurons()

    def _record(self, t: int) -> None:
        np.not_equal(self._spikes, 0.0, out=self._log[t])

    def _propagate(self, t: int) -> None:
        self._neurons.update(self._synapses.propagate(self._spikes))

    def _learn_step(self, t: int) -> None:
        if self._learn:
            self._synapses.update(self._log[t], self._pol)

    def _step_reward(self, t: int) -> None:
        self.network.continuous_reward(self._state, t)


def _not_finite_message(net: Any, slot: str, label: str, part: Any, name: str, value: np.ndarray) -> str:
    where = f"network.{slot}{'.' + label if label else ''}.{name}"
    bad = ~np.isfinite(value)
    kinds = sorted({"NaN" if np.isnan(x) else ("inf" if x > 0 else "-inf") for x in value[bad].ravel()[:64]})
    tick = net.internal_time // net._processing_time
    text = (
        f"{where} ({type(part).__name__}) became {' and '.join(kinds)} during tick {tick} (network time "
        f"{net.internal_time}..{net.internal_time + net._processing_time}) at {int(bad.sum())} of {value.size} "
        "entries"
    )
    extreme = []
    try:
        params = net.params
    except Exception:  # pragma: no cover - a network without params
        params = {}
    for key, v in params.items():
        if isinstance(v, (float, np.floating)) and v != 0 and math.isfinite(v) and not 1e-150 < abs(v) < 1e150:
            extreme.append(f"{key}={v:g}")
    hint = f"; keys with extreme values: {', '.join(extreme)}" if extreme else ""
    return f"{text}{hint}. Check the part's parameters and time step."
