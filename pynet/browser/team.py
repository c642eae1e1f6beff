"""Data parallelism across Web Workers: what crosses between the worker that
owns a job and its helper workers, and both ends of it.

The owner does not call its helpers: a job returns *requests* (``{"replica":
i, "method": name, "args": {...}}``, arrays as bytes, so they cross as
transferable ArrayBuffers) from ``advance``; the browser worker posts them,
and hands the replies to the next ``advance``. Each helper's Python is a
``ReplicaSession`` answering requests named after its methods. Here the
owner's side of a training step (``TeamStep``) and of a pass over many images
(``TeamLogits``); the arithmetic is ``pynet/training/data_parallel.py``'s, and
the step's forward, backward and update are the trainer's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from pynet.nn.model import Sequential
from pynet.training.data_parallel import (
    Replica,
    ShardOutcome,
    batch_norms,
    combine,
    flatten,
    rng_state,
    shard_rows,
    shard_step,
)
from pynet.training.progress import BatchResult, StepInfo
from pynet.training.time_slices import logits_in_chunks
from pynet.training.trainer import Batch, Trainer

from .dispatch import answer
from .values import as_bytes, as_py


def encode_outcome(outcome: ShardOutcome) -> dict[str, Any]:
    """A shard's outcome as plain values and bytes (the reply that crosses back)."""
    means = [s[0] for s in outcome.batch_stats]
    variances = [s[1] for s in outcome.batch_stats]
    return {"result": outcome.result.to_dict(), "grads": outcome.grads.tobytes(),
            "means": flatten(means).tobytes(), "variances": flatten(variances).tobytes(),
            "counts": [int(s[2]) for s in outcome.batch_stats]}


def decode_outcome(reply: Any, model: Sequential) -> ShardOutcome:
    """``encode_outcome``'s reply, checked against the owner's network."""
    reply = as_py(reply)
    grads = np.frombuffer(as_bytes(reply["grads"]), dtype=np.float32)
    if grads.size != model.n_params:
        raise ValueError(f"a helper worker sent {grads.size} gradients for a network of {model.n_params} parameters")
    norms = batch_norms(model)
    means = np.frombuffer(as_bytes(reply["means"]), dtype=np.float32)
    variances = np.frombuffer(as_bytes(reply["variances"]), dtype=np.float32)
    stats, offset = [], 0
    for bn, count in zip(norms, reply["counts"]):
        c = bn.channels
        stats.append((means[offset : offset + c], variances[offset : offset + c], int(count)))
        offset += c
    return ShardOutcome(BatchResult(**reply["result"]), grads, stats)


class TeamStep:
    """The owner's side of data-parallel training steps: plan a batch and ask
    the helpers for their shards (``plan``), compute its own shard while they
    work (``own_shard``), then add everything up and take the step
    (``finish``). One step is ``plan`` -> ``own_shard`` -> ``finish``."""

    def __init__(self, trainer: Trainer, n_workers: int) -> None:
        self.trainer, self.n_workers = trainer, n_workers
        self.batch: Batch | None = None
        self._rows: list[slice] = []
        self._state: dict[str, Any] | None = None
        self._own: ShardOutcome | None = None

    @property
    def in_flight(self) -> bool:
        return self.batch is not None

    @property
    def own_done(self) -> bool:
        return self._own is not None

    def plan(self) -> list[dict[str, Any]] | None:
        """The next batch's requests for the helpers; None when the run is over."""
        self.batch = batch = self.trainer.next_batch()
        if batch is None:
            return None
        self._state = rng_state(batch.rng)
        self._rows = shard_rows(batch.size, self.n_workers)
        self._own = None
        weights = flatten(self.trainer.model.arrays())
        return [{"replica": i - 1, "method": "gradients",
                 "args": {"arrays": weights.tobytes(), "x": np.ascontiguousarray(batch.x[rows]).tobytes(),
                          "y": batch.y[rows].astype(np.int32).tobytes(), "batch_size": batch.size,
                          "start": rows.start, "state": self._state}}
                for i, rows in enumerate(self._rows) if i > 0]

    def own_shard(self) -> None:
        """Shard 0, computed here while the helpers compute theirs."""
        batch, rows = self.batch, self._rows[0]
        if batch is None:
            raise RuntimeError("no step is planned")
        t = self.trainer
        self._own = shard_step(t.model, t.loss_fn, batch.x[rows], batch.y[rows], batch_size=batch.size, rows=rows,
                               state=self._state)

    def finish(self, replies: list[Any]) -> StepInfo:
        """Add the shards up in worker order and take the step."""
        batch = self.batch
        if batch is None or self._own is None:
            raise RuntimeError("the step's own shard has not been computed")
        if len(replies) != len(self._rows) - 1:
            raise ValueError(f"expected {len(self._rows) - 1} helper replies, got {len(replies)}")
        outcomes = [self._own] + [decode_outcome(r, self.trainer.model) for r in replies]
        self.batch, self._own = None, None
        return self.trainer.apply(batch, combine(self.trainer, outcomes))

    def abandon(self) -> None:
        """A helper is gone: the step in flight is dropped (the weights are
        those of the last completed step)."""
        self.batch, self._own = None, None


