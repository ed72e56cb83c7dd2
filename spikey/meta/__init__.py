"""Meta-analysis: series of experiments and genetic-algorithm searches, on one machine or Ray.

- :class:`Series` runs an experiment for every configuration of a spec (the original
  Spikey's grammar, plus ``product=True`` grids), ``n_repeats`` times each, and returns
  a pandas DataFrame; one log per run, a summary, and a checkpoint to resume from.
- :class:`Population` evolves genotypes drawn from a :class:`MetaRL` game's
  ``GENOTYPE_CONSTRAINTS`` (elitism, tournament selection, crossover, mutation) with a
  fitness cache; :class:`EvolveNetwork` scores a genotype by training a network.
  :func:`read_population` restores a search from its folder.
- :class:`WeightEvolution` evolves a network's weights with OpenAI-ES or CMA-ES
  (:mod:`spikey.meta.es`): fitness = frozen mean return, one checkpoint record per
  generation, replayed exactly on resume.
- :mod:`spikey.meta.backends`: ``"single"`` (in this process) and ``"ray"`` (a local
  Ray runtime or a cluster), and the interface to plug in your own.
- :mod:`spikey.meta.tune`: any training loop as a Ray Tune trainable (search algorithms,
  schedulers such as ASHA), with the same results table as a Series (the ``tune`` extra: ``pip install "spikey-snn[tune]"``).

Every job's configuration is validated in the driver before any job runs; every job has
its own derived seed, so the same seed gives the same table on every backend; every
finished job is checkpointed at once, so ``resume=True`` continues a killed run.
"""

from spikey._lazy import lazy_exports

# Everything is imported on first use (PEP 562): ``import spikey.meta`` (and the
# ``spikey`` command) do not import pandas or the Ray and multiprocessing backends.
_LAZY = {
    "Series": "spikey.meta.series",
    "TIMING_COLUMNS": "spikey.meta.series",
    "job_seed": "spikey.meta.series",
    "Population": "spikey.meta.population",
    "read_population": "spikey.meta.population",
    "GenotypeCache": "spikey.meta.population",
    "GenotypeMapping": "spikey.meta.population",
    "checkpoint_population": "spikey.meta.population",
    "MetaRL": "spikey.meta.metagames",
    "EvolveNetwork": "spikey.meta.metagames",
    "MetaNQueens": "spikey.meta.metagames",
    "MetaBackend": "spikey.meta.backends",
    "SingleProcessBackend": "spikey.meta.backends",
    "MultiprocessBackend": "spikey.meta.backends",
    "RayBackend": "spikey.meta.backends",
    "get_backend": "spikey.meta.backends",
    "backends": "spikey.meta.backends",
    "Checkpoint": "spikey.meta.checkpoint",
    "CheckpointWarning": "spikey.meta.checkpoint",
    "Job": "spikey.meta.jobs",
    "JobFailedWarning": "spikey.meta.jobs",
    "JobsLostWarning": "spikey.meta.jobs",
    "WeightEvolution": "spikey.meta.es",
    "EvolutionResult": "spikey.meta.es",
    "OpenAIES": "spikey.meta.es",
    "CMAES": "spikey.meta.es",
    "WeightGenome": "spikey.meta.es",
    "read_evolution": "spikey.meta.es",
    "es": "spikey.meta.es",
    "expand_spec": "spikey.meta.spec",
    "parse_constraints": "spikey.meta.spec",
}
__getattr__, __dir__ = lazy_exports(__name__, _LAZY)

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
    "WeightEvolution",
    "EvolutionResult",
    "OpenAIES",
    "CMAES",
    "WeightGenome",
    "read_evolution",
    "es",
]
