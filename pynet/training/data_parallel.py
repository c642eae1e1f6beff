"""Data parallelism: each mini-batch split across workers that hold a replica
of the model, their gradients summed in a fixed order, one optimiser update.

The page runs one Pyodide per Web Worker; the worker that owns the run
(shard 0) plans each batch (``Trainer.next_batch``: order, augmentation),
sends every other worker its shard with the current weights, computes its own
shard meanwhile, then adds the shards' gradients in worker order and takes the
step (``Trainer.apply``). Because the batch, the augmentation and the dropout
masks are those of the one-worker run and only the summation is split, a run
with N workers matches the one-worker run with the same seed to float32
rounding (``tests/test_parallel.py``), whatever the timing.

Batch normalisation is the exception: each worker normalises its shard with
the shard's own mean and variance ("ghost batch normalisation", Hoffer, Hubara
and Soudry 2017), which a split batch cannot avoid without a round trip per
layer in both passes. The running statistics are still those of the whole
batch: the shards' statistics are combined exactly before they move.

Natively, ``simulated_steps`` runs the same shards one after another in one
process: the numbers of an N-worker browser run, for tests and for the CLI.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pynet.config import ModelConfig
from pynet.nn.losses import SoftmaxCrossEntropy
from pynet.nn.model import Sequential, build_model
from pynet.nn.norm import BatchNorm2D

from .progress import BatchResult, StepInfo
from .trainer import Trainer, forward_backward, run_through

BatchStats = tuple[np.ndarray, np.ndarray, int]  # per channel: mean, biased variance; values per channel


def shard_rows(batch_size: int, n_workers: int) -> list[slice]:
    """Contiguous rows of a batch for each worker, sizes differing by at most
    one, the larger first; a batch smaller than the team uses fewer workers."""
    n = max(1, min(n_workers, batch_size))
    base, extra = divmod(batch_size, n)
    rows, start = [], 0
    for i in range(n):
        size = base + (i < extra)
        rows.append(slice(start, start + size))
        start += size
    return rows


def flatten(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """One contiguous float32 vector of ``arrays`` (what crosses between workers)."""
    if not arrays:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate([a.ravel() for a in arrays]).astype(np.float32, copy=False)


def unflatten_into(flat: np.ndarray, arrays: Sequence[np.ndarray]) -> None:
    """Write ``flat`` (from ``flatten``) back into ``arrays``, in place."""
    total = sum(a.size for a in arrays)
    if flat.size != total:
        raise ValueError(f"expected {total} values for these arrays, got {flat.size}")
    offset = 0
    for a in arrays:
        a[...] = flat[offset : offset + a.size].reshape(a.shape)
        offset += a.size


def batch_norms(model: Sequential) -> list[BatchNorm2D]:
    return [layer for layer in model.layers if isinstance(layer, BatchNorm2D)]


def combine_batch_stats(parts: Sequence[BatchStats]) -> BatchStats:
    """The whole batch's per-channel mean and biased variance from its shards'
    (exact: the variance of a union is the mean of the parts' variances plus
    the variance of their means, each weighted by its count)."""
    total = sum(m for _, _, m in parts)
    mean = sum(mu * (m / total) for mu, _, m in parts)
    var = sum((v + (mu - mean) ** 2) * (m / total) for mu, v, m in parts)
    return mean.astype(parts[0][0].dtype), var.astype(parts[0][1].dtype), total


def rng_state(rng: np.random.Generator | None) -> dict[str, Any] | None:
    """A generator's state as JSON-safe values (its 128-bit integers as text,
    which JavaScript numbers could not hold)."""
    if rng is None:
        return None
    state = rng.bit_generator.state
    if state["bit_generator"] != "PCG64":
        raise ValueError(f"only PCG64 generators cross workers, not {state['bit_generator']}")
    inner = state["state"]
    return {"state": str(inner["state"]), "inc": str(inner["inc"]), "has_uint32": int(state["has_uint32"]),
            "uinteger": int(state["uinteger"])}


def rng_from_state(state: dict[str, Any] | None) -> np.random.Generator | None:
    if state is None:
        return None
    bit_generator = np.random.PCG64()
    bit_generator.state = {"bit_generator": "PCG64",
                           "state": {"state": int(state["state"]), "inc": int(state["inc"])},
                           "has_uint32": int(state["has_uint32"]), "uinteger": int(state["uinteger"])}
    return np.random.Generator(bit_generator)


class ShardRng:
    """Dropout's generator in a shard: it draws the numbers of the whole batch
    and keeps the shard's rows, so each worker's masks are exactly the rows
    of the one-worker run's (the one method dropout calls, ``random``)."""

    def __init__(self, rng: np.random.Generator, rows: slice, batch_size: int) -> None:
        self.rng, self.rows, self.batch_size = rng, rows, batch_size

    def random(self, shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
        return self.rng.random((self.batch_size, *shape[1:]), dtype=dtype)[self.rows]


@dataclass
class ShardOutcome:
    """One worker's share of a step: its figures, its gradients (flattened, in
    ``Sequential.gradients()`` order) and its batch-norm statistics."""

    result: BatchResult
    grads: np.ndarray  # (n_params,) float32
    batch_stats: list[BatchStats]


def shard_step(model: Sequential, loss_fn: SoftmaxCrossEntropy, x: np.ndarray, y: np.ndarray, *, batch_size: int,
               rows: slice, state: dict[str, Any] | None) -> ShardOutcome:
    """Forward and backward over ``x``, ``y``: rows ``rows`` of a batch of
    ``batch_size`` (``trainer.forward_backward``). ``state``: the batch
    generator's state before any dropout mask was drawn (``rng_state``).
    Batch norm's running statistics stay as they are: each layer's shard
    statistics are kept instead of moving them (the owner moves them once,
    with the whole batch's: ``combine``)."""
    norms = batch_norms(model)
    stats: list[list[BatchStats]] = [[] for _ in norms]
    for bn, kept in zip(norms, stats):
        bn.update_running_stats = lambda mean, var, m, kept=kept: kept.append((mean, var, m))  # this instance only
    rng = rng_from_state(state)
    try:
        result = run_through(forward_backward(model, loss_fn, x, y, batch_size=batch_size,
                                              rng=None if rng is None else ShardRng(rng, rows, batch_size)))
    finally:
        for bn in norms:
            del bn.update_running_stats  # the class's method again
    return ShardOutcome(result, flatten(model.gradients()).copy(), [kept[-1] for kept in stats])


def combine(trainer: Trainer, outcomes: Sequence[ShardOutcome]) -> BatchResult:
    """Put the shards' summed gradients (added in worker order) into the
    model and move batch norm's running statistics with the whole batch's;
    the figures of the whole batch."""
    total = outcomes[0].grads.copy()
    for outcome in outcomes[1:]:
        total += outcome.grads
    unflatten_into(total, trainer.model.gradients())
    for i, bn in enumerate(batch_norms(trainer.model)):
        bn.update_running_stats(*combine_batch_stats([o.batch_stats[i] for o in outcomes]))
    result = outcomes[0].result
    for outcome in outcomes[1:]:
        result = result + outcome.result
    return result


def simulated_steps(trainer: Trainer, n_workers: int) -> Iterator[StepInfo]:
    """``trainer.steps()`` with every batch split as ``n_workers`` workers
    split it, the shards computed one after another here."""
    while (batch := trainer.next_batch()) is not None:
        state = rng_state(batch.rng)
        outcomes = [shard_step(trainer.model, trainer.loss_fn, batch.x[rows], batch.y[rows], batch_size=batch.size,
                               rows=rows, state=state) for rows in shard_rows(batch.size, n_workers)]
        yield trainer.apply(batch, combine(trainer, outcomes))


class Replica:
    """What a helper worker holds: a copy of the network that computes the
    gradients of a shard, or the logits of some images, with the weights the
    owner sends (``flatten(model.arrays())``) each time."""

    def __init__(self) -> None:
        self.model: Sequential | None = None
        self.config: ModelConfig | None = None
        self.loss_fn = SoftmaxCrossEntropy()

    def setup(self, architecture: dict[str, Any]) -> dict[str, Any]:
        """Build the network (``ModelConfig.to_dict()``; weights come with each request)."""
        config = ModelConfig.from_dict(architecture)
        if config != self.config:
            self.model, self.config = build_model(config), config
        return {"n_params": self.model.n_params}

    def _model(self, arrays: np.ndarray) -> Sequential:
        if self.model is None:
            raise RuntimeError("the replica has no network yet: setup first")
        unflatten_into(arrays, self.model.arrays())
        return self.model

    def gradients(self, arrays: np.ndarray, x: np.ndarray, y: np.ndarray, batch_size: int, start: int,
                  state: dict[str, Any] | None) -> ShardOutcome:
        """The gradients of one shard: ``x`` ``(b, n_inputs)`` float32 (already
        augmented), ``y`` ``(b,)``, rows ``start:start+b`` of a batch of
        ``batch_size``."""
        model = self._model(arrays)
        return shard_step(model, self.loss_fn, x, y, batch_size=batch_size, rows=slice(start, start + len(y)),
                          state=state)

    def logits(self, arrays: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Raw outputs ``(n, n_classes)`` for images ``x`` (uint8 or float)."""
        return self._model(arrays).logits(x)
