"""pynet's layers, checked from its import graph.

Every module under ``pynet/`` is parsed with ``ast`` (nothing is imported),
and every ``import`` and ``from ... import`` in it is read, those inside
functions too, relative ones resolved to the module they name. Imports made
by a string at run time (``importlib.import_module``) are not seen: only
``pynet/__init__.py`` makes them, for its public names.

A *unit* is a subpackage of pynet (``nn``, ``io``, ...) or a module directly in
``pynet/`` (``config``, ``constraints``, ...). The rules, in the tables below:

1. a unit may import itself and the units of lower layers: never a unit of a
   higher layer, never another unit of its own layer;
2. some units may import still less (``ONLY``): the network, ``pynet/nn``,
   knows nothing of pynet but its settings;
3. ``pynet/browser`` and ``pynet/cli`` reach the network only through its
   public names, those in ``pynet.nn.__all__``;
4. at most ``MAX_TOP_MODULES`` modules sit directly in ``pynet/``, and no module
   is longer than ``MAX_LINES`` lines;
5. each subpackage has an ``__init__.py`` whose docstring says what it holds.

The package itself (``pynet/__init__.py``) is loaded before any of its modules,
so ``from pynet import __version__`` is allowed anywhere; a public name
imported from it (``from pynet import fit``) counts as an import of the module
that defines the name.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pynet"

# ---- the rules -------------------------------------------------------------------
LAYERS: tuple[tuple[str, ...], ...] = (  # lowest first
    ("constraints",),        # the settings' limits (Integer, Real, Choice, SettingsError)
    ("config",),             # the settings dataclasses: ModelConfig, TrainConfig
    ("nn",),                 # the network: layers, loss, optimisers, the model
    ("wasm",),               # the tab's NumPy-without-BLAS fast path (if there is one)
    ("input",),              # drawings and pictures -> the 28x28 input
    ("data",),               # MNIST and the drawn digits made from it
    ("training",),           # the training loop, metrics, calibration
    ("io",),                 # model files
    ("recipes",),            # whole runs, presets, the shipped model's recipe
    ("inside",),             # explaining a prediction, stepping through a training step
    ("export",),             # a run as a notebook
    ("browser", "cli"),      # the top: the page's worker and the command line; neither imports the other
    ("__init__", "__main__", "model"),  # the doors: `import pynet`, `python -m pynet`, old notebooks' pynet.model
)
ONLY: dict[str, frozenset[str]] = {  # these units may import no other units of pynet than the ones listed
    "nn": frozenset({"config", "constraints"}),
    "wasm": frozenset({"nn"}),
    "__init__": frozenset(),  # its public names are imported on first use, not when pynet is imported
    "__main__": frozenset({"cli"}),
    "model": frozenset({"nn"}),  # pynet/model.py only passes pynet.nn.model's names on
}
NN_PUBLIC_ONLY = frozenset({"browser", "cli"})  # these import from pynet.nn only names in pynet.nn.__all__
MAX_TOP_MODULES = 10  # .py files directly in pynet/
MAX_LINES = 400  # in any module of pynet


# ---- the import graph -------------------------------------------------------------
@dataclass(frozen=True)
class Import:
    """One imported module (or name) of pynet, where it is imported."""

    file: Path  # the importing module's file
    line: int
    importer: str  # the importing module, e.g. "pynet.io.model_file"
    target: str  # the module imported, e.g. "pynet.nn.model" ("pynet": the package itself)
    name: str | None  # the name taken from it, None when the module itself is imported
    statement: str  # as written, e.g. "from .untrusted import ModelFormatError"

    def where(self, package: Path) -> str:
        return f"{self.file.relative_to(package.parent).as_posix()}:{self.line}: `{self.statement}`"


def module_name(file: Path, package: Path) -> str:
    """pynet/io/model_file.py -> "pynet.io.model_file"; pynet/io/__init__.py -> "pynet.io"."""
    parts = file.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: Path) -> dict[str, Path]:
    """Every module under ``package``, by dotted name."""
    return {module_name(f, package): f for f in sorted(package.rglob("*.py")) if "__pycache__" not in f.parts}


def literal(file: Path, variable: str) -> object:
    """The value of a module-level ``variable = <literal>`` in ``file``, or None."""
    if not file.exists():
        return None
    for node in ast.parse(file.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == variable for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def imports(package: Path) -> list[Import]:
    """Every import of the package's own modules, anywhere in its modules."""
    root = package.name
    known = modules(package)
    public = literal(package / "__init__.py", "_PUBLIC") or {}  # pynet's lazy names -> their modules
    found = []
    for importer, file in known.items():
        is_package = file.name == "__init__.py"
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"), str(file))):
            statement = ast.unparse(node) if isinstance(node, (ast.Import, ast.ImportFrom)) else ""
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == root or alias.name.startswith(root + "."):
                        found.append(Import(file, node.lineno, importer, alias.name, None, statement))
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from the importer's package, one level up per extra dot
                    base = importer.split(".") if is_package else importer.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                if source != root and not source.startswith(root + "."):
                    continue
                for alias in node.names:
                    if f"{source}.{alias.name}" in known:  # a module: from pynet.nn import kernels
                        found.append(Import(file, node.lineno, importer, f"{source}.{alias.name}", None, statement))
                    elif source == root and alias.name in public:  # a lazy public name: from pynet import fit
                        found.append(Import(file, node.lineno, importer, f"{root}.{public[alias.name]}", alias.name,
                                            statement))
                    else:
                        found.append(Import(file, node.lineno, importer, source, alias.name, statement))
    return found


