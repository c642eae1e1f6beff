"""Native training-throughput benchmark (prints numbers; never fails on speed)."""

from __future__ import annotations

import platform
import time

import numpy as np

from pynet.config import ModelConfig, TrainConfig
from pynet.nn.model import build_model
from pynet.training.trainer import Trainer

WARMUP_STEPS = 10  # first-touch allocations, caches


def native_throughput(model_cfg: ModelConfig, train_cfg: TrainConfig, samples: int = 60000) -> dict:
    """Samples/s training on random MNIST-shaped data, timed after a warm-up of
    10 batches. Random pixels are denser than MNIST's, so this is a floor."""
    rng = np.random.default_rng(0)
    batch = train_cfg.batch_size
    n = max(samples, batch * WARMUP_STEPS) + batch * WARMUP_STEPS
    x = rng.random((n, model_cfg.n_inputs), dtype=np.float32)
    y = rng.integers(0, model_cfg.n_classes, n)
    model = build_model(model_cfg)
    steps = Trainer(model, TrainConfig(**(train_cfg.to_dict() | {"epochs": 2})), x, y).steps()
    for _ in range(WARMUP_STEPS):
        next(steps)
    start = time.perf_counter()
    first = last = next(steps).samples - batch
    while last - first < samples:
        last = next(steps).samples
    seconds = time.perf_counter() - start
    seen = last - first
    return {
        "benchmark": "native training throughput",
        "architecture": model_cfg.describe(),
        "optimizer": train_cfg.optimizer,
        "batch_size": batch,
        "dtype": model_cfg.dtype,
        "samples": seen,
        "seconds": round(seconds, 3),
        "samples_per_sec": round(seen / seconds, 1),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
