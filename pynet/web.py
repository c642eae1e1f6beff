"""The browser's door into pynet: one ``Session`` that the Web Worker drives.

Everything here takes and returns plain numbers, lists, dicts and ``bytes``,
so the worker script stays thin and this glue is unit-tested on CPython. The
worker converts JS typed arrays to ``bytes`` (or passes objects with a
``to_bytes()`` method, which Pyodide's JsProxy of a typed array has).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .data import as_float_pixels, dataset_from_arrays, parse_idx
from .io import LoadedModel, load_model, model_to_bytes
from .losses import softmax
from .metrics import classification_report, misclassified_indices
from .model import ModelConfig, Sequential, build_model
from .optimizers import Optimizer
from .preprocess import preprocess_drawing
from .train import StepInfo, TrainConfig, Trainer

VAL_SIZE = 5000  # held out from the 60,000 training images for per-epoch validation
CHART_EVERY = 10  # batches per chart point
MAX_PARAMS = 20_000_000  # ~80 MB of float32 weights, ~3x that while training: the tab's budget
MAX_MISCLASSIFIED = 100
# Fine-tuning on the user's drawings: mixed with this many MNIST images (so the
# model adapts without forgetting), the drawings repeated to this share of the mix.
FINE_TUNE_MNIST = 1000
FINE_TUNE_SHARE = 0.25
FINE_TUNE_CONFIG = TrainConfig(epochs=3, batch_size=64, lr=3e-4, seed=0)
FINE_TUNE_VAL = 1000


def as_bytes(data: Any) -> bytes:
    """bytes from bytes-likes or a Pyodide JsProxy of a typed array."""
    if hasattr(data, "to_bytes"):
        return data.to_bytes()
    return bytes(data)


def as_dict(data: Any) -> dict[str, Any]:
    """A dict from a dict or a Pyodide JsProxy of a JS object."""
    if hasattr(data, "to_py"):
        data = data.to_py()
    return dict(data)


def parse_settings(settings: dict[str, Any]) -> tuple[ModelConfig, TrainConfig]:
    """Validate the page's training settings; ValueError names the bad field.

    ``hidden`` is a string like "256,128"; the rest are numbers or strings
    straight from form fields.
    """
    def number(key: str, kind: type) -> Any:
        raw = settings.get(key)
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            what = "a whole number" if kind is int else "a number"
            raise ValueError(f"{key}: expected {what}, got {raw!r}") from None
        if kind is int and str(raw).strip() not in (str(value), f"{value}.0"):
            raise ValueError(f"{key}: expected a whole number, got {raw!r}")
        return value

    hidden_text = str(settings.get("hidden", "")).replace(" ", "")
    try:
        hidden = tuple(int(h) for h in hidden_text.split(",") if h)
    except ValueError:
        raise ValueError(f"hidden: use comma-separated sizes like 128 or 256,128, got {hidden_text!r}") from None
    if any(h <= 0 for h in hidden):
        raise ValueError("hidden: layer sizes must be positive")
    try:
        model_cfg = ModelConfig(hidden=hidden, dropout=0.0, seed=number("seed", int))
    except ValueError as exc:
        raise ValueError(f"hidden: {exc}") from None
    n_params = sum(int(np.prod(s)) for s in model_cfg.param_shapes())
    if n_params > MAX_PARAMS:
        raise ValueError(
            f"hidden: {model_cfg.describe()} has {n_params:,} parameters, more than the {MAX_PARAMS:,} "
            "that fit comfortably in the tab's memory"
        )
    fields = {
        "epochs": number("epochs", int),
        "batch_size": number("batch_size", int),
        "lr": number("lr", float),
        "optimizer": str(settings.get("optimizer", "adam")),
        "augment": bool(settings.get("augment", False)),
        "seed": number("seed", int),
        "schedule": str(settings.get("schedule", "constant")),
    }
    try:
        train_cfg = TrainConfig(**fields)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return model_cfg, train_cfg


@dataclass
class ModelEntry:
    """A model the page can select, with what the UI shows about it."""

    model: Sequential
    metadata: dict[str, Any] = field(default_factory=dict)
    optimizer: Optimizer | None = None

    def info(self, name: str) -> dict[str, Any]:
        cfg = self.model.config
        return {
            "name": name,
            "architecture": cfg.describe() if cfg else "?",
            "n_params": self.model.n_params,
            "test_accuracy": self.metadata.get("test_accuracy"),
        }


class Session:
    """All state the worker keeps: models, MNIST, the running training job."""

    def __init__(self) -> None:
        self.models: dict[str, ModelEntry] = {}
        self.active: str | None = None
        self.data = None  # pynet.data.Dataset once MNIST is loaded
        self._trainer: Trainer | None = None
        self._steps = None
        self._job_name = ""
        self._chart: list[tuple[float, float]] = []  # (loss, acc) of batches since the last point

    # ---- models -----------------------------------------------------------
    def add_model(self, name: str, data: Any, activate: bool = True) -> dict[str, Any]:
        """Validate ``.npz`` bytes and register the model; the active model only
        changes if the whole file is valid (``ModelFormatError`` otherwise)."""
        loaded: LoadedModel = load_model(as_bytes(data))
        entry = ModelEntry(loaded.model, loaded.metadata, None)
        self.models[name] = entry
        if activate:
            self.active = name
        return entry.info(name)

    def set_active(self, name: str) -> dict[str, Any]:
        if name not in self.models:
            raise KeyError(f"no model named {name!r}")
        self.active = name
        return self.models[name].info(name)

    def model_bytes(self, name: str | None = None) -> bytes:
        """The model as ``.npz`` bytes, loadable by ``pynet`` on CPython."""
        entry = self._entry(name)
        return model_to_bytes(entry.model, entry.optimizer, entry.metadata | {"name": name or self.active})

    def _entry(self, name: str | None = None) -> ModelEntry:
        key = name or self.active
        if key is None or key not in self.models:
            raise RuntimeError("no model is loaded yet")
        return self.models[key]

    # ---- classifying ------------------------------------------------------
    def classify(self, pixels: Any, width: int, height: int) -> dict[str, Any] | None:
        """RGBA canvas pixels -> probabilities, or None when nothing is drawn."""
        x = self.preprocess(pixels, width, height)
        if x is None:
            return None
        probs = self._entry().model.predict_proba(x[None])[0]
        digit = int(probs.argmax())
        return {"digit": digit, "confidence": float(probs[digit]), "probs": [float(p) for p in probs]}

    def preprocess_sample(self, pixels: Any, width: int, height: int) -> bytes | None:
        """The drawing as the 784 float32 values the model sees (for teaching),
        or None when nothing is drawn."""
        x = self.preprocess(pixels, width, height)
        return None if x is None else x.astype(np.float32).tobytes()

    @staticmethod
    def preprocess(pixels: Any, width: int, height: int) -> np.ndarray | None:
        rgba = np.frombuffer(as_bytes(pixels), dtype=np.uint8)
        if rgba.size != width * height * 4:
            raise ValueError(f"expected {width}x{height} RGBA pixels ({width * height * 4} bytes), got {rgba.size}")
        return preprocess_drawing(rgba.reshape(height, width, 4))

    # ---- data ---------------------------------------------------------------
    def load_mnist(self, train_images: Any, train_labels: Any, test_images: Any, test_labels: Any) -> dict[str, int]:
        """Parse the four (optionally gzipped) IDX files and keep them."""
        arrays = {
            name: parse_idx(as_bytes(blob), name)
            for name, blob in {
                "train_images": train_images,
                "train_labels": train_labels,
                "test_images": test_images,
                "test_labels": test_labels,
            }.items()
        }
        val_size = min(VAL_SIZE, len(arrays["train_images"]) // 10)
        # Kept as uint8 pixels (55 MB instead of 220 MB of float32 in the tab's
        # wasm memory); pynet converts each batch as it is used.
        self.data = dataset_from_arrays(**arrays, dtype=np.uint8, val_size=val_size, seed=0)
        return {"train": len(self.data.x_train) + val_size, "test": len(self.data.x_test)}

    def _require_data(self):
        if self.data is None:
            raise RuntimeError("MNIST is not loaded yet")
        return self.data

    # ---- training -----------------------------------------------------------
    def start_training(self, settings: dict[str, Any], name: str = "trained") -> dict[str, Any]:
        """Validate settings and set up a training job (a fresh model)."""
        model_cfg, train_cfg = parse_settings(as_dict(settings))
        x_tr, y_tr, x_val, y_val = self._train_split()
        return self._begin_job(build_model(model_cfg), train_cfg, x_tr, y_tr, x_val, y_val, name)

    def start_fine_tune(self, samples: Any, labels: Any, name: str = "fine-tuned") -> dict[str, Any]:
        """Set up a short job that trains a copy of the active model on the
        user's drawings (784 float32 each, from ``preprocess_sample``) mixed
        with MNIST. The active model itself is not touched."""
        x_user = np.frombuffer(as_bytes(samples), dtype=np.float32)
        y_user = np.asarray(labels.to_py() if hasattr(labels, "to_py") else labels, dtype=np.int64)
        if x_user.size == 0 or x_user.size != 784 * len(y_user):
            raise ValueError(f"expected 784 values per labelled sample, got {x_user.size} values for {len(y_user)} labels")
        if y_user.min() < 0 or y_user.max() > 9:
            raise ValueError("sample labels must be digits 0-9")
        x_user = x_user.reshape(-1, 784)
        if not (np.isfinite(x_user).all() and x_user.min() >= 0 and x_user.max() <= 1):
            raise ValueError("sample pixels must be in [0, 1]")
        x_tr, y_tr, x_val, y_val = self._train_split()
        rng = np.random.default_rng(len(y_user))
        pick = rng.choice(len(x_tr), min(FINE_TUNE_MNIST, len(x_tr)), replace=False)
        repeats = int(np.ceil(FINE_TUNE_SHARE / (1 - FINE_TUNE_SHARE) * len(pick) / len(y_user)))
        x = np.concatenate([as_float_pixels(x_tr[pick]), np.tile(x_user, (repeats, 1))])
        y = np.concatenate([y_tr[pick], np.tile(y_user, repeats)])
        model = load_model(model_to_bytes(self._entry().model)).model  # a copy
        return self._begin_job(model, FINE_TUNE_CONFIG, x, y, x_val[:FINE_TUNE_VAL], y_val[:FINE_TUNE_VAL], name)

    def _train_split(self) -> tuple[np.ndarray, ...]:
        """MNIST's training images, split at load into training and validation parts."""
        data = self._require_data()
        return data.x_train, data.y_train, data.x_val, data.y_val

    def _begin_job(self, model: Sequential, config: TrainConfig, x, y, x_val, y_val, name: str) -> dict[str, Any]:
        self._trainer = Trainer(model, config, x, y, x_val, y_val)
        self._steps = self._trainer.steps()
        self._job_name = name
        self._chart = []
        return {
            "architecture": model.config.describe() if model.config else "?",
            "total_samples": self._trainer.total_samples,
            "epochs": config.epochs,
            "n_params": model.n_params,
        }

    def train_for(self, budget_ms: float) -> dict[str, Any]:
        """Run mini-batches for about ``budget_ms``; report the newest state,
        new chart points and finished epochs. Raises TrainingDiverged (the job
        is dropped; the active model is untouched)."""
        if self._steps is None or self._trainer is None:
            raise RuntimeError("no training job is running")
        deadline = time.perf_counter() + budget_ms / 1000.0
        points, epochs = [], []
        info: StepInfo | None = None
        done = False
        try:
            while True:
                try:
                    info = next(self._steps)
                except StopIteration:
                    done = True
                    break
                self._chart.append((info.loss, info.running_accuracy))
                if len(self._chart) >= CHART_EVERY:
                    losses, accs = zip(*self._chart)
                    points.append({"samples": info.samples, "loss": float(np.mean(losses)), "accuracy": accs[-1]})
                    self._chart = []
                if info.epoch_end:
                    epochs.append({"epoch": info.epoch, "samples": info.samples, "val_accuracy": info.val_accuracy,
                                   "val_loss": info.val_loss})
                if time.perf_counter() >= deadline:
                    break
        except Exception:
            self._steps = None
            self._trainer = None
            raise
        return {"step": info.to_dict() if info else None, "points": points, "epochs": epochs, "done": done}

    def finish_training(self, activate: bool = True) -> dict[str, Any]:
        """Register the (finished or stopped) job's model and make it active."""
        trainer = self._trainer
        if trainer is None:
            raise RuntimeError("no training job to finish")
        self._steps = None
        self._trainer = None
        data = self._require_data()
        test_acc = float(np.mean(trainer.model.predict(data.x_test) == data.y_test))
        meta = {"train_config": trainer.config.to_dict(), "history": trainer.history,
                "samples": trainer.samples_seen, "test_accuracy": test_acc}
        self.models[self._job_name] = ModelEntry(trainer.model, meta, trainer.optimizer)
        if activate:
            self.active = self._job_name
        return self.models[self._job_name].info(self._job_name)

    def cancel_training(self) -> None:
        self._steps = None
        self._trainer = None

    # ---- evaluation ---------------------------------------------------------
    def evaluate(self, name: str | None = None) -> dict[str, Any]:
        """Test-set report plus the first misclassified digits (as 784 bytes each)."""
        data = self._require_data()
        probs = self._entry(name).model.predict_proba(data.x_test)
        pred = probs.argmax(axis=1)
        report = classification_report(data.y_test, pred)
        wrong = misclassified_indices(data.y_test, pred)[:MAX_MISCLASSIFIED]
        report["misclassified"] = [
            {"index": int(i), "true": int(data.y_test[i]), "pred": int(pred[i]), "confidence": float(probs[i, pred[i]])}
            for i in wrong
        ]
        report["misclassified_pixels"] = data.x_test[wrong].tobytes()  # uint8 pixels (load_mnist)
        return report

    def first_layer_weights(self, name: str | None = None, max_units: int = 64) -> dict[str, Any]:
        """First-layer weights as 28x28 uint8 tiles (one per hidden unit), each
        scaled symmetrically so 128 = zero weight."""
        w = self._entry(name).model.parameters()[0]  # (784, n_units)
        units = min(max_units, w.shape[1])
        tiles = w[:, :units].T  # (units, 784)
        scale = np.abs(tiles).max(axis=1, keepdims=True) + 1e-12
        pixels = np.clip(np.round(127.5 + 127.5 * tiles / scale), 0, 255).astype(np.uint8)
        return {"units": units, "pixels": pixels.tobytes()}
