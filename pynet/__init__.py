"""pynet: a handwritten-digit classifier written from scratch in pure NumPy.

The same code trains natively on CPython and in the browser under Pyodide.

The package is layered; each subpackage imports only those below it:

    nn/        the network (layers, loss, optimisers, the model)
    input/     drawings and pictures -> the 28x28 input
    data/      MNIST and the drawn digits made from it
    training/  the training loop, metrics, calibration, data parallelism
    io/        model files
    recipes/   whole runs, presets, the shipped model's recipe
    inside/    explaining a prediction, stepping through a training step
    export/    a run as a notebook
    browser/   what the page's worker calls      cli/  the command line

The names below are imported when first used (PEP 562), so importing one
subpackage (the browser worker imports ``pynet.browser``) does not load the rest.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> the module that defines it
_PUBLIC = {
    "AugmentConfig": "training.augment", "random_affine": "training.augment",
    "ModelConfig": "config", "TrainConfig": "config", "parse_settings": "config",
    "SettingsError": "constraints",
    "Dataset": "data.mnist", "IDXFormatError": "data.mnist", "load_mnist": "data.mnist", "parse_idx": "data.mnist",
    "read_idx": "data.mnist", "train_val_split": "data.mnist",
    "LoadedModel": "io.model_file", "ModelFormatError": "io.untrusted", "load_model": "io.model_file",
    "model_to_bytes": "io.model_file", "save_model": "io.model_file",
    "Dense": "nn.layers", "Dropout": "nn.layers", "ReLU": "nn.layers",
    "SoftmaxCrossEntropy": "nn.losses", "log_softmax": "nn.losses", "softmax": "nn.losses",
    "accuracy": "training.metrics", "classification_report": "training.metrics",
    "confusion_matrix": "training.metrics", "misclassified_indices": "training.metrics",
    "per_class_accuracy": "training.metrics", "prediction_distribution": "training.metrics",
    "Sequential": "nn.model", "build_model": "nn.model",
    "SGD": "nn.optimizers", "Adam": "nn.optimizers",
    "preprocess_image": "input.preprocess",
    "fit": "recipes.runs",
    "Trainer": "training.trainer",
    "StepInfo": "training.progress", "TrainingDiverged": "training.progress", "TrainProgress": "training.progress",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    """``pynet.Dense`` and co.: import the defining module on first use."""
    if name not in _PUBLIC:
        raise AttributeError(f"module 'pynet' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"pynet.{_PUBLIC[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
