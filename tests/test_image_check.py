"""Truncated image files: ``pynet.input.image_check`` (for ``pynet predict``) and
the page's ``web/page/image-check.js`` (run by Node) give the same answer for
whole files, files cut anywhere, and files with data after their end."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from pynet.input.image_check import is_truncated

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import { isTruncated } from %(module)s;
import { readFileSync } from "node:fs";
const files = JSON.parse(readFileSync(0, "utf8"));
console.log(JSON.stringify(Object.fromEntries(
  Object.entries(files).map(([name, hex]) => [name, isTruncated(Uint8Array.from(Buffer.from(hex, "hex")))]))));
"""


def encoded(fmt: str, **options) -> bytes:
    from PIL import Image

    pixels = np.random.default_rng(1).integers(0, 256, (48, 64), dtype=np.uint8)  # incompressible
    buf = io.BytesIO()
    Image.fromarray(pixels).convert("RGB").save(buf, fmt, **options)
    return buf.getvalue()


@pytest.fixture(scope="module")
def cases() -> dict[str, tuple[bytes, bool]]:
    """name -> (bytes, truncated?)."""
    pytest.importorskip("PIL")
    out: dict[str, tuple[bytes, bool]] = {}
    for fmt, options in [("PNG", {}), ("JPEG", {"quality": 90}), ("JPEG", {"progressive": True}),
                         ("WEBP", {}), ("BMP", {})]:
        whole = encoded(fmt, **options)
        kind = fmt + ("-progressive" if options.get("progressive") else "")
        out[f"{kind} whole"] = (whole, False)
        for share in (0.3, 0.5, 0.9):
            out[f"{kind} cut at {share:.0%}"] = (whole[: int(len(whole) * share)], True)
        out[f"{kind} short of its last 2 bytes"] = (whole[:-2], True)
    out["PNG without only its IEND chunk"] = (encoded("PNG")[:-12], True)
    out["JPEG with a camera's trailer after its end"] = (encoded("JPEG") + b"\x00trailer\xff\xd8junk", False)
    out["GIF (left to the decoder)"] = (encoded("GIF")[:40], False)
    out["text"] = (b"this is a text file, renamed", False)
    out["empty"] = (b"", False)
    return out


def test_python_finds_every_cut_file_and_passes_every_whole_one(cases):
    wrong = {name: expected for name, (data, expected) in cases.items() if is_truncated(data) != expected}
    assert not wrong, wrong


def test_the_page_and_predict_agree(cases):
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    module = json.dumps((ROOT / "web" / "page" / "image-check.js").as_uri())
    proc = subprocess.run([node, "--input-type=module", "-e", SCRIPT % {"module": module}],
                          input=json.dumps({name: data.hex() for name, (data, _) in cases.items()}),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    page = json.loads(proc.stdout)
    assert page == {name: is_truncated(data) for name, (data, _) in cases.items()}
