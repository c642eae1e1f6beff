"""Comparing two models on the test set (Evaluate's second model)."""

import numpy as np
import pytest
from test_notebook import page_session

from pynet.config import ModelConfig
from pynet.io.model_file import model_to_bytes
from pynet.nn.model import as_float_pixels, build_model


def evaluate(s, **args) -> tuple[dict, list[dict]]:
    s.jobs.start_evaluate(**args)
    updates = []
    while True:
        u = s.jobs.advance(1.0)
        updates.append(u["progress"])
        if u["done"]:
            return u["result"], updates


def test_two_models_disagreements_counted_and_shown_with_both_answers(tiny_mnist_dir):
    s = page_session(tiny_mnist_dir)
    s.models.add_model("other", model_to_bytes(build_model(ModelConfig(hidden=(8,), seed=5))))
    s.models.set_active("pretrained")
    report, progress = evaluate(s, compare="other")
    x, y = as_float_pixels(s.data.require().x_test), s.data.require().y_test
    a, b = s.models["pretrained"].model.predict(x), s.models["other"].model.predict(x)
    c = report["comparison"]
    assert report["model"] == c["first"] == "pretrained" and c["second"] == "other"
    assert c["disagreements"] == int((a != b).sum()) > 0
    assert c["first_right"] == int(((a != b) & (a == y)).sum()) and c["second_right"] == int(((a != b) & (b == y)).sum())
    assert c["first_right"] + c["second_right"] + c["neither_right"] == c["disagreements"]
    assert c["second_accuracy"] == pytest.approx(float((b == y).mean()))
    shown = np.flatnonzero(a != b)[:100]
    assert [g["index"] for g in c["gallery"]] == shown.tolist()
    assert all(g["first"] == a[g["index"]] and g["second"] == b[g["index"]] and g["true"] == y[g["index"]]
               for g in c["gallery"])
    assert len(c["gallery_pixels"]) == 784 * len(shown)
    assert all(p["total"] == 2 * len(y) for p in progress) and progress[-1]["images"] == 2 * len(y)  # both passes
    # The report itself is the first model's, as without a comparison.
    alone, _ = evaluate(s)
    assert alone["accuracy"] == report["accuracy"] and "comparison" not in alone


def test_comparing_with_a_model_that_is_not_held_is_refused(tiny_mnist_dir):
    s = page_session(tiny_mnist_dir)
    answer = s.handle("start_evaluate", {"compare": "nobody"})
    assert answer["error"]["kind"] == "not-found" and "no model named 'nobody'" in answer["error"]["message"]
    assert s.jobs.job is None
