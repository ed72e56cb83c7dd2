"""Reward parts: the reward signal given to the network."""

from spikey.snn.reward.match_expected import MatchExpected
from spikey.snn.reward.tderror import TDError
from spikey.snn.reward.template import Reward

__all__ = ["Reward", "MatchExpected", "TDError"]
