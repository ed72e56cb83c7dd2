"""Networks of named populations joined by projections, built into one :class:`Network`.

A :class:`Population` is a group of neurons of one model (any
:class:`~spikey.snn.neuron.NeuronBase` subclass) with its own keys, which may differ per
neuron; a :class:`Projection` connects two populations (or the network's input neurons,
named ``"inputs"``) with weights, sparsity, a delay and optionally a synaptic kernel.
:class:`PopulationNetwork` assembles them into an ordinary spikey network:

- the body neurons are one :class:`PopulationNeurons` part, which delegates each
  population's slice to an instance of its model (consecutive populations of the same
  model whose keys differ only in per-neuron values share one instance, so a
  heterogeneous population costs no more than a homogeneous one);
- the projections become one weight matrix with a connectivity mask
  (:class:`~spikey.snn.weight.Manual`), a delay matrix and the kernel keys of a
  :class:`~spikey.snn.synapse.StaticSynapse` (or a learning rule derived from it);
- ``tick``/``reset``/``train``/``eval``/``copy``/``save``/``load`` work as for any
  network; :meth:`PopulationNetwork.slice` and :meth:`PopulationNetwork.spikes` index
  the populations by name.

Examples
--------
Izhikevich's (2003) network of 800 excitatory and 200 inhibitory neurons, in short:

>>> import numpy as np
>>> from spikey.snn.neuron import Izhikevich
>>> from spikey.snn.populations import Population, Projection, PopulationNetwork
>>> r = np.random.default_rng(0)
>>> re, ri = r.random(80), r.random(20)
>>> net = PopulationNetwork(
...     populations=[
...         Population("exc", 80, Izhikevich, a=0.02, b=0.2, c=-65 + 15 * re**2, d=8 - 6 * re**2, noise=5.0),
...         Population("inh", 20, Izhikevich, a=0.02 + 0.08 * ri, b=0.25 - 0.05 * ri, c=-65.0, d=2.0,
...                    inhibitory=True, noise=2.0),
...     ],
...     projections=[
...         Projection("exc", ["exc", "inh"], weight=lambda rng, shape: 0.5 * rng.random(shape)),
...         Projection("inh", ["exc", "inh"], weight=lambda rng, shape: rng.random(shape)),
...     ],
...     processing_time=100, seed=0,
... )
>>> net.reset(); counts = net.tick(None)
>>> net.spikes("exc").shape
(100, 80)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from spikey.errors import ConfigError, ShapeError
from spikey.module import Interval, Key, describe_value, suggest
from spikey.rng import fresh_seed, make_rng
from spikey.snn.engine.kernel import PartKernel, kernel_owner
from spikey.snn.engine.kernel import helper as compiled_helper
from spikey.snn.engine.kernel import kernel as compiled_kernel
from spikey.snn.input.template import Input
from spikey.snn.network import Network
from spikey.snn.neuron.template import NeuronBase
from spikey.snn.readout.template import Readout
from spikey.snn.synapse.static import StaticSynapse
from spikey.snn.weight.manual import Manual

__all__ = [
    "Population",
    "Projection",
    "PopulationNeurons",
    "PopulationNetwork",
    "Silent",
    "SpikeCounts",
    "build_network",
    "INPUTS",
]

#: Name of the network's input neurons as the source of a projection.
INPUTS = "inputs"

_NOISE_TYPES = ("normal", "uniform")
#: Keys of a population's model that the population sets itself.
_RESERVED = ("n_neurons", "polarities", "neuron_pct_inhibitory", "magnitude", "seed")


def _per_neuron(value: Any, size: int, where: str) -> float | np.ndarray:
    """A float, or a float64 array of shape (size,)."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return float(arr)
    if arr.shape != (size,):
        raise ShapeError(f"{where}: expected a float or an array of shape ({size},); got shape {arr.shape}.")
    return arr.copy()


# ============================================================================ specs


