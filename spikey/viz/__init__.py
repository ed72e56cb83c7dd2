"""Plots of spiking activity and of results.

Activity (:mod:`spikey.viz.plots`): rasters, population rates, membrane traces and
weights. Results (:mod:`spikey.viz.results`): episode return and length per episode
and learning curves, with the frozen-weight evaluation marked; observation traces;
overlays of many runs (mean and spread per configuration); Series comparisons,
Population searches, weight histograms before and after training, game states (the original Spikey's :func:`state_transition_matrix`,
:func:`state_action_counts` and :func:`delay_embedding`). :mod:`spikey.viz.report`
turns a log or an output folder into one self-contained HTML page (``spikey report``).

Every function draws on the ``ax`` it is given (or on a new figure) and returns the
matplotlib ``Axes``. matplotlib is a dependency of spikey but is imported only when a
function is called, so ``import spikey`` stays fast.

Sources of spikes are a :class:`~spikey.snn.monitor.Monitor`, a network (its
``spike_log`` of the last game step), or a bool array ``(steps, neurons)``.
"""

from spikey.viz.plots import population_rates, raster, spike_source, traces, weight_trace, weights
from spikey.viz.results import (
    delay_embedding,
    episode_returns,
    game_states,
    is_categorical,
    learning_curve,
    log_data,
    observation_traces,
    overlay_curves,
    population_plot,
    series_comparison,
    state_action_counts,
    state_transition_matrix,
    step_correct,
    weight_histograms,
)
from spikey.viz.text import print_common_action, print_rates

__all__ = [
    "raster",
    "population_rates",
    "traces",
    "weights",
    "weight_trace",
    "spike_source",
    "learning_curve",
    "episode_returns",
    "observation_traces",
    "overlay_curves",
    "is_categorical",
    "series_comparison",
    "population_plot",
    "weight_histograms",
    "state_transition_matrix",
    "state_action_counts",
    "game_states",
    "delay_embedding",
    "log_data",
    "step_correct",
    "print_rates",
    "print_common_action",
]
