"""A corpus of hostile model files: everything an attacker (or a broken disk)
might hand the loader, each with the reason it must be refused.

    python tests/hostile_models.py OUT_DIR    # writes every file (and benign variants) to OUT_DIR

The zips are written by hand here (not with ``zipfile``) so a file can lie:
declare one size and hold another, claim a compression method, an encryption
flag, duplicate names or a huge number of entries.
"""

from __future__ import annotations

import bz2
import functools
import io
import json
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pynet.config import ModelConfig
from pynet.io.model_file import model_to_bytes
from pynet.nn.model import build_model
from pynet.training.record import training_metadata
from pynet.training.trainer import TrainConfig, Trainer


@dataclass
class Member:
    name: str
    data: bytes  # uncompressed content
    method: int = 8  # 0 stored, 8 deflate, 9 deflate64, 12 bzip2, 14 lzma, other: unknown
    flags: int = 0
    declared_size: int | None = None  # a lie about the uncompressed size
    payload: bytes | None = None  # compressed bytes, if not made from data


def compress(data: bytes, method: int) -> bytes:
    if method == 0:
        return data
    if method == 8:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush()
    if method == 12:
        return bz2.compress(data)
    return data  # methods the loader must refuse unread


def build_zip(members: list[Member], declared_entries: int | None = None) -> bytes:
    """A zip archive, exactly as described, lies included."""
    out = io.BytesIO()
    central = []
    for m in members:
        payload = m.payload if m.payload is not None else compress(m.data, m.method)
        size = m.declared_size if m.declared_size is not None else len(m.data)
        crc = zlib.crc32(m.data)
        name = m.name.encode()
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, m.flags, m.method, 0, 0x21, crc, len(payload),
                              size, len(name), 0) + name + payload)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, m.flags, m.method, 0, 0x21, crc,
                                   len(payload), size, len(name), 0, 0, 0, 0, 0, offset) + name)
    start = out.tell()
    for c in central:
        out.write(c)
    count = len(members) if declared_entries is None else declared_entries
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, out.tell() - start, start, 0))
    return out.getvalue()


def npy(arr: np.ndarray, version: tuple[int, int] = (1, 0)) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, version=version, allow_pickle=True)
    return buf.getvalue()


def npy_raw_header(header: str, body: bytes = b"", version: bytes = b"\x01\x00") -> bytes:
    """An .npy file with a hand-written header dict."""
    text = header.encode("latin1")
    pad = 64 - (10 + len(text) + 1) % 64
    text += b" " * pad + b"\n"
    return b"\x93NUMPY" + version + struct.pack("<H", len(text)) + text + body


def utf32_text(codes: list[int], byteorder: str = "<") -> bytes:
    """A 0-d unicode .npy entry holding exactly these UTF-32 code units, valid
    characters or not (NumPy itself will not write invalid ones)."""
    body = struct.pack(f"{byteorder}{len(codes)}I", *codes)
    return npy_raw_header(f"{{'descr': '{byteorder}U{len(codes)}', 'fortran_order': False, 'shape': (), }}", body)


