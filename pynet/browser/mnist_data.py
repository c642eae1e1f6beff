"""MNIST as the page's worker hands it over: the four IDX files, parsed once
and kept (``load_mnist``) for training, evaluation and the step-through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .values import as_bytes

if TYPE_CHECKING:
    from pynet.data.mnist import Dataset

VAL_SIZE = 5000  # held out from the 60,000 training images for per-epoch validation


class MnistData:
    """The session's MNIST, once loaded (``pynet.data.mnist.Dataset``: uint8
    pixels, the validation images held out at load)."""

    def __init__(self) -> None:
        self.dataset: Dataset | None = None  # once MNIST is loaded

    def load_mnist(self, **files: Any) -> dict[str, int]:
        """Parse the four (optionally gzipped) IDX files, given by the names of
        ``pynet.data.mnist.MNIST_FILES``, and keep them. Raises ValueError for
        other names, IDXFormatError for a file that is not IDX."""
        from pynet.data.mnist import MNIST_FILES, dataset_from_arrays, parse_idx  # loaded when MNIST is

        if set(files) != set(MNIST_FILES):
            raise ValueError(f"expected the MNIST files {sorted(MNIST_FILES)}, got {sorted(files)}")
        arrays = {name: parse_idx(as_bytes(blob), name) for name, blob in files.items()}
        val_size = min(VAL_SIZE, len(arrays["train_images"]) // 10)
        # Kept as uint8 pixels (55 MB instead of 220 MB of float32 in the tab's
        # wasm memory); pynet converts each batch as it is used.
        self.dataset = dataset_from_arrays(**arrays, dtype=np.uint8, val_size=val_size, seed=0)
        return {"train": len(self.dataset.x_train) + val_size, "test": len(self.dataset.x_test)}

    def require(self) -> Dataset:
        """The dataset. Raises RuntimeError
        before ``load_mnist``."""
        if self.dataset is None:
            raise RuntimeError("MNIST is not loaded yet")
        return self.dataset

    def train_split(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """MNIST's training images, split at load into training and validation
        parts: ``(x_train, y_train, x_val, y_val)``. Raises RuntimeError
        before ``load_mnist``."""
        data = self.require()
        return data.x_train, data.y_train, data.x_val, data.y_val
