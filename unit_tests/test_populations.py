"""Multi-population networks (spikey.snn.populations) and monitors (spikey.snn.monitor)."""

from __future__ import annotations

import numpy as np
import pytest

import spikey
from spikey.errors import ConfigError, ShapeError
from spikey.snn.monitor import Monitor
from spikey.snn.neuron import Izhikevich
from spikey.snn.populations import (
    Population,
    PopulationNetwork,
    PopulationNeurons,
    Projection,
    Silent,
    SpikeCounts,
)
from spikey.testing import CHECK_NAMES, make_harness, run_check

# ------------------------------------------------------------------ conformance

POPULATION_PARTS = [
    (
        PopulationNeurons,
        {
            "n_neurons": 7,
            "populations": [
                Population("rs", 3, Izhikevich, a=[0.02, 0.03, 0.1], noise=3.0, i_ext=5.0),
                Population(
                    "fs", 2, Izhikevich, a=0.1, inhibitory=True, bias=2.0, noise=1.0, noise_type="uniform"
                ),
                Population(
                    "lif",
                    2,
                    spikey.neuron.Neuron,
                    firing_threshold=1.0,
                    potential_decay=0.1,
                    refractory_period=1,
                ),
            ],
        },
        {},
    ),
    (Silent, {"n_inputs": 2}, {"state": (0, 1)}),
    (SpikeCounts, {"n_outputs": 3}, {}),
]
PAIRS = [(part, cfg, kw, check) for part, cfg, kw in POPULATION_PARTS for check in CHECK_NAMES]


@pytest.mark.parametrize("part, config, kwargs, check", PAIRS, ids=[f"{p[0].__name__}-{p[3]}" for p in PAIRS])
def test_population_parts_pass_check_part(part, config, kwargs, check):
    """The composite neurons, Silent inputs and SpikeCounts readout pass every conformance check."""
    run_check(check, make_harness(part, config, **kwargs))


# ------------------------------------------------------------------ Izhikevich (2003)


def izhikevich_draws(seed: int, ne: int = 800, ni: int = 200):
    """net.m's random draws: heterogeneity r per neuron, weights S (pre, post)."""
    rng = np.random.default_rng(seed)
    re, ri = rng.random(ne), rng.random(ni)
    w = np.vstack([0.5 * rng.random((ne, ne + ni)), -rng.random((ni, ne + ni))])  # rows: presynaptic
    return re, ri, w


def izhikevich_network(re, ri, w, seed: int, processing_time: int = 1000) -> PopulationNetwork:
    ne, ni = len(re), len(ri)
    return PopulationNetwork(
        populations=[
            Population("exc", ne, Izhikevich, a=0.02, b=0.2, c=-65 + 15 * re**2, d=8 - 6 * re**2, noise=5.0),
            Population(
                "inh",
                ni,
                Izhikevich,
                a=0.02 + 0.08 * ri,
                b=0.25 - 0.05 * ri,
                c=-65.0,
                d=2.0,
                inhibitory=True,
                noise=2.0,
            ),
        ],
        projections=[
            Projection(pre, post, weight=w[rows, cols])
            for pre, rows in (("exc", slice(0, ne)), ("inh", slice(ne, ne + ni)))
            for post, cols in (("exc", slice(0, ne)), ("inh", slice(ne, ne + ni)))
        ],
        processing_time=processing_time,
        seed=seed,
        strict=True,
    )


