"""The model file: its ``.npz`` format, saving and loading.

One file holds a format version, the architecture (a JSON string), the
weights (``param_<i>``), batch normalisation's running statistics
(``stat_<i>``, mean and variance in turn) and, optionally, the optimiser state
(``optimizer`` and its buffers ``opt_<name>_<i>``) and training metadata,
each an ``.npy`` entry of a zip (NumPy's ``savez_compressed``). Files of every
version in ``READABLE_VERSIONS`` load.

A file to load is untrusted: ``untrusted.py`` reads it within a budget and
checks every entry; this module knows which entries a model needs and checks
what they mean (the architecture against the caller's ``Requirements``, the
optimiser's state against its limits). Every problem raises
``ModelFormatError``.
"""

from __future__ import annotations

import io
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

from pynet.config import OPTIMIZER_HYPERPARAMS, ModelConfig, TrainConfig
from pynet.constraints import Choice, Integer, Real, SettingsError, show
from pynet.nn.model import Sequential, build_model
from pynet.nn.optimizers import Optimizer, make_optimizer
from pynet.training.record import clean_metadata
from pynet.training.trainer import TrainProgress

from .untrusted import (
    MAX_MODEL_BYTES,
    MAX_PARAMS,
    PARAMETER_DTYPES,
    CheckedArchive,
    ModelFormatError,
    check_outputs,
    read_untrusted,
)

# 2: convolution blocks; 3: batch normalisation (its running statistics are
# stat_* entries). Files of versions 1 and 2 still load.
FORMAT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
NEW_IN_VERSION = {"conv": 2, "padding": 2, "batch_norm": 3}  # architecture fields an older file cannot hold
ENTRY_NAME = re.compile(r"(format_version|architecture|metadata|optimizer|param_\d{1,3}|stat_\d{1,3}|opt_[a-z]{1,20}_\d{1,3})\.npy")
_OPTIMIZER_STATE = {"name": Choice(("adam", "sgd")), "t": Integer(0, 2**53)}


@dataclass(frozen=True)
class Requirements:
    """What a caller can use: e.g. the page needs 28x28 inputs and 10 classes."""

    n_inputs: int | None = None
    n_classes: int | None = None
    max_params: int = MAX_PARAMS


MNIST_MODEL = Requirements(n_inputs=784, n_classes=10)


@dataclass
class LoadedModel:
    """What ``load_model`` returns: the model, ready to predict, its
    metadata and, if the file kept it, the optimiser's state to go on training."""

    model: Sequential
    metadata: dict[str, Any] = field(default_factory=dict)  # validated (training.record.clean_metadata)
    optimizer_state: dict[str, Any] | None = None  # validated: name, t, hyperparams, buffers

    def make_optimizer(self) -> Optimizer | None:
        """Rebuild the saved optimiser around the model's parameters, or None."""
        if self.optimizer_state is None:
            return None
        state = self.optimizer_state
        opt = make_optimizer(state["name"], self.model.parameters(), **state["hyperparams"])
        opt.load_state_dict(state)
        return opt

    @property
    def train_config(self) -> TrainConfig | None:
        """The settings of the run that made the model, if the file records them."""
        raw = self.metadata.get("train_config")
        return TrainConfig.from_dict(raw) if raw is not None else None

    @property
    def progress(self) -> TrainProgress | None:
        """Where that run stood when the model was saved."""
        raw = self.metadata.get("progress")
        return TrainProgress.from_dict(raw) if raw is not None else None


# ---- saving -------------------------------------------------------------------
def _json_array(obj: Any) -> np.ndarray:
    # A 0-d unicode array, not an object array: loads with allow_pickle=False.
    return np.array(json.dumps(obj, sort_keys=True, allow_nan=False))


def model_to_bytes(
    model: Sequential, optimizer: Optimizer | None = None, metadata: dict[str, Any] | None = None,
    weights_dtype: np.dtype | type | None = None,
) -> bytes:
    """Serialise to compressed ``.npz`` bytes (see ``save_model``).
    ``weights_dtype`` (e.g. ``np.float16``) stores the parameters and
    statistics in that dtype instead of the model's own."""
    def stored(a: np.ndarray) -> np.ndarray:
        return a if weights_dtype is None else a.astype(weights_dtype)

    arrays: dict[str, np.ndarray] = {
        "format_version": np.array(FORMAT_VERSION, dtype=np.int64),
        "architecture": np.array(model.config.to_json()),
        "metadata": _json_array(metadata or {}),
    }
    for i, p in enumerate(model.parameters()):
        arrays[f"param_{i}"] = stored(p)
    for i, a in enumerate(model.state()):
        arrays[f"stat_{i}"] = stored(a)
    if optimizer is not None:
        state = optimizer.state_dict()
        buffers = state.pop("buffers")
        arrays["optimizer"] = _json_array(state | {"buffer_keys": sorted(buffers)})
        for key, bufs in buffers.items():
            for i, b in enumerate(bufs):
                arrays[f"opt_{key}_{i}"] = b
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)
    return out.getvalue()


