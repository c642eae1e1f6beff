"""The command line: ``python -m pynet train|evaluate|predict|bench|export-notebook``."""

from .main import main

__all__ = ["main"]
