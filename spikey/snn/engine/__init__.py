"""Engines step a network: the reference engine calls the parts' numpy methods, the
compiled engine (:mod:`spikey.snn.engine.compiled`) runs a tick in one numba call made
of the parts' kernels (:mod:`spikey.snn.engine.kernel`)."""

from spikey.snn.engine.reference import ReferenceEngine, Schedule, ScheduleEntry

__all__ = ["ReferenceEngine", "Schedule", "ScheduleEntry"]
