"""MNIST-C's corruptions, made again from MNIST's test digits.

MNIST-C (Mu and Gilmer 2019, "MNIST-C: A Robustness Benchmark for Computer
Vision", arXiv:1906.02337) is the published benchmark of damaged MNIST
digits: 15 corruptions of the 10,000 test digits, each at one fixed
strength, as 28 x 28 pictures in MNIST's own format (light ink on black).
Its files cannot be fetched here (only the package registries are
reachable), so each corruption is written again from the paper's
description with its published parameters (the strength, in brackets);
random draws are seeded by the digit's index, so a set is the same on every
machine, though not pixel for pixel the published one:

- shot noise (Poisson, 3 photons at full ink), impulse noise (salt and
  pepper on 17 % of the pixels);
- glass blur (Gaussian sigma 0.7, pixels swapped with a neighbour up to 1
  px away in 2 passes, blurred again), motion blur (a one-sided Gaussian
  trail of radius 10, sigma 3, at a random angle within +-45 degrees);
- shear (0.4), scale (to 0.7 of the size), rotate (0.4 rad), translate (3
  px on each axis), all about the picture's centre;
- brightness (+0.5: a grey background), stripe (the 7 columns at each side
  inverted), fog (a diamond-square plasma of weight 3);
- spatter (drops of grey mud over the digit), dotted line (a straight line
  from edge to edge, every other 2 columns left out), zig-zag (a line of
  2-pixel zigzags across the picture), Canny edges (the digit's outline
  only).

``python -m build.mnist_c`` reads the first ``--limit`` test digits of each
as ``pynet predict`` and *Open an image* read a picture (the number finder
first; a 28 x 28 picture is one digit) and as the network alone reads them
given straight as its input, with the shipped model. The paper's CNN,
trained on clean MNIST, had 91.2 % mean accuracy over the 15.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SEED = 1906  # arXiv 1906.02337
Corruption = Callable[[np.ndarray, np.random.Generator], np.ndarray]  # (28, 28) floats in [0, 1]


def _gaussian(x: np.ndarray, sigma: float) -> np.ndarray:
    from skimage.filters import gaussian

    return gaussian(x, sigma=sigma, mode="nearest", truncate=4.0)


def _warp(x: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``x`` under the affine ``matrix`` (2 x 2, in (col, row) order) about
    the picture's centre (13.5, 13.5); outside is black."""
    from skimage import transform

    centre = np.array([13.5, 13.5])
    full = np.eye(3)
    full[:2, :2] = matrix
    full[:2, 2] = centre - matrix @ centre
    return np.clip(transform.warp(x, inverse_map=transform.AffineTransform(matrix=full), order=1), 0, 1)


def _line(c0: float, r0: float, c1: float, r1: float) -> np.ndarray:
    """A line from (col c0, row r0) to (c1, r1), about 2 px wide, full
    within a pixel of its centre and fading to nothing 2.3 px away (the
    paper's profile, log(1 - d / 2.3) + 1), between columns c0 and c1."""
    if c1 == c0:
        return np.zeros((28, 28))
    cols, rows = np.meshgrid(np.arange(28.0), np.arange(28.0))
    slope = (r1 - r0) / (c1 - c0)
    d = np.clip(np.abs(rows - (slope * (cols - c0) + r0)), 0, 2.3 - 1e-9)
    out = np.clip(np.log(1 - d / 2.3) + 1, 0, 1)
    out[:, : int(np.floor(c0))] = 0
    out[:, int(np.ceil(c1)) :] = 0
    return out


