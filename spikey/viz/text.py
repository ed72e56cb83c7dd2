"""Text summaries of a run (no plotting library needed)."""

from __future__ import annotations

from typing import Any

import numpy as np

from spikey.errors import SpikeyError

__all__ = ["print_rates", "print_common_action"]


def _episode(values: Any, episode: Any, nested: bool) -> np.ndarray:
    if not nested:
        return np.asarray(values)
    if episode is None:
        return np.asarray([v for ep in values for v in ep])
    if isinstance(episode, (list, tuple)):
        return np.asarray([v for i in episode for v in values[i]])
    return np.asarray(values[episode])


def print_rates(
    step_inrates: Any = None,
    step_outrates: Any = None,
    step_states: Any = None,
    observation_space: Any = None,
    callback: Any = None,
    precision: int = 2,
    episode: Any = -1,
) -> dict:
    """Print the mean input and output rate in response to each state (the original Spikey's).

    Parameters
    ----------
    step_inrates, step_outrates, step_states : list, optional
        Per game step (flat, or one list per episode); default: the callback's
        ``info`` (an :class:`~spikey.core.RLCallback` with ``measure_rates=True``).
    observation_space : iterable, optional
        The states to report; default: the callback's game's ``observation_space``.
    callback : RLCallback, optional
        Fills what is not given.
    precision : int
        Decimals printed.
    episode : int, list of int or None
        For per-episode lists: the episode(s) to average over (None: all).

    Returns
    -------
    dict
        State -> ``(mean input rate, mean output rate)`` (nan for a state never shown).

    Raises
    ------
    SpikeyError
        When neither the lists nor a callback with them are given.

    Examples
    --------
    >>> from spikey.viz import print_rates
    >>> _ = print_rates([0.0, 0.5, 0.0], [0.1, 0.9, 0.3], [(0, 0), (0, 1), (0, 0)],
    ...                 observation_space=[(0, 0), (0, 1)])
    (0, 0): 0.00 -> 0.20
    (0, 1): 0.50 -> 0.90
    """
    (inrates, outrates, states), observation_space = _recorded(
        "print_rates",
        callback,
        {"step_inrates": step_inrates, "step_outrates": step_outrates, "step_states": step_states},
        observation_space,
        episode,
        "(RLCallback(measure_rates=True))",
    )
    inrates, outrates = inrates.astype(float), outrates.astype(float)
    out = {}
    for state in observation_space:
        mask = states == np.asarray(state)
        if mask.ndim > 1:
            mask = mask.all(axis=-1)
        pair = tuple(float(np.mean(r[mask])) if mask.any() else float("nan") for r in (inrates, outrates))
        out[state] = pair
        print(f"{state}: {pair[0]:.{precision}f} -> {pair[1]:.{precision}f}")
    return out


def _letter(action: Any) -> str:
    """``A``, ``B``, ... for a small non-negative integer action, else ''."""
    try:
        i = int(action)
    except (TypeError, ValueError):
        return ""
    return chr(ord("A") + i) if 0 <= i < 26 and i == action else ""


def print_common_action(
    step_inrates: Any = None,
    step_actions: Any = None,
    step_states: Any = None,
    observation_space: Any = None,
    callback: Any = None,
    episode: Any = -1,
    precision: int = 4,
) -> dict:
    """Print the mean input rate and the most common action for each state (the original Spikey's).

    Parameters
    ----------
    step_inrates, step_actions, step_states : list, optional
        Per game step (flat, or one list per episode); default: the callback's
        ``info`` (``step_inrates`` needs ``RLCallback(measure_rates=True)``).
    observation_space : iterable, optional
        The states to report; default: the callback's game's ``observation_space``.
    callback : RLCallback, optional
        Fills what is not given.
    episode : int, list of int or None
        For per-episode lists: the episode(s) to count over (None: all).
    precision : int
        Decimals of the rate.

    Returns
    -------
    dict
        State -> ``(mean input rate, most common action, {action: count})``; a state
        never shown gives ``(nan, None, {})``.

    Raises
    ------
    SpikeyError
        When neither the lists nor a callback with them are given.

    Examples
    --------
    >>> from spikey.viz import print_common_action
    >>> _ = print_common_action([0.0, 0.5, 0.0], [1, 0, 1], [(0, 0), (0, 1), (0, 0)],
    ...                         observation_space=[(0, 0), (0, 1)])
    (0, 0): 0.0000 -> B(1). counts={1: 2}
    (0, 1): 0.5000 -> A(0). counts={0: 1}
    """
    (inrates, actions, states), observation_space = _recorded(
        "print_common_action",
        callback,
        {"step_inrates": step_inrates, "step_actions": step_actions, "step_states": step_states},
        observation_space,
        episode,
        "(RLCallback(measure_rates=True) for step_inrates)",
    )
    inrates = inrates.astype(float)
    out = {}
    for state in observation_space:
        mask = states == np.asarray(state)
        if mask.ndim > 1:
            mask = mask.all(axis=-1)
        if not mask.any():
            out[state] = (float("nan"), None, {})
            print(f"{state}: never shown")
            continue
        values, counts = np.unique(actions[mask], return_counts=True)
        common = values[np.argmax(counts)].item()
        tally = {v.item(): int(c) for v, c in zip(values, counts)}
        rate = float(np.mean(inrates[mask]))
        out[state] = (rate, common, tally)
        print(f"{state}: {rate:.{precision}f} -> {_letter(common)}({common}). counts={tally}")
    return out


def _recorded(
    who: str, callback: Any, given: dict, observation_space: Any, episode: Any, hint: str
) -> tuple[list[np.ndarray], Any]:
    """The per-step lists ``given`` (or, where None, the callback's ``info``), cut to
    ``episode``, and the observation space (given, or the callback's game's)."""
    info = getattr(callback, "info", {}) if callback is not None else {}
    for name, value in given.items():
        if value is None:
            if name not in info:
                raise SpikeyError(f"{who}: no {name}; give it, or a callback that recorded it {hint}.")
            given[name] = info[name]
    if observation_space is None:
        observation_space = getattr(getattr(callback, "game", None), "observation_space", None)
        if observation_space is None:
            raise SpikeyError(f"{who}: give observation_space (or a callback bound to a game).")
    values = list(given.values())
    nested = len(values[0]) > 0 and isinstance(values[0][0], (list, tuple, np.ndarray))
    return [_episode(v, episode, nested) for v in values], observation_space
