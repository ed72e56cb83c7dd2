"""The parameter system: Key validation and coercion, constraints, error messages, Module."""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from spikey.errors import ConfigError, MissingKeyError
from spikey.module import REQUIRED, Interval, Key, Module, OneOf, Predicate, describe_value
from spikey.rng import make_rng
from spikey.snn.neuron import Neuron


class Leaky(Module):
    """A small module for the tests."""

    NECESSARY_KEYS = [
        Key(
            "tau",
            "Membrane time constant.",
            float,
            20.0,
            constraint=Interval(0, None, low_closed=False),
            units="ms",
        ),
        Key("gain", "Gain.", float, default=1.0),
        Key("n", "Number of neurons.", int, constraint=Interval(1, None)),
        Key("weights", "Optional weights.", np.ndarray, default=None),
        Key("labels", "Action labels.", list, default=["left", "right"]),
    ]


def validate(type_, value, **kw):
    return Key("x", "X.", type_, **kw).validate(value, owner="M")


# ---------------------------------------------------------------- coercion policy


@pytest.mark.parametrize(
    "value", [np.float64(0.5), np.float32(0.5), np.float16(0.5), np.int64(3), np.uint8(3), 3, 0.5]
)
def test_float_key_accepts_numbers_and_numpy_scalars_as_python_float(value):
    """float keys take Python and numpy ints/floats and store a Python float."""
    out = validate(float, value)
    assert type(out) is float and out == float(value)


@pytest.mark.parametrize("value", [np.int64(3), np.int8(-2), np.uint64(2**64 - 1), 7])
def test_int_key_accepts_ints_and_numpy_ints_as_python_int(value):
    """int keys take Python and numpy integers and store a Python int."""
    out = validate(int, value)
    assert type(out) is int and out == int(value)


@pytest.mark.parametrize("type_", [int, float])
@pytest.mark.parametrize("value", [True, False, np.bool_(True)])
def test_bool_is_not_a_number(type_, value):
    """bool (Python or numpy) is rejected by int and float keys."""
    with pytest.raises(ConfigError, match=r"^M\.x: expected an? (int|float); got "):
        validate(type_, value)


@pytest.mark.parametrize("value", [1.0, 1.5, np.float64(2.0), "3"])
def test_int_key_rejects_floats_and_str(value):
    """An int key takes no float, even an integral one, and no str."""
    with pytest.raises(ConfigError, match=r"expected an int; got "):
        validate(int, value)


def test_bool_key_accepts_only_bools():
    """bool keys take True/False and numpy bools (as Python bool), not 0/1 or 'True'."""
    assert validate(bool, np.bool_(False)) is False
    assert validate(bool, True) is True
    for bad in (1, 0, "True", None):
        with pytest.raises(ConfigError, match="expected a bool"):
            validate(bool, bad)


def test_lists_become_arrays_for_array_keys():
    """Lists and tuples become numeric arrays for ndarray keys; arrays pass unchanged."""
    out = validate(np.ndarray, [[1, 2], [3, 4]])
    assert isinstance(out, np.ndarray) and out.shape == (2, 2) and out.dtype.kind == "i"
    out = validate(np.ndarray, (0.5, 1.5))
    assert out.dtype == np.float64 and out.tolist() == [0.5, 1.5]
    assert validate(np.ndarray, [True, False]).dtype == bool
    arr = np.zeros(3)
    assert validate(np.ndarray, arr) is arr


@pytest.mark.parametrize("value", [[[1, 2], [3]], [1, None], [{}, 1], [[1], "a", 2.0]])
def test_ragged_and_object_lists_are_rejected_for_array_keys(value):
    """Ragged or object lists cannot become arrays: ConfigError, not a numpy error."""
    with pytest.raises(ConfigError, match=r"^M\.x: expected an array; got "):
        validate(np.ndarray, value)


def test_array_keys_reject_lists_of_str():
    """A list of str is not a numeric array (policy: lists become numeric arrays)."""
    with pytest.raises(ConfigError, match=r"^M\.x: expected an array; got \['a', 'b'\] \(list\)\.$"):
        validate(np.ndarray, ["a", "b"])


