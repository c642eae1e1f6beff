"""The models the page can choose from: one registry, the one place they are
named, and the requests about them (``add_model``, ``set_active``,
``model_bytes``, ``onnx_graph``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pynet.config import form_architecture
from pynet.io.model_file import LoadedModel, Requirements, load_model, model_to_bytes
from pynet.nn.model import Sequential
from pynet.nn.optimizers import Optimizer

from .budget import MAX_PARAMS
from .values import as_bytes

# What the page can use: 28x28 inputs, ten digits, and weights that fit the tab.
PAGE_MODEL = Requirements(n_inputs=784, n_classes=10, max_params=MAX_PARAMS)
MAX_NAME = 80  # characters of a model's name


@dataclass
class ModelEntry:
    """A model the page can select, with what the UI shows about it."""

    model: Sequential
    metadata: dict[str, Any] = field(default_factory=dict)
    optimizer: Optimizer | None = None

    def info(self, name: str) -> dict[str, Any]:
        """What the page shows about the model registered as ``name``."""
        progress = self.metadata.get("progress") or {}
        return {
            "name": name,
            "architecture": self.model.config.describe(),
            "n_params": self.model.n_params,
            "test_accuracy": self.metadata.get("test_accuracy"),
            "epochs_done": progress.get("epochs_done", 0),
            "epoch_samples": progress.get("epoch_samples", 0),
            "has_optimizer": self.optimizer is not None,
            "form": form_architecture(self.model.config),  # what the form shows while it is continued
        }


class ModelRegistry:
    """Every model of the session by name, and which one is active (the one
    that answers drawings). Nothing is ever replaced: a taken name gets a
    number (``free_name``)."""

    def __init__(self) -> None:
        self._entries: dict[str, ModelEntry] = {}
        self.active: str | None = None

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __getitem__(self, name: str) -> ModelEntry:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    # ---- the page's requests ----------------------------------------------
    def add_model(self, name: str, data: Any, activate: bool = True) -> dict[str, Any]:
        """Validate ``.npz`` bytes and register the model under ``name`` (or
        ``name-2``, … when taken); the active model only changes if the whole
        file is valid. Raises ModelFormatError for a file the page cannot use."""
        loaded: LoadedModel = load_model(as_bytes(data), require=PAGE_MODEL)
        name = self.free_name(str(name)[:MAX_NAME] or "model")
        entry = ModelEntry(loaded.model, loaded.metadata, loaded.make_optimizer())
        self._entries[name] = entry
        if activate:
            self.active = name
        return entry.info(name)

    def set_active(self, name: str) -> dict[str, Any]:
        """Make ``name`` the model that answers. Raises KeyError for a name
        the session does not hold."""
        if name not in self._entries:
            raise KeyError(f"no model named {name!r}")
        self.active = name
        return self._entries[name].info(name)

    def model_bytes(self, name: str | None = None) -> bytes:
        """The model (the active one by default) as ``.npz`` bytes, loadable
        by ``pynet`` on CPython. Raises RuntimeError when there is none."""
        entry = self.entry(name)
        return model_to_bytes(entry.model, entry.optimizer, entry.metadata | {"name": name or self.active})

    def onnx_graph(self, name: str | None = None) -> dict[str, Any]:
        """The model (the active one by default) as an ONNX graph description
        (``pynet.export.onnx_graph``, plain values: the worker encodes it as an
        ``.onnx`` file, ``web/workers/onnx-file.js``). Raises RuntimeError when
        there is none, ExportError for a network with no ONNX form."""
        from pynet.export.onnx_graph import onnx_graph  # only when asked: not needed to classify

        key = name or self.active
        return onnx_graph(self.entry(name).model, str(key)).plain()

    # ---- for the other parts of the session --------------------------------
    def entry(self, name: str | None = None) -> ModelEntry:
        """The model ``name``, or the active one. Raises RuntimeError when
        there is none (no model is loaded yet)."""
        key = name or self.active
        if key is None or key not in self._entries:
            raise RuntimeError("no model is loaded yet")
        return self._entries[key]

    def free_name(self, name: str, numbered: bool = False) -> str:
        """The one place models are named: ``name``, or ``name-2``, ``name-3``,
        … when taken; ``numbered`` names are always numbered (``trained-1``,
        ``trained-2``: a run's results)."""
        if not numbered and name not in self._entries:
            return name
        n = 1 if numbered else 2
        while f"{name}-{n}" in self._entries:
            n += 1
        return f"{name}-{n}"

    def keep(self, name: str, model: Sequential, metadata: dict[str, Any], optimizer: Optimizer | None) -> ModelEntry:
        """Add a model under the free name ``name`` and make it the active one."""
        entry = ModelEntry(model, metadata, optimizer)
        self._entries[name] = entry
        self.active = name
        return entry
