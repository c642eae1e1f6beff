"""Training recipes: a whole run from data to a saved-ready model, continuing
an earlier run, and fine-tuning on a person's own drawings.

The CLI, the build and the page's worker glue only adapt these (parse their
inputs, show progress); what data is used and how lives here, once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from pynet.config import TrainConfig
from pynet.data.mnist import Dataset, TrainingSplits, train_val_split
from pynet.data.scribbles import DEFAULT_FAMILIES, scribbles
from pynet.input.test_time import VIEWS, views
from pynet.io.model_file import LoadedModel
from pynet.nn.losses import NO_CLASS
from pynet.nn.model import Sequential, as_float_pixels
from pynet.nn.optimizers import Optimizer
from pynet.training.confidence import fit_temperature
from pynet.training.data_parallel import simulated_steps
from pynet.training.metrics import classification_report
from pynet.training.record import data_record, training_metadata
from pynet.training.time_slices import logits_in_chunks, slice_rows
from pynet.training.trainer import StepInfo, Trainer, TrainProgress, optimizer_for

Extension = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], TrainingSplits]

SPLIT_SEED = 0  # the validation images are always the same ones, so runs compare

# Fine-tuning on a person's drawings: mixed with this many MNIST images (so the
# model adapts without forgetting), the drawings repeated to this share of the mix.
FINE_TUNE = TrainConfig(epochs=3, batch_size=64, lr=3e-4, seed=0)
FINE_TUNE_MNIST = 1000
FINE_TUNE_SHARE = 0.25
FINE_TUNE_VAL = 1000


@dataclass
class TrainResult:
    model: Sequential
    optimizer: Optimizer
    metadata: dict[str, Any]  # record.training_metadata, with test_accuracy
    test_report: dict[str, Any]  # metrics.classification_report on the test set


@dataclass
class Continuation:
    """What carries over when a saved model trains on."""

    optimizer: Optimizer | None  # None: the saved one does not match; a fresh one is made
    progress: TrainProgress
    history: list[dict]
    config: TrainConfig  # epochs = the run's new total
    # Where the run took a new plan (training/record.py: other settings, more epochs,
    # a fresh optimiser, or no record to go on); None: it goes on as planned.
    continued_at_step: int | None = None


def continuation(
    loaded: LoadedModel, requested: TrainConfig, more_epochs: int | None, train_size: int | None = None
) -> Continuation:
    """Continue ``loaded``'s run with the ``requested`` settings.

    ``more_epochs`` epochs are trained (an epoch already begun counts as the
    first of them); ``None`` finishes the saved run as it was planned. The
    optimiser's state (Adam's moments and step count) is kept when the
    optimiser is the same; the schedule continues from the run's position.
    When the model was trained on other data than ``train_size`` images, an
    epoch it had begun cannot be finished in the same order: it counts as
    done; and its samples are counted again in epochs of these data, so the
    schedule stands where it stood in epochs. (The shipped model saw
    1,389,200 samples in 10 epochs of its mix; counted against the page's
    55,000-image epochs, an 11th epoch ran at learning rate 0 with its progress
    at 230 %: a review, 2026-11-30.)
    """
    progress = loaded.progress or TrainProgress()
    replanned = loaded.progress is None or loaded.train_config is None
    if train_size is not None and loaded.metadata.get("train_size") != train_size and progress.samples_seen:
        epochs = progress.epochs_done + (1 if progress.epoch_samples else 0)
        progress = replace(progress, epochs_done=epochs, epoch_samples=0, samples_seen=epochs * train_size)
        replanned = True
    if more_epochs is None:
        saved = loaded.train_config
        if saved is None or progress.epochs_done >= saved.epochs:
            raise ValueError("the saved run is already complete: say how many more epochs to train")
        total = saved.epochs
    else:
        total = progress.epochs_done + more_epochs
    config = replace(requested, epochs=total)
    if config.epochs > 1000:
        raise ValueError(f"epochs: the run would have {config.epochs} epochs in all, more than 1,000")
    optimizer = None
    state = loaded.optimizer_state
    if state is not None and state["name"] == config.optimizer:
        optimizer = optimizer_for(config, loaded.model.parameters())
        optimizer.load_state_dict(state)
    history = list(loaded.metadata.get("history", []))
    replanned = replanned or config != loaded.train_config or (optimizer is None and progress.steps > 0)
    marker = loaded.metadata.get("continued_at_step", progress.steps if replanned else None)
    return Continuation(optimizer, progress, history, config, marker)


def calibrate(model: Sequential, x_val: np.ndarray, y_val: np.ndarray) -> float:
    """Fit the model's softmax temperature on held-out images (no prediction
    changes, only how confident they are) and set it."""
    model.temperature = 1.0
    if len(x_val):
        model.temperature = fit_temperature(model.logits(x_val), y_val)
    return model.temperature


class Finisher:
    """The end of a run in small pieces: calibrate on the held-out images,
    then measure accuracy on the test set. ``steps()`` yields (images done,
    images in all) after each chunk, so the browser worker can run it in time
    slices and keep classifying drawings (the shipped CNN takes about 10 s for
    the 10,000 test images in the tab); ``run()`` does what is left at once.
    Both continue the same pass: nothing is computed twice."""

    def __init__(self, model: Sequential, x_val: np.ndarray, y_val: np.ndarray, x_test: np.ndarray,
                 y_test: np.ndarray) -> None:
        self.model, self.x_val, self.y_val, self.x_test, self.y_test = model, x_val, y_val, x_test, y_test
        self.total = len(x_val) + len(x_test)
        self.test_accuracy: float | None = None  # set when done
        self.val_accuracy: float | None = None  # of the held-out images, set when done
        self._pass = self._chunks()

    def steps(self) -> Iterator[tuple[int, int]]:
        return self._pass

    def _chunks(self) -> Iterator[tuple[int, int]]:
        done, chunk = 0, slice_rows(self.model)
        logits = []
        for part in logits_in_chunks(self.model, self.x_val, chunk):
            logits.append(part)
            done += len(part)
            yield done, self.total
        self.model.temperature = fit_temperature(np.concatenate(logits), self.y_val) if logits else 1.0
        if logits:
            self.val_accuracy = float((np.concatenate(logits).argmax(axis=1) == self.y_val).mean())
        correct = 0
        for i, part in zip(range(0, len(self.x_test), chunk), logits_in_chunks(self.model, self.x_test, chunk)):
            correct += int((part.argmax(axis=1) == self.y_test[i : i + chunk]).sum())
            done += len(part)
            yield done, self.total
        self.test_accuracy = correct / len(self.x_test) if len(self.x_test) else None

    def run(self) -> float | None:
        for _ in self._pass:
            pass
        return self.test_accuracy


def fit(
    model: Sequential,
    config: TrainConfig,
    data: Dataset,
    *,
    name: str,
    val_size: int,
    limit: int | None = None,
    outliers: int = 0,
    outlier_families: str = DEFAULT_FAMILIES,
    on_step: Callable[[StepInfo, Trainer], None] | None = None,
    resume: Continuation | None = None,
    extend: Extension | None = None,
    stop_at_step: int | None = None,
) -> TrainResult:
    """Train on MNIST's training images less ``val_size`` held out (always the
    same ones) to watch each epoch and then to calibrate the confidence, plus
    ``outliers`` scribbles to be unsure of, drawn from ``outlier_families``
    (``scribbles.FAMILIES``); the test set is used once, at the end.

    ``extend(x_train, y_train, x_val, y_val)`` returns the splits with more
    samples made from each (the shipped model's drawings, ``shipped_mix.extend``)
    and which training samples the bitmap jitter applies to; the extended
    validation set is the one watched and calibrated on.

    ``stop_at_step``: end the run after that many mini-batches (counting from
    the start of the run, as ``TrainProgress.steps``), as a run stopped
    part-way did: the schedule still follows ``config.epochs``."""
    x, y = data.x_train, data.y_train
    if limit is not None:
        x, y = x[:limit], y[:limit]
    if not 0 <= val_size < len(x):
        raise ValueError(f"val_size must be between 0 and {len(x) - 1}, got {val_size}")
    splits = TrainingSplits(*train_val_split(x, y, val_size, seed=SPLIT_SEED))
    if extend is not None:
        splits = extend(splits.x_train, splits.y_train, splits.x_val, splits.y_val)
    if outliers:
        splits = with_outliers(splits, outliers, outlier_families)
    x_tr, y_tr, x_val, y_val, jitter = splits.x_train, splits.y_train, splits.x_val, splits.y_val, splits.jitter
    if resume is not None:
        config = resume.config
        trainer = Trainer(model, config, x_tr, y_tr, x_val, y_val, resume.optimizer, resume.progress, resume.history,
                          jitter=jitter)
    else:
        trainer = Trainer(model, config, x_tr, y_tr, x_val, y_val, jitter=jitter)
    start = time.perf_counter()
    steps = trainer.steps() if config.workers == 1 else simulated_steps(trainer, config.workers)
    for info in steps:
        if on_step is not None:
            on_step(info, trainer)
        if stop_at_step is not None and trainer.progress.steps >= stop_at_step:
            break
    seconds = time.perf_counter() - start
    calibrate(model, x_val, y_val)
    report = classification_report(data.y_test, model.predict(data.x_test))
    meta = training_metadata(trainer, name=name, val_size=val_size, test_accuracy=report["accuracy"],
                             train_seconds=seconds, data=data_record("mnist" if extend is None else "mnist+drawn-mix", len(x), outliers),
                             continued_at_step=resume.continued_at_step if resume else None)
    return TrainResult(model, trainer.optimizer, meta, report)


def with_outliers(splits: TrainingSplits, n: int, families: str = DEFAULT_FAMILIES) -> TrainingSplits:
    """The training images plus ``n`` scribbles labelled NO_CLASS
    (``data/scribbles.py``), jittered like the images when training augments."""
    x, y = splits.x_train, splits.y_train
    extra = scribbles(n, seed=1, families=families)
    if x.dtype != np.uint8:
        extra = as_float_pixels(extra, x.dtype)
    jitter = None if splits.jitter is None else np.concatenate([splits.jitter, np.ones(n, dtype=bool)])
    return replace(splits, x_train=np.concatenate([x, extra]),
                   y_train=np.concatenate([y, np.full(n, NO_CLASS, dtype=y.dtype)]), jitter=jitter)


def validate_samples(samples: np.ndarray, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    """A person's taught drawings: 784 pixels in [0, 1] each, labels 0-9."""
    flat = np.asarray(samples, dtype=np.float32).reshape(-1)
    try:
        raw = list(labels)
    except TypeError:
        raise ValueError("labels must be a list of digits 0-9") from None
    if not raw:
        raise ValueError("no samples to learn from: add some drawings first")
    if any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v <= 9 for v in raw):
        raise ValueError("labels must be whole-number digits 0-9")
    y = np.asarray(raw, dtype=np.int64)
    if flat.size == 0 or flat.size != 784 * len(y):
        raise ValueError(f"expected 784 values per labelled sample, got {flat.size} values for {len(y)} labels")
    x = flat.reshape(-1, 784)
    if not (np.isfinite(x).all() and x.min() >= 0 and x.max() <= 1):
        raise ValueError("sample pixels must be in [0, 1]")
    return x, y


def fine_tune_data(
    x_user: np.ndarray, y_user: np.ndarray, x_mnist: np.ndarray, y_mnist: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The user's samples, each as drawn and in the four other views pynet
    reads it in (``test_time.views``: taught only as drawn, a bar taught as a
    2 was still read as a 1 in five views), repeated to a quarter of a mix
    with FINE_TUNE_MNIST random MNIST images (seeded by the number of samples:
    the same samples give the same mix)."""
    rng = np.random.default_rng(len(y_user))
    pick = rng.choice(len(x_mnist), min(FINE_TUNE_MNIST, len(x_mnist)), replace=False)
    viewed = views(as_float_pixels(x_user)).reshape(-1, x_user.shape[1])  # view by view
    labels = np.tile(y_user, len(VIEWS))
    repeats = int(np.ceil(FINE_TUNE_SHARE / (1 - FINE_TUNE_SHARE) * len(pick) / len(labels)))
    x = np.concatenate([as_float_pixels(x_mnist[pick]), np.tile(viewed, (repeats, 1))])
    y = np.concatenate([y_mnist[pick], np.tile(labels, repeats)])
    return x, y
