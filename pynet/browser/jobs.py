"""Long jobs, one shape: an object the browser worker advances a time slice
at a time, so the page stays responsive and drawings are still classified.

``Job.advance(budget_ms, replies=None, failure=None) -> JobUpdate`` does about
``budget_ms`` of work and says where the job stands: its ``progress`` (for the
page), ``done`` and its ``result``, or -- for a job shared with helper
workers (data parallelism, ``team.py``) -- ``requests`` to post to them (the
next ``advance`` then computes the owner's own share) or ``wait`` (the next
``advance`` gets their ``replies``, or the ``failure`` of one of them).
``stop()`` asks a job to wrap up: a training run stops stepping and still
checks and keeps its model. ``job_runner.JobRunner`` holds at most one job; the
worker is a pump that advances it, posts progress and yields, and keeps
nothing but pause and stop.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from pynet.nn.model import Sequential
from pynet.nn.optimizers import Optimizer
from pynet.recipes.runs import Finisher
from pynet.training.confidence import calibration_report
from pynet.training.metrics import classification_report, misclassified_indices
from pynet.training.record import training_metadata
from pynet.training.trainer import StepInfo, Trainer

from .team import TeamLogits, TeamStep

CHART_EVERY = 10  # batches per chart point
MAX_MISCLASSIFIED = 100  # digits in the evaluation's gallery


@dataclass
class JobUpdate:
    """What one ``advance`` reports (plain values: it crosses to JavaScript)."""

    kind: str  # "train", "fine-tune", "evaluate"
    phase: str  # the job's current stage, e.g. "train", "finish"
    progress: dict[str, Any] | None = None  # stage-specific, for the page; None: nothing new to show
    done: bool = False
    result: Any = None  # once done
    requests: list[dict[str, Any]] | None = None  # for helper workers
    wait: bool = False  # the next advance needs the helpers' replies

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class NewModel:
    """A job's result that becomes a model of the session (``Session``
    registers it under the first free name from ``base_name``)."""

    base_name: str
    model: Sequential
    optimizer: Optimizer | None
    metadata: dict[str, Any]  # without "name": the session gives it
    summary: dict[str, Any] = field(default_factory=dict)  # what the page says about it


def run_for(steps: Iterator[tuple[int, int]], budget_ms: float, total: int) -> dict[str, Any]:
    """Advance ``steps`` (yielding images done, images in all) for about
    ``budget_ms``: ``{"done", "images", "total"}``."""
    deadline = time.perf_counter() + budget_ms / 1000.0
    for done, total in steps:
        if done < total and time.perf_counter() >= deadline:
            return {"done": False, "images": done, "total": total}
    return {"done": True, "images": total, "total": total}


class Job:
    """Base of the long jobs; see the module's docstring."""

    kind = "job"

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers  # 1 = the owner alone; N: N - 1 helpers
        self.stopping = False

    def describe(self) -> dict[str, Any]:
        """What the page shows when the job starts; ``replicas`` helpers are
        set up with ``architecture`` before the first advance."""
        return {"kind": self.kind, "workers": self.workers, "replicas": self.workers - 1}

    def advance(self, budget_ms: float, replies: list[Any] | None = None, failure: str | None = None) -> JobUpdate:
        raise NotImplementedError

    def paused(self, seconds: float) -> None:
        """The page held the job for ``seconds`` (Pause): time that is not the job's."""

    def stop(self) -> None:
        self.stopping = True


class _Chart:
    """Chart points (mean loss, last running accuracy) every CHART_EVERY
    batches, each with the samples seen and the seconds since training began
    (the page plots runs against either)."""

    def __init__(self) -> None:
        self._pending: list[tuple[float, float]] = []

    def add(self, info: StepInfo, seconds: float, points: list[dict], epochs: list[dict]) -> None:
        self._pending.append((info.loss, info.running_accuracy))
        seconds = round(seconds, 3)
        if len(self._pending) >= CHART_EVERY:
            losses, accs = zip(*self._pending)
            points.append({"samples": info.samples, "seconds": seconds, "loss": float(np.mean(losses)),
                           "accuracy": accs[-1]})
            self._pending = []
        if info.epoch_end:
            epochs.append({"epoch": info.epoch, "samples": info.samples, "seconds": seconds,
                           "val_accuracy": info.val_accuracy, "val_loss": info.val_loss})


