"""Games (reinforcement-learning environments) that drive networks.

Stock games: :class:`Logic` (logic gates) and :class:`CartPole`. Every game follows
the template :class:`Game` (``spikey.games.template``): ``reset() -> state`` and
``step(action) -> (state, reward, done, info)``.

Gymnasium, both ways (imported on first use): :func:`gym_wrapper` plays any Gymnasium
environment as a spikey game, :class:`GymnasiumEnv` exposes any spikey game as a
``gymnasium.Env`` (Gymnasium's API: ``reset(seed=) -> (obs, info)``, five-tuple
``step``, ``render_mode="rgb_array"`` / ``"human"`` for CartPole and Logic). Importing
this package registers spikey's games with Gymnasium (:data:`ENV_IDS`), so
``gymnasium.make("spikey/CartPole-v0")`` works.
"""

from spikey._lazy import lazy_exports
from spikey.games import spaces
from spikey.games.cartpole import CartPole
from spikey.games.logic import Logic
from spikey.games.registration import ENV_IDS, register_envs
from spikey.games.template import ActionError, EpisodeError, Game, Presets

_GYM_NAMES = ("GymGame", "GymnasiumEnv", "gym_wrapper", "gym_template", "make_env")

register_envs()

# the Gymnasium adapter is imported when first used (PEP 562)
__getattr__, __dir__ = lazy_exports(__name__, dict.fromkeys(_GYM_NAMES, "spikey.games.gym_adapter"))


__all__ = [
    "Game",
    "Presets",
    "ActionError",
    "EpisodeError",
    "spaces",
    "Logic",
    "CartPole",
    "ENV_IDS",
    "register_envs",
    *_GYM_NAMES,
]
