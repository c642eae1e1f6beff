"""pynet: a handwritten-digit classifier written from scratch in pure NumPy.

The same code trains natively on CPython and in the browser under Pyodide.
"""

from .augment import AugmentConfig, random_affine
from .config import ModelConfig, TrainConfig, parse_settings
from .constraints import SettingsError
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
from .model import Sequential, build_model
from .optimizers import SGD, Adam
from .preprocess import preprocess_image
from .recipes import fit
from .train import StepInfo, Trainer, TrainingDiverged, TrainProgress

__version__ = "0.1.0"

__all__ = [
    "Adam", "AugmentConfig", "Dataset", "Dense", "Dropout", "IDXFormatError", "LoadedModel",
    "ModelConfig", "ModelFormatError", "ReLU", "SGD", "Sequential", "SettingsError", "SoftmaxCrossEntropy",
    "StepInfo", "TrainConfig", "TrainProgress", "Trainer", "TrainingDiverged", "accuracy", "build_model",
    "classification_report", "confusion_matrix", "fit", "load_mnist", "load_model", "log_softmax",
    "misclassified_indices", "model_to_bytes", "parse_idx", "parse_settings", "per_class_accuracy",
    "prediction_distribution", "preprocess_image", "random_affine", "read_idx", "save_model",
    "softmax", "train_val_split",
]
