"""The report as a board paper: structure, an executive summary whose figures are the
library's, and a layout checked on rendered pages (no wrapped figures, no near-empty
pages inside a section, a price base on every table and chart of money)."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from conftest import REPORT_DRAWS as DRAWS
from conftest import REPORT_SEED as SEED

import costmodel
from costmodel.analysis import report
from costmodel.analysis.report import appraisal_year_labels
from costmodel.model.projection import project
from costmodel.params.scenarios import apply_scenario
from costmodel.present import board
from costmodel.present.formatting import money_round, percent

pdfium = pytest.importorskip("pypdfium2")

pytestmark = [pytest.mark.end_to_end(seconds=25), pytest.mark.xdist_group("calibrated_report")]


@pytest.fixture(scope="module")
def content(calibrated_report):
    return calibrated_report


@pytest.fixture(scope="module")
def built(content):
    from costmodel.present.pdf import _build

    pdf = _build(content)
    return pdf, bytes(pdf.output())


@pytest.fixture(scope="module")
def document(built):
    return pdfium.PdfDocument(built[1])


@pytest.fixture(scope="module")
def pages_text(document):
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def test_the_paper_has_the_board_structure_in_order(built, pages_text):
    from costmodel.present.pdf import SECTIONS

    pdf, _ = built
    started = [name for _, name in pdf.layout["sections"]]
    assert started == list(SECTIONS)
    pages = [page for page, _ in pdf.layout["sections"]]
    assert pages == sorted(pages)
    # the contents, on the cover, list every section with the page it starts on
    assert pdf.layout["sections"][0] == (1, "Contents")
    contents = pages_text[0]
    for page, name in pdf.layout["sections"][1:]:
        assert re.search(re.escape(name) + r"\s*" + str(page) + r"\b", contents), name


#: The longest the calibrated Northamptonshire paper may be, in pages (the cover with the
#: contents, a one-page summary, sections 1 to 7 and the glossary).
MOST_PAGES = 12


def test_the_paper_is_at_most_twelve_pages_with_a_one_page_summary(built, document):
    pdf, _ = built
    assert len(document) <= MOST_PAGES
    starts = {name: page for page, name in pdf.layout["sections"]}
    assert starts["Executive summary"] == 2
    assert starts["1. The cost of late intervention"] == 3  # the summary fills one page
    assert starts["5. The decision: what comes next"] > starts["4. Uncertainty and sensitivity"]


def test_the_paper_keeps_what_a_board_needs(content, built, pages_text):
    """The recommendation and the ask, the register, the management case, monitoring with
    its owner, budget, indicators and gate, the impacts not valued, who gains and who
    loses, and the glossary: each in the paper, after the summary."""
    from costmodel.present.labels import GLOSSARY, MONITORING_FIELDS

    pdf, _ = built
    summary = dict((name, p) for p, name in pdf.layout["sections"])["Executive summary"]
    text = " ".join(" ".join(pages_text[summary:]).split())
    b = content.board
    case = b.case
    for words in (
        "The recommendation and the ask",
        "Recommendation: fund successor do minimum.",
        f"The ask: {money_round(float(b.ask['amount']))} in cash over {b.ask['years']} years",
        f"with a break clause at {b.ask['gate']:%-d %B %Y}",
        "Risk register",
        "Management case",
        "Senior responsible owner",
        f"Monitoring and evaluation: owned by {case.monitoring_owner[:1].lower()}",
        f"on a budget of {money_round(float(case.monitoring_budget.value))}",
        f"The decision gate comes {case.gate_after_years} years into the programme",
        "Impacts not valued, and who gains and who loses",
        "7. Monitoring and evaluation plan",
    ):
        assert words in text, words
    for field in case.indicators:
        assert " ".join(MONITORING_FIELDS[field].split()) in text, field
    for risk, r in b.risks.iterrows():  # cells wrap: their first words
        assert r.owner.split()[0] in text and " ".join(r.mitigation.split()[:3]) in text, risk
    for line in (*case.not_valued, *case.distribution):
        assert " ".join(line.split())[1:] in text, line
    for term, _ in GLOSSARY:
        assert term in text, term


def test_the_options_detail_is_in_the_technical_note_not_the_paper(pages_text):
    text = " ".join(" ".join(pages_text).split())
    for moved in (
        "Extra present value of costs",  # each option less the counterfactual
        "Each option from each perspective",
        "All savings",  # who should pay, by all savings
        "Sunk at the decision",
        "Financial year (April–March)",  # the team's spend by financial year
    ):
        assert moved not in text, moved
    assert "in the technical note that accompanies this paper, section 8" in text


def test_the_cover_says_the_run_is_an_evaluation_after_the_event(pages_text):
    assert "EVALUATION AFTER THE EVENT (EX POST)" in pages_text[0]
    assert "1 February 2019 to" in pages_text[0]


def test_stance_follows_the_dates(content):
    import dataclasses

    assert board.stance(content).kind == "ex_post"
    before = dataclasses.replace(content, created=dt.date(2018, 6, 1))
    assert board.stance(before).kind == "ex_ante"
    during = dataclasses.replace(content, created=dt.date(2020, 6, 1))
    assert board.stance(during).kind == "in_flight"
    assert board.stance(content, "ex_ante").kind == "ex_ante"


def _summary_text(built, pages_text) -> str:
    pdf, _ = built
    page = dict((name, p) for p, name in pdf.layout["sections"])["Executive summary"]
    return pages_text[page - 1]


def test_executive_summary_figures_are_the_librarys_for_the_same_seed(
    params, content, built, pages_text
):
    text = _summary_text(built, pages_text)
    base = dt.date(2019, 2, 1)
    p = project(params, "calibrated", draws=DRAWS, seed=SEED, base_date=base)
    npv, bcr = p.headlines().loc[["npv", "bcr"], "estimate"]
    assert money_round(npv) in text
    assert f"£{bcr:.2f} of savings for each £1 spent" in text
    assert percent(p.p_npv_positive, 0) in text
    views = p.perspectives()
    for view in ("economic", "social", "funder"):
        assert money_round(views.loc[view, "npv"]) in text
        assert f"{views.loc[view, 'bcr']:.2f}" in text
    # the decision's options: each one's NPV on the ranking perspective less stopping's,
    # from the options' own projections, and the ask's budget from the option's file
    b, d = content.board, content.decision
    persp = d.perspectives()
    for option in d.options:
        assert money_round(persp.loc[(option, b.ranked_by), "npv"]) in text, option
        assert money_round(d.incremental().loc[option, "npv"]) in text, option
    if b.recommended is not None:
        budget = apply_scenario(params, b.recommended)["team.budget.total"].value
        assert f"The ask: {money_round(budget)} in cash" in " ".join(text.split())
    assert "discounted to 1 February 2019" in text


def test_who_pays_and_saves_adds_up(content):
    w = board.who_pays_and_saves(content)
    periods = [c for c in w.columns if c not in ("Total", "Present value")]
    np.testing.assert_allclose(w[periods].sum(axis=1), w["Total"], rtol=1e-9)
    m = content.main.mean_flows()
    assert w.loc["Costs of the programme", "Total"] == pytest.approx(m["costs"].sum())
    cash = content.by_agency()["cashable"]
    for agency, value in cash.items():
        label = f"Cashable saving: {costmodel.AGENCIES[agency]}"
        assert w.loc[label, "Present value"] == pytest.approx(value, rel=1e-9, abs=1e-6)


def test_confidence_grade_follows_the_savings_on_each_grade(content):
    grade, shares = board.confidence(content)
    assert shares.sum() == pytest.approx(1.0)
    by = board.savings_by_outcome(content)
    assert shares["medium"] == pytest.approx(by.loc[by["grade"] == "medium", "share"].sum())
    if shares.max() > report.MAJORITY:
        assert grade == shares.idxmax()


def test_key_risks_are_switching_values_in_words(content):
    risks = board.key_risks(content)
    assert 1 <= len(risks) <= 3
    subjects = {".".join(path.split(".")[:3]) for path, *_ in risks}
    assert len(subjects) == len(risks)  # one risk per outcome or parameter
    changes = [abs(change) for _, change, _, _ in risks]
    assert changes == sorted(changes)
    _, change, central, switching = risks[0]
    assert switching == pytest.approx(central * (1 + change), rel=1e-6)


def test_every_table_and_chart_of_money_states_its_price_base(built, pages_text):
    pdf, _ = built
    tables = [t for t in pdf.layout["tables"] if t["money"]]
    assert len(tables) > 10
    for t in tables:
        assert t["basis"] and "prices" in t["basis"], t["header"][:3]
        first = t["pages"][1] - 1  # the note follows the table
        note = re.sub(r"\s+", " ", pages_text[first])
        assert re.sub(r"\s+", " ", f"Money: {t['basis']}")[:40] in note, t["header"][:3]
    for chart in pdf.layout["charts"]:
        if chart["basis"]:
            assert "prices" in chart["basis"]
    assert sum(1 for chart in pdf.layout["charts"] if chart["basis"]) >= 5


def test_no_figure_wraps_in_any_table(built, pages_text):
    """Every figure in a table fits its column, and reads whole in the page's text."""
    pdf, _ = built
    checked = 0
    for t in pdf.layout["tables"]:
        for cell in t["figures"]:
            assert cell["needed"] <= cell["available"] + 1e-6, (t["header"][:2], cell)
        first, last = t["pages"]
        text = " ".join(re.sub(r"[ \t]+", " ", pages_text[i - 1]) for i in range(first, last + 1))
        for cell in t["figures"]:
            if "£" in cell["text"] and " " not in cell["text"]:
                assert cell["text"] in text, cell["text"]
                checked += 1
    assert checked > 50


