"""plastisim: synaptic plasticity and neuromodulation, from molecules to networks."""
from . import _cache  # noqa: F401  (first: sets NUMBA_CACHE_DIR before numba is imported)
from .core import connect
from .core.connect import FixedProbability
from .core.errors import ParameterError, SimulationError
from .core.network import Network, Population, Projection
from .core.protocol import Protocol
from .core.signals import Concentration, Schedule, TimedArray
from .core.simulator import Checkpointing, Simulator
from .io.hdf5 import load_results, save_results
from .neurons.adex import AdEx
from .neurons.eglif import EGLIF
from .neurons.izhikevich import Izhikevich
from .neurons.izhikevich2007 import Izhikevich2007
from .neurons.l5 import Interneuron, L5Pyramidal
from .neurons.lif import LIF
from .morphology import Compartments, Domain, Morphology, Nodes
from .diffusion import Species
from .neurons.cable import CableCells
from .neurons.hh import HH
from .neurons.mechanism import Mechanism
from .neurons.membrane import ExpCurrent, OUCurrent, ThresholdReset
from .neurons.model import NeuronModel
from .neurons.sources import PoissonInput, PoissonSource, RegularSource, SpikeTimes
from .plasticity.homeostasis import SpikeHomeostasis
from .plasticity.rule import Rule
from .plasticity.stdp import PairSTDP, ScaledPairSTDP
from .sweep import load_sweep, sweep

__version__ = "0.1.0"

__all__ = ["connect", "FixedProbability", "ParameterError", "SimulationError", "Network",
           "Population", "Projection", "Protocol", "Concentration", "Schedule", "TimedArray", "NeuronModel",
           "Morphology", "Compartments", "Nodes", "Domain", "Species", "Mechanism", "HH", "ExpCurrent", "OUCurrent", "ThresholdReset", "CableCells",
           "Simulator", "Checkpointing", "load_results", "save_results", "LIF", "AdEx", "EGLIF", "Izhikevich",
           "Izhikevich2007", "L5Pyramidal", "Interneuron",
           "PoissonInput", "PoissonSource", "RegularSource", "SpikeTimes", "SpikeHomeostasis", "Rule", "PairSTDP", "ScaledPairSTDP",
           "sweep", "load_sweep", "__version__"]