def test_part_array_key_with_str_list_names_part_and_key():
    """A neuron given str polarities reports Neuron.polarities, not a bare numpy ValueError."""
    with pytest.raises(ConfigError, match=r"Neuron\.polarities"):
        Neuron(
            n_neurons=2,
            magnitude=1.0,
            firing_threshold=1.0,
            potential_decay=0.1,
            refractory_period=0,
            polarities=["a", "b"],
        )


@pytest.mark.parametrize("type_", [float, int])
def test_huge_int_is_a_config_error_not_overflow(type_):
    """An int too large for a float is rejected with ConfigError (no OverflowError escapes)."""
    constraint = Interval(0, 10) if type_ is int else None
    with pytest.raises(ConfigError, match=r"^M\.x: expected "):
        validate(type_, 10**400, constraint=constraint)


@pytest.mark.parametrize("value", [math.inf, -math.inf, np.float64("inf"), [0.0, math.inf]])
def test_float_keys_reject_infinity_unless_allowed(value):
    """inf passes no float or float-array key unless the key declares allow_inf, and the
    error names the key and the value."""
    for type_ in (float, np.ndarray):
        if type_ is float and isinstance(value, list):
            continue
        given = value if type_ is float or isinstance(value, list) else [value]
        with pytest.raises(ConfigError, match=r"^M\.x: expected .*; got .*inf.* An infinite value is not valid"):
            validate(type_, given)
        assert np.all(Key("x", "X.", type_, allow_inf=True).validate(given) == np.asarray(given))


def test_learning_rate_inf_is_rejected_before_any_tick():
    """A network given learning_rate=inf is refused at construction, naming the key."""
    from conftest import SmallRL

    import spikey

    with pytest.raises(ConfigError, match=r"learning_rate: expected .*; got inf .* An infinite value"):
        SmallRL(learning_rate=math.inf)
    assert Key("x", "X.", float, allow_inf=True) == Key("x")
    assert spikey.module.Key("y", allow_inf=True).allow_inf


def test_none_only_when_default_is_none():
    """None is accepted only by keys whose default is None (or untyped keys)."""
    assert validate(float, None, default=None) is None
    assert validate(np.ndarray, None, default=None) is None
    assert Key("x", "X.").validate(None) is None
    for default in (REQUIRED, 1.0):
        with pytest.raises(ConfigError, match=r"^M\.x: expected a float; got None \(NoneType\)\.$"):
            validate(float, None, default=default)


def test_other_types():
    """str, list, dict, callable, class and tuple-of-types specs accept exactly their kinds."""
    assert validate(str, "a") == "a"
    assert validate(list, (1, 2)) == (1, 2)
    assert validate(dict, {"a": 1}) == {"a": 1}
    assert validate(callable, len) is len
    assert validate((float, str), "mean") == "mean"
    assert validate((float, str), 3) == 3.0
    assert validate(Leaky, Leaky(n=1)).get_params()["n"] == 1
    with pytest.raises(ConfigError, match=r"expected a callable; got 3 \(int\)"):
        validate(callable, 3)
    with pytest.raises(ConfigError, match=r"expected an instance of Leaky; got 'a' \(str\)"):
        validate(Leaky, "a")
    with pytest.raises(ConfigError, match=r"expected a float or a str; got \[\] \(list\)"):
        validate((float, str), [])
    with pytest.raises(ConfigError, match=r"expected a dict; got \[\] \(list\)"):
        validate(dict, [])


def test_int_default_of_float_key_is_stored_as_float():
    """A default follows the same coercion policy as a given value (int -> float)."""

    class Gain(Module):
        NECESSARY_KEYS = [Key("gain", "Gain.", float, default=1)]

    assert type(Gain()._gain) is float
    assert Gain().get_params() == Gain(**Gain().get_params()).get_params()
    assert type(Gain().get_params()["gain"]) is type(Gain(gain=1).get_params()["gain"])


# ---------------------------------------------------------------- constraints


@pytest.mark.parametrize(
    "interval, inside, outside",
    [
        (Interval(0, 1), [0, 0.5, 1], [-1e-9, 1.000001, math.nan, math.inf]),
        (Interval(0, 1, low_closed=False), [1e-12, 1], [0, -1]),
        (Interval(0, 1, high_closed=False), [0, 0.999], [1, 2]),
        (Interval(None, 0), [-math.inf, -5, 0], [1e-9]),
        (Interval(2, None, low_closed=False), [2.0001, math.inf], [2, 1]),
        (Interval(), [-1e300, 0, 1e300, math.inf], [math.nan]),
    ],
)
def test_interval_bounds(interval, inside, outside):
    """Interval includes closed bounds, excludes open ones and NaN."""
    for v in inside:
        assert interval.check(v), (interval, v)
    for v in outside:
        assert not interval.check(v), (interval, v)


