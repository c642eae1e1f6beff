"""The browser's door into pynet: one ``Session`` that the Web Worker drives.

Everything here takes and returns plain numbers, lists, dicts and ``bytes``,
so the worker script stays thin and this glue is unit-tested on CPython. The
worker names each request after the Session method it calls. It converts JS
typed arrays to ``bytes`` (or passes objects with a ``to_bytes()`` method,
which Pyodide's JsProxy of a typed array has).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import presets
from .confidence import calibration_report, judge
from .config import ARCHITECTURE_SETTINGS, ModelConfig, TrainConfig, parse_settings, settings_schema
from .constraints import SettingsError
from .data import MNIST_FILES, as_float_pixels, dataset_from_arrays, parse_idx
from .explain import explain, gradient_check
from .io import MAX_MODEL_BYTES, LoadedModel, Requirements, load_model, model_to_bytes
from .metadata import training_metadata
from .metrics import classification_report, misclassified_indices
from .model import Sequential, build_model, copy_model
from .optimizers import Optimizer
from .preprocess import preprocess_image
from .recipes import FINE_TUNE, FINE_TUNE_VAL, Finisher, continuation, fine_tune_data, validate_samples
from .stepper import STAGES, BatchStepper
from .strokes import render_strokes
from .train import StepInfo, Trainer

VAL_SIZE = 5000  # held out from the 60,000 training images for per-epoch validation
CHART_EVERY = 10  # batches per chart point
MAX_PARAMS = 20_000_000  # ~80 MB of float32 weights, ~3x that while training: the tab's budget
MAX_BATCH_BYTES = 512 * 2**20  # what one training batch may occupy in the tab (im2col columns dominate)
MAX_MISCLASSIFIED = 100
MAX_IMAGE_SIDE = 4096  # pixels of an opened image (the page sends at most 640)
# What the page can use: 28x28 inputs, ten digits, and weights that fit the tab.
PAGE_MODEL = Requirements(n_inputs=784, n_classes=10, max_params=MAX_PARAMS)


def as_bytes(data: Any) -> bytes:
    """bytes from bytes-likes or a Pyodide JsProxy of a typed array."""
    if hasattr(data, "to_bytes"):
        return data.to_bytes()
    return bytes(data)


def as_py(data: Any) -> Any:
    """Plain Python values from a Pyodide JsProxy (dicts, lists) or as they are."""
    return data.to_py() if hasattr(data, "to_py") else data


@dataclass
class ModelEntry:
    """A model the page can select, with what the UI shows about it."""

    model: Sequential
    metadata: dict[str, Any] = field(default_factory=dict)
    optimizer: Optimizer | None = None

    def info(self, name: str) -> dict[str, Any]:
        progress = self.metadata.get("progress") or {}
        return {
            "name": name,
            "architecture": self.model.config.describe(),
            "n_params": self.model.n_params,
            "test_accuracy": self.metadata.get("test_accuracy"),
            "epochs_done": progress.get("epochs_done", 0),
            "epoch_samples": progress.get("epoch_samples", 0),
            "has_optimizer": self.optimizer is not None,
        }


def run_for(steps: Iterator[tuple[int, int]], budget_ms: float, total: int) -> dict[str, Any]:
    """Advance ``steps`` (yielding images done, images in all) for about
    ``budget_ms``: the work of one of the worker's time slices."""
    deadline = time.perf_counter() + budget_ms / 1000.0
    for done, total in steps:
        if done < total and time.perf_counter() >= deadline:
            return {"done": False, "images": done, "total": total}
    return {"done": True, "images": total, "total": total}


