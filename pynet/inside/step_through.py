"""One training step, one stage at a time: forward -> loss -> backward ->
update, with every array it makes on the way.

``BatchStepper`` performs exactly the operations of ``Trainer.steps()`` for
its next mini-batch (the same batch, augmentation, dropout masks, learning
rate and optimiser), only pausing between stages and recording each array's
name, shape, dtype, statistics and the line of pynet's source that computed
it. Applied, the step is bit for bit an ordinary training step.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from pynet.nn.conv import Conv2D, Flatten, MaxPool2D, Reshape
from pynet.nn.layers import Dense, Dropout, ReLU
from pynet.nn.losses import SoftmaxCrossEntropy
from pynet.nn.norm import BatchNorm2D
from pynet.nn.optimizers import SGD, Adam
from pynet.training.trainer import Trainer

STAGES = ("forward", "loss", "backward", "update")
HISTOGRAM_BINS = 20

# Where each array is computed: (function, a piece of its line). The line is
# looked up in the source at run time, so it follows the code.
FORWARD = {Dense: (Dense.forward, "kernels.dense_forward"), ReLU: (ReLU.forward, "np.maximum"),
           Dropout: (Dropout.forward, "x * self._scale_mask"), Conv2D: (Conv2D.forward, "kernels.conv_forward"),
           MaxPool2D: (MaxPool2D.forward, "return batch_first(np.maximum"), Reshape: (Reshape.forward, "x.reshape"),
           Flatten: (Flatten.forward, "x.reshape"), BatchNorm2D: (BatchNorm2D.forward, "out = xhat *")}
INPUT_GRAD = {Dense: (Dense.backward, "kernels.dense_input_grad"), ReLU: (ReLU.backward, "grad_out * self._mask"),
              Dropout: (Dropout.backward, "grad_out * self._scale_mask"), Conv2D: (Conv2D.backward, "col2im("),
              MaxPool2D: (MaxPool2D.backward, "np.subtract(g1"), Reshape: (Reshape.backward, "grad_out.reshape"),
              Flatten: (Flatten.backward, "grad_out.reshape"), BatchNorm2D: (BatchNorm2D.backward, "dx = scale *")}
PARAM_GRAD = {(Dense, "W"): (Dense.backward, "kernels.dense_weight_grad"),
              (Dense, "b"): (Dense.backward, "np.sum(grad_out"),
              (Conv2D, "W"): (Conv2D.backward, "kernels.conv_weight_grad"),
              (Conv2D, "b"): (Conv2D.backward, "np.sum(g,"),
              (BatchNorm2D, "gamma"): (BatchNorm2D.backward, "np.sum(g * xhat"),
              (BatchNorm2D, "beta"): (BatchNorm2D.backward, "np.sum(g, axis=1")}
LOSS = (SoftmaxCrossEntropy.forward, "logp = log_softmax")
LOSS_GRAD = (SoftmaxCrossEntropy.backward, "grad /= divisor or len(labels)")
UPDATE = {Adam: (Adam.step, "p -= tmp"), SGD: (SGD.step, "p += v")}
_PACKAGE = Path(__file__).resolve().parents[1]  # pynet/


def source_line(where: tuple[Callable, str]) -> dict[str, Any]:
    """{file, line, code} of the first line of ``function`` containing ``needle``."""
    function, needle = where
    lines, first = inspect.getsourcelines(function)
    for offset, line in enumerate(lines):
        if needle in line:
            path = Path(inspect.getsourcefile(function)).resolve()
            name = f"pynet/{path.relative_to(_PACKAGE).as_posix()}" if path.is_relative_to(_PACKAGE) else path.name
            return {"file": name, "line": first + offset, "code": line.strip()}
    raise LookupError(f"{needle!r} is not in {function.__qualname__}")


def summary(name: str, array: np.ndarray, where: tuple[Callable, str] | None) -> dict[str, Any]:
    """What the page shows of an array: shape, dtype, statistics, a histogram."""
    a = np.asarray(array, dtype=np.float64)
    lo, hi = float(a.min()), float(a.max())
    counts, _ = np.histogram(a, bins=HISTOGRAM_BINS, range=(lo, hi) if hi > lo else (lo - 0.5, hi + 0.5))
    return {"name": name, "shape": list(array.shape), "dtype": str(array.dtype), "mean": float(a.mean()),
            "std": float(a.std()), "min": lo, "max": hi, "histogram": counts.tolist(),
            "source": source_line(where) if where else None}


class BatchStepper:
    """The next mini-batch of ``trainer``'s run (on its own copy of a model),
    stepped a stage at a time with ``advance()``."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        prog = trainer.progress
        self.epoch = prog.epochs_done + 1
        batch = trainer.next_batch()
        if batch is None:
            raise ValueError("this model's run is complete: there is no next batch to step through")
        self.idx, self.xb, self.yb = batch.idx, batch.x, batch.y
        if batch.rng is not None:
            trainer.model.set_rng(batch.rng)
        self._lr = batch.lr
        self.stage = 0  # stages done
        self.loss: float | None = None
        self._grad: np.ndarray | None = None

    @property
    def done(self) -> bool:
        return self.stage == len(STAGES)

    def advance(self) -> dict[str, Any]:
        """Run the next stage; returns its name and arrays."""
        if self.done:
            raise RuntimeError("all four stages of this step are done: apply it, or start another")
        name = STAGES[self.stage]
        arrays = getattr(self, f"_{name}")()
        self.stage += 1
        return {"stage": name, "index": self.stage, "arrays": arrays, "loss": self.loss,
                "batch_size": len(self.idx), "epoch": self.epoch}

    def _forward(self) -> list[dict[str, Any]]:
        model = self.trainer.model
        self.trainer.optimizer.lr = self._lr
        out = [summary("x: the batch's pixels", self.xb, None)]
        h = self.xb
        with np.errstate(over="ignore", invalid="ignore"):
            for i, layer in enumerate(model.layers):  # what Sequential.forward does, one layer at a time
                h = layer.forward(h, training=True)
                out.append(summary(f"output of {i}: {layer!r}", h, FORWARD[type(layer)]))
        self._logits = h
        return out

    def _loss(self) -> list[dict[str, Any]]:
        loss_fn = self.trainer.loss_fn
        with np.errstate(over="ignore", invalid="ignore"):
            self.loss = loss_fn.forward(self._logits, self.yb)
        self._grad = loss_fn.backward()
        return [summary("softmax probabilities", loss_fn.probs, LOSS),
                summary("d loss / d logits", self._grad, LOSS_GRAD)]

    def _backward(self) -> list[dict[str, Any]]:
        layers = self.trainer.model.layers
        out: list[dict[str, Any]] = []
        grad = self._grad
        for i in range(len(layers) - 1, -1, -1):  # what Sequential.backward does
            if grad is None:
                break
            layer = layers[i]
            grad = layer.backward(grad)
            for key, g in layer.grads.items():
                out.append(summary(f"d loss / d {key} of {i}: {layer!r}", g, PARAM_GRAD[(type(layer), key)]))
            if grad is not None and i > 0:
                out.append(summary(f"d loss / d input of {i}: {layer!r}", grad, INPUT_GRAD[type(layer)]))
        return out

    def _update(self) -> list[dict[str, Any]]:
        trainer = self.trainer
        params = trainer.model.parameters()
        names = [f"{key} of {i}: {layer!r}" for i, layer in enumerate(trainer.model.layers) for key in layer.params]
        before = [p.copy() for p in params]
        trainer.optimizer.step(trainer.model.gradients())
        prog = trainer.progress
        prog.advance(len(self.idx))
        if prog.epoch_samples >= len(trainer.x):  # as Trainer's epoch end, without its validation pass
            prog.finish_epoch()
        out = []
        where = UPDATE[type(trainer.optimizer)]
        for name, p, old in zip(names, params, before):
            change = summary(f"change in {name}", p - old, where)
            size = float(np.linalg.norm(old))
            change["relative_change"] = float(np.linalg.norm(p - old)) / size if size else None
            out.append(change)
        return out
