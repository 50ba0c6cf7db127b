"""A report's results in words: the tables of the PDF report and the workbook, labelled.

The numbers are the results' own (:class:`~costmodel.analysis.report.ReportContent`,
computed by :func:`~costmodel.analysis.report.report_content`); each function here
takes them and adds only the words people read (labels from :mod:`.labels`, money
bases, sentences). ``report_content`` and ``ReportContent`` are also importable from
here for the app's views.
"""

from __future__ import annotations

import pandas as pd

from ..analysis.report import BASES, HEADLINES, ReportContent, report_content
from ..params.store import ParameterSet
from .formatting import money_round
from .labels import (
    AGENCY_LABELS,
    BASIS_LABELS,
    INDICATORS,
    ISSUE_LABELS,
    area_label,
    money_basis,
    perspective_basis,
)


def area_name(content: ReportContent) -> str:
    """The report's area in words."""
    return area_label(content.area)


def borrowed(content: ReportContent) -> list[str]:
    """Lines saying which parameters come from another area (empty when none):
    ``team: 45 parameters borrowed from Northamptonshire``."""
    return borrowed_lines(content.parameters)


def headline(content: ReportContent, scenario: str | None = None) -> pd.DataFrame:
    """The headline table (:meth:`ReportContent.headline`) with ``label`` and ``kind``
    in front and ``basis`` in words."""
    h = content.headline(scenario).copy()
    h["basis"] = [BASIS_LABELS[b] for b in h["basis"]]
    h.insert(0, "kind", [INDICATORS[k].kind for k in h.index])
    h.insert(0, "label", [INDICATORS[k].long for k in h.index])
    return h


def by_agency(content: ReportContent, scenario: str | None = None) -> pd.DataFrame:
    """Savings by paying agency with a ``label`` in front."""
    out = content.by_agency(scenario).copy()
    out.insert(0, "label", [AGENCY_LABELS[a].long for a in out.index])
    return out


def baseline_table(content: ReportContent, by: str = "issue") -> pd.DataFrame:
    """The annual late-intervention cost by issue or agency with a ``label`` in front."""
    out = content.baseline_table(by).copy()
    labels = ISSUE_LABELS if by == "issue" else AGENCY_LABELS
    out.insert(0, "label", [labels[k].long for k in out.index])
    return out


def baseline_matrix(content: ReportContent) -> pd.DataFrame:
    """Issue × agency, whole pounds, with display labels and totals."""
    t = content.baseline_matrix().copy()
    t.index = pd.Index(
        [ISSUE_LABELS[i].long if i in ISSUE_LABELS else i for i in t.index], name="issue"
    )
    t.columns = [AGENCY_LABELS[a].long if a in AGENCY_LABELS else a for a in t.columns]
    return t


def basis_label(content: ReportContent, basis: str) -> str:
    """A cash-flow table's money basis in words."""
    return money_basis(basis, content.price_basis, content.discount)


def cash_flows(
    content: ReportContent, scenario: str | None = None, basis: str = "real"
) -> pd.DataFrame:
    """The year-by-year cash flows with ``attrs["basis"]`` in words."""
    out = content.cash_flows(scenario, basis)
    out.attrs["basis"] = basis_label(content, basis)
    return out


def cost_above_budget(content: ReportContent) -> str:
    """Why the costs shown exceed the team's budget, when they do (a sentence; empty
    when they do not): costs still to be spent carry the optimism bias for costs."""
    above = content.cost_above_budget()
    if above is None:
        return ""
    costs, budget, ob = above
    return (
        f" The present value of costs ({money_round(costs)}) is above the team's "
        f"budget ({money_round(budget)}, cash): costs still to be spent are raised by "
        f"the Green Book's optimism bias for operating costs ({ob:.1%}); money "
        f"already spent carries none."
    )


def tables(content: ReportContent) -> dict[str, pd.DataFrame]:
    """Every table of the report by name, labelled (:meth:`ReportContent.tables`)."""
    out = content.tables()
    out["Summary"] = headline(content)
    views = out["Perspectives"].copy()
    funder = content.main.perspective_weights.get("funder")
    views["basis"] = [perspective_basis(k, funder) for k in views["basis"]]
    out["Perspectives"] = views
    out["Savings by agency"] = by_agency(content)
    out["Baseline by issue"] = baseline_table(content, "issue")
    out["Baseline by agency"] = baseline_table(content, "agency")
    out["Baseline issue x agency"] = baseline_matrix(content)
    out["Reach by tier"] = _flat(out["Reach by tier"], "tier and measure")
    for name in list(out):
        if name.startswith("Cash flows "):
            out[name].attrs["basis"] = basis_label(content, out[name].attrs["basis"])
    return out


def about(content: ReportContent) -> pd.DataFrame:
    """What the run was: area, scenarios, price base, draws, seed, version, fingerprints."""
    rows = [
        ("area", area_name(content)),
        ("scenarios", ", ".join(content.scenarios)),
        ("scenarios compared", ", ".join(content.compared)),
        ("price basis", content.price_basis),
        ("price year", content.price_year),
        ("discount rate", f"{content.discount} (HM Treasury Green Book)"),
        ("horizon (years)", str(content.horizon)),
        ("Monte Carlo draws", str(content.draws)),
        ("seed", str(content.seed)),
        ("created", content.created.isoformat()),
        ("costmodel version", content.version),
    ]
    rows += [(f"parameter fingerprint: {k}", v) for k, v in content.fingerprints.items()]
    return pd.DataFrame(rows, columns=["item", "value"]).set_index("item")


def borrowed_lines(params: ParameterSet) -> list[str]:
    """What a parameter set takes from other areas, a line per lending area and group
    (with how many lent values the area has since made its own), then a line per value
    rescaled to the area's size on borrowing."""

    def group(path: str) -> str:
        parts = path.split(".")
        return ".".join(parts[:2]) if parts[0] == "programmes" else parts[0]

    out = []
    rescaled = []
    for lender, paths in sorted(params.borrowed().items()):
        groups: dict[str, int] = {}
        for path in paths:
            groups[group(path)] = groups.get(group(path), 0) + 1
            entry = params.provenance(path) if params[path].borrowed is not None else {}
            if entry.get("rescaled"):
                rescaled.append(
                    f"{path} rescaled to the area's size: {entry['rescaled']} = "
                    f"{params[path].value:,.4g}"
                )
        own: dict[str, int] = {}
        for path, p in params.items():
            if p.borrowed is not None and params.lender(path) is None:
                own[group(path)] = own.get(group(path), 0) + 1
        for key, n in groups.items():
            mine = f"; {own[key]} changed, now the area's own" if own.get(key) else ""
            out.append(f"{key}: {n} parameters borrowed from {area_label(lender)}{mine}")
    return out + rescaled


def _flat(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """A table with a two-level index given one index of "first: second" labels."""
    if not isinstance(frame.index, pd.MultiIndex):
        return frame
    out = frame.copy()
    out.index = pd.Index([f"{a}: {b}" for a, b in frame.index], name=name)
    return out


__all__ = [
    "BASES",
    "HEADLINES",
    "ReportContent",
    "about",
    "area_name",
    "baseline_matrix",
    "baseline_table",
    "basis_label",
    "borrowed",
    "borrowed_lines",
    "by_agency",
    "cash_flows",
    "cost_above_budget",
    "headline",
    "report_content",
    "tables",
]
