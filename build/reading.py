"""How the measurements read a digit's input: as the page and ``pynet
predict`` do, as given and in four more views averaged
(``pynet.input.test_time.read``), or -- ``--read once`` on
``build/accuracy.py``, ``build/number_accuracy.py`` and ``build/mnist_c.py``
-- by one pass of the network, as pynet read before 2026-12-07, to compare.
The choice travels in the environment (``PYNET_READ``), so the worker
processes the measurements start (spawned, not forked) read the same way.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from pynet.input.test_time import read
from pynet.nn.model import Sequential

CHOICES = ("views", "once")
VARIABLE = "PYNET_READ"


def add_option(parser: argparse.ArgumentParser) -> None:
    """The measurements' ``--read`` option."""
    parser.add_argument("--read", choices=CHOICES, default=os.environ.get(VARIABLE, "views"),
                        help="read each input as the page does, as given and in four more views averaged "
                             "(views, the default), or by one pass of the network (once, as before 2026-12-07)")


def choose(mode: str) -> None:
    """Read every later input (in this process and those it starts) as ``mode`` says."""
    os.environ[VARIABLE] = mode


def probabilities(model: Sequential, x: np.ndarray) -> np.ndarray:
    """``model``'s probabilities ``(n, 10)`` for inputs ``x`` ``(n, 784)``, read as ``--read`` chose."""
    return model.predict_proba(x) if os.environ.get(VARIABLE) == "once" else read(model.predict_proba, x)
