"""A population file for ``spikey population``: a genetic algorithm over two keys of the XOR network.

Run it (about 20 s on one core)::

    spikey population examples/population_search.py --out log/search --report
    spikey population --resume log/search             # continue a stopped search
    spikey population examples/population_search.py --epochs 10 --tensorboard tb/

A population file defines either ``metagame`` (a :class:`spikey.meta.MetaRL` instance
scoring genotypes, e.g. ``MetaNQueens()``), or, as here, what
:class:`spikey.meta.EvolveNetwork` needs to score a genotype by training a network:

- ``network_template``, ``game_template``, ``training_params`` (as in a series file);
- ``GENOTYPE_CONSTRAINTS``: the genes, each a key with its range ``(low, high)`` (a
  float drawn uniformly) or a list of allowed values;
- optionally ``fitness_getter`` (a results key such as ``"mean_accuracy"``, or a
  function of the results), ``n_reruns``, ``win_fitness``, ``training_loop``,
  ``callback``;

plus ``population_params`` (``n_agents``, ``n_epoch``, ``mutate_eligable_pct``, ...)
and optionally ``seed`` and ``backend``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from series_lr import game_template, network_template  # noqa: E402, F401  (the series example's network)

training_params = {"n_episodes": 10, "len_episode": 8}
GENOTYPE_CONSTRAINTS = {
    "learning_rate": (0.0, 0.5),
    "action_threshold": [0.0, 0.05, 0.1],
}
fitness_getter = "mean_accuracy"
population_params = {"n_agents": 6, "n_epoch": 4}
seed = 0
