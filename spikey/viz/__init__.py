"""Plots of spiking activity: rasters, population rates, membrane traces and weights.

Every function draws on the ``ax`` it is given (or on a new figure) and returns the
matplotlib ``Axes``; matplotlib is imported only when a function is called, so
``import spikey`` does not need it.

Sources of spikes are a :class:`~spikey.snn.monitor.Monitor`, a network (its
``spike_log`` of the last game step), or a bool array ``(steps, neurons)``.
"""

from spikey.viz.plots import population_rates, raster, spike_source, traces, weight_trace, weights
from spikey.viz.text import print_rates

__all__ = ["raster", "population_rates", "traces", "weights", "weight_trace", "spike_source", "print_rates"]
