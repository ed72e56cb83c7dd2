"""Part conformance: every check of spikey.testing.check_part over every stock part and
over user parts, and proof that the checks can fail."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import spikey
from spikey.errors import ConfigError
from spikey.module import Key
from spikey.snn.input import Input
from spikey.snn.modifier import Modifier
from spikey.snn.neuron import Neuron, NeuronBase
from spikey.snn.part import Part
from spikey.snn.readout import NeuronRates, Readout
from spikey.snn.reward import Reward
from spikey.snn.weight import Manual, Weight
from spikey.testing import (
    CHECK_NAMES,
    PartCheckError,
    check_part,
    infer_family,
    iter_checks,
    make_harness,
    run_check,
)
from spikey.testing.registry import ABSTRACT_TEMPLATES, FAMILY_MODULES, STOCK_PARTS, stock_specs

PAIRS = [(spec, check) for spec in stock_specs() for check in CHECK_NAMES]


# ---------------------------------------------------------------- stock parts


@pytest.mark.parametrize("spec, check", PAIRS, ids=[f"{s.id}-{c}" for s, c in PAIRS])
def test_stock_part_passes_check(spec, check):
    """Every registered stock part passes every conformance check."""
    run_check(check, make_harness(spec.part, spec.config, **spec.kwargs()))


def _exported_parts() -> set[type]:
    out = set()
    for module in FAMILY_MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and issubclass(obj, Part):
                out.add(obj)
    return out


def test_every_exported_part_is_registered():
    """Each concrete part class in a family's __all__ has a STOCK_PARTS entry."""
    missing = sorted(c.__name__ for c in _exported_parts() - ABSTRACT_TEMPLATES - set(STOCK_PARTS))
    assert not missing, f"add these stock parts to spikey/testing/registry.py: {missing}"


def test_every_part_defined_in_family_packages_is_registered():
    """Public part classes defined in any module of a family package are registered too."""
    missing = []
    for package in FAMILY_MODULES:
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for name, obj in inspect.getmembers(module, inspect.isclass):
                if obj.__module__ != module.__name__ or name.startswith("_") or not issubclass(obj, Part):
                    continue
                if obj not in ABSTRACT_TEMPLATES and obj not in STOCK_PARTS:
                    missing.append(f"{module.__name__}.{name}")
    assert not missing, f"add these stock parts to spikey/testing/registry.py: {sorted(missing)}"


def test_abstract_templates_cannot_run_alone():
    """The templates left out of the registry really cannot run by themselves."""
    inp = Input(n_inputs=2, magnitude=1.0, seed=0)
    inp.reset()
    inp.update((1, 0))
    with pytest.raises(NotImplementedError, match="Input must implement"):
        inp()
    with pytest.raises(NotImplementedError, match="Readout must implement"):
        Readout(n_outputs=1)(np.zeros((3, 1), dtype=bool))
    with pytest.raises(NotImplementedError, match="Reward must implement"):
        Reward()((0,), 0)
    with pytest.raises(NotImplementedError, match="Modifier must implement"):
        Modifier("network.neurons.magnitude").value(0)
    assert not Weight(n_inputs=2, n_neurons=3).mask.any()
    with pytest.raises(NotImplementedError, match="NeuronBase must implement"):
        NeuronBase(n_neurons=2)()
    assert {NeuronBase, Input, Readout, Reward, Modifier, Weight} == set(ABSTRACT_TEMPLATES)


def test_registry_family_matches_package_and_config_is_read_only():
    """Each registered part's inferred family is its package; configs cannot be edited."""
    for spec in stock_specs():
        family = infer_family(spec.part)
        assert f"spikey.snn.{family}." in spec.part.__module__, (spec.id, family)
        with pytest.raises(TypeError):
            spec.config["n_inputs"] = 1


def test_check_part_passes_a_stock_part_and_lists_checks():
    """check_part returns None for a conforming part; iter_checks yields every check by name."""
    spec = STOCK_PARTS[spikey.readout.TopAction]
    assert check_part(spec.part, spec.config, n_steps=20) is None
    assert [name for name, _ in iter_checks(spec.part, spec.config)] == list(CHECK_NAMES)


def test_check_part_argument_errors():
    """Unknown skip names and families, and non-part classes, are reported by name."""
    spec = STOCK_PARTS[spikey.neuron.Neuron]
    with pytest.raises(ValueError, match="skip: unknown checks \\['pickel'\\]"):
        check_part(spec.part, spec.config, skip=["pickel"])
    with pytest.raises(PartCheckError, match="unknown family 'nueron' \\(did you mean 'neuron'\\?\\)"):
        check_part(spec.part, spec.config, family="nueron")
    with pytest.raises(PartCheckError, match="dict: check 'family' failed: derives from no part template"):
        infer_family(dict)
    with pytest.raises(ValueError, match="unknown check 'outptus' \\(did you mean 'outputs'\\?\\)"):
        run_check("outptus", make_harness(spec.part, spec.config))


