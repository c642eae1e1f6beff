"""The books of a training run, kept beside the loop (``trainer.py``): where
the run stands (``TrainProgress``), what each step reports (``StepInfo``,
``BatchResult``), the running figures, the guard against divergence, and
what an epoch's end records (validation, one history entry).
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from pynet.constraints import Integer, SettingsError
from pynet.nn.model import Sequential

from .metrics import accuracy

if TYPE_CHECKING:
    from .trainer import Batch

# A mean cross-entropy this many times the chance-level loss ln(n_classes) means
# the optimiser has blown up. The stable softmax keeps such losses finite (lr=10
# with Adam on MNIST measured 290,715 at step 2, then every ReLU died), so a
# finiteness check alone would never fire.
DIVERGENCE_FACTOR = 50.0
_COUNT = Integer(0, 2**53)  # positions in a run: exact in JS numbers too
RECENT_SECONDS = 3.0  # samples/s is measured over about this much of the latest stepping


class TrainingDiverged(RuntimeError):
    """Loss or weights became non-finite; the last good weights were restored."""


@dataclass
class TrainProgress:
    """Where a run stands: enough to continue it exactly."""

    epochs_done: int = 0  # finished epochs
    epoch_samples: int = 0  # samples already used of the epoch in progress
    samples_seen: int = 0  # over the whole run, repeats included
    steps: int = 0  # mini-batches so far

    def advance(self, batch: int) -> None:
        """One mini-batch of ``batch`` samples is done."""
        self.steps += 1
        self.samples_seen += batch
        self.epoch_samples += batch

    def finish_epoch(self) -> None:
        self.epochs_done += 1
        self.epoch_samples = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> TrainProgress:
        """Checked: raises SettingsError naming each bad entry."""
        if not isinstance(data, dict) or set(data) != set(cls.__dataclass_fields__):
            raise SettingsError({"progress": "must list epochs_done, epoch_samples, samples_seen and steps"})
        errors = {}
        for key, value in data.items():
            try:
                _COUNT.parse(value)
            except ValueError as exc:
                errors[f"progress.{key}"] = str(exc)
        if errors:
            raise SettingsError(errors)
        return cls(**data)


@dataclass
class StepInfo:
    """What one training step reports (plain numbers, JSON-ready)."""

    epoch: int  # 1-based epoch this step belongs to
    step: int  # 1-based global step
    samples: int  # samples seen so far in the run
    total_samples: int
    loss: float  # this batch
    running_loss: float  # smoothed over recent batches
    running_accuracy: float  # over the current epoch so far
    samples_per_sec: float  # over the last few seconds of stepping
    lr: float
    epoch_end: bool = False
    val_accuracy: float | None = None
    val_loss: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class BatchResult:
    """What a forward and backward pass over a batch, or over a part of one
    (a data-parallel shard), reports. The gradients themselves are in the
    model's ``gradients()``."""

    loss_sum: float  # per-sample losses, summed
    count: int  # samples
    correct: int  # right answers among the samples with a class label
    known: int  # samples with a class label (outlier-exposure scribbles have none)

    def __add__(self, other: BatchResult) -> BatchResult:
        return BatchResult(self.loss_sum + other.loss_sum, self.count + other.count, self.correct + other.correct,
                           self.known + other.known)

    @property
    def loss(self) -> float:
        return self.loss_sum / self.count

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


