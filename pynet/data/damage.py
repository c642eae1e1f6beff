"""Damage a picture of a digit can carry: MNIST digits written on paper and
photographed (``paper_photos.py``) with the clutter real pictures carry
(issue 29), each kind at a strength where a person still reads the digit at
a glance, as RGB pictures of 120-360 px like a phone photo of a page.

The shipped model learns from training digits damaged so, read by the
picture path (``shipped_mix.damaged_inputs``); ``build/damaged_pictures.py``
makes the test sets from MNIST's test digits, with seeds of its own (the
same kinds: MNIST-C, ``build/mnist_c.py``, is the check made elsewhere).
The digit keeps MNIST's stroke width relative to its size (a person's
marker on paper). The kinds (``KINDS``):

- ``salt and pepper``: 4-15 % of the pixels set to black or white (a
  damaged sensor or transmission; after the JPEG, as it happens);
- ``grain``: strong sensor noise, fine (sigma 8-16 % of full scale) and
  clumped (4-10 %, over about 3 px), colour too, then JPEG;
- ``mixed background``: the page beside a dark desk (a band of 25-62 % of
  the picture on one side, its edge tilted), inside a black frame, as a
  light label on a dark surface, beside a dark region over a corner (up to
  more than half the picture), or chalk on a dark board beside a light
  wall; the digit on the page (or board);
- ``ruled lines``: lines across the whole page 0.3-0.6 of the digit's
  height apart, 1-3 px, light blue to as dark as the ink, some pages with a
  red margin line;
- ``dotted lines``: dotted lines as ruled paper's (dots 0.8-2.5 px in
  radius, 2.2-4 radii apart), dashed lines in the writer's ink (dashes 3-6
  radii long, 1-2 apart), or a dot grid;
- ``graph paper``: a square grid 0.15-0.35 of the digit's height, every
  fifth line bolder on some pages;
- ``line across``: a straight line in the writer's ink, 0.4-1 of its
  stroke width, edge to edge crossing the digit (within 35 degrees of
  level, or steep), or underlining it (edge to edge, or 1.1-1.5 times the
  digit's width), wholly inside the picture;
- ``zig-zag``: a zig-zag line in the writer's ink, edge to edge, through the
  digit's middle or under it (its teeth 8-22 % of the digit's height; under
  the digit, wholly inside the picture);
- ``outline``: the digit drawn in outline -- a "bubble" pen's two edges 2-4
  px wide around a fattened stroke, or an edge detector's double edge
  (light on black, as such a filter shows it);
- ``spatter``: 10-40 drops of ink, a pixel to about a stroke wide, and
  specks, around and on the digit;
- ``blur``: motion blur (10-25 % of the digit's height), defocus (a disc
  of radius 5-11 %) or glass-like scatter (each pixel taken from up to
  4-9 % away);
- ``crossed out``: a straight line in the writer's ink, 0.5-1 of its stroke
  width, through the digit within 30 degrees of level, running on beyond
  its ink at both ends by 15-60 % of its height, 1.1-1.4 times that
  height long at least, and stopping short of the picture's edges (a
  strike-through); a quarter of the time two, crossing
  (an X). Added last, so the other kinds' seeds (``KINDS.index``) and
  pictures stay as they were.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .paper_photos import SIDES, Page, as_pixels, convolve, disc_kernel, grow_mask, photograph, polyline

KINDS = ("salt and pepper", "grain", "mixed background", "ruled lines", "dotted lines", "graph paper",
         "line across", "zig-zag", "outline", "spatter", "blur", "crossed out")
MIXED_VARIANTS = 5  # mixed_background's kinds of scene
LINE_BLUE = np.array([0.45, 0.62, 0.85])
MARGIN_RED = np.array([0.85, 0.35, 0.4])


def salt_and_pepper(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    pixels = as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))
    density = rng.uniform(0.04, 0.15)
    hit = rng.random(pixels.shape[:2]) < density
    pixels = pixels.copy()
    pixels[hit] = np.where(rng.random(int(hit.sum())) < 0.5, 0, 255)[:, None].astype(np.uint8)
    return pixels


def grain(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    img = photograph(page.reflectance(), rng, noise=rng.uniform(0.08, 0.16))
    clumps = convolve(rng.normal(0, 1, img.shape[:2]).astype(np.float32), disc_kernel(1.5))
    clumps *= rng.uniform(0.04, 0.10) / max(1e-6, float(clumps.std()))
    img = img + clumps[..., None] + rng.normal(0, 0.03, img.shape) * rng.uniform(0, 1)
    return as_pixels(img, jpeg_quality=int(rng.integers(60, 90)))


def _band(h: int, w: int, share: float, rng: np.random.Generator, tilt: float
          ) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A band ``share`` of the picture wide along a random side, its edge
    tilted by ``tilt``: its mask ``(h, w)`` and the box of the rest."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    where = int(rng.integers(4))  # the side the band is on
    u, v, n = (x, y, w) if where < 2 else (y, x, h)
    u = u if where % 2 == 0 else (n - 1 - u)
    band = u + tilt * (v - v.mean()) < share * n
    cut = int(share * n + abs(tilt) * n / 2)
    rest = [(0, cut, h, w), (0, 0, h, w - cut), (cut, 0, h, w), (0, 0, h - cut, w)][where]
    return band, rest


def mixed_background(image: np.ndarray, rng: np.random.Generator, variant: int) -> np.ndarray:
    """``variant`` 0: a dark desk beside the page (a quarter to nearly two
    thirds of the picture); 1: a black frame round it; 2: a light label (a
    third to two thirds of the picture's sides) on a dark surface; 3: a dark
    region across a corner, up to more than half the picture; 4: chalk (light
    ink) on a dark board beside a light wall."""
    side = int(rng.integers(*SIDES))
    h, w = side, int(side * rng.uniform(0.85, 1.3))
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    tilt = np.tan(np.radians(rng.uniform(-6, 6)))
    if variant == 0:
        dark, paper_box = _band(h, w, rng.uniform(0.25, 0.62), rng, tilt)
    elif variant == 1:
        t = rng.uniform(0.07, 0.14, 4) * np.array([h, w, h, w])
        dark = (y < t[0]) | (x < t[1]) | (y >= h - t[2]) | (x >= w - t[3])
        paper_box = (int(t[0]), int(t[1]), int(h - t[2]), int(w - t[3]))
    elif variant == 2:
        lh, lw = rng.uniform(0.35, 0.65) * h, rng.uniform(0.35, 0.65) * w
        top, left = rng.uniform(0.05, 0.95) * (h - lh), rng.uniform(0.05, 0.95) * (w - lw)
        cy, cx = top + lh / 2, left + lw / 2
        ry, rx = (y - cy) - tilt * (x - cx), (x - cx) + tilt * (y - cy)  # a slightly turned label
        dark = (np.abs(ry) > lh / 2) | (np.abs(rx) > lw / 2)
        paper_box = (int(top), int(left), int(top + lh), int(left + lw))
    elif variant == 3:
        cut = rng.uniform(0.6, 1.1)  # the dark region: y/h + x/w < cut, from one corner
        fy, fx = rng.choice([-1, 1], 2)
        yy, xx = (y / h if fy > 0 else 1 - y / h), (x / w if fx > 0 else 1 - x / w)
        dark = yy + xx < cut
        top = int(cut / 2 * h) if fy > 0 else 0  # the box clear of it, in the opposite corner
        left = int(cut / 2 * w) if fx > 0 else 0
        paper_box = (top, left, top + int((1 - cut / 2) * h), left + int((1 - cut / 2) * w))
    else:
        dark, paper_box = _band(h, w, rng.uniform(0.2, 0.45), rng, tilt)  # here the wall: light
    pt, pl, pb, pr = paper_box
    ph, pw = pb - pt, pr - pl
    share = min(0.72, rng.uniform(0.55, 0.75) * min(ph, pw) / min(h, w))
    centre = (pt + ph / 2 + rng.uniform(-0.05, 0.05) * ph, pl + pw / 2 + rng.uniform(-0.05, 0.05) * pw)
    page = Page(image, rng, h=h, w=w, digit_share=(share, share), centre=centre)
    page.ink *= ~dark  # no ink off the page
    texture = 1 + 0.25 * np.sin(y[..., None] / rng.uniform(3, 9) + 0.3 * np.sin(x[..., None] / 17)) * rng.uniform(0, 1)
    if variant == 4:  # chalk on a board: the "paper" is dark, the ink light, the band a light wall
        board = rng.uniform(0.06, 0.2) * np.array([rng.uniform(0.6, 1.0), 1.0, rng.uniform(0.6, 1.0)])
        chalk = np.array([0.9, 0.9, 0.88]) * rng.uniform(0.75, 1.0)
        wall = np.array([0.92, 0.9, 0.85]) * rng.uniform(0.8, 1.0)
        surface = board * texture * (1 - page.ink[..., None]) + chalk * page.ink[..., None]
        scene = np.where(dark[..., None], wall, surface)
    else:
        desk = rng.uniform(0.03, 0.22) * np.array([1.0, rng.uniform(0.75, 1.0), rng.uniform(0.55, 0.9)])
        scene = np.where(dark[..., None], desk * texture, page.reflectance())
    return as_pixels(photograph(scene, rng), jpeg_quality=int(rng.integers(70, 92)))


def _line_colour(page: Page) -> tuple[np.ndarray, float]:
    """Ruling's colour and how strongly it covers: light blue to as dark as the ink."""
    if page.rng.random() < 0.6:
        return LINE_BLUE, page.rng.uniform(0.5, 1.0)
    return page.colour, page.rng.uniform(0.35, 0.9)


def ruled_lines(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    colour, strength = _line_colour(page)
    gap = rng.uniform(0.3, 0.6) * page.size
    width = rng.uniform(1.0, 3.0)
    slope = np.tan(np.radians(rng.uniform(-3, 3)))
    y, x = np.mgrid[0 : page.h, 0 : page.w].astype(np.float32)
    along = y - slope * x - rng.uniform(0, gap)
    dist = np.abs((along + gap / 2) % gap - gap / 2)
    page.layers.append((np.clip(width / 2 + 0.5 - dist, 0, 1) * strength, colour))
    if rng.random() < 0.4:  # a margin line
        at = rng.uniform(0.05, 0.3) * page.w
        page.layers.append((np.clip(width / 2 + 0.5 - np.abs(x - at), 0, 1) * 0.8, MARGIN_RED))
    return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))