def test_interval_descriptions():
    """Interval describes itself in the error-message form."""
    assert Interval(0, 1).describe() == "in [0, 1]"
    assert Interval(0, 1, low_closed=False, high_closed=False).describe() == "in (0, 1)"
    assert Interval(0.5, None).describe() == ">= 0.5"
    assert Interval(0, None, low_closed=False).describe() == "> 0"
    assert Interval(None, 5).describe() == "<= 5"
    assert Interval(None, 5, high_closed=False).describe() == "< 5"
    assert Interval().describe() == "any number"


def test_interval_on_arrays_is_elementwise():
    """An array key with an Interval checks every element (and rejects NaN)."""
    key = Key("w", "Weights.", np.ndarray, constraint=Interval(0, 1))
    assert key.validate([0.0, 0.5, 1.0]).tolist() == [0.0, 0.5, 1.0]
    assert key.validate(np.zeros(0)).size == 0
    for bad in ([0.5, 1.5], [np.nan], [[0.2], [-0.1]]):
        with pytest.raises(ConfigError, match=r"^M\.w: expected an array in \[0, 1\]; got "):
            key.validate(bad, owner="M")


def test_interval_does_not_apply_to_str_alternative():
    """A float-or-str key keeps its str alternative (e.g. 'mean') under an Interval."""
    key = Key("t", "Threshold.", (float, str), constraint=Interval(0, 1))
    assert key.validate("mean") == "mean"
    with pytest.raises(ConfigError, match=r"expected a float or a str in \[0, 1\]; got 2 \(int\)"):
        key.validate(2, owner="M")


def test_oneof():
    """OneOf accepts its choices only, with matching types (True is not 1)."""
    c = OneOf("a", "b", 1)
    assert c.check("a") and c.check(1)
    assert not c.check("c") and not c.check(True) and not c.check(1.5)
    assert c.describe() == "one of {'a', 'b', 1}"
    key = Key("mode", "Mode.", str, "a", constraint=OneOf("a", "b"))
    with pytest.raises(
        ConfigError, match=r"^M\.mode: expected a str one of \{'a', 'b'\}; got 'c' \(str\)\.$"
    ):
        key.validate("c", owner="M")


def test_predicate():
    """Predicate applies a function; one that raises counts as failed; its text is the expectation."""
    c = Predicate(lambda v: v % 2 == 0, "an even int")
    assert c.check(4) and not c.check(3) and not c.check("x")
    key = Key("k", "K.", int, constraint=c)
    assert key.validate(6) == 6
    with pytest.raises(ConfigError, match=r"^M\.k: expected an even int; got 3 \(int\)\.$"):
        key.validate(3, owner="M")


# ---------------------------------------------------------------- messages and errors


@pytest.mark.parametrize(
    "key, value, message",
    [
        (Leaky.NECESSARY_KEYS[0], -1, "Leaky.tau: expected a float > 0 [ms]; got -1 (int)."),
        (Leaky.NECESSARY_KEYS[0], True, "Leaky.tau: expected a float > 0 [ms]; got True (bool)."),
        (Leaky.NECESSARY_KEYS[0], "5", "Leaky.tau: expected a float > 0 [ms]; got '5' (str)."),
        (
            Leaky.NECESSARY_KEYS[0],
            np.float64(-2),
            "Leaky.tau: expected a float > 0 [ms]; got np.float64(-2.0) (float64).",
        ),
        (Leaky.NECESSARY_KEYS[2], 0, "Leaky.n: expected an int >= 1; got 0 (int)."),
        (Leaky.NECESSARY_KEYS[3], 3, "Leaky.weights: expected an array or None; got 3 (int)."),
        (
            Key("n", "N.", int),
            np.arange(10.0),
            "Leaky.n: expected an int; got array(shape=(10,), dtype=float64) (ndarray).",
        ),
    ],
)
def test_error_message_format(key, value, message):
    """Errors read 'Part.key: expected <what> [units]; got <value> (<type>).'"""
    with pytest.raises(ConfigError) as info:
        key.validate(value, owner="Leaky")
    assert str(info.value) == message


