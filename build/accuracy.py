"""How well the shipped model reads digits drawn the way people draw them,
measured on sets kept apart from training, beside an older model.

    python3 build/dev.py accuracy [-- --limit N] [-- --sets damaged]
    python -m build.accuracy [--model models/pretrained.npz] [--baseline OLD.npz] [--limit N] [--json FILE]
                             [--no-pictures] [--sets drawn,pens,photos,damaged] [--preprocess MODULE]
                             [--processes N]

Every set is made from data the recipe never trains or chooses on: MNIST's
*test* digits and the *test* font families (``pynet.data.fonts.TEST_FAMILIES``).
The groups of sets (``--sets``, ``GROUPS``; all by default):

- ``drawn``: MNIST's test images; test digits turned into strokes by two
  tracers -- pynet's own (``pynet.input.skeleton``, which training varies)
  and an independent one (``build/second_tracer.py``) -- and rendered by the
  page's renderer, as drawn, rotated up to +-20 degrees, squeezed to 60 % or
  stretched to 140 % of their width, and slanted; the test fonts;
- ``pens``: the traced digits (pynet's tracer) as pictures written on a
  280-px page with round 3, 8, 22 and 45 px pens (``build/pen_images.py``),
  read back by the picture path as ``pynet predict`` and the page's "Open
  an image" read a file (the target: within 1 point of the same digits
  drawn);
- ``photos``: the same traced digits written with a 3 and a 22 px pen and
  photographed on paper (``pen_images.paper_photo``: lighting, noise, dust,
  JPEG; also with a hard shadow, and with a dark table at two edges);
- ``damaged``: MNIST's test digits photographed on paper with the clutter
  real pictures carry (``build/damaged_pictures.py``: impulse noise and
  grain, a dark desk, frame or surface beside the page, ruled, dotted and
  graph paper, a line or zig-zag across or under the digit, outlined
  digits, spatter, blur), the first ``DAMAGED_N`` test digits each (issue 29).

Then (``--numbers N``, N a set; 0 leaves them out) numbers composed from the
test digits, drawn and as pictures (``build/number_accuracy.py``, issue 30),
and (``--mnist-c N``, N test digits a corruption) MNIST-C's 15 corruptions
made again, read as pictures and by the network alone (``build/mnist_c.py``).

``--preprocess`` reads the pictures with another copy of the picture path (a
module with ``preprocess_image``, e.g. the code before a change, put on
``PYTHONPATH``) to compare; ``--preprocess pynet.input.number_picture``
reads them as the page and ``pynet predict`` do, the number finder first
(``picture_number``, the shipped model choosing cuts): a picture of one
digit read as several is wrong, and unsure when any of them is. For each set it prints the share of right
answers, of right answers given as "unsure" (``pynet.training.confidence.judge``,
given for pictures the picture path's doubt and what it cleaned, ``preprocess.read_picture``), of
wrong answers given as sure, and of pictures where no digit was found; then
(with ``drawn``) how many marks that are not digits come out unsure (the 8
test marks, ``NOT_DIGITS``, and 14 marks in neither the test nor the
training, ``OTHER_MARKS``, on which the scribble families were chosen), and
the share of the first 2,000 real MNIST digits called unsure. It is a
measurement, not a test: it never fails.
The tests check the same targets on subsets (``tests/test_drawn_digits.py``,
``tests/test_pen_pictures.py``, ``tests/test_damaged_pictures.py``).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from build.damaged_pictures import KINDS, damaged_picture
from build.handwriting import NOT_DIGITS, OTHER_MARKS, PRINTED, flat
from build.pen_images import paper_photo, pen_image
from build.reading import add_option, choose, probabilities
from build.second_tracer import trace_strokes
from pynet.data import fonts
from pynet.data.mnist import load_mnist, train_val_split
from pynet.data.shipped_mix import as_uint8, plain_font_drawings
from pynet.data.stroke_variation import affine, vary
from pynet.data.traced_mnist import as_pixels, parallel_map
from pynet.input.skeleton import image_strokes
from pynet.input.strokes import render_strokes
from pynet.io.model_file import load_model
from pynet.nn.model import Sequential
from pynet.recipes import presets
from pynet.recipes.runs import SPLIT_SEED
from pynet.training.confidence import judge, judge_digits

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / ".cache" / "baseline" / "old-default.npz"
SEED = 20  # the variants' random angles and slants
FONT_VARIANTS = 10  # varied drawings of each test-font glyph
PEN_WIDTHS = (3, 8, 22, 45)  # px, on a PAGE_PX page: a fine liner to a fat marker
PAGE_PX = 280
PHOTO_PENS = (3, 22)  # px on a PAGE_PX page, photographed on a PHOTO_PX page
PHOTO_PX = 400
PHOTO_KINDS = ("lighting and vignetting", "a hard shadow", "a dark table at two edges")
DAMAGED_N = 1000  # test digits a damaged set holds (without --limit)
GROUPS = ("drawn", "pens", "photos", "damaged")
PICTURE_PATH = "pynet.input.preprocess"
CLEANED, DOUBTED = 1, 2  # a picture's doubt (preprocess.Picture): clutter cleaned off the digit; unsure whatever
AS_THE_PAGE = "pynet.input.number_picture"  # --preprocess: read as the page and pynet predict do, number finder first
SPLIT_SURE, SPLIT_UNSURE = 3, 4  # ... a picture of one digit read as several: wrong, with no digit unsure or some

Strokes = list[np.ndarray]


def pynet_tracer(image: np.ndarray) -> Strokes:
    return [np.asarray(s, dtype=np.float64) for s in image_strokes(np.asarray(image).reshape(28, 28))]


TRACERS: dict[str, Callable[[np.ndarray], Strokes]] = {"pynet tracer": pynet_tracer,
                                                      "independent tracer": trace_strokes}


def variants(i: int) -> dict[str, Callable[[Strokes], Strokes]]:
    """The ways each test digit is redrawn; random draws keyed by its index."""
    rng = np.random.default_rng((SEED, i))
    angle = rng.uniform(-20, 20)
    slant = rng.uniform(0.2, 0.4) * rng.choice([-1, 1])
    return {
        "as traced": lambda s: s,
        "rotated up to ±20°": lambda s: affine(s, angle, 0.0, 1.0),
        "60 % width": lambda s: affine(s, 0.0, 0.0, 0.6),
        "140 % width": lambda s: affine(s, 0.0, 0.0, 1.4),
        "slanted 11-22°": lambda s: affine(s, 0.0, slant, 1.0),
    }


def pen_set(pen: int) -> str:
    return f"traced digits, pynet tracer, as {PAGE_PX}-px images with a {pen} px pen"


def render(strokes: Strokes) -> np.ndarray:
    return as_pixels(render_strokes(strokes))


def photo_set(pen: int, kind: str) -> str:
    return f"traced digits, pynet tracer, written with a {pen} px pen and photographed on paper, {kind}"


def damaged_set(kind: str) -> str:
    return f"MNIST test digits photographed on paper: {kind}"


@functools.cache
def _shipped_model() -> Sequential:
    """The shipped model, for the number finder's choice of cuts (``AS_THE_PAGE``)."""
    return load_model(ROOT / "models" / "pretrained.npz").model


