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
import re
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
from fpdf import FPDF

from ..analysis.board_case import BoardCase
from ..analysis.report import ReportContent
from ..params.errors import accepts
from ..params.monitoring import COLUMNS as MONITORING_COLUMNS
from . import content as shown
from .formatting import (
    band_rows,
    by_kind,
    money_m,
    money_round,
    number,
    percent,
    ratio_text,
    span,
)
from .labels import (
    AGENCY_LABELS,
    DECISION_COLUMNS,
    EVIDENCE_CLASS_LABELS,
    EVIDENCE_CLASS_SHORT,
    GLOSSARY,
    INDICATORS,
    MONITORING_FIELDS,
    PERSPECTIVE_LABELS,
    RANKING_WORDS,
    REACH_OUTCOMES,
    SHARE_UNITS,
    SHARING_WORDS,
    SUNK_ROWS,
    TIER_LABELS,
    late_intervention_phrase,
    management_label,
    parameter_label,
    provenance_text,
)
from .labels import scenario_label as _scenario_label

if TYPE_CHECKING:
    from fpdf.outline import OutlineSection
    from matplotlib.figure import Figure

#: Chart resolution in dots per inch (print quality at the charts' printed size).
CHART_DPI = 200
FONT = "DejaVu"
#: Page geometry in millimetres.
MARGIN = 18
INK = (33, 37, 41)
MUTED = (100, 106, 112)
RULE = (170, 175, 180)
HEAD_FILL = (232, 236, 240)
ACCENT = (0, 84, 147)

SECTIONS = (
    "Contents",
    "Executive summary",
    "1. The cost of late intervention",
    "2. The team's reach",
    "3. Costs and savings",
    "4. Uncertainty and sensitivity",
    "5. The decision: what comes next",
    "6. Limitations and evidence grades",
    "7. Monitoring and evaluation plan",
    "Glossary",
)
#: The companion PDF with every parameter, its source and the evidence records
#: (:mod:`costmodel.present.note`), as the board paper names it.
NOTE_NAME = "the technical note that accompanies this paper"
#: Figures in a table cell (money, counts, shares, ranges of them): never wrapped.
FIGURE = re.compile(r"^[\s£€$()\d.,%kmx+\-−–/]+$")
#: Smallest type a table is shrunk to so that its figures fit their columns.
MIN_TABLE_SIZE = 5.5
#: Height (mm) of a line of the contents, and room kept for its heading.
CONTENTS_LINE, CONTENTS_HEADING = 6.5, 14
#: Room (mm) left on a page for a section to start there rather than on the next page.
SECTION_ROOM = 80
#: Printed widths (mm) of the charts narrower than the text column (174 mm): each a
#: little shorter, so that a section's charts and tables share its pages.
CHART_WIDTHS = {
    "families": 160,
    "cumulative": 160,
    "by_agency": 160,
    "npv": 150,
    "tornado": 160,
}


def _font_files() -> dict[str, Path]:
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {
        "": ttf / "DejaVuSans.ttf",
        "B": ttf / "DejaVuSans-Bold.ttf",
        "I": ttf / "DejaVuSans-Oblique.ttf",
        "BI": ttf / "DejaVuSans-BoldOblique.ttf",
    }


class _Document(FPDF):
    """The report's A4 document; ``layout`` records what was laid out where."""

    layout: dict[str, list]


def _document(
    content: ReportContent, title: str | None = None, footer: str | None = None
) -> _Document:
    """A blank A4 document with the report's fonts, margins and footer; ``title`` (the
    PDF's metadata) and ``footer`` (the left of each page's footer) replace the board
    paper's."""

    footer_left = footer or (
        f"costmodel {content.version} · {shown.area_name(content)} · "
        f"{', '.join(content.scenarios)} · {content.price_basis} · "
        f"parameters {content.fingerprint}"
    )

    class Report(_Document):
        #: What was laid out where, for the layout tests: tables (with their figure
        #: cells' widths and whether money has its basis stated), charts, section starts.
        layout: dict[str, list]

        def footer(self) -> None:
            self.set_font(FONT, "", 6.5)
            self.set_text_color(*MUTED)
            width = self.w - self.l_margin - self.r_margin
            # the page number has its own column; a long description (a forecast price
            # basis) wraps onto a second line within its own, never over the number
            two = self.get_string_width(footer_left) > width * 0.8 - 2
            top = -14 if two else -12
            self.set_y(top)
            self.multi_cell(width * 0.8, 3 if two else 4, footer_left, align="L")
            self.set_xy(self.l_margin + width * 0.8, self.h + top)
            self.cell(width * 0.2, 4, f"Page {self.page_no()} of {{nb}}", align="R")
            self.set_text_color(*INK)

    pdf = Report(orientation="P", unit="mm", format="A4")
    pdf.layout = {"tables": [], "charts": [], "sections": []}
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    for style, path in _font_files().items():
        pdf.add_font(FONT, style, str(path))
    for font in pdf.fonts.values():
        _keep_widths(font)
    pdf.set_title(title or f"Early help: costs and savings – {shown.area_name(content)}")
    pdf.set_author("costmodel")
    pdf.set_subject(f"{', '.join(content.scenarios)}; {content.price_basis}")
    pdf.set_creator(f"costmodel {content.version}")
    pdf.set_creation_date(dt.datetime.combine(content.created, dt.time(0), dt.timezone.utc))
    pdf.set_text_color(*INK)
    return pdf


#: Widths of texts the report's fonts have measured: (font file, text, size) → what
#: fpdf's ``get_text_width`` gives. Laying out a line measures every character and word
#: again and again; the widths are fpdf's own, so the layout is the same.
_WIDTHS: dict[tuple[str, str, float], tuple[int, float]] = {}
#: The most widths kept (then they are measured afresh).
_WIDTHS_MOST = 500_000
#: The font type that keeps them (made when first needed: fpdf is imported then).
_MEASURED: type | None = None


def _keep_widths(font: Any) -> None:
    """Make ``font`` (an fpdf ``TTFFont``) keep the widths it measures in :data:`_WIDTHS`."""
    from fpdf.fonts import TTFFont

    global _MEASURED
    if _MEASURED is None:
        _MEASURED = _measured_type()
    if type(font) is TTFFont:
        font.__class__ = _MEASURED


def _measured_type() -> type:
    from fpdf.fonts import TTFFont

    class Measured(TTFFont):
        """An fpdf ``TTFFont`` whose text widths are kept (:data:`_WIDTHS`)."""

        __slots__ = ()

        def get_text_width(
            self, text: str, font_size_pt: float, text_shaping_params: Any = None
        ) -> tuple[int, float]:
            if text_shaping_params:
                return super().get_text_width(text, font_size_pt, text_shaping_params)
            key = (str(self.ttffile), text, font_size_pt)
            width = _WIDTHS.get(key)
            if width is None:
                if len(_WIDTHS) >= _WIDTHS_MOST:
                    _WIDTHS.clear()
                width = _WIDTHS[key] = super().get_text_width(text, font_size_pt, None)
            elif font_size_pt > self.biggest_size_pt:
                self.biggest_size_pt = font_size_pt
            return width

    return Measured


# ---------------------------------------------------------------- building blocks


def _width(pdf: FPDF) -> float:
    return pdf.w - pdf.l_margin - pdf.r_margin