def dotted_lines(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    colour, strength = _line_colour(page)
    radius = rng.uniform(0.8, 2.5)
    y, x = np.mgrid[0 : page.h, 0 : page.w].astype(np.float32)
    style = rng.random()
    if style < 0.7:  # dotted (or dashed) lines: dots close along each line
        gap_y, gap_x = rng.uniform(0.3, 0.6) * page.size, rng.uniform(2.2, 4) * radius
    else:  # a dot grid
        gap_y = gap_x = rng.uniform(0.15, 0.3) * page.size
    dy = np.abs((y - rng.uniform(0, gap_y) + gap_y / 2) % gap_y - gap_y / 2)
    dx = np.abs((x - rng.uniform(0, gap_x) + gap_x / 2) % gap_x - gap_x / 2)
    if style < 0.35:  # dashed, in the writer's ink: dashes 3-6 radii long, 1-2 radii apart
        colour, strength = page.colour, rng.uniform(0.7, 1.0)
        dash, space = rng.uniform(3, 6) * radius, rng.uniform(1, 2) * radius
        along = (x - rng.uniform(0, dash + space)) % (dash + space)
        cover = np.clip(radius + 0.5 - dy, 0, 1) * np.clip(np.minimum(along, dash - along) + 0.5, 0, 1)
    else:
        cover = np.clip(radius + 0.5 - np.hypot(dy, dx), 0, 1)
    page.layers.append((cover * strength, colour))
    return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))


