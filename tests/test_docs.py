"""The documentation: every code block in README.md and docs/ runs as written, the site
builds, and the API reference covers every module of the package.

Each ```python block runs in a fresh namespace; each line of a ```bash or ```console
block that calls ``costmodel`` (``.venv/bin/costmodel`` or ``costmodel``, after any
``$`` prompt) runs through ``costmodel.cli.main`` and must exit 0. All of them run in
one process, with the working directory in a temporary folder holding a copy of the
parameters (so a command that writes, writes there). A block preceded by a visible
``<!-- not run: reason -->`` marker is skipped, and there are few of them.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.end_to_end(seconds=35)

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
NOT_RUN = re.compile(r"<!--\s*not run:\s*(.+?)\s*-->\s*$", re.S)
MOST_NOT_RUN = 5
SHELL = {"bash", "console", "sh", "shell"}


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    language: str
    code: str
    not_run: str | None

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    def commands(self) -> list[list[str]]:
        """The costmodel command lines of a shell block, as argument lists."""
        text = self.code.replace("\\\n", " ")
        found = []
        for raw in text.splitlines():
            line = raw.strip().removeprefix("$ ").strip()
            if re.match(r"(\.venv/bin/)?costmodel(\s|$)", line):
                found.append(shlex.split(line, comments=True)[1:])
        return found


def blocks() -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            before = text[: match.start()].rstrip().rsplit("\n", 1)[-1]
            marker = NOT_RUN.match(before.strip())
            found.append(
                Block(
                    page=page,
                    line=text.count("\n", 0, match.start()) + 1,
                    language=match.group(1).lower(),
                    code=match.group(2),
                    not_run=marker.group(1) if marker else None,
                )
            )
    return found


BLOCKS = blocks()
PYTHON = [b for b in BLOCKS if b.language == "python" and not b.not_run]
COMMANDS = [b for b in BLOCKS if b.language in SHELL and b.commands() and not b.not_run]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A project folder of its own: the parameters, the docs' example files, reports/."""
    root = tmp_path_factory.mktemp("docs")
    shutil.copytree(ROOT / "parameters", root / "parameters")
    shutil.copytree(ROOT / "docs" / "examples", root / "docs" / "examples")
    (root / "reports").mkdir()
    return root


@pytest.fixture
def in_workdir(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("COSTMODEL_PARAMETERS", str(workdir / "parameters"))
    monkeypatch.setenv("COSTMODEL_OUTPUT_DIR", str(workdir / "reports"))
    monkeypatch.delenv("COSTMODEL_AREA", raising=False)
    return workdir


def test_the_pages_have_code_to_run():
    assert {b.page.name for b in PYTHON} >= {"README.md", "quick-start.md", "savings.md"}
    assert sum(len(b.commands()) for b in COMMANDS) >= 15


def test_blocks_not_run_are_few_and_say_why():
    skipped = [b for b in BLOCKS if b.not_run]
    assert len(skipped) <= MOST_NOT_RUN, [b.name for b in skipped]
    for b in skipped:
        assert len(b.not_run) > 20, f"{b.name}: say why it is not run"
        assert b.language == "python" or b.commands(), f"{b.name}: a marker on a block never run"
    every = sum(p.read_text(encoding="utf-8").count("<!-- not run:") for p in PAGES)
    assert every == len(skipped), "a not-run marker must stand just above its block"


def test_no_synopsis_hides_in_a_shell_block():
    """Usage lines with [options] belong in ```text blocks, where nothing runs them."""
    for b in COMMANDS:
        for words in b.commands():
            assert not any(w.startswith("[") for w in words), f"{b.name}: {words}"


@pytest.mark.parametrize("block", PYTHON, ids=lambda b: b.name)
def test_python_block_runs(block, in_workdir, capsys):
    code = compile(block.code, block.name, "exec")
    exec(code, {"__name__": "__docs__"})


@pytest.mark.parametrize("block", COMMANDS, ids=lambda b: b.name)
def test_command_block_runs(block, in_workdir):
    from costmodel.cli import main

    for argv in block.commands():
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        assert code == 0, f"{block.name}: costmodel {shlex.join(argv)}\n{err.getvalue()}"
        assert out.getvalue().strip(), f"{block.name}: costmodel {shlex.join(argv)} printed nothing"


def test_the_readme_is_short_and_its_links_resolve():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    assert "make test" in readme
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme):
        if "://" not in target:
            assert (ROOT / target).exists(), f"README links to {target}, which is missing"


def test_every_page_is_in_the_site():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in (ROOT / "docs").glob("*.md"):
        assert f": {page.name}\n" in nav, f"{page.name} is not in mkdocs.yml's nav"


def docs_modules() -> list[str]:
    """The modules the Makefile's docs target hands to pdoc."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    line = next(x for x in text.splitlines() if "-m pdoc" in x)
    return re.findall(r"\bcostmodel(?:\.[a-z_]+)*\b", line.split("site/api", 1)[1])


def test_the_site_builds_with_every_module_in_its_api_reference(tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    assert (site / "index.html").is_file() and (site / "quick-start" / "index.html").is_file()
    modules = docs_modules()
    assert "costmodel" in modules and len(modules) > 1
    api = site / "api"
    import pdoc
    import pdoc.render

    pdoc.render.configure(docformat="restructuredtext")  # as the Makefile's pdoc line
    pdoc.pdoc(*modules, output_directory=api)  # in this process: the modules are imported
    package = ROOT / "costmodel"
    for source in package.rglob("*.py"):
        rel = source.relative_to(ROOT).with_suffix("")
        if rel.name == "__main__":
            continue
        page = api / (rel.parent if rel.name == "__init__" else rel).with_suffix(".html")
        assert page.is_file(), f"no API page for {rel}"
    index = (api / "costmodel.html").read_text()
    assert "project" in index and "evppi" in index
