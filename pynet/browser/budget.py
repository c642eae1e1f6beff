"""What fits in a browser tab: the page's settings checked against its memory.

A phone's browser ends a tab well before a desktop's does (iOS gives no
number; see docs/performance.md, "Memory as Safari counts it"), so the page
tells pynet the tab's budget and every setting that costs memory -- the
network's weights, a training batch, and the number of workers (each a
Python of its own) -- is checked against it before anything is allocated,
with a message that says what would fit.
"""

from __future__ import annotations

from typing import Any

from pynet.config import ARCHITECTURE_SETTINGS, ModelConfig, TrainConfig, parse_settings
from pynet.constraints import SettingsError
from pynet.recipes.preset_configs import configs

MAX_PARAMS = 20_000_000  # ~80 MB of float32 weights, ~3x that while training: the tab's budget
MAX_BATCH_BYTES = 512 * 2**20  # what one training batch may occupy in the tab (im2col columns dominate)
DEFAULT_MEMORY_MB = 2048  # a desktop tab's budget when the page says nothing
# Python's wasm memory, measured (Chromium and WebKit agree): the worker that
# owns the session 136 MB after a run of TensorFlow.js's example CNN (MNIST's
# 55 MB of pixels included), a helper worker 50 MB. Each Pyodide also holds its
# compiled code and a JavaScript heap, about 25 MB more, not in that count.
OWNER_MB = 140
HELPER_MB = 75


def training_mb(config: ModelConfig, train: TrainConfig) -> float:
    """Estimated memory of a run with ``train.workers`` workers: each worker's
    Python, its copy of the weights (the owner also keeps gradients, the
    optimiser's two moments and a snapshot; a helper gradients) and its share
    of the batch's activations."""
    params_mb = 4 * config.n_params / 2**20
    shard = -(-train.batch_size // train.workers)
    activations_mb = 4 * config.training_floats_per_sample() * shard / 2**20
    owner = OWNER_MB + 5 * params_mb + activations_mb
    helper = HELPER_MB + 2 * params_mb + activations_mb
    return owner + (train.workers - 1) * helper


def parse_tab_settings(settings: Any, memory_mb: float = DEFAULT_MEMORY_MB) -> tuple[ModelConfig, TrainConfig]:
    """``config.parse_settings`` over the page's defaults, then the tab's
    limits: the weights, a batch, and the workers within ``memory_mb``
    (checked even when other fields are wrong, so every message shows at
    once). Raises SettingsError naming each bad field."""
    if not isinstance(settings, dict):
        raise SettingsError({"settings": "must be an object of form fields"})
    defaults = configs("in-tab")
    errors: dict[str, str] = {}
    try:
        model_cfg, train_cfg = parse_settings(settings, defaults)
    except SettingsError as exc:
        errors = dict(exc.errors)
    architecture_fields = {k: settings.get(k) for k in ARCHITECTURE_SETTINGS}
    if not set(architecture_fields) & set(errors):
        architecture = parse_settings(architecture_fields, defaults)[0]
        where = "conv" if architecture.conv else "hidden"
        if architecture.n_params > MAX_PARAMS:
            errors[where] = (f"{architecture.describe()} has {architecture.n_params:,} weights, more than the "
                             f"{MAX_PARAMS:,} that fit in the tab's memory")
        elif not errors:
            batch_bytes = 4 * architecture.training_floats_per_sample() * train_cfg.batch_size
            if batch_bytes > MAX_BATCH_BYTES:
                errors["batch_size"] = (f"a batch of {train_cfg.batch_size} needs about {batch_bytes / 2**20:,.0f} MB "
                                        f"with {architecture.describe()}; the tab allows {MAX_BATCH_BYTES // 2**20} "
                                        "MB: use a smaller batch")
            elif training_mb(architecture, train_cfg) > memory_mb:
                fit = max(w for w in range(1, train_cfg.workers + 1)
                          if w == 1 or training_mb(architecture, TrainConfig(**(train_cfg.to_dict() | {"workers": w})))
                          <= memory_mb)
                errors["workers"] = (f"{train_cfg.workers} workers need about {training_mb(architecture, train_cfg):,.0f} "
                                     f"MB (each is a Python of its own); this device gives the tab about "
                                     f"{memory_mb:,.0f} MB: use at most {fit}")
    if errors:
        raise SettingsError(errors)
    return model_cfg, train_cfg
