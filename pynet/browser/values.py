"""What crosses from JavaScript into Python, as plain values.

Under Pyodide a request's arguments arrive as JsProxy objects (a typed array,
a JS object or array); on CPython (the tests) as bytes, dicts and lists.
These two turn either into plain Python values.
"""

from __future__ import annotations

from typing import Any


def as_bytes(data: Any) -> bytes:
    """bytes from bytes-likes or a Pyodide JsProxy of a typed array."""
    if hasattr(data, "to_bytes"):
        return data.to_bytes()
    return bytes(data)


def as_py(data: Any) -> Any:
    """Plain Python values from a Pyodide JsProxy (dicts, lists) or as they are."""
    return data.to_py() if hasattr(data, "to_py") else data
