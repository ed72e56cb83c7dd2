"""Neuron parts: groups of spiking neurons.

``Neuron`` (the template, Spikey's leaky integrate-and-fire) and stock models.
"""

from spikey.snn.neuron.rand_potential import RandPotential
from spikey.snn.neuron.template import Neuron, NeuronBase

__all__ = ["NeuronBase", "Neuron", "RandPotential"]
