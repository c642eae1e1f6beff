"""How well pynet reads numbers: sets composed from MNIST *test* digits
(``build/number_sets.py``), 2, 4 and 6 digits, spacing from touching to wide
(each number's spacing drawn in turn from ``SPACINGS``), as drawings on the
page's renderer and as pictures (scans of the bitmaps, traced digits written
with a thin pen), read as the page and ``pynet predict`` read them
(``number_drawing.drawing_digits``; ``number_picture.picture_number`` with
the network choosing cuts). For each set: numbers read wholly right, digits
right (position by position, when as many digits were found), numbers wrong
with no digit marked unsure (a digit is unsure when the network is, or when
finding it is in doubt: ``FoundDigit.doubt``), numbers right with a digit
marked unsure (of those right); then the touching pairs alone (2-digit numbers
whose digits' boxes overlap).

    python -m build.number_accuracy [--model models/pretrained.npz] [--numbers N]

Also run by ``build/accuracy.py`` (``--numbers N``). A measurement, not a test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from build.number_sets import SPACINGS, Number, compose, desk_picture, pen_picture, scan_picture
from build.reading import add_option, choose, probabilities
from pynet.data.mnist import load_mnist
from pynet.input.number_drawing import FoundDigit, drawing_digits, single_digit
from pynet.input.number_picture import picture_number
from pynet.io.model_file import load_model
from pynet.nn.model import Sequential
from pynet.training.confidence import judge_digits, judge_number

ROOT = Path(__file__).resolve().parents[1]
SEED = 30
FORMS = ("drawn", "scanned bitmaps", "thin pen (3 px)")
GIVEN = "drawn, each digit's own strokes (what finding the digits allows)"
DESK = "beside a dark desk (scans and thin pen in turn)"
WIDE = 2.5  # the page's "Write a number" area is 5:2: drawn numbers are read on a canvas of that shape


def canvas(number: Number) -> tuple[float, float]:
    """The drawing area ``number`` is drawn on: as high as composed, at least ``WIDE`` times as wide."""
    return max(number.width, WIDE * number.height), number.height


def read(model: Sequential, number: Number, form: str, images: np.ndarray) -> list[dict]:
    """The digits pynet reads in ``number`` given as ``form``, left to right
    (``judge_digits``' answers), and the same judged by the network alone
    (``doubt`` and ``cleaned`` not counted: as before the finding's doubts were)."""
    if form == GIVEN:
        found = [FoundDigit(x, (0.0, 0.0, 0.0, 0.0)) for group in number.digits()
                 if (x := single_digit(group, *canvas(number))) is not None]
    elif form == "drawn":
        found = drawing_digits(number.strokes, *canvas(number))
    else:
        if form == DESK:
            picture = desk_picture(number, images, SEED)
        else:
            picture = scan_picture(number, images) if form == "scanned bitmaps" else pen_picture(number)
        found = picture_number(picture, model.predict_proba)
    if not found:
        return [], []
    probs = probabilities(model, np.stack([f.x for f in found]))
    blank = [""] * len(found)
    return judge_digits(probs, found), judge_number(probs, blank, blank)


def score(model: Sequential, numbers: list[Number], form: str, images: np.ndarray) -> dict:
    """Shares (%): numbers right, digits right, numbers wrong with no digit
    unsure, numbers right with a digit marked unsure (of those right); the
    last two also as the network alone would mark them (``_network``)."""
    right = digits = sure_wrong = total_digits = right_unsure = sure_wrong_net = right_unsure_net = 0
    for number in numbers:
        answer, network = read(model, number, form, images)
        text = "".join(str(a["digit"]) for a in answer)
        right += text == number.label
        total_digits += len(number.label)
        if len(text) == len(number.label):
            digits += sum(a == b for a, b in zip(text, number.label))
        sure_wrong += text != number.label and not any(a["unsure"] for a in answer)
        right_unsure += text == number.label and any(a["unsure"] for a in answer)
        sure_wrong_net += text != number.label and not any(a["unsure"] for a in network)
        right_unsure_net += text == number.label and any(a["unsure"] for a in network)
    n, ok = len(numbers), max(right, 1)
    return {"n": n, "numbers_right": 100 * right / n, "digits_right": 100 * digits / total_digits,
            "wrong_and_sure": 100 * sure_wrong / n, "right_but_unsure": 100 * right_unsure / ok,
            "wrong_and_sure_network": 100 * sure_wrong_net / n, "right_but_unsure_network": 100 * right_unsure_net / ok}


def number_results(model: Sequential, count: int) -> dict[str, dict]:
    """Every set's scores, ``count`` numbers a set."""
    data = load_mnist()
    images = np.round(data.x_test.reshape(-1, 28, 28) * 255).astype(np.uint8)
    labels = data.y_test
    spacings = list(SPACINGS)
    results = {}
    for n_digits in (2, 4, 6):
        rng = np.random.default_rng((SEED, n_digits))
        numbers = [compose(images, labels, n_digits, spacings[i % 3], rng) for i in range(count)]
        for form in (*FORMS, GIVEN) + ((DESK,) if n_digits == 4 else ()):
            results[f"{n_digits}-digit numbers, {form}"] = score(model, numbers, form, images)
    rng = np.random.default_rng((SEED, 0))
    pairs = [compose(images, labels, 2, "touching", rng) for _ in range(count)]
    pairs = [p for p in pairs if p.touching.all()]
    for form in FORMS:
        results[f"touching pairs, {form}"] = score(model, pairs, form, images)
    return results


def table(results: dict[str, dict]) -> str:
    lines = ["| set | n | numbers right (%) | digits right (%) | wrong and sure (%) | right but unsure (%) "
             "| wrong and sure, network alone (%) | right but unsure, network alone (%) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['n']} | {r['numbers_right']:.1f} | {r['digits_right']:.1f} | "
                     f"{r['wrong_and_sure']:.1f} | {r['right_but_unsure']:.1f} | {r['wrong_and_sure_network']:.1f} | "
                     f"{r['right_but_unsure_network']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "pretrained.npz")
    parser.add_argument("--numbers", type=int, default=200, help="numbers in each set")
    add_option(parser)
    args = parser.parse_args(argv)
    choose(args.read)
    start = time.perf_counter()
    print(table(number_results(load_model(args.model).model, args.numbers)))
    print(f"[numbers] {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
