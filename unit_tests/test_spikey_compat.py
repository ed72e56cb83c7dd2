"""Code written for the original Spikey runs on spikey with the original's meaning.

Each test is written from the original Spikey's public documentation (its README,
docstrings, tutorial and example notebooks and scripts, 2021 and 2022 generations) and
asserts what that documentation says the code does; the compatibility code is in
:mod:`spikey.compat`.
"""

from __future__ import annotations

import json
import math
import os
import warnings

import numpy as np
import pytest

import spikey
from spikey.errors import ActionError, ActionWarning, ConfigError, UnclaimedKeyWarning, WeightClipWarning


def parity(state):
    """The tutorial's gate: ``np.sum(state) % 2``."""
    return np.sum(state) % 2


class InputMap:
    """The tutorial's state map: an object whose ``__getitem__`` returns ``np.array(state)``."""

    def __getitem__(self, state):
        return np.array(state)


#: The original tutorial's parts and network config (its cells 13-14), seeded matrix.
TUTORIAL_PARTS = {
    "inputs": spikey.input.StaticMap,
    "neurons": spikey.neuron.Neuron,
    "weights": spikey.weight.Manual,
    "synapses": spikey.synapse.RLSTDPET,
    "readout": spikey.readout.NeuronRates,
    "modifiers": None,
    "rewarder": spikey.reward.MatchExpected,
}


def tutorial_config(**overrides):
    config = {
        "n_inputs": 2,
        "n_neurons": 4,
        "n_outputs": 4,
        "processing_time": 10,
        "magnitude": 1,
        "resting_mv": 0,
        "firing_threshold": 2,
        "spike_delay": 0,
        "refractory_period": 1,
        "potential_decay": 0.25,
        "prob_rand_fire": 0,
        "neuron_pct_inhibitory": 0,
        "learning_rate": 0.01,
        "stdp_window": 20,
        "trace_decay": 0.25,
        "max_weight": 1,
        "matrix": np.random.default_rng(0).uniform(size=(6, 4)),
        "inh_weight_mask": None,
        "state_spike_map": InputMap(),
        "input_pct_inhibitory": 0,
        "n_actions": 0,
        "output_range": [0, 1],
        "expected_value": parity,
    }
    config.update(overrides)
    return config


