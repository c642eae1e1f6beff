"""The shipped model on digits drawn the way people draw: real handwriting
(MNIST test digits traced into pen strokes) and printed styles, replayed at
several sizes, positions and screen resolutions; and marks that are not digits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from build.handwriting import NOT_DIGITS, OTHER_MARKS, PRINTED, flat, mnist_strokes, place
from build.pagedriver import mnist_test_images, mnist_test_labels
from build.reading import probabilities
from pynet.input.strokes import render_strokes
from pynet.training.confidence import judge

ROOT = Path(__file__).resolve().parents[1]
N = 400  # traced test digits
# (share of the canvas, left, top) on a 280-px canvas, and a 1,080-px one (a dense phone screen)
PLACEMENTS = {"100 %": (1.0, 0.0, 0.0, 280), "60 %, corner": (0.6, 0.38, 0.02, 280), "30 %": (0.3, 0.35, 0.35, 280),
              "30 %, dense screen": (0.3, 0.05, 0.6, 1080)}
pytestmark = pytest.mark.mnist
# Marks that are not digits the shipped model must leave unsure (of 8 and of 14;
# docs/accuracy.md, "Honest confidence"). Set from the shipped model
# (the first round's: 6 and 8; the MNIST-only model before it: 8 and 8; the
# issue's target is 8 of 8).
MARKS_UNSURE = 8
OTHER_MARKS_UNSURE = 12


@pytest.fixture(scope="module")
def model(shipped_model):
    return shipped_model


def drawn(strokes, share: float, left: float, top: float, canvas: float):
    return render_strokes([s * canvas for s in flat(place(strokes, left, top, share))], canvas_size=canvas)


@pytest.fixture(scope="module")
def traced():
    images, labels = mnist_test_images(N), mnist_test_labels(N)
    return [mnist_strokes(im) for im in images], labels


def test_real_handwriting_is_recognised_alike_at_every_size(model, traced, capsys):
    strokes, labels = traced
    predictions, figures = {}, {}
    for name, (share, left, top, canvas) in PLACEMENTS.items():
        x = np.stack([drawn(s, share, left, top, canvas) for s in strokes])
        predictions[name] = probabilities(model, x).argmax(axis=1)
        figures[name] = float((predictions[name] == labels).mean())
    with capsys.disabled():
        print("\ntraced MNIST digits, accuracy by size:", json.dumps(figures))
    for name, acc in figures.items():
        assert acc >= 0.97, (name, acc)
    reference = predictions["100 %"]
    for name, pred in predictions.items():
        assert (pred == reference).mean() >= 0.995, name  # the same answer, however big it was drawn


def test_printed_and_script_styles(model, capsys):
    names = list(PRINTED)
    for name_, (share, left, top, canvas) in PLACEMENTS.items():
        x = np.stack([drawn(PRINTED[n][1], share, left, top, canvas) for n in names])
        got = probabilities(model, x).argmax(axis=1)
        wrong = [n for n, g in zip(names, got) if g != PRINTED[n][0]]
        assert not wrong, (name_, wrong)


@pytest.mark.parametrize("marks, least", [(NOT_DIGITS, MARKS_UNSURE), (OTHER_MARKS, OTHER_MARKS_UNSURE)],
                         ids=["test marks", "marks in neither set"])
def test_marks_that_are_not_digits_come_out_unsure(model, marks, least, capsys):
    x = np.stack([drawn(s, 0.7, 0.15, 0.15, 280) for s in marks.values()])
    answers = [judge(p) for p in probabilities(model, x)]
    unsure = {name: a["unsure"] for name, a in zip(marks, answers)}
    with capsys.disabled():
        print("\nnot digits, marked unsure:", json.dumps(unsure))
    assert sum(unsure.values()) >= least, unsure


# Checked here on the first SUBSET test digits of each set; build/accuracy.py
# measures all 10,000 (docs/accuracy.md). The pen-image sets are checked by
# tests/test_pen_pictures.py. Two levels: what the shipped model
# reaches (measured on this subset, less about 0.7 points: a regression guard
# that must hold), and the issue's targets, which it does not all reach yet
# (an expected failure that turns into a failure once they are met, so the
# floor gets raised).
SUBSET = 600
FLOOR_RIGHT = {"MNIST test images": 99.0, "pynet tracer, as traced": 97.5, "pynet tracer, rotated up to ±20°": 97.0,
               "pynet tracer, 60 % width": 96.5, "pynet tracer, 140 % width": 96.5,
               "pynet tracer, slanted 11-22°": 97.0, "independent tracer, as traced": 97.5,
               "independent tracer, rotated up to ±20°": 97.5, "independent tracer, 60 % width": 97.0,
               "independent tracer, 140 % width": 97.0, "independent tracer, slanted 11-22°": 97.5,
               "unseen fonts, as typeset": 95.5, "unseen fonts, varied like a hand": 93.0,
               "hand-made printed styles": 100.0}
FLOOR_WRONG_AND_SURE = 2.0  # % of any set but the widest variation of unseen fonts (4.5)
TARGET_RIGHT = {"MNIST test images": 99.6, "as traced": 99.2, "rotated up to ±20°": 98.5, "60 % width": 98.5,
                "140 % width": 98.5, "slanted 11-22°": 98.5, "unseen fonts, as typeset": 99.0}
TARGET_WRONG_AND_SURE = 0.5


@pytest.fixture(scope="module")
def measured(model):
    from build.accuracy import build_sets, score

    return {name: score(model, x, y) for name, (x, y) in build_sets(SUBSET, processes=1, pictures=False).items()}


def test_drawn_digits_with_both_tracers_hold_the_shipped_models_level(measured, capsys):
    with capsys.disabled():
        print("\n" + "\n".join(f"{name}: {r['right']:.2f} % right, {r['right_unsure']:.2f} % right but unsure, "
                                f"{r['wrong_sure']:.2f} % wrong and sure" for name, r in measured.items()))
    assert all(any(name.endswith(key) for name in measured) for key in FLOOR_RIGHT)
    for name, r in measured.items():
        floor = next(t for key, t in FLOOR_RIGHT.items() if name.endswith(key))
        assert r["right"] >= floor, (name, r)
        assert r["wrong_sure"] <= (4.5 if name.endswith("varied like a hand") else FLOOR_WRONG_AND_SURE), (name, r)


@pytest.mark.xfail(strict=True, reason="issue 19's targets are not all reached yet (docs/accuracy.md)")
def test_drawn_digits_meet_the_issues_targets(measured):
    for name, r in measured.items():
        target = next((t for key, t in TARGET_RIGHT.items() if name.endswith(key)), None)
        if target is not None:
            assert r["right"] >= target, (name, r)
        if not name.endswith("varied like a hand"):
            assert r["wrong_sure"] <= TARGET_WRONG_AND_SURE, (name, r)


def test_real_digits_are_rarely_unsure(model):
    from build.pagedriver import first_test_digit_of_each_class
    from pynet.data.mnist import load_mnist

    data = load_mnist()
    answers = [judge(p) for p in probabilities(model, data.x_test[:2000])]
    assert np.mean([a["unsure"] for a in answers]) <= 0.025  # measured 2.25 % (the first round: 1.75 %); the target, 1.5 %, is not met yet
    assert len(first_test_digit_of_each_class()) == 10
