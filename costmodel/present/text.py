"""The command line's text: each result as the tables and lines a terminal shows.

Every function takes a result (and the few settings its heading names) and returns the
text, ending in a newline; :mod:`costmodel.cli` parses the command line, computes the
result and prints what these return. Names are shown by their labels
(:mod:`costmodel.present.labels`), figures as :mod:`costmodel.present.formatting`
writes them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ..model.team_result import REACH_TOTALS
from .formatting import by_kind, money, number, percent, ratio_text, text_table
from .labels import (
    AGENCY_LABELS,
    BASIS_LABELS,
    DECISION_COLUMNS,
    EVIDENCE_CLASS_LABELS,
    FAMILY_COST_ROWS,
    INDICATORS,
    ISSUE_LABELS,
    OUTCOME_LABELS,
    PERSPECTIVE_LABELS,
    REACH_OUTCOMES,
    SUNK_ROWS,
    TIER_LABELS,
    area_label,
    kind,
    label,
    perspective_basis,
    provenance_text,
)

if TYPE_CHECKING:
    from ..analysis.monitoring import MonitoringUpdate
    from ..analysis.replication import Replication
    from ..model.decision import OptionsAppraisal
    from ..model.late_intervention import Baseline
    from ..model.result import Projection
    from ..model.team_result import ReachResult

#: The totals the reach table shows, in order (the model's order of its totals).
REACH_ROWS = REACH_TOTALS


def _missing(x: float | None) -> bool:
    return x is None or x != x


def indicator(name: str, x: float | None) -> str:
    """An appraisal indicator's value (:data:`~costmodel.present.labels.INDICATORS`) as
    text: probabilities as percentages, ratios and years to two decimals, ``–`` if none."""
    if x is None or _missing(x):
        return "–"
    if name in ("p_npv_positive", "p_payback"):
        return percent(x, 1)
    k = kind(name, INDICATORS)
    return f"{x:.2f}" if k in ("ratio", "years") else by_kind(x, k)


def _perspective(key: str) -> str:
    return PERSPECTIVE_LABELS[key].short if key in PERSPECTIVE_LABELS else key


def _outcome(key: str) -> str:
    return OUTCOME_LABELS[key].short if key in OUTCOME_LABELS else key


# ------------------------------------------------------------------------ scenarios


def scenario_list(items: Mapping[str, str]) -> str:
    """The scenarios, a line each: name, then description."""
    width = max(map(len, items), default=0)
    return "".join(f"{k.ljust(width)}  {v}\n" for k, v in items.items())


# ------------------------------------------------------------------------- baseline


def baseline_csv(result: Baseline, by: str) -> str:
    """The baseline as CSV rows (``by``: ``issue``, ``agency`` or ``both``)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["area", "price_year", "dimension", "issue", "agency", "value_gbp", "status"])
    head = [result.area, result.price_year]
    if by in ("issue", "both"):
        for k, v in result.by_issue.items():
            w.writerow([*head, "issue", k, "", int(v), result.issue_status[k]])
    if by in ("agency", "both"):
        for k, v in result.by_agency.items():
            w.writerow([*head, "agency", "", k, int(v), result.agency_status[k]])
    if by == "both":
        for issue, row in result.table.iterrows():
            for agency, v in row.items():
                w.writerow([*head, "cell", issue, agency, int(v), "derived"])
    w.writerow([*head, "total", "", "", result.total, result.total_status])
    return buf.getvalue()


