"""Build the deployable static site into ``dist/``.

Steps (each cached under ``.cache/`` by a content hash, so an unchanged
rebuild takes seconds): verify pinned assets, build the pynet wheel, re-zip the
NumPy wasm wheel with deflate, precompile what the workers import (the
standard library's and NumPy's modules as bytecode, pynet's bytecode beside
its sources: ``precompile.py``), gzip MNIST for lazy loading, verify the committed
shipped model (``models/pretrained.npz``) against its manifest, copy the Pyodide runtime subset, the chart library, the ONNX schema
(``vendor_bundle.py``), the app's PNG icons (``icons.py``) and the web files, and write a manifest of every file with its hash.

Usage: python -m build.build_site [--numpy-wheel PATH] [--out DIR]   (from the repository root)
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from build.assets import PINNED, PYODIDE_FILES, VENDOR_FILES
from build.icons import write_icons
from build.retrain import verified_model
from build.vendor_bundle import write_onnx_proto_module
from build.verify import AssetError, sha256_file, verify_sha256, verify_wasm_wheel
from pynet.data.mnist import MNIST_FILES

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WHEEL_SOURCES = ("pynet", "pyproject.toml", "README.md", "LICENSE")



def log(msg: str) -> None:
    print(f"[build] {msg}", flush=True)


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()[:16]


def sources_digest(files: list[Path]) -> str:
    return digest(*[f"{f.relative_to(ROOT)}" for f in files], *[f.read_bytes() for f in files])


def cached(cache_file: Path, make) -> Path:
    """Return ``cache_file``, creating it with ``make(tmp_path)`` if missing
    (written to a temp name first so an interrupted build leaves no half file)."""
    if cache_file.exists():
        return cache_file
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache_file.with_name(cache_file.name + ".tmp")
    make(tmp)
    tmp.replace(cache_file)
    return cache_file


def build_pynet_wheel(cache: Path) -> Path:
    """The pynet wheel, built by PyPA's ``build`` in a temporary copy of the
    project: setuptools' staging directories land there, not in ``build/``,
    and ``python -m build`` cannot mistake this package for itself."""
    files = sorted((ROOT / "pynet").rglob("*.py")) + [ROOT / name for name in WHEEL_SOURCES[1:]]
    out_dir = cache / "pynet-wheel" / sources_digest(files)
    wheels = list(out_dir.glob("pynet-*.whl")) if out_dir.exists() else []
    if wheels:
        return wheels[0]
    log("building the pynet wheel")
    with tempfile.TemporaryDirectory() as tmp:
        project, dist = Path(tmp) / "project", Path(tmp) / "dist"
        project.mkdir()
        shutil.copytree(ROOT / "pynet", project / "pynet", ignore=shutil.ignore_patterns("__pycache__"))
        for name in WHEEL_SOURCES[1:]:
            shutil.copy2(ROOT / name, project / name)
        subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(dist), "."],
                       check=True, stdout=subprocess.DEVNULL, cwd=project)
        built = next(dist.glob("pynet-*-py3-none-any.whl"))
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, out_dir / built.name)
    return next(out_dir.glob("pynet-*.whl"))


def rezip_deflate(src: Path, dst: Path) -> None:
    """The upstream wheel is stored uncompressed (11.7 MB); deflate gives ~3.1 MB
    and Pyodide loads it the same."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def gzip_file(src: Path, dst: Path) -> None:
    with open(src, "rb") as f:
        dst.write_bytes(gzip.compress(f.read(), compresslevel=9, mtime=0))


def precompile(cache: Path, pyodide_dir: Path, numpy_wheel: Path, pynet_wheel: Path) -> tuple[Path, Path, Path]:
    """python_stdlib.zip and the NumPy wheel with the modules the app imports
    as bytecode, and the pynet wheel with their bytecode beside its sources
    (see precompile.py: Pyodide starts ~1 s sooner, pynet imports 0.3-1 s
    sooner), made by Pyodide itself under Node and cached by the hash of
    everything involved."""
    inputs = [pyodide_dir / "python_stdlib.zip", pyodide_dir / "pyodide.asm.wasm", numpy_wheel, pynet_wheel,
              HERE / "precompile.py", HERE / "precompile.mjs"]
    out_dir = cache / "precompiled" / digest(*[sha256_file(p) for p in inputs])
    stdlib, numpy, pynet = out_dir / "python_stdlib.zip", out_dir / numpy_wheel.name, out_dir / pynet_wheel.name
    if stdlib.exists() and numpy.exists() and pynet.exists():
        return stdlib, numpy, pynet
    node = shutil.which("node")
    if node is None:
        raise AssetError("node was not found: install Node.js 20+ (it comes with npm)")
    log("compiling the imported Python modules to bytecode (Pyodide under Node)")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp_stdlib, tmp_numpy, tmp_pynet = out_dir / "stdlib.tmp", out_dir / "numpy.tmp", out_dir / "pynet.tmp"
    subprocess.run([node, str(HERE / "precompile.mjs"), str(pyodide_dir), str(numpy_wheel), str(pynet_wheel),
                    str(tmp_stdlib), str(tmp_numpy), str(tmp_pynet)], check=True)
    tmp_stdlib.replace(stdlib)
    tmp_numpy.replace(numpy)
    tmp_pynet.replace(pynet)
    return stdlib, numpy, pynet


