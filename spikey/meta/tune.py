"""Ray Tune for spikey experiments: any training loop as a Tune trainable.

Install the extra: ``pip install "spikey-snn[tune]"`` (from a clone: ``pip install -e ".[tune]"``) (Ray Tune). Then Tune's search
algorithms and schedulers work on spikey experiments, e.g. random search with ASHA
early stopping:

.. code-block:: python

    from ray import tune
    from spikey.meta.tune import param_space_from_constraints, tune_search

    df = tune_search(
        network_template, game_template, GenericLoop,
        param_space_from_constraints({"learning_rate": (0.01, 0.5), "n_neurons": [20, 40]}),
        training_params={"n_episodes": 30, "len_episode": 10},
        num_samples=16, seed=0, metric="accuracy", mode="max",
        scheduler=tune.schedulers.ASHAScheduler(grace_period=5),
    )
    df.sort_values("mean_accuracy", ascending=False).head()

:func:`trainable` is the function Tune runs (one trial = one training run) if you
would rather build your own ``tune.Tuner``. It reports once per training episode
(``episode``, ``reward``, ``steps``, ``reward_per_step``, ``accuracy`` for games with
an expected answer, and their running means ``mean_reward_per_step`` /
``mean_accuracy``), so a scheduler can stop poor trials early. The last training
episode's report also holds every scalar of the run's ``results`` (``eval_*`` of frozen
evaluation episodes included) and ``training_done=True``, so a trial of ``n_episodes``
episodes makes exactly ``n_episodes`` reports (Tune iterations).

Parameter spaces come from a Series spec (:func:`param_space_from_spec`: a grid over
the spec's configurations) or from ``GENOTYPE_CONSTRAINTS``
(:func:`param_space_from_constraints`: ``(low, high)`` -> ``tune.uniform``, a list ->
``tune.choice``, ``(start, stop, step)`` -> ``tune.choice`` over the range), or are
written with ``tune`` directly. Every configuration is validated with the experiment's
keys before Tune starts (for sampled spaces: the spec's examples) and each trial's seed
is derived from the search seed and its configuration, so a trial's result does not
depend on the search algorithm or on trial order.

:func:`tune_search` returns the same table as :meth:`spikey.meta.Series.run`: one row
per trial with ``job``, ``config``, ``repeat``, ``seed``, the searched parameters,
``status``, the run's results, ``error`` and ``log`` (None: Tune keeps its own files).
"""

from __future__ import annotations

import copy as _copy
import os
from typing import Any

import pandas as pd

from spikey.errors import ConfigError, SpikeyError
from spikey.rng import derive_seed, fresh_seed

__all__ = [
    "trainable",
    "tune_search",
    "rank_trials",
    "param_space_from_spec",
    "param_space_from_constraints",
    "trial_seed",
    "CONFIG_KEY",
]

#: Key of a grid entry that holds a whole configuration (:func:`param_space_from_spec`).
CONFIG_KEY = "spikey_config"


def _tune() -> Any:
    try:
        from ray import tune
    except ImportError as e:  # ray without its tune extra raises ImportError too
        raise SpikeyError(
            f"spikey.meta.tune needs Ray Tune, which is not installed ({e}); install it with "
            "pip install 'spikey-snn[tune]' (from a clone: pip install -e '.[tune]'; or pip install 'ray[tune]')."
        ) from None
    return tune


def trial_seed(seed: int, config: dict) -> int:
    """The seed of the trial with ``config`` in a search seeded with ``seed``.

    Examples
    --------
    >>> from spikey.meta.tune import trial_seed
    >>> trial_seed(0, {"learning_rate": 0.1}) == trial_seed(0, {"learning_rate": 0.1})
    True
    """
    from spikey.meta.spec import canonical_key

    return derive_seed(seed, f"tune/{canonical_key(config)}")


