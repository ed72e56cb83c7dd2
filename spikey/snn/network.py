"""Networks: own the parts, check they fit together, and step them.

A network is built from *parts* (classes) and *keys* (one config shared by all parts).
Keys come, from lowest to highest priority, from the game's params (``game=``), the
class attribute ``keys``, and keyword arguments. Parts come from the class attribute
``parts`` and keyword arguments.

Examples
--------
>>> import numpy as np
>>> import spikey
>>> class network_template(spikey.network.Network):
...     parts = {
...         "inputs": spikey.input.RateMap,
...         "neurons": spikey.neuron.Neuron,
...         "weights": spikey.weight.Random,
...         "synapses": spikey.synapse.Synapse,
...         "readout": spikey.readout.Threshold,
...     }
...     keys = {
...         "n_inputs": 4, "n_neurons": 10, "n_outputs": 2, "processing_time": 50,
...         "magnitude": 1.0, "firing_threshold": 1.0, "potential_decay": 0.1,
...         "refractory_period": 2, "max_weight": 1.0, "density": 0.5,
...         "state_rate_map": [0.0, 0.3], "action_threshold": 0.05,
...     }
>>> network = network_template(seed=0)
>>> network.reset()
>>> network.tick([1, 0]) in (0, 1)
True
>>> network.spike_log.shape
(50, 14)
"""

from __future__ import annotations

import copy as _copy
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from spikey.compat.templates import template_attr
from spikey.errors import ConfigError, MissingKeyError, ShapeError, UnclaimedKeyWarning
from spikey.module import Interval, Key, Module, OneOf, suggest
from spikey.rng import fresh_seed
from spikey.snn.engine.compiled import ENGINES, describe, select_engine
from spikey.snn.engine.reference import Schedule, ScheduleEntry

__all__ = ["Network", "RLNetwork", "ActiveRLNetwork", "ContinuousRLNetwork", "listener", "NOOP_HOOK"]


#: Attribute that marks a callback hook as a no-op (a hook nobody listens to).
NOOP_HOOK = "__spikey_noop__"


def listener(callback: Any, hook: str) -> Callable[..., Any] | None:
    """``callback.<hook>`` if something listens to it, else None.

    A hook that is missing, not callable, or marked as a no-op (an attribute
    :data:`NOOP_HOOK` set true, as :class:`~spikey.core.ExperimentCallback` marks the
    hooks it neither defines nor tracks) has no listener; nor has any hook of
    ``callback=None``. Code that would announce a hook many times per game step (the
    per-step rewards of a compiled tick) can then skip building the calls' arguments.
    """
    if callback is None:
        return None
    fn = getattr(callback, hook, None)
    if fn is None or not callable(fn) or getattr(fn, NOOP_HOOK, False):
        return None
    return fn


@contextmanager
def _in_slot(slot: str) -> Iterator[None]:
    """Prefix configuration errors raised while building a part with its slot."""
    try:
        yield
    except ConfigError as e:
        msg = str(e)
        if not msg.startswith("network."):
            e.args = (f"network.{slot}: {msg}",) + e.args[1:]
        raise


