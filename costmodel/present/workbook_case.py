"""The workbook's sheets of the board's case: the recommendation, the ask, the risk
register and who pays and saves by period, each the table the paper formats."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..analysis.board_case import BoardCase
from .labels import AGENCY_LABELS, RANKING_WORDS, SHARING_WORDS, management_label, parameter_label
from .labels import scenario_label as _scenario_label
from .workbook import Sheet


def _basis(b: BoardCase) -> str:
    return f"£, {b.price_basis}, discounted to {b.discount_base}"


def recommendation(b: BoardCase) -> Sheet:
    """Options ranked on the case's perspective, each less the counterfactual."""
    o = b.options
    pv = _basis(b)
    words = RANKING_WORDS.get(b.ranked_by, b.ranked_by)
    frame = pd.DataFrame(
        {
            f"NPV, value to {words} ({pv})": o["npv"].to_numpy(),
            f"NPV, 5th percentile ({pv})": o["npv_p5"].to_numpy(),
            f"NPV, 95th percentile ({pv})": o["npv_p95"].to_numpy(),
            "Chance of doing better (%)": o["p_better"].to_numpy(),
            "BCR on the same view": o["bcr"].to_numpy(),
            f"Fiscal NPV ({pv})": o["npv_fiscal"].to_numpy(),
            "Fiscal BCR": o["bcr_fiscal"].to_numpy(),
            "Fiscal chance of doing better (%)": o["p_better_fiscal"].to_numpy(),
            f"Locally cashable savings ({pv})": o["local_cashable"].to_numpy(),
            f"PV costs ({pv})": o["pv_costs"].to_numpy(),
            "Recommended": ["yes" if k == b.recommended else "no" for k in o.index],
        },
        index=pd.Index([_scenario_label(str(k)) for k in o.index], name="Option"),
    )
    ratio = ("BCR on the same view", "Fiscal BCR")
    share = ("Chance of doing better (%)", "Fiscal chance of doing better (%)")
    kinds: dict[str, str | Sequence[str]] = {str(c): "money" for c in frame.columns}
    kinds.update({c: "ratio" for c in ratio})
    kinds.update({c: "share" for c in share})
    kinds["Recommended"] = "text"
    return Sheet(
        "Recommendation",
        frame,
        f"{b.question} Each option less "
        f"{_scenario_label(b.counterfactual).lower()}, ranked by value to {words}; the "
        "recommended option has the largest positive NPV on that view (none if no option's "
        "is positive).",
        kinds=kinds,
    )


def ask(b: BoardCase) -> Sheet:
    """The ask: the budget, its years, each agency's share and the break clause."""
    a = b.ask
    rows: list[tuple[str, object, str]] = [
        ("Option", _scenario_label(str(a["option"])), "text"),
        (f"Budget (£ cash, {a['amount_price_year']} budget)", a["amount"], "money"),
        ("Years", a["years"], "integer"),
        ("First day", a["start"], "date"),
        ("Last day", a["end"], "date"),
        ("Break clause (decision gate)", a["gate"], "date"),
        ("Cash the break clause can release (£, spread evenly by days)", a["released"], "money"),
        (
            f"Monitoring budget (£, {a['monitoring_price_year']} prices)",
            a["monitoring_budget"],
            "money",
        ),
        ("Gate rule", b.case.gate_rule, "text"),
    ]
    rows += [
        (f"Agency share: {AGENCY_LABELS[str(k)].long}", v, "share")
        for k, v in b.shares["share"].items()
    ]
    rows += [
        (f"Agency pays (£ cash): {AGENCY_LABELS[str(k)].long}", v, "money")
        for k, v in b.shares["pays"].items()
    ]
    frame = pd.DataFrame(
        {"Value": [r[1] for r in rows]}, index=pd.Index([r[0] for r in rows], name="Item")
    )
    return Sheet(
        "The ask",
        frame,
        f"What the board is asked for: the recommended option's cash budget and years, each "
        f"agency's share in proportion to its "
        f"{SHARING_WORDS.get(b.case.cost_sharing, b.case.cost_sharing)}, and the break "
        "clause at the decision gate.",
        kinds={"Value": [r[2] for r in rows]},
    )


def risk_register(b: BoardCase) -> Sheet:
    """The risk register: switching values, chances, swings, owners and mitigations."""
    r = b.risks
    pv = _basis(b)
    frame = pd.DataFrame(
        {
            "Central value": r["central"].to_numpy(),
            "Value at which the NPV turns": r["switching"].to_numpy(),
            "Change needed (%)": r["change"].to_numpy(),
            "Chance of that change (%)": r["likelihood"].to_numpy(),
            f"Swing in NPV across its 90% range ({pv})": r["swing"].to_numpy(),
            "Owner": r["owner"].to_numpy(),
            "Mitigation": r["mitigation"].to_numpy(),
        },
        index=pd.Index([parameter_label(str(k)) for k in r.index], name="Risk"),
    )
    kinds: dict[str, str | Sequence[str]] = {
        "Central value": "value",
        "Value at which the NPV turns": "value",
        "Change needed (%)": "share",
        "Chance of that change (%)": "share",
        str(frame.columns[4]): "money",
        "Owner": "text",
        "Mitigation": "text",
    }
    return Sheet(
        "Risk register",
        frame,
        f"The assumptions nearest to changing the decision for "
        f"{_scenario_label(b.risk_option).lower()} (its NPV on the ranking view less the "
        "counterfactual's), nearest first, with their owners and mitigations.",
        kinds=kinds,
    )


def management(b: BoardCase) -> Sheet:
    """The management case and what is not valued, as the paper states them."""
    case = b.case
    rows = [(management_label(k), v) for k, v in case.management]
    rows += [("Monitoring owner", case.monitoring_owner)]
    rows += [("Not valued", line) for line in case.not_valued]
    rows += [("Who gains and who loses", line) for line in case.distribution]
    frame = pd.DataFrame(
        {"Arrangement": [r[1] for r in rows]}, index=pd.Index([r[0] for r in rows], name="Part")
    )
    return Sheet(
        "Management case",
        frame,
        "Who owns the programme and its monitoring, the impacts not valued and who gains and "
        "who loses.",
        kinds={"Arrangement": "text"},
    )


def who_pays_and_saves(table: pd.DataFrame, price_basis: str) -> Sheet:
    """The summary's table: the programme's costs and each agency's cashable savings by
    period of appraisal years, in total (undiscounted) and the present value."""
    frame = table.copy()
    frame.index = frame.index.rename("Flow")
    frame.columns = [
        f"{c} (£, {price_basis}{', present value' if c == 'Present value' else ''})"
        for c in frame.columns
    ]
    return Sheet(
        "Who pays and saves",
        frame,
        "The executive summary's table: mean costs of the programme (less income) and each "
        "agency's cashable savings by period of appraisal years, undiscounted, their total "
        "and the present value.",
        kinds={str(c): "money" for c in frame.columns},
    )


def case_sheets(b: BoardCase) -> list[Sheet]:
    """The board's case sheets, in the paper's order (the ask only if one is made)."""
    sheets = [recommendation(b)]
    if b.recommended is not None:
        sheets.append(ask(b))
    return [*sheets, risk_register(b), management(b)]


__all__ = [
    "ask",
    "case_sheets",
    "management",
    "recommendation",
    "risk_register",
    "who_pays_and_saves",
]
