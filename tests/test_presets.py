"""One recipe for the shipped model: `retrain` and the CLI call the same
function; the build ships the committed file only if it matches its manifest."""

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from build import retrain
from build.verify import AssetError
from pynet.cli.main import main
from pynet.config import ModelConfig, TrainConfig
from pynet.data.mnist import encode_idx, load_mnist
from pynet.io.model_file import load_model
from pynet.recipes import presets


@pytest.fixture
def small_mnist_dir(mnist_dir, tmp_path) -> Path:
    """The first 600 training and 200 test digits of MNIST, in IDX files
    (real digits: tracing random noise would take most of the test's time)."""
    data = load_mnist(mnist_dir)
    for stem, x, y in (("train", data.x_train[:600], data.y_train[:600]), ("t10k", data.x_test[:200], data.y_test[:200])):
        pixels = np.round(x * 255).astype(np.uint8).reshape(-1, 28, 28)
        (tmp_path / f"{stem}-images-idx3-ubyte").write_bytes(encode_idx(pixels))
        (tmp_path / f"{stem}-labels-idx1-ubyte").write_bytes(encode_idx(y.astype(np.uint8)))
    return tmp_path


def small_pretrained_recipe(monkeypatch):
    monkeypatch.setattr(presets, "PRETRAINED_MODEL", ModelConfig(hidden=(12,), dropout=0.2, seed=1))
    monkeypatch.setattr(presets, "PRETRAINED_TRAIN", TrainConfig(epochs=2, lr=3e-3, schedule="cosine", augment=True,
                                                                 seed=1))
    monkeypatch.setattr(presets, "PRETRAINED_VAL_SIZE", 100)
    monkeypatch.setattr(presets, "PRETRAINED_OUTLIERS", 50)
    monkeypatch.setattr(presets, "PRETRAINED_MIX", presets.DrawnMix(traced_copies=1, font_copies=0,
                                                                    val_traced_copies=1, val_font_copies=0))


def test_cli_preset_reproduces_the_recipe_bit_for_bit(monkeypatch, small_mnist_dir, tmp_path):
    small_pretrained_recipe(monkeypatch)
    direct = presets.train_pretrained(load_mnist(small_mnist_dir))
    out = tmp_path / "cli.npz"
    assert main(["train", "--preset", "pretrained", "--data", str(small_mnist_dir), "--quiet", "--out", str(out)]) == 0
    via_cli = load_model(out)
    for a, b in zip(direct.model.parameters(), via_cli.model.parameters()):
        np.testing.assert_array_equal(a, b)
    # The test set is used once, at the end; each epoch is watched on held-out training images.
    assert via_cli.metadata["val_size"] == 100 and len(via_cli.metadata["history"]) == 2
    assert via_cli.metadata["test_accuracy"] == direct.metadata["test_accuracy"]
    # The record says what it learned from: MNIST, the drawings made from it and fonts, and the scribbles.
    assert via_cli.metadata["data"] == {"source": "mnist+drawn-mix", "images": 600,
                                        "outliers": presets.PRETRAINED_OUTLIERS}


def test_retrain_writes_a_model_and_manifest_the_build_accepts_and_a_changed_byte_is_refused(
        monkeypatch, small_mnist_dir, tmp_path):
    small_pretrained_recipe(monkeypatch)
    monkeypatch.setattr(retrain, "MIN_TEST_ACCURACY", 0.0)  # 500 digits: the accuracy floor is not the point
    out = tmp_path / "models"
    manifest = retrain.retrain(out, processes=1, mnist_dir=small_mnist_dir)
    model, manifest_file = out / "pretrained.npz", out / "pretrained.json"
    assert retrain.verified_model(model, manifest_file)[1] == manifest == json.loads(manifest_file.read_text())
    assert manifest["recipe"]["drawn_mix"]["traced_copies"] == 1 and manifest["trained"]["numpy"] == np.__version__
    direct = presets.train_pretrained(load_mnist(small_mnist_dir), processes=1)
    for a, b in zip(direct.model.parameters(), load_model(model).model.parameters()):
        assert np.abs(a - b).max() <= 1e-3 * max(1.0, np.abs(a).max())  # float16 storage, else exact
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 1
    model.write_bytes(bytes(data))
    with pytest.raises(AssetError, match="does not match the sha256"):
        retrain.verified_model(model, manifest_file)


def test_the_shipped_file_holds_nothing_that_differs_between_two_runs():
    model = presets.build_model(ModelConfig(hidden=(8,)))
    metadata = {"name": "pretrained", "train_seconds": 12.5,
                "history": [{"epoch": 1, "train_loss": 1.0, "train_accuracy": 0.5, "val_accuracy": 0.5,
                             "val_loss": 1.0, "samples_per_sec": 1234.5}]}
    data = retrain.model_file(model, metadata, weights_dtype=np.float16)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    loaded = load_model(data)
    assert "train_seconds" not in loaded.metadata and loaded.metadata["history"][0]["samples_per_sec"] is None
    assert retrain.model_file(model, metadata | {"train_seconds": 99.0}, weights_dtype=np.float16) == data


def test_the_committed_model_matches_its_manifest_and_todays_recipe():
    path, manifest = retrain.verified_model()
    assert manifest["recipe"] == json.loads(json.dumps(retrain.recipe()))  # the recipe was not changed since
    loaded = load_model(path)
    assert loaded.model.config == presets.PRETRAINED_MODEL
    assert loaded.metadata["data"]["source"] == "mnist+drawn-mix"
    assert Path(path).stat().st_size < 4 * 2**20


def test_missing_fonts_stop_the_preset_at_once_with_what_to_do(monkeypatch, small_mnist_dir, tmp_path, capsys):
    small_pretrained_recipe(monkeypatch)
    monkeypatch.setattr(presets, "PRETRAINED_MIX", presets.DrawnMix())
    out = tmp_path / "m.npz"
    with pytest.raises(SystemExit) as stopped:
        main(["train", "--preset", "pretrained", "--data", str(small_mnist_dir), "--fonts", str(tmp_path / "none"),
              "--quiet", "--out", str(out)])
    assert stopped.value.code == 2 and "font family 'roboto' not found" in capsys.readouterr().err
    assert not out.exists()
