"""Save as ONNX in the built page: the file the tab writes (Python's graph
description, encoded in the worker by onnx-proto) passes onnx.checker and
gives the same answers in onnxruntime as the command line's file of the same
model (``pynet export-onnx``), and as pynet itself."""

from __future__ import annotations

import numpy as np
import pytest

from build.pagedriver import mnist_test_images
from pynet.cli.main import main
from pynet.config import ModelConfig
from pynet.io.model_file import load_model, save_model
from pynet.nn.model import build_model

onnx = pytest.importorskip("onnx", reason="the test extra installs onnx")
ort = pytest.importorskip("onnxruntime", reason="the test extra installs onnxruntime")


def probabilities(path, pixels: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["probabilities"], {"pixels": pixels.reshape(len(pixels), -1).astype(np.float32)})[0]


def save_from_page(app, tmp_path, name: str):
    with app.expect_download() as dl:
        app.get_by_test_id("save-onnx").click()
    assert dl.value.suggested_filename == f"pynet-{name}.onnx"
    path = tmp_path / f"page-{name}.onnx"
    dl.value.save_as(path)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    return path


def cli_file(npz, tmp_path):
    out = tmp_path / f"cli-{npz.stem}.onnx"
    assert main(["export-onnx", "--model", str(npz), "-o", str(out)]) == 0
    return out


def a_batch_norm_model(path, rng) -> None:
    """A small CNN with batch norm whose statistics and temperature are not the defaults."""
    model = build_model(ModelConfig(conv=((4, 5), (6, 3)), batch_norm=True, padding="same", hidden=(16,), seed=3))
    for layer in model.layers:
        for key, a in layer.state.items():
            a[:] = rng.uniform(0.5, 1.5, a.shape) if key == "var" else rng.normal(0, 0.3, a.shape)
    save_model(path, model, metadata={"temperature": 1.3})


def test_save_as_onnx_gives_the_command_lines_answers(app, dist_dir, tmp_path):
    pixels = mnist_test_images(1000)
    page_file = save_from_page(app, tmp_path, "pretrained")
    shipped = dist_dir / "models" / "default.npz"
    from_cli = probabilities(cli_file(shipped, tmp_path), pixels)
    from_page = probabilities(page_file, pixels)
    assert np.abs(from_page - from_cli).max() <= 1e-6
    assert np.abs(from_page - load_model(shipped).model.predict_proba(pixels)).max() < 1e-5

    npz = tmp_path / "bn.npz"
    a_batch_norm_model(npz, np.random.default_rng(0))
    app.get_by_test_id("load-model").set_input_files(str(npz))
    app.wait_for_function("() => document.querySelector('[data-testid=model-name]').dataset.name === 'bn'")
    page_file = save_from_page(app, tmp_path, "bn")
    ops = [n.op_type for n in onnx.load(page_file).graph.node]
    assert ops.count("BatchNormalization") == 2 and ops.count("Conv") == 2
    from_page = probabilities(page_file, pixels)
    assert np.abs(from_page - probabilities(cli_file(npz, tmp_path), pixels)).max() <= 1e-6
    assert np.abs(from_page - load_model(npz).model.predict_proba(pixels)).max() < 1e-5