def baseline_table(result: Baseline, by: str, bottom_up: bool = False) -> str:
    """The baseline by issue, agency or both, where its total came from, the cost per
    person and (``bottom_up``) activity counts × unit costs."""
    out = [
        f"Annual cost of late intervention: {area_label(result.area)}",
        f"£ a year, {result.price_basis}",
        "",
    ]
    for dim in ["issue", "agency"] if by == "both" else [by]:
        f = result.frame(dim)
        labels = ISSUE_LABELS if dim == "issue" else AGENCY_LABELS
        rows = [
            [labels[k].long, money(r.cost), percent(r.share), r.status]
            for k, r in zip(f.index, f.itertuples(), strict=True)
        ]
        rows.append(["Total", money(result.total), percent(1.0), result.total_status])
        out += [text_table(rows, ["By " + dim, "Cost", "Share", "Status"], "lrrl"), ""]
    out += _provenance_lines(result)
    if by == "both":
        header = [
            "Issue \\ agency",
            *[AGENCY_LABELS[a].short for a in result.table.columns],
            "Total",
        ]
        rows = [
            [ISSUE_LABELS[i].long, *[number(v) for v in row], number(row.sum())]
            for i, row in result.table.iterrows()
        ]
        rows.append(["Total", *[number(v) for v in result.by_agency], number(result.total)])
        out += [
            text_table(rows, header, "l" + "r" * (len(header) - 1)),
            "Cells are derived: each issue's cost split by its fitted agency shares.",
            "",
        ]
    out.append(
        f"Per person: {money(result.per_person, 2)} (population {number(result.population)})"
    )
    if bottom_up:
        out += ["", *_bottom_up_lines(result)]
    return "\n".join(out) + "\n"


def _provenance_lines(result: Baseline) -> list[str]:
    """Where the total and the population came from, a line each; a total that is not
    published says how it was reached and its range."""
    out = []
    for key, what in (("total", "Total"), ("population", "Population")):
        entry = result.provenance.get(key)
        if entry is None:
            continue
        rng = entry.get("range")
        if key == "total" and rng and entry["status"] != "published":
            what += f" (90% range {money(rng[0])}–{money(rng[1])})"
        out.append(f"{what}: {provenance_text(entry)}")
    return [*out, ""] if out else []


def _bottom_up_lines(result: Baseline) -> list[str]:
    bu = result.bottom_up
    if bu is None or bu.empty:
        return ["No bottom-up view: this area has no activity counts."]
    rows = []
    for r in bu.itertuples():
        item = (
            "Not itemised (EIF figure less items)"
            if r.item == "not_itemised"
            else str(r.item).replace("_", " ").capitalize()
        )
        rows.append(
            [
                ISSUE_LABELS[str(r.issue)].long,
                item,
                number(r.count),
                money(r.unit_cost),
                money(r.cost),
            ]
        )
    return [
        "Bottom-up view: activity count × unit cost, and the gap to the top-down figure",
        text_table(rows, ["Issue", "Item", "Count", "Unit cost", "Cost"], "llrrr"),
    ]


# ---------------------------------------------------------------------------- reach


def reach_csv(res: ReachResult) -> str:
    """The reach totals, then each quarter's outcomes, as CSV rows."""
    buf = io.StringIO()
    t = res.totals()
    t.insert(0, "quarter_start", "")
    t.insert(0, "quarter", "total")
    t.index.name = "outcome"
    bq = res.by_quarter().reset_index().set_index("outcome")
    pd.concat([t, bq]).to_csv(buf, lineterminator="\n")
    return buf.getvalue()


def reach_table(
    res: ReachResult, *, seed: int, scenario: str | None, parameter_uncertainty: bool
) -> str:
    """The team's reach: totals with bands, by service tier, modelled against reported,
    and by quarter."""
    t = res.totals()
    rows = []
    for k in REACH_ROWS:
        lab = REACH_OUTCOMES[k]
        rows.append(
            [lab.long, *(by_kind(t.loc[k, c], lab.kind) for c in ("mean", "p5", "p50", "p95"))]
        )
    out = [
        *_reach_heading(res, seed, scenario, parameter_uncertainty),
        text_table(rows, ["Over the programme", "Mean", "5th pct", "Median", "95th pct"], "lrrrr"),
        "",
        "By service tier, over the programme",
        _tier_table(res),
        "(supported = casework + light touch, as the team's reports count them)",
        "",
    ]
    reported = res.reported()
    if len(reported):
        from .calibration import check_table

        out += ["Modelled against reported", check_table(reported), ""]
    return "\n".join([*out, "By quarter (means)", _quarter_table(res)]) + "\n"


