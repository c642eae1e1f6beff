"""Each preset's settings -- the shipped model's network and training, the
page's starting settings, TensorFlow.js's example network -- and the page's
form values for them.

Configurations only, so this is light to import: the page's worker sends the
form's presets when it starts (``browser.tab_settings``). The shipped model's
recipe (its drawn mix, its scribbles, ``train_pretrained``) is ``presets.py``'s,
which also re-exports these names.
"""

from __future__ import annotations

from dataclasses import replace

from pynet.config import ModelConfig, TrainConfig, form_architecture

# The pretrained model the site ships (see docs/accuracy.md), trained on
# what the page feeds it: MNIST's images plus drawings made the page's way
# (presets.py: the recipe and its history). The file is committed
# (models/pretrained.npz, with its manifest); `python3 build/dev.py retrain`
# runs the recipe again.
PRETRAINED_MODEL = ModelConfig(conv=((24, 5), (48, 5)), hidden=(256,), dropout=0.25, seed=1)
PRETRAINED_TRAIN = TrainConfig(epochs=10, batch_size=128, lr=2e-3, schedule="warmup-cosine", augment=True, seed=1)

# What the page's training form starts with: a run that finishes in seconds
# (97.4-97.5 % test accuracy over three seeds, measured; plain cosine at 0.005: 96.8-97.3 %).
IN_TAB_MODEL = ModelConfig(hidden=(128,))
IN_TAB_TRAIN = TrainConfig(epochs=2, batch_size=128, lr=0.008, schedule="warmup-cosine")

# TensorFlow.js's mnist example network (conv 8@5x5 -> pool -> conv 16@5x5 ->
# pool -> dense 10), with settings that train it well in one epoch in the tab.
TFJS_MODEL = ModelConfig(conv=((8, 5), (16, 5)), hidden=())
TFJS_TRAIN = TrainConfig(epochs=1, batch_size=32, lr=0.013, schedule="warmup-cosine")

# The same network with batch normalisation after each pooling: one epoch in
# the tab reaches about 98.9 % instead of 98.7 % (six seeds each, natively,
# measured; see docs/accuracy.md). Batch norm tolerates the higher rate.
TFJS_BN_MODEL = replace(TFJS_MODEL, batch_norm=True)
TFJS_BN_TRAIN = replace(TFJS_TRAIN, lr=0.03)

PRESETS = ("pretrained", "in-tab", "tfjs", "tfjs-bn")
FORM_PRESETS = ("tfjs", "tfjs-bn", "in-tab")  # one click in the page's training form (a button each)


def configs(preset: str | None) -> tuple[ModelConfig, TrainConfig]:
    """(model, training) configuration for ``preset`` (None = library defaults)."""
    if preset is None:
        return ModelConfig(), TrainConfig()
    if preset == "pretrained":
        return PRETRAINED_MODEL, PRETRAINED_TRAIN
    if preset == "in-tab":
        return IN_TAB_MODEL, IN_TAB_TRAIN
    if preset == "tfjs":
        return TFJS_MODEL, TFJS_TRAIN
    if preset == "tfjs-bn":
        return TFJS_BN_MODEL, TFJS_BN_TRAIN
    raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")


def form_values(preset: str) -> dict[str, object]:
    """A preset as the page's form values (text, like a person would type them)."""
    model, train = configs(preset)
    return {
        "conv": "8x5,16x5",  # shown (greyed) for a dense network, ready if the person switches
        **form_architecture(model),
        "lr": f"{train.lr:g}", "batch_size": str(train.batch_size), "epochs": str(train.epochs),
        "schedule": train.schedule, "optimizer": train.optimizer, "augment": train.augment,
    }
