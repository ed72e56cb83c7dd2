"""Input parts: encode the game state as input spikes."""

from spikey.snn.input.box import BoxRBF, box_ranges
from spikey.snn.input.poisson import Poisson
from spikey.snn.input.ratemap import RateMap
from spikey.snn.input.rbf import RBF
from spikey.snn.input.staticmap import StaticMap
from spikey.snn.input.template import Input

__all__ = ["Input", "RateMap", "StaticMap", "RBF", "Poisson", "BoxRBF", "box_ranges"]
