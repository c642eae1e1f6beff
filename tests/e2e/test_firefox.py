"""The page in Firefox too: Debian's firefox-esr, headless, driven over
WebDriver BiDi by puppeteer-core (Playwright drives only its own Firefox
build). A smoke test: ready, a digit drawn at two sizes, a number, an image opened, a
short training run of a CNN with batch norm on two workers, and an offline
reload (tests/firefox/smoke.mjs)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from build.handwriting import PRINTED
from build.pagedriver import ROOT


def firefox() -> str | None:
    return shutil.which("firefox-esr") or shutil.which("firefox")


@pytest.mark.skipif(firefox() is None, reason="Firefox is not installed (Debian: apt-get install firefox-esr; "
                    ".ci/run installs it)")
def test_firefox_smoke(dist_dir, tmp_path):
    drawings = tmp_path / "drawings.json"
    drawings.write_text(json.dumps([{"digit": PRINTED[n][0], "strokes": PRINTED[n][1]}
                                    for n in ("7 plain", "2 curved", "4 closed")]))
    from PIL import Image

    from build.pen_images import pen_image

    image = tmp_path / "four.png"  # a 4 written dark on light with a thin pen, opened as a file
    Image.fromarray(pen_image(PRINTED["4 closed"][1], 5, dark_on_light=True)).save(image)
    svg = tmp_path / "seven.svg"  # a drawing program's vector file
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100" '
                   'fill="white"/><path d="M25 15 H75 L45 88" fill="none" stroke="black" stroke-width="2"/></svg>')
    cut = tmp_path / "cut.png"  # the first half of the 4's file: Firefox decoded the half it had
    cut.write_bytes(image.read_bytes()[: image.stat().st_size // 2])
    proc = subprocess.run(["node", str(ROOT / "tests" / "firefox" / "smoke.mjs"), str(dist_dir), firefox(),
                           str(drawings), str(image), str(svg), str(cut)], capture_output=True, text=True, timeout=600,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print("\nFirefox:", json.dumps({k: result[k] for k in ("version", "ready_ms", "workers", "helper_bytes")}))
    assert result["ready_ms"] < 30_000
    assert all(c["got"] == c["digit"] for c in result["classified"]), result["classified"]
    assert result["number"] == "27", result["number"]  # a 2 and a 7 side by side on the wide drawing area
    assert [(i["digit"], i["error"]) for i in result["images"][:2]] == [("4", ""), ("7", "")], result["images"]
    assert "damaged or truncated" in result["images"][2]["error"], result["images"]
    assert result["trained"].startswith("trained-1") and "conv8x5bn-conv16x5bn-10" in result["trained"]
    assert result["workers"] == "2" and len(result["helper_bytes"]) == 1  # a helper worker shared the batches
    assert result["offline_classified"] == 7
    assert result["link"]["lr"] == "0.02" and result["link"]["seed"] == "4" and "'colour'" in result["link"]["note"]
    assert "lr=0.03" in result["hash"] and "batch_norm=true" in result["hash"]  # the preset, mirrored
    assert result["runs_after_reload"] == ["run-1"]
    assert result["errors"] == []
