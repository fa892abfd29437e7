"""Benchmarks run by `learning-app bench ...`: they print figures, tests never assert timings."""

# The synthetic chunk models of `bench retrieval` (here, so the CLI lists them without
# importing numpy and the models at start-up).
RETRIEVAL_VECTORS = ("topics", "isotropic", "uniform")
