"""Conformance suite for network parts: :func:`check_part`.

Like Gymnasium's ``check_env`` and scikit-learn's ``check_estimator``: give it a part
class and a small valid configuration and it runs every check of the part contract
(``DESIGN.md`` section 4), raising :class:`PartCheckError` with a message that names the
part, the check and what went wrong.

Checks can also be run one at a time (:func:`iter_checks`, :func:`run_check`,
:data:`CHECK_NAMES`), so a test suite can parametrize over ``(part, check)`` pairs.

=====================  ==============================================================
``keys_declared``      ``NECESSARY_KEYS`` are :class:`~spikey.module.Key` objects with
                       descriptions, known types and valid defaults, keeping the
                       family template's keys.
``construct``          the config uses only declared keys and constructs; every key is
                       stored as ``self._<key>``; mutable defaults are copied;
                       ``train()`` / ``eval()`` return the part.
``missing_keys``       each missing required key raises ``MissingKeyError`` (a
                       ``KeyError``) naming part and key; the defaults construct.
``invalid_values``     values the key policy rejects (:func:`invalid_values`) raise
                       ``ConfigError`` naming part, key and value, at construction and
                       in ``set_params`` (which then changes nothing).
``params_roundtrip``   ``get_params()`` -> rebuild -> same params and same outputs;
                       ``params`` is a copy.
``outputs``            stepping gives the family's documented shapes, dtypes and
                       bounds, no NaN (see the harness of each family).
``same_seed``          two parts with the same seed give identical outputs.
``reset_replays``      ``seed(s)`` + ``reset()`` replays a run exactly. State a part
                       keeps over ``reset()`` on purpose (weights of a synapse, names
                       listed in the part's ``LEARNED``) is restored first.
``state_dict_resume``  ``state_dict()`` mid-run, loaded into a fresh (not reset) part,
                       continues bit-identically, also after the original went on.
``copy_continues``     ``copy()`` mid-run: original and copy continue identically.
``pickle_continues``   the same for a pickle round trip.
``no_global_rng``      numpy's and Python's global random states are untouched, and
                       seeding them differently does not change the outputs.
=====================  ==============================================================

Each family is driven by deterministic inputs (drawn once from a private generator):
neurons get currents (``neurons()`` then ``neurons += currents``), inputs get
``update(state)`` every ``processing_time`` steps, weights ``weights * spikes``,
synapses random spikes (``propagate``, ``update`` while training) and a reward every
5 steps, readouts random spike trains, rewards ``(state, action[, state])``, and
modifiers ``update(network)`` on :func:`small_network`.

Examples
--------
>>> from spikey.snn.readout import TopAction
>>> from spikey.testing import check_part, iter_checks
>>> check_part(TopAction, {"n_outputs": 4, "n_actions": 2})
>>> [name for name, run in iter_checks(TopAction, {"n_outputs": 4, "n_actions": 2})][:3]
['keys_declared', 'construct', 'missing_keys']
"""

from __future__ import annotations

import builtins
import copy as _copy
import inspect
import math
import pickle
import random as _pyrandom
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from spikey.errors import ConfigError, MissingKeyError
from spikey.module import REQUIRED, Interval, Key, OneOf, Predicate, describe_value, suggest
from spikey.rng import make_rng

__all__ = [
    "PartCheckError",
    "PartCheck",
    "PartHarness",
    "CHECKS",
    "CHECK_NAMES",
    "FAMILIES",
    "check_part",
    "iter_checks",
    "run_check",
    "infer_family",
    "make_harness",
    "small_network",
    "invalid_values",
]

#: Seed of the parts built by the checks (a second seed is used where two must differ).
SEED = 1234
#: Seed of the generator that makes the checks' driving inputs (currents, spikes, ...).
DRIVE_SEED = 98765
#: Keys a check configuration may hold besides the part's own keys.
HARNESS_KEYS = frozenset({"seed", "state", "action", "processing_time"})


class PartCheckError(AssertionError):
    """A part failed a conformance check.

    Attributes
    ----------
    part : str
        Name of the part class.
    check : str
        Name of the failed check.
    detail : str
        What went wrong.
    """

    def __init__(self, part: str, check: str, detail: str):
        self.part, self.check, self.detail = part, check, detail
        super().__init__(f"{part}: check {check!r} failed: {detail}")


# --------------------------------------------------------------------------- families


def _templates() -> dict[str, type]:
    from spikey.snn.input import Input
    from spikey.snn.modifier import Modifier
    from spikey.snn.neuron import NeuronBase
    from spikey.snn.readout import Readout
    from spikey.snn.reward import Reward
    from spikey.snn.synapse import Synapse
    from spikey.snn.weight import Weight

    return {
        "neuron": NeuronBase,
        "input": Input,
        "weight": Weight,
        "synapse": Synapse,
        "readout": Readout,
        "reward": Reward,
        "modifier": Modifier,
    }


#: Family names accepted by ``family=`` (plural and slot spellings are accepted too).
FAMILIES = ("neuron", "input", "weight", "synapse", "readout", "reward", "modifier")
_FAMILY_ALIASES = {
    "neurons": "neuron",
    "inputs": "input",
    "weights": "weight",
    "synapses": "synapse",
    "rewarder": "reward",
    "rewards": "reward",
    "readouts": "readout",
    "modifiers": "modifier",
}


def infer_family(part_class: type) -> str:
    """The family (``'neuron'``, ``'synapse'``, ...) of a part class, from its template.

    Raises
    ------
    PartCheckError
        When the class derives from no part template.
    """
    for name, template in _templates().items():
        if isinstance(part_class, type) and issubclass(part_class, template):
            return name
    name = getattr(part_class, "__name__", repr(part_class))
    raise PartCheckError(
        name,
        "family",
        f"derives from no part template ({', '.join(t.__name__ for t in _templates().values())}); "
        f"pass family= explicitly.",
    )


def _family(part_class: type, family: str | None) -> str:
    if family is None:
        return infer_family(part_class)
    fam = _FAMILY_ALIASES.get(family, family)
    if fam not in FAMILIES:
        raise PartCheckError(
            getattr(part_class, "__name__", repr(part_class)),
            "family",
            f"unknown family {family!r}{suggest(family, FAMILIES)}; families are {list(FAMILIES)}.",
        )
    return fam


# --------------------------------------------------------------------------- comparison


