"""The site's scripts keep to their side: web/page/ runs in the page,
web/workers/ in Web Workers (the Python worker and its helpers), web/shared/
in both. Page scripts never import worker scripts, worker scripts never
import page scripts, and shared scripts import neither (they start a worker
by its URL, which is not an import). Every import names a file that exists
(in web/, or one the build adds to the site)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
SIDES = ("page", "workers", "shared")
MAY_IMPORT = {"page": {"page", "shared"}, "workers": {"workers", "shared"}, "shared": {"shared"}}
# What the build puts beside web/'s files (build/build_site.py): the generated
# asset list, Pyodide, the vendored chart library, the ONNX schema (build/vendor_bundle.py).
BUILT = {"shared/assets.js", "pyodide/pyodide.mjs", "vendor/uPlot.esm.js", "vendor/onnx-proto.js"}
ROOT_FILES = {"index.html", "style.css", "icon.svg", "app.webmanifest", "sw.js"}  # sw.js: its scope is its folder, the site

STATIC = re.compile(r"""^\s*(?:import|export)\s+(?:[^"';]*?\s+from\s+)?["']([^"']+)["']""", re.M | re.S)
DYNAMIC = re.compile(r"""\bimport\(\s*["']([^"']+)["']\s*\)""")


def imports(script: Path) -> list[str]:
    """The specifiers of ``script``'s static and dynamic imports."""
    text = script.read_text()
    return STATIC.findall(text) + DYNAMIC.findall(text)


def side(path: str) -> str:
    """The folder of web/ a site path (relative to the site's root) is in."""
    return path.split("/", 1)[0] if "/" in path else "root"


def scripts() -> list[Path]:
    return sorted(p for s in SIDES for p in (WEB / s).rglob("*.js"))


def test_the_site_root_holds_only_the_page_its_service_worker_and_the_three_sides():
    assert {p.name for p in WEB.iterdir() if p.is_file()} == ROOT_FILES
    assert {p.name for p in WEB.iterdir() if p.is_dir()} == set(SIDES)
    assert (WEB / "sw.js").read_text().count("import ") == 0  # a classic script: imports nothing


def test_the_parser_sees_every_kind_of_import(tmp_path):
    js = tmp_path / "x.js"
    js.write_text('import { a,\n  b } from "./one.js";\nimport * as c from "../two.js";\nimport "./three.js";\n'
                  'export { d } from "./four.js";\nconst e = await import("./five.js");\n'
                  'const url = new URL("./not-an-import.js", import.meta.url);\n')
    assert imports(js) == ["./one.js", "../two.js", "./three.js", "./four.js", "./five.js"]


@pytest.mark.parametrize("script", scripts(), ids=lambda p: p.relative_to(WEB).as_posix())
def test_scripts_import_only_their_own_side_and_shared_files_that_exist(script):
    here = side(script.relative_to(WEB).as_posix())
    for spec in imports(script):
        assert spec.startswith("."), f"{script.name} imports {spec!r}: only relative imports, no bare names"
        target = (script.parent / spec).resolve().relative_to(WEB.resolve()).as_posix()
        assert (WEB / target).is_file() or target in BUILT, f"{script.name} imports {spec!r}: no such file"
        there = side(target)
        if target in BUILT and there not in SIDES:
            continue  # Pyodide, uPlot: the site's own copies of third-party code
        assert there in MAY_IMPORT[here], f"{here}/{script.name} imports {target}: {here} scripts may import only " \
                                          f"{' and '.join(sorted(MAY_IMPORT[here]))}"


def test_the_workers_the_page_starts_are_worker_scripts():
    started = {}
    for script in scripts():
        for spec in re.findall(r"""new URL\(\s*["']([^"']+\.js)["']\s*,\s*import\.meta\.url\s*\)""", script.read_text()):
            started[script.relative_to(WEB).as_posix()] = (script.parent / spec).resolve().relative_to(WEB.resolve())
    assert {k: v.as_posix() for k, v in started.items()} == {"page/start-worker.js": "workers/worker.js",
                                                             "page/offline.js": "sw.js",
                                                             "workers/team.js": "workers/replica.js"}
