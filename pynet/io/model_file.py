"""Saving and loading models as ``.npz`` files -- safely.

One file holds a format version, the architecture (a JSON string), the
weights and, optionally, the optimiser state and training metadata. A file to
load is untrusted (the page loads whatever a person picks), so nothing is
inflated, allocated or parsed before it has been checked against the budget:

1. the zip's end record: at most ``MAX_MEMBERS`` entries;
2. every entry's declared compression (stored or deflate only), encryption,
   name (``*.npy``, no duplicates, no unknown entries) and size (the sum must
   fit ``MAX_UNPACKED_BYTES``);
3. the architecture (small, strict JSON) and the parameter count it implies;
4. each ``.npy`` header: dtype and shape must match what the architecture
   needs and the bytes the entry declares; then exactly those bytes are read,
   and the entry's checksum is verified.

Every problem raises ``ModelFormatError`` with a short message a user can act
on. The same bytes load on CPython and in the browser (Pyodide).
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

from pynet.config import ModelConfig, TrainConfig
from pynet.constraints import Choice, Integer, Real, SettingsError, shorten, show
from pynet.nn.model import Sequential, build_model
from pynet.nn.optimizers import OPTIMIZER_HYPERPARAMS, Optimizer, make_optimizer
from pynet.training.record import clean_metadata
from pynet.training.trainer import TrainProgress

# 2: convolution blocks; 3: batch normalisation (its running statistics are
# stat_* entries). Files of versions 1 and 2 still load.
FORMAT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
NEW_IN_VERSION = {"conv": 2, "padding": 2, "batch_norm": 3}  # architecture fields an older file cannot hold
MAX_MODEL_BYTES = 64 * 1024 * 1024  # larger than any sensible digit model
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # what the entries may declare in all
MAX_PARAMS = 64_000_000  # what an architecture may ask for (the page sets its own, smaller budget)
MAX_MEMBERS = 200  # format_version, architecture, metadata, optimizer + 3 arrays per parameter + statistics
MAX_JSON_CHARS = {"architecture": 16_384, "optimizer": 16_384, "metadata": 262_144}
MAX_JSON_DEPTH = 16
MAX_JSON_DIGITS = 100  # an integer longer than this is an attack, not a setting (a 4,300-digit one costs seconds)
WEIGHT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# A shipped model may store its parameters and statistics as float16 (half
# the bytes to download); they are widened to the model's dtype on load.
# Optimiser buffers stay float32/float64.
PARAMETER_DTYPES = (np.dtype(np.float16), *WEIGHT_DTYPES)
_MEMBER_NAME = re.compile(r"(format_version|architecture|metadata|optimizer|param_\d{1,3}|stat_\d{1,3}|opt_[a-z]{1,20}_\d{1,3})\.npy")
_OPTIMIZER_STATE = {"name": Choice(("adam", "sgd")), "t": Integer(0, 2**53)}


class ModelFormatError(ValueError):
    """A model file is unusable; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(shorten(message))


@dataclass(frozen=True)
class Requirements:
    """What a caller can use: e.g. the page needs 28x28 inputs and 10 classes."""

    n_inputs: int | None = None
    n_classes: int | None = None
    max_params: int = MAX_PARAMS


MNIST_MODEL = Requirements(n_inputs=784, n_classes=10)


@dataclass
class LoadedModel:
    model: Sequential
    metadata: dict[str, Any] = field(default_factory=dict)  # validated (metadata.clean_metadata)
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
    """Write the model (and optionally optimiser state and metadata) to ``path``."""
    data = model_to_bytes(model, optimizer, metadata)
    with open(path, "wb") as f:
        f.write(data)


# ---- loading ------------------------------------------------------------------
PROBE_SEED = 0  # the fixed noise image every loaded model must give finite outputs on


def _check_outputs(model: Sequential) -> None:
    """Finite weights can still be hostile: large enough that every output
    overflows, so the model answers NaN for anything. Refuse a model whose
    outputs on a blank image and on a fixed noise image are not all finite
    (two images: 0.4 ms natively for the shipped CNN)."""
    n = model.config.n_inputs
    dtype = model.parameters()[0].dtype  # as drawings arrive: overflow is a float32 matter
    probe = np.stack([np.zeros(n, dtype), np.random.default_rng(PROBE_SEED).random(n, dtype)])
    with np.errstate(all="ignore"):
        out = model.logits(probe)
    if not np.isfinite(out).all():
        raise ModelFormatError("the model's outputs overflow to infinity or NaN (its weights or statistics are far "
                               "too large), so it cannot classify anything")

