"""The technical note: the second PDF, for analysts who check the board paper's figures.

:func:`write_technical_note` lays out, with the board paper's layout engine
(:mod:`costmodel.present.pdf`): a title page; contents; the methods in short; the
evidence records behind each effect and how they were pooled; the published appraisals
rebuilt with the same machinery (:mod:`costmodel.analysis.replication`); every
parameter with its unit, price year, status, distribution and source; the one-way
sensitivity and switching values; the value of information; and the references.

It prints words, not the model's names for things: parameters by their reader labels,
studies, designs, agencies and need tiers in words, sources as citations. A missing
figure is a dash, never "nan".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..params import evidence as ev
from ..params.errors import accepts
from . import content as shown
from . import pdf as engine
from .formatting import money_round, number, percent
from .labels import (
    AGENCY_LABELS,
    EVIDENCE_CLASS_LABELS,
    GROUP_LABELS,
    ISSUE_LABELS,
    OUTCOME_LABELS,
    SHARE_UNITS,
    parameter_label,
)
from .labels import scenario_label as _scenario_label

if TYPE_CHECKING:
    from fpdf import FPDF
    from fpdf.outline import OutlineSection

    from ..analysis.replication import Replication
    from ..analysis.report import ReportContent

#: The note's sections (level-0 headings), in order.
NOTE_SECTIONS = (
    "Contents",
    "1. Methods",
    "2. Evidence records and their pooling",
    "3. Replications of published appraisals",
    "4. Parameters and their sources",
    "5. Sensitivity and switching values",
    "6. Value of information",
    "7. Options and scenarios compared",
    "8. The decision's options in detail",
    "References",
)
#: Monte Carlo draws of each replication the note shows (a fraction of a second each).
REPLICATION_DRAWS = 2000
#: What a missing figure prints as.
DASH = "–"

DESIGN_WORDS = {
    "randomised_trial": "Randomised trial",
    "comparison_group": "Comparison group",
    "before_after": "Before and after",
    "expert_assumption": "Expert assumption",
    "local_update": "Local monitoring update",
}
NEED_WORDS = {
    "universal": "universal",
    "early_help": "early help",
    "targeted": "targeted",
    "troubled_families": "Troubled Families level",
    "statutory": "statutory",
}
UNIT_WORDS = {
    "GBP": "£",
    "GBP/case": "£ a case",
    "GBP/episode": "£ an episode",
    "GBP/family": "£ a family",
    "GBP/incident": "£ an incident",
    "GBP/person": "£ a person",
    "GBP/year": "£ a year",
    "count": "number",
    "count/week": "a week",
    "count/year": "a year",
    "date": "date",
    "family": "families",
    "hour": "hours",
    "index": "index",
    "log_ratio": "log ratio",
    "person": "people",
    "post": "posts",
    "proportion": "share",
    "rate/year": "a year",
    "ratio": "ratio",
    "relative_reduction": "relative reduction",
    "week": "weeks",
    "year": "years",
}
#: A table-valued parameter with more entries than this is summarised by its ends.
LONG_TABLE = 8


# ---------------------------------------------------------------- words


def words(key: object) -> str:
    """A key of the model (an agency, issue, outcome, study, need tier) in words."""
    k = str(key)
    for table in (AGENCY_LABELS, OUTCOME_LABELS, ISSUE_LABELS):
        if k in table:
            return table[k].short
    if k in NEED_WORDS:
        return NEED_WORDS[k]
    if k in DESIGN_WORDS:
        return DESIGN_WORDS[k]
    text = re.sub(r"phase(\d)", r"phase \1", k.replace("_", " ").replace(".", " "))
    return text[:1].upper() + text[1:]


def minus(text: str) -> str:
    """A hyphen before a digit printed as a minus sign."""
    return re.sub(r"-(?=\d)", "−", text)


def plain(text: str) -> str:
    """Prose from the parameter files with any code name in it put into words:
    ``(annual_report_2020_21)`` → ``(annual report 2020/21)``."""

    def one(m: re.Match) -> str:
        return re.sub(r"\b(\d{4}) (\d{2})\b", r"\1/\2", m.group(0).replace("_", " "))

    return re.sub(r"[A-Za-z0-9]*[A-Za-z]_[A-Za-z0-9_]+", one, text)


def label(path: str) -> str:
    """A parameter's reader label: ``Annual report 2020/21: families supported``."""
    return re.sub(r"\b(\d{4}) (\d{2})\b", r"\1/\2", parameter_label(path))


