"""Games (reinforcement-learning environments) that drive networks.

Stock games: :class:`Logic` (logic gates) and :class:`CartPole`. Every game follows
the template :class:`Game` (``spikey.games.template``): ``reset() -> state`` and
``step(action) -> (state, reward, done, info)``.

Gymnasium, both ways (imported on first use): :func:`gym_wrapper` plays any Gymnasium
environment as a spikey game, :class:`GymnasiumEnv` exposes any spikey game as a
``gymnasium.Env``.
"""

from spikey.games import spaces
from spikey.games.cartpole import CartPole
from spikey.games.logic import Logic
from spikey.games.template import ActionError, EpisodeError, Game, Presets

_GYM_NAMES = ("GymGame", "GymnasiumEnv", "gym_wrapper", "gym_template")


def __getattr__(name: str):
    # gymnasium is imported only when the adapter is first used.
    if name in _GYM_NAMES:
        from spikey.games import gym_adapter

        return getattr(gym_adapter, name)
    raise AttributeError(f"module 'spikey.games' has no attribute {name!r}")


__all__ = [
    "Game",
    "Presets",
    "ActionError",
    "EpisodeError",
    "spaces",
    "Logic",
    "CartPole",
    *_GYM_NAMES,
]
