"""Networks: construction, checks before any step, train/eval, copies and snapshots."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import STATES, SmallRL, feedforward, run_ticks, xor_expected

import spikey
from spikey.errors import ConfigError, MissingKeyError, ShapeError, UnclaimedKeyWarning


class FakeGame:
    """Anything with params can feed keys to a network."""

    params = {"n_inputs": 10, "processing_time": 5, "game_only_key": 1}


def test_parts_and_keys_as_kwargs_or_class_attributes():
    """The two construction styles build the same network for the same seed."""
    a = SmallRL(seed=3, strict=True)
    b = spikey.RLNetwork(seed=3, strict=True, **SmallRL.parts, **SmallRL.keys)
    a.reset()
    b.reset()
    np.testing.assert_array_equal(np.stack(run_ticks(a, 4)), np.stack(run_ticks(b, 4)))


def test_key_priority_kwargs_over_keys_over_game():
    """kwargs > class keys > game params; game-only keys are not flagged."""
    net = SmallRL(game=FakeGame(), seed=1, strict=True, processing_time=7)
    assert net._processing_time == 7
    assert SmallRL(game=FakeGame(), seed=1, strict=True)._processing_time == 40
    assert net.params["game_only_key"] == 1


def test_seed_none_is_drawn_and_recorded():
    """Without a seed one is drawn and stored in params so the run can be repeated."""
    net = SmallRL(strict=True)
    seed = net.params["seed"]
    assert isinstance(seed, int)
    again = SmallRL(seed=seed, strict=True)
    net.reset()
    again.reset()
    np.testing.assert_array_equal(np.stack(run_ticks(net, 3)), np.stack(run_ticks(again, 3)))


def test_different_seeds_differ():
    """Different seeds give different spike trains."""
    a, b = SmallRL(seed=1, strict=True), SmallRL(seed=2, strict=True)
    a.reset()
    b.reset()
    assert not np.array_equal(np.stack(run_ticks(a, 2)), np.stack(run_ticks(b, 2)))


def test_unclaimed_key_warns_with_suggestion_and_strict_raises():
    """A typo'd key warns with a did-you-mean; strict=True makes it an error."""
    with pytest.warns(
        UnclaimedKeyWarning, match=r"'firing_treshold' is used by no part.*did you mean 'firing_threshold'"
    ):
        SmallRL(seed=1, firing_treshold=3.0)
    with pytest.raises(ConfigError, match="firing_treshold"):
        SmallRL(seed=1, strict=True, firing_treshold=3.0)


def test_bad_part_value_names_slot_part_key_value():
    """Errors inside a part are prefixed with the network slot."""
    with pytest.raises(ConfigError) as err:
        SmallRL(seed=1, strict=True, firing_threshold="x")
    assert str(err.value) == "network.neurons: Neuron.firing_threshold: expected a float [mV]; got 'x' (str)."


def test_missing_part_and_missing_key():
    """A missing part or key is reported before anything runs."""
    parts = dict(SmallRL.parts)
    del parts["readout"]
    with pytest.raises(MissingKeyError, match="missing part 'readout'"):
        spikey.RLNetwork(seed=1, **parts, **SmallRL.keys)
    keys = dict(SmallRL.keys)
    del keys["processing_time"]
    with pytest.raises(MissingKeyError, match="'processing_time'"):
        spikey.RLNetwork(seed=1, **SmallRL.parts, **keys)


def test_weight_shape_mismatch_caught_at_construction():
    """A matrix of the wrong shape fails at construction with both shapes named."""
    with pytest.raises(ShapeError, match=r"expected shape \(22, 12\).*got shape \(21, 12\)"):
        SmallRL(seed=1, strict=True, matrix=feedforward(9, 12, 2, 3.0))


def test_too_many_outputs_caught_at_construction():
    """n_outputs > n_neurons is a ShapeError, not an IndexError later."""
    with pytest.raises(ShapeError, match=r"n_outputs: expected at most n_neurons=12; got 13"):
        SmallRL(seed=1, strict=True, n_outputs=13)


