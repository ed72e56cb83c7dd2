"""Code written against the original Spikey README runs unchanged."""

from __future__ import annotations

import importlib.util

import numpy as np
from conftest import SmallRL

README_WILLY_NILLY = '''
import numpy as np
from numpy import ndarray
from spikey.module import Key
from spikey.neuron.template import Neuron


class WillyNilly(Neuron):
    """
    Neuron group firing erratically only.
    """
    ## Instead of completely overwriting the templates NECESSARY_KEYS,
    ## it should be copied and extended.
    NECESSARY_KEYS = Neuron.extend_keys([
        Key("fire_rate", "Rate at which neurons fire.", float, default=.08)
    ])
    def __init__(self, **kwargs):
        # __init__ is optional, but if overriding make sure to call the
        # templates __init__!
        super().__init__(**kwargs)

        # Neuron.__init__ adds all NECESSARY_KEYS to class as member variables
        # prefaced with an underscore(_) ie self._<key> == <value given>.
        print(self._fire_rate)

    def __ge__(self, threshold: float) -> ndarray:
        fire_locs = np.random.uniform(0, 1, size=self._n_neurons) <= self._fire_rate

        output = fire_locs * self.polarities * self._magnitude

        return output
'''


def test_readme_willy_nilly_runs_in_a_network(capsys, tmp_path):
    """The README's WillyNilly neuron (overriding __ge__) drives a network's body spikes."""
    path = tmp_path / "willy_nilly.py"
    path.write_text(README_WILLY_NILLY)
    spec = importlib.util.spec_from_file_location("willy_nilly", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    willy = module.WillyNilly
    net = SmallRL(seed=0, strict=True, neurons=willy, fire_rate=0.25)
    assert capsys.readouterr().out.strip() == "0.25"
    net.reset()
    net.tick((1, 1))
    body = net.spike_log[:, 10:]
    assert abs(body.mean() - 0.25) < 0.05
    assert "fire_rate" in [k.name for k in willy.NECESSARY_KEYS]


def test_short_aliases_are_import_paths():
    """spikey.<family>.template modules import as in the original layout."""
    from spikey.network import ActiveRLNetwork, ContinuousRLNetwork, Network, RLNetwork
    from spikey.readout.threshold import Threshold
    from spikey.synapse.template import Synapse

    import spikey

    assert spikey.snn.readout.Threshold is Threshold and spikey.synapse.Synapse is Synapse
    assert ContinuousRLNetwork is ActiveRLNetwork and issubclass(RLNetwork, Network)
    assert spikey.Key is spikey.module.Key


def test_key_in_necessary_keys_by_name():
    """Keys compare to names, so 'key' in NECESSARY_KEYS works as before."""
    import spikey

    assert "firing_threshold" in spikey.neuron.Neuron.NECESSARY_KEYS
    assert np.all([isinstance(k, spikey.Key) for k in spikey.neuron.Neuron.NECESSARY_KEYS])