class TrainingJob(Job):
    """A training run, then its end: calibrate the confidence on the held-out
    images and measure the test set, a chunk at a time (``recipes.Finisher``).
    With ``workers`` > 1 each step is shared with helper workers
    (``team.TeamStep``). Stopped, or left by a helper that died, it keeps the
    weights of its last completed step and still finishes. ``data`` and
    ``continued_at_step`` go into the model's training record (``training/record.py``);
    ``continued_from`` (the name of the model carried on) into its description,
    for the page's run history."""

    kind = "train"

    def __init__(self, trainer: Trainer, *, name: str, x_test: np.ndarray, y_test: np.ndarray, val_size: int,
                 workers: int = 1, kind: str = "train", data: dict[str, Any] | None = None,
                 continued_at_step: int | None = None, continued_from: str | None = None) -> None:
        super().__init__(workers)
        self.kind = kind
        self.trainer, self.name, self.val_size = trainer, name, val_size
        self.data, self.continued_at_step, self.continued_from = data, continued_at_step, continued_from
        x_val = trainer.x_val if trainer.x_val is not None else x_test[:0]
        y_val = trainer.y_val if trainer.y_val is not None else y_test[:0]
        self.finisher = Finisher(trainer.model, x_val, y_val, x_test, y_test)
        self.team = TeamStep(trainer, workers) if workers > 1 else None
        self.phase = "train"
        self.note = ""  # why the run ended early, if it did
        self._chart = _Chart()
        self._steps = trainer.steps()
        self._points: list[dict] = []
        self._epochs: list[dict] = []
        self._info: StepInfo | None = None
        self._reported = time.perf_counter()
        self._first_step = trainer.progress.steps  # where this run started (a continued one is part-way)
        self._began: float | None = None  # when the first step was asked for
        self._first_samples = trainer.progress.samples_seen
        self.train_seconds = 0.0  # wall-clock time of the training part, yields to the page included

    def describe(self) -> dict[str, Any]:
        t = self.trainer
        return super().describe() | {
            "architecture": t.model.config.to_dict(), "description": t.model.config.describe(),
            "n_params": t.model.n_params, "total_samples": t.total_samples, "samples": t.progress.samples_seen,
            "epochs": t.config.epochs, "first_epoch": t.progress.epochs_done + 1,
            "continued_from": self.continued_from}

    def advance(self, budget_ms: float, replies: list[Any] | None = None, failure: str | None = None) -> JobUpdate:
        if self.phase == "train":
            return self._train(budget_ms, replies, failure)
        return self._finish(budget_ms)

    # ---- training -------------------------------------------------------------
    def _record(self, info: StepInfo) -> None:
        self._info = info
        self._chart.add(info, self._seconds(), self._points, self._epochs)

    def _seconds(self) -> float:
        """Seconds since training began, pauses left out (0 before the first step is asked for)."""
        return 0.0 if self._began is None else time.perf_counter() - self._began

    def paused(self, seconds: float) -> None:
        """A pause is not training time: the run's seconds (its chart's time
        axis, its samples/s in the run history) leave it out. Before a pause
        they counted it: a run paused for a minute showed a third of its rate."""
        if self._began is not None and math.isfinite(seconds) and seconds > 0:
            self._began += seconds

    def _train_progress(self, force: bool = False) -> dict[str, Any] | None:
        """New chart points and the latest step, at most once per time slice."""
        now = time.perf_counter()
        if not force and now - self._reported < 0.05 and not self._epochs:
            return None
        self._reported = now
        out = {"stage": "train", "step": self._info.to_dict() if self._info else None, "points": self._points,
               "epochs": self._epochs}
        self._points, self._epochs = [], []
        return out

    def _train(self, budget_ms: float, replies: list[Any] | None, failure: str | None) -> JobUpdate:
        """A time slice of steps (or a part of one step shared with helpers);
        the last one moves the job on to its end."""
        if self._began is None:
            self._began = time.perf_counter()
        if self.team is not None:
            return self._train_with_team(replies, failure)
        deadline = time.perf_counter() + budget_ms / 1000.0
        while not self.stopping:
            info = next(self._steps, None)
            if info is None:
                break
            self._record(info)
            if time.perf_counter() >= deadline:
                return JobUpdate(self.kind, "train", self._train_progress(force=True))
        return self._end_training()

    def _train_with_team(self, replies: list[Any] | None, failure: str | None) -> JobUpdate:
        team = self.team
        assert team is not None
        if failure is not None:
            team.abandon()
            self.note = (f"{failure}. The run stopped at step {self.trainer.progress.steps}; "
                         "the model keeps the weights of that last completed step")
            return self._end_training()
        if replies is not None:
            self._record(team.finish(replies))
        elif team.in_flight and not team.own_done:
            team.own_shard()  # the helpers are computing theirs meanwhile
            return JobUpdate(self.kind, "train", None, wait=True)
        if self.stopping:
            return self._end_training()
        requests = team.plan()
        if requests is None:
            return self._end_training()
        return JobUpdate(self.kind, "train", self._train_progress(), requests=requests)

    def _end_training(self) -> JobUpdate:
        """Training is over (done, stopped or cut short): the last progress;
        the next advance starts the end of the run. A run stopped before its
        first step ends with no model (nothing was trained)."""
        if self.trainer.progress.steps == self._first_step and not self.trainer.finished:
            return JobUpdate(self.kind, "train", None, done=True, result=None)
        self.phase = "finish"
        self.train_seconds = self._seconds()
        return JobUpdate(self.kind, "train", self._train_progress(force=True))

    # ---- the end of the run -------------------------------------------------------
    def _finish(self, budget_ms: float) -> JobUpdate:
        progress = run_for(self.finisher.steps(), budget_ms, self.finisher.total)
        report = {"stage": "finish", "images": progress["images"], "total": progress["total"]}
        if not progress["done"]:
            return JobUpdate(self.kind, "finish", report)
        t = self.trainer
        meta = training_metadata(t, name="", val_size=self.val_size, test_accuracy=self.finisher.test_accuracy,
                                 train_seconds=self.train_seconds, data=self.data,
                                 continued_at_step=self.continued_at_step)
        del meta["name"]
        samples = t.progress.samples_seen - self._first_samples
        summary = {"stopped": self.stopping or bool(self.note), "note": self.note, "samples": samples,
                   "train_seconds": self.train_seconds, "val_accuracy": self.finisher.val_accuracy,
                   "samples_per_sec": samples / self.train_seconds if self.train_seconds > 0 else None}
        result = NewModel(self.name, t.model, t.optimizer, meta, summary)
        return JobUpdate(self.kind, "finish", report, done=True, result=result)

    def stop(self) -> None:
        super().stop()
        self._steps = iter(())  # no further steps; a step shared with helpers still completes


