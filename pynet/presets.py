"""Named configurations: the shipped pretrained model and plain defaults."""

from __future__ import annotations

from .model import ModelConfig
from .train import TrainConfig

# The pretrained model the site ships (see README: "Accuracy").
PRETRAINED_MODEL = ModelConfig(hidden=(512, 256), dropout=0.2, seed=1)
PRETRAINED_TRAIN = TrainConfig(epochs=12, batch_size=128, lr=1e-3, schedule="cosine", augment=True, seed=1)


def configs(preset: str | None) -> tuple[ModelConfig, TrainConfig]:
    """(model, training) configuration for ``preset`` (None = library defaults)."""
    if preset is None:
        return ModelConfig(), TrainConfig()
    if preset == "pretrained":
        return PRETRAINED_MODEL, PRETRAINED_TRAIN
    raise ValueError(f"unknown preset {preset!r}")
