"""The browser's door: what the page's Web Worker calls (``session.py``),
the request dispatcher, the long jobs it pumps in time slices, and the helper
workers of data parallelism (``team.py``). Plain values in and out, so it is
unit-tested on CPython.

In the tab (Pyodide, whose NumPy has no BLAS) importing it switches the
network to ``pynet.wasm``'s layers, before any model is built.
"""

import sys

if sys.platform == "emscripten":
    from pynet import wasm

    wasm.enable()
