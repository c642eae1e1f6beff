"""The linters are part of the test command: ruff for Python, ESLint for the
page's JavaScript. Both must be clean."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_eslint_finds_nothing():
    eslint = ROOT / "node_modules" / ".bin" / "eslint"
    assert eslint.exists(), "run `npm ci` (ESLint is a dev dependency)"
    proc = subprocess.run([shutil.which("node") or "node", str(ROOT / "node_modules" / "eslint" / "bin" / "eslint.js"),
                           "--max-warnings", "0", "."], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
