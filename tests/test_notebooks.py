"""The guided notebooks: committed clean and thin, and each runs top to bottom."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from costmodel import cli

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
ipykernel_kernelspec = pytest.importorskip("ipykernel.kernelspec")

pytestmark = pytest.mark.end_to_end(seconds=45)

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = [
    "01_cost_of_late_intervention.ipynb",
    "02_families_the_team_reaches.ipynb",
    "03_savings_scenarios.ipynb",
    "04_your_own_scenario.ipynb",
]
FIRST_CELL = "import costmodel.present.widgets as cw"

# Cells added to the copy that is run, never to the committed notebooks.
# The views catch bad input and show it as a one-line message (``view.error``) instead of
# raising, so after every code cell no view may hold an error.
NO_VIEW_ERRORS = """\
__errors = {
    __k: __v.error
    for __k, __v in dict(globals()).items()
    if not __k.startswith("_")
    and isinstance(__v, (cw.BaselineView, cw.ReachView, cw.SavingsView, cw.ScenarioBuilder))
    and __v.error
}
assert not __errors, __errors
"""
# What each notebook must have computed by its end.
FINAL_CHECKS = {
    "01_cost_of_late_intervention.ipynb": (
        "import costmodel\n"
        "want = costmodel.baseline(view.params, view.area.value, view.price_year.value)\n"
        "assert view.result.table.equals(want.table)\n"
        "assert set(view.per_head) >= {'northamptonshire', 'england_and_wales'}"
    ),
    "02_families_the_team_reaches.ipynb": ("assert view.monte_carlo and view.result.runs == 50"),
    "03_savings_scenarios.ipynb": (
        "import costmodel\n"
        "mc = view.monte_carlo\n"
        "again = costmodel.project(view.current_params(), None, draws=mc.draws, seed=1, "
        "check_area=False)\n"
        "assert (again.appraisal.npv == mc.appraisal.npv).all()\n"
        "assert set(view.comparison) == {'calibrated', 'cautious', 'optimistic'}\n"
        "assert view.tornado is not None and view.monte_carlo is not None"
    ),
    "04_your_own_scenario.ipynb": "assert path.is_file() and pdf.is_file()",
}
# Last: which Python ran the notebook.
PREFIX_CELL = "import sys\nprint(sys.prefix)"


def _read(name: str):
    return nbformat.read(NOTEBOOKS_DIR / name, as_version=4)


def _code_cells(nb) -> list:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


@pytest.fixture(scope="session")
def jupyter_path(tmp_path_factory) -> Path:
    """A folder holding a ``python3`` kernelspec that starts this interpreter.

    The ``python3`` kernelspec normally resolves to the one ipykernel installs in the
    virtual environment (``.venv/share/jupyter/kernels/python3``, whose ``python`` command
    jupyter_client replaces with ``sys.executable``). A ``python3`` kernelspec in the
    user's own Jupyter folder (``~/.local/share/jupyter``) or with
    ``JUPYTER_PREFER_ENV_PATH=0`` could shadow it and run the notebooks in another Python
    without costmodel. So the tests write a kernelspec whose command is this test run's
    ``sys.executable`` and put its folder first on ``JUPYTER_PATH``, which Jupyter searches
    before any other; each run also checks ``sys.prefix`` inside the kernel.
    """
    base = tmp_path_factory.mktemp("jupyter")
    (base / "kernels").mkdir()
    ipykernel_kernelspec.write_kernel_spec(base / "kernels" / "python3")
    return base


def test_the_four_notebooks_are_there():
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")) == NOTEBOOKS


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")))
def test_notebook_is_committed_clean_and_thin(name):
    nb = _read(name)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert "widgets" not in nb.metadata, "widget state saved in the notebook"
    code = _code_cells(nb)
    assert 6 <= len(nb.cells) <= 12
    assert code[0].source.strip() == FIRST_CELL
    for cell in code:
        assert cell.outputs == [], f"{name}: a code cell has outputs"
        assert cell.execution_count is None, f"{name}: a code cell has an execution count"
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            ), f"{name}: logic belongs in costmodel.present.widgets, not in a notebook:\n" + (
                cell.source
            )
            if isinstance(node, ast.Import):
                assert [a.name for a in node.names] == ["costmodel.present.widgets"], cell.source
            assert not isinstance(node, ast.ImportFrom), cell.source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_top_to_bottom(name, tmp_path, monkeypatch, jupyter_path):
    # Set in os.environ before the kernel starts, so the kernel inherits them.
    monkeypatch.setenv("COSTMODEL_NOTEBOOK_DRAWS", "50")
    monkeypatch.setenv("COSTMODEL_OUTPUT_DIR", str(tmp_path))
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter_path))

    nb = _read(name)  # a copy in memory: outputs are never written back to the repository
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(NO_VIEW_ERRORS))
    cells.append(nbformat.v4.new_code_cell(FINAL_CHECKS[name]))
    cells.append(nbformat.v4.new_code_cell(PREFIX_CELL))
    nb.cells = cells
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    client.execute()

    errors = [
        f"{out.ename}: {out.evalue}"
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert errors == []

    prefix = "".join(
        out.get("text", "") for out in nb.cells[-1].outputs if out.output_type == "stream"
    ).strip()
    assert Path(prefix).resolve() == Path(sys.prefix).resolve(), "kernel ran another Python"

    if name.startswith("04_"):
        yaml_path = tmp_path / "five_posts.yaml"
        assert yaml_path.is_file()
        assert list(tmp_path.glob("*.pdf")), "no PDF report written"
        assert cli.main(["project", "--scenario", str(yaml_path), "--draws", "20"]) == 0
