"""Convolutional networks in the page: the TensorFlow.js-example preset trains,
evaluates, saves and loads, fine-tunes, and shows its filters."""

from __future__ import annotations

from build.pagedriver import (
    active_model,
    draw_strokes,
    settled_prediction,
    wait_evaluated,
    wait_idle,
    wait_model,
    wait_samples,
)


def save_and_load_back(app, path):
    """Save the active model to ``path``, switch to the pretrained one, load
    the file back in the page; returns the saved model as pynet reads it."""
    from pynet.io.model_file import load_model

    with app.expect_download() as dl:
        app.get_by_test_id("save-model").click()
    dl.value.save_as(path)
    app.get_by_test_id("model-select").select_option("pretrained")
    wait_model(app, "pretrained")
    app.get_by_test_id("load-model").set_input_files(str(path))
    wait_model(app, path.stem)
    return load_model(path).model


def test_tfjs_preset_trains_a_cnn_that_evaluates_saves_loads_and_fine_tunes(app, mnist_test_digits, tmp_path):
    app.get_by_test_id("preset-tfjs").click()
    assert app.get_by_test_id("architecture").input_value() == "cnn"
    assert app.get_by_test_id("conv-layers").input_value() == "8x5,16x5"
    assert app.get_by_test_id("hidden-layers").input_value() == ""
    assert app.get_by_test_id("conv-layers").is_enabled()
    app.get_by_test_id("train").click()
    wait_samples(app, 12_000)  # part of an epoch
    draw_strokes(app, mnist_test_digits[4])  # drawing keeps working while a CNN trains
    assert settled_prediction(app)["text"] != ""
    app.get_by_test_id("stop").click()
    wait_model(app, "trained-1")
    wait_idle(app)
    assert "conv8x5-conv16x5-10" in app.get_by_test_id("model-name").text_content()
    # The weights view shows the first convolution's eight 5x5 filters.
    app.wait_for_selector('[data-testid="weights-view"][data-kind="filters"][data-units="8"]')
    assert app.get_by_test_id("weights-view").locator("canvas").count() == 8
    assert app.get_by_test_id("weights-view").locator("canvas").first.get_attribute("width") == "5"

    app.get_by_test_id("evaluate").click()
    assert wait_evaluated(app) > 0.9
    cells = app.locator('[data-testid="confusion-matrix"] td')
    assert sum(int(c) for c in cells.evaluate_all("els => els.map(e => e.dataset.count)")) == 10_000

    # Save -> load gives identical predictions.
    app.get_by_test_id("clear").click()
    draw_strokes(app, mnist_test_digits[7])
    before = settled_prediction(app)
    assert save_and_load_back(app, tmp_path / "cnn.npz").config.conv == ((8, 5), (16, 5))
    assert settled_prediction(app)["probs"] == before["probs"]

    # Fine-tuning a CNN on a taught drawing.
    app.get_by_test_id("teach-label").select_option("7")
    app.get_by_test_id("teach-add").click()
    app.wait_for_selector('[data-testid="teach-count"][data-count="1"]')
    app.get_by_test_id("fine-tune").click()
    wait_model(app, "cnn+you-1")
    assert active_model(app) == "cnn+you-1" and "conv8x5-conv16x5-10" in app.get_by_test_id("model-name").text_content()
    assert settled_prediction(app)["text"] == "7"


def test_conv_field_follows_the_architecture_and_is_validated_live(app):
    app.get_by_test_id("architecture").select_option("mlp")
    assert app.get_by_test_id("conv-layers").is_disabled()
    app.get_by_test_id("architecture").select_option("cnn")
    assert app.get_by_test_id("conv-layers").is_enabled()
    app.get_by_test_id("conv-layers").fill("8x9,8x9,8x9")
    app.wait_for_function("() => document.querySelector('[data-testid=error-conv]').textContent.includes('does not fit')")
    app.get_by_test_id("conv-layers").fill("32x3,64x3")
    app.wait_for_function("() => document.querySelector('[data-testid=error-conv]').textContent === ''")


def test_batch_norm_preset_trains_and_its_statistics_survive_save_and_load(app, mnist_test_digits, tmp_path):
    app.get_by_test_id("preset-tfjs-bn").click()
    assert app.get_by_test_id("batch-norm").is_checked() and app.get_by_test_id("batch-norm").is_enabled()
    assert app.get_by_test_id("conv-layers").input_value() == "8x5,16x5"
    assert app.get_by_test_id("learning-rate").input_value() == "0.03"
    app.get_by_test_id("train").click()
    wait_samples(app, 6_000)
    app.get_by_test_id("stop").click()
    wait_model(app, "trained-1")
    wait_idle(app)
    assert "conv8x5bn-conv16x5bn-10" in app.get_by_test_id("model-name").text_content()
    draw_strokes(app, mnist_test_digits[0])
    before = settled_prediction(app)
    assert before["text"] == "0"  # classified with the running statistics, not the one drawing's own
    saved = save_and_load_back(app, tmp_path / "bn.npz")
    assert saved.config.batch_norm and not (saved.state()[0] == 0).all()
    assert settled_prediction(app)["probs"] == before["probs"]
    # Batch normalisation belongs to the convolution blocks: off with a dense network.
    app.get_by_test_id("architecture").select_option("mlp")
    assert app.get_by_test_id("batch-norm").is_disabled()
