"""pynet: a handwritten-digit classifier written from scratch in pure NumPy.

The same code trains natively on CPython and in the browser under Pyodide.
"""

from .augment import AugmentConfig, random_affine
from .data import Dataset, IDXFormatError, load_mnist, parse_idx, read_idx, train_val_split
from .io import LoadedModel, ModelFormatError, load_model, model_to_bytes, save_model
from .layers import Dense, Dropout, ReLU
from .losses import SoftmaxCrossEntropy, log_softmax, softmax
from .metrics import (
    accuracy,
    classification_report,
    confusion_matrix,
    misclassified_indices,
    per_class_accuracy,
    prediction_distribution,
)
from .model import ModelConfig, Sequential, build_model
from .optimizers import SGD, Adam
from .preprocess import preprocess_drawing
from .train import StepInfo, TrainConfig, Trainer, TrainingDiverged

__version__ = "0.1.0"

__all__ = [
    "Adam", "AugmentConfig", "Dataset", "Dense", "Dropout", "IDXFormatError", "LoadedModel",
    "ModelConfig", "ModelFormatError", "ReLU", "SGD", "Sequential", "SoftmaxCrossEntropy",
    "StepInfo", "TrainConfig", "Trainer", "TrainingDiverged", "accuracy", "build_model",
    "classification_report", "confusion_matrix", "load_mnist", "load_model", "log_softmax",
    "misclassified_indices", "model_to_bytes", "parse_idx", "per_class_accuracy",
    "prediction_distribution", "preprocess_drawing", "random_affine", "read_idx", "save_model",
    "softmax", "train_val_split",
]