def _flatten(config: dict) -> dict:
    """A trial's parameters: a grid entry under :data:`CONFIG_KEY` merged into the rest."""
    out = {k: v for k, v in config.items() if k != CONFIG_KEY}
    out.update(config.get(CONFIG_KEY) or {})
    return out


def param_space_from_spec(spec: Any, product: bool = False) -> dict:
    """A Tune ``param_space`` holding a Series spec's configurations as one grid.

    Parameters
    ----------
    spec : tuple, list or dict
        A Series spec (see :mod:`spikey.meta.spec`).
    product : bool
        Cross the spec's entries, as ``Series(product=True)``.

    Returns
    -------
    dict
        ``{CONFIG_KEY: tune.grid_search([config, ...])}``: each trial gets one
        configuration (entries iterated together stay together, unlike a grid per key).
    """
    from spikey.meta.spec import expand_spec

    configs = expand_spec(spec, product=product, owner="param_space_from_spec")
    return {CONFIG_KEY: _tune().grid_search([dict(c) for c in configs])}


def param_space_from_constraints(constraints: dict) -> dict:
    """A Tune ``param_space`` from ``GENOTYPE_CONSTRAINTS`` (sampled, not a grid).

    ``(low, high)`` becomes ``tune.uniform(low, high)``, a list ``tune.choice(list)``,
    ``(start, stop, step)`` ``tune.choice`` over ``np.arange(start, stop, step)``.

    Raises
    ------
    ConfigError
        For malformed constraints (as :class:`~spikey.meta.Population` would).
    """
    from spikey.meta.spec import ChoiceConstraint, UniformConstraint, parse_constraints

    tune = _tune()
    out = {}
    for gene, cons in parse_constraints(constraints, "param_space_from_constraints").items():
        if isinstance(cons, UniformConstraint):
            out[gene] = tune.uniform(cons.low, cons.high)
        elif isinstance(cons, ChoiceConstraint):
            out[gene] = tune.choice(list(cons.values))
        else:  # pragma: no cover - every parsed constraint is one of the above
            raise ConfigError(f"param_space_from_constraints[{gene!r}]: unsupported constraint {cons!r}.")
    return out


def _examples(param_space: dict) -> list[dict]:
    """Configurations to validate before the search: grid entries, else sampled-space ends."""
    out: list[dict] = [{}]
    for key, value in param_space.items():
        if isinstance(value, dict) and set(value) == {"grid_search"}:
            values = list(value["grid_search"])
        elif hasattr(value, "categories"):
            values = list(value.categories)
        elif hasattr(value, "lower") and hasattr(value, "upper"):
            values = [value.lower]
        else:
            values = [value]
        out = [{**cfg, key: v} for cfg in out for v in values][:64]
    return [_flatten(c) for c in out]


class _EpisodeReporter:
    """Reports one training episode to Tune from ``training_loop_episode_end``."""

    def __init__(self, callback: Any, report: Any, n_episodes: Any = None):
        self.callback = callback
        self.report = report
        self.n_episodes = n_episodes if isinstance(n_episodes, int) else None
        self.last: dict | None = None
        self.original = getattr(type(callback), "training_loop_episode_end", None)
        self.totals = {"reward": 0.0, "steps": 0, "correct": 0.0, "n": 0}

    def __call__(self, episode: int, steps: int) -> None:
        cb = self.callback
        if self.original is not None:
            self.original(cb, episode, steps)
        if not getattr(cb.network, "training", True):
            return  # evaluation episodes are reported with the final results
        info = cb.info
        rewards, lens = info.get("episode_rewards") or [], info.get("episode_lens") or []
        if not lens:
            return
        reward, n = float(rewards[-1]), int(lens[-1])
        t = self.totals
        t["reward"] += reward
        t["steps"] += n
        t["n"] += 1
        metrics = {
            "episode": episode + 1,
            "reward": reward,
            "steps": n,
            "reward_per_step": reward / n if n else float("nan"),
            "mean_reward_per_step": t["reward"] / t["steps"] if t["steps"] else float("nan"),
        }
        correct = getattr(cb, "_correct", {}).get("")
        if getattr(cb, "_expected", None) is not None and correct:
            t["correct"] += float(correct[-1])
            metrics["accuracy"] = float(correct[-1]) / n if n else float("nan")
            metrics["mean_accuracy"] = t["correct"] / t["steps"] if t["steps"] else float("nan")
        if self.n_episodes is not None and episode + 1 >= self.n_episodes:
            self.last = metrics  # reported with the run's results, as one final iteration
            return
        self.report(metrics)


