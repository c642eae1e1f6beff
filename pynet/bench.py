"""Native training-throughput benchmark (prints numbers; never fails on speed)."""

from __future__ import annotations

import platform
import time

import numpy as np

from .model import ModelConfig, build_model
from .train import TrainConfig, Trainer


def native_throughput(
    hidden: tuple[int, ...] = (128,),
    batch_size: int = 128,
    samples: int = 60000,
    optimizer: str = "adam",
    dtype: str = "float32",
) -> dict:
    """Samples/s training an MLP on random MNIST-shaped data, after a warm-up epoch
    of 10 batches. Random pixels are denser than MNIST's, so this is a floor."""
    rng = np.random.default_rng(0)
    n = max(samples, batch_size * 10)
    x = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, n)
    model = build_model(ModelConfig(hidden=hidden, dtype=dtype))
    cfg = TrainConfig(epochs=2, batch_size=batch_size, optimizer=optimizer)
    steps = Trainer(model, cfg, x, y).steps()
    for _ in range(10):  # warm-up: first-touch allocations, caches
        next(steps)
    start = time.perf_counter()
    seen = 0
    while seen < samples:
        seen += len(x[:batch_size]) if next(steps) else 0
    seconds = time.perf_counter() - start
    return {
        "benchmark": "native training throughput",
        "architecture": ModelConfig(hidden=hidden).describe(),
        "optimizer": optimizer,
        "batch_size": batch_size,
        "dtype": dtype,
        "samples": seen,
        "seconds": round(seconds, 3),
        "samples_per_sec": round(seen / seconds, 1),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