def _draw_chunk(args: tuple[np.ndarray, int, tuple[str, ...], str]) -> dict[str, np.ndarray]:
    """The sets of ``groups`` made of test digits ``first``, ``first + 1``,
    ...: every tracer's every variant (drawn), and pictures read by the
    picture path ``picture_path`` (a module with ``preprocess_image``): pen
    images (pens), photos of them (photos), damaged photos (damaged)."""
    images, first, groups, picture_path = args
    path = importlib.import_module(picture_path)
    doubts: dict[str, list[int]] = {}

    def read(picture: np.ndarray, name: str) -> np.ndarray:
        """The picture's input (a blank one for "no digit found"), its doubt
        noted under ``name``: ``DOUBTED``, ``CLEANED`` or 0."""
        if hasattr(path, "picture_number"):  # AS_THE_PAGE, with the shipped model choosing cuts
            found = path.picture_number(picture, _shipped_model().predict_proba)
            x = found[0].x if found else None
            doubt = 0 if not found else DOUBTED if found[0].doubt else CLEANED if found[0].cleaned else 0
            if len(found) > 1:
                answers = judge_digits(probabilities(_shipped_model(), np.stack([f.x for f in found])), found)
                doubt = SPLIT_UNSURE if any(a["unsure"] for a in answers) else SPLIT_SURE
        elif hasattr(path, "read_picture"):
            read = path.read_picture(picture)
            x = read.input if read is not None else None
            doubt = 0 if read is None else DOUBTED if read.doubt else CLEANED if read.cleaned else 0
        else:  # a copy of the picture path from before it had doubts
            x, doubt = path.preprocess_image(picture), 0
        doubts.setdefault(name, []).append(doubt)
        return as_pixels(x) if x is not None else np.zeros(784, np.uint8)

    drawn: dict[str, list[np.ndarray]] = {}
    for tracer_name, tracer in TRACERS.items():
        if not {"drawn", "pens", "photos"} & set(groups) or ("drawn" not in groups and tracer is not pynet_tracer):
            continue
        for i, image in enumerate(images, start=first):
            strokes = tracer(image)
            if "drawn" in groups:
                for name, redraw in variants(i).items():
                    drawn.setdefault(f"traced digits, {tracer_name}, {name}", []).append(render(redraw(strokes)))
            if tracer is not pynet_tracer:
                continue
            if "pens" in groups:
                for pen in PEN_WIDTHS:
                    drawn.setdefault(pen_set(pen), []).append(read(pen_image(strokes, pen, page_px=PAGE_PX),
                                                                   pen_set(pen)))
            if "photos" in groups:
                for pen in PHOTO_PENS:
                    ink = pen_image(strokes, pen * PHOTO_PX / PAGE_PX, page_px=PHOTO_PX)
                    for k, kind in enumerate(PHOTO_KINDS):
                        photo = paper_photo(ink, seed=i, shadow=k == 1, table=k == 2)
                        drawn.setdefault(photo_set(pen, kind), []).append(read(photo, photo_set(pen, kind)))
    if "damaged" in groups:
        for kind in KINDS:
            for i, image in enumerate(images, start=first):
                drawn.setdefault(damaged_set(kind), []).append(read(damaged_picture(kind, image, i), damaged_set(kind)))
    return {name: np.stack(images) for name, images in drawn.items()} | \
        {f"{name} (doubt)": np.array(values) for name, values in doubts.items()}


