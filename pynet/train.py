"""Mini-batch training as a resumable step generator.

``Trainer.steps()`` yields after every mini-batch, so a host (the CLI's loop,
or the browser worker between 50 ms time slices) decides when to run the next
step: pausing is simply not asking for one, stopping is dropping the generator.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

import numpy as np

from .augment import AugmentConfig, random_affine
from .data import as_float_pixels
from .losses import SoftmaxCrossEntropy
from .metrics import accuracy
from .model import Sequential
from .optimizers import OPTIMIZERS, Optimizer, make_optimizer

SCHEDULES = ("constant", "cosine", "step")
# A mean cross-entropy this many times the chance-level loss ln(n_classes) means
# the optimiser has blown up. The stable softmax keeps such losses finite (lr=10
# with Adam on MNIST measured 290,715 at step 2, then every ReLU died), so a
# finiteness check alone would never fire.
DIVERGENCE_FACTOR = 50.0


class TrainingDiverged(RuntimeError):
    """Loss or weights became non-finite; the last good weights were restored."""


@dataclass(frozen=True)
class TrainConfig:
    """How to train. Validated on construction so bad settings fail early."""

    epochs: int = 5
    batch_size: int = 128
    lr: float = 1e-3
    optimizer: str = "adam"
    momentum: float = 0.9  # SGD only
    weight_decay: float = 0.0  # Adam only (decoupled)
    schedule: str = "constant"
    augment: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        if not (isinstance(self.epochs, int) and 1 <= self.epochs <= 1000):
            raise ValueError(f"epochs must be an integer between 1 and 1000, got {self.epochs!r}")
        if not (isinstance(self.batch_size, int) and 1 <= self.batch_size <= 65536):
            raise ValueError(f"batch size must be an integer between 1 and 65536, got {self.batch_size!r}")
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"learning rate must be a positive number, got {self.lr!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum}")
        if not 0 <= self.weight_decay < 1:
            raise ValueError(f"weight decay must be in [0, 1), got {self.weight_decay}")

    def make_optimizer(self, params: list[np.ndarray]) -> Optimizer:
        if self.optimizer == "adam":
            return make_optimizer("adam", params, lr=self.lr, weight_decay=self.weight_decay)
        return make_optimizer("sgd", params, lr=self.lr, momentum=self.momentum)

    def to_dict(self) -> dict:
        return asdict(self)


def scheduled_lr(config: TrainConfig, progress: float) -> float:
    """Learning rate at ``progress`` in [0, 1] of the whole run.

    cosine: smooth decay to 1 % of the base rate; step: /10 at 50 % and 75 %.
    """
    if config.schedule == "cosine":
        return config.lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))
    if config.schedule == "step":
        return config.lr * (0.1 ** ((progress >= 0.5) + (progress >= 0.75)))
    return config.lr


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


class Trainer:
    """Trains ``model`` on ``(x, y)``; validates each epoch on ``(x_val, y_val)``."""

    def __init__(
        self,
        model: Sequential,
        config: TrainConfig,
        x: np.ndarray,
        y: np.ndarray,
        x_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None,
        optimizer: Optimizer | None = None,
        augment_config: AugmentConfig = AugmentConfig(),
    ) -> None:
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(f"need matching, non-empty data; got {len(x)} inputs and {len(y)} labels")
        dtype = model.parameters()[0].dtype
        self.model, self.config = model, config
        # uint8 pixels stay uint8 (a quarter of the memory) and are converted per batch.
        def as_input(a: np.ndarray) -> np.ndarray:
            return a if a.dtype == np.uint8 else a.astype(dtype, copy=False)

        self.dtype = dtype
        self.x, self.y = as_input(x), y.astype(np.int64, copy=False)
        self.x_val = None if x_val is None else as_input(x_val)
        self.y_val = y_val
        self.optimizer = optimizer or config.make_optimizer(model.parameters())
        self.augment_config = augment_config
        self.loss_fn = SoftmaxCrossEntropy()
        self.history: list[dict] = []  # one entry per finished epoch
        self.samples_seen = 0
        self.steps_per_epoch = math.ceil(len(x) / config.batch_size)
        self.total_samples = config.epochs * len(x)
        self._snapshot = [p.copy() for p in model.parameters()]
        self._rng = np.random.default_rng(config.seed)

    def steps(self) -> Iterator[StepInfo]:
        """Run training one mini-batch per ``next()``; raises TrainingDiverged."""
        cfg = self.config
        params = self.model.parameters()
        grads = self.model.gradients()
        recent: deque[tuple[int, float]] = deque()  # (samples, seconds) of recent steps
        recent_samples, recent_secs = 0, 0.0  # their running totals (re-summing cost ~0.7 ms/step in Pyodide)
        running_loss = math.nan
        step = 0
        chance_loss = math.log(self.model.layers[-1].params["W"].shape[1])
        loss_limit = DIVERGENCE_FACTOR * chance_loss
        for epoch in range(1, cfg.epochs + 1):
            order = self._rng.permutation(len(self.x))
            correct = seen = 0
            loss_sum = 0.0
            for start in range(0, len(order), cfg.batch_size):
                t0 = time.perf_counter()
                idx = order[start : start + cfg.batch_size]
                xb, yb = as_float_pixels(self.x[idx], self.dtype), self.y[idx]
                if cfg.augment:
                    xb = random_affine(xb, self._rng, self.augment_config)
                self.optimizer.lr = scheduled_lr(cfg, self.samples_seen / self.total_samples)

                # Overflow here is caught just below as a non-finite loss; the
                # warnings would only repeat that message less clearly.
                with np.errstate(over="ignore", invalid="ignore"):
                    logits = self.model.forward(xb, training=True)  # (B, C)
                    loss = self.loss_fn.forward(logits, yb)
                if not (math.isfinite(loss) and loss <= loss_limit):
                    self._restore_snapshot()
                    raise TrainingDiverged(
                        f"training diverged at epoch {epoch}, step {step + 1}: the loss became {loss:.4g} "
                        f"(chance level is {chance_loss:.2f}); the learning rate {self.optimizer.lr:g} is "
                        "probably too high. The last good weights were kept"
                    )
                self.model.backward(self.loss_fn.backward())
                # These weights produced a finite loss: remember them before updating.
                for snap, p in zip(self._snapshot, params):
                    np.copyto(snap, p)
                self.optimizer.step(grads)

                step += 1
                n = len(idx)
                self.samples_seen += n
                seen += n
                correct += int((self.loss_fn.probs.argmax(axis=1) == yb).sum())
                loss_sum += loss * n
                running_loss = loss if math.isnan(running_loss) else 0.95 * running_loss + 0.05 * loss
                secs_this = time.perf_counter() - t0
                recent.append((n, secs_this))
                recent_samples, recent_secs = recent_samples + n, recent_secs + secs_this
                while len(recent) > 1 and recent_secs > 3.0:
                    old_n, old_secs = recent.popleft()
                    recent_samples, recent_secs = recent_samples - old_n, recent_secs - old_secs
                info = StepInfo(
                    epoch=epoch,
                    step=step,
                    samples=self.samples_seen,
                    total_samples=self.total_samples,
                    loss=loss,
                    running_loss=running_loss,
                    running_accuracy=correct / seen,
                    samples_per_sec=recent_samples / recent_secs if recent_secs > 0 else 0.0,
                    lr=self.optimizer.lr,
                )
                if start + cfg.batch_size >= len(order):
                    self._end_epoch(info, loss_sum / seen)
                yield info

    def _end_epoch(self, info: StepInfo, train_loss: float) -> None:
        """Check the weights, then validate; records one history entry."""
        if not all(np.isfinite(p).all() for p in self.model.parameters()):
            self._restore_snapshot()
            raise TrainingDiverged(
                f"training diverged in epoch {info.epoch}: the weights became non-finite; "
                "the last good weights were kept"
            )
        info.epoch_end = True
        if self.x_val is not None and self.y_val is not None and len(self.x_val):
            probs = self.model.predict_proba(self.x_val)
            info.val_accuracy = accuracy(self.y_val, probs.argmax(axis=1))
            picked = probs[np.arange(len(self.y_val)), self.y_val]
            info.val_loss = float(-np.log(np.maximum(picked, 1e-12)).mean())
        self.history.append(
            {
                "epoch": info.epoch,
                "train_loss": train_loss,
                "train_accuracy": info.running_accuracy,
                "val_accuracy": info.val_accuracy,
                "val_loss": info.val_loss,
                "samples_per_sec": info.samples_per_sec,
            }
        )

    def _restore_snapshot(self) -> None:
        for p, snap in zip(self.model.parameters(), self._snapshot):
            np.copyto(p, snap)

    def run(self, on_step=None) -> list[dict]:
        """Train to the end, calling ``on_step(info)`` after every batch."""
        for info in self.steps():
            if on_step is not None:
                on_step(info)
        return self.history

    def __repr__(self) -> str:
        return f"Trainer({self.config}, samples={len(self.x)})"
