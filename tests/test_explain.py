"""Looking inside: explanations, the step-through and the gradient check agree
with independent computations."""

import numpy as np
import pytest

from pynet.config import ModelConfig, TrainConfig
from pynet.inside.explain import as_float64, explain, gradient_check
from pynet.inside.step_through import STAGES, BatchStepper, source_of
from pynet.io.model_file import load_model, model_to_bytes
from pynet.nn.layers import Dense
from pynet.nn.model import build_model
from pynet.recipes.runs import continuation
from pynet.training.trainer import Trainer

CONFIGS = [ModelConfig(hidden=(12, 8), seed=3), ModelConfig(conv=((3, 5), (4, 3)), hidden=(6,), seed=3),
           ModelConfig(conv=((3, 5), (4, 3)), hidden=(6,), batch_norm=True, seed=3)]
IDS = ["mlp", "cnn", "cnn-bn"]


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_activations_are_a_manual_forward_pass(rng, config):
    model = build_model(config)
    x = rng.random(784).astype(np.float32)
    report = explain(model, x)
    h = x[None]
    shown = iter(report["layers"])
    for layer in model.layers:
        h = layer.forward(h)
        if type(layer).__name__ in ("Reshape", "Dropout"):
            continue
        entry = next(shown)
        got = np.frombuffer(entry["values"], dtype=np.float32).reshape(h[0].shape)
        np.testing.assert_array_equal(got, h[0].astype(np.float32))
    assert report["digit"] == int(np.argmax(h[0]))


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_saliency_is_the_input_gradient_of_the_answer(rng, config):
    model = as_float64(build_model(config))
    x = rng.random(784)
    report = explain(model, x)
    digit = report["digit"]
    saliency = np.frombuffer(report["saliency"], dtype=np.float32)
    numeric = np.zeros(784)
    for i in rng.choice(784, 60, replace=False):
        plus, minus = x.copy(), x.copy()
        plus[i] += 1e-6
        minus[i] -= 1e-6
        numeric[i] = (model.forward(plus[None])[0, digit] - model.forward(minus[None])[0, digit]) / 2e-6
        assert saliency[i] == pytest.approx(numeric[i], rel=1e-4, abs=1e-6)
    assert model.layers[1 if config.conv else 0].needs_input_grad is False  # restored after explaining


def test_contributions_add_up_to_the_answer_s_logit(rng):
    model = build_model(ModelConfig(hidden=(10,), seed=1))
    x = rng.random(784).astype(np.float32)
    report = explain(model, x)
    hidden = model.layers[1].forward(model.layers[0].forward(x[None]))[0]
    w = model.layers[-1].params["W"][:, report["digit"]]
    contributions = hidden * w
    assert [c["unit"] for c in report["contributions"]["for"]] == list(np.argsort(contributions)[::-1][:8])
    logit = model.forward(x[None])[0, report["digit"]]
    assert contributions.sum() + report["contributions"]["bias"] == pytest.approx(float(logit), rel=1e-5)


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_gradient_check_passes_on_correct_backpropagation(rng, config):
    model = build_model(config)
    report = gradient_check(model, rng.random((4, 784)), rng.integers(0, 10, 4))
    assert len(report) == len(model.parameters())
    assert max(r["max_relative_error"] for r in report) < 1e-5