def build_sets(limit: int | None, processes: int | None = None, validation: bool = False, pictures: bool = True,
               groups: tuple[str, ...] = GROUPS, picture_path: str = PICTURE_PATH
               ) -> dict[str, tuple[np.ndarray, ...]]:
    """name -> (uint8 images (N, 784), labels), and for pictures the picture
    path's doubts (N,) int (``CLEANED``, ``DOUBTED`` or 0:
    ``preprocess.Picture``); the drawing on
    every core.
    ``validation``: the same sets made from the recipe's held-out training
    images and validation font families instead (to choose a recipe on).
    ``pictures``: with the picture sets (pens, photos, damaged: about 0.2 s
    of CPU a digit, most of the time; ``tests/test_pen_pictures.py`` and
    ``tests/test_damaged_pictures.py`` check them apart). ``groups``: which
    of ``GROUPS``; the damaged sets hold the first ``DAMAGED_N`` test digits
    (or ``limit``) and are never made from training digits."""
    data = load_mnist()
    x_test, y_test = as_uint8(data.x_test), data.y_test
    families = fonts.TEST_FAMILIES
    if validation:
        _, _, x_test, y_test = train_val_split(as_uint8(data.x_train), data.y_train, presets.PRETRAINED_VAL_SIZE,
                                               seed=SPLIT_SEED)
        families = fonts.VALIDATION_FAMILIES
        groups = tuple(g for g in groups if g != "damaged")  # test digits only
    if not pictures:
        groups = tuple(g for g in groups if g == "drawn")
    sets = {}
    if "drawn" in groups:
        sets["MNIST test images" if not validation else "MNIST validation images"] = \
            (x_test[:limit] if limit else x_test, y_test[:limit] if limit else y_test)
    for chosen, n in ((tuple(g for g in groups if g != "damaged"), limit), (("damaged",), limit or DAMAGED_N)):
        if not chosen or not set(chosen) & set(groups):
            continue
        x, y = (x_test[:n], y_test[:n]) if n else (x_test, y_test)
        parts = parallel_map(_draw_chunk, [(x[s : s + 250], s, chosen, picture_path) for s in range(0, len(x), 250)],
                             processes)
        for name in parts[0]:
            if not name.endswith(" (doubt)"):
                doubt = f"{name} (doubt)"
                sets[name] = (np.concatenate([p[name] for p in parts]), y) + \
                    ((np.concatenate([p[doubt] for p in parts]),) if doubt in parts[0] else ())
    if "drawn" not in groups:
        return sets
    fx, fy, _ = plain_font_drawings(families)
    sets["unseen fonts, as typeset"] = (fx, fy)
    glyphs = fonts.digit_glyphs(families)
    varied = [render(vary(s, np.random.default_rng((SEED, g, c)))) for g, (_, s, _) in enumerate(glyphs)
              for c in range(FONT_VARIANTS)]
    sets["unseen fonts, varied like a hand"] = (np.stack(varied), np.repeat(fy, FONT_VARIANTS))
    sets["hand-made printed styles"] = (np.stack([render(flat(s)) for _, s in PRINTED.values()]),
                                        np.array([d for d, _ in PRINTED.values()]))
    return sets


