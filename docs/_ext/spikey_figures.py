"""Sphinx hook: draw the figures of the guide at build time (docs/_generated/*.png).

A small network learns XOR for 30 episodes (about a second); its log gives the episode
returns, the learning curve, the weight histograms and the game-state plot of
``guide/results.rst``. A short CartPole run (spikey run cartpole's network, 6 episodes)
gives the observation traces of a continuous-observation game. The files
are written before reading the sources, so the pages always show what the code draws.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

FIGURES = ("learning_curve", "weight_histograms", "game_states")
#: Figures drawn on a whole Figure (several axes), with their sizes.
FIG_FIGURES = {"episode_returns": (6.0, 4.2)}


def _xor(state: Any) -> int:
    return int(sum(state) % 2)


def draw(folder: str) -> list[str]:
    """Train the small network, log it, and save the guide's figures into ``folder``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    import spikey
    from spikey import viz
    from spikey.logging import read_log

    class network_template(spikey.RLNetwork):
        parts = {
            "inputs": spikey.input.RateMap,
            "neurons": spikey.neuron.Neuron,
            "weights": spikey.weight.Random,
            "synapses": spikey.synapse.MSTDPET,
            "readout": spikey.readout.Threshold,
            "rewarder": spikey.reward.MatchExpected,
        }
        keys = {
            "n_inputs": 4, "n_neurons": 6, "n_outputs": 1, "processing_time": 10, "magnitude": 1.0,
            "firing_threshold": 1.0, "potential_decay": 0.1, "refractory_period": 1,
            "state_rate_map": [0.0, 0.3], "learning_rate": 0.1, "action_threshold": 0.05,
            "expected_value": _xor,
        }

    class game_template(spikey.games.Logic):
        config = spikey.games.Logic.PRESETS["XOR"]

    loop = spikey.core.GenericLoop(
        network_template, game_template, spikey.core.RLCallback(),
        {"n_episodes": 30, "len_episode": 8, "eval_episodes": 4, "seed": 0},
    )
    loop(progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        data = read_log(loop.log(folder=tmp))
    os.makedirs(folder, exist_ok=True)
    out = []
    for name in FIGURES:
        fig = Figure(figsize=(6.0, 3.4), dpi=90)
        getattr(viz, name)(data, fig.subplots())
        path = os.path.join(folder, f"{name}.png")
        fig.savefig(path, bbox_inches="tight")
        out.append(path)
    for name, size in FIG_FIGURES.items():
        fig = Figure(figsize=size, dpi=90)
        getattr(viz, name)(data, fig)
        path = os.path.join(folder, f"{name}.png")
        fig.savefig(path, bbox_inches="tight")
        out.append(path)
    out.append(_cartpole_traces(folder))
    return out


def _cartpole_traces(folder: str) -> str:
    """Observation traces of a short CartPole run (the cart-pole network of ``spikey run cartpole``)."""
    from matplotlib.figure import Figure

    import spikey
    from spikey import viz
    from spikey.experiments import cartpole
    from spikey.logging import read_log

    loop = spikey.core.GenericLoop(
        cartpole.network_template, cartpole.game_template, spikey.core.RLCallback(),
        {"n_episodes": 6, "len_episode": 200, "eval_episodes": 1, "seed": 0},
    )
    loop(progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        data = read_log(loop.log(folder=tmp))
    fig = Figure(figsize=(6.0, 4.6), dpi=90)
    viz.observation_traces(data, fig)
    path = os.path.join(folder, "observation_traces.png")
    fig.savefig(path, bbox_inches="tight")
    return path


def _on_init(app: Any) -> None:
    draw(os.path.join(app.srcdir, "_generated"))


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _on_init)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