def _scalar_results(results: dict) -> dict:
    out = {}
    for k, v in results.items():
        if isinstance(v, bool):
            out[k] = v
        elif isinstance(v, (int, float)):
            out[k] = float(v) if isinstance(v, float) else int(v)
        elif hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
            out[k] = v.item()
    return out


def trainable(
    network_template: type,
    game_template: type,
    training_loop: Any = None,
    training_params: dict | None = None,
    callback: Any = None,
    seed: int = 0,
) -> Any:
    """A Tune function trainable that runs one training loop per trial.

    Parameters
    ----------
    network_template, game_template : type
        The experiment's network and game classes.
    training_loop : TrainingLoop class, optional
        Default :class:`spikey.core.GenericLoop`.
    training_params : dict, optional
        Params shared by every trial (``n_episodes``, ...); a trial's config overrides them.
    callback : ExperimentCallback class or instance, optional
        Default: the loop's (:class:`~spikey.core.RLCallback`); each trial gets a copy.
    seed : int
        Search seed; a trial's seed is :func:`trial_seed` of its config unless the
        config sets ``seed``.

    Returns
    -------
    callable
        ``fn(config)`` for ``tune.Tuner(fn, param_space=...)``; reports per episode.
    """
    from spikey.core import GenericLoop

    loop_class = training_loop if training_loop is not None else GenericLoop
    shared = dict(training_params or {})
    shared.pop("progress", None)

    def spikey_trial(config: dict) -> None:
        from ray import tune

        params = _flatten(dict(config))
        trial_params = {**shared, **params}
        trial_params.setdefault("seed", trial_seed(seed, params))
        cb = callback if callback is None or isinstance(callback, type) else _copy.deepcopy(callback)
        loop = loop_class(network_template, game_template, cb, dict(trial_params), check=False)
        reporter = _EpisodeReporter(loop.callback, tune.report, trial_params.get("n_episodes"))
        loop.callback.training_loop_episode_end = reporter
        _, _, results, _ = loop(progress=False)
        final = {**(reporter.last or {}), **_scalar_results(results), "episode": reporter.totals["n"]}
        tune.report({**final, "seed": int(trial_params["seed"]), "training_done": True})

    spikey_trial.__name__ = f"spikey_{getattr(network_template, '__name__', 'network')}"
    return spikey_trial