def netm_rate(re, ri, w, steps: int, seed: int) -> float:
    """Independent plain-numpy transcription of the paper's net.m (1 ms steps, v in two
    0.5 ms half-steps, u in one); returns the mean rate [Hz]."""
    rng = np.random.default_rng(seed)
    ne, ni = len(re), len(ri)
    a = np.concatenate([np.full(ne, 0.02), 0.02 + 0.08 * ri])
    b = np.concatenate([np.full(ne, 0.2), 0.25 - 0.05 * ri])
    c = np.concatenate([-65 + 15 * re**2, np.full(ni, -65.0)])
    d = np.concatenate([8 - 6 * re**2, np.full(ni, 2.0)])
    v = np.full(ne + ni, -65.0)
    u = b * v
    s = w.T  # S(post, pre) as in net.m
    count = 0
    for _ in range(steps):
        current = np.concatenate([5 * rng.standard_normal(ne), 2 * rng.standard_normal(ni)])
        fired = np.flatnonzero(v >= 30)
        count += fired.size
        v[fired] = c[fired]
        u[fired] += d[fired]
        current += s[:, fired].sum(axis=1)
        v += 0.5 * (0.04 * v**2 + 5 * v + 140 - u + current)
        v += 0.5 * (0.04 * v**2 + 5 * v + 140 - u + current)
        u += a * (b * v - u)
    return count / (ne + ni) / steps * 1000.0


def test_izhikevich_2003_network_rate_matches_independent_net_m():
    """Same heterogeneity and weights: spikey's mean rate is within 10% of a plain net.m
    transcription (different noise draws, 3 s each)."""
    re, ri, w = izhikevich_draws(0)
    net = izhikevich_network(re, ri, w, seed=1)
    assert len(net.neurons.groups) == 1  # both populations share one Izhikevich instance
    net.reset()
    counts = 0
    for _ in range(3):
        net.tick(None)
        counts += net.spike_log.sum()
    rate = counts / 1000 / 3.0
    reference = netm_rate(re, ri, w, 3000, seed=2)
    assert 4.0 < reference < 12.0  # the paper's regime: a few Hz with alpha/gamma rhythms
    assert rate == pytest.approx(reference, rel=0.10)
    # per population: inhibitory neurons fire at least as often in this network
    rates = net.rates()
    assert set(rates) == {"exc", "inh"} and all(np.isfinite(list(rates.values())))


def test_weights_and_signs_follow_the_projections():
    """The weight matrix holds each projection's magnitudes; inhibitory rows act negatively."""
    re, ri, w = izhikevich_draws(3, 8, 2)
    net = izhikevich_network(re, ri, w, seed=0, processing_time=5)
    np.testing.assert_allclose(net.weights.matrix, np.abs(w))
    assert net.weights.mask.all()
    np.testing.assert_array_equal(net.neurons.polarities, [1.0] * 8 + [-1.0] * 2)
    spikes = np.zeros(10)
    spikes[9] = -1.0  # an inhibitory spike value
    np.testing.assert_allclose(net.synapses.propagate(spikes), w[9])


# ------------------------------------------------------------------ basal ganglia (seed 004)

