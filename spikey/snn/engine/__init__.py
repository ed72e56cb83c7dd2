"""Engines step a network; the reference engine uses the parts' numpy methods."""

from spikey.snn.engine.reference import ReferenceEngine, Schedule, ScheduleEntry

__all__ = ["ReferenceEngine", "Schedule", "ScheduleEntry"]
