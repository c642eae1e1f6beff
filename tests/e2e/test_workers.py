"""Training and evaluation on several workers (data parallelism, issue 20):
the same numbers as one worker, a helper that dies ends the run cleanly,
pause and resume, and Python's memory in each worker shown."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from build.pagedriver import (
    ROOT,
    draw_strokes,
    set_settings,
    settled_prediction,
    start_training,
    training_progress,
    wait_evaluated,
    wait_idle,
    wait_samples,
)
from pynet.browser.mnist_data import MnistData
from pynet.data.mnist import MNIST_FILES, find_mnist_dir
from pynet.io.model_file import load_model
from pynet.nn.model import build_model
from pynet.training.trainer import Trainer


def helpers(page) -> list:
    return [w for w in page.workers if w.url.endswith("/replica.js")]


def test_two_workers_train_what_one_worker_trains(app, tmp_path):
    """The TF.js example CNN on 2 workers, stopped after 20+ steps, saved: its
    weights are those of a one-worker run of as many steps (replayed natively
    here) to float32 rounding (1e-5 relative)."""
    app.get_by_test_id("preset-tfjs").click()
    set_settings(app, workers=2)
    start_training(app)
    wait_samples(app, 24 * 32)
    assert app.get_by_test_id("train-progress").get_attribute("data-workers") == "2"
    assert "on 2 workers" in app.get_by_test_id("train-text").text_content() or int(training_progress(app)["samples"]) > 0
    assert len(helpers(app)) == 1
    app.get_by_test_id("stop").click()
    wait_idle(app)
    with app.expect_download() as download:
        app.get_by_test_id("save-model").click()
    path = tmp_path / "two-workers.npz"
    download.value.save_as(path)
    shared = load_model(path)
    steps = shared.progress.steps
    assert steps >= 20 and shared.train_config.workers == 2

    mnist = MnistData()  # MNIST split exactly as the page's worker splits it
    directory = find_mnist_dir(ROOT)
    mnist.load_mnist(**{name: (directory / stem).read_bytes() for name, stem in MNIST_FILES.items()})
    trainer = Trainer(build_model(shared.model.config), replace(shared.train_config, workers=1), *mnist.train_split())
    run = trainer.steps()
    for _ in range(steps):
        next(run)
    for mine, theirs in zip(trainer.model.parameters(), shared.model.parameters()):
        assert np.linalg.norm(theirs - mine) <= 1e-5 * np.linalg.norm(mine)
    memory = app.get_by_test_id("memory")
    assert "helper worker" in memory.text_content() or memory.get_attribute("data-helper-bytes") is not None


def test_a_helper_that_dies_ends_the_run_with_the_last_step_kept(app, mnist_test_digits):
    app.get_by_test_id("preset-tfjs").click()
    set_settings(app, workers=2)
    start_training(app)
    wait_samples(app, 40 * 32)
    helpers(app)[0].evaluate("() => { setTimeout(() => { throw new Error('simulated crash'); }); }")
    wait_idle(app)
    text = app.get_by_test_id("train-text").text_content()
    assert text.startswith("Stopped: trained-1 is now the active model"), text
    assert "helper worker 2 stopped" in text and "last completed step" in text
    assert app.get_by_test_id("model-name").get_attribute("data-name") == "trained-1"
    assert app.get_by_test_id("status").get_attribute("data-state") == "ready"
    draw_strokes(app, mnist_test_digits[3])
    assert settled_prediction(app)["digit"] is not None  # the page goes on
    # A new run starts a new helper.
    set_settings(app, epochs=1)
    start_training(app)
    wait_samples(app, 10 * 32)
    assert len(helpers(app)) == 1
    app.get_by_test_id("stop").click()
    wait_idle(app)
    assert app.get_by_test_id("model-name").get_attribute("data-name") == "trained-2"


def test_pause_and_resume_with_two_workers(app):
    app.get_by_test_id("preset-tfjs").click()
    set_settings(app, workers=2)
    start_training(app)
    wait_samples(app, 10 * 32)
    app.get_by_test_id("pause").click()
    app.wait_for_function("() => document.querySelector('[data-testid=pause]').textContent === 'Resume'")
    paused_at = int(training_progress(app)["samples"])
    app.wait_for_timeout(1500)
    assert int(training_progress(app)["samples"]) <= paused_at + 32  # at most the step in flight
    app.get_by_test_id("pause").click()
    wait_samples(app, paused_at + 10 * 32)
    app.get_by_test_id("stop").click()
    wait_idle(app)


def test_evaluation_on_two_workers_reports_what_one_worker_reports(app):
    reports = {}
    for workers in (1, 2):
        set_settings(app, workers=workers)
        app.evaluate("() => document.querySelector('[data-testid=test-accuracy]').dataset.value = ''")
        app.get_by_test_id("evaluate").click()
        accuracy = wait_evaluated(app)
        cells = app.locator('[data-testid="confusion-matrix"] td').evaluate_all(
            "cells => cells.map(c => Number(c.dataset.count))")
        reports[workers] = (accuracy, cells, app.get_by_test_id("evaluated-model").text_content())
    assert reports[1][:2] == reports[2][:2]
    assert reports[2][2] == "(pretrained, 2 workers)" and reports[1][2] == "(pretrained)"
