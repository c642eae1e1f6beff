import json
import subprocess
import sys

import numpy as np
import pytest

from pynet.cli import main
from pynet.data import encode_idx
from pynet.io import load_model


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pynet", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture
def trained_model(tmp_path, tiny_mnist_dir):
    out = tmp_path / "m.npz"
    assert main(["train", "--data", str(tiny_mnist_dir), "--hidden", "16", "--epochs", "2",
                 "--val-size", "100", "--out", str(out), "--quiet"]) == 0
    return out


def test_train_writes_model_and_metrics(trained_model, tmp_path):
    loaded = load_model(trained_model)
    assert loaded.model.config.hidden == (16,)
    assert len(loaded.metadata["history"]) == 2
    assert loaded.optimizer_state is not None
    metrics = json.loads((tmp_path / "m.metrics.json").read_text())
    assert 0 <= metrics["test"]["accuracy"] <= 1
    assert metrics["architecture"] == "784-16-10"


def test_train_prints_progress_and_validation(tiny_mnist_dir, tmp_path):
    proc = run_cli("train", "--data", str(tiny_mnist_dir), "--hidden", "8", "--epochs", "1",
                   "--val-size", "100", "--out", str(tmp_path / "x.npz"), "--augment")
    assert proc.returncode == 0, proc.stderr
    assert "epoch 1: train loss" in proc.stdout and "val accuracy" in proc.stdout
    assert "samples/s" in proc.stderr  # the progress bar


def test_evaluate_prints_tables(trained_model, tiny_mnist_dir, tmp_path):
    proc = run_cli("evaluate", "--model", str(trained_model), "--data", str(tiny_mnist_dir),
                   "--json", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    assert "test accuracy" in proc.stdout and "confusion matrix" in proc.stdout
    assert "prediction distribution" in proc.stdout and "per-class accuracy" in proc.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert sum(map(sum, report["confusion_matrix"])) == 200


def test_predict_images_and_idx(trained_model, tiny_mnist_dir, tmp_path):
    from PIL import Image

    img = np.zeros((140, 140), dtype=np.uint8)
    img[30:110, 60:75] = 255
    Image.fromarray(img).save(tmp_path / "one.png")
    (tmp_path / "one.pgm").write_bytes(b"P5\n# comment\n140 140\n255\n" + img.tobytes())
    np.save(tmp_path / "blank.npy", np.zeros((28, 28)))
    proc = run_cli("predict", "--model", str(trained_model), str(tmp_path / "one.png"), str(tmp_path / "one.pgm"),
                   str(tmp_path / "blank.npy"), "--idx", str(tiny_mnist_dir / "t10k-images-idx3-ubyte"),
                   "--index", "0", "3")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 5
    assert "confidence" in lines[0] and lines[0].split(": ")[1][:1] == lines[1].split(": ")[1][:1]
    assert lines[2].endswith("nothing drawn")
    assert "[3]" in lines[4]


@pytest.mark.parametrize("args,message", [
    (["train", "--hidden", "abc"], "comma-separated integers"),
    (["train", "--epochs", "0"], "positive integer"),
    (["train", "--lr", "-1"], "positive number"),
    (["train", "--optimizer", "lbfgs"], "invalid choice"),
    (["evaluate"], "required"),
    (["evaluate", "--model", "/nonexistent.npz"], "cannot read model file"),
    (["predict", "--model", "/nonexistent.npz"], "give image files"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_exit_non_zero_with_message(args, message):
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_bad_model_file_message(tmp_path, tiny_mnist_dir):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    proc = run_cli("evaluate", "--model", str(bad), "--data", str(tiny_mnist_dir))
    assert proc.returncode == 2 and "not an .npz" in proc.stderr


def test_divergence_is_a_clean_error(tiny_mnist_dir, tmp_path):
    proc = run_cli("train", "--data", str(tiny_mnist_dir), "--hidden", "8", "--epochs", "3", "--lr", "10", "--val-size", "100", "--out", str(tmp_path / "d.npz"), "--quiet")
    assert proc.returncode == 2 and "diverged" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_documents_every_option():
    proc = run_cli("train", "--help")
    for opt in ("--hidden", "--epochs", "--batch-size", "--lr", "--optimizer", "--augment", "--seed", "--out"):
        assert opt in proc.stdout


def test_bench_prints_numbers():
    proc = run_cli("bench", "--samples", "2000", "--hidden", "32")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["samples_per_sec"] > 0