BG_NAMES = ["CTX", "D1", "D2", "GPi", "TA", "TI", "STN"]
BG_SIZES = [2000, 400, 400, 200, 300, 300, 200]
BG_ABCD = [(0.02, 0.2, -65, 8), (0.1, 0.2, -65, 2), (0.1, 0.2, -65, 2), (0.02, 0.2, -65, 8)]
BG_ABCD += [(0.1, 0.2, -65, 2), (0.1, 0.2, -65, 2), (0.02, 0.2, -55, 4)]
BG_W = np.array(
    [
        [0, 30, 6, 0, 0, 0, 30],
        [0, -2, -2, -10, 0, 0, 0],
        [0, -2, -3, 0, -2, -2, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [0, -2, -2, 0, -2, -2, -2],
        [0, -2, -2, -2, -2, -2, -4],
        [0, 0, 0, 20, 20, 20, 0],
    ],
    dtype=float,
)
BG_D = np.array(
    [
        [0, 10, 10, 0, 0, 0, 2.5],
        [0, 14, 10, 7, 0, 0, 0],
        [0, 11, 13, 0, 5, 5, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [0, 6, 6, 0, 1, 1, 4],
        [0, 6, 6, 3, 1, 1, 4],
        [0, 0, 0, 1.5, 2, 2, 0],
    ]
)


def basal_ganglia(seed: int = 0, scale: int = 1) -> PopulationNetwork:
    """The seed's basal ganglia model in a few lines (sizes divided by ``scale``)."""

    def jitter(mean):  # w (1 + N(0, 1)), clipped at 0, as in the seed
        return lambda rng, shape: np.clip(mean * (1 + rng.standard_normal(shape)), 0, None)

    sizes = [s // scale for s in BG_SIZES]
    pops = [
        Population(n, s, Izhikevich, a=a, b=b, c=c, d=d, inhibitory=n not in ("CTX", "STN"))
        for n, s, (a, b, c, d) in zip(BG_NAMES, sizes, BG_ABCD)
    ]
    pops[0] = Population("CTX", sizes[0], Izhikevich, a=0.02, b=0.2, c=-65, d=8, bias=7.0, noise=21.0)
    projections = [
        Projection(
            BG_NAMES[i],
            BG_NAMES[j],
            weight=jitter(abs(BG_W[i, j]) / sizes[i]),
            delay=BG_D[i, j],
            kernel="alpha" if BG_W[i, j] < 0 else "exponential",
            tau=50.0 if BG_W[i, j] < 0 else 20.0,
        )
        for i in range(7)
        for j in range(7)
        if BG_W[i, j]
    ]
    return PopulationNetwork(
        populations=pops, projections=projections, dt=0.2, processing_time=500, seed=seed, strict=True
    )


def test_basal_ganglia_model_builds_and_runs_100_ms():
    """Seed 004's CTX/D1/D2/GPi/TA/TI/STN model: structure as specified, 100 ms run, all finite."""
    net = basal_ganglia()
    assert net.population_names == BG_NAMES
    assert [net.slice(n).stop - net.slice(n).start for n in BG_NAMES] == BG_SIZES
    assert len(net.neurons.groups) == 1  # one Izhikevich instance with per-neuron a, b, c, d
    syn = net.synapses
    assert (syn._kernel_exc, syn._tau_exc, syn._kernel_inh, syn._tau_inh) == (
        "exponential",
        20.0,
        "alpha",
        50.0,
    )
    delays = syn._delay_plan
    for i, pre in enumerate(BG_NAMES):
        for j, post in enumerate(BG_NAMES):
            block = delays[net.rows(pre), net.slice(post)]
            assert np.all(block == int(BG_D[i, j] / 0.2 + 0.5 + 1e-9)), (pre, post)  # 2.5 ms -> 13 steps
            wblock = net.weights.matrix[net.rows(pre), net.slice(post)]
            if BG_W[i, j] == 0:
                assert not wblock.any()
            else:  # mean |w| / n_pre, jittered
                assert wblock.mean() == pytest.approx(abs(BG_W[i, j]) / BG_SIZES[i], rel=0.1)
    net.reset()
    net.tick(None)  # 500 steps of 0.2 ms
    assert net.spike_log.shape == (500, sum(BG_SIZES))
    rates = net.rates()
    assert rates["CTX"] > 1.0 and all(np.isfinite(list(rates.values())))
    assert np.isfinite(net.neurons.potentials).all()
    assert syn._lines[0].mode == "classes"  # per-projection delays use the block path


# ------------------------------------------------------------------ construction rules


def small(**kw) -> PopulationNetwork:
    cfg = dict(
        populations=[
            Population("a", 6, Izhikevich, bias=8.0),
            Population("b", 4, Izhikevich, preset="FS", inhibitory=True, bias=4.0),
        ],
        projections=[Projection("a", ["a", "b"], 0.5, density=0.5), Projection("b", "a", 1.0)],
        processing_time=50,
        seed=3,
        strict=True,
    )
    cfg.update(kw)
    return PopulationNetwork(**cfg)


def test_populations_merge_only_when_keys_are_per_neuron():
    """Per-neuron values merge into one instance; a different preset keeps instances apart."""
    net = small()
    assert [names for _, _, names in net.neurons.groups] == [["a"], ["b"]]
    same = small(
        populations=[
            Population("a", 6, Izhikevich, a=0.02, b=0.2, c=-65.0, d=8.0),
            Population("b", 4, Izhikevich, a=0.1, b=0.2, c=-65.0, d=2.0, inhibitory=True),
        ]
    )
    ((instance, sl, names),) = same.neurons.groups
    assert names == ["a", "b"] and sl == slice(0, 10)
    np.testing.assert_array_equal(instance._pv["a"], [0.02] * 6 + [0.1] * 4)


def test_merged_and_separate_instances_give_the_same_dynamics():
    """Sharing an instance is an optimisation only: identical spikes without noise."""
    pops = [
        Population("a", 6, Izhikevich, a=0.02, b=0.2, c=-65.0, d=8.0, bias=9.0),
        Population("b", 4, Izhikevich, a=0.1, b=0.2, c=-65.0, d=2.0, inhibitory=True, bias=5.0),
    ]
    merged = small(populations=pops)
    apart = small(populations=pops, merge_populations=False)
    assert len(merged.neurons.groups) == 1 and len(apart.neurons.groups) == 2
    for net in (merged, apart):
        net.reset()
        net.tick(None)
    np.testing.assert_array_equal(merged.spike_log, apart.spike_log)
    assert merged.spike_log.any()


def test_callable_population_params_are_drawn_once_from_the_seed():
    """f(rng, size) parameters are drawn at construction; the same seed draws the same values."""
    pops = [Population("a", 5, Izhikevich, c=lambda rng, n: -65 + 15 * rng.random(n) ** 2)]
    one, two = (PopulationNetwork(populations=pops, processing_time=5, seed=8) for _ in range(2))
    c1 = one.neurons.groups[0][0]._pv["c"]
    assert c1.shape == (5,) and np.all((c1 >= -65) & (c1 <= -50)) and len(set(c1)) == 5
    np.testing.assert_array_equal(c1, two.neurons.groups[0][0]._pv["c"])


def test_outputs_population_is_moved_last_and_read_out():
    """outputs='x' puts x last, sets n_outputs and the readout counts its spikes."""
    net = small(outputs="a")
    assert net.population_names == ["b", "a"] and net._n_outputs == 6
    net.reset()
    counts = net.tick(None)
    np.testing.assert_array_equal(counts, net.spikes("a").sum(axis=0))


def test_fan_out_density_and_autapses():
    """fan_out gives exactly k targets per neuron; no autapses when disabled; density ~ p."""
    net = small(
        populations=[Population("a", 50, Izhikevich)],
        projections=[Projection("a", "a", 1.0, fan_out=7, autapses=False)],
    )
    mask = net.weights.mask
    assert np.all(mask.sum(axis=1) == 7) and not np.any(np.diag(mask))
    dense = small(
        populations=[Population("a", 200, Izhikevich)], projections=[Projection("a", "a", 1.0, density=0.25)]
    )
    assert dense.weights.mask.mean() == pytest.approx(0.25, abs=0.01)


def test_inputs_project_into_populations():
    """'inputs' is the source of projections from the network's input neurons."""
    net = PopulationNetwork(
        inputs=spikey.input.Poisson,
        populations=[Population("a", 3, Izhikevich)],
        projections=[Projection("inputs", "a", 20.0)],
        n_inputs=4,
        magnitude=1.0,
        processing_time=200,
        seed=0,
        strict=True,
    )
    assert net.weights.matrix.shape == (7, 3)
    np.testing.assert_array_equal(net.weights.matrix[:4], 20.0)
    net.reset()
    net.tick(np.full(4, 100.0))  # 100 Hz per input
    assert net.spikes("inputs").any() and net.spikes("a").any()


def test_delays_in_ms_become_steps_of_dt():
    """A 3 ms delay at dt = 0.5 ms is 6 steps: the postsynaptic input arrives 6 steps later."""
    net = small(
        populations=[Population("a", 1, Izhikevich), Population("b", 1, Izhikevich)],
        projections=[Projection("a", "b", 2.0, delay=3.0)],
        dt=0.5,
    )
    np.testing.assert_array_equal(net.synapses._delay_plan, [[0, 6], [0, 0]])
    net.reset()
    spikes = np.array([1.0, 0.0])
    out = [net.synapses.propagate(spikes if t == 0 else np.zeros(2))[1] for t in range(8)]
    assert out == [0.0] * 6 + [2.0, 0.0]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            dict(projections=[Projection("a", "b", -1.0)]),
            ConfigError,
            r"negative weights need an inhibitory presynaptic population.*'a'",
        ),
        (dict(projections=[Projection("a", "c", 1.0)]), ConfigError, r"no population 'c'"),
        (dict(projections=[Projection("a", "b", 1.0), Projection("a", "b", 2.0)]), ConfigError, "overlaps"),
        (
            dict(
                projections=[
                    Projection("a", "a", 1.0, kernel="exponential", tau=5.0),
                    Projection("a", "b", 1.0, kernel="alpha", tau=5.0),
                ]
            ),
            ConfigError,
            "share one kernel",
        ),
        (dict(projections=[Projection("a", "b", np.ones((2, 2)))]), ShapeError, r"shape \(6, 4\)"),
        (dict(outputs="z"), ConfigError, r"outputs: no population 'z'"),
        (dict(weights=spikey.weight.Random), ConfigError, "expected spikey.weight.Manual"),
        (
            dict(synapses=spikey.synapse.Synapse, projections=[Projection("a", "b", 1.0, delay=2.0)]),
            ConfigError,
            "delays need a synapse part",
        ),
    ],
)
def test_construction_errors_name_what_is_wrong(kwargs, error, message):
    """Bad projections and settings fail at construction with a message naming them."""
    with pytest.raises(error, match=message):
        small(**kwargs)


