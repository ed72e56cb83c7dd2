"""Reward template: the reward (dopamine) signal given to the network.

Protocol: ``rewarder(state, action)`` or ``rewarder(state, action, state_next)`` returns
a float.
"""

from __future__ import annotations

from typing import Any

from spikey.module import Interval, Key
from spikey.snn.part import Part

__all__ = ["Reward"]


class Reward(Part):
    """Computes the reward for taking ``action`` in ``state`` (template)."""

    FAMILY = "rewarder"
    RNG_STREAM = "rewarder"

    NECESSARY_KEYS = [
        Key("reward_mult", "Reward for a correct action.", float, default=1.0, constraint=Interval(0, None)),
        Key(
            "punish_mult",
            "Punishment (subtracted) for a wrong action.",
            float,
            default=1.0,
            constraint=Interval(0, None),
        ),
    ]

    def __call__(self, state: Any, action: Any, state_next: Any = None) -> float:
        """Reward for taking ``action`` in ``state``.

        Parameters
        ----------
        state : object
            Game state the action was taken in.
        action : object
            The network's action.
        state_next : object, optional
            The state the action led to, for rewarders that need it.

        Returns
        -------
        float
        """
        raise NotImplementedError(f"{type(self).__name__} must implement __call__.")

    #: The Python step methods that ``_numba_kernel`` stands in for on the compiled
    #: engine. A rewarder with a kernel gives ``{"step": fn}`` with
    #: ``fn(P, fired_outputs) -> float`` equal to ``self(state, fired_outputs)``, which
    #: :class:`~spikey.snn.network.ActiveRLNetwork` calls every network step.
    KERNEL_REPLACES = ("__call__",)

