"""The board paper's reasoning in words: what the executive summary and its closing
sections say, drawn from a :class:`~costmodel.analysis.report.ReportContent`.

The numbers are the results' own (the stance, the confidence grade, who pays and
saves, the key risks, the options and the rebased parameters are computed in
:mod:`costmodel.analysis.report`); each function here chooses the words and lays the
numbers out, so the PDF prints them and tests compare them with the library. Nothing
here computes, draws, prints or writes.

* :func:`stance` – whether the run looks back on a programme (ex post) or forward to a
  decision (ex ante), from the dates.
* :func:`confidence` – an overall evidence grade, from the grade of each effect weighted
  by the savings resting on it.
* :func:`who_pays_and_saves` – the funder's costs against each agency's cashable savings,
  by period.
* :func:`key_risks` – switching values in words.
* :func:`options` – the decision's options (stop, do minimum, continue, scale up) as
  scenarios.
* :func:`monitoring_plan` – what to measure next, in the order of the value of
  information.
* :func:`annex` – every parameter grouped by topic, with values rebased to the report's
  price year, and one numbered reference list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analysis.report import PERIODS, ReportContent, period_label
from .formatting import money_round, percent
from .labels import (
    ANNEX_TOPICS,
    GROUP_LABELS,
    MONITORING,
    OUTCOME_LABELS,
    STANCE_LABELS,
    WHO_PAYS_ROWS,
    area_label,
    parameter_label,
)

#: The decision's options and the scenarios that stand for them, in the order shown.
#: ``None`` stands for the report's own (first) scenario.
DEFAULT_OPTIONS: tuple[tuple[str, str | None], ...] = (
    ("Stop", "no_team"),
    ("Do minimum", "do_minimum"),
    ("Continue", None),
    ("Scale up", "scale_up"),
)


@dataclass(frozen=True)
class Stance:
    """Whether the report evaluates a programme that has run, or appraises one to come."""

    kind: str  # "ex_post", "in_flight" or "ex_ante"
    start: dt.date
    end: dt.date
    created: dt.date

    @property
    def label(self) -> str:
        return STANCE_LABELS[self.kind]


def stance(content: ReportContent, kind: str | None = None) -> Stance:
    """Ex post when the report is dated after the funded period ends, in flight when
    during it, ex ante before it starts; ``kind`` (else the one the report was asked
    for, ``content.stance``) overrides the dates
    (:meth:`~costmodel.analysis.report.ReportContent.stance_kind`)."""
    start, end = content.programme_period()
    return Stance(content.stance_kind(kind), start, end, content.created)


def programme_period(content: ReportContent) -> tuple[dt.date, dt.date]:
    """First and last day of the reported scenario's programmes."""
    return content.programme_period()


def savings_by_outcome(content: ReportContent, scenario: str | None = None) -> pd.DataFrame:
    """PV of net savings by outcome (mean), with its effect's grade and evidence class
    (:meth:`~costmodel.analysis.report.ReportContent.savings_by_outcome`) and a label."""
    out = content.savings_by_outcome(scenario).copy()
    out.insert(
        0, "label", [OUTCOME_LABELS[o].short if o in OUTCOME_LABELS else o for o in out.index]
    )
    return out


def confidence(content: ReportContent, scenario: str | None = None) -> tuple[str, pd.Series]:
    """The overall evidence grade and the share of PV net savings resting on each grade
    (:meth:`~costmodel.analysis.report.ReportContent.confidence`)."""
    return content.confidence(scenario)


def who_pays_and_saves(content: ReportContent, scenario: str | None = None) -> pd.DataFrame:
    """Mean real-terms costs (less income) of the programmes and each agency's cashable
    saving, by period of appraisal years and in total (undiscounted), and the PV
    (:meth:`~costmodel.analysis.report.ReportContent.who_pays_and_saves`), in words."""
    out = content.who_pays_and_saves(scenario)
    out.index = pd.Index([WHO_PAYS_ROWS.get(k, k) for k in out.index], name="flow")
    return out


def key_risks(content: ReportContent, n: int = 3) -> list[tuple[str, float, float, float]]:
    """The ``n`` switching values nearest the central case, one per subject
    (:meth:`~costmodel.analysis.report.ReportContent.key_risks`)."""
    return content.key_risks(n)


def risk_sentence(
    content: ReportContent,
    risk: tuple[str, float, float, float],
    values: Callable[[str, float], str],
) -> str:
    """One key risk in words; ``values(path, x)`` formats a parameter's value."""
    path, change, central, switching = risk
    npv = float(content.tornado.attrs.get("npv_central", np.nan))
    turns = "negative" if npv >= 0 else "positive"
    way = "lower" if change < 0 else "higher"
    return (
        f"NPV turns {turns} if {parameter_label(path).lower()} is {abs(change) * 100:.0f}% "
        f"{way} than assumed: {values(path, switching)} instead of {values(path, central)}."
    )


