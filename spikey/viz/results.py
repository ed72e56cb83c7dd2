"""Plots of results: learning curves, Series and Population searches, weights, game states.

The functions take what an experiment leaves behind: a log (a file path, the dict of
:func:`spikey.logging.read_log`, or the callback of a finished run), a Series results
table, or a Population (object, table or output folder). Each draws on the ``ax`` it is
given (or on a new figure) and returns the matplotlib ``Axes`` (``Figure`` for the
multi-panel :func:`population_plot`).

A log without the signal a plot needs raises :class:`~spikey.errors.MissingKeyError`
naming the missing key and the callback that records it.

The original Spikey's names are kept: :func:`state_transition_matrix` and
:func:`state_action_counts` (count matrices of a run's states and actions) and
:func:`delay_embedding`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from spikey.errors import ConfigError, MissingKeyError
from spikey.module import describe_value

__all__ = [
    "log_data",
    "learning_curve",
    "series_comparison",
    "population_plot",
    "weight_histograms",
    "state_transition_matrix",
    "state_action_counts",
    "game_states",
    "delay_embedding",
    "step_correct",
    "episode_returns",
    "observation_traces",
    "is_categorical",
    "overlay_curves",
]

#: Where each signal comes from (for error messages).
RECORDED_BY = {
    "episode_rewards": "spikey.core.RLCallback",
    "episode_lens": "spikey.core.RLCallback",
    "episode_accuracy": "spikey.core.RLCallback (games with an expected answer, e.g. Logic)",
    "step_states": "spikey.core.RLCallback(reduced=False)",
    "step_actions": "spikey.core.RLCallback(reduced=False)",
    "step_rewards": "spikey.core.RLCallback(reduced=False)",
    "weights_start": "spikey.core.RLCallback(reduced=False)",
    "weights_final": "spikey.core.RLCallback(reduced=False)",
}


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    return ax


def log_data(source: Any, owner: str = "spikey.viz") -> dict:
    """A run's log as a dict with sections ``network``, ``game``, ``results``, ``info``.

    Parameters
    ----------
    source : str, os.PathLike, dict or ExperimentCallback
        A log file, a decoded log (:func:`spikey.logging.read_log`) or a callback
        (its ``results`` and ``info``; its network's and game's ``params``).
    owner : str
        Name used in messages.

    Raises
    ------
    ConfigError
        For anything else.
    """
    if isinstance(source, (str, os.PathLike)):
        from spikey.logging.reader import read_log

        return read_log(os.fspath(source))
    if isinstance(source, dict):
        if not any(s in source for s in ("info", "results")):
            raise ConfigError(
                f"{owner}: expected a log (sections network, game, results, info); got a dict with "
                f"{sorted(source)[:8]}."
            )
        return {s: dict(source.get(s) or {}) for s in ("network", "game", "results", "info")}
    if hasattr(source, "info") and hasattr(source, "results"):
        net = getattr(source, "network", None)
        game = getattr(source, "game", None)
        return {
            "network": dict(getattr(net, "params", {}) or {}),
            "game": dict(getattr(game, "params", {}) or {}),
            "results": dict(source.results),
            "info": dict(source.info),
        }
    raise ConfigError(
        f"{owner}: expected a log file, a decoded log (dict) or a callback; got {describe_value(source)}."
    )


def _need(data: dict, key: str, owner: str, section: str = "info") -> Any:
    """``data[section][key]``, or a MissingKeyError naming the callback that records it."""
    value = data[section].get(key)
    if value is None:
        by = RECORDED_BY.get(key, "the experiment's callback")
        raise MissingKeyError(
            f"{owner}: the log has no {section}[{key!r}], which {by} records; run the experiment with "
            f"that callback (e.g. GenericLoop(..., callback=RLCallback()) or `spikey run`, which uses it)."
        )
    return value


def _expected_fn(game: dict) -> Any:
    """The gate of a Logic log (looked up among spikey's own gates, never imported by name)."""
    from spikey.games.logic import Logic

    name = game.get("name")
    if name in Logic.PRESETS:
        return Logic.PRESETS[name]["expected_value"]
    path = str(game.get("expected_value") or "")
    for preset in Logic.PRESETS.values():
        fn = preset["expected_value"]
        if path == f"{fn.__module__}:{fn.__qualname__}":
            return fn
    return None


def step_correct(source: Any, prefix: str = "") -> np.ndarray | None:
    """Per game step, whether the action was the expected answer (Logic games), else None.

    Parameters
    ----------
    source : log file, dict or callback
        See :func:`log_data`; needs ``step_states`` and ``step_actions``.
    prefix : str
        ``""``: training steps; ``"eval_"``: the frozen-weight evaluation's.

    Returns
    -------
    ndarray of bool, shape (n_steps,) or None
        None when the game has no known expected answer or the steps were not recorded.
    """
    data = log_data(source, "spikey.viz.step_correct")
    fn = _expected_fn(data["game"])
    states = data["info"].get(prefix + "step_states")
    actions = data["info"].get(prefix + "step_actions")
    if fn is None or states is None or actions is None or len(states) != len(actions):
        return None
    return np.array([int(np.asarray(a).item()) == int(fn(s)) for s, a in zip(states, actions)], dtype=bool)


def _moving_mean(x: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over up to ``window`` values (shorter at the start)."""
    c = np.cumsum(np.insert(np.asarray(x, dtype=float), 0, 0.0))
    idx = np.arange(1, len(x) + 1)
    lo = np.maximum(0, idx - window)
    return (c[idx] - c[lo]) / (idx - lo)


def learning_curve(source: Any, ax: Any = None, *, window: int | None = None, by: str = "auto") -> Any:
    """Reward per game step and accuracy over training, with the frozen-weight evaluation marked.

    Parameters
    ----------
    source : log file, dict or callback
        See :func:`log_data`. Needs ``info["episode_rewards"]`` and
        ``info["episode_lens"]`` (:class:`~spikey.core.RLCallback`); per-step curves need
        ``step_rewards`` (``RLCallback(reduced=False)``).
    ax : matplotlib Axes, optional
    window : int, optional
        Steps (or episodes) per moving average; default: a tenth of the run, at least 1.
    by : {"auto", "episode", "step"}
        x axis. ``"auto"``: episodes when there are at least 5, else game steps (e.g. the
        XOR experiment: 1 episode of 800 presentations).

    Returns
    -------
    matplotlib Axes
        Left axis: mean reward per game step (moving average); right axis (``ax.right``,
        for games with an expected answer): accuracy. The frozen-weight evaluation is a
        shaded span after training (evaluation episodes) and/or a marker labelled
        ``frozen weights`` (``results["frozen_accuracy"]`` of ``spikey run``).

    Raises
    ------
    MissingKeyError
        When the log lacks the signals (naming the key and the callback that records it).
    """
    owner = "spikey.viz.learning_curve"
    data = log_data(source, owner)
    info, results = data["info"], data["results"]
    rewards = np.asarray(_need(data, "episode_rewards", owner), dtype=float)
    lens = np.asarray(_need(data, "episode_lens", owner), dtype=float)
    if by not in ("auto", "episode", "step"):
        raise ConfigError(f"{owner}.by: expected 'auto', 'episode' or 'step'; got {by!r}.")
    if by == "auto":
        by = "episode" if len(rewards) >= 5 or info.get("step_rewards") is None else "step"
    ax = _axes(ax)
    acc_x = acc_y = None
    eval_x = eval_r = eval_acc = None
    if by == "episode":
        per_step = np.divide(rewards, lens, out=np.full(len(rewards), np.nan), where=lens > 0)
        x = np.arange(1, len(rewards) + 1)
        w = window or max(1, len(rewards) // 10)
        ax.plot(x, per_step, color="C0", alpha=0.3, lw=0.8)
        handles = ax.plot(x, _moving_mean(per_step, w), color="C0", label="reward per step")
        if info.get("episode_accuracy") is not None and len(info["episode_accuracy"]):
            acc_x, acc_y = x, _moving_mean(np.asarray(info["episode_accuracy"], dtype=float), w)
        er = np.asarray(info.get("eval_episode_rewards") or [], dtype=float)
        el = np.asarray(info.get("eval_episode_lens") or [], dtype=float)
        if len(er):
            eval_x = len(x) + np.arange(1, len(er) + 1)
            eval_r = np.divide(er, el, out=np.full(len(er), np.nan), where=el > 0)
            if info.get("eval_episode_accuracy"):
                eval_acc = np.asarray(info["eval_episode_accuracy"], dtype=float)
        ax.set_xlabel("episode")
    else:
        steps = np.asarray(_need(data, "step_rewards", owner), dtype=float)
        x = np.arange(1, len(steps) + 1)
        w = window or max(1, len(steps) // 10)
        handles = ax.plot(x, _moving_mean(steps, w), color="C0", label=f"reward per step (mean of {w})")
        correct = step_correct(data)
        if correct is not None and len(correct):
            acc_x, acc_y = x, _moving_mean(correct.astype(float), w)
        es = info.get("eval_step_rewards")
        if es:
            es = np.asarray(es, dtype=float)
            eval_x = len(x) + np.arange(1, len(es) + 1)
            eval_r = _moving_mean(es, w)
            ec = step_correct(data, "eval_")
            eval_acc = _moving_mean(ec.astype(float), w) if ec is not None else None
        ax.set_xlabel("game step")
    ax.set_ylabel("reward per game step", color="C0")
    right = None
    frozen = results.get("frozen_accuracy")
    if acc_x is not None or eval_acc is not None or frozen is not None:
        right = ax.twinx()
        right.set_ylim(-0.02, 1.05)
        right.set_ylabel("accuracy", color="C1")
        if acc_x is not None:
            handles += right.plot(acc_x, acc_y, color="C1", label="accuracy (training)")
    if eval_x is not None:
        ax.axvspan(eval_x[0] - 0.5, eval_x[-1] + 0.5, color="0.85", zorder=0)
        ax.plot(eval_x, eval_r, color="C0", ls="--", marker="o", ms=3)
        if eval_acc is not None and right is not None:
            handles += right.plot(
                eval_x, eval_acc, color="C1", ls="--", marker="o", ms=3, label="accuracy (frozen weights)"
            )
        ax.text(
            (eval_x[0] + eval_x[-1]) / 2,
            0.98,
            "frozen weights",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            rotation=90,
            fontsize="small",
            color="0.3",
        )
    if frozen is not None and right is not None:
        end = (eval_x[-1] if eval_x is not None else x[-1]) if len(x) else 0
        handles += right.plot(
            [end],
            [float(frozen)],
            marker="*",
            ms=14,
            color="C3",
            ls="none",
            label=f"frozen weights: {float(frozen):.3g}",
        )
    ax.set_title("learning curve")
    ax.legend(handles=handles, loc="lower right", fontsize="small")
    ax.right = right
    return ax


def _episode_signal(info: dict, prefix: str = "") -> tuple[np.ndarray, str]:
    """Per-episode return: the game's own (``episode_env_returns``) when recorded, else the network's."""
    env = info.get(prefix + "episode_env_returns")
    if env is not None and len(env):
        return np.asarray(env, dtype=float), "env return"
    own = info.get(prefix + "episode_rewards")
    return np.asarray(own if own is not None else [], dtype=float), "reward"


def _integer_ticks(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def episode_returns(source: Any, fig: Any = None, *, window: int | None = None) -> Any:
    """Episode return and episode length per episode, with the frozen-weight evaluation marked.

    The return is the game's own reward summed over the episode
    (``info["episode_env_returns"]``: a Gymnasium env's return; CartPole's steps
    balanced), or the network's reward when the game's was not recorded.

    Parameters
    ----------
    source : log file, dict or callback
        See :func:`log_data`. Needs ``info["episode_lens"]`` and
        ``["episode_env_returns"]`` or ``["episode_rewards"]``
        (:class:`~spikey.core.RLCallback`, also with ``reduced=True``).
    fig : matplotlib Figure, optional
    window : int, optional
        Episodes per moving average; default: a tenth of the training episodes, at least 1.

    Returns
    -------
    matplotlib Figure
        Two axes sharing the episode axis (integer ticks): return (top) and length
        (bottom). Training episodes (learning on) are a thin line with their moving
        mean; evaluation episodes (``eval_episodes``, frozen weights) follow in a
        shaded span, drawn as dashed markers.

    Raises
    ------
    MissingKeyError
        When the log lacks ``episode_lens``.

    Examples
    --------
    >>> from spikey.viz import episode_returns
    >>> log = {"info": {"episode_lens": [10, 30, 50], "episode_env_returns": [10.0, 30.0, 50.0],
    ...                 "eval_episode_lens": [60], "eval_episode_env_returns": [60.0]}}
    >>> fig = episode_returns(log)
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['env return per episode', 'steps per episode']
    """
    owner = "spikey.viz.episode_returns"
    data = log_data(source, owner)
    info = data["info"]
    lens = np.asarray(_need(data, "episode_lens", owner), dtype=float)
    ret, what = _episode_signal(info)
    if len(ret) != len(lens):
        raise MissingKeyError(
            f"{owner}: the log has {len(lens)} episode_lens but {len(ret)} episode returns; expected one per episode "
            "(recorded by spikey.core.RLCallback)."
        )
    eval_lens = np.asarray(info.get("eval_episode_lens") or [], dtype=float)
    eval_ret, _ = _episode_signal(info, "eval_")
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(6.4, 4.4))
    ax_r, ax_l = fig.subplots(2, 1, sharex=True)
    x = np.arange(1, len(lens) + 1)
    w = window or max(1, len(lens) // 10)
    for ax, y, ey, label in (
        (ax_r, ret, eval_ret, f"{what} per episode"),
        (ax_l, lens, eval_lens, "steps per episode"),
    ):
        if len(x):
            ax.plot(x, y, color="C0", alpha=0.35, lw=0.8, marker="." if len(x) < 30 else None)
            ax.plot(x, _moving_mean(y, w), color="C0", label=f"training (mean of {w})" if w > 1 else "training")
        if len(ey):
            ex = len(x) + np.arange(1, len(ey) + 1)
            ax.axvspan(ex[0] - 0.5, ex[-1] + 0.5, color="0.88", zorder=0)
            ax.plot(ex, ey, color="C3", ls="--", marker="o", ms=3, label="evaluation (frozen weights)")
        ax.set_ylabel(label)
        ax.legend(loc="best", fontsize="small")
    ax_l.set_xlabel("episode")
    _integer_ticks(ax_l)
    ax_r.set_title(f"{what} and length per episode")
    return fig


def _episode_bounds(info: dict, n_states: int, prefix: str = "") -> np.ndarray:
    lens = np.asarray(info.get(prefix + "episode_lens") or [n_states], dtype=int)
    return np.concatenate([[0], np.cumsum(lens)])


def is_categorical(states: Sequence[Any], max_states: int = 64) -> bool:
    """Whether a run's states are few discrete values (a state-by-action chart fits).

    Float vectors (a Gymnasium env's observations) and more than ``max_states``
    distinct values are continuous: draw them as traces, never as categories.

    Examples
    --------
    >>> from spikey.viz import is_categorical
    >>> is_categorical([(0, 1), (1, 1), (0, 1)]), is_categorical([[0.1, 0.2], [0.3, 0.1]])
    (True, False)
    """
    if not len(states):
        return True
    first = np.asarray(states[0])
    if first.dtype.kind in "fc":
        return False
    sample = states[: 50 * max_states]
    distinct = {np.asarray(v).tobytes() for v in sample}
    return len(distinct) <= max_states


def observation_traces(
    source: Any,
    fig: Any = None,
    *,
    episode: int = -1,
    evaluation: bool = False,
    max_dims: int = 6,
) -> Any:
    """A few observation dimensions and the actions over one episode (continuous states).

    Parameters
    ----------
    source : log file, dict or callback
        Needs ``info["step_states"]`` and ``["step_actions"]`` (``RLCallback(reduced=False)``).
    fig : matplotlib Figure, optional
    episode : int
        Which episode (default: the last).
    evaluation : bool
        Draw an evaluation episode (frozen weights, ``eval_step_*``) instead of a training one.
    max_dims : int
        At most this many observation dimensions (the first ones) are drawn.

    Returns
    -------
    matplotlib Figure
        One small axes per observation dimension (``obs[i]``; for a cart-pole log,
        one with ``x_max`` and ``theta_max``, the variables by name and the failure
        bounds dashed), and the actions at the bottom, over the episode's game steps.
    """
    owner = "spikey.viz.observation_traces"
    data = log_data(source, owner)
    p = "eval_" if evaluation else ""
    states = _need(data, p + "step_states", owner)
    actions = _need(data, p + "step_actions", owner)
    bounds = _episode_bounds(data["info"], len(states), p)
    n_ep = len(bounds) - 1
    if n_ep < 1:
        raise ConfigError(f"{owner}: the log has no {'evaluation ' if evaluation else ''}episode.")
    k = range(n_ep)[episode]
    lo, hi = int(bounds[k]), int(bounds[k + 1])
    obs = np.asarray([np.ravel(s) for s in states[lo:hi]], dtype=float)
    if obs.ndim != 2:
        obs = obs.reshape(len(obs), -1)
    acts = np.asarray([np.ravel(a) for a in actions[lo:hi]], dtype=float).reshape(hi - lo, -1)
    n_dims = obs.shape[1] if obs.size else 0
    shown = min(n_dims, max_dims)
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(6.4, 1.0 + 0.8 * (shown + 1)))
    axes = np.atleast_1d(fig.subplots(shown + 1, 1, sharex=True))
    t = np.arange(hi - lo)
    game = data["game"]
    cartpole = n_dims == 4 and isinstance(game.get("theta_max"), (int, float))
    cart_bounds = {0: game.get("x_max"), 2: game.get("theta_max")} if cartpole else {}
    names = ["x [m]", "x' [m/s]", "theta [rad]", "theta' [rad/s]"] if cartpole else []
    for i in range(shown):
        ax = axes[i]
        ax.plot(t, obs[:, i], color=f"C{i % 10}", lw=0.9)
        bound = cart_bounds.get(i)
        if isinstance(bound, (int, float)) and not isinstance(bound, bool):
            ax.axhline(bound, color="0.4", ls="--", lw=0.7)
            ax.axhline(-bound, color="0.4", ls="--", lw=0.7)
        ax.set_ylabel(names[i] if i < len(names) else f"obs[{i}]", fontsize="small")
        ax.tick_params(labelsize="small")
    ax = axes[-1]
    for j in range(acts.shape[1]):
        ax.step(t, acts[:, j], where="post", color="k", lw=0.8)
    ax.set_ylabel("action", fontsize="small")
    ax.tick_params(labelsize="small")
    ax.set_xlabel("game step")
    _integer_ticks(ax)
    kind = "evaluation (frozen weights)" if evaluation else "training"
    more = f"; first {shown} of {n_dims} observation dimensions" if n_dims > shown else ""
    axes[0].set_title(f"{kind} episode {k + 1} of {n_ep}: {hi - lo} steps{more}", fontsize="medium")
    return fig


def _run_curve(data: dict) -> tuple[np.ndarray, str, str] | None:
    """The curve a run is compared by: per-episode return, or (one long episode) accuracy per step."""
    info = data["info"]
    ret, what = _episode_signal(info)
    if len(ret) >= 2:
        return ret, f"{what} per episode", "episode"
    correct = step_correct(data)
    if correct is not None and len(correct) >= 2:
        w = max(1, len(correct) // 10)
        return _moving_mean(correct.astype(float), w), f"accuracy (mean of {w} steps)", "game step"
    steps = info.get("step_rewards")
    if steps is not None and len(steps) >= 2:
        steps = np.asarray(steps, dtype=float)
        w = max(1, len(steps) // 10)
        return _moving_mean(steps, w), f"reward per step (mean of {w})", "game step"
    return None


def overlay_curves(
    logs: Sequence[Any],
    labels: Sequence[Any] | None = None,
    ax: Any = None,
    *,
    max_groups: int = 10,
) -> Any:
    """Learning curves of many runs, one line per group (mean ± standard deviation).

    Parameters
    ----------
    logs : sequence of log files, dicts or callbacks
        The runs (see :func:`log_data`).
    labels : sequence, optional
        The group of each run (e.g. its configuration); runs of one group are averaged.
        Default: one group.
    ax : matplotlib Axes, optional
    max_groups : int
        At most this many groups are drawn: with more, the best ones by the mean of
        their curves' last tenth (the title says how many of how many).

    Returns
    -------
    matplotlib Axes
        Per group the mean curve and a band of ± one standard deviation over its runs
        (curves of unequal length are averaged where they overlap). The curve is the
        episode return (the game's own when recorded), or for runs of one long episode
        the accuracy (games with an expected answer) or the reward per game step.

    Raises
    ------
    MissingKeyError
        When no run has a curve.
    """
    owner = "spikey.viz.overlay_curves"
    labels = list(labels) if labels is not None else ["runs"] * len(logs)
    if len(labels) != len(logs):
        raise ConfigError(f"{owner}.labels: expected one label per log ({len(logs)}); got {len(labels)}.")
    groups: dict[str, list[np.ndarray]] = {}
    ylabel = xlabel = None
    for source, label in zip(logs, labels):
        curve = _run_curve(log_data(source, owner))
        if curve is None:
            continue
        y, ylabel_, xlabel_ = curve
        if ylabel is None:
            ylabel, xlabel = ylabel_, xlabel_
        elif (ylabel_, xlabel_) != (ylabel, xlabel):
            continue
        groups.setdefault(str(label), []).append(y)
    if not groups:
        raise MissingKeyError(
            f"{owner}: no run has an episode curve (info['episode_lens'] and returns, recorded by "
            "spikey.core.RLCallback)."
        )
    ax = _axes(ax)

    def final(curves: list[np.ndarray]) -> float:
        tails = [c[-max(1, len(c) // 10) :] for c in curves]
        return float(np.nanmean(np.concatenate(tails)))

    shown = list(groups.items())
    if len(shown) > max_groups:  # the best configurations by their last tenth
        shown = sorted(shown, key=lambda kv: final(kv[1]), reverse=True)[:max_groups]
    for i, (label, curves) in enumerate(shown):
        n = max(len(c) for c in curves)
        stack = np.full((len(curves), n), np.nan)
        for r, c in enumerate(curves):
            stack[r, : len(c)] = c
        mean = np.nanmean(stack, axis=0)
        std = np.nanstd(stack, axis=0)
        x = np.arange(1, n + 1)
        color = f"C{i % 10}"
        ax.plot(x, mean, color=color, label=f"{label} ({len(curves)} run{'s' if len(curves) != 1 else ''})")
        if len(curves) > 1:
            ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.2, lw=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _integer_ticks(ax)
    more = f" (best {max_groups} of {len(groups)} groups)" if len(groups) > max_groups else ""
    ax.set_title(f"{ylabel}: mean ± std over runs{more}")
    ax.legend(loc="best", fontsize="small")
    return ax


def _series_table(source: Any) -> Any:
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return source
    results = getattr(source, "results", None)
    if isinstance(results, pd.DataFrame):
        return results
    raise ConfigError(
        f"spikey.viz.series_comparison: expected a Series results table (DataFrame) or a Series that has "
        f"run; got {describe_value(source)}."
    )


def series_comparison(
    source: Any,
    param: str | None = None,
    metric: str | None = None,
    ax: Any = None,
) -> Any:
    """A metric against the varied parameter: mean and spread over repeats.

    Parameters
    ----------
    source : DataFrame or Series
        ``Series.run()``'s table (or a :class:`~spikey.logging.Reader`'s ``df``); rows
        with a ``status`` other than ``"ok"`` are left out.
    param : str, optional
        The varied parameter; default: the Series' first varied attribute, else the
        first column other than the job columns that takes several values.
    metric : str, optional
        Default: the first of ``frozen_accuracy``, ``eval_accuracy``, ``mean_accuracy``,
        ``accuracy``, ``mean_steps``, ``mean_reward`` present.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        One point per run (jittered), and the mean with its standard deviation as an
        error bar per parameter value (categorical values are spaced evenly).

    Raises
    ------
    MissingKeyError
        For a parameter or metric the table does not have.
    """
    owner = "spikey.viz.series_comparison"
    df = _series_table(source)
    if "status" in df.columns:
        df = df[df["status"] == "ok"]
    if param is None:
        attrs = [a for a in getattr(source, "attrs", []) if a != "seed"]
        candidates = attrs or [
            c
            for c in df.columns
            if c not in ("job", "config", "repeat", "seed", "status", "error", "log", "filename", "subfolder")
            and df[c].map(repr).nunique() > 1
            and c not in _METRICS
        ]
        if not candidates:
            raise ConfigError(f"{owner}: no parameter varies in the table; give param=.")
        param = candidates[0]
    if metric is None:
        metric = next((m for m in _METRICS if m in df.columns and df[m].notna().any()), None)
        if metric is None:
            raise MissingKeyError(
                f"{owner}: the table has none of the metrics {list(_METRICS)} (recorded by "
                "spikey.core.RLCallback); give metric=."
            )
    for name, what in ((param, "param"), (metric, "metric")):
        if name not in df.columns:
            raise MissingKeyError(
                f"{owner}.{what}: the table has no column {name!r}; columns are {list(df.columns)}."
            )
    ax = _axes(ax)
    keys = df[param].map(lambda v: v if isinstance(v, (int, float, np.number, str, bool)) else repr(v))
    values = sorted(keys.unique(), key=lambda v: (isinstance(v, str), v))
    numeric = all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values)
    pos = {v: (float(v) if numeric else i) for i, v in enumerate(values)}
    span = (max(pos.values()) - min(pos.values())) if len(pos) > 1 else 1.0
    rng = np.random.default_rng(0)  # jitter only; fixed so figures are reproducible
    y = df[metric].astype(float).to_numpy()
    xs = np.array([pos[k] for k in keys])
    ax.scatter(xs + rng.uniform(-0.015, 0.015, len(xs)) * span, y, s=12, color="C0", alpha=0.5, label="runs")
    means = [np.nanmean(y[keys.to_numpy() == v]) for v in values]
    stds = [np.nanstd(y[keys.to_numpy() == v]) for v in values]
    ax.errorbar(
        [pos[v] for v in values], means, yerr=stds, color="C3", marker="o", capsize=4, label="mean +- std"
    )
    if not numeric:
        ax.set_xticks(list(pos.values()), [str(v) for v in values])
    ax.set_xlabel(param)
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} by {param}")
    ax.legend(loc="best", fontsize="small")
    return ax


_METRICS = ("frozen_accuracy", "eval_accuracy", "mean_accuracy", "accuracy", "mean_steps", "mean_reward")


def _population_table(source: Any) -> Any:
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return source
    if hasattr(source, "to_dataframe") and hasattr(source, "history"):
        return source.to_dataframe()
    if isinstance(source, (str, os.PathLike)):
        from spikey.logging.reader import Reader

        reader = Reader(os.fspath(source))
        rows = []
        for data in reader.logs:
            epoch = data["results"].get("epoch")
            genotypes, fitness = data["info"].get("genotypes"), data["info"].get("fitness")
            if epoch is None or genotypes is None or fitness is None:
                continue
            for i, (g, f) in enumerate(zip(genotypes, fitness)):
                rows.append({"epoch": int(epoch), "agent": i, **dict(g), "fitness": float(f)})
        if not rows:
            raise MissingKeyError(
                f"spikey.viz.population_plot: {source} has no epoch logs (results['epoch'], info['genotypes'], "
                "info['fitness'], written by spikey.meta.Population)."
            )
        return pd.DataFrame.from_records(rows)
    raise ConfigError(
        "spikey.viz.population_plot: expected a Population, its to_dataframe() table or its output folder; "
        f"got {describe_value(source)}."
    )


def population_plot(source: Any, fig: Any = None, *, genes: Sequence[str] | None = None) -> Any:
    """Best and mean fitness per epoch, every agent's fitness, and the genotypes' spread.

    Parameters
    ----------
    source : Population, DataFrame or folder
        A :class:`~spikey.meta.Population`, its :meth:`~spikey.meta.Population.to_dataframe`
        table (``epoch``, ``agent``, genes, ``fitness``) or its output folder.
    fig : matplotlib Figure, optional
    genes : sequence of str, optional
        Numeric genes whose spread to draw (default: all numeric genes).

    Returns
    -------
    matplotlib Figure
        Two axes: fitness per epoch (best, mean, one dot per agent), and per gene the
        spread of the epoch's genotypes (standard deviation / the gene's range over
        the whole search, 0 = all agents agree).
    """
    df = _population_table(source)
    for col in ("epoch", "fitness"):
        if col not in df.columns:
            raise MissingKeyError(f"spikey.viz.population_plot: the table has no column {col!r}.")
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(8, 3.2))
    ax_f, ax_g = fig.subplots(1, 2)
    f = df["fitness"].astype(float).where(np.isfinite(df["fitness"].astype(float)))
    by_epoch = f.groupby(df["epoch"])
    ax_f.scatter(df["epoch"], f, s=10, color="0.6", label="agents")
    ax_f.plot(by_epoch.max().index, by_epoch.max().to_numpy(), marker="o", color="C3", label="best")
    ax_f.plot(by_epoch.mean().index, by_epoch.mean().to_numpy(), marker="s", color="C0", label="mean")
    ax_f.set_xlabel("epoch")
    _integer_ticks(ax_f)
    ax_f.set_ylabel("fitness")
    ax_f.set_title("fitness per epoch")
    ax_f.legend(loc="best", fontsize="small")
    skip = {"epoch", "agent", "fitness", "repeated"}
    numeric = [
        c
        for c in df.columns
        if c not in skip and np.issubdtype(df[c].dtype, np.number) and df[c].dtype != bool
    ]
    for gene in list(genes) if genes is not None else numeric:
        if gene not in df.columns:
            raise MissingKeyError(f"spikey.viz.population_plot.genes: no gene {gene!r}; genes are {numeric}.")
        v = df[gene].astype(float)
        rng_ = float(v.max() - v.min()) or 1.0
        spread = v.groupby(df["epoch"]).std(ddof=0) / rng_
        ax_g.plot(spread.index, spread.to_numpy(), marker=".", label=gene)
    ax_g.set_xlabel("epoch")
    _integer_ticks(ax_g)
    ax_g.set_ylabel("spread (std / range)")
    ax_g.set_title("genotype spread")
    if ax_g.get_lines():
        ax_g.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def weight_histograms(source: Any, ax: Any = None, *, bins: int = 40, before: Any = None) -> Any:
    """Histograms of the weights before and after training.

    Parameters
    ----------
    source : log file, dict, callback or Network
        A log (``info["weights_start"]`` and ``["weights_final"]``, recorded by
        ``RLCallback(reduced=False)``) or a trained network (its weights are "after";
        give ``before``).
    ax : matplotlib Axes, optional
    bins : int
        Number of bins (shared by both histograms).
    before : ndarray, optional
        The weights before training, with a network as ``source``.

    Returns
    -------
    matplotlib Axes
        Two step histograms (``before``, ``after``) over the existing synapses (the
        connectivity mask of the log's network, else the nonzero entries of either).
    """
    owner = "spikey.viz.weight_histograms"
    mask = None
    if hasattr(source, "weights") and hasattr(source.weights, "matrix"):
        after = np.asarray(source.weights.matrix, dtype=float)
        if before is None:
            raise ConfigError(f"{owner}: with a network, give before= (its weights before training).")
        start = np.asarray(before, dtype=float)
    else:
        data = log_data(source, owner)
        start = np.asarray(_need(data, "weights_start", owner), dtype=float)
        after = np.asarray(_need(data, "weights_final", owner), dtype=float)
        m = data["network"].get("matrix_mask")
        if isinstance(m, np.ndarray) and m.shape == after.shape:
            mask = m.astype(bool)
    if start.shape != after.shape:
        raise ConfigError(f"{owner}: before has shape {start.shape}, after {after.shape}; expected the same.")
    if mask is None:
        mask = (start != 0) | (after != 0)
    a, b = start[mask], after[mask]
    ax = _axes(ax)
    both = np.concatenate([a, b]) if a.size + b.size else np.zeros(1)
    edges = np.linspace(float(both.min()), float(both.max()) or 1.0, bins + 1)
    ax.hist(
        a,
        bins=edges,
        histtype="step",
        lw=1.5,
        color="C0",
        label=f"before (mean {a.mean():.3g})" if a.size else "before",
    )
    ax.hist(
        b,
        bins=edges,
        histtype="step",
        lw=1.5,
        color="C3",
        label=f"after (mean {b.mean():.3g})" if b.size else "after",
    )
    ax.set_xlabel("weight")
    ax.set_ylabel("synapses")
    ax.set_title(f"weights before / after training ({int(mask.sum())} synapses)")
    ax.legend(loc="best", fontsize="small")
    return ax


def _index_of(values: Sequence[Any]) -> tuple[np.ndarray, list]:
    """Integer codes of ``values`` and the distinct values (sorted)."""
    keys = [tuple(np.asarray(v).ravel().tolist()) if np.ndim(v) else np.asarray(v).item() for v in values]
    unique = sorted(set(keys), key=repr)
    lookup = {k: i for i, k in enumerate(unique)}
    return np.array([lookup[k] for k in keys], dtype=np.int64), unique


def _from_callback(states: Any, actions: Any, callback: Any, need_actions: bool) -> tuple[Any, Any]:
    if callback is not None:
        data = log_data(callback, "spikey.viz")
        if states is None:
            states = _need(data, "step_states", "spikey.viz")
        if actions is None and need_actions:
            actions = _need(data, "step_actions", "spikey.viz")
    if states is None or (need_actions and actions is None):
        raise ConfigError("spikey.viz: give states (and actions), or a callback or log that recorded them.")
    return states, actions


def state_transition_matrix(states: Any = None, callback: Any = None) -> np.ndarray:
    """Counts of state ``i`` followed by state ``j`` (the original Spikey's function).

    Parameters
    ----------
    states : sequence, optional
        States of consecutive steps (hashable values or arrays); default:
        ``callback.info["step_states"]``.
    callback : callback, log file or dict, optional

    Returns
    -------
    ndarray of float, shape (n_states, n_states)
        ``[i, j]``: transitions from the i-th to the j-th distinct state (sorted).

    Examples
    --------
    >>> from spikey.viz import state_transition_matrix
    >>> state_transition_matrix([1, 2, 1, 2, 2]).tolist()
    [[0.0, 2.0], [1.0, 1.0]]
    """
    states, _ = _from_callback(states, None, callback, need_actions=False)
    codes, unique = _index_of(list(states))
    out = np.zeros((len(unique), len(unique)))
    if len(codes) > 1:
        np.add.at(out, (codes[:-1], codes[1:]), 1)
    return out


def state_action_counts(states: Any = None, actions: Any = None, callback: Any = None) -> np.ndarray:
    """How often each action was taken in each state (the original Spikey's function).

    Returns
    -------
    ndarray of float, shape (n_states, n_actions)
        Rows: distinct states (sorted), columns: distinct actions (sorted).

    Examples
    --------
    >>> from spikey.viz import state_action_counts
    >>> state_action_counts([(0, 1), (0, 1), (1, 1)], [1, 0, 0]).tolist()
    [[1.0, 1.0], [1.0, 0.0]]
    """
    states, actions = _from_callback(states, actions, callback, need_actions=True)
    if len(states) != len(actions):
        raise ConfigError(
            f"spikey.viz.state_action_counts: {len(states)} states but {len(actions)} actions; expected one each."
        )
    s, su = _index_of(list(states))
    a, au = _index_of(list(actions))
    out = np.zeros((len(su), len(au)))
    np.add.at(out, (s, a), 1)
    return out


def game_states(source: Any, ax: Any = None, *, episode: int = -1) -> Any:
    """What the game went through: Logic answers per input pair, or a CartPole episode.

    Parameters
    ----------
    source : log file, dict or callback
        Needs ``info["step_states"]`` and ``["step_actions"]`` (``RLCallback(reduced=False)``).
    ax : matplotlib Axes, optional
    episode : int
        CartPole: which training episode to draw (default: the last).

    Returns
    -------
    matplotlib Axes
        Discrete states (Logic; at most 64 distinct, see :func:`is_categorical`): a
        heat map of :func:`state_action_counts` (share of each answer per input pair;
        the expected answer outlined). Continuous states: traces over the episode's
        steps, never categories; for CartPole the cart position [m] and pole angle
        [rad] with the failure bounds ``x_max`` / ``theta_max`` dashed, else the first
        four observation dimensions (:func:`observation_traces` draws more, with the
        actions).
    """
    owner = "spikey.viz.game_states"
    data = log_data(source, owner)
    states = _need(data, "step_states", owner)
    actions = _need(data, "step_actions", owner)
    ax = _axes(ax)
    if not is_categorical(states):
        lens = np.asarray(data["info"].get("episode_lens") or [len(states)], dtype=int)
        ends = np.cumsum(lens)
        k = range(len(lens))[episode]
        seg = np.asarray([np.ravel(s) for s in states[ends[k] - lens[k] : ends[k]]], dtype=float)
        t = np.arange(len(seg))
        game = data["game"]
        if seg.ndim == 2 and seg.shape[1] == 4 and isinstance(game.get("theta_max"), (int, float)):
            ax.plot(t, seg[:, 0], color="C0", label="cart position x [m]")
            ax.plot(t, seg[:, 2], color="C3", label="pole angle theta [rad]")
            for key, color in (("x_max", "C0"), ("theta_max", "C3")):
                bound = game.get(key)
                if isinstance(bound, (int, float)):
                    ax.axhline(bound, color=color, ls="--", lw=0.8)
                    ax.axhline(-bound, color=color, ls="--", lw=0.8)
            title = f"CartPole episode {k + 1} of {len(lens)}: {len(seg)} steps balanced"
        else:
            seg = seg.reshape(len(seg), -1)
            for i in range(min(4, seg.shape[1])):
                ax.plot(t, seg[:, i], color=f"C{i}", lw=0.9, label=f"obs[{i}]")
            title = f"episode {k + 1} of {len(lens)}: {len(seg)} steps"
        ax.set_xlabel("game step")
        ax.set_ylabel("state")
        ax.set_title(title)
        ax.legend(loc="best", fontsize="small")
        return ax
    counts = state_action_counts(states, actions)
    _, su = _index_of(list(states))
    _, au = _index_of(list(actions))
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.figure.colorbar(image, ax=ax, label="share of answers")
    for i in range(share.shape[0]):
        for j in range(share.shape[1]):
            ax.text(
                j,
                i,
                f"{int(counts[i, j])}",
                ha="center",
                va="center",
                color="white" if share[i, j] > 0.6 else "black",
                fontsize="small",
            )
    fn = _expected_fn(data["game"])
    if fn is not None:
        from matplotlib.patches import Rectangle

        for i, s in enumerate(su):
            want = int(fn(s))
            if want in au:
                j = au.index(want)
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="C3", lw=2))
    ax.set_xticks(range(len(au)), [str(a) for a in au])
    ax.set_yticks(range(len(su)), [str(s) for s in su])
    ax.set_xlabel("action")
    ax.set_ylabel("state")
    name = data["game"].get("name")
    ax.set_title(f"answers per state{f' ({name}; expected outlined)' if fn is not None else ''}")
    return ax


def delay_embedding(x: Any, lag: int = 1, dimensions: int = 2, ax: Any = None) -> Any:
    """Delay-coordinate embedding of a time series (the original Spikey's plot).

    Parameters
    ----------
    x : array_like, shape (n,)
        The series, e.g. the pole angle of a CartPole episode.
    lag : int
        Lag ``T`` (> 0) between coordinates, in samples.
    dimensions : {2, 3}
        2: ``x(t - T)`` against ``x(t)``; 3: adds ``x(t - 2T)`` (on a 3-D axes).
    ax : matplotlib Axes, optional
        For 3 dimensions it must be a 3-D axes (``projection="3d"``).

    Returns
    -------
    matplotlib Axes
    """
    x = np.asarray(x, dtype=float).ravel()
    if not isinstance(lag, (int, np.integer)) or lag < 1:
        raise ConfigError(f"spikey.viz.delay_embedding.lag: expected an int >= 1; got {lag!r}.")
    if dimensions not in (2, 3):
        raise ConfigError(f"spikey.viz.delay_embedding.dimensions: expected 2 or 3; got {dimensions!r}.")
    if len(x) <= (dimensions - 1) * lag:
        raise ConfigError(
            f"spikey.viz.delay_embedding: a series of {len(x)} values is too short for lag {lag} in "
            f"{dimensions} dimensions."
        )
    n = len(x) - (dimensions - 1) * lag
    coords = [x[(dimensions - 1 - d) * lag : (dimensions - 1 - d) * lag + n] for d in range(dimensions)]
    if ax is None:
        import matplotlib.pyplot as plt

        fig = plt.figure()
        ax = fig.add_subplot(111, projection="3d" if dimensions == 3 else None)
    ax.plot(*coords, lw=0.6, marker=".", ms=3)
    ax.set_xlabel("x(t)")
    ax.set_ylabel(f"x(t-{lag})")
    if dimensions == 3:
        ax.set_zlabel(f"x(t-{2 * lag})")
    ax.set_title(f"delay embedding, lag {lag}")
    return ax
