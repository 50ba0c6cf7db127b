"""The workbook as an analyst opens it: formats, dates, frozen headers, totals as formulas,
cashable savings by agency and year, per-draw results and how to reproduce the run."""

from __future__ import annotations

import datetime as dt
import io
import re
import shlex

import numpy as np
import pytest
from openpyxl import load_workbook

from costmodel.analysis.report import report_content
from costmodel.cli import _parser
from costmodel.model.projection import project
from costmodel.model.vocabulary import AGENCY_NAMES, WEEKS_PER_QUARTER
from costmodel.present import content as shown
from costmodel.present import workbook
from costmodel.present.labels import (
    AGENCY_LABELS,
    CASH_FLOWS,
    INDICATORS,
    OPTION_FLOWS,
    scenario_label,
)
from costmodel.present.workbook_calc import CALC_SHEETS

pytestmark = pytest.mark.end_to_end(seconds=16)

DRAWS, SEED = 120, 7
CREATED = dt.date(2025, 3, 4)


@pytest.fixture(scope="module")
def content(params):
    return report_content(
        params,
        ["central"],
        draws=DRAWS,
        seed=SEED,
        compare=["no_team"],
        sensitivity_runs=20,
        created=CREATED,
    )


@pytest.fixture(scope="module")
def data(content):
    return workbook.workbook_bytes(content)


@pytest.fixture(scope="module")
def book(data):
    return load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def cached(data):
    """The same workbook as a reader that does not recalculate sees it."""
    return load_workbook(io.BytesIO(data), data_only=True)


# ------------------------------------------------------------------ helpers


def value(ws, cell) -> float:
    v = cell.value
    if isinstance(v, str) and v.startswith("="):
        return evaluate(ws, v)
    return 0.0 if v is None else float(v)


def evaluate(ws, formula: str) -> float:
    """The value of a formula the workbook writes: ``=SUM(ranges)``, ``=A1*B1`` or
    ``=A1-B1+C1``."""
    body = formula.removeprefix("=")
    m = re.fullmatch(r"SUM\((.+)\)", body)
    if m:
        total = 0.0
        for part in m.group(1).split(","):
            cells = ws[part]
            rows = cells if isinstance(cells, tuple) else ((cells,),)
            for row in rows:
                for c in row if isinstance(row, tuple) else (row,):
                    total += value(ws, c)
        return total
    m = re.fullmatch(r"([A-Z]+[0-9]+)\*([A-Z]+[0-9]+)", body)
    if m:
        return value(ws, ws[m.group(1)]) * value(ws, ws[m.group(2)])
    assert re.fullmatch(r"([+-]?[A-Z]+[0-9]+)+", body), formula
    return sum(
        (-1.0 if sign == "-" else 1.0) * value(ws, ws[ref])
        for sign, ref in re.findall(r"([+-]?)([A-Z]+[0-9]+)", body)
    )


def column(ws, starts: str) -> str:
    """The letter of the column whose header starts with ``starts`` (exactly one)."""
    found = [c.column_letter for c in ws[1] if str(c.value).startswith(starts)]
    assert len(found) == 1, (starts, found)
    return found[0]


def row_of(ws, label: str) -> int:
    found = [c.row for c in ws["A"] if c.value == label]
    assert len(found) == 1, (label, found)
    return found[0]


def is_money(fmt: str) -> bool:
    return '"£"#,##0' in fmt and ';("£"' in fmt


# ------------------------------------------------------------------ layout and formats


def test_every_sheet_has_a_bold_frozen_header_in_words(book):
    for ws in book.worksheets:
        assert ws.freeze_panes == "B2", ws.title
        header = [c for c in ws[1] if c.value is not None]
        assert header, ws.title
        for c in header:
            assert c.font.bold, (ws.title, c.value)
            assert "_" not in str(c.value), (ws.title, c.value)  # words, not code names
        assert ws.column_dimensions["A"].width >= 8


