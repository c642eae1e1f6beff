"""Saving and loading models as ``.npz`` files -- safely.

One file holds a format version, the architecture (a JSON string), the
weights and, optionally, the optimiser state and training metadata. Loading
never unpickles (``allow_pickle=False``) and validates everything before a
model is built, raising ``ModelFormatError`` with a message a user can act on.
The same bytes load on CPython and in the browser (Pyodide).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

from .config import ModelConfig, TrainConfig
from .constraints import SettingsError
from .metadata import clean_metadata
from .model import Sequential, build_model
from .optimizers import Optimizer, make_optimizer
from .train import TrainProgress

FORMAT_VERSION = 1
MAX_MODEL_BYTES = 64 * 1024 * 1024  # larger than any sensible MLP for 28x28 digits
ALLOWED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class ModelFormatError(ValueError):
    """A model file is unusable; the message says why and what to do."""


@dataclass
class LoadedModel:
    model: Sequential
    metadata: dict[str, Any] = field(default_factory=dict)  # validated (metadata.clean_metadata)
    optimizer_state: dict[str, Any] | None = None

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

    def make_optimizer(self) -> Optimizer | None:
        """Rebuild the saved optimiser around the model's parameters, or None."""
        if self.optimizer_state is None:
            return None
        state = self.optimizer_state
        opt = make_optimizer(state["name"], self.model.parameters(), **state["hyperparams"])
        opt.load_state_dict(state)
        return opt


def _json_array(obj: Any) -> np.ndarray:
    # A 0-d unicode array, not an object array: loads with allow_pickle=False.
    return np.array(json.dumps(obj, sort_keys=True))


def model_to_bytes(
    model: Sequential, optimizer: Optimizer | None = None, metadata: dict[str, Any] | None = None
) -> bytes:
    """Serialise to compressed ``.npz`` bytes (see ``save_model``)."""
    if model.config is None:
        raise ValueError("only models built from a ModelConfig can be saved")
    arrays: dict[str, np.ndarray] = {
        "format_version": np.array(FORMAT_VERSION, dtype=np.int64),
        "architecture": np.array(model.config.to_json()),
        "metadata": _json_array(metadata or {}),
    }
    for i, p in enumerate(model.parameters()):
        arrays[f"param_{i}"] = p
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
    """Write the model (and optionally optimiser state and metadata) to ``path``."""
    data = model_to_bytes(model, optimizer, metadata)
    with open(path, "wb") as f:
        f.write(data)


def load_model(source: str | os.PathLike[str] | bytes | BinaryIO, max_bytes: int = MAX_MODEL_BYTES) -> LoadedModel:
    """Load and fully validate a model saved by ``save_model``."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
    else:
        try:
            size = os.path.getsize(source)
        except OSError as exc:
            raise ModelFormatError(f"cannot read model file {source}: {exc.strerror}") from None
        _check_size(size, max_bytes)
        with open(source, "rb") as f:
            data = f.read()
    _check_size(len(data), max_bytes)
    return _load_from_bytes(data, max_bytes)


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ModelFormatError(
            f"model file is too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB)"
        )
    if size == 0:
        raise ModelFormatError("model file is empty")


def _load_from_bytes(data: bytes, max_bytes: int) -> LoadedModel:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ModelFormatError("not a pynet model: the file is not an .npz (zip) archive")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ModelFormatError(f"the model file is damaged or truncated ({exc})") from None
    if bad is not None:
        raise ModelFormatError(f"the model file is damaged: member {bad!r} fails its checksum")
    if unpacked > 4 * max_bytes:
        raise ModelFormatError(f"model file unpacks to {unpacked / 1e6:.0f} MB, over the limit")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise ModelFormatError(
                "the model file contains pickled Python objects, which are refused for safety"
            ) from None
        raise ModelFormatError(f"the model file is damaged ({exc})") from None
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
        raise ModelFormatError(f"the model file is damaged or truncated ({exc})") from None
    return _validate(arrays)


def _read_json(arrays: dict[str, np.ndarray], key: str) -> Any:
    arr = arrays[key]
    if arr.dtype.kind != "U" or arr.shape != ():
        raise ModelFormatError(f"'{key}' must be a JSON string")
    try:
        return json.loads(str(arr))
    except json.JSONDecodeError as exc:
        raise ModelFormatError(f"'{key}' is not valid JSON ({exc})") from None


def _validate(arrays: dict[str, np.ndarray]) -> LoadedModel:
    for key in ("format_version", "architecture"):
        if key not in arrays:
            raise ModelFormatError(f"not a pynet model: the file has no '{key}' entry")
    version = arrays["format_version"]
    if version.shape != () or version.dtype.kind not in "iu":
        raise ModelFormatError("'format_version' must be an integer")
    if int(version) != FORMAT_VERSION:
        raise ModelFormatError(
            f"unsupported model format version {int(version)}; this pynet reads version {FORMAT_VERSION}"
        )
    arch = _read_json(arrays, "architecture")
    try:
        config = ModelConfig.from_dict(arch)
    except (TypeError, ValueError, SettingsError) as exc:
        raise ModelFormatError(f"invalid architecture: {exc}") from None
    metadata, _dropped = clean_metadata(_read_json(arrays, "metadata") if "metadata" in arrays else {})

    shapes = config.param_shapes()
    params = []
    for i, shape in enumerate(shapes):
        key = f"param_{i}"
        if key not in arrays:
            raise ModelFormatError(f"missing weights '{key}' for architecture {config.describe()}")
        params.append(_checked_array(arrays[key], key, shape, config.dtype))
    extra = sorted(k for k in arrays if k.startswith("param_") and k not in {f"param_{i}" for i in range(len(shapes))})
    if extra:
        raise ModelFormatError(
            f"the file has more weights ({', '.join(extra)}) than architecture {config.describe()} declares"
        )

    model = build_model(config)
    for p, loaded in zip(model.parameters(), params):
        p[...] = loaded
    optimizer_state = _optimizer_state(arrays, shapes, config.dtype) if "optimizer" in arrays else None
    return LoadedModel(model, metadata, optimizer_state)


def _checked_array(arr: np.ndarray, key: str, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    if arr.dtype not in ALLOWED_DTYPES:
        raise ModelFormatError(f"'{key}' has dtype {arr.dtype}; weights must be float32 or float64")
    if arr.shape != shape:
        raise ModelFormatError(f"'{key}' has shape {arr.shape} but the architecture needs {shape}")
    if not np.isfinite(arr).all():
        raise ModelFormatError(f"'{key}' contains NaN or infinite values")
    return arr.astype(dtype, copy=False)


def _optimizer_state(arrays: dict[str, np.ndarray], shapes: list[tuple[int, ...]], dtype: str) -> dict[str, Any]:
    state = _read_json(arrays, "optimizer")
    try:
        name, t, hyper, keys = state["name"], int(state["t"]), dict(state["hyperparams"]), list(state["buffer_keys"])
    except (KeyError, TypeError, ValueError):
        raise ModelFormatError("the optimizer state is incomplete") from None
    buffers = {}
    for key in keys:
        bufs = []
        for i, shape in enumerate(shapes):
            name_i = f"opt_{key}_{i}"
            if name_i not in arrays:
                raise ModelFormatError(f"optimizer state is missing '{name_i}'")
            bufs.append(_checked_array(arrays[name_i], name_i, shape, dtype))
        buffers[key] = bufs
    return {"name": name, "t": t, "hyperparams": hyper, "buffers": buffers}