def _ink_fraction(page) -> float:
    """How far down the page its content reaches (above the footer), 0 to 1."""
    rgb = page.render(scale=0.4).to_numpy()
    height = rgb.shape[0]
    top, bottom = int(height * 18 / 297), int(height * (297 - 16) / 297)
    body = rgb[top:bottom].min(axis=2) < 235
    rows = np.flatnonzero(body.any(axis=1))
    return 0.0 if not len(rows) else (rows[-1] + 1) / (bottom - top)


def test_no_page_is_less_than_a_third_full_inside_a_section(built, document):
    pdf, _ = built
    starts = sorted(page for page, _ in pdf.layout["sections"])
    section_ends = {page - 1 for page in starts} | {len(document)}
    thin = [
        i + 1
        for i in range(len(document))
        if i + 1 not in section_ends and _ink_fraction(document[i]) < 1 / 3
    ]
    assert not thin, f"pages less than a third full: {thin}"


def test_appraisal_years_are_labelled_by_their_months_and_budgets_by_financial_year(content):
    assert appraisal_year_labels(dt.date(2019, 2, 1), 2) == [
        "Feb 2019 – Jan 2020",
        "Feb 2020 – Jan 2021",
    ]
    assert appraisal_year_labels(dt.date(2015, 4, 1), 1) == ["2015/16"]
    flows = content.cash_flows()
    assert flows.index[0] == "Feb 2019 – Jan 2020"
    budget = content.budget_by_financial_year()
    assert list(budget.index[:2]) == ["2018/19", "2019/20"]
    sim = content.main.simulation
    total = sim.quarterly["spend"].mean(axis=0).sum()
    assert budget.loc["Total", "spend_real"] == pytest.approx(total)
    # February and March 2019 are two of the first quarter's three months or so
    first_quarter = sim.quarterly["spend"].mean(axis=0)[0]
    assert budget.loc["2018/19", "spend_real"] == pytest.approx(first_quarter * 59 / 91)


