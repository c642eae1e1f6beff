"""The browser's door into pynet: one ``Session`` that the Web Worker drives.

Everything here takes and returns plain numbers, lists, dicts and ``bytes``,
so the worker script stays thin and this glue is unit-tested on CPython. The
worker names each request after the Session method that answers it and calls
it through ``Session.handle``, which returns the result or the error as
``{kind, message, fields}`` (``errors.error_info``): the page never parses
Python's tracebacks. Long jobs (``jobs.py``) are started by a ``start_*``
method and then advanced by the worker (``advance``) until done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pynet.config import ARCHITECTURE_SETTINGS, ModelConfig, TrainConfig, form_architecture, settings_schema
from pynet.constraints import SettingsError
from pynet.data.mnist import MNIST_FILES, dataset_from_arrays, parse_idx
from pynet.export.notebook import run_record
from pynet.input.strokes import ON_SCREEN_PEN, check_strokes, drop_stray_marks, drop_underline, render_strokes
from pynet.io.model_file import MAX_MODEL_BYTES, LoadedModel, Requirements, load_model, model_to_bytes
from pynet.nn.model import Sequential, build_model, copy_model
from pynet.nn.optimizers import Optimizer
from pynet.recipes import presets
from pynet.recipes.runs import FINE_TUNE, FINE_TUNE_VAL, continuation, fine_tune_data, validate_samples
from pynet.training.confidence import judge
from pynet.training.record import data_record
from pynet.training.trainer import Trainer

from .budget import DEFAULT_MEMORY_MB, MAX_PARAMS, parse_tab_settings
from .dispatch import answer
from .finetune import FeatureCache, HeadFineTuneJob
from .image_requests import ImageRequests
from .inside_requests import InsideRequests, StepThrough
from .jobs import EvaluationJob, Job, NewModel, TrainingJob
from .run_requests import RunRequests
from .team import as_bytes, as_py

VAL_SIZE = 5000  # held out from the 60,000 training images for per-epoch validation
# What the page can use: 28x28 inputs, ten digits, and weights that fit the tab.
PAGE_MODEL = Requirements(n_inputs=784, n_classes=10, max_params=MAX_PARAMS)


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
            "form": form_architecture(self.model.config),  # what the form shows while it is continued
        }


class Session(RunRequests, ImageRequests, InsideRequests):
    """All state the worker keeps: models, MNIST, the running training job.
    The requests about runs (shared links, notebooks) are ``RunRequests``;
    those about an opened image (``classify_image`` and co.) ``ImageRequests``;
    those that look inside the network (explain, step through a training
    step, gradient check, first-layer weights) ``InsideRequests``."""

    def __init__(self) -> None:
        self.models: dict[str, ModelEntry] = {}
        self.active: str | None = None
        self.data = None  # pynet.data.mnist.Dataset once MNIST is loaded
        self.job: Job | None = None  # the long job in progress, if any (jobs.py)
        self._features: FeatureCache | None = None  # the last fine-tune's base features (finetune.py)
        self._step: StepThrough | None = None  # a training step being stepped through (web_inside.py)
        self.memory_mb = float(DEFAULT_MEMORY_MB)  # the tab's budget (set_device)

    def handle(self, method: str, args: Any = None) -> dict[str, Any]:
        """Answer the page's request ``method`` (``errors.answer``): only the
        methods in ``REQUESTS`` answer."""
        return answer(self, REQUESTS, method, args)

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

    def _parse(self, settings: Any) -> tuple[ModelConfig, TrainConfig]:
        """The form's settings, checked against the tab's limits (``budget.py``)."""
        return parse_tab_settings(as_py(settings), self.memory_mb)

    def set_device(self, memory_mb: float) -> dict[str, float]:
        """The tab's memory budget in MB, as the page judges it from the device
        (``budget.parse_tab_settings`` caps the workers by it)."""
        value = float(memory_mb)
        if not 64 <= value <= 65_536:
            raise ValueError(f"the tab's memory budget must be 64 to 65,536 MB, got {memory_mb}")
        self.memory_mb = value
        return {"memory_mb": value}

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

    def _free_name(self, name: str, numbered: bool = False) -> str:
        """The one place models are named: ``name``, or ``name-2``, ``name-3``,
        … when taken; ``numbered`` names are always numbered (``trained-1``,
        ``trained-2``: a run's results)."""
        if not numbered and name not in self.models:
            return name
        n = 1 if numbered else 2
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
        """The active model's answer for the input ``x`` ``(784,)`` of a
        ``what`` (a drawing, an image): what ``classify`` returns."""
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
        joined = ON_SCREEN_PEN * width  # marks closer than the pen on screen look joined: never left out
        strokes = drop_underline(drop_stray_marks(check_strokes(np.split(xy, np.cumsum(counts)[:-1])), joined), joined)
        return render_strokes(strokes, canvas_size=max(width, height))

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
        """Start a training job (``jobs.TrainingJob``): a fresh model, or with
        ``continue_active`` a copy of the active model that trains ``epochs``
        more epochs, keeping its optimiser state and its schedule position.
        The result is registered as ``name`` (or ``name-2``, …)."""
        values = as_py(settings)
        if continue_active and isinstance(values, dict):  # the architecture is the model's
            values = {k: v for k, v in values.items() if k not in ARCHITECTURE_SETTINGS}
        model_cfg, train_cfg = self._parse(values)
        x_tr, y_tr, x_val, y_val = self._train_split()
        continued_at = None
        if not continue_active:
            trainer = Trainer(build_model(model_cfg), train_cfg, x_tr, y_tr, x_val, y_val)
        else:
            copy = load_model(self.model_bytes())  # the active model stays as it is until the run ends
            cont = continuation(copy, train_cfg, train_cfg.epochs, train_size=len(x_tr))
            trainer = Trainer(copy.model, cont.config, x_tr, y_tr, x_val, y_val, cont.optimizer, cont.progress,
                              cont.history)
            continued_at = cont.continued_at_step
        data = self._require_data()
        return self._begin(TrainingJob(trainer, name=str(name)[:80] or "trained", x_test=data.x_test,
                                       y_test=data.y_test, val_size=len(x_val), workers=train_cfg.workers,
                                       data=data_record("mnist", len(x_tr) + len(x_val)),
                                       continued_at_step=continued_at,
                                       continued_from=self.active if continue_active else None))

    def start_fine_tune(self, samples: Any, labels: Any, whole_network: bool = False) -> dict[str, Any]:
        """Start teaching a copy of the active model the person's drawings (784
        float32 each, from ``preprocess_sample``). By default only its dense
        head learns, on features of the frozen convolution blocks
        (``finetune.HeadFineTuneJob``: seconds); ``whole_network`` trains every
        layer briefly on the drawings mixed with MNIST (``recipes.fine_tune_data``).
        The active model is not touched; the result is named ``<model>+you``."""
        x_user, y_user = validate_samples(np.frombuffer(as_bytes(samples), dtype=np.float32), as_py(labels))
        x_tr, y_tr, x_val, y_val = self._train_split()
        base_name = f"{(self.active or 'model').split('+')[0]}+you"
        base = self._entry().model
        if not whole_network:
            return self._begin(HeadFineTuneJob(base, base_name, x_user, y_user, x_tr, y_tr, x_val, y_val,
                                               self._features))
        x, y = fine_tune_data(x_user, y_user, x_tr, y_tr)
        trainer = Trainer(copy_model(base), FINE_TUNE, x, y, x_val[:FINE_TUNE_VAL], y_val[:FINE_TUNE_VAL])
        data = self._require_data()
        return self._begin(TrainingJob(trainer, name=base_name, x_test=data.x_test, y_test=data.y_test,
                                       val_size=FINE_TUNE_VAL, kind="fine-tune",
                                       data=data_record("mnist+drawings", len(x))))

    def start_evaluate(self, name: str | None = None, workers: int = 1, compare: str | None = None) -> dict[str, Any]:
        """Start evaluating a model (the active one by default) on the test
        set, the images split across ``workers`` (``jobs.EvaluationJob``);
        with ``compare`` (another model's name), also where the two disagree."""
        data = self._require_data()
        name = name or self.active
        model = self._entry(name).model
        workers = TrainConfig(workers=workers).workers  # the settings table's limit
        other = None
        if compare is not None:
            if not isinstance(compare, str) or compare not in self.models:
                raise KeyError(f"no model named {str(compare)[:80]!r} to compare with")
            other = (compare, self.models[compare].model)
        return self._begin(EvaluationJob(model, str(name), data.x_test, data.y_test, workers, other))

    def _train_split(self) -> tuple[np.ndarray, ...]:
        """MNIST's training images, split at load into training and validation parts."""
        data = self._require_data()
        return data.x_train, data.y_train, data.x_val, data.y_val

    def _begin(self, job: Job) -> dict[str, Any]:
        if self.job is not None:
            raise RuntimeError(f"a {self.job.kind} job is already in progress")
        self.job = job
        return {"job": job.describe()}

    def advance(self, budget_ms: float, replies: Any = None, failure: str | None = None,
                paused_ms: float = 0.0) -> dict[str, Any]:
        """Advance the job in progress by about ``budget_ms`` (``Job.advance``),
        after ``paused_ms`` the page held it (Pause; ``Job.paused``).
        A job that fails is dropped (the error says why; the active model is
        untouched); one that is done is dropped and its result returned: a
        new model is registered and made active."""
        job = self.job
        if job is None:
            raise RuntimeError("no job is in progress")
        if paused_ms:
            job.paused(float(paused_ms) / 1000)
        try:
            update = job.advance(float(budget_ms), None if replies is None else list(as_py(replies)), failure)
        except Exception:
            self.job = None
            raise
        if update.done:
            self.job = None
            if isinstance(job, HeadFineTuneJob):
                self._features = job.cache
            if isinstance(update.result, NewModel):
                update.result = self._register(update.result)
        return update.to_dict()

    def drop_job(self) -> dict[str, bool]:
        """Abandon the job in progress without a result (the worker could not
        run it, e.g. its helper workers did not start)."""
        dropped, self.job = self.job is not None, None
        return {"dropped": dropped}

    def stop_job(self) -> dict[str, bool]:
        """Ask the job in progress to wrap up (a training run keeps its model)."""
        if self.job is None:
            return {"stopping": False}
        self.job.stop()
        return {"stopping": True}

    def _register(self, new: NewModel) -> dict[str, Any]:
        name = self._free_name(new.base_name, numbered=True)
        entry = self._keep(name, new.model, new.metadata | {"name": name}, new.optimizer)
        return entry.info(name) | {"summary": new.summary, "record": run_record(new.model.config, entry.metadata)}

    def _keep(self, name: str, model: Sequential, metadata: dict[str, Any], optimizer: Optimizer | None) -> ModelEntry:
        """Add a model under the free name ``name`` and make it the active one."""
        entry = ModelEntry(model, metadata, optimizer)
        self.models[name] = entry
        self.active = name
        return entry

    # ---- evaluation ---------------------------------------------------------
    def evaluate(self, name: str | None = None) -> dict[str, Any]:
        """The evaluation report at once (``start_evaluate`` run to its end;
        for tests and scripts, the page advances it in time slices)."""
        self.start_evaluate(name)
        while not (update := self.advance(float("inf")))["done"]:
            pass
        return update["result"]


# What the page may ask for (``Session.handle``): each is the method of that name.
REQUESTS = frozenset({
    "settings_schema", "validate_settings", "add_model", "set_active", "model_bytes", "classify",
    "preprocess_sample", "classify_image", "preprocess_image_sample", "explain_image", "load_mnist", "start_training", "start_fine_tune", "start_evaluate", "advance", "stop_job",
    "drop_job", "set_device", "read_link", "export_notebook",
    "explain", "start_step", "step_stage", "apply_step", "gradient_check", "first_layer_weights",
})
