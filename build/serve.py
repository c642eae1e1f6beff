"""Serve ``dist/`` over HTTP on 127.0.0.1, optionally under a sub-path (like
GitHub Pages' ``/repo/``), with the MIME types a Pyodide site needs.

Usage: python build/serve.py [--port 8000] [--base /pynet/] [--dir dist]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MIME = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".whl": "application/zip",
    ".gz": "application/octet-stream",  # served as-is: the worker decompresses
    ".npz": "application/octet-stream",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
}


# Compressed on the fly like GitHub Pages and most static hosts do for text and
# WebAssembly (8.6 MB of Pyodide wasm travel as 2.8 MB). Wheels, zips, MNIST
# (.gz) and models are sent as they are.
GZIP_TYPES = {"text/html", "text/css", "text/javascript", "application/json", "image/svg+xml", "application/wasm"}


@functools.lru_cache(maxsize=64)
def gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    """The gzip encoding of a file, kept while the file is unchanged."""
    with open(path, "rb") as f:
        return gzip.compress(f.read(), compresslevel=6, mtime=0)


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from ``directory`` mounted at ``base``; 404 elsewhere."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME}
    base = "/"

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?", 1)[0].endswith("/"):
            path = os.path.join(path, "index.html")
        ctype = self.guess_type(path)
        if (not os.path.isfile(path) or ctype not in GZIP_TYPES
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        st = os.stat(path)
        body = gzipped(path, st.st_mtime_ns, st.st_size)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Last-Modified", self.date_time_string(int(st.st_mtime)))
        self.end_headers()
        return io.BytesIO(body)

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if not clean.startswith(self.base):
            return str(Path(self.directory) / "__outside_base__")
        return super().translate_path("/" + clean[len(self.base):])

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == self.base.rstrip("/"):
            self.send_response(301)
            self.send_header("Location", self.base)
            self.end_headers()
            return
        super().do_GET()

    def end_headers(self) -> None:
        # Revalidate on every load so a new build is picked up; the service
        # worker provides offline use and speed.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # quiet by default
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)


class SiteServer(http.server.ThreadingHTTPServer):
    """The threading server, without a traceback when a browser drops a
    connection mid-reply (a tab closed or reloaded while a file streams):
    that is the browser's choice, not a server error."""

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def make_server(directory: Path, port: int = 0, base: str = "/", verbose: bool = False) -> http.server.ThreadingHTTPServer:
    """A ready server (call ``serve_forever``); port 0 picks a free port."""
    base = "/" + base.strip("/") + "/" if base.strip("/") else "/"
    handler = functools.partial(type("Handler", (SiteHandler,), {"base": base}), directory=str(directory))
    server = SiteServer(("127.0.0.1", port), handler)
    server.verbose = verbose
    server.base = base
    return server


def serve_in_thread(directory: Path, base: str = "/") -> tuple[http.server.ThreadingHTTPServer, str]:
    """Start a server in a daemon thread; returns it and its root URL."""
    server = make_server(directory, 0, base)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{server.base}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--base", default="/", help="URL sub-path to serve under, e.g. /pynet/")
    parser.add_argument("--dir", type=Path, default=ROOT / "dist")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args()
    if not (args.dir / "index.html").exists():
        raise SystemExit(f"{args.dir} has no index.html: build the site first (python build/build_site.py)")
    try:
        server = make_server(args.dir, args.port, args.base, args.verbose)
    except OSError as exc:  # e.g. port 8000 taken by another server
        raise SystemExit(f"cannot serve on port {args.port}: {exc.strerror}. Is pynet already being served "
                         f"there? Choose another port: python3 build/dev.py serve --port {args.port + 1}") from None
    print(f"Serving {args.dir} at http://127.0.0.1:{server.server_address[1]}{server.base}  (Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
