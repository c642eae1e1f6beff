"""The two configs (what to build, how to train) and the one table of their limits.

Every way of setting them goes through here: Python code constructing the
dataclasses, ``parse_settings`` for the page's form and the CLI's options, and
``ModelConfig.from_dict`` for a model file. The page learns the limits from
``settings_schema`` (sent in the worker's ready reply) instead of restating
them. Like nanoGPT, the model config is saved inside every checkpoint.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from .constraints import (
    Boolean,
    Choice,
    Constraint,
    ConvBlocks,
    Integer,
    Real,
    SettingsError,
    Sizes,
    check_fields,
    show,
)

DTYPES = ("float32", "float64")
PADDINGS = ("valid", "same")
ARCHITECTURES = ("mlp", "cnn")
OPTIMIZERS = ("adam", "sgd")
SCHEDULES = ("constant", "cosine", "warmup-cosine", "step")
MAX_SEED = 2**32 - 1
MAX_WORKERS = 8  # the page's default is the cores the browser reports, at most 4 (1 on a phone)

MODEL_LIMITS: dict[str, Constraint] = {
    "n_inputs": Integer(1, 65_536),
    # A guard against typos like 12800 for 128, and a bound on a file's claims.
    "hidden": Sizes(max_items=8, low=1, high=8192, example="256,128"),
    # Convolution blocks before the dense layers: 5x5 conv + ReLU + 2x2 max-pool each.
    "conv": ConvBlocks(max_items=4, max_filters=256, max_kernel=9),
    "padding": Choice(PADDINGS),
    # Batch normalisation in every convolution block (norm.py), after the pooling.
    "batch_norm": Boolean(),
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
    # Data parallelism (training/data_parallel.py): each batch split across this many
    # workers, one Pyodide each in the page. Results match one worker's to
    # float32 rounding, except that batch norm normalises each worker's share.
    "workers": Integer(1, MAX_WORKERS),
}

# What each optimiser's saved hyperparameters may be (checked when a model file is loaded).
OPTIMIZER_HYPERPARAMS: dict[str, dict[str, Real]] = {
    "adam": {"lr": TRAIN_LIMITS["lr"], "beta1": Real(0.0, 1.0, high_open=True), "beta2": Real(0.0, 1.0, high_open=True),
             "eps": Real(0.0, 1.0, low_open=True), "weight_decay": TRAIN_LIMITS["weight_decay"]},
    "sgd": {"lr": TRAIN_LIMITS["lr"], "momentum": TRAIN_LIMITS["momentum"]},
}


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of a classifier: optional convolution blocks (each a
    ``filters``@``kernel``x``kernel`` convolution, 2x2 max-pool, optionally
    batch normalisation, and ReLU, on a square single-channel image), then
    dense hidden layers of ReLU units."""

    n_inputs: int = 784
    hidden: tuple[int, ...] = (128,)
    n_classes: int = 10
    dropout: float = 0.0
    dtype: str = "float32"
    seed: int = 0
    conv: tuple[tuple[int, int], ...] = ()
    padding: str = "valid"
    batch_norm: bool = False

    def __post_init__(self) -> None:
        check_fields(self, MODEL_LIMITS)
        if self.batch_norm and not self.conv:
            raise SettingsError({"batch_norm": "batch normalisation is part of the convolution blocks; "
                                               "this network has none"})
        if self.conv:
            self._check_geometry()

    def _check_geometry(self) -> None:
        side = self.image_side
        if side * side != self.n_inputs:
            raise SettingsError({"conv": f"convolutions need a square image; {self.n_inputs} inputs is not one"})
        if self.padding == "same" and any(k % 2 == 0 for _, k in self.conv):
            raise SettingsError({"conv": "'same' padding needs odd kernel sizes (3, 5, 7, 9)"})
        for i, (_, k) in enumerate(self.conv, start=1):
            after_conv = side if self.padding == "same" else side - k + 1
            if after_conv < 2:
                raise SettingsError({"conv": f"block {i}'s {k}x{k} kernel does not fit its {side}x{side} input; "
                                             "use fewer blocks or smaller kernels"})
            side = after_conv // 2

    @property
    def image_side(self) -> int:
        return math.isqrt(self.n_inputs)

    def feature_sides(self) -> list[int]:
        """Side of each convolution block's output (after its pooling)."""
        sides, side = [], self.image_side
        for _, k in self.conv:
            side = (side if self.padding == "same" else side - k + 1) // 2
            sides.append(side)
        return sides

    @property
    def flat_size(self) -> int:
        """Inputs to the first dense layer."""
        if not self.conv:
            return self.n_inputs
        return self.conv[-1][0] * self.feature_sides()[-1] ** 2

    @property
    def layer_sizes(self) -> list[int]:
        """The dense part: inputs, hidden layers, classes."""
        return [self.flat_size, *self.hidden, self.n_classes]

    def param_shapes(self) -> list[tuple[int, ...]]:
        """Expected shapes of ``Sequential.parameters()``, in order (W, b per
        layer; gamma, beta per batch normalisation)."""
        shapes: list[tuple[int, ...]] = []
        channels = 1
        for filters, k in self.conv:
            shapes += [(filters, channels, k, k), (filters,)]
            if self.batch_norm:
                shapes += [(filters,), (filters,)]
            channels = filters
        sizes = self.layer_sizes
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            shapes += [(n_in, n_out), (n_out,)]
        return shapes

    def state_shapes(self) -> list[tuple[int, ...]]:
        """Expected shapes of ``Sequential.state()`` (running mean and variance
        per batch normalisation), in order."""
        return [(filters,) for filters, _ in self.conv for _ in range(2)] if self.batch_norm else []

    @property
    def n_params(self) -> int:
        """Parameter count, known before anything is allocated."""
        return sum(math.prod(shape) for shape in self.param_shapes())

    def training_floats_per_sample(self) -> int:
        """Roughly how many floats one sample occupies while training (the
        im2col columns dominate): a bound on the tab's memory per batch."""
        total, side, channels = self.n_inputs, self.image_side, 1
        for filters, k in self.conv:
            out_side = side if self.padding == "same" else side - k + 1
            total += channels * k * k * out_side**2 + 3 * filters * out_side**2
            side, channels = out_side // 2, filters
            total += 3 * filters * side**2 if self.batch_norm else 0
        return total + 3 * sum(self.layer_sizes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["conv"] = [list(block) for block in self.conv]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Any) -> ModelConfig:
        """Strictly typed values only (as stored in a model file)."""
        return _from_dict(cls, data, "architecture")

    def describe(self) -> str:
        """Human-readable shape: ``784-256-128-10``, or ``conv8x5-conv16x5-10``."""
        if not self.conv:
            return "-".join(str(s) for s in self.layer_sizes)
        same = "s" if self.padding == "same" else ""
        bn = "bn" if self.batch_norm else ""
        return "-".join([*(f"conv{f}x{k}{same}{bn}" for f, k in self.conv), *map(str, self.hidden), str(self.n_classes)])


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
    workers: int = 1

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


