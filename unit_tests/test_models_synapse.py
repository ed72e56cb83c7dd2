"""Transmission dynamics (delays, failures, kernels, post-synaptic reset) and the
DA-STDP and Diehl & Cook learning rules, against values derived by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import spikey
from spikey.errors import ConfigError, ShapeError
from spikey.snn.synapse import DASTDP, DiehlCook, StaticSynapse, Synapse
from spikey.snn.synapse.delays import DelayLine
from spikey.snn.synapse.kernels import Kernel


def manual(m: np.ndarray, n_in: int, max_weight: float = 1.0, mask: np.ndarray | None = None):
    n = m.shape[1]
    return spikey.weight.Manual(n_inputs=n_in, n_neurons=n, max_weight=max_weight, matrix=m, matrix_mask=mask)


def static(m: np.ndarray, n_in: int, **kw) -> StaticSynapse:
    syn = StaticSynapse(manual(m, n_in), n_inputs=n_in, n_neurons=m.shape[1], seed=kw.pop("seed", 0), **kw)
    syn.reset()
    return syn


# ------------------------------------------------------------------ delays


@pytest.mark.parametrize("structure", ["uniform", "blocks", "random"])
def test_delays_conserve_spikes_and_arrive_exactly_d_steps_later(structure):
    """Every sent contribution arrives once, exactly d_ij steps later; nothing is lost or created."""
    rng = np.random.default_rng(3)
    n_pre, n_post, steps = 70, 9, 60
    if structure == "uniform":
        d = np.full((n_pre, n_post), 4)
    elif structure == "blocks":  # one delay per (pre group, post group) projection
        d = np.zeros((n_pre, n_post), dtype=int)
        d[:5, :4], d[:5, 4:], d[5:, :4], d[5:, 4:] = 3, 7, 0, 11
    else:
        d = rng.integers(0, 15, (n_pre, n_post))
    line = DelayLine(d, n_pre, n_post)
    assert line.mode == {"uniform": "uniform", "blocks": "classes", "random": "generic"}[structure]
    expected = np.zeros((steps + 20, n_post))
    got = []
    total_sent = 0.0
    for t in range(steps):
        rows = np.flatnonzero(rng.random(n_pre) < 0.3)
        contrib = rng.random((rows.size, n_post))
        for r, row in zip(rows, contrib):
            expected[t + d[r], np.arange(n_post)] += row
        total_sent += contrib.sum()
        line.push(rows, contrib)
        got.append(line.pop())
    for _ in range(20):  # drain
        got.append(line.pop())
    got = np.array(got)
    np.testing.assert_allclose(got, expected[: len(got)], rtol=1e-12, atol=1e-12)
    assert got.sum() == pytest.approx(total_sent, rel=1e-12)
    assert line.in_flight() == 0.0


def test_static_synapse_delay_matrix_in_a_network_step():
    """StaticSynapse with a delay matrix delivers w_ij at step t + d_ij (and Synapse without delays)."""
    m = np.array([[0.5, 0.25], [0.0, 0.75], [0.1, 0.0]])  # 1 input + 2 body neurons
    d = np.array([[0, 3], [0, 1], [2, 0]])
    syn = static(m, 1, delays=d)
    spikes = [np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0]), np.zeros(3), np.zeros(3), np.zeros(3)]
    out = np.array([syn.propagate(s) for s in spikes])
    expected = np.zeros((5, 2))
    expected[0, 0] += 0.5  # input -> 0, d 0
    expected[3, 1] += 0.25  # input -> 1, d 3
    expected[1 + 2, 0] += 0.1  # body 1 at t=1 -> 0, d 2
    np.testing.assert_allclose(out, expected)
    plain = Synapse(manual(m, 1), n_inputs=1, n_neurons=2)
    syn0 = static(m, 1)
    for s in spikes:
        np.testing.assert_array_equal(syn0.propagate(s), plain.propagate(s))


def test_delay_errors_name_key_and_value():
    """Negative, fractional or too long delays are rejected with the key in the message."""
    m = np.ones((3, 2)) * 0.5
    with pytest.raises(ConfigError, match=r"StaticSynapse\.delays"):
        static(m, 1, delays=-1)
    with pytest.raises(ConfigError, match=r"StaticSynapse\.max_delay: expected at least the largest delay 5"):
        static(m, 1, delays=5, max_delay=3)
    with pytest.raises(ShapeError, match=r"delays: expected an int or an array of shape \(3, 2\)"):
        static(m, 1, delays=np.zeros((2, 2), dtype=int))


def test_delays_survive_state_dict_mid_flight():
    """Spikes in flight are part of the state: a restored synapse delivers them."""
    m = np.array([[1.0], [0.0]])
    syn = static(m, 1, delays=5)
    syn.propagate(np.array([1.0, 0.0]))
    state = syn.state_dict()
    other = StaticSynapse(manual(m, 1), n_inputs=1, n_neurons=1, delays=5, seed=0)
    other.load_state_dict(state)
    out = [float(other.propagate(np.zeros(2))[0]) for _ in range(5)]
    assert out == [0.0, 0.0, 0.0, 0.0, 1.0]


# ------------------------------------------------------------------ failures


def test_failure_rate_matches_probability_and_is_seeded():
    """Spikes cross synapses with probability 1 - p (binomial bounds); the same seed fails the same way."""
    n, p, steps = 30, 0.3, 400
    w = spikey.weight.Manual(n_inputs=0, n_neurons=n, matrix=np.full((n, n), 0.5))
    syn = StaticSynapse(w, n_inputs=0, n_neurons=n, prob_failure=p, seed=4)
    syn.reset()
    rng = np.random.default_rng(0)
    delivered = sent = 0.0
    for _ in range(steps):
        spikes = (rng.random(n) < 0.5).astype(float)
        delivered += syn.propagate(spikes).sum()
        sent += spikes.sum() * n * 0.5
    frac = delivered / sent
    sd = math.sqrt(p * (1 - p) / (sent / 0.5))
    assert abs(frac - (1 - p)) < 5 * sd, (frac, sd)
    again = StaticSynapse(w, n_inputs=0, n_neurons=n, prob_failure=p, seed=4)
    again.reset()
    syn.seed(4)
    syn.reset()
    spikes = np.ones(n)
    first = syn.propagate(spikes)
    np.testing.assert_array_equal(first, again.propagate(spikes))
    assert 0 < first.min() < first.max() < 0.5 * n  # some failed, not all


def test_failures_are_independent_per_synapse():
    """With one spike onto many synapses, the number delivered is Binomial(n, 1 - p)."""
    n = 2000
    w = spikey.weight.Manual(
        n_inputs=1, n_neurons=n, max_weight=1.0, matrix=np.vstack([np.ones(n), np.zeros((n, n))])
    )
    syn = StaticSynapse(w, n_inputs=1, n_neurons=n, prob_failure=0.8, seed=9)
    syn.reset()
    spikes = np.zeros(n + 1)
    spikes[0] = 1.0
    got = syn.propagate(spikes)
    assert set(np.unique(got)) <= {0.0, 1.0}
    assert abs(got.mean() - 0.2) < 5 * math.sqrt(0.2 * 0.8 / n)


# ------------------------------------------------------------------ kernels


def test_exponential_and_alpha_kernels_follow_their_formulas():
    """K_exp(t) = e^{-t/tau}; K_alpha(t) = (t/tau) e^{1-t/tau}, peaking at 1 at t = tau."""
    tau, dt = 8.0, 0.5
    t = np.arange(80) * dt
    for shape, formula in (
        ("exponential", np.exp(-t / tau)),
        ("alpha", (t / tau) * np.exp(1 - t / tau)),
    ):
        k = Kernel(shape, tau, dt, 1)
        out = [float(k.step(np.array([2.0 if i == 0 else 0.0]))[0]) for i in range(len(t))]
        np.testing.assert_allclose(out, 2.0 * formula, rtol=1e-12, atol=1e-14)
    k = Kernel("alpha", tau, dt, 1)
    out = [float(k.step(np.array([1.0 if i == 0 else 0.0]))[0]) for i in range(60)]
    assert int(np.argmax(out)) == int(tau / dt) and max(out) == pytest.approx(1.0)


def test_current_kernels_split_excitatory_and_inhibitory():
    """Excitatory spikes use kernel_exc/tau_exc, inhibitory ones kernel_inh/tau_inh, summed with signs."""
    m = np.array([[0.4], [0.6], [0.0]])  # input 0 (exc), input 1 (inh), 1 body neuron
    syn = static(m, 2, kernel_exc="exponential", tau_exc=5.0, kernel_inh="alpha", tau_inh=10.0)
    out = [float(syn.propagate(np.array([1.0, -1.0, 0.0]) if i == 0 else np.zeros(3))[0]) for i in range(30)]
    t = np.arange(30.0)
    expected = 0.4 * np.exp(-t / 5) - 0.6 * (t / 10) * np.exp(1 - t / 10)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-14)


def test_conductance_synapses_drive_towards_reversal_potentials():
    """I = g_e (E_exc - v) + g_i (E_inh - v) with the attached neurons' potentials."""
    m = np.array([[0.5, 0.5], [0.2, 0.2], [0.0, 0.0], [0.0, 0.0]])
    syn = static(
        m, 2, conductance=True, kernel_exc="exponential", tau_exc=2.0, kernel_inh="exponential", tau_inh=4.0
    )
    with pytest.raises(ConfigError, match="conductance-based synapses need the body neurons' potentials"):
        syn.propagate(np.array([1.0, -1.0, 0.0, 0.0]))

    class Fixed:
        potentials = np.array([-70.0, 10.0])

    syn.attach(Fixed())
    syn.reset()
    i0 = syn.propagate(np.array([1.0, -1.0, 0.0, 0.0]))
    np.testing.assert_allclose(i0, 0.5 * (0.0 - Fixed.potentials) + 0.2 * (-80.0 - Fixed.potentials))
    i1 = syn.propagate(np.zeros(4))
    np.testing.assert_allclose(
        i1,
        0.5 * math.exp(-0.5) * (0.0 - Fixed.potentials) + 0.2 * math.exp(-0.25) * (-80.0 - Fixed.potentials),
    )
    assert i0[0] > 0 > i0[1]  # at -70 mV excitation wins; at +10 mV both pull down


