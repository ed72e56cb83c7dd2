"""Learning rules against textbook values."""

from __future__ import annotations

import math

import numpy as np
import pytest

import spikey
from spikey.errors import ConfigError

N_IN, N = 1, 2  # presynaptic: input 0, body 0, body 1; postsynaptic: body 0, body 1
POL = np.ones(N_IN + N)


def weights(w0: float = 0.5):
    m = np.zeros((N_IN + N, N))
    m[0, 0] = w0  # input -> body 0: the synapse under test
    m[1, 1] = w0  # body 0 -> body 1
    return spikey.weight.Manual(n_inputs=N_IN, n_neurons=N, max_weight=1.0, matrix=m)


def synapse(cls, w=None, **kw):
    cfg = dict(
        n_inputs=N_IN, n_neurons=N, learning_rate=0.1, tau_plus=20.0, tau_minus=15.0, A_plus=1.0, A_minus=-0.8
    )
    cfg.update(kw)
    syn = cls(w or weights(), **cfg)
    syn.reset()
    return syn


def fire(*idx):
    f = np.zeros(N_IN + N, dtype=bool)
    f[list(idx)] = True
    return f


def run(syn, events: dict, steps: int, pol=POL):
    """events: step -> presynaptic indices that fire (index 1 is also post 0)."""
    for t in range(steps):
        syn.update(fire(*events.get(t, ())), pol)


def test_ltp_pre_before_post_is_textbook():
    """Pre at t, post at t+5: dw = eta * A+ * exp(-5/tau+)."""
    syn = synapse(spikey.synapse.LTP)
    run(syn, {0: [0], 5: [1]}, 6)
    assert syn.weights.matrix[0, 0] == pytest.approx(0.5 + 0.1 * 1.0 * math.exp(-5 / 20), abs=1e-12)


def test_ltp_post_before_pre_depresses():
    """Post at t, pre at t+5: dw = eta * A- * exp(-5/tau-)."""
    syn = synapse(spikey.synapse.LTP)
    run(syn, {0: [1], 5: [0]}, 6)
    assert syn.weights.matrix[0, 0] == pytest.approx(0.5 - 0.1 * 0.8 * math.exp(-5 / 15), abs=1e-12)


def test_ltp_inhibitory_presynaptic_flips_magnitude_change():
    """For an inhibitory presynaptic neuron, potentiation shrinks the weight magnitude."""
    syn = synapse(spikey.synapse.LTP)
    run(syn, {0: [0], 5: [1]}, 6, pol=np.array([-1.0, 1.0, 1.0]))
    assert syn.weights.matrix[0, 0] == pytest.approx(0.5 - 0.1 * math.exp(-5 / 20), abs=1e-12)


def test_learning_stays_in_mask_and_bounds():
    """Absent synapses never appear; weights stay within [0, max_weight]."""
    syn = synapse(spikey.synapse.LTP, learning_rate=5.0)
    rng = np.random.default_rng(0)
    for _ in range(300):
        syn.update(rng.random(N_IN + N) < 0.3, POL)
    m = syn.weights.matrix
    assert np.all(m[~syn.weights.mask] == 0)
    assert m.min() >= 0 and m.max() <= 1.0
    assert m[0, 0] in (0.0, 1.0) or 0 < m[0, 0] < 1


def test_mstdpet_eligibility_decays_with_tau_z_and_needs_reward():
    """z = A+ e^{-5/tau+} / tau_z after the pair, then decays by e^{-1/tau_z}; no reward, no change."""
    syn = synapse(spikey.synapse.MSTDPET, tau_z=25.0)
    before = syn.weights.matrix.copy()
    run(syn, {0: [0], 5: [1]}, 6)
    z0 = math.exp(-5 / 20) / 25.0
    assert syn.eligibility[0, 0] == pytest.approx(z0, rel=1e-12)
    run(syn, {}, 30)
    assert syn.eligibility[0, 0] == pytest.approx(z0 * math.exp(-30 / 25), rel=1e-12)
    np.testing.assert_array_equal(syn.weights.matrix, before)
    syn.reward(2.0)
    assert syn.weights.matrix[0, 0] == pytest.approx(0.5 + 0.1 * 2.0 * z0 * math.exp(-30 / 25), rel=1e-12)


