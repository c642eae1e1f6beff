"""The installable app's PNG icons, drawn at build time from ``web/icon.svg``
(the one source of the icon): 192 and 512 px, each in two forms, ``any``
(the SVG's rounded square) and ``maskable`` (the background to the edges,
so a launcher can cut any shape: the digit already lies inside the central
circle of 80 % of the size that maskable icons keep,
https://w3c.github.io/manifest/#icon-masks).

The SVG is a rounded rectangle and one stroked path of straight segments;
this reads exactly that (``M``/``L``/``H``/``V`` and their relative forms)
and draws it with Pillow, 4x supersampled for smooth edges. Anything else in
the SVG raises ``AssetError``, so a changed icon cannot silently give other
PNGs. No PNG is kept in the repository.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from build.verify import AssetError

SVG_NS = "{http://www.w3.org/2000/svg}"
SIZES = (192, 512)
SUPERSAMPLE = 4
PATH_TOKEN = re.compile(r"([MLHVmlhv])|(-?\d+(?:\.\d+)?)")


def _points(d: str) -> list[tuple[float, float]]:
    """The vertices of an SVG path of straight segments, in user units."""
    tokens = PATH_TOKEN.findall(d.replace(",", " "))
    if "".join(c + n for c, n in tokens).replace(" ", "") != re.sub(r"[\s,]+", "", d):
        raise AssetError(f"web/icon.svg: the path {d!r} has commands other than M, L, H, V")
    points: list[tuple[float, float]] = []
    x = y = 0.0
    command = ""
    numbers: list[float] = []

    def flush() -> None:
        nonlocal x, y
        arity = {"m": 2, "l": 2, "h": 1, "v": 1}[command.lower()]
        if not numbers or len(numbers) % arity:
            raise AssetError(f"web/icon.svg: {command} takes {arity} number(s) at a time")
        for i in range(0, len(numbers), arity):
            args = numbers[i : i + arity]
            rel = command.islower()
            if command.lower() in "ml":
                x, y = (x + args[0], y + args[1]) if rel else (args[0], args[1])
            elif command.lower() == "h":
                x = x + args[0] if rel else args[0]
            else:
                y = y + args[0] if rel else args[0]
            points.append((x, y))
        numbers.clear()

    for letter, number in tokens:
        if letter:
            if command:
                flush()
            command = letter
        else:
            numbers.append(float(number))
    if command:
        flush()
    return points


def read_icon(svg: Path) -> dict:
    """The icon's geometry: viewBox side, background colour and corner radius,
    the stroke's vertices, colour and width."""
    root = ET.fromstring(svg.read_text())
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    rect, path = root.find(f"{SVG_NS}rect"), root.find(f"{SVG_NS}path")
    if width != height or rect is None or path is None or len(root) != 2:
        raise AssetError("web/icon.svg must be a square viewBox holding one rect and one path")
    return {"side": width, "background": rect.get("fill"), "radius": float(rect.get("rx", 0)),
            "points": _points(path.get("d", "")), "stroke": path.get("stroke"),
            "stroke_width": float(path.get("stroke-width", 1))}


def draw_icon(icon: dict, size: int, maskable: bool):
    """The icon as a ``size`` x ``size`` RGBA Pillow image."""
    from PIL import Image, ImageDraw

    big = size * SUPERSAMPLE
    scale = big / icon["side"]
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    radius = 0 if maskable else icon["radius"] * scale
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=radius, fill=icon["background"])
    points = [(x * scale, y * scale) for x, y in icon["points"]]
    width = icon["stroke_width"] * scale
    draw.line(points, fill=icon["stroke"], width=round(width), joint="curve")
    for x, y in (points[0], points[-1]):  # stroke-linecap="round"
        draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=icon["stroke"])
    return image.resize((size, size), Image.LANCZOS)


def write_icons(svg: Path, out_dir: Path) -> list[Path]:
    """``icon-<size>.png`` and ``icon-maskable-<size>.png`` for each size in
    ``out_dir``; returns their paths. Raises AssetError for an SVG this
    cannot read, or when Pillow is missing."""
    try:
        import PIL  # noqa: F401 - the test extra installs Pillow
    except ImportError:
        raise AssetError("drawing the app's icons needs Pillow: pip install -e '.[test]'") from None
    icon = read_icon(svg)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for size in SIZES:
        for maskable in (False, True):
            path = out_dir / f"icon{'-maskable' if maskable else ''}-{size}.png"
            draw_icon(icon, size, maskable).save(path, optimize=True)
            written.append(path)
    return written
