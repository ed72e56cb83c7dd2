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
control
    Gymnasium control tasks (CartPole, Acrobot, MountainCar, Pendulum, LunarLander):
    networks, frozen evaluation on unseen seeds, random baseline.
evolution
    Control tasks solved by evolving the weights (``spikey run cartpole-es``, ...).
registry
    The experiment registry (``register``, ``make``) that ``spikey run`` and
    ``spikey list`` read.

Examples
--------
.. code-block:: python

    from spikey.experiments import florian_rate

    network = florian_rate.train(seed=0)
    print(florian_rate.evaluate(network)["accuracy"])
"""

from spikey._lazy import lazy_exports
from spikey.experiments.registry import Experiment, make, register

__all__ = [
    "florian_rate",
    "florian_temporal",
    "cartpole",
    "diehl_cook",
    "digits_data",
    "coba",
    "modifiers",
    "control",
    "evolution",
    "Experiment",
    "register",
    "make",
    "registry",  # the module (registry.registry() lists the entries)
]

register("xor", "spikey.experiments.florian_rate", "Florian (2007) XOR, rate-coded inputs, MSTDPET")
register("xor-temporal", "spikey.experiments.florian_temporal", "Florian (2007) XOR, temporally coded inputs")
register("cartpole", "spikey.experiments.cartpole", "CartPole with reward-modulated STDP (shaped reward)")
register(
    "diehl-cook",
    "spikey.experiments.diehl_cook:DiehlCookExperiment",
    "Diehl & Cook (2015) unsupervised digit recognition",
)
for _task, _env in (
    ("cartpole", "CartPole-v1"),
    ("acrobot", "Acrobot-v1"),
    ("mountaincar", "MountainCar-v0"),
    ("pendulum", "Pendulum-v1"),
    ("lunarlander", "LunarLander-v3 (extra box2d)"),
):
    register(
        f"{_task}-es",
        "spikey.experiments.evolution:EvolutionExperiment",
        f"{_env} by CMA-ES over the weights of a spiking network",
        task=_task,
    )
del _task, _env

# each experiment module is imported on first use (``spikey run xor`` needs one of them)
_MODULES = [n for n in __all__ if n not in ("Experiment", "register", "make")]
__getattr__, __dir__ = lazy_exports(__name__, {name: f"{__name__}.{name}" for name in _MODULES})