def test_config_typo_is_reported():
    """A config key no part declares fails 'construct' with a did-you-mean."""
    spec = STOCK_PARTS[spikey.neuron.Neuron]
    cfg = {**spec.config, "firing_treshold": 2.0}
    with pytest.raises(PartCheckError, match="did you mean 'firing_threshold'"):
        run_check("construct", make_harness(spec.part, cfg))


# ---------------------------------------------------------------- user parts

NEURON_CONFIG = {
    "n_neurons": 6,
    "magnitude": 2.0,
    "firing_threshold": 1.0,
    "potential_decay": 0.1,
    "refractory_period": 1,
    "neuron_pct_inhibitory": 0.3,
}


class WillyNilly(Neuron):
    """Neuron group firing erratically only (the README's example, drawing from self.rng)."""

    NECESSARY_KEYS = Neuron.extend_keys(
        [Key("fire_rate", "Rate at which neurons fire.", float, default=0.08)]
    )

    def __ge__(self, threshold: float) -> np.ndarray:
        """Fire at random with probability fire_rate, whatever the potentials."""
        fire_locs = self.rng.uniform(0, 1, size=self._n_neurons) <= self._fire_rate
        return fire_locs * self.polarities * self._magnitude


@pytest.mark.parametrize("check", CHECK_NAMES)
def test_willynilly_user_neuron_passes_check(check):
    """A README-style user neuron drawing from self.rng passes every check."""
    run_check(check, make_harness(WillyNilly, {**NEURON_CONFIG, "fire_rate": 0.2}))


def test_willynilly_fires_at_its_rate():
    """The overridden firing rule is the one used: rate ~ fire_rate, threshold unreachable."""
    n = WillyNilly(**{**NEURON_CONFIG, "firing_threshold": 1e9, "fire_rate": 0.2}, seed=3)
    n.reset()
    fired = np.array([n() != 0 for _ in range(2000)])
    assert abs(fired.mean() - 0.2) < 0.015


class GlobalNoise(Neuron):
    """Broken on purpose: fires from numpy's global random state."""

    def __ge__(self, threshold: float) -> np.ndarray:
        fire = np.random.random(self._n_neurons) < 0.3  # noqa: NPY002 - deliberately broken
        return fire * self.polarities * self._magnitude


class Adapting(Neuron):
    """Broken on purpose: its adaptation array changes every step but is not in STATE."""

    def reset(self) -> None:
        super().reset()
        self.adaptation = np.zeros(self._n_neurons)

    def __ge__(self, threshold: float) -> np.ndarray:
        out = super().__ge__(threshold + self.adaptation)
        self.adaptation = 0.8 * self.adaptation + (out != 0)
        return out


class AdaptingFixed(Adapting):
    """Adapting with its adaptation listed in STATE."""

    STATE = Neuron.STATE + ("adaptation",)


