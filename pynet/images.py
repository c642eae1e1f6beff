"""Reading image files for ``pynet predict``: untrusted input, checked before
anything large is allocated.

PGM/PPM (binary ``P5``/``P6``) and ``.npy`` are read with NumPy alone; PNG,
JPEG and the rest need Pillow (``pip install pynet[images]``).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

MAX_PIXELS = 4096 * 4096  # a drawing or photo of a digit; far larger is an attack or a mistake
MAX_HEADER_TOKEN = 20  # characters in a PGM/PPM header number


class ImageError(ValueError):
    """An image file cannot be used; the message names the file and the problem."""


def _pixel_budget(name: str, shape: tuple[int, ...]) -> None:
    count = 1
    for d in shape:
        count *= int(d)
    if count > MAX_PIXELS * 4:  # channels included
        raise ImageError(f"{name}: {count:,} values is too large (at most {MAX_PIXELS:,} pixels)")


def read_netpbm(data: bytes, name: str) -> np.ndarray:
    """Binary PGM (P5) or PPM (P6) with maxval <= 255."""
    tokens: list[bytes] = []
    pos = 0
    while len(tokens) < 4:
        while pos < len(data) and data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            end = data.find(b"\n", pos)
            if end < 0:
                raise ImageError(f"{name}: the header ends inside a comment")
            pos = end + 1
            continue
        start = pos
        while pos < len(data) and not data[pos : pos + 1].isspace() and pos - start <= MAX_HEADER_TOKEN:
            pos += 1
        if start == pos or pos >= len(data):
            raise ImageError(f"{name}: truncated PGM/PPM header")
        tokens.append(data[start:pos])
    channels = {b"P5": 1, b"P6": 3}.get(tokens[0])
    if channels is None:
        raise ImageError(f"{name}: only binary 8-bit PGM (P5) and PPM (P6) are supported")
    try:
        width, height, maxval = (int(t) for t in tokens[1:])
    except ValueError:
        raise ImageError(f"{name}: the PGM/PPM header's size and maxval must be whole numbers") from None
    if width <= 0 or height <= 0:
        raise ImageError(f"{name}: the image is {width}x{height}; both sides must be at least 1")
    if not 1 <= maxval <= 255:
        raise ImageError(f"{name}: maxval {maxval} is not supported (8-bit images only: 1 to 255)")
    _pixel_budget(name, (width, height, channels))
    pixels = np.frombuffer(data, dtype=np.uint8, offset=pos + 1)
    if pixels.size < width * height * channels:
        raise ImageError(f"{name}: truncated pixel data")
    img = pixels[: width * height * channels].reshape(height, width, channels)
    if maxval != 255:
        img = (img.astype(np.float32) * (255.0 / maxval)).clip(0, 255).astype(np.uint8)
    return img[..., 0] if channels == 1 else img


def read_npy(path: Path) -> np.ndarray:
    """A 28x28 (or 784-long, or H x W [x C]) numeric array; header checked first."""
    name = str(path)
    with open(path, "rb") as f:
        try:
            version = np.lib.format.read_magic(f)
            readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
            if version not in readers:
                raise ValueError(f"unsupported .npy version {version}")
            shape, _fortran, dtype = readers[version](f)
        except (ValueError, EOFError, SyntaxError, TypeError) as exc:
            raise ImageError(f"{name}: not a valid .npy file ({exc})") from None
    if dtype.kind not in "biuf" or dtype.hasobject:
        raise ImageError(f"{name}: the array's dtype {dtype} is not numeric")
    if 0 in shape or not 1 <= len(shape) <= 3:
        raise ImageError(f"{name}: an image array must be 2-D (or 784 long, or H x W x C), got shape {shape}")
    _pixel_budget(name, shape)
    try:
        arr = np.load(path, allow_pickle=False)
    except (ValueError, EOFError, OSError) as exc:
        raise ImageError(f"{name}: the .npy file is damaged or truncated ({exc})") from None
    if arr.ndim == 1:
        if arr.size != 784:
            raise ImageError(f"{name}: a flat array must have 784 values (28x28), got {arr.size}")
        arr = arr.reshape(28, 28)
    if arr.ndim == 3 and arr.shape[2] not in (3, 4):
        raise ImageError(f"{name}: a 3-D image array needs 3 or 4 channels, got shape {arr.shape}")
    if arr.dtype.kind == "b":
        arr = arr.astype(np.float32)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ImageError(f"{name}: the array contains NaN or infinite values")
    return arr


def read_image(path: Path) -> np.ndarray:
    """An image file as a uint8 (H, W) or (H, W, C) array (float for .npy)."""
    name = str(path)
    if not path.exists():
        raise ImageError(f"image not found: {name}")
    if path.is_dir():
        raise ImageError(f"{name} is a directory, not an image")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return read_npy(path)
    if suffix in (".pgm", ".ppm", ".pnm"):
        if path.stat().st_size > MAX_PIXELS * 3 + 1024:
            raise ImageError(f"{name}: the file is too large for an image of at most {MAX_PIXELS:,} pixels")
        return read_netpbm(path.read_bytes(), name)
    try:
        from PIL import Image
    except ImportError:
        raise ImageError(
            f"{name}: reading {suffix or 'this'} files needs Pillow (pip install 'pynet[images]'); "
            "PGM/PPM and .npy work without it"
        ) from None
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning: the size check just below says it better.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path)
        with im:
            width, height = im.size  # from the header: nothing is decoded yet
            if width * height > MAX_PIXELS:
                raise ImageError(f"{name}: {width}x{height} is too large (at most {MAX_PIXELS:,} pixels)")
            return np.asarray(im.convert("RGBA" if "A" in im.getbands() else "L"))
    except Image.UnidentifiedImageError:
        raise ImageError(f"{name}: not an image Pillow can read") from None
    except Image.DecompressionBombError:
        raise ImageError(f"{name}: the image is too large (at most {MAX_PIXELS:,} pixels)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, ImageError):
            raise
        raise ImageError(f"{name}: the image is damaged or truncated ({exc})") from None
