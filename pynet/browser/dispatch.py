"""The request dispatcher: how a worker's JavaScript calls Python.

A request names a handler and gives its keyword arguments; the answer is
``{"result": ...}`` or ``{"error": {kind, message, fields}}``. The page shows
``message`` and, for settings, each field's own message; it chooses its words
by ``kind`` and never parses Python's tracebacks.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from typing import Any

from pynet.constraints import SettingsError
from pynet.io.untrusted import ModelFormatError
from pynet.training.trainer import TrainingDiverged

# The most specific class first: each maps to the kind the page sees.
KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (SettingsError, "settings"),  # fields: each bad setting's message
    (ModelFormatError, "model-file"),  # a model file that cannot be used
    (TrainingDiverged, "diverged"),  # the run blew up; the last good weights were kept
    (MemoryError, "memory"),
    (KeyError, "not-found"),
    (ValueError, "invalid"),  # bad input: a drawing, samples, an image
    (RuntimeError, "state"),  # not now: no model, MNIST not loaded, a job already running
)

Handler = Callable[..., Any]


def error_info(exc: BaseException) -> dict[str, Any]:
    """``{"kind", "message", "fields"}`` for ``exc``."""
    kind = next((k for cls, k in KINDS if isinstance(exc, cls)), "internal")
    if isinstance(exc, KeyError) and len(exc.args) == 1:
        message = str(exc.args[0])  # str(KeyError) quotes its argument
    else:
        message = str(exc) or type(exc).__name__
    if kind == "internal":
        message = f"{type(exc).__name__}: {message}"
    fields = dict(exc.errors) if isinstance(exc, SettingsError) else {}
    return {"kind": kind, "message": message, "fields": fields}


def dispatch(requests: Set[str], handler_for: Callable[[str], Handler], method: str, args: Any = None) -> dict[str, Any]:
    """Answer the request ``method`` if it is one of ``requests``: call
    ``handler_for(method)`` with ``args`` as keyword arguments. ``args``: a
    dict, or a Pyodide proxy of a JS object whose values stay proxies (as a
    direct call would get them); JavaScript's null (``pyodide.ffi.jsnull``)
    counts as None. Raises nothing: every error, finding the handler's
    included, comes back as data with its kind (``error_info``)."""
    if method not in requests:
        return {"error": {"kind": "request", "message": f"no request {method!r} is answered here", "fields": {}}}
    kwargs = args.to_py(depth=1) if hasattr(args, "to_py") else dict(args or {})
    kwargs = {k: None if type(v).__name__ == "JsNull" else v for k, v in kwargs.items()}
    try:
        return {"result": handler_for(method)(**kwargs)}
    except Exception as exc:  # every error reaches the page as data, with its kind
        return {"error": error_info(exc)}


def answer(target: object, allowed: Set[str], method: str, args: Any = None) -> dict[str, Any]:
    """``dispatch`` to ``target``'s own method of the request's name (a
    helper worker's ``team.ReplicaSession``)."""
    return dispatch(allowed, lambda name: getattr(target, name), method, args)
