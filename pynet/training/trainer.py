"""Mini-batch training as a resumable step generator.

``Trainer.steps()`` yields after every mini-batch, so a host (the CLI's loop,
or the browser worker between 50 ms time slices) decides when to run the next
step: pausing is not asking for one, stopping is dropping the generator.

The step is written once (``Trainer.step``): forward, loss, backward
(``forward_backward``, which data-parallel workers run on their shards), then
the update. It yields after each of the four stages, so the step-through view
pauses inside the very code that trains.

Every random draw is keyed by the seed and the run's position (the epoch's
order by ``(seed, epoch)``, a batch's augmentation and dropout by ``(seed,
epoch, offset)``), so a run saved after any batch (``TrainProgress``, the
optimiser's state) and resumed ends with the weights of one that never
stopped. The run's books are ``progress.py``'s, its schedule ``schedule.py``'s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from pynet.config import TrainConfig
from pynet.nn.layers import Dropout
from pynet.nn.losses import SoftmaxCrossEntropy
from pynet.nn.model import Sequential, as_float_pixels
from pynet.nn.optimizers import Optimizer

from .augment import random_affine
from .progress import BatchResult, Guard, Logbook, StepInfo, TrainingDiverged, TrainProgress
from .schedule import optimizer_for, scheduled_lr

__all__ = ["STAGES", "Batch", "BatchResult", "StepInfo", "Trainer", "TrainingDiverged", "TrainProgress",
           "forward_backward", "next_stage", "optimizer_for", "run_through", "scheduled_lr"]

STAGES = ("forward", "loss", "backward", "update")  # what Trainer.step yields, in order
T = TypeVar("T")


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


def forward_backward(
    model: Sequential, loss_fn: SoftmaxCrossEntropy, x: np.ndarray, y: np.ndarray, *, batch_size: int,
    rng: Any = None,
) -> Generator[str, None, BatchResult]:
    """The first three stages of a step over inputs ``x`` ``(b, n_inputs)``
    and labels ``y`` ``(b,)``, rows of a mini-batch of ``batch_size`` (all of
    it, or a data-parallel shard); yields each stage's name once it is done.
    The model's gradients are then these rows' share of the batch's mean-loss
    gradient, so shards' gradients add up to the batch's. Dropout draws from
    ``rng`` (a generator; a shard's keeps its rows of the batch's draws)."""
    if rng is not None:
        for layer in model.layers:
            if isinstance(layer, Dropout):
                layer.rng = rng
    logits = model.forward(x, training=True)  # (b, C)
    yield "forward"
    loss = loss_fn.forward(logits, y)
    grad = loss_fn.backward(divisor=batch_size)  # (b, C)
    yield "loss"
    model.backward(grad)
    yield "backward"
    labels = y if y.ndim == 1 else y.argmax(axis=1)  # soft targets: their most likely class
    known = labels >= 0  # NO_CLASS samples (outlier exposure) have no right answer
    correct = int((loss_fn.probs.argmax(axis=1)[known] == labels[known]).sum())
    return BatchResult(loss * len(y), len(y), correct, int(known.sum()))


# Overflow shows up as a non-finite loss, which Trainer.apply reports; NumPy's
# warnings would only repeat that less clearly, so a step runs without them.
def run_through(stages: Generator[str, None, T]) -> T:
    """Run a step's stages without pausing; what the step returns."""
    with np.errstate(over="ignore", invalid="ignore"):
        while True:
            try:
                next(stages)
            except StopIteration as end:
                return end.value