def test_report(model: Sequential, logits: np.ndarray, x_test: np.ndarray, y_test: np.ndarray) -> dict[str, Any]:
    """What Evaluate shows: accuracy, per class, the confusion matrix, the
    calibration (``confidence.calibration_report``) and the first
    misclassified digits (784 uint8 pixels each)."""
    probs = model.proba_from_logits(logits)
    pred = probs.argmax(axis=1)
    report = classification_report(y_test, pred)
    report["calibration"] = calibration_report(logits, y_test, model.temperature)
    wrong = misclassified_indices(y_test, pred)[:MAX_MISCLASSIFIED]
    report["misclassified"] = [
        {"index": int(i), "true": int(y_test[i]), "pred": int(pred[i]), "confidence": float(probs[i, pred[i]])}
        for i in wrong
    ]
    pixels = x_test[wrong]
    report["misclassified_pixels"] = (pixels if pixels.dtype == np.uint8 else np.round(pixels * 255).astype(np.uint8)).tobytes()
    return report


def comparison_report(first: str, second: str, pred_a: np.ndarray, pred_b: np.ndarray, x_test: np.ndarray,
                      y_test: np.ndarray) -> dict[str, Any]:
    """Where two models' answers on the test set differ: how often, who was
    right, and the first ``MAX_MISCLASSIFIED`` such digits (784 uint8 pixels
    each) with both answers. ``pred_a``/``pred_b``: (N,) predicted digits."""
    differ = pred_a != pred_b
    right_a, right_b = pred_a == y_test, pred_b == y_test
    shown = np.flatnonzero(differ)[:MAX_MISCLASSIFIED]
    pixels = x_test[shown]
    return {
        "first": first, "second": second, "images": int(len(y_test)),
        "second_accuracy": float(right_b.mean()) if len(y_test) else None,
        "disagreements": int(differ.sum()),
        "first_right": int((differ & right_a).sum()), "second_right": int((differ & right_b).sum()),
        "neither_right": int((differ & ~right_a & ~right_b).sum()),
        "gallery": [{"index": int(i), "true": int(y_test[i]), "first": int(pred_a[i]), "second": int(pred_b[i])}
                    for i in shown],
        "gallery_pixels": (pixels if pixels.dtype == np.uint8 else np.round(pixels * 255).astype(np.uint8)).tobytes(),
    }


