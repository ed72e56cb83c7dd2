"""Cart-pole balancing: keep a pole hinged on a moving cart upright.

The physics and constants are those of the classic control benchmark (Barto, Sutton &
Anderson 1983) as implemented by Gymnasium's ``CartPole-v1``; the original Spikey's
presets (``DEFAULT``, ``FREMAUX``) drive the cart with a continuous force.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from spikey.games.render import Canvas
from spikey.games.spaces import Box, Discrete
from spikey.games.template import Game
from spikey.module import Interval, Key, OneOf, Predicate

__all__ = ["CartPole"]


def _is_range(value: Any) -> bool:
    arr = np.asarray(value, dtype=float)
    return arr.shape == (2,) and bool(np.all(np.isfinite(arr))) and bool(arr[0] <= arr[1])


_RANGE = Predicate(_is_range, "a pair [low, high] of finite numbers with low <= high")
_POSITIVE = Interval(0, None, low_closed=False)

#: Gymnasium CartPole-v1's pole-angle limit: 12 degrees, in radians.
THETA_MAX_V1 = 12 * 2 * math.pi / 360


#: The original Spikey's continuous-force cart-pole (FREMAUX differs only in x_max).
_SPIKEY_PRESET = {
    "x_max": 4.5,
    "theta_max": 0.5 * math.pi,
    "x_init_range": [0.0, 0.0],
    "xdot_init_range": [-0.1, 0.1],
    "theta_init_range": [0.0, 0.0],
    "thetadot_init_range": [-0.1, 0.1],
    "init_random_sign": True,
    "Tau": 0.02,
    "kinematics_integrator": "euler",
    "action_type": "force",
    "reward_per_step": 0.0,
    "max_steps": None,
}


class CartPole(Game):
    """Inverted pendulum on a cart (cart-pole), pushed left or right.

    ::

                  /   pole: mass Mass_Pole, half length pole_half_length
                 /    theta: angle from vertical (rad), theta_dot (rad/s)
          ______/____
         |   cart    |  --> x (m), x_dot (m/s); cart mass Mass_Cart
         |___________|  force F (N) along x
        --O-------O-------  |x| > x_max or |theta| > theta_max: episode over

    State: ``numpy.ndarray`` ``[x, x_dot, theta, theta_dot]`` (float64; m, m/s, rad,
    rad/s). Reset draws each element uniformly from its ``*_init_range`` (times a random
    sign when ``init_random_sign``) from the game's generator.

    Parameters
    ----------
    callback : object, optional
        See :class:`spikey.games.Game`.
    preset : {"CartPole-v1", "DEFAULT", "FREMAUX"}, optional
        ``"CartPole-v1"``: Gymnasium's CartPole-v1 (actions 0/1 = push left/right with
        ``Force_Mag``, reward 1 per step including the last, ``|x| <= 2.4`` m, ``|theta| <= 12``
        deg, truncated after 500 steps, start uniform in [-0.05, 0.05]).
        ``"DEFAULT"`` (the class default) and ``"FREMAUX"``: the original Spikey's presets
        (continuous force, reward 0 so that a network rewarder decides, ``|theta| <= 90``
        deg, ``|x| <= 4.5`` m resp. 2.5 m, no time limit, start at x = theta = 0 with
        velocities uniform in +-[0, 0.1]).
    **kwargs
        Keys below.

    Notes
    -----
    Keys (units in brackets; besides ``seed`` and ``max_steps``):

    - ``g`` [m/s^2] 9.8, ``Mass_Cart`` [kg] 1.0, ``Mass_Pole`` [kg] 0.1,
      ``pole_half_length`` [m] 0.5, ``Force_Mag`` [N] 10.0, ``Tau`` [s] 0.02 (time step).
    - ``x_max`` [m], ``theta_max`` [rad]: termination thresholds (exceeded strictly).
    - ``x_init_range``, ``xdot_init_range``, ``theta_init_range``,
      ``thetadot_init_range``: ``[low, high]`` of the initial values;
      ``init_random_sign``: multiply each by a random sign (the original Spikey's draw).
    - ``action_type``: ``"discrete"`` (0 or 1 -> F = -Force_Mag or +Force_Mag),
      ``"force"`` (a number or 1-element array: F in [-Force_Mag, Force_Mag] N) or
      ``"push"`` (two weights ``[left, right]`` in [0, 1], F = (right - left) *
      Force_Mag, e.g. a population-vector readout).
    - ``kinematics_integrator``: ``"euler"`` (explicit, as Gymnasium's default) or
      ``"semi_implicit_euler"`` (velocities first).
    - ``reward_per_step``: reward of every step, the terminating one included.

    With F the force, m_p = Mass_Pole, M = Mass_Cart + m_p, l = pole_half_length:

    .. math::

        t = (F + m_p l \\dot\\theta^2 \\sin\\theta) / M

        \\ddot\\theta = \\frac{g \\sin\\theta - \\cos\\theta\\, t}
                              {l (4/3 - m_p \\cos^2\\theta / M)}

        \\ddot x = t - m_p l \\ddot\\theta \\cos\\theta / M

    then one (explicit or semi-implicit) Euler step of length ``Tau``. The expressions are
    evaluated in the same order as Gymnasium's, so trajectories match CartPole-v1 to the
    last bit (see ``unit_tests/test_games.py``). Florian (2007) derives the correct
    equations with friction; these are the frictionless classic ones.

    References
    ----------
    .. [1] Barto A. G., Sutton R. S., Anderson C. W. (1983) Neuronlike adaptive elements
       that can solve difficult learning control problems. IEEE Transactions on Systems,
       Man, and Cybernetics SMC-13(5):834-846.
    .. [2] Florian R. V. (2007) Correct equations for the dynamics of the cart-pole
       system. Center for Cognitive and Neural Studies (Coneural), Romania.
    .. [3] Fremaux N., Sprekeler H., Gerstner W. (2013) Reinforcement learning using a
       continuous time actor-critic framework with spiking neurons. PLOS Computational
       Biology 9(4):e1003024.
    .. [4] Gymnasium, ``gymnasium.envs.classic_control.CartPoleEnv`` (CartPole-v1).

    Examples
    --------
    >>> from spikey.games import CartPole
    >>> game = CartPole(preset="CartPole-v1", seed=0)
    >>> state = game.reset()
    >>> state.shape, bool(abs(state).max() <= 0.05)
    ((4,), True)
    >>> state, reward, done, info = game.step(1)
    >>> reward, done, info["truncated"]
    (1.0, False, False)
    >>> spikey_style = CartPole(seed=0)  # preset "DEFAULT": action = force in newtons
    >>> _ = spikey_style.reset(); _, reward, _, _ = spikey_style.step(-2.5)
    >>> reward
    0.0
    """

    NECESSARY_KEYS = Game.extend_keys(
        [
            Key("x_max", "Episode terminates when |x| > x_max.", float, 2.4, constraint=_POSITIVE, units="m"),
            Key(
                "theta_max",
                "Episode terminates when |theta| > theta_max.",
                float,
                THETA_MAX_V1,
                constraint=_POSITIVE,
                units="rad",
            ),
            Key(
                "x_init_range",
                "[low, high] of the initial x.",
                np.ndarray,
                [-0.05, 0.05],
                constraint=_RANGE,
                units="m",
            ),
            Key(
                "xdot_init_range",
                "[low, high] of the initial x_dot.",
                np.ndarray,
                [-0.05, 0.05],
                constraint=_RANGE,
                units="m/s",
            ),
            Key(
                "theta_init_range",
                "[low, high] of the initial theta.",
                np.ndarray,
                [-0.05, 0.05],
                constraint=_RANGE,
                units="rad",
            ),
            Key(
                "thetadot_init_range",
                "[low, high] of the initial theta_dot.",
                np.ndarray,
                [-0.05, 0.05],
                constraint=_RANGE,
                units="rad/s",
            ),
            Key("init_random_sign", "Multiply each initial value by a random sign.", bool, False),
            Key("g", "Gravitational acceleration.", float, 9.8, constraint=_POSITIVE, units="m/s^2"),
            Key("Mass_Cart", "Mass of the cart.", float, 1.0, constraint=_POSITIVE, units="kg"),
            Key("Mass_Pole", "Mass of the pole.", float, 0.1, constraint=_POSITIVE, units="kg"),
            Key(
                "pole_half_length",
                "Half the length of the pole.",
                float,
                0.5,
                constraint=_POSITIVE,
                units="m",
            ),
            Key("Force_Mag", "Magnitude of the largest push.", float, 10.0, constraint=_POSITIVE, units="N"),
            Key("Tau", "Time step of the integration.", float, 0.02, constraint=_POSITIVE, units="s"),
            Key(
                "kinematics_integrator",
                "Integration scheme.",
                str,
                "euler",
                constraint=OneOf("euler", "semi_implicit_euler"),
            ),
            Key(
                "action_type",
                "How actions map to force: 'discrete' (0/1), 'force' (newtons), 'push' ([left, right]).",
                str,
                "discrete",
                constraint=OneOf("discrete", "force", "push"),
            ),
            Key("reward_per_step", "Reward of every step, the last one included.", float, 1.0),
        ]
    )

    PRESETS = {
        "CartPole-v1": {
            "x_max": 2.4,
            "theta_max": THETA_MAX_V1,
            "x_init_range": [-0.05, 0.05],
            "xdot_init_range": [-0.05, 0.05],
            "theta_init_range": [-0.05, 0.05],
            "thetadot_init_range": [-0.05, 0.05],
            "init_random_sign": False,
            "Tau": 0.02,
            "kinematics_integrator": "euler",
            "action_type": "discrete",
            "reward_per_step": 1.0,
            "max_steps": 500,
        },
        "DEFAULT": _SPIKEY_PRESET,
        "FREMAUX": {**_SPIKEY_PRESET, "x_max": 2.5},
    }
    config = dict(PRESETS["DEFAULT"])
    metadata = {"render_modes": ["rgb_array", "human"], "render_fps": 50}

    # ------------------------------------------------------------------ spaces
    @property
    def observation_space(self) -> Box:
        """``[x, x_dot, theta, theta_dot]`` within twice the termination thresholds.

        float32 like Gymnasium's CartPole-v1, with the same bounds for ``x`` and
        ``theta``; the velocities are bounded by the largest float32 (Gymnasium's
        bounds up to 0.29; since 1.0 it uses infinity, which its own ``check_env``
        warns about). States themselves stay float64; :class:`~spikey.games.GymnasiumEnv`
        returns them as float32, as CartPole-v1 does.
        """
        big = np.finfo(np.float32).max
        high = np.array([2 * self._x_max, big, 2 * self._theta_max, big], dtype=np.float32)
        return Box(-high, high, dtype=np.float32)

    @property
    def action_space(self) -> Discrete | Box:
        """``Discrete(2)``, ``Box(-Force_Mag, Force_Mag, (1,))`` or ``Box(0, 1, (2,))``."""
        if self._action_type == "discrete":
            return Discrete(2)
        if self._action_type == "force":
            return Box(-self._Force_Mag, self._Force_Mag, (1,))
        return Box(0.0, 1.0, (2,))

    def force(self, action: Any) -> float:
        """Force [N] on the cart for a (checked, canonical) ``action``."""
        if self._action_type == "discrete":
            return self._Force_Mag if action == 1 else -self._Force_Mag
        if self._action_type == "force":
            return float(action[0])
        return float(action[1] - action[0]) * self._Force_Mag

    # ------------------------------------------------------------------ dynamics
    def _reset(self) -> np.ndarray:
        ranges = np.array(
            [self._x_init_range, self._xdot_init_range, self._theta_init_range, self._thetadot_init_range],
            dtype=np.float64,
        )
        state = self.rng.uniform(low=ranges[:, 0], high=ranges[:, 1], size=(4,))
        if self._init_random_sign:
            state = state * np.where(self.rng.random(4) < 0.5, -1.0, 1.0)
        return state

    def _step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        force = self.force(action)
        x, x_dot, theta, theta_dot = self.state
        g, m_pole, half = self._g, self._Mass_Pole, self._pole_half_length
        total_mass = m_pole + self._Mass_Cart
        polemass_length = m_pole * half
        tau = self._Tau

        costheta = np.cos(theta)
        sintheta = np.sin(theta)
        temp = (force + polemass_length * np.square(theta_dot) * sintheta) / total_mass
        thetaacc = (g * sintheta - costheta * temp) / (
            half * (4.0 / 3.0 - m_pole * np.square(costheta) / total_mass)
        )
        xacc = temp - polemass_length * thetaacc * costheta / total_mass

        if self._kinematics_integrator == "euler":
            x = x + tau * x_dot
            x_dot = x_dot + tau * xacc
            theta = theta + tau * theta_dot
            theta_dot = theta_dot + tau * thetaacc
        else:
            x_dot = x_dot + tau * xacc
            x = x + tau * x_dot
            theta_dot = theta_dot + tau * thetaacc
            theta = theta + tau * theta_dot

        state = np.array((x, x_dot, theta, theta_dot), dtype=np.float64)
        terminated = bool(
            x < -self._x_max or x > self._x_max or theta < -self._theta_max or theta > self._theta_max
        )
        return state, self._reward_per_step, terminated, False, {"force": force}

    # ------------------------------------------------------------------ rendering
    def render_frame(self, width: int = 600, height: int = 400) -> np.ndarray:
        """The current state drawn as an RGB image (Gymnasium's ``rgb_array`` frame).

        The track spans ``[-x_max, x_max]``; the cart is a black box, the pole a brown
        bar of its true length, the track's ends are marked.

        Returns
        -------
        ndarray of uint8, shape (height, width, 3)

        Examples
        --------
        >>> from spikey.games import CartPole
        >>> game = CartPole(preset="CartPole-v1", seed=0)
        >>> _ = game.reset()
        >>> game.render_frame().shape
        (400, 600, 3)
        """
        state = self.state if self.state is not None else np.zeros(4)
        x, theta = float(state[0]), float(state[2])
        canvas = Canvas(height, width)
        scale = width / (2.0 * self._x_max)
        track_y = height * 0.7
        canvas.rect(0, track_y, width, track_y + 2, (0, 0, 0))
        for end in (-self._x_max, self._x_max):
            px = (end + self._x_max) * scale
            canvas.rect(px - 2, track_y - 15, px + 2, track_y, (120, 120, 120))
        cx = (x + self._x_max) * scale
        cart_w, cart_h = 50.0, 30.0
        canvas.rect(cx - cart_w / 2, track_y - cart_h, cx + cart_w / 2, track_y, (0, 0, 0))
        pole = 2.0 * self._pole_half_length * scale
        top_y = track_y - cart_h * 0.75
        canvas.line(cx, top_y, cx + pole * np.sin(theta), top_y - pole * np.cos(theta), 10, (202, 152, 101))
        canvas.circle(cx, top_y, 5, (129, 132, 203))
        return canvas.pixels

