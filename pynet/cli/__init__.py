"""The command line: ``python -m pynet train|evaluate|predict|bench|export-notebook|export-onnx``.

One BLAS thread unless the user chose: NumPy's OpenBLAS starts a thread per
core, and pynet's matrices are small (a mini-batch of 128), so the threads
mostly wait on each other. Measured on a 2-core machine with other work on it
(``pynet bench --samples 20000``, 2026-12-06): 4,000–4,800 samples/s with
OpenBLAS's default threads, 100,000–130,000 with one. The variables must be
set before NumPy is first imported, hence here, before ``main`` imports it;
``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS`` or ``MKL_NUM_THREADS`` set by
the user is left alone (docs/cli.md).
"""

import os

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
if not any(name in os.environ for name in BLAS_THREAD_VARIABLES):
    os.environ.update(dict.fromkeys(BLAS_THREAD_VARIABLES, "1"))

from .main import main  # noqa: E402 -- after the BLAS threads are chosen

__all__ = ["main"]
