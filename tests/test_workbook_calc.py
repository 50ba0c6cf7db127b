"""The calculating sheets recalculated headlessly (the ``formulas`` package): unchanged,
they give the values they carry and the library's central NPV and BCR by perspective;
with an input changed in the file, they give what the library gives with that
parameter changed."""

from __future__ import annotations

import io

import numpy as np
import pytest
from openpyxl import load_workbook

from costmodel.analysis.central import central_case
from costmodel.present.workbook import FORMATS
from costmodel.present.workbook_calc import calculation_sheets
from costmodel.present.xlsx import write_workbook

formulas = pytest.importorskip("formulas")

pytestmark = pytest.mark.end_to_end(seconds=15)

#: A small case: each cohort followed for one year after its support (four years).
SMALL = {"years_after_support": 1}
#: The input changed: a unit cost (the cost of a child entering care), by half again.
CHANGED = "savings.outcomes.child_enters_care.cost"
PERSPECTIVES = ("fiscal", "economic", "social", "local", "funder")


@pytest.fixture(scope="module")
def case(params):
    return central_case(params, "central", **SMALL)


@pytest.fixture(scope="module")
def data(case):
    return write_workbook(calculation_sheets(case, case.params.table()), FORMATS)


def recalculate(data: bytes, tmp_path, name: str) -> dict[tuple[str, str], object]:
    """(sheet, cell) → value, every formula recalculated from the file's inputs."""
    path = tmp_path / name
    path.write_bytes(data)
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    out = {}
    for key, v in solution.items():
        ref = str(key)
        if "!" not in ref or ":" in ref:
            continue
        sheet, cell = ref.rsplit("!", 1)
        value = getattr(v, "value", v)
        out[(sheet.split("]", 1)[1].strip("'").upper(), cell)] = np.asarray(value).ravel()[0]
    return out


def appraisal(values, sheet) -> dict[str, tuple[float, float]]:
    """Perspective → (NPV, BCR) as the Appraisal sheet gives them."""
    out = {}
    for r in range(2, sheet.max_row + 1):
        name = sheet.cell(row=r, column=1).value
        out[name] = (float(values[("APPRAISAL", f"D{r}")]), float(values[("APPRAISAL", f"E{r}")]))
    return out


def input_row(ws, path: str) -> int:
    headers = [c.value for c in ws[1]]
    col = headers.index("Parameter path") + 1
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=col).value == path]
    assert len(rows) == 1, path
    return rows[0]


def test_unchanged_workbook_recalculates_to_its_values_and_the_library(case, data, tmp_path):
    values = recalculate(data, tmp_path, "unchanged.xlsx")
    book = load_workbook(io.BytesIO(data))
    cached = load_workbook(io.BytesIO(data), data_only=True)
    checked = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if not (isinstance(c.value, str) and c.value.startswith("=")):
                    continue
                want = cached[ws.title][c.coordinate].value
                got = values[(ws.title.upper(), c.coordinate)]
                if isinstance(want, bool):
                    assert bool(got) is want, (ws.title, c.coordinate)
                else:
                    assert float(got) == pytest.approx(want, rel=1e-9, abs=1e-6), (
                        ws.title,
                        c.coordinate,
                        c.value,
                    )
                checked += 1
    assert checked > 500
    lib = case.perspectives
    got = appraisal(values, book["Appraisal"])
    assert set(got) == set(PERSPECTIVES) & set(lib.index)
    for view, (npv, bcr) in got.items():
        assert npv == pytest.approx(lib.loc[view, "npv"], rel=1e-6)
        assert bcr == pytest.approx(lib.loc[view, "bcr"], rel=1e-6)
    assert got["fiscal"][0] == pytest.approx(case.npv, rel=1e-6)
    # every check on the Checks sheet holds
    checks = book["Checks"]
    assert checks.max_row >= 6
    assert all(values[("CHECKS", f"C{r}")] for r in range(2, checks.max_row + 1))


def test_changing_an_input_changes_the_results_as_the_library_does(case, data, tmp_path):
    book = load_workbook(io.BytesIO(data))
    ws = book["Inputs"]
    r = input_row(ws, CHANGED)
    old = float(ws.cell(row=r, column=2).value)
    assert old == pytest.approx(float(case.params[CHANGED].value))
    ws.cell(row=r, column=2).value = new = round(old * 1.5, 2)
    buf = io.BytesIO()
    book.save(buf)
    values = recalculate(buf.getvalue(), tmp_path, "changed.xlsx")
    changed = central_case(case.params.with_values({CHANGED: new}), **SMALL)
    lib = changed.perspectives
    got = appraisal(values, book["Appraisal"])
    for view, (npv, bcr) in got.items():
        assert npv == pytest.approx(lib.loc[view, "npv"], rel=1e-6), view
        assert bcr == pytest.approx(lib.loc[view, "bcr"], rel=1e-6), view
    # the change moved the result: a cost saved more makes the fiscal NPV higher
    assert got["fiscal"][0] > case.npv + 1.0