def _reach_heading(
    res: ReachResult, seed: int, scenario: str | None, parameter_uncertainty: bool
) -> list[str]:
    inp = res.inputs
    steps = (
        f" and {money(inp.funding_total() - inp.budget)} with the staffing steps "
        f"({', '.join(st.name.replace('_', ' ') for st in inp.staffing_steps)})"
        if inp.staffing_steps
        else ""
    )
    return [
        f"Early Intervention Team: {res.runs:,} runs, seed {seed}, "
        f"scenario {scenario or 'central'}",
        f"{inp.weeks} weeks from {inp.start_date.isoformat()}; money in real terms, "
        f"{inp.price_year} prices; budget {money(inp.budget_cash)} cash "
        f"({money(inp.budget)} in {inp.price_year} prices){steps}",
        "Bands show chance and parameter uncertainty"
        if parameter_uncertainty
        else "Bands show chance only (central parameter values)",
        "",
    ]


def _tier_table(res: ReachResult) -> str:
    tiers = res.tiers()

    def band(tier: str, measure: str) -> str:
        row = tiers.loc[(tier, measure)]
        return f"{row['mean']:,.0f} ({row['p5']:,.0f}–{row['p95']:,.0f})"

    rows = [
        [TIER_LABELS.get(tier, tier), band(tier, "families"), band(tier, "children")]
        for tier in dict.fromkeys(tiers.index.get_level_values(0))
    ]
    return text_table(rows, ["Service tier", "Families (90% band)", "Children (90% band)"], "lrr")


def _quarter_table(res: ReachResult) -> str:
    bq = res.by_quarter()
    rows = []
    for q in range(1, res.quarters + 1):

        def m(name: str, q: int = q) -> pd.Series:
            return bq.loc[(q, name)]

        rows.append(
            [
                str(q),
                m("started")["quarter_start"],
                f"{m('started')['mean']:.0f} ({m('started')['p5']:.0f}–{m('started')['p95']:.0f})",
                f"{m('completed')['mean']:.0f}",
                f"{m('reached_indirectly')['mean']:.0f}",
                f"{m('posts_filled')['mean']:.1f}",
                f"{m('light_touch_posts_filled')['mean']:.1f}",
                f"{m('light_touch_contacted')['mean']:.0f}",
                money(m("spend")["mean"]),
            ]
        )
    return text_table(
        rows,
        [
            "Quarter",
            "From",
            "Started (90% band)",
            "Completed",
            "Reached by advice",
            "Posts filled",
            "Light-touch posts",
            "Light touch",
            "Spend",
        ],
        "llrrrrrrr",
    )


# ----------------------------------------------------------------------- projection


def projection_csv(res: Projection) -> str:
    """The projection's summary, then who saves, as CSV rows."""
    buf = io.StringIO()
    s = res.summary()
    s.index.name = "indicator"
    s.to_csv(buf, lineterminator="\n")
    res.by_agency().to_csv(buf, lineterminator="\n")
    return buf.getvalue()