class TeamLogits:
    """The raw outputs of a model on many images, the images split across the
    owner and its helpers. The owner's part runs in chunks (``chunks``), so
    the browser keeps classifying drawings in between."""

    def __init__(self, model: Sequential, x: np.ndarray, n_workers: int) -> None:
        self.model, self.x = model, x
        self._rows = shard_rows(len(x), n_workers) if len(x) else [slice(0, 0)]
        self._own: list[np.ndarray] = []

    @property
    def total(self) -> int:
        return len(self.x)

    @property
    def own_size(self) -> int:
        return self._rows[0].stop

    def requests(self) -> list[dict[str, Any]]:
        weights = flatten(self.model.arrays())
        return [{"replica": i - 1, "method": "logits",
                 "args": {"arrays": weights.tobytes(), "x": np.ascontiguousarray(self.x[rows]).tobytes(),
                          "dtype": str(self.x.dtype)}}
                for i, rows in enumerate(self._rows) if i > 0]

    def chunks(self) -> Iterator[tuple[int, int]]:
        """The owner's share, a chunk at a time: yields (images done, images in all)."""
        done = 0
        for part in logits_in_chunks(self.model, self.x[self._rows[0]]):
            self._own.append(part)
            done += len(part)
            yield done, self.own_size

    def combine(self, replies: list[Any]) -> np.ndarray:
        """All logits ``(n, n_classes)`` in image order."""
        parts = list(self._own)
        for reply, rows in zip(replies, self._rows[1:]):
            logits = np.frombuffer(as_bytes(reply), dtype=np.float32)
            n = rows.stop - rows.start
            if logits.size != n * self.model.n_classes:
                raise ValueError(f"a helper worker sent {logits.size} outputs for {n} images")
            parts.append(logits.reshape(n, self.model.n_classes))
        if not parts:
            return np.zeros((0, self.model.n_classes), dtype=np.float32)
        return np.concatenate(parts).astype(np.float32, copy=False)


class ReplicaSession:
    """A helper worker's Python: answers ``setup``, ``gradients`` and
    ``logits`` requests (named after these methods) with plain values and bytes."""

    def __init__(self) -> None:
        self.replica = Replica()

    def handle(self, method: str, args: Any = None) -> dict[str, Any]:
        """Answer the owner's request ``method`` (``dispatch.answer``)."""
        return answer(self, {"setup", "gradients", "logits"}, method, args)

    def setup(self, architecture: Any) -> dict[str, Any]:
        return self.replica.setup(as_py(architecture))

    def _arrays(self, arrays: Any) -> np.ndarray:
        return np.frombuffer(as_bytes(arrays), dtype=np.float32)

    def gradients(self, arrays: Any, x: Any, y: Any, batch_size: int, start: int, state: Any = None) -> dict[str, Any]:
        model = self.replica.model
        if model is None:
            raise RuntimeError("the replica has no network yet: setup first")
        pixels = np.frombuffer(as_bytes(x), dtype=np.float32).reshape(-1, model.config.n_inputs)
        labels = np.frombuffer(as_bytes(y), dtype=np.int32).astype(np.int64)
        outcome = self.replica.gradients(self._arrays(arrays), pixels, labels, int(batch_size), int(start),
                                         as_py(state))
        return encode_outcome(outcome)

    def logits(self, arrays: Any, x: Any, dtype: str) -> bytes:
        model = self.replica.model
        if model is None:
            raise RuntimeError("the replica has no network yet: setup first")
        if dtype not in ("uint8", "float32"):
            raise ValueError(f"images must be uint8 or float32, not {dtype}")
        images = np.frombuffer(as_bytes(x), dtype=dtype).reshape(-1, model.config.n_inputs)
        return self.replica.logits(self._arrays(arrays), images).astype(np.float32).tobytes()
