"""Looking inside through the page: explain a prediction, step through one
training batch, check the gradients -- on the shipped CNN and on a dense
network trained in the tab -- with numbers that match the library's."""

from __future__ import annotations

import numpy as np
import pytest

from build.handwriting import PRINTED, flat, place
from build.pagedriver import (
    active_model,
    canvas_box,
    draw_path,
    set_settings,
    settled_prediction,
    start_training,
    wait_idle,
    wait_model,
    wait_samples,
)


def open_panel(page, testid: str) -> None:
    panel = page.get_by_test_id(testid)
    if not panel.evaluate("el => el.open"):
        panel.locator("summary").click()


def wait_explained(page) -> None:
    page.wait_for_function("() => document.querySelector('[data-testid=explain]').dataset.busy === 'false'",
                           timeout=30_000, polling=100)


def library_explanation(page, dist_dir, strokes, share, left, top):
    """What pynet computes for the same pointer path (in the canvas's CSS px)."""
    from pynet.input.strokes import render_strokes
    from pynet.inside.explain import explain
    from pynet.io.model_file import load_model

    box = canvas_box(page)
    path = [s * box["width"] for s in flat(place(strokes, left, top, share))]
    x = render_strokes(path, canvas_size=box["width"])
    return explain(load_model(dist_dir / "models" / "default.npz").model, x)


def test_explain_follows_the_drawing_and_matches_the_library(app, dist_dir):
    open_panel(app, "explain")
    strokes = PRINTED["3 round"][1]
    draw_path(app, strokes, 0.8, 0.1, 0.1)
    answer = settled_prediction(app)
    wait_explained(app)
    panel = app.get_by_test_id("explain")
    assert panel.get_attribute("data-digit") == answer["digit"] == "3"
    expected = library_explanation(app, dist_dir, strokes, 0.8, 0.1, 0.1)
    layers = app.get_by_test_id("activations").locator(".layer")
    assert layers.count() == len(expected["layers"]) == int(app.get_by_test_id("activations").get_attribute("data-layers"))
    assert layers.evaluate_all("els => els.map(e => e.dataset.layer)") == [e["layer"] for e in expected["layers"]]
    first = expected["layers"][0]  # the first convolution: one feature map per channel
    assert layers.first.locator("canvas").count() == min(64, first["channels"])
    saliency = float(app.get_by_test_id("saliency").get_attribute("data-max"))
    assert saliency == pytest.approx(expected["saliency_max"], rel=0.1)
    assert app.get_by_test_id("contributions").locator("li").count() >= 8
    # It follows the drawing, live.
    app.get_by_test_id("clear").click()
    draw_path(app, PRINTED["7 plain"][1], 0.5, 0.3, 0.3)
    settled_prediction(app)
    app.wait_for_function("() => document.querySelector('[data-testid=explain]').dataset.digit === '7'",
                          timeout=30_000, polling=100)
    app.get_by_test_id("clear").click()
    app.wait_for_function("() => document.querySelector('[data-testid=explain]').dataset.digit === ''",
                          timeout=30_000, polling=100)


def test_step_through_one_batch_then_apply_it(app, dist_dir):
    from pynet.browser.session import Session
    from pynet.data.mnist import MNIST_FILES, find_mnist_dir

    open_panel(app, "step-panel")
    stages = []
    for expected_stage in ("forward", "loss", "backward", "update"):
        app.get_by_test_id("step-batch").click()
        app.wait_for_function(f"() => document.querySelector('[data-testid=step-view]').dataset.stage === '{expected_stage}'",
                              timeout=120_000, polling=100)
        rows = app.get_by_test_id("step-view").locator("tr[data-name]")
        stages.append((rows.evaluate_all("els => els.map(e => e.dataset.name)"),
                       app.get_by_test_id("step-stage").get_attribute("data-loss")))
        assert app.get_by_test_id("step-view").locator("code").count() >= 1  # the line of pynet that computed it
    assert active_model(app) == "pretrained"  # nothing changes until the step is applied
    # The same step natively: the same arrays, the same loss.
    session = Session()
    session.models.add_model("pretrained", (dist_dir / "models" / "default.npz").read_bytes())
    mnist = find_mnist_dir()
    session.data.load_mnist(**{k: (mnist / v).read_bytes() for k, v in MNIST_FILES.items()})
    settings = {name: app.locator(f"[name={name}]").input_value() for name in ("lr", "batch_size", "epochs", "seed",
                                                                               "optimizer", "schedule")}
    session.inside.start_step(settings)
    native = [session.inside.step_stage() for _ in range(4)]
    for (names, loss), result in zip(stages, native):
        assert names == [a["name"] for a in result["arrays"]]
        if result["loss"] is not None:
            assert float(loss) == pytest.approx(result["loss"], rel=1e-4)
    app.get_by_test_id("step-apply").click()
    wait_model(app, "pretrained+step")
    assert app.get_by_test_id("step-apply").is_disabled()


def test_gradient_check_on_the_shipped_cnn_and_on_a_model_trained_in_the_tab(app):
    open_panel(app, "gradient-check-panel")

    def check() -> float:
        app.get_by_test_id("gradient-check").click()
        app.wait_for_function("() => document.querySelector('[data-testid=gradient-check-panel]').dataset.busy === 'false'"
                              " && document.querySelector('[data-testid=gradient-check-verdict]').dataset.maxRelError !== ''",
                              timeout=120_000, polling=100)
        return float(app.get_by_test_id("gradient-check-verdict").get_attribute("data-max-rel-error"))

    assert check() < 1e-4
    rows = app.get_by_test_id("gradient-check-results").locator("tr[data-layer]")
    from pynet.recipes.presets import PRETRAINED_MODEL

    assert rows.count() == 3 * len(PRETRAINED_MODEL.param_shapes())
    assert all(float(e) < 1e-4 for e in rows.evaluate_all("els => els.map(e => e.dataset.relError)"))

    # A dense network trained here: explain and check it too.
    set_settings(app, architecture="mlp", hidden_layers="32", epochs=1)
    start_training(app)
    wait_samples(app, 3000)
    app.get_by_test_id("stop").click()
    wait_model(app, "trained-1")
    wait_idle(app)
    assert check() < 1e-4
    app.get_by_test_id("gradient-check-panel").locator("summary").click()  # close it
    open_panel(app, "explain")
    draw_path(app, PRINTED["4 open"][1], 0.7, 0.15, 0.15)
    settled_prediction(app)
    wait_explained(app)
    layers = app.get_by_test_id("activations").locator(".layer")
    assert layers.count() == 3 and layers.first.locator("canvas.strip").count() == 1  # Dense, ReLU, Dense
    assert app.get_by_test_id("contributions-title").text_content().startswith("The hidden units")


def test_the_views_fit_a_phone(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 667}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(site_url)
    page.wait_for_selector('[data-testid="status"][data-state="ready"]', timeout=60_000)
    for testid in ("explain", "step-panel", "gradient-check-panel"):
        open_panel(page, testid)
    draw_path(page, PRINTED["2 curved"][1], 0.8, 0.1, 0.1)
    settled_prediction(page)
    wait_explained(page)
    page.get_by_test_id("step-batch").click()
    page.wait_for_function("() => document.querySelector('[data-testid=step-view]').dataset.stage === 'forward'",
                           timeout=120_000, polling=100)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert np.isfinite(float(page.get_by_test_id("saliency").get_attribute("data-max")))
    context.close()