class EvaluationJob(Job):
    """A model on the test set, the images split across ``workers``
    (``team.TeamLogits``): the owner's share in time slices. With ``other``
    (a second model's name and network) the owner then runs that one over the
    test set too and the report gains ``comparison`` (``comparison_report``)."""

    kind = "evaluate"

    def __init__(self, model: Sequential, name: str, x_test: np.ndarray, y_test: np.ndarray, workers: int = 1,
                 other: tuple[str, Sequential] | None = None) -> None:
        super().__init__(workers)
        self.model, self.name, self.x_test, self.y_test = model, name, x_test, y_test
        self.team = TeamLogits(model, x_test, workers)
        self._chunks = self.team.chunks()
        self._sent = workers == 1
        self.other = other
        self._report: dict[str, Any] | None = None  # the first model's, while the second one runs
        self._pred: np.ndarray | None = None  # the first model's answers, likewise
        self._second: TeamLogits | None = None
        self._second_chunks: Iterator[tuple[int, int]] | None = None

    @property
    def total(self) -> int:
        """Images to run: the test set once per model."""
        return self.team.total * (2 if self.other else 1)

    def describe(self) -> dict[str, Any]:
        return super().describe() | {"architecture": self.model.config.to_dict(), "model": self.name,
                                     "total": self.total, "compare": self.other[0] if self.other else None}

    def advance(self, budget_ms: float, replies: list[Any] | None = None, failure: str | None = None) -> JobUpdate:
        if self._report is not None:
            return self._compare(budget_ms)
        if failure is not None:  # a helper is gone: start again with the owner alone
            self.workers, self.team = 1, TeamLogits(self.model, self.x_test, 1)
            self._chunks, self._sent = self.team.chunks(), True
            replies = None
        if not self._sent:
            self._sent = True
            return JobUpdate(self.kind, "evaluate", {"stage": "evaluate", "images": 0, "total": self.total},
                             requests=self.team.requests())
        if replies is None:
            progress = run_for(self._chunks, budget_ms, self.team.own_size)
            # The helpers' shares count as done only when they arrive.
            shown = {"stage": "evaluate", "images": progress["images"], "total": self.total}
            if not progress["done"]:
                return JobUpdate(self.kind, "evaluate", shown)
            if self.workers > 1:
                return JobUpdate(self.kind, "evaluate", shown, wait=True)
            replies = []
        logits = self.team.combine(replies)
        report = test_report(self.model, logits, self.x_test, self.y_test) | {"model": self.name,
                                                                             "workers": self.workers}
        done = {"stage": "evaluate", "images": self.team.total, "total": self.total}
        if self.other is None:
            return JobUpdate(self.kind, "evaluate", done, done=True, result=report)
        self._report, self._pred = report, logits.argmax(axis=1)
        self._second = TeamLogits(self.other[1], self.x_test, 1)
        self._second_chunks = self._second.chunks()
        return JobUpdate(self.kind, "evaluate", done)

    def _compare(self, budget_ms: float) -> JobUpdate:
        """The second model over the test set, on the owner alone (the helpers
        hold the first model's network), in time slices."""
        assert self._second is not None and self._second_chunks is not None and self.other is not None
        progress = run_for(self._second_chunks, budget_ms, self._second.own_size)
        shown = {"stage": "evaluate", "images": self.team.total + progress["images"], "total": self.total}
        if not progress["done"]:
            return JobUpdate(self.kind, "evaluate", shown)
        other_pred = self._second.combine([]).argmax(axis=1)
        comparison = comparison_report(self.name, self.other[0], self._pred, other_pred, self.x_test, self.y_test)
        return JobUpdate(self.kind, "evaluate", shown, done=True, result=self._report | {"comparison": comparison})
