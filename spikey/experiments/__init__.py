"""Ready-made experiments: network and game templates with their training settings.

Each module follows the original Spikey's layout and exposes

- ``network_template``: a :class:`~spikey.snn.network.Network` subclass (``parts`` and
  ``keys`` class attributes);
- ``game_template``: the game class;
- ``training_params``: settings for :class:`spikey.core.GenericLoop`;

plus functions that train, evaluate with learning frozen, and report.

Modules
-------
florian_rate
    Florian (2007) XOR with rate-coded inputs, reward-modulated STDP (MSTDPET).
florian_temporal
    Florian (2007) XOR with temporally coded inputs (fixed spike trains).
cartpole
    Cart-pole balancing with a rate-coded state and reward-modulated STDP.
diehl_cook
    Diehl & Cook (2015) unsupervised digit recognition with STDP and lateral
    inhibition (``spikey run diehl-cook``); images from :mod:`~spikey.experiments.digits_data`.

Examples
--------
.. code-block:: python

    from spikey.experiments import florian_rate

    network = florian_rate.train(seed=0)
    print(florian_rate.evaluate(network)["accuracy"])
"""

from spikey._lazy import lazy_exports

__all__ = ["florian_rate", "florian_temporal", "cartpole", "diehl_cook", "digits_data", "coba", "modifiers"]

# each experiment module is imported on first use (``spikey run xor`` needs one of them)
__getattr__, __dir__ = lazy_exports(__name__, {name: f"{__name__}.{name}" for name in __all__})