def test_error_raised_at_construction_names_part():
    """Construction reports the class name, key, value and expectation."""
    with pytest.raises(ConfigError, match=r"^Leaky\.tau: expected a float > 0 \[ms\]; got 0 \(int\)\.$"):
        Leaky(n=1, tau=0)


def test_describe_value_shortens():
    """Long reprs are cut, big arrays shown by shape and dtype."""
    assert describe_value("x" * 100).endswith("...") and len(describe_value("x" * 100)) == 60
    assert describe_value(np.zeros((3, 4))) == "array(shape=(3, 4), dtype=float64)"
    assert describe_value([1, 2]) == "[1, 2]"


def test_missing_key_error():
    """A missing required key raises MissingKeyError, also a KeyError, a ConfigError and a ValueError."""
    with pytest.raises(MissingKeyError) as info:
        Leaky()
    err = info.value
    assert isinstance(err, KeyError) and isinstance(err, ConfigError) and isinstance(err, ValueError)
    assert str(err) == "Leaky: missing required key 'n'. Leaky.n: expected an int >= 1 (Number of neurons.)."
    with pytest.raises(KeyError, match="missing required key 'n'"):
        Leaky(tau=3.0)


def test_missing_keys_are_all_named():
    """Several missing keys are named together."""

    class Two(Module):
        NECESSARY_KEYS = [Key("a", "A.", float), Key("b", "B.", int)]

    with pytest.raises(MissingKeyError, match=r"^Two: missing required keys 'a', 'b'\. Two\.a: .*; Two\.b: "):
        Two()


# ---------------------------------------------------------------- key declarations


def test_extend_keys_replaces_in_place_and_appends():
    """extend_keys keeps order, replaces same-named keys where they were, appends new ones."""
    keys = Leaky.extend_keys([Key("gain", "New gain.", float, 2.0), Key("extra", "Extra.", str, "x")])
    assert [k.name for k in keys] == ["tau", "gain", "n", "weights", "labels", "extra"]
    assert keys[1].description == "New gain." and keys[1].default == 2.0
    assert Leaky.NECESSARY_KEYS[1].description == "Gain." and len(Leaky.NECESSARY_KEYS) == 5
    assert keys is not Leaky.NECESSARY_KEYS


def test_extend_keys_accepts_legacy_dict_and_names():
    """extend_keys takes a {name: description} dict or plain names, as in the original Spikey."""
    keys = Leaky.extend_keys({"rate": "Firing rate."})
    assert keys[-1].name == "rate" and keys[-1].description == "Firing rate." and keys[-1].required
    assert Leaky.extend_keys(["tau"])[0].description == ""


def test_subclass_must_keep_parent_keys():
    """Redeclaring NECESSARY_KEYS without a parent key fails at class creation."""
    with pytest.raises(
        ConfigError,
        match=r"^Dropper\.NECESSARY_KEYS drops keys of Leaky: \['gain', 'n', 'weights', 'labels'\]; "
        r"build it with Leaky\.extend_keys\(\[\.\.\.\]\) to keep them\.$",
    ):

        class Dropper(Leaky):
            NECESSARY_KEYS = [Key("tau", "T.", float, 1.0)]


def test_subclass_default_must_be_valid():
    """An invalid default fails at class creation, naming the class and key."""
    with pytest.raises(
        ConfigError, match=r"^BadDefault \(default\)\.tau: expected a float > 0 \[ms\]; got -1\.0"
    ):

        class BadDefault(Leaky):
            NECESSARY_KEYS = Leaky.extend_keys(
                [Key("tau", "T.", float, -1.0, constraint=Interval(0, None, low_closed=False), units="ms")]
            )

    with pytest.raises(ConfigError, match=r"WrongType \(default\)\.k: expected an int; got 'x' \(str\)"):

        class WrongType(Module):
            NECESSARY_KEYS = [Key("k", "K.", int, "x")]


