"""Inputs, weights, readouts, rewarders and modifiers: documented behaviour."""

from __future__ import annotations

import numpy as np
import pytest

import spikey
from spikey.errors import ConfigError, ShapeError


# ---------------------------------------------------------------- inputs
def rates_of(inp, state, steps=4000):
    inp.reset()
    inp.update(state)
    return np.mean([inp() != 0 for _ in range(steps)], axis=0)


def test_ratemap_rates_tile_state_elements():
    """RateMap: input i fires with probability map[state[i % k]]."""
    inp = spikey.input.RateMap(n_inputs=6, magnitude=1.0, state_rate_map=[0.0, 0.2, 0.5], seed=0)
    np.testing.assert_allclose(rates_of(inp, [1, 2, 0]), [0.2, 0.5, 0.0] * 2, atol=0.03)


def test_ratemap_dict_and_callable_maps():
    """state_rate_map may be a dict (per value or whole state) or a callable."""
    by_value = spikey.input.RateMap(n_inputs=2, magnitude=1.0, state_rate_map={0: 0.0, 1: 1.0}, seed=0)
    by_value.update([1, 0])
    np.testing.assert_array_equal(by_value.values, [1.0, 0.0])
    whole = spikey.input.RateMap(n_inputs=2, magnitude=1.0, state_rate_map={(1, 0): [0.3, 0.6]}, seed=0)
    whole.update((1, 0))
    np.testing.assert_array_equal(whole.values, [0.3, 0.6])
    fn = spikey.input.RateMap(n_inputs=4, magnitude=1.0, state_rate_map=lambda s: [s / 10], seed=0)
    fn.update(3)
    np.testing.assert_allclose(fn.values, [0.3] * 4)


def test_ratemap_bad_state_and_sizes():
    """Indices outside the map, rates outside [0, 1] and non-dividing sizes are named."""
    inp = spikey.input.RateMap(n_inputs=4, magnitude=1.0, state_rate_map=[0.0, 0.5], seed=0)
    with pytest.raises(ConfigError, match=r"state_rate_map: expected state values in \[0, 1\]"):
        inp.update([2, 0])
    with pytest.raises(ConfigError, match=r"RateMap.n_inputs: expected a multiple of the 3 rates"):
        inp.update([1, 0, 1])
    bad = spikey.input.RateMap(n_inputs=2, magnitude=1.0, state_rate_map=[0.0, 2.0], seed=0)
    with pytest.raises(ConfigError, match="probabilities per step"):
        bad.update([1, 1])


def test_input_polarities_and_firing_steps():
    """Outputs are magnitude * polarity; input_firing_steps silences inputs after n steps."""
    inp = spikey.input.RateMap(
        n_inputs=4,
        magnitude=2.0,
        state_rate_map=[0.0, 1.0],
        input_firing_steps=3,
        input_polarities=np.array([1.0, -1.0, 1.0, -1.0]),
        seed=0,
    )
    inp.reset()
    inp.update([1, 1, 1, 1])
    out = np.array([inp() for _ in range(5)])
    np.testing.assert_array_equal(out[:3], [[2.0, -2.0, 2.0, -2.0]] * 3)
    np.testing.assert_array_equal(out[3:], 0.0)


def test_staticmap_replays_pattern_and_names_unknown_state():
    """StaticMap replays the (T, n) pattern of the state, wrapping; unknown states are named."""
    pat = np.array([[1, 0, 0], [0, 1, 0]], dtype=bool)
    inp = spikey.input.StaticMap(
        n_inputs=3, magnitude=1.0, state_spike_map={(0, 1): pat, 1: [0, 0, 1]}, seed=0
    )
    inp.reset()
    inp.update(np.array([0, 1]))
    np.testing.assert_array_equal([inp() for _ in range(3)], [[1, 0, 0], [0, 1, 0], [1, 0, 0]])
    inp.update(1)
    np.testing.assert_array_equal(inp(), [0, 0, 1])
    with pytest.raises(ConfigError, match=r"no pattern for state \(1, 1\)"):
        inp.update((1, 1))
    with pytest.raises(ConfigError, match=r"expected arrays of shape \(3,\) or \(T, 3\)"):
        spikey.input.StaticMap(n_inputs=3, magnitude=1.0, state_spike_map={0: [1, 0]})


