"""Whole runs: ``fit`` (train, calibrate, evaluate), continuing a run,
fine-tuning data, the presets and the shipped model's recipe, and the native
throughput benchmark.
"""

from .runs import fit

__all__ = ["fit"]
