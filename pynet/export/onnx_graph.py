"""A pynet network as an ONNX graph *description*: the one source of truth
for the ``.onnx`` files that ``python -m pynet export-onnx`` (``onnx_file.py``,
through the ``onnx`` package) and the page's *Save as ONNX* (the worker
returns ``OnnxGraph.plain()``, the page encodes it with ``onnx-proto``)
write. Pure NumPy: this module needs nothing but the network.

The graph computes what ``Sequential.predict_proba`` computes, operator for
operator (ONNX operators, opset ``OPSET``; https://onnx.ai/onnx/operators/):

- input ``pixels``: float32 ``(batch, n_inputs)``, each value 0-255 (a 28x28
  digit as 784 values row by row, white ink on black, as MNIST stores it);
  ``Div`` by 255 is pynet's ``as_float_pixels``;
- ``Reshape`` to ``(batch, 1, side, side)`` before convolutions; ``Conv``
  (pynet's ``Conv2D`` is the same cross-correlation, weights ``(F, C, k, k)``,
  stride 1, ``"same"`` is ``k // 2`` zeros on each side); ``MaxPool`` 2x2
  stride 2, floor (an odd last row or column dropped, as ``MaxPool2D``);
  ``BatchNormalization`` with the running statistics (inference form,
  epsilon ``norm.EPS``); ``Relu``; ``Flatten`` (C, H, W order, as
  ``Flatten``); ``Gemm`` for ``Dense`` (``x @ W + b``: ``W`` is
  ``(n_in, n_out)``, so no transpose); dropout is the identity at inference
  and is left out;
- outputs ``logits`` ``(batch, n_classes)`` and ``probabilities``:
  ``Softmax`` of the logits divided by the model's fitted temperature
  (``Sequential.temperature``, ``training/confidence.py``).

Arrays are float32 whatever the model's dtype (a float64 model's weights are
rounded to float32: its probabilities then differ from pynet's by about
1e-7). Raises ``ExportError`` for a network with a layer this does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pynet.nn.conv import Conv2D, Flatten, MaxPool2D, Reshape
from pynet.nn.layers import Dense, Dropout, Layer, ReLU
from pynet.nn.model import Sequential
from pynet.nn.norm import EPS, BatchNorm2D

OPSET = 13  # Softmax over one axis (earlier opsets flatten to 2-D first); old enough that every runtime reads it
IR_VERSION = 7  # the IR version that goes with opset 13 (onnx 1.8)
PRODUCER = "pynet"
INPUT, LOGITS, PROBABILITIES = "pixels", "logits", "probabilities"
FLOAT, INT64 = 1, 7  # onnx.TensorProto.DataType codes
INPUT_NOTE = ("pixels: float32 (batch, {n}), each 0-255{image}; outputs: logits and probabilities "
              "(softmax of logits / temperature)")
IMAGE_NOTE = ", a {side}x{side} image row by row, white ink on black (MNIST's layout)"


class ExportError(ValueError):
    """The network cannot be written as ONNX (a layer this exporter does not know)."""


@dataclass(frozen=True)
class Node:
    """One operator: ``op_type`` of the ONNX opset, its input and output
    value names, and attributes (int, float or a tuple of ints)."""

    op_type: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    name: str
    attributes: dict[str, int | float | tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Value:
    """A graph input or output: its name, element type and dims (an int or a
    symbolic name such as ``"batch"``)."""

    name: str
    elem_type: int
    dims: tuple[int | str, ...]


@dataclass
class OnnxGraph:
    """Everything an ONNX model file holds, as plain Python and NumPy:
    nodes in order, initializers (float32 or int64 arrays by name), the
    graph's inputs and outputs, and the model's metadata."""

    name: str
    nodes: list[Node]
    initializers: dict[str, np.ndarray]
    inputs: list[Value]
    outputs: list[Value]
    doc: str
    metadata: dict[str, str]
    opset: int = OPSET
    ir_version: int = IR_VERSION
    producer: str = PRODUCER

    def plain(self) -> dict[str, Any]:
        """The same as plain values for the page (web/page/onnx-file.js):
        arrays as little-endian bytes with their ``data_type`` and ``dims``,
        attributes tagged ``int``, ``ints`` or ``float``."""
        def attribute(name: str, value: int | float | tuple[int, ...]) -> dict[str, Any]:
            if isinstance(value, tuple):
                return {"name": name, "kind": "ints", "value": [int(v) for v in value]}
            if isinstance(value, float):
                return {"name": name, "kind": "float", "value": value}
            return {"name": name, "kind": "int", "value": int(value)}

        def tensor(name: str, a: np.ndarray) -> dict[str, Any]:
            code = FLOAT if a.dtype == np.float32 else INT64
            return {"name": name, "data_type": code, "dims": [int(d) for d in a.shape],
                    "raw_data": np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()}

        def value(v: Value) -> dict[str, Any]:
            return {"name": v.name, "elem_type": v.elem_type, "dims": list(v.dims)}

        return {
            "ir_version": self.ir_version, "opset": self.opset, "producer_name": self.producer,
            "doc_string": self.doc, "metadata": dict(self.metadata),
            "graph": {
                "name": self.name,
                "nodes": [{"op_type": n.op_type, "name": n.name, "inputs": list(n.inputs), "outputs": list(n.outputs),
                           "attributes": [attribute(k, v) for k, v in n.attributes.items()]} for n in self.nodes],
                "initializers": [tensor(k, a) for k, a in self.initializers.items()],
                "inputs": [value(v) for v in self.inputs],
                "outputs": [value(v) for v in self.outputs],
            },
        }


class _Builder:
    """Appends nodes one after another, each taking the last one's output."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.initializers: dict[str, np.ndarray] = {}
        self.last = INPUT

    def constant(self, name: str, array: np.ndarray) -> str:
        self.initializers[name] = array
        return name

    def add(self, op: str, name: str, *extra_inputs: str, output: str | None = None, **attributes: Any) -> None:
        out = output or name
        self.nodes.append(Node(op, (self.last, *extra_inputs), (out,), name, attributes))
        self.last = out