def test_rbf_peaks_at_centres():
    """RBF: the neuron whose centre equals the state value fires at rbf_rate."""
    inp = spikey.input.RBF(n_inputs=10, magnitude=1.0, state_ranges=[(-1, 1), (0, 4)], rbf_rate=0.5, seed=0)
    inp.update([0.5, 4.0])
    assert inp.values[3] == pytest.approx(0.5) and inp.values[9] == pytest.approx(0.5)
    assert inp.values[3] > inp.values[2] > inp.values[1]
    with pytest.raises(ConfigError, match="expected a state with 2 values"):
        inp.update([0.0])


def test_poisson_rates_in_hz():
    """Poisson: probability per step = rate * dt / 1000; impossible rates are named."""
    inp = spikey.input.Poisson(n_inputs=3, magnitude=1.0, rate_scale=0.25, dt=1.0, seed=0)
    np.testing.assert_allclose(rates_of(inp, np.array([0, 255, 128]), 8000), [0, 0.06375, 0.032], atol=0.006)
    with pytest.raises(ConfigError, match=r"expected rates in \[0, 1000\] Hz"):
        inp.update(np.array([0, 5000, 0]) / 0.25)
    with pytest.raises(ConfigError, match="Poisson.n_inputs: expected a state with 3 values"):
        inp.update(np.zeros(4))


# ---------------------------------------------------------------- weights
def test_manual_masked_array_and_bounds():
    """Manual accepts legacy masked arrays and clips weights outside [0, max_weight] with a warning."""
    m = np.ma.array([[0.5, 0.0], [0.2, 0.3], [0.0, 0.1]], mask=[[0, 0], [0, 1], [1, 0]])
    w = spikey.weight.Manual(n_inputs=1, n_neurons=2, max_weight=1.0, matrix=m)
    np.testing.assert_array_equal(w.mask, [[True, True], [True, False], [False, True]])
    assert w.matrix[1, 1] == 0.0 and w._matrix is w.matrix
    with pytest.warns(
        spikey.errors.WeightClipWarning, match=r"Manual.matrix: .*\[0, max_weight=1\].*first -0.5 at \(0, 0\)"
    ):
        clipped = spikey.weight.Manual(
            n_inputs=1, n_neurons=2, max_weight=1.0, matrix=np.array([[-0.5, 0], [0, 3.0], [0, 0]])
        )
    assert clipped.matrix[0, 0] == 0.0 and clipped.matrix[1, 1] == 1.0
    with pytest.raises(ShapeError, match=r"expected shape \(3, 2\)"):
        spikey.weight.Manual(n_inputs=1, n_neurons=2, matrix=np.ones((2, 2)) * 0.1)


def test_random_density_self_connections_and_unidirectional():
    """Random: density of existing synapses, no self-connections, at most one direction per pair."""
    w = spikey.weight.Random(
        n_inputs=20, n_neurons=200, max_weight=2.0, density=0.3, force_unidirectional=True, seed=1
    )
    body = w.mask[20:]
    assert not body[np.arange(200), np.arange(200)].any()
    assert not (body & body.T).any()
    assert abs(w.mask[:20].mean() - 0.3) < 0.02
    assert w.matrix.max() <= 2.0 and np.all(w.matrix[~w.mask] == 0)
    normal = spikey.weight.Random(n_inputs=0, n_neurons=300, max_weight=1.0, distribution="normal", seed=1)
    assert abs(normal.matrix[normal.mask].mean() - 0.5) < 0.02
    with pytest.raises(
        ConfigError,
        match=r"Random.distribution: expected one of \('uniform', 'normal', 'lognormal'\) or a callable f\(rng, shape\); got 'gauss' \(str\).",
    ):
        spikey.weight.Random(n_inputs=0, n_neurons=3, distribution="gauss")