def good_model() -> bytes:
    """A small trained model with optimiser state and metadata."""
    rng = np.random.default_rng(0)
    x = rng.random((64, 784), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    model = build_model(ModelConfig(hidden=(16,), seed=0))
    trainer = Trainer(model, TrainConfig(epochs=1, batch_size=32), x, y)
    trainer.run()
    return model_to_bytes(model, trainer.optimizer, training_metadata(trainer, name="good", val_size=0,
                                                                      test_accuracy=0.5))


@functools.cache
def good_batch_norm_model() -> bytes:
    """A small trained CNN with batch normalisation (running statistics saved)."""
    rng = np.random.default_rng(0)
    x = rng.random((16, 784), dtype=np.float32)
    y = rng.integers(0, 10, 16)
    model = build_model(ModelConfig(conv=((2, 5),), hidden=(), batch_norm=True, seed=0))
    Trainer(model, TrainConfig(epochs=1, batch_size=8), x, y).run()
    return model_to_bytes(model)


def entries_of(data: bytes) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rezip(entries: dict[str, bytes], **changes: bytes | None) -> bytes:
    """The good file's entries with some replaced (bytes), added, or removed (None)."""
    merged = dict(entries)
    for key, value in changes.items():
        name = key + ".npy"
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return build_zip([Member(n, d) for n, d in merged.items()])


def arch(**fields) -> bytes:
    return npy(np.array(json.dumps(ModelConfig(hidden=(16,)).to_dict() | fields)))


def arch_text(text: str) -> bytes:
    return npy(np.array(text))


def hostile(good: bytes) -> dict[str, tuple[bytes, str]]:
    """name -> (file bytes, regex the refusal's message must match)."""
    e = entries_of(good)
    bn = entries_of(good_batch_norm_model())
    w0 = np.lib.format.read_array(io.BytesIO(e["param_0.npy"]))
    opt = json.loads(str(np.lib.format.read_array(io.BytesIO(e["optimizer.npy"]))))
    members = [Member(n, d) for n, d in e.items()]

    def with_member(m: Member) -> bytes:
        return build_zip([*members, m])

    def opt_json(**changes) -> bytes:
        return rezip(e, optimizer=npy(np.array(json.dumps(opt | changes))))

    def weights(arr: np.ndarray) -> bytes:
        return rezip(e, param_0=npy(arr))

    nan, inf = w0.copy(), w0.copy()
    nan[3, 3], inf[5, 1] = np.nan, -np.inf
    bomb = b"\0" * (16 * 2**20)
    deep = "[" * 5000 + "]" * 5000  # fits the size limits; recursion would fail at ~1000 levels
    corpus: dict[str, tuple[bytes, str]] = {
        # -- not a zip, or a broken one
        "text.npz": (b"hello, I am a text file", "not an .npz"),
        "empty.npz": (b"", "empty"),
        "half.npz": (good[: len(good) // 2], "not an .npz|damaged|truncated"),
        "no-end-record.npz": (good[:-22], "damaged or truncated: its end is missing"),
        "cut-central-directory.npz": (good[:-40], "damaged|truncated|not an .npz"),
        # -- compression methods, encryption, names
        "bzip2-bomb-member.npz": (with_member(Member("param_9.npy", bomb, method=12, declared_size=1024)),
                                  "compression method 12"),
        "lzma-member.npz": (with_member(Member("param_9.npy", b"\0" * 100, method=14)), "compression method 14"),
        "deflate64-member.npz": (with_member(Member("param_9.npy", b"\0" * 100, method=9)), "compression method 9"),
        "unknown-method.npz": (with_member(Member("param_9.npy", b"\0" * 100, method=99)), "compression method 99"),
        "bzip2-weights.npz": (build_zip([Member(m.name, m.data, method=12 if m.name == "param_0.npy" else 8)
                                         for m in members]), "compression method 12"),
        "encrypted.npz": (build_zip([Member(m.name, m.data, flags=1 if m.name == "param_1.npy" else 0)
                                     for m in members]), "encrypted"),
        "readme-member.npz": (with_member(Member("readme.txt", b"hi")), "not part of a pynet model"),
        "path-traversal.npz": (with_member(Member("../../evil.npy", b"x")), "not part of a pynet model"),
        "directory-member.npz": (with_member(Member("weights/param_0.npy", e["param_0.npy"])), "not part of"),
        "duplicate-member.npz": (with_member(Member("param_0.npy", e["param_0.npy"])), "two entries"),
        "unknown-entry.npz": (with_member(Member("param_7.npy", npy(np.zeros(3, np.float32)))), "does not declare"),
        "300-entries.npz": (build_zip(members + [Member(f"opt_x_{i}.npy", b"") for i in range(300)]),
                            "more than 200 entries"),
        "declares-65535-entries.npz": (build_zip(members, declared_entries=0xFFFF), "more than 200 entries"),
        # -- declared sizes
        "declares-2GB.npz": (with_member(Member("param_9.npy", b"\0" * 2000, declared_size=2**31)), "unpack to more"),
        "many-large-declarations.npz": (build_zip(members + [Member(f"param_{10 + i}.npy", b"\0", declared_size=150 * 2**20)
                                                             for i in range(4)]), "unpack to more"),
        "declares-50KB-inflates-16MB.npz": (build_zip(
            [Member(m.name, m.data) for m in members if m.name != "param_0.npy"]
            + [Member("param_0.npy", npy_raw_header("{'descr': '<f4', 'fortran_order': False, 'shape': (784, 16), }",
                                                     bomb), declared_size=784 * 16 * 4 + 128)]),
            "damaged|truncated"),
        "npy-asks-373GiB.npz": (rezip(e, param_0=npy_raw_header(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000, 1000), }")),
            r"shape \(100000000, 1000\) but the architecture needs \(784, 16\)"),
        "npy-right-shape-no-data.npz": (rezip(e, param_0=npy_raw_header(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (784, 16), }")), "declares 50,176 bytes"),
        "npy-bad-header.npz": (rezip(e, param_0=npy_raw_header("{'descr': '<f4', 'shape': __import__('os')}")),
                               "damaged"),
        "npy-version-3.npz": (rezip(e, param_0=npy_raw_header("{'descr': '<f4', 'fortran_order': False, 'shape': (784, 16), }",
                                                              bytes(50176), version=b"\x03\x00")), "version"),
        "npy-bad-magic.npz": (rezip(e, param_0=b"\x93NUMPZ" + e["param_0.npy"][6:]), "damaged"),
        "npy-negative-shape.npz": (rezip(e, param_0=npy_raw_header(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-784, 16), }", bytes(50176))), "damaged|invalid shape"),
        "corrupt-crc.npz": (build_zip([Member(m.name, m.data) for m in members[:-1]]
                                      + [Member(members[-1].name, members[-1].data,
                                                payload=compress(members[-1].data[:-4] + b"\x01\x02\x03\x04", 8))]),
                            "damaged"),
        "corrupt-deflate.npz": (build_zip([Member(m.name, m.data, payload=(b"\xff" * 40 if m.name == "param_2.npy" else None))
                                           for m in members]), "damaged"),
        # -- dtypes and values
        "pickled-object.npz": (rezip(e, param_0=npy(np.array([{"evil": 1}], dtype=object))), "pickled"),
        "structured.npz": (rezip(e, param_0=npy(np.zeros(3, dtype=[("a", "<f4"), ("b", "<i4")]))), "records|pickled"),
        "int-weights.npz": (weights(w0.astype(np.int32)), "dtype int32"),
        "complex-weights.npz": (weights(w0.astype(np.complex64)), "dtype complex64"),
        # float16 parameters are allowed (a shipped model stores them so), but not past these checks
        "float16-nan-weights.npz": (weights(nan.astype(np.float16)), "NaN"),
        "float16-infinite-weights.npz": (weights(inf.astype(np.float16)), "infinite"),
        "float16-optimizer-buffer.npz": (rezip(e, opt_m_0=npy(np.lib.format.read_array(
            io.BytesIO(e["opt_m_0.npy"])).astype(np.float16))), "float32 or float64"),
        "float16-negative-variance.npz": (rezip(bn, stat_1=npy(np.array([1.0, -1.0], np.float16))), "negative"),
        "wrong-shape.npz": (weights(w0[:, :10]), "needs"),
        "nan-weight.npz": (weights(nan), "NaN or infinite"),
        "inf-weight.npz": (weights(inf), "NaN or infinite"),
        "huge-finite-weights.npz": (weights(np.full_like(w0, 3e38)), "outputs overflow"),
        "batch-norm-huge-gamma.npz": (rezip(bn, param_2=npy(np.full(2, 3e38, np.float32))), "outputs overflow"),
        "bytes-architecture.npz": (rezip(e, architecture=npy(np.array(b"{}"))), "dtype"),
        # -- the architecture
        "architecture-not-json.npz": (rezip(e, architecture=arch_text("{hidden: 16")), "not valid JSON"),
        "architecture-deep.npz": (rezip(e, architecture=arch_text(deep)), "nested deeper"),
        "architecture-huge.npz": (rezip(e, architecture=arch_text(json.dumps({"hidden": [16], "x": "a" * 20000}))),
                                  "too large"),
        "architecture-infinity.npz": (rezip(e, architecture=arch_text('{"hidden": [16], "dropout": Infinity}')),
                                      "Infinity is not a number"),
        "architecture-nan.npz": (rezip(e, architecture=arch_text('{"hidden": [16], "dropout": NaN}')), "NaN"),
        "architecture-fractional.npz": (rezip(e, architecture=arch(hidden=[16.9])), "whole number"),
        "architecture-boolean.npz": (rezip(e, architecture=arch(hidden=[True])), "whole number"),
        "architecture-5000-digits.npz": (rezip(e, architecture=arch_text('{"hidden": [' + "9" * 5000 + "]}")),
                                         "5000-digit"),
        "architecture-negative.npz": (rezip(e, architecture=arch(hidden=[-16])), "hidden"),
        "architecture-9-layers.npz": (rezip(e, architecture=arch(hidden=[16] * 9)), "at most 8 layers"),
        "architecture-unknown-fields.npz": (rezip(e, architecture=arch_text(json.dumps(
            {"hidden": [16], **{f"k{i}": 1 for i in range(1000)}}))), "unknown fields .* and 995 more"),
        "architecture-list.npz": (rezip(e, architecture=arch_text("[16]")), "must be an object"),
        "architecture-100-inputs.npz": (rezip(e, architecture=arch(n_inputs=100)), "100 inputs"),
        "architecture-12-classes.npz": (rezip(e, architecture=arch(n_classes=12)), "12 classes"),
        "architecture-55M-params.npz": (rezip(e, architecture=arch(hidden=[8192, 6000])), "parameters; the limit"),
        "architecture-seed-negative.npz": (rezip(e, architecture=arch(seed=-1)), "seed"),
        "architecture-seed-string.npz": (rezip(e, architecture=arch(seed="3")), "seed"),
        "architecture-seed-float.npz": (rezip(e, architecture=arch(seed=1.5)), "seed"),
        "architecture-dropout-1.npz": (rezip(e, architecture=arch(dropout=1.0)), "dropout"),
        "architecture-dtype-float16.npz": (rezip(e, architecture=arch(dtype="float16")), "dtype"),
        # -- text NumPy cannot decode (it raised SystemError or ValueError, or passed surrogates on)
        "architecture-code-point-above-10ffff.npz": (rezip(e, architecture=utf32_text(
            [*map(ord, '{"hidden": [16]}'), 0x110000])), r"'architecture' is not valid text: character 16 is 0x110000"),
        "architecture-code-point-ffffffff-big-endian.npz": (rezip(e, architecture=utf32_text(
            [*map(ord, '{"hidden": [16'), 0xFFFFFFFF, *map(ord, ']}')], byteorder=">")), "character 14 is 0xffffffff"),
        "metadata-surrogate-code-point.npz": (rezip(e, metadata=utf32_text([*map(ord, '{"name": "'), 0xD800, ord('"'),
                                                                            ord("}")])), "'metadata' is not valid text"),
        "optimizer-code-point-above-10ffff.npz": (rezip(e, optimizer=utf32_text([0x7FFFFFFF])),
                                                  "'optimizer' is not valid text"),
        "architecture-zero-width-unicode.npz": (rezip(e, architecture=npy_raw_header(
            "{'descr': '<U0', 'fortran_order': False, 'shape': (), }")), "items hold nothing"),
        "metadata-escaped-lone-surrogate.npz": (rezip(e, metadata=arch_text('{"name": "\\udc00 model"}')),
                                                "'metadata' holds a lone surrogate"),
        # -- the format version and required entries
        "version-4.npz": (rezip(e, format_version=npy(np.array(4))), "version 4"),
        "version-1-with-convolutions.npz": (rezip(e, format_version=npy(np.array(1))), "version 1 file cannot"),
        "version-string.npz": (rezip(e, format_version=npy(np.array("1"))), "dtype"),
        "version-float.npz": (rezip(e, format_version=npy(np.array(1.0))), "dtype"),
        "version-bool.npz": (rezip(e, format_version=npy(np.array(True))), "dtype"),
        "no-version.npz": (rezip(e, format_version=None), "no 'format_version'"),
        "no-architecture.npz": (rezip(e, architecture=None), "no 'architecture'"),
        "missing-weights.npz": (rezip(e, param_1=None), "missing weights 'param_1'"),
        # -- batch normalisation
        "batch-norm-without-conv.npz": (rezip(e, architecture=arch(batch_norm=True)), "part of the convolution"),
        "batch-norm-not-boolean.npz": (rezip(e, architecture=arch(batch_norm=1)), "true or false"),
        "stat-in-dense-model.npz": (rezip(e, stat_0=npy(np.zeros(16, np.float32))), "does not declare: stat_0"),
        "batch-norm-version-2.npz": (rezip(bn, format_version=npy(np.array(2))), "version 2 file cannot .*batch_norm"),
        "batch-norm-stat-missing.npz": (rezip(bn, stat_1=None), "missing batch-norm statistics 'stat_1'"),
        "batch-norm-negative-variance.npz": (rezip(bn, stat_1=npy(np.array([1.0, -1.0], np.float32))), "negative"),
        "batch-norm-nan-mean.npz": (rezip(bn, stat_0=npy(np.array([np.nan, 0], np.float32))), "NaN"),
        "batch-norm-stat-shape.npz": (rezip(bn, stat_0=npy(np.zeros(3, np.float32))), "needs"),
        "batch-norm-stat-int.npz": (rezip(bn, stat_0=npy(np.zeros(2, np.int32))), "dtype int32"),
        # -- optimiser state
        "optimizer-incomplete.npz": (rezip(e, optimizer=npy(np.array(json.dumps({"name": "adam"})))), "incomplete"),
        "optimizer-t-infinity.npz": (rezip(e, optimizer=npy(np.array(json.dumps(opt).replace(
            f'"t": {opt["t"]}', '"t": Infinity')))), "Infinity"),
        "optimizer-t-huge-float.npz": (opt_json(t=1e300), "whole number"),
        "optimizer-t-negative.npz": (opt_json(t=-1), "from 0"),
        "optimizer-unknown.npz": (opt_json(name="lbfgs"), "one of adam, sgd"),
        "optimizer-bad-lr.npz": (opt_json(hyperparams=opt["hyperparams"] | {"lr": -1}), "greater than 0"),
        "optimizer-extra-hyperparam.npz": (opt_json(hyperparams=opt["hyperparams"] | {"amsgrad": True}),
                                           "hyperparameters must be"),
        "optimizer-bad-buffers.npz": (opt_json(buffer_keys=["m", "v", "w"]), "buffers must be"),
        "optimizer-buffer-shape.npz": (rezip(e, opt_m_0=npy(np.zeros((3, 3), np.float32))), "needs"),
        "optimizer-buffer-missing.npz": (rezip(e, opt_v_2=None), "missing optimizer state 'opt_v_2'"),
        "optimizer-buffer-nan.npz": (rezip(e, opt_v_1=npy(np.full(16, np.nan, np.float32))), "NaN"),
        # -- metadata
        "metadata-deep.npz": (rezip(e, metadata=arch_text(deep)), "nested deeper"),
        "metadata-huge.npz": (rezip(e, metadata=arch_text(json.dumps({"note": "a" * 300_000}))), "too large"),
        "metadata-not-json.npz": (rezip(e, metadata=arch_text("{")), "not valid JSON"),
    }
    return corpus


def benign(good: bytes) -> dict[str, bytes]:
    """Unusual but fine files: each must load."""
    e = entries_of(good)
    w0 = np.lib.format.read_array(io.BytesIO(e["param_0.npy"]))
    meta = json.loads(str(np.lib.format.read_array(io.BytesIO(e["metadata.npy"]))))
    return {
        "fortran-order.npz": rezip(e, param_0=npy(np.asfortranarray(w0))),
        "float64-weights.npz": rezip(e, param_0=npy(w0.astype(np.float64))),
        "big-endian-weights.npz": rezip(e, param_0=npy(w0.astype(">f4"))),
        "npy-version-2.npz": rezip(e, param_0=npy(w0, version=(2, 0))),
        "stored-not-deflated.npz": build_zip([Member(n, d, method=0) for n, d in e.items()]),
        "no-metadata.npz": rezip(e, metadata=None),
        "no-optimizer.npz": rezip(e, optimizer=None, opt_m_0=None, opt_m_1=None, opt_m_2=None, opt_m_3=None,
                                  opt_v_0=None, opt_v_1=None, opt_v_2=None, opt_v_3=None),
        "metadata-junk-dropped.npz": rezip(e, metadata=npy(np.array(json.dumps(
            meta | {"test_accuracy": 10**30, "name": "x" * 500, "history": "lots", "colour": "red"})))),
        "metadata-10000-unknown-keys.npz": rezip(e, metadata=npy(np.array(json.dumps(
            {f"k{i}": i for i in range(10_000)})))),
    }


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    good = good_model()
    (out / "good.npz").write_bytes(good)
    for name, (data, _why) in hostile(good).items():
        (out / name).write_bytes(data)
    for name, data in benign(good).items():
        (out / f"benign-{name}").write_bytes(data)
    print(f"wrote {len(hostile(good))} hostile and {len(benign(good))} benign model files to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-models"))
