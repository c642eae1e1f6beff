"""ONNX export: the graph description (pynet/export/onnx_graph.py), the file
the onnx package writes from it (onnx_file.py) and ``pynet export-onnx``.
The files must pass ``onnx.checker`` and give pynet's probabilities in
onnxruntime, within 1e-5, on 1,000 MNIST test digits: for the shipped model
and for a dense, a convolutional and a batch-norm network trained here."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from pynet.cli.main import main
from pynet.config import ModelConfig, TrainConfig
from pynet.data.mnist import load_mnist
from pynet.export.onnx_file import INSTALL_HINT, onnx_bytes
from pynet.export.onnx_graph import OPSET, ExportError, onnx_graph
from pynet.io.model_file import load_model, save_model
from pynet.nn.layers import Layer
from pynet.nn.model import build_model
from pynet.training.confidence import fit_temperature
from pynet.training.trainer import Trainer

onnx = pytest.importorskip("onnx", reason="the test extra installs onnx")
ort = pytest.importorskip("onnxruntime", reason="the test extra installs onnxruntime")

TOLERANCE = 1e-5
N_TEST = 1000


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    data = load_mnist(mnist_dir)
    as_pixels = lambda x: np.round(x * 255).astype(np.uint8)  # noqa: E731 - the files' own uint8 values
    return as_pixels(data.x_train[:3000]), data.y_train[:3000], as_pixels(data.x_test[:N_TEST]), data.y_test[:N_TEST]


def run_onnx(data: bytes, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(logits, probabilities) of an ONNX file in onnxruntime, for uint8 pixels (N, 784)."""
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    logits, probs = session.run(["logits", "probabilities"], {"pixels": pixels.reshape(len(pixels), -1).astype(np.float32)})
    return logits, probs


def trained(config: ModelConfig, mnist) -> object:
    """``config`` trained for one epoch on 3,000 MNIST digits, its temperature fitted as `fit` fits it."""
    x, y, x_test, y_test = mnist
    model = build_model(config)
    Trainer(model, TrainConfig(epochs=1, batch_size=64, lr=3e-3, seed=1), x, y).run()
    model.temperature = fit_temperature(model.logits(x[:1000]), y[:1000])
    return model


NETWORKS = {
    "dense": ModelConfig(hidden=(64, 32), dropout=0.2),
    "cnn": ModelConfig(conv=((6, 3), (8, 3)), padding="same", hidden=(32,)),
    "batch-norm": ModelConfig(conv=((6, 5), (8, 3)), batch_norm=True, hidden=(32,)),
}


@pytest.mark.mnist
@pytest.mark.parametrize("kind", ["shipped", *NETWORKS])
def test_onnxruntime_gives_pynets_probabilities(kind, mnist, tmp_path):
    if kind == "shipped":
        model = load_model("models/pretrained.npz").model
    else:
        model = trained(NETWORKS[kind], mnist)
    x_test, y_test = mnist[2], mnist[3]
    path, npz = tmp_path / "m.onnx", tmp_path / "m.npz"
    save_model(npz, model, metadata={"temperature": model.temperature})
    assert main(["export-onnx", "--model", str(npz), "-o", str(path)]) == 0
    data = path.read_bytes()
    proto = onnx.load_from_string(data)
    onnx.checker.check_model(proto, full_check=True)
    assert proto.opset_import[0].version == OPSET >= 13
    assert [o.name for o in proto.graph.output] == ["logits", "probabilities"]
    ops = [n.op_type for n in proto.graph.node]
    assert ops[0] == "Div" and ops[-2:] == ["Div", "Softmax"] and "Dropout" not in ops
    if kind == "batch-norm":
        assert ops.count("BatchNormalization") == 2
    if kind != "dense":
        assert ops.count("Conv") == 2 and ops.count("MaxPool") == 2
    logits, probs = run_onnx(data, x_test)
    expected = model.predict_proba(x_test)
    assert model.temperature != 1.0  # the temperature is in the graph, not only softmax
    assert np.abs(probs - expected).max() < TOLERANCE
    assert np.abs(logits - model.logits(x_test)).max() < 1e-3
    assert (probs.argmax(1) == expected.argmax(1)).all()
    assert (probs.argmax(1) == y_test).mean() > 0.7


def test_batch_norm_uses_the_running_statistics(rng):
    """Inference form: the running mean and variance, not the batch's own."""
    model = build_model(ModelConfig(conv=((3, 5),), batch_norm=True, hidden=()))
    bn = model.layers[3]
    bn.state["mean"][:] = rng.normal(size=3)
    bn.state["var"][:] = rng.uniform(0.5, 2, size=3)
    bn.params["gamma"][:] = rng.uniform(0.5, 2, size=3)
    pixels = rng.integers(0, 256, size=(5, 784)).astype(np.uint8)
    _, probs = run_onnx(onnx_bytes(model), pixels)
    assert np.abs(probs - model.predict_proba(pixels)).max() < TOLERANCE
    _, one = run_onnx(onnx_bytes(model), pixels[:1])  # one digit alone: the same answer
    assert np.abs(one - probs[:1]).max() < TOLERANCE


