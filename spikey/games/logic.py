"""Logic gates: reproduce a two-input boolean function.

Each step shows a random input pair; the player answers with the gate's output. This is
the task of Florian (2007)'s XOR experiments and of the original Spikey's ``Logic`` game.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.games.render import Canvas
from spikey.games.spaces import Discrete, MultiBinary
from spikey.games.template import Game
from spikey.module import Interval, Key
from spikey.snn.registry import key_function

__all__ = ["Logic", "and_gate", "or_gate", "xor_gate", "nand_gate", "nor_gate", "xnor_gate"]


# Module-level functions (not lambdas), so games and network configs pickle.
@key_function
def and_gate(state: Any) -> int:
    """``a AND b`` of an input pair, as 0 or 1."""
    return int(bool(state[0]) and bool(state[1]))


@key_function
def or_gate(state: Any) -> int:
    """``a OR b`` of an input pair, as 0 or 1."""
    return int(bool(state[0]) or bool(state[1]))


@key_function
def xor_gate(state: Any) -> int:
    """``a XOR b`` of an input pair, as 0 or 1."""
    return int(bool(state[0]) != bool(state[1]))


@key_function
def nand_gate(state: Any) -> int:
    """``NOT (a AND b)`` of an input pair, as 0 or 1."""
    return 1 - and_gate(state)


@key_function
def nor_gate(state: Any) -> int:
    """``NOT (a OR b)`` of an input pair, as 0 or 1."""
    return 1 - or_gate(state)


@key_function
def xnor_gate(state: Any) -> int:
    """``NOT (a XOR b)`` of an input pair, as 0 or 1."""
    return 1 - xor_gate(state)


class Logic(Game):
    """Mimic a logic gate on random input pairs.

    At :meth:`reset` and after every :meth:`step` the game draws a new input pair
    ``(a, b)``, each 0 or 1 with probability 1/2, from the game's generator. The action
    answers the pair shown before the step: a correct answer (``action ==
    expected_value(state)``) earns ``reward_correct``, a wrong one ``reward_incorrect``.
    The game never terminates; set ``max_steps`` for episodes of fixed length (as a
    :class:`~spikey.games.GymnasiumEnv`, an episode is truncated after 1000 steps unless
    ``max_steps`` or ``max_episode_steps`` says otherwise).

    Parameters
    ----------
    callback : object, optional
        See :class:`spikey.games.Game`.
    preset : {"AND", "OR", "XOR", "NAND", "NOR", "XNOR"}, optional
        The gate; the class default (``config``) is ``"OR"``, as in the original Spikey.
    **kwargs
        Keys below.

    Notes
    -----
    Keys (besides ``seed`` and ``max_steps`` of every game):

    - ``n_inputs`` (int, default 2): bits per state, as in the original Spikey; the
      stock gates read the first two, give your own ``expected_value`` for more.
    - ``name`` (str): the gate's name, for logs.
    - ``expected_value`` (callable): ``f(state) -> 0 or 1``, the gate. Networks built
      with ``game=`` receive it too, so a ``MatchExpected`` rewarder rewards the gate.
    - ``reward_correct`` (float, default 1): reward of a correct answer.
    - ``reward_incorrect`` (float, default 0): reward of a wrong answer.
    - ``strict_actions`` (bool, default False): the original Spikey's ``Logic`` took any
      action (its tutorial plays it with a ``NeuronRates`` readout, whose actions are
      rate vectors); so does this one, scoring an action other than the answer as wrong
      and warning once (:class:`~spikey.errors.ActionWarning`). ``True`` raises
      :class:`~spikey.errors.ActionError` instead.

    States are tuples ``(a, b)`` (``n_inputs`` ints) of Python ints in ``observation_space =
    MultiBinary(2)``; actions are ``0``/``1`` (bools and integral numbers accepted) in
    ``action_space = Discrete(2)``. ``info`` holds ``"expected"`` (the correct answer)
    and ``"correct"`` (bool).

    References
    ----------
    .. [1] Florian R. V. (2007) Reinforcement learning through modulation of
       spike-timing-dependent synaptic plasticity. Neural Computation 19(6):1468-1502.

    Examples
    --------
    >>> from spikey.games import Logic
    >>> game = Logic(preset="XOR", seed=0)
    >>> state = game.reset()
    >>> answer = game.expected_value(state)
    >>> _, reward, done, info = game.step(answer)
    >>> reward, done, info["correct"]
    (1.0, False, True)
    >>> [Logic.PRESETS["XOR"]["expected_value"](s) for s in Logic.observation_space]
    [0, 1, 1, 0]

    The original Spikey's template idiom:

    >>> class game_template(Logic):
    ...     config = Logic.PRESETS["XOR"]
    ...     config.update({"max_steps": 10})
    >>> game_template(seed=0).params["name"], Logic.PRESETS["XOR"].get("max_steps")
    ('XOR', None)
    """

    NECESSARY_KEYS = Game.extend_keys(
        [
            Key(
                "n_inputs",
                "Number of bits in a state (the stock gates read the first two).",
                int,
                default=2,
                constraint=Interval(1, None),
            ),
            Key("name", "Name of the gate, for logs.", str, default=None),
            Key("expected_value", "f(state) -> the gate's output (0 or 1) for an input pair.", callable),
            Key("reward_correct", "Reward of a correct answer.", float, default=1.0),
            Key("reward_incorrect", "Reward of a wrong answer.", float, default=0.0),
            Key(
                "strict_actions",
                "True: an action other than 0/1 raises ActionError; False (default, as the "
                "original Spikey's Logic): it is taken as given (scored as wrong unless it "
                "equals the answer), with a warning once per game.",
                bool,
                default=False,
            ),
        ]
    )

    PRESETS = {
        "AND": {"name": "AND", "expected_value": and_gate},
        "OR": {"name": "OR", "expected_value": or_gate},
        "XOR": {"name": "XOR", "expected_value": xor_gate},
        "NAND": {"name": "NAND", "expected_value": nand_gate},
        "NOR": {"name": "NOR", "expected_value": nor_gate},
        "XNOR": {"name": "XNOR", "expected_value": xnor_gate},
    }
    config = dict(PRESETS["OR"])

    observation_space = MultiBinary(2)
    action_space = Discrete(2)
    metadata = {"render_modes": ["rgb_array", "human"], "render_fps": 4}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self._n_inputs != 2:
            self.observation_space = MultiBinary(self._n_inputs)
        self._last_answer: tuple[tuple[int, ...], int, bool] | None = None

    def expected_value(self, state: Any) -> int:
        """The correct answer (0 or 1) to input pair ``state``."""
        return int(self._expected_value(state))

    def _draw(self) -> tuple[int, ...]:
        return tuple(int(x) for x in self.rng.integers(0, 2, size=self._n_inputs))

    def _reset(self) -> tuple[int, int]:
        self._last_answer = None
        return self._draw()

    def _step(self, action: int) -> tuple[tuple[int, int], float, bool, bool, dict[str, Any]]:
        expected = self.expected_value(self.state)
        try:  # an action taken as given (strict_actions=False) may be an array
            correct = bool(np.all(np.asarray(action) == expected))
        except (TypeError, ValueError):
            correct = False
        reward = self._reward_correct if correct else self._reward_incorrect
        self._last_answer = (tuple(self.state), int(np.asarray(action).ravel()[0]) if np.size(action) else 0, correct)
        return self._draw(), reward, False, False, {"expected": expected, "correct": correct}

    def render_frame(self, cell: int = 60) -> np.ndarray:
        """The inputs shown and the last answer as an RGB image (Gymnasium's ``rgb_array`` frame).

        Top row: the current inputs (black = 1, white = 0). Bottom row: the previous
        step's inputs and, after a gap, its answer, framed green when correct and red
        when wrong (grey before the first step).

        Returns
        -------
        ndarray of uint8, shape (2 * cell + 4 * pad, (n_inputs + 2) * cell + (n_inputs + 3) * pad, 3)
            with ``pad = max(1, cell // 12)``.

        Examples
        --------
        >>> from spikey.games import Logic
        >>> game = Logic(preset="XOR", seed=0)
        >>> _ = game.reset()
        >>> game.render_frame(cell=10).shape
        (24, 45, 3)
        """
        n = self._n_inputs
        pad = max(1, cell // 12)
        height, width = 2 * cell + 4 * pad, (n + 2) * cell + (n + 3) * pad
        canvas = Canvas(height, width, (235, 235, 235))

        def bit(col: int, row: int, value: int, frame: tuple[int, int, int] = (90, 90, 90)) -> None:
            x0, y0 = pad + col * (cell + pad), pad + row * (cell + pad + pad)
            canvas.rect(x0, y0, x0 + cell, y0 + cell, frame)
            fill = (20, 20, 20) if value else (255, 255, 255)
            canvas.rect(x0 + pad, y0 + pad, x0 + cell - pad, y0 + cell - pad, fill)

        state = self.state if self.state is not None else (0,) * n
        for i, v in enumerate(state):
            bit(i, 0, int(v))
        last = self._last_answer
        if last is not None:
            shown, answer, correct = last
            for i, v in enumerate(shown):
                bit(i, 1, int(v))
            bit(n + 1, 1, answer, (40, 160, 40) if correct else (200, 40, 40))
        return canvas.pixels
