"""spikey's games registered with Gymnasium: ``gymnasium.make("spikey/CartPole-v0")``.

Done on ``import spikey.games`` (so on ``import spikey``); the envs are made by
:func:`spikey.games.gym_adapter.make_env`, imported only when an env is made.

Examples
--------
>>> import gymnasium as gym
>>> import spikey
>>> env = gym.make("spikey/CartPole-v0", preset="CartPole-v1")
>>> obs, info = env.reset(seed=0)
>>> obs.shape, env.action_space
((4,), Discrete(2))
"""

from __future__ import annotations

import gymnasium

__all__ = ["ENV_IDS", "register_envs"]

#: Gymnasium ids of spikey's games -> (game, preset). ``gymnasium.make(id, **kwargs)``
#: passes ``kwargs`` (keys of the game, ``render_mode``, ``max_episode_steps``) on.
ENV_IDS: dict[str, tuple[str, str | None]] = {
    "spikey/CartPole-v0": ("CartPole", None),
    "spikey/Logic-v0": ("Logic", None),
    **{f"spikey/{gate}-v0": ("Logic", gate) for gate in ("AND", "OR", "XOR", "NAND", "NOR", "XNOR")},
}


def register_envs() -> list[str]:
    """Register spikey's games with Gymnasium (done on ``import spikey.games``); return the ids.

    Afterwards ``gymnasium.make("spikey/CartPole-v0")`` (the original Spikey's
    cart-pole, a force in newtons; ``preset="CartPole-v1"`` for Gymnasium's CartPole-v1
    rules), ``"spikey/Logic-v0"`` and ``"spikey/XOR-v0"`` (and the other gates) give a
    :class:`~spikey.games.GymnasiumEnv`. Registering again changes nothing.
    """
    registry = gymnasium.envs.registration.registry
    for env_id, (game, preset) in ENV_IDS.items():
        if env_id not in registry:
            gymnasium.register(
                id=env_id,
                entry_point="spikey.games.gym_adapter:make_env",
                kwargs={"game": game, "preset": preset},
                disable_env_checker=False,
            )
    return list(ENV_IDS)

