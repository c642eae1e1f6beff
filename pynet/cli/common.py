"""What the command-line modules share: the user error they print, and the
checks made before any work starts."""

from __future__ import annotations

import tempfile
from pathlib import Path


class CLIError(Exception):
    """A user error: printed as ``pynet: error: ...`` with exit status 2."""


def check_writable(path: Path, what: str) -> None:
    """Fail before training, not after it: ``path`` must be a writable file name."""
    if path.is_dir():
        raise CLIError(f"{what} {path} is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise CLIError(f"{what} {path}: {parent} is not a directory")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".pynet-write-test-"):
            pass
    except OSError as exc:
        raise CLIError(f"cannot write {what} {path}: {exc.strerror or exc}") from None


def positive(value: int | None, option: str) -> None:
    if value is not None and value < 1:
        raise CLIError(f"{option} must be a positive whole number, got {value}")
