"""The build's integrity checks: a tampered or wrong file stops the build."""

import hashlib
import zipfile
from pathlib import Path

import pytest

from build.verify import AssetError, verify_sha256, verify_wasm_wheel


def test_matching_hash_passes_and_tampered_file_is_rejected(tmp_path):
    f = tmp_path / "asset.bin"
    f.write_bytes(b"original bytes")
    good = hashlib.sha256(b"original bytes").hexdigest()
    verify_sha256(f, good)
    f.write_bytes(b"original bytez")
    with pytest.raises(AssetError, match="does not match its pinned sha256"):
        verify_sha256(f, good)


def test_missing_asset_says_to_run_npm_ci(tmp_path):
    with pytest.raises(AssetError, match="npm ci"):
        verify_sha256(tmp_path / "nope", "0" * 64)


def make_wheel(path: Path, tag: str, with_core: bool = True) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("numpy-2.2.5.dist-info/WHEEL", f"Wheel-Version: 1.0\nTag: {tag}\n")
        if with_core:
            zf.writestr("numpy/_core/_multiarray_umath.cpython-313-wasm32-emscripten.so", b"\0asm")
    return path


def test_wasm_wheel_accepted(tmp_path):
    verify_wasm_wheel(make_wheel(tmp_path / "numpy-2.2.5-cp313-cp313-pyodide_2025_0_wasm32.whl",
                                 "cp313-cp313-pyodide_2025_0_wasm32"))


def test_native_wheel_rejected(tmp_path):
    with pytest.raises(AssetError, match="not a NumPy wasm32 wheel"):
        verify_wasm_wheel(make_wheel(tmp_path / "numpy-2.2.5-cp313-cp313-manylinux_2_17_x86_64.whl", "cp313-cp313-manylinux"))


def test_renamed_native_wheel_rejected_by_its_metadata(tmp_path):
    with pytest.raises(AssetError, match="no wasm32 tag"):
        verify_wasm_wheel(make_wheel(tmp_path / "numpy-2.2.5-cp313-cp313-pyodide_2025_0_wasm32.whl", "cp313-cp313-manylinux"))


def test_wheel_without_numpy_core_or_not_a_zip_rejected(tmp_path):
    with pytest.raises(AssetError, match="compiled core"):
        verify_wasm_wheel(make_wheel(tmp_path / "numpy-2.2.5-cp313-cp313-pyodide_2025_0_wasm32.whl",
                                     "cp313-cp313-pyodide_2025_0_wasm32", with_core=False))
    bad = tmp_path / "numpy-2.2.5-cp313-cp313-pyodide_2025_0_wasm32.whl"
    bad.write_bytes(b"not a zip")
    with pytest.raises(AssetError, match="not a zip"):
        verify_wasm_wheel(bad)
