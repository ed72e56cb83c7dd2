"""Synapse parts: spike transmission and learning rules."""

from spikey.snn.synapse.dastdp import DASTDP
from spikey.snn.synapse.diehl_cook import DiehlCook
from spikey.snn.synapse.florian import MSTDP, MSTDPET, RLSTDP, RLSTDPET
from spikey.snn.synapse.ltp import LTP
from spikey.snn.synapse.static import StaticSynapse
from spikey.snn.synapse.template import Synapse

__all__ = ["Synapse", "StaticSynapse", "LTP", "MSTDP", "MSTDPET", "RLSTDP", "RLSTDPET", "DASTDP", "DiehlCook"]