def load_model(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    max_bytes: int = MAX_MODEL_BYTES,
    require: Requirements = Requirements(),
) -> LoadedModel:
    """Load and fully validate a model saved by ``save_model``."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
    else:
        path = os.fspath(source)
        if os.path.isdir(path):
            raise ModelFormatError(f"{path} is a directory, not a model file")
        try:
            size = os.path.getsize(path)
            _check_size(size, max_bytes)
            with open(path, "rb") as f:
                data = f.read(max_bytes + 1)
        except OSError as exc:
            raise ModelFormatError(f"cannot read model file {path}: {exc.strerror or exc}") from None
    _check_size(len(data), max_bytes)
    return _Reader(data, require).load()


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ModelFormatError(
            f"model file is too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB)"
        )
    if size == 0:
        raise ModelFormatError("model file is empty")


def _zip_entry_count(data: bytes) -> int:
    """Entries the zip's end-of-central-directory record declares, read before
    ``zipfile`` builds an object per entry (a million entries would take
    seconds and hundreds of MB)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        if data.startswith(b"PK\x03\x04"):  # a zip's first entry, but no end: cut short (a broken download)
            raise ModelFormatError("the .npz (zip) archive is damaged or truncated: its end is missing")
        raise ModelFormatError("not a pynet model: the file is not an .npz (zip) archive")
    (total,) = struct.unpack_from("<H", data, end + 10)
    return total  # 0xFFFF means ZIP64, i.e. more than fit the field: over the limit too


def _check_json_shape(text: str, key: str) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH before parsing it (the
    parser would recurse once per level)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                raise ModelFormatError(f"'{key}' is nested deeper than {MAX_JSON_DEPTH} levels")
        elif ch in "]}":
            depth -= 1


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number pynet accepts")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise ValueError(f"a {len(text)}-digit integer")
    return int(text)


def decode_text(arr: np.ndarray, key: str) -> str:
    """A 0-d unicode array's text, decoded from its UTF-32 bytes by Python's
    strict codec rather than by NumPy: NumPy turns a code point above U+10FFFF
    into a ``SystemError`` and passes surrogates (U+D800-U+DFFF) through as
    text no encoder accepts; both are refused here. Trailing NULs are padding,
    as in NumPy."""
    codec = "utf-32-be" if arr.dtype.byteorder == ">" or (arr.dtype.byteorder in "=|" and sys.byteorder == "big") \
        else "utf-32-le"
    try:
        return arr.tobytes().decode(codec).rstrip("\0")
    except UnicodeDecodeError as exc:
        code = int.from_bytes(exc.object[exc.start : exc.end], "big" if codec.endswith("be") else "little")
        raise ModelFormatError(f"'{key}' is not valid text: character {exc.start // 4} is {code:#x}, "
                               "which is not a Unicode character") from None


def parse_json(text: str, key: str) -> Any:
    """Strict, bounded JSON: no NaN/Infinity, no huge integers, no deep nesting,
    no lone surrogates (``"\\ud800"``: text that no encoder accepts)."""
    _check_json_shape(text, key)
    try:
        value = json.loads(text, parse_constant=_no_constants, parse_int=_bounded_int)
    except ValueError as exc:  # JSONDecodeError is a ValueError
        raise ModelFormatError(f"'{key}' is not valid JSON ({shorten(str(exc), 80)})") from None
    try:  # escaped surrogate pairs decode to one character; a lone one stays a surrogate
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ModelFormatError(f"'{key}' holds a lone surrogate ({ord(exc.object[exc.start]):#x}), "
                               "which is not a Unicode character") from None
    return value


