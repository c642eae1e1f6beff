"""The tab's fast path (pynet/wasm.py): every model the tab builds gets it,
and it trains as the native layers do. Its gradients are checked with the
native ones wherever a test takes the ``layer_path`` fixture."""

import importlib
import sys

import numpy as np
import pytest

from pynet import wasm
from pynet.config import ModelConfig, TrainConfig
from pynet.io.model_file import load_model, model_to_bytes
from pynet.nn import model
from pynet.nn.model import build_model, copy_model
from pynet.training.data_parallel import Replica
from pynet.training.trainer import Trainer

CNN = ModelConfig(conv=((2, 3),), hidden=(4,), seed=1)


@pytest.fixture
def restored(monkeypatch):
    """Whatever a test enables, nn's layers are built again after it."""
    monkeypatch.setattr(model, "Dense", model.Dense)
    monkeypatch.setattr(model, "Conv2D", model.Conv2D)


def fast(net) -> bool:
    return {type(layer) for layer in net.layers if layer.params} == {wasm.Conv2D, wasm.Dense}


def test_importing_the_browser_package_in_pyodide_enables_it(restored, monkeypatch):
    import pynet.browser

    assert not wasm.enabled() and not fast(build_model(CNN))  # natively: BLAS's @
    monkeypatch.setattr(sys, "platform", "emscripten")
    importlib.reload(pynet.browser)
    assert wasm.enabled() and fast(build_model(CNN))


def test_every_model_the_tab_builds_has_it(restored):
    saved = model_to_bytes(build_model(CNN))  # written by nn's layers
    wasm.enable()
    replica = Replica()
    replica.setup(CNN.to_dict())
    for net in (build_model(CNN), load_model(saved).model, copy_model(build_model(CNN)), replica.model):
        assert fast(net)


@pytest.mark.parametrize("config", [ModelConfig(hidden=(16,), seed=2), CNN], ids=["mlp", "cnn"])
def test_it_trains_as_the_native_layers_do(restored, rng, config):
    x = rng.integers(0, 256, (64, 784)).astype(np.uint8)
    x[:, :100] = 0  # blank columns: the first dense layer skips them
    y = rng.integers(0, 10, 64)
    runs = []
    for enable in (False, True):
        if enable:
            wasm.enable()
        trainer = Trainer(build_model(config), TrainConfig(batch_size=16, epochs=1), x, y)
        trainer.run()
        runs.append(trainer.model.parameters())
    for native, tab in zip(*runs):
        np.testing.assert_allclose(tab, native, rtol=1e-4, atol=1e-6)