def test_duplicate_and_malformed_keys_are_rejected():
    """Duplicate names, non-Key entries, bad names and non-Constraint constraints are errors."""
    with pytest.raises(ConfigError, match=r"Dup\.NECESSARY_KEYS: duplicate keys \['a'\]"):

        class Dup(Module):
            NECESSARY_KEYS = [Key("a", "A."), Key("a", "A again.")]

    with pytest.raises(ConfigError, match=r"Odd\.NECESSARY_KEYS: expected Key objects or names; got 3"):

        class Odd(Module):
            NECESSARY_KEYS = [3]

    with pytest.raises(ConfigError, match=r"Key: expected an identifier as name; got '1x'"):
        Key("1x", "Bad.")
    with pytest.raises(ConfigError, match=r"Key 'k': expected a Constraint"):
        Key("k", "K.", float, constraint=lambda v: v > 0)


def test_subclass_without_keys_inherits():
    """A subclass that declares no keys has its parent's."""

    class Quiet(Leaky):
        pass

    assert Quiet.NECESSARY_KEYS is Leaky.NECESSARY_KEYS
    assert Quiet(n=2)._n == 2


def test_legacy_dict_and_name_list_keys():
    """NECESSARY_KEYS as {name: description} or names become required, untyped Keys."""

    class Legacy(Module):
        NECESSARY_KEYS = {"rate": "Firing rate.", "size": "Size."}

    assert all(isinstance(k, Key) for k in Legacy.NECESSARY_KEYS)
    assert [(k.name, k.description, k.required) for k in Legacy.NECESSARY_KEYS] == [
        ("rate", "Firing rate.", True),
        ("size", "Size.", True),
    ]
    obj = Legacy(rate="anything", size=None)
    assert obj._rate == "anything" and obj._size is None
    with pytest.raises(MissingKeyError, match="missing required key 'size'"):
        Legacy(rate=1)

    class Names(Module):
        NECESSARY_KEYS = ["a", Key("b", "B.", int, 1)]

    assert Names(a=1).get_params() == {"a": 1, "b": 1}


def test_key_equality_and_hashing():
    """Keys are equal by name, also to str, and hash like their name."""
    k = Key("tau", "T.", float, 1.0)
    assert k == "tau" and "tau" == k and k != "gain"
    assert k == Key("tau", "Other.", int) and k != Key("gain")
    assert hash(k) == hash("tau")
    assert "tau" in [k] and k in {"tau"} and "tau" in {k}
    assert {"tau": 1}[k] == 1
    assert (k == 3) is False and k != None  # noqa: E711
    assert "n_neurons" in Neuron.NECESSARY_KEYS


def test_key_is_frozen_and_copies_to_itself():
    """Keys cannot be changed; copies are the same object; pickle keeps every field."""
    k = Key("tau", "T.", float, 2.0, constraint=Interval(0, None), units="ms")
    with pytest.raises(AttributeError, match="Key is frozen"):
        k.default = 3.0
    with pytest.raises(AttributeError, match="Key is frozen"):
        del k.name
    assert copy.copy(k) is k and copy.deepcopy(k) is k
    back = pickle.loads(pickle.dumps(k))
    assert (back.name, back.description, back.type, back.default, back.units) == (
        "tau",
        "T.",
        float,
        2.0,
        "ms",
    )
    assert back.constraint.describe() == ">= 0"
    req = pickle.loads(pickle.dumps(Key("n", "N.", int)))
    assert req.default is REQUIRED and req.required
    assert copy.deepcopy(REQUIRED) is REQUIRED


def test_key_text():
    """str(Key) is the list_keys line; repr is short."""
    assert str(Leaky.NECESSARY_KEYS[0]) == '"tau": "[a float > 0 [ms], default=20.0] Membrane time constant."'
    assert str(Leaky.NECESSARY_KEYS[2]) == '"n": "[an int >= 1] Number of neurons."'
    assert repr(Leaky.NECESSARY_KEYS[0]) == "Key('tau', a float, default=20.0)"


# ---------------------------------------------------------------- Module


def test_module_stores_values_and_ignores_unknown_kwargs():
    """Keys are stored as self._<key>, coerced; unknown kwargs (shared configs) are ignored."""
    m = Leaky(n=np.int32(3), tau=5, unrelated="x")
    assert (m._n, m._tau, m._gain, m._weights) == (3, 5.0, 1.0, None)
    assert type(m._n) is int and type(m._tau) is float
    assert not hasattr(m, "_unrelated")


def test_mutable_defaults_are_copied():
    """Each instance gets its own copy of a mutable default."""
    a, b = Leaky(n=1), Leaky(n=1)
    a._labels.append("up")
    assert b._labels == ["left", "right"] and Leaky.NECESSARY_KEYS[4].default == ["left", "right"]