def test_population_spec_errors():
    """Unknown model keys (with a suggestion), reserved keys and bad sizes are rejected."""
    with pytest.raises(ConfigError, match=r"Izhikevich has no key 'preset_' \(did you mean 'preset'\?\)"):
        Population("a", 3, Izhikevich, preset_="RS")
    with pytest.raises(ConfigError, match="'n_neurons' is set by the population"):
        Population("a", 3, Izhikevich, n_neurons=3)
    with pytest.raises(ConfigError, match=r"size: expected an int >= 1"):
        Population("a", 0, Izhikevich)
    with pytest.raises(ConfigError, match="NeuronBase subclass"):
        Population("a", 3, dict)


# ------------------------------------------------------------------ network API


def run(net, ticks: int = 3) -> list[np.ndarray]:
    out = []
    for _ in range(ticks):
        net.tick(None)
        out.append(net.spike_log.copy())
    return out


def noisy(**kw) -> PopulationNetwork:
    return small(
        populations=[
            Population("a", 6, Izhikevich, bias=3.0, noise=4.0),
            Population("b", 4, Izhikevich, preset="FS", inhibitory=True, noise=3.0, noise_type="uniform"),
        ],
        projections=[
            Projection("a", ["a", "b"], 2.0, density=0.5, delay=2.0, kernel="exponential", tau=5.0),
            Projection("b", "a", 3.0, delay=1.0, kernel="alpha", tau=8.0),
        ],
        synapses=spikey.synapse.DASTDP,
        max_weight=4.0,
        **kw,
    )


