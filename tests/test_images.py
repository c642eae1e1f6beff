"""Image files (pynet/input/image_files.py): the Netpbm family, plain and binary, 8 and
16 bits; 16-bit and palette PNGs and phone photos' EXIF orientation via
Pillow; the same digit in every format gets the same answer from ``pynet
predict``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from build.handwriting import PRINTED
from build.pen_images import pen_image
from pynet.input.image_files import ImageError, read_image, read_netpbm

ROOT = Path(__file__).resolve().parents[1]
RNG = np.random.default_rng(0)
GREY = RNG.integers(0, 256, (5, 7), dtype=np.uint8)
DEEP = RNG.integers(0, 65536, (5, 7)).astype(np.uint16)


def plain(values: np.ndarray) -> bytes:
    return "\n".join(" ".join(str(int(v)) for v in row) for row in values.reshape(len(values), -1)).encode()


@pytest.mark.parametrize("name,data,expected", [
    ("P5 8-bit", b"P5\n7 5\n255\n" + GREY.tobytes(), GREY),
    ("P5 8-bit, maxval 15", b"P5 7 5 15\n" + (GREY // 17).tobytes(), np.round((GREY // 17) * 17).astype(np.uint8)),
    ("P5 16-bit, big-endian", b"P5\n7 5\n65535\n" + DEEP.astype(">u2").tobytes(), DEEP),
    ("P5 16-bit, maxval 1000", b"P5\n# a comment\n7 5\n1000\n" + (DEEP // 66).astype(">u2").tobytes(),
     np.round((DEEP // 66) * (65535 / 1000)).astype(np.uint16)),
    ("P2 plain 8-bit", b"P2\n# made by hand\n7 5\n255\n" + plain(GREY), GREY),
    ("P2 plain 16-bit", b"P2 7 5 65535\n" + plain(DEEP), DEEP),
    ("P3 plain colour", b"P3\n7 5\n255\n" + plain(np.dstack([GREY] * 3)), np.dstack([GREY] * 3)),
    ("P6 colour", b"P6\n7 5\n255\n" + np.dstack([GREY] * 3).tobytes(), np.dstack([GREY] * 3)),
    ("P1 plain bitmap, digits unseparated", b"P1\n7 5\n" + b"\n".join(b"".join(b"1" if v > 127 else b"0" for v in row)
                                                                     for row in GREY), np.where(GREY > 127, 0, 255)),
    ("P4 bitmap", b"P4\n7 5\n" + np.packbits(GREY > 127, axis=1).tobytes(), np.where(GREY > 127, 0, 255)),
])
def test_netpbm_variants_decode(name, data, expected):
    got = read_netpbm(data, name)
    assert got.dtype == (np.uint16 if expected.dtype == np.uint16 else np.uint8)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("data,message", [
    (b"P2\n2 2\n255\n0 1 2\n", r"truncated pixel data \(3 of 4"),
    (b"P2\n2 2\n15\n0 1 2 16\n", "a sample of 16 exceeds the maxval 15"),
    (b"P2\n1 1\n255\n1234567\n", "a sample of 7 digits"),
    (b"P2\n2 1\n255\n# a comment\n1 2\n", "a comment inside the pixel data"),
    (b"P5\n2 2\n65535\n" + bytes(7), "truncated pixel data"),
    (b"P5\n1 1\n1000\n\xff\xff", "a sample of 65535 exceeds the maxval 1000"),
    (b"P5\n1 1\n0\n\x00", "maxval 0 is outside"),
    (b"P4\n9 2\n\x00\x00\x00", "truncated pixel data"),
    (b"P7\n1 1\n255\n\x00", "not a Netpbm image"),
    (b"P5\n" + b"9" * 40 + b" 1\n255\n", "a header field of more than 20 characters"),
    (b"P5\n60000 60000\n255\n", r"the image is too large \(3,600,000,000 values; at most 16,777,216 pixels\)"),
])
def test_bad_netpbm_files_get_their_own_message(data, message):
    with pytest.raises(ImageError, match=message):
        read_netpbm(data, "bad.pgm")


def test_a_plain_file_over_its_byte_limit_is_refused_unread(tmp_path, monkeypatch):
    import pynet.input.image_files

    monkeypatch.setattr(pynet.input.image_files, "MAX_PLAIN_BYTES", 1000)
    path = tmp_path / "big.pgm"
    path.write_bytes(b"P2\n100 100\n255\n" + b"0 " * 10_000)
    with pytest.raises(ImageError, match="too large .* plain Netpbm"):
        read_image(path)


def test_pillow_images_16_bit_palette_and_exif_orientation(tmp_path):
    from PIL import Image

    Image.fromarray(DEEP).save(tmp_path / "deep.png")  # Pillow writes mode I;16 as a 16-bit PNG
    got = read_image(tmp_path / "deep.png")
    assert got.dtype == np.uint16
    np.testing.assert_array_equal(got, DEEP)

    palette = Image.fromarray(GREY).convert("P")
    palette.info["transparency"] = int(np.asarray(palette)[0, 0])
    palette.save(tmp_path / "palette.png", transparency=int(np.asarray(palette)[0, 0]))
    got = read_image(tmp_path / "palette.png")
    assert got.shape == (5, 7, 4) and got[0, 0, 3] == 0  # the palette's transparent colour stays transparent

    tall = np.zeros((40, 20), np.uint8)
    tall[:10] = 255  # bright at the top as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display", as phones write
    Image.fromarray(tall).save(tmp_path / "phone.jpg", exif=exif, quality=95)
    upright = read_image(tmp_path / "phone.jpg")
    assert upright.shape == (20, 40) and upright[:, -10:].mean() > 200  # shown rotated: the bright end at the right


def test_the_same_digit_in_every_format_gets_the_same_answer(tmp_path, shipped_model_path):
    from PIL import Image

    ink = pen_image(PRINTED["4 closed"][1], 14)
    paper = 255 - ink
    deep = (paper.astype(np.uint16) * 257)
    files = {
        "digit.png": lambda p: Image.fromarray(ink).save(p),
        "digit16.png": lambda p: Image.fromarray(deep).save(p),
        "digit.jpg": lambda p: Image.fromarray(paper).save(p, quality=90),
        "digit.pgm": lambda p: p.write_bytes(b"P5\n280 280\n65535\n" + deep.astype(">u2").tobytes()),
        "plain.pgm": lambda p: p.write_bytes(b"P2\n280 280\n255\n" + plain(paper)),
        "digit.pbm": lambda p: p.write_bytes(b"P4\n280 280\n" + np.packbits(ink > 127, axis=1).tobytes()),
        "digit.npy": lambda p: np.save(p, ink.astype(np.float32) / 255),
        "clear.png": lambda p: Image.fromarray(np.dstack([np.zeros_like(ink)] * 3 + [ink])).save(p),
    }
    for name, write in files.items():
        write(tmp_path / name)
    proc = subprocess.run([sys.executable, "-m", "pynet", "predict", "--model", str(shipped_model_path),
                           *[str(tmp_path / n) for n in files]], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    answers = [line.split(": ")[1][0] for line in proc.stdout.strip().splitlines()]
    assert answers == ["4"] * len(files), proc.stdout