def unit_of(module: str) -> str | None:
    """pynet.io.model_file -> "io"; pynet.config -> "config"; pynet -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def importer_unit(module: str) -> str:
    return unit_of(module) or "__init__"


LAYER_OF = {unit: i for i, layer in enumerate(LAYERS) for unit in layer}


def layer_text(unit: str) -> str:
    return "layer " + " + ".join(LAYERS[LAYER_OF[unit]])


# ---- the checks: each returns the problems it finds, one message each -------------
def check_layers(package: Path) -> list[str]:
    """Rule 1: imports point down the layers."""
    problems = []
    for unit in sorted({importer_unit(m) for m in modules(package)} - set(LAYER_OF)):
        problems.append(f"{package.name}/{unit} is in no layer: add it to LAYERS in tests/test_layering.py")
    for imp in imports(package):
        mine, theirs = importer_unit(imp.importer), unit_of(imp.target)
        if theirs is None or theirs == mine or mine not in LAYER_OF:
            continue
        if theirs not in LAYER_OF:
            problems.append(f"{imp.where(package)} imports {imp.target}, which is in no layer")
        elif LAYER_OF[theirs] == LAYER_OF[mine]:
            problems.append(f"{imp.where(package)}: {mine} imports {theirs}, which shares its {layer_text(mine)}; "
                            "units of one layer never import each other")
        elif LAYER_OF[theirs] > LAYER_OF[mine]:
            problems.append(f"{imp.where(package)}: {mine} ({layer_text(mine)}) imports {theirs}, which is higher "
                            f"({layer_text(theirs)}); imports point down only")
    return problems


def check_only(package: Path) -> list[str]:
    """Rule 2: the units in ``ONLY`` import no more than they are allowed."""
    problems = []
    for imp in imports(package):
        mine, theirs = importer_unit(imp.importer), unit_of(imp.target)
        if mine in ONLY and theirs is not None and theirs != mine and theirs not in ONLY[mine]:
            allowed = f"only {', '.join(sorted(ONLY[mine]))}" if ONLY[mine] else "nothing"
            problems.append(f"{imp.where(package)}: {mine} imports {imp.target}; of pynet it may import {allowed}")
    return problems


def check_nn_public(package: Path) -> list[str]:
    """Rule 3: browser and cli take from pynet.nn only what ``pynet.nn.__all__`` lists."""
    nn = f"{package.name}.nn"
    public = set(literal(package / "nn" / "__init__.py", "__all__") or ())
    problems = []
    for imp in imports(package):
        if importer_unit(imp.importer) not in NN_PUBLIC_ONLY or not (imp.target == nn or imp.target.startswith(nn + ".")):
            continue
        if imp.name is None and imp.target != nn:
            problems.append(f"{imp.where(package)} imports the module {imp.target}; import its public names from "
                            f"{nn} instead")
        elif imp.name is not None and (imp.name.startswith("_") or imp.name not in public) and imp.name != "*":
            problems.append(f"{imp.where(package)} imports {imp.name} from {imp.target}, which is not one of "
                            f"{nn}'s public names ({nn}.__all__)")
        elif imp.name == "*" and imp.target != nn:
            problems.append(f"{imp.where(package)} imports everything from {imp.target}; import from {nn} instead")
    return problems


def check_sizes(package: Path) -> list[str]:
    """Rule 4: few modules directly in pynet/, none long."""
    problems = []
    top = sorted(f.name for f in package.glob("*.py"))
    if len(top) > MAX_TOP_MODULES:
        problems.append(f"{package.name}/ holds {len(top)} modules directly ({', '.join(top)}); at most "
                        f"{MAX_TOP_MODULES}: move some into a subpackage")
    for file in modules(package).values():
        lines = len(file.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            problems.append(f"{file.relative_to(package.parent).as_posix()} has {lines} lines; at most {MAX_LINES}: "
                            "split it into modules with one job each")
    return problems


def check_inits(package: Path) -> list[str]:
    """Rule 5: every subpackage has an ``__init__.py`` with a docstring."""
    problems = []
    folders = sorted({f.parent for f in package.rglob("*.py") if "__pycache__" not in f.parts} - {package})
    for folder in folders:
        init = folder / "__init__.py"
        where = init.relative_to(package.parent).as_posix()
        if not init.exists():
            problems.append(f"{where} is missing: a subpackage needs one, with a docstring saying what it holds")
        elif not ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))):
            problems.append(f"{where} has no docstring: say what the subpackage holds, module by module")
    return problems


CHECKS = {"layers": check_layers, "only": check_only, "nn_public": check_nn_public, "sizes": check_sizes,
          "inits": check_inits}


# ---- pynet keeps its shape ----------------------------------------------------------
@pytest.mark.parametrize("rule", CHECKS)
def test_pynet_keeps_its_shape(rule):
    problems = CHECKS[rule](PACKAGE)
    assert not problems, "\n".join(problems)


def test_the_graph_sees_pynet_imports():
    """The checks above pass on something: the parser finds pynet's imports,
    relative ones and those inside functions among them."""
    found = imports(PACKAGE)
    assert len(found) > 100
    assert any(i.importer == "pynet.io.model_file" and i.target == "pynet.io.untrusted" for i in found)
    assert {i.target for i in found if i.importer == "pynet.__main__"} == {"pynet.cli.main"}


# ---- and the checks can fail: a small tree with every kind of mistake ---------------
CLEAN = {
    "__init__.py": '"""A tiny pynet."""\n_PUBLIC = {"fit": "recipes.runs"}\n',
    "constraints.py": "",
    "config.py": "from .constraints import x\n",
    "nn/__init__.py": '"""The network."""\nfrom .layers import Dense\n__all__ = ["Dense"]\n',
    "nn/layers.py": "from pynet.config import y\nDense = _helper = Hidden = 1\n",
    "io/__init__.py": '"""Files."""\n',
    "io/files.py": "from ..nn import Dense\nfrom pynet import __version__\n",
    "recipes/__init__.py": '"""Runs."""\n',
    "recipes/runs.py": "from pynet.io import files\n",
    "cli/__init__.py": '"""The command line."""\n',
    "cli/main.py": "from pynet.nn import Dense\nfrom pynet import fit\nimport pynet.recipes.runs\n",
    "browser/__init__.py": '"""The page."""\n',
    "browser/session.py": "from pynet.nn.layers import Dense\n",
}


def make_tree(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "pynet"
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    return package


def problems(package: Path) -> list[str]:
    return [p for check in CHECKS.values() for p in check(package)]


def test_a_clean_tree_passes(tmp_path):
    assert problems(make_tree(tmp_path, CLEAN)) == []


@pytest.mark.parametrize("file, text, expected", [
    ("nn/layers.py", "def f():\n    from ..training import trainer\n",  # inside a function, relative
     ["pynet/nn/layers.py:2: `from ..training import trainer`: nn (layer nn) imports training, which is higher "
      "(layer training); imports point down only",
      "pynet/nn/layers.py:2: `from ..training import trainer`: nn imports pynet.training; of pynet it may import "
      "only config, constraints"]),
    ("io/files.py", "\n\nimport pynet.recipes.runs as r\n",
     ["pynet/io/files.py:3: `import pynet.recipes.runs as r`: io (layer io) imports recipes, which is higher "
      "(layer recipes); imports point down only"]),
    ("io/files.py", "from pynet import fit\n",  # a lazy public name counts as its module
     ["pynet/io/files.py:1: `from pynet import fit`: io (layer io) imports recipes, which is higher (layer recipes); "
      "imports point down only"]),
    ("cli/main.py", "from pynet.browser.session import x\n",
     ["pynet/cli/main.py:1: `from pynet.browser.session import x`: cli imports browser, which shares its layer "
      "browser + cli; units of one layer never import each other"]),
    ("browser/session.py", "from ..cli import main\n",
     ["pynet/browser/session.py:1: `from ..cli import main`: browser imports cli, which shares its layer "
      "browser + cli; units of one layer never import each other"]),
    ("cli/main.py", "from pynet.nn.layers import Dense, _helper\n",
     ["pynet/cli/main.py:1: `from pynet.nn.layers import Dense, _helper` imports _helper from pynet.nn.layers, "
      "which is not one of pynet.nn's public names (pynet.nn.__all__)"]),
    ("browser/session.py", "from pynet.nn import Hidden\n",
     ["pynet/browser/session.py:1: `from pynet.nn import Hidden` imports Hidden from pynet.nn, which is not one of "
      "pynet.nn's public names (pynet.nn.__all__)"]),
    ("browser/session.py", "from pynet.nn import layers\n",
     ["pynet/browser/session.py:1: `from pynet.nn import layers` imports the module pynet.nn.layers; import its "
      "public names from pynet.nn instead"]),
    ("__init__.py", '"""A tiny pynet."""\nfrom .cli import main\n',
     ["pynet/__init__.py:2: `from .cli import main`: __init__ imports pynet.cli.main; of pynet it may import "
      "nothing"]),
    ("plugins/__init__.py", '"""Not in the table."""\n',
     ["pynet/plugins is in no layer: add it to LAYERS in tests/test_layering.py"]),
    ("io/__init__.py", "x = 1\n",
     ["pynet/io/__init__.py has no docstring: say what the subpackage holds, module by module"]),
    ("data/mnist.py", "",
     ["pynet/data/__init__.py is missing: a subpackage needs one, with a docstring saying what it holds"]),
    ("io/files.py", "x = 1\n" * (MAX_LINES + 1),
     [f"pynet/io/files.py has {MAX_LINES + 1} lines; at most {MAX_LINES}: split it into modules with one job each"]),
])
def test_each_mistake_is_named_with_its_file_line_and_import(tmp_path, file, text, expected):
    assert problems(make_tree(tmp_path, CLEAN | {file: text})) == expected


def test_too_many_modules_directly_in_the_package(tmp_path):
    extra = {f"m{i}.py": "" for i in range(MAX_TOP_MODULES - 2)}  # with __init__ and config, constraints
    found = problems(make_tree(tmp_path, CLEAN | extra))
    assert len(found) == 1 + len(extra)  # the count, and each module is in no layer
    assert found[-1].startswith(f"pynet/ holds {MAX_TOP_MODULES + 1} modules directly (__init__.py, config.py, ")
    assert found[-1].endswith(f"at most {MAX_TOP_MODULES}: move some into a subpackage")
