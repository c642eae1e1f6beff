"""Retrain the shipped model and write it with its manifest:
``models/pretrained.npz`` and ``models/pretrained.json`` (both committed; the
build checks the file against the manifest's sha256 and ships it).

    python3 build/dev.py retrain          # the same, after setting everything up
    python -m build.retrain [--out-dir DIR] [--processes N]

The recipe is ``pynet.recipes.presets.train_pretrained``, the function that
``python -m pynet train --preset pretrained`` runs. The parameters are stored
as float16 when that changes no answer on the MNIST test set (half the bytes
every visitor downloads), else as float32.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import os
import platform
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from build.verify import AssetError, sha256_file
from pynet.data import fonts
from pynet.data.mnist import load_mnist
from pynet.io.model_file import load_model, model_to_bytes
from pynet.recipes import presets
from pynet.training.confidence import judge

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "pretrained.npz"
MANIFEST = ROOT / "models" / "pretrained.json"
COMMAND = "python3 build/dev.py retrain  (the same recipe: python -m pynet train --preset pretrained)"
MIN_TEST_ACCURACY = 0.99  # the shipped CNN reaches 99.6 %; far less means a bug


def log(msg: str) -> None:
    print(f"[retrain] {msg}", flush=True)


def blas() -> str:
    """The BLAS NumPy was built with, as NumPy reports it."""
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{info.get('name')} {info.get('version')}"
    except Exception:  # noqa: BLE001 -- older NumPy: no dict mode; the manifest just says so
        return "unknown"


def font_versions(directory: Path | None) -> dict[str, str]:
    out = {}
    for family in (*fonts.TRAIN_FAMILIES, *fonts.VALIDATION_FAMILIES):
        package = (directory or Path()) / family / "package.json"
        if package.is_file():
            out[f"@fontsource/{family}"] = json.loads(package.read_text())["version"]
    return out


def recipe() -> dict:
    return {"model": presets.PRETRAINED_MODEL.to_dict(), "train": presets.PRETRAINED_TRAIN.to_dict(),
            "val_size": presets.PRETRAINED_VAL_SIZE, "outliers": presets.PRETRAINED_OUTLIERS,
            "outlier_families": presets.PRETRAINED_OUTLIER_FAMILIES,
            "drawn_mix": dataclasses.asdict(presets.PRETRAINED_MIX)}


def reproducible_metadata(metadata: dict) -> dict:
    """The training record without what differs from run to run (the time it
    took, samples per second): those go to the manifest, so two runs of the
    recipe on one platform give the same file."""
    out = {k: v for k, v in metadata.items() if k != "train_seconds"}
    out["history"] = [entry | {"samples_per_sec": None} for entry in metadata.get("history", [])]
    return out


def fixed_zip(data: bytes) -> bytes:
    """The same .npz with every entry dated 1980-01-01 (``np.savez`` stamps
    the time of writing, so equal arrays would give different bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info))
    return out.getvalue()


def model_file(model, metadata: dict, weights_dtype=None) -> bytes:
    """The shipped file's bytes: no optimiser state (it would triple what
    every visitor downloads), reproducible metadata, fixed zip dates."""
    return fixed_zip(model_to_bytes(model, None, reproducible_metadata(metadata), weights_dtype=weights_dtype))


def smallest_faithful_bytes(result, x_test: np.ndarray) -> tuple[bytes, str, int]:
    """The model file with float16 parameters if no test answer changes,
    else float32: (bytes, dtype name, answers float16 would change)."""
    full = model_file(result.model, result.metadata)
    half = model_file(result.model, result.metadata, weights_dtype=np.float16)
    changed = int((load_model(half).model.predict(x_test) != result.model.predict(x_test)).sum())
    return (half, "float16", 0) if changed == 0 else (full, "float32", changed)


