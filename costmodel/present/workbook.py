"""The report's tables as an Excel workbook an analyst can build on (openpyxl).

Every sheet is one table: a single header row of plain words with units and price
base (bold, frozen with the first column), the row labels in the first column, then
the figures. Numbers stay numbers, formatted by what they are (from their labels in
:mod:`.labels`), never by their size: money in pounds with thousands separators and
negatives in brackets, shares and probabilities as percentages (stored as fractions
0–1), ratios to two decimals, counts whole; dates are Excel dates. Totals are
``=SUM()`` formulas over the cells they add up, written with the value they evaluate
to, so that Excel and readers that do not recalculate (pandas, file previews) show the
same figure; ``pandas.read_excel(path, sheet_name=None, index_col=0)`` reads the
workbook back.

The sheets, in order (those of the report's tables as
:meth:`~costmodel.present.content.ReportContent.tables` gives them; a table added there
appears with headers from the labels):

* **About**: the run (area, scenarios, version, created date, price base, discounting
  base date, horizon, draws, seed, parameter fingerprints), the ``costmodel report``
  command that reproduces it, and a line per sheet saying what it holds.
* **Summary**, **Savings by agency** (with a total row), **Savings by outcome** (with
  what each effect rests on), **Savings by evidence** (the shares of net savings by the
  evidence's grade and class that the summary states), **Perspectives**.
* The calculating sheets (:mod:`.workbook_calc`): **Inputs**, **Cohorts**,
  **Persistence**, **Outcomes**, **Discounting**, **Flows**, **Appraisal** and
  **Checks** redo the central case in Excel formulas from the inputs, so that changing
  an input changes NPV and BCR by perspective.
* **Baseline by issue**, **Baseline by agency** and **Baseline issue x agency** (totals
  as formulas).
* **Families by quarter**: running totals by the team simulation's 13-week quarters,
  each labelled with the financial quarter (April–June = Q1) holding its middle, with
  its first and last day as dates; nothing is re-binned. **Spend by financial year**
  (real and cash), **Reach by tier**, **Modelled v reported**.
* **Cash flows real**, **discounted** (with the discount factors) and **nominal**:
  net savings is the sum of the agencies, net benefit = net savings − costs + income,
  and the total row, all formulas.
* **Cashable by agency and year** (real terms, undiscounted) and **Cashable by agency,
  discounted** (its total row is the cashable column of Savings by agency): appraisal
  years by paying agency, with a total row and column.
* **Cash flows by scenario** (every scenario compared, real terms); **Cash flows by
  option** (where the area has a decision: the counterfactual and each option year by
  year from the decision date, undiscounted and discounted, each option less the
  counterfactual beside it, a total row per option; the total of its discounted net
  benefit less the counterfactual's is the option's incremental NPV); **Scenarios**,
  **Sensitivity**, **Switching values**, **Value of information**.
* **Results by draw** and **Parameters by draw**: for the scenario reported in full,
  the headline results and the value of every uncertain parameter in each stored draw,
  one row per draw, up to :data:`MAX_DRAW_ROWS` rows (the first column's header says
  when a run had more); **Results by perspective**: each draw's present values, NPV and
  BCR from every perspective.
* **Assumptions**: every parameter, with its value typed (dates as dates).
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.report import ReportContent
from ..model.vocabulary import AGENCY_NAMES, WEEKS_PER_QUARTER
from ..params.schema import format_financial_year
from . import content as shown
from .formatting import distribution_text, parameter_value
from .labels import (
    AGENCY_LABELS,
    CASH_FLOWS,
    DECISION_COLUMNS,
    EVIDENCE_CLASS_LABELS,
    GROUP_LABELS,
    INDICATORS,
    OPTION_FLOWS,
    OUTCOME_LABELS,
    PERSPECTIVE_LABELS,
    REACH_OUTCOMES,
    SHARE_UNITS,
    STATISTIC_LABELS,
    TIER_LABELS,
    area_label,
    parameter_label,
    perspective_basis,
    scenario_label,
)
from .workbook_calc import calculation_sheets
from .xlsx import MAX_SHEET_NAME, Formula, column_letter, write_workbook

#: Most Monte Carlo draws written to the per-draw sheets (one row each); the sheets say
#: when a run stored more.
MAX_DRAW_ROWS = 10_000
#: Excel number format of each kind of figure.
FORMATS: dict[str, str] = {
    "money": '"£"#,##0;("£"#,##0)',
    "pence": '"£"#,##0.00;("£"#,##0.00)',
    "share": "0.0%",
    "proportion": "0.0##%",
    "ratio": "0.00",
    "factor": "0.0000",
    "number": "#,##0",
    "value": "#,##0.0###",
    "integer": "0",
    "years": "0.0",
    "weeks": "0.0",
    "date": "d mmm yyyy",
    "text": "General",
}
#: The per-draw indicators, in the order the per-draw sheet shows them.
DRAW_INDICATORS: tuple[str, ...] = (
    "npv",
    "bcr",
    "pv_costs",
    "pv_income",
    "pv_savings_gross",
    "pv_savings_net",
    "payback_years",
    "break_even_families",
    "break_even_effect_scale",
    "families_started",
    "families_completed",
    "families_reached_indirectly",
    "families_contacted_light_touch",
    "cost_per_family_started",
)

# Words for the rows and columns of this workbook's own tables.
_PERSPECTIVES = {k: label.long for k, label in PERSPECTIVE_LABELS.items()}
_TIERS = TIER_LABELS
_STATISTICS = STATISTIC_LABELS
_PLURALS = {
    "family": "families",
    "year": "years",
    "week": "weeks",
    "person": "people",
    "post": "posts",
    "count": "number",
    "case": "cases",
    "episode": "episodes",
    "incident": "incidents",
    "hour": "hours",
    "proportion": "share",
}


# ------------------------------------------------------------------ sheets as data


@dataclass
class Sheet:
    """One sheet: a table and how to write it.

    ``frame``'s index is the first column (its name the first header) and its columns
    the other headers, in the words the sheet shows. ``kinds`` gives each header's
    kind (a key of :data:`FORMATS`), or one kind per row. ``total_row``: the last row
    is the total of the rows above in the ``summed`` columns; ``row_sums`` makes a
    column the sum of others in every row; ``row_terms`` makes a column a signed sum
    of others (``(+1, "Net savings"), (-1, "Programme costs")``). All are written as
    formulas. ``notes`` are comments on header cells; ``about`` says what the sheet
    holds (on the About sheet). ``filter`` adds Excel's filter buttons, ``links``
    links rows labelled "Sheet: NAME" to that sheet, and ``bulk`` writes a long table
    of numbers straight into the sheet's XML after its first row (openpyxl takes
    seconds per hundred thousand cells).
    """

    name: str
    frame: pd.DataFrame
    about: str
    kinds: dict[str, str | Sequence[str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    total_row: bool = False
    summed: tuple[str, ...] = ()
    row_sums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    row_terms: dict[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)
    filter: bool = False
    links: bool = False
    bulk: bool = False


class _Bases:
    """The money units of a report, in words."""

    def __init__(self, content: ReportContent) -> None:
        self.price_year = content.price_year
        self.real = f"£, {content.price_year} prices, real terms"

    def money(self, basis: str = "real") -> str:
        return {
            "real": self.real,
            "undiscounted": f"{self.real}, undiscounted",
            "discounted": f"{self.real}, discounted",
            "pv": f"{self.real}, present value",
            "nominal": "£, cash prices of each year",
            "yearly": f"£ a year, {self.price_year} prices",
        }[basis]


def _unit_words(unit: str, money: str) -> str:
    """An indicator's unit in words: ``GBP/family`` → ``£ per family, 2018/19 prices…``."""
    if unit.startswith("GBP"):
        per = unit.partition("/")[2]
        head, _, rest = money.partition(",")
        return f"{head} per {per},{rest}" if per else money
    return _PLURALS.get(unit, unit)