def test_part_given_as_instance_is_rejected():
    """Parts are classes; an instance gets a clear error."""
    with pytest.raises(ConfigError, match=r"network.readout: expected a part class"):
        SmallRL(seed=1, strict=True, readout=spikey.readout.Threshold(n_outputs=2, action_threshold=0.1))


def test_tick_spike_log_and_outputs(small_net):
    """tick returns an action from the readout; spike_log is (processing_time, n_inputs + n_neurons)."""
    action = small_net.tick((1, 0))
    assert action in (0, 1)
    assert small_net.spike_log.shape == (40, 22) and small_net.spike_log.dtype == bool
    np.testing.assert_array_equal(small_net.output_spikes, small_net.spike_log[:, -2:])
    assert small_net.spike_log[:, :10].any()  # active inputs fire at 0.3 per step
    assert small_net.internal_time == 40


def test_reset_clears_the_log_in_place_and_a_new_length_gets_a_new_log(small_net):
    """reset() clears the spike log it has (no new allocation to map again); a changed
    processing_time gets a log of the new length at the next tick."""
    small_net.tick((1, 0))
    log = small_net.spike_log
    assert log.any()
    small_net.reset()
    assert small_net.spike_log is log and not log.any()
    small_net.set_params(processing_time=25)
    small_net.tick((1, 0))
    assert small_net.spike_log.shape == (25, 22) and small_net.spike_log.any()
    small_net.reset()
    assert small_net.spike_log.shape == (25, 22) and not small_net.spike_log.any()


def test_eval_leaves_weights_bit_identical(small_net):
    """In eval mode, ticks and rewards never change a weight; train() resumes learning."""
    run_ticks(small_net, 4)
    before = small_net.weights.matrix.copy()
    small_net.eval()
    run_ticks(small_net, 12)
    np.testing.assert_array_equal(small_net.weights.matrix, before)
    small_net.train()
    run_ticks(small_net, 12)
    assert not np.array_equal(small_net.weights.matrix, before)


def test_copy_keeps_weights_and_continues_identically(small_net):
    """copy() mid-run keeps learned weights and continues bit-identically."""
    run_ticks(small_net, 5)
    twin = small_net.copy()
    np.testing.assert_array_equal(twin.weights.matrix, small_net.weights.matrix)
    assert twin.synapses.weights is twin.weights and twin.weights is not small_net.weights
    a, b = run_ticks(small_net, 6, start=5), run_ticks(twin, 6, start=5)
    np.testing.assert_array_equal(np.stack(a), np.stack(b))
    np.testing.assert_array_equal(twin.weights.matrix, small_net.weights.matrix)


def test_copy_shares_callback():
    """The callback is shared by a copy, not duplicated."""
    cb = object()
    net = SmallRL(seed=1, strict=True, callback=cb)
    assert net.copy().callback is cb


def test_save_load_continues_identically(small_net, tmp_path):
    """save/load mid-run (npz + JSON, no pickle) continues bit-identically."""
    run_ticks(small_net, 5)
    path = small_net.save(tmp_path / "net")
    assert path.endswith(".npz")
    with np.load(path, allow_pickle=False) as data:
        assert "__manifest__" in data.files
    loaded = SmallRL.load(path, expected_value=xor_expected)
    np.testing.assert_array_equal(loaded.weights.matrix, small_net.weights.matrix)
    a, b = run_ticks(small_net, 6, start=5), run_ticks(loaded, 6, start=5)
    np.testing.assert_array_equal(np.stack(a), np.stack(b))


def test_load_names_unresolvable_values(tmp_path):
    """A function outside spikey is not imported from a file: load asks for it by name."""
    net = SmallRL(seed=2, strict=True)
    path = net.save(tmp_path / "n.npz")
    with pytest.raises(
        ConfigError, match=r"cannot restore \['expected_value'\].*load\(path, expected_value=\.\.\.\)"
    ):
        SmallRL.load(path)
    with pytest.raises(ConfigError, match=r"saved network class 'conftest:SmallRL' cannot be resolved"):
        spikey.RLNetwork.load(path)
    spikey.snn.register_part(xor_expected)
    assert SmallRL.load(path).rewarder._expected_value is xor_expected