def projection_table(
    res: Projection,
    *,
    seed: int,
    borrowed: Sequence[str] = (),
    reconciliation: pd.DataFrame | None = None,
    published: pd.DataFrame | None = None,
) -> str:
    """A savings appraisal: headline indicators, who saves, the perspectives, the
    published evaluation it replicates, what the benefits rest on, the reconciliation of
    a family's yearly cost and the appraisal's checks."""
    h = res.headlines()
    rows = [
        [
            label(k, INDICATORS),
            indicator(k, r.estimate),
            BASIS_LABELS[r.basis].split(";")[0],
            *(indicator(k, r[c]) for c in ("p5", "p95")),
        ]
        for k, r in h.iterrows()
    ]
    arows = [
        [
            AGENCY_LABELS[a].long,
            money(r.pv_savings_net),
            money(r.cashable),
            percent(r.share, 0) if r.share == r.share else "–",
        ]
        for a, r in res.by_agency().iterrows()
    ]
    out = [
        *_projection_heading(res, seed, borrowed),
        text_table(
            rows, ["Indicator", "Estimate", "Basis", "5th pct of draws", "95th pct"], "lrlrr"
        ),
        "",
        text_table(arows, ["Who saves (PV, net)", "Saving", "Cashable", "Share"], "lrrr"),
        "",
        "By perspective (means; the figures above are fiscal)",
        text_table(
            [
                [
                    _perspective(str(k)),
                    money(r.pv_benefits),
                    money(r.pv_costs),
                    money(r.npv),
                    ratio_text(r.bcr),
                    perspective_basis(r.basis, res.perspective_weights.get("funder")),
                ]
                for k, r in res.perspectives().iterrows()
            ],
            ["Perspective", "PV benefits", "PV costs", "NPV", "BCR", "What it counts"],
            "lrrrrl",
        ),
    ]
    if published is not None and len(published):
        out += [
            "",
            "Against the published evaluation (benefit-cost ratio)",
            published_table(published),
        ]
    out += ["", *_evidence_lines(res)]
    if reconciliation is not None:
        out += ["", *_reconciliation_lines(reconciliation)]
    if res.appraisal.checks:
        out += ["", *("Check: " + c for c in res.appraisal.checks)]
    return "\n".join(out) + "\n"


def _projection_heading(res: Projection, seed: int, borrowed: Sequence[str]) -> list[str]:
    followed = (
        f"; each quarter's cohort followed {res.years_after_support} years from the "
        "quarter its support ends"
        if res.years_after_support
        else ""
    )
    return [
        f"Savings appraisal: scenario {res.scenario}, {res.draws:,} draws, seed {seed}",
        f"Real terms, {res.price_year} prices; Green Book {res.appraisal.discount} discount "
        f"rate from {res.base_date}; {res.appraisal.horizon} years from {res.start_year}"
        + followed,
        *(f"Borrowed: {line}" for line in borrowed),
        *_sunk_lines(res),
        "",
    ]


def published_table(published: pd.DataFrame) -> str:
    """Modelled benefit-cost ratios against an evaluation's published ones."""
    return text_table(
        [
            [
                _perspective(str(k)),
                f"{r.modelled:.2f}",
                f"{r.p5:.2f} – {r.p95:.2f}",
                f"{r.published:.2f}",
                f"{r.gap:+.2f}",
                r.source,
            ]
            for k, r in published.iterrows()
        ],
        ["Perspective", "Modelled", "90% interval", "Published", "Gap", "Published in"],
        "lrrrrl",
    )


def _evidence_lines(res: Projection) -> list[str]:
    """What the benefits rest on: the share by evidence class, and each outcome's."""
    cls = res.by_evidence_class()
    line = "; ".join(
        f"{EVIDENCE_CLASS_LABELS[str(k)]} {percent(r.share, 0)}"
        for k, r in cls.iterrows()
        if r.share == r.share
    )
    rows = [
        [
            _outcome(str(o)),
            EVIDENCE_CLASS_LABELS[r.evidence_class],
            f"{r.pooled_effect:+.2f}",
            f"{r.design_multiplier:.2f}",
            f"{r.transfer_factor:.2f}",
            f"{r.effect_applied:+.3f}",
            f"{r.window_years:g}" if r.window_years == r.window_years else "–",
            percent(r.share, 0) if r.share == r.share else "–",
        ]
        for o, r in res.by_outcome().iterrows()
    ]
    header = ["Outcome", "Evidence", "Pooled effect", "Design", "Transfer", "Applied"]
    return [
        f"What the benefits rest on (share of PV net savings): {line}",
        text_table(rows, [*header, "Years measured", "Share"], "llrrrrrr"),
    ]