def test_money_headers_give_unit_and_price_base(book, content):
    ws = book["Cash flows real"]
    police = f"{CASH_FLOWS['net_police'].long} (£, {content.price_year} prices, real terms"
    assert column(ws, police)
    ws = book["Parameters by draw"]
    care = next(c for c in ws[1] if c.comment and c.comment.text.endswith("child_enters_care.cost"))
    year = content.parameters["savings.outcomes.child_enters_care.cost"].price_year
    assert f"{year} prices" in care.value  # a drawn cost stays in its own price year


def test_money_is_in_pounds_shares_in_percent_ratios_to_two_decimals(book, content):
    ws = book["Summary"]
    est = column(ws, "Estimate")
    npv = ws[f"{est}{row_of(ws, INDICATORS['npv'].long)}"]
    assert is_money(npv.number_format)
    p = ws[f"{est}{row_of(ws, INDICATORS['p_npv_positive'].long)}"]
    assert p.number_format.endswith("%")
    assert p.value == pytest.approx(content.main.p_npv_positive)  # a fraction, not per cent
    assert 0 <= p.value <= 1
    assert ws[f"{est}{row_of(ws, INDICATORS['bcr'].long)}"].number_format == "0.00"
    started = ws[f"{est}{row_of(ws, INDICATORS['families_started'].long)}"]
    assert started.number_format == "#,##0"

    ws = book["Savings by agency"]
    share = column(ws, "Share of net savings")
    cash = column(ws, "Cashable net savings")
    by = content.by_agency()
    for i, agency in enumerate(AGENCY_NAMES, start=2):
        assert ws[f"A{i}"].value == AGENCY_LABELS[agency].long
        assert is_money(ws[f"{cash}{i}"].number_format)
        assert ws[f"{share}{i}"].number_format.endswith("%")
        assert ws[f"{share}{i}"].value == pytest.approx(by.loc[agency, "share"])

    ws = book["Modelled v reported"]
    below = column(ws, "Share of runs below")
    reported = content.reported_against_modelled()["reported_percentile"].to_numpy()
    got = [ws[f"{below}{i}"].value for i in range(2, 2 + len(reported))]
    np.testing.assert_allclose(got, reported / 100)
    assert ws[f"{below}2"].number_format.endswith("%")


def test_negative_money_shows_in_brackets(book):
    ws = book["Cash flows real"]
    benefit = column(ws, CASH_FLOWS["net_benefit"].long)
    fmt = ws[f"{benefit}2"].number_format
    assert fmt == '"£"#,##0;("£"#,##0)'
    assert evaluate(ws, ws[f"{benefit}2"].value) < 0  # the first year's costs outweigh savings


def test_dates_are_excel_dates(book, content):
    ws = book["About"]
    created = ws[f"B{row_of(ws, 'Created')}"]
    assert isinstance(created.value, dt.datetime) and created.is_date
    assert created.value.date() == CREATED
    assert "yy" in created.number_format and "d" in created.number_format

    ws = book["Assumptions"]
    c = ws[f"{column(ws, 'Value')}{row_of(ws, 'team.programme.start_date')}"]
    assert isinstance(c.value, dt.datetime) and c.is_date
    assert c.value.date() == content.parameters["team.programme.start_date"].value


def test_quarters_are_financial_quarters_with_their_own_dates(book, content):
    sim = content.main.simulation
    ws = book["Families by quarter"]
    first, last = column(ws, "First day"), column(ws, "Last day")
    quarter = {4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 3, 11: 3, 12: 3, 1: 4, 2: 4, 3: 4}
    labels = []
    for q in range(sim.quarters):
        r = q + 2
        start = sim.inputs.start_date + dt.timedelta(weeks=WEEKS_PER_QUARTER * q)
        assert ws[f"{first}{r}"].is_date and ws[f"{first}{r}"].value.date() == start
        end = ws[f"{last}{r}"].value.date()
        assert end == start + dt.timedelta(days=7 * WEEKS_PER_QUARTER - 1)
        mid = start + dt.timedelta(days=45)
        fy = mid.year if mid.month >= 4 else mid.year - 1
        labels.append(f"{fy}/{(fy + 1) % 100:02d} Q{quarter[mid.month]}")
        assert ws[f"A{r}"].value == labels[-1]
    assert len(set(labels)) == len(labels)
    mean = column(ws, "Families starting direct work, running total to the quarter's end: mean")
    cum = sim.cumulative("started")["mean"].to_numpy()
    np.testing.assert_allclose([ws[f"{mean}{q + 2}"].value for q in range(sim.quarters)], cum)
    assert "13-week" in ws["A1"].comment.text and "not re-binned" in ws["A1"].comment.text


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2019, 4, 1), "2019/20 Q1"),
        (dt.date(2019, 3, 31), "2018/19 Q4"),
        (dt.date(2019, 6, 30), "2019/20 Q1"),
        (dt.date(2019, 7, 1), "2019/20 Q2"),
        (dt.date(2019, 12, 31), "2019/20 Q3"),
        (dt.date(2020, 1, 1), "2019/20 Q4"),
    ],
)
def test_financial_quarters_start_in_april(day, label):
    assert workbook._financial_quarter(day) == label


