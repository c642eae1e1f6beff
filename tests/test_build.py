"""The build's integrity checks: a tampered or wrong file stops the build."""

import hashlib
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace

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


# ---- the pynet wheel: cached by its sources, subpackages included ---------------------
def fake_project(root: Path) -> None:
    files = {"pynet/__init__.py": '"""p"""\n', "pynet/nn/__init__.py": '"""n"""\n', "pynet/nn/layers.py": "A = 1\n",
             "pyproject.toml": "", "README.md": "", "LICENSE": ""}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_a_change_in_a_subpackage_rebuilds_the_wheel(tmp_path, monkeypatch):
    """build_pynet_wheel's cache key covers every module under pynet/, not
    only those directly in it (``python -m build`` is replaced by a fake)."""
    import build.build_site as site

    root, cache = tmp_path / "repo", tmp_path / "cache"
    fake_project(root)
    monkeypatch.setattr(site, "ROOT", root)
    builds: list[list[str]] = []

    def fake_build(cmd: list[str], cwd: Path, **kwargs) -> None:
        project = Path(cwd)
        builds.append(sorted(p.relative_to(project).as_posix() for p in project.rglob("*.py")))
        out = Path(cmd[cmd.index("-o") + 1])
        out.mkdir(parents=True, exist_ok=True)
        (out / "pynet-0.1.0-py3-none-any.whl").write_bytes(b"wheel %d" % len(builds))

    monkeypatch.setattr(site, "subprocess", SimpleNamespace(run=fake_build, DEVNULL=subprocess.DEVNULL))
    first = site.build_pynet_wheel(cache)
    assert site.build_pynet_wheel(cache) == first and len(builds) == 1  # unchanged: the cached wheel
    assert builds[0] == ["pynet/__init__.py", "pynet/nn/__init__.py", "pynet/nn/layers.py"]

    (root / "pynet" / "nn" / "layers.py").write_text("A = 2\n")
    changed = site.build_pynet_wheel(cache)
    assert len(builds) == 2 and changed != first and changed.read_bytes() == b"wheel 2"

    (root / "pynet" / "nn" / "deep").mkdir()
    (root / "pynet" / "nn" / "deep" / "__init__.py").write_text("")  # a new module, two levels down
    assert site.build_pynet_wheel(cache) not in (first, changed) and len(builds) == 3
    assert "pynet/nn/deep/__init__.py" in builds[2]


def test_the_wheel_holds_every_module_of_every_subpackage(tmp_path):
    """pyproject.toml's package list reaches the subpackages: every
    ``pynet/**/*.py`` is in the wheel the site serves (a real build, ~3 s)."""
    from build.build_site import ROOT, build_pynet_wheel

    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pynet").rglob("*.py") if "__pycache__" not in p.parts}
    with zipfile.ZipFile(build_pynet_wheel(tmp_path)) as wheel:
        names = set(wheel.namelist())
    assert sources - names == set()
    assert {n for n in names if n.endswith(".py")} == sources


def test_the_app_icons_are_drawn_from_the_svg(tmp_path):
    from PIL import Image

    from build.icons import read_icon, write_icons

    svg = Path(__file__).resolve().parents[1] / "web" / "icon.svg"
    icon = read_icon(svg)
    assert icon["points"] == [(22.0, 18.0), (42.0, 18.0), (30.0, 48.0)] and icon["background"] == "#1d3557"
    paths = {p.name: p for p in write_icons(svg, tmp_path)}
    assert set(paths) == {"icon-192.png", "icon-512.png", "icon-maskable-192.png", "icon-maskable-512.png"}
    plain, maskable = Image.open(paths["icon-512.png"]).convert("RGBA"), Image.open(paths["icon-maskable-512.png"]).convert("RGBA")
    assert plain.getpixel((0, 0))[3] == 0 and maskable.getpixel((0, 0)) == (0x1D, 0x35, 0x57, 255)  # rounded / full bleed
    assert plain.getpixel((256, 120))[:3] == maskable.getpixel((256, 120))[:3] == (0xF1, 0xFA, 0xEE)  # the 7's bar


def test_an_icon_the_drawing_cannot_read_is_refused(tmp_path):
    from build.icons import read_icon

    svg = tmp_path / "icon.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64"/>'
                   '<path d="M10 10 C 20 20 30 30 40 40"/></svg>')
    with pytest.raises(AssetError, match="commands other than"):
        read_icon(svg)


def test_the_onnx_schema_module_wraps_the_pinned_packages_or_says_to_run_npm_ci(tmp_path):
    from build.vendor_bundle import onnx_proto_module

    with pytest.raises(AssetError, match="npm ci"):
        onnx_proto_module(tmp_path)
    text = onnx_proto_module(Path(__file__).resolve().parents[1] / "node_modules")
    assert text.count("export ") == 1 and text.rstrip().endswith("export const onnx = onnxModule.exports.onnx;")
    assert "sourceMappingURL" not in text and "onnx-proto 8.0.1" in text
