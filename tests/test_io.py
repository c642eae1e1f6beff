import io
import json
import zipfile

import numpy as np
import pytest

from pynet.io.model_file import load_model, model_to_bytes, save_model
from pynet.io.untrusted import ModelFormatError
from pynet.nn.model import ModelConfig, build_model
from pynet.training.trainer import TrainConfig, Trainer


@pytest.fixture
def trained(blobs):
    x, y = blobs
    model = build_model(ModelConfig(n_inputs=20, hidden=(8,), n_classes=3))
    trainer = Trainer(model, TrainConfig(epochs=1, batch_size=50), x, y)
    trainer.run()
    return model, trainer.optimizer, x


def npz_bytes(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def arrays_of(data: bytes) -> dict:
    with np.load(io.BytesIO(data)) as npz:
        return {k: npz[k] for k in npz.files}


def test_round_trip_predictions_identical(tmp_path, trained):
    model, opt, x = trained
    path = tmp_path / "m.npz"
    save_model(path, model, opt, {"name": "blobs"})
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.model.predict_proba(x), model.predict_proba(x))
    assert loaded.metadata == {"name": "blobs"}
    assert loaded.model.config == model.config


def test_optimizer_state_round_trips(trained):
    model, opt, _ = trained
    loaded = load_model(model_to_bytes(model, opt))
    restored = loaded.make_optimizer()
    assert restored.t == opt.t and restored.name == "adam"
    for a, b in zip(restored.m + restored.v, opt.m + opt.v):
        np.testing.assert_array_equal(a, b)


def test_loads_from_bytes_and_file_objects(trained):
    model, _, x = trained
    data = model_to_bytes(model)
    assert load_model(data).model.config == model.config
    assert load_model(io.BytesIO(data)).model.config == model.config


def test_rejects_pickled_object_arrays(trained):
    model, _, _ = trained
    arrays = arrays_of(model_to_bytes(model))
    arrays["param_0"] = np.array([{"evil": 1}], dtype=object)
    with pytest.raises(ModelFormatError, match="pickled"):
        load_model(npz_bytes(**arrays))


def test_rejects_missing_keys(trained):
    arrays = arrays_of(model_to_bytes(trained[0]))
    del arrays["param_1"]
    with pytest.raises(ModelFormatError, match="missing weights 'param_1'"):
        load_model(npz_bytes(**arrays))
    del arrays["architecture"]
    with pytest.raises(ModelFormatError, match="no 'architecture'"):
        load_model(npz_bytes(**arrays))


def test_rejects_wrong_version(trained):
    arrays = arrays_of(model_to_bytes(trained[0]))
    arrays["format_version"] = np.array(99)
    with pytest.raises(ModelFormatError, match="version 99"):
        load_model(npz_bytes(**arrays))


def test_rejects_wrong_shapes(trained):
    arrays = arrays_of(model_to_bytes(trained[0]))
    arrays["param_0"] = np.zeros((20, 9), dtype=np.float32)
    with pytest.raises(ModelFormatError, match=r"shape \(20, 9\).*needs \(20, 8\)"):
        load_model(npz_bytes(**arrays))


def test_rejects_architecture_mismatch_extra_layers(trained):
    arrays = arrays_of(model_to_bytes(trained[0]))
    arrays["param_4"] = np.zeros((3, 3), dtype=np.float32)
    with pytest.raises(ModelFormatError, match="does not declare: param_4"):
        load_model(npz_bytes(**arrays))


def test_rejects_invalid_architecture(trained):
    arrays = arrays_of(model_to_bytes(trained[0]))
    arrays["architecture"] = np.array(json.dumps({"hidden": [-3]}))
    with pytest.raises(ModelFormatError, match="invalid architecture"):
        load_model(npz_bytes(**arrays))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_rejects_non_finite_weights(trained, bad):
    arrays = arrays_of(model_to_bytes(trained[0]))
    arrays["param_2"][0, 0] = bad
    with pytest.raises(ModelFormatError, match="NaN or infinite"):
        load_model(npz_bytes(**arrays))


def test_rejects_integer_weights(trained):
    arrays = arrays_of(model_to_bytes(trained[0]))
    arrays["param_1"] = arrays["param_1"].astype(np.int32)
    with pytest.raises(ModelFormatError, match="dtype int32"):
        load_model(npz_bytes(**arrays))


def test_rejects_truncated_file(trained):
    data = model_to_bytes(trained[0])
    with pytest.raises(ModelFormatError, match="damaged or truncated"):
        load_model(data[: len(data) // 2])


def test_rejects_corrupted_member(trained):
    data = bytearray(model_to_bytes(trained[0]))
    data[len(data) // 3] ^= 0xFF  # flip bits inside compressed weights
    with pytest.raises(ModelFormatError):
        load_model(bytes(data))


def test_rejects_non_npz(tmp_path):
    with pytest.raises(ModelFormatError, match="not an .npz"):
        load_model(b"hello, I am a text file")
    with pytest.raises(ModelFormatError, match="empty"):
        load_model(b"")
    with pytest.raises(ModelFormatError, match="cannot read"):
        load_model(tmp_path / "missing.npz")


def test_rejects_oversized_file(trained):
    data = model_to_bytes(trained[0])
    with pytest.raises(ModelFormatError, match="too large"):
        load_model(data, max_bytes=len(data) - 1)


def test_rejects_zip_without_model(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(ModelFormatError):
        load_model(buf.getvalue())