def _same(a: Any, b: Any) -> bool:
    """Exact equality: same types, arrays bit-identical (NaN equal to NaN)."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (float, np.floating)) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return bool(a == b)
    except Exception:  # objects whose == is not a truth value
        return False


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= 8:
            return f"array({value.tolist()}, dtype={value.dtype})"
        return f"array(shape={value.shape}, dtype={value.dtype})"
    if isinstance(value, (list, tuple)) and len(value) <= 4:
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return describe_value(value)


def _first_difference(a: list, b: list, offset: int = 0) -> str | None:
    """Where two runs first differ, or None when identical."""
    if len(a) != len(b):
        return f"runs have {len(a)} and {len(b)} steps"
    for t, (x, y) in enumerate(zip(a, b)):
        if not _same(x, y):
            return f"step {t + offset} differs: {_show(x)} != {_show(y)}"
    return None


# --------------------------------------------------------------------------- invalid values


class _Opaque:
    """A value no typed key accepts."""

    def __repr__(self) -> str:
        return "_Opaque()"


def _type_tuple(spec: Any) -> tuple:
    return spec if isinstance(spec, tuple) else (spec,)


def _accepts_anything(types: tuple) -> bool:
    return any(t is builtins.any or t is None or t is object for t in types)


def invalid_values(key: Key) -> list[tuple[Any, str]]:
    """Values that the documented key policy says ``key`` must reject, with reasons.

    Derived from the key's type and constraint, independently of :meth:`Key.validate`:
    an object of an unknown class for any typed key, a str or a bool for a number, a
    float for an int, ``None`` when the default is not ``None``, and values outside an
    :class:`~spikey.module.Interval` (plus ``nan``). :class:`~spikey.module.OneOf` and
    :class:`~spikey.module.Predicate` keys add probes that the constraint rejects.

    Parameters
    ----------
    key : Key
        The key.

    Returns
    -------
    list of (value, reason)
    """
    types = _type_tuple(key.type)
    out: list[tuple[Any, str]] = []
    if _accepts_anything(types):
        types = ()
    classes = [t for t in types if isinstance(t, type)]
    numeric = float in types or int in types
    if types:
        if not any(isinstance(_Opaque(), t) for t in classes):
            out.append((_Opaque(), "an object of an unrelated class"))
        if numeric and str not in types:
            out.append(("not-a-number", "a str for a number"))
        if numeric and bool not in types:
            out.append((True, "a bool for a number"))
        if int in types and float not in types and bool not in types:
            out.append((1.5, "a float for an int"))
        if types == (bool,):
            out.append((1, "an int for a bool"))
        if key.default is not None and type(None) not in types:
            out.append((None, "None for a key whose default is not None"))
        if np.ndarray in types and not ({list, tuple} & set(types)):
            out.append(([[1.0, 2.0], [3.0]], "a ragged list for an array"))
            out.append((["a", "b"], "a list of str for a (numeric) array"))
    c = key.constraint
    if isinstance(c, Interval) and (numeric or np.ndarray in types or not types):
        kind = float if float in types or not types else int
        wrap = (lambda v: np.array([v])) if not numeric and types else (lambda v: v)
        if c.low is not None:
            below = c.low - 1 if kind is float else math.floor(c.low) - 1
            out.append((wrap(kind(below)), f"below the interval {c.describe()}"))
            if not c.low_closed and (kind is float or float(c.low).is_integer()):
                out.append((wrap(kind(c.low)), f"on the open bound of {c.describe()}"))
            if kind is float:
                out.append((wrap(-math.inf), f"-inf outside {c.describe()}"))
        if c.high is not None:
            above = c.high + 1 if kind is float else math.ceil(c.high) + 1
            out.append((wrap(kind(above)), f"above the interval {c.describe()}"))
            if not c.high_closed and (kind is float or float(c.high).is_integer()):
                out.append((wrap(kind(c.high)), f"on the open bound of {c.describe()}"))
            if kind is float:
                out.append((wrap(math.inf), f"inf outside {c.describe()}"))
        if kind is float and (c.low is not None or c.high is not None):
            out.append((wrap(math.nan), f"nan outside {c.describe()}"))
    elif isinstance(c, (OneOf, Predicate)):
        probes: list[Any] = ["__not_a_choice__", -1, -1.0, 0, 0.5, 10**6, [], ()]
        for probe in probes:
            try:
                key.validate(probe, owner="probe")
            except ConfigError:
                if isinstance(c, OneOf) or not c.check(probe):
                    out.append((probe, f"violates {c.describe()}"))
    # drop duplicates (same repr and type), keep order
    seen: set[tuple[str, str]] = set()
    unique = []
    for value, reason in out:
        tag = (type(value).__name__, repr(value))
        if tag not in seen:
            seen.add(tag)
            unique.append((value, reason))
    return unique


# --------------------------------------------------------------------------- harness


def _parity(state: Any) -> int:
    """Expected action of the default test network: parity of the state."""
    return int(np.sum(state)) % 2


def small_network(seed: int = 0, modifiers: list | None = None) -> Any:
    """A tiny RLNetwork used to exercise modifiers.

    Its parts are ``RateMap`` (2 inputs), ``Neuron`` (4), ``Random`` weights, ``LTP``
    synapses, a ``Threshold`` readout and a ``MatchExpected`` rewarder; states are pairs
    of 0/1 such as ``(1, 0)``.
    """
    from spikey.snn.input import RateMap
    from spikey.snn.network import RLNetwork
    from spikey.snn.neuron import Neuron
    from spikey.snn.readout import Threshold
    from spikey.snn.reward import MatchExpected
    from spikey.snn.synapse import LTP
    from spikey.snn.weight import Random

    return RLNetwork(
        strict=True,
        inputs=RateMap,
        neurons=Neuron,
        weights=Random,
        synapses=LTP,
        readout=Threshold,
        rewarder=MatchExpected,
        modifiers=modifiers,
        n_inputs=2,
        n_outputs=1,
        n_neurons=4,
        processing_time=5,
        magnitude=1.0,
        firing_threshold=1.0,
        potential_decay=0.1,
        refractory_period=1,
        prob_rand_fire=0.05,
        state_rate_map=[0.0, 0.5],
        action_threshold=0.1,
        learning_rate=0.01,
        expected_value=_parity,
        seed=seed,
    )


class PartHarness:
    """Builds and drives one part class for the checks (one subclass per family).

    Parameters
    ----------
    part_class : type
        The part class.
    config : mapping
        A valid configuration. ``state``, ``action``, ``seed`` and ``processing_time``
        entries that are not keys of the part configure the harness instead.
    n_steps : int
        Steps per run; runs are split at ``n_steps // 2`` to test continuation.
    family : str
        The part family.
    weights : Weight class or instance, optional
        Weights for a synapse; built from ``config`` when not given.
    state, action : object, optional
        Game state (inputs, rewards, modifiers' network) and action (rewards).
    network : callable, optional
        ``network(seed=..., modifiers=[...]) -> Network`` for modifiers; default
        :func:`small_network`.
    """

    family = "part"

    def __init__(
        self,
        part_class: type,
        config: Mapping[str, Any],
        *,
        n_steps: int,
        family: str,
        weights: Any = None,
        state: Any = None,
        action: Any = None,
        network: Callable[..., Any] | None = None,
    ):
        self.part_class = part_class
        self.name = getattr(part_class, "__name__", repr(part_class))
        self.family = family
        self.n_steps = max(int(n_steps), 4)
        self.split = self.n_steps // 2
        config = dict(config)
        own = set(self.key_names())
        extras = {k: config.pop(k) for k in list(config) if k in HARNESS_KEYS and k not in own}
        self.config = config
        self.seed = int(extras.get("seed", SEED))
        self.state = state if state is not None else extras.get("state")
        self.action = action if action is not None else extras.get("action")
        self.processing_time = int(extras.get("processing_time", 20))
        self.weights = weights
        self.network_factory = network
        self._drive_cache: list[Any] = []
        self._drive_rng = make_rng(DRIVE_SEED, f"spikey.testing/{family}")

    # ------------------------------------------------------------------ helpers
    def fail(self, check: str, detail: str) -> PartCheckError:
        """The error to raise for a failed ``check``."""
        return PartCheckError(self.name, check, detail)

    def keys(self) -> list[Key]:
        """The part's declared keys."""
        return list(getattr(self.part_class, "NECESSARY_KEYS", []))

    def key_names(self) -> list[str]:
        return [k.name if isinstance(k, Key) else str(k) for k in self.keys()]

    def claimed_keys(self) -> set[str]:
        """Config keys used by the harness (the part's, plus helpers' such as weights)."""
        return set(self.key_names()) | HARNESS_KEYS

    # ------------------------------------------------------------------ building
    def construct(self, config: Mapping[str, Any], seed: int | None = None) -> Any:
        """Call the part class with ``config`` (and ``seed``); errors propagate."""
        kwargs = dict(config)
        kwargs["seed"] = self.seed if seed is None else seed
        return self.part_class(**kwargs)

    def build(self, seed: int | None = None) -> Any:
        """A new part from the harness configuration."""
        return self.construct(self.config, seed)

    def rebuild(self, part: Any, params: Mapping[str, Any], seed: int | None = None) -> Any:
        """A new part from ``params`` (e.g. ``part.get_params()``)."""
        return self.construct(params, seed)

    #: Whether stepping needs a game state (inputs, rewards).
    needs_state: bool = False

    def start(self, part: Any) -> None:
        """Prepare a freshly built part for stepping."""
        part.reset()
        if self.needs_state and self.state is None:
            raise AssertionError(f"{self.family}s need a game state: give state= (or a 'state' config entry)")

    def drive(self, t: int) -> Any:
        """The driving input of step ``t`` (same for every run)."""
        while len(self._drive_cache) <= t:
            self._drive_cache.append(self._make_drive(len(self._drive_cache)))
        return self._drive_cache[t]

    def _make_drive(self, t: int) -> Any:
        return None

    def step(self, part: Any, t: int) -> Any:
        """Advance ``part`` one step; return a record of what it produced."""
        raise NotImplementedError

    def run(self, part: Any, start: int, stop: int, check: bool = False) -> list:
        """Records of steps ``start`` to ``stop - 1``; with ``check``, validate each."""
        out = []
        for t in range(start, stop):
            rec = self.step(part, t)
            if check:
                self.check_record(part, t, rec)
            out.append(rec)
        return out

    def check_static(self, part: Any) -> None:
        """Family checks on a freshly started part (shapes of fixed attributes)."""

    def check_record(self, part: Any, t: int, record: Any) -> None:
        """Family checks of one step's output; raise AssertionError with a message."""

    def get_state(self, part: Any) -> Any:
        """Everything needed to continue ``part`` (its ``state_dict``)."""
        return part.state_dict()

    def set_state(self, part: Any, state: Any) -> None:
        part.load_state_dict(state)

    def external_state(self, part: Any) -> Any:
        """State that the part uses but does not own (e.g. a synapse's weights)."""
        return None

    def restore_external(self, part: Any, state: Any) -> None:
        pass


def _require(condition: Any, message: str) -> None:
    """Raise AssertionError(message) unless ``condition`` (works under ``python -O``)."""
    if not condition:
        raise AssertionError(message)


def _is_float_array(x: Any) -> bool:
    return isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating)


