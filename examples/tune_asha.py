"""Ray Tune with ASHA early stopping on the small XOR network of ``series_lr.py``.

Needs the ``tune`` extra (``pip install -e ".[tune]"``, or ``pip install "spikey-snn[tune]"``).
Random search over the learning rate and the action threshold, 8 trials of 20 episodes;
ASHA stops the trials whose accuracy lags after 5 episodes. About a minute on two cores
(most of it starting Ray)::

    python examples/tune_asha.py [--samples 8] [--cpus 2]

Prints the trials ranked by :func:`spikey.meta.tune.rank_trials`: completed trials
first (best ``mean_accuracy`` on top), then the trials ASHA stopped (``status`` is
``"stopped"``: their accuracy is of their first episodes only, so it is not compared with
the completed ones'), then failed ones.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from series_lr import game_template, network_template  # noqa: E402

from spikey.core import GenericLoop  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description="Ray Tune + ASHA on a small XOR network.")
    parser.add_argument("--samples", type=int, default=8, help="number of trials")
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray runtime")
    args = parser.parse_args()
    from ray import tune

    from spikey.meta.tune import param_space_from_constraints, rank_trials, tune_search

    df = tune_search(
        network_template,
        game_template,
        GenericLoop,
        param_space_from_constraints({"learning_rate": (0.0, 0.5), "action_threshold": [0.0, 0.05, 0.1]}),
        training_params={"n_episodes": 20, "len_episode": 8},
        num_samples=args.samples,
        seed=0,
        metric="mean_accuracy",
        mode="max",
        scheduler=tune.schedulers.ASHAScheduler(grace_period=5, max_t=20),
        num_cpus=args.cpus,
    )
    ranked = rank_trials(df, "mean_accuracy")
    columns = ["rank", "status", "episode", "learning_rate", "action_threshold", "mean_accuracy"]
    print(ranked[columns].to_string(index=False, float_format=lambda v: f"{v:.3g}"))


if __name__ == "__main__":
    main()
