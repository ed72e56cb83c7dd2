"""Game steps per second of spikey's stock CartPole agent against a numpy MLP policy.

Prints, in one sitting on this machine:

1. **reference**: Gymnasium's ``CartPole-v1`` driven by a 4-32-2 numpy MLP policy in a
   plain Python loop (``env.step(argmax(W2 @ tanh(W1 @ obs)))``), game steps per second;
2. **spikey**: the stock CartPole agent (:mod:`spikey.experiments.cartpole`: 40 place-cell
   inputs, 20 LIF neurons, MSTDPET learning, 40 network steps per game step) training on
   spikey's CartPole-v1 through :class:`spikey.core.GenericLoop`, on the compiled engine,
   game steps per second and the ratio to (1);
3. the same agent's ``network.tick`` + ``network.reward`` alone (no game, no loop), and
   the compiled loop alone (the engine's one numba call), so the Python overhead per
   tick is their difference;
4. a cProfile of the agent's game step: the functions that cost most per tick.

The engine v2 targets (issue "Engine v2"): spikey >= 0.25x the MLP loop; Python overhead
<= 10 us per tick.

Usage::

    python benchmarks/rl_throughput.py            # ~1 minute
    python benchmarks/rl_throughput.py --quick
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time

import numpy as np


def mlp_steps_per_second(seconds: float) -> float:
    """Gymnasium CartPole-v1 + 4-32-2 numpy MLP (tanh), greedy action; steps per second."""
    import gymnasium as gym

    env = gym.make("CartPole-v1")
    rng = np.random.default_rng(0)
    w1, w2 = rng.normal(size=(32, 4)), rng.normal(size=(2, 32))
    obs, _ = env.reset(seed=0)
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(1000):
            action = int(np.argmax(w2 @ np.tanh(w1 @ obs)))
            obs, _, term, trunc, _ = env.step(action)
            if term or trunc:
                obs, _ = env.reset()
        steps += 1000
    return steps / (time.perf_counter() - t0)


def spikey_steps_per_second(n_episodes: int) -> tuple[float, int]:
    """The stock CartPole agent training (compiled engine); game steps per second."""
    from spikey.core import GenericLoop, RLCallback
    from spikey.experiments import cartpole

    params = dict(cartpole.training_params, n_episodes=1, seed=0, progress=False)
    GenericLoop(cartpole.network_template, cartpole.game_template, RLCallback(reduced=True), params)()  # compile
    params["n_episodes"] = n_episodes
    loop = GenericLoop(cartpole.network_template, cartpole.game_template, RLCallback(reduced=True), params)
    t0 = time.perf_counter()
    _, _, _, info = loop()
    wall = time.perf_counter() - t0
    steps = int(np.sum(info["episode_lens"]))
    return steps / wall, steps


def tick_costs(n: int) -> dict[str, float]:
    """Microseconds per tick: tick + reward; the compiled loop alone (without the
    argument fingerprint of ``compiled._call``); the difference is Python overhead."""
    from spikey.experiments import cartpole
    from spikey.games.cartpole import CartPole

    net = cartpole.network_template(seed=0, engine="numba")
    game = CartPole(preset="CartPole-v1", seed=0)
    net.reset()
    state = game.reset()
    states = []
    for _ in range(200):
        a = net.tick(state)
        nxt, _, done, _ = game.step(a)
        net.reward(state, a, nxt)
        states.append(state)
        state = game.reset() if done else nxt

    def drive() -> float:
        """n ticks + rewards over the recorded states; seconds."""
        t0 = time.perf_counter()
        for i in range(n):
            s = states[i % len(states)]
            net.reward(s, net.tick(s), s)
        return time.perf_counter() - t0

    whole = drive() / n * 1e6
    # the compiled call alone: time the engine's numba call through a wrapper
    from spikey.snn.engine import compiled

    spent = [0.0]
    real = compiled._call

    def timed(dispatcher, args):
        # _call = argument fingerprint + the compiled loop: time a fingerprint alone and
        # subtract it, so that only the loop counts as compiled time
        t0 = time.perf_counter()
        compiled._fingerprint(args)
        t1 = time.perf_counter()
        out = real(dispatcher, args)
        t2 = time.perf_counter()
        spent[0] += (t2 - t1) - (t1 - t0)
        return out

    compiled._call = timed
    try:
        drive()
    finally:
        compiled._call = real
    loop_us = spent[0] / n * 1e6
    return {"tick_reward_us": whole, "compiled_call_us": loop_us, "overhead_us": whole - loop_us}


def profile_tick(n: int, top: int = 15) -> str:
    """cProfile of n ticks + rewards of the agent; the top functions by own time."""
    from spikey.experiments import cartpole

    net = cartpole.network_template(seed=0, engine="numba")
    net.reset()
    s = np.array([0.01, 0.0, 0.02, 0.0], dtype=np.float32)
    net.reward(s, net.tick(s), s)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        a = net.tick(s)
        net.reward(s, a, s)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).sort_stats("tottime")
    stats.print_stats(top)
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
    return "\n".join(lines[start : start + top + 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    args = parser.parse_args()
    seconds, episodes, n = (2.0, 10, 2000) if args.quick else (5.0, 40, 10000)
    print(f"load average {os.getloadavg()[0]:.2f} (2-core machine: above ~0.5 the figures are noisy)")
    mlp = mlp_steps_per_second(seconds)
    print(f"Gymnasium CartPole-v1 + numpy 4-32-2 MLP:      {mlp:10,.0f} game steps/s")
    sps, steps = spikey_steps_per_second(episodes)
    print(
        f"spikey stock CartPole agent, training (numba):  {sps:10,.0f} game steps/s "
        f"({steps} steps)  ratio {sps / mlp:.3f}x  (target >= 0.25x)"
    )
    costs = tick_costs(n)
    print(
        f"per tick: tick + reward {costs['tick_reward_us']:.1f} us, compiled call "
        f"{costs['compiled_call_us']:.1f} us, Python overhead {costs['overhead_us']:.1f} us (target <= 10 us)"
    )
    print("\nwhere a tick's Python time goes (cProfile, own time, 2000 ticks):")
    print(profile_tick(2000))


if __name__ == "__main__":
    main()
