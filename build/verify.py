"""Integrity checks for build inputs: pinned hashes and wasm wheel sanity."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path


class AssetError(Exception):
    """A build input is missing, tampered with or of the wrong kind."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_sha256(path: Path, expected: str) -> None:
    """Stop the build unless ``path`` exists and has the pinned hash."""
    if not path.exists():
        raise AssetError(f"{path} is missing: run `npm ci` first")
    actual = sha256_file(path)
    if actual != expected:
        raise AssetError(
            f"{path} does not match its pinned sha256 (expected {expected}, got {actual}); "
            "the file was modified or the npm package is not the pinned version. Run `npm ci` again."
        )


def verify_wasm_wheel(path: Path) -> None:
    """A NumPy wheel given by path must be a Pyodide (wasm32) wheel for CPython 3.13."""
    name = path.name
    if not path.exists():
        raise AssetError(f"NumPy wheel {path} does not exist")
    if not (name.startswith("numpy-") and name.endswith(".whl") and "wasm32" in name and "cp313" in name):
        raise AssetError(f"{name} is not a NumPy wasm32 wheel for CPython 3.13 (Pyodide 0.29)")
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            wheel_meta = next((n for n in names if n.endswith(".dist-info/WHEEL")), None)
            tags = zf.read(wheel_meta).decode() if wheel_meta else ""
    except zipfile.BadZipFile:
        raise AssetError(f"{name} is not a valid wheel (not a zip archive)") from None
    if "wasm32" not in tags:
        raise AssetError(f"{name}: its WHEEL metadata has no wasm32 tag, so it would not load in Pyodide")
    if not any(n.endswith(".so") and "_multiarray_umath" in n for n in names):
        raise AssetError(f"{name} does not contain NumPy's compiled core")
