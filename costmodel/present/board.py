"""The board paper's reasoning in numbers: what the executive summary and its closing
sections say, drawn from a :class:`~costmodel.present.content.ReportContent`.

Each function returns plain values or a DataFrame built only from numbers the results
already hold (projections, switching values, value of information, parameters), so the
PDF lays them out and tests compare them with the library. Nothing here draws, prints
or writes.

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

from ..model.programme import programmes
from ..model.savings import GRADES
from ..model.vocabulary import AGENCY_NAMES, WEEKS_PER_YEAR
from .content import ReportContent, _add_years
from .formatting import money_round, percent
from .labels import (
    AGENCY_LABELS,
    ANNEX_TOPICS,
    GROUP_LABELS,
    MONITORING,
    OUTCOME_LABELS,
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
#: Appraisal periods of the who-pays table: (first year, last year), 1-based, inclusive.
PERIODS: tuple[tuple[int, int | None], ...] = ((1, 3), (4, 6), (7, None))
#: Shares of savings above which one evidence grade sets the overall grade.
MAJORITY = 0.5


@dataclass(frozen=True)
class Stance:
    """Whether the report evaluates a programme that has run, or appraises one to come."""

    kind: str  # "ex_post", "in_flight" or "ex_ante"
    start: dt.date
    end: dt.date
    created: dt.date

    @property
    def label(self) -> str:
        return {
            "ex_post": "Evaluation after the event (ex post)",
            "in_flight": "Review of a programme under way",
            "ex_ante": "Appraisal before the decision (ex ante)",
        }[self.kind]


def stance(content: ReportContent, kind: str | None = None) -> Stance:
    """Ex post when the report is dated after the funded period ends, in flight when
    during it, ex ante before it starts; ``kind`` (else the one the report was asked
    for, ``content.stance``) overrides the dates."""
    start, end = programme_period(content)
    kind = kind or content.stance
    if kind is None:
        kind = (
            "ex_post"
            if content.created > end
            else "in_flight"
            if content.created >= start
            else "ex_ante"
        )
    if kind not in ("ex_post", "in_flight", "ex_ante"):
        raise ValueError(f"stance must be ex_post, in_flight or ex_ante, not {kind!r}")
    return Stance(kind, start, end, content.created)


def programme_period(content: ReportContent) -> tuple[dt.date, dt.date]:
    """First and last day of the reported scenario's programmes (the team's funded
    weeks, or a programme's years)."""
    p = content.parameters
    if "team.programme.start_date" in p and float(p["team.budget.total"].value) > 0:
        start = p["team.programme.start_date"].value
        weeks = float(p["team.programme.duration"].value) * WEEKS_PER_YEAR
        return start, start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
    included = programmes(p)
    if not included:
        start = dt.date.fromisoformat(content.main.start_year)
        return start, start
    start = min(q.start_date(p) for q in included)
    end = max(_add_years(q.start_date(p), q.years(p)) for q in included)
    return start, end - dt.timedelta(days=1)


def period_label(start: dt.date, first: int, last: int) -> str:
    """Appraisal years ``first``..``last`` (1-based) as months: ``Feb 2019 – Jan 2022``."""
    a = _add_years(start, first - 1)
    b = _add_years(start, last) - dt.timedelta(days=1)
    return f"{a:%b %Y} – {b:%b %Y}"


def savings_by_outcome(content: ReportContent, scenario: str | None = None) -> pd.DataFrame:
    """PV of net savings by outcome (mean), with its effect's grade and evidence class
    (:meth:`costmodel.model.projection.Projection.by_outcome`) and a label."""
    p = content.projections[scenario or content.scenarios[0]]
    out = p.by_outcome()
    out.insert(
        0, "label", [OUTCOME_LABELS[o].short if o in OUTCOME_LABELS else o for o in out.index]
    )
    return out