def test_the_annex_groups_parameters_by_topic_with_one_reference_list(content):
    rows, refs = board.annex(content)
    assert len(rows) == len(content.parameters)
    assert len(refs) == len(set(refs)) < len(rows)
    numbers = {int(str(r).split(",")[0]) for r in rows["reference"]}
    assert numbers == set(range(1, len(refs) + 1))
    # money rebased to the report's price year beside the source's
    care = rows.set_index("path").loc["savings.outcomes.child_enters_care.cost"]
    factor = content.deflators.factor("2013/14", content.price_year)
    assert care["rebased"] == pytest.approx(51080 * factor)
    # the parameters are printed in the technical note (tests/test_note.py)


def test_money_is_rounded_to_three_significant_figures():
    assert money_round(1_438_354) == "£1.44m"
    assert money_round(12_345_678) == "£12.3m"
    assert money_round(199_400_000) == "£199m"
    assert money_round(945_610) == "£946k"
    assert money_round(-34_070) == "(£34.1k)"
    assert money_round(9_968) == "£9,970"
    assert money_round(999_960) == "£1.00m"
    assert money_round(99_960) == "£100k"
    assert money_round(62.4) == "£62"
    assert money_round(-0.2) == "£0"


#: A figure as the paper prints it: money (rounded, negatives in brackets), a share, a ratio.
MONEY = re.compile(r"\(£[\d,]+(?:\.\d+)?[mk]?\)|£[\d,]+(?:\.\d+)?[mk]?")
SHARE = re.compile(r"(?<![\d.])\d{1,3}%")
RATIO = re.compile(r"(?<![\d.£,])\d+\.\d\d(?![\d%mk])")


