"""``python -m pynet export-onnx``: a saved model as an ONNX file
(``pynet/export/onnx_graph.py`` describes it, the ``onnx`` package writes
it: ``pynet/export/onnx_file.py``), the CLI's twin of the page's *Save as ONNX*."""

from __future__ import annotations

import argparse
from pathlib import Path

from pynet.export.onnx_file import save_onnx
from pynet.export.onnx_graph import LOGITS, PROBABILITIES
from pynet.io.model_file import load_model

from .common import check_writable


def add_parser(sub) -> None:
    """The ``export-onnx`` subcommand on ``sub`` (argparse subparsers)."""
    n = sub.add_parser("export-onnx", help="write a saved model as an ONNX file (onnxruntime, Netron, ...)",
                       description="Write a model file as ONNX (opset 13): its input scaling, layers and softmax "
                                   "with the model's fitted temperature, so onnxruntime's probabilities are "
                                   "pynet's. Input 'pixels': float32 (batch, 784), 0-255; outputs 'logits' and "
                                   "'probabilities'. Needs the onnx package: pip install 'pynet[onnx]'.")
    n.add_argument("--model", type=Path, required=True, help="model .npz file (from `pynet train` or the page)")
    n.add_argument("-o", "--out", type=Path, help="where to write the ONNX file (default: the model's name "
                                                   "with .onnx)")


def cmd_export_onnx(args: argparse.Namespace) -> int:
    out = args.out or args.model.with_suffix(".onnx")
    check_writable(out, "--out")
    loaded = load_model(args.model)
    size = save_onnx(out, loaded.model, args.model.stem)
    print(f"wrote {out} ({size:,} bytes, {loaded.model.config.describe()}): outputs {LOGITS!r} and "
          f"{PROBABILITIES!r}; open it with onnxruntime or in Netron (https://netron.app)")
    return 0