class Network(Module):
    """A spiking neural network made of parts, stepped by an engine.

    Parameters
    ----------
    callback : object, optional
        Receives ``network_<method>(inputs..., outputs...)`` after each public method
        (see :mod:`spikey.core`). It is shared, not copied, by :meth:`copy`.
    game : object, optional
        A game whose ``params`` fill keys with the lowest priority.
    strict : bool
        Raise :class:`~spikey.errors.ConfigError` instead of warning when a key is
        claimed by no part (typos).
    **kwargs
        Parts (``inputs=...``) and keys.

    Attributes
    ----------
    inputs, neurons, weights, synapses, readout, modifiers
        The part instances.
    engine : ReferenceEngine
        Steps the network; ``print(network.schedule)`` shows its order of operations.
    training : bool
        Learning on (:meth:`train`) or frozen (:meth:`eval`).
    """

    NECESSARY_KEYS = [
        Key("n_inputs", "Number of input neurons.", int, constraint=Interval(0, None)),
        Key(
            "n_outputs",
            "Number of output neurons (the last n_outputs body neurons).",
            int,
            constraint=Interval(0, None),
        ),
        Key("n_neurons", "Number of body neurons.", int, constraint=Interval(1, None)),
        Key("processing_time", "Network steps per game step.", int, constraint=Interval(1, None)),
        Key(
            "seed", "Seed of all random streams of the network; drawn and logged if None.", int, default=None
        ),
        Key(
            "engine",
            "What steps the network: 'auto' (compiled when every part has a kernel), "
            "'reference' (the parts' numpy methods) or 'numba' (compiled, or an error); "
            "default: $SPIKEY_ENGINE, else 'auto'.",
            str,
            default="auto",
            constraint=OneOf(*ENGINES),
        ),
    ]
    NECESSARY_PARTS = [
        Key("inputs", "Input part class (spikey.input.*)."),
        Key("neurons", "Neuron part class (spikey.neuron.*)."),
        Key("weights", "Weight part class (spikey.weight.*)."),
        Key("synapses", "Synapse part class (spikey.synapse.*)."),
        Key("readout", "Readout part class (spikey.readout.*)."),
        Key("modifiers", "List of modifier instances (spikey.modifier.*).", default=None),
    ]
    RNG_STREAM = "network"
    #: Set to an engine class to bypass the ``engine`` key (e.g. a custom engine).
    engine_class: type | None = None

    def __init__(self, callback: Any = None, game: Any = None, *, strict: bool = False, **kwargs: Any):
        part_names = self.part_names
        parts = dict(template_attr(type(self), "parts"))
        for name in part_names:
            if name in kwargs:
                parts[name] = kwargs.pop(name)
        params: dict[str, Any] = {}
        game_keys: set[str] = set()
        if game is not None:
            game_params = dict(getattr(game, "params", {}) or {})
            game_keys = set(game_params)
            params.update(game_params)
        own = dict(template_attr(type(self), "keys"))
        own.update(kwargs)
        params.update(own)
        if params.get("seed") is None:
            params["seed"] = fresh_seed()
        if params.get("engine") is None:
            # a default for every network of a process (benchmarks, a whole Series)
            params["engine"] = os.environ.get("SPIKEY_ENGINE") or "auto"

        self._strict = strict
        super().__init__(**params)
        self._params = params
        self.parts = parts
        self.callback = callback
        self.training = True
        self._check_parts(parts)
        self._check_claimed(own, parts, game_keys)
        self._check_memory()
        self._build_parts(parts)
        self._check_fit()
        self.polarities = np.concatenate([self.inputs.polarities, self.neurons.polarities]).astype(float)
        self.internal_time = 0
        self.set_engine(self._engine)
        self._spike_log = None
        self._notify("init", self)

    # ------------------------------------------------------------------ construction
    @property
    def part_names(self) -> list[str]:
        """Slot names of the parts, e.g. ``['inputs', 'neurons', ...]``."""
        return [k.name for k in type(self).NECESSARY_PARTS]

    @classmethod
    def _part_classes(cls, parts: dict) -> list[type]:
        return [p for p in parts.values() if isinstance(p, type) and hasattr(p, "NECESSARY_KEYS")]

    def _check_claimed(self, own: dict, parts: dict, game_keys: set[str]) -> None:
        claimed = set(self.key_names()) | set(self.part_names) | game_keys
        for p in self._part_classes(parts):
            claimed |= {k.name for k in p.NECESSARY_KEYS}
        unclaimed = sorted(set(own) - claimed)
        for key in unclaimed:
            msg = (
                f"{type(self).__name__}: key {key!r} is used by no part of this network"
                f"{suggest(key, claimed)}."
            )
            if self._strict:
                raise ConfigError(msg)
            warnings.warn(msg, UnclaimedKeyWarning, stacklevel=4)

    def _check_parts(self, parts: dict) -> None:
        """Every slot filled with a class (modifiers: instances), before any key check."""
        for key in type(self).NECESSARY_PARTS:
            name = key.name
            if name not in parts and key.required:
                raise MissingKeyError(
                    f"{type(self).__name__}: missing part {name!r} ({key.description}); "
                    f"give it as parts={{'{name}': ...}} or {name}=..."
                )
            part = parts.get(name, key.default)
            if name != "modifiers" and part is not None and not isinstance(part, type):
                raise ConfigError(
                    f"network.{name}: expected a part class ({key.description}); got "
                    f"{part!r} ({type(part).__name__})."
                )
        unknown = sorted(set(parts) - set(self.part_names))
        if unknown:
            raise ConfigError(
                f"{type(self).__name__}: unknown part slot {unknown[0]!r}"
                f"{suggest(unknown[0], self.part_names)}; slots are {self.part_names}."
            )

    def _check_memory(self) -> None:
        """Refuse sizes that could not fit in memory, before allocating anything."""
        n_pre, n = self._n_inputs + self._n_neurons, self._n_neurons
        dense = n_pre * n * 9  # float64 weights and a bool mask, (n_pre, n_post)
        storage, density = self._params.get("storage", "auto"), self._params.get("density")
        d = float(density) if isinstance(density, (int, float)) and 0 <= density <= 1 else 1.0
        # sparse storage ("sparse", or "auto" at <= 10% density) costs about 16 bytes a synapse
        sparse = storage == "sparse" or (storage == "auto" and d <= 0.1)
        synapses = min(dense, int(n_pre * n * d * 16)) if sparse else dense
        need = synapses + self._processing_time * n_pre + 32 * n_pre  # + spike log, neuron state
        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):  # pragma: no cover - no sysconf
            total = 2**50
        if need > total:
            raise ConfigError(
                f"{type(self).__name__}: n_inputs={self._n_inputs}, n_neurons={n} need at least "
                f"{need / 2**30:,.1f} GiB ({'sparse' if sparse else 'dense'} ({n_pre}, {n}) weights, "
                f"spike log and state), more than this machine's {total / 2**30:,.1f} GiB of memory."
            )

    def _build_parts(self, parts: dict) -> None:
        for key in type(self).NECESSARY_PARTS:
            name = key.name
            part = parts.get(name, key.default)
            if name == "modifiers":
                self.modifiers = self._build_modifiers(part)
                continue
            if part is None:
                setattr(self, name, None)
                continue
            with _in_slot(name):
                if name == "synapses":
                    instance = part(self.weights, **self._params)
                else:
                    instance = part(**self._params)
            setattr(self, name, instance)
        # synapses that read the neurons' state (conductance-based synapses need the
        # potentials) get the built network once
        attach = getattr(self.synapses, "attach", None)
        if callable(attach):
            with _in_slot("synapses"):
                attach(self)

    def _build_modifiers(self, mods: Any) -> list | None:
        if mods is None:
            return None
        if not isinstance(mods, (list, tuple)):
            mods = [mods]
        out = []
        for m in mods:
            if isinstance(m, type) or not hasattr(m, "update"):
                raise ConfigError(
                    f"network.modifiers: expected modifier instances such as "
                    f"LinearDecay('network.synapses.learning_rate', 100, 0.01, 0.0); got {m!r}."
                )
            out.append(_copy.deepcopy(m))
        return out

    def _check_fit(self) -> None:
        """Check that the parts agree on sizes (before any step is taken)."""
        n_in, n, n_out = self._n_inputs, self._n_neurons, self._n_outputs
        name = type(self).__name__
        if n_out > n:
            raise ShapeError(f"{name}.n_outputs: expected at most n_neurons={n}; got {n_out}.")
        shape = getattr(self.weights, "matrix", np.zeros(0)).shape
        if shape != (n_in + n, n):
            raise ShapeError(
                f"network.weights: {type(self.weights).__name__}.matrix has shape {shape}; "
                f"expected (n_inputs + n_neurons, n_neurons) = ({n_in + n}, {n})."
            )
        pol = getattr(self.neurons, "polarities", None)
        if pol is None or np.shape(pol) != (n,):
            raise ShapeError(
                f"network.neurons: {type(self.neurons).__name__}.polarities has shape "
                f"{np.shape(pol)}; expected ({n},)."
            )
        ipol = getattr(self.inputs, "polarities", None)
        if ipol is None or np.shape(ipol) != (n_in,):
            raise ShapeError(
                f"network.inputs: {type(self.inputs).__name__}.polarities has shape "
                f"{np.shape(ipol)}; expected ({n_in},) (n_inputs)."
            )
        for slot in ("inputs", "neurons", "synapses", "readout", "weights", "rewarder"):
            part = getattr(self, slot, None)
            for key in ("n_inputs", "n_neurons", "n_outputs"):
                value = getattr(part, "_" + key, None)
                if isinstance(value, int) and value != getattr(self, "_" + key):
                    raise ShapeError(
                        f"network.{slot}: {type(part).__name__}.{key}={value} disagrees "
                        f"with the network's {key}={getattr(self, '_' + key)}."
                    )
        for m in self.modifiers or []:
            with _in_slot("modifiers"):
                m.attach(self)

    def _schedule_entries(self) -> list[ScheduleEntry]:
        """The operations of one network step, in order (extended by subclasses)."""
        return [
            ScheduleEntry("emit_inputs", "inputs", "inputs()", "input spikes of this step"),
            ScheduleEntry("emit_neurons", "neurons", "neurons()", "body spikes (threshold, refractoriness)"),
            ScheduleEntry("record", "network", "spike_log[t] = spikes != 0", "record who fired"),
            ScheduleEntry(
                "propagate", "synapses", "neurons += synapses.propagate(spikes)", "synaptic input, integrate"
            ),
            ScheduleEntry(
                "learn_step", "synapses", "synapses.update(fired, polarities)", "plasticity (training only)"
            ),
        ]

    @property
    def schedule(self) -> Schedule:
        """The engine's order of operations for one network step (printable; its first
        line says which engine runs it and why)."""
        return self.engine.schedule

    def set_engine(self, engine: str = "auto") -> Network:
        """Choose what steps the network: ``"auto"``, ``"reference"`` or ``"numba"``.

        ``"auto"`` runs the compiled engine when numba imports and every part has a
        kernel (see the guide page on engines); a part whose class overrides a step
        method makes it fall back to the reference engine with an
        :class:`~spikey.errors.EngineFallbackWarning`. ``"numba"`` raises
        :class:`~spikey.errors.ConfigError` naming the part instead. Monitors attached
        to the network move to the new engine. Returns ``self``.
        """
        key = next(k for k in type(self).NECESSARY_KEYS if k.name == "engine")
        engine = key.validate(engine, owner=type(self).__name__)
        old = getattr(self, "engine", None)
        if type(self).engine_class is not None:
            cls, why = type(self).engine_class, []
        else:
            cls, why = select_engine(self, engine)
        self._engine = engine
        self._params["engine"] = engine
        self.engine = cls(self)
        self.engine.schedule.engine = describe(self.engine, why)
        for m in list(getattr(old, "monitors", None) or []):
            m.network = None
            m.attach(self)
        return self

    @classmethod
    def list_keys(cls, **parts: Any) -> list[Key]:
        """Print (and return) the keys of the network and of the given parts.

        Parameters
        ----------
        **parts
            Part classes by slot; defaults to the class attribute ``parts``.
        """
        parts = parts or dict(template_attr(cls, "parts"))
        keys = list(cls.NECESSARY_KEYS)
        for p in cls._part_classes(parts):
            keys.extend(k for k in p.NECESSARY_KEYS if k not in keys)
        print("{")
        for key in keys:
            print(f"\t{key},")
        print("}")
        return keys

    # ------------------------------------------------------------------ callbacks
    def _notify(self, method: str, *args: Any) -> None:
        fn = getattr(self.callback, "network_" + method, None) if self.callback is not None else None
        if fn is not None:
            fn(*args)

    # ------------------------------------------------------------------ running
    @property
    def params(self) -> dict[str, Any]:
        """Read-only copy of the full configuration shared by the parts."""
        return _copy.deepcopy(self._params)

    def _parts(self) -> Iterator[tuple[str, Any]]:
        for name in self.part_names:
            part = getattr(self, name, None)
            if name == "modifiers":
                for i, m in enumerate(part or []):
                    yield f"modifiers.{i}", m
            elif part is not None:
                yield name, part

    def reset(self) -> None:
        """Set every part to its initial state (weights and modifiers keep theirs)."""
        self.internal_time = 0
        for name, part in self._parts():
            if name not in ("weights",) and not name.startswith("modifiers"):
                part.reset()
        self._clear_log()
        self._notify("reset")

    def _clear_log(self) -> None:
        """An all-False spike log of shape (processing_time, n_inputs + n_neurons): the
        current one cleared when it has that shape, else a new one with its pages mapped
        now (on first touch, inside the first tick, a log of tens of MB costs as much
        as a fraction of the tick)."""
        shape = (self._processing_time, self._n_inputs + self._n_neurons)
        log = self._spike_log
        if isinstance(log, np.ndarray) and log.shape == shape and log.dtype == np.bool_ and log.flags.writeable:
            log.fill(False)
        else:
            log = np.zeros(shape, dtype=bool)
            log.fill(False)
            self._spike_log = log

    def train(self, mode: bool = True) -> Network:
        """Switch learning on (or off with ``mode=False``) in every part; returns self."""
        self.training = bool(mode)
        for _, part in self._parts():
            if hasattr(part, "train"):
                part.train(mode)
        return self

    def eval(self) -> Network:
        """Freeze all learning (weights, critics, modifiers); returns self."""
        return self.train(False)

    @property
    def spike_log(self) -> np.ndarray | None:
        """Who fired at each step of the last game step.

        Returns
        -------
        ndarray of bool, shape (processing_time, n_inputs + n_neurons) or None
            Row ``t`` is network step ``t``; inputs first, outputs last.
        """
        return self._spike_log

    @property
    def output_spikes(self) -> np.ndarray:
        """Output neurons' spikes of the last game step, (processing_time, n_outputs)."""
        n_out = self._n_outputs
        log = self._spike_log
        return log[:, log.shape[1] - n_out :]

    def tick(self, state: Any) -> Any:
        """Present ``state`` for ``processing_time`` steps and read out an action.

        Parameters
        ----------
        state : object
            The game state, as the input part understands it.

        Returns
        -------
        object
            The readout's action.
        """
        if self._spike_log is None:
            self.reset()
        self.inputs.update(state)
        if self.training:
            for m in self.modifiers or []:
                m.update(self)
        if self._spike_log.shape != (self._processing_time, self._n_inputs + self._n_neurons):
            self._clear_log()  # processing_time changed (set_params, a modifier): a log of the new length
        self.engine.run(state)
        self.internal_time += self._processing_time
        action = self.readout(self.output_spikes)
        self._notify("tick", state, action)
        return action

    # ------------------------------------------------------------------ copies & state
    def __deepcopy__(self, memo: dict) -> Network:
        if self.callback is not None:
            memo[id(self.callback)] = self.callback
        cls = type(self)
        new = cls.__new__(cls)
        memo[id(self)] = new
        for k, v in self.__dict__.items():
            setattr(new, k, _copy.deepcopy(v, memo))
        return new

    def copy(self) -> Network:
        """Deep copy: learned weights, state and generators included; callback shared."""
        return _copy.deepcopy(self)

    def state_dict(self) -> dict[str, Any]:
        """Everything that changes while running, by part slot."""
        out = {name: part.state_dict() for name, part in self._parts()}
        out["network"] = {
            "internal_time": self.internal_time,
            "spike_log": None if self._spike_log is None else self._spike_log.copy(),
            "training": self.training,
            "__rng__": _copy.deepcopy(self.rng.bit_generator.state),
        }
        return out

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        for name, part in self._parts():
            if name in state:
                part.load_state_dict(state[name])
        own = state.get("network", {})
        self.internal_time = own.get("internal_time", 0)
        log = own.get("spike_log")
        self._spike_log = None if log is None else np.array(log, dtype=bool)
        self.train(own.get("training", True))
        if "__rng__" in own:
            self.rng.bit_generator.state = own["__rng__"]

    def save(self, path: str) -> str:
        """Save configuration, weights and state to one ``.npz`` file (no pickle).

        See :func:`spikey.snn.snapshot.save_network`.
        """
        from spikey.snn.snapshot import save_network

        return save_network(self, path)

    @classmethod
    def load(cls, path: str, callback: Any = None, **overrides: Any) -> Network:
        """Rebuild a network saved with :meth:`save`; it continues bit-identically.

        See :func:`spikey.snn.snapshot.load_network`.
        """
        from spikey.snn.snapshot import load_network

        return load_network(cls, path, callback=callback, **overrides)

    def __repr__(self) -> str:
        parts = ", ".join(f"{n}={type(p).__name__}" for n, p in self._parts())
        return f"{type(self).__name__}({parts})"


