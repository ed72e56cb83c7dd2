"""Meta-analysis: series of experiments and genetic-algorithm searches, on one machine or Ray.

- :class:`Series` runs an experiment for every configuration of a spec (the original
  Spikey's grammar, plus ``product=True`` grids), ``n_repeats`` times each, and returns
  a pandas DataFrame; one log per run, a summary, and a checkpoint to resume from.
- :class:`Population` evolves genotypes drawn from a :class:`MetaRL` game's
  ``GENOTYPE_CONSTRAINTS`` (elitism, tournament selection, crossover, mutation) with a
  fitness cache; :class:`EvolveNetwork` scores a genotype by training a network.
  :func:`read_population` restores a search from its folder.
- :mod:`spikey.meta.backends`: ``"single"`` (in this process) and ``"ray"`` (a local
  Ray runtime or a cluster), and the interface to plug in your own.
- :mod:`spikey.meta.tune`: any training loop as a Ray Tune trainable (search algorithms,
  schedulers such as ASHA), with the same results table as a Series (``spikey[tune]``).

Every job's configuration is validated in the driver before any job runs; every job has
its own derived seed, so the same seed gives the same table on every backend; every
finished job is checkpointed at once, so ``resume=True`` continues a killed run.
"""

from spikey.meta import backends
from spikey.meta.backends import (
    MetaBackend,
    MultiprocessBackend,
    RayBackend,
    SingleProcessBackend,
    get_backend,
)
from spikey.meta.checkpoint import Checkpoint, CheckpointWarning
from spikey.meta.jobs import Job, JobFailedWarning, JobsLostWarning
from spikey.meta.metagames import EvolveNetwork, MetaNQueens, MetaRL
from spikey.meta.population import (
    GenotypeCache,
    GenotypeMapping,
    Population,
    checkpoint_population,
    read_population,
)
from spikey.meta.series import TIMING_COLUMNS, Series, job_seed
from spikey.meta.spec import expand_spec, parse_constraints

__all__ = [
    "Series",
    "Population",
    "read_population",
    "MetaRL",
    "EvolveNetwork",
    "MetaNQueens",
    "GenotypeCache",
    "GenotypeMapping",
    "checkpoint_population",
    "MetaBackend",
    "SingleProcessBackend",
    "MultiprocessBackend",
    "RayBackend",
    "get_backend",
    "backends",
    "Checkpoint",
    "CheckpointWarning",
    "Job",
    "JobFailedWarning",
    "JobsLostWarning",
    "TIMING_COLUMNS",
    "job_seed",
    "expand_spec",
    "parse_constraints",
]
