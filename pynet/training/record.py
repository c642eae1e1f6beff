"""What a model file says about how the model was made.

``training_metadata`` is the one writer (the CLI, the build and the page all
call it), so every file uses the same words: ``train_size`` is how many
distinct images the model learned from, ``progress.samples_seen`` how many it
processed counting repeats. ``clean_metadata`` is the one reader: a file is
untrusted, so each known entry is validated and anything else is dropped
before the page shows it or a resumed run relies on it.

Two entries say whether the run can be reproduced from its record
(``notebook.py``): ``data``, which images it learned from (MNIST's first
``images`` training images less ``val_size`` held out with the split seed,
plus ``outliers`` scribbles; or MNIST mixed with a person's drawings, which
nobody else has), and ``continued_at_step``, set when the run was carried on
with a new plan (other settings, more epochs, a fresh optimiser, or from a
model with no record): only the last plan is recorded, so the whole run is
not reproducible from it.
"""

from __future__ import annotations

from typing import Any

from pynet.config import TrainConfig
from pynet.constraints import Choice, Integer, Real, SettingsError, Text

from .progress import TrainProgress
from .trainer import Trainer

MAX_HISTORY = 1000  # epochs recorded in a file
_HISTORY_NUMBERS = ("train_loss", "train_accuracy", "val_accuracy", "val_loss", "samples_per_sec")

FIELDS = {
    "name": Text(100),
    "test_accuracy": Real(0.0, 1.0),
    "train_seconds": Real(0.0, 1e9),
    "train_size": Integer(1, 10**9),
    "val_size": Integer(0, 10**9),
    "temperature": Real(0.05, 20.0),
    "continued_at_step": Integer(0, 2**53),
}
# MNIST's training images; those mixed with a person's drawings (fine-tuning);
# those with drawings made from them and from font digits (the shipped
# model's mix, data/shipped_mix.py)
DATA_SOURCES = ("mnist", "mnist+drawings", "mnist+drawn-mix")
MAX_OUTLIERS = 100_000
_DATA_FIELDS = {"source": Choice(DATA_SOURCES), "images": Integer(1, 10**9), "outliers": Integer(0, MAX_OUTLIERS)}


def data_record(source: str = "mnist", images: int = 60_000, outliers: int = 0) -> dict[str, Any]:
    """What a run learned from: ``source`` (``DATA_SOURCES``), the first
    ``images`` MNIST training images (the validation images are held out of
    them), and ``outliers`` scribbles (``data/scribbles.py``) added to the rest."""
    return _data({"source": source, "images": images, "outliers": outliers})


def _data(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or set(raw) != set(_DATA_FIELDS):
        raise ValueError("must list source, images and outliers")
    return {key: rule.parse(raw[key]) for key, rule in _DATA_FIELDS.items()}


def training_metadata(
    trainer: Trainer,
    *,
    name: str,
    val_size: int,
    test_accuracy: float | None = None,
    train_seconds: float | None = None,
    data: dict[str, Any] | None = None,
    continued_at_step: int | None = None,
) -> dict[str, Any]:
    """The metadata saved with a model trained by ``trainer``; ``data`` is
    ``data_record(...)``, ``continued_at_step`` see the module's docstring."""
    meta: dict[str, Any] = {
        "name": name,
        "train_config": trainer.config.to_dict(),
        "progress": trainer.progress.to_dict(),
        "history": trainer.history,
        "train_size": len(trainer.x),
        "val_size": val_size,
    }
    if trainer.model.temperature != 1.0:
        meta["temperature"] = float(trainer.model.temperature)
    if test_accuracy is not None:
        meta["test_accuracy"] = float(test_accuracy)
    if train_seconds is not None:
        meta["train_seconds"] = round(float(train_seconds), 1)
    if data is not None:
        meta["data"] = _data(data)
    if continued_at_step is not None:
        meta["continued_at_step"] = int(continued_at_step)
    return meta


def _history(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) > MAX_HISTORY:
        raise ValueError("must be a list of at most 1000 epochs")
    epoch, number = Integer(1, 10**6), Real(-1e9, 1e9)
    out = []
    for entry in raw:
        if not isinstance(entry, dict) or set(entry) != {"epoch", *_HISTORY_NUMBERS}:
            raise ValueError("has an entry that is not an epoch record")
        clean = {"epoch": epoch.parse(entry["epoch"])}
        for key in _HISTORY_NUMBERS:
            clean[key] = None if entry[key] is None else number.parse(entry[key])
        out.append(clean)
    return out


def clean_metadata(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """(the valid known entries, the names of the entries dropped)."""
    if not isinstance(raw, dict):
        return {}, ["metadata"]
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for key, value in raw.items():
        try:
            if key in FIELDS:
                kept[key] = FIELDS[key].parse(value)
            elif key == "train_config":
                kept[key] = TrainConfig.from_dict(value).to_dict()
            elif key == "progress":
                kept[key] = TrainProgress.from_dict(value).to_dict()
            elif key == "history":
                kept[key] = _history(value)
            elif key == "data":
                kept[key] = _data(value)
            else:
                raise ValueError("unknown")
        except (ValueError, TypeError, SettingsError):
            dropped.append(str(key)[:40])
    return kept, dropped