def _expect_spikes(where: str, out: Any, n: int, magnitude: float | None, polarities: Any) -> None:
    _require(isinstance(out, np.ndarray), f"{where}: expected an ndarray; got {type(out).__name__}")
    _require(out.shape == (n,), f"{where}: expected shape ({n},); got {out.shape}")
    _require(_is_float_array(out), f"{where}: expected a float array; got dtype {out.dtype}")
    _require(np.isfinite(out).all(), f"{where}: non-finite values {_show(out)}")
    if magnitude is not None and polarities is not None:
        on = out != 0
        want = magnitude * np.asarray(polarities, dtype=float)
        _require(
            np.array_equal(out[on], want[on]),
            f"{where}: spikes must be magnitude * polarity ({magnitude:g} * +-1) or 0; got {_show(out)}",
        )


def _expect_polarities(where: str, pol: Any, n: int) -> None:
    _require(pol is not None, f"{where}: has no polarities")
    arr = np.asarray(pol)
    _require(arr.shape == (n,), f"{where}: polarities must have shape ({n},); got {arr.shape}")
    _require(np.isin(arr, (-1.0, 1.0)).all(), f"{where}: polarities must be +1 or -1; got {_show(arr)}")


class _NeuronHarness(PartHarness):
    family = "neuron"

    def _make_drive(self, t: int) -> np.ndarray:
        cfg = self.config
        n = int(cfg.get("n_neurons", 1))
        gap = abs(float(cfg.get("firing_threshold", 1.0)) - float(cfg.get("resting_mv", 0.0))) or 1.0
        return self._drive_rng.exponential(0.35 * gap, n) * (self._drive_rng.random(n) < 0.7)

    def check_static(self, part: Any) -> None:
        _expect_polarities(self.name, getattr(part, "polarities", None), part._n_neurons)

    def step(self, part: Any, t: int) -> Any:
        out = part()
        spikes = np.array(out, copy=True)
        alias = part
        alias += self.drive(t)
        _require(alias is part, "`neurons += currents` must return the neuron part itself")
        pot = getattr(part, "potentials", None)
        return (spikes, None if pot is None else np.array(pot, copy=True))

    def check_record(self, part: Any, t: int, record: Any) -> None:
        spikes, pot = record
        _expect_spikes(
            f"neurons() at step {t}",
            spikes,
            part._n_neurons,
            getattr(part, "_magnitude", None),
            part.polarities,
        )
        if pot is not None:
            _require(np.isfinite(pot).all(), f"potentials at step {t}: non-finite {_show(pot)}")