def graph_paper(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    colour, strength = _line_colour(page)
    if rng.random() < 0.5:
        colour = np.array([0.45, 0.75, 0.6])  # green graph paper
    gap = rng.uniform(0.15, 0.35) * page.size
    width = rng.uniform(0.8, 2.0)
    bold = rng.random() < 0.4
    y, x = np.mgrid[0 : page.h, 0 : page.w].astype(np.float32)
    cover = np.zeros((page.h, page.w), np.float32)
    for u in (y - rng.uniform(0, gap), x - rng.uniform(0, gap)):
        index = np.floor((u + gap / 2) / gap)
        dist = np.abs(u - index * gap)
        wide = np.where(bold & (index % 5 == 0), 2 * width, width)
        cover = np.maximum(cover, np.clip(wide / 2 + 0.5 - dist, 0, 1))
    page.layers.append((cover * strength, colour))
    return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))


def _across(page: Page, ys: Callable[[np.ndarray], np.ndarray], steep: bool = False) -> np.ndarray:
    """Points (x, y) of a line ``y = ys(x)`` across the whole page (or, when
    ``steep``, ``x = ys(y)``), beyond its edges."""
    n = page.h if steep else page.w
    u = np.linspace(-0.1 * n, 1.1 * n, 400)
    v = ys(u)
    return np.stack([v, u], axis=1) if steep else np.stack([u, v], axis=1)