def retrain(out_dir: Path, processes: int | None = None, fonts_dir: Path | None = None,
            mnist_dir: Path | None = None) -> dict:
    """Train, write ``pretrained.npz`` and ``pretrained.json`` into ``out_dir``; returns the manifest."""
    data = load_mnist(mnist_dir)
    start = time.perf_counter()

    def on_step(info, trainer) -> None:
        if info.epoch_end:
            log(f"epoch {info.epoch}/{trainer.config.epochs}: validation accuracy {info.val_accuracy:.4f} "
                f"({time.perf_counter() - start:.0f} s)")

    log(f"drawing the training data and training {presets.PRETRAINED_MODEL.describe()}")
    result = presets.train_pretrained(data, on_step=on_step, fonts_dir=fonts_dir, processes=processes)
    seconds = time.perf_counter() - start
    accuracy = result.test_report["accuracy"]
    if accuracy < MIN_TEST_ACCURACY:
        raise SystemExit(f"the model reached only {accuracy:.4f} test accuracy (< {MIN_TEST_ACCURACY}); not written")
    payload, dtype, changed = smallest_faithful_bytes(result, data.x_test)
    shipped = load_model(payload).model
    unsure = float(np.mean([judge(p)["unsure"] for p in shipped.predict_proba(data.x_test)]))
    out_dir.mkdir(parents=True, exist_ok=True)
    model_path = out_dir / MODEL.name
    tmp = model_path.with_suffix(".tmp")
    tmp.write_bytes(payload)
    tmp.replace(model_path)
    history = result.metadata.get("history", [])
    manifest = {
        "file": model_path.name,
        "sha256": hashlib.sha256(payload).hexdigest(),
        "bytes": len(payload),
        "weights_dtype": dtype,
        "float16_changed_test_answers": changed,
        "architecture": presets.PRETRAINED_MODEL.describe(),
        "parameters": shipped.n_params,
        "recipe": recipe(),
        "command": COMMAND,
        "trained": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
            "platform": platform.platform(),
            "machine": platform.machine(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "blas": blas(),
            "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
            "seconds_total": round(seconds, 1),  # drawing the data included
            "seconds_training": round(result.metadata["train_seconds"], 1),
            "fonts": font_versions(fonts_dir or fonts.find_fonts_dir(ROOT)),
        },
        "accuracy": {
            "mnist_test": accuracy,
            "mnist_test_unsure": round(unsure, 4),
            "validation_last_epoch": history[-1]["val_accuracy"] if history else None,
            "temperature": shipped.temperature,
        },
    }
    manifest = json.loads(json.dumps(manifest))  # as the file holds it (lists, not tuples)
    (out_dir / MANIFEST.name).write_text(json.dumps(manifest, indent=2) + "\n")
    log(f"wrote {model_path} ({len(payload):,} bytes, {dtype}, sha256 {manifest['sha256'][:16]}...): "
        f"test accuracy {accuracy:.4f}, {seconds:.0f} s")
    return manifest


def verified_model(model: Path = MODEL, manifest: Path = MANIFEST) -> tuple[Path, dict]:
    """The committed model file, checked against its manifest's sha256: (path, manifest)."""
    if not model.is_file() or not manifest.is_file():
        raise AssetError(f"{model.name} or {manifest.name} is missing from {model.parent}: restore them with git, "
                         "or make them with `python3 build/dev.py retrain`")
    expected = json.loads(manifest.read_text())
    actual = sha256_file(model)
    if actual != expected.get("sha256"):
        raise AssetError(f"{model} does not match the sha256 in {manifest.name} (expected {expected.get('sha256')}, "
                         f"got {actual}): restore it with git, or retrain with `python3 build/dev.py retrain`")
    return model, expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", type=Path, default=MODEL.parent, help="where to write (default models/)")
    parser.add_argument("--processes", type=int, help="processes drawing the data (default: every core)")
    parser.add_argument("--fonts", type=Path, help="the @fontsource packages (default node_modules/@fontsource)")
    args = parser.parse_args(argv)
    retrain(args.out_dir, args.processes, args.fonts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
