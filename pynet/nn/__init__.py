"""The network: layers, convolutions, batch normalisation, the loss, the
optimisers and the model that stacks them. Pure NumPy; nothing here knows
about the browser, the command line or where the data comes from.

Read it in this order (the README's "Read the network"): ``layers.py``,
``losses.py``, ``model.py``, ``optimizers.py``, the training loop that drives
them (``pynet/training/trainer.py``), then ``conv.py`` and ``norm.py``.
Each layer method's docstring opens with the formula it computes.
"""

from .conv import Conv2D, Flatten, MaxPool2D, Reshape
from .layers import Dense, Dropout, Layer, ReLU
from .losses import SoftmaxCrossEntropy, log_softmax, softmax
from .model import Sequential, as_float_pixels, build_model, copy_model
from .norm import BatchNorm2D
from .optimizers import SGD, Adam, Optimizer

__all__ = ["Adam", "BatchNorm2D", "Conv2D", "Dense", "Dropout", "Flatten", "Layer", "MaxPool2D", "Optimizer",
           "ReLU", "Reshape", "SGD", "Sequential", "SoftmaxCrossEntropy", "as_float_pixels", "build_model",
           "copy_model", "log_softmax", "softmax"]
