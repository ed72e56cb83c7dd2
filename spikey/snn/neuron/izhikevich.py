"""Izhikevich (2003) simple spiking neurons, and the base of spikey's ODE neuron models."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from spikey.errors import ConfigError, ShapeError
from spikey.module import Interval, Key, OneOf, describe_value
from spikey.snn.engine.kernel import PartKernel, kernel
from spikey.snn.neuron.template import NeuronBase

__all__ = ["Izhikevich", "IZHIKEVICH_PRESETS"]

_POSITIVE = Interval(0, None, low_closed=False)
_NONNEG = Interval(0, None)
_PER_NEURON_TYPE = (float, np.ndarray)


def per_neuron_key(name: str, description: str, default: Any, *, units: str | None = None, constraint=None):
    """A key taking a float or an array with one value per neuron (shape ``(n_neurons,)``)."""
    return Key(
        name,
        description + " A float, or an array of shape (n_neurons,) for a heterogeneous population.",
        _PER_NEURON_TYPE,
        default=default,
        constraint=constraint,
        units=units,
    )


class _PerNeuronBase(NeuronBase):
    """Base of spikey's neuron models with per-neuron parameters (not a stock part).

    Adds to :class:`~spikey.snn.neuron.NeuronBase`:

    - per-neuron parameters: keys named in ``PER_NEURON`` take a float or an array of
      shape ``(n_neurons,)``; shapes are checked at construction and in
      :meth:`set_params` (a wrong shape raises :class:`~spikey.errors.ShapeError`, a
      :class:`~spikey.errors.ConfigError`, and changes nothing). The resolved values
      (floats, or float64 arrays of shape ``(n_neurons,)``) are in ``self._pv``;
    - the spike protocol: :meth:`update` advances one step and records in ``self.fired``
      which neurons spiked; ``neurons()`` returns those spikes (so a spike caused by
      step ``t`` is reported by the ``neurons()`` call of step ``t + 1``, as for
      :class:`~spikey.snn.neuron.Neuron`).

    Subclasses implement :meth:`_resolve` (derived values, hook), :meth:`reset` and
    :meth:`update` (which must set ``self.fired``).
    """

    STATE: tuple[str, ...] = ("potentials", "fired")
    #: Keys that may hold one value per neuron.
    PER_NEURON: tuple[str, ...] = ()
    #: Key holding the potential drawn at a spike by :func:`~spikey.snn.neuron.simulate`
    #: (for models whose reset hides the spike peak), or None.
    SPIKE_PEAK_KEY: str | None = None

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._pv: dict[str, Any] = {}
        self._resolve_params()
        self.fired = None

    # ------------------------------------------------------------ per-neuron values
    def _per_neuron(self, name: str, value: Any, n: int | None = None) -> Any:
        """``value`` as a float or a float64 array of shape ``(n,)``; ShapeError otherwise."""
        n = self._n_neurons if n is None else n
        if value is None or isinstance(value, str):
            return value
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim == 0:
            return float(arr)
        if arr.shape != (n,):
            raise ShapeError(
                f"{self._owner()}.{name}: expected a float or an array of shape ({n},) (one value per "
                f"neuron); got {describe_value(value)} with shape {arr.shape}."
            )
        return arr.copy()

    def _resolve_params(self) -> None:
        self._pv = {name: self._per_neuron(name, getattr(self, "_" + name)) for name in self.PER_NEURON}
        self._kernel_cache: dict[tuple[str, ...], tuple[np.ndarray, ...]] = {}
        self._resolve()

    def _resolve(self) -> None:
        """Derive model values from ``self._pv`` (hook); may raise ConfigError."""

    def set_params(self, **params: Any) -> _PerNeuronBase:
        """Validate and set keys by name; per-neuron shapes are checked before any change."""
        keys = {k.name: k for k in type(self).NECESSARY_KEYS}
        n = params.get("n_neurons", self._n_neurons)
        n = n if isinstance(n, (int, np.integer)) and not isinstance(n, bool) else self._n_neurons
        for name in self.PER_NEURON:
            if name in params and name in keys:
                self._per_neuron(name, keys[name].validate(params[name], owner=self._owner()), int(n))
        old = self.get_params()
        super().set_params(**params)
        try:
            self._resolve_params()
        except Exception:
            for name, value in old.items():
                setattr(self, "_" + name, value)
            self._resolve_params()
            raise
        return self

    def _full(self, name: str) -> np.ndarray:
        """Per-neuron value ``name`` as a new float64 array of shape ``(n_neurons,)``."""
        return np.broadcast_to(np.asarray(self._pv[name], dtype=np.float64), (self._n_neurons,)).copy()

    def _input(self, incoming_v: np.ndarray | float) -> np.ndarray:
        """The input as float64 of shape ``(n_neurons,)``; ShapeError otherwise."""
        x = np.asarray(incoming_v, dtype=np.float64)
        if x.shape not in ((), (self._n_neurons,)):
            raise ShapeError(
                f"{self._owner()}: input must be a float or have shape ({self._n_neurons},); got shape {x.shape}."
            )
        return np.broadcast_to(x, (self._n_neurons,))

    # ------------------------------------------------------------ protocol
    def reset(self) -> None:
        """Initial state; no neuron has spiked."""
        self.fired = np.zeros(self._n_neurons, dtype=bool)
        self._spike_values = self.polarities * self._magnitude

    def __call__(self) -> np.ndarray:
        """Spikes of the neurons that fired in the last :meth:`update`.

        Returns
        -------
        ndarray, shape (n_neurons,), float
            ``magnitude * polarity`` where a neuron spiked, else 0.
        """
        return self.fired * self._spike_values

    # ------------------------------------------------------------ compiled engine
    #: The Python step methods that the model's kernel stands in for on the compiled engine.
    KERNEL_REPLACES: tuple[str, ...] = ("__call__", "update", "_step")

    def _kernel_values(self, *names: str) -> tuple[np.ndarray, ...]:
        """Values for a kernel, each a float64 array of shape ``(n_neurons,)``.

        A name is a per-neuron key (from ``self._pv``) or an attribute derived from the
        keys in :meth:`_resolve` (e.g. ``"_decay_m"``). Cached until the keys change.
        """
        out = self._kernel_cache.get(names)
        n = self._n_neurons
        if out is None or out[0].shape != (n,):
            out = tuple(
                np.ascontiguousarray(
                    np.broadcast_to(
                        np.asarray(self._pv[k] if k in self._pv else getattr(self, k), dtype=np.float64), (n,)
                    )
                )
                for k in names
            )
            self._kernel_cache[names] = out
        return out

    def _kernel_state(self, *names: str) -> tuple[np.ndarray, ...]:
        """The state arrays a kernel changes in place (the part's own, so ``state_dict``,
        ``copy`` and monitors see the result); ``fired`` is bool, the others float64.

        Raises
        ------
        ConfigError
            When a state is missing or has the wrong shape (e.g. before ``reset()``).
        """
        n = self._n_neurons
        out = []
        for name in names:
            value = getattr(self, name, None)
            dtype = np.bool_ if name == "fired" else np.float64
            if not isinstance(value, np.ndarray) or value.shape != (n,):
                raise ConfigError(
                    f"{self._owner()}.{name}: expected an array of shape ({n},) (call reset() before "
                    f"running the network); got {describe_value(value)}."
                )
            if value.dtype != dtype or not value.flags.c_contiguous or not value.flags.writeable:
                value = np.array(value, dtype=dtype)
                setattr(self, name, value)
            out.append(value)
        return tuple(out)


class _ODENeuron(_PerNeuronBase):
    """Base of the neuron models integrated in time (not a stock part).

    Adds a ``dt`` key (the length of one step in ms: one ``neurons += I`` call) and an
    ``i_ext`` key (a constant current added to the input of every step) to
    :class:`_PerNeuronBase`. Subclasses implement :meth:`_step`: one step with the total
    input current, returning the bool spike array.
    """

    PER_NEURON: tuple[str, ...] = ("i_ext",)

    NECESSARY_KEYS = _PerNeuronBase.extend_keys(
        [
            Key(
                "dt",
                "Integration time step: the length of one step.",
                float,
                1.0,
                constraint=_POSITIVE,
                units="ms",
            ),
            per_neuron_key("i_ext", "Constant external current added to the input of every step.", 0.0),
        ]
    )

    def update(self, incoming_v: np.ndarray | float) -> None:
        """Advance one step of ``dt`` ms with input current ``incoming_v`` (+ ``i_ext``).

        Parameters
        ----------
        incoming_v : ndarray, shape (n_neurons,), or float
            Input current, held constant over the step (units: see the model).
        """
        self.fired = self._step(self._input(incoming_v) + self._pv["i_ext"])

    def _step(self, current: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        """Integrate one step with ``current`` (n_neurons,); return the bool spikes."""
        raise NotImplementedError


#: Izhikevich (2003) parameter sets ``(a, b, c, d)`` by cortical/thalamic cell class.
IZHIKEVICH_PRESETS: Mapping[str, tuple[float, float, float, float]] = MappingProxyType(
    {
        "RS": (0.02, 0.2, -65.0, 8.0),  # regular spiking
        "IB": (0.02, 0.2, -55.0, 4.0),  # intrinsically bursting
        "CH": (0.02, 0.2, -50.0, 2.0),  # chattering
        "FS": (0.1, 0.2, -65.0, 2.0),  # fast spiking
        "LTS": (0.02, 0.25, -65.0, 2.0),  # low-threshold spiking
        "TC": (0.02, 0.25, -65.0, 0.05),  # thalamo-cortical
        "RZ": (0.1, 0.26, -65.0, 2.0),  # resonator
    }
)


class Izhikevich(_ODENeuron):
    """Izhikevich's simple model: a quadratic potential and a recovery variable.

    Each ``neurons += I`` integrates one step of ``dt`` ms: the potential ``v`` with
    ``n_substeps`` forward-Euler sub-steps of ``dt / n_substeps``, then the recovery
    ``u`` with one Euler step using the new ``v``. A neuron with ``v >= v_peak`` spikes
    (reported by the next ``neurons()``) and is reset: ``v <- c``, ``u <- u + d``.

    The defaults (``dt = 1`` ms, ``n_substeps = 2``) are the scheme of the paper's
    network script, so its parameters and input currents carry over unchanged. For a
    more accurate integration use e.g. ``dt = 0.1`` and ``n_substeps = 1``; the mean
    rate under the same input differs between the schemes by a few Hz.

    Parameters
    ----------
    **kwargs
        Values for the keys below (a part ignores keys it does not declare: a network shares one configuration among its parts and warns about a key no part claims). ``a``, ``b``, ``c``, ``d``
        default to the values of ``preset``; each may be a float or an array of shape
        ``(n_neurons,)``.

    Attributes
    ----------
    potentials : ndarray, shape (n_neurons,)
        Membrane potential ``v`` [mV] (``c`` after a spike).
    u : ndarray, shape (n_neurons,)
        Recovery variable [mV/ms units of the paper].
    fired : ndarray of bool, shape (n_neurons,)
        Neurons that spiked in the last step.

    Notes
    -----
    .. math::

        \\frac{dv}{dt} &= 0.04 v^2 + 5 v + 140 - u + I, \\\\
        \\frac{du}{dt} &= a (b v - u), \\\\
        v \\ge v_{peak}: &\\quad v \\leftarrow c, \\; u \\leftarrow u + d.

    Units: time in ms, ``v`` and ``c`` in mV; ``I``, ``u`` and ``d`` are in the
    paper's (dimensionless) current units, where ``I = 10`` drives a regular-spiking
    cell at about 20 Hz. ``i_ext`` is added to the input
    of every step. Initially ``v = v_init`` and ``u = b v_init``.

    Presets (``preset`` key, or :meth:`from_preset`), ``(a, b, c, d)``:
    RS (0.02, 0.2, -65, 8), IB (0.02, 0.2, -55, 4), CH (0.02, 0.2, -50, 2),
    FS (0.1, 0.2, -65, 2), LTS (0.02, 0.25, -65, 2), TC (0.02, 0.25, -65, 0.05),
    RZ (0.1, 0.26, -65, 2).

    References
    ----------
    .. [1] E. M. Izhikevich, "Simple model of spiking neurons", IEEE Transactions on
       Neural Networks 14(6):1569-1572, 2003.

    Examples
    --------
    >>> from spikey.snn.neuron import Izhikevich
    >>> neurons = Izhikevich(n_neurons=2, preset="RS", seed=0)
    >>> neurons.reset()
    >>> n_spikes = 0
    >>> for _ in range(1000):  # 1 s at dt = 1 ms
    ...     n_spikes += int(neurons()[0] != 0)
    ...     neurons += 10.0
    >>> n_spikes  # regular spiking at about 20 Hz
    20
    >>> Izhikevich.from_preset("FS", n_neurons=3).get_params()["preset"]
    'FS'
    """

    STATE = ("potentials", "u", "fired")
    PER_NEURON = ("i_ext", "a", "b", "c", "d", "v_init")
    SPIKE_PEAK_KEY = "v_peak"
    PRESETS = IZHIKEVICH_PRESETS

    NECESSARY_KEYS = _ODENeuron.extend_keys(
        [
            Key(
                "preset",
                "Cell class giving the default a, b, c, d: " + ", ".join(IZHIKEVICH_PRESETS) + ".",
                str,
                default="RS",
                constraint=OneOf(*IZHIKEVICH_PRESETS),
            ),
            per_neuron_key(
                "a", "Time scale of u (None: from preset).", None, units="1/ms", constraint=_NONNEG
            ),
            per_neuron_key("b", "Sensitivity of u to v (None: from preset).", None),
            per_neuron_key("c", "Reset potential after a spike (None: from preset).", None, units="mV"),
            per_neuron_key("d", "Increment of u at a spike (None: from preset).", None),
            per_neuron_key("v_init", "Initial potential (u starts at b * v_init).", -65.0, units="mV"),
            Key("v_peak", "Spike cut-off: v at or above it is a spike.", float, 30.0, units="mV"),
            Key(
                "n_substeps",
                "Forward-Euler sub-steps of v per step (u takes one); 2 with dt=1 is the paper's scheme.",
                int,
                2,
                constraint=Interval(1, 1000),
            ),
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.u = None

    @classmethod
    def from_preset(cls, preset: str, **kwargs: Any) -> Izhikevich:
        """Neurons of one of the :data:`IZHIKEVICH_PRESETS` classes (``'RS'``, ``'FS'``, ...)."""
        return cls(preset=preset, **kwargs)

    def _resolve(self) -> None:
        defaults = dict(zip("abcd", IZHIKEVICH_PRESETS[self._preset]))
        for name in "abcd":
            if self._pv[name] is None:
                self._pv[name] = defaults[name]

    def reset(self) -> None:
        """``v = v_init``, ``u = b v_init``, no spike."""
        super().reset()
        self.potentials = self._full("v_init")
        self.u = self._pv["b"] * self.potentials

    def _step(self, current: np.ndarray) -> np.ndarray:
        pv = self._pv
        v, u = self.potentials, self.u
        h = self._dt / self._n_substeps
        for _ in range(self._n_substeps):  # sub-steps in time, vectorised over neurons
            v += h * (0.04 * v * v + 5.0 * v + 140.0 - u + current)
        u += self._dt * pv["a"] * (pv["b"] * v - u)
        fired = v >= self._v_peak
        if fired.any():
            v[fired] = np.broadcast_to(pv["c"], v.shape)[fired]
            u += np.where(fired, pv["d"], 0.0)
        return fired

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """Kernels :func:`fired_emit` / :func:`izhikevich_integrate` and their data for a tick."""
        return PartKernel(
            {"emit": fired_emit, "integrate": izhikevich_integrate},
            params=(
                self._spike_values,
                float(self._dt),
                float(self._dt / self._n_substeps),
                int(self._n_substeps),
                float(self._v_peak),
                *self._kernel_values("i_ext", "a", "b", "c", "d"),
            ),
            state=self._kernel_state("fired", "potentials", "u"),
        )


# ---------------------------------------------------------------------- kernels
# The compiled engine's version of _PerNeuronBase.__call__ (emit, shared by the models
# whose kernel state starts with ``fired`` and params with the spike values) and of
# Izhikevich._step (integrate): the same operations in the same order, one neuron at a time.


@kernel
def fired_emit(P, S, R, t, out):  # noqa: N803 - kernel signature
    """Spikes of the neurons that fired in the last step (see ``_PerNeuronBase.__call__``).

    ``P[0]`` is the spike values (magnitude * polarity), ``S[0]`` the bool ``fired``.
    """
    values, fired = P[0], S[0]
    for i in range(out.shape[0]):
        out[i] = values[i] if fired[i] else 0.0


@kernel
def izhikevich_integrate(P, S, current):  # noqa: N803 - kernel signature
    """One step of :class:`Izhikevich` (see ``Izhikevich._step``).

    Written to vectorise: no branch in the neuron loop (the spike reset is a select
    of values loaded for every neuron) and the paper's two sub-steps unrolled; the
    operations of each neuron are those of ``_step``, in its order.
    """
    _values, dt, h, n_substeps, v_peak, i_ext, a, b, c, d = P
    fired, v, u = S
    if n_substeps == 2:
        for i in range(v.shape[0]):
            x = current[i] + i_ext[i]
            vi = v[i]
            ui = u[i]
            vi += h * (0.04 * vi * vi + 5.0 * vi + 140.0 - ui + x)
            vi += h * (0.04 * vi * vi + 5.0 * vi + 140.0 - ui + x)
            ui += dt * a[i] * (b[i] * vi - ui)
            ci = c[i]
            di = d[i]
            f = vi >= v_peak
            fired[i] = f
            v[i] = ci if f else vi
            u[i] = (ui + di) if f else ui
        return
    for i in range(v.shape[0]):
        x = current[i] + i_ext[i]
        vi = v[i]
        ui = u[i]
        for _ in range(n_substeps):
            vi += h * (0.04 * vi * vi + 5.0 * vi + 140.0 - ui + x)
        ui += dt * a[i] * (b[i] * vi - ui)
        ci = c[i]
        di = d[i]
        f = vi >= v_peak
        fired[i] = f
        v[i] = ci if f else vi
        u[i] = (ui + di) if f else ui
