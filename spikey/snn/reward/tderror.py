"""Temporal-difference error of a learned linear critic."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Interval, Key
from spikey.snn.reward.template import Reward

__all__ = ["TDError"]


class TDError(Reward):
    """Reward = TD error :math:`\\delta` of a linear critic learned online (TD(0)).

    With features :math:`\\phi(s) = (1, s_1, \\dots, s_k)`, value
    :math:`V(s) = \\theta \\cdot \\phi(s)` and raw reward
    :math:`r = \\text{expected\\_value}(s, a)`:

    .. math::

        \\delta = r + \\gamma V(s') - V(s), \\qquad
        \\theta \\leftarrow \\theta + \\alpha \\, \\delta \\, \\phi(s).

    Without ``state_next`` the step is terminal (:math:`V(s') = 0`).

    On the compiled engine: as the per-step rewarder of an
    :class:`~spikey.snn.network.ActiveRLNetwork`, :class:`TDError` has no kernel, since
    its raw reward ``expected_value(state, action)`` is a Python function of each step's
    action; such a network runs on the reference engine. The critic keeps
    learning in eval mode only if ``training`` is on. ``prev_td``, ``prev_value`` and
    ``prev_reward`` hold the last step's values (trackable by callbacks).

    Examples
    --------
    >>> from spikey.snn.reward import TDError
    >>> td = TDError(expected_value=lambda s, a: 1.0, gamma=0.0, critic_rate=0.5)
    >>> td.reset(); [round(td((0.0,), 0), 3) for _ in range(3)]
    [1.0, 0.5, 0.25]
    """

    STATE = ("theta", "prev_td", "prev_value", "prev_reward")
    LEARNED = ("theta",)

    NECESSARY_KEYS = Reward.extend_keys(
        [
            Key("expected_value", "f(state, action) -> raw reward r.", callable),
            Key("gamma", "Discount factor.", float, default=0.9, constraint=Interval(0, 1)),
            Key(
                "critic_rate",
                "Learning rate alpha of the critic.",
                float,
                default=0.1,
                constraint=Interval(0, None),
            ),
        ]
    )

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.theta = None
        self.prev_td = self.prev_value = self.prev_reward = 0.0

    def reset(self) -> None:
        """Keep the learned critic; clear the last-step values."""
        self.prev_td = self.prev_value = self.prev_reward = 0.0

    def _features(self, state: Any) -> np.ndarray:
        x = np.asarray(state, dtype=float).ravel()
        phi = np.concatenate(([1.0], x))
        if self.theta is None:
            self.theta = np.zeros(phi.size)
        elif phi.size != self.theta.size:
            raise ConfigError(f"TDError: expected states with {self.theta.size - 1} values; got {x.size}.")
        return phi

    def __call__(self, state: Any, action: Any, state_next: Any = None) -> float:
        """TD error for the transition (see class docstring)."""
        phi = self._features(state)
        r = float(self._expected_value(state, action))
        value = float(self.theta @ phi)
        nxt = 0.0 if state_next is None else float(self.theta @ self._features(state_next))
        td = r + self._gamma * nxt - value
        if self.training:
            self.theta += self._critic_rate * td * phi
        self.prev_td, self.prev_value, self.prev_reward = td, value, r
        return td