def write_manifest(dist: Path, assets: dict) -> dict:
    files = {}
    for path in sorted(p for p in dist.rglob("*") if p.is_file() and p.name != "manifest.json"):
        rel = path.relative_to(dist).as_posix()
        files[rel] = {"sha256": sha256_file(path), "size": path.stat().st_size}
    # The version covers sw.js too, but the service worker does not precache itself.
    version = digest(json.dumps(files, sort_keys=True))
    files.pop("sw.js", None)
    # Lazy files are cached by the service worker on first use, not precached.
    lazy = sorted(p for p in files if p.startswith("mnist/"))
    manifest = {"version": version, "assets": assets, "files": files, "lazy": lazy}
    (dist / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def finalize_site(dist: Path, assets: dict) -> dict:
    """Write the manifest and stamp its version into the service worker, which
    names its cache after it (so each build is cached whole and apart)."""
    manifest = write_manifest(dist, assets)
    sw = dist / "sw.js"
    sw.write_text(sw.read_text().replace("__BUILD_VERSION__", manifest["version"]))
    return manifest


def build(out: Path, numpy_wheel: Path | None = None) -> dict:
    node = ROOT / "node_modules"
    cache = ROOT / ".cache"
    start = time.perf_counter()

    if numpy_wheel is None:
        rel, sha = PINNED["numpy_wheel"]
        numpy_src = node / rel
        verify_sha256(numpy_src, sha)
    else:
        numpy_src = numpy_wheel.resolve()
        verify_wasm_wheel(numpy_src)
    for key in MNIST_FILES.values():
        rel, sha = PINNED[key]
        verify_sha256(node / rel, sha)
    for name in PYODIDE_FILES:
        if not (node / "pyodide" / name).exists():
            raise AssetError(f"node_modules/pyodide/{name} is missing: run `npm ci`")
    log("pinned assets verified")

    pynet_wheel = build_pynet_wheel(cache)
    numpy_deflated = cached(cache / "numpy" / sha256_file(numpy_src)[:16] / numpy_src.name, lambda t: rezip_deflate(numpy_src, t))
    stdlib_zip, numpy_zip, pynet_wheel = precompile(cache, node / "pyodide", numpy_deflated, pynet_wheel)
    # Keyed by the library's names for the four files (pynet.data.mnist.MNIST_FILES).
    mnist = {name: cached(cache / "mnist" / f"{stem}-{PINNED[stem][1][:12]}.gz",
                          lambda t, k=stem: gzip_file(node / PINNED[k][0], t))
             for name, stem in MNIST_FILES.items()}
    model_path, model_manifest = verified_model()  # committed, checked against its manifest's sha256
    log(f"shipped model {model_manifest['architecture']} verified (sha256 {model_manifest['sha256'][:12]}...)")

    tmp_dist = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp_dist, ignore_errors=True)
    shutil.copytree(ROOT / "web", tmp_dist)
    (tmp_dist / "pyodide").mkdir()
    for name in PYODIDE_FILES:
        shutil.copy2(stdlib_zip if name == "python_stdlib.zip" else node / "pyodide" / name, tmp_dist / "pyodide" / name)
    (tmp_dist / "vendor").mkdir()
    for src, name in VENDOR_FILES.items():
        shutil.copy2(node / src, tmp_dist / "vendor" / name)
    write_onnx_proto_module(node, tmp_dist / "vendor")  # the ONNX schema for Save as ONNX (vendor_bundle.py)
    write_icons(ROOT / "web" / "icon.svg", tmp_dist / "icons")  # the manifest's PNG icons (icons.py)
    (tmp_dist / "wheels").mkdir()
    shutil.copy2(pynet_wheel, tmp_dist / "wheels" / pynet_wheel.name)
    shutil.copy2(numpy_zip, tmp_dist / "wheels" / numpy_zip.name)
    (tmp_dist / "mnist").mkdir()
    for name, path in mnist.items():
        shutil.copy2(path, tmp_dist / "mnist" / f"{MNIST_FILES[name]}.gz")
    (tmp_dist / "models").mkdir()
    shutil.copy2(model_path, tmp_dist / "models" / "default.npz")

    assets = {
        "numpy_wheel": f"wheels/{numpy_zip.name}",
        "pynet_wheel": f"wheels/{pynet_wheel.name}",
        "default_model": "models/default.npz",
        "default_model_accuracy": model_manifest["accuracy"]["mnist_test"],
        "mnist": {name: f"mnist/{stem}.gz" for name, stem in MNIST_FILES.items()},
        # The worker checks each download against these (a Wi-Fi login page is not MNIST).
        "mnist_sha256": {name: sha256_file(path) for name, path in mnist.items()},
    }
    # The worker imports this module instead of fetching the manifest first:
    # one round trip less before Pyodide starts loading. In shared/: the page
    # (page/runs.js) imports it too.
    (tmp_dist / "shared" / "assets.js").write_text(f"export const ASSETS = {json.dumps(assets, indent=2)};\n")
    manifest = finalize_site(tmp_dist, assets)
    shutil.rmtree(out, ignore_errors=True)
    tmp_dist.replace(out)
    total = sum(f["size"] for f in manifest["files"].values())
    log(f"dist/ ready: {len(manifest['files'])} files, {total / 1e6:.1f} MB, version {manifest['version']} "
        f"({time.perf_counter() - start:.1f} s)")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output directory (default dist/)")
    parser.add_argument("--numpy-wheel", type=Path, help="use this NumPy wasm32 wheel (e.g. from an official "
                        "Pyodide release) instead of the pinned npm one; checked to be a wasm32 wheel")
    args = parser.parse_args(argv)
    try:
        build(args.out.resolve(), args.numpy_wheel)
    except AssetError as exc:
        print(f"[build] error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