def tune_search(
    network_template: type,
    game_template: type,
    training_loop: Any = None,
    param_space: dict | None = None,
    callback: Any = None,
    *,
    training_params: dict | None = None,
    num_samples: int = 1,
    seed: int | None = None,
    metric: str | None = None,
    mode: str = "max",
    scheduler: Any = None,
    search_alg: Any = None,
    max_concurrent_trials: int | None = None,
    storage_path: str | None = None,
    name: str | None = None,
    num_cpus: int | None = None,
    check: bool = True,
) -> pd.DataFrame:
    """Search ``param_space`` with Ray Tune; return a table shaped like ``Series.run()``'s.

    Parameters
    ----------
    network_template, game_template : type
        The experiment.
    training_loop : TrainingLoop class, optional
        Default :class:`spikey.core.GenericLoop`.
    param_space : dict
        Tune's ``param_space`` (e.g. from :func:`param_space_from_spec` or
        :func:`param_space_from_constraints`).
    callback : ExperimentCallback class or instance, optional
    training_params : dict, optional
        Params of every trial.
    num_samples : int
        Tune's ``num_samples`` (times the grid is repeated / number of samples).
    seed : int, optional
        Search seed (drawn if None): seeds the default search algorithm's sampling and
        every trial (:func:`trial_seed`).
    metric, mode : str
        What the scheduler / search algorithm optimises (e.g. ``"accuracy"``, ``"max"``).
    scheduler, search_alg : optional
        Tune objects (e.g. ``ASHAScheduler()``); default: FIFO, random/grid search.
    max_concurrent_trials : int, optional
    storage_path : str, optional
        Where Tune keeps its results (default: a ``log/tune-...`` folder).
    name : str, optional
        Name of the Tune experiment.
    num_cpus : int, optional
        CPUs of a local Ray runtime started here (ignored if Ray is running).
    check : bool
        Build the network and game of the grid's configurations (or the sampled space's
        lower ends and choices) in the driver before Tune starts.

    Returns
    -------
    pandas.DataFrame
        One row per trial: ``job``, ``config`` (the trial's index), ``repeat`` (0),
        ``seed``, the searched parameters, ``status`` (``"ok"``, ``"stopped"`` when a
        scheduler such as ASHA stopped the trial early, or ``"failed"``), the run's
        results (from the last report; ``episode`` = training episodes run, fewer for a
        stopped trial, which also has ``stopped_early`` True and only the per-episode
        metrics), ``error``, ``log`` (None). :func:`rank_trials` orders it best first,
        stopped trials after the completed ones.

    Raises
    ------
    ConfigError
        Before any trial: an unknown key or invalid value in the space.
    SpikeyError
        If Ray Tune is not installed.
    """
    import ray

    tune = _tune()
    from spikey.core import GenericLoop
    from spikey.meta.backends.ray import user_modules
    from spikey.meta.jobs import default_folder
    from spikey.meta.validate import KeyIndex, check_build

    if not isinstance(param_space, dict) or not param_space:
        raise ConfigError("tune_search.param_space: expected a non-empty dict (a Tune param_space).")
    loop_class = training_loop if training_loop is not None else GenericLoop
    seed = int(seed) if seed is not None else fresh_seed()
    shared = dict(training_params or {})
    shared.pop("progress", None)
    probe = loop_class(network_template, game_template, callback, dict(shared), check=False)
    keys = KeyIndex(loop_class, network_template, game_template, probe.callback)
    for i, cfg in enumerate(_examples(param_space)):
        where = f"tune_search config {i} ({cfg})"
        keys.check({**shared, **cfg}, where)
        if check:
            check_build(probe, {k: v for k, v in cfg.items() if k != "seed"}, trial_seed(seed, cfg), where)

    fn = trainable(network_template, game_template, loop_class, shared, callback, seed)
    started = False
    if not ray.is_initialized():
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        kwargs: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "logging_level": "ERROR",
        }
        if num_cpus is not None:
            kwargs["num_cpus"] = int(num_cpus)
        ray.init(**kwargs)
        started = True
    try:
        from ray import cloudpickle

        for module in user_modules((network_template, game_template, loop_class, callback)):
            try:
                cloudpickle.register_pickle_by_value(__import__("sys").modules[module])
            except (KeyError, ValueError):
                pass
        if search_alg is None:
            from ray.tune.search import BasicVariantGenerator

            search_alg = BasicVariantGenerator(random_state=seed)
        storage = os.path.abspath(storage_path or default_folder("tune", str(seed)))
        tuner = tune.Tuner(
            fn,
            param_space=param_space,
            tune_config=tune.TuneConfig(
                num_samples=int(num_samples),
                metric=metric,
                mode=mode if metric else None,
                scheduler=scheduler,
                search_alg=search_alg,
                max_concurrent_trials=max_concurrent_trials,
            ),
            run_config=tune.RunConfig(storage_path=storage, name=name, verbose=0),
        )
        grid = tuner.fit()
        return _table(grid, seed, shared.get("n_episodes"))
    finally:
        if started:
            ray.shutdown()


