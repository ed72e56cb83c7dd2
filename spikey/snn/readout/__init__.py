"""Readout parts: output spikes -> actions."""

from spikey.snn.readout.action_pools import ActionPools, PopulationCode
from spikey.snn.readout.neuron_rates import NeuronRates
from spikey.snn.readout.population_vector import PopulationVector
from spikey.snn.readout.template import Readout
from spikey.snn.readout.threshold import Threshold
from spikey.snn.readout.topaction import TopAction

__all__ = ["Readout", "Threshold", "TopAction", "NeuronRates", "PopulationVector", "ActionPools", "PopulationCode"]