# ------------------------------------------------------------------ totals as formulas


def test_cash_flow_totals_are_formulas_giving_the_library_totals(book, content):
    ws = book["Cash flows real"]
    flows = content.cash_flows(basis="real")
    total = row_of(ws, "Total")
    assert total == len(flows) + 1
    for name in flows.columns:
        letter = column(ws, f"{CASH_FLOWS[name].long} (")
        cell = ws[f"{letter}{total}"]
        assert cell.value == f"={'SUM'}({letter}2:{letter}{total - 1})"
        assert evaluate(ws, cell.value) == pytest.approx(flows.loc["Total", name], rel=1e-9)
        assert cell.font.bold
    # net savings is the sum of the agencies, net benefit = net savings − costs, in every year
    net = column(ws, f"{CASH_FLOWS['savings_net'].long} (")
    for r in range(2, total):
        assert ws[f"{net}{r}"].value.startswith("=SUM(")
        year = ws[f"A{r}"].value
        got = evaluate(ws, ws[f"{net}{r}"].value)
        assert got == pytest.approx(flows.loc[year, "savings_net"], rel=1e-9)


def test_baseline_matrix_totals_are_formulas(book, content):
    ws = book["Baseline issue x agency"]
    m = shown.baseline_matrix(content)
    total = row_of(ws, "Total")
    every = column(ws, "All agencies")
    for agency in m.columns[:-1]:
        letter = column(ws, f"{agency} (")
        assert evaluate(ws, ws[f"{letter}{total}"].value) == m.loc["Total", agency]
    for r in range(2, total):
        assert evaluate(ws, ws[f"{every}{r}"].value) == m.loc[ws[f"A{r}"].value, "Total"]
    assert evaluate(ws, ws[f"{every}{total}"].value) == m.loc["Total", "Total"]


def test_every_formula_is_written_with_its_value(book, cached):
    """Readers that do not recalculate (pandas, previews) see the formula's value."""
    formulas = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    formulas += 1
                    got = cached[ws.title][c.coordinate].value
                    if ws.title in CALC_SHEETS:  # recalculated in test_workbook_calc.py
                        assert got is not None, (ws.title, c.coordinate)
                        continue
                    assert got == pytest.approx(evaluate(ws, c.value), rel=1e-9, abs=1e-9), (
                        ws.title,
                        c.coordinate,
                    )
    assert formulas > 100


# ------------------------------------------------------------------ cashable savings


def test_cashable_savings_by_agency_and_year(book, content):
    real, disc = book["Cashable by agency and year"], book["Cashable by agency, discounted"]
    by = content.by_agency()
    factors = content.main.appraisal.discount_factors
    total = row_of(disc, "Total")
    assert total == len(factors) + 2 and row_of(real, "Total") == total
    for agency in AGENCY_NAMES:
        head = f"{AGENCY_LABELS[agency].long} ("
        d, r = column(disc, head), column(real, head)
        # discounted totals are the present values of Savings by agency
        pv = evaluate(disc, disc[f"{d}{total}"].value)
        assert pv == pytest.approx(by.loc[agency, "cashable"], rel=1e-9)
        undiscounted = evaluate(real, real[f"{r}{total}"].value)
        assert undiscounted >= pv - 1e-6  # every factor is at most 1 and savings are positive
        for i, f in enumerate(factors, start=2):
            assert disc[f"{d}{i}"].value == pytest.approx(real[f"{r}{i}"].value * f, rel=1e-12)
    every = column(disc, "All agencies")
    assert evaluate(disc, disc[f"{every}{total}"].value) == pytest.approx(by["cashable"].sum())
    assert real[f"A{total - 1}"].value == content.cash_flows().index[-2]  # the same years


