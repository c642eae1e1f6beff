"""Images of digits drawn with a real pen of a given width: what a person's
scan, photo or screenshot looks like, made from pen strokes.

Used by the tests and the accuracy measurements of the image path: the same
traced digits (``build.handwriting.mnist_strokes``) as a drawing and as an
image drawn with a 3, 8, 22 or 45 px pen must give (nearly) the same input;
and such an image photographed on paper (``paper_photo``, with
``pynet.data.paper_photos``' lighting).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pynet.data.paper_photos import PAPER_RGB, PEN_RGB, lighting
from pynet.input.strokes import rasterize, smooth

INK_SHARE = 0.7  # the ink's longer side (path plus pen) on the page, as MNIST's 20 px box in 28


def pen_image(
    strokes: Sequence[Sequence[tuple[float, float]]],
    pen_px: float,
    page_px: int = 280,
    dark_on_light: bool = False,
    ink_share: float = INK_SHARE,
) -> np.ndarray:
    """Strokes in the unit square (``(x, y)`` points, y down, as
    ``build.handwriting`` gives them) drawn on a ``page_px`` square page with a
    round pen ``pen_px`` pixels wide, anti-aliased -> uint8 ``(page_px, page_px)``.

    The ink (path plus pen) spans ``ink_share`` of the page along its longer
    side, centred; the path is smoothed the way the page draws a pointer path
    (``strokes.smooth``). Light ink on black unless ``dark_on_light``.
    ValueError when the pen is too wide for the ink to fit."""
    paths = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes]
    if not paths or not all(len(p) for p in paths):
        raise ValueError("every stroke needs at least one point")
    points = np.concatenate(paths)
    lo, hi = points.min(axis=0), points.max(axis=0)
    extent = float((hi - lo).max()) or 1.0
    path_px = ink_share * page_px - pen_px  # the path's longer side on the page
    if path_px <= 0:
        raise ValueError(f"a {pen_px} px pen does not fit a digit {ink_share:.0%} of a {page_px} px page")
    scale = path_px / extent
    offset = (page_px - (hi - lo) * scale) / 2  # the box centred on the page
    placed = [smooth((p - lo) * scale + offset, 0.75) for p in paths]
    ink = rasterize(placed, float(pen_px), side=page_px)  # (page_px, page_px) in [0, 1]
    pixels = np.round(ink * 255).astype(np.uint8)
    return 255 - pixels if dark_on_light else pixels




def paper_photo(ink: np.ndarray, seed: int = 0, shadow: bool = False, table: bool = False,
                jpeg_quality: int | None = 75) -> np.ndarray:
    """``ink`` (uint8, light on black, as ``pen_image`` gives it) as a phone
    photo of dark blue ink on off-white paper -> uint8 RGB ``(H, W, 3)``:
    lighting brighter to the right and down, darker in the corners
    (vignetting), sensor noise (sigma 3 % of full scale), 15 dark specks of
    dust; optionally a hard shadow across a third of the page, dark table at
    the left and top edges; JPEG-compressed at ``jpeg_quality`` (Pillow)
    unless None."""
    rng = np.random.default_rng(seed)
    coverage = ink.astype(np.float32) / 255
    h, w = coverage.shape
    light = lighting(h, w, shadow)
    paper = light[..., None] * PAPER_RGB
    pen = light[..., None] * PEN_RGB
    img = paper * (1 - coverage[..., None]) + pen * coverage[..., None] + rng.normal(0, 0.03, (h, w, 3))
    for r, c in rng.integers(0, min(h, w) - 2, (15, 2)):
        img[r : r + 2, c : c + 2] *= 0.4
    if table:
        img[:, : w // 12] = 0.15
        img[: h // 15, :] = 0.12
    pixels = (np.clip(img, 0, 1) * 255).astype(np.uint8)
    if jpeg_quality is None:
        return pixels
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=jpeg_quality)
    return np.asarray(Image.open(buf))
