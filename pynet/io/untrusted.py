"""Reading a file nobody vouches for: the budget and the checks.

The page loads whatever file a person picks, so a model file is untrusted.
Nothing is inflated, allocated or parsed before it has been checked against
the budget below:

1. the file's size (``MAX_MODEL_BYTES``);
2. the zip's end record: at most ``MAX_MEMBERS`` entries;
3. every entry's declared compression (stored or deflate only), encryption,
   name (a pattern the caller gives, no duplicates) and size (the sum must fit
   ``MAX_UNPACKED_BYTES``);
4. each ``.npy`` header: no pickled objects or records, a dtype and shape the
   caller asks for, and the bytes the entry declares; then exactly those bytes
   are read and the entry's checksum is verified;
5. text and JSON: strict UTF-32, bounded JSON (no NaN, no huge integers, no
   deep nesting, no lone surrogates);
6. weights: an allowed float dtype, all finite, and a model whose outputs do
   not overflow.

Which entries a model has and what they mean is ``model_file.py``'s business.
Every problem raises ``ModelFormatError`` with a short message a user can act
on. The same bytes are refused the same way on CPython and in the browser
(Pyodide).
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import struct
import sys
import zipfile
import zlib
from typing import Any, BinaryIO

import numpy as np

from pynet.constraints import shorten, show
from pynet.nn.model import Sequential

MAX_MODEL_BYTES = 64 * 1024 * 1024  # larger than any sensible digit model
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # what the entries may declare in all
MAX_PARAMS = 64_000_000  # what an architecture may ask for (the page sets its own, smaller budget)
MAX_MEMBERS = 200  # format_version, architecture, metadata, optimizer + 3 arrays per parameter + statistics
MAX_JSON_CHARS = {"architecture": 16_384, "optimizer": 16_384, "metadata": 262_144}
MAX_JSON_DEPTH = 16
MAX_JSON_DIGITS = 100  # an integer longer than this is an attack, not a setting (a 4,300-digit one costs seconds)
WEIGHT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# A shipped model may store its parameters and statistics as float16 (half
# the bytes to download); they are widened to the model's dtype on load.
# Optimiser buffers stay float32/float64.
PARAMETER_DTYPES = (np.dtype(np.float16), *WEIGHT_DTYPES)
PROBE_SEED = 0  # the fixed noise image every loaded model must give finite outputs on


class ModelFormatError(ValueError):
    """A model file is unusable; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(shorten(message))


# ---- the file's bytes -----------------------------------------------------------
def read_untrusted(source: str | os.PathLike[str] | bytes | BinaryIO, max_bytes: int = MAX_MODEL_BYTES) -> bytes:
    """The bytes of a path, a file object or bytes, reading at most
    ``max_bytes + 1`` of them. Raises ``ModelFormatError`` for a directory, an
    unreadable, empty or too large file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
    else:
        path = os.fspath(source)
        if os.path.isdir(path):
            raise ModelFormatError(f"{path} is a directory, not a model file")
        try:
            size = os.path.getsize(path)
            _check_size(size, max_bytes)
            with open(path, "rb") as f:
                data = f.read(max_bytes + 1)
        except OSError as exc:
            raise ModelFormatError(f"cannot read model file {path}: {exc.strerror or exc}") from None
    _check_size(len(data), max_bytes)
    return data


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ModelFormatError(
            f"model file is too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB)"
        )
    if size == 0:
        raise ModelFormatError("model file is empty")


def _zip_entry_count(data: bytes) -> int:
    """Entries the zip's end-of-central-directory record declares, read before
    ``zipfile`` builds an object per entry (a million entries would take
    seconds and hundreds of MB). The record's layout: PKWARE APPNOTE 4.3.16."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        if data.startswith(b"PK\x03\x04"):  # a zip's first entry, but no end: cut short (a broken download)
            raise ModelFormatError("the .npz (zip) archive is damaged or truncated: its end is missing")
        raise ModelFormatError("not a pynet model: the file is not an .npz (zip) archive")
    (total,) = struct.unpack_from("<H", data, end + 10)
    return total  # 0xFFFF means ZIP64, i.e. more than fit the field: over the limit too


# ---- text and JSON --------------------------------------------------------------
def _check_json_shape(text: str, key: str) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH before parsing it (the
    parser would recurse once per level)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                raise ModelFormatError(f"'{key}' is nested deeper than {MAX_JSON_DEPTH} levels")
        elif ch in "]}":
            depth -= 1


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number pynet accepts")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_DIGITS:
        raise ValueError(f"a {len(text)}-digit integer")
    return int(text)