def _sunk_lines(res: Projection) -> list[str]:
    """A forward appraisal's decision date and what it leaves out as sunk."""
    if not res.decision_date:
        return []
    s = res.sunk
    return [
        f"Decision on {res.decision_date}: only what falls after it counts; sunk before it "
        f"(not in the NPV): spending {money(s['pv_costs'])}, net savings "
        f"{money(s['pv_savings_net'])}"
    ]


def _reconciliation_lines(recon: pd.DataFrame) -> list[str]:
    rows = [
        [
            OUTCOME_LABELS[k].short if k in OUTCOME_LABELS else FAMILY_COST_ROWS[str(k)],
            money(v["yearly_cost_per_family"]),
        ]
        for k, v in recon.iterrows()
    ]
    return [
        "What a family like those helped costs services a year, without support (central values)",
        text_table(rows, ["Outcome", "£ a family a year"], "lr"),
    ]


def comparison_table(table: pd.DataFrame, *, draws: int, seed: int) -> str:
    """Scenarios side by side (:func:`costmodel.model.projection.compare`): their means."""
    rows = [
        [label(str(k), INDICATORS), *(indicator(str(k), table.loc[k, c]) for c in table.columns)]
        for k in table.index
    ]
    return (
        f"Scenario means, {draws:,} draws, seed {seed}\n"
        + text_table(rows, ["Indicator", *table.columns], "l" + "r" * len(table.columns))
        + "\n"
    )


def replication_table(reps: Mapping[str, Replication], *, seed: int) -> str:
    """Each published evaluation replicated: modelled against published ratios."""
    out = []
    for name, r in reps.items():
        out += [
            f"{name}: {r.description}",
            f"{r.projection.draws:,} draws, seed {seed}; real terms, "
            f"{r.projection.price_year} prices",
            published_table(r.table),
            *(
                f"{_perspective(str(k))}: published {row.published:.2f} "
                + ("lies within" if row.within else "lies outside")
                + " the model's 90% interval"
                for k, row in r.table.iterrows()
            ),
            "",
        ]
    return "\n".join(out)


# -------------------------------------------------------------------------- options


def _decision_cell(column: str, x: float | None) -> str:
    if x is None or _missing(x):
        return "–"
    k = DECISION_COLUMNS[column].kind
    return f"{x:.2f}" if k in ("ratio", "years") else by_kind(x, k)


def _decision_table(
    df: pd.DataFrame, columns: Sequence[str], first: str, names: Callable[[str], str]
) -> str:
    rows = [[names(str(k)), *(_decision_cell(c, r[c]) for c in columns)] for k, r in df.iterrows()]
    heads = [first, *(DECISION_COLUMNS[c].short for c in columns)]
    return text_table(rows, heads, "l" + "r" * len(columns))


def options_table(res: OptionsAppraisal, *, draws: int, seed: int, brief: bool = False) -> str:
    """A decision's tables: options less the counterfactual, by perspective and (unless
    ``brief``) each agency's view, the cost shared by benefits, and what is sunk."""
    inc = res.incremental()
    out = [
        f"Decision: {res.description}",
        f"Decided on {res.decision_date}; real terms, {res.price_year} prices; discounted to "
        f"{res.base_date}; each option less {res.counterfactual}; "
        f"{draws:,} draws, seed {seed}, common to every option",
        "",
        _decision_table(inc, list(inc.columns), "Option", str),
        "",
        "By perspective (incremental)",
        text_table(
            [
                [
                    str(o),
                    _perspective(str(v)),
                    money(r.pv_benefits),
                    money(r.pv_costs),
                    money(r.npv),
                    _decision_cell("bcr", r.bcr),
                ]
                for (o, v), r in res.perspectives().iterrows()
            ],
            ["Option", "Perspective", "PV benefits", "PV costs", "NPV", "BCR"],
            "llrrrr",
        ),
    ]
    if brief:
        return "\n".join(out) + "\n"
    for o in res.options:
        out += _agency_lines(res, o)
    sunk = res.sunk()
    if len(sunk) and res.history is not None:
        out += [
            "",
            f"Sunk at the decision (scenario {res.history.scenario}; in no option's NPV)",
            text_table([[SUNK_ROWS[k], money(v)] for k, v in sunk.items()], ["", "PV"], "lr"),
        ]
    return "\n".join(out) + "\n"


