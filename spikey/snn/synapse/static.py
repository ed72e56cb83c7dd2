"""Static synapses with transmission dynamics: delays, failures, kernels, post-synaptic reset."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Interval, Key, OneOf, Predicate
from spikey.snn.synapse.delays import DelayLine, as_delay_matrix
from spikey.snn.synapse.kernels import KERNELS, Kernel
from spikey.snn.synapse.template import Synapse

__all__ = ["StaticSynapse", "plastic_gain", "PLASTIC_CHOICES"]

_POS = Interval(0, None, low_closed=False)


def _delays_ok(value: Any) -> bool:
    arr = np.asarray(value)
    if arr.dtype.kind == "f":
        if not (np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))):
            return False
    elif arr.dtype.kind not in "iu":
        return False
    return bool(np.all(arr >= 0))


class StaticSynapse(Synapse):
    """Fixed weights with biophysical transmission (the base of spikey's richer synapses).

    Each step, the spikes of the presynaptic neurons are carried to the body neurons
    through four optional stages, in this order:

    1. **failure**: each spike fails to cross each of its synapses independently with
       probability ``prob_failure`` (drawn from the part's generator);
    2. **delay**: a spike sent at step :math:`t` through synapse :math:`(i, j)` arrives
       at step :math:`t + d_{ij}`, ``delays`` being one int or an int matrix
       ``(n_inputs + n_neurons, n_neurons)`` in steps (:class:`~spikey.snn.synapse.delays.DelayLine`);
    3. **kernel**: arriving weights drive a per-neuron synaptic variable with an
       exponential or alpha kernel, one for excitatory and one for inhibitory
       synapses (:mod:`~spikey.snn.synapse.kernels`);
    4. **post-synaptic reset** (``post_reset``): a body neuron that spikes has its
       synaptic variables zeroed (input still in flight on the axons is kept).

    With the defaults (no failure, delay 0, delta kernels) it is :class:`Synapse`.

    Parameters
    ----------
    w : Weight
        The weight part.
    **kwargs
        Values for the keys below.

    Notes
    -----
    With spike values :math:`s_i` (``magnitude * polarity``), signs
    :math:`\\sigma_{ij}` and weights :math:`w_{ij}`, the weight that arrives at neuron
    :math:`j` at step :math:`t` is

    .. math:: a_j(t) = \\sum_i s_i(t - d_{ij}) \\, \\sigma_{ij} w_{ij} \\, \\xi_{ij}(t - d_{ij}),

    with :math:`\\xi \\in \\{0, 1\\}` the failures. Positive terms drive the excitatory
    variable :math:`g^e_j`, negative ones the inhibitory :math:`g^i_j` (as magnitudes),
    each filtered by its kernel. The input returned to the neurons is

    .. math::

        I_j = g^e_j - g^i_j \\quad \\text{(current-based)}, \\qquad
        I_j = g^e_j (E_{exc} - v_j) + g^i_j (E_{inh} - v_j) \\quad \\text{(conductance-based)},

    :math:`v_j` being the body neurons' ``potentials`` at the step (after this
    step's spikes were reset). Conductance-based synapses need those potentials: the
    network calls :meth:`attach` (or call ``synapse.attach(network)`` yourself).
    Units follow the neuron model: weights are in its input units (current-based) or
    in its conductance units per unit of :math:`E - v` (conductance-based).

    References
    ----------
    A. Roth and M. C. W. van Rossum, "Modeling synapses", in Computational
    Modeling Methods for Neuroscientists, MIT Press, 2009.

    B. Katz, "The Release of Neural Transmitter Substances", Liverpool University
    Press, 1969 (probabilistic release: transmission failures).

    The feature set (synapses with decay, failure, post-synaptic reset and delay)
    follows the "spikeflow" seed system.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.weight import Manual
    >>> from spikey.snn.synapse import StaticSynapse
    >>> w = Manual(n_inputs=1, n_neurons=1, matrix=np.array([[0.5], [0.0]]))
    >>> syn = StaticSynapse(w, n_inputs=1, n_neurons=1, delays=2, seed=0)
    >>> syn.reset()
    >>> [float(syn.propagate(np.array([1.0 if t == 0 else 0.0, 0.0]))[0]) for t in range(4)]
    [0.0, 0.0, 0.5, 0.0]
    """

    STATE = ("_kernel_state", "_line_state")

    NECESSARY_KEYS = Synapse.extend_keys(
        [
            Key(
                "delays",
                "Transmission delay of each synapse: an int, or an int array (n_inputs + n_neurons, n_neurons).",
                (int, np.ndarray),
                default=0,
                constraint=Predicate(_delays_ok, "an int or an int array >= 0 [steps]"),
                units="steps",
            ),
            Key(
                "max_delay",
                "Longest delay the ring buffer holds (default: the largest of delays).",
                int,
                default=None,
                constraint=Interval(0, 100_000),
                units="steps",
            ),
            Key(
                "prob_failure",
                "Probability that a spike fails to cross a synapse (independently per synapse and spike).",
                float,
                default=0.0,
                constraint=Interval(0, 1),
            ),
            Key(
                "kernel_exc",
                "Kernel of excitatory synapses: 'delta', 'exponential' or 'alpha'.",
                str,
                default="delta",
                constraint=OneOf(*KERNELS),
            ),
            Key(
                "kernel_inh",
                "Kernel of inhibitory synapses: 'delta', 'exponential' or 'alpha'.",
                str,
                default="delta",
                constraint=OneOf(*KERNELS),
            ),
            Key(
                "tau_exc", "Time constant of the excitatory kernel.", float, 5.0, constraint=_POS, units="ms"
            ),
            Key(
                "tau_inh", "Time constant of the inhibitory kernel.", float, 10.0, constraint=_POS, units="ms"
            ),
            Key(
                "conductance",
                "Conductance-based (I = g (E - v)) instead of current-based (I = g) synapses.",
                bool,
                default=False,
            ),
            Key(
                "E_exc",
                "Reversal potential of excitatory synapses (conductance-based).",
                float,
                0.0,
                units="mV",
            ),
            Key(
                "E_inh",
                "Reversal potential of inhibitory synapses (conductance-based).",
                float,
                -80.0,
                units="mV",
            ),
            Key(
                "post_reset",
                "A body neuron's spike zeroes its synaptic variables.",
                bool,
                default=False,
            ),
            Key("dt", "Length of a network step.", float, 1.0, constraint=_POS, units="ms"),
        ]
    )

    def __init__(self, w: Any, **kwargs: Any):
        super().__init__(w, **kwargs)
        self._neurons = None
        self._configure()

    def _configure(self) -> None:
        """Derive the transmission plan from the keys."""
        owner = type(self).__name__
        shape = (self.n_pre, self._n_neurons)
        self._delay_plan = as_delay_matrix(self._delays, shape, owner)
        if self._max_delay is not None:
            largest = (
                self._delay_plan
                if isinstance(self._delay_plan, int)
                else int(self._delay_plan.max(initial=0))
            )
            if largest > self._max_delay:
                raise ConfigError(
                    f"{owner}.max_delay: expected at least the largest delay {largest} [steps]; "
                    f"got {self._max_delay}."
                )
        self._delayed = not (isinstance(self._delay_plan, int) and self._delay_plan == 0)
        self._split = (
            self._conductance
            or self._kernel_exc != self._kernel_inh
            or (self._kernel_exc != "delta" and self._tau_exc != self._tau_inh)
        )
        self._plain = not self._delayed and self._prob_failure == 0.0
        self._stateless = (
            self._kernel_exc == "delta" and self._kernel_inh == "delta" and not self._conductance
        )
        self._lines = self._kernels = None
        if getattr(self.weights, "sparse", False):
            from spikey.snn.synapse.sparse import check_static_config

            check_static_config(self)

    def _params_changed(self, names: set[str]) -> None:
        self._configure()
        if self._lines is not None or self._kernels is not None:
            self._build_state()

    def attach(self, network: Any) -> None:
        """Give the synapse access to the network's body neurons (their ``potentials``)."""
        self._neurons = network.neurons if hasattr(network, "neurons") else network

    # ------------------------------------------------------------------ state
    def _build_state(self) -> None:
        n = self._n_neurons
        if self._delayed:
            owner = type(self).__name__
            count = 2 if self._split else 1
            self._lines = tuple(
                DelayLine(self._delay_plan, self.n_pre, n, self._max_delay, owner=owner) for _ in range(count)
            )
        else:
            self._lines = None
        dt = self._dt
        if self._split:
            self._kernels = (
                Kernel(self._kernel_exc, self._tau_exc, dt, n),
                Kernel(self._kernel_inh, self._tau_inh, dt, n),
            )
        else:
            self._kernels = (Kernel(self._kernel_exc, self._tau_exc, dt, n),)

    def reset(self) -> None:
        """Nothing in flight; synaptic variables at 0."""
        self._build_state()

    @property
    def _kernel_state(self) -> Any:
        return None if self._kernels is None else [k.state() for k in self._kernels]

    @_kernel_state.setter
    def _kernel_state(self, value: Any) -> None:
        if value is None:
            return
        if self._kernels is None:
            self._build_state()
        for k, s in zip(self._kernels, value):
            k.load(s)

    @property
    def _line_state(self) -> Any:
        return None if self._lines is None else [line.state_dict() for line in self._lines]

    @_line_state.setter
    def _line_state(self, value: Any) -> None:
        if value is None:
            return
        if self._lines is None:
            self._build_state()
        for line, state in zip(self._lines, value):
            line.load_state_dict(state)

    @property
    def synaptic_variables(self) -> np.ndarray:
        """Current synaptic variables, shape (n_neurons,) (current-based: the summed
        kernels) or (2, n_neurons) (split: excitatory and inhibitory magnitudes)."""
        if self._kernels is None:
            self._build_state()
        if len(self._kernels) == 1:
            return self._kernels[0].x.copy()
        return np.stack([self._kernels[0].x, self._kernels[1].x])

    # ------------------------------------------------------------------ transmission
    def _contributions(self, spikes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Weight sent by each active row to each column, failures applied, (k, n)."""
        w = self.weights
        block = w.matrix[rows] if w.signs is None else w.matrix[rows] * w.signs[rows]
        contrib = spikes[rows, None] * block
        if self._prob_failure > 0.0:
            contrib *= self.rng.random(contrib.shape) >= self._prob_failure
        return contrib

    def _arrivals(self, spikes: np.ndarray) -> tuple[np.ndarray, ...]:
        """Weight arriving at the body neurons this step: ``(a,)``, or ``(a_exc, a_inh)``
        (magnitudes) when excitatory and inhibitory synapses are filtered separately."""
        if getattr(self.weights, "sparse", False):
            from spikey.snn.synapse.sparse import sparse_arrivals

            return sparse_arrivals(self, spikes)
        if self._plain and not self._split:
            return (Synapse.propagate(self, spikes),)
        rows = spikes.nonzero()[0]
        if not self._split:
            sent = ((rows, self._contributions(spikes, rows)),)
        elif self.weights.signs is None:  # the sign of a synapse is its spike's sign
            exc, inh = rows[spikes[rows] > 0], rows[spikes[rows] < 0]
            sent = ((exc, self._contributions(spikes, exc)), (inh, -self._contributions(spikes, inh)))
        else:
            contrib = self._contributions(spikes, rows)
            sent = ((rows, np.maximum(contrib, 0.0)), (rows, np.maximum(-contrib, 0.0)))
        if self._lines is None:
            return tuple(c.sum(axis=0) for _, c in sent)
        out = []
        for line, (r, c) in zip(self._lines, sent):
            line.push(r, c)
            out.append(line.pop())
        return tuple(out)

    def propagate(self, spikes: np.ndarray) -> np.ndarray:
        """Input to the body neurons this step (see the class notes).

        Parameters
        ----------
        spikes : ndarray, shape (n_inputs + n_neurons,), float
            Spike values of all presynaptic neurons (0 where silent).

        Returns
        -------
        ndarray, shape (n_neurons,)
        """
        if self._kernels is None:
            self._build_state()
        if self._plain and self._stateless:
            return Synapse.propagate(self, spikes)
        arriving = self._arrivals(spikes)
        if self._post_reset:
            fired = spikes[self._n_inputs :] != 0
            if fired.any():
                for k in self._kernels:
                    k.clear(fired)
        if not self._split:
            return self._kernels[0].step(arriving[0]).copy()
        g_exc = self._kernels[0].step(arriving[0])
        g_inh = self._kernels[1].step(arriving[1])
        if not self._conductance:
            return g_exc - g_inh
        v = self._potentials()
        return g_exc * (self._E_exc - v) + g_inh * (self._E_inh - v)

    def _potentials(self) -> np.ndarray:
        neurons = self._neurons
        v = None if neurons is None else getattr(neurons, "potentials", None)
        if v is None:
            raise ConfigError(
                f"{type(self).__name__}.conductance: conductance-based synapses need the body neurons' "
                "potentials; build the synapse inside a network or call synapse.attach(network) "
                "(the neurons must be reset)."
            )
        return v

    # ------------------------------------------------------------------ compiled engine
    #: The Python step methods that :meth:`_numba_kernel` stands in for on the compiled engine.
    KERNEL_REPLACES = Synapse.KERNEL_REPLACES + ("_arrivals", "_contributions", "_potentials")

    def kernel_obstacle(self) -> str | None:
        """Why this configuration has no compiled kernel (None: it has one)."""
        if type(self)._numba_kernel is not StaticSynapse._numba_kernel:
            return None  # a subclass brings its own kernel
        if getattr(self.weights, "sparse", False) or (self._plain and self._stateless):
            return None
        return "dense StaticSynapse with delays, failures or kernels has no compiled kernel"

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> Any:
        """Sparse weights: :func:`~spikey.snn.synapse.sparse.sparse_static_propagate`;
        dense without transmission dynamics: :func:`dense_propagate`."""
        if getattr(self.weights, "sparse", False):
            from spikey.snn.synapse.sparse import static_kernel

            return static_kernel(self)
        return Synapse._numba_kernel(self, n_steps, network, state)


#: Which synapses a learning rule may change (key ``plastic`` of the learning rules).
PLASTIC_CHOICES = ("all", "excitatory", "inputs")


def plastic_gain(weights: Any, polarities: np.ndarray, n_inputs: int, mode: str) -> np.ndarray:
    """Factor each weight change is multiplied by: ``p_i * sign_ij * mask_ij``, zeroed
    outside the synapses that ``mode`` makes plastic.

    Parameters
    ----------
    weights : Weight
        The weight part (``mask``, ``signs``).
    polarities : ndarray, shape (n_pre,)
        Presynaptic polarities.
    n_inputs : int
        Number of input rows.
    mode : {'all', 'excitatory', 'inputs'}
        ``'all'``: every synapse; ``'excitatory'``: synapses from excitatory presynaptic
        neurons (and +1 signs); ``'inputs'``: synapses from the input neurons.

    Returns
    -------
    ndarray, shape (n_pre, n_post)
        Magnitudes move by ``gain * change``: potentiating an inhibitory synapse
        shrinks its magnitude.
    """
    pol = np.asarray(polarities, dtype=float)
    gain = pol[:, None] * weights.mask
    if weights.signs is not None:
        gain = gain * weights.signs
    if mode == "excitatory":
        gain = np.where(gain > 0, gain, 0.0)
    elif mode == "inputs":
        gain = gain.copy()
        gain[n_inputs:] = 0.0
    return gain