def score(model: Sequential, x: np.ndarray, y: np.ndarray, doubt: np.ndarray | None = None) -> dict[str, float]:
    """Shares (%) of right answers, right-but-unsure, wrong-and-sure, and of
    pictures where no digit was found (a blank input: neither right nor
    sure, the page says "no digit found"). Unsure: ``judge``'s, given the
    picture path's ``doubt`` (N,) int (``CLEANED``, ``DOUBTED``, 0)."""
    probs = probabilities(model, x.astype(np.float32) / 255)
    pred = probs.argmax(axis=1)
    found = x.any(axis=1)
    doubt = np.zeros(len(y), int) if doubt is None else doubt
    unsure = np.array([judge(p, d == DOUBTED, d == CLEANED)["unsure"] or d == SPLIT_UNSURE
                       for p, d in zip(probs, doubt)])
    right = (pred == y) & found & (doubt < SPLIT_SURE)  # a digit read as several is wrong
    return {"n": len(y), "right": 100 * right.mean(), "right_unsure": 100 * (right & unsure).mean(),
            "wrong_sure": 100 * (~right & ~unsure & found).mean(), "no_digit": 100 * (~found).mean()}


def marks_unsure(model: Sequential, marks: dict[str, list] = NOT_DIGITS) -> str:
    """How many of ``marks`` come out unsure, and what the others are read as."""
    x = np.stack([render(flat(s)) for s in marks.values()]).astype(np.float32) / 255
    answers = [judge(p) for p in probabilities(model, x)]
    sure = [f"{name} as {a['digit']}" for name, a in zip(marks, answers) if not a["unsure"]]
    return f"{len(marks) - len(sure)} of {len(marks)}" + (f" ({', '.join(sure)})" if sure else "")


def real_digits_unsure(model: Sequential, x: np.ndarray) -> str:
    """Share of real digits (uint8 images) the page would call unsure, right or wrong."""
    unsure = np.mean([judge(p)["unsure"] for p in probabilities(model, x.astype(np.float32) / 255)])
    return f"{100 * unsure:.2f} %"