def test_post_synaptic_reset_zeroes_the_kernel_state():
    """A spike of the postsynaptic neuron resets its synaptic variable; others keep theirs."""
    m = np.array([[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
    cfg = dict(kernel_exc="exponential", tau_exc=10.0)
    with_reset = static(m, 1, post_reset=True, **cfg)
    without = static(m, 1, **cfg)
    steps = [np.array([1.0, 0.0, 0.0]), np.zeros(3), np.array([0.0, 1.0, 0.0]), np.zeros(3)]
    a = np.array([with_reset.propagate(s) for s in steps])
    b = np.array([without.propagate(s) for s in steps])
    np.testing.assert_allclose(b[:, 0], np.exp(-np.arange(4) / 10))
    np.testing.assert_allclose(a[:2], b[:2])
    assert a[2, 0] == 0.0 and a[3, 0] == 0.0  # body neuron 0 spiked at step 2
    np.testing.assert_allclose(a[:, 1], b[:, 1])  # neuron 1 did not spike


def test_post_reset_keeps_input_in_flight():
    """Input still on the axon (delayed) arrives after a postsynaptic reset."""
    m = np.array([[1.0], [0.0]])
    syn = static(m, 1, delays=2, post_reset=True, kernel_exc="exponential", tau_exc=10.0)
    out = [float(syn.propagate(s)[0]) for s in (np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.zeros(2))]
    assert out == [0.0, 0.0, 1.0]


# ------------------------------------------------------------------ DA-STDP

N_IN, N = 1, 2


def dastdp(w0: float = 1.0, **kw) -> DASTDP:
    m = np.zeros((N_IN + N, N))
    m[0, 0] = w0
    m[1, 1] = w0
    syn = DASTDP(manual(m, N_IN, max_weight=4.0, mask=m > 0), n_inputs=N_IN, n_neurons=N, seed=0, **kw)
    syn.reset()
    return syn


def fire(*idx):
    f = np.zeros(N_IN + N, dtype=bool)
    f[list(idx)] = True
    return f


POL = np.ones(N_IN + N)


def test_dastdp_eligibility_and_dopamine_time_constants():
    """c = A+ e^{-5/tau+} after a pre-post pair, then decays with tau_c; d decays with tau_d."""
    syn = dastdp()
    for t in range(6):
        syn.update(fire(0) if t == 0 else fire(1) if t == 5 else fire(), POL)
    c0 = 0.1 * math.exp(-5 / 20) * math.exp(-1 / 1000)  # tagged at step 5, decayed once
    assert syn.eligibility[0, 0] == pytest.approx(c0, rel=1e-12)
    syn.reward(0.5)
    for _ in range(100):
        syn.update(fire(), POL)
    assert syn.eligibility[0, 0] == pytest.approx(c0 * math.exp(-100 / 1000), rel=1e-12)
    assert syn.dopamine == pytest.approx(0.5 * math.exp(-100 / 200), rel=1e-12)


def test_dastdp_weight_change_is_d0_plus_d_times_c_every_10_steps():
    """Every update_every steps w += (d0 + d) c, exactly."""
    syn = dastdp()
    syn.update(fire(0), POL)
    for _ in range(4):
        syn.update(fire(), POL)
    syn.update(fire(1), POL)  # post 5 steps after pre: c = 0.1 e^{-5/20}
    c = 0.1 * math.exp(-5 / 20)
    syn.reward(0.5)
    for _ in range(4):  # steps 7..10: the update at step 10
        syn.update(fire(), POL)
    decay_c, decay_d = math.exp(-1 / 1000), math.exp(-1 / 200)
    expected = 1.0 + (0.002 + 0.5 * decay_d**4) * c * decay_c**5
    assert syn.weights.matrix[0, 0] == pytest.approx(expected, rel=1e-12)


def test_dastdp_post_before_pre_depresses_by_a_minus():
    """Post then pre 5 steps later tags c = A- e^{-5/tau-} (< 0)."""
    syn = dastdp()
    for t in range(6):
        syn.update(fire(1) if t == 0 else fire(0) if t == 5 else fire(), POL)
    assert syn.eligibility[0, 0] == pytest.approx(-0.15 * math.exp(-5 / 20) * math.exp(-1 / 1000), rel=1e-12)


def test_dastdp_only_excitatory_synapses_learn_by_default():
    """With plastic='excitatory', synapses from inhibitory neurons keep their weight."""
    syn = dastdp()
    pol = np.array([-1.0, 1.0, 1.0])
    for t in range(400):
        syn.update(fire(0) if t % 20 == 0 else fire(1) if t % 20 == 3 else fire(), pol)
        if t % 20 == 5:
            syn.reward(1.0)
    assert syn.weights.matrix[0, 0] == 1.0
    assert np.all(syn.eligibility[0] == 0.0)


def _distal_reward_run(rewarded: bool, seconds: int = 60, seed: int = 0):
    """Izhikevich 2007's task on recorded spike trains: pairs of the chosen synapse
    (pre, then post within 20 ms) are followed by dopamine 1-3 s later; every neuron
    also fires at random at ~1 Hz, so all synapses collect STDP noise."""
    rng = np.random.default_rng(seed)
    n = 40  # 40 neurons, all-to-all excitatory synapses at weight 1
    m = np.ones((n, n)) - np.eye(n)
    w = spikey.weight.Manual(n_inputs=0, n_neurons=n, max_weight=4.0, matrix=m)
    syn = DASTDP(w, n_inputs=0, n_neurons=n, seed=seed)
    syn.reset()
    pol = np.ones(n)
    pre, post = 3, 7
    steps = seconds * 1000
    background = rng.random((steps, n)) < 0.001
    reward_at: set[int] = set()
    t_pair = 500
    while t_pair < steps - 3000:
        background[t_pair, pre] = True
        background[t_pair + int(rng.integers(2, 15)), post] = True
        reward_at.add(t_pair + int(rng.integers(1000, 3001)))
        t_pair += int(rng.integers(2500, 4000))
    for t in range(steps):
        syn.update(background[t], pol)
        if rewarded and t in reward_at:
            syn.reward(0.5)
    return w.matrix, pre, post, len(reward_at)


def test_dastdp_distal_reward_strengthens_the_rewarded_synapse():
    """Reduced Izhikevich (2007) experiment (60 s, 40 neurons, 1560 synapses): dopamine
    1-3 s after each pairing makes the paired synapse one of the strongest; the same
    pairings without dopamine hardly change it."""
    m, pre, post, n_rewards = _distal_reward_run(rewarded=True)
    assert n_rewards >= 15
    others = m[~np.eye(m.shape[0], dtype=bool)]
    others = others[others != m[pre, post]]
    assert m[pre, post] > 2.0  # grown from 1 (max 4)
    assert m[pre, post] > np.quantile(others, 0.99)
    m0, *_ = _distal_reward_run(rewarded=False)
    assert m0[pre, post] < 1.4  # tonic dopamine (0.002) alone
    assert m[pre, post] - 1.0 > 3 * (m0[pre, post] - 1.0)


# ------------------------------------------------------------------ Diehl & Cook


def diehl_cook(w0: float = 0.5, **kw) -> DiehlCook:
    m = np.zeros((N_IN + N, N))
    m[0, 0] = w0
    m[0, 1] = w0
    syn = DiehlCook(manual(m, N_IN), n_inputs=N_IN, n_neurons=N, seed=0, **kw)
    syn.reset()
    return syn


def test_diehl_cook_depression_at_pre_spike_is_nu_pre_times_post1():
    """Post at 0, pre at 5: w -= nu_pre * e^{-5/tau_post1}."""
    syn = diehl_cook()
    for t in range(6):
        syn.update(fire(1) if t == 0 else fire(0) if t == 5 else fire(), POL)
    assert syn.weights.matrix[0, 0] == pytest.approx(0.5 - 1e-4 * math.exp(-5 / 20), rel=1e-12)
    assert syn.weights.matrix[0, 1] == 0.5  # neuron 1 never fired: post1 = 0


def test_diehl_cook_potentiation_uses_post2_before_the_spike():
    """Pre at 0, post at 5 and 12: the first post gives nothing (post2 = 0), the second
    nu_post * x_pre(12) * post2(12-) with post2 = e^{-7/40}."""
    syn = diehl_cook()
    for t in range(13):
        syn.update(fire(0) if t == 0 else fire(1) if t in (5, 12) else fire(), POL)
    expected = 0.5 + 1e-2 * math.exp(-12 / 20) * math.exp(-7 / 40)
    assert syn.weights.matrix[0, 0] == pytest.approx(expected, rel=1e-12)


def test_diehl_cook_traces_are_nearest_spike_and_soft_bounds_with_mu():
    """Traces are set to 1 (not summed); with mu = 1 potentiation scales with (w_max - w)."""
    syn = diehl_cook()
    syn.update(fire(0), POL)
    syn.update(fire(0), POL)
    assert syn.pre_trace[0] == 1.0
    hard, soft = diehl_cook(w0=0.8), diehl_cook(w0=0.8, mu=1.0)
    for s in (hard, soft):
        for t in range(13):
            s.update(fire(0) if t == 0 else fire(1) if t in (5, 12) else fire(), POL)
    dw_hard = hard.weights.matrix[0, 0] - 0.8
    dw_soft = soft.weights.matrix[0, 0] - 0.8
    assert dw_soft == pytest.approx(dw_hard * (1.0 - 0.8), rel=1e-9)


def test_diehl_cook_learns_only_input_synapses_by_default():
    """plastic='inputs': synapses between body neurons never change."""
    m = np.array([[0.5, 0.5], [0.0, 0.5], [0.5, 0.0]])
    syn = DiehlCook(manual(m, 1), n_inputs=1, n_neurons=2, seed=0, nu_pre=0.1, nu_post=0.5)
    syn.reset()
    rng = np.random.default_rng(1)
    for _ in range(300):
        syn.update(rng.random(3) < 0.3, POL)
    assert syn.weights.matrix[1, 1] == 0.5 and syn.weights.matrix[2, 0] == 0.5
    assert syn.weights.matrix[0, 0] != 0.5