def _deep_same(a: Any, b: Any) -> bool:
    """Equality of specs: arrays by value, containers element-wise, others by ==."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_deep_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_deep_same(x, y) for x, y in zip(a, b))
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:
        return False


class Population:
    """A named group of neurons of one model.

    Parameters
    ----------
    name : str
        Unique name (not ``"inputs"``).
    size : int
        Number of neurons.
    model : type
        Neuron part class (a :class:`~spikey.snn.neuron.NeuronBase` subclass).
    inhibitory : bool
        Polarity of all its neurons (its spikes inhibit: weights from it act negatively).
    bias : float or ndarray (size,)
        Constant current added to every neuron's input each step (model input units).
    noise : float or ndarray (size,)
        Amplitude of a random current added each step, drawn independently per neuron
        and step from the network's neuron generator: ``noise * N(0, 1)``
        (``noise_type='normal'``) or ``noise * (U(0, 1) - 0.5)`` (``'uniform'``).
    noise_type : {'normal', 'uniform'}
        Distribution of the noise.
    **params
        Keys of ``model`` (e.g. ``a=0.02``). Each value may be a float, an array of shape
        ``(size,)`` for per-neuron values (where the model accepts them), or a callable
        ``f(rng, size) -> array`` drawn once at construction from a generator derived
        from the network seed.

    Examples
    --------
    >>> from spikey.snn.neuron import Izhikevich
    >>> Population("FS", 20, Izhikevich, preset="FS", inhibitory=True)
    Population('FS', 20, Izhikevich, inhibitory=True, preset='FS')
    """

    def __init__(
        self,
        name: str,
        size: int,
        model: type,
        *,
        inhibitory: bool = False,
        bias: float | np.ndarray = 0.0,
        noise: float | np.ndarray = 0.0,
        noise_type: str = "normal",
        **params: Any,
    ):
        where = f"Population({name!r})"
        if not isinstance(name, str) or not name or name == INPUTS:
            raise ConfigError(
                f"Population.name: expected a non-empty str other than {INPUTS!r}; got {name!r}."
            )
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ConfigError(f"{where}.size: expected an int >= 1; got {size!r}.")
        if not (isinstance(model, type) and issubclass(model, NeuronBase)):
            raise ConfigError(
                f"{where}.model: expected a neuron part class (a NeuronBase subclass, e.g. "
                f"spikey.neuron.Izhikevich); got {model!r}."
            )
        if noise_type not in _NOISE_TYPES:
            raise ConfigError(f"{where}.noise_type: expected one of {_NOISE_TYPES}; got {noise_type!r}.")
        reserved = sorted(set(params) & set(_RESERVED))
        if reserved:
            raise ConfigError(
                f"{where}: key {reserved[0]!r} is set by the population (size, inhibitory, network seed); "
                "remove it."
            )
        known = set(model.key_names())
        unknown = sorted(set(params) - known)
        if unknown:
            raise ConfigError(
                f"{where}: {model.__name__} has no key {unknown[0]!r}{suggest(unknown[0], known)}; "
                f"keys are {sorted(known)}."
            )
        self.name, self.size, self.model = name, int(size), model
        self.inhibitory = bool(inhibitory)
        self.bias = _per_neuron(bias, self.size, f"{where}.bias")
        self.noise = _per_neuron(noise, self.size, f"{where}.noise")
        if np.any(np.asarray(self.noise) < 0):
            raise ConfigError(f"{where}.noise: expected amplitudes >= 0; got {describe_value(noise)}.")
        self.noise_type = noise_type
        self.params = dict(params)

    def to_dict(self) -> dict[str, Any]:
        """The population as a plain dict (the form stored in a network's params)."""
        return {
            "name": self.name,
            "size": self.size,
            "model": self.model,
            "inhibitory": self.inhibitory,
            "bias": self.bias,
            "noise": self.noise,
            "noise_type": self.noise_type,
            "params": dict(self.params),
        }

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Population:
        """Rebuild from :meth:`to_dict` (or accept a Population as is)."""
        if isinstance(spec, Population):
            return spec
        if not isinstance(spec, Mapping):
            raise ConfigError(
                f"populations: expected Population objects or dicts; got {describe_value(spec)}."
            )
        spec = dict(spec)
        params = dict(spec.pop("params", {}) or {})
        try:
            return cls(spec.pop("name"), spec.pop("size"), spec.pop("model"), **spec, **params)
        except KeyError as e:
            raise ConfigError(
                f"populations: a population dict needs 'name', 'size' and 'model'; missing {e}."
            ) from None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Population):
            return NotImplemented
        return _deep_same(self.to_dict(), other.to_dict())

    __hash__ = None  # mutable spec

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.params.items() if not isinstance(v, np.ndarray))
        inh = ", inhibitory=True" if self.inhibitory else ""
        return f"Population({self.name!r}, {self.size}, {self.model.__name__}{inh}{extra})"


class Projection:
    """Synapses from one population (or ``"inputs"``) to one or more populations.

    Parameters
    ----------
    pre : str
        Presynaptic population name, or ``"inputs"`` for the network's input neurons.
    post : str or sequence of str
        Postsynaptic population(s); a list makes one projection per target with the
        same settings.
    weight : float, ndarray (n_pre, n_post) or callable
        Weight magnitudes (signs come from the presynaptic population; negative values
        are accepted from inhibitory populations and taken as magnitudes), or
        ``f(rng, shape) -> array`` drawn once.
    density : float
        Probability that each synapse exists (drawn once); ignored with ``mask`` or
        ``fan_out``.
    fan_out : int, optional
        Each presynaptic neuron projects to exactly this many postsynaptic neurons,
        chosen at random.
    mask : ndarray of bool (n_pre, n_post), optional
        Which synapses exist.
    delay : float or ndarray (n_pre, n_post)
        Transmission delay [ms], rounded to the nearest whole step of the network's ``dt`` (halves up).
    kernel : {'delta', 'exponential', 'alpha'}, optional
        Postsynaptic kernel of these synapses; all projections from excitatory
        (inhibitory) populations must agree (the synapse part filters the two kinds).
    tau : float, optional
        Kernel time constant [ms].
    autapses : bool
        Allow a neuron to synapse onto itself (projections within one population).

    Examples
    --------
    >>> Projection("CTX", ["D1", "D2"], weight=0.05, density=0.2, delay=10.0)
    Projection('CTX' -> ['D1', 'D2'], weight=0.05, density=0.2, delay=10.0)
    """

    def __init__(
        self,
        pre: str,
        post: str | Sequence[str],
        weight: float | np.ndarray | Callable = 1.0,
        *,
        density: float = 1.0,
        fan_out: int | None = None,
        mask: np.ndarray | None = None,
        delay: float | np.ndarray = 0.0,
        kernel: str | None = None,
        tau: float | None = None,
        autapses: bool = True,
    ):
        posts = [post] if isinstance(post, str) else list(post)
        where = f"Projection({pre!r} -> {posts!r})"
        if not isinstance(pre, str) or not posts or not all(isinstance(p, str) for p in posts):
            raise ConfigError(
                f"Projection: expected population names for pre and post; got {pre!r} -> {post!r}."
            )
        if isinstance(density, bool) or not isinstance(density, (int, float)) or not 0 <= density <= 1:
            raise ConfigError(f"{where}.density: expected a float in [0, 1]; got {density!r}.")
        if fan_out is not None and (
            isinstance(fan_out, bool) or not isinstance(fan_out, (int, np.integer)) or fan_out < 0
        ):
            raise ConfigError(f"{where}.fan_out: expected an int >= 0 or None; got {fan_out!r}.")
        if kernel is not None and kernel not in ("delta", "exponential", "alpha"):
            raise ConfigError(
                f"{where}.kernel: expected 'delta', 'exponential', 'alpha' or None; got {kernel!r}."
            )
        if tau is not None and not (isinstance(tau, (int, float)) and tau > 0):
            raise ConfigError(f"{where}.tau: expected a float > 0 [ms] or None; got {tau!r}.")
        if kernel not in (None, "delta") and tau is None:
            raise ConfigError(f"{where}.tau: a {kernel!r} kernel needs a time constant tau [ms].")
        if np.any(np.asarray(delay, dtype=float) < 0) or not np.all(
            np.isfinite(np.asarray(delay, dtype=float))
        ):
            raise ConfigError(f"{where}.delay: expected delays >= 0 [ms]; got {describe_value(delay)}.")
        self.pre, self.post = pre, posts
        self.weight, self.density, self.fan_out, self.mask = weight, float(density), fan_out, mask
        self.delay, self.kernel, self.tau, self.autapses = delay, kernel, tau, bool(autapses)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Projection):
            return NotImplemented
        return _deep_same(vars(self), vars(other))

    __hash__ = None  # mutable spec

    def __repr__(self) -> str:
        w = self.weight if isinstance(self.weight, (int, float)) else type(self.weight).__name__
        out = f"Projection({self.pre!r} -> {self.post!r}, weight={w}"
        if self.density != 1.0:
            out += f", density={self.density}"
        if self.fan_out is not None:
            out += f", fan_out={self.fan_out}"
        if np.any(np.asarray(self.delay) != 0):
            out += f", delay={self.delay if np.ndim(self.delay) == 0 else 'array'}"
        if self.kernel:
            out += f", kernel={self.kernel!r}, tau={self.tau}"
        return out + ")"


