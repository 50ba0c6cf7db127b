"""The team simulation's result: per-quarter outcomes by run, and views of them.

:class:`ReachResult` holds what :func:`costmodel.model.team.simulate_reach` returns: flows
(:data:`FLOWS`, totals over each quarter) and levels (:data:`LEVELS`, averages over
its steps), end-of-run counts, and running totals at the reported weeks; its methods
give totals, tiers, quarters, the reported-against-modelled table and a JSON summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..greenbook.appraisal import ratio
from ..params.sampling import summarise
from .team_inputs import ReachInputs
from .vocabulary import WEEKS_PER_QUARTER

#: Per-quarter outputs, summed over the steps of each quarter.
FLOWS = (
    "referred",
    "screened_out",
    "eligible",
    "started",
    "completed",
    "dropped_out",
    "redirected",
    "consultations",
    "reached_indirectly",
    "spend",
    "wait_weeks",
    "light_touch_referred",
    "light_touch_contacted",
    "light_touch_lapsed",
    "children_started",
    "children_contacted",
    "children_reached_indirectly",
)
#: Per-quarter levels, averaged over the steps of each quarter.
LEVELS = (
    "posts_filled",
    "capacity",
    "active",
    "waiting",
    "light_touch_posts_filled",
    "practitioner_posts_filled",
)

#: The totals a summary of the team's reach shows, in order (the command line's table,
#: the JSON): families through the service, by tier, waiting and use, spend, unit costs.
REACH_TOTALS = (
    "referred",
    "screened_out",
    "started",
    "completed",
    "dropped_out",
    "redirected",
    "ongoing_at_end",
    "waiting_at_end",
    "reached_indirectly",
    "light_touch_referred",
    "light_touch_contacted",
    "light_touch_lapsed",
    "families_supported",
    "children_supported",
    "mean_wait_weeks",
    "utilisation",
    "spend",
    "cost_per_family_supported",
    "cost_per_family_started",
    "cost_per_family_completed",
)
#: The JSON's names for totals whose summary name does not say "families".
JSON_NAMES = {
    "started": "families_started",
    "completed": "families_completed",
    "reached_indirectly": "families_reached_indirectly",
}

#: Families and children per service tier: (tier, families total, children total).
TIERS = (
    ("casework", "started", "children_started"),
    ("light_touch", "light_touch_contacted", "children_contacted"),
    ("advice", "reached_indirectly", "children_reached_indirectly"),
)


@dataclass(frozen=True)
class ReachResult:
    """Outcomes of ``runs`` replications.

    ``quarterly[name]`` is an array (runs, quarters): flows are totals over the
    quarter, levels are averages over its steps (``posts_filled`` counts managers and
    practitioners; light-touch posts are ``light_touch_posts_filled``, practitioners
    alone ``practitioner_posts_filled``). ``final[name]`` holds end-of-run
    counts by run (``ongoing_at_end``, ``waiting_at_end``, ``max_active``,
    ``max_overfill``, ``wait_total``), and ``referred_by_source`` (runs, sources).
    ``at_week[w]`` holds the running totals ``families_supported`` and
    ``children_supported`` by run at the end of week ``w``, for every reported
    observation that falls within the run.
    """

    inputs: ReachInputs = field(repr=False)
    seed: int | None
    step_weeks: float
    quarterly: Mapping[str, np.ndarray] = field(repr=False)
    final: Mapping[str, np.ndarray] = field(repr=False)
    referred_by_source: np.ndarray = field(repr=False)
    at_week: Mapping[int, Mapping[str, np.ndarray]] = field(default_factory=dict, repr=False)

    @property
    def runs(self) -> int:
        return self.inputs.runs

    @property
    def quarters(self) -> int:
        return next(iter(self.quarterly.values())).shape[1]

    def total(self, name: str) -> np.ndarray:
        """One number per run: a flow summed over the programme, or a derived total."""
        q = self.quarterly
        if name in FLOWS:
            return q[name].sum(axis=1)
        if name in self.final:
            return self.final[name]
        if name == "families_supported":
            return self.total("started") + self.total("light_touch_contacted")
        if name == "children_supported":
            return self.total("children_started") + self.total("children_contacted")
        if name == "families_reached":
            return self.total("families_supported") + self.total("reached_indirectly")
        if name == "children_reached":
            return self.total("children_supported") + self.total("children_reached_indirectly")
        if name == "cost_per_family_supported":
            return ratio(self.total("spend"), self.total("families_supported"))
        if name == "cost_per_family_started":
            return ratio(self.total("spend"), self.total("started"))
        if name == "cost_per_family_completed":
            return ratio(self.total("spend"), self.total("completed"))
        if name == "mean_wait_weeks":
            return ratio(self.final["wait_total"], self.total("started"))
        if name == "utilisation":
            return ratio(q["active"].sum(axis=1), q["capacity"].sum(axis=1))
        raise KeyError(f"unknown outcome {name!r}")

    def tiers(self, percentiles: Sequence[float] = (5, 50, 95)) -> pd.DataFrame:
        """Families and children by service tier over the run: mean and percentiles,
        rows (tier, measure); ``supported`` is casework and light touch together."""
        frames = []
        rows = [*TIERS, ("supported", "families_supported", "children_supported")]
        for tier, families, children in rows:
            s = summarise(
                {"families": self.total(families), "children": self.total(children)}, percentiles
            )
            s.index = pd.MultiIndex.from_product([[tier], s.index], names=["tier", "measure"])
            frames.append(s)
        return pd.concat(frames)

    def reported(self, percentiles: Sequence[float] = (5, 95)) -> pd.DataFrame:
        """Modelled against reported: for every observation within the run, the reported
        count, the modelled mean and band, and where the report sits among the runs
        (percentile, ties counted half)."""
        rows = []
        for o in self.inputs.observed:
            got = self.at_week.get(o.weeks)
            if got is None:
                continue
            for measure, value in (("families", o.families), ("children", o.children)):
                if value is None:
                    continue
                x = got[f"{measure}_supported"]
                lo, hi = np.percentile(x, percentiles)
                rows.append(
                    {
                        "observation": o.name,
                        "weeks": o.weeks,
                        "measure": f"{measure} supported",
                        "reported": value,
                        "modelled_mean": float(x.mean()),
                        f"modelled_p{percentiles[0]}": float(lo),
                        f"modelled_p{percentiles[1]}": float(hi),
                        "reported_percentile": float(
                            ((x < value).mean() + 0.5 * (x == value).mean()) * 100
                        ),
                    }
                )
        return pd.DataFrame(rows)

    def cumulative(self, name: str, low: float = 5, high: float = 95) -> pd.DataFrame:
        """A flow's running total to the end of each quarter: mean over runs, and the
        ``low``–``high`` percentiles of the runs' own running totals."""
        cum = np.cumsum(np.asarray(self.quarterly[name], dtype=float), axis=1)
        lo, hi = np.percentile(cum, [low, high], axis=0)
        return pd.DataFrame(
            {"mean": cum.mean(axis=0), "low": lo, "high": hi},
            index=pd.Index(self.quarter_labels(), name="quarter_start"),
        )

    def quarter_labels(self) -> list[str]:
        start = self.inputs.start_date
        return [
            (start + dt.timedelta(weeks=WEEKS_PER_QUARTER * i)).isoformat()
            for i in range(self.quarters)
        ]

    def totals(self, percentiles: Sequence[float] = (5, 50, 95)) -> pd.DataFrame:
        """Mean and percentiles over runs of each total outcome."""
        names = [
            *(f for f in FLOWS if f != "wait_weeks"),
            "ongoing_at_end",
            "waiting_at_end",
            "families_supported",
            "children_supported",
            "families_reached",
            "children_reached",
            "mean_wait_weeks",
            "utilisation",
            "cost_per_family_supported",
            "cost_per_family_started",
            "cost_per_family_completed",
        ]
        return summarise({n: self.total(n) for n in names}, percentiles)

    def by_quarter(self, percentiles: Sequence[float] = (5, 50, 95)) -> pd.DataFrame:
        """Mean and percentiles of each quarterly outcome; rows (quarter, outcome)."""
        frames = []
        labels = self.quarter_labels()
        util = ratio(self.quarterly["active"], self.quarterly["capacity"])
        data = {**self.quarterly, "utilisation": util}
        for i, label in enumerate(labels):
            s = summarise({k: v[:, i] for k, v in data.items()}, percentiles)
            s.insert(0, "quarter_start", label)
            s.insert(0, "quarter", i + 1)
            frames.append(s)
        out = pd.concat(frames)
        out.index.name = "outcome"
        return out.reset_index().set_index(["quarter", "outcome"])

    def to_dict(self) -> dict:
        """A JSON-ready summary (the CLI's ``--format json``)."""

        def stats(x: np.ndarray) -> dict[str, float | None]:
            row = summarise({"x": x}).loc["x"]
            return {k: _num(row[k]) for k in ("mean", "p5", "p50", "p95")}

        out: dict[str, Any] = {
            "runs": self.runs,
            "seed": self.seed,
            "weeks": self.inputs.weeks,
            "start_date": self.inputs.start_date.isoformat(),
            "price_year": self.inputs.price_year,
            "price_basis": self.inputs.price_basis,
            "budget": self.inputs.budget,
            "budget_cash": self.inputs.budget_cash,
        }
        for n in REACH_TOTALS:
            out[JSON_NAMES.get(n, n)] = stats(self.total(n))
        out["tiers"] = {
            tier: {
                "families": stats(self.total(families)),
                "children": stats(self.total(children)),
            }
            for tier, families, children in TIERS
        }
        out["reported_against_modelled"] = [
            {k: (_num(v) if isinstance(v, float) else v) for k, v in row.items()}
            for row in self.reported().to_dict(orient="records")
        ]
        out["staffing_steps"] = [
            {
                "name": st.name,
                "date": (self.inputs.start_date + dt.timedelta(weeks=st.week)).isoformat(),
                "posts": dict(st.posts),
                "funding": st.funding,
            }
            for st in self.inputs.staffing_steps
        ]
        src = self.referred_by_source
        out["referred_by_source"] = {s: stats(src[:, i]) for i, s in enumerate(self.inputs.sources)}
        bq = self.by_quarter()
        out["by_quarter"] = [
            {
                "quarter": int(q),
                "quarter_start": bq.loc[(q, "started"), "quarter_start"],
                **{
                    alias_rev: {
                        k: _num(bq.loc[(q, src_name), k]) for k in ("mean", "p5", "p50", "p95")
                    }
                    for alias_rev, src_name in (
                        ("families_referred", "referred"),
                        ("families_started", "started"),
                        ("families_completed", "completed"),
                        ("dropped_out", "dropped_out"),
                        ("redirected", "redirected"),
                        ("families_reached_indirectly", "reached_indirectly"),
                        ("families_contacted_light_touch", "light_touch_contacted"),
                        ("children_started", "children_started"),
                        ("children_contacted_light_touch", "children_contacted"),
                        ("spend", "spend"),
                        ("utilisation", "utilisation"),
                        ("posts_filled", "posts_filled"),
                    )
                },
            }
            for q in range(1, self.quarters + 1)
        ]
        return out


def _num(x: float) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None