class _InputHarness(PartHarness):
    family = "input"
    needs_state = True

    def step(self, part: Any, t: int) -> Any:
        if t % self.processing_time == 0:
            part.update(self.state)
        return np.array(part(), copy=True)

    def check_static(self, part: Any) -> None:
        _expect_polarities(self.name, getattr(part, "polarities", None), part._n_inputs)

    def check_record(self, part: Any, t: int, record: Any) -> None:
        _expect_spikes(
            f"inputs() at step {t}",
            record,
            part._n_inputs,
            getattr(part, "_magnitude", None),
            part.polarities,
        )


class _WeightHarness(PartHarness):
    family = "weight"

    def _make_drive(self, t: int) -> np.ndarray:
        n_pre = int(self.config.get("n_inputs", 0)) + int(self.config.get("n_neurons", 1))
        return (self._drive_rng.random(n_pre) < 0.3).astype(float)

    def step(self, part: Any, t: int) -> Any:
        return (np.array(part * self.drive(t), copy=True), np.array(part.matrix, copy=True))

    def check_static(self, part: Any) -> None:
        _check_matrix(self.name, part)

    def check_record(self, part: Any, t: int, record: Any) -> None:
        cur, _ = record
        n = part._n_neurons
        _require(
            isinstance(cur, np.ndarray) and cur.shape == (n,),
            f"weights * spikes at step {t}: expected shape ({n},); got {np.shape(cur)}",
        )
        _require(np.isfinite(cur).all(), f"weights * spikes at step {t}: non-finite {_show(cur)}")


def _check_matrix(where: str, w: Any, mask0: np.ndarray | None = None) -> None:
    n_pre, n = w._n_inputs + w._n_neurons, w._n_neurons
    m, mask = w.matrix, w.mask
    _require(
        isinstance(m, np.ndarray) and not isinstance(m, np.ma.MaskedArray),
        f"{where}: matrix must be a plain ndarray (connectivity goes in .mask); got {type(m).__name__}",
    )
    _require(m.shape == (n_pre, n), f"{where}: matrix must have shape ({n_pre}, {n}); got {m.shape}")
    _require(m.dtype == np.float64, f"{where}: matrix must be float64; got {m.dtype}")
    _require(
        isinstance(mask, np.ndarray) and mask.dtype == bool and mask.shape == m.shape,
        f"{where}: mask must be a bool array of shape {m.shape}; got {type(mask).__name__} "
        f"{getattr(mask, 'dtype', None)} {np.shape(mask)}",
    )
    _require(np.isfinite(m).all(), f"{where}: matrix has non-finite values")
    lo, hi = float(m.min(initial=0.0)), float(m.max(initial=0.0))
    _require(
        lo >= 0.0 and hi <= w.max_weight,
        f"{where}: weights must be in [0, {w.max_weight:g}]; got [{lo:g}, {hi:g}]",
    )
    outside = (m != 0) & ~mask
    _require(not outside.any(), f"{where}: {int(outside.sum())} non-zero weights outside the mask")
    if mask0 is not None:
        _require(np.array_equal(mask, mask0), f"{where}: the connectivity mask changed")


class _SynapseHarness(PartHarness):
    family = "synapse"
    REWARD_EVERY = 5

    def claimed_keys(self) -> set[str]:
        return super().claimed_keys() | {k.name for k in self._weight_class().NECESSARY_KEYS}

    def _weight_class(self) -> type:
        from spikey.snn.weight import Manual, Random

        w = self.weights
        if isinstance(w, type):
            return w
        if w is not None:
            return type(w)
        return Manual if "matrix" in self.config else Random

    def make_weights(self) -> Any:
        """A new weight part (the same every time)."""
        w = self.weights
        if w is not None and not isinstance(w, type):
            return _copy.deepcopy(w)
        return self._weight_class()(**{**self.config, "seed": self.seed})

    def construct(self, config: Mapping[str, Any], seed: int | None = None) -> Any:
        return self.part_class(self.make_weights(), **{**config, "seed": self.seed if seed is None else seed})

    def _make_drive(self, t: int) -> tuple:
        n_pre = int(self.config.get("n_inputs", 0)) + int(self.config.get("n_neurons", 1))
        if not hasattr(self, "_pol"):
            self._pol = np.where(self._drive_rng.random(n_pre) < 0.25, -1.0, 1.0)
        fired = self._drive_rng.random(n_pre) < 0.25
        rwd = float(self._drive_rng.choice([-1.0, 0.5, 1.0]))
        return fired, rwd

    def start(self, part: Any) -> None:
        part.reset()
        self.drive(0)

    def step(self, part: Any, t: int) -> Any:
        fired, rwd = self.drive(t)
        if t % self.REWARD_EVERY == 0:  # a reward first: also right after a restore
            part.reward(rwd)
        spikes = fired * self._pol
        given = spikes.copy()
        cur = part.propagate(spikes)
        _require(np.array_equal(spikes, given), "propagate() changed the spikes it was given")
        if part.training:
            part.update(fired, self._pol)
        return (np.array(cur, copy=True), np.array(part.weights.matrix, copy=True))

    def check_static(self, part: Any) -> None:
        self._mask0 = np.array(part.weights.mask, copy=True)
        _check_matrix(f"{self.name}.weights", part.weights)

    def check_record(self, part: Any, t: int, record: Any) -> None:
        cur, _ = record
        n = part._n_neurons
        _require(
            isinstance(cur, np.ndarray) and cur.shape == (n,),
            f"propagate() at step {t}: expected shape ({n},); got {np.shape(cur)}",
        )
        _require(
            _is_float_array(cur) and np.isfinite(cur).all(),
            f"propagate() at step {t}: expected finite floats; got {_show(cur)}",
        )
        _check_matrix(f"weights after update/reward at step {t}", part.weights, self._mask0)

    def get_state(self, part: Any) -> Any:
        return {"part": part.state_dict(), "weights": part.weights.state_dict()}

    def set_state(self, part: Any, state: Any) -> None:
        part.weights.load_state_dict(state["weights"])
        part.load_state_dict(state["part"])

    def external_state(self, part: Any) -> Any:
        return part.weights.state_dict()

    def restore_external(self, part: Any, state: Any) -> None:
        part.weights.load_state_dict(state)


