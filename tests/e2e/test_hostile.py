"""Hostile input through the page: bad model files, several tabs, a captive
portal, and state that must not be lost."""

from __future__ import annotations

import io
import json

import numpy as np

from build.pagedriver import (
    active_model,
    draw_strokes,
    error_text,
    set_settings,
    settled_prediction,
    wait_idle,
    wait_model,
    wait_ready,
    wait_samples,
)
from hostile_models import good_model, hostile

STORED = """async () => {
    const db = await new Promise((ok, fail) => { const r = indexedDB.open('pynet', 1);
        r.onupgradeneeded = () => r.result.createObjectStore('kv'); r.onsuccess = () => ok(r.result); r.onerror = fail; });
    const get = (key) => new Promise((ok) => { const q = db.transaction('kv').objectStore('kv').get(key);
        q.onsuccess = () => ok(q.result); q.onerror = () => ok(null); });
    const model = await get('model'), samples = await get('samples');
    db.close();
    return { model: model ? [model.name, model.bytes.length] : null, samples: samples ? samples.length : 0 };
}"""

SAMPLE = ["text.npz", "half.npz", "bzip2-bomb-member.npz", "declares-2GB.npz", "npy-asks-373GiB.npz",
          "pickled-object.npz", "nan-weight.npz", "architecture-deep.npz", "architecture-5000-digits.npz",
          "architecture-100-inputs.npz", "architecture-12-classes.npz", "architecture-55M-params.npz",
          "optimizer-t-infinity.npz", "duplicate-member.npz", "encrypted.npz", "300-entries.npz",
          "huge-finite-weights.npz", "batch-norm-negative-variance.npz", "batch-norm-version-2.npz",
          "architecture-code-point-above-10ffff.npz", "metadata-escaped-lone-surrogate.npz"]


def teach_one_sample(app, image) -> None:
    draw_strokes(app, image)
    settled_prediction(app)
    app.get_by_test_id("teach-add").click()
    app.wait_for_selector('[data-testid="teach-count"][data-count="1"]')


def test_hostile_files_change_nothing(app, dist_dir, tmp_path, mnist_test_digits):
    good = (dist_dir / "models" / "default.npz").read_bytes()
    # A saved model of the person's own, a taught sample and a drawing on screen.
    (tmp_path / "mine.npz").write_bytes(good)
    app.get_by_test_id("load-model").set_input_files(str(tmp_path / "mine.npz"))
    wait_model(app, "mine")
    app.wait_for_selector('[data-testid="model-name"][data-remembered="true"]')
    teach_one_sample(app, mnist_test_digits[3])
    app.get_by_test_id("clear").click()
    draw_strokes(app, mnist_test_digits[2])
    before = settled_prediction(app)
    stored = app.evaluate(STORED)
    assert stored["model"][0] == "mine" and stored["samples"] == 1

    corpus = hostile(good_model())
    for name in SAMPLE:
        data, _reason = corpus[name]
        path = tmp_path / name
        path.write_bytes(data)
        app.get_by_test_id("load-model").set_input_files(str(path))
        app.wait_for_function(f"() => document.querySelector('[data-testid=error-text]').textContent.includes({name!r})",
                              timeout=10_000)
        text = error_text(app)
        assert len(text) < 500, text  # a message, not a dump
        assert active_model(app) == "mine", name
        assert app.evaluate(STORED) == stored, name
        assert settled_prediction(app)["probs"] == before["probs"], name
    assert app.get_by_test_id("teach-count").get_attribute("data-count") == "1"
    assert "100 inputs" in _message_for(app, tmp_path, corpus, "architecture-100-inputs.npz")
    assert "12 classes" in _message_for(app, tmp_path, corpus, "architecture-12-classes.npz")
    assert "20,000,000" in _message_for(app, tmp_path, corpus, "architecture-55M-params.npz")


def _message_for(app, tmp_path, corpus, name) -> str:
    path = tmp_path / name
    path.write_bytes(corpus[name][0])
    app.get_by_test_id("error-dismiss").click()
    app.get_by_test_id("load-model").set_input_files(str(path))
    app.wait_for_function(f"() => document.querySelector('[data-testid=error-text]').textContent.includes({name!r})")
    return error_text(app)


