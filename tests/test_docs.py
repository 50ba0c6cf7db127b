"""The API reference that ``make docs`` builds covers every module of the package."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def docs_modules() -> list[str]:
    """The modules the Makefile's docs target hands to pdoc."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    line = next(x for x in text.splitlines() if "-m pdoc" in x)
    return re.findall(r"\bcostmodel(?:\.[a-z_]+)*\b", line.split("docs/api", 1)[1])


def test_every_module_gets_a_page(tmp_path):
    modules = docs_modules()
    assert "costmodel" in modules and len(modules) > 1
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pdoc",
            "--docformat",
            "restructuredtext",
            "-o",
            str(tmp_path),
            *modules,
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    package = ROOT / "costmodel"
    for source in package.rglob("*.py"):
        rel = source.relative_to(ROOT).with_suffix("")
        if rel.name == "__main__":
            continue
        page = tmp_path / (rel.parent if rel.name == "__init__" else rel).with_suffix(".html")
        assert page.is_file(), f"no API page for {rel}"
    index = (tmp_path / "costmodel.html").read_text()
    assert "project" in index and "evppi" in index
