"""Is an image file whole? The same structural check as the page's
``web/page/image-check.js``, so that ``pynet predict`` and the page refuse the
same files.

A file cut short (a download that stopped, a copy that failed) is decoded
differently by different decoders: Chromium refuses it, Firefox and Pillow
decode the part that is there (Pillow reads a PNG that lacks only its IEND
chunk), and the network then reads half a digit, often surely (a new user's
review, 2026-11-30). So the file's own structure is checked first: PNG's
chunks up to IEND, JPEG's segments up to the end-of-image marker (data a
camera appends after it is not read), and the lengths that RIFF (WebP) and
BMP headers declare. Other formats are left to the decoder.
"""

from __future__ import annotations

import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_is_whole(data: bytes) -> bool:
    """Chunks are (length, type, data, CRC); the last one is IEND."""
    i = 8
    while i + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, i)
        if data[i + 4 : i + 8] == b"IEND":
            return True
        i += 12 + length
    return False


def _jpeg_is_whole(data: bytes) -> bool:
    """Segments after SOI; after each start of scan, entropy-coded data up to
    the next marker that is not a restart (FFD0-FFD7) or a stuffed FF00."""
    i, n = 2, len(data)
    while i + 1 < n:
        if data[i] != 0xFF:
            i += 1  # junk between segments: decoders skip it too
            continue
        marker = data[i + 1]
        if marker == 0xD9:
            return True  # end of image
        if marker == 0xFF or marker == 0x01 or 0xD0 <= marker <= 0xD7:
            i += 1 if marker == 0xFF else 2
            continue
        if i + 3 >= n:
            return False
        i += 2 + ((data[i + 2] << 8) | data[i + 3])
        if marker == 0xDA:
            while i + 1 < n:  # the scan's data, to the next real marker
                i = data.find(b"\xff", i)
                if i < 0 or i + 1 >= n:
                    return False
                following = data[i + 1]
                if following != 0 and not 0xD0 <= following <= 0xD7:
                    break
                i += 1
    return False


def is_truncated(data: bytes) -> bool:
    """True when ``data`` is a PNG, JPEG, WebP or BMP file that ends before
    its image does; False for whole files and for other formats."""
    if data[:8] == PNG_SIGNATURE:
        return not _png_is_whole(data)
    if data[:2] == b"\xff\xd8":
        return not _jpeg_is_whole(data)
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return struct.unpack_from("<I", data, 4)[0] + 8 > len(data)
    if len(data) >= 6 and data[:2] == b"BM":
        return struct.unpack_from("<I", data, 2)[0] > len(data)
    return False
