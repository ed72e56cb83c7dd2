"""Weight parts: synaptic weight matrices and connectivity."""

from spikey.snn.weight.manual import Manual
from spikey.snn.weight.random import Random
from spikey.snn.weight.template import Weight

__all__ = ["Weight", "Manual", "Random"]
