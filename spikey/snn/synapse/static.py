"""Static synapses with transmission dynamics: delays, failures, kernels, post-synaptic reset."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Interval, Key, OneOf, Predicate
from spikey.snn.engine.kernel import (
    SPIKE_BLOCK,
    PartKernel,
    block_silent,
    checked,
    helper,
    kernel,
    noop_learn,
    noop_reward,
)
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

    def _static_kernel_data(self, n_steps: int) -> tuple[tuple, tuple, np.ndarray, Any]:
        """Parameters, state, random block and ``finish`` of :func:`static_propagate`
        for a tick of ``n_steps``.

        The tuples have the same types for every configuration (unused entries are
        empty arrays), so one compiled kernel serves them all. Subclasses append their
        own entries after these.
        """
        if self._kernels is None:
            self._build_state()
        n, n_pre = self._n_neurons, self.n_pre
        owner = type(self).__name__
        matrix, signs = self._weights_kernel_data()
        empty1 = np.zeros(0)
        k_e = self._kernels[0]
        k_i = self._kernels[1] if len(self._kernels) > 1 else None
        codes = {"delta": 0, "exponential": 1, "alpha": 2}
        lines = self._lines or ()
        # ring positions of the two lines, then the uniforms the tick's failures used
        pos = np.array([line.pos for line in lines] + [0] * (2 - len(lines)) + [0], dtype=np.int64)
        if lines:
            if not all(0 <= line.pos < line.length for line in lines):
                raise ConfigError(
                    f"{owner}._line_state: expected ring buffer positions in [0, {lines[0].length}); "
                    f"got {[line.pos for line in lines]}."
                )
            mode, delay, delays, row_class, class_delays = lines[0].kernel_plan()
            length = lines[0].length
            buf_e = lines[0].buffer
            buf_i = lines[1].buffer if len(lines) > 1 else np.zeros((0, 0))
        else:
            mode, delay, length = 0, 0, 0
            delays = class_delays = np.zeros((0, 0), dtype=np.int64)
            row_class = np.zeros(0, dtype=np.int64)
            buf_e = buf_i = np.zeros((0, 0))
        scratch = getattr(self, "_kernel_scratch", None)
        key = (n, mode, length, class_delays.shape[0])
        if scratch is None or scratch[0] != key:
            tmp = np.zeros((2, length, n)) if mode == 3 else np.zeros((2, 0, 0))
            cls_acc = np.zeros((2, class_delays.shape[0], n)) if mode == 2 else np.zeros((2, 0, 0))
            scratch = self._kernel_scratch = (
                key,
                (
                    np.zeros(n),  # arrivals (excitatory or all)
                    np.zeros(n),  # arrivals (inhibitory)
                    np.zeros((2, n)),  # one row's contributions (and their negative part)
                    np.zeros((2, n_pre), dtype=np.int64),  # rows sent per line
                    tmp,
                    np.zeros(tmp.shape, dtype=np.bool_),
                    cls_acc,
                    np.zeros(cls_acc.shape[:2], dtype=np.bool_),
                ),
            )
        v = (
            checked(self, "neurons.potentials", (n,), value=self._potentials())
            if self._conductance
            else empty1
        )
        params = (
            int(self._n_inputs),
            bool(self._split),
            int(mode),
            int(delay),
            float(self._prob_failure),
            self.rng,
            codes[k_e.shape],
            float(k_e.decay),
            float(k_e.gain),
            codes[k_i.shape] if k_i is not None else 0,
            float(k_i.decay) if k_i is not None else 0.0,
            float(k_i.gain) if k_i is not None else 0.0,
            bool(self._conductance),
            float(self._E_exc),
            float(self._E_inh),
            bool(self._post_reset),
            delays,
            row_class,
            class_delays,
        )

        def arr(value: Any, name: str, shape: tuple) -> np.ndarray:
            return empty1 if value is None else checked(self, name, shape, value=value)

        buf_shape = (length, n)
        state = (
            matrix,
            signs,
            arr(k_e.x, "_kernel_state[0].x", (n,)),
            arr(k_e.y, "_kernel_state[0].y", (n,)),
            arr(None if k_i is None else k_i.x, "_kernel_state[1].x", (n,)),
            arr(None if k_i is None else k_i.y, "_kernel_state[1].y", (n,)),
            checked(self, "_line_state[0].buffer", buf_shape, value=buf_e) if lines else buf_e,
            checked(self, "_line_state[1].buffer", buf_shape, value=buf_i) if len(lines) > 1 else buf_i,
            pos,
            v,
        ) + scratch[1]

        chunk, rewind = self._failure_uniforms(n_steps, pos)

        def finish() -> None:
            for line, p in zip(lines, pos[:2].tolist()):
                line.pos = p
            rewind()

        return params, state, chunk, finish

    #: Uniforms drawn ahead per expected failure draw of a tick (the first tick guesses).
    FAILURE_AHEAD = 1.25

    def _failure_uniforms(self, n_steps: int, pos: np.ndarray) -> tuple[np.ndarray, Any]:
        """The failures' uniforms for a tick, drawn in numpy ahead of the kernel.

        The number a tick needs depends on its spikes, so a block of the expected size
        is drawn from ``self.rng`` (1, k); the kernel counts what it uses in ``pos[2]``
        and draws from the generator itself once the block runs out. Afterwards the
        generator is put back to just after the uniforms used (PCG64 ``advance``): the
        stream is the reference's, number for number. Other bit generators draw in the
        kernel only.
        """
        if self._prob_failure <= 0.0 or type(self.rng.bit_generator) is not np.random.PCG64:
            return np.zeros((1, 0)), lambda: None
        n_rows = getattr(self, "_failure_rows", None)
        if n_rows is None:  # first tick: a guess of 5% of the rows active
            n_rows = max(1.0, 0.05 * self.n_pre)
        size = int(min(self.FAILURE_AHEAD * n_rows * n_steps * self._n_neurons + 64, 1 << 22))
        bitgen = self.rng.bit_generator
        saved = bitgen.state
        chunk = self.rng.random((1, size))

        def rewind() -> None:
            used = int(pos[2])
            if used <= size:
                bitgen.state = saved
                bitgen.advance(used)
            self._failure_rows = used / max(1, n_steps * self._n_neurons)

        return chunk, rewind

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """:func:`static_propagate` (failures from this part's generator, in the
        reference's order); no learning."""
        if getattr(self.weights, "sparse", False):
            from spikey.snn.synapse.sparse import static_kernel

            return static_kernel(self)
        params, st, chunk, finish = self._static_kernel_data(n_steps)
        return PartKernel(
            {"propagate": static_propagate, "learn": noop_learn, "reward": noop_reward},
            params=params,
            state=st,
            random=chunk,
            finish=finish,
        )


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


# ---------------------------------------------------------------------- kernels
# The compiled engine's StaticSynapse.propagate on dense weights, in stages: the
# weights of each active row (storage-specific: _dense_row), sent into the delay lines
# or summed (_send_row, _flush_lines), then the kernels, post-synaptic reset and the
# current or conductance output (_synaptic_output). A sparse weight storage only needs
# its own row stage and a propagate that calls the other stages.
#
# P: 0 n_inputs, 1 split, 2 line mode (0 none, 1 uniform, 2 classes, 3 generic),
#    3 uniform delay, 4 prob_failure, 5 generator, 6-8 exc kernel (code, decay, gain),
#    9-11 inh kernel, 12 conductance, 13 E_exc, 14 E_inh, 15 post_reset, 16 delays,
#    17 row_class, 18 class_delays.
# S: 0 matrix, 1 signs, 2 x_exc, 3 y_exc, 4 x_inh, 5 y_inh, 6 buffer_exc, 7 buffer_inh,
#    8 [pos_exc, pos_inh, uniforms used], 9 potentials, 10 arrivals_exc, 11 arrivals_inh, 12 row (2, n), 13 rows sent (2, n_pre),
#    14 generic sums (2, L, n), 15 their marks, 16 class sums (2, C, n), 17 their marks.


@helper
def _dense_row(P, S, R, i, s, row):  # noqa: N803 - kernel signature
    """``row = s * (w[i] * sign[i])`` with failures (``StaticSynapse._contributions``, one row).

    Failures use one uniform per synapse of the row, in column order, from the
    part's stream (the numbers ``rng.random((k, n))`` gives for the row): from the
    block ``R[0]`` drawn ahead in numpy, then from the generator itself.
    """
    m, signs = S[0], S[1]
    prob = P[4]
    n = row.shape[0]
    if signs.shape[0] != 0:
        for j in range(n):
            row[j] = s * (m[i, j] * signs[i, j])
    else:
        for j in range(n):
            row[j] = s * m[i, j]
    if prob > 0.0:
        gen, count = P[5], S[8]
        chunk = R[0]
        k = count[2]
        ahead = min(n, max(0, chunk.shape[0] - k))  # drawn ahead in numpy
        for j in range(ahead):
            row[j] = row[j] * (1.0 if chunk[k + j] >= prob else 0.0)
        for j in range(ahead, n):  # then from the generator
            row[j] = row[j] * (1.0 if gen.random() >= prob else 0.0)
        count[2] = k + n


@helper
def _send_row(P, S, line, i, row):  # noqa: N803 - kernel signature
    """Send one active row's contributions into line ``line`` (0 excitatory or all,
    1 inhibitory): summed for this step, or scattered into the delay buffer."""
    mode = P[2]
    n = row.shape[0]
    if mode == 3:
        pos = S[8][line]
        delays = P[16]
        tmp, mark = S[14][line], S[15][line]
        length = tmp.shape[0]
        for j in range(n):
            slot = delays[i, j] + pos  # both < length: one wrap at most
            if slot >= length:
                slot -= length
            tmp[slot, j] += row[j]
            mark[slot, j] = True
        return
    if mode == 2:
        c = P[17][i]
        acc, present = S[16][line], S[17][line]
        present[c] = True
        for j in range(n):
            acc[c, j] += row[j]
        return
    acc = S[10] if line == 0 else S[11]
    for j in range(n):
        acc[j] += row[j]


@helper
def _flush_lines(P, S, rows_e, n_e, rows_i, n_i):  # noqa: N803 - kernel signature
    """Deliver this step's sums into the delay buffers, then pop the arriving input
    into ``S[10]`` / ``S[11]`` (``DelayLine.push`` + ``DelayLine.pop``)."""
    mode = P[2]
    if mode == 0:
        return
    lines = 2 if P[1] else 1
    pos = S[8]
    n = S[10].shape[0]
    for line in range(lines):
        buf = S[6] if line == 0 else S[7]
        length = buf.shape[0]
        p = pos[line]
        count = n_e if line == 0 else n_i
        if count > 0:
            if mode == 1:
                acc = S[10] if line == 0 else S[11]
                slot = (p + P[3]) % length
                for j in range(n):
                    buf[slot, j] += acc[j]
            elif mode == 2:
                acc, present, cd = S[16][line], S[17][line], P[18]
                for c in range(present.shape[0]):
                    if present[c]:
                        for j in range(n):
                            slot = p + cd[c, j]
                            if slot >= length:
                                slot -= length
                            buf[slot, j] += acc[c, j]
                            acc[c, j] = 0.0
                        present[c] = False
            else:
                delays, tmp, mark = P[16], S[14][line], S[15][line]
                rows = rows_e if line == 0 else rows_i
                for k in range(count):
                    i = rows[k]
                    for j in range(n):
                        slot = delays[i, j] + p
                        if slot >= length:
                            slot -= length
                        if mark[slot, j]:
                            buf[slot, j] += tmp[slot, j]
                            tmp[slot, j] = 0.0
                            mark[slot, j] = False
        out = S[10] if line == 0 else S[11]
        for j in range(n):
            out[j] = buf[p, j]
            buf[p, j] = 0.0
        pos[line] = (p + 1) % length


@helper
def _kernel_step(kind, decay, gain, x, y, j, a):  # noqa: N803 - kernel signature
    """One step of neuron ``j``'s kernel with arriving weight ``a`` (``Kernel.step``)."""
    if kind == 0:
        return a
    if kind == 1:
        v = x[j] * decay + a
        x[j] = v
        return v
    v = (x[j] + gain * y[j]) * decay
    x[j] = v
    y[j] = y[j] * decay + a
    return v


@helper
def _synaptic_output(P, S, spikes, current):  # noqa: N803 - kernel signature
    """Post-synaptic reset, kernels and the current or conductance output
    (the end of ``StaticSynapse.propagate``), from the arrivals ``S[10]``, ``S[11]``."""
    n_in, split, post_reset = P[0], P[1], P[15]
    kind_e, decay_e, gain_e = P[6], P[7], P[8]
    kind_i, decay_i, gain_i = P[9], P[10], P[11]
    x_e, y_e, x_i, y_i = S[2], S[3], S[4], S[5]
    a_e, a_i = S[10], S[11]
    n = current.shape[0]
    if post_reset:
        for j in range(n):
            if spikes[n_in + j] != 0.0:
                if kind_e != 0:
                    x_e[j] = 0.0
                    if kind_e == 2:
                        y_e[j] = 0.0
                if split and kind_i != 0:
                    x_i[j] = 0.0
                    if kind_i == 2:
                        y_i[j] = 0.0
    if not split:
        for j in range(n):
            current[j] += _kernel_step(kind_e, decay_e, gain_e, x_e, y_e, j, a_e[j])
        return
    conductance, e_exc, e_inh = P[12], P[13], P[14]
    v = S[9]
    for j in range(n):
        g_e = _kernel_step(kind_e, decay_e, gain_e, x_e, y_e, j, a_e[j])
        g_i = _kernel_step(kind_i, decay_i, gain_i, x_i, y_i, j, a_i[j])
        if conductance:
            current[j] += g_e * (e_exc - v[j]) + g_i * (e_inh - v[j])
        else:
            current[j] += g_e - g_i


@kernel
def static_propagate(P, S, R, t, spikes, current):  # noqa: N803 - kernel signature
    """:meth:`StaticSynapse.propagate` on dense weights: failures, delays, kernels,
    post-synaptic reset, current- or conductance-based output."""
    split = P[1]
    signed = S[1].shape[0] != 0
    a_e, a_i, rows = S[10], S[11], S[13]
    row, other = S[12][0], S[12][1]
    n = current.shape[0]
    for j in range(n):
        a_e[j] = 0.0
        a_i[j] = 0.0
    n_e = 0
    n_i = 0
    n_pre = spikes.shape[0]
    if P[4] == 0.0 and P[2] <= 1 and not (split and signed):
        # no failures, no per-synapse scatter: rows summed in one pass (same sums, same order)
        m, signs = S[0], S[1]
        full = n_pre // SPIKE_BLOCK
        for b in range(full + 1):  # silent blocks skipped after one vectorised test
            if b < full and block_silent(spikes, b):
                continue
            for i in range(b * SPIKE_BLOCK, min((b + 1) * SPIKE_BLOCK, n_pre)):
                s = spikes[i]
                if s == 0.0:
                    continue
                if split and s < 0.0:  # split here means unsigned
                    for j in range(n):
                        a_i[j] += -(s * m[i, j])
                    n_i += 1
                    continue
                if signed:
                    for j in range(n):
                        a_e[j] += s * (m[i, j] * signs[i, j])
                else:
                    for j in range(n):
                        a_e[j] += s * m[i, j]
                n_e += 1
    elif not split or signed:
        for i in range(n_pre):
            s = spikes[i]
            if s != 0.0:
                _dense_row(P, S, R, i, s, row)
                if split:  # np.maximum(contrib, 0), np.maximum(-contrib, 0)
                    for j in range(n):
                        v = row[j]
                        other[j] = -v if -v > 0.0 else 0.0
                        row[j] = v if v > 0.0 else 0.0
                    _send_row(P, S, 1, i, other)
                _send_row(P, S, 0, i, row)
                rows[0, n_e] = i
                rows[1, n_e] = i
                n_e += 1
        n_i = n_e if split else 0
    else:  # unsigned, split: a synapse's sign is its spike's; excitatory rows draw first
        for i in range(n_pre):
            s = spikes[i]
            if s > 0.0:
                _dense_row(P, S, R, i, s, row)
                _send_row(P, S, 0, i, row)
                rows[0, n_e] = i
                n_e += 1
        for i in range(n_pre):
            s = spikes[i]
            if s < 0.0:
                _dense_row(P, S, R, i, s, row)
                for j in range(n):
                    row[j] = -row[j]
                _send_row(P, S, 1, i, row)
                rows[1, n_i] = i
                n_i += 1
    # without delay lines S[10] / S[11] hold the sums; with them, what arrives now
    _flush_lines(P, S, rows[0], n_e, rows[1], n_i)
    _synaptic_output(P, S, spikes, current)
