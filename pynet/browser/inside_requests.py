"""The page's requests that look inside the network: the explanation of a
drawing, one training step stepped through stage by stage, the gradient
check, and the first layer's weights. The step being stepped through is the
one piece of state here (``StepThrough``, kept by ``InsideRequests``).
Loaded when the page first looks inside."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pynet.config import ARCHITECTURE_SETTINGS
from pynet.inside.explain import explain, gradient_check
from pynet.inside.step_through import STAGES, BatchStepper
from pynet.io.model_file import load_model
from pynet.nn.model import as_float_pixels
from pynet.recipes.runs import continuation
from pynet.training.record import data_record, training_metadata
from pynet.training.trainer import Trainer

from .drawing_requests import drawing_input
from .mnist_data import MnistData
from .models import ModelRegistry
from .tab_settings import TabSettings
from .values import as_py


@dataclass
class StepThrough:
    """A training step of a copy of the active model, stepped through."""

    stepper: BatchStepper
    base: str  # the model it was started from
    continued_at_step: int | None


class InsideRequests:
    """``explain``, ``start_step`` / ``step_stage`` / ``apply_step``,
    ``gradient_check`` and ``first_layer_weights``, about ``models``' active
    model; a step trains on ``data`` with settings checked by ``tab``. Holds
    the step being stepped through, if any."""

    def __init__(self, models: ModelRegistry, data: MnistData, tab: TabSettings) -> None:
        self.models = models
        self.data = data
        self.tab = tab
        self.step: StepThrough | None = None

    def explain(self, points: Any, lengths: Any, width: float, height: float, digit: Any = None
                ) -> dict[str, Any] | None:
        """The active model on the drawing: every layer's activations, the
        saliency of its answer, the units that pushed for and against it
        (``explain.explain``); of its digit ``digit`` (0 at the left) when
        given; None when nothing is drawn. Raises as
        ``drawing_requests.drawing_input``, RuntimeError without a model."""
        x = drawing_input(points, lengths, width, height, digit)
        if x is None:
            return None
        return explain(self.models.entry().model, x) | {"model": self.models.active}

    def start_step(self, settings: Any) -> dict[str, Any]:
        """Set up one training step of the active model, on a copy, with the
        form's settings (as Continue would train it): see
        ``pynet.inside.step_through``. Raises SettingsError for bad settings,
        RuntimeError without MNIST or a model."""
        values = as_py(settings)
        if isinstance(values, dict):
            values = {k: v for k, v in values.items() if k not in ARCHITECTURE_SETTINGS}
        _, train_cfg = self.tab.parse(values)
        x_tr, y_tr, x_val, y_val = self.data.train_split()
        copy = load_model(self.models.model_bytes())
        cont = continuation(copy, train_cfg, 1, train_size=len(x_tr))
        trainer = Trainer(copy.model, cont.config, x_tr, y_tr, x_val, y_val, cont.optimizer, cont.progress, cont.history)
        stepper = BatchStepper(trainer)
        self.step = StepThrough(stepper, self.models.active or "model", cont.continued_at_step)
        return {"model": self.models.active, "stages": list(STAGES), "batch_size": len(stepper.idx),
                "epoch": stepper.epoch, "lr": trainer.current_lr(), "optimizer": trainer.config.optimizer,
                "fresh_optimizer": cont.optimizer is None}

    def step_stage(self) -> dict[str, Any]:
        """The next stage of the step: forward, loss, backward, update.
        Raises RuntimeError before ``start_step``."""
        if self.step is None:
            raise RuntimeError("start a step first")
        return self.step.stepper.advance()

    def apply_step(self) -> dict[str, Any]:
        """Keep the stepped copy: it becomes a new model and the active one (the
        model it came from stays as it was, the shipped one included). Raises
        RuntimeError before all four stages are done."""
        step = self.step
        if step is None or not step.stepper.done:
            raise RuntimeError("step through all four stages before applying the step")
        self.step = None
        trainer = step.stepper.trainer
        name = self.models.free_name(f"{step.base.split('+')[0]}+step")
        data = self.data.require()
        meta = training_metadata(trainer, name=name, val_size=len(data.x_val),
                                 data=data_record("mnist", len(data.x_train) + len(data.x_val)),
                                 continued_at_step=step.continued_at_step)
        return self.models.keep(name, trainer.model, meta, trainer.optimizer).info(name)

    def gradient_check(self, n: int = 8, per_layer: int = 3) -> dict[str, Any]:
        """Finite differences (float64) against backpropagation for the active
        model on ``n`` validation images (``explain.gradient_check``). Raises
        RuntimeError without MNIST or a model."""
        data = self.data.require()
        x = as_float_pixels(data.x_val[:n], np.float64)
        report = gradient_check(self.models.entry().model, x, data.y_val[:n], per_layer=per_layer)
        return {"model": self.models.active, "images": int(n), "layers": report,
                "max_relative_error": max(r["max_relative_error"] for r in report)}

    def first_layer_weights(self, name: str | None = None, max_units: int = 64) -> dict[str, Any]:
        """The first layer's weights as uint8 tiles, each scaled symmetrically
        so 128 = zero weight: a 28x28 tile per hidden unit of a dense network,
        a k x k tile per filter of a convolutional one. Raises RuntimeError
        without a model."""
        model = self.models.entry(name).model
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
