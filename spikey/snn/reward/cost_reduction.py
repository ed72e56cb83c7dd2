"""Reward for making a cost of the state go down (reward shaping)."""

from __future__ import annotations

from typing import Any

from spikey.module import Key
from spikey.snn.engine.kernel import PartKernel, kernel
from spikey.snn.reward.template import Reward

__all__ = ["CostReduction"]


class CostReduction(Reward):
    """``+reward_mult`` when the step lowered ``state_cost``, ``-punish_mult`` otherwise.

    A shaped reward for control tasks: ``state_cost(state)`` measures how far a state is
    from the goal (lower is better), and each step is judged by whether it brought the
    system closer. Without ``state_next`` (a call as ``rewarder(state, action)``) the step
    is punished.

    Notes
    -----
    .. math::

        r = \\begin{cases} a & \\text{if } c(s') < c(s), \\\\ -b & \\text{otherwise,}
            \\end{cases}

    with :math:`c` = ``state_cost``, :math:`a` = ``reward_mult``, :math:`b` =
    ``punish_mult``.

    Examples
    --------
    >>> from spikey.snn.reward.cost_reduction import CostReduction
    >>> r = CostReduction(state_cost=lambda s: abs(s[0]))
    >>> r((0.5,), 1, (0.2,)), r((0.2,), 0, (0.5,)), r((0.2,), 0)
    (1.0, -1.0, -1.0)
    """

    NECESSARY_KEYS = Reward.extend_keys(
        [Key("state_cost", "f(state) -> cost of a state (lower is better).", callable)]
    )

    def __call__(self, state: Any, action: Any, state_next: Any = None) -> float:
        """Reward of the step ``state -> state_next`` (see class docstring)."""
        if state_next is None:
            return -self._punish_mult
        better = float(self._state_cost(state_next)) < float(self._state_cost(state))
        return self._reward_mult if better else -self._punish_mult

    def _numba_kernel(self, n_steps: int, network: Any, state: Any) -> PartKernel:
        """:func:`cost_reduction_step`: the per-step reward of an
        :class:`~spikey.snn.network.ActiveRLNetwork`, which calls the rewarder without
        ``state_next`` (so ``state_cost`` is not called and the step is punished)."""
        return PartKernel({"step": cost_reduction_step}, params=(-float(self._punish_mult),))


@kernel
def cost_reduction_step(P, fired):  # noqa: N803 - kernel signature
    """``CostReduction(state, action)`` without ``state_next``: ``-punish_mult``."""
    return P[0]
