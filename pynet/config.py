"""The two configs (what to build, how to train) and the one table of their limits.

Every way of setting them goes through here: Python code constructing the
dataclasses, ``parse_settings`` for the page's form and the CLI's options, and
``ModelConfig.from_dict`` for a model file. The page learns the limits from
``settings_schema`` (sent in the worker's ready reply) instead of restating
them. Like nanoGPT, the model config is saved inside every checkpoint.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from .constraints import Boolean, Choice, Constraint, Integer, Real, SettingsError, Sizes, check_fields, show

DTYPES = ("float32", "float64")
OPTIMIZERS = ("adam", "sgd")
SCHEDULES = ("constant", "cosine", "step")
MAX_SEED = 2**32 - 1

MODEL_LIMITS: dict[str, Constraint] = {
    "n_inputs": Integer(1, 65_536),
    # A guard against typos like 12800 for 128, and a bound on a file's claims.
    "hidden": Sizes(max_items=8, low=1, high=8192, example="256,128"),
    "n_classes": Integer(2, 1000),
    "dropout": Real(0.0, 1.0, high_open=True),
    "dtype": Choice(DTYPES),
    "seed": Integer(0, MAX_SEED),
}

TRAIN_LIMITS: dict[str, Constraint] = {
    "epochs": Integer(1, 1000),
    "batch_size": Integer(1, 4096),  # larger batches only cost memory (the tab has ~2 GB)
    "lr": Real(0.0, 10.0, low_open=True),
    "optimizer": Choice(OPTIMIZERS),
    "momentum": Real(0.0, 1.0, high_open=True),  # SGD only
    "weight_decay": Real(0.0, 1.0, high_open=True),  # Adam only (decoupled)
    "schedule": Choice(SCHEDULES),
    "augment": Boolean(),
    "seed": Integer(0, MAX_SEED),
}


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of a classifier: dense hidden layers of ReLU units."""

    n_inputs: int = 784
    hidden: tuple[int, ...] = (128,)
    n_classes: int = 10
    dropout: float = 0.0
    dtype: str = "float32"
    seed: int = 0

    def __post_init__(self) -> None:
        check_fields(self, MODEL_LIMITS)

    @property
    def layer_sizes(self) -> list[int]:
        return [self.n_inputs, *self.hidden, self.n_classes]

    def param_shapes(self) -> list[tuple[int, ...]]:
        """Expected shapes of ``Sequential.parameters()``, in order (W, b per layer)."""
        sizes = self.layer_sizes
        shapes: list[tuple[int, ...]] = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            shapes += [(n_in, n_out), (n_out,)]
        return shapes

    @property
    def n_params(self) -> int:
        """Parameter count, known before anything is allocated."""
        total = 0
        for shape in self.param_shapes():
            size = 1
            for d in shape:
                size *= d
            total += size
        return total

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Any) -> ModelConfig:
        """Strictly typed values only (as stored in a model file)."""
        return _from_dict(cls, data, "architecture")

    def describe(self) -> str:
        """Human-readable shape, e.g. ``784-256-128-10``."""
        return "-".join(str(s) for s in self.layer_sizes)


@dataclass(frozen=True)
class TrainConfig:
    """How to train. Validated on construction so bad settings fail early."""

    epochs: int = 5
    batch_size: int = 128
    lr: float = 1e-3
    optimizer: str = "adam"
    momentum: float = 0.9
    weight_decay: float = 0.0
    schedule: str = "constant"
    augment: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        check_fields(self, TRAIN_LIMITS)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> TrainConfig:
        return _from_dict(cls, data, "training settings")


def _from_dict(cls, data: Any, what: str):
    if not isinstance(data, dict):
        raise SettingsError({what: f"must be an object, got {show(data)}"})
    known = {f.name for f in fields(cls)}
    unknown = [k for k in data if k not in known]
    if unknown:
        listed = ", ".join(show(k) for k in unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise SettingsError({what: f"unknown fields {listed}"})
    return cls(**data)


# The page's form fields and the CLI's options use these names.
SETTINGS: dict[str, Constraint] = {**MODEL_LIMITS, **TRAIN_LIMITS}
FORM_SETTINGS = ("hidden", "lr", "batch_size", "epochs", "optimizer", "schedule", "seed", "augment")


def parse_settings(
    values: Mapping[str, Any], base: tuple[ModelConfig, TrainConfig] | None = None
) -> tuple[ModelConfig, TrainConfig]:
    """Form or CLI values (text or typed) applied over ``base`` (default: the
    library defaults). ``None`` means "not given". ``seed`` seeds both the
    initialisation and the training. Raises SettingsError naming each bad field."""
    model_cfg, train_cfg = base or (ModelConfig(), TrainConfig())
    model_changes: dict[str, Any] = {}
    train_changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, raw in values.items():
        if raw is None:
            continue
        if key not in SETTINGS:
            errors[str(key)[:40]] = "unknown setting"
            continue
        try:
            value = SETTINGS[key].parse(raw, text=True)
        except ValueError as exc:
            errors[key] = str(exc)
            continue
        if key in MODEL_LIMITS:
            model_changes[key] = value
        if key in TRAIN_LIMITS:
            train_changes[key] = value
    if errors:
        raise SettingsError(errors)
    return replace(model_cfg, **model_changes), replace(train_cfg, **train_changes)


def settings_schema(defaults: tuple[ModelConfig, TrainConfig]) -> dict[str, Any]:
    """What the page's form needs: each field's rule and default value."""
    model_cfg, train_cfg = defaults
    values = model_cfg.to_dict() | train_cfg.to_dict()
    out = {}
    for key in FORM_SETTINGS:
        default = values[key]
        if isinstance(default, tuple):
            default = ",".join(str(v) for v in default)
        out[key] = SETTINGS[key].describe() | {"default": default}
    return out
