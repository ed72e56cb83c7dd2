"""Leaky integrate-and-fire neurons driven by random potential kicks."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.module import Interval, Key
from spikey.snn.engine.kernel import PartKernel, kernel
from spikey.snn.neuron.template import Neuron, lif_integrate

__all__ = ["RandPotential"]


class RandPotential(Neuron):
    """Spikey's LIF neurons where noise, not random spikes, drives exploration.

    Each step a random subset of neurons (each with probability ``prob_rand_fire``)
    receives a potential kick drawn from ``U(0, leak_scalar)`` before the threshold is
    tested; no neuron fires purely at random.

    Notes
    -----
    As :class:`~spikey.snn.neuron.Neuron`, with :math:`V \\leftarrow V + \\xi` before
    the threshold test, :math:`\\xi \\sim U(0, \\text{leak\\_scalar})` with probability
    ``prob_rand_fire`` and 0 otherwise.

    Examples
    --------
    >>> from spikey.snn.neuron import RandPotential
    >>> n = RandPotential(n_neurons=4, magnitude=1.0, firing_threshold=0.5,
    ...                   potential_decay=0.1, refractory_period=1,
    ...                   prob_rand_fire=1.0, leak_scalar=1.0, seed=1)
    >>> n.reset(); n().shape
    (4,)
    """

    NECESSARY_KEYS = Neuron.extend_keys(
        [
            Key(
                "leak_scalar",
                "Upper bound of the uniform potential kick (default: the original Spikey's "
                "documented value 0.1).",
                float,
                default=0.1,
                constraint=Interval(0, None),
                units="mV",
            )
        ]
    )

    def _threshold_crossings(self, threshold: float) -> np.ndarray:
        n = self._n_neurons
        kicked = self._uniforms(n) < self._prob_rand_fire
        noise = self.rng.random(n) * self._leak_scalar
        self.potentials += np.where(kicked, noise, 0.0)
        return self.potentials >= threshold

    def _kick_rows(self, n_steps: int) -> np.ndarray:
        """The potential kicks of the next ``n_steps`` steps, ``(n_steps, n_neurons)``.

        The same draws, in the same order, as ``n_steps`` calls of
        :meth:`_threshold_crossings`: each step one row of :meth:`_uniforms` (which
        refills its block from ``self.rng`` when empty) then ``rng.random(n)``; between
        refills the direct draws are taken as one block.
        """
        n = self._n_neurons
        kicked = np.empty((n_steps, n))
        noise = np.empty((n_steps, n))
        i = 0
        while i < n_steps:
            buf, pos = self._ubuf, self._upos
            if buf is None or pos >= len(buf) or buf.shape[1] != n:  # this step refills the block
                kicked[i] = self._uniforms(n)
                noise[i] = self.rng.random(n)
                i += 1
                continue
            take = min(n_steps - i, len(buf) - pos)
            kicked[i : i + take] = buf[pos : pos + take]
            self._upos = pos + take
            noise[i : i + take] = self.rng.random((take, n))
            i += take
        return np.where(kicked < self._prob_rand_fire, noise * self._leak_scalar, 0.0)

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """Kernels :func:`rand_potential_emit` / :func:`~spikey.snn.neuron.template.lif_integrate`
        and their data for a tick (the kicks drawn in numpy, see :meth:`_kick_rows`)."""
        pos = np.array([self._schedule_pos], dtype=np.int64)

        def finish() -> None:
            self._schedule_pos = int(pos[0])

        return PartKernel(
            {"emit": rand_potential_emit, "integrate": lif_integrate},
            params=(
                float(self._firing_threshold),
                float(self._prob_rand_fire),
                int(self._refractory_period),
                int(self._spike_delay),
                float(self._resting_mv),
                float(self._potential_decay),
                self._spike_values,
            ),
            state=(self.potentials, self.refractory_timers, self.schedule, pos),
            random=self._kick_rows(n_steps),
            finish=finish,
        )


# ---------------------------------------------------------------------- kernels
# The compiled engine's version of RandPotential._threshold_crossings with
# Neuron.__ge__ (emit); integrate is Neuron's (lif_integrate).


@kernel
def rand_potential_emit(P, S, R, t, out):  # noqa: N803 - kernel signature
    """Add this step's kicks ``R[t]`` to the potentials, then fire as ``Neuron.__ge__``
    does (threshold, refractoriness, spike delay), without random firing."""
    threshold, _prob, refractory, delay, _rest, _decay, values = P
    p, timers, schedule, pos = S
    n = p.shape[0]
    length = delay + 1
    now = pos[0]
    later = (now + delay) % length
    for i in range(n):
        p[i] += R[t, i]
        fire = p[i] >= threshold
        if refractory and timers[i] > 0:
            fire = False
        if fire:
            timers[i] = refractory + 1
        if delay == 0:
            out[i] = values[i] if fire else 0.0
            continue
        if fire:
            schedule[later, i] = True
        out[i] = values[i] if schedule[now, i] else 0.0
        schedule[now, i] = False
    if delay != 0:
        pos[0] = (now + 1) % length
