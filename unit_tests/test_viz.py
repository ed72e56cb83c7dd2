"""spikey.viz: each plot has the right number of marks (Agg backend, no display)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from spikey import viz  # noqa: E402
from spikey.errors import ConfigError  # noqa: E402
from spikey.snn.monitor import Monitor  # noqa: E402
from spikey.snn.neuron import Izhikevich  # noqa: E402
from spikey.snn.populations import Population, PopulationNetwork, Projection  # noqa: E402


@pytest.fixture
def net():
    """A two-population network after one 200-step game step, with a monitor."""
    network = PopulationNetwork(
        populations=[
            Population("exc", 8, Izhikevich, bias=6.0, noise=3.0),
            Population("inh", 4, Izhikevich, preset="FS", inhibitory=True, bias=3.0, noise=2.0),
        ],
        projections=[Projection("exc", ["exc", "inh"], 1.0, density=0.5), Projection("inh", "exc", 2.0)],
        processing_time=200,
        dt=0.5,
        seed=0,
        strict=True,
    )
    network.monitor = Monitor(network, neurons=[0, 3, 9], variables=("v", "u"), synapses=[(0, 8), (8, 0)])
    network.reset()
    network.tick(None)
    yield network
    plt.close("all")


def test_viz_does_not_import_matplotlib_until_called():
    """Importing spikey.viz leaves matplotlib.pyplot unloaded (lazy import)."""
    code = "import sys, spikey.viz; print('matplotlib.pyplot' in sys.modules)"
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_raster_has_one_point_per_spike_per_population(net):
    """One scatter per population; offsets = (time ms, neuron) of each spike."""
    ax = viz.raster(net)
    assert len(ax.collections) == 2
    offsets = np.concatenate([c.get_offsets() for c in ax.collections])
    log = net.spike_log
    assert len(offsets) == log.sum() > 0
    rows, cols = np.nonzero(log)
    assert sorted(map(tuple, offsets)) == sorted(zip(rows * 0.5, cols.astype(float)))
    ax = viz.raster(net.monitor)
    assert sum(len(c.get_offsets()) for c in ax.collections) == net.monitor.spikes.sum()
    ax = viz.raster(np.eye(5, dtype=bool), populations=["neurons"])
    assert len(ax.collections[0].get_offsets()) == 5


def test_population_rates_has_one_line_per_population_and_point_per_bin(net):
    """200 steps of 0.5 ms in 10 ms bins: 10 points per population, rates in Hz."""
    ax = viz.population_rates(net, bin_ms=10.0)
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["exc", "inh"]
    assert all(len(ln.get_xdata()) == 10 for ln in lines)
    exc = net.spikes("exc")
    expected = exc.reshape(10, 20, 8).sum(axis=(1, 2)) / (8 * 10 / 1000)
    np.testing.assert_allclose(lines[0].get_ydata(), expected)


def test_traces_plot_every_recorded_step(net):
    """One line per monitored neuron with one point per recorded step."""
    ax = viz.traces(net.monitor, "v")
    assert len(ax.get_lines()) == 3
    assert all(len(ln.get_xdata()) == 200 for ln in ax.get_lines())
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), net.monitor["v"][:, 1])
    ax = viz.traces(net.monitor, "u", neurons=[2])
    assert len(ax.get_lines()) == 1


def test_weights_image_and_weight_trace(net):
    """The weight image has the matrix's shape and signs; the weight trace one line per synapse."""
    fig, ax = plt.subplots()
    out = viz.weights(net, ax=ax)
    assert out is ax
    image = ax.get_images()[0].get_array()
    assert image.shape == (12, 12)
    assert image[8:].max() <= 0 <= image[:8].min()  # inhibitory rows negative
    ax = viz.weight_trace(net.monitor)
    assert len(ax.get_lines()) == 2 and len(ax.get_lines()[0].get_xdata()) == 200


def test_viz_errors():
    """A network that has not run, or a bad array, is explained."""
    network = PopulationNetwork(populations=[Population("a", 2, Izhikevich)], processing_time=5, seed=0)
    with pytest.raises(ConfigError, match="call tick"):
        viz.raster(network)
    with pytest.raises(ConfigError, match="bool array"):
        viz.raster(np.zeros(3))


def test_traces_spike_peak_marks_spikes(net):
    """spike_peak draws a peak one step before each recorded spike; without spikes it is an error."""
    mon = net.monitor
    ax = viz.traces(mon, "v", neurons=[0], spike_peak=30.0)
    y = ax.get_lines()[0].get_ydata()
    assert np.sum(y == 30.0) == mon.spikes[1:, 0].sum()
    silent = Monitor(net, neurons=[0], spikes=False)
    net.tick(None)
    with pytest.raises(ConfigError, match="must record spikes"):
        viz.traces(silent, "v", spike_peak=30.0)


def test_array_sources_take_population_groups(net):
    """An array with groups= is split into named populations like a network."""
    log = net.spike_log
    ax = viz.raster(log, dt=0.5, groups=net.slices)
    assert [c.get_label() for c in ax.collections] == ["exc", "inh"]
    ax = viz.population_rates(log, dt=0.5, groups={"first": slice(0, 3)}, bin_ms=50)
    assert len(ax.get_lines()) == 1 and len(ax.get_lines()[0].get_xdata()) == 2
