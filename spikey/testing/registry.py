"""Registry of spikey's stock parts with a small valid configuration each.

The test suite runs every check of :func:`spikey.testing.check_part` over every entry,
so a stock part is fully tested as soon as it is registered here (and a test fails
when a part exported by a family's ``__all__`` is missing).

Examples
--------
>>> from spikey.testing.registry import STOCK_PARTS
>>> from spikey.snn.neuron import Neuron
>>> STOCK_PARTS[Neuron].config["n_neurons"]
5
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from spikey.snn import input as _input
from spikey.snn import modifier as _modifier
from spikey.snn import neuron as _neuron
from spikey.snn import readout as _readout
from spikey.snn import reward as _reward
from spikey.snn import synapse as _synapse
from spikey.snn import weight as _weight

__all__ = [
    "PartSpec",
    "STOCK_PARTS",
    "ABSTRACT_TEMPLATES",
    "FAMILY_MODULES",
    "register_stock_part",
    "stock_specs",
    "parity",
    "parity_reward",
    "first_magnitude",
]


def parity(state: Any) -> int:
    """Expected action for a 0/1 state: the parity of its sum (XOR for two values)."""
    return int(np.sum(state)) % 2


def first_magnitude(state: Any) -> float:
    """A cost: the magnitude of the state's first element (for CostReduction)."""
    return abs(float(state[0]))


def parity_reward(state: Any, action: Any) -> float:
    """1.0 when ``action`` is the parity of ``state``, else 0.0."""
    return float(np.all(np.asarray(action) == parity(state)))


