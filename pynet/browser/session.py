"""The browser's door into pynet: the ``Session`` the page's Web Worker drives.

The worker names each request after the method that answers it and calls
``Session.handle(name, args)``, which routes it (``ROUTES``) to the part of
the session that owns that concern and returns the result or the error as
``{kind, message, fields}`` (``dispatch.py``): the page never parses
Python's tracebacks. Everything takes and returns plain numbers, lists, dicts
and ``bytes``, so the worker script stays thin and this is unit-tested on
CPython.

The parts, each owning one concern: the tab's settings and memory budget
(``tab_settings.TabSettings``), the models and their names
(``models.ModelRegistry``), the drawing's answer
(``drawing_requests.DrawingRequests``), MNIST (``mnist_data.MnistData``),
shared links and notebooks (``run_requests.RunRequests``); and, imported on
first use because the first answer does not need them, the one long job
(``job_runner.JobRunner``: training, fine-tuning, evaluation), an opened
image (``image_requests.ImageRequests``) and looking inside the network
(``inside_requests.InsideRequests``). Each part gets the others it needs
when it is made; none reaches into another's state.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .budget import MAX_PARAMS
from .dispatch import dispatch
from .drawing_requests import DrawingRequests
from .mnist_data import MnistData
from .models import ModelRegistry
from .run_requests import RunRequests
from .tab_settings import TabSettings

if TYPE_CHECKING:
    from .image_requests import ImageRequests
    from .inside_requests import InsideRequests
    from .job_runner import JobRunner

__all__ = ["MAX_PARAMS", "REQUESTS", "ROUTES", "Session"]

# What the page may ask for, and which part of the session answers: the
# method of the request's name of ``Session.<part>``.
ROUTES: dict[str, str] = {
    "settings_schema": "tab", "validate_settings": "tab", "set_device": "tab",
    "add_model": "models", "set_active": "models", "model_bytes": "models", "onnx_graph": "models",
    "classify": "drawings", "preprocess_sample": "drawings",
    "load_mnist": "data",
    "read_link": "runs", "export_notebook": "runs",
    "start_training": "jobs", "start_fine_tune": "jobs", "start_evaluate": "jobs",
    "advance": "jobs", "stop_job": "jobs", "drop_job": "jobs",
    "classify_image": "images", "preprocess_image_sample": "images", "explain_image": "images",
    "explain": "inside", "start_step": "inside", "step_stage": "inside", "apply_step": "inside",
    "gradient_check": "inside", "first_layer_weights": "inside",
}
REQUESTS = frozenset(ROUTES)


class Session:
    """What the worker keeps: the parts that answer the page's requests."""

    def __init__(self) -> None:
        self.tab = TabSettings()
        self.models = ModelRegistry()
        self.drawings = DrawingRequests(self.models)
        self.data = MnistData()
        self.runs = RunRequests()

    @cached_property
    def jobs(self) -> JobRunner:
        """The one long job (imported with the first: training's modules)."""
        from .job_runner import JobRunner

        return JobRunner(self.models, self.data, self.tab)

    @cached_property
    def images(self) -> ImageRequests:
        """An opened image's requests (imported with the first: picture preprocessing)."""
        from .image_requests import ImageRequests

        return ImageRequests(self.models)

    @cached_property
    def inside(self) -> InsideRequests:
        """Looking inside the network (imported with the first look)."""
        from .inside_requests import InsideRequests

        return InsideRequests(self.models, self.data, self.tab)

    def handler(self, method: str) -> Callable[..., Any]:
        """The bound method that answers the request ``method`` (one of
        ``REQUESTS``; KeyError otherwise). Its part is made on first use."""
        return getattr(getattr(self, ROUTES[method]), method)

    def handle(self, method: str, args: Any = None) -> dict[str, Any]:
        """Answer the page's request ``method`` with keyword arguments ``args``
        (``dispatch.dispatch``): ``{"result": ...}`` or ``{"error": {kind,
        message, fields}}``; only the requests in ``REQUESTS`` are answered."""
        return dispatch(REQUESTS, self.handler, method, args)
