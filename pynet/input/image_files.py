"""Reading image files for ``pynet predict``: untrusted input, checked before
anything large is allocated.

Netpbm (PBM/PGM/PPM, plain ``P1``-``P3`` and binary ``P4``-``P6``, 8 or 16
bits per sample, as the Netpbm specification defines them) and ``.npy`` are
read with NumPy alone; PNG (also 16-bit), JPEG and the rest need Pillow
(``pip install pynet[images]``).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np

from .image_check import is_truncated

MAX_PIXELS = 4096 * 4096  # a drawing or photo of a digit; far larger is an attack or a mistake
MAX_FILE_BYTES = 40 * 2**20  # as the page's web/page/image-input.js: a phone photo is 2-12 MB
MAX_HEADER_TOKEN = 20  # characters in a Netpbm header number
MAX_PLAIN_BYTES = 64 * 2**20  # a plain (ASCII) Netpbm file: 6 bytes a sample, so about 10 Mpx of grey
MAX_PLAIN_DIGITS = 5  # 65535, the largest maxval
# Netpbm's magic numbers: (samples per pixel, plain text?, bits: has a maxval?)
NETPBM = {b"P1": (1, True, False), b"P2": (1, True, True), b"P3": (3, True, True),
          b"P4": (1, False, False), b"P5": (1, False, True), b"P6": (3, False, True)}
WHITESPACE = b" \t\n\v\f\r"


class ImageError(ValueError):
    """An image file cannot be used; the message names the file and the problem."""


def _pixel_budget(name: str, shape: tuple[int, ...]) -> None:
    count = 1
    for d in shape:
        count *= int(d)
    if count > MAX_PIXELS * 4:  # channels included
        raise ImageError(f"{name}: the image is too large ({count:,} values; at most {MAX_PIXELS:,} pixels)")


def _header(data: bytes, name: str) -> tuple[list[bytes], int]:
    """The magic number and header numbers (width, height and, but for
    bitmaps, maxval) of a Netpbm file, comments (``#`` to the end of the
    line) skipped; and the offset of the whitespace character that ends the
    header."""
    tokens: list[bytes] = []
    pos, count = 0, 4
    while len(tokens) < count:
        while pos < len(data) and data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            end = min((i for i in (data.find(b"\n", pos), data.find(b"\r", pos)) if i >= 0), default=-1)
            if end < 0:
                raise ImageError(f"{name}: the header ends inside a comment")
            pos = end + 1
            continue
        start = pos
        while pos < len(data) and not data[pos : pos + 1].isspace() and pos - start <= MAX_HEADER_TOKEN:
            pos += 1
        if start == pos or pos >= len(data):
            raise ImageError(f"{name}: truncated PBM/PGM/PPM header")
        if pos - start > MAX_HEADER_TOKEN:
            raise ImageError(f"{name}: a header field of more than {MAX_HEADER_TOKEN} characters")
        tokens.append(data[start:pos])
        if len(tokens) == 1 and tokens[0] not in NETPBM:
            raise ImageError(f"{name}: not a Netpbm image (it starts {tokens[0][:8]!r}; PBM, PGM and PPM start P1 to P6)")
        if len(tokens) == 1 and not NETPBM[tokens[0]][2]:
            count = 3  # bitmaps have no maxval
    return tokens, pos


def _plain_numbers(body: bytes, name: str, count: int, bits: bool) -> np.ndarray:
    """The first ``count`` whitespace-separated decimal numbers of a plain
    Netpbm raster (``P1``: single 0/1 digits, which need no separators), parsed
    by NumPy rather than by ``split`` (a plain file of millions of samples
    would be millions of Python objects) -> int64 ``(count,)``."""
    chars = np.frombuffer(body, dtype=np.uint8)
    digit = (chars >= ord("0")) & (chars <= ord("9"))
    other = ~digit & ~np.isin(chars, np.frombuffer(WHITESPACE, dtype=np.uint8))
    if other.any():
        where = int(np.argmax(other))
        if chars[where] == ord("#"):
            raise ImageError(f"{name}: a comment inside the pixel data (Netpbm allows them in the header only)")
        raise ImageError(f"{name}: the pixel data holds {chr(chars[where])!r}, which is not a number")
    if not bits:  # P1: every digit is one pixel
        values = chars[digit].astype(np.int64) - ord("0")
    else:
        edges = np.diff(np.concatenate([[0], digit.astype(np.int8), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        lengths = ends - starts
        if len(lengths) and lengths.max() > MAX_PLAIN_DIGITS:
            raise ImageError(f"{name}: a sample of {int(lengths.max())} digits (at most 65535 is allowed)")
        values = np.zeros(len(starts), dtype=np.int64)
        for k in range(int(lengths.max()) if len(lengths) else 0):  # the k-th digit from the right of each number
            has = lengths > k
            values[has] += (chars[ends[has] - 1 - k].astype(np.int64) - ord("0")) * 10**k
    if len(values) < count:
        raise ImageError(f"{name}: truncated pixel data ({len(values):,} of {count:,} samples)")
    return values[:count]


def read_netpbm(data: bytes, name: str) -> np.ndarray:
    """A PBM, PGM or PPM image, plain (``P1``-``P3``) or binary (``P4``-``P6``)
    -> ``(H, W)`` grey or ``(H, W, 3)`` colour pixels: uint8 when maxval is
    at most 255, uint16 otherwise (16-bit samples are big-endian, as the
    specification says), each scaled so maxval is full intensity; bitmaps
    become uint8 with black (1) as 0 and white as 255."""
    tokens, pos = _header(data, name)
    channels, plain, has_maxval = NETPBM[tokens[0]]
    try:
        width, height = int(tokens[1]), int(tokens[2])
        maxval = int(tokens[3]) if has_maxval else 1
    except ValueError:
        raise ImageError(f"{name}: the header's size and maxval must be whole numbers") from None
    if width <= 0 or height <= 0:
        raise ImageError(f"{name}: the image is {width}x{height}; both sides must be at least 1")
    if not 1 <= maxval <= 65535:
        raise ImageError(f"{name}: maxval {maxval} is outside the Netpbm range 1 to 65535")
    _pixel_budget(name, (width, height, channels))
    count = width * height * channels
    body = data[pos + 1 :]
    if plain:
        samples = _plain_numbers(body, name, count, has_maxval)
        if samples.max(initial=0) > maxval:
            raise ImageError(f"{name}: a sample of {int(samples.max())} exceeds the maxval {maxval}")
    elif not has_maxval:  # P4: rows of bits, each row padded to whole bytes
        row_bytes = -(-width // 8)
        if len(body) < row_bytes * height:
            raise ImageError(f"{name}: truncated pixel data")
        packed = np.frombuffer(body, dtype=np.uint8, count=row_bytes * height).reshape(height, row_bytes)
        samples = np.unpackbits(packed, axis=1)[:, :width]
    else:
        dtype = np.dtype(np.uint8) if maxval < 256 else np.dtype(">u2")
        if len(body) < count * dtype.itemsize:
            raise ImageError(f"{name}: truncated pixel data")
        samples = np.frombuffer(body, dtype=dtype, count=count)
        if samples.max(initial=0) > maxval:
            raise ImageError(f"{name}: a sample of {int(samples.max())} exceeds the maxval {maxval}")
    shape = (height, width) if channels == 1 else (height, width, channels)
    samples = samples.reshape(shape)
    if not has_maxval:
        return ((1 - samples) * 255).astype(np.uint8)  # PBM: 1 is black
    if maxval < 256:
        if maxval == 255:
            return samples.astype(np.uint8)
        return np.round(samples.astype(np.float32) * (255.0 / maxval)).astype(np.uint8)
    if maxval == 65535:
        return samples.astype(np.uint16)
    return np.round(samples.astype(np.float64) * (65535.0 / maxval)).astype(np.uint16)


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


def _pillow_pixels(im) -> np.ndarray:
    """A Pillow image, turned upright as its EXIF orientation says (as
    browsers show phone photos), as uint8 grey or RGBA -- uint16 grey for
    16-bit images (modes ``I;16*``), float32 in [0, 1] for 32-bit ones."""
    from PIL import ImageOps

    im = ImageOps.exif_transpose(im)
    if im.mode.startswith("I;16"):
        return np.asarray(im).astype(np.uint16)  # native byte order, whatever Pillow's mode says
    if im.mode in ("I", "F"):  # 32-bit integers (e.g. 16-bit PNGs in older Pillow) or floats
        arr = np.asarray(im).astype(np.float64)
        if not np.isfinite(arr).all():
            raise ValueError("the image holds NaN or infinite values")
        low, high = float(arr.min()), float(arr.max())
        if im.mode == "I" and low >= 0 and high <= 65535:
            return arr.astype(np.uint16)
        return ((arr - low) / (high - low if high > low else 1.0)).astype(np.float32)
    transparent = "A" in im.getbands() or "transparency" in im.info  # an alpha band, or a palette's
    return np.asarray(im.convert("RGBA" if transparent else "L"))


def read_image(path: Path) -> np.ndarray:
    """An image file as ``(H, W)`` or ``(H, W, C)`` pixels: uint8, uint16 for
    16-bit images, float for ``.npy`` arrays and 32-bit images.
    ``ImageError`` with the file's name and the problem otherwise."""
    name = str(path)
    if not path.exists():
        raise ImageError(f"image not found: {name}")
    if path.is_dir():
        raise ImageError(f"{name} is a directory, not an image")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return read_npy(path)
    if suffix in (".pbm", ".pgm", ".ppm", ".pnm"):
        size = path.stat().st_size
        with open(path, "rb") as f:
            start = f.read(2)
        plain = start in (b"P1", b"P2", b"P3")
        limit = MAX_PLAIN_BYTES if plain else MAX_PIXELS * 3 * 2 + 1024
        if size > limit:
            raise ImageError(f"{name}: the file is too large ({size / 2**20:,.0f} MB; at most "
                             f"{limit / 2**20:,.0f} MB for a {'plain' if plain else 'binary'} Netpbm image)")
        return read_netpbm(path.read_bytes(), name)
    try:
        from PIL import Image
    except ImportError:
        raise ImageError(
            f"{name}: reading {suffix or 'this'} files needs Pillow (pip install 'pynet[images]'); "
            "PBM/PGM/PPM and .npy work without it"
        ) from None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImageError(f"{name}: the file is too large ({size / 2**20:.1f} MB; at most {MAX_FILE_BYTES / 2**20:.1f} MB)")
    data = path.read_bytes()
    if not data:
        raise ImageError(f"{name}: the file is empty")
    if suffix == ".svg" or b"<svg" in data[:1024].lower():
        raise ImageError(f"{name}: an SVG is a vector drawing, which predict does not draw; export it as PNG "
                         "(the page's Open an image reads SVG)")
    if is_truncated(data):
        raise ImageError(f"{name}: the image is damaged or truncated (the file ends before its image does)")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning: the size check just below says it better.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
        with im:
            width, height = im.size  # from the header: nothing is decoded yet
            if width * height > MAX_PIXELS:
                raise ImageError(f"{name}: {width}x{height} is too large (at most {MAX_PIXELS:,} pixels)")
            return _pillow_pixels(im)
    except Image.UnidentifiedImageError:
        raise ImageError(f"{name}: not an image Pillow can read") from None
    except Image.DecompressionBombError:
        raise ImageError(f"{name}: the image is too large (at most {MAX_PIXELS:,} pixels)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, ImageError):
            raise
        raise ImageError(f"{name}: the image is damaged or truncated ({exc})") from None