class _Reader:
    """One file's checks, in the order that keeps every refusal cheap."""

    def __init__(self, data: bytes, require: Requirements) -> None:
        self.data = data
        self.require = require

    def load(self) -> LoadedModel:
        if _zip_entry_count(self.data) > MAX_MEMBERS:
            raise ModelFormatError(f"the file has more than {MAX_MEMBERS} entries; a pynet model has far fewer")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(self.data))
            entries = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error) as exc:
            raise ModelFormatError(f"the model file is damaged or truncated ({shorten(str(exc), 80)})") from None
        self.entries = self._check_entries(entries)
        for key in ("format_version", "architecture"):
            if key not in self.entries:
                raise ModelFormatError(f"not a pynet model: the file has no '{key}' entry")
        version = int(self._array("format_version", kinds="iu", shape=()))
        if version not in READABLE_VERSIONS:
            raise ModelFormatError(
                f"unsupported model format version {show(version)}; this pynet reads versions 1 to {FORMAT_VERSION}"
            )
        config = self._config(version)
        metadata, _dropped = clean_metadata(self._json("metadata") if "metadata" in self.entries else {})
        shapes, state_shapes = config.param_shapes(), config.state_shapes()
        expected = {f"param_{i}" for i in range(len(shapes))} | {f"stat_{i}" for i in range(len(state_shapes))}
        optimizer = self._json("optimizer") if "optimizer" in self.entries else None
        if optimizer is not None:
            optimizer = self._optimizer_header(optimizer)
            expected |= {f"opt_{k}_{i}" for k in optimizer["buffer_keys"] for i in range(len(shapes))}
        missing = sorted(k for k in expected if k not in self.entries)
        if missing:
            what = {"param": "weights", "stat": "batch-norm statistics", "opt": "optimizer state"}[missing[0].split("_")[0]]
            raise ModelFormatError(f"missing {what} '{missing[0]}' for architecture {config.describe()}")
        extra = sorted(k for k in self.entries if k not in expected | {"format_version", "architecture", "metadata",
                                                                         "optimizer"})
        if extra:
            listed = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
            raise ModelFormatError(f"the file has entries that architecture {config.describe()} does not declare: "
                                   f"{listed}")
        model = build_model(config)
        model.temperature = metadata.get("temperature", 1.0)
        for i, (p, shape) in enumerate(zip(model.parameters(), shapes)):
            p[...] = self._weights(f"param_{i}", shape, PARAMETER_DTYPES)
        for i, (a, shape) in enumerate(zip(model.state(), state_shapes)):
            a[...] = self._weights(f"stat_{i}", shape, PARAMETER_DTYPES)
            if i % 2 and (a < 0).any():  # (mean, variance) pairs
                raise ModelFormatError(f"'stat_{i}' is a variance but holds negative values")
        _check_outputs(model)
        state = None
        if optimizer is not None:
            buffers = {k: [self._weights(f"opt_{k}_{i}", s) for i, s in enumerate(shapes)]
                       for k in optimizer["buffer_keys"]}
            state = {"name": optimizer["name"], "t": optimizer["t"], "hyperparams": optimizer["hyperparams"],
                     "buffers": buffers}
        return LoadedModel(model, metadata, state)

    # -- the zip's entries, from their declarations alone
    def _check_entries(self, entries: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
        by_key: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in entries:
            name = info.filename
            if not _MEMBER_NAME.fullmatch(name):
                raise ModelFormatError(f"the file has an entry {show(name)}, which is not part of a pynet model")
            key = name[:-4]
            if key in by_key:
                raise ModelFormatError(f"the file has two entries named {show(name)}")
            if info.flag_bits & 0x1:
                raise ModelFormatError(f"entry {show(name)} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ModelFormatError(
                    f"entry {show(name)} uses compression method {info.compress_type}; pynet reads stored or deflate only"
                )
            total += info.file_size
            if total > MAX_UNPACKED_BYTES:
                raise ModelFormatError(f"the file would unpack to more than {MAX_UNPACKED_BYTES // 2**20} MB")
            by_key[key] = info
        return by_key

    # -- one .npy entry: header first, then exactly the bytes it declares
    def _array(self, key: str, kinds: str, shape: tuple[int, ...] | None = None, max_itemsize: int = 8) -> np.ndarray:
        info = self.entries[key]
        try:
            with self.zip.open(info) as f:
                version = np.lib.format.read_magic(f)
                readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
                if version not in readers:
                    raise ModelFormatError(f"'{key}' is an .npy version {version} array; pynet reads 1.0 and 2.0")
                got_shape, fortran, dtype = readers[version](f, max_header_size=2048)
                if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
                    raise ModelFormatError(
                        f"'{key}' holds Python objects or records; pickled data is refused for safety")
                if dtype.kind == "U" and "U" in kinds and dtype.itemsize > max_itemsize:
                    raise ModelFormatError(f"'{key}' is too large ({dtype.itemsize // 4:,} characters; "
                                           f"the limit is {max_itemsize // 4:,})")
                if dtype.kind not in kinds or dtype.itemsize > max_itemsize:
                    raise ModelFormatError(f"'{key}' has dtype {dtype}, which is not what a pynet model stores there")
                if len(got_shape) > 4 or any(not isinstance(d, int) or d < 0 for d in got_shape):
                    raise ModelFormatError(f"'{key}' has an invalid shape {show(got_shape)}")
                if shape is not None and tuple(got_shape) != shape:
                    raise ModelFormatError(f"'{key}' has shape {show(tuple(got_shape))} but the architecture needs {shape}")
                nbytes = math.prod(got_shape) * dtype.itemsize
                header = f.tell()
                if nbytes != info.file_size - header:
                    raise ModelFormatError(
                        f"'{key}' declares {nbytes:,} bytes of data but its entry holds {info.file_size - header:,}")
                raw = f.read(nbytes)
                if len(raw) != nbytes or f.read(1):
                    raise ModelFormatError(f"'{key}' is truncated")
            if dtype.itemsize == 0:  # '<U0' and the like: NumPy cannot make an array of them from bytes
                raise ModelFormatError(f"'{key}' has dtype {dtype}, whose items hold nothing")
            order = "F" if fortran else "C"
            return np.frombuffer(raw, dtype=dtype).reshape(got_shape, order=order)
        except ModelFormatError:
            raise
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, SyntaxError, TypeError,
                NotImplementedError, RuntimeError, OverflowError, SystemError) as exc:
            # bad CRC, broken deflate stream, malformed header, bytes NumPy cannot make an array of ...
            raise ModelFormatError(f"'{key}' is damaged ({shorten(str(exc), 80)})") from None

    def _json(self, key: str) -> Any:
        limit = MAX_JSON_CHARS[key]
        arr = self._array(key, kinds="U", shape=(), max_itemsize=4 * limit)
        return parse_json(decode_text(arr, key), key)

    def _config(self, version: int) -> ModelConfig:
        arch = self._json("architecture")
        if isinstance(arch, dict):
            too_new = sorted(k for k in arch if NEW_IN_VERSION.get(k, 1) > version)
            if too_new:
                raise ModelFormatError(f"a version {version} file cannot describe {', '.join(too_new)}")
        try:
            config = ModelConfig.from_dict(arch)
        except SettingsError as exc:
            raise ModelFormatError(f"invalid architecture: {exc}") from None
        req = self.require
        if config.n_params > req.max_params:
            raise ModelFormatError(f"architecture {config.describe()} has {config.n_params:,} parameters; "
                                   f"the limit here is {req.max_params:,}")
        if req.n_inputs is not None and config.n_inputs != req.n_inputs:
            raise ModelFormatError(f"the model takes {config.n_inputs} inputs; a 28x28 digit has {req.n_inputs}")
        if req.n_classes is not None and config.n_classes != req.n_classes:
            raise ModelFormatError(f"the model has {config.n_classes} classes; digits need {req.n_classes}")
        return config

    def _weights(self, key: str, shape: tuple[int, ...], dtypes: tuple[np.dtype, ...] = WEIGHT_DTYPES) -> np.ndarray:
        arr = self._array(key, kinds="f", shape=shape)
        if arr.dtype.newbyteorder("=") not in dtypes:
            names = " or ".join(str(d) for d in dtypes)
            raise ModelFormatError(f"'{key}' has dtype {arr.dtype}; these weights must be {names}")
        if not np.isfinite(arr).all():
            raise ModelFormatError(f"'{key}' contains NaN or infinite values")
        return arr

    @staticmethod
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