def test_every_figure_of_the_summary_is_in_the_workbook(content, built, pages_text):
    """Consistency by construction: each money figure, share and ratio printed in the
    executive summary is, under the one rounding rule, a number in some workbook cell."""
    from costmodel.present.workbook import workbook_tables

    text = " ".join(_summary_text(built, pages_text).split())
    text = text.split("costmodel 0.2")[0]  # not the footer
    text = re.sub(r"£(\d+\.\d\d) of savings", r"\1 of savings", text)  # a ratio in words
    numbers: list[float] = []
    for name, frame in workbook_tables(content).items():
        if "by draw" in name:  # thousands of draws would match anything by chance
            continue
        for column in frame.columns:
            values = frame[column].to_numpy()
            numbers += [float(v) for v in values if isinstance(v, (int, float, np.number))]
    numbers = [v for v in numbers if np.isfinite(v)]
    money_forms = {money_round(v) for v in numbers}
    share_forms = {percent(v, 0) for v in numbers if -1.5 <= v <= 1.5}
    ratio_forms = {f"{v:.2f}" for v in numbers}
    missing = [m for m in MONEY.findall(text) if m not in money_forms]
    missing += [s for s in SHARE.findall(text) if s not in share_forms]
    missing += [r for r in RATIO.findall(text) if r not in ratio_forms]
    assert len(MONEY.findall(text)) > 20
    assert not missing, missing


def test_the_summarys_evidence_shares_are_in_the_workbook_by_meaning(content, built, pages_text):
    """The shares of the savings on each grade and class of evidence, as the summary
    words them, are the rows of the workbook's Savings by evidence sheet (not just some
    cell that rounds to the same percentage); each block adds to the whole."""
    from costmodel.present.labels import EVIDENCE_CLASS_LABELS
    from costmodel.present.workbook import workbook_tables

    text = " ".join(_summary_text(built, pages_text).split())
    sheet = workbook_tables(content)["Savings by evidence"]
    share = sheet["Share of net savings (%)"]
    grade, _shares = content.confidence()
    for g in ("high", "medium", "low"):
        row = f"Grade: {g}" + (" (the overall grade)" if g == grade else "")
        words = f"{percent(share[row], 0)} " + (
            "of the savings rest on high-grade evidence" if g == "high" else f"on {g}"
        )
        assert words in text, words
    for label in EVIDENCE_CLASS_LABELS.values():
        assert f"Class: {label}" in share.index
    grades = [i for i in share.index if i.startswith("Grade: ")]
    classes = [i for i in share.index if i.startswith("Class: ")]
    assert share[grades].sum() == pytest.approx(1.0)
    assert share[classes].sum() == pytest.approx(1.0)
    pv = sheet.iloc[:, 0]
    total = content.main.headlines().loc["pv_savings_net", "estimate"]
    assert pv[grades].sum() == pytest.approx(total, rel=1e-9)
    assert pv[classes].sum() == pytest.approx(total, rel=1e-9)


def test_the_results_hold_the_numbers_the_board_paper_words(content):
    # savings by outcome add to the headline PV of net savings
    by = content.savings_by_outcome()
    pv = content.main.headlines().loc["pv_savings_net", "estimate"]
    assert by["pv_savings_net"].sum() == pytest.approx(pv, rel=1e-9)
    assert by["share"].sum() == pytest.approx(1.0)
    # who pays: keys in the results, words in the board paper, the same numbers
    keyed = content.who_pays_and_saves()
    assert keyed.index[0] == "costs" and "cashable_police" in keyed.index
    worded = board.who_pays_and_saves(content)
    np.testing.assert_array_equal(keyed.to_numpy(), worded.to_numpy())
    m = content.main.mean_flows()
    f = content.main.appraisal.discount_factors
    assert keyed.loc["costs", "Present value"] == pytest.approx(f @ (m["costs"] - m["income"]))
    # NPV per family for every compared scenario, as each projection gives it
    per = content.npv_per_family()
    assert list(per.index) == list(content.compared)
    for name in content.compared:
        assert tuple(per.loc[name, ["mean", "p5", "p95"]]) == content.projections[
            name
        ].npv_per_family(5, 95)


def test_the_words_add_labels_to_the_results_numbers(content):
    from costmodel.present import content as shown
    from costmodel.present.labels import BASIS_LABELS, INDICATORS

    keyed, worded = content.headline(), shown.headline(content)
    assert list(worded["label"]) == [INDICATORS[k].long for k in keyed.index]
    assert list(worded["basis"]) == [BASIS_LABELS[b] for b in keyed["basis"]]
    np.testing.assert_array_equal(worded["estimate"], keyed["estimate"])
    assert shown.area_name(content) == "Northamptonshire"


def test_money_parameters_are_rebased_to_the_reports_prices_and_others_kept(content):
    path = "savings.outcomes.child_enters_care.cost"
    factor = content.deflators.factor("2013/14", content.price_year)
    assert content.in_report_prices(path, 51080.0) == pytest.approx(51080.0 * factor)
    assert content.rebased()[path] == pytest.approx(51080.0 * factor)
    assert content.in_report_prices("team.programme.duration", 3.0) == 3.0