def with_metadata(data: bytes, **meta) -> bytes:
    with np.load(io.BytesIO(data)) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["metadata"] = np.array(json.dumps(json.loads(str(arrays["metadata"])) | meta))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_untrusted_metadata_is_dropped_and_models_keep_switching(app, dist_dir, tmp_path):
    good = (dist_dir / "models" / "default.npz").read_bytes()
    (tmp_path / "huge-accuracy.npz").write_bytes(with_metadata(good, test_accuracy=10**30, name=7))
    (tmp_path / "text-accuracy.npz").write_bytes(with_metadata(good, test_accuracy="99%"))
    for name in ("huge-accuracy", "text-accuracy"):
        app.get_by_test_id("load-model").set_input_files(str(tmp_path / f"{name}.npz"))
        wait_model(app, name)
        label = app.get_by_test_id("model-name").text_content()
        assert "NaN" not in label and "%" not in label and app.get_by_test_id("error").is_hidden()
    # Every model stays selectable, and switching really switches.
    for name in ("pretrained", "huge-accuracy", "text-accuracy", "pretrained"):
        app.get_by_test_id("model-select").select_option(name)
        wait_model(app, name)


def test_a_loaded_file_never_replaces_the_shipped_model(app, dist_dir, tmp_path, mnist_test_digits):
    from pynet.config import ModelConfig
    from pynet.io.model_file import model_to_bytes
    from pynet.nn.model import build_model

    (tmp_path / "pretrained.npz").write_bytes(model_to_bytes(build_model(ModelConfig(hidden=(8,)))))
    draw_strokes(app, mnist_test_digits[7])
    shipped = settled_prediction(app)
    app.get_by_test_id("load-model").set_input_files(str(tmp_path / "pretrained.npz"))
    wait_model(app, "pretrained-2")
    assert "784-8-10" in app.get_by_test_id("model-name").text_content()
    app.get_by_test_id("use-pretrained").click()
    wait_model(app, "pretrained")
    from pynet.recipes.presets import PRETRAINED_MODEL

    assert PRETRAINED_MODEL.describe() in app.get_by_test_id("model-name").text_content()
    assert settled_prediction(app)["probs"] == shipped["probs"]


def test_adding_a_sample_mid_run_does_not_disturb_the_run(app, mnist_test_digits):
    set_settings(app, hidden_layers="32", epochs=5)
    app.get_by_test_id("train").click()
    wait_samples(app, 2000)
    teach_one_sample(app, mnist_test_digits[5])
    assert app.get_by_test_id("fine-tune").is_disabled()  # not while a run is going
    assert app.get_by_test_id("stop").is_enabled() and app.get_by_test_id("pause").is_enabled()
    app.get_by_test_id("fine-tune").click(force=True)  # even forced, nothing happens
    app.get_by_test_id("pause").click()
    app.wait_for_selector('[data-testid="pause"][aria-pressed="true"]')
    app.get_by_test_id("pause").click()
    app.get_by_test_id("stop").click()
    wait_idle(app)
    assert "Stopped" in app.get_by_test_id("train-text").text_content()
    assert active_model(app) == "trained-1"
    assert app.get_by_test_id("fine-tune").is_enabled()  # the run is over: now it may


def test_restored_samples_wait_for_python(browser, site_url, mnist_test_digits):
    # Service workers blocked so Playwright can hold back the worker's script.
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.goto(site_url)
    wait_ready(page)
    teach_one_sample(page, mnist_test_digits[1])
    page.wait_for_timeout(300)  # the sample reaches IndexedDB

    # Next visit: Python starts late; the restored sample must not offer Fine-tune yet.
    held = []
    context.route("**/worker.js", lambda route: held.append(route))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="teach-count"][data-count="1"]', timeout=20_000)
    while not held:
        page.wait_for_timeout(50)
    assert page.get_by_test_id("status").get_attribute("data-state") == "loading"
    assert page.get_by_test_id("fine-tune").is_disabled()
    page.get_by_test_id("fine-tune").click(force=True)
    page.wait_for_timeout(200)
    for route in held:
        route.continue_()
    context.unroute("**/worker.js")
    wait_ready(page)
    assert page.get_by_test_id("fine-tune").is_enabled()
    assert errors == [] and page.get_by_test_id("error").is_hidden()
    context.close()
