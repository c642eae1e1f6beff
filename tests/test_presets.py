"""One recipe for the shipped model: the build and the CLI call the same function."""

import numpy as np

from build import build_site
from pynet import presets
from pynet.cli import main
from pynet.config import ModelConfig, TrainConfig
from pynet.data import load_mnist
from pynet.io import load_model


def small_pretrained_recipe(monkeypatch):
    monkeypatch.setattr(presets, "PRETRAINED_MODEL", ModelConfig(hidden=(12,), dropout=0.2, seed=1))
    monkeypatch.setattr(presets, "PRETRAINED_TRAIN", TrainConfig(epochs=2, lr=3e-3, schedule="cosine", augment=True,
                                                                 seed=1))
    monkeypatch.setattr(presets, "PRETRAINED_VAL_SIZE", 100)
    monkeypatch.setattr(presets, "PRETRAINED_OUTLIERS", 50)


def test_cli_preset_reproduces_the_recipe_bit_for_bit(monkeypatch, tiny_mnist_dir, tmp_path):
    small_pretrained_recipe(monkeypatch)
    direct = presets.train_pretrained(load_mnist(tiny_mnist_dir))
    out = tmp_path / "cli.npz"
    assert main(["train", "--preset", "pretrained", "--data", str(tiny_mnist_dir), "--quiet", "--out", str(out)]) == 0
    via_cli = load_model(out)
    for a, b in zip(direct.model.parameters(), via_cli.model.parameters()):
        np.testing.assert_array_equal(a, b)
    # The test set is used once, at the end; each epoch is watched on held-out training images.
    assert via_cli.metadata["val_size"] == 100 and len(via_cli.metadata["history"]) == 2
    assert via_cli.metadata["test_accuracy"] == direct.metadata["test_accuracy"]


def test_the_build_trains_the_default_model_with_the_preset_function(monkeypatch, tiny_mnist_dir, tmp_path):
    small_pretrained_recipe(monkeypatch)
    calls = []
    real = presets.train_pretrained

    def spy(data, on_step=None):
        result = real(data, on_step=on_step)
        calls.append(result)
        result.test_report["accuracy"] = 1.0  # random "MNIST": the accuracy floor is not the point here
        return result

    monkeypatch.setattr(presets, "train_pretrained", spy)
    path, meta = build_site.train_default_model(tmp_path / "cache", tiny_mnist_dir)
    assert len(calls) == 1 and meta["name"] == "pretrained" and meta["val_size"] == 100
    saved = load_model(path)
    for a, b in zip(calls[0].model.parameters(), saved.model.parameters()):
        np.testing.assert_array_equal(a, b)