def decode_text(arr: np.ndarray, key: str) -> str:
    """A 0-d unicode array's text, decoded from its UTF-32 bytes by Python's
    strict codec rather than by NumPy: NumPy turns a code point above U+10FFFF
    into a ``SystemError`` and passes surrogates (U+D800-U+DFFF) through as
    text no encoder accepts; both are refused here. Trailing NULs are padding,
    as in NumPy."""
    codec = "utf-32-be" if arr.dtype.byteorder == ">" or (arr.dtype.byteorder in "=|" and sys.byteorder == "big") \
        else "utf-32-le"
    try:
        return arr.tobytes().decode(codec).rstrip("\0")
    except UnicodeDecodeError as exc:
        code = int.from_bytes(exc.object[exc.start : exc.end], "big" if codec.endswith("be") else "little")
        raise ModelFormatError(f"'{key}' is not valid text: character {exc.start // 4} is {code:#x}, "
                               "which is not a Unicode character") from None


def parse_json(text: str, key: str) -> Any:
    """Strict, bounded JSON: no NaN/Infinity, no huge integers, no deep nesting,
    no lone surrogates (``"\\ud800"``: text that no encoder accepts)."""
    _check_json_shape(text, key)
    try:
        value = json.loads(text, parse_constant=_no_constants, parse_int=_bounded_int)
    except ValueError as exc:  # JSONDecodeError is a ValueError
        raise ModelFormatError(f"'{key}' is not valid JSON ({shorten(str(exc), 80)})") from None
    try:  # escaped surrogate pairs decode to one character; a lone one stays a surrogate
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ModelFormatError(f"'{key}' holds a lone surrogate ({ord(exc.object[exc.start]):#x}), "
                               "which is not a Unicode character") from None
    return value


