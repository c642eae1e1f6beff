"""``python -m pynet export-notebook``: a saved model's recorded run as a
Jupyter notebook (``notebook.py``), the CLI's twin of the page's *Export as
notebook*."""

from __future__ import annotations

import argparse
from pathlib import Path

from pynet.export.notebook import notebook_text, run_record
from pynet.io.model_file import MNIST_MODEL, load_model

from .common import check_writable


def add_parser(sub) -> None:
    """The ``export-notebook`` subcommand on ``sub`` (argparse subparsers)."""
    n = sub.add_parser("export-notebook", help="write a Jupyter notebook that trains a saved model's run again",
                       description="Write a Jupyter notebook (.ipynb) that trains the run recorded in a model file "
                                   "again: the same network, settings, seed and data split, then evaluates it and "
                                   "plots its curves (matplotlib). Runs stopped part-way stop at the same step.")
    n.add_argument("--model", type=Path, required=True, help="model .npz file (from `pynet train` or the page)")
    n.add_argument("--out", type=Path, help="where to write the notebook (default: the model's name with .ipynb)")


def cmd_export_notebook(args: argparse.Namespace) -> int:
    out = args.out or args.model.with_suffix(".ipynb")
    check_writable(out, "--out")
    loaded = load_model(args.model, require=MNIST_MODEL)
    metadata = {"name": args.model.stem} | loaded.metadata
    text = notebook_text(run_record(loaded.model.config, metadata))
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    print(f"wrote {out}: open it in Jupyter, or run it top to bottom with `jupyter execute {out}` (nbclient)")
    return 0
