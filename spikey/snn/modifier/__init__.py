"""Modifier parts: schedules that change a part's key during training."""

from spikey.snn.modifier.drop_off import DropOff
from spikey.snn.modifier.linear_decay import LinearDecay
from spikey.snn.modifier.template import Modifier

__all__ = ["Modifier", "LinearDecay", "DropOff"]