class RLNetwork(Network):
    """A network that learns from a reward given once per game step.

    Adds the ``rewarder`` part and :meth:`reward`.
    """

    NECESSARY_PARTS = Network.extend_keys(
        [Key("rewarder", "Reward part class (spikey.reward.*).")], base="NECESSARY_PARTS"
    )

    def reward(self, state: Any, action: Any, state_next: Any = None, reward: float | None = None) -> float:
        """Compute the reward for ``action`` in ``state`` and give it to the synapses.

        Parameters
        ----------
        state, action : object
            The state the network acted in and its action.
        state_next : object, optional
            The resulting state, passed to rewarders that take it.
        reward : float, optional
            Use this reward instead of asking the rewarder.

        Returns
        -------
        float
            The reward given (no weight changes while in :meth:`eval` mode).
        """
        if reward is None:
            if state_next is None:
                reward = self.rewarder(state, action)
            else:
                reward = self.rewarder(state, action, state_next)
        reward = float(reward)
        if self.training:
            self.synapses.reward(reward)
        self._notify("reward", state, action, reward)
        return reward


def _output_spikes_now(network: ActiveRLNetwork, state: Any) -> np.ndarray:
    """Default per-step action: the output neurons' spikes of this step."""
    return network._spike_log[network._step_t, network._spike_log.shape[1] - network._n_outputs :]