# ------------------------------------------------------------------ per-draw sheets


def test_results_by_draw_are_each_draws_own(book, content):
    ws = book["Results by draw"]
    a = content.main.appraisal
    npv = column(ws, f"{INDICATORS['npv'].long} (")
    bcr = column(ws, f"{INDICATORS['bcr'].long} (")
    assert ws.max_row == DRAWS + 1 and ws["A1"].value == "Draw"
    np.testing.assert_allclose([ws[f"{npv}{i + 2}"].value for i in range(DRAWS)], a.npv)
    np.testing.assert_allclose([ws[f"{bcr}{i + 2}"].value for i in range(DRAWS)], a.bcr)
    assert [ws[f"A{i + 2}"].value for i in range(3)] == [1, 2, 3]
    assert is_money(ws[f"{npv}2"].number_format)

    ws = book["Parameters by draw"]
    table = content.main.draws_table
    assert ws.max_column == len(table.columns) + 1
    for c in ws[1][1:]:
        path = c.comment.text
        got = [ws.cell(row=i + 2, column=c.column).value for i in range(DRAWS)]
        np.testing.assert_allclose(got, table[path].to_numpy(), err_msg=path)
    effect = next(c for c in ws[1] if c.comment and c.comment.text.endswith("care.effect"))
    assert ws.cell(row=2, column=effect.column).number_format.endswith("%")


