"""Pictures of digits get the drawing's treatment: the shipped model answers
the same for a traced test digit drawn on the page and for a picture of it
written with a 3, 8, 22 or 45 px pen on a 280 px page -- light on dark, dark
on light, on a transparent layer, photographed on paper -- through the
library and through ``pynet predict``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from build.handwriting import flat, mnist_strokes
from build.pagedriver import mnist_test_images, mnist_test_labels
from build.pen_images import paper_photo, pen_image
from build.reading import probabilities
from pynet.input.preprocess import preprocess_image
from pynet.input.strokes import render_strokes

ROOT = Path(__file__).resolve().parents[1]
N = 200  # traced test digits
PENS = (3, 8, 22, 45)  # px, on a 280 px page
pytestmark = pytest.mark.mnist


@pytest.fixture(scope="module")
def model(shipped_model):
    return shipped_model


@pytest.fixture(scope="module")
def digits(model):
    labels = mnist_test_labels(N)
    strokes = [mnist_strokes(im) for im in mnist_test_images(N)]
    drawn = probabilities(model, np.stack([render_strokes(flat(s)) for s in strokes])).argmax(axis=1)
    return strokes, labels, drawn


@pytest.fixture(scope="module")
def pen_pictures(digits):
    strokes, _, _ = digits
    return {pen: [pen_image(s, pen) for s in strokes] for pen in PENS}


def predict(model, pictures) -> np.ndarray:
    inputs = [preprocess_image(p) for p in pictures]
    assert all(x is not None for x in inputs)
    return probabilities(model, np.stack(inputs)).argmax(axis=1)


def test_pictures_at_every_pen_width_answer_like_the_drawing(model, digits, pen_pictures, capsys):
    """The same answer as the drawing for at least 97.5 % of the digits at
    every pen width. (On 1,000 digits each pen's accuracy was within 1 point
    of the drawing's -- see README; on 200, a few borderline digits move it
    by up to 2.)"""
    _, labels, drawn = digits
    figures = {"drawn": float((drawn == labels).mean())}
    for pen in PENS:
        answers = predict(model, pen_pictures[pen])
        figures[f"{pen} px"] = float((answers == labels).mean())
        figures[f"{pen} px, as drawn"] = float((answers == drawn).mean())
        assert figures[f"{pen} px, as drawn"] >= 0.975, figures
        assert figures[f"{pen} px"] >= figures["drawn"] - 0.02, figures
    with capsys.disabled():
        print(f"\n{N} traced test digits, accuracy drawn and as pictures by pen width:", json.dumps(figures))


@pytest.mark.parametrize("pen", PENS)
def test_polarity_and_transparency_change_no_answer(model, pen_pictures, pen):
    light = pen_pictures[pen][:50]
    base = predict(model, light)
    for name, pictures in {
        "dark on light": [255 - p for p in light],
        "blue ink on a transparent layer": [np.dstack([np.full_like(p, 30), np.full_like(p, 60),
                                                       np.full_like(p, 200), p]) for p in light],
    }.items():
        assert (predict(model, pictures) == base).mean() >= 0.98, (pen, name)


@pytest.mark.parametrize("kind", ["gradient", "shadow", "table"])
def test_photos_of_paper_answer_like_the_drawing(model, digits, kind, capsys):
    strokes, labels, drawn = digits
    n = 60
    figures = {}
    for pen in PENS:
        photos = [paper_photo(pen_image(s, pen * 400 / 280, page_px=400), seed=i, shadow=kind == "shadow",
                              table=kind == "table") for i, s in enumerate(strokes[:n])]
        answers = predict(model, photos)
        figures[f"{pen} px"] = float((answers == drawn[:n]).mean())
        assert figures[f"{pen} px"] >= 0.95, (kind, figures)
    with capsys.disabled():
        print(f"\nphotos ({kind}) of {n} traced digits, answers as drawn:", json.dumps(figures))


def test_pynet_predict_answers_image_files_as_the_library_does(model, digits, pen_pictures, tmp_path,
                                                               shipped_model_path):
    from PIL import Image

    n = 25
    files, expected = [], []
    for pen in PENS:
        pictures = [255 - p if i % 2 else p for i, p in enumerate(pen_pictures[pen][:n])]  # half dark on light
        expected += predict(model, pictures).tolist()
        for i, picture in enumerate(pictures):
            files.append(str(tmp_path / f"pen{pen}-{i}.png"))
            Image.fromarray(picture).save(files[-1])
    proc = subprocess.run([sys.executable, "-m", "pynet", "predict", "--model", str(shipped_model_path),
                           *files], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    # One answer a file; a lone digit the number finder cut in two (a 5 whose flag stands apart, a
    # wide 3: 1 to 2 % of them, docs/numbers.md) is read as a number whose every digit is marked unsure.
    read = [line.split(": ")[1].split(" ")[0] for line in proc.stdout.strip().splitlines()]
    assert len(read) == len(expected)
    cut = [r for r in read if len(r.replace("?", "")) > 1]
    assert len(cut) <= 0.02 * len(read) and all(r.count("?") == len(r) // 2 for r in cut), cut
    assert [int(r) for r in read if r not in cut] == [e for r, e in zip(read, expected) if r not in cut]