# ---- the archive ----------------------------------------------------------------
class CheckedArchive:
    """An ``.npz`` (zip) archive whose entries were checked from their
    declarations alone; its arrays are then read one at a time, each header
    checked before its bytes are read.

    ``names`` is the pattern every entry's name must match in full (with its
    ``.npy``); entries are looked up by name without the ``.npy``. Raises
    ``ModelFormatError`` for too many entries, a damaged zip, or an entry that
    is unknown, repeated, encrypted, compressed other than stored/deflate, or
    that brings the unpacked total past ``MAX_UNPACKED_BYTES``.
    """

    def __init__(self, data: bytes, names: re.Pattern[str]) -> None:
        if _zip_entry_count(data) > MAX_MEMBERS:
            raise ModelFormatError(f"the file has more than {MAX_MEMBERS} entries; a pynet model has far fewer")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            entries = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error) as exc:
            raise ModelFormatError(f"the model file is damaged or truncated ({shorten(str(exc), 80)})") from None
        self.entries = self._check_entries(entries, names)

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    @staticmethod
    def _check_entries(entries: list[zipfile.ZipInfo], names: re.Pattern[str]) -> dict[str, zipfile.ZipInfo]:
        by_key: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in entries:
            name = info.filename
            if not names.fullmatch(name):
                raise ModelFormatError(f"the file has an entry {show(name)}, which is not part of a pynet model")
            key = name[:-4]
            if key in by_key:
                raise ModelFormatError(f"the file has two entries named {show(name)}")
            if info.flag_bits & 0x1:
                raise ModelFormatError(f"entry {show(name)} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ModelFormatError(
                    f"entry {show(name)} uses compression method {info.compress_type}; pynet reads stored or deflate only"
                )
            total += info.file_size
            if total > MAX_UNPACKED_BYTES:
                raise ModelFormatError(f"the file would unpack to more than {MAX_UNPACKED_BYTES // 2**20} MB")
            by_key[key] = info
        return by_key

    def array(self, key: str, kinds: str, shape: tuple[int, ...] | None = None, max_itemsize: int = 8) -> np.ndarray:
        """Entry ``key`` as an array whose dtype kind is one of ``kinds``
        (NumPy's codes: "f", "iu", "U"), at most ``max_itemsize`` bytes an
        item, of ``shape`` if given (at most 4 dimensions in any case). The
        ``.npy`` header (format 1.0 or 2.0, NEP 1) is read first; then exactly
        the bytes it declares. Raises ``ModelFormatError``."""
        info = self.entries[key]
        try:
            with self.zip.open(info) as f:
                version = np.lib.format.read_magic(f)
                readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
                if version not in readers:
                    raise ModelFormatError(f"'{key}' is an .npy version {version} array; pynet reads 1.0 and 2.0")
                got_shape, fortran, dtype = readers[version](f, max_header_size=2048)
                if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
                    raise ModelFormatError(
                        f"'{key}' holds Python objects or records; pickled data is refused for safety")
                if dtype.kind == "U" and "U" in kinds and dtype.itemsize > max_itemsize:
                    raise ModelFormatError(f"'{key}' is too large ({dtype.itemsize // 4:,} characters; "
                                           f"the limit is {max_itemsize // 4:,})")
                if dtype.kind not in kinds or dtype.itemsize > max_itemsize:
                    raise ModelFormatError(f"'{key}' has dtype {dtype}, which is not what a pynet model stores there")
                if len(got_shape) > 4 or any(not isinstance(d, int) or d < 0 for d in got_shape):
                    raise ModelFormatError(f"'{key}' has an invalid shape {show(got_shape)}")
                if shape is not None and tuple(got_shape) != shape:
                    raise ModelFormatError(f"'{key}' has shape {show(tuple(got_shape))} but the architecture needs {shape}")
                nbytes = math.prod(got_shape) * dtype.itemsize
                header = f.tell()
                if nbytes != info.file_size - header:
                    raise ModelFormatError(
                        f"'{key}' declares {nbytes:,} bytes of data but its entry holds {info.file_size - header:,}")
                raw = f.read(nbytes)
                if len(raw) != nbytes or f.read(1):
                    raise ModelFormatError(f"'{key}' is truncated")
            if dtype.itemsize == 0:  # '<U0' and the like: NumPy cannot make an array of them from bytes
                raise ModelFormatError(f"'{key}' has dtype {dtype}, whose items hold nothing")
            order = "F" if fortran else "C"
            return np.frombuffer(raw, dtype=dtype).reshape(got_shape, order=order)
        except ModelFormatError:
            raise
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, SyntaxError, TypeError,
                NotImplementedError, RuntimeError, OverflowError, SystemError) as exc:
            # bad CRC, broken deflate stream, malformed header, bytes NumPy cannot make an array of ...
            raise ModelFormatError(f"'{key}' is damaged ({shorten(str(exc), 80)})") from None

    def json(self, key: str) -> Any:
        """Entry ``key`` (one of ``MAX_JSON_CHARS``'s) as strict, bounded JSON."""
        limit = MAX_JSON_CHARS[key]
        arr = self.array(key, kinds="U", shape=(), max_itemsize=4 * limit)
        return parse_json(decode_text(arr, key), key)

    def weights(self, key: str, shape: tuple[int, ...], dtypes: tuple[np.dtype, ...] = WEIGHT_DTYPES) -> np.ndarray:
        """Entry ``key``: floats of ``shape`` in one of ``dtypes`` (either byte
        order), all finite. Raises ``ModelFormatError``."""
        arr = self.array(key, kinds="f", shape=shape)
        if arr.dtype.newbyteorder("=") not in dtypes:
            names = " or ".join(str(d) for d in dtypes)
            raise ModelFormatError(f"'{key}' has dtype {arr.dtype}; these weights must be {names}")
        if not np.isfinite(arr).all():
            raise ModelFormatError(f"'{key}' contains NaN or infinite values")
        return arr


# ---- the loaded model -----------------------------------------------------------
def check_outputs(model: Sequential) -> None:
    """Finite weights can still be hostile: large enough that every output
    overflows, so the model answers NaN for anything. Refuse a model whose
    outputs on a blank image and on a fixed noise image are not all finite
    (two images: 0.4 ms natively for the shipped CNN). Raises
    ``ModelFormatError``."""
    n = model.config.n_inputs
    dtype = model.parameters()[0].dtype  # as drawings arrive: overflow is a float32 matter
    probe = np.stack([np.zeros(n, dtype), np.random.default_rng(PROBE_SEED).random(n, dtype)])
    with np.errstate(all="ignore"):
        out = model.logits(probe)
    if not np.isfinite(out).all():
        raise ModelFormatError("the model's outputs overflow to infinity or NaN (its weights or statistics are far "
                               "too large), so it cannot classify anything")