# ============================================================================ parts


class Silent(Input):
    """No input spikes: for networks driven by their populations' bias and noise.

    Accepts any game state (``None`` included). ``n_inputs`` defaults to 0.
    """

    NECESSARY_KEYS = Input.extend_keys(
        [
            Key("n_inputs", "Number of input neurons.", int, default=0, constraint=Interval(0, None)),
            Key("magnitude", "Size of an input spike.", float, default=1.0, constraint=Interval(0, None)),
        ]
    )

    def _fire(self) -> np.ndarray:
        return np.zeros(self._n_inputs, dtype=bool)

    def _fire_block(self, n_steps: int) -> np.ndarray:
        return np.zeros((n_steps, self._n_inputs), dtype=bool)


class SpikeCounts(Readout):
    """Action: the number of spikes of each output neuron during the game step.

    Returns an int array of shape ``(n_outputs,)``.
    """

    def __call__(self, output_spike_train: np.ndarray) -> np.ndarray:
        """Spike counts per output neuron."""
        return np.asarray(output_spike_train, dtype=bool).sum(axis=0)


def _merge_key_ok(model: type, key: str) -> bool:
    """Whether ``model`` accepts per-neuron arrays for ``key``."""
    per = getattr(model, "PER_NEURON", None)
    if per is not None:
        return key in per
    for k in model.NECESSARY_KEYS:
        if k.name == key:
            types = k.type if isinstance(k.type, tuple) else (k.type,)
            return np.ndarray in types
    return False


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b)
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:
        return a is b


def _param(p: Population, key: str) -> Any:
    """The value of ``key`` for ``p``: given, else the model's default (None if required)."""
    if key in p.params:
        return p.params[key]
    for k in p.model.NECESSARY_KEYS:
        if k.name == key:
            return None if k.required else k.default
    return None


def _compatible(q: Population, p: Population) -> bool:
    """Whether ``p`` can share ``q``'s model instance (same model; keys equal or per-neuron)."""
    if q.model is not p.model:
        return False
    for k in set(q.params) | set(p.params):
        a, b = _param(q, k), _param(p, k)
        if _same(a, b):
            continue
        if a is None or b is None or callable(a) or callable(b) or not _merge_key_ok(p.model, k):
            return False
    return True


def _groups(pops: list[Population], merge: bool) -> list[list[int]]:
    """Runs of consecutive populations that can share one model instance."""
    out: list[list[int]] = []
    for i, p in enumerate(pops):
        if merge and out and all(_compatible(pops[j], p) for j in out[-1]):
            out[-1].append(i)
        else:
            out.append([i])
    return out


def resolve_population(p: Population, seed: int, shared: Mapping[str, Any] | None = None) -> Population:
    """``p`` with callable parameters drawn and ``shared`` keys (e.g. ``dt``) filled in.

    A callable value ``f(rng, size)`` is drawn from the generator
    ``make_rng(seed, "populations/<name>/<key>")`` (unless the model's key takes callables).
    """
    params = {}
    for k, v in p.params.items():
        if callable(v) and not isinstance(v, (type, np.ndarray)) and not _takes_callable(p.model, k):
            v = np.asarray(v(make_rng(seed, f"populations/{p.name}/{k}"), p.size), dtype=np.float64)
        params[k] = v
    for k, v in (shared or {}).items():
        if k in p.model.key_names() and k not in params:
            params[k] = v
    return Population(
        p.name,
        p.size,
        p.model,
        inhibitory=p.inhibitory,
        bias=p.bias,
        noise=p.noise,
        noise_type=p.noise_type,
        **params,
    )


