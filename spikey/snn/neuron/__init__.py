"""Neuron parts: groups of spiking neurons.

``Neuron`` (the template, Spikey's leaky integrate-and-fire) and stock models;
:func:`simulate` drives any of them with a current (see :mod:`spikey.snn.currents`).
"""

from spikey.snn.neuron.adex import AdEx
from spikey.snn.neuron.hodgkin_huxley import HodgkinHuxley
from spikey.snn.neuron.izhikevich import Izhikevich
from spikey.snn.neuron.lif import LIF
from spikey.snn.neuron.rand_potential import RandPotential
from spikey.snn.neuron.single import SimulationResult, simulate
from spikey.snn.neuron.sources import BernoulliSource, PoissonSource
from spikey.snn.neuron.template import Neuron, NeuronBase

__all__ = [
    "NeuronBase",
    "Neuron",
    "RandPotential",
    "Izhikevich",
    "AdEx",
    "HodgkinHuxley",
    "LIF",
    "PoissonSource",
    "BernoulliSource",
    "simulate",
    "SimulationResult",
]