def test_a_float64_model_is_written_in_float32(rng):
    model = build_model(ModelConfig(hidden=(16,), dtype="float64"))
    pixels = rng.integers(0, 256, size=(20, 784)).astype(np.uint8)
    _, probs = run_onnx(onnx_bytes(model), pixels)
    assert probs.dtype == np.float32 and np.abs(probs - model.predict_proba(pixels)).max() < TOLERANCE


def test_the_plain_description_carries_the_same_arrays():
    model = build_model(ModelConfig(conv=((2, 3),), hidden=(4,)))
    graph = onnx_graph(model, "tiny")
    plain = graph.plain()
    assert plain["opset"] == OPSET and plain["graph"]["name"] == "tiny"
    inits = {t["name"]: t for t in plain["graph"]["initializers"]}
    w = inits["conv1.W"]
    assert w["dims"] == [2, 1, 3, 3] and w["data_type"] == 1
    assert np.array_equal(np.frombuffer(w["raw_data"], "<f4").reshape(2, 1, 3, 3), model.layers[1].params["W"])
    assert inits["reshape0.shape"]["data_type"] == 7
    assert [n["op_type"] for n in plain["graph"]["nodes"]] == [
        "Div", "Reshape", "Conv", "MaxPool", "Relu", "Flatten", "Gemm", "Relu", "Gemm", "Div", "Softmax"]
    assert plain["graph"]["nodes"][2]["attributes"][0] == {"name": "kernel_shape", "kind": "ints", "value": [3, 3]}


def test_unknown_layers_and_bad_temperatures_are_refused():
    model = build_model(ModelConfig(hidden=(4,)))
    model.layers.insert(1, Layer())
    with pytest.raises(ExportError, match=r"layer 1 \(.*\) has no ONNX form"):
        onnx_graph(model)
    model = build_model(ModelConfig(hidden=(4,)))
    model.temperature = float("nan")
    with pytest.raises(ExportError, match="temperature"):
        onnx_graph(model)


def test_without_the_onnx_package_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx then raises ImportError
    with pytest.raises(ExportError, match=r"pip install 'pynet\[onnx\]'"):
        onnx_bytes(build_model(ModelConfig(hidden=(4,))))
    assert "pynet[onnx]" in INSTALL_HINT


def test_cli_refuses_a_file_that_is_not_a_model(tmp_path, capsys):
    bad = tmp_path / "notes.npz"
    bad.write_text("not a model")
    with pytest.raises(SystemExit) as exit_info:
        main(["export-onnx", "--model", str(bad)])
    assert exit_info.value.code == 2
    assert "not a pynet model" in capsys.readouterr().err
    assert not (tmp_path / "notes.onnx").exists()


def test_cli_writes_beside_the_model_by_default(tmp_path, capsys):
    npz = tmp_path / "small.npz"
    save_model(npz, build_model(ModelConfig(hidden=(8,))))
    assert main(["export-onnx", "--model", str(npz)]) == 0
    out = tmp_path / "small.onnx"
    assert out.exists() and "wrote" in capsys.readouterr().out
    assert onnx.load(out).graph.name == "small"


def test_the_worker_asks_the_session_for_the_active_models_graph():
    from pynet.browser.session import Session
    from pynet.io.model_file import model_to_bytes

    session = Session()
    assert session.handle("onnx_graph", {})["error"]["message"] == "no model is loaded yet"
    session.models.add_model("mine", model_to_bytes(build_model(ModelConfig(hidden=(8,)))))
    plain = session.handle("onnx_graph", {})["result"]
    assert plain["graph"]["name"] == "mine" and plain["metadata"]["pynet.architecture"] == "784-8-10"
    assert isinstance(plain["graph"]["initializers"][0]["raw_data"], bytes)


def test_the_file_says_what_its_input_must_be():
    digits = onnx_graph(build_model(ModelConfig(hidden=(4,))))
    assert "a 28x28 image row by row, white ink on black" in digits.metadata["pynet.input"]
    assert digits.metadata["pynet.input"] in digits.doc
    other = onnx_graph(build_model(ModelConfig(n_inputs=20, n_classes=3, hidden=(4,))))
    assert "image" not in other.metadata["pynet.input"] and "(batch, 20)" in other.metadata["pynet.input"]
    assert [v.dims for v in other.outputs] == [("batch", 3), ("batch", 3)]
