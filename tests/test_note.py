"""The technical note: its structure, figures that are the library's, and rendered pages
checked for readers (no "nan", no code names, contents with true page numbers, no
near-empty page inside a section, every figure within its column)."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pdfcheck
import pytest

from costmodel.params.errors import CostModelError
from costmodel.present import note
from costmodel.present.formatting import money_round, percent

pdfium = pytest.importorskip("pypdfium2")

pytestmark = [pytest.mark.end_to_end(seconds=10), pytest.mark.xdist_group("calibrated_report")]


@pytest.fixture(scope="module")
def content(calibrated_report):
    return calibrated_report


@pytest.fixture(scope="module")
def replications(content):
    return note.note_replications(content)


@pytest.fixture(scope="module")
def built(content, replications):
    pdf = note._build(content, replications)
    return pdf, bytes(pdf.output())


@pytest.fixture(scope="module")
def document(built):
    return pdfium.PdfDocument(built[1])


@pytest.fixture(scope="module")
def texts(document):
    return pdfcheck.page_texts(document)


@pytest.fixture(scope="module")
def bodies(document):
    return pdfcheck.page_texts(document, body_only=True)


def squeeze(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _section_text(built, texts, title: str) -> str:
    pdf, _ = built
    starts = sorted(pdf.layout["sections"])
    pages = [p for p, _ in starts] + [len(texts) + 1]
    i = [name for _, name in starts].index(title)
    return " ".join(texts[pages[i] - 1 : max(pages[i], pages[i + 1] - 1)])


# ------------------------------------------------------------------ rendered pages


def test_the_note_has_its_sections_in_order_and_true_contents(built, bodies):
    pdf, _ = built
    assert [name for _, name in pdf.layout["sections"]] == list(note.NOTE_SECTIONS)
    assert pdfcheck.contents_problems(bodies, note.NOTE_SECTIONS[1:]) == []
    # the contents' page numbers are where the layout started each section
    started = dict((name, page) for page, name in pdf.layout["sections"])
    assert dict(pdfcheck.contents(bodies)) == {k: v for k, v in started.items() if k != "Contents"}


def test_no_nan_and_no_code_names_on_any_page(texts):
    assert pdfcheck.nans(texts) == []
    assert pdfcheck.identifiers(texts) == []


def test_no_page_inside_a_section_is_under_a_third_full(document, bodies):
    starts = pdfcheck.section_starts(bodies)
    assert len(starts) == len(note.NOTE_SECTIONS)
    assert pdfcheck.thin_pages(document, starts) == []


def test_every_figure_fits_its_column(built, document):
    pdf, _ = built
    assert len(pdf.layout["charts"]) >= 1
    assert pdfcheck.images_outside(document) == []
    assert pdfcheck.text_outside(document) == []
    for t in pdf.layout["tables"]:
        for cell in t["figures"]:
            assert cell["needed"] <= cell["available"] + 1e-6, (t["header"][:2], cell)


def test_the_title_page_names_the_run(content, texts):
    import costmodel

    page = " ".join(texts[0].split())
    for words in (
        "TECHNICAL NOTE",
        "Northamptonshire",
        "Calibrated",
        "Price year 2018/19",
        "Discount base 1 February 2019",
        "Date 24 November 2026",
        f"costmodel {costmodel.__version__}",
        content.fingerprint,
    ):
        assert words in page, words


# ------------------------------------------------------------------ the checks themselves


def test_the_checks_find_what_they_look_for():
    pages = [
        "Reported counts are the team.observed parameters (annual_report_2020_21).",
        "See https://www.gov.uk/a_b/c.d, e.g. the note.pdf, legislation.gov.uk, a@b.org",
        "Value nan and NaN; a nanny is fine",
    ]
    assert pdfcheck.identifiers(pages) == [(1, "team.observed"), (1, "annual_report_2020_21")]
    assert [p for p, _ in pdfcheck.nans(pages)] == [3, 3]
    bodies = ["Cover", "Contents\n1. One 3\n2. Two 4", "1. One\ntext", "2. Two"]
    assert pdfcheck.contents(bodies) == [("1. One", 3), ("2. Two", 4)]
    assert pdfcheck.contents_problems(bodies) == []
    wrong = ["Cover", "Contents\n1. One 4\n2. Two 3", "1. One", "2. Two"]
    problems = pdfcheck.contents_problems(wrong, ["1. One", "3. Three"])
    assert "'3. Three' missing from the contents" in problems
    assert any("out of order" in p for p in problems)
    assert any("'1. One': no heading on page 4" in p for p in problems)


def test_thin_pages_and_images_beyond_the_margin_are_found(tmp_path):
    from fpdf import FPDF
    from PIL import Image

    png = tmp_path / "x.png"
    Image.new("RGB", (20, 10), "black").save(png)
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_margins(18, 18)
    pdf.set_font("helvetica", size=10)
    for lines in (60, 3, 60):  # the middle page is under a third full
        pdf.add_page()
        pdf.set_y(18)
        for _ in range(lines):
            pdf.cell(100, 4, "text", new_x="LMARGIN", new_y="NEXT")
    pdf.image(str(png), x=150, y=40, w=50)  # runs 200 mm across: past the margin
    pdf.set_xy(195, 60)
    pdf.cell(20, 4, "Beyond")  # set from where a cursor was left: off the page
    doc = pdfium.PdfDocument(bytes(pdf.output()))
    assert pdfcheck.thin_pages(doc, [1]) == [2]
    assert pdfcheck.thin_pages(doc, [1, 3]) == []  # the last page of a section may be short
    assert 0.9 < pdfcheck.fill(doc[0]) <= 1 and pdfcheck.fill(doc[1]) < 0.1
    outside = pdfcheck.images_outside(doc)
    assert len(outside) == 1 and outside[0].startswith("page 3")
    assert pdfcheck.text_outside(doc) == ["page 3: 'Beyond'"]


# ------------------------------------------------------------------ the figures


def test_pooled_effects_are_dersimonian_laird_by_hand(content, built, texts):
    rows = {r["outcome"]: r for r in note.effect_rows(content)}
    care = rows["child_enters_care"]
    recs = care["pooled"].records
    y = np.array([r.effect for r in recs])
    v = np.array([r.se for r in recs]) ** 2
    w = 1 / v
    mean_fixed = (w * y).sum() / w.sum()
    q = (w * (y - mean_fixed) ** 2).sum()
    tau2 = max(0.0, (q - (len(y) - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    wr = 1 / (v + tau2)
    mean = (wr * y).sum() / wr.sum()
    se = math.sqrt(1 / wr.sum())
    assert care["pooled"].mean == pytest.approx(mean)
    assert care["pooled"].tau2 == pytest.approx(tau2)
    assert care["effect"] == pytest.approx(mean, abs=1e-6)  # the parameter the model uses
    spread = math.sqrt(se**2 + tau2)
    text = " ".join(_section_text(built, texts, note.NOTE_SECTIONS[2]).split())
    assert f"{percent(mean, 0)} ± {percent(spread, 0)}" in text
    assert care["class"] == "transferred" and "Transfer factor" in text
    # an effect resting on expert assumption alone is labelled assumed
    assumed = [o for o, r in rows.items() if r["class"] == "assumed"]
    assert assumed
    assert "A child mental health (CAMHS) case: assumed effect" in text


def test_replications_print_the_published_and_rebuilt_ratios(replications, built, texts):
    text = " ".join(_section_text(built, texts, note.NOTE_SECTIONS[3]).split())
    assert set(replications) == {"troubled_families_phase1", "troubled_families_phase2"}
    for rep in replications.values():
        assert rep.projection.draws == note.REPLICATION_DRAWS
        for view, r in rep.table.iterrows():
            row = (
                f"{view.capitalize()} {r['published']:.2f} {r['modelled']:.2f} "
                f"{r['p5']:.2f} – {r['p95']:.2f} {'yes' if r['within'] else 'no'}"
            ).replace("-", "−")
            assert row in text, row
            assert r["within"] == (r["p5"] <= r["published"] <= r["p95"])


def test_every_parameter_is_listed_by_its_label_with_its_source(content, built, texts):
    text = _section_text(built, texts, note.NOTE_SECTIONS[4])
    flat = squeeze(text)
    rows, sources = note.parameter_rows(content)
    assert len(rows) == len(content.parameters)
    missing = [r["label"] for r in rows if squeeze(r["label"]) not in flat]
    assert not missing, missing[:5]
    assert "savings.outcomes.child_enters_care.cost" not in text
    assert "Careentry:costperoccurrence£51,080" in flat
    factor = content.deflators.factor("2013/14", content.price_year)
    assert squeeze(f"{money_round(51080 * factor)} in {content.price_year}") in flat
    refs = " ".join(_section_text(built, texts, "References").split())
    assert len(sources) == len({(note.citation(s), s.url) for s in sources})
    assert f"[{len(sources)}] {note.citation(sources[-1])}"[:60] in refs
    for status in ("published", "derived", "assumed"):
        assert status in text


def test_values_read_as_words():
    assert note.value_text({"police": 0.5, "nhs": 0.5}, "proportion") == "Police 50%; NHS 50%"
    assert note.value_text(float("nan"), "GBP") == "–"
    assert note.value_text(-1234.5, "GBP") == "(£1,234)"
    assert note.value_text(dt.date(2019, 2, 1), "date") == "1 February 2019"
    assert note.value_text(0.125, "relative_reduction") == "12.5%"
    long = {f"{2000 + i}/{i + 1:02d}": 80.0 + i for i in range(10)}
    assert note.value_text(long, "index") == "10 values, 2000/01 80 to 2009/10 89"
    assert note.distribution_words(None) == "–"
    assert note.distribution_words({"type": "gamma", "cv": 0.2}, "GBP") == "gamma, cv 0.2"
    assert note.distribution_words({"type": "uniform", "low": 0.1, "high": 0.5}, "proportion") == (
        "uniform, low 10%, high 50%"
    )
    assert note.plain("reported (annual_report_2020_21)") == "reported (annual report 2020/21)"
    url = "https://www.gov.uk/government/publications/" + "a-long-name-" * 20 + "end"
    lines = note.break_url(url, 60).splitlines()
    assert "".join(lines) == url and all(line.endswith("/") for line in lines[:-1])


def test_value_of_information_and_sensitivity_are_the_runs(content, built, texts):
    voi = " ".join(_section_text(built, texts, note.NOTE_SECTIONS[6]).split())
    v = content.value_of_information
    assert money_round(v["value_of_information"].iloc[0]) in voi
    sens = " ".join(_section_text(built, texts, note.NOTE_SECTIONS[5]).split())
    top = content.tornado.sort_values("swing").iloc[-1]
    assert money_round(top["npv_low"]) in sens and money_round(top["npv_high"]) in sens


def test_the_decisions_options_and_the_teams_spend_are_in_the_note(content, built, texts):
    """What the board paper points to: each option less the counterfactual, from each
    perspective, who should pay and what is sunk (section 8), and the team's spend by
    financial year (in the methods)."""
    from costmodel.present.labels import SUNK_ROWS

    d = content.decision
    text = " ".join(_section_text(built, texts, note.NOTE_SECTIONS[8]).split())
    inc, views = d.incremental(), d.perspectives()
    for option in d.options:
        assert money_round(inc.loc[option, "npv"]) in text, option
        assert money_round(views.loc[(option, "social"), "npv"]) in text, option
    best = inc["npv"].idxmax()
    for agency, r in d.cost_sharing(best).iterrows():
        assert money_round(r.pays_total) in text, agency
    for key, value in d.sunk().items():
        assert f"{SUNK_ROWS[key]} {money_round(value)}" in text, key
    methods = " ".join(_section_text(built, texts, note.NOTE_SECTIONS[1]).split())
    budget = content.budget_by_financial_year()
    total = budget.loc["Total"]
    assert f"Total {money_round(total['spend_real'])} {money_round(total['spend_cash'])}" in methods


def test_each_options_net_benefit_year_by_year_adds_up_to_its_npv(content, built, texts):
    d = content.decision
    text = " ".join(_section_text(built, texts, note.NOTE_SECTIONS[8]).split())
    inc = d.incremental()
    tables = {o: content.option_cash_flows(o, against_counterfactual=True) for o in d.options}
    for year in next(iter(tables.values())).index[:-1]:
        figures = (money_round(t.loc[year, "net_benefit_discounted"]) for t in tables.values())
        row = " ".join([str(year), *figures])
        assert row in text, row
    for o, t in tables.items():
        assert t.loc["Total", "net_benefit_discounted"] == pytest.approx(inc.loc[o, "npv"])
    total = " ".join(money_round(inc.loc[o, "npv"]) for o in d.options)
    assert f"Total: the incremental NPV {total}" in text


# ------------------------------------------------------------------ writing


def test_the_note_is_written_atomically_and_not_over_a_file(content, replications, tmp_path):
    path = tmp_path / "n.pdf"
    assert note.write_technical_note(content, path, replications=replications) == path
    assert path.read_bytes().startswith(b"%PDF")
    with pytest.raises(CostModelError, match="already exists"):
        note.write_technical_note(content, path, replications=replications)
    assert [p.name for p in tmp_path.iterdir()] == ["n.pdf"]  # no .part left behind


# ------------------------------------------------------------------ the board paper


@pytest.fixture(scope="module")
def board(content):
    from costmodel.present.pdf import pdf_bytes

    doc = pdfium.PdfDocument(pdf_bytes(content))
    return doc, pdfcheck.page_texts(doc), pdfcheck.page_texts(doc, body_only=True)


def test_the_board_paper_passes_the_same_layout_checks(board):
    from costmodel.present.pdf import SECTIONS

    doc, texts, bodies = board
    assert pdfcheck.nans(texts) == []
    assert pdfcheck.contents_problems(bodies, SECTIONS[1:]) == []
    assert pdfcheck.thin_pages(doc, pdfcheck.section_starts(bodies)) == []
    assert pdfcheck.images_outside(doc) == []
    assert pdfcheck.text_outside(doc) == []
    assert "Technical annex" not in " ".join(texts)
    assert "technical note" in " ".join(" ".join(texts).split())


def test_the_board_paper_prints_no_code_names(board):
    _, texts, _ = board
    assert pdfcheck.identifiers(texts) == []
