"""Build helpers: bytecode-only archives still import; the local server
compresses what static hosts compress and nothing else."""

import gzip
import importlib
import urllib.request
import zipfile

from build.precompile import compile_archive
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