def _heading(pdf: _Document, text: str, level: int = 0) -> None:
    if level == 0:
        pdf.start_section(text, level=0)
        pdf.layout["sections"].append((pdf.page_no(), text))
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


def _section(pdf: _Document, name: str, fresh: bool = False) -> None:
    """A section's heading: on the page in hand when :data:`SECTION_ROOM` is left on it
    (a section need not leave the rest of a page blank), else at the top of the next;
    with ``fresh``, always at the top of a page."""
    room = pdf.h - pdf.b_margin - pdf.get_y()
    if pdf.get_y() > pdf.t_margin + 1 and (fresh or room < SECTION_ROOM):
        pdf.add_page()
    elif pdf.get_y() > pdf.t_margin + 1:
        pdf.ln(5)
    _heading(pdf, name)


def _para(pdf: _Document, text: str, size: float = 9, style: str = "", muted: bool = False) -> None:
    pdf.set_font(FONT, style, size)
    if muted:
        pdf.set_text_color(*MUTED)
    pdf.multi_cell(_width(pdf), size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.ln(1.5)


def _chart(
    pdf: _Document,
    fig: Figure,
    caption: str | None = None,
    width: float | None = None,
    basis: str | None = None,
) -> None:
    """A chart, scaled down (to 70% at least) rather than pushed to a new page when the
    page has most of the room it needs; ``basis`` (price base and discounting) is added
    to the caption of a chart of money."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=CHART_DPI, facecolor="white")
    buf.seek(0)
    w_in, h_in = fig.get_size_inches()
    width = width or _width(pdf)
    height = width * h_in / w_in
    text = " ".join(x for x in (caption, f"Money: {basis}." if basis else None) if x)
    extra = 8 if text else 2
    room = pdf.h - pdf.b_margin - pdf.get_y() - extra
    if height > room:
        if room >= 0.7 * height:
            width, height = width * room / height, room
        else:
            pdf.add_page()
    pdf.image(buf, x=pdf.l_margin, w=width, h=height)
    pdf.layout["charts"].append({"page": pdf.page_no(), "basis": basis, "caption": text})
    if text:
        _para(pdf, text, size=7.5, muted=True)
    else:
        pdf.ln(2)
    import matplotlib.pyplot as plt

    plt.close(fig)


def _table(
    pdf: _Document,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    align: str,
    size: float = 7.5,
    bold_rows: Sequence[int] = (),
    note: str | None = None,
    basis: str | None = None,
) -> None:
    """A ruled table; its header repeats on every page it runs onto.

    Figures (money, counts, shares) never wrap: the type is made smaller, down to
    :data:`MIN_TABLE_SIZE`, until the widest figure of every column fits. A table with
    money states its ``basis`` (price base and discounting) in its note.
    """
    from fpdf.fonts import FontFace

    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.15)
    total = sum(widths)
    scale = min(1.0, (_width(pdf) - 0.01) / total)
    widths = [w * scale for w in widths]
    pad = 1.2
    figures = [
        (j, str(cell))
        for row in [header, *rows]
        for j, cell in enumerate(row)
        if FIGURE.match(str(cell)) and str(cell).strip()
    ]

    def overflow(at: float) -> bool:
        pdf.set_font(FONT, "B", at)
        return any(pdf.get_string_width(t) > widths[j] - 2 * pad for j, t in figures)

    while size > MIN_TABLE_SIZE and overflow(size):
        size = max(MIN_TABLE_SIZE, size - 0.25)
    pdf.set_font(FONT, "B", size)
    cells = [
        {"text": t, "needed": pdf.get_string_width(t), "available": widths[j] - 2 * pad}
        for j, t in figures
    ]
    pdf.set_font(FONT, "", size)
    money_shown = any("£" in t for _, t in figures)
    if basis:
        note = f"{note} Money: {basis}." if note else f"Money: {basis}."
    aligns = ["LEFT" if a == "l" else "RIGHT" if a == "r" else "CENTER" for a in align]
    head = FontFace(emphasis="BOLD", fill_color=HEAD_FILL, size_pt=size)
    bold = FontFace(emphasis="BOLD", size_pt=size)
    # keep a short table together; a long one starts where it is if a few rows fit
    line = size * 0.48 + 1.6
    lines = sum(max(1 + str(c).count("\n") for c in row) for row in rows) + len(rows) * 0.15
    height = (lines + 2) * line
    room = pdf.h - pdf.b_margin - pdf.get_y()
    if room < 30 or (height < 70 and height > room):
        pdf.add_page()
    first = pdf.page_no()
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        align="LEFT",
        text_align=aligns,
        headings_style=head,
        borders_layout="HORIZONTAL_LINES",
        line_height=size * 0.48,
        padding=(0.8, pad),
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
    pdf.layout["tables"].append(
        {
            "pages": (first, pdf.page_no()),
            "header": list(header),
            "figures": cells,
            "money": money_shown,
            "basis": basis,
            "note": note,
        }
    )
    pdf.ln(1.5)
    if note:
        _para(pdf, note, size=7, muted=True)
    pdf.ln(1)


# ---------------------------------------------------------------- pages


def _basis(c: ReportContent, discounted: bool = True) -> str:
    """The price base and discounting base of a table or chart, in words."""
    base = dt.date.fromisoformat(c.main.base_date)
    if not discounted:
        return f"{c.price_basis}, undiscounted"
    return f"{c.price_basis}, discounted to {base:%-d %B %Y} at the Green Book rate"


def _cover(pdf: _Document, c: ReportContent) -> None:
    from .board import stance

    st = stance(c)
    pdf.add_page()
    pdf.set_y(30)
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(_width(pdf), 6, st.label.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
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
        _width(pdf), 7, f"{shown.area_name(c)}: {_programme_name(c)}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(8)
    scen = "; ".join(
        f"{_scenario_label(s)} – {c.descriptions.get(s, '')}".rstrip(" –") for s in c.scenarios
    )
    rows = [
        ("Area", shown.area_name(c)),
        ("Programme", f"{st.start:%-d %B %Y} to {st.end:%-d %B %Y}"),
        ("Scenario", scen),
        ("Price base", f"{c.price_basis} (HM Treasury GDP deflator)"),
        (
            "Discounting",
            f"HM Treasury Green Book, {c.discount} rate, to "
            f"{dt.date.fromisoformat(c.main.base_date):%-d %B %Y}; {c.horizon} years appraised",
        ),
        ("Uncertainty", f"{number(c.draws)} Monte Carlo draws, seed {c.seed}"),
        *(("Borrowed", line) for line in shown.borrowed(c)),
        ("Date", c.created.strftime("%-d %B %Y")),
        ("Library", f"costmodel {c.version}"),
        ("Parameter fingerprint", c.fingerprint),
    ]
    for k, v in rows:
        pdf.set_font(FONT, "B", 9.5)
        pdf.cell(45, 5.5, k)
        pdf.set_font(FONT, "", 9.5)
        pdf.multi_cell(_width(pdf) - 45, 5.5, v, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    _para(
        pdf,
        "Figures are means over the Monte Carlo draws unless a range is given; ranges "
        "run from the 5th to the 95th percentile. Money is in real terms at the price "
        "base shown, except where a table says nominal, and is rounded to three significant "
        "figures (£1.44m, £946k, £9,970). Negative amounts are shown in brackets; a dash "
        "marks a figure that is not defined. The parameter fingerprint is a short hash of "
        "every value the run used: two reports with the same fingerprint, draws and seed "
        "show the same figures.",
        size=8.5,
        muted=True,
    )


def _programme_name(c: ReportContent) -> str:
    """What the report appraises, in words: the team, or the programmes by name."""
    names = [f.name for f in c.main.programmes]
    if not names or "team" in names:
        return "the Early Intervention Team"
    return " and ".join(f"the {_scenario_label(n).lower()} programme" for n in names)


def _contents(pdf: _Document, c: ReportContent) -> None:
    """The contents, on the cover below the run's particulars, or on a page of its own
    when the particulars leave too little room (a long scenario description, several
    lines of borrowed parameters)."""
    pdf.ln(6)
    entries = len(SECTIONS) - 1  # every section but the contents
    if pdf.get_y() + CONTENTS_HEADING + entries * CONTENTS_LINE > pdf.page_break_trigger:
        pdf.add_page()
    _heading(pdf, SECTIONS[0])

    def render(pdf: FPDF, outline: list[OutlineSection]) -> None:
        pdf.set_font(FONT, "", 10)
        pdf.set_x(pdf.l_margin)  # the cursor is where the last page left it
        for item in outline:
            if item.level > 0 or item.name == SECTIONS[0]:
                continue
            pdf.cell(_width(pdf) - 20, CONTENTS_LINE, item.name)
            pdf.cell(
                20, CONTENTS_LINE, str(item.page_number), align="R", new_x="LMARGIN", new_y="NEXT"
            )

    pdf.insert_toc_placeholder(render, pages=1)


def _summary(pdf: _Document, c: ReportContent) -> None:
    from . import board

    if pdf.get_y() > pdf.t_margin + 1:  # the contents leave a fresh page
        pdf.add_page()
    _heading(pdf, SECTIONS[1])
    st = board.stance(c)
    funder = c.main.perspective_weights.get("funder")
    payer = AGENCY_LABELS[funder].long.lower() if funder else "the funders"
    question = {
        "ex_post": (
            f"{_capital(_programme_name(c))} ran from {st.start:%B %Y} to {st.end:%B %Y}, paid "
            "for by the "
            f"{payer}. Looking back, did it pay its way for the public purse, who gained, "
            "and on this evidence should a successor be funded, and at what scale?"
        ),
        "in_flight": (
            f"{_capital(_programme_name(c))} has run since {st.start:%B %Y} and is funded to "
            f"{st.end:%B %Y} by "
            f"the {payer}. Is it on course to pay its way, and should it be continued?"
        ),
        "ex_ante": (
            f"Should the {payer} fund {_programme_name(c)} from {st.start:%B %Y} to "
            f"{st.end:%B %Y}, "
            "and at what scale?"
        ),
    }[st.kind]
    grade, shares = board.confidence(c)
    if shown.borrowed(c):
        _para(
            pdf,
            f"Parameters from another area: {'; '.join(shown.borrowed(c))}. They stand in for "
            f"{shown.area_name(c)}'s own until replaced.",
            size=8.5,
            style="B",
        )
    _para(pdf, "The question", size=9.5, style="B")
    _para(pdf, question, size=8.5)
    _para(pdf, "The answer", size=9.5, style="B")
    _para(
        pdf,
        f"{board.answer_sentence(c)} Overall confidence in the evidence: {grade} "
        f"({percent(shares['high'], 0)} of the savings rest on high-grade evidence, "
        f"{percent(shares['medium'], 0)} on medium and {percent(shares['low'], 0)} on low). "
        + _evidence_shares(c),
        size=8.5,
    )
    views = c.main.perspectives()
    names = {k: label.short for k, label in PERSPECTIVE_LABELS.items()}
    names["funder"] = f"{names['funder']} ({payer})"
    rows = [
        [
            names.get(str(k), str(k)),
            money_round(r.npv),
            ratio_text(r.bcr),
            percent(c.main.p_npv_positive, 0) if k == "fiscal" else "–",
        ]
        for k, r in views.iterrows()
    ]
    _table(
        pdf,
        ["Perspective", "NPV", "BCR", "Chance NPV > 0"],
        rows,
        [92, 28, 20, 34],
        "lrrr",
        size=7.5,
        basis=_basis(c),
    )
    _para(pdf, "Who pays and who saves", size=9.5, style="B")
    w = board.who_pays_and_saves(c)
    w = w[(w.abs() > 0.5).any(axis=1)]
    header = ["", *w.columns]
    rows = [
        [k.replace("Cashable saving: ", "Cashable: "), *(money_round(v) for v in r)]
        for k, r in w.iterrows()
    ]
    n = len(w.columns)
    _table(
        pdf,
        header,
        rows,
        [56, *([118 / n] * n)],
        "l" + "r" * n,
        size=7,
        bold_rows=[0],
        basis=_basis(c, discounted=False) + " (the last column discounted)",
    )
    if c.board is not None:
        _summary_decision(pdf, c)
        return
    _para(pdf, "Key risks", size=9.5, style="B")
    for risk in board.key_risks(c):
        _para(pdf, f"• {board.risk_sentence(c, risk, partial(_param_value, c))}", size=8)
    opts = board.options(c)
    if len(opts):
        _para(pdf, "The options", size=9.5, style="B")
        rows = [
            [
                name,
                _scenario_label(r["scenario"]),
                money_round(r["pv_costs"]),
                money_round(r["npv"]),
                ratio_text(r["bcr"]),
                percent(r["p_npv_positive"], 0),
            ]
            for name, r in opts.iterrows()
        ]
        _table(
            pdf,
            ["Option", "Scenario", "PV costs", "NPV", "BCR", "Chance NPV > 0"],
            rows,
            [26, 40, 26, 26, 18, 30],
            "llrrrr",
            size=7,
            basis=_basis(c),
        )
    pri = board.evidence_priorities(c)
    if len(pri):
        top = pri.iloc[0]
        second = pri.iloc[1] if len(pri) > 1 else None
        _para(pdf, "What evidence would most reduce the uncertainty", size=9.5, style="B")
        _para(
            pdf,
            f"Knowing {str(top['label']).lower()} before deciding would be worth about "
            f"{money_round(top['value_of_information'])} in wrong decisions avoided"
            + (
                f"; {str(second['label']).lower()}, about "
                f"{money_round(second['value_of_information'])}"
                if second is not None
                else ""
            )
            + f" (value of information; the monitoring plan in section {_number(SECTIONS[8])} "
            "follows it).",
            size=8.5,
        )


def _summary_decision(pdf: _Document, c: ReportContent) -> None:
    """The summary's close: the decision, the recommendation, the ask and the risks."""
    b, d = c.board, c.decision
    assert b is not None and d is not None
    decided = dt.date.fromisoformat(d.decision_date)
    _para(pdf, "The decision, the recommendation and the ask", size=9.5, style="B")
    _para(pdf, f"{b.question} {_recommendation_text(b)}", size=8.5)
    _table(
        pdf,
        ["Option", "NPV to society", "Chance better", "Fiscal NPV", "Fiscal BCR", "Cashable"],
        [
            [
                _scenario_label(str(o)),
                money_round(r.npv),
                percent(r.p_better, 0),
                money_round(r.npv_fiscal),
                ratio_text(r.bcr_fiscal),
                money_round(r.local_cashable),
            ]
            for o, r in b.options.iterrows()
        ],
        [44, 26, 24, 26, 22, 24],
        "lrrrrr",
        size=7,
        basis=f"{d.price_basis}, discounted to {decided:%-d %B %Y}; each option less "
        f"{_scenario_label(d.counterfactual).lower()}",
    )
    if b.recommended is not None:
        top = b.shares["share"].sort_values(ascending=False)
        top = top[top > 0]
        _para(
            pdf,
            _ask_text(b)
            + " Shares: "
            + ", ".join(f"{AGENCY_LABELS[str(k)].short} {percent(v, 0)}" for k, v in top.items())
            + ".",
            size=8.5,
        )
    risks = b.risks.head(3)
    if len(risks):
        _para(
            pdf,
            "Key risks: "
            + "; ".join(
                f"{parameter_label(str(k)).lower()} {abs(r.change) * 100:.0f}% "
                f"{'lower' if r.change < 0 else 'higher'} than assumed (chance "
                f"{percent(r.likelihood, 0)})"
                for k, r in risks.iterrows()
            )
            + f". Owners and mitigations: section {_number(SECTIONS[6])}.",
            size=8.5,
        )


def _number(section: str) -> str:
    """A numbered section's number: ``"5. The decision"`` → ``"5"``."""
    return section.split(".", 1)[0]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _baseline_section(pdf: _Document, c: ReportContent, charts: ModuleType) -> None:
    _section(pdf, SECTIONS[2], fresh=True)
    b = c.baseline
    basis = f"{b.price_basis}, a year"
    _para(
        pdf,
        f"{late_intervention_phrase(b.total_status, shown.area_name(c))}, by issue and by the "
        f"agency that pays, in {c.price_year} prices. Published figures are used as they "
        f"stand; the rest of the split is derived from national shares (see the technical note).",
    )
    total = b.provenance.get("total", {})
    if b.total_status != "published" and total:
        rng = total.get("range")
        spread = f" (90% range {money_m(rng[0])} to {money_m(rng[1])})" if rng else ""
        _para(pdf, f"The total{spread}: {provenance_text(total)}.", size=8)
    _chart(pdf, charts.baseline_chart(b, "issue"), basis=basis)
    for by, head in (("issue", "Issue"),):  # by agency: the matrix's last row
        t = shown.baseline_table(c, by)
        rows = [
            [r["label"], money_m(r["cost"]), percent(r["share"], 0), r["status"]]
            for _, r in t.iterrows()
        ]
        rows.append(["Total", money_m(b.total), percent(1.0, 0), b.total_status])
        _table(
            pdf,
            [head, "Annual cost", "Share", "Basis"],
            rows,
            [85, 35, 20, 30],
            "lrrl",
            bold_rows=[len(rows) - 1],
            basis=basis,
        )
    _heading(pdf, "Issue by paying agency", level=1)
    m = shown.baseline_matrix(c)
    short = {a.long: a.short for a in AGENCY_LABELS.values()}
    rows = [[str(i), *(money_m(v) for v in r)] for i, r in zip(m.index, m.to_numpy(), strict=True)]
    _table(
        pdf,
        ["Issue", *(short.get(col, col) for col in m.columns)],
        rows,
        [44, *([18] * (len(m.columns) - 1)), 20],
        "l" + "r" * len(m.columns),
        size=7,
        bold_rows=[len(rows) - 1],
        note="Rows and columns add exactly in whole pounds (the workbook has them); cells "
        "are derived: published margins split by national shares (see the technical note).",
        basis=basis,
    )


def _reach_section(pdf: _Document, c: ReportContent, charts: ModuleType) -> None:
    _section(pdf, SECTIONS[3])
    p = c.main
    _para(
        pdf,
        "How many families the team works with, simulated week by week over the "
        "funded period: referrals, a waiting list, caseloads, case lengths, drop-out "
        "and staff turnover, with each run drawing its own parameter values. Lines are "
        "means; shaded bands run from the 5th to the 95th percentile.",
    )
    if p.simulation is None:
        _para(pdf, "This scenario does not fund the team.")
        return
    sim = p.simulation
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
        _heading(pdf, "Modelled against reported", level=1)
        _table(
            pdf,
            ["What the team reported", "Reported", "Modelled", "5th–95th", "Percentile"],
            rows,
            [70, 24, 24, 32, 24],
            "lrrrr",
            note=f"Reported counts, with their sources, are listed in {NOTE_NAME}. "
            "Percentile: where the reported count sits among the runs.",
        )
    _chart(pdf, charts.families_chart(sim), width=CHART_WIDTHS["families"])
    t = sim.totals()
    names = (  # families started, given light touch and advised: the tiers' table below
        "referred",
        "completed",
        "dropped_out",
        "redirected",
        "mean_wait_weeks",
        "utilisation",
        "spend",
        "cost_per_family_supported",
        "cost_per_family_started",
    )
    rows = band_rows(t, names, REACH_OUTCOMES, money_format=money_round)
    _table(
        pdf,
        ["Over the funded period", "Mean", "Range (5th–95th percentile)"],
        rows,
        [88, 32, 54],
        "lrr",
        note=f"{number(sim.runs)} simulation runs. Redirected: families who waited longer "
        "than the longest wait allowed and were passed to other services.",
        basis=f"real terms, {sim.inputs.price_year} prices (the budget's price base), undiscounted",
    )
    tiers = c.reach_by_tier()
    rows = [
        [
            TIER_LABELS.get(tier, tier),
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
    if len(c.budget_by_financial_year()):
        from .note import NOTE_SECTIONS

        _para(
            pdf,
            "The team's spend by financial year, in real terms and in cash, is in "
            f"{NOTE_NAME} (section {_number(NOTE_SECTIONS[1])}) and in the workbook.",
            size=8.5,
            muted=True,
        )


def _spend_by_year(pdf: _Document, c: ReportContent) -> None:
    """The simulated team's spend by financial year, real and cash (in the technical
    note's methods, beside how a quarter's spend is shared between years)."""
    budget = c.budget_by_financial_year()
    if len(budget):
        _heading(pdf, "The team's spend by financial year", level=1)
        rows = [
            [str(y), money_round(r["spend_real"]), money_round(r["spend_cash"])]
            for y, r in budget.iterrows()
        ]
        _table(
            pdf,
            ["Financial year (April–March)", "Spend, real terms", "Spend, cash"],
            rows,
            [74, 50, 50],
            "lrr",
            bold_rows=[len(rows) - 1],
            note="Mean spend of the simulated team by financial year; each 13-week quarter's "
            "spend is shared between financial years by the days it spends in each. Cash "
            "re-inflates real terms with the GDP deflator.",
            basis=f"real terms at {budget.attrs['price_year']} prices and cash, undiscounted",
        )


def _savings_section(pdf: _Document, c: ReportContent, charts: ModuleType) -> None:
    _section(pdf, SECTIONS[4])
    _para(
        pdf,
        "What the team costs and what it saves. Savings follow each quarter's cohort of "
        "families helped for the same years after support; net savings are what is left "
        "after deadweight and attribution to other services (off every effect not "
        "measured for this programme against its own counterfactual), displacement and "
        "optimism bias. Future amounts are discounted at the Green Book rate. "
        + _evidence_shares(c),
    )
    h = shown.headline(c)
    rows = []
    for k, r in h.iterrows():
        if k in ("p_npv_positive", "p_payback"):
            value = percent(r["estimate"], 0)
        elif r["kind"] == "money":
            value = money_round(r["estimate"])
        else:
            value = by_kind(r["estimate"], r["kind"])
        if k == "payback_years" and not np.isfinite(r["estimate"]):
            value = "–"
        if not np.isfinite(r["p5"]):
            rng = "–"
        elif r["kind"] == "money":
            rng = f"{money_round(r['p5'])} – {money_round(r['p95'])}"
        else:
            rng = span(r["p5"], r["p95"], r["kind"])
        rows.append([r["label"], value, rng])
    _table(
        pdf,
        ["Key figures (fiscal)", "Estimate", "Range (5th–95th percentile of draws)"],
        rows,
        [96, 28, 50],
        "lrr",
        size=7.5,
        bold_rows=[i for i, r in enumerate(rows) if r[0].startswith("Net present")],
        note="Amounts and counts are means of the draws; the benefit-cost ratio, cost per "
        "family and break-even are ratios of mean present values, so they agree with the "
        "mean NPV; payback is read from the mean cumulative curves and shown only where "
        "at least half the draws pay back. Ranges are of the draws' own values."
        + shown.cost_above_budget(c),
        basis=_basis(c),
    )
    _chart(pdf, charts.cumulative_chart(c.main), width=CHART_WIDTHS["cumulative"], basis=_basis(c))
    _chart(
        pdf,
        charts.savings_by_agency_chart(c.main, discounted=False),
        width=CHART_WIDTHS["by_agency"],
        basis=_basis(c, False),
    )
    ag = shown.by_agency(c)
    arows = [
        [
            r["label"],
            money_round(r["pv_savings_net"]),
            percent(r["share"], 0),
            money_round(r["cashable"]),
        ]
        for _, r in ag.iterrows()
    ]
    arows.append(
        [
            "All agencies",
            money_round(ag["pv_savings_net"].sum()),
            percent(1.0, 0),
            money_round(ag["cashable"].sum()),
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
        basis=_basis(c),
    )
    views = c.main.perspectives()
    names = {k: label.long for k, label in PERSPECTIVE_LABELS.items()}
    rows = [
        [
            names.get(str(k), str(k)),
            money_round(r.pv_benefits),
            money_round(r.pv_costs),
            money_round(r.npv),
            ratio_text(r.bcr),
        ]
        for k, r in views.iterrows()
    ]
    _heading(pdf, "By perspective", level=1)
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
        "valued; the funder's view counts only its cashable savings.",
        basis=_basis(c),
    )
    spent = c.main.outturn()
    if len(spent):
        _heading(pdf, "What was spent: the area's ledger", level=1)
        _table(
            pdf,
            [
                "Financial year",
                "Programme",
                "Simulated",
                "Outturn",
                "As recorded (cash)",
                "Difference",
            ],
            [
                [
                    r.financial_year,
                    r.programme,
                    money_round(r.simulated),
                    money_round(r.outturn),
                    money_round(r.cash),
                    money_round(r.difference),
                ]
                for r in spent.itertuples()
            ],
            [28, 30, 28, 28, 30, 26],
            "llrrrr",
            size=7.5,
            note="The ledger's years replace the simulated spend in every table and figure "
            "of this report; recorded spend carries no optimism bias.",
            basis=_basis(c, False),
        )
    _para(
        pdf,
        "Year-by-year cash flows by agency (real terms, discounted"
        + (" and nominal" if c.nominal else " and in cash prices")
        + ") are in the workbook's cash flow sheets.",
        size=8.5,
        muted=True,
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _param_value(c: ReportContent, path: str, x: float) -> str:
    """A parameter's value as the report prints it: money rebased to the report's price
    year and rounded, shares as percentages, other values with their unit."""
    if x is None or not np.isfinite(x):
        return "–"
    p = c.parameters.get(path)
    unit = p.unit if p is not None else ""
    if p is not None and p.price_year and unit.startswith("GBP"):
        return money_round(c.in_report_prices(path, x))
    if unit in SHARE_UNITS:
        return percent(x, 0) if abs(x) >= 0.1 else percent(x, 1)
    text = number(x) if abs(x) >= 100 else f"{x:.3g}".replace("-", "−")
    words = {"year": "yrs", "week": "wks", "rate/year": "/yr", "post": "posts"}
    return f"{text} {words[unit]}" if unit in words else text


def _uncertainty_section(pdf: _Document, c: ReportContent, charts: ModuleType) -> None:
    _section(pdf, SECTIONS[5])
    pr = c.probabilities()
    _para(
        pdf,
        f"Every uncertain parameter is drawn from its distribution in each of "
        f"{number(c.draws)} Monte Carlo draws. The chance that NPV is above zero is "
        f"{percent(pr['p_npv_positive'], 0)}.",
    )
    _chart(pdf, charts.npv_distribution_chart(c.main), width=CHART_WIDTHS["npv"], basis=_basis(c))
    _heading(pdf, "Which assumptions matter most", level=1)
    _para(
        pdf,
        f"NPV with one parameter at a time at its 5th and 95th percentile and all others "
        f"at their central values. With every parameter at its central value NPV is "
        f"{money_round(c.tornado.attrs.get('npv_central', np.nan))}. The Monte Carlo mean "
        f"differs because NPV is not linear in the parameters: effects, persistence, costs "
        f"and the team's throughput multiply one another, and skewed distributions put "
        f"their means away from the central values.",
    )
    _chart(pdf, charts.tornado_chart(c.tornado), width=CHART_WIDTHS["tornado"], basis=_basis(c))
    from .note import NOTE_SECTIONS

    _para(
        pdf,
        f"The values behind the chart, every parameter's switching value and the value of "
        f"information by group of parameters are in {NOTE_NAME}, sections "
        f"{_number(NOTE_SECTIONS[5])} and {_number(NOTE_SECTIONS[6])}.",
        size=8.5,
        muted=True,
    )


def _scenarios_section(pdf: _Document, c: ReportContent, charts: ModuleType, heading: str) -> None:
    """The scenarios side by side (a section of the technical note)."""
    from . import board

    pdf.add_page()
    _heading(pdf, heading)
    base = dt.date.fromisoformat(c.main.base_date)
    _para(
        pdf,
        f"The options and the other scenarios side by side, each with the same draws and "
        f"seed, all discounted to {base:%-d %B %Y} and priced in {c.price_year}. Per family "
        f"figures divide by the families each scenario starts supporting, so programmes of "
        f"very different sizes can be read on one scale.",
    )
    opts = board.options(c)
    named = {r["scenario"]: name for name, r in opts.iterrows()}
    _table(
        pdf,
        ["Scenario", "Option", "What it assumes"],
        [
            [_scenario_label(s), named.get(s, ""), _named(c, c.descriptions.get(s, ""))]
            for s in c.compared
        ],
        [36, 22, 112],
        "lll",
        size=7,
    )
    _chart(
        pdf,
        charts.scenarios_chart({s: c.projections[s] for s in c.compared}),
        basis=_basis(c),
    )
    t = c.scenario_table()
    spec = (
        "pv_costs",
        "pv_income",
        "pv_savings_net",
        "npv",
        "npv_per_family",
        "npv_p5",
        "npv_p95",
        "bcr",
        "p_npv_positive",
        "payback_years",
        "families_started",
    )
    labels = {**{k: v.short for k, v in INDICATORS.items()}, "npv_per_family": "NPV per family"}
    kinds = {**{k: v.kind for k, v in INDICATORS.items()}, "npv_per_family": "money"}

    def cell(k: str, x: float) -> str:
        if kinds[k] == "money":
            return money_round(x)
        if k == "p_npv_positive":
            return percent(x, 0)
        return by_kind(x, kinds[k])

    rows = [
        [labels[k], *(cell(k, t.loc[k, s]) for s in c.compared)]
        for k in spec
        if k in t.index and np.isfinite(t.loc[k].to_numpy(dtype=float)).any()
    ]
    n = len(c.compared)
    pdf.add_page(orientation="L")
    _table(
        pdf,
        ["", *(_scenario_label(s) for s in c.compared)],
        rows,
        [40, *([(_width(pdf) - 40) / n] * n)],
        "l" + "r" * n,
        size=7,
        note=f"Means over {number(c.draws)} draws. A scenario without the team (no team) has "
        "no costs or savings, so its ratios are not defined.",
        basis=_basis(c),
    )


def _named(c: ReportContent, text: str) -> str:
    """A scenario's description with any scenario it names by file name given by its
    label: ``as in troubled_families_phase2`` → ``as in troubled families phase2``."""
    for name in sorted(c.projections, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b", _scenario_label(name).lower(), text)
    return text


def _decision_section(pdf: _Document, c: ReportContent) -> None:
    """The options in front of the board from the decision date, against the
    counterfactual: what each is, the recommendation and the ask, then the register.
    Each option's extra costs and savings, its perspectives, a split of the cost by all
    savings and what is sunk are in the technical note."""
    from .note import NOTE_SECTIONS

    d = c.decision
    _section(pdf, SECTIONS[6], fresh=True)
    if d is None:
        _para(pdf, "The area names no decision (parameters/areas/AREA/decisions/).")
        return
    decided = dt.date.fromisoformat(d.decision_date)
    basis = (
        f"{d.price_basis}, discounted to {decided:%-d %B %Y} at the Green Book rate; "
        f"each option less {_scenario_label(d.counterfactual)}"
    )
    _para(pdf, d.description, size=10, style="B")
    _para(
        pdf,
        f"Appraised as the board decides, on {decided:%-d %B %Y}: in {d.price_year} prices, "
        f"discounted to that date, each option less the counterfactual "
        f"({_scenario_label(d.counterfactual)}: {c.decision_descriptions[d.counterfactual]}) "
        f"on the same {number(d.projections[d.counterfactual].draws)} draws. What was spent "
        "and saved before the decision is sunk, in no option's figures."
        + (
            " Each option's extra costs and savings, its value from each perspective, a "
            f"split of the cost by all savings and what is sunk are in {NOTE_NAME}, "
            f"section {_number(NOTE_SECTIONS[8])}."
            if c.board is not None
            else ""
        ),
    )
    _table(
        pdf,
        ["Option", "What it is"],
        [[_scenario_label(o), c.decision_descriptions[o]] for o in d.options],
        [36, 134],
        "ll",
        size=7,
    )
    if c.board is None:
        _options_detail(pdf, c)
        return
    _recommendation(pdf, c, basis)
    _register(pdf, c, basis)


def _options_detail(pdf: _Document, c: ReportContent) -> None:
    """The decision's options in figures (a section of the technical note, and the board
    paper's when the area's decision has no board's case): each option's extra costs and
    savings, its perspectives, who should pay on cashable and on all savings, and what is
    sunk."""
    d = c.decision
    assert d is not None
    decided = dt.date.fromisoformat(d.decision_date)
    basis = (
        f"{d.price_basis}, discounted to {decided:%-d %B %Y} at the Green Book rate; "
        f"each option less {_scenario_label(d.counterfactual)}"
    )
    inc = d.incremental()
    spec = (
        "pv_costs",
        "pv_savings_net",
        "npv",
        "npv_p5",
        "npv_p95",
        "bcr",
        "p_better",
        "families_started",
        "cost_per_family_started",
    )

    def cell(k: str, x: float) -> str:
        kind = DECISION_COLUMNS[k].kind
        if kind == "money":
            return money_round(x)
        if kind == "share":
            return percent(x, 0)
        return by_kind(x, kind)

    _heading(pdf, "Extra costs and savings of each option", level=1)
    _table(
        pdf,
        ["", *(_scenario_label(o) for o in d.options)],
        [[DECISION_COLUMNS[k].long, *(cell(k, inc.loc[o, k]) for o in d.options)] for k in spec],
        [62, *([108 / len(d.options)] * len(d.options))],
        "l" + "r" * len(d.options),
        size=7.5,
        note="Fiscal perspective (every public agency). Means, and the 5th and 95th "
        "percentiles of the per-draw difference; the ratio is of the mean differences.",
        basis=basis,
    )
    views = d.perspectives()
    _heading(pdf, "Each option from each perspective", level=1)
    _table(
        pdf,
        ["Option", "Perspective", "PV benefits", "PV costs", "NPV", "BCR"],
        [
            [
                _scenario_label(o),
                v,
                money_round(r.pv_benefits),
                money_round(r.pv_costs),
                money_round(r.npv),
                ratio_text(r.bcr),
            ]
            for (o, v), r in views.iterrows()
        ],
        [36, 26, 27, 27, 27, 16],
        "llrrrr",
        size=7,
        basis=basis,
    )
    best = inc["npv"].idxmax()
    share = d.cost_sharing(best)
    funders = d.funder_views(best)
    _heading(pdf, "Who should pay", level=1)
    _para(
        pdf,
        f"Who should pay for {_scenario_label(best)} (the option with the highest NPV): "
        f"its cost of {money_round(share.attrs['outlay'])} shared in proportion to each "
        f"agency's savings. The local partnership can cash "
        f"{money_round(funders.attrs['local_cashable'])} of them.",
        size=9,
    )
    _table(
        pdf,
        [
            "Agency",
            "Cashable saving",
            "Share",
            "Pays",
            "Its NPV",
            "All savings",
            "Share",
            "Pays",
            "Its NPV",
        ],
        [
            [
                AGENCY_LABELS[a].short,
                money_round(r.benefits_cashable),
                percent(r.share_cashable, 0),
                money_round(r.pays_cashable),
                money_round(r.npv_cashable),
                money_round(r.benefits_total),
                percent(r.share_total, 0),
                money_round(r.pays_total),
                money_round(r.npv_total),
            ]
            for a, r in share.iterrows()
        ],
        [30, 19, 12, 19, 19, 19, 12, 19, 19],
        "lrrrrrrrr",
        size=7,
        note="Left: in proportion to cashable savings (cash only); right: to all net "
        "savings (cash and capacity freed). An agency with no saving pays nothing.",
        basis=basis,
    )
    sunk = d.sunk()
    if len(sunk) and d.history is not None:
        _heading(pdf, "What is sunk", level=1)
        _table(
            pdf,
            [f"Sunk at the decision ({_scenario_label(d.history.scenario)})", "PV"],
            [[SUNK_ROWS[k], money_round(v)] for k, v in sunk.items()],
            [120, 40],
            "lr",
            size=7.5,
            basis=f"{d.price_basis}, discounted to {decided:%-d %B %Y}",
        )


def _recommendation_text(b: BoardCase) -> str:
    """The recommendation in one sentence or three, from the board's case."""
    ranked = b.options
    words = RANKING_WORDS.get(b.ranked_by, b.ranked_by)
    against = _scenario_label(b.counterfactual).lower()
    if b.recommended is None:
        best = str(ranked.index[0])
        return (
            f"Recommendation: fund none of the options. Ranked by their value to {words}, "
            f"none does better than {against} on average; the best, "
            f"{_scenario_label(best).lower()}, has an NPV of "
            f"{money_round(ranked.loc[best, 'npv'])} and a "
            f"{percent(ranked.loc[best, 'p_better'], 0)} chance of doing better."
        )
    r = ranked.loc[b.recommended]
    head = (
        f"Recommendation: fund {_scenario_label(b.recommended).lower()}. Ranked by value to "
        f"{words}, it has the largest NPV against {against}: {money_round(r['npv'])} (90% "
        f"range {money_round(r['npv_p5'])} to {money_round(r['npv_p95'])}), with a "
        f"{percent(r['p_better'], 0)} chance of doing better."
    )
    if r["npv_fiscal"] < 0:
        return (
            f"{head} For the public purse it costs more than it saves (fiscal NPV "
            f"{money_round(r['npv_fiscal'])}, BCR {ratio_text(r['bcr_fiscal'])}); the local "
            f"partnership can cash {money_round(r['local_cashable'])}."
        )
    return f"{head} Its fiscal NPV is {money_round(r['npv_fiscal'])}."


def _ask_text(b: BoardCase) -> str:
    """The ask in one paragraph: sum, years, sharing, the break clause."""
    a = b.ask
    return (
        f"The ask: {money_round(float(a['amount']))} in cash over {a['years']} years, "
        f"{a['start']:%-d %B %Y} to {a['end']:%-d %B %Y}, shared in proportion to each "
        f"agency's {SHARING_WORDS.get(b.case.cost_sharing, b.case.cost_sharing)}; "
        f"with a break clause at {a['gate']:%-d %B %Y}, after {b.case.gate_after_years} "
        f"years: {_lower_first(b.case.gate_rule)} The break clause can release about "
        f"{money_round(float(a['released']))} (the budget spread evenly over the "
        "programme's days)."
    )


def _recommendation(pdf: _Document, c: ReportContent, basis: str) -> None:
    """The recommendation the numbers support and the ask, from the board's case."""
    b = c.board
    assert b is not None
    _heading(pdf, "The recommendation and the ask", level=1)
    ranked = b.options
    words = RANKING_WORDS.get(b.ranked_by, b.ranked_by)
    text = _recommendation_text(b)
    _para(pdf, text, size=9.5, style="B")
    if b.ranked_by_rationale:
        _para(pdf, b.ranked_by_rationale, size=8.5, muted=True)
    _table(
        pdf,
        ["Option", "NPV", "90% range", "Chance better", "Fiscal NPV", "Fiscal BCR", "Cashable"],
        [
            [
                _scenario_label(str(o)),
                money_round(r.npv),
                f"{money_round(r.npv_p5)} to {money_round(r.npv_p95)}",
                percent(r.p_better, 0),
                money_round(r.npv_fiscal),
                ratio_text(r.bcr_fiscal),
                money_round(r.local_cashable),
            ]
            for o, r in ranked.iterrows()
        ],
        [36, 22, 40, 18, 22, 16, 18],
        "lrrrrrr",
        size=7,
        note=f"NPV, its range and the chance of doing better: value to {words}, each option "
        "less the counterfactual, best first. Cashable: savings the local partnership can "
        "cash.",
        basis=basis,
    )
    if b.recommended is None:
        return
    a = b.ask
    _para(pdf, _ask_text(b), size=9)
    _table(
        pdf,
        ["Agency", "Share", "Pays (cash)", "Its savings (PV)"],
        [
            [
                AGENCY_LABELS[str(k)].short,
                percent(r.share, 0),
                money_round(r.pays),
                money_round(r.benefits),
            ]
            for k, r in b.shares.iterrows()
        ],
        [50, 20, 30, 30],
        "lrrr",
        size=7.5,
        note="An agency with no saving pays nothing. Payments are cash over the years of "
        f"the programme, as budgeted ({a['amount_price_year']} budget); savings are present "
        "values.",
        basis=basis,
    )


def _register(pdf: _Document, c: ReportContent, basis: str) -> None:
    """The risk register, the management case, monitoring with its decision gate, the
    impacts not valued and who gains and loses: from the board's case."""
    b = c.board
    assert b is not None
    case = b.case
    _heading(pdf, "Risk register", level=1)
    _para(
        pdf,
        f"The assumptions nearest to changing the decision for "
        f"{_scenario_label(b.risk_option).lower()}: each one's value at which its NPV "
        "(value to society, against the counterfactual) turns, the chance the assumption "
        "is that far out (from its distribution), and the swing in NPV across its 90% range.",
        size=8.5,
    )
    _table(
        pdf,
        ["Risk", "Turns at", "Chance", "Swing", "Owner", "Mitigation"],
        [
            [
                parameter_label(str(k)),
                f"{_param_value(c, str(k), r.switching)} ({r.change * 100:+.0f}%)",
                percent(r.likelihood, 0),
                money_round(r.swing),
                r.owner,
                r.mitigation,
            ]
            for k, r in b.risks.iterrows()
        ],
        [34, 22, 14, 16, 27, 57],
        "lrrrll",
        size=7,
        basis=basis,
    )
    _heading(pdf, "Management case", level=1)
    _table(
        pdf,
        ["Part", "Arrangement"],
        [[management_label(k), v] for k, v in case.management],
        [40, 130],
        "ll",
        size=7.5,
    )
    budget = case.monitoring_budget
    _para(
        pdf,
        f"Monitoring and evaluation: owned by {_lower_first(case.monitoring_owner)}, on a "
        f"budget of {money_round(float(budget.value))} ({budget.price_year} prices, "
        f"{budget.status}). Each quarter's return gives: "
        + "; ".join(MONITORING_FIELDS.get(f, f) for f in case.indicators)
        + f". The decision gate comes {case.gate_after_years} years into the programme: "
        + _lower_first(case.gate_rule),
        size=8.5,
    )
    _heading(pdf, "Impacts not valued, and who gains and who loses", level=1)
    for line in case.not_valued:
        _para(pdf, f"Not valued: {_lower_first(line)}.", size=8.5)
    for line in case.distribution:
        _para(pdf, line, size=8.5)
    if len(b.shares):
        top = b.shares["share"].sort_values(ascending=False).head(2)
        _para(
            pdf,
            "Of the cashable savings of "
            f"{_scenario_label(str(b.ask['option'])).lower()}, the largest shares fall to: "
            + " and ".join(
                f"{AGENCY_LABELS[str(k)].long} ({percent(v, 0)})" for k, v in top.items()
            )
            + ".",
            size=8.5,
        )


def _evidence_shares(c: ReportContent) -> str:
    """One sentence: the share of the savings resting on each class of evidence."""
    shares = c.main.by_evidence_class()["share"]
    parts = [f"{percent(v, 0)} {EVIDENCE_CLASS_LABELS[k]}" for k, v in shares.items() if v == v]
    return "Of the net savings, " + "; ".join(parts) + "." if parts else ""


def _limitations(pdf: _Document, c: ReportContent) -> None:
    from . import board

    _section(pdf, SECTIONS[7])
    grade, _shares = board.confidence(c)
    _para(
        pdf,
        f"Each effect is pooled from evidence records (studies with their design, "
        f"population and the window they measured) and carries an evidence grade and a "
        f"class: measured for this programme against its own counterfactual, transferred "
        f"from another programme or population (times a transfer factor), or assumed. "
        f"{_evidence_shares(c)} The overall grade, {grade}, is the grade that carries "
        f"most of the savings (with no majority, the weaker of the two largest). Optimism "
        f"bias is taken off each outcome by its grade.",
    )
    by = board.savings_by_outcome(c)
    rows = [
        [
            r["label"],
            r["grade"],
            EVIDENCE_CLASS_SHORT[r["evidence_class"]],
            money_round(r["pv_savings_net"]),
            percent(r["share"], 0),
        ]
        for _, r in by.sort_values("pv_savings_net", ascending=False).iterrows()
    ]
    _table(
        pdf,
        ["Outcome", "Evidence grade", "Evidence", "PV net savings", "Share"],
        rows,
        [44, 26, 50, 30, 20],
        "lllrr",
        basis=_basis(c),
    )
    text = [
        "Many outcome rates and effects are assumptions with wide ranges, marked as such in "
        f"{NOTE_NAME}; the area's own activity counts should replace national shares "
        "where available.",
        "The measured effects are transferred from evaluations of other programmes (both "
        "Troubled Families phases, pooled) at a transfer factor that is itself an "
        "assumption; a police-led early intervention team may do better or worse, and its "
        "own outcome data would replace them.",
        "The headline savings are fiscal (public-sector costs avoided); the economic and "
        "social views value output and wellbeing for a few outcomes only.",
        "The outcomes cover a fraction of what a family with multiple problems costs "
        "services; the reconciliation with published per-family costs is in the "
        "library's documentation on savings.",
        "Cashable savings are the share that could be released as cash; the rest is freed "
        "capacity, worth something only if it is used.",
    ]
    for line in text:
        _para(pdf, f"• {line}", size=8.5)
    if c.main.appraisal.checks:
        _para(pdf, "Checks raised by this run", size=9.5, style="B")
        for msg in c.main.appraisal.checks:
            _para(pdf, f"• {msg}", size=8.5)


def _monitoring(pdf: _Document, c: ReportContent) -> None:
    from . import board

    _section(pdf, SECTIONS[8])
    plan = board.monitoring_plan(c)
    _para(
        pdf,
        "What to measure next, in the order of the value of information: the evidence "
        "whose absence puts the decision most at risk comes first.",
    )
    if not len(plan):
        _para(pdf, "The value of information needs more Monte Carlo draws than this run has.")
        return
    rows = [
        [r["label"], money_round(r["value_of_information"]), r["measure"], r["source"]]
        for _, r in plan.iterrows()
    ]
    _table(
        pdf,
        ["Evidence", "Value of information", "What to measure", "From where"],
        rows,
        [38, 22, 60, 54],
        "lrll",
        size=7,
        basis=_basis(c),
    )
    _para(
        pdf,
        "The team's own outcome data. For each outcome, the team records in the "
        "monitoring template (docs/monitoring-template.csv): "
        + "; ".join(MONITORING_FIELDS[k] for k in MONITORING_COLUMNS)
        + ". costmodel update then updates the effects on them (prior: the evidence "
        "used here; the comparison group's bias carried as an uncertain parameter).",
        size=8.5,
    )
    if c.sample_size and c.decision is not None:
        from .note import NOTE_SECTIONS

        _para(
            pdf,
            "What counting a given number of supported and comparison families would be "
            f"worth to the decision (the value of sample information) is in {NOTE_NAME}, "
            f"section {_number(NOTE_SECTIONS[6])}.",
            size=8.5,
            muted=True,
        )


def _glossary(pdf: _Document) -> None:
    _section(pdf, SECTIONS[9])
    terms = sorted(GLOSSARY, key=lambda g: g[0].lower())
    _table(pdf, ["Term", "Meaning"], [list(g) for g in terms], [46, 128], "ll", size=7.5)


def pdf_bytes(content: ReportContent) -> bytes:
    """The whole report as PDF bytes."""
    return bytes(_build(content).output())


def _build(content: ReportContent) -> _Document:
    """The laid-out document (its ``layout`` records what went where, for tests)."""
    from . import charts

    pdf = _document(content)
    _cover(pdf, content)
    _contents(pdf, content)
    _summary(pdf, content)
    _baseline_section(pdf, content, charts)
    _reach_section(pdf, content, charts)
    _savings_section(pdf, content, charts)
    _uncertainty_section(pdf, content, charts)
    _decision_section(pdf, content)
    _limitations(pdf, content)
    _monitoring(pdf, content)
    _glossary(pdf)
    return pdf


@accepts(out="path", xlsx="path")
def write_report(
    content: ReportContent, out: str | Path, xlsx: str | Path | None = None, force: bool = False
) -> list[Path]:
    """Write the PDF (and the workbook, if ``xlsx``) atomically; refuse to overwrite unless
    ``force``. Returns the paths written."""
    from .files import check_writable, write_files

    targets = [Path(out), *([Path(xlsx)] if xlsx else [])]
    check_writable(targets, force)
    made = report_bytes(content, workbook=bool(xlsx))
    blobs = {targets[0]: made["pdf"]}
    if xlsx:
        blobs[targets[1]] = made["xlsx"]
    return write_files(blobs, force)


def report_bytes(
    content: ReportContent,
    *,
    workbook: bool = False,
    note: bool = False,
    replications: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None,
) -> dict[str, bytes]:
    """The board paper (``"pdf"``), and the workbook (``"xlsx"``) and the technical note
    (``"note"``, with ``replications`` if given, or what a function given returns) if
    asked, as bytes. The workbook and the note are made in processes of their own while
    this one lays out the paper (:func:`~costmodel.analysis.parallel.in_background`; the
    charts' library is loaded first, for all of them); the bytes are those each function
    gives alone."""
    from contextlib import nullcontext

    from ..analysis.parallel import in_background
    from . import charts  # noqa: F401  (loaded once, before the processes part)
    from .workbook import workbook_bytes

    with (
        in_background(workbook_bytes, content) if workbook else nullcontext(None) as sheets,
        in_background(_note, content, replications) if note else nullcontext(None) as text,
    ):
        out = {"pdf": pdf_bytes(content)}
        if text is not None:
            out["note"] = text()
        if sheets is not None:
            out["xlsx"] = sheets()
    return out


def _note(
    content: ReportContent,
    replications: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None,
) -> bytes:
    """The technical note, its replications run first if a function is given for them."""
    from .note import note_bytes

    return note_bytes(content, replications() if callable(replications) else replications)


__all__ = ["SECTIONS", "pdf_bytes", "report_bytes", "write_report"]