def test_get_and_set_params():
    """get_params has every key; set_params validates, coerces, returns self."""
    m = Leaky(n=2)
    assert m.get_params() == {"tau": 20.0, "gain": 1.0, "n": 2, "weights": None, "labels": ["left", "right"]}
    assert m.set_params(tau=3, weights=[1, 2]) is m
    assert m._tau == 3.0 and type(m._tau) is float
    assert m.get_params()["weights"].tolist() == [1, 2]
    assert Leaky.key_names() == ["tau", "gain", "n", "weights", "labels"]


def test_set_params_unknown_key_suggests():
    """An unknown key names the part, suggests the closest key and lists all keys."""
    m = Leaky(n=2)
    with pytest.raises(
        ConfigError,
        match=r"^Leaky: has no key 'tua' \(did you mean 'tau'\?\); "
        r"keys are \['gain', 'labels', 'n', 'tau', 'weights'\]\.$",
    ):
        m.set_params(tua=1.0)
    with pytest.raises(ConfigError, match=r"^Leaky: has no key 'zzz'; keys are "):
        m.set_params(zzz=1.0)


def test_set_params_is_all_or_nothing():
    """An invalid value in set_params leaves every key unchanged."""
    m = Leaky(n=2)
    with pytest.raises(ConfigError, match=r"Leaky\.tau: expected a float > 0"):
        m.set_params(gain=5.0, tau=-1.0)
    assert m._gain == 1.0 and m._tau == 20.0


def test_params_is_a_deep_copy():
    """Changing what params returned does not change the module."""
    m = Leaky(n=2, weights=[1.0, 2.0])
    p = m.params
    p["weights"][0] = 9.0
    p["labels"].append("x")
    assert m._weights.tolist() == [1.0, 2.0] and m._labels == ["left", "right"]


def test_list_keys_prints_and_returns(capsys):
    """list_keys prints one line per key, in the original Spikey format, and returns the keys."""
    keys = Leaky.list_keys()
    assert keys == Leaky.NECESSARY_KEYS and keys is not Leaky.NECESSARY_KEYS
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "{",
        '\t"tau": "[a float > 0 [ms], default=20.0] Membrane time constant.",',
        '\t"gain": "[a float, default=1.0] Gain.",',
        '\t"n": "[an int >= 1] Number of neurons.",',
        '\t"weights": "[an array or None, default=None] Optional weights.",',
        "\t\"labels\": \"[a list, default=['left', 'right']] Action labels.\",",
        "}",
    ]


def test_seed_and_generators():
    """seed gives the stream's generator; init_rng is separate and replays; copy copies state."""
    a, b = Leaky(n=1, seed=5), Leaky(n=1, seed=5)
    assert a.rng.random() == b.rng.random() == make_rng(5, "Leaky").random()
    assert a.init_rng().random() == a.init_rng().random() == make_rng(5, "Leaky/init").random()
    s = a.seed()
    assert isinstance(s, int) and a._seed == s
    assert a.seed(9) == 9 and a.rng.random() == make_rng(9, "Leaky").random()
    c = a.copy()
    assert c.rng is not a.rng and c.rng.random() == a.rng.random()

    class Streamed(Leaky):
        RNG_STREAM = "custom"

    assert Streamed(n=1, seed=5).rng.random() == make_rng(5, "custom").random()


# ---------------------------------------------------------------- properties (hypothesis)

bounds = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False))
reals = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**62), 2**62),
    st.floats(-1e6, 1e6).map(np.float64),
    st.integers(-(2**31), 2**31 - 1).map(np.int64),
)


@settings(deadline=None, max_examples=200)
@given(low=bounds, high=bounds, low_closed=st.booleans(), high_closed=st.booleans(), x=reals)
def test_interval_validate_accepts_iff_inside(low, high, low_closed, high_closed, x):
    """A float key with an Interval accepts x iff x lies inside, and then returns float(x)."""
    key = Key(
        "x", "X.", float, constraint=Interval(low, high, low_closed=low_closed, high_closed=high_closed)
    )
    xf = float(x)
    inside = not math.isnan(xf)
    if low is not None:
        inside &= xf >= low if low_closed else xf > low
    if high is not None:
        inside &= xf <= high if high_closed else xf < high
    if inside:
        out = key.validate(x)
        assert type(out) is float and out == xf
    else:
        with pytest.raises(ConfigError, match=r"^Module\.x: expected a float "):
            key.validate(x)


