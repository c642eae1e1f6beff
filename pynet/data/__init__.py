"""Data: MNIST's IDX files (``mnist.py``), and the drawn digits made from
them and from fonts for the shipped model (``traced_mnist.py``,
``fonts.py``, ``stroke_variation.py``, ``scribbles.py``, ``shipped_mix.py``).
"""

from .mnist import MNIST_FILES, Dataset, IDXFormatError, load_mnist, parse_idx, read_idx, train_val_split

__all__ = ["MNIST_FILES", "Dataset", "IDXFormatError", "load_mnist", "parse_idx", "read_idx", "train_val_split"]