def unit_words(unit: object) -> str:
    if not isinstance(unit, str) or not unit:
        return ""
    return UNIT_WORDS.get(unit, unit.replace("_", " ").replace("/", " a "))


def _scalar(x: object, unit: str) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return DASH
    if isinstance(x, dt.date):
        return f"{x:%-d %B %Y}"
    if isinstance(x, bool) or not isinstance(x, (int, float, np.number)):
        return words(x)
    v = float(x)
    if unit.startswith("GBP"):
        text = f"£{abs(v):,.0f}" if abs(v) >= 100 else f"£{abs(v):,.2f}"
        return f"({text})" if v < 0 else text
    if unit in SHARE_UNITS:
        digits = 0 if abs(v * 100 - round(v * 100)) < 1e-9 else 1 if abs(v) >= 0.01 else 2
        return minus(percent(v, digits))
    if v.is_integer():
        return minus(f"{int(v):,}")
    return minus(f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.1f}")


def value_text(value: object, unit: str = "") -> str:
    """A parameter's value in words: money with £, shares as percentages, tables of
    values as ``Police 47%; NHS 17%`` (a long table by its first and last entries)."""
    if isinstance(value, Mapping):
        items = list(value.items())
        if not items:
            return "none"
        parts = [f"{words(k)} {value_text(v, unit)}" for k, v in items]
        if len(parts) > LONG_TABLE:
            return f"{len(parts)} values, {parts[0]} to {parts[-1]}"
        return "; ".join(parts)
    return _scalar(value, unit)


def distribution_words(d: object, unit: str = "") -> str:
    """``{"type": "gamma", "cv": 0.2}`` → ``gamma, cv 0.2``; a dash for a fixed value."""
    if not isinstance(d, Mapping) or not d:
        return DASH
    d = dict(d)
    family = str(d.pop("type", "")).replace("_", " ")
    parts = []
    for k, v in d.items():
        if v is None or k == "mean":
            continue
        scale_free = k in ("cv", "concentration", "alpha", "shape")
        shown = value_text(v, "" if scale_free else unit)
        parts.append(f"{str(k).replace('_', ' ')} {shown}")
    return f"{family}, {', '.join(parts)}" if parts else family


def citation(source: Any) -> str:
    """A source as a reference that reads: publisher (year), title, page; the web address
    on its own lines, broken only after a slash."""
    head = str(source.publisher) if source.publisher else ""
    if source.year:
        head = f"{head} ({source.year})" if head else f"({source.year})"
    title = str(source.title).strip()
    body = ". ".join(x for x in (head, title) if x)
    if source.page:
        body += f", {source.page}"
    return body.rstrip(".") + "."


def short_source(source: Any) -> str:
    """A source in a few words for a table cell: its publisher and year, or its title."""
    who = str(source.publisher or source.title)
    who = re.split(r"[,;:(]", who)[0].strip()
    if len(who) > 42:
        who = who[:40].rsplit(" ", 1)[0] + "…"
    return f"{who} {source.year}" if source.year else who


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def break_url(url: str, width: int = 110) -> str:
    """A web address in lines of at most ``width`` characters, broken after slashes."""
    pieces = re.findall(r"[^/]*/+|[^/]+$", url)
    lines: list[str] = []
    line = ""
    for p in pieces:
        if line and len(line) + len(p) > width:
            lines.append(line)
            line = ""
        line += p
    return "\n".join([*lines, line]) if line else "\n".join(lines)


# ---------------------------------------------------------------- the document