def line_across(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    top, left, bottom, right = page.box
    width = page.stroke * rng.uniform(0.4, 1.0)
    if rng.random() < 0.65:  # through the digit
        steep = rng.random() < 0.25
        angle = np.tan(np.radians(rng.uniform(-35, 35)))
        if steep:
            at = left + (right - left) * rng.uniform(0.25, 0.75)
            mid = (top + bottom) / 2
            points = _across(page, lambda u: at + angle * (u - mid), steep=True)
        else:
            at = top + (bottom - top) * rng.uniform(0.2, 0.8)
            mid = (left + right) / 2
            points = _across(page, lambda u: at + angle * (u - mid))
    else:  # underlined: below the digit, edge to edge or a little wider than it
        at = bottom + rng.uniform(0.03, 0.12) * page.size + width / 2
        slope = np.tan(np.radians(rng.uniform(-5, 5)))
        mid = (left + right) / 2
        at = min(at, page.h - 2 - width - abs(slope) * max(mid, page.w - mid))  # wholly inside the picture
        points = _across(page, lambda u: at + slope * (u - mid))
        if rng.random() < 0.5:
            half = (right - left) / 2 * rng.uniform(1.1, 1.5)
            points = points[np.abs(points[:, 0] - mid) <= half]
    page.ink = np.maximum(page.ink, polyline(page.h, page.w, points, width))
    return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))


def zig_zag(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    top, left, bottom, right = page.box
    width = page.stroke * rng.uniform(0.4, 0.9)
    height = rng.uniform(0.08, 0.22) * page.size
    period = rng.uniform(0.12, 0.3) * page.size
    mid = (left + right) / 2
    under = rng.random() >= 0.6
    at = bottom + rng.uniform(0.0, 0.1) * page.size + height / 2 if under else \
        top + (bottom - top) * rng.uniform(0.3, 0.7)
    slope = np.tan(np.radians(rng.uniform(-10, 10)))
    if under:  # wholly inside the picture: its teeth not cut by the picture's edge
        at = min(at, page.h - 2 - width - height / 2 - abs(slope) * max(mid, page.w - mid))
    phase = rng.uniform(0, period)
    corners = np.arange(-0.1 * page.w - phase, 1.1 * page.w + period, period / 2)
    signs = np.where(np.arange(len(corners)) % 2 == 0, -1, 1)
    points = np.stack([corners, at + slope * (corners - mid) + signs * height / 2], axis=1)
    page.ink = np.maximum(page.ink, polyline(page.h, page.w, points, width))
    return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))