@dataclass(frozen=True)
class PartSpec:
    """A part class with what :func:`~spikey.testing.check_part` needs to run it.

    Attributes
    ----------
    part : type
        The part class.
    config : mapping
        A small valid configuration (read-only).
    state, action : object
        Game state (and action) driving inputs, rewards and modifiers.
    weights : object
        Weights for a synapse (default: built from ``config``).
    id : str
        Test id, the class name unless given.
    """

    part: type
    config: Mapping[str, Any]
    state: Any = None
    action: Any = None
    weights: Any = None
    id: str = field(default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "config", MappingProxyType(dict(self.config)))
        if not self.id:
            object.__setattr__(self, "id", self.part.__name__)

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`~spikey.testing.check_part` for this part."""
        return {"weights": self.weights, "state": self.state, "action": self.action}


#: Templates that cannot run by themselves (no firing rule, action, reward, schedule,
#: or, for Weight, no synapses); every other class in a family's ``__all__`` must be in
#: :data:`STOCK_PARTS`.
ABSTRACT_TEMPLATES: frozenset[type] = frozenset(
    {_neuron.NeuronBase, _input.Input, _weight.Weight, _readout.Readout, _reward.Reward, _modifier.Modifier}
)

#: The family modules whose ``__all__`` lists the stock parts.
FAMILY_MODULES = (_neuron, _input, _weight, _synapse, _readout, _reward, _modifier)

#: Stock part class -> :class:`PartSpec`.
STOCK_PARTS: dict[type, PartSpec] = {}


def register_stock_part(
    part: type,
    config: Mapping[str, Any],
    *,
    state: Any = None,
    action: Any = None,
    weights: Any = None,
) -> PartSpec:
    """Add (or replace) the registry entry of ``part``; returns it."""
    spec = PartSpec(part, config, state=state, action=action, weights=weights)
    STOCK_PARTS[part] = spec
    return spec


def stock_specs() -> list[PartSpec]:
    """The registered specs, in registration order."""
    return list(STOCK_PARTS.values())


# --------------------------------------------------------------------------- entries

_NEURON = {
    "n_neurons": 5,
    "magnitude": 1.5,
    "firing_threshold": 1.0,
    "potential_decay": 0.2,
    "refractory_period": 2,
    "neuron_pct_inhibitory": 0.4,
    "prob_rand_fire": 0.1,
    "spike_delay": 1,
}
register_stock_part(_neuron.Neuron, _NEURON)
register_stock_part(
    _neuron.RandPotential, {**_NEURON, "spike_delay": 0, "prob_rand_fire": 0.3, "leak_scalar": 0.8}
)
register_stock_part(
    _neuron.Izhikevich,
    {"n_neurons": 4, "neuron_pct_inhibitory": 0.5, "preset": "CH", "d": [2.0, 4.0, 8.0, 0.05], "i_ext": 9.0},
)
register_stock_part(
    _neuron.AdEx,
    {"n_neurons": 3, "preset": "adapting", "dt": 1.0, "n_substeps": 10, "i_ext": [500.0, 800.0, 600.0]},
)
register_stock_part(
    _neuron.HodgkinHuxley,
    {
        "n_neurons": 3,
        "dt": 0.05,
        "method": "rk4",
        "i_ext": [30.0, 50.0, 80.0],
        "v_init": [-65.0, -64.0, -63.0],
    },
)
register_stock_part(
    _neuron.LIF,
    {
        "n_neurons": 5,
        "neuron_pct_inhibitory": 0.4,
        "input_mode": "conductance",
        "dt": 0.5,
        "theta_plus": 0.5,
        "tau_theta": 20.0,
        "v_init": [-65.0, -60.0, -55.0, -52.0, -51.0],
    },
)
register_stock_part(
    _neuron.PoissonSource, {"n_neurons": 4, "magnitude": 2.0, "rate": [10.0, 100.0, 400.0, 0.0]}
)
register_stock_part(_neuron.BernoulliSource, {"n_neurons": 3, "prob_fire": [0.1, 0.5, 0.9]})

_INPUT = {"n_inputs": 4, "magnitude": 2.0, "input_pct_inhibitory": 0.5}
register_stock_part(
    _input.RateMap, {**_INPUT, "state_rate_map": [0.05, 0.6], "input_firing_steps": 7}, state=(1, 0)
)
register_stock_part(
    _input.StaticMap,
    {
        **_INPUT,
        "state_spike_map": {
            (0, 1): np.array([[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]], dtype=bool),
            (1, 0): np.array([0, 0, 1, 1], dtype=bool),
        },
    },
    state=(0, 1),
)
register_stock_part(
    _input.RBF,
    {**_INPUT, "n_inputs": 6, "state_ranges": [(-1.0, 1.0), (0.0, 1.0)], "rbf_width": 1.5, "rbf_rate": 0.7},
    state=(0.2, 0.7),
)
register_stock_part(
    _input.BoxRBF,
    {**_INPUT, "n_inputs": 6, "state_ranges": [(-1.0, 1.0), (0.0, 1.0)], "rbf_rate": 0.7},
    state=(0.2, 0.7),
)
register_stock_part(
    _input.BoxRBF,
    {**_INPUT, "n_inputs": 6, "state_ranges": [(-1.0, 1.0), (0.0, 1.0)], "spike_mode": "poisson"},
    state=(3.0, 0.7),
)
register_stock_part(
    _input.Poisson,
    {**_INPUT, "n_inputs": 3, "rate_scale": 2.0, "dt": 1.0},
    state=np.array([50.0, 150.0, 400.0]),
)

_SIZES = {"n_inputs": 3, "n_neurons": 4}
register_stock_part(_weight.Random, {**_SIZES, "max_weight": 2.0, "density": 0.6, "distribution": "normal"})
register_stock_part(
    _weight.Manual,
    {
        **_SIZES,
        "max_weight": 1.0,
        "matrix": np.linspace(0.0, 1.0, 28).reshape(7, 4) * (np.arange(28).reshape(7, 4) % 3 != 0),
    },
)

_SYN = {**_SIZES, "max_weight": 1.0, "density": 0.7}
_STDP = {**_SYN, "learning_rate": 0.2, "tau_plus": 5.0, "tau_minus": 4.0, "A_plus": 1.0, "A_minus": -0.9}
register_stock_part(_synapse.Synapse, _SYN)
register_stock_part(_synapse.LTP, _STDP)
register_stock_part(_synapse.MSTDP, _STDP)
register_stock_part(_synapse.MSTDPET, {**_STDP, "tau_z": 6.0})
register_stock_part(_synapse.RLSTDP, {**_STDP, "trace_decay": 0.1})
register_stock_part(_synapse.RLSTDPET, {**_SYN, "learning_rate": 0.2, "stdp_window": 5.0, "trace_decay": 0.1})

register_stock_part(_readout.Threshold, {"n_outputs": 3, "action_threshold": "mean", "output_range": [0, 1]})
register_stock_part(_readout.NeuronRates, {"n_outputs": 5, "n_actions": 2})
register_stock_part(_readout.PopulationVector, {"n_outputs": 4, "n_actions": 2, "kernel_tau_decay": 8.0})
register_stock_part(_readout.TopAction, {"n_outputs": 4, "n_actions": 2, "kernel_tau_rise": 3.0})
register_stock_part(_readout.ActionPools, {"n_outputs": 5, "n_actions": 2})
register_stock_part(
    _readout.PopulationCode, {"n_outputs": 6, "n_action_dims": 2, "action_low": -2.0, "action_high": 2.0}
)

register_stock_part(
    _reward.MatchExpected, {"expected_value": parity, "punish_mult": 2.0}, state=(1, 0), action=1
)
register_stock_part(
    _reward.TDError,
    {"expected_value": parity_reward, "gamma": 0.5, "critic_rate": 0.2},
    state=(1.0, 0.0),
    action=1,
)

register_stock_part(
    _reward.SpikeReward,
    {"expected_value": parity, "reward_mult": 2.0},
    state=(0, 1),
    action=np.array([True, False]),
)
register_stock_part(
    _reward.EnvReward, {"reward_scale": 0.5, "reward_clip": 0.8, "punish_mult": 2.0}, state=(0.5, 0.0), action=1
)
register_stock_part(
    _reward.CostReduction, {"state_cost": first_magnitude, "reward_mult": 2.0}, state=(0.5, 0.0), action=1
)

register_stock_part(
    _modifier.LinearDecay,
    {"param": "network.synapses.learning_rate", "t_stop": 20, "value_start": 0.5, "value_stop": 0.0},
)
register_stock_part(
    _modifier.DropOff,
    {"param": "network.neurons.prob_rand_fire", "t_stop": 10, "value_start": 0.2, "value_end": 0.0},
)

# transmission dynamics and learning rules built on StaticSynapse (issue 6)
register_stock_part(
    _synapse.StaticSynapse,
    {
        **_SYN,
        "delays": np.arange(28).reshape(7, 4) % 3,
        "prob_failure": 0.3,
        "kernel_exc": "exponential",
        "kernel_inh": "alpha",
        "tau_exc": 3.0,
        "tau_inh": 6.0,
        "post_reset": True,
    },
)
register_stock_part(
    _synapse.DASTDP,
    {
        **_SYN,
        "max_weight": 4.0,
        "delays": 1,
        "tau_c": 50.0,
        "tau_d": 20.0,
        "update_every": 3,
        "plastic": "all",
    },
)
register_stock_part(
    _synapse.DiehlCook,
    {
        **_SYN,
        "kernel_exc": "exponential",
        "tau_exc": 2.0,
        "mu": 0.5,
        "nu_pre": 0.05,
        "nu_post": 0.2,
        "plastic": "all",
    },
)