def test_copy_and_state_dict_continue_identically():
    """copy() and state_dict() mid-run (noise, delays in flight, kernels, DA-STDP) continue bit-identically."""
    net = noisy()
    net.reset()
    run(net, 2)
    twin = net.copy()
    state = net.state_dict()
    a = run(net)
    b = run(twin)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    fresh = noisy()
    fresh.load_state_dict(state)
    fresh.weights.load_state_dict(state["weights"])
    c = run(fresh)
    for x, y in zip(a, c):
        np.testing.assert_array_equal(x, y)
    assert sum(x.sum() for x in a) > 0


def test_save_and_load_continue_identically(tmp_path):
    """A saved population network reloads and continues bit-identically."""
    net = noisy()
    net.reset()
    run(net, 2)
    path = net.save(tmp_path / "pop")
    loaded = PopulationNetwork.load(path)
    assert loaded.population_names == net.population_names
    for x, y in zip(run(net), run(loaded)):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(net.weights.matrix, loaded.weights.matrix)


def test_conductance_based_population_network_runs():
    """conductance=True: the synapse reads the population neurons' potentials (attached)."""
    net = small(
        populations=[
            Population("a", 5, Izhikevich, bias=6.0),
            Population("b", 3, Izhikevich, inhibitory=True),
        ],
        projections=[
            Projection("a", "b", 0.2, kernel="exponential", tau=5.0),
            Projection("b", "a", 0.2, kernel="exponential", tau=10.0),
        ],
        conductance=True,
        E_inh=-80.0,
    )
    assert net.synapses._neurons is net.neurons
    net.reset()
    run(net, 2)
    assert net.spikes("a").any()
    g = net.synapses.synaptic_variables
    assert g.shape == (2, 8) and np.all(g >= 0)


