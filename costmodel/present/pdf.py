"""The PDF report for finance staff: summary, charts, tables, methods and assumptions.

:func:`pdf_bytes` lays out a :class:`~costmodel.report_content.ReportContent` on A4
pages with fpdf2 and returns the document as bytes; the CLI writes it with
:func:`costmodel.output_files.write_files` (atomic, no overwrite without ``--force``).
Charts come from :mod:`costmodel.charts`, rendered at 300 dpi. Text uses the DejaVu
Sans family shipped with matplotlib, so £, en dashes and minus signs print as such.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .content import ReportContent
from .formatting import (
    band_rows,
    by_kind,
    distribution_text,
    money,
    number,
    parameter_value,
    percent,
    span,
)
from .labels import AGENCY_LABELS, CASH_FLOWS, INDICATORS, REACH_OUTCOMES, parameter_label
from .labels import scenario_label as _scenario_label

#: Chart resolution in dots per inch (print quality).
CHART_DPI = 300
FONT = "DejaVu"
#: Page geometry in millimetres.
MARGIN = 18
INK = (33, 37, 41)
MUTED = (100, 106, 112)
RULE = (170, 175, 180)
HEAD_FILL = (232, 236, 240)
ACCENT = (0, 84, 147)

SECTIONS = (
    "Summary",
    "1. The cost of late intervention",
    "2. The team's reach",
    "3. Costs and savings",
    "4. Uncertainty and sensitivity",
    "5. Scenarios compared",
    "Methods",
    "Appendix: assumptions",
)


def _font_files() -> dict[str, Path]:
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {
        "": ttf / "DejaVuSans.ttf",
        "B": ttf / "DejaVuSans-Bold.ttf",
        "I": ttf / "DejaVuSans-Oblique.ttf",
        "BI": ttf / "DejaVuSans-BoldOblique.ttf",
    }


def _document(content: ReportContent):
    from fpdf import FPDF

    footer_left = (
        f"costmodel {content.version} · {content.area_name} · "
        f"{', '.join(content.scenarios)} · {content.price_basis} · "
        f"parameters {content.fingerprint}"
    )

    class Report(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, "", 6.5)
            self.set_text_color(*MUTED)
            width = self.w - self.l_margin - self.r_margin
            self.cell(width * 0.8, 4, footer_left)
            self.cell(width * 0.2, 4, f"Page {self.page_no()} of {{nb}}", align="R")
            self.set_text_color(*INK)

    pdf = Report(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    for style, path in _font_files().items():
        pdf.add_font(FONT, style, str(path))
    pdf.set_title(f"Early help: costs and savings – {content.area_name}")
    pdf.set_author("costmodel")
    pdf.set_subject(f"{', '.join(content.scenarios)}; {content.price_basis}")
    pdf.set_creator(f"costmodel {content.version}")
    pdf.set_creation_date(dt.datetime.combine(content.created, dt.time(0), dt.timezone.utc))
    pdf.set_text_color(*INK)
    return pdf


# ---------------------------------------------------------------- building blocks


def _width(pdf) -> float:
    return pdf.w - pdf.l_margin - pdf.r_margin


def _heading(pdf, text: str, level: int = 0) -> None:
    if level == 0:
        pdf.start_section(text, level=0)
        pdf.set_font(FONT, "B", 15)
        pdf.set_text_color(*ACCENT)
        pdf.multi_cell(_width(pdf), 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.ln(2)
    else:
        if pdf.get_y() > pdf.h - 60:
            pdf.add_page()
        pdf.start_section(text, level=1)
        pdf.set_font(FONT, "B", 10.5)
        pdf.multi_cell(_width(pdf), 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)


def _para(pdf, text: str, size: float = 9, style: str = "", muted: bool = False) -> None:
    pdf.set_font(FONT, style, size)
    if muted:
        pdf.set_text_color(*MUTED)
    pdf.multi_cell(_width(pdf), size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.ln(1.5)


def _chart(pdf, fig, caption: str | None = None, width: float | None = None) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=CHART_DPI, facecolor="white")
    buf.seek(0)
    w_in, h_in = fig.get_size_inches()
    width = width or _width(pdf)
    height = width * h_in / w_in
    needed = height + (8 if caption else 2)
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(buf, x=pdf.l_margin, w=width, h=height)
    if caption:
        _para(pdf, caption, size=7.5, muted=True)
    else:
        pdf.ln(2)


def _table(
    pdf,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    align: str,
    size: float = 7.5,
    bold_rows: Sequence[int] = (),
    note: str | None = None,
) -> None:
    """A ruled table; its header repeats on every page it runs onto."""
    from fpdf.fonts import FontFace

    pdf.set_font(FONT, "", size)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.15)
    total = sum(widths)
    scale = min(1.0, _width(pdf) / total)
    widths = [w * scale for w in widths]
    aligns = ["LEFT" if a == "l" else "RIGHT" if a == "r" else "CENTER" for a in align]
    head = FontFace(emphasis="BOLD", fill_color=HEAD_FILL, size_pt=size)
    bold = FontFace(emphasis="BOLD", size_pt=size)
    # keep a table that fits on one page together; otherwise start it with room for a few rows
    line = size * 0.48 + 1.6
    lines = sum(max(1 + str(c).count("\n") for c in row) for row in rows) + len(rows) * 0.15
    height = (lines + 2) * line
    room = pdf.h - pdf.b_margin - pdf.get_y()
    full = pdf.h - pdf.b_margin - pdf.t_margin - 10
    if (height < full and height > room) or room < 45:
        pdf.add_page()
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        align="LEFT",
        text_align=aligns,
        headings_style=head,
        borders_layout="HORIZONTAL_LINES",
        line_height=size * 0.48,
        padding=(0.8, 1.2),
        repeat_headings=1,
        v_align="TOP",
    ) as table:
        r = table.row()
        for h in header:
            r.cell(h)
        for i, row in enumerate(rows):
            r = table.row()
            for cell in row:
                r.cell(str(cell), style=bold if i in bold_rows else None)
    pdf.ln(1.5)
    if note:
        _para(pdf, note, size=7, muted=True)
    pdf.ln(1)


# ---------------------------------------------------------------- pages


def _cover(pdf, c: ReportContent) -> None:
    pdf.add_page()
    pdf.set_y(50)
    pdf.set_font(FONT, "B", 24)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(
        _width(pdf),
        11,
        "Early help for children and families: what late "
        "intervention costs and what early help could save",
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.set_font(FONT, "", 14)
    pdf.set_text_color(*INK)
    pdf.multi_cell(
        _width(pdf), 7, f"{c.area_name}: the Early Intervention Team", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(12)
    scen = "; ".join(f"{s} – {c.descriptions.get(s, '')}".rstrip(" –") for s in c.scenarios)
    rows = [
        ("Area", c.area_name),
        ("Scenario", scen),
        ("Compared with", ", ".join(s for s in c.compared if s not in c.scenarios) or "–"),
        ("Price base", c.price_basis),
        (
            "Discounting",
            f"HM Treasury Green Book, {c.discount} schedule; {c.horizon} years appraised",
        ),
        ("Uncertainty", f"{number(c.draws)} Monte Carlo draws, seed {c.seed}"),
        ("Date", c.created.strftime("%-d %B %Y")),
        ("Library", f"costmodel {c.version}"),
        ("Parameter fingerprint", c.fingerprint),
    ]
    pdf.set_font(FONT, "", 9.5)
    for k, v in rows:
        pdf.set_font(FONT, "B", 9.5)
        pdf.cell(45, 6, k)
        pdf.set_font(FONT, "", 9.5)
        pdf.multi_cell(_width(pdf) - 45, 6, v, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    _para(
        pdf,
        "Figures are means over the Monte Carlo draws unless a range is given; ranges "
        "run from the 5th to the 95th percentile. Money is in real terms at the price "
        "base shown, except where a table says nominal. Negative amounts are shown in "
        "brackets. The parameter fingerprint is a short hash of every value the run "
        "used: two reports with the same fingerprint, draws and seed show the same "
        "figures.",
        size=8.5,
        muted=True,
    )


def _summary(pdf, c: ReportContent) -> None:
    pdf.add_page()
    _heading(pdf, SECTIONS[0])
    h = c.headline()
    pr = c.probabilities()
    b = c.baseline
    npv = h.loc["npv"]
    bcr = h.loc["bcr"]
    fam = h.loc["families_started"]
    _para(
        pdf,
        (
            f"Late intervention costs public services in {c.area_name} about "
            f"{money(b.total)} a year ({b.price_basis}). Under the {c.scenarios[0]} scenario the "
            f"team is expected to start direct work with "
            f"{by_kind(fam['estimate'], 'number')} families "
            f"(range {span(fam['p5'], fam['p95'], 'number')}). Over {c.horizon} years the "
            f"present value of net savings is "
            f"{by_kind(h.loc['pv_savings_net', 'estimate'], 'money')} against costs of "
            f"{by_kind(h.loc['pv_costs', 'estimate'], 'money')}: a net present value of "
            f"{by_kind(npv['estimate'], 'money')} and a benefit-cost ratio of "
            f"{by_kind(bcr['estimate'], 'ratio')}. "
            f"The result is uncertain: the chance that the team saves more than it costs is "
            f"{percent(pr['p_npv_positive'], 0)}."
        ),
        size=9.5,
    )
    pub = c.parameters[f"areas.{c.area}.late_intervention.total"]
    rows = [
        [
            "Annual cost of late intervention in the area",
            money(b.total),
            f"{money(pub.value)} in {pub.price_year} prices",
        ]
    ]
    for k, r in h.iterrows():
        value = (
            percent(r["estimate"], 1)
            if k in ("p_npv_positive", "p_payback")
            else by_kind(r["estimate"], r["kind"])
        )
        if k == "payback_years" and not np.isfinite(r["estimate"]):
            value = "under half pay back"
        rng = "" if not np.isfinite(r["p5"]) else span(r["p5"], r["p95"], r["kind"])
        rows.append([r["label"], value, rng])
    _table(
        pdf,
        ["Key figures", "Estimate", "Range (5th–95th percentile of draws)"],
        rows,
        [88, 32, 54],
        "lrr",
        size=8,
        bold_rows=[i for i, r in enumerate(rows) if r[0].startswith("Net present")],
        note=f"Money: {c.price_basis}; present values discounted to the programme's first "
        f"year. Gross savings are before, net savings after, deadweight, attribution, "
        f"displacement and optimism bias. Amounts and counts are means of the draws; the "
        f"benefit-cost ratio, cost per family and break-even are ratios of mean present "
        f"values, so they agree with the mean NPV; payback is read from the mean "
        f"cumulative curves. Ranges are of the draws' own values (for ratios, of each "
        f"draw's ratio).",
    )
    ag = c.by_agency()
    arows = [
        [r["label"], money(r["pv_savings_net"]), percent(r["share"], 0), money(r["cashable"])]
        for _, r in ag.iterrows()
    ]
    arows.append(
        [
            "All agencies",
            money(ag["pv_savings_net"].sum()),
            percent(1.0, 0),
            money(ag["cashable"].sum()),
        ]
    )
    _heading(pdf, "Who saves", level=1)
    _table(
        pdf,
        ["Paying agency", "PV of net savings", "Share", "of which cashable"],
        arows,
        [78, 36, 20, 40],
        "lrrr",
        size=8,
        bold_rows=[len(arows) - 1],
    )


def _baseline_section(pdf, c: ReportContent, charts) -> None:
    pdf.add_page()
    _heading(pdf, SECTIONS[1])
    b = c.baseline
    _para(
        pdf,
        f"The Early Intervention Foundation's estimate of what late intervention costs "
        f"public services in {c.area_name} each year, by issue and by the agency that "
        f"pays, in {c.price_year} prices. Published figures are used as they stand; "
        f"the rest of the split is derived from national shares (see Methods).",
    )
    _chart(pdf, charts.baseline_chart(b, "issue"))
    t = c.baseline_table("issue")
    rows = [
        [r["label"], money(r["cost"]), percent(r["share"], 1), r["status"]] for _, r in t.iterrows()
    ]
    rows.append(["Total", money(b.total), percent(1.0, 1), "published"])
    _table(
        pdf,
        ["Issue", "Annual cost", "Share", "Basis"],
        rows,
        [85, 35, 20, 30],
        "lrrl",
        bold_rows=[len(rows) - 1],
    )
    pdf.add_page()
    _chart(pdf, charts.baseline_chart(b, "agency"))
    t = c.baseline_table("agency")
    rows = [
        [r["label"], money(r["cost"]), percent(r["share"], 1), r["status"]] for _, r in t.iterrows()
    ]
    rows.append(["Total", money(b.total), percent(1.0, 1), "published"])
    _table(
        pdf,
        ["Paying agency", "Annual cost", "Share", "Basis"],
        rows,
        [85, 35, 20, 30],
        "lrrl",
        bold_rows=[len(rows) - 1],
    )
    _heading(pdf, "Issue by paying agency", level=1)
    m = c.baseline_matrix()
    short = {a.long: a.short for a in AGENCY_LABELS.values()}
    rows = [[str(i), *(money(v) for v in r)] for i, r in zip(m.index, m.to_numpy(), strict=True)]
    _table(
        pdf,
        ["Issue", *(short.get(col, col) for col in m.columns)],
        rows,
        [30, *([19.5] * (len(m.columns) - 1)), 23],
        "l" + "r" * len(m.columns),
        size=6.5,
        bold_rows=[len(rows) - 1],
        note=f"{_capital(b.price_basis)}. Whole pounds; rows and columns add exactly. "
        f"Cells are derived: published margins split by national shares (see Methods).",
    )


def _reach_section(pdf, c: ReportContent, charts) -> None:
    pdf.add_page()
    _heading(pdf, SECTIONS[2])
    p = c.main
    _para(
        pdf,
        "How many families the team works with, simulated week by week over the "
        "funded period: referrals, a waiting list, caseloads, case lengths, drop-out "
        "and staff turnover, with each run drawing its own parameter values. Lines are "
        "means; shaded bands run from the 5th to the 95th percentile.",
    )
    if p.simulation is not None:
        _chart(pdf, charts.families_chart(p.simulation))
        t = p.simulation.totals()
        names = (
            "referred",
            "started",
            "completed",
            "dropped_out",
            "reached_indirectly",
            "light_touch_contacted",
            "mean_wait_weeks",
            "utilisation",
            "spend",
            "cost_per_family_supported",
            "cost_per_family_started",
        )
        rows = band_rows(t, names, REACH_OUTCOMES)
        _table(
            pdf,
            ["Over the funded period", "Mean", "Range (5th–95th percentile)"],
            rows,
            [88, 32, 54],
            "lrr",
            note=f"{number(p.simulation.runs)} simulation runs; spend in "
            f"{p.simulation.inputs.price_year} prices, the budget's price base.",
        )
        tiers = c.reach_by_tier()
        tier_names = {
            "casework": "Casework (direct work with the family)",
            "light_touch": "Light touch (a call and a follow-up)",
            "advice": "Advice to other professionals",
            "supported": "Supported: casework and light touch",
        }
        rows = [
            [
                tier_names.get(tier, tier),
                *(
                    f"{number(tiers.loc[(tier, m), 'mean'])} "
                    f"({number(tiers.loc[(tier, m), 'p5'])}–{number(tiers.loc[(tier, m), 'p95'])})"
                    for m in ("families", "children")
                ),
            ]
            for tier in dict.fromkeys(tiers.index.get_level_values(0))
        ]
        _table(
            pdf,
            ["Service tier", "Families (5th–95th)", "Children (5th–95th)"],
            rows,
            [74, 50, 50],
            "lrr",
            bold_rows=[len(rows) - 1],
            note="A family supported is one who started casework or was contacted for "
            "light-touch support, as the team's annual report counts families supported.",
        )
        rep = c.reported_against_modelled()
        if len(rep):
            rows = [
                [
                    f"{measure.capitalize()} in the first {int(r['weeks'])} weeks",
                    number(r["reported"]),
                    number(r["modelled_mean"]),
                    f"{number(r['modelled_p5'])}–{number(r['modelled_p95'])}",
                    f"{r['reported_percentile']:.0f}",
                ]
                for measure, r in rep.iterrows()
            ]
            _table(
                pdf,
                ["Modelled against reported", "Reported", "Modelled", "5th–95th", "Percentile"],
                rows,
                [70, 24, 24, 32, 24],
                "lrrrr",
                note="Reported counts are the team.observed parameters, with their sources "
                "in the annex. Percentile: where the reported count sits among the runs.",
            )


def _money_rows(df: pd.DataFrame, labels: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    header = ["Year", *(labels.get(c, c) for c in df.columns)]
    rows = [[str(i), *(money(v) for v in r)] for i, r in zip(df.index, df.to_numpy(), strict=True)]
    return header, rows


def _cash_flow_labels() -> dict[str, str]:
    return {k: v.short for k, v in CASH_FLOWS.items()}


def _savings_section(pdf, c: ReportContent, charts) -> None:
    pdf.add_page()
    _heading(pdf, SECTIONS[3])
    _para(
        pdf,
        "What the team costs and what it saves, year by year. Savings follow the "
        "families helped for as long as effects are assumed to last; net savings are "
        "what is left after deadweight and attribution to other services (where an "
        "effect was not measured against a comparison group), displacement "
        "and optimism bias. Future amounts are discounted at the Green Book rate.",
    )
    _chart(pdf, charts.cumulative_chart(c.main))
    _chart(pdf, charts.savings_by_agency_chart(c.main, discounted=False))
    views = c.main.perspectives()
    names = {
        "fiscal": "Fiscal: the public sector as a whole (the headline figures)",
        "economic": "Economic: fiscal less transfers, plus output",
        "social": "Social: economic plus wellbeing",
        "local": "The local partnership",
        "funder": "The funder's own view",
    }
    rows = [
        [
            names.get(str(k), str(k)),
            money(r.pv_benefits),
            money(r.pv_costs),
            money(r.npv),
            f"{r.bcr:.2f}" if r.bcr == r.bcr else "–",
        ]
        for k, r in views.iterrows()
    ]
    _table(
        pdf,
        ["Perspective", "PV benefits", "PV costs", "NPV", "BCR"],
        rows,
        [78, 26, 26, 26, 18],
        "lrrrr",
        note="Means over the draws; BCR as a ratio of the means. Payment-by-results income "
        "from central government cancels in the fiscal, economic and social views and "
        "counts in the local and funder's views; the economic view leaves out benefit "
        "payments and tax (transfers) and adds output where an outcome values it (a "
        "victim's time off work, earnings in work); the social view adds wellbeing where "
        "valued; "
        "the funder's view counts only its cashable savings.",
    )
    labels = _cash_flow_labels()
    pdf.add_page(orientation="L")
    for basis in ("real", "discounted", *(("nominal",) if c.nominal else ())):
        df = c.cash_flows(basis=basis)
        header, rows = _money_rows(df, labels)
        title = {
            "real": "Cash flows by year and agency: real terms",
            "discounted": "Cash flows by year and agency: discounted (present values)",
            "nominal": "Cash flows by year and agency: nominal (cash) prices",
        }[basis]
        _heading(pdf, title, level=1)
        n = len(header)
        _table(
            pdf,
            header,
            rows,
            [16, *([(_width(pdf) - 16) / (n - 1)] * (n - 1))],
            "l" + "r" * (n - 1),
            size=7,
            bold_rows=[len(rows) - 1],
            note=f"{_capital(df.attrs['basis'])}. Means over {number(c.draws)} draws; the "
            f"last row is the total over {c.horizon} years. Net savings by agency add "
            f"to net savings; net benefit = net savings − team costs"
            f"{' + results income' if 'income' in df else ''}. Gross savings are "
            f"before counterfactual adjustments and are not added to net savings.",
        )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _wrap_path(path: str, width: int = 48) -> str:
    """A dotted parameter path broken before dots into lines of at most ``width`` characters."""
    lines: list[str] = []
    line = ""
    for part in path.split("."):
        piece = f".{part}" if line or lines else part
        if line and len(line) + len(piece) > width:
            lines.append(line)
            line = ""
        line += piece
    return "\n".join([*lines, line])


def _uncertainty_section(pdf, c: ReportContent, charts) -> None:
    pdf.add_page()
    _heading(pdf, SECTIONS[4])
    pr = c.probabilities()
    _para(
        pdf,
        f"Every uncertain parameter is drawn from its distribution in each of "
        f"{number(c.draws)} Monte Carlo draws. The chance that NPV is above zero is "
        f"{percent(pr['p_npv_positive'], 1)}.",
    )
    _chart(pdf, charts.npv_distribution_chart(c.main))
    _heading(pdf, "Which assumptions matter most", level=1)
    _para(
        pdf,
        f"NPV with one parameter at a time at its 5th and 95th percentile and all others "
        f"at their central values. With every parameter at its central value NPV is "
        f"{money(c.tornado.attrs.get('npv_central', np.nan))}. The Monte Carlo mean differs "
        f"because NPV is not linear in the parameters: effects, persistence, costs and "
        f"the team's throughput multiply one another, and skewed distributions put "
        f"their means away from the central values.",
    )
    _chart(pdf, charts.tornado_chart(c.tornado))
    t = c.tornado
    rows = [
        [
            parameter_label(k),
            _val(r["central"]),
            _val(r["low"]),
            _val(r["high"]),
            money(r["npv_low"]),
            money(r["npv_high"]),
            money(r["swing"]),
        ]
        for k, r in t.iterrows()
    ]
    _table(
        pdf,
        ["Parameter", "Central", "Low (5th)", "High (95th)", "NPV at low", "NPV at high", "Swing"],
        rows,
        [50, 18, 18, 18, 23, 23, 22],
        "lrrrrrr",
        size=7,
    )
    _heading(pdf, "Switching values", level=1)
    _para(
        pdf,
        "The value at which a parameter alone would bring NPV to zero, others central; "
        "'–' where no value in the parameter's range does so.",
    )
    s = c.switching
    rows = [
        [
            parameter_label(k),
            _val(r["central"]),
            _val(r["switching"]),
            "–" if not np.isfinite(r["change"]) else f"{r['change'] * 100:+.0f}%".replace("-", "−"),
        ]
        for k, r in s.iterrows()
    ]
    _table(
        pdf,
        ["Parameter", "Central value", "Switching value", "Change needed"],
        rows,
        [80, 30, 30, 30],
        "lrrr",
        size=7,
    )
    if c.value_of_information is not None:
        _heading(pdf, "Which evidence gap is worth most", level=1)
        _para(
            pdf,
            "Expected value of perfect information (EVPI): what it would be worth, in "
            "avoided wrong decisions, to know every parameter before deciding to fund the "
            "team; and for each group of parameters (EVPPI, regression estimate).",
        )
        v = c.value_of_information
        rows = [
            [
                k,
                money(r["value_of_information"]),
                percent(r["share_of_evpi"], 0) if np.isfinite(r["share_of_evpi"]) else "–",
            ]
            for k, r in v.iterrows()
        ]
        _table(
            pdf,
            ["Parameters known", "Value of information", "Share of EVPI"],
            rows,
            [80, 40, 30],
            "lrr",
        )


def _val(x: float) -> str:
    if x is None or not np.isfinite(x):
        return "–"
    if abs(x) >= 100:
        return number(x)
    return f"{x:.3g}".replace("-", "−")


def _scenarios_section(pdf, c: ReportContent, charts) -> None:
    pdf.add_page()
    _heading(pdf, SECTIONS[5])
    _para(pdf, "The scenarios side by side, each with the same draws and seed.")
    _table(
        pdf,
        ["Scenario", "What it assumes"],
        [[_scenario_label(s), c.descriptions.get(s, "")] for s in c.compared],
        [38, 132],
        "ll",
        size=7.5,
    )
    _chart(pdf, charts.scenarios_chart({s: c.projections[s] for s in c.compared}))
    t = c.scenario_table()
    spec = (
        "pv_costs",
        "pv_income",
        "pv_savings_gross",
        "pv_savings_net",
        "npv",
        "npv_p5",
        "npv_p95",
        "bcr",
        "p_npv_positive",
        "payback_years",
        "families_started",
    )
    rows = [
        [INDICATORS[k].short, *(by_kind(t.loc[k, s], INDICATORS[k].kind) for s in c.compared)]
        for k in spec
        if k in t.index and np.isfinite(t.loc[k].to_numpy(dtype=float)).any()
    ]
    n = len(c.compared)
    _table(
        pdf,
        ["", *(_scenario_label(s) for s in c.compared)],
        rows,
        [44, *([126 / n] * n)],
        "l" + "r" * n,
        size=7,
        note=f"{_capital(c.price_basis)}; means over {number(c.draws)} draws. A scenario "
        f"without the team (no team) has no costs or savings, so its ratios are not "
        f"defined.",
    )


def _methods(pdf, c: ReportContent) -> None:
    pdf.add_page()
    _heading(pdf, SECTIONS[6])
    p = c.parameters
    rates = p["prices.discounting." + c.discount].value
    first_rate = percent(float(rates[min(rates)]), 1)
    add = [
        f"{k.replace('_', ' ')} {percent(float(p['savings.additionality.' + k].value), 0)}"
        for k in ("deadweight", "attribution", "displacement")
    ] + [
        "optimism bias "
        + "/".join(
            percent(float(p[f"savings.optimism_bias.benefits_{g}"].value), 0)
            for g in ("high", "medium", "low")
        )
        + " by evidence grade (high/medium/low)"
    ]
    text = [
        (
            "The baseline",
            "The annual cost of late intervention is the Early Intervention "
            "Foundation's estimate for the area. Where the area's figure for an issue was "
            "published it is used as it stands; the remainder is split in proportion to the "
            "national figures. The split by paying agency starts from a documented prior and is "
            "fitted (iterative proportional fitting) to the Foundation's national totals by "
            "agency, so that rows and columns add exactly. Amounts are moved between price years "
            "with HM Treasury's GDP deflator.",
        ),
        (
            "The team's reach",
            "A week-by-week simulation of the team, run many times: posts "
            "filled after a recruitment lag and lost to turnover, referrals arriving at random "
            "from each source, screening, a waiting list with a maximum wait, caseloads, case "
            "lengths and drop-out, all within the budget; light-touch contact (a call and a "
            "follow-up after a lower-risk police call-out) by practitioners who join on dated "
            "staffing steps; advice to other professionals; and the children in every family. "
            "Each run draws its own parameter values as well as its own chance events, so the "
            "spread shows both kinds of uncertainty.",
        ),
        (
            "Calibration",
            "The team's uncertain parameters are updated on what it reported (families and "
            "children supported in its first weeks) by weighting runs drawn from their prior "
            "ranges by how likely the reports are given each run's counts, allowing for a "
            "reporting error (approximate Bayesian computation: Beaumont, Zhang and Balding "
            "2002; Wilkinson 2013). A calibrated scenario draws whole sets of values from the "
            "weighted runs, so the reach section's band holds the reported counts where the "
            "evidence puts them.",
        ),
        (
            "Savings",
            "For each family helped, the model counts the outcomes that early help "
            "makes less likely (a child entering care, custody, convictions, anti-social "
            "behaviour, domestic abuse, young people not in work or training, exclusions, mental "
            "health cases): the yearly rate among such families, the cost to each agency of one "
            "occurrence, and the relative reduction. Effects last for some full years and then "
            "fade. Families who drop out, are given only light-touch support, or are reached "
            "only through advice to other services, get a smaller share of the effect.",
        ),
        (
            "Gross and net",
            "Gross savings are the avoided costs before any adjustment. Net "
            "savings remove what would have happened anyway and credit due elsewhere: "
            f"{', '.join(add)} (central values), applied in that order. Deadweight is "
            "taken only off effects that were not measured against a comparison group or in "
            "trials, which already net it out. Costs are raised by the optimism bias for "
            f"costs ({percent(float(p['savings.optimism_bias.costs'].value), 0)}). Only net "
            "savings enter the NPV and the benefit-cost ratio; gross savings are shown for "
            "reference.",
        ),
        (
            "Discounting and prices",
            f"All money is in real terms at {c.price_year} prices. "
            f"Future amounts are discounted with the HM Treasury Green Book {c.discount} schedule "
            f"({first_rate} a year for the first thirty years), from the programme's first year. "
            "Appraisal years run for twelve months from the programme's start date; each is "
            "labelled with the financial year that holds its midpoint. "
            "Nominal tables, where shown, re-inflate each year with the GDP deflator (OBR "
            "forecast for future years).",
        ),
        (
            "Indicators",
            "Net present value = present value of net savings − present value of "
            "costs (less any payment-by-results income). Benefit-cost ratio = present value of net "
            "savings ÷ present value of costs (less income). "
            "Payback is when cumulative discounted savings first cover cumulative discounted "
            "costs. Break-even gives the number of families, or the share of the assumed effects, "
            "at which NPV would be zero.",
        ),
        (
            "Uncertainty",
            f"{number(c.draws)} Monte Carlo draws from every parameter's "
            "distribution (effects correlated with one another), seeded so that the same seed "
            "gives the same figures. One-way sensitivity (the tornado) and switching values vary "
            "one parameter at a time; the value of information shows which evidence would most "
            "reduce the risk of a wrong funding decision."
            + (
                f" Means and chances are over all {number(c.draws)} draws; percentiles, charts "
                f"and the value of information use the first {number(c.main.stored)}, a "
                "random sample of them."
                if c.main.stored < c.draws
                else ""
            ),
        ),
        (
            "Limits",
            "Many outcome rates and effects are assumptions with wide ranges, marked as "
            "such in the appendix; the area's own activity counts should replace national shares "
            "where available. The headline savings are fiscal (public-sector costs avoided); the "
            "economic and social views value output and wellbeing for a few outcomes only. The "
            "outcomes cover a fraction of what a family with multiple problems costs services "
            "(see the reconciliation). Cashable savings are the share that could be released as "
            "cash; the rest is freed capacity.",
        ),
    ]
    for head, body in text:
        _para(pdf, head, size=9.5, style="B")
        _para(pdf, body, size=9)
    if c.main.appraisal.checks:
        _para(pdf, "Checks raised by this run", size=9.5, style="B")
        for msg in c.main.appraisal.checks:
            _para(pdf, f"• {msg}", size=8.5)


def _assumptions(pdf, c: ReportContent) -> None:
    pdf.add_page(orientation="L")
    _heading(pdf, SECTIONS[7])
    t = c.assumptions()
    _para(
        pdf,
        f"Every parameter of the run ({len(t)}), with the {c.scenarios[0]} scenario's "
        f"values (changed values marked *). Status: published (taken from the source), "
        f"derived (computed from published figures) or assumed (a judgement, with its "
        f"rationale in the parameter file).",
        size=8,
    )
    rows = []
    for path, r in t.iterrows():
        value = parameter_value(r["value"]) + (" *" if r["scenario_override"] else "")
        if r["distribution"]:
            value += f"\n{distribution_text(r['distribution'])}"
        year = r["price_year"] if isinstance(r["price_year"], str) else ""
        rows.append(
            [
                f"{_wrap_path(path)}\n{r['description']}",
                value,
                r["unit"],
                year,
                r["status"],
                r["confidence"],
                r["source"],
            ]
        )
    _table(
        pdf,
        [
            "Parameter and description",
            "Value (distribution)",
            "Unit",
            "Price year",
            "Status",
            "Confidence",
            "Source",
        ],
        rows,
        [64, 44, 18, 15, 16, 18, 86],
        "lrlllll",
        size=6.2,
    )


def pdf_bytes(content: ReportContent) -> bytes:
    """The whole report as PDF bytes."""
    from . import charts

    pdf = _document(content)
    _cover(pdf, content)
    _summary(pdf, content)
    _baseline_section(pdf, content, charts)
    _reach_section(pdf, content, charts)
    _savings_section(pdf, content, charts)
    _uncertainty_section(pdf, content, charts)
    _scenarios_section(pdf, content, charts)
    _methods(pdf, content)
    _assumptions(pdf, content)
    return bytes(pdf.output())


def write_report(
    content: ReportContent, out: str | Path, xlsx: str | Path | None = None, force: bool = False
) -> list[Path]:
    """Write the PDF (and the workbook, if ``xlsx``) atomically; refuse to overwrite unless
    ``force``. Returns the paths written."""
    from .files import check_writable, write_files

    targets = [Path(out), *([Path(xlsx)] if xlsx else [])]
    check_writable(targets, force)
    blobs = {targets[0]: pdf_bytes(content)}
    if xlsx:
        from .workbook import workbook_bytes

        blobs[targets[1]] = workbook_bytes(content)
    return write_files(blobs, force)


__all__ = ["SECTIONS", "pdf_bytes", "write_report"]