class _ReadoutHarness(PartHarness):
    family = "readout"

    def _make_drive(self, t: int) -> np.ndarray:
        n_out = int(self.config.get("n_outputs", 1))
        p = (0.0, 0.02, 0.1, 0.3, 0.6)[t % 5]
        return self._drive_rng.random((self.processing_time, n_out)) < p

    def step(self, part: Any, t: int) -> Any:
        train = self.drive(t)
        given = train.copy()
        action = part(given)
        _require(np.array_equal(given, train), "the readout changed the spike train it was given")
        return _copy.deepcopy(action)

    def check_record(self, part: Any, t: int, record: Any) -> None:
        _require(record is not None, f"readout at step {t} returned None")
        arr = np.asarray(record)
        if arr.dtype.kind in "biufc":
            _require(np.isfinite(arr).all(), f"readout at step {t}: non-finite action {_show(record)}")


class _RewardHarness(PartHarness):
    family = "reward"
    needs_state = True

    def step(self, part: Any, t: int) -> Any:
        action = 0 if self.action is None else self.action
        if "env_reward" in inspect.signature(part.__call__).parameters:
            # rewarders of the environment's own reward (EnvReward) take it as env_reward
            return part(self.state, action, self.state, env_reward=float(t % 5) - 2.0)
        if t % 3 == 2:
            return part(self.state, action, self.state)
        return part(self.state, action)

    def check_record(self, part: Any, t: int, record: Any) -> None:
        _require(
            isinstance(record, (float, np.floating)) and not isinstance(record, bool),
            f"reward at step {t}: expected a float; got {describe_value(record)} ({type(record).__name__})",
        )
        _require(math.isfinite(record), f"reward at step {t}: not finite ({record!r})")


class _ModifierHarness(PartHarness):
    family = "modifier"
    DEFAULT_STATE = (1, 0)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._network = None

    def network(self, modifiers: list | None = None) -> Any:
        """A new test network (``modifiers`` included)."""
        factory = self.network_factory or small_network
        return factory(seed=self.seed, modifiers=modifiers)

    @property
    def shared_network(self) -> Any:
        if self._network is None:
            self._network = self.network()
        return self._network

    def start(self, part: Any) -> None:
        part.reset()
        part.attach(self.shared_network)

    def _target(self, part: Any) -> tuple[str, str]:
        target = getattr(part, "_target", None)
        if target is None:
            part.attach(self.shared_network)
            target = part._target
        return target

    def step(self, part: Any, t: int) -> Any:
        net = self.shared_network
        part.update(net)
        slot, key = self._target(part)
        value = getattr(getattr(net, slot), "_" + key)
        return (getattr(part, "time", None), _copy.deepcopy(value))

    def check_record(self, part: Any, t: int, record: Any) -> None:
        time, value = record
        if time is not None:
            _require(time == t + 1, f"after update {t + 1} of the schedule, time is {time}")
        if hasattr(part, "value"):
            slot, key = self._target(part)
            target = getattr(self.shared_network, slot)
            k = {k.name: k for k in target.NECESSARY_KEYS}[key]
            want = k.validate(part.value(t), owner=type(target).__name__)
            _require(
                _same(value, want),
                f"after update at step {t}, {slot}.{key} is {value!r}; value({t}) is {want!r}",
            )

    def check_static(self, part: Any) -> None:
        # inside a network: attached at construction, applied by tick() while training only
        state = self.state if self.state is not None else self.DEFAULT_STATE
        net = self.network(modifiers=[part.copy()])
        mod = net.modifiers[0]
        slot, key = self._target(mod)
        net.train()
        net.reset()
        net.tick(state)
        got = getattr(getattr(net, slot), "_" + key)
        if hasattr(mod, "value"):
            k = {k.name: k for k in getattr(net, slot).NECESSARY_KEYS}[key]
            want = k.validate(mod.value(0), owner=slot)
            _require(
                _same(got, want),
                f"after network.tick(), {slot}.{key} is {got!r}; expected value(0) = {want!r}",
            )
        net.eval()
        before = _copy.deepcopy(getattr(getattr(net, slot), "_" + key))
        time = getattr(mod, "time", None)
        net.tick(state)
        _require(
            getattr(mod, "time", None) == time, "the modifier advanced while the network was in eval mode"
        )
        _require(
            _same(getattr(getattr(net, slot), "_" + key), before),
            "the modifier changed its target in eval mode",
        )


_HARNESSES: dict[str, type[PartHarness]] = {
    "neuron": _NeuronHarness,
    "input": _InputHarness,
    "weight": _WeightHarness,
    "synapse": _SynapseHarness,
    "readout": _ReadoutHarness,
    "reward": _RewardHarness,
    "modifier": _ModifierHarness,
}


