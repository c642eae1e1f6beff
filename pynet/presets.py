"""Named recipes: the shipped pretrained model, and the page's starting settings."""

from __future__ import annotations

from collections.abc import Callable

from .config import ModelConfig, TrainConfig
from .data import Dataset
from .model import build_model
from .recipes import TrainResult, fit
from .train import StepInfo, Trainer

# The pretrained model the site ships (see README: "Accuracy").
PRETRAINED_MODEL = ModelConfig(hidden=(512, 256), dropout=0.2, seed=1)
PRETRAINED_TRAIN = TrainConfig(epochs=12, batch_size=128, lr=1e-3, schedule="cosine", augment=True, seed=1)
PRETRAINED_VAL_SIZE = 5000

# What the page's training form starts with: a run that finishes in seconds.
IN_TAB_MODEL = ModelConfig(hidden=(128,))
IN_TAB_TRAIN = TrainConfig(epochs=2, batch_size=128, lr=0.005, schedule="cosine")

PRESETS = ("pretrained", "in-tab")


def configs(preset: str | None) -> tuple[ModelConfig, TrainConfig]:
    """(model, training) configuration for ``preset`` (None = library defaults)."""
    if preset is None:
        return ModelConfig(), TrainConfig()
    if preset == "pretrained":
        return PRETRAINED_MODEL, PRETRAINED_TRAIN
    if preset == "in-tab":
        return IN_TAB_MODEL, IN_TAB_TRAIN
    raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")


def train_pretrained(data: Dataset, on_step: Callable[[StepInfo, Trainer], None] | None = None) -> TrainResult:
    """Train the shipped model exactly as the build does (the build calls this,
    and so does ``python -m pynet train --preset pretrained``)."""
    return fit(build_model(PRETRAINED_MODEL), PRETRAINED_TRAIN, data, name="pretrained",
               val_size=PRETRAINED_VAL_SIZE, on_step=on_step)
