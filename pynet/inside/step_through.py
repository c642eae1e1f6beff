"""One training step, one stage at a time: forward -> loss -> backward ->
update, with every array it makes on the way.

``BatchStepper`` runs the trainer's own step (``Trainer.step``, written as a
generator of its four stages) on the run's next mini-batch and pauses it
after each stage. While a stage runs, the view listens: every layer's and
the loss's ``forward`` and ``backward`` report what they return, their own
code running unchanged (``listening``). Each array is named with the method
that computed it: its file and line come from ``inspect``, and the formula
shown is the first line of the method's docstring (``source_of``). Applied,
the step is an ordinary training step, because it is one.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from pynet.training.trainer import STAGES, Trainer, next_stage

HISTOGRAM_BINS = 20
LISTENED = ("forward", "backward")  # the methods whose results the view records
_PACKAGE = Path(__file__).resolve().parents[1]  # pynet/


@cache
def source_of(method: Callable) -> dict[str, Any]:
    """{file, line, code} of a method: ``code`` is the first line of its
    docstring (the formula it computes) and ``line`` where that stands, or
    the ``def`` line and the method's name when it has no docstring."""
    lines, first = inspect.getsourcelines(method)
    path = Path(inspect.getsourcefile(method)).resolve()
    name = f"pynet/{path.relative_to(_PACKAGE).as_posix()}" if path.is_relative_to(_PACKAGE) else path.name
    definition = ast.parse(textwrap.dedent("".join(lines))).body[0]
    doc = inspect.getdoc(method)
    if doc and ast.get_docstring(definition):
        return {"file": name, "line": first + definition.body[0].lineno - 1, "code": doc.splitlines()[0]}
    return {"file": name, "line": first + definition.lineno - 1, "code": method.__qualname__}


def maths_of(cls: type, method: str) -> Callable:
    """``cls.method`` as ``pynet/nn`` writes it: in the tab a layer is the fast
    path's subclass (``pynet/wasm.py``), which computes the same formula with
    other products; the view shows the learner the network's own code."""
    for klass in cls.__mro__:
        if klass.__module__.startswith("pynet.nn.") and method in vars(klass):
            return vars(klass)[method]
    return getattr(cls, method)


def summary(name: str, array: np.ndarray, method: Callable | None) -> dict[str, Any]:
    """What the page shows of an array: shape, dtype, statistics, a histogram,
    and the method that computed it (None: the data)."""
    a = np.asarray(array, dtype=np.float64)
    lo, hi = float(a.min()), float(a.max())
    counts, _ = np.histogram(a, bins=HISTOGRAM_BINS, range=(lo, hi) if hi > lo else (lo - 0.5, hi + 0.5))
    return {"name": name, "shape": list(array.shape), "dtype": str(array.dtype), "mean": float(a.mean()),
            "std": float(a.std()), "min": lo, "max": hi, "histogram": counts.tolist(),
            "source": source_of(method) if method is not None else None}


@contextmanager
def listening(objects: list[Any], report: Callable[[Any, str, Any], None]) -> Iterator[None]:
    """While inside, each object's ``forward`` and ``backward`` call
    ``report(object, method name, what it returned)`` after running as ever:
    each is wrapped for this instance only, and the wrapper removed on leaving."""

    def reporting(obj: Any, name: str) -> Callable:
        method = getattr(obj, name)

        def reporter(*args: Any, **kwargs: Any) -> Any:
            out = method(*args, **kwargs)
            report(obj, name, out)
            return out
        return reporter

    for obj in objects:
        for name in LISTENED:
            setattr(obj, name, reporting(obj, name))
    try:
        yield
    finally:
        for obj in objects:
            for name in LISTENED:
                vars(obj).pop(name, None)  # the class's method again


class BatchStepper:
    """The next mini-batch of ``trainer``'s run (on its own copy of a model),
    stepped a stage at a time with ``advance()``. Raises ValueError when the
    run is complete."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        batch = trainer.next_batch()
        if batch is None:
            raise ValueError("this model's run is complete: there is no next batch to step through")
        self.idx, self.xb, self.epoch = batch.idx, batch.x, batch.epoch
        self._stages = trainer.step(batch)  # the trainer's step, paused at each of its stages
        self.stage = 0  # stages done
        self.loss: float | None = None

    @property
    def done(self) -> bool:
        return self.stage == len(STAGES)

    def advance(self) -> dict[str, Any]:
        """Run the next stage; returns its name and arrays."""
        if self.done:
            raise RuntimeError("all four stages of this step are done: apply it, or start another")
        name = STAGES[self.stage]
        arrays = self._update() if name == "update" else self._listen(name)
        self.stage += 1
        return {"stage": name, "index": self.stage, "arrays": arrays, "loss": self.loss,
                "batch_size": len(self.idx), "epoch": self.epoch}

    def _next_stage(self) -> None:
        try:
            next_stage(self._stages)
        except StopIteration:  # it raised (diverged) at an earlier try
            raise RuntimeError("this step has ended: start another") from None

    def _listen(self, stage: str) -> list[dict[str, Any]]:
        """Forward, loss or backward, with what each layer (or the loss) returned."""
        model, loss_fn = self.trainer.model, self.trainer.loss_fn
        index = {id(layer): i for i, layer in enumerate(model.layers)}
        out = [summary("x: the batch's pixels", self.xb, None)] if stage == "forward" else []

        def report(obj: Any, method: str, result: Any) -> None:
            where = maths_of(type(obj), method)
            if obj is loss_fn and method == "forward":
                self.loss = result
                out.append(summary("softmax probabilities", loss_fn.probs, where))
            elif obj is loss_fn:
                out.append(summary("d loss / d logits", result, where))
            elif method == "forward":
                out.append(summary(f"output of {index[id(obj)]}: {obj!r}", result, where))
            else:
                i = index[id(obj)]
                out.extend(summary(f"d loss / d {key} of {i}: {obj!r}", g, where) for key, g in obj.grads.items())
                if result is not None and i > 0:
                    out.append(summary(f"d loss / d input of {i}: {obj!r}", result, where))

        with listening([*model.layers, loss_fn], report):
            self._next_stage()
        return out

    def _update(self) -> list[dict[str, Any]]:
        """The optimiser's step, shown as each parameter's change."""
        trainer = self.trainer
        params = trainer.model.parameters()
        names = [f"{key} of {i}: {layer!r}" for i, layer in enumerate(trainer.model.layers) for key in layer.params]
        before = [p.copy() for p in params]
        self._next_stage()
        where = type(trainer.optimizer).step
        out = []
        for name, p, old in zip(names, params, before):
            change = summary(f"change in {name}", p - old, where)
            size = float(np.linalg.norm(old))
            change["relative_change"] = float(np.linalg.norm(p - old)) / size if size else None
            out.append(change)
        return out