def options(
    content: ReportContent, chosen: Sequence[tuple[str, str | None]] = DEFAULT_OPTIONS
) -> pd.DataFrame:
    """The options the report has projections for: scenario, mean NPV, BCR (ratio of
    means), P(NPV > 0), PV costs and families starting support
    (:meth:`~costmodel.analysis.report.ReportContent.options`)."""
    return content.options(chosen)


def evidence_priorities(content: ReportContent) -> pd.DataFrame:
    """Groups of parameters by the value of information (largest first), without EVPI."""
    v = content.value_of_information
    if v is None:
        return pd.DataFrame(columns=["label", "value_of_information", "share_of_evpi"])
    v = v.drop(index=[k for k in v.index if "EVPI" in str(k)])
    v = v.sort_values("value_of_information", ascending=False)
    out = v.copy()
    out.insert(0, "label", [GROUP_LABELS[k].long if k in GROUP_LABELS else k for k in v.index])
    return out


def monitoring_plan(content: ReportContent) -> pd.DataFrame:
    """What to measure and from where, group by group, in the order of the value of
    information."""
    v = evidence_priorities(content)
    rows = []
    for k, r in v.iterrows():
        what, where = MONITORING.get(str(k), MONITORING["other"])
        rows.append(
            {
                "group": str(k),
                "label": r["label"],
                "value_of_information": float(r["value_of_information"]),
                "measure": what,
                "source": where,
            }
        )
    return pd.DataFrame(rows)


def topic(path: str) -> str:
    """The technical annex's heading for a parameter path."""
    return next(t for prefix, t in ANNEX_TOPICS if path.startswith(prefix))


def annex(content: ReportContent) -> tuple[pd.DataFrame, list[str]]:
    """Every parameter with a plain label, grouped by topic; money values also in the
    report's price year; each source once, numbered.

    Returns the rows (``topic``, ``label``, ``value``, ``rebased``, ``unit``,
    ``status``, ``confidence``, ``reference``) in topic order, and the reference list
    (``reference`` is its 1-based number).
    """
    t = content.assumptions()
    values = content.rebased()
    refs: dict[str, int] = {}
    rows = []
    order = list(dict.fromkeys(t for _, t in ANNEX_TOPICS))
    for path, r in t.iterrows():
        source = content.parameters[str(path)].source
        src = ", ".join(
            str(x) for x in (source.publisher, source.title, source.year, source.url) if x
        )
        ref = refs.setdefault(src, len(refs) + 1)
        year = r["price_year"] if isinstance(r["price_year"], str) else None
        value = r["value"]
        rebased = None if np.isnan(values[path]) else float(values[path])
        lender = r.get("borrowed_from") if isinstance(r.get("borrowed_from"), str) else None
        rescaled = r.get("rescaled") if isinstance(r.get("rescaled"), str) else None
        rows.append(
            {
                "path": path,
                "topic": topic(str(path)),
                "label": parameter_label(str(path))
                + (
                    f" (from {area_label(lender)}"
                    + (f", rescaled {rescaled})" if rescaled else ")")
                    if lender
                    else ""
                ),
                "value": value,
                "price_year": year,
                "rebased": rebased,
                "unit": r["unit"],
                "status": f"borrowed ({r['status']})" if lender else r["status"],
                "confidence": r["confidence"],
                "changed": bool(r["scenario_override"]),
                "reference": f"{ref}, {source.page}" if source.page else str(ref),
            }
        )
    out = pd.DataFrame(rows)
    out["order"] = [order.index(x) for x in out["topic"]]
    out = out.sort_values(["order", "path"], kind="stable").drop(columns="order")
    return out.reset_index(drop=True), list(refs)


def answer_sentence(content: ReportContent) -> str:
    """The answer in one sentence: the fiscal NPV and BCR and the chance of a gain."""
    h = content.main.headlines()["estimate"]
    npv, bcr = float(h["npv"]), float(h["bcr"])
    verb = "saves more than it costs" if npv >= 0 else "costs more than it saves"
    return (
        f"On the central evidence the programme {verb}: a net present value of "
        f"{money_round(npv)} to the public sector, £{bcr:.2f} of savings for each £1 spent, "
        f"with a {percent(content.main.p_npv_positive, 0)} chance that it pays its way."
    )


__all__ = [
    "DEFAULT_OPTIONS",
    "PERIODS",
    "Stance",
    "annex",
    "answer_sentence",
    "confidence",
    "evidence_priorities",
    "key_risks",
    "monitoring_plan",
    "options",
    "period_label",
    "programme_period",
    "risk_sentence",
    "savings_by_outcome",
    "stance",
    "topic",
    "who_pays_and_saves",
]