def make_harness(
    part_class: type,
    config: Mapping[str, Any],
    *,
    n_steps: int = 50,
    family: str | None = None,
    weights: Any = None,
    state: Any = None,
    action: Any = None,
    network: Callable[..., Any] | None = None,
) -> PartHarness:
    """The :class:`PartHarness` for ``part_class`` (family inferred from its template)."""
    fam = _family(part_class, family)
    return _HARNESSES[fam](
        part_class,
        config,
        n_steps=n_steps,
        family=fam,
        weights=weights,
        state=state,
        action=action,
        network=network,
    )


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class PartCheck:
    """One named conformance check.

    Attributes
    ----------
    name : str
        Short name, used in messages and test ids.
    description : str
        The property checked.
    fn : callable
        ``fn(harness)``; raises :class:`PartCheckError` (or AssertionError) on failure.
    """

    name: str
    description: str
    fn: Callable[[PartHarness], None]


def _check_keys_declared(h: PartHarness) -> None:
    c = "keys_declared"
    keys = getattr(h.part_class, "NECESSARY_KEYS", None)
    if not isinstance(keys, (list, tuple)):
        raise h.fail(c, f"NECESSARY_KEYS must be a list of Key; got {type(keys).__name__}")
    names = []
    for k in keys:
        if not isinstance(k, Key):
            raise h.fail(
                c, f"NECESSARY_KEYS entry {k!r} is not a Key; declare Key(name, description, type, default)"
            )
        if not isinstance(k.description, str) or not k.description.strip():
            raise h.fail(
                c, f"key {k.name!r} has no description; declare Key({k.name!r}, '<what it does>', ...)"
            )
        for t in _type_tuple(k.type):
            if not (t is builtins.any or t is None or t is callable or isinstance(t, type)):
                raise h.fail(
                    c, f"key {k.name!r} has type {t!r}; expected a class, callable, any or a tuple of them"
                )
        if k.default is not REQUIRED and k.default is not None:
            try:
                k.validate(_copy.deepcopy(k.default), owner=h.name)
            except ConfigError as e:
                raise h.fail(c, f"default of key {k.name!r} is invalid: {e}") from e
        names.append(k.name)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise h.fail(c, f"duplicate keys {dup}")
    template = _templates()[h.family]
    missing = [k.name for k in template.NECESSARY_KEYS if k.name not in names]
    if missing:
        raise h.fail(
            c,
            f"drops keys {missing} of the {template.__name__} template; use {template.__name__}.extend_keys([...])",
        )


def _check_construct(h: PartHarness) -> None:
    c = "construct"
    unknown = sorted(set(h.config) - h.claimed_keys())
    if unknown:
        hints = "".join(suggest(k, h.claimed_keys()) for k in unknown)
        raise h.fail(c, f"config keys {unknown} are not keys of {h.name}{hints}; typo?")
    given = _copy.deepcopy(h.config)
    try:
        part = h.build()
    except Exception as e:
        raise h.fail(c, f"construction with the config raised {type(e).__name__}: {e}") from e
    if not _same(h.config, given):
        raise h.fail(c, "construction changed the config it was given")
    for k in h.keys():
        if not hasattr(part, "_" + k.name):
            raise h.fail(c, f"key {k.name!r} is not stored as self._{k.name}")
        value = getattr(part, "_" + k.name)
        if k.name not in h.config and isinstance(k.default, (list, dict, np.ndarray)) and value is k.default:
            raise h.fail(c, f"key {k.name!r} shares its mutable default with the class; copy it")
    params = part.get_params()
    if sorted(params) != sorted(h.key_names()):
        raise h.fail(
            c, f"get_params() keys {sorted(params)} differ from the declared keys {sorted(h.key_names())}"
        )
    if getattr(part, "rng", None) is None or not isinstance(part.rng, np.random.Generator):
        raise h.fail(c, "has no numpy Generator self.rng after construction")
    args = tuple(getattr(h.part_class, "ARGS", ()) or ())
    if h.family == "modifier" and args:
        unknown_args = [a for a in args if a not in h.key_names()]
        if unknown_args:
            raise h.fail(c, f"ARGS names {unknown_args} that are not declared keys")
        if all(a in h.config for a in args):
            rest = {n: v for n, v in h.config.items() if n not in args}
            try:
                positional = h.part_class(*[h.config[a] for a in args], **rest, seed=h.seed)
            except Exception as e:
                raise h.fail(c, f"positional construction {args} raised {type(e).__name__}: {e}") from e
            if not _same(positional.get_params(), params):
                raise h.fail(c, f"positional construction {args} gives other params than keywords")
    if part.train() is not part or part.training is not True:
        raise h.fail(c, "train() must return self and set training = True")
    if part.eval() is not part or part.training is not False:
        raise h.fail(c, "eval() must return self and set training = False")
    if part.train(True) is not part or part.training is not True:
        raise h.fail(c, "train(True) must return self and set training = True")


def _check_missing_keys(h: PartHarness) -> None:
    c = "missing_keys"
    required = [k for k in h.keys() if k.required]
    for k in required:
        cfg = {n: v for n, v in h.config.items() if n != k.name}
        try:
            h.construct(cfg)
        except MissingKeyError as e:
            msg = str(e)
            if not isinstance(e, KeyError):
                raise h.fail(c, "MissingKeyError must also be a KeyError") from e
            if h.name not in msg or (repr(k.name) not in msg and f".{k.name}" not in msg):
                raise h.fail(
                    c, f"MissingKeyError for {k.name!r} must name the part and the key; got: {msg}"
                ) from e
            continue
        except Exception as e:
            raise h.fail(
                c, f"without required key {k.name!r}: expected MissingKeyError; got {type(e).__name__}: {e}"
            ) from e
        raise h.fail(c, f"constructed without required key {k.name!r}; expected MissingKeyError")
    # defaults must work: only the required keys given
    cfg = {n: v for n, v in h.config.items() if n in {k.name for k in required} or n not in h.key_names()}
    try:
        h.construct(cfg)
    except Exception as e:
        raise h.fail(
            c,
            f"construction with only the required keys (defaults for the rest) raised {type(e).__name__}: {e}",
        ) from e