def _agency_lines(res: OptionsAppraisal, option: str) -> list[str]:
    """One option's view from each agency, and its cost shared by their savings."""

    def agency(a: str) -> str:
        return AGENCY_LABELS[a].long

    views = res.funder_views(option)
    share = res.cost_sharing(option)
    funder = str(views.attrs["funder"])
    funder = agency(funder) if funder in AGENCY_LABELS else funder
    shared = ["share_cashable", "pays_cashable", "npv_cashable"]
    return [
        "",
        f"{option}: each agency's view (funder now: {funder}; outlay "
        f"{money(views.attrs['outlay'])}; the local partnership can cash "
        f"{money(views.attrs['local_cashable'])})",
        _decision_table(views, list(views.columns), "Agency", agency),
        "",
        f"{option}: the cost shared in proportion to each agency's savings",
        _decision_table(
            share, [*shared, "share_total", "pays_total", "npv_total"], "Agency", agency
        ),
    ]


def update_table(
    result: MonitoringUpdate,
    *,
    monitoring_file: str,
    before: OptionsAppraisal,
    after: OptionsAppraisal,
    worth: Mapping[str, pd.DataFrame],
    best: str,
    draws: int,
) -> str:
    """Prior against posterior for each monitored outcome, the decision's options before
    and after the update, and what a larger local sample would be worth."""
    t = result.table
    rows = [
        [
            _outcome(str(o)),
            f"{r.prior_mean:.1%} ± {r.prior_sd:.1%}",
            f"{r.local_effect:.1%} ± {r.local_se:.1%}",
            f"{r.posterior_mean:.1%} ± {r.posterior_sd:.1%}",
            f"{r.posterior_p5:.1%} to {r.posterior_p95:.1%}",
            percent(r.local_share, 0),
        ]
        for o, r in t.iterrows()
    ]
    inc_b, inc_a = before.incremental(), after.incremental()
    first = next(iter(worth.values()))
    out = [
        f"Effects updated on {monitoring_file} (relative reductions; the comparison's bias on "
        f"the log risk ratio {t['bias_mean'].iloc[0]:g} ± {t['bias_sd'].iloc[0]:g})",
        text_table(
            rows,
            ["Outcome", "Prior", "Local data", "Posterior", "90% interval", "Local share"],
            "lrrrrr",
        ),
        "",
        f"The decision's options less {after.counterfactual}, before and after the update "
        f"({after.price_year} prices, discounted to {after.base_date}; {draws:,} draws)",
        text_table(
            [
                [
                    o,
                    money(inc_b.loc[o, "npv"]),
                    money(inc_a.loc[o, "npv"]),
                    f"{inc_b.loc[o, 'bcr']:.2f}",
                    f"{inc_a.loc[o, 'bcr']:.2f}",
                ]
                for o in after.options
            ],
            ["Option", "NPV before", "NPV after", "BCR before", "BCR after"],
            "lrrrr",
        ),
        "",
        f"What counting n supported and n comparison families would be worth ({best}; "
        "expected value of sample information)",
        text_table(
            [
                [_outcome(o), *(money(v) for v in w["evsi"]), money(w["evppi"].iloc[0])]
                for o, w in worth.items()
            ],
            ["Outcome", *(f"n={n:,}" for n in first["n"]), "EVPPI"],
            "l" + "r" * (len(first) + 1),
        ),
    ]
    return "\n".join(out) + "\n"


__all__ = [
    "REACH_ROWS",
    "baseline_csv",
    "baseline_table",
    "comparison_table",
    "indicator",
    "options_table",
    "projection_csv",
    "projection_table",
    "published_table",
    "reach_csv",
    "reach_table",
    "replication_table",
    "scenario_list",
    "update_table",
]