def shot_noise(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.clip(rng.poisson(x * 3) / 3.0, 0, 1)


def impulse_noise(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = x.copy()
    hit = rng.random(x.shape) < 0.17
    out[hit] = rng.random(int(hit.sum())) < 0.5
    return out


def glass_blur(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = np.round(_gaussian(x, 0.7) * 255) / 255
    for _ in range(2):
        for h in range(27, 1, -1):
            for w in range(27, 1, -1):
                if rng.random() < 0.5:
                    dy, dx = rng.integers(-1, 1, size=2, endpoint=True)
                    h2, w2 = min(27, h + dy), min(27, w + dx)
                    out[h, w], out[h2, w2] = out[h2, w2], out[h, w]
    return np.clip(_gaussian(out, 0.7), 0, 1)


def motion_blur(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    angle = np.deg2rad(rng.uniform(-45, 45))
    steps = np.arange(0, 11)
    weights = np.exp(-(steps ** 2) / (2 * 3.0 ** 2))
    weights /= weights.sum()
    from scipy.ndimage import shift

    out = np.zeros_like(x)
    for s, wgt in zip(steps, weights):
        out += wgt * shift(x, (s * np.sin(angle), -s * np.cos(angle)), order=1, mode="constant")
    return np.clip(out, 0, 1)


def shear(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return _warp(x, np.array([[1.0, 0.4 * rng.choice([-1, 1])], [0.0, 1.0]]))


def scale(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return _warp(x, np.eye(2) / 0.7)


def rotate(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    a = 0.4 * rng.choice([-1, 1])
    return _warp(x, np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]))


def translate(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    dx, dy = 3 * rng.choice([-1, 1], size=2)
    from scipy.ndimage import shift

    return np.clip(shift(x, (dy, dx), order=0, mode="constant"), 0, 1)


def brightness(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return np.clip(x + 0.5, 0, 1)


def stripe(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = x.copy()
    out[:, :7] = 1 - out[:, :7]
    out[:, 21:] = 1 - out[:, 21:]
    return out


def _plasma(rng: np.random.Generator, size: int = 32, decay: float = 1.4) -> np.ndarray:
    """A diamond-square plasma fractal ``(size, size)`` in [0, 1]."""
    grid = np.zeros((size, size))
    step, wibble = size, 100.0
    while step >= 2:
        half = step // 2
        corners = grid[0:size:step, 0:size:step]
        square = corners + np.roll(corners, -1, 0)
        square = square + np.roll(square, -1, 1)
        grid[half:size:step, half:size:step] = square / 4 + wibble * rng.uniform(-wibble, wibble, square.shape)
        centres = grid[half:size:step, half:size:step]
        corners = grid[0:size:step, 0:size:step]
        left = centres + np.roll(centres, 1, 0) + corners + np.roll(corners, -1, 1)
        grid[0:size:step, half:size:step] = left / 4 + wibble * rng.uniform(-wibble, wibble, left.shape)
        up = centres + np.roll(centres, 1, 1) + corners + np.roll(corners, -1, 0)
        grid[half:size:step, 0:size:step] = up / 4 + wibble * rng.uniform(-wibble, wibble, up.shape)
        step //= 2
        wibble /= decay
    grid -= grid.min()
    return grid / grid.max()


def fog(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    top = x.max()
    return np.clip((x + 3.0 * _plasma(rng)[:28, :28]) * top / (top + 3.0), 0, 1)


def spatter(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    liquid = _gaussian(rng.normal(0.65, 0.3, x.shape), 1.0)
    mud = _gaussian((liquid > 0.65).astype(np.float64), 1.5)
    mud[mud < 0.8] = 0
    return np.clip(x * (1 - mud) + 63 / 255 * mud, 0, 1)


def dotted_line(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    r0, r1 = rng.integers(0, 27, size=2)
    line = _line(0, r0, 27, r1)
    for start in range(0, 28, 4):  # every other pair of columns left out
        line[:, start : start + 2] = 0
    return np.clip(x + line, 0, 1)


def zigzag(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    c0, c1 = 2, 25
    r0 = int(rng.integers(0, 27))
    r1 = r0 + int(rng.integers(-5, 5))
    theta = np.arctan((r1 - r0) / (c1 - c0))
    length = (c1 - c0) / np.cos(theta)
    points = [(0.0, 0.0)] + [((2 * i + 1) * 2.0, (-1) ** i * 2.0) for i in range(int((length - 2) // 4) + 1)]
    points.append((length, 0.0))
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    cs, rs = rot @ np.array(points).T
    cs, rs = cs + c0, rs + r0
    out = x.copy()
    for i in range(1, len(cs)):
        a, b = (i - 1, i) if cs[i - 1] <= cs[i] else (i, i - 1)
        out = np.clip(out + _line(cs[a], rs[a], cs[b], rs[b]), 0, 1)
    return out


def canny_edges(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    from skimage.feature import canny

    return canny(x).astype(np.float64)


CORRUPTIONS: dict[str, Corruption] = {
    "shot noise": shot_noise, "impulse noise": impulse_noise, "glass blur": glass_blur,
    "motion blur": motion_blur, "shear": shear, "scale": scale, "rotate": rotate, "brightness": brightness,
    "translate": translate, "stripe": stripe, "fog": fog, "spatter": spatter, "dotted line": dotted_line,
    "zigzag": zigzag, "canny edges": canny_edges,
}


def corrupted(name: str, image: np.ndarray, index: int) -> np.ndarray:
    """MNIST test digit ``image`` (28 x 28 uint8, ink light) with corruption
    ``name``, as a 28 x 28 uint8 picture in MNIST's format; ``index`` (its
    place in the test set) seeds it. ValueError for an unknown name."""
    if name not in CORRUPTIONS:
        raise ValueError(f"unknown corruption {name!r}; one of {', '.join(CORRUPTIONS)}")
    rng = np.random.default_rng((SEED, list(CORRUPTIONS).index(name), index))
    x = np.asarray(image, dtype=np.float64).reshape(28, 28) / 255.0
    return np.round(CORRUPTIONS[name](x, rng) * 255).astype(np.uint8)


def _read_chunk(args: tuple[str, np.ndarray, np.ndarray, int]) -> tuple[str, list[list[int]]]:
    """``[digit read by the picture path (-1: no digit), unsure (0/1), digit
    the network reads on the raw picture, digits found]`` for each image."""
    from build.accuracy import _shipped_model
    from build.reading import probabilities
    from pynet.input.number_picture import picture_number
    from pynet.training.confidence import judge_digits

    name, images, labels, first = args
    model = _shipped_model()
    rows = []
    for i, image in enumerate(images, start=first):
        picture = corrupted(name, image, i)
        found = picture_number(picture, model.predict_proba)
        raw = int(model.predict(picture.reshape(1, 784).astype(np.float32) / 255.0)[0])
        if not found:
            rows.append([-1, 1, raw, 0])
            continue
        probs = probabilities(model, np.stack([f.x for f in found]))
        answers = judge_digits(probs, found)
        rows.append([int(answers[0]["digit"]) if len(found) == 1 else -2, int(any(a["unsure"] for a in answers)),
                     raw, len(found)])
    return name, rows


def mnist_c_results(limit: int = 1000, processes: int = 2, names: list[str] | None = None) -> dict[str, dict]:
    """Each corruption's shares (%) over the first ``limit`` test digits:
    right, right but unsure, wrong and sure, "no digit found" and several
    digits, as pictures (``picture_number``, judged as the page judges),
    and right by the network alone given the raw 28 x 28 picture."""
    from concurrent.futures import ProcessPoolExecutor

    from build.damaged_pictures import mnist_test_digits

    images, labels = mnist_test_digits(limit)
    names = names or list(CORRUPTIONS)
    chunk = max(1, -(-limit // 4))
    jobs = [(n, images[s : s + chunk], labels[s : s + chunk], s) for n in names for s in range(0, limit, chunk)]
    rows: dict[str, list[list[int]]] = {n: [] for n in names}
    with ProcessPoolExecutor(processes) as pool:
        for name, part in pool.map(_read_chunk, jobs):
            rows[name] += part
    results = {}
    for name in names:
        r = np.array(rows[name])
        right = r[:, 0] == labels[: len(r)]
        results[name] = {"n": len(r), "right": 100 * right.mean(), "right_but_unsure": 100 * (right & (r[:, 1] == 1)).mean(),
                         "wrong_and_sure": 100 * ((r[:, 0] >= 0) & ~right & (r[:, 1] == 0)).mean(),
                         "no_digit": 100 * (r[:, 0] == -1).mean(), "several": 100 * (r[:, 0] == -2).mean(),
                         "network_alone": 100 * (r[:, 2] == labels[: len(r)]).mean()}
    return results


def table(results: dict[str, dict]) -> str:
    lines = ["| MNIST-C corruption | n | as pictures: right / right but unsure / wrong and sure / no digit / "
             "several (%) | network alone on the raw 28 x 28 (%) |", "|---|---:|---|---:|"]
    for name, r in results.items():
        cells = " / ".join(f"{r[k]:.1f}" for k in ("right", "right_but_unsure", "wrong_and_sure", "no_digit", "several"))
        lines.append(f"| {name} | {r['n']} | {cells} | {r['network_alone']:.1f} |")
    mean = np.mean([r["right"] for r in results.values()])
    alone = np.mean([r["network_alone"] for r in results.values()])
    lines.append(f"| **mean** | | {mean:.2f} | {alone:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=1000, help="test digits per corruption (default 1000)")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated corruption names")
    sys.path.insert(0, str(ROOT))
    from build.reading import add_option, choose

    add_option(parser)
    args = parser.parse_args(argv)
    choose(args.read)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or None
    print(table(mnist_c_results(args.limit, args.processes, names)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
