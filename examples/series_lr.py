"""A series file for ``spikey series``: the learning rate of a small XOR network, 3 values x 2 repeats.

Run it (about 10 s on one core), then look at the results::

    spikey series examples/series_lr.py --out log/series-lr --report
    spikey series --resume log/series-lr          # after an interruption: only the missing jobs
    spikey series examples/series_lr.py --backend ray --cpus 2 --tensorboard tb/

A series file is a Python file defining (required)

- ``network_template``: the network class;
- ``game_template``: the game class;
- ``training_params``: the loop's keys (``n_episodes``, ``len_episode``, ...) and
  overrides of network or game keys shared by every job;
- ``spec``: what varies, in the Series spec grammar: ``("key", [values])``,
  ``("key", start, stop, step)`` (an ``np.arange``), or a list of such entries
  (iterated together; crossed into a grid with ``product = True``);

and optionally ``training_loop`` (default ``GenericLoop``), ``callback`` (default
``RLCallback()``), ``n_repeats`` (default 1), ``product``, ``seed`` (default: drawn and
logged) and ``backend`` (``"single"`` or ``"ray"``). Options on the command line win
over the file's values.
"""

import spikey


def xor(state):
    """The expected answer: a XOR b."""
    return int(sum(state) % 2)


class network_template(spikey.RLNetwork):
    """4 rate-coded inputs -> 6 neurons -> 1 output, MSTDPET."""

    parts = {
        "inputs": spikey.input.RateMap,
        "neurons": spikey.neuron.Neuron,
        "weights": spikey.weight.Random,
        "synapses": spikey.synapse.MSTDPET,
        "readout": spikey.readout.Threshold,
        "rewarder": spikey.reward.MatchExpected,
    }
    keys = {
        "n_inputs": 4,
        "n_neurons": 6,
        "n_outputs": 1,
        "processing_time": 20,
        "magnitude": 1.0,
        "firing_threshold": 1.0,
        "potential_decay": 0.1,
        "refractory_period": 1,
        "state_rate_map": [0.0, 0.3],
        "learning_rate": 0.1,
        "action_threshold": 0.05,
        "expected_value": xor,
    }


class game_template(spikey.games.Logic):
    """Logic with the XOR preset."""

    config = spikey.games.Logic.PRESETS["XOR"]


training_params = {"n_episodes": 20, "len_episode": 8, "eval_episodes": 2}
spec = ("learning_rate", [0.0, 0.1, 0.3])
n_repeats = 2
seed = 0