def _check_invalid_values(h: PartHarness) -> None:
    c = "invalid_values"
    probe_part = h.build()
    before = _copy.deepcopy(probe_part.get_params())
    for k in h.keys():
        for value, reason in invalid_values(k):
            cfg = {**h.config, k.name: value}
            for where in ("construction", "set_params"):
                try:
                    if where == "construction":
                        h.construct(cfg)
                    else:
                        probe_part.set_params(**{k.name: value})
                except ConfigError as e:
                    msg = str(e)
                    needed = [f"{h.name}.{k.name}", describe_value(value)]
                    absent = [s for s in needed if s not in msg]
                    if absent:
                        raise h.fail(
                            c,
                            f"{where} with {k.name}={describe_value(value)} ({reason}): the ConfigError must "
                            f"name {needed}; missing {absent} in: {msg}",
                        ) from e
                    continue
                except Exception as e:
                    raise h.fail(
                        c,
                        f"{where} with {k.name}={describe_value(value)} ({reason}): expected ConfigError; "
                        f"got {type(e).__name__}: {e}",
                    ) from e
                raise h.fail(
                    c, f"{where} accepted {k.name}={describe_value(value)} ({reason}); expected ConfigError"
                )
            if not _same(probe_part.get_params(), before):
                raise h.fail(c, f"a rejected set_params({k.name}=...) changed the part's params")


def _check_params_roundtrip(h: PartHarness) -> None:
    c = "params_roundtrip"
    a = h.build()
    p = a.get_params()
    snapshot = _copy.deepcopy(p)
    copy_p = a.params
    if not _same(copy_p, p):
        raise h.fail(c, "params differs from get_params()")
    for name, value in copy_p.items():
        if isinstance(value, np.ndarray) and value.size and value.dtype.kind in "biuf":
            value.flat[0] = ~value.flat[0] if value.dtype.kind == "b" else value.flat[0] + 1
            if not _same(a.get_params()[name], snapshot[name]):
                raise h.fail(c, f"params[{name!r}] shares its array with the part; params must be a copy")
    try:
        b = h.rebuild(a, p)
    except Exception as e:
        raise h.fail(c, f"rebuilding from get_params() raised {type(e).__name__}: {e}") from e
    q = b.get_params()
    for name in p:
        if not _same(p[name], q.get(name)):
            raise h.fail(c, f"rebuilt part has {name}={_show(q.get(name))}; original has {_show(p[name])}")
    if a.set_params(**_copy.deepcopy(p)) is not a:
        raise h.fail(c, "set_params() must return self")
    if not _same(a.get_params(), p):
        raise h.fail(c, "set_params(**get_params()) changed the params")
    h.start(a)
    h.start(b)
    diff = _first_difference(h.run(a, 0, h.n_steps), h.run(b, 0, h.n_steps))
    if diff:
        raise h.fail(c, f"a part rebuilt from get_params() with the same seed behaves differently: {diff}")


def _check_outputs(h: PartHarness) -> None:
    c = "outputs"
    part = h.build()
    try:
        h.start(part)
        h.check_static(part)
        h.run(part, 0, h.n_steps, check=True)
    except PartCheckError:
        raise
    except AssertionError as e:
        raise h.fail(c, str(e)) from e


def _check_same_seed(h: PartHarness) -> None:
    c = "same_seed"
    a, b = h.build(), h.build()
    h.start(a)
    h.start(b)
    diff = _first_difference(h.run(a, 0, h.n_steps), h.run(b, 0, h.n_steps))
    if diff:
        raise h.fail(c, f"two parts built with seed={h.seed} differ: {diff}")


def _check_reset_replays(h: PartHarness) -> None:
    c = "reset_replays"
    part = h.build()
    h.start(part)
    external = _copy.deepcopy(h.external_state(part))
    learned = {n: _copy.deepcopy(getattr(part, n, None)) for n in getattr(part, "LEARNED", ())}
    first = h.run(part, 0, h.n_steps)
    if part.seed(h.seed) != h.seed:
        raise h.fail(c, f"seed({h.seed}) must return the seed used")
    h.restore_external(part, _copy.deepcopy(external))
    h.start(part)
    for n, v in learned.items():
        setattr(part, n, _copy.deepcopy(v))
    diff = _first_difference(first, h.run(part, 0, h.n_steps))
    if diff:
        raise h.fail(c, f"after seed({h.seed}) + reset() the run is not replayed: {diff}")


def _check_state_dict_resume(h: PartHarness) -> None:
    c = "state_dict_resume"
    a = h.build()
    h.start(a)
    h.run(a, 0, h.split)
    state = h.get_state(a)
    own = a.state_dict()
    missing = [n for n in getattr(a, "STATE", ()) if n not in own]
    if missing:
        raise h.fail(c, f"state_dict() lacks STATE entries {missing}")
    rest = h.run(a, h.split, h.n_steps)
    for label in ("a fresh instance", "a fresh instance, after the original continued"):
        b = h.build()
        try:
            h.set_state(b, state)
            got = h.run(b, h.split, h.n_steps)
        except Exception as e:
            raise h.fail(
                c,
                f"continuing {label} (built, not reset) after load_state_dict() raised "
                f"{type(e).__name__}: {e}; is all changing state listed in STATE?",
            ) from e
        diff = _first_difference(rest, got, h.split)
        if diff:
            raise h.fail(
                c,
                f"state_dict() taken at step {h.split} and loaded into {label} does not continue "
                f"identically: {diff}; is all changing state listed in STATE ({getattr(a, 'STATE', ())})?",
            )


def _continues(h: PartHarness, check: str, clone: Callable[[Any], Any], how: str) -> None:
    ref = h.build()
    h.start(ref)
    expected = h.run(ref, 0, h.n_steps)[h.split :]
    a = h.build()
    h.start(a)
    h.run(a, 0, h.split)
    try:
        b = clone(a)
    except Exception as e:
        raise h.fail(check, f"{how} raised {type(e).__name__}: {e}") from e
    if b is a or type(b) is not type(a):
        raise h.fail(check, f"{how} must return a new {h.name}")
    for label, part in (("the original", a), ("the copy", b)):
        diff = _first_difference(expected, h.run(part, h.split, h.n_steps), h.split)
        if diff:
            raise h.fail(
                check, f"after {how} at step {h.split}, {label} does not continue identically: {diff}"
            )


def _check_copy(h: PartHarness) -> None:
    _continues(h, "copy_continues", lambda p: p.copy(), "copy()")


def _check_pickle(h: PartHarness) -> None:
    _continues(h, "pickle_continues", lambda p: pickle.loads(pickle.dumps(p)), "a pickle round trip")


# The global random states are read and set only to prove that parts never use them.
def _global_states() -> tuple:
    return np.random.get_state(), _pyrandom.getstate()  # noqa: NPY002 - inspected, not used