def confidence(content: ReportContent, scenario: str | None = None) -> tuple[str, pd.Series]:
    """The overall evidence grade and the share of PV net savings resting on each grade.

    The grade is the one carrying a majority of the savings; with no majority, the
    lower of the two largest (a case resting on mixed evidence is as strong as its
    weaker half).
    """
    by = savings_by_outcome(content, scenario)
    shares = by.groupby("grade")["share"].sum().reindex(list(GRADES), fill_value=0.0)
    top = shares.idxmax()
    if shares[top] > MAJORITY:
        return str(top), shares
    two = shares.sort_values(ascending=False).index[:2]
    return str(max(two, key=GRADES.index)), shares


def who_pays_and_saves(content: ReportContent, scenario: str | None = None) -> pd.DataFrame:
    """Mean real-terms costs (less income) of the programmes and each agency's cashable
    saving, by period of appraisal years and in total (undiscounted), and the PV."""
    p = content.projections[scenario or content.scenarios[0]]
    m = p.mean_flows()
    years = len(m["costs"])
    start = dt.date.fromisoformat(p.start_year)
    rows: dict[str, np.ndarray] = {"Costs of the programme": m["costs"] - m["income"]}
    for j, a in enumerate(AGENCY_NAMES):
        rows[f"Cashable saving: {AGENCY_LABELS[a].long}"] = m["cashable_by_agency"][:, j]
    cols: dict[str, list[float]] = {}
    for first, last in PERIODS:
        stop = years if last is None else min(last, years)
        if first > stop:
            continue
        key = period_label(start, first, stop)
        cols[key] = [float(v[first - 1 : stop].sum()) for v in rows.values()]
    cols["Total"] = [float(v.sum()) for v in rows.values()]
    f = p.appraisal.discount_factors
    cols["Present value"] = [float(f @ v) for v in rows.values()]
    return pd.DataFrame(cols, index=pd.Index(list(rows), name="flow"))


def key_risks(content: ReportContent, n: int = 3) -> list[tuple[str, float, float, float]]:
    """The ``n`` switching values nearest the central case, one per subject (an outcome,
    or a parameter), as ``(path, change, central, switching)``: the change is relative
    (−0.3: 30% lower than assumed)."""
    s = content.switching
    s = s[np.isfinite(s["change"].to_numpy(dtype=float))]
    s = s.reindex(s["change"].abs().sort_values().index)
    seen: set[str] = set()
    out = []
    for path, r in s.iterrows():
        parts = str(path).split(".")
        subject = ".".join(parts[:3]) if parts[:2] == ["savings", "outcomes"] else str(path)
        if subject in seen:
            continue
        seen.add(subject)
        out.append((str(path), float(r["change"]), float(r["central"]), float(r["switching"])))
        if len(out) == n:
            break
    return out


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
    means), P(NPV > 0), PV costs and families starting support."""
    rows = {}
    for name, scenario in chosen:
        scenario = scenario or content.scenarios[0]
        if scenario not in content.projections:
            continue
        p = content.projections[scenario]
        h = p.headlines()["estimate"]
        rows[name] = {
            "scenario": scenario,
            "npv": float(h["npv"]),
            "bcr": float(h["bcr"]),
            "p_npv_positive": p.p_npv_positive,
            "pv_costs": float(h["pv_costs"]),
            "families_started": float(h["families_started"]),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("option")


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
    refs: dict[str, int] = {}
    rows = []
    order = list(dict.fromkeys(t for _, t in ANNEX_TOPICS))
    for path, r in t.iterrows():
        source = content.parameters[str(path)].source
        src = ", ".join(
            str(x) for x in (source.publisher, source.title, source.year, source.url) if x
        )
        ref = refs.setdefault(src, len(refs) + 1)
        rebased = None
        year = r["price_year"] if isinstance(r["price_year"], str) else None
        value = r["value"]
        if year and isinstance(value, (int, float)) and not isinstance(value, bool):
            rebased = float(value) * content.deflators.factor(year, content.price_year)
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
    "Stance",
    "annex",
    "answer_sentence",
    "confidence",
    "evidence_priorities",
    "key_risks",
    "monitoring_plan",
    "options",
    "risk_sentence",
    "savings_by_outcome",
    "stance",
    "topic",
    "who_pays_and_saves",
]
