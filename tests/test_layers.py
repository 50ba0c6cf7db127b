"""The package's layers: params < greenbook < model < analysis < present.

Each layer imports only those before it. The command line (``costmodel.cli``), the
package's ``__init__`` and ``__main__`` sit outside the layers and may import any of
them; no layer imports the command line. Imports are read from the source with
:mod:`ast`, so nothing is imported to check them, and imports inside functions count.
"""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = "costmodel"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE
LAYERS = ("params", "greenbook", "model", "analysis", "present")
OUTSIDE = ("cli", "__main__", "__init__")


def modules() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts)


def dotted_name(file: Path) -> tuple[str, bool]:
    """The module's dotted name and whether it is a package's ``__init__``."""
    parts = file.relative_to(ROOT.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def imported_names(source: str, module: str, is_package: bool) -> list[tuple[str, int]]:
    """Every module a source imports, as absolute dotted names, with line numbers.

    ``from X import a`` yields both ``X`` and ``X.a`` (``a`` may be a submodule), so
    ``from .. import present`` counts as importing ``costmodel.present``.
    """
    package = module if is_package else module.rpartition(".")[0]
    out: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                if node.level - 1 >= len(parts):
                    out.append(("<beyond the top package>", node.lineno))
                    continue
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            out.append((target, node.lineno))
            out += [
                (f"{target}.{alias.name}", node.lineno) for alias in node.names if alias.name != "*"
            ]
    return out


def part_of(name: str) -> str | None:
    """The part of the package a dotted name points at: a layer, ``cli``, or None."""
    parts = name.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    return parts[1] if parts[1] in (*LAYERS, "cli", "__main__") else None


def layer_of(module: str) -> str | None:
    """The layer a module belongs to (None for the modules outside the layers)."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in ("cli", "__main__"):
        return None
    return parts[1] if parts[1] in LAYERS else None


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Imports in ``source`` (the text of ``module``) that reach a higher layer or the CLI."""
    own = layer_of(module)
    if own is None:
        return []
    rank = LAYERS.index(own)
    out = []
    for name, line in imported_names(source, module, is_package):
        target = part_of(name)
        if name == "<beyond the top package>":
            out.append(f"{module}:{line}: relative import beyond the package")
        elif target in ("cli", "__main__"):
            out.append(f"{module}:{line}: the {own} layer imports {name} (the command line)")
        elif target in LAYERS and LAYERS.index(target) > rank:
            out.append(
                f"{module}:{line}: the {own} layer imports {name}, from the higher {target} layer"
            )
    return sorted(set(out))


# --------------------------------------------------------------------------- the checker


def test_every_module_is_in_a_layer_or_named_as_outside():
    for file in modules():
        rel = file.relative_to(ROOT)
        if len(rel.parts) == 1:
            assert rel.stem in OUTSIDE, f"{rel} sits outside every layer"
        else:
            assert rel.parts[0] in LAYERS, f"{rel} is in no known layer"


def test_the_checker_resolves_relative_and_absolute_imports():
    names = [
        n
        for n, _ in imported_names(
            textwrap.dedent("""
        from ..params.store import load
        from . import team
        from .. import present
        import costmodel.analysis.sensitivity
        from costmodel.greenbook import prices

        def later():
            from ...outside import x
    """),
            "costmodel.model.projection",
            False,
        )
    ]
    assert "costmodel.params.store" in names
    assert "costmodel.model.team" in names
    assert "costmodel.present" in names
    assert "costmodel.analysis.sensitivity" in names
    assert "costmodel.greenbook.prices" in names
    assert "<beyond the top package>" in names
    # in a package's __init__, "." is the package itself
    init = [
        n
        for n, _ in imported_names(
            "from .store import load\nfrom .. import cli\n", "costmodel.params", True
        )
    ]
    assert init[:2] == ["costmodel.params.store", "costmodel.params.store.load"]
    assert "costmodel.cli" in init


@pytest.mark.parametrize(
    "source",
    [
        "from ..present import labels",
        "from ..present.labels import ISSUES",
        "from .. import present",
        "import costmodel.present.pdf",
        "from costmodel.analysis import sensitivity",
        "def f():\n    from ..analysis.value_of_information import evppi\n    return evppi",
        "from .. import cli",
        "from costmodel.cli import main",
    ],
)
def test_the_checker_finds_an_import_of_a_higher_layer(source):
    assert violations(source, "costmodel.model.savings"), source


@pytest.mark.parametrize(
    "source",
    [
        "from ..params.store import load",
        "from ..greenbook import prices",
        "from .team import reach",
        "from . import vocabulary",
        "import numpy as np",
        "from .. import __version__",
    ],
)
def test_the_checker_allows_imports_of_the_same_or_lower_layers(source):
    assert violations(source, "costmodel.model.savings") == []


def test_the_checker_knows_the_order_of_every_layer():
    assert violations("from ..greenbook import prices", "costmodel.params.store")
    assert violations("from ..model import team", "costmodel.greenbook.prices")
    assert violations("from ..present import labels", "costmodel.analysis.sensitivity")
    assert violations("from ..analysis import sensitivity", "costmodel.present.pdf") == []
    # outside the layers anything goes
    assert violations("from .present import labels", "costmodel.cli") == []
    assert violations("from .present.pdf import write_report", "costmodel", True) == []
    # a subpackage's __init__ belongs to its layer
    assert violations("from ..present import labels", "costmodel.model", True)


# --------------------------------------------------------------------------- present formats

#: What ``present/`` may take from ``model/``: the types results are made of, the
#: model's vocabulary of keys (names and the calendar) and its other named constants
#: (``UPPER_CASE``: data, not computing).
RESULT_TYPES = frozenset(
    {
        "Baseline",
        "Calibration",
        "Observation",
        "OptionsAppraisal",
        "Projection",
        "ReachInputs",
        "ReachResult",
        "Totals",
    }
)
VOCABULARY = f"{PACKAGE}.model.vocabulary"


def model_uses(source: str, module: str, is_package: bool = False) -> list[str]:
    """Imports in ``source`` (a module of ``present/``) that take from ``model/`` more
    than a result type, the vocabulary or a named constant: a function or a whole module
    (whose functions it could call)."""
    package = module if is_package else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if part_of(alias.name) == "model" and alias.name != VOCABULARY:
                    out.append(f"{module}:{node.lineno}: imports the module {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:
                name = f"{target}.{alias.name}"
                if target == VOCABULARY:
                    continue
                if target == PACKAGE and alias.name == "model":
                    out.append(f"{module}:{node.lineno}: imports the module {name}")
                elif (
                    part_of(target) == "model"
                    and alias.name not in RESULT_TYPES
                    and not alias.name.isupper()
                ):
                    out.append(f"{module}:{node.lineno}: takes {name} from the model")
    return sorted(out)


@pytest.mark.parametrize(
    "source",
    [
        "from ..model.projection import project",
        "from ..model.late_intervention import Baseline, baseline",
        "from ..model.programme import programmes",
        "from ..model.savings import evidence_class",
        "from ..model import projection",
        "from .. import model",
        "import costmodel.model.team",
        "from costmodel.model.team import reach",
        "def f():\n    from ..model.team import reach\n    return reach",
    ],
)
def test_the_present_checker_finds_a_model_function_or_module(source):
    assert model_uses(source, "costmodel.present.pdf"), source


@pytest.mark.parametrize(
    "source",
    [
        "from ..model.projection import Projection",
        "from ..model.late_intervention import Baseline",
        "from ..model.team import ReachResult",
        "from costmodel.model.decision import OptionsAppraisal",
        "from ..model.vocabulary import AGENCY_NAMES, WEEKS_PER_QUARTER",
        "from ..model.savings import GRADES, S",
        "from ..analysis.report import ReportContent, report_content",
        "from .labels import AGENCY_LABELS",
        "import numpy as np",
    ],
)
def test_the_present_checker_allows_result_types_and_the_vocabulary(source):
    assert model_uses(source, "costmodel.present.pdf") == []


def test_the_result_types_are_classes_of_the_model():
    defined = {
        node.name
        for file in (ROOT / "model").glob("*.py")
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    }
    assert defined >= RESULT_TYPES, RESULT_TYPES - defined


def test_present_formats_what_the_results_hold():
    """``present/`` computes no model numbers: from ``model/`` it imports only result
    types, the vocabulary and named constants (the app's views run the model through
    :mod:`costmodel.analysis.explore`)."""
    found = []
    for file in modules():
        module, is_package = dotted_name(file)
        if layer_of(module) == "present":
            found += model_uses(file.read_text(encoding="utf-8"), module, is_package)
    assert found == []


# --------------------------------------------------------------------------- the package


def test_no_module_imports_a_higher_layer():
    found = []
    for file in modules():
        module, is_package = dotted_name(file)
        found += violations(file.read_text(encoding="utf-8"), module, is_package)
    assert found == []


def test_the_layers_are_imported_somewhere():
    """The check is not vacuous: every layer but the top is imported from a higher one."""
    seen: set[tuple[str, str]] = set()
    for file in modules():
        module, is_package = dotted_name(file)
        own = layer_of(module)
        for name, _ in imported_names(file.read_text(encoding="utf-8"), module, is_package):
            target = part_of(name)
            if own and target in LAYERS and target != own:
                seen.add((own, target))
    for lower, higher in itertools.pairwise(LAYERS):
        assert (higher, lower) in seen, f"nothing in {higher} imports {lower}"


def test_every_subpackage_has_a_docstring_of_a_paragraph():
    for layer in LAYERS:
        init = ROOT / layer / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"costmodel.{layer} has no docstring"
        paragraphs = [p for p in doc.split("\n\n") if p.strip()]
        summary, body = paragraphs[0], " ".join(paragraphs[1:])
        assert "\n" not in summary.strip(), f"costmodel.{layer}: the summary is one line"
        assert len(body.split()) >= 20, f"costmodel.{layer}: the docstring needs a paragraph"
        assert body.rstrip().endswith("."), f"costmodel.{layer}: the paragraph is unfinished"
    top = ast.get_docstring(ast.parse((ROOT / "__init__.py").read_text(encoding="utf-8")))
    for layer in LAYERS:
        assert f"costmodel.{layer}" in top


def _public_names() -> list[str]:
    tree = ast.parse((ROOT / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "_API" for t in node.targets
        ):
            return [k.value for k in node.value.keys]
    raise AssertionError("costmodel/__init__.py has no _API table")


def _module_names(top_only: bool) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for file in modules():
        rel = file.relative_to(ROOT)
        direct_child = len(rel.parts) == 1 or (len(rel.parts) == 2 and rel.stem == "__init__")
        if top_only and not direct_child:
            continue
        stem = rel.parent.name if rel.stem == "__init__" else rel.stem
        if stem:
            names.setdefault(stem, []).append(str(rel))
    return names


def test_no_subpackage_or_top_level_module_shadows_a_public_name():
    """``import costmodel.X`` sets ``costmodel.X``; X must not be a public function's name."""
    public = set(_public_names())
    clashes = {n: where for n, where in _module_names(top_only=True).items() if n in public}
    assert clashes == {}


def test_no_module_anywhere_has_the_name_of_a_public_name():
    """A public name means one thing: ``costmodel.model.X`` is not a module while
    ``costmodel.X`` is a function."""
    public = set(_public_names())
    clashes = {n: where for n, where in _module_names(top_only=False).items() if n in public}
    assert clashes == {}


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT.parent,
    )


def test_report_content_stays_a_function_after_importing_the_pdf_module():
    result = _run("""
        import types
        import costmodel.present.pdf
        import costmodel
        f = costmodel.report_content
        assert callable(f), f
        assert not isinstance(f, types.ModuleType), f
        assert f.__name__ == "report_content", f
        assert callable(costmodel.write_report)
        assert not isinstance(costmodel.write_report, types.ModuleType)
        print("ok")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_every_public_name_resolves():
    result = _run("""
        import types
        import costmodel
        missing, modules = [], []
        for name in costmodel.__all__:
            try:
                value = getattr(costmodel, name)
            except Exception as exc:
                missing.append(f"{name}: {type(exc).__name__}: {exc}")
                continue
            if isinstance(value, types.ModuleType):
                modules.append(name)
        assert not missing, missing
        assert not modules, modules
        assert sorted(dir(costmodel)) == sorted(costmodel.__all__)
        print(len(costmodel.__all__))
    """)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(_public_names()) + 1  # and __version__


def test_importing_costmodel_imports_no_layer_eagerly():
    result = _run("""
        import sys
        import costmodel
        print(sorted(m for m in sys.modules if m.startswith("costmodel.")))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
