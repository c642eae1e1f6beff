"""Whole runs: ``fit`` (train, calibrate, evaluate), continuing a run,
fine-tuning data, the presets and the shipped model's recipe, and the native
throughput benchmark.

``fit`` is imported when first used (PEP 562): the page's worker imports
``preset_configs`` at start without loading the training recipes.
"""

from __future__ import annotations

from typing import Any

__all__ = ["fit"]


def __getattr__(name: str) -> Any:
    """``pynet.recipes.fit``: import ``runs`` on first use."""
    if name != "fit":
        raise AttributeError(f"module 'pynet.recipes' has no attribute {name!r}")
    from .runs import fit

    globals()["fit"] = fit
    return fit