class Forgetful(Neuron):
    """Broken on purpose: reset() does not clear the adaptation (allocated in __init__)."""

    STATE = Neuron.STATE + ("adaptation",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.adaptation = np.zeros(self._n_neurons)

    def __ge__(self, threshold: float) -> np.ndarray:
        out = super().__ge__(threshold + self.adaptation)
        self.adaptation = 0.8 * self.adaptation + (out != 0)
        return out


class SloppyPools(NeuronRates):
    """Broken on purpose: converts n_actions by hand before the key is validated."""

    def __init__(self, **kwargs):
        kwargs["n_actions"] = int(kwargs["n_actions"])
        super().__init__(**kwargs)


class Doubling(NeuronRates):
    """Broken on purpose: changes a key's value in __init__, so params do not round trip."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._n_actions *= 2


class Destructive(NeuronRates):
    """Broken on purpose: clears the spike train it is given."""

    def __call__(self, output_spike_train: np.ndarray) -> np.ndarray:
        out = super().__call__(output_spike_train)
        output_spike_train[:] = False
        return out


class SharedDefault(NeuronRates):
    """Broken on purpose: keeps the class's mutable default instead of a copy."""

    NECESSARY_KEYS = NeuronRates.extend_keys([Key("labels", "Action labels.", list, default=["a", "b"])])

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if "labels" not in kwargs:
            self._labels = type(self).NECESSARY_KEYS[-1].default


class Undocumented(Neuron):
    """Broken on purpose: declares a key by name only (legacy), with no description."""

    NECESSARY_KEYS = Neuron.extend_keys(["gain"])


READOUT_CONFIG = {"n_outputs": 4, "n_actions": 2}

BROKEN = [
    (GlobalNoise, NEURON_CONFIG, "no_global_rng", "numpy's global random state"),
    (GlobalNoise, NEURON_CONFIG, "same_seed", "two parts built with seed=1234 differ"),
    (Adapting, NEURON_CONFIG, "state_dict_resume", "raised AttributeError.*listed in STATE"),
    (Forgetful, NEURON_CONFIG, "reset_replays", "the run is not replayed"),
    (
        SloppyPools,
        READOUT_CONFIG,
        "invalid_values",
        "n_actions=_Opaque\\(\\).*expected ConfigError; got TypeError",
    ),
    (Doubling, READOUT_CONFIG, "params_roundtrip", "rebuilt part has n_actions=8; original has 4"),
    (Destructive, READOUT_CONFIG, "outputs", "changed the spike train it was given"),
    (SharedDefault, READOUT_CONFIG, "construct", "shares its mutable default"),
    (Undocumented, {**NEURON_CONFIG, "gain": 1.0}, "keys_declared", "key 'gain' has no description"),
]


@pytest.mark.parametrize(
    "part, config, check, message", BROKEN, ids=[f"{b[0].__name__}-{b[2]}" for b in BROKEN]
)
def test_broken_user_part_fails_the_relevant_check(part, config, check, message):
    """A part that breaks the contract fails the check for that rule, naming part and check."""
    with pytest.raises(PartCheckError, match=message) as info:
        run_check(check, make_harness(part, config))
    assert str(info.value).startswith(f"{part.__name__}: check {check!r} failed: ")
    assert (info.value.part, info.value.check) == (part.__name__, check)


def test_check_part_reports_every_failed_check():
    """check_part runs all checks and names each failure; PartCheckError is an AssertionError."""
    with pytest.raises(AssertionError) as info:
        check_part(GlobalNoise, NEURON_CONFIG)
    err = info.value
    assert isinstance(err, PartCheckError)
    failed = {e.check for e in err.failures}
    assert {"no_global_rng", "same_seed", "reset_replays", "state_dict_resume"} <= failed
    assert str(err).startswith("GlobalNoise: check '")


@pytest.mark.parametrize("check", CHECK_NAMES)
def test_fixed_state_part_passes(check):
    """Listing the adaptation in STATE makes the Adapting neuron pass every check."""
    run_check(check, make_harness(AdaptingFixed, NEURON_CONFIG))


def test_check_part_skip():
    """Skipped checks are not run: only the skipped check fails for this part."""
    with pytest.raises(PartCheckError, match="state_dict_resume"):
        check_part(Adapting, NEURON_CONFIG, skip=["invalid_values"])
    check_part(Adapting, NEURON_CONFIG, skip=["state_dict_resume", "invalid_values"])


def test_global_random_state_is_left_as_found():
    """Running the checks leaves numpy's global random state unchanged."""
    before = np.random.get_state()  # noqa: NPY002 - inspected, not used
    with pytest.raises(PartCheckError):
        run_check("no_global_rng", make_harness(GlobalNoise, NEURON_CONFIG))
    after = np.random.get_state()  # noqa: NPY002 - inspected, not used
    assert np.array_equal(before[1], after[1]) and before[2:] == after[2:]


# ---------------------------------------------------------------- core bugs found by the suite


def test_manual_set_params_cannot_bypass_matrix_checks():
    """set_params(matrix=...) on Manual weights is checked like construction (shape)."""
    w = Manual(n_inputs=1, n_neurons=2, matrix=np.array([[0.5, 0.0], [0.0, 0.2], [0.3, 0.0]]))
    with pytest.raises(ConfigError, match="Manual.matrix"):
        w.set_params(matrix=np.ones((2, 2)))
    assert w.matrix.shape == (3, 2)


def test_neuron_set_params_magnitude_takes_effect():
    """A new magnitude set with set_params (e.g. by a modifier) sizes the next spikes."""
    n = Neuron(
        n_neurons=3, magnitude=1.0, firing_threshold=0.5, potential_decay=0.0, refractory_period=0, seed=0
    )
    n.reset()
    n += np.ones(3)
    n.set_params(magnitude=3.0)
    np.testing.assert_array_equal(n(), [3.0, 3.0, 3.0])


def test_input_set_params_magnitude_takes_effect():
    """A new input magnitude set with set_params sizes the next input spikes."""
    inp = spikey.input.RateMap(n_inputs=2, magnitude=1.0, state_rate_map=[0.0, 1.0], seed=0)
    inp.reset()
    inp.update([1])
    inp.set_params(magnitude=5.0)
    np.testing.assert_array_equal(inp(), [5.0, 5.0])


def test_mstdp_reward_right_after_load_state_dict_is_applied():
    """A reward given right after load_state_dict changes the weights as in the original."""
    spec = STOCK_PARTS[spikey.synapse.MSTDP]
    h = make_harness(spec.part, spec.config)
    a = h.build()
    h.start(a)
    h.run(a, 0, 10)
    b = h.build()
    h.set_state(b, h.get_state(a))
    a.reward(1.0)
    b.reward(1.0)
    np.testing.assert_array_equal(b.weights.matrix, a.weights.matrix)


class Reordered(spikey.modifier.LinearDecay):
    """Broken on purpose: its positional signature disagrees with ARGS."""

    def __init__(self, param, value_start, value_stop, t_stop, **kwargs):
        super().__init__(param, t_stop, value_start, value_stop, **kwargs)


def test_modifier_positional_arguments_are_checked():
    """Modifiers built positionally (ARGS order) must match keyword construction."""
    spec = STOCK_PARTS[spikey.modifier.LinearDecay]
    with pytest.raises(
        PartCheckError,
        match=r"positional construction \('param', 't_stop', 'value_start', 'value_stop'\) raised",
    ):
        run_check("construct", make_harness(Reordered, spec.config))
