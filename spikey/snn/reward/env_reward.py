"""The environment's own reward, optionally scaled, clipped or shaped."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import ConfigError
from spikey.module import Interval, Key
from spikey.snn.reward.template import Reward

__all__ = ["EnvReward"]


class EnvReward(Reward):
    """Passes the environment's reward to the network: ``r = clip(scale * r_env + shaping)``.

    Unlike rewarders that judge the action themselves, this one needs the reward the
    game returned; the loop passes it as ``env_reward`` (``rewarder(state, action,
    state_next, env_reward=r)``) and gives the result to ``network.reward(state, action,
    state_next, reward=...)``. Called without it, it raises an error saying so.

    Notes
    -----
    .. math::

        r = \\operatorname{clip}\\big(\\text{reward\\_scale}\\; r_{env}
            + F(s, a, s'),\\ -\\text{reward\\_clip},\\ \\text{reward\\_clip}\\big)

    with :math:`F` = ``reward_shaping`` (0 when None) and no clipping when
    ``reward_clip`` is None. ``reward_mult`` and ``punish_mult`` multiply positive and
    negative results (both 1 by default).

    Examples
    --------
    >>> from spikey.snn.reward import EnvReward
    >>> r = EnvReward(reward_scale=0.1, reward_clip=1.0)
    >>> r([0.0], 1, [0.1], env_reward=5.0), r([0.0], 1, [0.1], env_reward=-100.0)
    (0.5, -1.0)
    """

    NECESSARY_KEYS = Reward.extend_keys(
        [
            Key("reward_scale", "Factor on the environment's reward.", float, default=1.0),
            Key(
                "reward_clip",
                "Clip the reward to [-reward_clip, reward_clip] (None: no clipping).",
                float,
                default=None,
                constraint=Interval(0, None, low_closed=False),
            ),
            Key(
                "reward_shaping",
                "f(state, action, state_next) -> float added to the scaled reward (None: nothing).",
                callable,
                default=None,
            ),
        ]
    )

    def __call__(
        self, state: Any, action: Any, state_next: Any = None, env_reward: float | None = None
    ) -> float:
        """The reward of the step (see class docstring)."""
        if env_reward is None:
            raise ConfigError(
                f"{type(self).__name__}: needs the environment's reward; call rewarder(state, action, "
                "state_next, env_reward=r) and pass the result to network.reward(..., reward=...)."
            )
        r = self._reward_scale * float(env_reward)
        if self._reward_shaping is not None:
            r += float(self._reward_shaping(state, action, state_next))
        if self._reward_clip is not None:
            r = float(np.clip(r, -self._reward_clip, self._reward_clip))
        return r * (self._reward_mult if r >= 0 else self._punish_mult)
