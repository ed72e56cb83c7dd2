"""Reward parts: the reward signal given to the network."""

from spikey.snn.reward.cost_reduction import CostReduction
from spikey.snn.reward.env_reward import EnvReward
from spikey.snn.reward.match_expected import MatchExpected
from spikey.snn.reward.spike_reward import SpikeReward
from spikey.snn.reward.tderror import TDError
from spikey.snn.reward.template import Reward

__all__ = ["Reward", "MatchExpected", "TDError", "SpikeReward", "CostReduction", "EnvReward"]
