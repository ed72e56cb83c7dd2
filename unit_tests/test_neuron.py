"""Neuron dynamics against hand-computed spike times."""

from __future__ import annotations

import math

import numpy as np
import pytest

import spikey
from spikey.errors import ConfigError, MissingKeyError


def drive(neurons, current: float, steps: int) -> np.ndarray:
    """Constant input; returns (steps, n_neurons) outputs."""
    neurons.reset()
    out = []
    for _ in range(steps):
        out.append(neurons())
        neurons += np.full(len(neurons), current)
    return np.array(out)


def lif(**kw):
    base = dict(
        n_neurons=3, magnitude=1.0, firing_threshold=5.0, potential_decay=0.1, refractory_period=0, seed=0
    )
    base.update(kw)
    return spikey.neuron.Neuron(**base)


def first_crossing(current: float, threshold: float, decay: float) -> int:
    """Smallest k with V_k = I (1 - (1-d)^k) / d >= threshold (V_0 = 0)."""
    return math.ceil(math.log(1 - threshold * decay / current) / math.log(1 - decay))


def test_spike_times_match_closed_form():
    """With decay d, threshold theta and input I, spikes come every k* steps from the closed form."""
    k = first_crossing(1.0, 5.0, 0.1)
    assert k == 7
    out = drive(lif(), 1.0, 40)
    times = np.flatnonzero(out[:, 0])
    np.testing.assert_array_equal(times, [k, 2 * k, 3 * k, 4 * k, 5 * k])


def test_refractory_period_delays_next_spike():
    """A refractory period r holds the neuron at rest for r steps after each spike."""
    k, r = 7, 3
    times = np.flatnonzero(drive(lif(refractory_period=r), 1.0, 40)[:, 0])
    np.testing.assert_array_equal(times, [k + i * (k + r) for i in range(4)])


def test_spike_delay_shifts_output():
    """spike_delay D emits each spike D steps after the threshold crossing."""
    times = np.flatnonzero(drive(lif(spike_delay=4), 1.0, 40)[:, 0])
    np.testing.assert_array_equal(times, [11, 18, 25, 32, 39])


def test_resting_potential_and_decay_towards_it():
    """Without input the potential relaxes geometrically towards resting_mv."""
    n = lif(resting_mv=-65.0, firing_threshold=0.0)
    n.reset()
    n.potentials[:] = -55.0
    for _ in range(3):
        n += 0.0
    np.testing.assert_allclose(n.potentials, -65.0 + 10.0 * 0.9**3)


def test_output_is_magnitude_times_polarity():
    """Spike values are magnitude * polarity; polarities can be fixed."""
    n = lif(magnitude=2.5, polarities=np.array([1.0, -1.0, 1.0]))
    out = drive(n, 1.0, 8)
    np.testing.assert_array_equal(out[7], [2.5, -2.5, 2.5])


def test_inhibitory_fraction_is_drawn_per_neuron():
    """neuron_pct_inhibitory sets the expected fraction of -1 polarities."""
    n = lif(n_neurons=20000, neuron_pct_inhibitory=0.2)
    assert abs(np.mean(n.polarities == -1) - 0.2) < 0.01


def test_random_firing_probability():
    """prob_rand_fire p makes silent neurons fire at rate p per step."""
    n = lif(n_neurons=2000, prob_rand_fire=0.05, firing_threshold=1e9)
    out = drive(n, 0.0, 50)
    assert abs((out != 0).mean() - 0.05) < 0.005


def test_rand_potential_kicks_only_a_fraction():
    """RandPotential adds U(0, leak_scalar) kicks to a prob_rand_fire fraction of neurons."""
    n = spikey.neuron.RandPotential(
        n_neurons=5000,
        magnitude=1.0,
        firing_threshold=1e9,
        potential_decay=0.0,
        refractory_period=0,
        prob_rand_fire=0.25,
        leak_scalar=2.0,
        seed=3,
    )
    n.reset()
    n()
    kicked = n.potentials > 0
    assert abs(kicked.mean() - 0.25) < 0.02
    assert n.potentials.max() <= 2.0 and abs(n.potentials[kicked].mean() - 1.0) < 0.05


def test_same_seed_same_spikes_and_reset_replays():
    """The same seed gives the same random spikes; seed()+reset() replays them."""
    a = drive(lif(prob_rand_fire=0.3, seed=11), 0.5, 30)
    b = drive(lif(prob_rand_fire=0.3, seed=11), 0.5, 30)
    c = drive(lif(prob_rand_fire=0.3, seed=12), 0.5, 30)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    n = lif(prob_rand_fire=0.3, seed=11)
    first = drive(n, 0.5, 30)
    n.seed(11)
    np.testing.assert_array_equal(drive(n, 0.5, 30), first)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("firing_threshold", "high", "Neuron.firing_threshold: expected a float [mV]; got 'high' (str)."),
        ("potential_decay", 1.5, "Neuron.potential_decay: expected a float in [0, 1]; got 1.5 (float)."),
        ("n_neurons", 2.0, "Neuron.n_neurons: expected an int >= 1; got 2.0 (float)."),
        ("refractory_period", True, "Neuron.refractory_period: expected an int >= 0; got True (bool)."),
    ],
)
def test_bad_values_are_named(key, value, expected):
    """Invalid keys raise ConfigError naming part, key, value and expectation."""
    with pytest.raises(ConfigError) as err:
        lif(**{key: value})
    assert str(err.value) == expected


def test_missing_key_is_named():
    """A missing required key raises MissingKeyError (a KeyError) naming it."""
    with pytest.raises(MissingKeyError, match=r"Neuron: missing required key 'firing_threshold'"):
        spikey.neuron.Neuron(n_neurons=2, magnitude=1.0, potential_decay=0.1, refractory_period=0)
    assert issubclass(MissingKeyError, KeyError)


def test_bad_polarities_rejected():
    """Given polarities must be +1/-1 with one per neuron."""
    with pytest.raises(ConfigError, match=r"Neuron.polarities: expected an array of shape \(3,\)"):
        lif(polarities=np.array([1.0, 0.0, 1.0]))