# The page's form fields and the CLI's options use these names. "architecture"
# only says whether the "conv" blocks are used ("mlp": none).
SETTINGS: dict[str, Constraint] = {**MODEL_LIMITS, **TRAIN_LIMITS, "architecture": Choice(ARCHITECTURES)}
# The settings that shape a network: a model that is continued or stepped keeps its own.
ARCHITECTURE_SETTINGS = ("architecture", "conv", "hidden", "padding", "batch_norm")
FORM_SETTINGS = ("architecture", "conv", "batch_norm", "hidden", "lr", "batch_size", "epochs", "optimizer", "schedule", "seed",
                 "workers", "augment")


def conv_text(conv: Sequence[tuple[int, int]]) -> str:
    """Convolution blocks as a person types them: ``((8, 5), (16, 5))`` -> ``"8x5,16x5"``."""
    return ",".join(f"{f}x{k}" for f, k in conv)


def form_architecture(model: ModelConfig) -> dict[str, object]:
    """A network's shape as the page's form writes it (text, like a person
    would type it): ``architecture``, ``hidden``, ``batch_norm`` and, for a
    convolutional one, ``conv``."""
    out: dict[str, object] = {"architecture": "cnn" if model.conv else "mlp",
                              "hidden": ",".join(map(str, model.hidden)), "batch_norm": model.batch_norm}
    if model.conv:
        out["conv"] = conv_text(model.conv)
    return out


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
    architecture = values.get("architecture")
    if architecture == "mlp":
        model_changes["conv"] = ()
        model_changes["batch_norm"] = False
    elif architecture == "cnn" and not model_changes.get("conv", model_cfg.conv) and "conv" not in errors:
        errors["conv"] = "a convolutional network needs at least one block, like 8,16"
    if errors:
        raise SettingsError(errors)
    try:
        model = replace(model_cfg, **model_changes)
    except SettingsError as exc:  # the fields are fine one by one but not together
        raise SettingsError(exc.errors) from None
    return model, replace(train_cfg, **train_changes)


def settings_schema(defaults: tuple[ModelConfig, TrainConfig]) -> dict[str, Any]:
    """What the page's form needs: each field's rule and default value."""
    model_cfg, train_cfg = defaults
    values = model_cfg.to_dict() | train_cfg.to_dict()
    values["architecture"] = "cnn" if model_cfg.conv else "mlp"
    out = {}
    for key in FORM_SETTINGS:
        default = values[key]
        if key == "conv":
            default = conv_text(default)
        elif isinstance(default, (tuple, list)):
            default = ",".join(str(v) for v in default)
        out[key] = SETTINGS[key].describe() | {"default": default}
    return out
