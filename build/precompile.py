"""Runs *inside Pyodide* (driven by build/precompile.mjs under Node) at build
time: replaces the Python sources the app imports with bytecode, so the
browser does not compile them on every start.

Pyodide's python_stdlib.zip and the NumPy wheel ship ``.py`` sources only, and
CPython compiles each imported module at start-up. Measured in Pyodide 0.29
(Node, this machine): start 1,650 -> 620 ms and ``import numpy`` 410 -> 110 ms
with bytecode. Bytecode is larger than source, so only the modules the app
actually imports are compiled (the exercise below walks the worker's paths);
the rest stay as source and compile on demand as before. The bytecode is made
by the very interpreter that will run it, so its magic number always matches.
"""

from __future__ import annotations

import importlib.util
import marshal
import sys
import zipfile

import numpy as np


def exercise() -> None:
    """Walk every path the web worker takes, so their imports get recorded."""
    from pynet.browser.session import Session
    from pynet.config import ModelConfig
    from pynet.data.mnist import MNIST_FILES, encode_idx
    from pynet.io.model_file import model_to_bytes
    from pynet.nn.model import build_model

    rng = np.random.default_rng(0)
    s = Session()
    s.add_model("pretrained", model_to_bytes(build_model(ModelConfig(hidden=(8,)))))
    s.settings_schema()
    s.validate_settings({"hidden": "8", "lr": "x"})
    drawing = {"points": np.array([[20, 5], [30, 25], [28, 50]], dtype=np.float32).tobytes(),
               "lengths": np.array([3], dtype=np.int32).tobytes(), "width": 56.0, "height": 56.0}
    s.classify(**drawing)
    sample = s.preprocess_sample(**drawing)
    picture = np.zeros((60, 50, 4), dtype=np.uint8)  # an opened image: a light bar on a transparent ground
    picture[10:50, 22:27] = 255
    opened = {"pixels": picture.tobytes(), "width": 50, "height": 60}
    s.classify_image(**opened)
    s.preprocess_image_sample(**opened)
    s.explain_image(**opened)
    images = rng.integers(0, 256, size=(100, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=100).astype(np.uint8)
    arrays = {"train_images": images, "train_labels": labels, "test_images": images[:20], "test_labels": labels[:20]}
    s.load_mnist(**{name: encode_idx(arrays[name]) for name in MNIST_FILES})
    def run() -> None:  # what the worker's job pump does
        while not s.advance(50)["done"]:
            pass

    s.start_training({"hidden": "8", "lr": "0.01", "batch_size": "32", "epochs": "1", "seed": "0",
                      "optimizer": "adam", "augment": True, "schedule": "cosine"})
    run()
    s.start_training({"epochs": "1"}, continue_active=True)
    run()
    s.start_training({"architecture": "cnn", "conv": "2x3", "hidden": "", "epochs": "1", "batch_size": "32",
                      "schedule": "warmup-cosine"})
    run()
    s.first_layer_weights()
    s.handle("start_evaluate", {})
    run()
    s.explain(**drawing)
    s.start_step({"batch_size": "8"})
    for _ in range(4):
        s.step_stage()
    s.apply_step()
    s.gradient_check(n=2, per_layer=1)
    s.first_layer_weights()
    s.add_model("again", s.model_bytes())
    s.start_fine_tune(sample, [1])
    run()
    s.start_fine_tune(sample, [1], whole_network=True)
    run()
    # A helper worker's side of data parallelism (web/replica.js).
    from pynet.browser.team import ReplicaSession

    helper = ReplicaSession()
    job = s.start_training({"architecture": "cnn", "conv": "2x3", "hidden": "", "epochs": "1", "batch_size": "32",
                            "workers": "2", "batch_norm": True})["job"]
    helper.setup(job["architecture"])
    replies = pending = None
    while not (update := s.advance(50, replies))["done"]:
        replies = None
        if update["requests"]:
            pending = [getattr(helper, r["method"])(**r["args"]) for r in update["requests"]]
        elif update["wait"]:
            replies = pending


def imported_sources() -> set[str]:
    """Absolute paths of the ``.py`` files behind every imported module."""
    return {f for m in list(sys.modules.values()) if (f := getattr(m, "__file__", None) or "").endswith(".py")}


def to_pyc(source: bytes, path: str) -> bytes:
    """A sourceless ``.pyc``: header (magic, flags 0, mtime 0, size 0) + code."""
    code = compile(source, path, "exec", dont_inherit=True)
    return importlib.util.MAGIC_NUMBER + bytes(12) + marshal.dumps(code)


def rewrite_record(record: bytes, renamed: set[str]) -> bytes:
    """A wheel's RECORD names each file with its hash: list the ``.pyc`` in
    place of each compiled ``.py`` (without a hash, which RECORD allows)."""
    lines = []
    for line in record.decode().splitlines():
        name = line.split(",", 1)[0]
        lines.append(f"{name[:-3]}.pyc,," if name in renamed else line)
    return ("\n".join(lines) + "\n").encode()


def compile_archive(src: str, dst: str, mount: str, wanted: set[str]) -> int:
    """Copy zip ``src`` to ``dst`` (deflated), replacing each member whose
    runtime path (``mount`` + name) is in ``wanted`` by its bytecode."""
    compiled = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        renamed = {i.filename for i in zin.infolist() if mount + i.filename in wanted}
        for info in zin.infolist():
            data = zin.read(info)
            path = mount + info.filename
            if info.filename.endswith(".dist-info/RECORD"):
                data = rewrite_record(data, renamed)
            if path in wanted:
                pyc = zipfile.ZipInfo(info.filename[:-3] + ".pyc", info.date_time)
                pyc.external_attr = info.external_attr
                zout.writestr(pyc, to_pyc(data, path), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
                compiled += 1
            else:
                zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return compiled


def main(jobs: list[tuple[str, str, str]]) -> str:
    """``jobs``: (source zip, output zip, runtime mount prefix)."""
    exercise()
    wanted = imported_sources()
    counts = [f"{compile_archive(src, dst, mount, wanted)} modules in {dst.rsplit('/', 1)[-1]}" for src, dst, mount in jobs]
    return "compiled " + ", ".join(counts)
