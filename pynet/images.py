"""Reading image files for ``pynet predict``.

PGM/PPM (binary ``P5``/``P6``) and ``.npy`` are read with NumPy alone; PNG,
JPEG and the rest need Pillow (``pip install pynet[images]``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def read_netpbm(data: bytes, name: str) -> np.ndarray:
    """Binary PGM (P5) or PPM (P6) with maxval <= 255."""
    tokens: list[bytes] = []
    pos = 0
    while len(tokens) < 4:
        while pos < len(data) and data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        start = pos
        while pos < len(data) and not data[pos : pos + 1].isspace():
            pos += 1
        if start == pos:
            raise ValueError(f"{name}: truncated PGM/PPM header")
        tokens.append(data[start:pos])
    magic, width, height, maxval = tokens[0], int(tokens[1]), int(tokens[2]), int(tokens[3])
    channels = {b"P5": 1, b"P6": 3}.get(magic)
    if channels is None or maxval > 255:
        raise ValueError(f"{name}: only binary 8-bit PGM (P5) and PPM (P6) are supported")
    pixels = np.frombuffer(data, dtype=np.uint8, offset=pos + 1)
    if pixels.size < width * height * channels:
        raise ValueError(f"{name}: truncated pixel data")
    img = pixels[: width * height * channels].reshape(height, width, channels)
    return img[..., 0] if channels == 1 else img


def read_image(path: Path) -> np.ndarray:
    """An image file as a uint8 (H, W) or (H, W, C) array (float for .npy)."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise FileNotFoundError(f"image not found: {path}")
    if suffix == ".npy":
        arr = np.load(path, allow_pickle=False)
        if arr.ndim == 1 and arr.size == 784:
            arr = arr.reshape(28, 28)
        return arr
    if suffix in (".pgm", ".ppm", ".pnm"):
        return read_netpbm(path.read_bytes(), str(path))
    try:
        from PIL import Image
    except ImportError:
        raise ValueError(
            f"{path}: reading {suffix or 'this'} files needs Pillow (pip install 'pynet[images]'); "
            "PGM/PPM and .npy work without it"
        ) from None
    with Image.open(path) as im:
        return np.asarray(im.convert("RGBA" if "A" in im.getbands() else "L"))
