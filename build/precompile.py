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

The pynet wheel keeps its sources -- the step-through shows the line of
pynet that computed each array (``inspect``), tracebacks quote them, and an
exported notebook installs the same wheel on any Python -- and gains
``__pycache__/<module>.cpython-3XX.pyc`` beside each module the workers
import, checked against the source's hash when imported (``add_pycache``):
compiling pynet's modules had been most of the 0.5-1.2 s its import took at
the page's start. The exercise walks the lazy paths too (training,
fine-tuning, evaluation, an opened image, the step-through, notebooks), so
what loads on first use is bytecode as well.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import marshal
import sys
import zipfile

import numpy as np


def exercise() -> None:
    """Walk every path the web worker takes, through ``Session.handle`` as the
    worker calls it, so their imports get recorded: the start (a model, the
    schema, a drawing) and every request that loads more on first use."""
    from pynet.browser.session import Session
    from pynet.config import ModelConfig
    from pynet.data.mnist import MNIST_FILES, encode_idx
    from pynet.io.model_file import model_to_bytes
    from pynet.nn.model import build_model

    s = Session()

    def ask(method: str, **args):
        reply = s.handle(method, args)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def run(replicas=()):  # what the worker's job pump does, with helpers answering in process
        replies = pending = None
        while not (update := ask("advance", budget_ms=50, replies=replies))["done"]:
            replies = None
            if update["requests"]:
                pending = [getattr(replicas[r["replica"]], r["method"])(**r["args"]) for r in update["requests"]]
            elif update["wait"]:
                replies = pending
        return update["result"]

    rng = np.random.default_rng(0)
    ask("add_model", name="pretrained", data=model_to_bytes(build_model(ModelConfig(hidden=(8,)))))
    ask("settings_schema")
    ask("set_device", memory_mb=2048)
    ask("validate_settings", settings={"hidden": "8", "lr": "x"})
    drawing = {"points": np.array([[20, 5], [30, 25], [28, 50]], dtype=np.float32).tobytes(),
               "lengths": np.array([3], dtype=np.int32).tobytes(), "width": 56.0, "height": 56.0}
    ask("classify", **drawing)
    sample = ask("preprocess_sample", **drawing)
    ask("read_link", pairs=[["lr", "0.01"], ["epochs", "x"]], total=2)
    picture = np.zeros((60, 50, 4), dtype=np.uint8)  # an opened image: a light bar on a transparent ground
    picture[10:50, 22:27] = 255
    opened = {"pixels": picture.tobytes(), "width": 50, "height": 60}
    ask("classify_image", **opened)
    ask("preprocess_image_sample", **opened)
    ask("explain_image", **opened)
    images = rng.integers(0, 256, size=(100, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=100).astype(np.uint8)
    arrays = {"train_images": images, "train_labels": labels, "test_images": images[:20], "test_labels": labels[:20]}
    ask("load_mnist", **{name: encode_idx(arrays[name]) for name in MNIST_FILES})
    ask("start_training", settings={"hidden": "8", "lr": "0.01", "batch_size": "32", "epochs": "1", "seed": "0",
                                    "optimizer": "adam", "augment": True, "schedule": "cosine"})
    trained = run()
    ask("export_notebook", record=trained["record"], wheel_url="https://example.org/pynet-0.1.0-py3-none-any.whl")
    ask("start_training", settings={"epochs": "1"}, continue_active=True)
    run()
    ask("start_training", settings={"architecture": "cnn", "conv": "2x3", "hidden": "", "epochs": "1",
                                    "batch_size": "32", "schedule": "warmup-cosine"})
    run()
    ask("first_layer_weights")
    ask("start_evaluate", compare="pretrained")
    run()
    ask("explain", **drawing)
    ask("start_step", settings={"batch_size": "8"})
    for _ in range(4):
        ask("step_stage")
    ask("apply_step")
    ask("gradient_check", n=2, per_layer=1)
    ask("add_model", name="again", data=ask("model_bytes"))
    ask("onnx_graph")  # Save as ONNX
    ask("set_active", name="again")
    ask("start_fine_tune", samples=sample, labels=[1])
    run()
    ask("start_fine_tune", samples=sample, labels=[1], whole_network=True)
    run()
    ask("start_training", settings={"epochs": "3"})
    ask("stop_job")
    run()
    # A helper worker's side of data parallelism (web/workers/replica.js).
    from pynet.browser.team import ReplicaSession

    helper = ReplicaSession()
    job = ask("start_training", settings={"architecture": "cnn", "conv": "2x3", "hidden": "", "epochs": "1",
                                          "batch_size": "32", "workers": "2", "batch_norm": True})["job"]
    helper.handle("setup", {"architecture": job["architecture"]})
    run([helper])
    ask("start_evaluate", workers=2)
    run([helper])
    ask("start_training", settings={"epochs": "1"})
    ask("drop_job")


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


def to_checked_pyc(source: bytes, path: str) -> bytes:
    """A ``.pyc`` that Python uses only while ``source`` is unchanged (PEP 552:
    flags 3, the source's hash): beside its source, safe on any Python."""
    code = compile(source, path, "exec", dont_inherit=True)
    flags = (0b11).to_bytes(4, "little")  # hash-based, checked
    return importlib.util.MAGIC_NUMBER + flags + importlib.util.source_hash(source) + marshal.dumps(code)


def record_line(name: str, data: bytes) -> str:
    """A wheel RECORD line: the file's name, sha256 (urlsafe base64) and size."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def add_pycache(src: str, dst: str, mount: str, wanted: set[str]) -> int:
    """Copy wheel ``src`` to ``dst`` (deflated), keeping every source and
    adding, for each ``.py`` whose runtime path (``mount`` + name) is in
    ``wanted``, its checked bytecode in ``__pycache__`` (listed in RECORD)."""
    tag = sys.implementation.cache_tag
    added: dict[str, bytes] = {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        record = None
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith(".dist-info/RECORD"):
                record = (info, data)
                continue
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
            if mount + info.filename in wanted:
                folder, _, stem = info.filename[:-3].rpartition("/")
                name = f"{folder}/__pycache__/{stem}.{tag}.pyc" if folder else f"__pycache__/{stem}.{tag}.pyc"
                added[name] = to_checked_pyc(data, mount + info.filename)
                zout.writestr(zipfile.ZipInfo(name, info.date_time), added[name],
                              compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        if record is not None:
            info, data = record
            lines = data.decode().splitlines() + [record_line(n, b) for n, b in added.items()]
            zout.writestr(info, ("\n".join(lines) + "\n").encode(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return len(added)


def main(jobs: list[tuple[str, str, str]], pycache_jobs: list[tuple[str, str, str]] = ()) -> str:
    """``jobs``: (source zip, output zip, runtime mount prefix), whose imported
    sources become bytecode; ``pycache_jobs``: the same for wheels that keep
    their sources and gain bytecode beside them (``add_pycache``)."""
    exercise()
    wanted = imported_sources()
    counts = [f"{compile_archive(src, dst, mount, wanted)} modules in {dst.rsplit('/', 1)[-1]}" for src, dst, mount in jobs]
    counts += [f"{add_pycache(src, dst, mount, wanted)} modules beside their sources in {dst.rsplit('/', 1)[-1]}"
               for src, dst, mount in pycache_jobs]
    return "compiled " + ", ".join(counts)