class Guard:
    """Divergence: raises TrainingDiverged when the loss blows up or the
    weights stop being finite, after putting back the last weights (and batch
    norm's statistics) that gave a finite loss."""

    def __init__(self, model: Sequential, lr: float) -> None:
        self.model, self.lr = model, lr
        self.snapshot = [a.copy() for a in model.arrays()]
        self.chance_loss = math.log(model.n_classes)

    def check_loss(self, loss: float, batch: Batch, step: int) -> None:
        """Before the update: a sane loss means these weights are good (kept)."""
        if not (math.isfinite(loss) and loss <= DIVERGENCE_FACTOR * self.chance_loss):
            self.restore()
            raise TrainingDiverged(
                f"training diverged at epoch {batch.epoch}, step {step}: the loss became {loss:.4g} "
                f"(chance level is {self.chance_loss:.2f}); the learning rate {self.lr:g}"
                + (f" ({batch.lr:g} at that step of the schedule)" if batch.lr != self.lr else "")
                + " is probably too high"
            )
        # (Batch norm's statistics have already moved with this batch; they
        # are kept as they are, finite since the loss is.)
        for snap, a in zip(self.snapshot, self.model.arrays()):
            np.copyto(snap, a)

    def check_weights(self, epoch: int) -> None:
        """At an epoch's end: every weight and statistic is finite."""
        if not all(np.isfinite(a).all() for a in self.model.arrays()):
            self.restore()
            raise TrainingDiverged(f"training diverged in epoch {epoch}: the weights became non-finite; "
                                   f"the learning rate {self.lr:g} is probably too high")

    def restore(self) -> None:
        for a, snap in zip(self.model.arrays(), self.snapshot):
            np.copyto(a, snap)


class Logbook:
    """The running figures of a run (the epoch in progress, the last few
    seconds, a smoothed loss) and its history, one entry per finished epoch."""

    def __init__(self, history: list[dict] | None, total_samples: int) -> None:
        self.history: list[dict] = list(history or [])
        self.total_samples = total_samples
        self.running_loss = math.nan
        self.new_epoch()
        self.recent: deque[tuple[int, float]] = deque()  # (samples, seconds) of recent steps
        # Running totals of ``recent`` (re-summing it cost ~0.7 ms/step in Pyodide).
        self.recent_samples, self.recent_secs = 0, 0.0

    def new_epoch(self) -> None:
        self.correct = self.known = 0
        self.loss_sum, self.count = 0.0, 0

    @property
    def samples_per_sec(self) -> float:
        return self.recent_samples / self.recent_secs if self.recent_secs > 0 else 0.0

    def record(self, batch: Batch, result: BatchResult, progress: TrainProgress) -> StepInfo:
        """Add a finished step (its time counted from when it was planned)."""
        seconds = time.perf_counter() - batch.planned_at
        self.correct += result.correct
        self.known += result.known
        self.loss_sum += result.loss_sum
        self.count += result.count
        self.recent.append((result.count, seconds))
        self.recent_samples, self.recent_secs = self.recent_samples + result.count, self.recent_secs + seconds
        while len(self.recent) > 1 and self.recent_secs > RECENT_SECONDS:
            old_n, old_secs = self.recent.popleft()
            self.recent_samples, self.recent_secs = self.recent_samples - old_n, self.recent_secs - old_secs
        loss = result.loss
        self.running_loss = loss if math.isnan(self.running_loss) else 0.95 * self.running_loss + 0.05 * loss
        return StepInfo(epoch=batch.epoch, step=progress.steps, samples=progress.samples_seen,
                        total_samples=self.total_samples, loss=loss, running_loss=self.running_loss,
                        running_accuracy=self.correct / max(self.known, 1), samples_per_sec=self.samples_per_sec,
                        lr=batch.lr)

    def end_epoch(self, info: StepInfo, model: Sequential, x_val: np.ndarray | None,
                  y_val: np.ndarray | None) -> None:
        """Validate (when there are validation images) and add the epoch to the history."""
        info.epoch_end = True
        if x_val is not None and y_val is not None and len(x_val):
            probs = model.predict_proba(x_val)
            info.val_accuracy = accuracy(y_val, probs.argmax(axis=1))
            picked = probs[np.arange(len(y_val)), y_val]
            info.val_loss = float(-np.log(np.maximum(picked, 1e-12)).mean())
        self.history.append({"epoch": info.epoch, "train_loss": self.loss_sum / self.count,
                             "train_accuracy": info.running_accuracy, "val_accuracy": info.val_accuracy,
                             "val_loss": info.val_loss, "samples_per_sec": info.samples_per_sec})
        self.new_epoch()
