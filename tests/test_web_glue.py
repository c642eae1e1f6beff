"""pynet.web, the worker's door into pynet, exercised natively."""

import numpy as np
import pytest

from pynet.data import encode_idx
from pynet.io import ModelFormatError, model_to_bytes
from pynet.model import ModelConfig, build_model
from pynet.train import TrainingDiverged
from pynet.web import Session, parse_settings


def canvas_with_bar(size=140) -> bytes:
    rgba = np.zeros((size, size, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    rgba[20:120, 60:80, :3] = 255
    return rgba.tobytes()


@pytest.fixture
def session(tiny_mnist_dir) -> Session:
    s = Session()
    s.add_model("pretrained", model_to_bytes(build_model(ModelConfig(hidden=(16,)))))
    files = [(tiny_mnist_dir / n).read_bytes() for n in
             ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")]
    return s, files


def test_classify_and_blank(session):
    s, _ = session
    result = s.classify(canvas_with_bar(), 140, 140)
    assert sum(result["probs"]) == pytest.approx(1.0, abs=1e-5)
    assert result["digit"] == int(np.argmax(result["probs"]))
    blank = np.zeros((140, 140, 4), dtype=np.uint8)
    blank[..., 3] = 255
    assert s.classify(blank.tobytes(), 140, 140) is None
    with pytest.raises(ValueError, match="RGBA"):
        s.classify(b"\0" * 10, 140, 140)


def test_bad_model_keeps_the_active_one(session):
    s, _ = session
    with pytest.raises(ModelFormatError):
        s.add_model("broken", b"nonsense")
    assert s.active == "pretrained" and "broken" not in s.models


def test_training_job_in_slices_then_finish(session):
    s, files = session
    s.load_mnist(*files)
    # 600 random images (60 held out for validation): learning is not the point here.
    info = s.start_training({"hidden": "8", "lr": "0.01", "batch_size": "50", "epochs": "2", "seed": "1",
                             "optimizer": "adam", "augment": False})
    assert info["total_samples"] == 1080
    updates = []
    while True:
        u = s.train_for(5)
        updates.append(u)
        if u["done"]:
            break
    assert sum(len(u["epochs"]) for u in updates) == 2
    assert all(p["samples"] > 0 for u in updates for p in u["points"])
    model = s.finish_training()
    assert s.active == model["name"] == "trained" and "pretrained" in s.models
    assert model["architecture"] == "784-8-10"
    report = s.evaluate()
    assert sum(map(sum, report["confusion_matrix"])) == 200
    assert len(report["misclassified_pixels"]) == 784 * len(report["misclassified"])
    w = s.first_layer_weights()
    assert w["units"] == 8 and len(w["pixels"]) == 8 * 784
    assert len(s.model_bytes()) > 0


def test_divergence_drops_the_job_and_keeps_the_active_model(session):
    s, files = session
    s.load_mnist(*files)
    s.start_training({"hidden": "32", "lr": "10", "batch_size": "32", "epochs": "5", "seed": "0", "optimizer": "adam"})
    with pytest.raises(TrainingDiverged):
        while not s.train_for(50)["done"]:
            pass
    assert s.active == "pretrained"
    with pytest.raises(RuntimeError, match="no training job"):
        s.train_for(10)


@pytest.mark.parametrize("settings,match", [
    ({"hidden": "abc"}, "hidden"),
    ({"hidden": "0"}, "hidden"),
    ({"hidden": "8192,8192"}, "parameters"),
    ({"epochs": "1.5"}, "whole number"),
    ({"lr": "fast"}, "expected a number"),
    ({"lr": "-1"}, "learning rate"),
    ({"batch_size": "0"}, "batch size"),
    ({"optimizer": "rmsprop"}, "optimizer"),
])
def test_settings_validation(settings, match):
    base = {"hidden": "128", "lr": "0.001", "batch_size": "128", "epochs": "1", "seed": "0", "optimizer": "adam"}
    with pytest.raises(ValueError, match=match):
        parse_settings(base | settings)


def test_fine_tune_on_taught_drawings_changes_their_prediction(session, monkeypatch):
    # The fixture's model is untrained and its "MNIST" is noise, so the shipped
    # gentle settings (tuned for the pretrained model) are made stronger here.
    import pynet.web as web
    from pynet.train import TrainConfig

    monkeypatch.setattr(web, "FINE_TUNE_CONFIG", TrainConfig(epochs=5, batch_size=32, lr=1e-2))
    s, files = session
    s.load_mnist(*files)
    sample = s.preprocess_sample(canvas_with_bar(), 140, 140)
    assert len(sample) == 784 * 4
    x = np.frombuffer(sample, dtype=np.float32)
    before = s.classify(canvas_with_bar(), 140, 140)["digit"]
    target = (before + 1) % 10
    info = s.start_fine_tune(sample * 3, [target] * 3, name="mine")
    assert info["architecture"] == "784-16-10"
    while not s.train_for(50)["done"]:
        pass
    s.finish_training()
    assert s.active == "mine" and "pretrained" in s.models
    assert s.classify(canvas_with_bar(), 140, 140)["digit"] == target
    # The model it started from is unchanged.
    s.set_active("pretrained")
    assert s.classify(canvas_with_bar(), 140, 140)["digit"] == before
    assert x.min() >= 0 and x.max() <= 1


@pytest.mark.parametrize("samples,labels,match", [
    (b"", [], "784 values"),
    (np.zeros(784, np.float32).tobytes(), [1, 2], "784 values"),
    (np.zeros(784, np.float32).tobytes(), [12], "digits 0-9"),
    (np.full(784, 7, np.float32).tobytes(), [1], r"\[0, 1\]"),
])
def test_fine_tune_rejects_bad_samples(session, samples, labels, match):
    s, files = session
    s.load_mnist(*files)
    with pytest.raises(ValueError, match=match):
        s.start_fine_tune(samples, labels)


def test_mnist_is_kept_as_uint8_pixels_and_evaluates_the_same(session):
    s, files = session
    s.load_mnist(*files)
    assert s.data.x_train.dtype == s.data.x_val.dtype == s.data.x_test.dtype == np.uint8
    report = s.evaluate()
    model = s.models["pretrained"].model
    expected = np.mean(model.predict(s.data.x_test.astype(np.float32) / 255) == s.data.y_test)
    assert report["accuracy"] == pytest.approx(expected)
    wrong = np.frombuffer(report["misclassified_pixels"], dtype=np.uint8).reshape(-1, 784)
    assert len(wrong) == len(report["misclassified"])
    np.testing.assert_array_equal(wrong, s.data.x_test[[m["index"] for m in report["misclassified"]]])