def outline(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A "bubble" pen (even index) or an edge detector (odd), chosen by the generator."""
    page = Page(image, rng)
    if rng.random() < 0.5:
        edge = int(rng.integers(2, 5))  # the outline's width, px
        body = grow_mask(page.ink > 0.5, max(1, round(edge - page.stroke / 4)))  # room inside for the hollow
        inner = ~grow_mask(~body, edge)
        page.ink = (body & ~inner).astype(np.float32)
        page.ink = convolve(page.ink, np.full((2, 2), 0.25, np.float32))  # anti-aliased
        return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))
    soft = convolve(page.ink, disc_kernel(rng.uniform(1.0, 2.5)))
    gy, gx = np.gradient(soft)
    magnitude = np.hypot(gy, gx)
    edges = np.clip(magnitude / np.percentile(magnitude[magnitude > 0], 95), 0, 1)
    grey = edges if rng.random() < 0.7 else 1 - edges  # a filter's output: light edges on black, or inverted
    grey = grey + rng.normal(0, 0.02, grey.shape)
    return as_pixels(np.repeat(grey[..., None], 3, axis=2), jpeg_quality=None if rng.random() < 0.5 else 85)


def spatter(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    top, left, bottom, right = page.box
    y, x = np.mgrid[0 : page.h, 0 : page.w].astype(np.float32)
    drops = np.zeros((page.h, page.w), np.float32)
    reach = 0.35 * page.size
    for _ in range(int(rng.integers(10, 40))):
        cy = rng.uniform(top - reach, bottom + reach)
        cx = rng.uniform(left - reach, right + reach)
        radius = page.stroke / 2 * min(rng.pareto(2.0) * 0.4 + 0.15, 1.1)
        stretch = rng.uniform(1.0, 1.8)
        turn = rng.uniform(0, np.pi)
        u = (x - cx) * np.cos(turn) + (y - cy) * np.sin(turn)
        v = -(x - cx) * np.sin(turn) + (y - cy) * np.cos(turn)
        drops = np.maximum(drops, np.clip(radius + 0.5 - np.hypot(u / stretch, v), 0, 1))
    page.ink = np.maximum(page.ink, drops)
    return as_pixels(photograph(page.reflectance(), rng, specks=int(rng.integers(15, 60))),
                     jpeg_quality=int(rng.integers(70, 92)))


def blur(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    how = int(rng.integers(3))
    if how == 0:  # motion
        length = rng.uniform(0.1, 0.25) * page.size
        angle = rng.uniform(0, np.pi)
        r = int(np.ceil(length / 2))
        kernel = np.zeros((2 * r + 1, 2 * r + 1), np.float32)
        for t in np.linspace(-length / 2, length / 2, 4 * r + 1):
            kernel[int(round(r + t * np.sin(angle))), int(round(r + t * np.cos(angle)))] += 1
        page.ink = convolve(page.ink, kernel / kernel.sum())
    elif how == 1:  # defocus
        page.ink = convolve(page.ink, disc_kernel(rng.uniform(0.05, 0.11) * page.size))
    else:  # glass: each pixel from a random place nearby
        reach = rng.uniform(0.04, 0.09) * page.size
        y, x = np.mgrid[0 : page.h, 0 : page.w]
        sy = np.clip(np.round(y + rng.uniform(-reach, reach, y.shape)), 0, page.h - 1).astype(int)
        sx = np.clip(np.round(x + rng.uniform(-reach, reach, x.shape)), 0, page.w - 1).astype(int)
        page.ink = page.ink[sy, sx]
    return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))


def crossed_out(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    page = Page(image, rng)
    top, left, bottom, right = page.box
    height = bottom - top
    width = page.stroke * rng.uniform(0.5, 1.0)
    x_pair = rng.random() < 0.25
    for k in range(2 if x_pair else 1):
        degrees = (1 if k else -1) * rng.uniform(15, 30) if x_pair else rng.uniform(-30, 30)
        d = np.array([np.cos(np.radians(degrees)), np.sin(np.radians(degrees))])  # (x, y)
        c = np.array([(left + right) / 2 + rng.uniform(-0.1, 0.1) * height, top + height * rng.uniform(0.3, 0.7)])
        # Where the line is inside the digit's box (the slab method), then on beyond it at both ends.
        t = np.sort(np.array([([left, top][i] - c[i]) / d[i] for i in range(2) if abs(d[i]) > 1e-6] +
                             [([right, bottom][i] - c[i]) / d[i] for i in range(2) if abs(d[i]) > 1e-6]))
        inside = (t[1], t[2]) if len(t) == 4 else (t[0], t[1])
        ends = [inside[0] - rng.uniform(0.15, 0.6) * height, inside[1] + rng.uniform(0.15, 0.6) * height]
        short = rng.uniform(1.1, 1.4) * height - (ends[1] - ends[0])
        if short > 0:  # a strike-through is longer than the digit is tall
            ends = [ends[0] - short / 2, ends[1] + short / 2]
        room = 3 + width
        for i, s in enumerate(ends):  # short of the picture's edges
            for axis, size in ((0, page.w), (1, page.h)):
                p = c[axis] + s * d[axis]
                if p < room or p > size - room:
                    ends[i] = ((room if p < room else size - room) - c[axis]) / d[axis]
        points = np.stack([c + s * d for s in np.linspace(ends[0], ends[1], 50)])
        page.ink = np.maximum(page.ink, polyline(page.h, page.w, points, width))
    return as_pixels(photograph(page.reflectance(), rng), jpeg_quality=int(rng.integers(70, 92)))


def damaged(kind: str, image: np.ndarray, rng: np.random.Generator, variant: int = 0) -> np.ndarray:
    """MNIST digit ``image`` (28x28 uint8, ink high) with damage ``kind``,
    drawn from ``rng``, as a uint8 RGB picture ``(H, W, 3)``; ``variant``
    (0 to ``MIXED_VARIANTS - 1``) picks the scene of a mixed background.
    ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    image = np.asarray(image, dtype=np.uint8).reshape(28, 28)
    if kind == "mixed background":
        return mixed_background(image, rng, variant % MIXED_VARIANTS)
    kinds: dict[str, Callable[[np.ndarray, np.random.Generator], np.ndarray]] = {
        "salt and pepper": salt_and_pepper, "grain": grain, "ruled lines": ruled_lines,
        "dotted lines": dotted_lines, "graph paper": graph_paper, "line across": line_across,
        "zig-zag": zig_zag, "outline": outline, "spatter": spatter, "blur": blur,
        "crossed out": crossed_out}
    return kinds[kind](image, rng)