def save_model(
    path: str | os.PathLike[str],
    model: Sequential,
    optimizer: Optimizer | None = None,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Write the model (and optionally optimiser state and metadata) to
    ``path``, as ``model_to_bytes`` makes them. Raises ``OSError``."""
    data = model_to_bytes(model, optimizer, metadata)
    with open(path, "wb") as f:
        f.write(data)


# ---- loading ------------------------------------------------------------------
def load_model(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    max_bytes: int = MAX_MODEL_BYTES,
    require: Requirements = Requirements(),
) -> LoadedModel:
    """Load and fully validate a model saved by ``save_model``: a path, an
    open binary file or the bytes themselves, at most ``max_bytes`` long.
    Raises ``ModelFormatError`` saying what is wrong with the file."""
    archive = CheckedArchive(read_untrusted(source, max_bytes), ENTRY_NAME)
    for key in ("format_version", "architecture"):
        if key not in archive:
            raise ModelFormatError(f"not a pynet model: the file has no '{key}' entry")
    version = int(archive.array("format_version", kinds="iu", shape=()))
    if version not in READABLE_VERSIONS:
        raise ModelFormatError(
            f"unsupported model format version {show(version)}; this pynet reads versions 1 to {FORMAT_VERSION}"
        )
    config = _config(archive, version, require)
    metadata, _dropped = clean_metadata(archive.json("metadata") if "metadata" in archive else {})
    shapes, state_shapes = config.param_shapes(), config.state_shapes()
    expected = {f"param_{i}" for i in range(len(shapes))} | {f"stat_{i}" for i in range(len(state_shapes))}
    optimizer = _optimizer_header(archive.json("optimizer")) if "optimizer" in archive else None
    if optimizer is not None:
        expected |= {f"opt_{k}_{i}" for k in optimizer["buffer_keys"] for i in range(len(shapes))}
    _check_entry_set(archive, expected, config)
    model = build_model(config)
    model.temperature = metadata.get("temperature", 1.0)
    for i, (p, shape) in enumerate(zip(model.parameters(), shapes)):
        p[...] = archive.weights(f"param_{i}", shape, PARAMETER_DTYPES)
    for i, (a, shape) in enumerate(zip(model.state(), state_shapes)):
        a[...] = archive.weights(f"stat_{i}", shape, PARAMETER_DTYPES)
        if i % 2 and (a < 0).any():  # (mean, variance) pairs
            raise ModelFormatError(f"'stat_{i}' is a variance but holds negative values")
    check_outputs(model)
    state = None
    if optimizer is not None:
        buffers = {k: [archive.weights(f"opt_{k}_{i}", s) for i, s in enumerate(shapes)]
                   for k in optimizer["buffer_keys"]}
        state = {"name": optimizer["name"], "t": optimizer["t"], "hyperparams": optimizer["hyperparams"],
                 "buffers": buffers}
    return LoadedModel(model, metadata, state)


def _check_entry_set(archive: CheckedArchive, expected: set[str], config: ModelConfig) -> None:
    """Exactly the entries the architecture (and optimiser) declare, besides
    the four fixed ones."""
    missing = sorted(k for k in expected if k not in archive)
    if missing:
        what = {"param": "weights", "stat": "batch-norm statistics", "opt": "optimizer state"}[missing[0].split("_")[0]]
        raise ModelFormatError(f"missing {what} '{missing[0]}' for architecture {config.describe()}")
    extra = sorted(k for k in archive.entries if k not in expected | {"format_version", "architecture", "metadata",
                                                                        "optimizer"})
    if extra:
        listed = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
        raise ModelFormatError(f"the file has entries that architecture {config.describe()} does not declare: "
                               f"{listed}")


def _config(archive: CheckedArchive, version: int, req: Requirements) -> ModelConfig:
    """The architecture: one a file of ``version`` can describe, valid, and
    what the caller can use."""
    arch = archive.json("architecture")
    if isinstance(arch, dict):
        too_new = sorted(k for k in arch if NEW_IN_VERSION.get(k, 1) > version)
        if too_new:
            raise ModelFormatError(f"a version {version} file cannot describe {', '.join(too_new)}")
    try:
        config = ModelConfig.from_dict(arch)
    except SettingsError as exc:
        raise ModelFormatError(f"invalid architecture: {exc}") from None
    if config.n_params > req.max_params:
        raise ModelFormatError(f"architecture {config.describe()} has {config.n_params:,} parameters; "
                               f"the limit here is {req.max_params:,}")
    if req.n_inputs is not None and config.n_inputs != req.n_inputs:
        raise ModelFormatError(f"the model takes {config.n_inputs} inputs; a 28x28 digit has {req.n_inputs}")
    if req.n_classes is not None and config.n_classes != req.n_classes:
        raise ModelFormatError(f"the model has {config.n_classes} classes; digits need {req.n_classes}")
    return config


def _optimizer_header(state: Any) -> dict[str, Any]:
    """The optimiser's JSON: its name, step count, hyperparameters and
    buffer names, each checked against the optimiser's own limits."""
    if not isinstance(state, dict) or set(state) != {"name", "t", "hyperparams", "buffer_keys"}:
        raise ModelFormatError("the optimizer state is incomplete or has unknown fields")
    try:
        name = _OPTIMIZER_STATE["name"].parse(state["name"])
        t = _OPTIMIZER_STATE["t"].parse(state["t"])
    except ValueError as exc:
        raise ModelFormatError(f"invalid optimizer state: {exc}") from None
    limits: dict[str, Real] = OPTIMIZER_HYPERPARAMS[name]
    hyper = state["hyperparams"]
    if not isinstance(hyper, dict) or set(hyper) != set(limits):
        raise ModelFormatError(f"the {name} optimizer's hyperparameters must be {', '.join(sorted(limits))}")
    try:
        hyper = {k: limits[k].parse(v) for k, v in hyper.items()}
    except ValueError as exc:
        raise ModelFormatError(f"invalid optimizer hyperparameter: {exc}") from None
    keys = state["buffer_keys"]
    expected = sorted({"adam": ("m", "v"), "sgd": ("velocity",)}[name])
    if keys != expected:
        raise ModelFormatError(f"the {name} optimizer's buffers must be {', '.join(expected)}")
    return {"name": name, "t": t, "hyperparams": hyper, "buffer_keys": keys}