def test_state_spike_map_accepts_what_the_original_accepted():
    """StaticMap takes a dict, an array indexed by state, a __getitem__ object or a function."""
    maps = {
        "dict": {0: [0, 0], 1: [0, 1], 2: [1, 0], 3: [1, 1]},
        "array": np.array([[0, 0], [0, 1], [1, 0], [1, 1]]),
        "getitem": type("input_map", (object,), {"__getitem__": lambda s, x: np.array([x // 2, x % 2])})(),
        "callable": lambda x: np.array([x // 2, x % 2]),
    }
    for name, state_map in maps.items():
        inp = spikey.input.StaticMap(n_inputs=2, magnitude=2.0, state_spike_map=state_map, seed=0)
        inp.reset()
        for state, expected in [(1, [0.0, 2.0]), (2, [2.0, 0.0]), (3, [2.0, 2.0])]:
            inp.update(state)
            assert inp().tolist() == expected, name
    # the tutorial's map object on tuple states (the game's)
    inp = spikey.input.StaticMap(n_inputs=2, magnitude=1.0, state_spike_map=InputMap(), seed=0)
    inp.reset()
    inp.update((1, 0))
    assert inp().tolist() == [1.0, 0.0]
    with pytest.raises(
        ConfigError, match=r"StaticMap.state_spike_map: expected a dict, an array indexed by state"
    ):
        spikey.input.StaticMap(n_inputs=2, magnitude=1.0, state_spike_map=5)
    bad = spikey.input.StaticMap(n_inputs=2, magnitude=1.0, state_spike_map=lambda s: np.ones(3))
    bad.reset()
    with pytest.raises(ConfigError, match=r"expected arrays of shape \(2,\) or \(T, 2\); got shape \(3,\)"):
        bad.update(0)


def test_template_classes_in_both_generations():
    """`config` + `_template_parts` build the same network as `keys` + `parts`; list_keys takes modifiers=None."""
    config = tutorial_config(seed=3)

    class old_template(spikey.network.RLNetwork):
        config = tutorial_config(seed=3)
        _template_parts = TUTORIAL_PARTS

    class new_template(spikey.network.RLNetwork):
        keys = tutorial_config(seed=3)
        parts = TUTORIAL_PARTS

    old, new = old_template(strict=True), new_template(strict=True)
    assert type(old.synapses) is spikey.synapse.RLSTDPET and type(old.readout) is spikey.readout.NeuronRates
    np.testing.assert_array_equal(old.weights.matrix, np.clip(config["matrix"], 0, 1))
    old.reset(), new.reset()
    for state in [(0, 1), (1, 1), (1, 0)]:
        np.testing.assert_array_equal(old.tick(state), new.tick(state))
    assert [k.name for k in spikey.network.RLNetwork.NECESSARY_PARTS] == [
        "inputs",
        "neurons",
        "weights",
        "synapses",
        "readout",
        "modifiers",
        "rewarder",
    ]
    names = [k.name for k in spikey.network.RLNetwork.list_keys(**TUTORIAL_PARTS)]
    for key in (
        "state_spike_map",
        "stdp_window",
        "trace_decay",
        "n_actions",
        "output_range",
        "expected_value",
    ):
        assert key in names
    # kwargs win over the class config, as the original's tutorial says
    assert old_template(strict=True, processing_time=7)._processing_time == 7


def test_original_keys_keep_their_meaning_on_parts_of_that_name():
    """RLSTDPET's stdp_window/trace_decay, output_range, leak_scalar default, clipped and masked weights."""
    w = spikey.weight.Manual(n_inputs=1, n_neurons=1, max_weight=1.0, matrix=np.array([[0.5], [0.0]]))
    syn = spikey.synapse.RLSTDPET(
        w, n_inputs=1, n_neurons=1, learning_rate=0.1, stdp_window=8, trace_decay=0.1
    )
    assert (syn._tau_plus, syn._tau_minus) == (8.0, 8.0)
    syn.reset()
    syn.update(np.array([True, False]), np.ones(2))  # pre spike
    syn.update(np.array([False, True]), np.ones(2))  # post spike one step later: z += d * zeta
    z0 = syn.eligibility[0, 0]
    assert z0 == pytest.approx(0.1 * math.exp(-1 / 8), rel=1e-12)
    for _ in range(5):
        syn.update(np.array([False, False]), np.ones(2))
    assert syn.eligibility[0, 0] == pytest.approx(z0 * 0.9**5, rel=1e-12)  # trace_decay lost per step
    # the tutorial's network claims every key it gives: strict networks raise otherwise
    spikey.network.RLNetwork(**TUTORIAL_PARTS, **tutorial_config(), strict=True)
    # RandPotential works without leak_scalar, as the original's examples assumed
    neuron = spikey.neuron.RandPotential(
        n_neurons=3,
        magnitude=1.0,
        firing_threshold=1.0,
        potential_decay=0.1,
        refractory_period=1,
        prob_rand_fire=0.0,
    )
    assert neuron._leak_scalar == 0.1
    # masked arrays: masked entries are absent synapses; out-of-range weights are clipped
    m = np.ma.array([[0.5, 3.0], [-1.0, 0.2], [0.3, 0.0]], mask=[[0, 0], [0, 0], [1, 0]])
    with pytest.warns(WeightClipWarning, match=r"Manual.matrix: .*clipped 2 out-of-range weight\(s\)"):
        w = spikey.weight.Manual(n_inputs=1, n_neurons=2, max_weight=1.0, matrix=m)
    np.testing.assert_array_equal(w.matrix, [[0.5, 1.0], [0.0, 0.2], [0.0, 0.0]])
    np.testing.assert_array_equal(w.mask, [[True, True], [True, True], [False, True]])
    # a generator function of the weight part
    w = spikey.weight.Manual(
        n_inputs=1, n_neurons=2, max_weight=2.0, matrix=lambda part: np.full(part.shape, part._max_weight / 4)
    )
    assert w.matrix.tolist() == [[0.5, 0.5]] * 3

    class CustomWeight(spikey.weight.template.Weight):  # the 2021 tutorial's subclass
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._matrix = np.ma.copy(kwargs["matrix"])
            self._clip_weights()

    cw = CustomWeight(
        n_inputs=1, n_neurons=2, max_weight=1, matrix=np.ma.array(np.full((3, 2), 4.0), mask=np.eye(3, 2))
    )
    assert cw.matrix.tolist() == [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] and not isinstance(
        cw.matrix, np.ma.MaskedArray
    )
    assert cw.mask.tolist() == [[False, True], [True, False], [True, True]]


def test_games_as_the_original_wrote_them():
    """Logic(n_inputs, expected_value), class config, presets, seed(0), spikey.RL.Logic and the 4-tuple step."""
    assert spikey.RL.Logic is spikey.games.Logic
    game = spikey.RL.Logic(n_inputs=2, expected_value=parity)
    assert game.seed(0) == 0
    states = [game.reset()]
    for _ in range(20):
        state, reward, done, info = game.step(int(parity(states[-1])))
        assert reward == 1.0 and done is False and info["correct"]
        states.append(state)
    assert all(len(s) == 2 for s in states) and len(set(states)) > 1
    game.seed(0)
    assert game.reset() == states[0]  # seed(0) replays
    assert {"AND", "OR", "XOR"} <= set(spikey.RL.Logic.PRESETS)
    assert "expected_value" in [k.name for k in spikey.RL.Logic.NECESSARY_KEYS]
    xor = spikey.RL.Logic(preset="XOR")
    assert [xor.expected_value(s) for s in [(0, 0), (0, 1), (1, 0), (1, 1)]] == [0, 1, 1, 0]

    class game_template(spikey.RL.Logic):
        config = {"n_inputs": 3, "expected_value": parity}

    three = game_template(seed=1)
    assert len(three.reset()) == 3 and three.observation_space.n == 3
    assert three.params["expected_value"] is parity


def test_training_loops_as_the_tutorial_builds_them():
    """GenericLoop(network, game, **mixed params), with a callback, reset(), NECESSARY_KEYS, dict extend_keys, init()."""
    params = {
        **tutorial_config(),
        **TUTORIAL_PARTS,
        "expected_value": parity,
        "n_episodes": 2,
        "len_episode": 5,
    }
    with pytest.warns(ActionWarning):  # NeuronRates' rate vectors on Logic, as in the tutorial
        loop = spikey.core.GenericLoop(spikey.network.RLNetwork, spikey.RL.Logic, seed=0, **params)
        loop.reset()
        network, game, results, info = loop()
    assert isinstance(network, spikey.network.RLNetwork) and isinstance(game, spikey.RL.Logic)
    assert type(network.synapses) is spikey.synapse.RLSTDPET and network.synapses._tau_plus == 20.0
    assert (results["n_episodes"], results["len_episode"]) == (2, 5) and info["episode_lens"] == [5, 5]
    assert {"n_episodes", "len_episode"} <= {k.name for k in spikey.core.GenericLoop.NECESSARY_KEYS}
    callback = spikey.core.RLCallback()
    with pytest.warns(ActionWarning):
        loop = spikey.core.GenericLoop(spikey.network.RLNetwork, spikey.RL.Logic, callback, seed=0, **params)
        _, _, results2, _ = loop()
    assert loop.callback is callback and results2["n_steps"] == 10

    class CustomLoop(spikey.core.TrainingLoop):
        NECESSARY_KEYS = spikey.core.TrainingLoop.extend_keys(
            {"n_episodes": "int Number of episodes to run,", "len_episode": "int Length of episode."}
        )

        def __call__(self, **kwargs):
            network, game = self.init()
            assert self.network_template is spikey.network.RLNetwork and self.game_template is spikey.RL.Logic
            for _ in range(self.params["n_episodes"]):
                network.reset()
                state = game.reset()
                for _ in range(self.params["len_episode"]):
                    action = network.tick(state)
                    state, _, done, _ = game.step(action)
            self.callback.training_end()
            return network, game, self.callback.results, self.callback.info

    assert [k.name for k in CustomLoop.NECESSARY_KEYS][-2:] == ["n_episodes", "len_episode"]
    with pytest.warns(ActionWarning):
        network, game, results, info = CustomLoop(spikey.network.RLNetwork, spikey.RL.Logic, **params)()
    assert info["episode_lens"] == [5, 5] and results["n_steps"] == 10


def test_callbacks_user_hooks_targets_and_duck_typing(tmp_path, monkeypatch):
    """bind('name') adds a hook; tutorial targets; monitor; duck-typed callbacks; log(filename) in the cwd."""
    callback = spikey.core.ExperimentCallback()
    callback.bind("random")
    assert callback.network is None  # the string is a hook name, not a network
    callback.track("random", "results", "demo_1", ["arg_0"], "scalar")
    callback.monitor("random", "info", "demo_2", ["arg_0"], "list")
    callback.reset()
    for i in range(5):
        callback.random(i)
    assert callback.results["demo_1"] == 4 and callback.info["demo_2"] == [0, 1, 2, 3, 4]
    with pytest.raises(
        ConfigError, match=r"hook 'randon' is not announced by spikey \(did you mean 'random'\?\)"
    ):
        callback.track("randon", "info", "x", ["arg_0"], "list")

    callback = spikey.core.RLCallback()
    callback.track(
        "network_init", "info", "weights_original", ["network", "synapses", "weights", "matrix"], "scalar"
    )
    callback.track("training_end", "results", "len_episode", ["experiment_params", "len_episode"], "scalar")
    callback.track("network_reward", "info", "my_rewards", ["arg_2"], "list")
    callback.track("network_init", "info", "start_time", lambda: 42.0, "scalar")
    params = {**tutorial_config(), **TUTORIAL_PARTS, "n_episodes": 1, "len_episode": 6}
    with pytest.warns(ActionWarning):
        loop = spikey.core.GenericLoop(spikey.network.RLNetwork, spikey.RL.Logic, callback, seed=0, **params)
        network, _, results, info = loop()
    assert results["len_episode"] == 6 and info["start_time"] == 42.0
    assert info["weights_original"].shape == (6, 4) and info["my_rewards"] == info["step_rewards"]
    assert len(info["my_rewards"]) == 6
    monkeypatch.chdir(tmp_path)
    path = callback.log(filename="tutorial_log.json")
    assert os.path.abspath(path) == str(tmp_path / "tutorial_log.json")

    class DuckCallback:  # an original-style callback: only the hooks it cares about
        def __init__(self):
            self.ticks = 0
            self.results, self.info = {}, {}

        def reset(self):
            self.ticks = 0

        def network_tick(self, state, action):
            self.ticks += 1

    duck = DuckCallback()
    with pytest.warns(ActionWarning):
        loop = spikey.core.GenericLoop(spikey.network.RLNetwork, spikey.RL.Logic, duck, seed=0, **params)
        output = loop()
    assert duck.ticks == 6 and len(output) == 4

    class IterCallback(DuckCallback):  # the original returned [*callback] from a run
        def __iter__(self):
            yield "expected_output"

    with pytest.warns(ActionWarning):
        loop = spikey.core.GenericLoop(
            spikey.network.RLNetwork, spikey.RL.Logic, IterCallback(), seed=0, **params
        )
        assert loop() == ["expected_output"]


def test_reader_and_log_paths(tmp_path, monkeypatch):
    """Reader of one file or (folder, filenames); network/game/results/info/summary/iter_unique/read_file."""
    monkeypatch.chdir(tmp_path)
    for i, lr in enumerate([0.1, 0.1, 0.2]):
        path = spikey.logging.log(
            {"learning_rate": lr, "n_neurons": 4},
            {"name": "XOR"},
            {"accuracy": i / 2},
            {"w": np.eye(2) * i},
            filename=f"run{i}.json",
        )
        assert os.path.abspath(path) == str(tmp_path / f"run{i}.json")  # relative to the cwd, no log/ folder
    (tmp_path / "x~SUMMARY.json").write_text(json.dumps({"results": {"n": 3}}))
    one = spikey.logging.Reader("run2.json")
    assert len(one) == 1 and one["accuracy"].tolist() == [1.0]
    reader = spikey.logging.Reader(".", ["run0.json", "run1.json", "run2.json", "x~SUMMARY.json"])
    assert reader.summary == {"results": {"n": 3}} and len(reader) == 3
    assert (
        list(reader.network.columns) == ["learning_rate", "n_neurons"]
        and reader.game["name"].tolist() == ["XOR"] * 3
    )
    assert reader.results["accuracy"].tolist() == [0.0, 0.5, 1.0]
    np.testing.assert_array_equal(reader.info["w"][2], np.eye(2) * 2)
    groups = [part.tolist() for part in reader.iter_unique("accuracy", hashable_keys="learning_rate")]
    assert groups == [[0.0, 0.5], [1.0]]
    assert reader.read_file("run1.json")["accuracy"] == 0.5
    assert reader["accuracy", 2].tolist() == [0.0, 0.5]
    np.testing.assert_array_equal(reader["w"].iloc[1], np.eye(2))
    assert spikey.logging.uncompressnd("[[0.1 0.2],[0.3 0.4]]").tolist() == [[0.1, 0.2], [0.3, 0.4]]
    np.testing.assert_array_equal(spikey.logging.uncompressnd(spikey.logging.sanitize(np.eye(2))), np.eye(2))


def _tiny_loop(**kw):
    params = {**tutorial_config(processing_time=4), **TUTORIAL_PARTS, "n_episodes": 1, "len_episode": 3, **kw}
    if params["readout"] is spikey.readout.NeuronRates:
        params["readout"] = spikey.readout.Threshold
        params.pop("n_actions")
        params.update(action_threshold=0.1)
    return spikey.core.GenericLoop(spikey.network.RLNetwork, spikey.RL.Logic, **params)


def test_meta_as_the_original_examples_use_it(tmp_path):
    """Series(loop, spec, max_process=2).run(n, folder); experiment_params= (the spec); backends; Population."""
    series = spikey.meta.Series(_tiny_loop(), ("stdp_window", [10, 30]), max_process=2)
    assert isinstance(series.backend, spikey.meta.backends.MultiprocessBackend)
    df = series.run(2, str(tmp_path / "series"))
    assert len(df) == 4 and sorted(df["stdp_window"].tolist()) == [10, 10, 30, 30]
    assert len([f for f in os.listdir(tmp_path / "series") if f.endswith(".json") and "~" not in f]) == 4
    single = spikey.meta.Series(
        spikey.network.RLNetwork,
        spikey.RL.Logic,
        spikey.core.GenericLoop,
        training_params=_tiny_loop().params,
        experiment_params=("stdp_window", [10, 30]),
        n_repeats=2,
        seed=series.seed,
        logging=False,
    ).run()
    assert single["mean_reward"].tolist() == df["mean_reward"].tolist()  # same seeds, same table, any backend
    assert spikey.meta.backends.SingleProcessBackend().distribute(pow, [1, 2, 3], shared=2) == [2, 4, 8]
    assert spikey.meta.backends.MultiprocessBackend(2).distribute(pow, [1, 2, 3], shared=2) == [2, 4, 8]

    metagame = spikey.meta.EvolveNetwork(
        training_loop=_tiny_loop(),
        win_fitness=2.0,
        fitness_getter=lambda network, game, results, info: results["mean_reward"],
        n_reruns=1,
        genotype_constraints={"stdp_window": list(range(5, 100, 5)), "learning_rate": (0.0, 0.1, 0.02)},
        static_updates=("prob_rand_fire", [0.0, 0.02]),
    )
    with pytest.warns(spikey.errors.SpikeyWarning, match="ignoring the original Spikey's keys"):
        population = spikey.meta.Population(
            game=metagame,
            folder=str(tmp_path / "meta"),
            max_process=1,
            n_storing=256,
            n_agents=4,
            n_epoch=2,
            mutate_eligable_pct=0.5,
            max_age=5,
            random_rate=0.1,
            survivor_rate=0.1,
            mutation_rate=0.3,
            crossover_rate=0.5,
            seed=0,
        )
    while not population.terminated:
        fitness = population.evaluate()
        population.update(fitness)
        assert spikey.meta.checkpoint_population(population) == str(tmp_path / "meta")
    assert population.epoch == 2 and len(fitness) == 4
    assert all(g["learning_rate"] in (0.0, 0.02, 0.04, 0.06, 0.08) for g in population.population)

    class PlainNet:  # not a spikey network: the original set the attribute along the path
        def __init__(self):
            self.neurons = type("N", (), {"y": 0})()

    plain = PlainNet()
    spikey.modifier.DropOff(["network", "neurons", "y"], 1, 2, 3).set_param(plain, 0.5)
    assert plain.neurons.y == 0.5
    drop = spikey.modifier.LinearDecay(["network", "_processing_time"], 2, 4, 8)
    network, *_ = _tiny_loop(modifiers=[drop], seed=0)()
    assert network._processing_time == 8 and network.spike_log.shape[0] == 8


def test_names_users_wrote():
    """The original's module and class names resolve to spikey's objects."""
    import spikey.RL.template
    import spikey.snn.neuron.neuron

    import spikey.MetaRL.template
    import spikey.viz
    from spikey.MetaRL import EvolveNetwork

    assert spikey.snn.neuron.neuron.Neuron is spikey.neuron.Neuron
    assert spikey.RL.template is spikey.games.template and spikey.RL.template.RL is spikey.games.Game
    assert EvolveNetwork is spikey.meta.EvolveNetwork and spikey.MetaRL.template.MetaRL is spikey.meta.MetaRL
    assert spikey.meta.population.GenotypeMapping is spikey.meta.GenotypeMapping
    mapping = spikey.meta.GenotypeMapping(n_storing=5)
    for i in range(20):
        mapping.update({"idx": i}, i)
    assert [g["idx"] for g in mapping.genotypes] == [15, 16, 17, 18, 19] and mapping[{"idx": 17}] == 17
    assert mapping[{"idx": 3}] is None
    assert callable(spikey.viz.print_rates) and callable(spikey.weight.template.Weight._clip_weights)


def test_florian_rate_keeps_the_original_public_names():
    """network_template.config, game_template, training_params, and stdp_window/trace_decay genes."""
    from spikey.experiments.florian_rate import game_template, network_template, training_params

    assert network_template.config is network_template.keys and "len_episode" in training_params
    assert game_template.config["name"] == "XOR"
    assert network_template.parts["synapses"] is spikey.synapse.RLSTDPET
    net = network_template(strict=True, seed=0, stdp_window=35, trace_decay=0.1)
    assert net.synapses._tau_plus == 35.0 and net.synapses._z_params() == (0.9, 0.1)
    default = network_template(seed=0)  # the original keys absent: exactly MSTDPET with tau_z = 25
    assert default.synapses._z_params() == spikey.synapse.MSTDPET._z_params(default.synapses)
    metagame = spikey.meta.EvolveNetwork(
        training_loop=spikey.core.GenericLoop(
            network_template, game_template, **{**training_params, "len_episode": 2}
        ),
        genotype_constraints={
            "trace_decay": list(np.arange(0, 1, 0.02)),
            "stdp_window": list(range(5, 100, 5)),
        },
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metagame.check_constraints(spikey.meta.parse_constraints(metagame.GENOTYPE_CONSTRAINTS))


def test_lenient_where_the_original_was_with_a_warning():
    """Unknown game keys warn with did-you-mean; Logic takes a rate vector with a warning; strict modes raise."""
    with pytest.warns(
        UnclaimedKeyWarning, match=r"Logic: has no key 'reward_corect' \(did you mean 'reward_correct'\?\)"
    ):
        game = spikey.RL.Logic(reward_corect=3.0)
    assert game.params["reward_correct"] == 1.0
    with pytest.raises(ConfigError, match=r"has no key 'reward_corect'"):
        spikey.RL.Logic(reward_corect=3.0, strict=True)
    game = spikey.RL.Logic(preset="XOR", seed=0)
    game.reset()
    with pytest.warns(ActionWarning, match=r"Logic.step: action array\(\[0.2, 0.5\]\) .* taken as given"):
        _, reward, _, info = game.step(np.array([0.2, 0.5]))
    assert reward == 0.0 and info["correct"] is False
    strict = spikey.RL.Logic(preset="XOR", seed=0, strict_actions=True)
    strict.reset()
    with pytest.raises(ActionError, match=r"give the game strict_actions=False"):
        strict.step(np.array([0.2, 0.5]))
    with pytest.raises(
        ConfigError, match=r"LinearDecay.param: no part of the network has a key 'procesing_time'"
    ):
        mod = spikey.modifier.LinearDecay("procesing_time", 2, 4, 8)
        spikey.network.RLNetwork(**{**TUTORIAL_PARTS, "modifiers": [mod]}, **tutorial_config())


# ----------------------------------------------------------------- the 2022 API


def test_logging_helpers_of_the_2022_api_round_trip():
    """compressnd writes the one-line array form; uncompressnd/dejsonize read it; sanitize_dictionary is JSON-safe."""
    from spikey.logging import compressnd, dejsonize, sanitize_dictionary, uncompressnd
    from spikey.logging.serialize import compressnd as compressnd_serialize
    from spikey.logging.serialize import dejsonize as dejsonize_serialize

    assert compressnd_serialize is compressnd and dejsonize_serialize is dejsonize
    assert compressnd(np.array([[1, 2, 3], [4, 5, 6]])) == "[[1 2 3],[4 5 6]]"
    assert compressnd([0.5, 0.25], precision=1) == "[0.5 0.2]"
    cube = np.arange(8.0).reshape(2, 2, 2)
    assert np.array_equal(uncompressnd(compressnd(cube)), cube)
    assert uncompressnd(compressnd(np.array([True, False]))).tolist() == [True, False]
    clean = sanitize_dictionary({"w": np.eye(2), "fn": parity, (1, 2): np.int64(3), "nested": {"x": [1, 2]}})
    assert "fn" not in clean and "(1, 2)" in clean
    back = dejsonize(json.loads(json.dumps(clean, allow_nan=False)))
    assert np.array_equal(back["w"], np.eye(2)) and back["(1, 2)"] == 3 and back["nested"]["x"] == [1, 2]
    old_log = {
        "learning_rate": "0.01",
        "matrix": "[[0.1 0.2],[0.3 0.4]]",
        "name": "XOR",
        "text": "[not numbers]",
    }
    read = dejsonize(old_log)
    assert read["learning_rate"] == 0.01 and read["name"] == "XOR" and read["text"] == "[not numbers]"
    assert read["matrix"].tolist() == [[0.1, 0.2], [0.3, 0.4]]


def test_star_import_of_snn_binds_spikey():
    """from spikey.snn import * binds the name spikey, as the original's notebooks rely on."""
    namespace: dict = {}
    exec("from spikey.snn import *", namespace)
    assert namespace["spikey"] is spikey and namespace["neuron"] is spikey.neuron


def _keys_loop_template():
    class Net(spikey.network.RLNetwork):
        parts = {**TUTORIAL_PARTS}
        keys = tutorial_config(matrix=np.random.default_rng(1).uniform(size=(6, 4)))

    return Net


def test_training_loop_takes_built_network_and_game():
    """GenericLoop(network_instance, game_instance) runs those objects, bound to the callback."""
    net_class = _keys_loop_template()
    game = spikey.RL.Logic(preset="XOR", seed=0)
    network = net_class(game=game, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ActionWarning)
        loop = spikey.core.GenericLoop(network, game, n_episodes=1, len_episode=3)
        out_network, out_game, results, info = loop()
    assert out_network is network and out_game is game
    assert len(info["step_states"]) == 3 and network.callback is loop.callback
    with pytest.raises(
        ConfigError, match=r"GenericLoop: expected a game class \(or a built game, with step, reset\)"
    ):
        spikey.core.GenericLoop(net_class, 5, n_episodes=1, len_episode=1)


def test_manual_builds_feedforward_matrix_from_layers():
    """Manual(matrix=[in->hidden, hidden->out]) places each layer block below and right of the last."""
    w = spikey.weight.Manual(
        n_inputs=2, n_neurons=3, max_weight=1, matrix=[np.full((2, 2), 0.5), np.array([[0.0], [0.25]])]
    )
    expected = np.zeros((5, 3))
    expected[:2, :2] = 0.5
    expected[2:4, 2] = [0.0, 0.25]
    assert np.array_equal(w.matrix, expected)
    # a zero inside a block is a synapse (of weight 0); entries outside the blocks are not
    assert w.mask[2, 2] and not w.mask[0, 2] and w.mask.sum() == 6
    with pytest.raises(ConfigError, match=r"Manual.matrix: layer 1 has 3 rows; expected 2"):
        spikey.weight.Manual(n_inputs=2, n_neurons=3, max_weight=1, matrix=[np.ones((2, 2)), np.ones((3, 1))])


def test_series_keyword_call_of_the_original():
    """Series(training_loop=loop, experiment_params=spec): templates from the loop, experiment_params is the spec."""
    loop = _tiny_loop()
    series = spikey.meta.Series(training_loop=loop, experiment_params=None, logging=False)
    assert series.network_template is loop.network_template and series.configs == [{}]
    varied = spikey.meta.Series(
        training_loop=loop, experiment_params=("stdp_window", [10, 30]), logging=False
    )
    assert [c["stdp_window"] for c in varied.configs] == [10, 30]
    with pytest.raises(ConfigError, match="got both spec and experiment_params"):
        spikey.meta.Series(
            training_loop=loop, spec=("stdp_window", [1]), experiment_params=("stdp_window", [2])
        )


def _star_job(a, b):
    return a * 10 + b


def test_backends_distribute_argument_tuples_as_the_original():
    """distribute(fn, [(a, b), ...]) calls fn(a, b); with shared=, fn(shared, item) as before."""
    for backend in (spikey.meta.backends.SingleProcessBackend(), spikey.meta.backends.MultiprocessBackend(2)):
        assert backend.distribute(_star_job, [(1, 2), (3, 4)]) == [12, 34]
    assert spikey.meta.backends.SingleProcessBackend().distribute(lambda *a: a, [(1, 2)]) == [(1, 2)]
    assert spikey.meta.backends.SingleProcessBackend().distribute(_star_job, [1, 2], shared=5) == [51, 52]


def test_meta_games_ignore_unknown_keys_with_a_warning():
    """MetaNQueens(n_queens=8, win_fitness=1) is built (the extra key warned about); strict=True raises."""
    with pytest.warns(UnclaimedKeyWarning, match=r"MetaNQueens: has no key 'win_fitness'.*ignored"):
        game = spikey.meta.MetaNQueens(n_queens=8, win_fitness=1)
    assert game.params == {"n_queens": 8}
    with pytest.raises(ConfigError, match=r"MetaNQueens: has no key 'win_fitnes'"):
        spikey.meta.MetaNQueens(n_queens=8, win_fitnes=1, strict=True)


def test_scalar_tracker_starts_at_zero_and_string_targets():
    """A 'scalar' tracker is 0 until its hook runs; 'arg_0' and 'network.x' strings are paths."""
    cb = spikey.core.RLCallback()
    cb.track("network_tick", "results", "x", ["arg_0"], "scalar")
    cb.monitor("network_tick", "results", "state", "arg_0", "scalar")
    cb.reset()
    assert cb.results["x"] == 0 and cb.results["state"] == 0
    cb.network_tick((1, 0), 1)
    assert cb.results["x"] == (1, 0) and cb.results["state"] == (1, 0)
    cb.track("training_end", "info", "w", "network.synapses.weights.matrix", "scalar")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ActionWarning)
        network, *_ = _tiny_loop(callback=cb)()
    assert np.array_equal(cb.info["w"], network.synapses.weights.matrix)


def _population_folder(tmp_path):
    population = spikey.meta.Population(
        spikey.meta.MetaNQueens(n_queens=4),
        n_agents=4,
        n_epoch=2,
        seed=0,
        folder=str(tmp_path),
        progress=False,
    )
    population.run()
    return population


def test_metareader_reads_population_summary_and_evaluations(tmp_path):
    """MetaReader(folder).summary is the folder's summary; df has a row per evaluation with fitness and genes."""
    population = _population_folder(tmp_path)
    reader = spikey.logging.MetaReader(str(tmp_path))
    assert reader.summary is not None and reader.summary["population"]["seed"] == 0
    df = reader.df
    assert len(df) == len(population.records) and reader.genotype_keys == sorted(
        population.genotype_constraints
    )
    assert {"fitness", "epoch", "ax", "dy"} <= set(df.columns)
    best = df.loc[df["fitness"].idxmax()]
    assert best["fitness"] == max(r["fitness"] for r in population.records)
    game = spikey.meta.MetaNQueens(n_queens=4)
    for _, row in df.iterrows():  # every row's fitness is its genotype's
        assert row["fitness"] == game.get_fitness({k: row[k] for k in reader.genotype_keys})[0]


def test_series_summary_keeps_experiment_params(tmp_path):
    """A Series ~SUMMARY.json holds results.experiment_params (the spec), as the original wrote."""
    loop = _tiny_loop()
    spikey.meta.Series(
        training_loop=loop, experiment_params=("stdp_window", [10, 30]), folder=str(tmp_path)
    ).run()
    summary = spikey.logging.MetaReader(str(tmp_path)).summary
    assert summary["results"]["experiment_params"] == ("stdp_window", [10, 30])


def test_log_without_network_or_game(tmp_path):
    """log(results=..., filename=...) writes a log whose network and game sections are empty."""
    path = spikey.logging.log(results={"r": 1}, filename=str(tmp_path / "x.json"))
    reader = spikey.logging.Reader(path)
    assert reader.df["r"].tolist() == [1] and reader.logs[0]["network"] == {} and reader.logs[0]["game"] == {}


def test_multilogger_filename_gen_and_context_manager(tmp_path):
    """filename_gen yields unused <folder>/<date>-<id>.json paths; `with` writes the summary at the end."""
    with spikey.logging.MultiLogger(folder=str(tmp_path)) as logger:
        names = logger.filename_gen()
        paths = [next(names) for _ in range(3)]
        for acc in (0.5, 1.0):
            logger.log(None, None, {"accuracy": acc})
    assert len(set(paths)) == 3 and all(os.path.dirname(p) == str(tmp_path) for p in paths)
    assert all(os.path.basename(p).startswith(logger.prefix + "-") and not os.path.exists(p) for p in paths)
    summary = [f for f in os.listdir(tmp_path) if f.endswith("~SUMMARY.json")]
    assert len(summary) == 1
    assert spikey.logging.Reader(str(tmp_path)).summary["results"]["accuracy"]["mean"] == 0.75


def test_game_keys_in_network_template_keys_reach_the_game():
    """A game key in the network's class keys (as the Izhikevich notebook's n_states) configures the game."""

    class Net(spikey.network.RLNetwork):
        parts = {**TUTORIAL_PARTS}
        keys = {**tutorial_config(), "reward_correct": 3.0}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ActionWarning)
        _, game, *_ = spikey.core.GenericLoop(Net, spikey.RL.Logic, n_episodes=1, len_episode=1, seed=0)()
    assert game.params["reward_correct"] == 3.0
    # a key a network part uses stays the network's (the rewarder's expected_value is not the game's)
    assert game.params["expected_value"] is not parity


def test_print_common_action_and_genotype_mapping_copy(capsys):
    """print_common_action prints each state's most common action; GenotypeMapping.copy is independent."""
    out = spikey.viz.print_common_action(
        [0.1, 0.3, 0.2, 0.0],
        [1, 0, 1, 0],
        [(0, 1), (1, 1), (0, 1), (1, 1)],
        observation_space=[(0, 1), (1, 1)],
    )
    assert out[(0, 1)][1:] == (1, {1: 2}) and out[(1, 1)][1:] == (0, {0: 2})
    assert "(0, 1): 0.1500 -> B(1)" in capsys.readouterr().out
    mapping = spikey.meta.GenotypeMapping(n_storing=4)
    mapping.update({"a": [1]}, 2.0)
    twin = mapping.copy()
    twin.update({"a": [2]}, 3.0)
    twin.genotypes[0]["a"].append(9)
    assert len(mapping) == 1 and mapping[{"a": [1]}] == 2.0 and twin[{"a": [2]}] == 3.0


def test_original_spellings_warn_with_the_new_one_when_shown():
    """Adapters give OriginalSpikeyWarning naming the new spelling; silent unless shown."""
    from spikey.compat import OriginalSpikeyWarning

    class Old(spikey.network.RLNetwork):
        config = tutorial_config()
        _template_parts = dict(TUTORIAL_PARTS)

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default")
        warnings.filterwarnings("ignore", category=OriginalSpikeyWarning)  # spikey's default
        Old(seed=0)
    assert not [w for w in seen if issubclass(w.category, OriginalSpikeyWarning)]
    with pytest.warns(
        OriginalSpikeyWarning, match=r"Old.config is the original Spikey's spelling; in spikey write Old.keys"
    ):
        Old(seed=0)
    assert issubclass(OriginalSpikeyWarning, DeprecationWarning)


# ------------------------------------------------- the original's RLSTDPET rule


def _legacy_synapse(n_inputs, n_neurons, window, matrix, learning_rate=0.8, trace_decay=0.5, max_weight=1.0):
    w = spikey.weight.Manual(n_inputs=n_inputs, n_neurons=n_neurons, max_weight=max_weight, matrix=matrix)
    syn = spikey.compat.RLSTDPET(
        w,
        n_inputs=n_inputs,
        n_neurons=n_neurons,
        learning_rate=learning_rate,
        stdp_window=window,
        trace_decay=trace_decay,
    )
    syn.reset()
    return syn


def test_legacy_rlstdpet_potentiation_by_hand():
    """Input spike, then body spike: w += lr/W * (W+1-1) * trace (here 0.8/3 * 3 * 0.125 = 0.1)."""
    syn = _legacy_synapse(1, 1, 3, np.array([[0.5], [0.5]]))
    pol = np.ones(2)
    syn.reward(1.0)  # trace 1, halved before each step's update
    for fired in ([1, 0], [0, 1], [0, 0]):
        syn.update(np.array(fired, bool), pol)
    # the third update saw the window [[0,0],[1,0],[0,1]]: input spike 1 step before the body spike
    assert syn.trace == 0.125
    assert syn.weights.matrix[0, 0] == pytest.approx(0.6, abs=1e-12)
    assert syn.weights.matrix[1, 0] == 0.5  # no body neuron fired before: no depression


def _original_step(window, matrix, pol, n_inputs, lr, trace, max_weight, mask):
    """One update of the original's rule, written from its equations synapse by synapse."""
    n_rows = window.shape[0]
    credit = np.zeros(window.shape[1])
    for r in range(n_rows - 1):  # a spike d = n_rows - 1 - r steps before the newest row
        d = n_rows - 1 - r
        credit += window[r] * (n_rows + 1 - d)
    pre = [i for i in range(window.shape[1]) if window[:-1, i].any()]
    post = [j for j in range(window.shape[1]) if window[-1, j]]
    out = matrix.copy()
    if not pre or not post:
        return out
    scale = lr / n_rows * trace
    for i in pre:
        for j in post:
            if j >= n_inputs:
                out[i, j - n_inputs] += pol[i] * credit[i] * scale
    for k in post:
        for q in pre:
            if q >= n_inputs:
                out[k, q - n_inputs] -= pol[k] * credit[q - n_inputs] * scale  # the body index, as computed
    return np.where(mask, np.clip(out, 0, max_weight), 0.0)


def test_legacy_rlstdpet_matches_the_original_equations_on_random_spikes():
    """100 steps of random spikes, rewards and polarities: weights equal the original's equations step by step."""
    rng = np.random.default_rng(7)
    n_inputs, n_neurons, window = 3, 5, 6
    matrix = rng.uniform(0, 1, (n_inputs + n_neurons, n_neurons)) * (rng.uniform(size=(8, 5)) < 0.8)
    syn = _legacy_synapse(
        n_inputs, n_neurons, window, matrix, learning_rate=0.3, trace_decay=0.1, max_weight=1.0
    )
    mask = syn.weights.mask.copy()
    pol = np.where(rng.uniform(size=n_inputs + n_neurons) < 0.3, -1.0, 1.0)
    expected, history, trace = syn.weights.matrix.copy(), np.zeros((window, n_inputs + n_neurons), bool), 0.0
    changed = 0
    for _ in range(100):
        fired = rng.uniform(size=n_inputs + n_neurons) < 0.3
        trace *= 0.9
        new = _original_step(history, expected, pol, n_inputs, 0.3, trace, 1.0, mask)
        changed += not np.array_equal(new, expected)
        expected = new
        history = np.vstack([history[1:], fired])
        syn.update(fired, pol)
        np.testing.assert_allclose(syn.weights.matrix, expected, rtol=0, atol=1e-12)
        r = float(rng.choice([-1.0, 0.0, 1.0]))
        trace += r
        syn.reward(r)
    assert changed > 50 and syn.trace == pytest.approx(trace)


def test_legacy_rlstdpet_depression_uses_the_body_index_credit():
    """Body spike then input spike: the input->body weight drops by the credit of index q (the original's indexing)."""
    matrix = np.full((3, 2), 0.5)
    pol = np.ones(3)
    # neuron 1 (body 0) fires, then input 0: the credit used is neuron 0's (the input), not neuron 1's
    plain = _legacy_synapse(1, 2, 3, matrix.copy())
    plain.reward(1.0)
    for fired in ([0, 1, 0], [1, 0, 0], [0, 0, 0]):
        plain.update(np.array(fired, bool), pol)
    assert plain.weights.matrix[0, 0] == 0.5  # input 0 had no earlier spike: credit 0, no depression
    both = _legacy_synapse(1, 2, 3, matrix.copy())
    both.reward(1.0)
    for fired in ([1, 1, 0], [1, 0, 0], [0, 0, 0]):
        both.update(np.array(fired, bool), pol)
    # input 0 and neuron 1 fired 1 step before input 0's second spike: credit W = 3 each
    # LTP input0 -> nothing (no body neuron in the newest row); LTD w[0, 0] -= 1 * 3 * 0.8/3 * 0.125
    assert both.weights.matrix[0, 0] == pytest.approx(0.5 - 0.1, abs=1e-12)


def _florian_xor(setup, n_steps, learning_rate=None, seed=0):
    """One of the original florian2007_XOR notebook's five setups, shortened, with the legacy rule."""
    rng = np.random.default_rng(seed)
    steps = 500

    def spike_map(p_high):
        one = {a: (rng.uniform(size=(steps, 1)) <= p_high).astype(int) for a in (False, True)}
        return {(a, b): np.hstack((one[a], one[b])) for a in (False, True) for b in (False, True)}

    def layers(n_in, n_hidden, high):
        return [rng.uniform(0, high, (n_in, n_hidden)), rng.uniform(0, high, (n_hidden, 1))]

    common = {
        "n_outputs": 1,
        "processing_time": steps,
        "magnitude": 1,
        "input_pct_inhibitory": 0.5,
        "neuron_pct_inhibitory": 0,
        "action_threshold": 0.0,
        "expected_value": lambda s: np.sum(s) % 2,
        "continuous_rwd_action": lambda *a: True,
        "punish_mult": 1,
        "prob_rand_fire": 0.15,
    }
    slow_neurons = {"firing_threshold": 16, "potential_decay": 0.05, "refractory_period": 0, "max_weight": 5}
    if setup == "rate":
        keys = {**slow_neurons, "n_inputs": 60, "n_neurons": 61, "matrix": layers(60, 60, 0.2)}
        keys.update(learning_rate=0.625 / 25, stdp_window=20, trace_decay=0.04, state_rate_map=[0, 0.08])
        inputs = spikey.input.RateMap
    elif setup.startswith("basic"):
        keys = {"n_inputs": 2, "n_neurons": 21, "matrix": layers(2, 20, 0.2), "input_firing_steps": steps - 3}
        keys.update(max_weight=1, firing_threshold=1, potential_decay=0.8, refractory_period=5)
        keys.update(learning_rate=0.25, stdp_window=4, trace_decay=0.05)
        keys["state_spike_map"] = spike_map(0.1 if setup == "basic" else 0.005)
        inputs = spikey.input.StaticMap
    else:
        keys = {**slow_neurons, "n_inputs": 2, "n_neurons": 21, "matrix": layers(2, 20, 0.4)}
        keys.update(learning_rate=0.25 / 25, stdp_window=20, trace_decay=0.04)
        keys["state_spike_map"] = spike_map(0.1 if setup == "realism" else 0.005)
        inputs = spikey.input.StaticMap
    keys.update(common)
    if learning_rate is not None:
        keys["learning_rate"] = learning_rate

    class Net(spikey.network.ContinuousRLNetwork):
        parts = {
            "inputs": inputs,
            "neurons": spikey.neuron.Neuron,
            "synapses": spikey.compat.RLSTDPET,
            "weights": spikey.weight.Manual,
            "readout": spikey.readout.Threshold,
            "rewarder": spikey.reward.MatchExpected,
            "modifiers": None,
        }

    Net.keys = keys

    class XOR(spikey.RL.Logic):
        config = spikey.RL.Logic.PRESETS["XOR"]

    callback = spikey.core.RLCallback(measure_rates=True)
    _, _, _, info = spikey.core.GenericLoop(
        Net, XOR, callback, n_episodes=1, len_episode=n_steps, seed=seed
    )()
    # the notebook's print_success: over the last steps, every XOR-true state's output rate
    # is above every XOR-false state's
    states = np.array(info["step_states"]).reshape(-1, 2)
    rates = np.array(info["step_outrates"]).reshape(-1)
    last = n_steps // 4

    def mean_rate(state):
        return np.mean(rates[np.all(states == state, axis=1)][-last:])

    high = min(mean_rate(s) for s in ([0, 1], [1, 0]))
    low = max(mean_rate(s) for s in ([0, 0], [1, 1]))
    return high, low


@pytest.mark.slow
@pytest.mark.parametrize("setup", ["rate", "basic", "basic_poisson", "realism", "realism_poisson"])
def test_florian2007_xor_setups_learn_with_the_legacy_rule(setup):
    """The original notebook's five setups (shortened to 60 game steps) separate XOR's outputs as they did."""
    high, low = _florian_xor(setup, 60)
    assert high > low + 0.02, (setup, high, low)


@pytest.mark.slow
def test_florian2007_xor_without_learning_does_not_separate():
    """The notebook's 'No training' control (learning_rate 0): XOR outputs are not separated."""
    high, low = _florian_xor("realism", 60, learning_rate=0.0)
    assert high < low + 0.02, (high, low)


def test_legacy_rlstdpet_passes_the_part_conformance_suite():
    """spikey.compat.RLSTDPET passes check_part (keys, seeds, reset replay, state_dict, copy, pickle)."""
    from spikey.testing import check_part
    from spikey.testing.registry import STOCK_PARTS

    config = {
        **STOCK_PARTS[spikey.synapse.Synapse].config,
        "learning_rate": 0.2,
        "stdp_window": 5,
        "trace_decay": 0.1,
    }
    check_part(spikey.compat.RLSTDPET, config)