def _f32(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32)


def _add_layer(b: _Builder, layer: Layer, i: int) -> None:
    """The node(s) of pynet layer number ``i``; raises ExportError for an unknown layer."""
    if isinstance(layer, Dropout):
        return  # the identity at inference
    if isinstance(layer, Dense):
        b.add("Gemm", f"dense{i}", b.constant(f"dense{i}.W", _f32(layer.params["W"])),
              b.constant(f"dense{i}.b", _f32(layer.params["b"])))
    elif isinstance(layer, Conv2D):
        p, k = layer.pad, layer.kernel
        b.add("Conv", f"conv{i}", b.constant(f"conv{i}.W", _f32(layer.params["W"])),
              b.constant(f"conv{i}.b", _f32(layer.params["b"])),
              kernel_shape=(k, k), pads=(p, p, p, p), strides=(1, 1))
    elif isinstance(layer, MaxPool2D):
        b.add("MaxPool", f"maxpool{i}", kernel_shape=(2, 2), strides=(2, 2))
    elif isinstance(layer, BatchNorm2D):
        names = [b.constant(f"batchnorm{i}.{key}", _f32(arrays[key]))
                 for key, arrays in (("gamma", layer.params), ("beta", layer.params), ("mean", layer.state),
                                     ("var", layer.state))]
        b.add("BatchNormalization", f"batchnorm{i}", *names, epsilon=float(EPS))
    elif isinstance(layer, ReLU):
        b.add("Relu", f"relu{i}")
    elif isinstance(layer, Reshape):
        b.add("Reshape", f"reshape{i}", b.constant(f"reshape{i}.shape", np.array((-1, *layer.shape), np.int64)))
    elif isinstance(layer, Flatten):
        b.add("Flatten", f"flatten{i}", axis=1)
    else:
        raise ExportError(f"layer {i} ({layer!r}) has no ONNX form here; pynet exports Dense, Conv2D, MaxPool2D, "
                          "BatchNorm2D, ReLU, Dropout, Reshape and Flatten")


def onnx_graph(model: Sequential, name: str = "pynet") -> OnnxGraph:
    """The ONNX description of ``model`` (see the module's docstring), its
    graph called ``name``. Raises ExportError for an unknown layer or a
    temperature that is not a positive finite number."""
    temperature = float(model.temperature)
    if not (np.isfinite(temperature) and temperature > 0):
        raise ExportError(f"the model's softmax temperature must be a positive number, not {temperature}")
    config = model.config
    b = _Builder()
    b.add("Div", "scale", b.constant("pixel_scale", np.array(255.0, np.float32)), output="scaled_pixels")
    for i, layer in enumerate(model.layers):
        _add_layer(b, layer, i)
    b.nodes[-1] = Node(b.nodes[-1].op_type, b.nodes[-1].inputs, (LOGITS,), b.nodes[-1].name, b.nodes[-1].attributes)
    b.last = LOGITS
    b.add("Div", "temperature", b.constant("temperature", np.array(temperature, np.float32)),
          output="calibrated_logits")
    b.add("Softmax", "softmax", output=PROBABILITIES, axis=1)
    side = config.image_side
    image = IMAGE_NOTE.format(side=side) if side * side == config.n_inputs else ""
    note = INPUT_NOTE.format(n=config.n_inputs, image=image)
    metadata = {"pynet.architecture": config.describe(), "pynet.temperature": repr(temperature),
                "pynet.input": note, "pynet.model_name": name}
    doc = f"pynet {config.describe()} (temperature {temperature:.4g}). {note}"
    return OnnxGraph(
        name=name, nodes=b.nodes, initializers=b.initializers,
        inputs=[Value(INPUT, FLOAT, ("batch", config.n_inputs))],
        outputs=[Value(LOGITS, FLOAT, ("batch", config.n_classes)),
                 Value(PROBABILITIES, FLOAT, ("batch", config.n_classes))],
        doc=doc, metadata=metadata)
