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


def readme_commands() -> list[list[str]]:
    """Every ``costmodel`` command in the README's console and shell blocks, as
    arguments (comments dropped; usage synopses with ``[...]`` are not commands)."""
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for body in re.findall(r"```(?:console|bash)\n(.*?)```", readme, flags=re.S):
        for line in body.splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith(".venv/bin/costmodel") and "[" not in line:
                out.append(shlex.split(line, comments=True)[1:])
    return out


#: Commands run in full by the test; the others (reports, Monte Carlo runs of 10,000
#: draws, calibration, the shipped folder's validation, which tests/test_bad_input.py
#: runs) take minutes together on two cores: the test parses them with the command
#: line's own parser, checks their numbers and resolves their areas and scenarios.
#: ``COSTMODEL_DOCS_FULL=1`` runs every one in full.
CHEAP = {"baseline", "scenarios", "replicate", "new-area"}


def test_every_readme_command_runs_as_written(tmp_path, monkeypatch, capsys):
    """In a folder holding a copy of the parameters (so ``validate parameters/`` and
    ``reports/...`` resolve, and ``new-area`` writes to the copy): each command exits 0,
    except ``validate`` of a new area not yet filled in, which refuses it; the TODOs are
    then filled in as the README says before the next command."""
    import os
    import shutil

    from costmodel.cli import _check_options, _default_scenario, _parser, main
    from costmodel.params.scenarios import apply_scenario
    from costmodel.params.store import default_root, load

    commands = readme_commands()
    assert ["baseline", "--area", "england_and_wales", "--by", "agency", "--format", "json"] in (
        commands
    )
    shutil.copytree(default_root(), tmp_path / "parameters")
    (tmp_path / "reports").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COSTMODEL_PARAMETERS", str(tmp_path / "parameters"))
    full = os.environ.get("COSTMODEL_DOCS_FULL") == "1"
    new = None
    for argv in commands:
        if argv[0] in CHEAP or full or (argv[0] == "validate" and new and argv == ["validate"]):
            got = main(argv)
            err = capsys.readouterr().err
            if argv == ["validate"] and new:
                assert got == 1 and "still to fill in" in err, err  # refused until filled in
                _fill(tmp_path / "parameters" / "areas" / new)
                assert main(argv) == 0, capsys.readouterr().err
                new = None
            else:
                assert got == 0, (argv, err)
            if argv[0] == "new-area":
                new = argv[1]
            continue
        args = _parser().parse_args(argv)
        _check_options(args)
        _default_scenario(args)
        if new is not None:  # not yet filled in: the README validates first
            continue
        params = load(getattr(args, "area", None))
        chosen = getattr(args, "scenario", None)
        names = [chosen] if isinstance(chosen, str) else chosen or getattr(args, "names", [])
        for name in names:
            apply_scenario(params, name)
    assert new is None


def _fill(area: Path) -> None:
    """What an analyst writes in place of each TODO of a new area's files."""
    values = {
        "# a proportion, e.g. 0.0146": "0.00066",
        "# how it was worked out": "7,600 children over 11.5 million",
        "# a date, e.g. 2019-04-01": "2020-04-01",
        "# years, e.g. 3": "3",
        "# a number of families": "60",
        "# pounds per family": "3000",
        "# e.g. 2019/20": "2019/20",
    }
    for file in area.rglob("*.yaml"):
        lines = []
        for line in file.read_text(encoding="utf-8").splitlines():
            for hint, value in values.items():
                if "TODO" in line and hint in line:
                    line = line.split("TODO")[0] + value
            lines.append(line.replace("{title: TODO, url: TODO}", "{title: ONS, url: x}"))
        file.write_text("\n".join(lines) + "\n", encoding="utf-8")