def _indicator_unit(key: str, bases: _Bases) -> str:
    lab = INDICATORS.get(key)
    if lab is None:
        return ""
    if lab.kind == "share":
        return "%"
    pv = key.startswith(("pv_", "npv"))
    return _unit_words(lab.unit, bases.money("pv" if pv else "real"))


def _indicator_kind(key: str) -> str:
    lab = INDICATORS.get(key)
    return lab.kind if lab is not None else "number"


def _header(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


def _parameter(content: ReportContent, path: str) -> Any:
    """The parameter holding ``path`` (itself, or the table it is an entry of)."""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in content.parameters:
            return content.parameters[key]
    return None


def _parameter_unit(content: ReportContent, path: str, price_year: bool = True) -> tuple[str, str]:
    """(kind, unit in words) of the values of the parameter at ``path``, with the price
    year of money unless ``price_year`` is false."""
    p = _parameter(content, path)
    unit = getattr(p, "unit", "") or ""
    year = getattr(p, "price_year", None) if price_year else None
    if unit.startswith("GBP"):
        per = unit.partition("/")[2]
        words = "£" + (f" per {per}" if per else "") + (f", {year} prices" if year else "")
        return "money", words
    if unit in SHARE_UNITS:
        return "proportion", "share"
    if unit == "date":
        return "date", "date"
    return "value", _PLURALS.get(unit, unit.replace("/", " per "))


def _parameter_cell_kind(kind: str, value: object) -> str:
    """A parameter value's kind: pence shown where a sum of money has them."""
    if isinstance(value, (dt.date, str, dict)):
        return "date" if isinstance(value, dt.date) else "text"
    if kind == "money" and isinstance(value, float) and not float(value).is_integer():
        return "pence"
    if kind == "value" and isinstance(value, (int, float)) and float(value).is_integer():
        return "number"
    return kind


def _name_words(name: str) -> tuple[str, str]:
    """(words, kind) of a column of a table this module does not know by name."""
    for table in (CASH_FLOWS, INDICATORS, REACH_OUTCOMES):
        if name in table:
            return table[name].long, table[name].kind
    base, _, stat = name.rpartition("_")
    if base and stat in _STATISTICS and base in REACH_OUTCOMES:
        lab = REACH_OUTCOMES[base]
        return f"{lab.long}: {_STATISTICS[stat]}", lab.kind
    words = name.replace("_", " ")
    words = words[:1].upper() + words[1:]
    if "share" in name or name.startswith("p_"):
        return words, "share"
    if any(w in name for w in ("cost", "spend", "saving", "npv", "pv_", "value", "gbp")):
        return words, "money"
    return words, "number"


def _financial_quarter(day: dt.date) -> str:
    """``2019-05-03`` → ``2019/20 Q1`` (April–June is the first quarter)."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{format_financial_year(first)} Q{(day.month - 4) % 12 // 3 + 1}"


def _total_label(frame: pd.DataFrame) -> bool:
    return len(frame) > 0 and str(frame.index[-1]) == "Total"


# ------------------------------------------------------------------ the report's tables


def _summary(content: ReportContent, bases: _Bases) -> Sheet:
    h = shown.headline(content)
    keys = list(h.index)
    kinds = [_indicator_kind(k) for k in keys]
    frame = pd.DataFrame(
        {
            "Unit": [_indicator_unit(k, bases) for k in keys],
            "Estimate": h["estimate"].to_numpy(),
            "How the estimate is formed": h["basis"].to_numpy(),
            "5th percentile of the draws": h["p5"].to_numpy(),
            "Median of the draws": h["p50"].to_numpy(),
            "95th percentile of the draws": h["p95"].to_numpy(),
        },
        index=pd.Index([INDICATORS[k].long for k in keys], name="Indicator"),
    )
    return Sheet(
        "Summary",
        frame,
        f"The headline figures of the {content.scenarios[0]} scenario: the estimate to "
        f"state, how it is formed, and the 5th, 50th and 95th percentiles of the draws.",
        kinds={c: kinds for c in frame.columns if c not in ("Unit", "How the estimate is formed")},
    )


def _savings_by_agency(content: ReportContent, bases: _Bases) -> Sheet:
    t = content.by_agency()
    pv = bases.money("pv")
    frame = pd.DataFrame(
        {
            _header("Net savings", pv): t["pv_savings_net"].to_numpy(),
            _header("Cashable net savings", pv): t["cashable"].to_numpy(),
            _header("Non-cashable net savings", pv): t["non_cashable"].to_numpy(),
            "Share of net savings (%)": t["share"].to_numpy(),
        },
        index=pd.Index([AGENCY_LABELS[a].long for a in t.index], name="Paying agency"),
    )
    frame.loc["Total"] = frame.sum(axis=0)
    money = tuple(frame.columns[:3])
    return Sheet(
        "Savings by agency",
        frame,
        "Present value of net savings by paying agency (mean over the draws), cashable "
        "and not, and each agency's share; the total row is a formula.",
        kinds={**{c: "money" for c in money}, "Share of net savings (%)": "share"},
        total_row=True,
        summed=tuple(frame.columns),
    )


def _perspectives(content: ReportContent, bases: _Bases) -> Sheet:
    t = content.main.perspectives()
    pv = bases.money("pv")
    frame = pd.DataFrame(
        {
            _header("Present value of benefits", pv): t["pv_benefits"].to_numpy(),
            _header("Present value of costs", pv): t["pv_costs"].to_numpy(),
            _header("Net present value", pv): t["npv"].to_numpy(),
            "Benefit-cost ratio": t["bcr"].to_numpy(),
            "What counts": [
                perspective_basis(b, content.main.perspective_weights.get("funder"))
                for b in t["basis"]
            ],
        },
        index=pd.Index([_PERSPECTIVES.get(str(k), str(k)) for k in t.index], name="Perspective"),
    )
    kinds: dict[str, str | Sequence[str]] = {c: "money" for c in frame.columns[:3]}
    kinds["Benefit-cost ratio"] = "ratio"
    return Sheet(
        "Perspectives",
        frame,
        "Present values of benefits and costs, NPV and benefit-cost ratio (ratio of the "
        "means) from each perspective: fiscal, economic, social, local and the funder's.",
        kinds=kinds,
    )


def _baseline(content: ReportContent, bases: _Bases, by: str) -> Sheet:
    t = shown.baseline_table(content, by)
    money = _header("Annual cost of late intervention", bases.money("yearly"))
    frame = pd.DataFrame(
        {
            money: t["cost"].to_numpy(),
            "Share of the total (%)": t["share"].to_numpy(),
            "Status of the figure": t["status"].to_numpy(),
        },
        index=pd.Index(list(t["label"]), name="Issue" if by == "issue" else "Paying agency"),
    )
    frame.loc["Total"] = [
        frame[money].sum(),
        frame["Share of the total (%)"].sum(),
        content.baseline.total_status,
    ]
    return Sheet(
        f"Baseline by {by}",
        frame,
        f"The area's annual cost of late intervention by {by}, with each one's share "
        f"and whether it is published or derived; the total row is a formula, beside "
        f"the total's own status.",
        kinds={money: "money", "Share of the total (%)": "share"},
        total_row=True,
        summed=(money, "Share of the total (%)"),
    )


def _baseline_matrix(content: ReportContent, bases: _Bases) -> Sheet:
    t = shown.baseline_matrix(content)
    unit = bases.money("yearly")
    body = t.drop(index="Total", columns="Total", errors="ignore")
    frame = body.copy()
    frame.columns = [_header(str(c), unit) for c in body.columns]
    total = _header("All agencies", unit)
    frame[total] = frame.sum(axis=1)
    frame.loc["Total"] = frame.sum(axis=0)
    frame.index.name = "Issue"
    agencies = tuple(frame.columns[:-1])
    return Sheet(
        "Baseline issue x agency",
        frame,
        "The area's annual cost of late intervention by issue (rows) and paying agency "
        "(columns), in whole pounds; the total row and column are formulas.",
        kinds={c: "money" for c in frame.columns},
        total_row=True,
        summed=tuple(frame.columns),
        row_sums={total: agencies},
    )


def _families_by_quarter(content: ReportContent) -> Sheet:
    t = content.families_by_quarter()
    sim = content.main.simulation
    if sim is None or not len(t):
        return _empty("Families by quarter", "Families started and completed by quarter.")
    start = sim.inputs.start_date
    end = start + dt.timedelta(weeks=int(sim.inputs.weeks)) - dt.timedelta(days=1)
    firsts = [start + dt.timedelta(weeks=WEEKS_PER_QUARTER * q) for q in range(len(t))]
    lasts = [min(d + dt.timedelta(weeks=WEEKS_PER_QUARTER, days=-1), end) for d in firsts]
    labels = [_financial_quarter(a + (b - a) / 2) for a, b in zip(firsts, lasts, strict=True)]
    cols: dict[str, Any] = {
        "First day": firsts,
        "Last day": lasts,
        "Quarter of the programme": t["quarter"].to_numpy(),
    }
    for name in t.columns:
        if name == "quarter":
            continue
        base, _, stat = str(name).rpartition("_")
        lab = REACH_OUTCOMES.get(base)
        words = lab.long if lab is not None else base.replace("_", " ")
        cols[f"{words}, running total to the quarter's end: {_STATISTICS.get(stat, stat)}"] = t[
            name
        ].to_numpy()
    frame = pd.DataFrame(cols, index=pd.Index(labels, name="Financial quarter"))
    note = (
        f"The team simulation counts in {WEEKS_PER_QUARTER}-week quarters from its start "
        f"({start.day} {start:%B %Y}). Each row is labelled with the financial quarter (April to "
        f"June = Q1) that holds the middle of its {WEEKS_PER_QUARTER} weeks, and gives its "
        f"own first and last day; the figures are not re-binned."
    )
    kinds: dict[str, str | Sequence[str]] = {c: "number" for c in frame.columns}
    kinds.update({"First day": "date", "Last day": "date", "Quarter of the programme": "integer"})
    return Sheet(
        "Families by quarter",
        frame,
        "Running totals of families starting direct work, completing it, reached through "
        "advice and given light-touch support, by quarter of the team simulation (mean "
        "and 5th–95th percentile over its runs). " + note,
        kinds=kinds,
        notes={"Financial quarter": note},
    )


def _reach_by_tier(content: ReportContent) -> Sheet:
    t = content.reach_by_tier()
    if not len(t):
        return _empty("Reach by tier", "Families and children by service tier.")
    if isinstance(t.index, pd.MultiIndex):
        labels = [f"{_TIERS.get(str(tier), str(tier))}: {measure}" for tier, measure in t.index]
    else:
        labels = [str(i) for i in t.index]
    frame = pd.DataFrame(
        {
            f"{_STATISTICS.get(str(c), str(c)).capitalize()} over the runs": t[c].to_numpy()
            for c in t.columns
        },
        index=pd.Index(labels, name="Service tier: people counted"),
    )
    return Sheet(
        "Reach by tier",
        frame,
        "Families and children by service tier over the funded period (mean and 5th–95th "
        "percentile over the team simulation's runs).",
        kinds={c: "number" for c in frame.columns},
    )


def _modelled_v_reported(content: ReportContent) -> Sheet:
    t = content.reported_against_modelled()
    if not len(t):
        return _empty("Modelled v reported", "What the team reported against the model.")
    cols: dict[str, Any] = {}
    kinds: dict[str, str | Sequence[str]] = {}
    for c in t.columns:
        name = str(c)
        if name == "observation":
            cols["Report (team.observed)"] = t[c].to_numpy()
        elif name == "weeks":
            cols["Weeks from the start"] = t[c].to_numpy()
            kinds["Weeks from the start"] = "integer"
        elif name == "reported_percentile":
            header = "Share of runs below the reported count (%)"
            cols[header] = t[c].to_numpy(float) / 100
            kinds[header] = "share"
        else:
            stat = name.removeprefix("modelled_")
            header = "Reported" if name == "reported" else f"Modelled: {_STATISTICS[stat]}"
            cols[header] = t[c].to_numpy()
            kinds[header] = "number"
    frame = pd.DataFrame(
        cols, index=pd.Index([str(i).capitalize() for i in t.index], name="Measure")
    )
    return Sheet(
        "Modelled v reported",
        frame,
        "What the team reported against what the simulation gives for the same weeks, and "
        "where the report sits among the runs.",
        kinds=kinds,
    )


def _year_column(content: ReportContent, labels: Sequence[str]) -> dict[str, list[str]]:
    """A financial-year column beside appraisal years not labelled by financial year."""
    fys = content.main.financial_years()
    if list(labels) == fys:
        return {}
    return {"Financial year holding most of the year": [*fys, ""]}


def _appraisal_note(content: ReportContent) -> str:
    start = dt.date.fromisoformat(content.main.start_year)
    return (
        f"Appraisal year 1 runs for twelve months from {start.day} {start:%B %Y}, the earliest "
        f"programme's start; each later year follows on."
    )


def _cash_flows(content: ReportContent, bases: _Bases, basis: str) -> Sheet:
    t = content.cash_flows(basis=basis)
    unit = bases.money("undiscounted" if basis == "real" else basis)
    headers = {c: _header(CASH_FLOWS[c].long if c in CASH_FLOWS else c, unit) for c in t.columns}
    frame = t.rename(columns=headers)
    frame.index = pd.Index([str(i) for i in t.index], name="Appraisal year")
    extra = _year_column(content, list(frame.index[:-1]))
    for k, v in extra.items():
        frame.insert(0, k, v)
    if basis == "discounted":
        frame["Discount factor"] = [*content.main.appraisal.discount_factors, np.nan]
    money = tuple(headers.values())
    agencies = tuple(headers[f"net_{a}"] for a in AGENCY_NAMES if f"net_{a}" in headers)
    row_sums = {headers["savings_net"]: agencies} if "savings_net" in headers else {}
    row_terms: dict[str, tuple[tuple[int, str], ...]] = {}
    if {"net_benefit", "savings_net", "costs"} <= set(headers):
        terms = [(1, headers["savings_net"]), (-1, headers["costs"])]
        if "income" in headers:
            terms.append((1, headers["income"]))
        row_terms[headers["net_benefit"]] = tuple(terms)
    kinds: dict[str, str | Sequence[str]] = {c: "money" for c in money}
    kinds["Discount factor"] = "factor"
    words = {
        "real": "real terms at the price year, undiscounted",
        "discounted": "real terms discounted to present values at the Green Book rate from "
        "the base date (the total row is the present value)",
        "nominal": "cash prices of each year, by the GDP deflator",
    }[basis]
    return Sheet(
        f"Cash flows {basis}",
        frame,
        f"Mean yearly cash flows, {words}: programme costs, income, gross and net savings "
        f"by paying agency, net benefit. Net savings is the sum of the agencies, net "
        f"benefit = net savings − costs + income, and the total row: all formulas.",
        kinds=kinds,
        notes={"Appraisal year": _appraisal_note(content)},
        total_row=_total_label(frame),
        summed=money,
        row_sums=row_sums,
        row_terms=row_terms,
    )


def _scenarios(content: ReportContent, bases: _Bases) -> Sheet:
    t = content.scenario_table()
    keys = list(t.index)
    kinds = [_indicator_kind(k) for k in keys]
    frame = pd.DataFrame(
        {scenario_label(str(c)): t[c].to_numpy() for c in t.columns},
        index=pd.Index(
            [INDICATORS[k].long if k in INDICATORS else k for k in keys], name="Indicator"
        ),
    )
    frame.insert(0, "Unit", [_indicator_unit(k, bases) for k in keys])
    return Sheet(
        "Scenarios",
        frame,
        "Each compared scenario's headline figures side by side (columns are scenarios), "
        "with the same draws, seed, price year and base date.",
        kinds={c: kinds for c in frame.columns if c != "Unit"},
    )


def _parameter_rows(
    content: ReportContent,
    t: pd.DataFrame,
    columns: Mapping[str, str],
    money_columns: Mapping[str, str],
) -> tuple[pd.DataFrame, dict[str, str | Sequence[str]]]:
    """A table by parameter path: label first, then the path, unit and value columns."""
    paths = [str(p) for p in t.index]
    units = [_parameter_unit(content, p) for p in paths]
    frame = pd.DataFrame(
        {"Parameter path": paths, "Unit of the parameter": [u for _, u in units]},
        index=pd.Index([parameter_label(p) for p in paths], name="Parameter"),
    )
    kinds: dict[str, str | Sequence[str]] = {}
    for col, header in columns.items():
        if col in t:
            frame[header] = t[col].to_numpy()
            kinds[header] = [k for k, _ in units]
    for col, header in money_columns.items():
        if col in t:
            frame[header] = t[col].to_numpy()
            kinds[header] = "share" if header.endswith("(%)") else "money"
    return frame, kinds


def _sensitivity(content: ReportContent, bases: _Bases) -> Sheet:
    t = content.tornado
    pv = bases.money("pv")
    frame, kinds = _parameter_rows(
        content,
        t,
        {
            "central": "Central value",
            "low": "Low value (5th percentile)",
            "high": "High value (95th percentile)",
        },
        {
            "npv_low": _header("NPV at the low value", pv),
            "npv_high": _header("NPV at the high value", pv),
            "swing": _header("Swing in NPV", pv),
        },
    )
    return Sheet(
        "Sensitivity",
        frame,
        "The tornado: NPV with one parameter at a time at its 5th and 95th percentile and "
        "every other at its central value, largest swing first. Parameter values are in "
        "the parameter's own unit (and price year, for money).",
        kinds=kinds,
        filter=True,
    )


def _switching(content: ReportContent) -> Sheet:
    frame, kinds = _parameter_rows(
        content,
        content.switching,
        {
            "central": "Central value",
            "switching": "Switching value (NPV is zero)",
            "searched_low": "Lowest value searched",
            "searched_high": "Highest value searched",
        },
        {"change": "Change from the central value (%)"},
    )
    return Sheet(
        "Switching values",
        frame,
        "For each parameter, the value at which NPV would be zero with every other "
        "parameter central (blank where NPV keeps its sign over the range searched).",
        kinds=kinds,
        filter=True,
    )


def _value_of_information(content: ReportContent, bases: _Bases) -> Sheet:
    t = content.value_of_information
    assert t is not None
    names = [
        GROUP_LABELS[str(g)].long
        if str(g) in GROUP_LABELS
        else "All parameters (expected value of perfect information)"
        if "EVPI" in str(g)
        else str(g)
        for g in t.index
    ]
    money = _header("Expected value of information, per decision", bases.money("pv"))
    frame = pd.DataFrame(
        {money: t.iloc[:, 0].to_numpy(), "Share of the EVPI (%)": t.iloc[:, 1].to_numpy()},
        index=pd.Index(names, name="Parameters learnt"),
    )
    return Sheet(
        "Value of information",
        frame,
        "What learning each group of parameters before deciding would be worth (EVPPI), "
        "and learning every one (EVPI), estimated from the draws.",
        kinds={money: "money", "Share of the EVPI (%)": "share"},
    )


def _assumptions(content: ReportContent) -> Sheet:
    t = content.assumptions()
    paths = [str(p) for p in t.index]
    values = list(t["value"])
    kinds = []
    shown = []
    for path, v in zip(paths, values, strict=True):
        kind, _ = _parameter_unit(content, path)
        if isinstance(v, (dict, bool)):
            v = parameter_value(v)
        shown.append(v)
        kinds.append(_parameter_cell_kind(kind, v))
    units = [_parameter_unit(content, p, price_year=False)[1] for p in paths]
    frame = pd.DataFrame(
        {
            "Parameter": [parameter_label(p) for p in paths],
            "Description": t["description"].to_numpy(),
            "Value": shown,
            "Unit": units,
            "Price year": t["price_year"].to_numpy(),
            "Status": t["status"].to_numpy(),
            "Borrowed from": [
                area_label(a) if isinstance(a, str) else "" for a in t["borrowed_from"]
            ],
            "Rescaled on borrowing": [x if isinstance(x, str) else "" for x in t["rescaled"]],
            "Confidence": t["confidence"].to_numpy(),
            "Source": t["source"].to_numpy(),
            "Distribution": [distribution_text(d) for d in t["distribution"]],
            "Changed by the scenario": [
                "yes" if bool(x) else "no" for x in t.get("scenario_override", [False] * len(t))
            ],
        },
        index=pd.Index(paths, name="Parameter path"),
    )
    return Sheet(
        "Assumptions",
        frame,
        f"Every parameter of the {content.scenarios[0]} scenario, one row each: value "
        f"(dates as dates, tables as text), unit, price year, status, confidence, source "
        f"and distribution, and whether the scenario changed it.",
        kinds={"Value": kinds},
        filter=True,
    )


def _generic(name: str, t: pd.DataFrame, bases: _Bases) -> Sheet:
    """A table of the report this module has no layout for: words from the labels."""
    if not len(t.columns):
        return _empty(name, name)
    headers: dict[str, str] = {}
    kinds: dict[str, str | Sequence[str]] = {}
    for c in t.columns:
        words, kind = _name_words(str(c))
        headers[str(c)] = _header(words, "£" if kind == "money" else "")
        kinds[headers[str(c)]] = kind
    frame = t.copy()
    frame.columns = [headers[str(c)] for c in t.columns]
    frame.index = pd.Index(
        [str(i) for i in t.index], name=_name_words(str(t.index.name or "item"))[0]
    )
    numeric = tuple(c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]))
    return Sheet(
        name[:MAX_SHEET_NAME],
        frame,
        f"{name}, as in the report.",
        kinds=kinds,
        total_row=_total_label(frame) and bool(numeric),
        summed=tuple(c for c in numeric if kinds.get(c) in ("money", "number")),
    )


def _empty(name: str, about: str) -> Sheet:
    note = "Nothing to show: the scenario reported in full appraises no team."
    return Sheet(name, pd.DataFrame(index=pd.Index([note], name="Note")), about)


# ------------------------------------------------------------------ new tables


def _cashable(content: ReportContent, bases: _Bases, discounted: bool) -> Sheet:
    p = content.main
    cash = np.asarray(p.mean_flows()["cashable_by_agency"], dtype=float)
    factors = np.asarray(p.appraisal.discount_factors, dtype=float)
    if discounted:
        cash = cash * factors[:, None]
    unit = bases.money("discounted" if discounted else "undiscounted")
    headers = [_header(AGENCY_LABELS[a].long, unit) for a in AGENCY_NAMES]
    total = _header("All agencies", unit)
    labels = [str(i) for i in content.cash_flows(basis="real").index[:-1]]
    if len(labels) != len(cash):
        labels = p.financial_years()
    frame = pd.DataFrame(cash, columns=headers, index=pd.Index(labels, name="Appraisal year"))
    frame[total] = frame.sum(axis=1)
    frame.loc["Total"] = frame.sum(axis=0)
    for k, v in _year_column(content, labels).items():
        frame.insert(0, k, v)
    if discounted:
        frame["Discount factor"] = [*factors, np.nan]
    money = (*headers, total)
    name = "Cashable by agency, discounted" if discounted else "Cashable by agency and year"
    what = (
        "discounted to present values at the Green Book rate from the base date; the "
        "total row equals the cashable column of Savings by agency"
        if discounted
        else "real terms, undiscounted"
    )
    return Sheet(
        name,
        frame,
        f"Mean cashable net savings by appraisal year (rows) and paying agency (columns), "
        f"{what}; the total row and column are formulas.",
        kinds={**{c: "money" for c in money}, "Discount factor": "factor"},
        notes={"Appraisal year": _appraisal_note(content)},
        total_row=True,
        summed=money,
        row_sums={total: tuple(headers)},
    )


def _draw_limit(content: ReportContent) -> tuple[int, str]:
    """Rows written, and the first column's header saying which draws they are."""
    p = content.main
    n = min(p.stored, MAX_DRAW_ROWS)
    if n < p.draws:
        return n, f"Draw (the first {n:,} of {p.draws:,})"
    return n, "Draw"


def _draw_note(content: ReportContent) -> str:
    p = content.main
    n, _ = _draw_limit(content)
    if n == p.draws:
        return f"Every one of the {p.draws:,} draws."
    why = f"the workbook holds at most {MAX_DRAW_ROWS:,} draws"
    if p.stored < MAX_DRAW_ROWS:
        why = f"the run kept the values of its first {p.stored:,} draws"
    return (
        f"Draws 1 to {n:,} of the {p.draws:,} drawn: {why}. Means elsewhere in the "
        f"workbook are over every draw."
    )


def _draw_sheet(
    content: ReportContent,
    name: str,
    cols: dict[str, np.ndarray],
    kinds: dict[str, str | Sequence[str]],
    about: str,
) -> Sheet:
    """A per-draw sheet: one row per stored draw, numbered, with the note on how many
    draws it holds, filter buttons and the rows written in bulk."""
    n, first = _draw_limit(content)
    frame = pd.DataFrame(cols, index=pd.Index(np.arange(1, n + 1), name=first))
    note = _draw_note(content)
    return Sheet(
        name,
        frame,
        f"{about} {note}",
        kinds=kinds,
        notes={first: note},
        filter=True,
        bulk=True,
    )


def _results_by_draw(content: ReportContent, bases: _Bases) -> Sheet:
    p = content.main
    n, first = _draw_limit(content)
    every = p.indicators()
    cols: dict[str, np.ndarray] = {}
    kinds: dict[str, str | Sequence[str]] = {first: "integer"}
    for k in DRAW_INDICATORS:
        if k not in every or (k == "pv_income" and p.appraisal.income is None):
            continue
        header = _header(INDICATORS[k].long, _indicator_unit(k, bases))
        cols[header] = np.asarray(every[k], dtype=float)[:n]
        kinds[header] = _indicator_kind(k)
    return _draw_sheet(
        content,
        "Results by draw",
        cols,
        kinds,
        f"The headline results of each Monte Carlo draw of the {p.scenario} scenario, one "
        "row per draw (blank where a draw has none, e.g. no payback).",
    )


def _by_outcome(content: ReportContent, bases: _Bases) -> Sheet:
    t = content.main.by_outcome()
    pv = _header("Net savings", bases.money("pv"))
    frame = pd.DataFrame(
        {
            pv: t["pv_savings_net"].to_numpy(),
            "Share of net savings (%)": t["share"].to_numpy(),
            "Evidence class": [EVIDENCE_CLASS_LABELS.get(c, c) for c in t["evidence_class"]],
            "Grade of the evidence": t["grade"].to_numpy(),
            "Pooled effect (%)": t["pooled_effect"].to_numpy(),
            "Design multiplier": t["design_multiplier"].to_numpy(),
            "Transfer factor": t["transfer_factor"].to_numpy(),
            "Effect applied (%)": t["effect_applied"].to_numpy(),
            "Years the effect holds in full": t["window_years"].to_numpy(),
            "Studies pooled": t["studies"].to_numpy(),
        },
        index=pd.Index(
            [OUTCOME_LABELS[o].long if o in OUTCOME_LABELS else o for o in t.index],
            name="Outcome",
        ),
    )
    frame.loc["Total"] = [frame[pv].sum(), frame["Share of net savings (%)"].sum()] + [
        "" if frame[c].dtype == object else np.nan for c in frame.columns[2:]
    ]
    return Sheet(
        "Savings by outcome",
        frame,
        "Present value of net savings by outcome (mean over the draws) and its share, "
        "with what each effect rests on: evidence class and grade, the pooled effect, "
        "the design multiplier and transfer factor applied, and the window measured; "
        "the total row is a formula.",
        kinds={
            pv: "money",
            "Share of net savings (%)": "share",
            "Pooled effect (%)": "proportion",
            "Effect applied (%)": "proportion",
            "Design multiplier": "ratio",
            "Transfer factor": "ratio",
            "Years the effect holds in full": "years",
        },
        total_row=True,
        summed=(pv, "Share of net savings (%)"),
    )


def _by_evidence(content: ReportContent, bases: _Bases) -> Sheet:
    """The shares of net savings the summary states: by the grade of the evidence and by
    its class, with the overall grade the results give."""
    grade, grades = content.confidence()
    by = content.savings_by_outcome()
    pv_grade = by.groupby("grade")["pv_savings_net"].sum().reindex(grades.index, fill_value=0.0)
    classes = content.main.by_evidence_class()
    pv = _header("Net savings", bases.money("pv"))
    share = "Share of net savings (%)"
    rows = [
        (f"Grade: {g}" + (" (the overall grade)" if g == grade else ""), pv_grade[g], grades[g])
        for g in grades.index
    ] + [
        (f"Class: {EVIDENCE_CLASS_LABELS.get(k, k)}", r.pv_savings_net, r.share)
        for k, r in classes.iterrows()
    ]
    frame = pd.DataFrame(
        {pv: [r[1] for r in rows], share: [r[2] for r in rows]},
        index=pd.Index([r[0] for r in rows], name="Evidence the savings rest on"),
    )
    return Sheet(
        "Savings by evidence",
        frame,
        "Present value of net savings (mean over the draws) and its share by the grade of "
        "the evidence its effects rest on (the overall grade carries a majority of them, "
        "or with no majority is the lower of the two largest), then by its class "
        "(measured for this programme, transferred, assumed): the sums of the Savings "
        "by outcome sheet's rows.",
        kinds={pv: "money", share: "share"},
    )


def _spend_by_financial_year(content: ReportContent) -> Sheet:
    t = content.budget_by_financial_year()
    if not len(t):
        return _empty("Spend by financial year", "The team's spend by financial year.")
    year = t.attrs.get("price_year", content.price_year)
    real = f"Spend (£, {year} prices, real terms)"
    cash = "Spend (£, cash prices of each year)"
    frame = pd.DataFrame(
        {real: t["spend_real"].to_numpy(), cash: t["spend_cash"].to_numpy()},
        index=pd.Index([str(i) for i in t.index], name="Financial year"),
    )
    return Sheet(
        "Spend by financial year",
        frame,
        "The team's mean spend by financial year (April to March), real terms and cash: "
        "each 13-week quarter's spend shared between financial years by its days in "
        "each; the total row is a formula.",
        kinds={real: "money", cash: "money"},
        total_row=_total_label(frame),
        summed=(real, cash),
    )


def _cash_flows_by_scenario(content: ReportContent, bases: _Bases) -> Sheet:
    parts = []
    for name in content.compared:
        t = content.cash_flows(name, basis="real")
        t.index = pd.Index([f"{scenario_label(name)}: {i}" for i in t.index])
        parts.append(t)
    t = pd.concat(parts)
    unit = bases.money("undiscounted")
    headers = {c: _header(CASH_FLOWS[c].long if c in CASH_FLOWS else c, unit) for c in t.columns}
    frame = t.rename(columns=headers)
    frame.index.name = "Scenario: appraisal year"
    agencies = tuple(headers[f"net_{a}"] for a in AGENCY_NAMES if f"net_{a}" in headers)
    row_sums = {headers["savings_net"]: agencies} if "savings_net" in headers else {}
    row_terms: dict[str, tuple[tuple[int, str], ...]] = {}
    if {"net_benefit", "savings_net", "costs"} <= set(headers):
        terms = [(1, headers["savings_net"]), (-1, headers["costs"])]
        if "income" in headers:
            terms.append((1, headers["income"]))
        row_terms[headers["net_benefit"]] = tuple(terms)
    return Sheet(
        "Cash flows by scenario",
        frame,
        "Mean yearly cash flows of every scenario compared (real terms, undiscounted), "
        "each with its total row: costs, income, gross savings, net savings by paying "
        "agency and net benefit (net savings and net benefit are formulas).",
        kinds={c: "money" for c in frame.columns},
        row_sums=row_sums,
        row_terms=row_terms,
        filter=True,
    )


def _cash_flows_by_option(content: ReportContent) -> Sheet:
    """The decision's counterfactual and each option year by year (real terms at the
    decision's price year, undiscounted, the discount factor applied, discounted to the
    decision date), each option's increment over the counterfactual beside its own flows,
    and a total row per block. Sums, products and differences are formulas."""
    d = content.decision
    assert d is not None
    decided = dt.date.fromisoformat(d.decision_date)
    real = f"£, {d.price_year} prices, real terms"
    units = {
        "undiscounted": f"{real}, undiscounted",
        "discounted": f"{real}, discounted to {decided.day} {decided:%B %Y}",
    }
    against = scenario_label(d.counterfactual)
    own = {n: content.option_cash_flows(n) for n in (d.counterfactual, *d.options)}
    extra = {o: content.option_cash_flows(o, against_counterfactual=True) for o in d.options}
    keys = list(own[d.counterfactual].columns)
    extra_keys = [k for k in keys if k != "discount_factor"]

    def header(k: str, more: bool = False) -> str:
        lab = OPTION_FLOWS[k]
        if lab.kind == "factor":
            return f"{lab.long} (Green Book, from {decided.day} {decided:%B %Y}; 0 before it)"
        words = f"Less {against}: {lab.long[:1].lower()}{lab.long[1:]}" if more else lab.long
        return _header(words, units["discounted" if k.endswith("_discounted") else "undiscounted"])

    heads = {k: header(k) for k in keys}
    more = {k: header(k, True) for k in extra_keys}
    columns = [*heads.values(), *more.values()]
    letter = {h: column_letter(j + 2) for j, h in enumerate(columns)}
    # rows: each block's years then its total; the counterfactual's first
    labels: list[str] = []
    cells: dict[str, list[object]] = {h: [] for h in columns}
    where: dict[str, int] = {}  # the counterfactual's row of each year
    for name, t in own.items():
        inc = extra.get(name)
        years = [str(i) for i in (inc if inc is not None else t).index if i != "Total"]
        first = len(labels) + 2
        for y in years:
            r = len(labels) + 2
            labels.append(f"{scenario_label(name)}: {y}")
            mine = t.loc[y] if y in t.index else None
            if inc is None:
                where[y] = r
            for k, h in heads.items():
                v = np.nan if mine is None else float(mine[k])
                base = k.removesuffix("_discounted")
                if k.endswith("_discounted") and base != "net_benefit" and mine is not None:
                    f = letter[heads["discount_factor"]]
                    cells[h].append(Formula(f"={letter[heads[base]]}{r}*{f}{r}", v))
                else:
                    cells[h].append(v)
            for k, h in more.items():
                if inc is None:
                    cells[h].append(np.nan)
                    continue
                v = float(inc.loc[y, k])
                if k.startswith("net_benefit"):
                    tail = k.removeprefix("net_benefit")
                    a, b = letter[more["savings_net" + tail]], letter[more["costs" + tail]]
                    cells[h].append(Formula(f"={a}{r}-{b}{r}", v))
                    continue
                c = letter[heads[k]]
                text = f"={c}{r}" + (f"-{c}{where[y]}" if y in where else "")
                cells[h].append(Formula(text, v))
        last = len(labels) + 1
        labels.append(f"{scenario_label(name)}: Total")
        r = len(labels) + 1
        for k, h in [*heads.items(), *more.items()]:
            table = t if h in heads.values() else inc
            if k == "discount_factor" or table is None:
                cells[h].append(np.nan)
                continue
            v = float(table.loc["Total", k])
            cells[h].append(Formula(f"=SUM({letter[h]}{first}:{letter[h]}{last})", v))
    frame = pd.DataFrame(cells, index=pd.Index(labels, name="Option: appraisal year"))
    row_terms: dict[str, tuple[tuple[int, str], ...]] = {
        heads[f"net_benefit{tail}"]: ((1, heads[f"savings_net{tail}"]), (-1, heads[f"costs{tail}"]))
        for tail in ("", "_discounted")
    }
    kinds: dict[str, str | Sequence[str]] = {h: "money" for h in columns}
    kinds[heads["discount_factor"]] = "factor"
    income = (
        " Payment-by-results income is shown but not counted: it is a transfer within the "
        "public sector."
        if "income" in keys
        else ""
    )
    note = (
        f"Appraised as decided on {decided.day} {decided:%B %Y}: each option and "
        f"{against} (the counterfactual, first) by appraisal year, with its total row. "
        f"The discount factor is the Green Book's from {decided.day} {decided:%B %Y}, "
        "times each year's share after the decision (what falls before it is sunk, in no "
        "option's figures). A year only one of an option and the counterfactual appraises "
        "counts nothing for the other."
    )
    return Sheet(
        "Cash flows by option",
        frame,
        f"The decision's options year by year (means over the draws, {d.price_year} "
        f"prices, real terms): costs, income, net savings of every agency and the fiscal "
        f"net benefit (net savings − costs), undiscounted, the discount factor and the same "
        f"discounted to the decision date; beside each option, the same less {against}. "
        f"The total of an option's discounted fiscal net benefit less {against}'s is its "
        f"incremental NPV (Decision options: fiscal perspective, mean over the draws)."
        f"{income} Totals, products and "
        f"differences are formulas.",
        kinds=kinds,
        notes={"Option: appraisal year": note},
        row_terms=row_terms,
        filter=True,
    )


def _results_by_perspective(content: ReportContent, bases: _Bases) -> Sheet:
    p = content.main
    n, first = _draw_limit(content)
    pv = bases.money("pv")
    cols: dict[str, np.ndarray] = {}
    kinds: dict[str, str | Sequence[str]] = {first: "integer"}
    for view in p.perspectives().index:
        benefits, costs = p.perspective_draws(str(view))
        word = str(view).capitalize()
        b, c = np.asarray(benefits, float)[:n], np.asarray(costs, float)[:n]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(c != 0, b / np.where(c != 0, c, 1.0), np.nan)
        for head, values, kind in (
            (_header(f"{word}: present value of benefits", pv), b, "money"),
            (_header(f"{word}: present value of costs", pv), c, "money"),
            (_header(f"{word}: net present value", pv), b - c, "money"),
            (f"{word}: benefit-cost ratio", ratio, "ratio"),
        ):
            cols[head] = values
            kinds[head] = kind
    return _draw_sheet(
        content,
        "Results by perspective",
        cols,
        kinds,
        f"Present values of benefits and costs, NPV and benefit-cost ratio of each Monte "
        f"Carlo draw of the {p.scenario} scenario from each perspective (fiscal, "
        "economic, social, local, the funder's), one row per draw.",
    )


def _parameters_by_draw(content: ReportContent) -> Sheet:
    p = content.main
    n, first = _draw_limit(content)
    table = p.draws_table.iloc[:n]
    cols: dict[str, np.ndarray] = {}
    kinds: dict[str, str | Sequence[str]] = {first: "integer"}
    notes = {first: _draw_note(content)}
    labels = [parameter_label(str(c)) for c in table.columns]
    for path, label in zip(table.columns, labels, strict=True):
        kind, unit = _parameter_unit(content, str(path))
        text = label if labels.count(label) == 1 else f"{label} [{path}]"
        header = _header(text, unit)
        cols[header] = table[path].to_numpy()
        kinds[header] = kind
        notes[header] = str(path)
    frame = pd.DataFrame(cols, index=pd.Index(np.arange(1, n + 1), name=first))
    return Sheet(
        "Parameters by draw",
        frame,
        f"The value each uncertain parameter took in each draw of the {p.scenario} "
        f"scenario, one row per draw, in the parameter's own unit and price year (its "
        f"path is in the note on each header). {_draw_note(content)}",
        kinds=kinds,
        notes=notes,
        filter=True,
        bulk=True,
    )


# ------------------------------------------------------------------ About


def command_line(content: ReportContent) -> str:
    """The ``costmodel report`` command that reproduces ``content``'s figures."""
    from ..params.store import default_root

    args = ["costmodel"]
    root = getattr(content.parameters, "root", None)
    if root is not None and Path(root).resolve() != default_root().resolve():
        args += ["--parameters", str(root)]
    args += ["report", "--scenario", *content.scenarios, "--compare", *content.compared]
    args += ["--area", content.area, "--draws", str(content.draws), "--seed", str(content.seed)]
    args += ["--price-year", content.price_year]
    projections = list(content.projections.values())
    if len({p.appraisal.horizon for p in projections}) == 1:
        args += ["--horizon", str(content.horizon)]
    follow = {p.years_after_support for p in projections}
    if len(follow) == 1 and None not in follow:
        args += ["--years-after-support", str(follow.pop())]
    if content.main.base_date:
        args += ["--base-date", content.main.base_date]
    if content.nominal:
        args.append("--nominal")
    stance = getattr(content, "stance", None)
    if stance:
        args += ["--stance", str(stance).replace("_", "-")]
    stem = f"{content.area}-{content.scenarios[0]}"
    args += ["--out", f"{stem}.pdf", "--xlsx", f"{stem}.xlsx"]
    return shlex.join(args)


def _about(content: ReportContent, sheets: Sequence[Sheet]) -> Sheet:
    p = content.main
    rows: list[tuple[str, object, str]] = [
        ("Area", shown.area_name(content), "text"),
        ("Scenario reported in full", content.scenarios[0], "text"),
        ("What it is", content.descriptions.get(content.scenarios[0], ""), "text"),
    ]
    if len(content.scenarios) > 1:
        rows.append(("Scenarios reported", ", ".join(content.scenarios), "text"))
    rows += [
        ("Scenarios compared", ", ".join(content.compared), "text"),
        ("To reproduce, run", command_line(content), "text"),
        (
            "Reproducing",
            "The same costmodel version, parameters (same fingerprints), draws and seed "
            "give the same figures. A scenario read from a file is named here by its "
            "file's name: give the file's path instead.",
            "text",
        ),
    ]
    if content.discount != "standard":
        rows.append(
            (
                "Discount schedule",
                f"{content.discount}: the command line uses the standard rate; in Python "
                f"pass discount={content.discount!r} to report_content.",
                "text",
            )
        )
    rows += [
        ("costmodel version", content.version, "text"),
        ("Created", content.created, "date"),
        ("Price base", content.price_basis, "text"),
        ("Price year", content.price_year, "text"),
        ("Discounting", f"HM Treasury Green Book, {content.discount} rate", "text"),
    ]
    if p.base_date:
        rows.append(("Discounting from (base date)", dt.date.fromisoformat(p.base_date), "date"))
    rows += [
        ("Appraisal starts", dt.date.fromisoformat(p.start_year), "date"),
        ("Horizon (years appraised)", content.horizon, "integer"),
    ]
    if p.years_after_support is not None:
        rows.append(
            ("Years each cohort is followed after support", p.years_after_support, "integer")
        )
    rows += [
        ("Monte Carlo draws", content.draws, "number"),
        ("Draws whose values are kept", p.stored, "number"),
        ("Seed", content.seed, "integer"),
    ]
    sim = p.simulation
    if sim is not None:
        rows.append(("Team simulation runs", sim.runs, "number"))
    rows += [(f"Parameter fingerprint: {k}", v, "text") for k, v in content.fingerprints.items()]
    rows += [
        ("Appraisal years", _appraisal_note(content), "text"),
        (
            "Money",
            f"Real terms at {content.price_year} prices unless a header says otherwise; "
            f"present values and NPV are discounted from the base date. Parameter values "
            f"are in their own unit and price year.",
            "text",
        ),
        ("Totals", "Totals are formulas (=SUM) over the cells they add up.", "text"),
    ]
    first = len(rows)
    rows += [(f"Sheet: {s.name}", s.about, "text") for s in sheets]
    frame = pd.DataFrame(
        {"Value": [v for _, v, _ in rows]},
        index=pd.Index([k for k, _, _ in rows], name="Item"),
    )
    sheet = Sheet(
        "About",
        frame,
        "What the run was, how to reproduce it, and what each sheet holds.",
        kinds={"Value": [k for _, _, k in rows]},
        links=True,
    )
    sheet.notes = {"Item": f"Rows from {first + 2} name each sheet and what it holds."}
    return sheet


def _decision_options(content: ReportContent) -> Sheet:
    """The decision's options less the counterfactual, fiscal, from the decision date."""
    d = content.decision
    assert d is not None
    inc = d.incremental()
    money = f"£, {d.price_year} prices, real terms, discounted to {d.decision_date}"
    rows = list(inc.columns)
    frame = pd.DataFrame(
        {scenario_label(o): inc.loc[o, rows].to_numpy(dtype=float) for o in d.options},
        index=pd.Index(
            [DECISION_COLUMNS[k].long for k in rows],
            name="Less " + scenario_label(d.counterfactual),
        ),
    )
    kinds = [
        {"money": "money", "share": "share", "ratio": "ratio", "years": "years"}.get(
            DECISION_COLUMNS[k].kind, "number"
        )
        for k in rows
    ]
    return Sheet(
        "Decision options",
        frame,
        f"{d.description} Each option less {scenario_label(d.counterfactual)}, appraised as "
        f"decided on {d.decision_date} ({money}); fiscal perspective; means, the 5th and "
        "95th percentiles of the per-draw difference, and ratios of the mean differences.",
        kinds={c: kinds for c in frame.columns},
    )


def _who_pays(content: ReportContent) -> Sheet:
    """Each option's cost shared in proportion to each agency's savings."""
    d = content.decision
    assert d is not None
    frames = []
    for o in d.options:
        t = d.cost_sharing(o)
        t.index = pd.Index(
            [f"{scenario_label(o)}: {AGENCY_LABELS[a].long}" for a in t.index],
            name="Option: agency",
        )
        frames.append(t)
    t = pd.concat(frames)
    frame = t.rename(columns={c: DECISION_COLUMNS[c].long for c in t.columns})
    kinds: dict[str, str | Sequence[str]] = {
        DECISION_COLUMNS[c].long: ("share" if c.startswith("share") else "money") for c in t.columns
    }
    return Sheet(
        "Who pays",
        frame,
        f"Each option's cost (its extra present value, £, {d.price_year} prices, discounted "
        f"to {d.decision_date}) shared among the agencies in proportion to their cashable "
        "savings, and separately to all their net savings, with the NPV each then sees.",
        kinds=kinds,
        filter=True,
    )


def _outturn(content: ReportContent) -> Sheet:
    t = content.main.outturn()
    real = f"£, {content.price_year} prices, real terms"
    frame = pd.DataFrame(
        {
            "Programme": t["programme"].to_numpy(),
            _header("Simulated spend (mean)", real): t["simulated"].to_numpy(dtype=float),
            _header("Outturn", real): t["outturn"].to_numpy(dtype=float),
            "Outturn as recorded (£, cash of the year)": t["cash"].to_numpy(dtype=float),
            _header("Outturn less simulated", real): t["difference"].to_numpy(dtype=float),
            "Source": t["source"].to_numpy(),
        },
        index=pd.Index(t["financial_year"], name="Financial year"),
    )
    money = [c for c in frame.columns if c not in ("Programme", "Source")]
    return Sheet(
        "Outturn",
        frame,
        "Where the area's ledger records what was spent, it replaces the simulated spend "
        "in every table; each year's outturn beside the simulation's mean.",
        kinds={c: "money" for c in money},
    )


# ------------------------------------------------------------------ all sheets


def _calculating(content: ReportContent) -> list[Sheet]:
    """The calculating sheets (:mod:`.workbook_calc`) of the central case of the
    scenario reported in full, on the settings of its projection; one note sheet in
    their place where the projection appraises several programmes."""
    case = content.central_case()
    if case.programme_count != 1:
        return [
            _empty(
                "Inputs",
                "The calculating sheets redo the central case of one programme; this "
                f"projection appraises {case.programme_count}, each with its own evidence.",
            )
        ]
    return calculation_sheets(case, content.parameters.table())


def workbook_sheets(content: ReportContent) -> list[Sheet]:
    """Every sheet of the workbook, "About" first."""
    bases = _Bases(content)
    builders: dict[str, Callable[[], Sheet]] = {
        "Summary": lambda: _summary(content, bases),
        "Savings by agency": lambda: _savings_by_agency(content, bases),
        "Perspectives": lambda: _perspectives(content, bases),
        "Baseline by issue": lambda: _baseline(content, bases, "issue"),
        "Baseline by agency": lambda: _baseline(content, bases, "agency"),
        "Baseline issue x agency": lambda: _baseline_matrix(content, bases),
        "Families by quarter": lambda: _families_by_quarter(content),
        "Reach by tier": lambda: _reach_by_tier(content),
        "Modelled v reported": lambda: _modelled_v_reported(content),
        "Cash flows real": lambda: _cash_flows(content, bases, "real"),
        "Cash flows discounted": lambda: _cash_flows(content, bases, "discounted"),
        "Cash flows nominal": lambda: _cash_flows(content, bases, "nominal"),
        "Scenarios": lambda: _scenarios(content, bases),
        "Sensitivity": lambda: _sensitivity(content, bases),
        "Switching values": lambda: _switching(content),
        "Value of information": lambda: _value_of_information(content, bases),
        "Assumptions": lambda: _assumptions(content),
    }
    tables = shown.tables(content)
    sheets = [
        builders[name]() if name in builders else _generic(name, table, bases)
        for name, table in tables.items()
        if name != "Assumptions"
    ]
    at = next((i + 1 for i, s in enumerate(sheets) if s.name == "Perspectives"), len(sheets))
    sheets[at:at] = _calculating(content)
    cash = [i for i, s in enumerate(sheets) if s.name.startswith("Cash flows")]
    at = cash[-1] + 1 if cash else len(sheets)
    sheets[at:at] = [_cashable(content, bases, False), _cashable(content, bases, True)]
    if len(content.main.outturn()):
        sheets.append(_outturn(content))
    if content.decision is not None:
        sheets += [_decision_options(content), _who_pays(content)]
    from . import board
    from .workbook_case import case_sheets, who_pays_and_saves

    sheets.append(who_pays_and_saves(board.who_pays_and_saves(content), content.price_basis))
    if content.board is not None:
        sheets += case_sheets(content.board)
    at = next((i + 1 for i, s in enumerate(sheets) if s.name == "Savings by agency"), 0)
    sheets.insert(at, _by_outcome(content, bases))
    sheets.insert(at + 1, _by_evidence(content, bases))
    at = next((i + 1 for i, s in enumerate(sheets) if s.name == "Families by quarter"), 0)
    sheets.insert(at, _spend_by_financial_year(content))
    if len(content.compared) > 1:
        at = next((i for i, s in enumerate(sheets) if s.name == "Scenarios"), len(sheets))
        sheets.insert(at, _cash_flows_by_scenario(content, bases))
    if content.decision is not None:
        names = [s.name for s in sheets]
        at = (
            names.index("Cash flows by scenario") + 1
            if "Cash flows by scenario" in names
            else names.index("Scenarios")
            if "Scenarios" in names
            else len(sheets)
        )
        sheets.insert(at, _cash_flows_by_option(content))
    sheets += [
        _results_by_draw(content, bases),
        _results_by_perspective(content, bases),
        _parameters_by_draw(content),
    ]
    if "Assumptions" in tables:
        sheets.append(builders["Assumptions"]())
    return [_about(content, sheets), *sheets]


def workbook_tables(content: ReportContent) -> dict[str, pd.DataFrame]:
    """Sheet name → the table it holds, as written: "About" first, then every table.

    Headers and row labels are the words on the sheet; figures are numbers (totals and
    the calculating sheets' cells included, which the sheet writes as formulas), dates
    are dates.
    """
    return {s.name: _values(s.frame) for s in workbook_sheets(content)}


def _values(frame: pd.DataFrame) -> pd.DataFrame:
    """A sheet's table with each formula cell as the value it carries."""
    if not any(isinstance(v, Formula) for v in frame.to_numpy().ravel()):
        return frame
    out = frame.map(lambda v: v.value if isinstance(v, Formula) else v)
    return out.infer_objects()


# ------------------------------------------------------------------ writing


def workbook_bytes(content: ReportContent) -> bytes:
    """The workbook as bytes (write it with :func:`costmodel.present.files.write_files`)."""
    return write_workbook(workbook_sheets(content), FORMATS)


__all__ = [
    "DRAW_INDICATORS",
    "FORMATS",
    "MAX_DRAW_ROWS",
    "Sheet",
    "command_line",
    "workbook_bytes",
    "workbook_sheets",
    "workbook_tables",
]