# ---------------------------------------------------------------- readouts
def test_threshold_readout_and_mean_mode():
    """Threshold compares the output rate with a fixed or running-mean threshold."""
    r = spikey.readout.Threshold(n_outputs=2, action_threshold=0.25, output_range=[-1, 1])
    train = np.zeros((10, 2), dtype=bool)
    train[:5, 0] = True
    assert r(train) == 1
    train[0, 0] = False
    assert r(train) == -1
    m = spikey.readout.Threshold(n_outputs=1, action_threshold="mean")
    assert m(np.ones((4, 1), bool)) == 1  # first call: threshold 0
    assert m(np.zeros((4, 1), bool)) == 0  # mean of [1.0] is 1
    with pytest.raises(
        ConfigError, match="Threshold.action_threshold: expected a float or 'mean'; got 'median' \\(str\\)."
    ):
        spikey.readout.Threshold(n_outputs=1, action_threshold="median")


def test_rates_population_vector_and_top_action():
    """Pools split outputs evenly; the population vector weights recent spikes; ties are random."""
    train = np.zeros((60, 4), dtype=bool)
    train[:, 0] = True
    train[-5:, 3] = True
    np.testing.assert_allclose(spikey.readout.NeuronRates(n_outputs=4, n_actions=2)(train), [0.5, 5 / 120])
    pv = spikey.readout.PopulationVector(n_outputs=4, n_actions=2)(train)
    assert pv.sum() == pytest.approx(1.0) and pv[0] > pv[1]
    top = spikey.readout.TopAction(n_outputs=4, n_actions=2, seed=0)
    assert top(train) == 0
    ties = [top(np.zeros((10, 4), bool)) for _ in range(200)]
    assert 60 < sum(ties) < 140


# ---------------------------------------------------------------- rewards
def test_match_expected_and_td_error():
    """MatchExpected sums reward/punishment per element; TDError learns V and returns delta."""
    r = spikey.reward.MatchExpected(expected_value=lambda s: np.array(s), reward_mult=2.0, punish_mult=0.5)
    assert r((1, 0), np.array([1, 1])) == pytest.approx(1.5)
    td = spikey.reward.TDError(expected_value=lambda s, a: 0.0, gamma=0.5, critic_rate=1.0)
    td.theta = np.array([0.0, 1.0])  # V(s) = s
    delta = td((2.0,), 0, (4.0,))
    assert delta == pytest.approx(0.0 + 0.5 * 4.0 - 2.0)
    assert (td.prev_td, td.prev_value, td.prev_reward) == (pytest.approx(0.0), pytest.approx(2.0), 0.0)


# ---------------------------------------------------------------- modifiers
def test_modifier_schedules_and_arguments():
    """LinearDecay and DropOff follow their schedules; bad arguments are named."""
    lin = spikey.modifier.LinearDecay(["network", "synapses", "learning_rate"], 2, 1.0, 0.0)
    assert [lin.value(t) for t in range(4)] == [1.0, 0.5, 0.0, 0.0]
    drop = spikey.modifier.DropOff(
        param="network.neurons.prob_rand_fire", t_stop=1, value_start=0.2, value_end=0.0
    )
    assert [drop.value(t) for t in range(3)] == [0.2, 0.0, 0.0]
    with pytest.raises(ConfigError, match=r"LinearDecay.t_stop: expected an int >= 1; got 0"):
        spikey.modifier.LinearDecay("network.synapses.learning_rate", 0, 1.0, 0.0)
    with pytest.raises(ConfigError, match=r"expected 'network.<part>.<key>'"):
        spikey.modifier.DropOff("network.synapses.weights.learning_rate", 1, 0, 1)
