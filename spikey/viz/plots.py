"""The plotting functions of :mod:`spikey.viz` (matplotlib imported lazily)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import describe_value

__all__ = ["spike_source", "raster", "population_rates", "traces", "weights", "weight_trace"]


def _axes(ax: Any) -> Any:
    """``ax``, or the axes of a new figure."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    return ax


def _groups_of(network: Any, index: np.ndarray) -> dict[str, np.ndarray]:
    """Columns of ``index`` (body-neuron indices) in each population of ``network``."""
    slices = getattr(network, "slices", None)
    if not slices:
        return {"neurons": np.arange(len(index))}
    out = {}
    for name, sl in slices.items():
        cols = np.flatnonzero((index >= sl.start) & (index < sl.stop))
        if cols.size:
            out[name] = cols
    return out


def spike_source(
    source: Any, dt: float | None = None, groups: dict[str, Any] | None = None
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Spikes, times and population columns of a monitor, a network or an array.

    Parameters
    ----------
    source : Monitor, Network or ndarray of bool (steps, neurons)
        A :class:`~spikey.snn.monitor.Monitor` (its recording), a network (the body
        neurons of its last game step) or a spike array.
    dt : float, optional
        Step length [ms] for arrays (default 1) or to override the network's.
    groups : dict of str -> slice or index array, optional
        Populations of an array's columns (e.g. ``network.slices``).

    Returns
    -------
    spikes : ndarray of bool, shape (steps, k)
    times : ndarray, shape (steps,)
        Time of each row [ms].
    groups : dict of str -> ndarray of int
        Columns of ``spikes`` in each population (one group ``'neurons'`` without
        populations).
    """
    from spikey.snn.monitor import Monitor

    if isinstance(source, Monitor):
        spikes = source.spikes
        times = source.times if dt is None else source.steps * dt
        groups = _groups_of(source.network, source.index) if source.network is not None else {}
        return spikes, times, groups or {"neurons": np.arange(spikes.shape[1])}
    if hasattr(source, "spike_log") and hasattr(source, "_n_inputs"):
        log = source.spike_log
        if log is None:
            raise ConfigError("spikey.viz: the network has not run yet; call tick() first.")
        spikes = log[:, source._n_inputs :]
        step = float(source._params.get("dt", 1.0) or 1.0) if dt is None else dt
        groups = _groups_of(source, np.arange(spikes.shape[1]))
        return spikes, np.arange(len(spikes)) * step, groups
    arr = np.asarray(source)
    if arr.ndim != 2:
        raise ConfigError(
            f"spikey.viz: expected a Monitor, a network or a bool array (steps, neurons); got {describe_value(source)}."
        )
    step = 1.0 if dt is None else dt
    cols = np.arange(arr.shape[1])
    named = {name: cols[idx] for name, idx in (groups or {}).items()}
    return arr.astype(bool), np.arange(len(arr)) * step, named or {"neurons": cols}


def _select(groups: dict[str, np.ndarray], populations: Sequence[str] | None) -> dict[str, np.ndarray]:
    if populations is None:
        return groups
    if isinstance(populations, str):
        populations = [populations]
    missing = [p for p in populations if p not in groups]
    if missing:
        raise ConfigError(f"spikey.viz: no population {missing[0]!r}; populations are {list(groups)}.")
    return {p: groups[p] for p in populations}


def raster(
    source: Any,
    ax: Any = None,
    *,
    populations: Sequence[str] | None = None,
    dt: float | None = None,
    groups: dict[str, Any] | None = None,
    marker: str = "|",
    size: float = 4.0,
    colors: dict[str, Any] | None = None,
) -> Any:
    """Raster plot: one mark per spike at (time, neuron), coloured by population.

    Parameters
    ----------
    source : Monitor, Network or ndarray
        See :func:`spike_source`.
    ax : matplotlib Axes, optional
    populations : sequence of str, optional
        Populations to draw (default: all).
    dt, groups : optional
        Step length [ms] and the populations of an array's columns (see :func:`spike_source`).
    marker, size : str, float
        Marker and its size.
    colors : dict, optional
        Colour per population.

    Returns
    -------
    matplotlib Axes
        One scatter collection per population, in order; its offsets are the spikes.
    """
    spikes, times, groups = spike_source(source, dt, groups)
    ax = _axes(ax)
    for name, cols in _select(groups, populations).items():
        rows, which = np.nonzero(spikes[:, cols])
        color = (colors or {}).get(name)
        ax.scatter(times[rows], cols[which], s=size, marker=marker, label=name, color=color, linewidths=0.8)
    ax.set_xlabel("time [ms]")
    ax.set_ylabel("neuron")
    if len(groups) > 1:
        ax.legend(loc="upper right", fontsize="small", markerscale=3)
    return ax


def population_rates(
    source: Any,
    ax: Any = None,
    *,
    bin_ms: float = 10.0,
    populations: Sequence[str] | None = None,
    dt: float | None = None,
    groups: dict[str, Any] | None = None,
) -> Any:
    """Firing rate of each population over time, in bins of ``bin_ms``.

    Returns
    -------
    matplotlib Axes
        One line per population with one point per bin: the population's mean rate
        [Hz] in that bin (the last bin may be partial). ``dt`` and ``groups`` as for
        :func:`spike_source`.
    """
    spikes, times, groups = spike_source(source, dt, groups)
    if bin_ms <= 0:
        raise ConfigError(f"spikey.viz.population_rates.bin_ms: expected a float > 0 [ms]; got {bin_ms!r}.")
    step = float(times[1] - times[0]) if len(times) > 1 else (dt or 1.0)
    per_bin = max(1, int(round(bin_ms / step)))
    n_bins = int(np.ceil(len(spikes) / per_bin))
    edges = np.arange(n_bins) * per_bin
    widths = np.minimum(per_bin, len(spikes) - edges) * step
    ax = _axes(ax)
    for name, cols in _select(groups, populations).items():
        counts = np.add.reduceat(spikes[:, cols].sum(axis=1), edges) if len(spikes) else np.zeros(0)
        rate = counts / (len(cols) * widths / 1000.0)
        ax.plot(times[edges] + widths / 2, rate, label=name)
    ax.set_xlabel("time [ms]")
    ax.set_ylabel("rate [Hz]")
    ax.legend(loc="upper right", fontsize="small")
    return ax


def traces(
    monitor: Any,
    variable: str = "v",
    ax: Any = None,
    *,
    neurons: Sequence[int] | None = None,
    max_traces: int = 5,
    spike_peak: float | None = None,
) -> Any:
    """Recorded state variable (e.g. membrane potential) of monitored neurons.

    Parameters
    ----------
    monitor : Monitor
        With ``variable`` recorded.
    variable : str
        ``"v"``, ``"u"``, ``"I"``, ...
    neurons : sequence of int, optional
        Columns of the monitor to draw (default: the first ``max_traces``).
    spike_peak : float, optional
        Draw each spike as a peak of this height (e.g. 30 mV for Izhikevich neurons,
        whose recorded potential is already reset). A spike emitted at step ``t`` comes
        from the potential recorded at step ``t - 1``, which is replaced.

    Returns
    -------
    matplotlib Axes
        One line per neuron, one point per recorded step.
    """
    data = monitor[variable]
    if spike_peak is not None:
        spikes = monitor.spikes
        if spikes.shape != data.shape:
            raise ConfigError("spikey.viz.traces.spike_peak: the monitor must record spikes (spikes=True).")
        data = data.copy()
        data[:-1][spikes[1:]] = spike_peak
    cols = list(range(min(max_traces, data.shape[1]))) if neurons is None else list(neurons)
    ax = _axes(ax)
    t = monitor.times
    for c in cols:
        ax.plot(t, data[:, c], lw=0.8, label=f"neuron {monitor.index[c]}")
    ax.set_xlabel("time [ms]")
    ax.set_ylabel({"v": "v [mV]"}.get(variable, variable))
    if cols:
        ax.legend(loc="upper right", fontsize="small")
    return ax


def weights(source: Any, ax: Any = None, *, signed: bool = True, cmap: str = "RdBu_r") -> Any:
    """Weight matrix as an image (rows: presynaptic, columns: postsynaptic).

    Parameters
    ----------
    source : Network or ndarray
        A network (its ``weights.matrix``, with the presynaptic polarities applied when
        ``signed``; population boundaries drawn for population networks) or a matrix.
    signed : bool
        Show excitatory weights positive and inhibitory ones negative.

    Returns
    -------
    matplotlib Axes
        With one image of the matrix's shape.
    """
    slices = None
    n_in = 0
    if hasattr(source, "weights") and hasattr(source.weights, "matrix"):
        m = np.array(source.weights.matrix, dtype=float)
        if signed and getattr(source, "polarities", None) is not None:
            m = m * np.asarray(source.polarities)[:, None]
            if source.weights.signs is not None:
                m = m * source.weights.signs
        slices = getattr(source, "slices", None)
        n_in = getattr(source, "_n_inputs", 0)
    else:
        m = np.asarray(source, dtype=float)
        if m.ndim != 2:
            raise ConfigError(
                f"spikey.viz.weights: expected a network or a 2-D matrix; got {describe_value(source)}."
            )
    ax = _axes(ax)
    top = float(np.abs(m).max(initial=0.0)) or 1.0
    image = ax.imshow(
        m, aspect="auto", interpolation="nearest", cmap=cmap, vmin=-top if signed else 0.0, vmax=top
    )
    ax.figure.colorbar(image, ax=ax, label="weight")
    for sl in (slices or {}).values():
        if sl.start:
            ax.axvline(sl.start - 0.5, color="k", lw=0.5)
            ax.axhline(sl.start + n_in - 0.5, color="k", lw=0.5)
    ax.set_xlabel("postsynaptic neuron")
    ax.set_ylabel("presynaptic neuron")
    return ax


def weight_trace(monitor: Any, ax: Any = None) -> Any:
    """Recorded weights (``Monitor(synapses=...)``) over time; one line per synapse."""
    w = monitor.weights
    ax = _axes(ax)
    for k, (pre, post) in enumerate(monitor.synapses):
        ax.plot(monitor.times, w[:, k], label=f"{pre} -> {post}")
    ax.set_xlabel("time [ms]")
    ax.set_ylabel("weight")
    if monitor.synapses:
        ax.legend(loc="best", fontsize="small")
    return ax