def test_load_rejects_non_snapshot(tmp_path):
    """A file that is not a spikey snapshot is refused."""
    p = tmp_path / "x.npz"
    np.savez(p, a=np.zeros(2))
    with pytest.raises(spikey.SpikeyError, match="not a spikey network snapshot"):
        SmallRL.load(p)


def test_modifier_changes_key_during_training():
    """LinearDecay moves the synapses' learning rate each tick while training only."""
    mod = spikey.modifier.LinearDecay("network.synapse.learning_rate", 4, 0.5, 0.1)
    net = SmallRL(seed=1, strict=True, modifiers=[mod])
    net.reset()
    rates = []
    for s in STATES * 2:
        net.tick(s)
        rates.append(net.synapses._learning_rate)
    np.testing.assert_allclose(rates, [0.5, 0.4, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1])
    net.eval()
    net.modifiers[0].reset()
    net.tick((0, 0))
    assert net.synapses._learning_rate == pytest.approx(0.1)
    assert mod.time == 0  # the network works on its own copy


def test_modifier_bad_target_fails_at_construction():
    """A modifier path that does not exist is rejected at construction with suggestions."""
    mod = spikey.modifier.DropOff("network.synapses.learnin_rate", 2, 0.1, 0.0)
    with pytest.raises(ConfigError, match=r"has no key 'learnin_rate' \(did you mean 'learning_rate'\?\)"):
        SmallRL(seed=1, strict=True, modifiers=[mod])
    with pytest.raises(ConfigError, match=r"network has no part 'neurones'"):
        SmallRL(
            seed=1,
            strict=True,
            modifiers=[spikey.modifier.DropOff("network.neurones.magnitude", 2, 1.0, 0.0)],
        )


def test_schedule_is_printable_and_active_network_rewards_each_step():
    """The schedule lists the phases; ActiveRLNetwork adds a per-step reward phase."""
    text = str(SmallRL(seed=1, strict=True).schedule)
    for phase in ("emit_inputs", "emit_neurons", "record", "propagate", "learn_step"):
        assert phase in text
    calls = []

    class Counting(spikey.reward.Reward):
        def __call__(self, state, action, state_next=None):
            calls.append(np.array(action))
            return float(np.sum(action))

    keys = {k: v for k, v in SmallRL.keys.items() if k != "expected_value"}
    net = spikey.ActiveRLNetwork(seed=1, strict=True, **{**SmallRL.parts, "rewarder": Counting}, **keys)
    assert "step_reward" in str(net.schedule)
    net.reset()
    net.tick((1, 1))
    assert len(calls) == 40
    np.testing.assert_array_equal(np.stack(calls), net.output_spikes)
    assert net.reward((1, 1), 0) == pytest.approx(net.output_spikes.sum())


def test_reward_zero_is_not_recomputed(small_net):
    """An explicit reward of 0 is used as given (the original Spikey recomputed it)."""
    small_net.tick((0, 1))
    assert small_net.reward((0, 1), 0, reward=0.0) == 0.0


def test_list_keys_covers_network_and_parts(capsys):
    """list_keys prints every key of the network and its parts once."""
    keys = SmallRL.list_keys()
    names = [k.name for k in keys]
    assert len(names) == len(set(names))
    for name in (
        "n_inputs",
        "firing_threshold",
        "tau_z",
        "state_rate_map",
        "action_threshold",
        "expected_value",
    ):
        assert name in names
    assert '"firing_threshold"' in capsys.readouterr().out


def test_network_warns_nothing_when_keys_are_all_claimed():
    """The stock small network builds without any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SmallRL(seed=0)


def test_snapshot_keeps_synapses_whose_weight_reached_zero(small_net, tmp_path):
    """A synapse inside the mask whose weight learned down to 0 still exists after load."""
    i, j = np.argwhere(small_net.weights.mask)[0]
    small_net.weights.matrix[i, j] = 0.0
    loaded = SmallRL.load(small_net.save(tmp_path / "z"), expected_value=xor_expected)
    assert loaded.weights.mask[i, j]
    np.testing.assert_array_equal(loaded.weights.mask, small_net.weights.mask)
