"""Training loops and callbacks.

- :class:`TrainingLoop` (template) and :class:`GenericLoop` build a game and a network,
  let them interact for episodes and return ``(network, game, results, info)``;
  ``loop.log()`` writes the run's log.
- :class:`ExperimentCallback` (blank slate), :class:`RLCallback` and
  :class:`TDCallback` observe the run through ``network_<method>``, ``game_<method>``
  and ``training_loop_<method>`` hooks and collect ``results`` (scalars) and ``info``
  (arrays, objects); ``callback.track(...)`` adds runtime trackers.
- :func:`spikey.core.writer.write_log` is the one function that writes log files.

Examples
--------
>>> import spikey
>>> callback = spikey.core.RLCallback()
>>> callback.track("network_reward", "info", "td_td", ["network", "rewarder", "prev_td"], "list")
>>> loop = spikey.core.GenericLoop(network_template, game_template, callback, training_params)  # doctest: +SKIP
>>> network, game, results, info = loop()  # doctest: +SKIP
"""

from spikey.core import writer
from spikey.core.callback import ExperimentCallback, RLCallback, TDCallback
from spikey.core.training_loop import GenericLoop, TrainingLoop, check_actions, network_actions
from spikey.core.writer import write_log

__all__ = [
    "TrainingLoop",
    "GenericLoop",
    "ExperimentCallback",
    "RLCallback",
    "TDCallback",
    "check_actions",
    "network_actions",
    "write_log",
    "writer",
]