def _np_scalar(kind: str) -> st.SearchStrategy:
    if kind == "int":
        return st.sampled_from([np.int8, np.int16, np.int32, np.int64]).flatmap(
            lambda t: st.integers(np.iinfo(t).min, np.iinfo(t).max).map(t)
        )
    if kind == "uint":
        return st.sampled_from([np.uint8, np.uint32, np.uint64]).flatmap(
            lambda t: st.integers(0, np.iinfo(t).max).map(t)
        )
    return st.sampled_from([(16, np.float16), (32, np.float32), (64, np.float64)]).flatmap(
        lambda wt: st.floats(width=wt[0]).map(wt[1])
    )


any_value = st.one_of(
    st.booleans(),
    st.booleans().map(np.bool_),
    st.integers(-(2**70), 2**70),
    st.floats(),
    _np_scalar("int"),
    _np_scalar("uint"),
    _np_scalar("float"),
    st.complex_numbers(allow_nan=False),
    st.fractions(),
    st.text(max_size=3),
    st.none(),
    st.lists(st.integers(0, 3), max_size=3),
    st.tuples(st.floats(allow_nan=False)),
)


def _same_number(a, b) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(deadline=None, max_examples=200)
@given(value=any_value)
def test_number_keys_accept_exactly_the_documented_kinds(value):
    """float keys take ints/floats (Python or numpy) but no bool, no NaN and no infinity unless
    the key allows it; int keys ints only; bool keys bools only."""
    is_bool = isinstance(value, (bool, np.bool_))
    is_int = isinstance(value, (int, np.integer)) and not is_bool
    is_float = isinstance(value, (float, np.floating))
    cases = [(float, is_int or is_float, float), (int, is_int, int), (bool, is_bool, bool)]
    for type_, accepted, stored in cases:
        key = Key("x", "X.", type_)
        if accepted and is_float and math.isnan(value):
            with pytest.raises(
                ConfigError, match=r"^Module\.x: expected a float; got .*nan.* NaN is not a valid value"
            ):
                key.validate(value)
        elif accepted and is_float and math.isinf(value):
            with pytest.raises(ConfigError, match=r"An infinite value is not valid for this key"):
                key.validate(value)
            assert Key("x", "X.", type_, allow_inf=True).validate(value) == value
        elif accepted:
            out = key.validate(value)
            assert type(out) is stored
            assert _same_number(out, stored(value))
        else:
            with pytest.raises(ConfigError, match=rf"^Module\.x: expected an? {type_.__name__}; got "):
                key.validate(value)


valid_pairs = st.one_of(
    st.tuples(
        st.just(float),
        st.one_of(
            st.floats(allow_nan=False, allow_infinity=False),
            st.integers(-(2**60), 2**60),
            _np_scalar("float").filter(lambda x: np.isfinite(x)),
        ),
    ),
    st.tuples(st.just(int), st.one_of(st.integers(), _np_scalar("int"), _np_scalar("uint"))),
    st.tuples(st.just(bool), st.one_of(st.booleans(), st.booleans().map(np.bool_))),
    st.tuples(st.just(str), st.text(max_size=5)),
    st.tuples(st.just((float, str)), st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.just("mean"))),
    st.tuples(
        st.just(np.ndarray),
        st.one_of(
            st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=4),
            st.lists(st.lists(st.integers(-5, 5), min_size=2, max_size=2), max_size=3),
        ),
    ),
)


@settings(deadline=None, max_examples=200)
@given(pair=valid_pairs, low=st.one_of(st.none(), st.floats(-10, 10)))
def test_validated_value_revalidates_to_itself(pair, low):
    """Validation is idempotent: validate(validate(v)) equals validate(v), same type."""
    type_, value = pair
    constraint = Interval(low, None) if low is not None and type_ in (float, np.ndarray) else None
    key = Key("x", "X.", type_, constraint=constraint)
    try:
        once = key.validate(value)
    except ConfigError:
        assume(False)
    twice = key.validate(once)
    assert type(twice) is type(once)
    if isinstance(once, np.ndarray):
        assert twice.dtype == once.dtype and np.array_equal(twice, once)
    elif isinstance(once, float):
        assert _same_number(twice, once)
    else:
        assert twice == once