def test_draw_sheets_stop_at_the_row_limit_and_say_so(content, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_DRAW_ROWS", 50)
    book = load_workbook(io.BytesIO(workbook.workbook_bytes(content)))
    for name in ("Results by draw", "Parameters by draw"):
        ws = book[name]
        assert ws.max_row == 51, name
        assert ws["A1"].value == f"Draw (the first 50 of {DRAWS})"
        assert ws["A51"].value == 50
        assert "at most 50 draws" in ws["A1"].comment.text
    ws = book["Results by draw"]
    npv = column(ws, f"{INDICATORS['npv'].long} (")
    got = [ws[f"{npv}{i + 2}"].value for i in range(50)]
    np.testing.assert_allclose(got, content.main.appraisal.npv[:50])
    about = book["About"]
    line = about[f"B{row_of(about, 'Sheet: Results by draw')}"].value
    assert f"Draws 1 to 50 of the {DRAWS} drawn" in line


# ------------------------------------------------------------------ About


def test_about_gives_the_command_that_reproduces_the_run(book, content, params):
    ws = book["About"]
    command = ws[f"B{row_of(ws, 'To reproduce, run')}"].value
    words = shlex.split(command)
    assert words[:2] == ["costmodel", "report"]
    args = _parser().parse_args(words[1:])
    assert args.scenario == ["central"] and args.compare == ["central", "no_team"]
    assert (args.draws, args.seed, args.area) == (DRAWS, SEED, content.area)
    assert args.price_year == content.price_year and not args.nominal
    again = project(
        params,
        args.scenario[0],
        draws=args.draws,
        seed=args.seed,
        price_year=args.price_year,
        horizon=args.horizon,
        years_after_support=args.years_after_support,
        base_date=args.base_date,
    )
    np.testing.assert_allclose(again.appraisal.npv, content.main.appraisal.npv)
    for item, want in [
        ("costmodel version", content.version),
        ("Price base", content.price_basis),
        ("Parameter fingerprint: central", content.fingerprints["central"]),
        ("Horizon (years appraised)", content.horizon),
        ("Seed", SEED),
    ]:
        assert ws[f"B{row_of(ws, item)}"].value == want, item
    base = ws[f"B{row_of(ws, 'Discounting from (base date)')}"]
    assert base.is_date and base.value.date().isoformat() == content.main.base_date
    sheets = {c.value.removeprefix("Sheet: ") for c in ws["A"] if str(c.value).startswith("Sheet:")}
    assert sheets == set(book.sheetnames) - {"About"}
    link = ws[f"A{row_of(ws, 'Sheet: Results by draw')}"].hyperlink
    assert link.location == "'Results by draw'!A1"


# ------------------------------------------------------------------ the sheets added


def test_calculating_sheets_give_the_reports_npv_at_central_values(cached, content):
    """The Appraisal sheet's fiscal NPV is the Summary's "NPV at central values"."""
    ws = cached["Appraisal"]
    assert ws["A2"].value == "fiscal"
    assert ws["D2"].value == pytest.approx(content.main.central_npv, rel=1e-6)
    names = cached.sheetnames
    at = names.index("Inputs")
    assert names[at : at + len(CALC_SHEETS)] == list(CALC_SHEETS)
    checks = cached["Checks"]
    assert all(checks[f"C{r}"].value is True for r in range(2, checks.max_row + 1))


def test_results_by_perspective_are_each_draws_own(book, content):
    ws = book["Results by perspective"]
    p = content.main
    assert ws.max_row == DRAWS + 1
    for view in p.perspectives().index:
        benefits, costs = p.perspective_draws(str(view))
        word = str(view).capitalize()
        npv = column(ws, f"{word}: net present value (")
        got = [ws[f"{npv}{i + 2}"].value for i in range(DRAWS)]
        np.testing.assert_allclose(got, benefits - costs, err_msg=str(view))
        # the ratio of the means over the draws is the Perspectives sheet's BCR
        b = column(ws, f"{word}: present value of benefits (")
        c = column(ws, f"{word}: present value of costs (")
        mean_b = np.mean([ws[f"{b}{i + 2}"].value for i in range(DRAWS)])
        mean_c = np.mean([ws[f"{c}{i + 2}"].value for i in range(DRAWS)])
        assert mean_b / mean_c == pytest.approx(p.perspectives().loc[view, "bcr"], rel=1e-9)


def test_savings_by_outcome_add_up_to_savings_by_agency(book, cached, content):
    ws, agency = book["Savings by outcome"], cached["Savings by agency"]
    total = row_of(ws, "Total")
    assert ws[f"B{total}"].value.startswith("=SUM(")
    got = cached["Savings by outcome"][f"B{total}"].value
    assert got == pytest.approx(agency[f"B{agency.max_row}"].value, rel=1e-9)
    assert total == len(content.main.inputs.outcomes) + 2


def test_spend_by_financial_year_adds_up_to_the_teams_spend(book, cached, content):
    ws = cached["Spend by financial year"]
    fy = content.budget_by_financial_year()
    assert [ws[f"A{r}"].value for r in range(2, ws.max_row + 1)] == list(fy.index)
    assert book["Spend by financial year"][f"B{ws.max_row}"].value.startswith("=SUM(")
    assert ws[f"B{ws.max_row}"].value == pytest.approx(
        content.main.simulation.quarterly["spend"].mean(axis=0).sum(), rel=1e-9
    )


def test_cash_flows_by_scenario_hold_every_scenario_compared(cached, content):
    ws = cached["Cash flows by scenario"]
    benefit = column(ws, f"{CASH_FLOWS['net_benefit'].long} (")
    for name in content.compared:
        t = content.cash_flows(name)
        r = row_of(ws, f"{scenario_label(name)}: Total")
        assert ws[f"{benefit}{r}"].value == pytest.approx(t.loc["Total", "net_benefit"], rel=1e-9)


def test_cash_flows_by_option_add_up_to_each_options_incremental_npv(book, cached, content):
    """Each option's extra discounted net benefit, year by year, sums (a formula) to the
    incremental NPV the Decision options sheet and the library give; the extra present
    values of costs and savings likewise; the counterfactual has no increment."""
    d = content.decision
    assert d is not None
    names = book.sheetnames
    assert names.index("Cash flows by option") == names.index("Cash flows by scenario") + 1
    ws, values = book["Cash flows by option"], cached["Cash flows by option"]
    decided = dt.date.fromisoformat(d.decision_date)
    against = scenario_label(d.counterfactual)
    real = f"£, {d.price_year} prices, real terms"
    discounted = f"({real}, discounted to {decided.day} {decided:%B %Y})"

    def extra(key: str, unit: str) -> str:
        words = OPTION_FLOWS[key].long
        return column(ws, f"Less {against}: {words[:1].lower()}{words[1:]} {unit}")

    npv = extra("net_benefit_discounted", discounted)
    costs = extra("costs_discounted", discounted)
    savings = extra("savings_net_discounted", discounted)
    benefit = extra("net_benefit", f"({real}, undiscounted)")
    own = column(ws, f"{OPTION_FLOWS['net_benefit'].long} ({real}, undiscounted)")
    inc = d.incremental()
    rows = {str(c.value): c.row for c in ws["A"][1:]}
    assert len(rows) == ws.max_row - 1  # every label once
    for o in d.options:
        total = rows[f"{scenario_label(o)}: Total"]
        years = [r for k, r in rows.items() if k.startswith(f"{scenario_label(o)}: ")][:-1]
        assert years == list(range(years[0], total))
        cell = ws[f"{npv}{total}"]
        assert cell.value == f"=SUM({npv}{years[0]}:{npv}{total - 1})"
        for letter, want in ((npv, "npv"), (costs, "pv_costs"), (savings, "pv_savings_net")):
            got = evaluate(ws, ws[f"{letter}{total}"].value)
            assert got == pytest.approx(inc.loc[o, want], rel=1e-9, abs=1e-6)
            assert values[f"{letter}{total}"].value == pytest.approx(got, rel=1e-12)
            assert sum(values[f"{letter}{r}"].value for r in years) == pytest.approx(got, rel=1e-9)
        # the undiscounted increment: the option's own net benefit less the counterfactual's
        flows = content.option_cash_flows(o, against_counterfactual=True)
        assert evaluate(ws, ws[f"{benefit}{total}"].value) == pytest.approx(
            flows.loc["Total", "net_benefit"], rel=1e-9
        )
        mine, theirs = content.option_cash_flows(o), content.option_cash_flows(d.counterfactual)
        year = str(flows.index[0])
        first = values[f"{benefit}{years[0]}"].value
        assert first == pytest.approx(
            mine.loc[year, "net_benefit"] - theirs.loc[year, "net_benefit"], rel=1e-9
        )
        assert values[f"{own}{years[0]}"].value == pytest.approx(mine.loc[year, "net_benefit"])
    for label, r in rows.items():
        if label.startswith(f"{against}: "):  # the counterfactual less itself: nothing shown
            assert all(ws[f"{c}{r}"].value is None for c in (npv, costs, savings, benefit))
    about = book["About"]
    assert row_of(about, "Sheet: Cash flows by option")


def test_option_cash_flows_discount_as_the_appraisal_does(content):
    """Discounted = undiscounted × the factor the option's appraisal applies, and the
    total row adds up the years (no total of the factors)."""
    d = content.decision
    for name in (d.counterfactual, *d.options):
        t = content.option_cash_flows(name)
        years = t.drop(index="Total")
        factors = d.projections[name].appraisal.discount_factors
        np.testing.assert_allclose(years["discount_factor"], factors)
        for k in ("costs", "savings_net", "net_benefit"):
            np.testing.assert_allclose(years[f"{k}_discounted"], years[k] * factors, rtol=1e-12)
            assert t.loc["Total", k] == pytest.approx(years[k].sum(), rel=1e-12)
        assert np.isnan(t.loc["Total", "discount_factor"])
        assert (years["net_benefit"] == years["savings_net"] - years["costs"]).all()
    with pytest.raises(ValueError, match="not an option"):
        content.option_cash_flows(d.counterfactual, against_counterfactual=True)