def _title_page(pdf: engine._Document, c: ReportContent) -> None:
    pdf.add_page()
    pdf.set_y(45)
    pdf.set_font(engine.FONT, "B", 11)
    pdf.set_text_color(*engine.MUTED)
    pdf.multi_cell(engine._width(pdf), 6, "TECHNICAL NOTE", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(engine.FONT, "B", 22)
    pdf.set_text_color(*engine.ACCENT)
    pdf.multi_cell(
        engine._width(pdf),
        10,
        "Early help for children and families: methods, evidence and parameters",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.set_font(engine.FONT, "", 13)
    pdf.set_text_color(*engine.INK)
    pdf.multi_cell(
        engine._width(pdf),
        7,
        f"{shown.area_name(c)}: {engine._programme_name(c)}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(10)
    main = c.scenarios[0]
    base = dt.date.fromisoformat(c.main.base_date)
    rows = [
        ("Area", shown.area_name(c)),
        (
            "Scenario",
            plain(f"{_scenario_label(main)}: {c.descriptions.get(main, '')}".rstrip(": ")),
        ),
        ("Price year", f"{c.price_year} ({c.price_basis}, HM Treasury GDP deflator)"),
        (
            "Discount base",
            f"{base:%-d %B %Y}, HM Treasury Green Book {c.discount} rate; "
            f"{c.horizon} years appraised",
        ),
        ("Uncertainty", f"{number(c.draws)} Monte Carlo draws, seed {c.seed}"),
        ("Date", f"{c.created:%-d %B %Y}"),
        ("Version", f"costmodel {c.version}"),
        ("Parameter fingerprint", c.fingerprint),
    ]
    for k, v in rows:
        pdf.set_font(engine.FONT, "B", 9.5)
        pdf.cell(45, 6, k)
        pdf.set_font(engine.FONT, "", 9.5)
        pdf.multi_cell(engine._width(pdf) - 45, 6, v, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    engine._para(
        pdf,
        "This note goes with the board paper of the same run (same area, scenario, draws, "
        "seed and parameter fingerprint). It sets out how the figures are made, the "
        "evidence behind each effect, how the model reproduces published appraisals, "
        "every parameter with its source, and which uncertainties matter most.",
        size=8.5,
        muted=True,
    )


def _contents(pdf: engine._Document) -> None:
    pdf.add_page()
    engine._heading(pdf, NOTE_SECTIONS[0])

    def render(pdf: FPDF, outline: list[OutlineSection]) -> None:
        pdf.set_font(engine.FONT, "", 10)
        pdf.set_x(pdf.l_margin)  # the cursor is where the last page left it
        for item in outline:
            if item.level > 0 or item.name == NOTE_SECTIONS[0]:
                continue
            pdf.cell(engine._width(pdf) - 20, 7, item.name)
            pdf.cell(20, 7, str(item.page_number), align="R", new_x="LMARGIN", new_y="NEXT")

    pdf.insert_toc_placeholder(render, pages=1)


def _section(pdf: engine._Document, n: int) -> None:
    if pdf.get_y() > pdf.t_margin + 1:
        pdf.add_page()
    engine._heading(pdf, NOTE_SECTIONS[n])


def _methods(pdf: engine._Document, c: ReportContent) -> None:
    _section(pdf, 1)
    p = c.parameters
    rates = p[f"prices.discounting.{c.discount}"].value
    first = percent(float(rates[min(rates)]), 1)
    text = [
        (
            "The cost of late intervention",
            f"What late intervention costs public services in {shown.area_name(c)} each year, "
            "by issue and by the agency that pays. The area's published figures are used "
            "as they stand; what was not published is split in proportion to the national "
            "figures, and the split by agency is fitted to the national totals by agency "
            "(iterative proportional fitting) so that rows and columns add exactly.",
        ),
        (
            "The team's reach",
            "A week-by-week simulation of the team, run many times: posts filled after a "
            "recruitment lag and lost to turnover, referrals at random from each source, "
            "screening, a waiting list with a longest wait, caseloads, case lengths and "
            "drop-out, all within the budget. Each run draws its own parameter values as "
            "well as its own chance events. A calibrated scenario weights the runs by how "
            "well they match what the team reported (approximate Bayesian computation).",
        ),
        (
            "The savings model",
            "For each family helped: how often each outcome happens without support, what "
            "one occurrence costs each agency, and the relative reduction early help "
            "brings. Each reduction is pooled from the evidence records of section 2, "
            "discounted for a weaker design, multiplied by a transfer factor where it was "
            "measured for another programme, lasts over the window the evidence measured "
            "and then fades. Net savings take off deadweight, attribution, displacement "
            "and optimism bias.",
        ),
        (
            "The Green Book appraisal",
            f"Money is in real terms at {c.price_year} prices, moved between years with "
            f"the GDP deflator, and discounted with the HM Treasury Green Book {c.discount} "
            f"schedule ({first} a year for the first thirty years). Net present value is "
            "the present value of net savings less that of costs; the benefit-cost ratio "
            "divides the two.",
        ),
        (
            "Uncertainty",
            f"{number(c.draws)} Monte Carlo draws from every parameter's distribution, "
            "effects correlated with one another, from a seeded generator so that the same "
            "seed gives the same figures. One-way sensitivity and switching values "
            "(section 5) vary one parameter at a time from its central value; the value "
            "of information (section 6) shows which evidence would most reduce the risk "
            "of a wrong decision.",
        ),
    ]
    for head, body in text:
        engine._para(pdf, head, size=9.5, style="B")
        engine._para(pdf, body, size=9)
    if c.main.simulation is not None:
        engine._spend_by_year(pdf, c)


def effect_rows(c: ReportContent) -> list[dict[str, Any]]:
    """Each outcome's evidence: its records (pooled or set aside), the pool, the evidence
    class and the factors applied; the numbers the evidence section prints."""
    params = c.parameters
    studies = getattr(params, "studies", {})
    chosen = ev.selected_studies(params, studies) if ev.STUDIES in params else []
    out = []
    for o in ev.outcomes_of(params):
        records = ev.chosen_records(chosen, o)
        every = [r for s in chosen for r in s.records if r.outcome == o]
        pooled = ev.pool(records) if records else None
        effect = params.get(f"savings.outcomes.{o}.effect")
        out.append(
            {
                "outcome": o,
                "records": every,
                "pooled": pooled,
                "weights": dict(
                    zip(
                        [(r.study, r.measure) for r in pooled.records],
                        pooled.weights,
                        strict=True,
                    )
                )
                if pooled
                else {},
                "class": c.evidence_class(o),
                "effect": float(effect.value) if effect is not None else np.nan,
            }
        )
    return out


def _evidence(pdf: engine._Document, c: ReportContent) -> None:
    _section(pdf, 2)
    params = c.parameters
    studies = getattr(params, "studies", {})
    transfer = params.get("savings.evidence.transfer")
    tf = float(transfer.value) if transfer is not None else np.nan
    engine._para(
        pdf,
        "Each effect is a relative reduction in an outcome (32% is 32% fewer "
        "occurrences). The records of the studies chosen are pooled with a random-effects "
        "meta-analysis (DerSimonian and Laird): records measured against a counterfactual "
        "(a trial or a comparison group) when an outcome has any, otherwise the "
        "before-and-after records and expert assumptions. The pooled effect is drawn from "
        "a normal distribution with the predictive spread, the pooled standard error and "
        "the between-study variance together. The design factor discounts a weaker design; "
        f"an effect measured for another programme is multiplied by the transfer factor "
        f"({percent(tf, 0) if np.isfinite(tf) else DASH} central). An effect resting on "
        "no counterfactual measure is labelled assumed.",
    )
    used = ev.selected_studies(params, studies) if ev.STUDIES in params else []
    if used:
        engine._heading(pdf, "The studies", level=1)
        engine._table(
            pdf,
            ["Study", "Design", "Population", "Setting"],
            [
                [
                    words(s.id),
                    DESIGN_WORDS.get(s.design, words(s.design)),
                    f"{_capital(words(s.need))}: {plain(s.population)}",
                    plain("; ".join(str(v) for v in s.setting.values())),
                ]
                for s in used
            ],
            [30, 24, 64, 56],
            "llll",
            size=7,
        )
    for row in effect_rows(c):
        o = row["outcome"]
        name = OUTCOME_LABELS[o].long if o in OUTCOME_LABELS else words(o)
        cls = row["class"]
        engine._heading(pdf, f"{name}: {'assumed' if cls == 'assumed' else cls} effect", level=1)
        design_of = {s.id: s for s in used}
        rows = []
        for r in row["records"]:
            s = design_of[r.study]
            d = params.get(f"savings.evidence.design.{s.design}")
            w = row["weights"].get((r.study, r.measure))
            rows.append(
                [
                    words(r.study),
                    DESIGN_WORDS.get(s.design, words(s.design)),
                    f"{_capital(words(s.need))}; {s.setting.get('country', '')}".rstrip("; "),
                    f"{r.window_months:g} months from {r.window_from.replace('_', ' ')}",
                    minus(f"{percent(r.effect, 0)} ± {percent(r.se, 0)}"),
                    percent(float(d.value), 0) if d is not None else DASH,
                    percent(w, 0) if w is not None else "set aside",
                ]
            )
        p = row["pooled"]
        if p is not None:
            rows.append(
                [
                    "Pooled",
                    "Random effects",
                    "",
                    f"{p.window_years * 12:.0f} months",
                    minus(f"{percent(p.mean, 0)} ± {percent(p.predictive_sd, 0)}"),
                    "",
                    "100%",
                ]
            )
        else:
            rows.append(["No record", "", "", "", "0%", "", ""])
        engine._table(
            pdf,
            [
                "Study",
                "Design",
                "Population, setting",
                "Measured",
                "Effect ± error",
                "Design",
                "Weight",
            ],
            rows,
            [30, 26, 36, 30, 22, 14, 16],
            "lllllrr",
            size=7,
            bold_rows=[len(rows) - 1],
            note=_effect_note(row, tf),
        )


def _effect_note(row: Mapping[str, Any], tf: float) -> str:
    cls = row["class"]
    text = f"Evidence: {EVIDENCE_CLASS_LABELS.get(cls, cls)}."
    p = row["pooled"]
    if p is not None:
        text += minus(
            f" Pooled mean {percent(p.mean, 1)}, standard error {percent(p.se, 1)}, "
            f"between-study variance {p.tau2:.4f}; the error shown is the predictive spread."
        )
    if cls == "transferred" and np.isfinite(tf):
        text += f" Transfer factor {percent(tf, 0)} (central)."
    if np.isfinite(row["effect"]) and (p is None or abs(row["effect"] - p.mean) > 5e-7):
        text += f" The scenario sets the effect to {percent(row['effect'], 1)}."
    return text


def _replications(pdf: engine._Document, reps: Mapping[str, Replication]) -> None:
    _section(pdf, 3)
    engine._para(
        pdf,
        "Published appraisals rebuilt with the same machinery from their own inputs: the "
        "evaluated programme alone, with the evaluation's own evidence, follow-up and "
        "adjustments. The rebuilt benefit-cost ratio is a ratio of expected values, with "
        "the 5th to 95th percentile of the draws. A miss is reported as a gap, never tuned.",
    )
    if not reps:
        engine._para(pdf, "No published appraisal is rebuilt for these parameters.")
        return
    rows = []
    for name, r in reps.items():
        for view, t in r.table.iterrows():
            rows.append(
                [
                    words(name),
                    str(view).capitalize(),
                    minus(f"{t['published']:.2f}"),
                    minus(f"{t['modelled']:.2f}"),
                    minus(f"{t['p5']:.2f} – {t['p95']:.2f}"),
                    "yes" if t["within"] else "no",
                ]
            )
    first = next(iter(reps.values()))
    engine._table(
        pdf,
        ["Appraisal", "Perspective", "Published", "Rebuilt", "90% interval", "Within"],
        rows,
        [50, 26, 22, 22, 32, 22],
        "llrrrl",
        size=8,
        note=f"Benefit-cost ratios; {number(first.projection.draws)} draws, seed "
        f"{first.projection.seed}, real terms at {first.projection.price_year} prices.",
    )
    for name, r in reps.items():
        engine._para(pdf, words(name), size=9, style="B")
        engine._para(pdf, plain(r.description), size=8.5)
        sources = dict.fromkeys(str(s) for s in r.table["source"])
        engine._para(pdf, "Published in: " + "; ".join(sources) + ".", size=8, muted=True)


def parameter_rows(c: ReportContent) -> tuple[list[dict[str, str]], list[Any]]:
    """Every parameter as the note prints it (topic, label, value, unit, price year,
    status, distribution, source and reference number), and the sources in order."""
    from . import board

    annex, _ = board.annex(c)
    refs: dict[str, int] = {}
    sources: list[Any] = []
    rows = []
    for _, r in annex.iterrows():
        par = c.parameters[str(r["path"])]
        unit = str(par.unit or "")
        key = citation(par.source) + (par.source.url or "")
        if key not in refs:
            refs[key] = len(refs) + 1
            sources.append(par.source)
        year = par.price_year if isinstance(par.price_year, str) and par.price_year else ""
        value = value_text(par.value, unit) + (" *" if r["changed"] else "")
        if r["rebased"] is not None and np.isfinite(r["rebased"]) and year != c.price_year:
            value += f"\n{money_round(r['rebased'])} in {c.price_year}"
        rows.append(
            {
                "topic": str(r["topic"]),
                "label": re.sub(r"\b(\d{4}) (\d{2})\b", r"\1/\2", str(r["label"])),
                "value": value,
                "unit": unit_words(unit),
                "price_year": year or DASH,
                "status": f"{r['status']}, {r['confidence']}",
                "distribution": distribution_words(
                    par.distribution
                    and {"type": par.distribution.family, **dict(par.distribution.params)},
                    unit,
                ),
                "source": f"{short_source(par.source)} [{refs[key]}]",
            }
        )
    return rows, sources


def _parameters(pdf: engine._Document, c: ReportContent) -> list[Any]:
    _section(pdf, 4)
    rows, sources = parameter_rows(c)
    engine._para(
        pdf,
        f"Every parameter of the run ({len(rows)}), grouped by topic, with the "
        f"{_scenario_label(c.scenarios[0]).lower()} scenario's values (a value the scenario "
        f"changed is marked *). Money is given in its source's price year and, beneath, "
        f"rebased to {c.price_year} prices with the GDP deflator. Status: published (taken "
        "from the source), derived (computed from published figures) or assumed (a "
        "judgement); then the confidence in it. Distribution: what the Monte Carlo draws "
        "from (a dash: the value is fixed). The number in brackets points to the references.",
        size=8,
    )
    topics = list(dict.fromkeys(r["topic"] for r in rows))
    for t in topics:
        engine._heading(pdf, t, level=1)
        engine._table(
            pdf,
            ["Parameter", "Value", "Unit", "Price year", "Status", "Distribution", "Source"],
            [
                [
                    r["label"],
                    r["value"],
                    r["unit"],
                    r["price_year"],
                    r["status"],
                    r["distribution"],
                    r["source"],
                ]
                for r in rows
                if r["topic"] == t
            ],
            [44, 28, 16, 13, 19, 24, 30],
            "lllllll",
            size=6.5,
        )
    return sources


def _sensitivity(pdf: engine._Document, c: ReportContent) -> None:
    from . import charts

    _section(pdf, 5)
    npv = c.tornado.attrs.get("npv_central", np.nan)
    engine._para(
        pdf,
        "NPV with one parameter at a time at its 5th and at its 95th percentile, every "
        f"other at its central value (NPV with all central: {money_round(npv)}). The "
        "switching value is the value at which that parameter alone would bring NPV to "
        "zero; a dash where no value in its range does.",
    )
    engine._chart(pdf, charts.tornado_chart(c.tornado), basis=engine._basis(c))
    value = lambda k, x: minus(engine._param_value(c, k, x))  # noqa: E731
    engine._table(
        pdf,
        ["Parameter", "Central", "Low (5th)", "High (95th)", "NPV at low", "NPV at high"],
        [
            [
                label(str(k)),
                value(k, r["central"]),
                value(k, r["low"]),
                value(k, r["high"]),
                money_round(r["npv_low"]),
                money_round(r["npv_high"]),
            ]
            for k, r in c.tornado.iterrows()
        ],
        [64, 22, 22, 22, 22, 22],
        "lrrrrr",
        size=7,
        note="Parameter values in money are rebased to the report's price year.",
        basis=engine._basis(c),
    )
    engine._heading(pdf, "Switching values", level=1)
    engine._table(
        pdf,
        ["Parameter", "Central value", "Switching value", "Change needed"],
        [
            [
                label(str(k)),
                value(k, r["central"]),
                value(k, r["switching"]),
                DASH
                if not np.isfinite(r["change"])
                else f"{r['change'] * 100:+.0f}%".replace("-", "−"),
            ]
            for k, r in c.switching.iterrows()
        ],
        [80, 30, 30, 30],
        "lrrr",
        size=7,
        note="Money rebased to the report's price year.",
        basis=c.price_basis,
    )


def _value_of_information(pdf: engine._Document, c: ReportContent) -> None:
    _section(pdf, 6)
    engine._para(
        pdf,
        "The expected value of perfect information (EVPI) is what it would be worth, in "
        "wrong funding decisions avoided, to know every parameter before deciding; the "
        "partial value (EVPPI) is the same for one group of parameters, estimated by "
        "regressing NPV on the group's drawn values (Strong, Oakley and Brennan 2014).",
    )
    v = c.value_of_information
    if v is None:
        engine._para(
            pdf, "The value of information needs more Monte Carlo draws than this run has."
        )
        return
    engine._table(
        pdf,
        ["Parameters known", "Value of information", "Share of EVPI"],
        [
            [
                GROUP_LABELS[k].long if k in GROUP_LABELS else "Every parameter (EVPI)",
                money_round(r["value_of_information"]),
                percent(r["share_of_evpi"], 0) if np.isfinite(r["share_of_evpi"]) else DASH,
            ]
            for k, r in v.iterrows()
        ],
        [100, 40, 30],
        "lrr",
        basis=engine._basis(c),
    )
    if c.sample_size:
        sizes = list(next(iter(c.sample_size.values()))["n"])
        n = len(sizes) + 1
        basis = (
            f"{c.decision.price_basis}, discounted to the decision date"
            if c.decision is not None
            else c.price_basis
        )
        engine._table(
            pdf,
            ["Effect measured locally", *(f"n = {number(s)}" for s in sizes), "Perfect"],
            [
                [
                    OUTCOME_LABELS[o].short if o in OUTCOME_LABELS else words(o),
                    *(money_round(x) for x in t["evsi"]),
                    money_round(float(t["evppi"].iloc[0])),
                ]
                for o, t in c.sample_size.items()
            ],
            [40, *([130 / n] * n)],
            "l" + "r" * n,
            size=7,
            note="Expected value of sample information: what counting n supported and n "
            "comparison families would be worth to the decision (Gaussian approximation).",
            basis=basis,
        )


def _decision(pdf: engine._Document, c: ReportContent) -> None:
    """The options in front of the board in figures, beside the board paper's
    recommendation and ask."""
    d = c.decision
    pdf.add_page(orientation="P")  # after the scenarios' landscape table
    engine._heading(pdf, NOTE_SECTIONS[8])
    if d is None:
        engine._para(pdf, "The area names no decision.")
        return
    decided = dt.date.fromisoformat(d.decision_date)
    engine._para(
        pdf,
        f"{d.description} Appraised as the board decides, on {decided:%-d %B %Y}, in "
        f"{d.price_year} prices and discounted to that date: each option less the "
        f"counterfactual ({_scenario_label(d.counterfactual)}) on the same "
        f"{number(d.projections[d.counterfactual].draws)} draws. The board paper ranks the "
        "options, recommends one and sets out the ask (its sum, years, each funder's share "
        "and the break clause); here are each option's figures beside it.",
    )
    engine._options_detail(pdf, c)
    _option_years(pdf, c)


def _option_years(pdf: engine._Document, c: ReportContent) -> None:
    """Each option's fiscal net benefit less the counterfactual's, year by year and
    discounted, with its total: the option's incremental NPV."""
    d = c.decision
    assert d is not None
    tables = {o: c.option_cash_flows(o, against_counterfactual=True) for o in d.options}
    years = list(dict.fromkeys(str(y) for t in tables.values() for y in t.index if y != "Total"))
    rows = [
        [
            y,
            *(
                money_round(float(t.loc[y, "net_benefit_discounted"])) if y in t.index else DASH
                for t in tables.values()
            ),
        ]
        for y in [*years, "Total"]
    ]
    rows[-1][0] = "Total: the incremental NPV"
    decided = dt.date.fromisoformat(d.decision_date)
    engine._heading(pdf, "Each option's net benefit year by year", level=1)
    engine._table(
        pdf,
        ["Appraisal year", *(_scenario_label(o) for o in d.options)],
        rows,
        [62, *([108 / len(d.options)] * len(d.options))],
        "l" + "r" * len(d.options),
        size=7.5,
        bold_rows=[len(rows) - 1],
        note="Fiscal net benefit (net savings less costs) of each option less the "
        "counterfactual's, discounted, year by year; the workbook's sheet Cash flows by "
        "option has "
        "each option's costs, income and savings, undiscounted and discounted.",
        basis=f"{d.price_basis}, discounted to {decided:%-d %B %Y} at the Green Book rate; "
        f"each option less {_scenario_label(d.counterfactual)}",
    )


def _references(pdf: engine._Document, sources: Sequence[Any]) -> None:
    _section(pdf, len(NOTE_SECTIONS) - 1)
    for i, s in enumerate(sources, start=1):
        engine._para(pdf, f"[{i}] {citation(s)}", size=7.5)
        if s.url:  # lines broken after slashes to fit, each set as it is (no wrapping)
            pdf.set_y(pdf.get_y() - 1.5)
            pdf.set_font(engine.FONT, "", 6.5)
            pdf.set_text_color(*engine.MUTED)
            room = engine._width(pdf)
            url = str(s.url)
            width = 130
            while width > 20 and any(
                pdf.get_string_width(line) > room for line in break_url(url, width).splitlines()
            ):
                width -= 10
            for line in break_url(url, width).splitlines():
                pdf.cell(room, 3.25, line, new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(*engine.INK)
            pdf.ln(1.5)


def _build(c: ReportContent, replications: Mapping[str, Replication]) -> engine._Document:
    """The laid-out note (its ``layout`` records what went where, for tests)."""
    pdf = engine._document(
        c,
        title=f"Technical note: early help costs and savings – {shown.area_name(c)}",
        footer=f"Technical note · costmodel {c.version} · {shown.area_name(c)} · "
        f"{_scenario_label(c.scenarios[0])} · {c.price_basis} · parameters {c.fingerprint}",
    )
    _title_page(pdf, c)
    _contents(pdf)
    _methods(pdf, c)
    _evidence(pdf, c)
    _replications(pdf, replications)
    sources = _parameters(pdf, c)
    _sensitivity(pdf, c)
    _value_of_information(pdf, c)
    from . import charts

    engine._scenarios_section(pdf, c, charts, NOTE_SECTIONS[7])
    _decision(pdf, c)
    _references(pdf, sources)
    return pdf


def note_replications(
    c: ReportContent, draws: int = REPLICATION_DRAWS
) -> Mapping[str, Replication]:
    """The shipped replications for the note's area, at ``draws`` draws and its seed."""
    from ..analysis.replication import replicate_all
    from ..params.store import load

    params = load(area=c.area, root=c.parameters.root)
    return replicate_all(params, draws=draws, seed=c.seed)


def note_bytes(
    content: ReportContent, replications: Mapping[str, Replication] | None = None
) -> bytes:
    """The technical note as PDF bytes (replications run here unless given)."""
    reps = note_replications(content) if replications is None else replications
    return bytes(_build(content, reps).output())


@accepts(path="path")
def write_technical_note(
    content: ReportContent,
    path: str | Path,
    force: bool = False,
    replications: Mapping[str, Replication] | None = None,
) -> Path:
    """Write the technical note atomically (to a temporary file renamed into place);
    refuse to overwrite unless ``force``. Returns the path written."""
    from .files import check_writable, write_files

    target = Path(path)
    check_writable([target], force)
    written = write_files({target: note_bytes(content, replications)}, force)
    return written[0] if written else target


__all__ = ["NOTE_SECTIONS", "note_bytes", "write_technical_note"]