class PopulationNeurons(NeuronBase):
    """Body neurons made of populations, each run by its own neuron model.

    The neuron protocol of :class:`~spikey.snn.neuron.NeuronBase` over all
    populations, in order: ``neurons()`` concatenates their spikes, ``neurons += I``
    adds each population's ``bias`` and ``noise`` to ``I`` and passes each model its
    slice. Consecutive populations of one model whose keys differ only in values the
    model takes per neuron share one instance (with concatenated per-neuron arrays).
    Polarities come from the populations' ``inhibitory`` flags; each model instance
    gets its own random stream.

    Parameters
    ----------
    **kwargs
        Values for the keys below.

    Attributes
    ----------
    groups : list of (NeuronBase, slice, list of str)
        The model instances, the neurons each runs and the populations in it.
    """

    STATE = ("_group_states", "_nbuf", "_npos")

    NECESSARY_KEYS = NeuronBase.extend_keys(
        [
            Key(
                "populations",
                "Population specs (Population objects or their dicts), in neuron order.",
                list,
            ),
            Key(
                "merge_populations",
                "Let consecutive compatible populations share one model instance.",
                bool,
                default=True,
            ),
        ]
    )

    def __init__(self, **kwargs: Any):
        self.groups: list = []
        super().__init__(**kwargs)
        self._nbuf, self._npos = None, 0
        self._build()

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        pops = [resolve_population(Population.from_dict(p), self._seed) for p in self._populations]
        if not pops:
            raise ConfigError(
                f"{type(self).__name__}.populations: expected at least one population; got none."
            )
        names = [p.name for p in pops]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ConfigError(f"{type(self).__name__}.populations: duplicate population name {dup[0]!r}.")
        total = sum(p.size for p in pops)
        if total != self._n_neurons:
            raise ShapeError(
                f"{type(self).__name__}.n_neurons: expected the sum of the population sizes {total}; "
                f"got {self._n_neurons}."
            )
        self.population_list = pops
        self.slices: dict[str, slice] = {}
        start = 0
        for p in pops:
            self.slices[p.name] = slice(start, start + p.size)
            start += p.size
        self.polarities = np.concatenate([np.full(p.size, -1.0 if p.inhibitory else 1.0) for p in pops])
        self._spike_values = self.polarities * self._magnitude
        self._bias = np.concatenate([np.broadcast_to(p.bias, (p.size,)) for p in pops])
        self._has_bias = bool(np.any(self._bias))
        noise = [np.broadcast_to(p.noise, (p.size,)) for p in pops]
        self._noise_n = np.concatenate(
            [n if p.noise_type == "normal" else 0 * n for n, p in zip(noise, pops)]
        )
        self._noise_u = np.concatenate(
            [n if p.noise_type == "uniform" else 0 * n for n, p in zip(noise, pops)]
        )
        self._has_noise_n = bool(np.any(self._noise_n))
        self._has_noise_u = bool(np.any(self._noise_u))
        self.groups = []
        for run in _groups(pops, self._merge_populations):
            members = [pops[i] for i in run]
            sl = slice(self.slices[members[0].name].start, self.slices[members[-1].name].stop)
            size = sl.stop - sl.start
            params: dict[str, Any] = {}
            for k in set().union(*(m.params for m in members)):
                values = [_param(m, k) for m in members]
                if all(_same(values[0], v) for v in values[1:]):
                    params[k] = values[0]
                else:
                    params[k] = np.concatenate(
                        [
                            np.broadcast_to(np.asarray(v, dtype=np.float64), (m.size,))
                            for v, m in zip(values, members)
                        ]
                    )
            model = members[0].model
            stream = f"{self.rng_stream}/{members[0].name}"
            instance = model(
                **params,
                n_neurons=size,
                magnitude=self._magnitude,
                polarities=self.polarities[sl].copy(),
                seed=self._seed,
            )
            instance.seed(self._seed, stream=stream)
            instance.train(self.training)
            self.groups.append((instance, sl, [m.name for m in members]))
        self._single = len(self.groups) == 1

    def _params_changed(self, names: set[str]) -> None:
        if names & {"populations", "merge_populations", "n_neurons"}:
            self._build()
        elif "magnitude" in names:
            self._spike_values = self.polarities * self._magnitude
            for g, _, _ in self.groups:
                g.set_params(magnitude=self._magnitude)

    def seed(self, seed: int | None = None, stream: str | None = None) -> int:
        """(Re)seed this part and each model instance (own stream per instance)."""
        out = super().seed(seed, stream)
        self._nbuf, self._npos = None, 0
        for g, _, names in getattr(self, "groups", []):
            g.seed(self._seed, stream=f"{self.rng_stream}/{names[0]}")
        return out

    def train(self, mode: bool = True) -> PopulationNeurons:
        """Switch learning on or off here and in every model instance."""
        super().train(mode)
        for g, _, _ in getattr(self, "groups", []):
            g.train(mode)
        return self

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Reset every model instance."""
        for g, _, _ in self.groups:
            g.reset()
        self._nbuf, self._npos = None, 0

    @property
    def _group_states(self) -> list:
        return [g.state_dict() for g, _, _ in self.groups]

    @_group_states.setter
    def _group_states(self, states: list) -> None:
        if states is None:
            return
        for (g, _, _), s in zip(self.groups, states):
            g.load_state_dict(s)

    @property
    def potentials(self) -> np.ndarray | None:
        """Membrane potentials of all neurons, (n_neurons,) (None before reset)."""
        if not self.groups:
            return None
        if self._single:
            return self.groups[0][0].potentials
        parts = [g.potentials for g, _, _ in self.groups]
        if any(p is None for p in parts):
            return None
        return np.concatenate(parts)

    @potentials.setter
    def potentials(self, value: Any) -> None:
        if value is None or not self.groups:
            return
        value = np.asarray(value, dtype=np.float64)
        for g, sl, _ in self.groups:
            g.potentials = value[sl].copy()

    def state_variable(self, name: str) -> np.ndarray:
        """State variable ``name`` of all neurons, (n_neurons,); NaN for neurons whose
        model lacks it. ``'v'`` is the membrane potential."""
        attr = "potentials" if name == "v" else name
        parts = []
        found = False
        for g, sl, _ in self.groups:
            x = getattr(g, attr, None)
            if isinstance(x, np.ndarray) and x.shape == (sl.stop - sl.start,):
                parts.append(x.astype(np.float64, copy=False))
                found = True
            else:
                parts.append(np.full(sl.stop - sl.start, np.nan))
        if not found:
            models = sorted({type(g).__name__ for g, _, _ in self.groups})
            raise ConfigError(
                f"{type(self).__name__}: no population model ({', '.join(models)}) has a state {name!r}."
            )
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    # ------------------------------------------------------------------ protocol
    def _normals(self, n: int) -> np.ndarray:
        buf, pos = self._nbuf, self._npos
        if buf is None or pos >= len(buf) or buf.shape[1] != n:
            buf = self._nbuf = self.rng.standard_normal((self.RANDOM_BLOCK, n))
            pos = 0
        self._npos = pos + 1
        return buf[pos]

    def __call__(self) -> np.ndarray:
        """Spikes of all populations this step, (n_neurons,) floats."""
        if self._single:
            return self.groups[0][0]()
        return np.concatenate([g() for g, _, _ in self.groups])

    def update(self, incoming_v: np.ndarray) -> None:
        """Add bias and noise to the input and advance every population one step."""
        n = self._n_neurons
        current = incoming_v
        if np.ndim(current) == 0 or np.shape(current) != (n,):
            current = np.broadcast_to(np.asarray(current, dtype=np.float64), (n,))
        if self._has_noise_n:
            current = current + self._noise_n * self._normals(n)
        if self._has_noise_u:
            current = current + self._noise_u * (self._uniforms(n) - 0.5)
        if self._has_bias:
            current = current + self._bias
        if current is incoming_v or not current.flags.writeable:
            current = np.array(current, dtype=np.float64)
        self.last_input = current
        if self._single:
            self.groups[0][0].update(current)
            return
        for g, sl, _ in self.groups:
            g.update(current[sl])

    # ------------------------------------------------------------------ compiled engine
    #: The Python step methods that :meth:`_numba_kernel` stands in for on the compiled engine.
    KERNEL_REPLACES = ("__call__", "update", "_normals", "_uniforms")

    def kernel_groups(self) -> list[tuple[str, NeuronBase]]:
        """The model instances the compiled engine runs, labelled by their populations."""
        return [(f"populations {names}", g) for g, _, names in self.groups]

    def _noise_buffers(self) -> tuple[tuple[np.ndarray, ...], np.ndarray, Any]:
        """State of :func:`population_input` for a tick: the noise block buffers of
        :meth:`_normals` and :meth:`_uniforms`, which the kernel consumes and refills
        from ``self.rng`` exactly as ``update`` would (each step a row of normals, then
        a row of uniforms; an empty block refilled with ``RANDOM_BLOCK`` rows), and the
        ``finish`` that writes them back.

        Per noise kind: the rows left in the current block (a copy, ``(k, n)``) and a
        new block ``(RANDOM_BLOCK, n)`` that the kernel fills when those run out;
        ``pos`` holds ``[old row, new row, new block filled]`` per kind. A kind that is
        off gets ``(0, 0)`` arrays.
        """
        n = self._n_neurons
        empty = np.zeros((0, 0))
        arrays: list[np.ndarray] = []
        pos = np.zeros(6, dtype=np.int64)
        kinds = []
        for k, (on, buf_name, pos_name) in enumerate(
            ((self._has_noise_n, "_nbuf", "_npos"), (self._has_noise_u, "_ubuf", "_upos"))
        ):
            if not on:
                arrays += [empty, empty]
                continue
            buf, at = getattr(self, buf_name, None), int(getattr(self, pos_name, 0) or 0)
            usable = isinstance(buf, np.ndarray) and buf.ndim == 2 and buf.shape[1] == n and at < len(buf)
            old = np.array(buf[at:], dtype=np.float64, order="C") if usable else np.zeros((0, n))
            block = max(int(self.RANDOM_BLOCK), 1)
            arrays += [old, np.empty((block, n))]
            pos[3 * k + 1] = block  # the new block starts empty
            kinds.append((k, buf_name, pos_name, at, arrays[-1]))

        def finish() -> None:
            for k, buf_name, pos_name, at, new in kinds:
                if pos[3 * k + 2]:
                    setattr(self, buf_name, new)
                    setattr(self, pos_name, int(pos[3 * k + 1]))
                elif pos[3 * k]:
                    setattr(self, pos_name, at + int(pos[3 * k]))

        return tuple(arrays), pos, finish

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """Each model instance's kernel on its slice, after :func:`population_input`
        (bias and noise), composed into one neurons kernel
        (:func:`~spikey.snn.engine.compiled.compose_neuron_groups`)."""
        from spikey.snn.engine.compiled import compose_neuron_groups

        groups = []
        for g, sl, names in self.groups:
            owner, overridden = kernel_owner(type(g))
            if owner is None or overridden is not None:
                why = "has no compiled kernel" if owner is None else f"{overridden}() has no compiled kernel"
                raise ConfigError(
                    f"{type(self).__name__}: the model of populations {names} ({type(g).__name__}) {why}; "
                    "use engine='reference'."
                )
            groups.append((sl, g._numba_kernel(n_steps, network, state)))
        n = self._n_neurons
        x = getattr(self, "_kernel_input", None)
        if not isinstance(x, np.ndarray) or x.shape != (n,):
            x = self._kernel_input = np.zeros(n)
        self.last_input = x
        buffers, pos, finish = self._noise_buffers()
        prepare = PartKernel(
            {"prepare": population_input},
            params=(
                self._has_noise_n,
                self._has_noise_u,
                self._has_bias,
                self._noise_n,
                self._noise_u,
                self._bias,
                self.rng,
            ),
            state=buffers + (pos,),
            finish=finish,
        )
        return compose_neuron_groups(groups, prepare, x)


@compiled_kernel
def population_input(P, S, R, t, current, x):  # noqa: N803 - kernel signature
    """The populations' input of step ``t`` into ``x`` (see ``PopulationNeurons.update``):
    the synaptic current plus normal noise, uniform noise and bias, in that order.

    The noise rows come from the block buffers of :meth:`PopulationNeurons._noise_buffers`
    (``S``), refilled from the part's generator ``P[6]`` in the reference's order."""
    has_normal, has_uniform, has_bias, noise_n, noise_u, bias, gen = P
    n_old, n_new, u_old, u_new, pos = S
    src_n, r_n = n_new, 0
    src_u, r_u = u_new, 0
    if has_normal:
        src_n, r_n = _noise_row(gen, n_old, n_new, pos, 0, False)
    if has_uniform:
        src_u, r_u = _noise_row(gen, u_old, u_new, pos, 3, True)
    for i in range(x.shape[0]):
        c = current[i]
        if has_normal:
            c = c + noise_n[i] * src_n[r_n, i]
        if has_uniform:
            c = c + noise_u[i] * (src_u[r_u, i] - 0.5)
        if has_bias:
            c = c + bias[i]
        x[i] = c


@compiled_helper
def _noise_row(gen, old, new, pos, k, uniform):  # noqa: N803 - kernel signature
    """(block, row) of this step's noise (``_normals`` / ``_uniforms``): the rows left
    in the old block, then the new block, refilled in C order when it runs out
    (the numbers of ``rng.standard_normal`` / ``rng.random`` of shape ``new.shape``)."""
    if pos[k] < old.shape[0]:
        r = pos[k]
        pos[k] = r + 1
        return old, r
    if pos[k + 1] >= new.shape[0]:
        for a in range(new.shape[0]):
            for b in range(new.shape[1]):
                new[a, b] = gen.random() if uniform else gen.standard_normal()
        pos[k + 1] = 0
        pos[k + 2] = 1
    r = pos[k + 1]
    pos[k + 1] = r + 1
    return new, r


# ============================================================================ network


def _pop_specs(value: Any) -> list[Population]:
    if not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"PopulationNetwork.populations: expected a list of Population; got {describe_value(value)}."
        )
    return [Population.from_dict(p) for p in value]


def _draw_projection(
    proj: Projection, post: str, n_pre: int, n_post: int, same: bool, rng: np.random.Generator, where: str
) -> tuple[np.ndarray, np.ndarray | float]:
    """(existence mask, weight magnitudes) of one pre -> post block."""
    shape = (n_pre, n_post)
    if proj.mask is not None:
        mask = np.asarray(proj.mask)
        if mask.shape != shape:
            raise ShapeError(f"{where}.mask: expected shape {shape}; got {mask.shape}.")
        mask = mask.astype(bool)
    elif proj.fan_out is not None:
        k = proj.fan_out
        allowed = n_post - (1 if same and not proj.autapses else 0)
        if k > allowed:
            raise ConfigError(f"{where}.fan_out: expected at most {allowed} targets; got {k}.")
        keys = rng.random(shape)
        if same and not proj.autapses:
            keys[np.arange(n_pre), np.arange(n_pre)] = np.inf
        order = np.argsort(keys, axis=1)[:, :k]
        mask = np.zeros(shape, dtype=bool)
        np.put_along_axis(mask, order, True, axis=1)
    elif proj.density >= 1.0:
        mask = np.ones(shape, dtype=bool)
    else:
        mask = rng.random(shape) < proj.density
    if same and not proj.autapses:
        mask[np.arange(n_pre), np.arange(n_pre)] = False
    w = proj.weight
    if callable(w) and not isinstance(w, np.ndarray):
        w = np.asarray(w(rng, shape), dtype=np.float64)
        if w.shape != shape:
            raise ShapeError(
                f"{where}.weight: expected f(rng, shape) to return shape {shape}; got {w.shape}."
            )
    elif np.ndim(w) == 0:
        w = float(w)
    else:
        w = np.asarray(w, dtype=np.float64)
        if w.shape != shape:
            raise ShapeError(f"{where}.weight: expected a float or an array of shape {shape}; got {w.shape}.")
    if not np.all(np.isfinite(w)):
        raise ConfigError(f"{where}.weight: expected finite weights; got {describe_value(w)}.")
    return mask, w


class PopulationNetwork(Network):
    """A :class:`~spikey.snn.network.Network` described by populations and projections.

    Parameters
    ----------
    callback, game, strict
        As for :class:`~spikey.snn.network.Network`.
    **kwargs
        Parts and keys. ``populations`` and ``projections`` describe the body; the keys
        ``n_neurons``, ``n_outputs`` (with ``outputs``), ``matrix``, ``matrix_mask``,
        ``max_weight`` (if not given), ``delays`` and the kernel keys of the synapse
        part are derived from them. Parts default to :class:`Silent` inputs,
        :class:`PopulationNeurons`, :class:`~spikey.snn.weight.Manual` weights,
        :class:`~spikey.snn.synapse.StaticSynapse` and a :class:`SpikeCounts` readout.

    Notes
    -----
    Neuron order is the order of ``populations``, except that the ``outputs``
    population (read by the readout) is moved to the end, as the readout reads the
    last ``n_outputs`` neurons. Use :meth:`slice` rather than fixed indices. Delays in
    ms become the nearest whole number of steps (halves up); a delay of 0 steps is the engine's own
    one-step transmission (a spike at step t drives the integration of step t).

    Attributes
    ----------
    population_list : list of Population
        The populations in neuron order (random parameters drawn).
    slices : dict of str -> slice
        Body-neuron indices of each population.
    """

    NECESSARY_KEYS = Network.extend_keys(
        [
            Key("n_inputs", "Number of input neurons.", int, default=0, constraint=Interval(0, None)),
            Key(
                "n_outputs",
                "Number of output neurons (derived from outputs when given).",
                int,
                default=None,
                constraint=Interval(0, None),
            ),
            Key(
                "n_neurons",
                "Number of body neurons (derived from populations).",
                int,
                default=None,
                constraint=Interval(1, None),
            ),
            Key("populations", "Population specs, in neuron order.", list),
            Key("projections", "Projection specs.", list, default=None),
            Key("outputs", "Name of the population the readout reads (moved last).", str, default=None),
            Key(
                "dt",
                "Length of a network step.",
                float,
                1.0,
                constraint=Interval(0, None, low_closed=False),
                units="ms",
            ),
        ]
    )
    parts = {
        "inputs": Silent,
        "neurons": PopulationNeurons,
        "weights": Manual,
        "synapses": StaticSynapse,
        "readout": SpikeCounts,
    }

    def __init__(self, callback: Any = None, game: Any = None, *, strict: bool = False, **kwargs: Any):
        cls_keys = dict(getattr(type(self), "keys", None) or {})
        cfg = {**cls_keys, **kwargs}
        if cfg.get("seed") is None:
            kwargs["seed"] = fresh_seed()
        seed = int(kwargs.get("seed", cfg.get("seed")))
        parts = dict(getattr(type(self), "parts", None) or {})
        parts.update({k: v for k, v in kwargs.items() if k in self.part_names})
        derived = self._describe(cfg, seed, parts)
        for key, value in derived.items():
            kwargs[key] = value
        super().__init__(callback, game, strict=strict, **kwargs)

    # ------------------------------------------------------------------ description
    def _describe(self, cfg: dict, seed: int, parts: dict) -> dict[str, Any]:
        """Derived keys: body size, outputs, weights, mask, delays, kernels."""
        name = type(self).__name__
        if "populations" not in cfg:
            raise ConfigError(f"{name}: missing required key 'populations' (a list of Population).")
        pops = _pop_specs(cfg["populations"])
        dt = float(cfg.get("dt", 1.0))
        outputs = cfg.get("outputs")
        names = [p.name for p in pops]
        if outputs is not None:
            if outputs not in names:
                raise ConfigError(
                    f"{name}.outputs: no population {outputs!r}{suggest(str(outputs), names)}; populations are {names}."
                )
            pops = [p for p in pops if p.name != outputs] + [p for p in pops if p.name == outputs]
        pops = [resolve_population(p, seed, {"dt": dt}) for p in pops]
        n_in = int(cfg.get("n_inputs", 0) or 0)
        n = sum(p.size for p in pops)
        if cfg.get("n_neurons") is not None and int(cfg["n_neurons"]) != n:
            raise ShapeError(
                f"{name}.n_neurons: expected the sum of the population sizes {n}; got {cfg['n_neurons']}."
            )
        offsets = {INPUTS: (0, n_in)}
        start = n_in
        for p in pops:
            offsets[p.name] = (start, start + p.size)
            start += p.size
        inhibitory = {p.name: p.inhibitory for p in pops}
        matrix = np.zeros((n_in + n, n))
        mask = np.zeros((n_in + n, n), dtype=bool)
        delays = np.zeros((n_in + n, n), dtype=np.int32)
        kernels: dict[str, tuple[str, float | None, str]] = {}
        stored = []
        for i, proj in enumerate(cfg.get("projections") or []):
            if isinstance(proj, Mapping):
                proj = Projection(**proj)
            if not isinstance(proj, Projection):
                raise ConfigError(
                    f"{name}.projections: expected Projection objects; got {describe_value(proj)}."
                )
            if proj.pre not in offsets:
                raise ConfigError(
                    f"{name}.projections[{i}]: no population {proj.pre!r}{suggest(proj.pre, offsets)}; "
                    f"sources are {list(offsets)}."
                )
            for post in proj.post:
                where = f"{name}.projections[{i}] ({proj.pre} -> {post})"
                if post not in offsets or post == INPUTS:
                    raise ConfigError(
                        f"{where}: no population {post!r}{suggest(post, names)}; populations are {names}."
                    )
                r0, r1 = offsets[proj.pre]
                c0, c1 = offsets[post]
                c0, c1 = c0 - n_in, c1 - n_in
                if mask[r0:r1, c0:c1].any():
                    raise ConfigError(
                        f"{where}: overlaps an earlier projection between the same populations."
                    )
                rng = make_rng(seed, f"projections/{proj.pre}/{post}")
                m, w = _draw_projection(proj, post, r1 - r0, c1 - c0, proj.pre == post, rng, where)
                w_arr = np.asarray(w, dtype=np.float64)
                if np.any(w_arr < 0) and proj.pre != INPUTS and not inhibitory[proj.pre]:
                    raise ConfigError(
                        f"{where}.weight: negative weights need an inhibitory presynaptic population; "
                        f"weights are magnitudes and signs come from the source (set inhibitory=True on "
                        f"{proj.pre!r}); got minimum {float(w_arr.min()):g}."
                    )
                matrix[r0:r1, c0:c1] = np.where(m, np.abs(w_arr), 0.0)
                mask[r0:r1, c0:c1] = m
                d = np.asarray(proj.delay, dtype=np.float64)
                if d.ndim and d.shape != (r1 - r0, c1 - c0):
                    raise ShapeError(
                        f"{where}.delay: expected a float or shape {(r1 - r0, c1 - c0)}; got {d.shape}."
                    )
                delays[r0:r1, c0:c1] = np.floor(d / dt + 0.5 + 1e-9).astype(np.int32)  # halves up
                if proj.kernel is not None:
                    kind = "inputs" if proj.pre == INPUTS else ("inh" if inhibitory[proj.pre] else "exc")
                    for channel in ("exc", "inh") if kind == "inputs" else (kind,):
                        spec = (proj.kernel, proj.tau, where)
                        old = kernels.setdefault(channel, spec)
                        if old[:2] != spec[:2]:
                            kind_name = "excitatory" if channel == "exc" else "inhibitory"
                            raise ConfigError(
                                f"{where}.kernel: {proj.kernel!r} (tau {proj.tau}) differs from "
                                f"{old[0]!r} (tau {old[1]}) of {old[2]}; all {kind_name} projections "
                                "share one kernel in the synapse part."
                            )
                stored.append(
                    {
                        "pre": proj.pre,
                        "post": post,
                        "weight": w,
                        "mask": None
                        if (
                            proj.mask is None
                            and proj.density >= 1.0
                            and proj.fan_out is None
                            and proj.autapses
                        )
                        else m,
                        "delay": proj.delay,
                        "kernel": proj.kernel,
                        "tau": proj.tau,
                        "autapses": proj.autapses,
                    }
                )
        out: dict[str, Any] = {
            "populations": [p.to_dict() for p in pops],
            "projections": stored,
            "n_neurons": n,
            "n_inputs": n_in,
            "matrix": matrix,
            "matrix_mask": mask,
        }
        if outputs is not None:
            out["n_outputs"] = pops[-1].size
        elif cfg.get("n_outputs") is None:
            out["n_outputs"] = 0
        if cfg.get("max_weight") is None:
            top = float(matrix.max(initial=0.0))
            out["max_weight"] = top if top > 0 else 1.0
        syn = parts.get("synapses")
        weights_cls = parts.get("weights")
        if not (isinstance(weights_cls, type) and issubclass(weights_cls, Manual)):
            raise ConfigError(
                f"{name}.weights: expected spikey.weight.Manual (or a subclass): the projections build the "
                f"weight matrix; got {weights_cls!r}."
            )
        syn_keys = set(syn.key_names()) if isinstance(syn, type) and hasattr(syn, "key_names") else set()
        if delays.any():
            if "delays" not in syn_keys:
                raise ConfigError(
                    f"{name}.projections: delays need a synapse part with a 'delays' key (e.g. "
                    f"spikey.synapse.StaticSynapse); got {getattr(syn, '__name__', syn)!r}."
                )
            out["delays"] = delays
        elif "delays" in syn_keys and "delays" not in cfg:
            out["delays"] = 0
        for channel, (kernel, tau, where) in kernels.items():
            if f"kernel_{channel}" not in syn_keys:
                raise ConfigError(
                    f"{where}.kernel: kernels need a synapse part with kernel keys (e.g. "
                    f"spikey.synapse.StaticSynapse); got {getattr(syn, '__name__', syn)!r}."
                )
            out[f"kernel_{channel}"] = kernel
            if tau is not None:
                out[f"tau_{channel}"] = float(tau)
        if "dt" in syn_keys:
            out["dt"] = dt
        return out

    def _build_parts(self, parts: dict) -> None:
        super()._build_parts(parts)
        attach = getattr(self.synapses, "attach", None)
        if callable(attach):
            attach(self)
        neurons = self.neurons
        self.population_list = list(getattr(neurons, "population_list", []))
        self.slices = dict(getattr(neurons, "slices", {}))

    # ------------------------------------------------------------------ access
    @property
    def population_names(self) -> list[str]:
        """Population names in neuron order."""
        return [p.name for p in self.population_list]

    def slice(self, population: str) -> slice:
        """Body-neuron indices of ``population`` (columns of the weight matrix)."""
        try:
            return self.slices[population]
        except KeyError:
            raise ConfigError(
                f"{type(self).__name__}: no population {population!r}{suggest(population, self.slices)}; "
                f"populations are {self.population_names}."
            ) from None

    def rows(self, population: str) -> slice:
        """Presynaptic indices of ``population`` (rows of the weight matrix, spike log columns)."""
        if population == INPUTS:
            return slice(0, self._n_inputs)
        s = self.slice(population)
        return slice(s.start + self._n_inputs, s.stop + self._n_inputs)

    def spikes(self, population: str) -> np.ndarray:
        """Spikes of ``population`` in the last game step, bool (processing_time, size)."""
        if self.spike_log is None:
            raise ConfigError(f"{type(self).__name__}.spikes: no game step has run yet; call tick() first.")
        return self.spike_log[:, self.rows(population)]

    def rates(self) -> dict[str, float]:
        """Mean firing rate [Hz] of each population in the last game step."""
        dt = float(self._params.get("dt", 1.0))
        return {p: float(self.spikes(p).mean()) * 1000.0 / dt for p in self.population_names}


def _takes_callable(model: type, key: str) -> bool:
    """Whether ``model``'s key ``key`` accepts a callable value (then it is not drawn)."""
    for k in model.NECESSARY_KEYS:
        if k.name == key:
            types = k.type if isinstance(k.type, tuple) else (k.type,)
            return callable in types
    return False


def build_network(
    populations: Iterable[Population],
    projections: Iterable[Projection] = (),
    *,
    network: type = PopulationNetwork,
    **kwargs: Any,
) -> PopulationNetwork:
    """Build a :class:`PopulationNetwork` (or ``network`` subclass) from specs.

    Parameters
    ----------
    populations : iterable of Population
    projections : iterable of Projection
    network : type
        Network class (a :class:`PopulationNetwork` subclass, e.g. with a rewarder).
    **kwargs
        Parts and keys (``processing_time``, ``seed``, ``dt``, ``inputs``, ...).
    """
    return network(populations=list(populations), projections=list(projections), **kwargs)