def next_stage(stages: Generator[str, None, T]) -> str:
    """Run a step to the end of its next stage (and pause there)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return next(stages)


class Trainer:
    """Trains ``model`` on ``(x, y)``; validates each epoch on ``(x_val, y_val)``.

    ``progress``, ``optimizer`` and ``history`` continue an earlier run (see
    ``io.LoadedModel``); ``config.epochs`` is then the run's total. ``jitter``
    (booleans, one per sample) limits augmentation to the samples it marks.
    Raises ValueError for empty or mismatched data.
    """

    def __init__(self, model: Sequential, config: TrainConfig, x: np.ndarray, y: np.ndarray,
                 x_val: np.ndarray | None = None, y_val: np.ndarray | None = None, optimizer: Optimizer | None = None,
                 progress: TrainProgress | None = None, history: list[dict] | None = None,
                 jitter: np.ndarray | None = None) -> None:
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
        self.y_val = y_val
        # Which samples get the bitmap jitter when augmenting (None: all): the
        # shipped model's drawings do not, since the page centres every
        # drawing by mass and their strokes were varied already (presets.py).
        self.jitter = None if jitter is None else np.asarray(jitter, dtype=bool)
        self.optimizer = optimizer or optimizer_for(config, model.parameters())
        self.progress = progress or TrainProgress()
        if self.progress.epoch_samples >= len(x):
            raise ValueError(f"cannot continue at sample {self.progress.epoch_samples} of an epoch of {len(x)} samples")
        self.loss_fn = SoftmaxCrossEntropy()
        self.total_samples = config.epochs * len(x)
        self.books = Logbook(history, self.total_samples)
        self.history = self.books.history  # one entry per finished epoch
        self.guard = Guard(model, config.lr)
        dropout = any(isinstance(layer, Dropout) and layer.rate > 0 for layer in model.layers)
        self._random_batches = config.augment or dropout
        self._order: tuple[int, np.ndarray] | None = None  # (epoch, its order), computed once per epoch

    @property
    def finished(self) -> bool:
        return self.progress.epochs_done >= self.config.epochs

    def steps(self) -> Iterator[StepInfo]:
        """Run training one mini-batch per ``next()``; raises TrainingDiverged."""
        while (batch := self.next_batch()) is not None:
            yield run_through(self.step(batch))

    def step(self, batch: Batch) -> Generator[str, None, StepInfo]:
        """One training step: yields each of the STAGES once it is done and
        returns the step's figures (``run_through`` runs it without pausing)."""
        result = yield from forward_backward(self.model, self.loss_fn, batch.x, batch.y, batch_size=batch.size,
                                             rng=batch.rng)
        info = self.apply(batch, result)
        yield "update"
        return info

    def apply(self, batch: Batch, result: BatchResult) -> StepInfo:
        """The update, once the batch's gradients are in the model: check the
        loss, step the optimiser, move the run on; at an epoch's end check the
        weights and validate. Raises TrainingDiverged (the last good weights
        restored)."""
        self.guard.check_loss(result.loss, batch, self.progress.steps + 1)
        self.optimizer.lr = batch.lr
        self.optimizer.step(self.model.gradients())
        self.progress.advance(batch.size)
        info = self.books.record(batch, result, self.progress)
        if self.progress.epoch_samples >= len(self.x):
            self.guard.check_weights(batch.epoch)
            self.progress.finish_epoch()
            self.books.end_epoch(info, self.model, self.x_val, self.y_val)
        return info

    def next_batch(self) -> Batch | None:
        """The run's next mini-batch (None when the run is over). Planning it
        changes nothing: only ``apply`` moves the run on."""
        if self.finished:
            return None
        epoch, start = self.progress.epochs_done + 1, self.progress.epoch_samples
        if self._order is None or self._order[0] != epoch:
            self._order = (epoch, self.epoch_order(epoch))
        planned_at = time.perf_counter()
        idx = self._order[1][start : start + self.config.batch_size]
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
        return Batch(epoch, start, idx, xb, yb, self.current_lr(), rng, planned_at)

    def epoch_order(self, epoch: int) -> np.ndarray:
        """The order of the training samples in ``epoch`` (1-based)."""
        return np.random.default_rng((self.config.seed, epoch)).permutation(len(self.x))

    def current_lr(self) -> float:
        return scheduled_lr(self.config, self.progress.samples_seen / self.total_samples)

    def run(self, on_step: Callable[[StepInfo], None] | None = None) -> list[dict]:
        """Train to the end, calling ``on_step(info)`` after every batch."""
        for info in self.steps():
            if on_step is not None:
                on_step(info)
        return self.history

    def __repr__(self) -> str:
        return f"Trainer({self.config}, samples={len(self.x)}, at {self.progress})"