def table(results: dict[str, dict[str, dict]], names: list[str]) -> str:
    head = "| set | n | " + " | ".join(f"{m}: right / right but unsure / wrong and sure (%)" for m in names) + " |"
    lines = [head, "|---|---:|" + "---|" * len(names)]
    for set_name in results[names[0]]:
        cells = []
        for m in names:
            r = results[m][set_name]
            cells.append(r if isinstance(r, str) else f"{r['right']:.2f} / {r['right_unsure']:.2f} / {r['wrong_sure']:.2f}"
                         + (f" (no digit found: {r['no_digit']:.2f})" if r.get("no_digit") else ""))
        n = results[names[0]][set_name]
        lines.append(f"| {set_name} | {n['n'] if isinstance(n, dict) else ''} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "pretrained.npz")
    parser.add_argument("--baseline", type=Path, default=BASELINE,
                        help="an older model to compare with (skipped when the file is missing)")
    parser.add_argument("--also", type=Path, action="append", default=[],
                        help="another model to measure beside them (repeatable; named after its file)")
    parser.add_argument("--limit", type=int, help="only the first N test digits (a quick look)")
    parser.add_argument("--json", type=Path, default=ROOT / "accuracy-report.json")
    parser.add_argument("--no-pictures", action="store_true", help="leave out the pen-image sets (most of the "
                        "time: about 0.2 s of CPU a digit)")
    parser.add_argument("--numbers", type=int, default=200, help="numbers in each number set (build/number_accuracy.py; "
                        "0 leaves them out)")
    parser.add_argument("--mnist-c", type=int, default=1000, help="test digits per MNIST-C corruption "
                        "(build/mnist_c.py, the published benchmark of damaged digits, made again; 0 leaves it out)")
    parser.add_argument("--validation", action="store_true", help="measure on the recipe's held-out training "
                        "digits and validation fonts instead of the test sets (for choosing a recipe)")
    parser.add_argument("--sets", default=",".join(GROUPS), help="which groups of sets, comma-separated: "
                        f"{', '.join(GROUPS)} (default: all)")
    parser.add_argument("--preprocess", default=PICTURE_PATH, help="the module whose preprocess_image reads "
                        f"the pictures (default {PICTURE_PATH}; e.g. a copy of the code before a change; "
                        f"{AS_THE_PAGE}: as the page reads them, the number finder first)")
    parser.add_argument("--processes", type=int, help="worker processes (default: every core)")
    add_option(parser)
    args = parser.parse_args(argv)
    choose(args.read)
    groups = tuple(g.strip() for g in args.sets.split(",") if g.strip())
    if not groups or set(groups) - set(GROUPS):
        parser.error(f"--sets takes {', '.join(GROUPS)}, got {args.sets!r}")
    start = time.perf_counter()
    models = {"shipped": load_model(args.model).model}
    if args.baseline.is_file():
        models["baseline"] = load_model(args.baseline).model
    else:
        print(f"[accuracy] no baseline model at {args.baseline}; measuring the shipped model alone", flush=True)
    for path in args.also:
        models[path.stem] = load_model(path).model
    sets = build_sets(args.limit, args.processes, validation=args.validation, pictures=not args.no_pictures,
                      groups=groups, picture_path=args.preprocess)
    print(f"[accuracy] {len(sets)} sets drawn in {time.perf_counter() - start:.0f} s", flush=True)
    results = {name: {s: score(m, *data) for s, data in sets.items()} for name, m in models.items()}
    if "drawn" in groups:
        first = next(iter(sets.values()))[0][:2000]  # the MNIST images (test or held-out)
        for name, m in models.items():
            results[name] |= {"non-digit marks unsure": marks_unsure(m),
                              "marks in neither set unsure (validation marks)": marks_unsure(m, OTHER_MARKS),
                              "real digits unsure (the first 2,000 MNIST images)": real_digits_unsure(m, first)}
    print(table(results, list(models)))
    if args.numbers:
        from build.number_accuracy import number_results
        from build.number_accuracy import table as number_table

        results["numbers (shipped model)"] = number_results(models["shipped"], args.numbers)
        print(number_table(results["numbers (shipped model)"]))
    if args.mnist_c and not args.validation:
        from build.mnist_c import mnist_c_results
        from build.mnist_c import table as mnist_c_table

        results["MNIST-C (shipped model)"] = mnist_c_results(args.mnist_c, args.processes or os.cpu_count() or 1)
        print(mnist_c_table(results["MNIST-C (shipped model)"]))
    args.json.write_text(json.dumps(results, indent=2))
    print(f"[accuracy] {time.perf_counter() - start:.0f} s; written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