def test_mstdpet_matches_stepwise_recursion():
    """The batched eligibility equals stepping z <- z e^{-1/tau_z} + zeta / tau_z each step."""
    rng = np.random.default_rng(5)
    n_in, n = 6, 9
    w = spikey.weight.Random(n_inputs=n_in, n_neurons=n, max_weight=1.0, seed=1)
    syn = spikey.synapse.MSTDPET(
        w, n_inputs=n_in, n_neurons=n, learning_rate=0.1, tau_plus=7.0, tau_minus=11.0, A_minus=-0.7
    )
    syn.reset()
    pol = np.where(rng.random(n_in + n) < 0.3, -1.0, 1.0)
    P, Q, Z = np.zeros(n_in + n), np.zeros(n), np.zeros((n_in + n, n))
    for _ in range(600):
        f = rng.random(n_in + n) < 0.15
        syn.update(f, pol)
        P *= math.exp(-1 / 7)
        Q *= math.exp(-1 / 11)
        Z = Z * math.exp(-1 / 25) + (np.outer(P, f[n_in:]) + np.outer(f, Q)) / 25
        P += f
        Q -= 0.7 * f[n_in:]
    np.testing.assert_allclose(syn.eligibility, Z, rtol=1e-9, atol=1e-15)
    assert np.abs(Z).max() > 0.05


def test_mstdp_reward_acts_on_same_step_only():
    """MSTDP: a reward right after the pair gives eta r A+ e^{-5/tau+}; a later one does nothing."""
    syn = synapse(spikey.synapse.MSTDP)
    run(syn, {0: [0], 5: [1]}, 6)
    syn.reward(1.0)
    expected = 0.5 + 0.1 * math.exp(-5 / 20)
    assert syn.weights.matrix[0, 0] == pytest.approx(expected, abs=1e-12)
    run(syn, {}, 3)
    syn.reward(1.0)
    assert syn.weights.matrix[0, 0] == pytest.approx(expected, abs=1e-12)


def test_rlstdp_trace_decays_by_trace_decay():
    """RLSTDP's trace decays by (1 - trace_decay) per step with unscaled increments."""
    syn = synapse(spikey.synapse.RLSTDP, trace_decay=0.1)
    run(syn, {0: [0], 5: [1]}, 6 + 10)
    assert syn.eligibility[0, 0] == pytest.approx(math.exp(-5 / 20) * 0.9**10, rel=1e-12)


def test_eval_freezes_reward_learning():
    """A synapse in eval mode ignores rewards."""
    syn = synapse(spikey.synapse.MSTDPET)
    run(syn, {0: [0], 5: [1]}, 6)
    before = syn.weights.matrix.copy()
    syn.eval()
    syn.reward(5.0)
    np.testing.assert_array_equal(syn.weights.matrix, before)


def test_propagate_sums_signed_spikes_and_inh_mask():
    """Input to each neuron is sum_i s_i w_ij, with inh_weight_mask flipping signs."""
    m = np.array([[0.5, 0.2], [0.0, 0.3], [0.4, 0.0]])
    inh = np.zeros_like(m, dtype=bool)
    inh[1, 1] = True
    w = spikey.weight.Manual(n_inputs=1, n_neurons=2, max_weight=1.0, matrix=m, inh_weight_mask=inh)
    syn = spikey.synapse.Synapse(w, n_inputs=1, n_neurons=2)
    out = syn.propagate(np.array([2.0, 1.0, -1.0]))
    np.testing.assert_allclose(out, [2 * 0.5 - 0.4, 2 * 0.2 - 0.3])


def test_bad_A_minus_sign_rejected():
    """A_minus is a signed depression amplitude: positive values are rejected with a clear message."""
    with pytest.raises(ConfigError, match=r"LTP.A_minus: expected a float <= 0; got 1.0 \(float\)."):
        synapse(spikey.synapse.LTP, A_minus=1.0)