def _set_global_states(states: tuple) -> None:
    np.random.set_state(states[0])  # noqa: NPY002 - restored, not used
    _pyrandom.setstate(states[1])


def _set_global_seed(seed: int) -> None:
    _set_global_states((np.random.RandomState(seed).get_state(), _pyrandom.Random(seed).getstate()))


def _check_no_global_rng(h: PartHarness) -> None:
    c = "no_global_rng"
    saved = _global_states()
    try:
        runs = []
        for global_seed in (1, 2):
            _set_global_seed(global_seed)
            before = _global_states()
            part = h.build()
            h.start(part)
            runs.append(h.run(part, 0, h.n_steps))
            after = _global_states()
            if not _same(before[0][1], after[0][1]) or before[0][2:] != after[0][2:]:
                raise h.fail(c, "the part used numpy's global random state (np.random.*); draw from self.rng")
            if before[1] != after[1]:
                raise h.fail(c, "the part used Python's global `random` module; draw from self.rng")
        diff = _first_difference(runs[0], runs[1])
        if diff:
            raise h.fail(c, f"outputs depend on numpy's/Python's global seed: {diff}")
    finally:
        _set_global_states(saved)


#: Every check, in the order :func:`check_part` runs them.
CHECKS: dict[str, PartCheck] = {
    chk.name: chk
    for chk in (
        PartCheck(
            "keys_declared",
            "keys are Key objects with descriptions, valid types and defaults",
            _check_keys_declared,
        ),
        PartCheck("construct", "construction with the config works and stores every key", _check_construct),
        PartCheck(
            "missing_keys", "each missing required key raises MissingKeyError naming it", _check_missing_keys
        ),
        PartCheck(
            "invalid_values",
            "each invalid value raises ConfigError naming part, key and value",
            _check_invalid_values,
        ),
        PartCheck(
            "params_roundtrip",
            "get_params -> rebuild -> same params and same behaviour",
            _check_params_roundtrip,
        ),
        PartCheck("outputs", "outputs have the documented shape and dtype, no NaN", _check_outputs),
        PartCheck("same_seed", "two parts with the same seed give identical outputs", _check_same_seed),
        PartCheck("reset_replays", "seed(s) + reset() replays the run exactly", _check_reset_replays),
        PartCheck(
            "state_dict_resume",
            "state_dict mid-run -> fresh part continues identically",
            _check_state_dict_resume,
        ),
        PartCheck("copy_continues", "copy() mid-run continues identically", _check_copy),
        PartCheck("pickle_continues", "a pickle round trip mid-run continues identically", _check_pickle),
        PartCheck("no_global_rng", "no use of numpy's or Python's global random state", _check_no_global_rng),
    )
}
#: Names of the checks, in order.
CHECK_NAMES: tuple[str, ...] = tuple(CHECKS)
_GATES = ("keys_declared", "construct")


def run_check(name: str, harness: PartHarness) -> None:
    """Run the check called ``name`` on ``harness``.

    Raises
    ------
    PartCheckError
        When the part fails (unexpected exceptions are wrapped, naming the check).
    """
    if name not in CHECKS:
        raise ValueError(f"unknown check {name!r}{suggest(name, CHECKS)}; checks are {list(CHECKS)}.")
    try:
        CHECKS[name].fn(harness)
    except PartCheckError:
        raise
    except Exception as e:
        raise harness.fail(name, f"raised {type(e).__name__}: {e}") from e


def iter_checks(
    part_class: type,
    config: Mapping[str, Any],
    *,
    n_steps: int = 50,
    family: str | None = None,
    weights: Any = None,
    state: Any = None,
    action: Any = None,
    network: Callable[..., Any] | None = None,
) -> Iterator[tuple[str, Callable[[], None]]]:
    """Yield ``(check_name, run)`` pairs; each ``run()`` raises :class:`PartCheckError` on failure.

    Parameters are those of :func:`check_part`.
    """
    harness = make_harness(
        part_class,
        config,
        n_steps=n_steps,
        family=family,
        weights=weights,
        state=state,
        action=action,
        network=network,
    )
    for name in CHECK_NAMES:
        yield name, (lambda n=name: run_check(n, harness))


def check_part(
    part_class: type,
    config: Mapping[str, Any],
    *,
    n_steps: int = 50,
    family: str | None = None,
    weights: Any = None,
    state: Any = None,
    action: Any = None,
    network: Callable[..., Any] | None = None,
    skip: Iterable[str] = (),
) -> None:
    """Check that a part class keeps the part contract.

    Parameters
    ----------
    part_class : type
        A neuron, input, weight, synapse, readout, reward or modifier class.
    config : mapping
        A small valid configuration. May also hold ``state`` (inputs, rewards),
        ``action`` (rewards), ``processing_time`` (inputs, readouts) and ``seed``.
    n_steps : int
        Steps per run.
    family : str, optional
        The family; inferred from the template the class derives from.
    weights : Weight class or instance, optional
        For synapses; default ``Manual`` when ``config`` has ``matrix``, else ``Random``,
        built from ``config``.
    state, action : object, optional
        The game state and action used to drive inputs, rewards and modifiers.
    network : callable, optional
        For modifiers: ``network(seed=..., modifiers=[...])`` building the network the
        modifier acts on (default :func:`small_network`).
    skip : iterable of str
        Names of checks not to run.

    Raises
    ------
    PartCheckError
        Naming the part, the failed check(s) and what went wrong. Every check is run
        (unless ``keys_declared`` or ``construct`` fails); all failures are reported.
    """
    skip = set(skip)
    unknown = skip - set(CHECKS)
    if unknown:
        raise ValueError(f"skip: unknown checks {sorted(unknown)}; checks are {list(CHECKS)}.")
    failures: list[PartCheckError] = []
    for name, run in iter_checks(
        part_class,
        config,
        n_steps=n_steps,
        family=family,
        weights=weights,
        state=state,
        action=action,
        network=network,
    ):
        if name in skip:
            continue
        try:
            run()
        except PartCheckError as e:
            failures.append(e)
            if name in _GATES:
                break
    if len(failures) == 1:
        raise failures[0]
    if failures:
        part = failures[0].part
        detail = "; ".join(f"[{e.check}] {e.detail}" for e in failures)
        err = PartCheckError(part, ", ".join(e.check for e in failures), detail)
        err.failures = failures
        raise err from failures[0]
