"""Reward delivered at output spikes (Florian 2007)."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.module import Key
from spikey.snn.engine.kernel import PartKernel, kernel
from spikey.snn.reward.template import Reward

__all__ = ["SpikeReward"]


class SpikeReward(Reward):
    """Reward or punish each output spike by whether firing is the wanted response.

    Meant for :class:`~spikey.snn.network.ActiveRLNetwork`, which calls the rewarder at
    every network step with ``action`` = that step's output spikes (bool,
    ``(n_outputs,)``). Each spike earns ``+reward_mult`` when ``expected_value(state)``
    is truthy (the output should fire) and ``-punish_mult`` otherwise; a step without
    output spikes gives 0, so the reward arrives exactly at the output spikes.

    ``expected_value(state)`` may also return one value per output neuron.

    Notes
    -----
    With :math:`\\Phi_k(t) \\in \\{0, 1\\}` the spikes of output :math:`k` and
    :math:`y_k(s)` the wanted response to state :math:`s`,

    .. math:: r(t) = \\sum_k \\Phi_k(t) \\, (a \\, [y_k(s)] - b \\, [\\neg y_k(s)]),

    with :math:`a` = ``reward_mult`` and :math:`b` = ``punish_mult``: the reward of
    Florian's XOR experiments.

    References
    ----------
    R. V. Florian, "Reinforcement learning through modulation of spike-timing-dependent
    synaptic plasticity", Neural Computation 19(6):1468-1502, 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from spikey.snn.reward.spike_reward import SpikeReward
    >>> r = SpikeReward(expected_value=lambda s: sum(s) % 2)
    >>> r((1, 0), np.array([True])), r((1, 1), np.array([True])), r((1, 1), np.array([False]))
    (1.0, -1.0, 0.0)
    """

    NECESSARY_KEYS = Reward.extend_keys(
        [Key("expected_value", "f(state) -> whether the output should fire (per output or one).", callable)]
    )

    def __call__(self, state: Any, action: Any, state_next: Any = None) -> float:
        """Reward of the output spikes ``action`` (see class docstring)."""
        spikes = np.asarray(action, dtype=bool)
        if not spikes.any():
            return 0.0
        wanted = np.broadcast_to(np.asarray(self._expected_value(state), dtype=bool), spikes.shape)
        per_spike = np.where(wanted, self._reward_mult, -self._punish_mult)
        return float(np.sum(per_spike[spikes]))

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """:func:`spike_reward_step` with each output's reward per spike for ``state``."""
        n_out = network._n_outputs
        wanted = np.broadcast_to(np.asarray(self._expected_value(state), dtype=bool), (n_out,))
        per_spike = np.where(wanted, self._reward_mult, -self._punish_mult).astype(np.float64)
        return PartKernel({"step": spike_reward_step}, params=(per_spike,))


@kernel
def spike_reward_step(P, fired):  # noqa: N803 - kernel signature
    """Sum of the per-spike rewards ``P[0]`` of the outputs that fired."""
    per_spike = P[0]
    r = 0.0
    for k in range(fired.shape[0]):
        if fired[k]:
            r += per_spike[k]
    return r