def test_population_neurons_noise_statistics():
    """noise = sigma adds sigma N(0, 1) per step; uniform noise A (U - 1/2) (checked on the input)."""
    neurons = PopulationNeurons(
        n_neurons=2000,
        populations=[
            Population("n", 1000, Izhikevich, noise=5.0, bias=1.0),
            Population("u", 1000, Izhikevich, noise=13.0, noise_type="uniform"),
        ],
        seed=0,
    )
    neurons.reset()
    neurons.update(np.zeros(2000))
    x = neurons.last_input
    assert x[:1000].mean() == pytest.approx(1.0, abs=0.5) and x[:1000].std() == pytest.approx(5.0, rel=0.1)
    assert np.abs(x[1000:]).max() <= 6.5 and x[1000:].std() == pytest.approx(13 / 12**0.5, rel=0.1)


# ------------------------------------------------------------------ monitors


def test_monitor_records_spikes_and_state_of_chosen_neurons():
    """Monitor rows match the spike log and the neuron state at every step."""
    net = small()
    mon = Monitor(net, neurons="b", variables=("v", "u", "I"), synapses=[(0, 6), (6, 0)])
    assert "monitor" in str(net.schedule)
    net.reset()
    run(net, 2)
    assert mon.spikes.shape == (100, 4) and mon["v"].shape == (100, 4) and mon["u"].shape == (100, 4)
    np.testing.assert_array_equal(mon.spikes[50:], net.spikes("b"))
    np.testing.assert_array_equal(mon["v"][-1], net.neurons.potentials[6:10])
    np.testing.assert_array_equal(mon.index, np.arange(6, 10))
    assert mon.weights.shape == (100, 2)
    np.testing.assert_array_equal(mon.times, np.arange(100.0))
    times, who = mon.spike_times()
    assert len(times) == mon.spikes.sum() and set(who) <= set(range(6, 10))
    every = Monitor(net, neurons=[0, 1], every=10)
    run(net, 1)
    assert every["v"].shape == (5, 2) and mon.spikes.shape == (150, 4)
    every.detach()
    run(net, 1)
    assert every["v"].shape == (5, 2)


def test_monitor_errors():
    """Unknown variables, names without populations and bad indices are explained."""
    net = small()
    net.reset()
    with pytest.raises(ConfigError, match="no population model"):
        Monitor(net, variables=("w_adapt",))
    with pytest.raises(ConfigError, match="body-neuron indices"):
        Monitor(net, neurons=[99])
    with pytest.raises(ConfigError, match="'x' is not recorded"):
        Monitor(net)["x"]


def test_build_network_with_a_reward_network_class():
    """build_network() takes a PopulationNetwork subclass; RL mixes in: rewards reach DA-STDP."""
    from spikey.snn.populations import build_network

    class RewardedPopulations(PopulationNetwork, spikey.RLNetwork):
        pass

    net = build_network(
        [Population("a", 4, Izhikevich, bias=8.0)],
        [Projection("a", "a", 0.5)],
        network=RewardedPopulations,
        synapses=spikey.synapse.DASTDP,
        rewarder=spikey.reward.MatchExpected,
        expected_value=lambda state: 0,
        outputs="a",
        max_weight=4.0,
        processing_time=20,
        seed=0,
        strict=True,
    )
    net.reset()
    action = net.tick(None)
    assert net.reward(None, action, reward=0.5) == 0.5
    assert net.synapses.dopamine == 0.5
    net.eval()
    net.reward(None, action, reward=0.5)
    assert net.synapses.dopamine == 0.5
