"""Synapse template: carries spikes to the body neurons and (in subclasses) learns.

Protocol, with ``n_pre = n_inputs + n_neurons`` and ``n_post = n_neurons``:

- ``Synapse(weights, **config)``: the synapse owns a reference to the weight part;
- ``propagate(spikes)``: ``(n_pre,)`` float spike values -> ``(n_post,)`` input;
- ``update(fired, polarities)``: learning for one step from the boolean ``(n_pre,)``
  spikes of this step; called only while training;
- ``reward(r)``: a reward (neuromodulator) signal; ignored by non-RL synapses and
  while not training.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.module import Interval, Key
from spikey.snn.engine.kernel import (
    SPIKE_BLOCK,
    PartKernel,
    block_silent,
    checked,
    kernel,
    noop_learn,
    noop_reward,
)
from spikey.snn.part import Part

__all__ = ["Synapse"]



class Synapse(Part):
    """Static synapses: instantaneous, weight-scaled transmission; no learning.

    Parameters
    ----------
    w : Weight
        The weight part; its ``matrix`` is read (and changed by learning rules).
    **kwargs
        Values for the keys below.

    Notes
    -----
    The input to body neuron :math:`j` at a step is
    :math:`I_j = \\sum_i s_i \\, \\sigma_{ij} w_{ij}`, where :math:`s_i` is the spike
    value of presynaptic neuron :math:`i` (``magnitude * polarity`` or 0) and
    :math:`\\sigma_{ij}` the optional sign from ``inh_weight_mask``.
    """

    FAMILY = "synapses"
    RNG_STREAM = "synapses"

    NECESSARY_KEYS = [
        Key("n_inputs", "Number of input neurons.", int, constraint=Interval(0, None)),
        Key("n_neurons", "Number of body neurons.", int, constraint=Interval(1, None)),
        Key(
            "learning_rate",
            "Scale of weight changes (0 for static synapses).",
            float,
            default=0.0,
            constraint=Interval(0, None),
        ),
    ]

    def __init__(self, w: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.weights = w
        if getattr(w, "sparse", False):  # sparse weights: spikey.snn.synapse.sparse
            from spikey.snn.synapse.sparse import check_sparse_support

            check_sparse_support(self)

    @property
    def n_pre(self) -> int:
        """Number of presynaptic neurons, ``n_inputs + n_neurons``."""
        return self._n_inputs + self._n_neurons

    def propagate(self, spikes: np.ndarray) -> np.ndarray:
        """Input to the body neurons caused by this step's spikes.

        Parameters
        ----------
        spikes : ndarray, shape (n_inputs + n_neurons,), float
            Spike values of all presynaptic neurons (0 where silent).

        Returns
        -------
        ndarray, shape (n_neurons,)
        """
        w = self.weights
        if getattr(w, "sparse", False):
            from spikey.snn.synapse.sparse import propagate_rows

            return propagate_rows(w, spikes)
        m = w.matrix
        # only the rows of neurons that spiked, summed row after row in index order: the
        # same additions in the same order as the compiled engine's dense_propagate, so
        # both engines give bit-identical input (a BLAS product would round differently)
        active = spikes.nonzero()[0]
        if active.size == 0:
            return np.zeros(m.shape[1])
        rows = m[active] if w.signs is None else m[active] * w.signs[active]
        return (spikes[active, None] * rows).sum(axis=0)

    def update(self, fired: np.ndarray, polarities: np.ndarray) -> None:
        """Learn from one step's spikes (no-op for static synapses).

        Parameters
        ----------
        fired : ndarray of bool, shape (n_inputs + n_neurons,)
            Which presynaptic neurons spiked this step; the last ``n_neurons`` entries
            are also the postsynaptic spikes.
        polarities : ndarray, shape (n_inputs + n_neurons,)
            ``+1`` / ``-1`` per presynaptic neuron.
        """

    def reward(self, rwd: float) -> None:
        """Receive a reward signal (no-op for non reward-modulated synapses)."""

    #: The Python step methods that :meth:`_numba_kernel` stands in for on the compiled engine.
    KERNEL_REPLACES = ("propagate", "update", "reward")

    def _weights_kernel_data(self) -> tuple[np.ndarray, np.ndarray]:
        """``(matrix, signs)`` for :func:`dense_propagate` (signs (0, 0) when unsigned)."""
        w = self.weights
        shape = (self.n_pre, self._n_neurons)
        signs = np.zeros((0, 0)) if w.signs is None else checked(w, "signs", shape)
        return checked(w, "matrix", shape), signs

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """Static synapses: :func:`dense_propagate`, no learning."""
        if getattr(self.weights, "sparse", False):
            from spikey.snn.synapse.sparse import synapse_kernel

            return synapse_kernel(self)
        return PartKernel(
            {"propagate": dense_propagate, "learn": noop_learn, "reward": noop_reward},
            state=self._weights_kernel_data(),
        )


@kernel
def dense_propagate(P, S, R, t, spikes, current):  # noqa: N803 - kernel signature
    """``current += spikes @ (matrix * signs)``, visiting only the rows that spiked.

    ``S[0]`` is the weight matrix ``(n_pre, n_post)``, ``S[1]`` the signs (or an empty
    ``(0, 0)`` array when unsigned).
    """
    m, signs = S[0], S[1]
    n_post = m.shape[1]
    signed = signs.shape[0] != 0
    n = spikes.shape[0]
    full = n // SPIKE_BLOCK
    for b in range(full + 1):  # silent blocks skipped after one vectorised test
        if b < full and block_silent(spikes, b):
            continue
        for i in range(b * SPIKE_BLOCK, min((b + 1) * SPIKE_BLOCK, n)):
            s = spikes[i]
            if s != 0.0:
                if signed:
                    for j in range(n_post):
                        current[j] += s * (m[i, j] * signs[i, j])
                else:
                    for j in range(n_post):
                        current[j] += s * m[i, j]
