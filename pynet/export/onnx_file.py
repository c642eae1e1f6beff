"""An ``.onnx`` file from a pynet network, written by the ``onnx`` package
(an optional extra: ``pip install 'pynet[onnx]'``) from ``onnx_graph``'s
description, and checked by ``onnx.checker`` before it is returned.

The page writes the same description with ``onnx-proto`` (protobufjs) in
``web/page/onnx-file.js``; both follow onnx's ``onnx.proto``
(https://github.com/onnx/onnx/blob/main/onnx/onnx.proto).
"""

from __future__ import annotations

import os
from typing import Any

from pynet.nn.model import Sequential

from .onnx_graph import FLOAT, ExportError, OnnxGraph, onnx_graph

INSTALL_HINT = "writing ONNX natively needs the onnx package: pip install 'pynet[onnx]' (or pip install onnx)"


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ExportError(INSTALL_HINT) from None
    return onnx


def onnx_model(graph: OnnxGraph) -> Any:
    """``graph`` as an ``onnx.ModelProto``, checked by ``onnx.checker``.
    Raises ExportError when the onnx package is missing."""
    onnx = _onnx()
    helper, numpy_helper = onnx.helper, onnx.numpy_helper

    def attrs(node) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in node.attributes.items()}

    nodes = [helper.make_node(n.op_type, list(n.inputs), list(n.outputs), name=n.name, **attrs(n))
             for n in graph.nodes]
    initializers = [numpy_helper.from_array(a, name) for name, a in graph.initializers.items()]

    def value(v) -> Any:
        if v.elem_type != FLOAT:
            raise ExportError(f"graph value {v.name} is not float32")
        return helper.make_tensor_value_info(v.name, onnx.TensorProto.FLOAT, list(v.dims))

    g = helper.make_graph(nodes, graph.name, [value(v) for v in graph.inputs], [value(v) for v in graph.outputs],
                          initializer=initializers)
    model = helper.make_model(g, producer_name=graph.producer, doc_string=graph.doc,
                              opset_imports=[helper.make_opsetid("", graph.opset)], ir_version=graph.ir_version)
    helper.set_model_props(model, graph.metadata)
    onnx.checker.check_model(model, full_check=True)
    return model


def onnx_bytes(model: Sequential, name: str = "pynet") -> bytes:
    """The ``.onnx`` file of ``model`` (its graph called ``name``) as bytes.
    Raises ExportError (a layer with no ONNX form, no onnx package)."""
    return onnx_model(onnx_graph(model, name)).SerializeToString()


def save_onnx(path: str | os.PathLike[str], model: Sequential, name: str = "pynet") -> int:
    """Write ``model`` as ONNX to ``path`` (through a temporary file, so a
    failure leaves no half file); returns the file's size in bytes. Raises
    ExportError and OSError."""
    data = onnx_bytes(model, name)
    tmp = f"{os.fspath(path)}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return len(data)
