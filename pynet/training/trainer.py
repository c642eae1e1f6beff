"""Mini-batch training as a resumable step generator.

``Trainer.steps()`` yields after every mini-batch, so a host (the CLI's loop,
or the browser worker between 50 ms time slices) decides when to run the next
step: pausing is simply not asking for one, stopping is dropping the generator.

A run can also be continued later, bit for bit: where it stands is a few
integers (``TrainProgress``), and every random draw is keyed by the seed and
that position instead of coming from one long random stream. The epoch's
order comes from ``(seed, epoch)``, a batch's augmentation and dropout from
``(seed, epoch, offset)``; so a run stopped after any batch, saved with its
optimiser state and resumed, ends with the same weights as one that never
stopped.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import numpy as np

from pynet.config import TrainConfig
from pynet.constraints import Integer, SettingsError
from pynet.nn.losses import SoftmaxCrossEntropy
from pynet.nn.model import Sequential, as_float_pixels
from pynet.nn.optimizers import Optimizer, make_optimizer

from .augment import random_affine
from .metrics import accuracy

# A mean cross-entropy this many times the chance-level loss ln(n_classes) means
# the optimiser has blown up. The stable softmax keeps such losses finite (lr=10
# with Adam on MNIST measured 290,715 at step 2, then every ReLU died), so a
# finiteness check alone would never fire.
DIVERGENCE_FACTOR = 50.0
_COUNT = Integer(0, 2**53)  # positions in a run: exact in JS numbers too


class TrainingDiverged(RuntimeError):
    """Loss or weights became non-finite; the last good weights were restored."""


def optimizer_for(config: TrainConfig, params: list[np.ndarray]) -> Optimizer:
    """A fresh optimiser as ``config`` describes it."""
    if config.optimizer == "adam":
        return make_optimizer("adam", params, lr=config.lr, weight_decay=config.weight_decay)
    return make_optimizer("sgd", params, lr=config.lr, momentum=config.momentum)


WARMUP = 0.1  # share of a warmup-cosine run spent ramping the learning rate up


def scheduled_lr(config: TrainConfig, progress: float) -> float:
    """Learning rate at ``progress`` in [0, 1] of the whole run.

    cosine: smooth decay to 1 % of the base rate; warmup-cosine: a linear ramp
    from 5 % to the base rate over the first 10 %, then cosine decay to zero
    (lets Adam start at a high rate: TensorFlow.js's example network gains
    about 0.2 points of test accuracy in one epoch, measured); step: /10 at
    50 % and 75 %.
    """
    if config.schedule == "cosine":
        return config.lr * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))
    if config.schedule == "warmup-cosine":
        if progress < WARMUP:
            return config.lr * (0.05 + 0.95 * progress / WARMUP)
        return config.lr * 0.5 * (1 + math.cos(math.pi * min((progress - WARMUP) / (1 - WARMUP), 1.0)))
    if config.schedule == "step":
        return config.lr * (0.1 ** ((progress >= 0.5) + (progress >= 0.75)))
    return config.lr


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
class Batch:
    """One mini-batch of a run, as ``Trainer.next_batch`` plans it."""

    epoch: int  # 1-based
    start: int  # its position in the epoch's order
    idx: np.ndarray  # (B,) sample indices
    x: np.ndarray  # (B, n_inputs) float pixels, augmented
    y: np.ndarray  # (B,) labels (NO_CLASS for a scribble)
    lr: float  # the schedule's rate for this step
    rng: np.random.Generator | None  # dropout's masks come from here (after the augmentation's draws)
    planned_at: float  # time.perf_counter() when planned: steps/s count the whole step

    @property
    def size(self) -> int:
        return len(self.idx)


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


class _RunningStats:
    """Running figures of the epoch in progress and of the last few seconds."""

    def __init__(self) -> None:
        self.new_epoch()
        self.recent: deque[tuple[int, float]] = deque()  # (samples, seconds) of recent steps
        # Running totals of ``recent`` (re-summing it cost ~0.7 ms/step in Pyodide).
        self.recent_samples, self.recent_secs = 0, 0.0

    def new_epoch(self) -> None:
        self.correct = self.known = 0
        self.loss_sum, self.count = 0.0, 0

    def add(self, result: BatchResult, seconds: float) -> None:
        self.correct += result.correct
        self.known += result.known
        self.loss_sum += result.loss_sum
        self.count += result.count
        self.recent.append((result.count, seconds))
        self.recent_samples, self.recent_secs = self.recent_samples + result.count, self.recent_secs + seconds
        while len(self.recent) > 1 and self.recent_secs > 3.0:
            old_n, old_secs = self.recent.popleft()
            self.recent_samples, self.recent_secs = self.recent_samples - old_n, self.recent_secs - old_secs

    @property
    def samples_per_sec(self) -> float:
        return self.recent_samples / self.recent_secs if self.recent_secs > 0 else 0.0


def forward_backward(
    model: Sequential,
    loss_fn: SoftmaxCrossEntropy,
    x: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int,
    rows: slice,
    rng: np.random.Generator | None = None,
) -> BatchResult:
    """Forward and backward over ``x`` ``(b, n_inputs)`` and labels ``y``
    ``(b,)``: rows ``rows`` of a mini-batch of ``batch_size`` (all of it, or a
    data-parallel shard). The model's gradients are then these rows' share of
    the whole batch's mean-loss gradient, so shards' gradients add up to the
    batch's; dropout draws the whole batch's masks from ``rng`` and keeps these
    rows, so a shard sees exactly what it would in a whole-batch step."""
    if rng is not None:
        model.set_rng(rng, rows=rows, batch_size=batch_size)
    # Overflow shows up as a non-finite loss, which ``Trainer.apply`` reports;
    # the warnings would only repeat that less clearly.
    with np.errstate(over="ignore", invalid="ignore"):
        logits = model.forward(x, training=True)  # (b, C)
        loss = loss_fn.forward(logits, y)
        model.backward(loss_fn.backward(divisor=batch_size))
    labels = y if y.ndim == 1 else y.argmax(axis=1)  # soft targets: their most likely class
    known = labels >= 0  # NO_CLASS samples (outlier exposure) have no right answer
    correct = int((loss_fn.probs.argmax(axis=1)[known] == labels[known]).sum())
    return BatchResult(loss * len(y), len(y), correct, int(known.sum()))


class Trainer:
    """Trains ``model`` on ``(x, y)``; validates each epoch on ``(x_val, y_val)``.

    ``progress``, ``optimizer`` and ``history`` continue an earlier run (see
    ``io.LoadedModel``); ``config.epochs`` is then the run's total. ``jitter``
    (booleans, one per sample) limits augmentation to the samples it marks.

    A step is three calls, so that its middle can run elsewhere (data
    parallelism, ``parallel.py``): ``next_batch`` plans the mini-batch,
    ``forward_backward`` computes the gradients of the whole batch or of a
    shard of it, ``apply`` checks the loss, updates the weights and keeps the
    books. ``steps()`` is the three in a loop.
    """

    def __init__(
        self,
        model: Sequential,
        config: TrainConfig,
        x: np.ndarray,
        y: np.ndarray,
        x_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None,
        optimizer: Optimizer | None = None,
        progress: TrainProgress | None = None,
        history: list[dict] | None = None,
        jitter: np.ndarray | None = None,
    ) -> None:
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(f"need matching, non-empty data; got {len(x)} inputs and {len(y)} labels")
        if jitter is not None and np.shape(jitter) != (len(x),):
            raise ValueError(f"jitter must say yes or no for each of the {len(x)} samples, got shape {np.shape(jitter)}")
        dtype = model.parameters()[0].dtype

        # uint8 pixels stay uint8 (a quarter of the memory) and are converted per batch.
        def as_input(a: np.ndarray) -> np.ndarray:
            return a if a.dtype == np.uint8 else a.astype(dtype, copy=False)

        self.model, self.config, self.dtype = model, config, dtype
        # Class indices, or (N, C) target probabilities (soft targets: losses.py).
        self.y = y.astype(np.int64, copy=False) if y.ndim == 1 else y.astype(dtype, copy=False)
        self.x = as_input(x)
        self.x_val = None if x_val is None else as_input(x_val)
        # Which samples get the bitmap jitter when augmenting (None: all): the
        # shipped model's drawings do not, since the page centres every
        # drawing by mass and their strokes were varied already (presets.py).
        self.jitter = None if jitter is None else np.asarray(jitter, dtype=bool)
        self.y_val = y_val
        self.optimizer = optimizer or optimizer_for(config, model.parameters())
        self.progress = progress or TrainProgress()
        if self.progress.epoch_samples >= len(x):
            raise ValueError(f"cannot continue at sample {self.progress.epoch_samples} of an epoch of {len(x)} samples")
        self.history: list[dict] = list(history or [])  # one entry per finished epoch
        self.loss_fn = SoftmaxCrossEntropy()
        self.total_samples = config.epochs * len(x)
        self._snapshot = [a.copy() for a in model.arrays()]  # batch norm's running statistics too
        self._random_batches = config.augment or model.uses_randomness
        self._order: tuple[int, np.ndarray] | None = None  # (epoch, its order), computed once per epoch
        self._stats = _RunningStats()
        self._running_loss = math.nan
        chance_loss = math.log(model.n_classes)
        self._chance_loss, self._loss_limit = chance_loss, DIVERGENCE_FACTOR * chance_loss

    @property
    def samples_seen(self) -> int:
        return self.progress.samples_seen

    @property
    def finished(self) -> bool:
        return self.progress.epochs_done >= self.config.epochs

    def steps(self) -> Iterator[StepInfo]:
        """Run training one mini-batch per ``next()``; raises TrainingDiverged."""
        while (batch := self.next_batch()) is not None:
            yield self.apply(batch, self.forward_backward(batch))

    def next_batch(self) -> Batch | None:
        """The run's next mini-batch (None when the run is over). Planning it
        changes nothing: only ``apply`` moves the run on."""
        if self.finished:
            return None
        epoch, start = self.progress.epochs_done + 1, self.progress.epoch_samples
        if self._order is None or self._order[0] != epoch:
            self._order = (epoch, self.epoch_order(epoch))
        if start == 0:
            self._stats.new_epoch()
        planned_at = time.perf_counter()
        idx, xb, yb, rng = self._batch(self._order[1], epoch, start)
        return Batch(epoch, start, idx, xb, yb, self.current_lr(), rng, planned_at)

    def forward_backward(self, batch: Batch, rows: slice | None = None) -> BatchResult:
        """Gradients of the whole batch, or of its ``rows`` only (a shard: see
        ``forward_backward`` below), left in the model's ``gradients()``."""
        rows = rows or slice(0, batch.size)
        return forward_backward(self.model, self.loss_fn, batch.x[rows], batch.y[rows], batch_size=batch.size,
                                rows=rows, rng=batch.rng)

    def apply(self, batch: Batch, result: BatchResult) -> StepInfo:
        """Finish a step whose gradients are in the model: check the loss,
        update the weights, move the run on (validating at an epoch's end)."""
        prog = self.progress
        loss = result.loss
        if not (math.isfinite(loss) and loss <= self._loss_limit):
            self._restore_snapshot()
            raise TrainingDiverged(
                f"training diverged at epoch {batch.epoch}, step {prog.steps + 1}: the loss became {loss:.4g} "
                f"(chance level is {self._chance_loss:.2f}); the learning rate {self.config.lr:g}"
                + (f" ({batch.lr:g} at that step of the schedule)" if batch.lr != self.config.lr else "")
                + " is probably too high"
            )  # the library's caller finds the last good weights in the model (restored above)
        # These weights produced a finite loss: remember them before updating.
        # (Batch norm's statistics have already moved with this batch; they
        # are snapshotted as they are, finite since the loss is.)
        for snap, a in zip(self._snapshot, self.model.arrays()):
            np.copyto(snap, a)
        self.optimizer.lr = batch.lr
        self.optimizer.step(self.model.gradients())
        prog.advance(batch.size)
        stats = self._stats
        stats.add(result, time.perf_counter() - batch.planned_at)
        self._running_loss = loss if math.isnan(self._running_loss) else 0.95 * self._running_loss + 0.05 * loss
        info = StepInfo(
            epoch=batch.epoch,
            step=prog.steps,
            samples=prog.samples_seen,
            total_samples=self.total_samples,
            loss=loss,
            running_loss=self._running_loss,
            running_accuracy=stats.correct / max(stats.known, 1),
            samples_per_sec=stats.samples_per_sec,
            lr=batch.lr,
        )
        if prog.epoch_samples >= len(self.x):
            self._end_epoch(info, stats.loss_sum / stats.count)  # the next epoch's position starts at 0
        return info

    def epoch_order(self, epoch: int) -> np.ndarray:
        """The order of the training samples in ``epoch`` (1-based)."""
        return np.random.default_rng((self.config.seed, epoch)).permutation(len(self.x))

    def _batch(
        self, order: np.ndarray, epoch: int, start: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.random.Generator | None]:
        """The mini-batch at ``start`` of the epoch: indices, inputs (augmented),
        labels, and the generator dropout continues from."""
        idx = order[start : start + self.config.batch_size]
        xb, yb = as_float_pixels(self.x[idx], self.dtype), self.y[idx]
        rng = None
        if self._random_batches:
            # Keyed by position, so a resumed run draws the same numbers (~15 us).
            rng = np.random.default_rng((self.config.seed, epoch, start))
            if self.config.augment and self.jitter is None:
                xb = random_affine(xb, rng)
            elif self.config.augment:
                rows = np.flatnonzero(self.jitter[idx])
                if len(rows):
                    xb[rows] = random_affine(xb[rows], rng)
        return idx, xb, yb, rng

    def current_lr(self) -> float:
        return scheduled_lr(self.config, self.progress.samples_seen / self.total_samples)

    def _end_epoch(self, info: StepInfo, train_loss: float) -> None:
        """Check the weights, then validate; records one history entry."""
        if not all(np.isfinite(a).all() for a in self.model.arrays()):
            self._restore_snapshot()
            raise TrainingDiverged(
                f"training diverged in epoch {info.epoch}: the weights became non-finite; "
                f"the learning rate {self.config.lr:g} is probably too high"
            )
        self.progress.finish_epoch()
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
        for a, snap in zip(self.model.arrays(), self._snapshot):
            np.copyto(a, snap)

    def run(self, on_step: Callable[[StepInfo], None] | None = None) -> list[dict]:
        """Train to the end, calling ``on_step(info)`` after every batch."""
        for info in self.steps():
            if on_step is not None:
                on_step(info)
        return self.history

    def __repr__(self) -> str:
        return f"Trainer({self.config}, samples={len(self.x)}, at {self.progress})"
