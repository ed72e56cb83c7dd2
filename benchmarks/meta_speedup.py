"""Speed-up of the ray backend over single for a Series of equal jobs (Ray's start included).

Calibrates a GenericLoop run on XOR to take about ``--job-seconds`` (not timed), then
times ``Series(...).run()`` with the ``single`` backend and with the ``ray`` backend on
a fresh local runtime (``RayBackend(num_cpus=--cpus)``), from before Ray starts until
the table is returned; the time with Ray's shutdown is printed too. Checks that both
tables are equal (timings aside).
Target on 2 cores: 8 jobs of 10 s, speed-up >= 1.7.

With ``--baseline`` it also times a plain process pool (a small user backend, see
``PoolBackend``): what the machine's free cores allow at that moment, without Ray's
start. On a machine shared with other jobs this tells a busy machine from Ray overhead.

Usage::

    python benchmarks/meta_speedup.py [--n-jobs 8] [--job-seconds 10] [--cpus 2] [--baseline]
"""

from __future__ import annotations

import argparse
import os
import time

import pandas as pd

import spikey
from spikey.meta import TIMING_COLUMNS, MetaBackend, RayBackend, Series


def xor(state) -> int:
    """XOR of a pair of 0/1 values."""
    return int(sum(state) % 2)


class network_template(spikey.RLNetwork):
    """A small rate-coded XOR network with reward-modulated STDP."""

    parts = {
        "inputs": spikey.input.RateMap,
        "neurons": spikey.neuron.Neuron,
        "weights": spikey.weight.Random,
        "synapses": spikey.synapse.MSTDPET,
        "readout": spikey.readout.Threshold,
        "rewarder": spikey.reward.MatchExpected,
    }
    keys = {
        "n_inputs": 20,
        "n_neurons": 30,
        "n_outputs": 1,
        "processing_time": 50,
        "magnitude": 1.0,
        "firing_threshold": 8.0,
        "potential_decay": 0.05,
        "refractory_period": 1,
        "prob_rand_fire": 0.02,
        "state_rate_map": [0.0, 0.4],
        "learning_rate": 0.05,
        "action_threshold": 0.1,
        "expected_value": xor,
    }


class game_template(spikey.games.Logic):
    """XOR gate."""

    config = spikey.games.Logic.PRESETS["XOR"]


class PoolBackend(MetaBackend):
    """Jobs on a ``concurrent.futures`` process pool (a user backend; the baseline)."""

    name = "pool"

    def __init__(self, n_workers: int):
        super().__init__()
        self.workers = n_workers

    def run(self, fn, items, shared=None):
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(self.workers) as pool:
            futures = {pool.submit(fn, shared, item): i for i, item in enumerate(items)}
            for future in as_completed(futures):
                yield futures[future], future.result()


def series(n_jobs: int, n_episodes: int, backend) -> Series:
    """``n_jobs`` equal jobs (one configuration, repeated) of ``n_episodes`` episodes."""
    return Series(
        network_template,
        game_template,
        spikey.core.GenericLoop,
        None,
        spikey.core.RLCallback(reduced=True),
        training_params={"n_episodes": n_episodes, "len_episode": 10},
        n_repeats=n_jobs,
        seed=0,
        backend=backend,
        logging=False,
        progress=False,
    )


def calibrate(job_seconds: float) -> int:
    """Episodes for one job of about ``job_seconds`` (the faster of two probes: load only slows)."""
    n = 20
    while True:
        took = []
        for _ in range(2):
            start = time.perf_counter()
            series(1, n, "single").run()
            took.append(time.perf_counter() - start)
        if min(took) > 1.0 or n > 100_000:
            return max(1, round(n * job_seconds / min(took)))
        n *= 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-jobs", type=int, default=8)
    parser.add_argument("--job-seconds", type=float, default=10.0)
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--baseline", action="store_true", help="also time a plain process pool")
    args = parser.parse_args()
    n_episodes = calibrate(args.job_seconds)
    print(f"{args.n_jobs} jobs of {n_episodes} episodes (~{args.job_seconds:g} s each), {args.cpus} CPUs")
    print(f"load average before: {os.getloadavg()[0]:.2f}")

    start = time.perf_counter()
    single = series(args.n_jobs, n_episodes, "single")
    df_single = single.run()
    t_single = time.perf_counter() - start
    print(f"single: {t_single:.1f} s ({t_single / args.n_jobs:.1f} s per job)")

    backend = RayBackend(num_cpus=args.cpus)
    start = time.perf_counter()
    with backend:  # starts a local Ray runtime (timed)
        on_ray = series(args.n_jobs, n_episodes, backend)
        df_ray = on_ray.run()
        t_ray = time.perf_counter() - start
    t_ray_closed = time.perf_counter() - start
    print(
        f"ray:    {t_ray:.1f} s to the results, Ray's start ({backend.startup_seconds:.1f} s) included; "
        f"{t_ray_closed:.1f} s with its shutdown"
    )
    print(f"speed-up: {t_single / t_ray:.2f}x ({t_single / t_ray_closed:.2f}x counting the shutdown too)")
    mean = {
        name: sum(r["duration"] for r in s.records) / len(s.records)
        for name, s in (("single", single), ("ray", on_ray))
    }
    print(
        f"mean job time: {mean['single']:.2f} s alone, {mean['ray']:.2f} s on the Ray workers ({args.cpus} at once)"
    )

    drop = [*TIMING_COLUMNS, "log"]
    pd.testing.assert_frame_equal(df_single.drop(columns=drop), df_ray.drop(columns=drop))
    print("tables equal (timings aside)")
    if args.baseline:
        start = time.perf_counter()
        df_pool = series(args.n_jobs, n_episodes, PoolBackend(args.cpus)).run()
        t_pool = time.perf_counter() - start
        print(f"pool:   {t_pool:.1f} s, speed-up {t_single / t_pool:.2f}x (what the free cores allow now)")
        pd.testing.assert_frame_equal(df_single.drop(columns=drop), df_pool.drop(columns=drop))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
