"""Build helpers: bytecode-only archives still import; the pynet wheel keeps
its sources beside the bytecode it gains; the local server compresses what
static hosts compress and nothing else."""

import base64
import gzip
import hashlib
import importlib
import importlib.util
import marshal
import sys
import urllib.request
import zipfile

from build.precompile import add_pycache, compile_archive
from build.serve import serve_in_thread


def test_compiled_modules_import_from_the_zip_without_their_source(tmp_path, monkeypatch):
    src, dst = tmp_path / "src.zip", tmp_path / "out.zip"
    with zipfile.ZipFile(src, "w") as zf:
        zf.writestr("pc_demo/__init__.py", "from .used import VALUE\n")
        zf.writestr("pc_demo/used.py", "VALUE = 6 * 7\n")
        zf.writestr("pc_demo/unused.py", "X = 1\n")
        zf.writestr("pc_demo-1.0.dist-info/RECORD", "pc_demo/__init__.py,sha256=abc,25\npc_demo/used.py,sha256=def,14\n")
    mount = f"{dst}/"
    wanted = {mount + "pc_demo/__init__.py", mount + "pc_demo/used.py"}
    assert compile_archive(str(src), str(dst), mount, wanted) == 2
    with zipfile.ZipFile(dst) as zf:
        names = set(zf.namelist())
        record = zf.read("pc_demo-1.0.dist-info/RECORD").decode()
    assert {"pc_demo/__init__.pyc", "pc_demo/used.pyc", "pc_demo/unused.py"} <= names
    assert "pc_demo/used.py" not in names
    assert "pc_demo/used.pyc,," in record and "used.py," not in record
    monkeypatch.syspath_prepend(str(dst))
    module = importlib.import_module("pc_demo")
    assert module.VALUE == 42
    assert importlib.import_module("pc_demo.unused").X == 1


def test_a_wheel_gains_checked_bytecode_beside_its_sources(tmp_path, monkeypatch):
    """The sources stay: the step-through quotes pynet's lines (``inspect``),
    and a notebook installs the same wheel on another Python."""
    src, dst = tmp_path / "src.whl", tmp_path / "out.whl"
    sources = {"pc_wheel/__init__.py": b"from .used import VALUE\n", "pc_wheel/used.py": b"VALUE = 6 * 7\n",
               "pc_wheel/unused.py": b"X = 1\n"}
    with zipfile.ZipFile(src, "w") as zf:
        for name, text in sources.items():
            zf.writestr(name, text)
        zf.writestr("pc_wheel-1.0.dist-info/RECORD", "".join(f"{n},sha256=x,{len(t)}\n" for n, t in sources.items()))
    mount = f"{tmp_path}/site/"
    assert add_pycache(str(src), str(dst), mount, {mount + "pc_wheel/__init__.py", mount + "pc_wheel/used.py"}) == 2
    tag = sys.implementation.cache_tag
    pyc = f"pc_wheel/__pycache__/used.{tag}.pyc"
    with zipfile.ZipFile(dst) as zf:
        assert set(sources) | {pyc, f"pc_wheel/__pycache__/__init__.{tag}.pyc"} == set(zf.namelist()) - {
            "pc_wheel-1.0.dist-info/RECORD"}
        assert all(zf.read(n) == t for n, t in sources.items())  # every source kept, unchanged
        data, record = zf.read(pyc), zf.read("pc_wheel-1.0.dist-info/RECORD").decode()
        zf.extractall(tmp_path / "site")
    assert data[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(data[4:8], "little") == 0b11  # hash, checked
    assert data[8:16] == importlib.util.source_hash(sources["pc_wheel/used.py"])
    namespace: dict = {}
    exec(marshal.loads(data[16:]), namespace)
    assert namespace["VALUE"] == 42
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    assert f"{pyc},sha256={digest},{len(data)}" in record.splitlines()
    (tmp_path / "site" / "pc_wheel" / "used.py").write_text("VALUE = 7\n")  # an edited source wins over its bytecode
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert importlib.import_module("pc_wheel").VALUE == 7


def fetch(url: str):
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req) as r:
        return r.headers, r.read()


def test_server_gzips_text_and_wasm_but_not_archives(tmp_path):
    (tmp_path / "app.js").write_text("console.log('hi');\n" * 100)
    (tmp_path / "index.html").write_text("<!doctype html><title>x</title>")
    (tmp_path / "m.wasm").write_bytes(b"\0asm" + bytes(1000))
    (tmp_path / "w.whl").write_bytes(b"PK" + bytes(1000))
    server, url = serve_in_thread(tmp_path, "/repo/")
    try:
        for name in ("app.js", "m.wasm", ""):
            headers, body = fetch(url + name)
            assert headers["Content-Encoding"] == "gzip", name
            assert gzip.decompress(body) == (tmp_path / (name or "index.html")).read_bytes()
        headers, body = fetch(url + "w.whl")
        assert headers["Content-Encoding"] is None and body == (tmp_path / "w.whl").read_bytes()
    finally:
        server.shutdown()
        server.server_close()


def test_a_browser_dropping_a_connection_prints_no_traceback_but_real_errors_still_do(tmp_path, capsys):
    from build.serve import make_server

    server = make_server(tmp_path)
    try:
        for dropped in (ConnectionResetError(104, "Connection reset by peer"), BrokenPipeError(32, "Broken pipe")):
            try:
                raise dropped
            except OSError:
                server.handle_error(None, ("127.0.0.1", 1))
        assert capsys.readouterr().err == ""
        try:
            raise ValueError("a bug")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 1))
        assert "ValueError: a bug" in capsys.readouterr().err
    finally:
        server.server_close()
