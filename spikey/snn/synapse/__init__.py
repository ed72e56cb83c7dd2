"""Synapse parts: spike transmission and learning rules."""

from spikey.snn.synapse.florian import MSTDP, MSTDPET, RLSTDP, RLSTDPET
from spikey.snn.synapse.ltp import LTP
from spikey.snn.synapse.template import Synapse

__all__ = ["Synapse", "LTP", "MSTDP", "MSTDPET", "RLSTDP", "RLSTDPET"]