class ActiveRLNetwork(RLNetwork):
    """A network rewarded at every network step (Florian 2007's setting).

    At each step the rewarder is called with ``(state, action)`` where ``action`` is
    ``continuous_rwd_action(network, state)`` (default: the boolean spikes of the
    output neurons at this step), and the reward goes to the synapses at once.
    :meth:`reward` then only reports the total reward of the game step.
    """

    NECESSARY_KEYS = RLNetwork.extend_keys(
        [
            Key(
                "continuous_rwd_action",
                "f(network, state) -> action passed to the rewarder each step; "
                "default: this step's output spikes.",
                callable,
                default=None,
            )
        ]
    )

    def __init__(self, *args: Any, **kwargs: Any):
        self._step_t = 0
        self._tick_reward = 0.0
        super().__init__(*args, **kwargs)

    def _schedule_entries(self) -> list[ScheduleEntry]:
        return super()._schedule_entries() + [
            ScheduleEntry(
                "step_reward", "rewarder", "synapses.reward(rewarder(state, action))", "reward this step"
            )
        ]

    def tick(self, state: Any) -> Any:
        """As :meth:`Network.tick`, rewarding at every network step."""
        self._tick_reward = 0.0
        return super().tick(state)

    def continuous_reward(self, state: Any, t: int) -> float:
        """Reward of network step ``t`` of the current game step (called by the engine)."""
        self._step_t = t
        fn = self._continuous_rwd_action or _output_spikes_now
        action = fn(self, state)
        r = float(self.rewarder(state, action))
        if r and self.training:
            self.synapses.reward(r)
        self._tick_reward += r
        self._notify("continuous_reward", state, action, r)
        return r

    def _compiled_step_rewards(self, state: Any, rewards: np.ndarray, total: float) -> None:
        """Account for the per-step rewards that a compiled tick computed and applied in
        its loop (``rewards[t]`` for network step ``t``, ``total`` their sum in step
        order), and announce each to the callback as :meth:`continuous_reward` does."""
        self._tick_reward += total
        self._step_t = self._processing_time - 1
        hook = listener(self.callback, "network_continuous_reward")
        if hook is not None:
            log, n_out = self._spike_log, self._n_outputs
            for t, r in enumerate(rewards.tolist()):
                hook(state, log[t, log.shape[1] - n_out :], r)

    def reward(self, state: Any, action: Any, state_next: Any = None, reward: float | None = None) -> float:
        """Report the reward of the last game step (already applied step by step)."""
        reward = self._tick_reward if reward is None else float(reward)
        self._notify("reward", state, action, reward)
        return reward


#: The original Spikey's name for :class:`ActiveRLNetwork`.
ContinuousRLNetwork = ActiveRLNetwork