class Session:
    """All state the worker keeps: models, MNIST, the running training job."""

    def __init__(self) -> None:
        self.models: dict[str, ModelEntry] = {}
        self.active: str | None = None
        self.data = None  # pynet.data.Dataset once MNIST is loaded
        self._trainer: Trainer | None = None
        self._steps = None
        self._finisher: Finisher | None = None  # the end of a job: calibration and test accuracy, in chunks
        self._evaluation: tuple | None = None  # (name, model, its test logits chunk by chunk, those done)
        self._job_name = ""
        self._chart: list[tuple[float, float]] = []  # (loss, acc) of batches since the last point
        self._stepper: BatchStepper | None = None
        self._stepper_base = ""

    # ---- settings -----------------------------------------------------------
    @staticmethod
    def settings_schema() -> dict[str, Any]:
        """The training form's fields, limits and defaults (sent with "ready")."""
        fields = settings_schema(presets.configs("in-tab"))
        if not fields["conv"]["default"]:  # a dense default: offer the example CNN's blocks when switching
            fields["conv"]["default"] = presets.form_values("tfjs")["conv"]
        return {"fields": fields, "max_params": MAX_PARAMS,
                "max_model_bytes": MAX_MODEL_BYTES,
                "presets": {name: presets.form_values(name) for name in presets.FORM_PRESETS}}

    def validate_settings(self, settings: Any) -> dict[str, str]:
        """Each bad field's message (empty when all are fine); for live checks."""
        try:
            self._parse(settings)
        except SettingsError as exc:
            return exc.errors
        return {}

    @staticmethod
    def _parse(settings: Any) -> tuple[ModelConfig, TrainConfig]:
        """parse_settings over the in-tab defaults, plus the tab's memory budget
        (checked even when other fields are wrong, so every message shows at once)."""
        values = as_py(settings)
        if not isinstance(values, dict):
            raise SettingsError({"settings": "must be an object of form fields"})
        defaults = presets.configs("in-tab")
        errors: dict[str, str] = {}
        try:
            model_cfg, train_cfg = parse_settings(values, defaults)
        except SettingsError as exc:
            errors = dict(exc.errors)
        architecture_fields = {k: values.get(k) for k in ARCHITECTURE_SETTINGS}
        if not set(architecture_fields) & set(errors):
            architecture = parse_settings(architecture_fields, defaults)[0]
            where = "conv" if architecture.conv else "hidden"
            if architecture.n_params > MAX_PARAMS:
                errors[where] = (f"{architecture.describe()} has {architecture.n_params:,} weights, more than the "
                                 f"{MAX_PARAMS:,} that fit in the tab's memory")
            elif not errors:
                batch_bytes = 4 * architecture.training_floats_per_sample() * train_cfg.batch_size
                if batch_bytes > MAX_BATCH_BYTES:
                    errors["batch_size"] = (f"a batch of {train_cfg.batch_size} needs about {batch_bytes / 2**20:,.0f} MB "
                                            f"with {architecture.describe()}; the tab allows {MAX_BATCH_BYTES // 2**20} "
                                            "MB: use a smaller batch")
        if errors:
            raise SettingsError(errors)
        return model_cfg, train_cfg

    # ---- models -----------------------------------------------------------
    def add_model(self, name: str, data: Any, activate: bool = True) -> dict[str, Any]:
        """Validate ``.npz`` bytes and register the model under ``name`` (or
        ``name-2``, … when taken: nothing is ever replaced); the active model
        only changes if the whole file is valid (``ModelFormatError`` otherwise)."""
        loaded: LoadedModel = load_model(as_bytes(data), require=PAGE_MODEL)
        name = self._free_name(str(name)[:80] or "model")
        entry = ModelEntry(loaded.model, loaded.metadata, loaded.make_optimizer())
        self.models[name] = entry
        if activate:
            self.active = name
        return entry.info(name)

    def _free_name(self, name: str) -> str:
        if name not in self.models:
            return name
        n = 2
        while f"{name}-{n}" in self.models:
            n += 1
        return f"{name}-{n}"

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
    def classify(self, points: Any, lengths: Any, width: float, height: float) -> dict[str, Any] | None:
        """A drawing as pen strokes -> the answer (``confidence.judge``: digit,
        confidence, unsure, alternatives), all ten probabilities, and the
        28x28 input the network saw (784 bytes); None when nothing is drawn.

        ``points`` are float32 (x, y) pairs in canvas units, ``lengths`` the
        number of points of each stroke, ``width``/``height`` the canvas's size."""
        x = self._render(points, lengths, width, height)
        return None if x is None else self._answer(x, "drawing")

    def _answer(self, x: np.ndarray, what: str) -> dict[str, Any]:
        with np.errstate(all="ignore"):
            probs = self._entry().model.predict_proba(x[None])[0]
        if not np.isfinite(probs).all():  # a loaded model that passed io's probe but overflows here
            raise ValueError(f"model {self.active} gives no valid answer for this {what} (its outputs overflow); "
                             "choose or train another model")
        answer = judge(probs)
        return answer | {"probs": [float(p) for p in probs],
                         "input": np.round(x * 255).astype(np.uint8).tobytes()}

    def preprocess_sample(self, points: Any, lengths: Any, width: float, height: float) -> bytes | None:
        """The drawing as the 784 float32 values the model sees (for teaching),
        or None when nothing is drawn."""
        x = self._render(points, lengths, width, height)
        return None if x is None else x.astype(np.float32).tobytes()

    @staticmethod
    def _render(points: Any, lengths: Any, width: float, height: float) -> np.ndarray | None:
        xy = np.frombuffer(as_bytes(points), dtype=np.float32).reshape(-1, 2)
        counts = np.frombuffer(as_bytes(lengths), dtype=np.int32)
        if (counts <= 0).any() or int(counts.sum()) != len(xy):
            raise ValueError(f"the strokes' lengths ({int(counts.sum())} points) do not match the {len(xy)} points")
        if not (0 < width <= 10_000 and 0 < height <= 10_000):
            raise ValueError(f"the canvas must be 1 to 10,000 units wide and high, got {width} x {height}")
        if not len(counts):
            return None
        strokes = np.split(xy, np.cumsum(counts)[:-1])
        return render_strokes(strokes, canvas_size=max(width, height))

    # ---- pictures: the page's "Open an image" (pixels decoded by the browser) ----
    def classify_image(self, pixels: Any, width: int, height: int) -> dict[str, Any]:
        """A picture's RGBA pixels (``width`` x ``height`` x 4 bytes, rows top
        to bottom) -> what ``classify`` returns for a drawing; the input is
        made by ``preprocess.preprocess_image``. ValueError when the picture
        holds no digit or the pixels do not match the size."""
        return self._answer(self._picture(pixels, width, height), "image")

    def preprocess_image_sample(self, pixels: Any, width: int, height: int) -> bytes:
        """The picture as the 784 float32 values the model sees (for teaching)."""
        return self._picture(pixels, width, height).astype(np.float32).tobytes()

    def explain_image(self, pixels: Any, width: int, height: int) -> dict[str, Any]:
        """``explain`` for a picture."""
        return explain(self._entry().model, self._picture(pixels, width, height)) | {"model": self.active}

    @staticmethod
    def _picture(pixels: Any, width: int, height: int) -> np.ndarray:
        if not all(isinstance(v, (int, float)) and float(v).is_integer() and 0 < v <= MAX_IMAGE_SIDE
                   for v in (width, height)):
            raise ValueError(f"an image must be 1 to {MAX_IMAGE_SIDE:,} pixels wide and high, got {width} x {height}")
        width, height = int(width), int(height)
        data = as_bytes(pixels)
        if len(data) != width * height * 4:
            raise ValueError(f"{len(data):,} bytes of pixels do not make a {width} x {height} RGBA image")
        x = preprocess_image(np.frombuffer(data, dtype=np.uint8).reshape(height, width, 4))
        if x is None:
            raise ValueError("no digit found in the image: it is blank, too faint, or holds only specks")
        return x

    # ---- data ---------------------------------------------------------------
    def load_mnist(self, **files: Any) -> dict[str, int]:
        """Parse the four (optionally gzipped) IDX files, given by the names of
        ``data.MNIST_FILES``, and keep them."""
        if set(files) != set(MNIST_FILES):
            raise ValueError(f"expected the MNIST files {sorted(MNIST_FILES)}, got {sorted(files)}")
        arrays = {name: parse_idx(as_bytes(blob), name) for name, blob in files.items()}
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
    def start_training(self, settings: Any, name: str = "trained", continue_active: bool = False) -> dict[str, Any]:
        """Validate settings and set up a training job: a fresh model, or with
        ``continue_active`` a copy of the active model that trains ``epochs``
        more epochs, keeping its optimiser state and its schedule position."""
        values = as_py(settings)
        if continue_active and isinstance(values, dict):  # the architecture is the model's
            values = {k: v for k, v in values.items() if k not in ARCHITECTURE_SETTINGS}
        model_cfg, train_cfg = self._parse(values)
        x_tr, y_tr, x_val, y_val = self._train_split()
        if not continue_active:
            return self._begin_job(Trainer(build_model(model_cfg), train_cfg, x_tr, y_tr, x_val, y_val), name)
        copy = load_model(self.model_bytes())  # the active model stays as it is until the run ends
        cont = continuation(copy, train_cfg, train_cfg.epochs, train_size=len(x_tr))
        trainer = Trainer(copy.model, cont.config, x_tr, y_tr, x_val, y_val, cont.optimizer, cont.progress, cont.history)
        return self._begin_job(trainer, name)

    def start_fine_tune(self, samples: Any, labels: Any, name: str = "fine-tuned") -> dict[str, Any]:
        """Set up a short job that trains a copy of the active model on the
        user's drawings (784 float32 each, from ``preprocess_sample``) mixed
        with MNIST (``recipes.fine_tune_data``). The active model is not touched."""
        x_user, y_user = validate_samples(np.frombuffer(as_bytes(samples), dtype=np.float32), as_py(labels))
        x_tr, y_tr, x_val, y_val = self._train_split()
        x, y = fine_tune_data(x_user, y_user, x_tr, y_tr)
        model = copy_model(self._entry().model)
        return self._begin_job(Trainer(model, FINE_TUNE, x, y, x_val[:FINE_TUNE_VAL], y_val[:FINE_TUNE_VAL]), name)

    def _train_split(self) -> tuple[np.ndarray, ...]:
        """MNIST's training images, split at load into training and validation parts."""
        data = self._require_data()
        return data.x_train, data.y_train, data.x_val, data.y_val

    def _begin_job(self, trainer: Trainer, name: str) -> dict[str, Any]:
        if self._trainer is not None:
            raise RuntimeError("a training run is already in progress")
        self._trainer = trainer
        self._steps = trainer.steps()
        self._job_name = name
        self._chart = []
        return {
            "architecture": trainer.model.config.describe(),
            "total_samples": trainer.total_samples,
            "samples": trainer.progress.samples_seen,
            "epochs": trainer.config.epochs,
            "first_epoch": trainer.progress.epochs_done + 1,
            "n_params": trainer.model.n_params,
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
            self._drop_job()
            raise
        return {"step": info.to_dict() if info else None, "points": points, "epochs": epochs, "done": done}

    def finish_for(self, budget_ms: float) -> dict[str, Any]:
        """After the last step (or a stop): calibrate and test the job's model
        for about ``budget_ms``, a chunk of images at a time; ``done`` when
        ``finish_training`` has nothing left to compute."""
        trainer = self._trainer
        if trainer is None:
            raise RuntimeError("no training job to finish")
        self._steps = None  # a stopped run trains no further
        if self._finisher is None:
            self._finisher = self._make_finisher(trainer)
        try:
            return run_for(self._finisher.steps(), budget_ms, self._finisher.total)
        except Exception:
            self._drop_job()
            raise

    def _drop_job(self) -> None:
        self._steps = self._trainer = self._finisher = None

    def _make_finisher(self, trainer: Trainer) -> Finisher:
        data = self._require_data()
        x_val = trainer.x_val if trainer.x_val is not None else data.x_val[:0]
        y_val = trainer.y_val if trainer.y_val is not None else data.y_val[:0]
        return Finisher(trainer.model, x_val, y_val, data.x_test, data.y_test)

    def finish_training(self, activate: bool = True) -> dict[str, Any]:
        """Register the (finished or stopped) job's model and make it active."""
        trainer = self._trainer
        if trainer is None:
            raise RuntimeError("no training job to finish")
        finisher = self._finisher or self._make_finisher(trainer)
        try:
            finisher.run()  # whatever finish_for has not done yet
        finally:
            self._drop_job()
        data = self._require_data()
        test_acc = finisher.test_accuracy
        name = self._free_name(self._job_name)
        meta = training_metadata(trainer, name=name, val_size=len(data.x_val), test_accuracy=test_acc)
        self.models[name] = ModelEntry(trainer.model, meta, trainer.optimizer)
        if activate:
            self.active = name
        return self.models[name].info(name)

    # ---- looking inside -------------------------------------------------------
    def explain(self, points: Any, lengths: Any, width: float, height: float) -> dict[str, Any] | None:
        """The active model on the drawing: every layer's activations, the
        saliency of its answer, the units that pushed for and against it
        (``explain.explain``); None when nothing is drawn."""
        x = self._render(points, lengths, width, height)
        if x is None:
            return None
        return explain(self._entry().model, x) | {"model": self.active}

    def start_step(self, settings: Any) -> dict[str, Any]:
        """Set up one training step of the active model, on a copy, with the
        form's settings (as Continue would train it): see ``stepper.py``."""
        values = as_py(settings)
        if isinstance(values, dict):
            values = {k: v for k, v in values.items() if k not in ARCHITECTURE_SETTINGS}
        _, train_cfg = self._parse(values)
        x_tr, y_tr, x_val, y_val = self._train_split()
        copy = load_model(self.model_bytes())
        cont = continuation(copy, train_cfg, 1, train_size=len(x_tr))
        trainer = Trainer(copy.model, cont.config, x_tr, y_tr, x_val, y_val, cont.optimizer, cont.progress, cont.history)
        self._stepper = BatchStepper(trainer)
        self._stepper_base = self.active or "model"
        return {"model": self.active, "stages": list(STAGES), "batch_size": len(self._stepper.idx),
                "epoch": self._stepper.epoch, "lr": trainer.current_lr(), "optimizer": trainer.config.optimizer,
                "fresh_optimizer": cont.optimizer is None}

    def step_stage(self) -> dict[str, Any]:
        """The next stage of the step: forward, loss, backward, update."""
        if self._stepper is None:
            raise RuntimeError("start a step first")
        return self._stepper.advance()

    def apply_step(self) -> dict[str, Any]:
        """Keep the stepped copy: it becomes a new model and the active one (the
        model it came from stays as it was, the shipped one included)."""
        stepper = self._stepper
        if stepper is None or not stepper.done:
            raise RuntimeError("step through all four stages before applying the step")
        self._stepper = None
        trainer = stepper.trainer
        name = self._free_name(f"{self._stepper_base.split('+')[0]}+step")
        meta = training_metadata(trainer, name=name, val_size=len(self._require_data().x_val))
        self.models[name] = ModelEntry(trainer.model, meta, trainer.optimizer)
        self.active = name
        return self.models[name].info(name)

    def gradient_check(self, n: int = 8, per_layer: int = 3) -> dict[str, Any]:
        """Finite differences (float64) against backpropagation for the active
        model on ``n`` validation images (``explain.gradient_check``)."""
        data = self._require_data()
        x = as_float_pixels(data.x_val[:n], np.float64)
        report = gradient_check(self._entry().model, x, data.y_val[:n], per_layer=per_layer)
        return {"model": self.active, "images": int(n), "layers": report,
                "max_relative_error": max(r["max_relative_error"] for r in report)}

    # ---- evaluation ---------------------------------------------------------
    def evaluate(self, name: str | None = None) -> dict[str, Any]:
        """Test-set report, calibration (``confidence.calibration_report``) and
        the first misclassified digits (as 784 bytes each), all at once."""
        self.start_evaluate(name)
        while not (update := self.evaluate_for(math.inf))["done"]:
            pass
        return update["report"]

    def start_evaluate(self, name: str | None = None) -> dict[str, Any]:
        """Set up an evaluation that ``evaluate_for`` runs in time slices (the
        shipped CNN needs about 10 s for the test set in the tab, and drawings
        are classified in between)."""
        if self._evaluation is not None:
            raise RuntimeError("an evaluation is already running")
        data = self._require_data()
        name = name or self.active
        model = self._entry(name).model
        total, logits = len(data.x_test), []

        def chunks() -> Iterator[tuple[int, int]]:
            for part in model.logits_in_chunks(data.x_test, model.slice_size()):
                logits.append(part)
                yield sum(map(len, logits)), total

        self._evaluation = (name, model, chunks(), logits)
        return {"total": total}

    def evaluate_for(self, budget_ms: float) -> dict[str, Any]:
        """Evaluate for about ``budget_ms``; the report once all test images are done."""
        if self._evaluation is None:
            raise RuntimeError("no evaluation is running")
        name, model, chunks, logits = self._evaluation
        total = len(self._require_data().x_test)
        try:
            progress = run_for(chunks, budget_ms, total)
        except Exception:  # a failed evaluation does not block the next one
            self._evaluation = None
            raise
        if not progress["done"]:
            return progress
        self._evaluation = None
        return progress | {"report": self._report(model, np.concatenate(logits)) | {"model": name}}

    def _report(self, model: Sequential, logits: np.ndarray) -> dict[str, Any]:
        data = self._require_data()
        probs = model.proba_from_logits(logits)
        pred = probs.argmax(axis=1)
        report = classification_report(data.y_test, pred)
        report["calibration"] = calibration_report(logits, data.y_test, model.temperature)
        wrong = misclassified_indices(data.y_test, pred)[:MAX_MISCLASSIFIED]
        report["misclassified"] = [
            {"index": int(i), "true": int(data.y_test[i]), "pred": int(pred[i]), "confidence": float(probs[i, pred[i]])}
            for i in wrong
        ]
        report["misclassified_pixels"] = data.x_test[wrong].tobytes()  # uint8 pixels (load_mnist)
        return report

    def first_layer_weights(self, name: str | None = None, max_units: int = 64) -> dict[str, Any]:
        """The first layer's weights as uint8 tiles, each scaled symmetrically
        so 128 = zero weight: a 28x28 tile per hidden unit of a dense network,
        a k x k tile per filter of a convolutional one."""
        model = self._entry(name).model
        w = model.parameters()[0]
        if model.config.conv:  # (filters, 1, k, k)
            units, side = min(max_units, w.shape[0]), w.shape[-1]
            tiles = w[:units].reshape(units, -1)
        else:  # (784, n_units)
            units, side = min(max_units, w.shape[1]), model.config.image_side
            tiles = w[:, :units].T
        scale = np.abs(tiles).max(axis=1, keepdims=True) + 1e-12
        pixels = np.clip(np.round(127.5 + 127.5 * tiles / scale), 0, 255).astype(np.uint8)
        return {"units": units, "side": side, "kind": "filters" if model.config.conv else "units",
                "pixels": pixels.tobytes()}