def test_gradient_check_catches_a_wrong_gradient(rng, monkeypatch):
    from pynet.nn import layers

    model = build_model(CONFIGS[0])
    original = layers.ReLU.backward
    monkeypatch.setattr(layers.ReLU, "backward", lambda self, g: original(self, g) * 1.5)  # a planted bug
    report = gradient_check(model, rng.random((4, 784)), rng.integers(0, 10, 4))
    assert max(r["max_relative_error"] for r in report) > 0.1


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_an_applied_step_is_one_ordinary_training_step_bit_for_bit(rng, config):
    from dataclasses import replace

    config = replace(config, dropout=0.3)
    x = rng.integers(0, 256, (200, 784)).astype(np.uint8)
    y = rng.integers(0, 10, 200)
    cfg = TrainConfig(epochs=1, batch_size=32, lr=0.01, augment=True, seed=4, schedule="warmup-cosine")
    saved = model_to_bytes(build_model(config))

    def trainer() -> Trainer:
        loaded = load_model(saved)
        cont = continuation(loaded, cfg, 1, train_size=len(x))
        return Trainer(loaded.model, cont.config, x, y, None, None, cont.optimizer, cont.progress, cont.history)

    ordinary = trainer()
    next(ordinary.steps())
    stepped = trainer()
    stepper = BatchStepper(stepped)
    stages = [stepper.advance() for _ in STAGES]
    assert [s["stage"] for s in stages] == list(STAGES) and stepper.done
    for a, b in zip(ordinary.model.arrays(), stepped.model.arrays()):  # batch norm's statistics too
        np.testing.assert_array_equal(a, b)
    assert stepped.progress == ordinary.progress
    # Each stage shows its arrays, with statistics and the line that made them.
    forward = stages[0]["arrays"]
    assert forward[0]["shape"] == [32, 784] and forward[-1]["shape"] == [32, 10]
    assert stages[1]["loss"] > 0
    update = stages[3]["arrays"]
    assert len(update) == len(stepped.model.parameters())
    assert all(sum(u["histogram"]) == np.prod(u["shape"]) for u in update)
    # Relative to each parameter's size (None for the biases, which start at zero).
    assert all(u["relative_change"] > 0 for u in update if "W of" in u["name"])
    assert all(a["source"]["file"].startswith("pynet/") for s in stages for a in s["arrays"] if a["source"])


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_each_array_is_named_with_the_formula_of_the_method_that_computed_it(rng, config, layer_path):
    from dataclasses import replace
    from pathlib import Path

    model = build_model(replace(config, dropout=0.2))
    trainer = Trainer(model, TrainConfig(batch_size=8, optimizer="sgd"), rng.integers(0, 256, (16, 784)).astype(np.uint8),
                      rng.integers(0, 10, 16))
    stepper = BatchStepper(trainer)
    arrays = [a for _ in STAGES for a in stepper.advance()["arrays"]]
    assert not any("forward" in vars(layer) or "backward" in vars(layer) for layer in model.layers)  # not listening
    root = Path(__file__).resolve().parents[1]
    for a in arrays[1:]:  # all but the batch's pixels
        source = a["source"]
        line = (root / source["file"]).read_text().splitlines()[source["line"] - 1]
        assert source["code"] in line  # the formula opening the docstring, on the line named
    dense = [a["source"] for a in arrays if a["name"].startswith("output of") and "Dense" in a["name"]]
    # The network's own formula, also in the tab, whose layers are pynet/wasm.py's subclasses.
    assert dense[0] == source_of(Dense.forward)
    assert dense[0]["file"] == "pynet/nn/layers.py"
    assert arrays[-1]["source"]["code"] == "v = momentum * v - lr * g; p += v."


def test_a_stepped_step_that_ends_an_epoch_validates_as_an_ordinary_one(rng):
    x, y = rng.integers(0, 256, (32, 784)).astype(np.uint8), rng.integers(0, 10, 32)
    x_val, y_val = rng.integers(0, 256, (20, 784)).astype(np.uint8), rng.integers(0, 10, 20)
    runs = []
    for stepped in (False, True):
        trainer = Trainer(build_model(CONFIGS[0]), TrainConfig(batch_size=32, epochs=2), x, y, x_val, y_val)
        if stepped:
            stepper = BatchStepper(trainer)
            assert [stepper.advance()["stage"] for _ in STAGES] == list(STAGES)
        else:
            next(trainer.steps())
        runs.append(trainer)
    ordinary, stepped = runs
    assert stepped.progress == ordinary.progress and stepped.progress.epochs_done == 1
    timeless = [{k: v for k, v in entry.items() if k != "samples_per_sec"} for t in runs for entry in t.history]
    assert timeless[0] == timeless[1] and timeless[0]["val_accuracy"] is not None