def _table(grid: Any, seed: int, n_episodes: Any = None) -> pd.DataFrame:
    rows = []
    for i, result in enumerate(grid):
        params = _flatten(dict(result.config or {}))
        metrics = dict(result.metrics or {})
        row: dict[str, Any] = {"job": i, "config": i, "repeat": 0}
        row["seed"] = int(metrics.get("seed", params.get("seed", trial_seed(seed, params))))
        row.update(params)
        row["status"] = "failed" if result.error is not None else "ok"
        done = bool(metrics.get("training_done"))
        for k, v in metrics.items():
            if k in (
                "done",
                "training_done",
                "seed",
                "config",
                "trial_id",
                "date",
                "hostname",
                "node_ip",
                "pid",
                "timestamp",
            ):
                continue
            if k.startswith(("time_", "iterations_since", "checkpoint_dir", "experiment_tag")):
                continue
            if isinstance(v, (int, float, str, bool)) or v is None:
                row.setdefault(k, v)
        n = params.get("n_episodes", n_episodes)
        episodes = metrics.get("episode")
        if isinstance(n, int) and isinstance(episodes, int):
            row["stopped_early"] = result.error is None and episodes < n
        else:
            row["stopped_early"] = result.error is None and not done
        if row["stopped_early"]:
            row["status"] = "stopped"  # by the scheduler (e.g. ASHA): its metrics are of fewer episodes
        row["error"] = f"{type(result.error).__name__}: {result.error}"[:2000] if result.error else None
        row["log"] = None
        rows.append(row)
    return pd.DataFrame.from_records(rows)


_STATUS_ORDER = {"ok": 0, "stopped": 1, "failed": 2}


def rank_trials(df: pd.DataFrame, metric: str, mode: str = "max") -> pd.DataFrame:
    """:func:`tune_search`'s table, best first: completed trials, then stopped ones, then failed.

    A trial that a scheduler stopped early (``status == "stopped"``) reports metrics of
    its first episodes only, which are not comparable with a completed trial's; it is
    ranked below every completed trial, however high its metric.

    Parameters
    ----------
    df : DataFrame
        The table of :func:`tune_search` (or :meth:`spikey.meta.Series.run`).
    metric : str
        Column to rank by within each status.
    mode : {"max", "min"}

    Returns
    -------
    DataFrame
        The rows reordered, with a ``rank`` column (1 = best completed trial).

    Examples
    --------
    >>> import pandas as pd
    >>> from spikey.meta.tune import rank_trials
    >>> df = pd.DataFrame({"job": [0, 1, 2], "status": ["stopped", "ok", "ok"], "mean_accuracy": [0.9, 0.6, 0.7]})
    >>> rank_trials(df, "mean_accuracy")[["job", "status", "rank"]].values.tolist()
    [[2, 'ok', 1], [1, 'ok', 2], [0, 'stopped', 3]]
    """
    if metric not in df.columns:
        raise ConfigError(f"rank_trials.metric: the table has no column {metric!r}; columns are {list(df.columns)}.")
    if mode not in ("max", "min"):
        raise ConfigError(f"rank_trials.mode: expected 'max' or 'min'; got {mode!r}.")
    order = df["status"].map(lambda s: _STATUS_ORDER.get(s, 3)) if "status" in df.columns else 0
    value = pd.to_numeric(df[metric], errors="coerce")
    keyed = df.assign(_order=order, _value=-value if mode == "max" else value)
    out = keyed.sort_values(["_order", "_value"], kind="stable", na_position="last").drop(columns=["_order", "_value"])
    return out.assign(rank=range(1, len(out) + 1))

