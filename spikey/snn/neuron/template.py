"""Neuron templates: the protocol (:class:`NeuronBase`) and Spikey's LIF (:class:`Neuron`).

Every neuron part keeps this protocol, so any neuron works with every other part:

- ``neurons()`` returns this step's output, shape ``(n_neurons,)``, float: ``0`` where
  silent, ``magnitude * polarity`` where the neuron spikes;
- ``neurons += currents`` (or ``neurons.update(currents)``) advances the neurons one
  step with the incoming input, shape ``(n_neurons,)``;
- ``polarities``: ``(n_neurons,)`` float, ``+1`` excitatory and ``-1`` inhibitory;
- ``potentials``: ``(n_neurons,)`` membrane potentials (mV by convention).

New models (Izhikevich, AdEx, ...) derive from :class:`NeuronBase`; variants of
Spikey's leaky integrate-and-fire neurons derive from :class:`Neuron`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.module import Interval, Key
from spikey.snn.engine.kernel import NO_RANDOM, PartKernel, checked, kernel
from spikey.snn.part import Part, polarities_from

__all__ = ["NeuronBase", "Neuron"]

_NONNEG = Interval(0, None)
_UNIT = Interval(0, 1)


class NeuronBase(Part):
    """A group of spiking neurons (protocol template; no dynamics of its own).

    Holds what every neuron model shares: the group size, spike magnitude and
    polarities. Subclasses implement :meth:`__call__` (this step's spikes) and
    :meth:`update` (advance one step with the input), and list their state in
    ``STATE``.

    Parameters
    ----------
    **kwargs
        Values for the keys below (a part ignores keys it does not declare: a network shares one configuration among its parts and warns about a key no part claims).
    """

    FAMILY = "neurons"
    RNG_STREAM = "neurons"
    STATE: tuple[str, ...] = ("potentials",)

    NECESSARY_KEYS = [
        Key("n_neurons", "Number of neurons.", int, constraint=Interval(1, None)),
        Key("magnitude", "Size of an output spike.", float, default=1.0, constraint=_NONNEG),
        Key(
            "neuron_pct_inhibitory",
            "Fraction of inhibitory neurons (polarity -1).",
            float,
            default=0.0,
            constraint=_UNIT,
        ),
        Key(
            "polarities",
            "Optional fixed polarities, +1/-1 per neuron; drawn from neuron_pct_inhibitory when None.",
            np.ndarray,
            default=None,
        ),
    ]

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.polarities = polarities_from(
            self._polarities,
            self._neuron_pct_inhibitory,
            self._n_neurons,
            self.init_rng(),
            self,
            "polarities",
        )
        self._spike_values = self.polarities * self._magnitude
        self.potentials = None

    def _params_changed(self, names: set[str]) -> None:
        self._spike_values = self.polarities * self._magnitude

    def __len__(self) -> int:
        return self._n_neurons

    def __call__(self) -> np.ndarray:
        """Spike output of this step.

        Returns
        -------
        ndarray, shape (n_neurons,), float
            ``magnitude * polarity`` where a neuron spikes, else 0.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement __call__().")

    def update(self, incoming_v: np.ndarray) -> None:
        """Advance one step with input ``incoming_v`` (shape (n_neurons,) or scalar)."""
        raise NotImplementedError(f"{type(self).__name__} must implement update().")

    def __iadd__(self, incoming_v: np.ndarray) -> NeuronBase:
        """Alias of :meth:`update`: ``neurons += currents``."""
        self.update(incoming_v)
        return self


class Neuron(NeuronBase):
    """A group of leaky integrate-and-fire neurons, as in the original Spikey.

    Each step, in this order (see ``Notes`` for the equations):

    1. ``neurons()``: neurons whose potential is at or above ``firing_threshold``, or
       that fire at random with probability ``prob_rand_fire``, spike unless they are
       refractory. The spike is emitted ``spike_delay`` steps later.
    2. ``neurons += I``: the potential decays towards ``resting_mv`` by the fraction
       ``potential_decay`` and the input ``I`` is added. A neuron that spiked is held
       at ``resting_mv`` for ``refractory_period`` steps (input ignored), then
       integrates again from rest.

    Parameters
    ----------
    **kwargs
        Values for the keys below (a part ignores keys it does not declare: a network shares one configuration among its parts and warns about a key no part claims).

    Notes
    -----
    With rest :math:`V_r` and decay :math:`d`, a non-refractory neuron follows

    .. math:: V_{t+1} = V_r + (1 - d)(V_t - V_r) + I_t,

    so ``potential_decay = 1 - exp(-dt / tau_m)`` gives a membrane time constant
    ``tau_m``. Potentials are in model units (mV by convention), time in steps.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.neuron import Neuron
    >>> neurons = Neuron(n_neurons=3, magnitude=1.0, firing_threshold=2.0,
    ...                  potential_decay=0.0, refractory_period=0, seed=0)
    >>> neurons.reset()
    >>> outs = []
    >>> for _ in range(3):
    ...     outs.append(neurons())
    ...     neurons += np.array([1.0, 0.5, 0.0])
    >>> np.stack(outs)[:, 0].tolist()
    [0.0, 0.0, 1.0]
    """

    FAMILY = "neurons"
    RNG_STREAM = "neurons"
    STATE = ("potentials", "refractory_timers", "schedule", "_schedule_pos")

    NECESSARY_KEYS = NeuronBase.extend_keys(
        [
            Key("magnitude", "Size of an output spike.", float, constraint=_NONNEG),
            Key("firing_threshold", "Potential at or above which a neuron fires.", float, units="mV"),
            Key(
                "potential_decay",
                "Fraction of (potential - rest) lost each step, 1 - exp(-dt/tau_m).",
                float,
                constraint=_UNIT,
            ),
            Key(
                "prob_rand_fire",
                "Probability that a neuron fires at random each step.",
                float,
                default=0.0,
                constraint=_UNIT,
            ),
            Key(
                "refractory_period",
                "Steps after a spike during which a neuron is held at rest.",
                int,
                constraint=_NONNEG,
            ),
            Key("resting_mv", "Resting potential.", float, default=0.0, units="mV"),
            Key(
                "spike_delay",
                "Steps between crossing the threshold and emitting the spike.",
                int,
                default=0,
                constraint=Interval(0, 1000),
            ),
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.refractory_timers = self.schedule = None
        self._schedule_pos = 0

    def reset(self) -> None:
        """Potentials to rest, no refractory neuron, no scheduled spike."""
        n = self._n_neurons
        self.potentials = np.full(n, self._resting_mv, dtype=np.float64)
        self.refractory_timers = np.zeros(n, dtype=np.int64)
        self.schedule = np.zeros((self._spike_delay + 1, n), dtype=bool)
        self._schedule_pos = 0
        self._spike_values = self.polarities * self._magnitude

    def _threshold_crossings(self, threshold: float) -> np.ndarray:
        """Boolean (n_neurons,): neurons that start a spike this step."""
        fire = self.potentials >= threshold
        if self._prob_rand_fire > 0:
            fire |= self._uniforms(self._n_neurons) < self._prob_rand_fire
        return fire

    def __call__(self) -> np.ndarray:
        """Spike output of this step: ``self >= firing_threshold``.

        Returns
        -------
        ndarray, shape (n_neurons,), float
            ``magnitude * polarity`` where a neuron spikes, else 0.
        """
        return self >= self._firing_threshold

    def __ge__(self, threshold: float) -> np.ndarray:
        """Fire the neurons at or above ``threshold`` (the original Spikey's step rule).

        Overriding this method (as the original Spikey's ``WillyNilly`` example does) or
        :meth:`__call__` changes how the neurons fire.

        Parameters
        ----------
        threshold : float
            Firing threshold.

        Returns
        -------
        ndarray, shape (n_neurons,), float
            ``magnitude * polarity`` where a neuron spikes, else 0.
        """
        fire = self._threshold_crossings(threshold)
        if self._refractory_period:  # with 0, timers are <= 0 at every call
            fire &= self.refractory_timers <= 0
        np.putmask(self.refractory_timers, fire, self._refractory_period + 1)
        if self._spike_delay == 0:
            return fire * self._spike_values
        L = self._spike_delay + 1
        pos = self._schedule_pos
        self.schedule[(pos + self._spike_delay) % L] |= fire
        out = self.schedule[pos] * self._spike_values
        self.schedule[pos] = False
        self._schedule_pos = (pos + 1) % L
        return out

    #: The Python step methods that :meth:`_numba_kernel` stands in for on the compiled engine.
    KERNEL_REPLACES = ("__call__", "__ge__", "_threshold_crossings", "update")

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """Kernels :func:`lif_emit` / :func:`lif_integrate` and their data for a tick."""
        n = self._n_neurons
        prob = self._prob_rand_fire
        rand = self._uniform_rows(n_steps, n) if prob > 0 else NO_RANDOM
        pos = np.array([self._schedule_pos], dtype=np.int64)
        state = (
            checked(self, "potentials", (n,)),
            checked(self, "refractory_timers", (n,), np.int64),
            checked(self, "schedule", (self._spike_delay + 1, n), np.bool_),
            pos,
        )

        def finish() -> None:
            self._schedule_pos = int(pos[0])

        return PartKernel(
            {"emit": lif_emit, "integrate": lif_integrate},
            params=(
                float(self._firing_threshold),
                float(prob),
                int(self._refractory_period),
                int(self._spike_delay),
                float(self._resting_mv),
                float(self._potential_decay),
                checked(self, "_spike_values", (n,)),
            ),
            state=state,
            random=rand,
            finish=finish,
        )

    def update(self, incoming_v: np.ndarray) -> None:
        """Advance one step: decay towards rest, add input, hold refractory neurons.

        Parameters
        ----------
        incoming_v : ndarray, shape (n_neurons,) or scalar
            Input added to each potential this step.
        """
        rest = self._resting_mv
        p = self.potentials
        t = self.refractory_timers
        t -= 1
        if rest:
            p -= rest
            p *= 1.0 - self._potential_decay
            p += rest
        else:
            p *= 1.0 - self._potential_decay
        np.putmask(p, t >= 0, rest)  # refractory, or leaving refractoriness now
        p += incoming_v
        if self._refractory_period:
            np.putmask(p, t > 0, rest)  # still refractory: input ignored


# ---------------------------------------------------------------------- kernels
# The compiled engine's version of Neuron.__ge__ (emit) and Neuron.update
# (integrate): the same operations in the same order, one neuron at a time.


@kernel
def lif_emit(P, S, R, t, out):  # noqa: N803 - kernel signature
    """Spikes of one step of :class:`Neuron` into ``out`` (see ``Neuron.__ge__``)."""
    threshold, prob, refractory, delay, _rest, _decay, values = P
    p, timers, schedule, pos = S
    n = p.shape[0]
    if delay == 0:
        for i in range(n):
            fire = p[i] >= threshold
            if prob > 0.0 and R[t, i] < prob:
                fire = True
            if refractory and timers[i] > 0:
                fire = False
            if fire:
                timers[i] = refractory + 1
                out[i] = values[i]
            else:
                out[i] = 0.0
        return
    length = delay + 1
    now = pos[0]
    later = (now + delay) % length
    for i in range(n):
        fire = p[i] >= threshold
        if prob > 0.0 and R[t, i] < prob:
            fire = True
        if refractory and timers[i] > 0:
            fire = False
        if fire:
            timers[i] = refractory + 1
            schedule[later, i] = True
        out[i] = values[i] if schedule[now, i] else 0.0
        schedule[now, i] = False
    pos[0] = (now + 1) % length


@kernel
def lif_integrate(P, S, current):  # noqa: N803 - kernel signature
    """One step of :class:`Neuron` (see ``Neuron.update``)."""
    _threshold, _prob, refractory, _delay, rest, decay, _values = P
    p, timers = S[0], S[1]
    keep = 1.0 - decay
    for i in range(p.shape[0]):
        timers[i] -= 1
        if rest != 0.0:
            v = (p[i] - rest) * keep + rest
        else:
            v = p[i] * keep
        if timers[i] >= 0:
            v = rest
        v += current[i]
        if refractory and timers[i] > 0:
            v = rest
        p[i] = v
