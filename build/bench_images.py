"""The benchmark's image part (run by ``build/bench.py`` as ``tab_open_image``):
opening a phone photo (4,032 x 3,024 JPEG, 12 Mpx) and a 280-px screenshot
with "Open an image", ten times each -- the browser's decoding (with its
resize to at most 640 px) and Python's part (transfer, finding the ink, the
input, the model), from the page's own probes -- and ``preprocess_image``
natively on the same pixels. Printed numbers, never a pass/fail.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from build.pagedriver import open_image


def photo_files(directory: Path) -> dict[str, Path]:
    """A phone photo of a written 3 (4,032 x 3,024 JPEG, 12 Mpx) and a 280-px PNG screenshot of a drawn 7."""
    from PIL import Image

    from build.handwriting import mnist_strokes
    from build.pagedriver import first_test_digit_of_each_class
    from build.pen_images import paper_photo, pen_image

    digits = first_test_digit_of_each_class()
    ink = np.zeros((756, 1008), np.uint8)
    ink[:, 126:882] = pen_image(mnist_strokes(digits[3]), 24, page_px=756)
    photo = Image.fromarray(paper_photo(ink, jpeg_quality=None)).resize((4032, 3024), Image.BICUBIC)
    files = {"photo": directory / "photo.jpg", "screenshot": directory / "screenshot.png"}
    photo.save(files["photo"], quality=90)
    Image.fromarray(pen_image(mnist_strokes(digits[7]), 14)).save(files["screenshot"])
    return files


def image_latency(page, files: dict[str, Path], n: int = 10) -> dict:
    """Open an image, ``n`` times each: the browser's decoding (and resize to
    at most 640 px) and Python's part (transfer, finding the ink, the
    input, the model, the reply), of which ``preprocess_image`` alone, from the
    page's own probes; and ``preprocess_image`` natively on the same pixels."""
    from PIL import Image

    from pynet.input.preprocess import preprocess_image

    report = {}
    for name, path in files.items():
        decode, classify, preprocess = [], [], []
        for _ in range(n):
            page.get_by_test_id("clear").click()
            error = open_image(page, path)
            if error:
                raise RuntimeError(error)
            probe = page.get_by_test_id("open-image")
            decode.append(float(probe.get_attribute("data-decode-ms")))
            classify.append(float(probe.get_attribute("data-classify-ms")))
            preprocess.append(float(probe.get_attribute("data-preprocess-ms")))
        with Image.open(path) as im:
            w, h = (int(v) for v in probe.get_attribute("data-pixels").split("x"))
            pixels = np.asarray(im.convert("RGBA").resize((w, h), Image.BILINEAR))
        native = []
        for _ in range(n):
            start = time.perf_counter()
            preprocess_image(pixels)
            native.append((time.perf_counter() - start) * 1000)
        report[name] = {"pixels_sent": f"{w}x{h}", "decode_ms_p50": round(statistics.median(decode), 1),
                        "python_ms_p50": round(statistics.median(classify), 1), "python_ms_max": round(max(classify), 1),
                        "tab_preprocess_ms_p50": round(statistics.median(preprocess), 1),
                        "tab_preprocess_ms_max": round(max(preprocess), 1),
                        "native_preprocess_ms_p50": round(statistics.median(native), 1)}
    return report


def image_opening(page) -> dict:
    """The whole measurement, on files made in a temporary directory."""
    with tempfile.TemporaryDirectory() as tmp:
        return image_latency(page, photo_files(Path(tmp)))
