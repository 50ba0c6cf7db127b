"""Any area: an area is a folder of its own on top of the national defaults; a new one
starts from a template that validation refuses until it is filled in; counts follow the
area; and no output shows one area's parameters under another's name."""

from __future__ import annotations

import json
import re
import shutil

import pytest

import costmodel
from costmodel.cli import main
from costmodel.params.errors import ParameterError
from costmodel.params.store import area_folders, default_root
from costmodel.present.pdf import SECTIONS

pdfium = pytest.importorskip("pypdfium2")
import pdfcheck  # noqa: E402

pytestmark = pytest.mark.end_to_end(seconds=45)

#: What a user writes in place of each TODO of the template (value, then source).
FILLED = {
    "area.yaml": [
        ("value: TODO  # a number of people", "value: 500000"),
        ("value: TODO  # pounds a year, e.g. 199_000_000", "value: 140_000_000"),
        ("value: TODO  # a proportion, e.g. 0.0146", "value: 0.0092"),
        ("method: TODO  # how it was worked out", "method: 110,000 children over 12 million"),
    ],
    "programme.yaml": [
        ("value: TODO  # a date, e.g. 2019-04-01", "value: 2020-04-01"),
        ("value: TODO  # years, e.g. 3", "value: 3"),
        ("value: TODO  # a number of families", "value: 900"),
        ("value: TODO  # pounds per family", "value: 3000"),
        ("price_year: TODO  # e.g. 2019/20", "price_year: 2019/20"),
    ],
}


@pytest.fixture()
def folder(tmp_path):
    root = tmp_path / "parameters"
    shutil.copytree(default_root(), root)
    return root


def fill(path, pairs):
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    text = text.replace("{title: TODO, url: TODO}", "{title: Test county figures, url: x}")
    path.write_text(text, encoding="utf-8")


def test_the_shipped_areas_are_folders_and_load_one_at_a_time():
    assert area_folders(default_root()) == ["northamptonshire", "staffordshire"]
    n = costmodel.load()
    s = costmodel.load("staffordshire")
    assert n.area == "northamptonshire" and s.area == "staffordshire"
    assert not any(k.startswith("areas.northamptonshire") for k in s)
    assert not any(k.startswith("team.") for k in s)  # the county has no team
    assert s["areas.staffordshire.late_intervention.total"].area == "staffordshire"
    assert s["prices.discounting.standard"].area is None  # national, shared
    assert n["team.budget.total"].area == "northamptonshire"


def test_counts_follow_the_area(params):
    s = costmodel.load("staffordshire")
    bn = costmodel.baseline(params).bottom_up.set_index("item")
    bs = costmodel.baseline(s).bottom_up.set_index("item")
    national = params["areas.england_and_wales.activity.children_looked_after"].value
    for b, p, area in ((bn, params, "northamptonshire"), (bs, s, "staffordshire")):
        share = p[f"areas.{area}.activity.child_population_share"].value
        assert b.loc["children_looked_after", "count"] == pytest.approx(national * share)
    assert bs.loc["children_looked_after", "count"] > bn.loc["children_looked_after", "count"]
    # the total differs as published, and per person too
    assert costmodel.baseline(s).total != costmodel.baseline(params).total


def test_the_second_area_appraises_its_own_programme(params):
    s = costmodel.load("staffordshire")
    p = costmodel.project(s, "central", draws=200, seed=1)
    assert [f.name for f in p.programmes] == ["building_resilient_families"]
    assert p.families_started.mean() == pytest.approx(1132)
    n = costmodel.project(params, "troubled_families_phase2", draws=200, seed=1)
    # a smaller programme than Northamptonshire's phase 2, at the same cost per family
    assert p.appraisal.pv_costs.mean() < n.appraisal.pv_costs.mean()


def test_new_area_is_refused_until_filled_then_runs_every_command(folder, capsys, tmp_path):
    root = ["--parameters", str(folder)]
    assert main([*root, "new-area", "test_shire"]) == 0
    capsys.readouterr()
    area = folder / "areas" / "test_shire"
    # validation refuses the template, a line per TODO naming file and line
    assert main([*root, "validate"]) == 1
    err = capsys.readouterr().err.splitlines()
    todo = [line for line in err if "still to fill in" in line]
    assert len(todo) >= 9
    assert all(re.match(rf"{re.escape(str(area))}/.+\.yaml:\d+: ", line) for line in todo)
    assert main([*root, "new-area", "test_shire"]) == 1  # never over an existing one
    assert "already exists" in capsys.readouterr().err
    fill(area / "area.yaml", FILLED["area.yaml"])
    fill(area / "programmes" / "test_shire_programme.yaml", FILLED["programme.yaml"])
    assert main([*root, "validate"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    here = [*root]
    assert main([*here, "baseline", "--area", "test_shire", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == pytest.approx(140_000_000) and out["area"] == "test_shire"
    # no team: reach says so in one line
    assert main([*here, "reach", "--area", "test_shire"]) == 1
    assert "has no team" in capsys.readouterr().err
    for command in (
        ["project", "--area", "test_shire", "--scenario", "central", "--draws", "200"],
        ["compare", "central", "--area", "test_shire", "--draws", "100"],
        ["scenarios", "--area", "test_shire"],
    ):
        assert main([*here, *command]) == 0, command
        text = capsys.readouterr().out
        assert "orthamptonshire" not in text, command
    pdf = tmp_path / "t.pdf"
    args = ["report", "--area", "test_shire", "--scenario", "central", "--draws", "150"]
    args += ["--sensitivity-runs", "30"]
    assert main([*here, *args, "--quiet", "--out", str(pdf)]) == 0
    # without --note the technical note is written beside the PDF
    assert (tmp_path / "t-technical-note.pdf").read_bytes().startswith(b"%PDF")
    doc = pdfium.PdfDocument(str(pdf))
    text = " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "Test Shire" in text
    # Northamptonshire appears only in the reference of a national method parameter
    # derived from its published figures, never as a parameter of this area
    body = text.split("References")[0]
    assert "orthamptonshire" not in body
    assert "areas.northamptonshire" not in text


#: What a user fills in of an area whose total was derived (population given).
FILLED_DERIVED = [
    ("value: TODO  # a proportion, e.g. 0.0146", "value: 0.0092"),
    ("method: TODO  # how it was worked out", "method: 110,000 children over 12 million"),
]
#: Northamptonshire's reported counts (team.observed): never another area's.
LENDER_COUNTS = ("830", "1,541", "1541")


def _pdf_text(path) -> list[str]:
    doc = pdfium.PdfDocument(str(path))
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def test_a_derived_total_and_a_borrowed_team_say_what_they_are(folder, capsys, tmp_path):
    """A derived total is never called published; values the analyst changed in a
    borrowed team are the area's own, the rest borrowed; no reported count of the lender
    reaches any output."""
    import openpyxl
    import yaml

    root = ["--parameters", str(folder)]
    new = ["new-area", "test_shire", "--team-from", "northamptonshire", "--population"]
    assert main([*root, *new, "500000", "--derive-total"]) == 0
    capsys.readouterr()
    area = folder / "areas" / "test_shire"
    assert not (area / "programmes").exists()  # the team is what is appraised
    fill(area / "area.yaml", FILLED_DERIVED)
    team = area / "team.yaml"
    assert "\n  observed:" not in team.read_text(encoding="utf-8")
    data = yaml.safe_load(team.read_text(encoding="utf-8"))
    t = data["parameters"]
    t["budget"]["total"]["value"] = 300_000  # three borrowed values edited
    t["direct_work"]["caseload"]["value"] = 10
    t["referrals"]["eligible_and_consenting"]["value"] = 0.7
    team.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert main([*root, "validate"]) == 0, capsys.readouterr().err

    p = costmodel.load("test_shire", root=folder)
    edited = ("team.budget.total", "team.direct_work.caseload")
    edited += ("team.referrals.eligible_and_consenting",)
    for path in edited:
        assert p.lender(path) is None and p.provenance(path)["status"] != "borrowed", path
    for path in ("team.staff.posts", "team.staff.on_cost_rate"):
        assert p.lender(path) == "northamptonshire"
        assert p.provenance(path)["status"] == "borrowed"
    lent = len(p.borrowed()["northamptonshire"])
    assert not any(k.startswith("team.observed") for k in p)

    outputs = []
    # the baseline: table, JSON and CSV say derived, never published, for the total
    assert main([*root, "baseline", "--area", "test_shire"]) == 0
    table = capsys.readouterr().out
    total_rows = [x for x in table.splitlines() if re.match(r"Total +£[\d,]+ +100\.0%", x)]
    assert len(total_rows) == 2  # by issue and by agency
    assert total_rows and all(line.rstrip().endswith("derived") for line in total_rows)
    assert "Total (90% range £" in table and "Total: published" not in table
    assert main([*root, "baseline", "--area", "test_shire", "--format", "json"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert js["total_status"] == "derived" and js["provenance"]["total"]["status"] == "derived"
    # hand-computed: £16.6bn ÷ 57,361,600 people × 500,000, and £164–£531 a person
    assert js["total"] == round(16_600_000_000 / 57_361_600 * 500_000)
    lo, hi = js["provenance"]["total"]["range"]
    assert 164 * 500_000 < lo < js["total"] < hi < 531 * 500_000
    assert main([*root, "baseline", "--area", "test_shire", "--format", "csv"]) == 0
    csv_total = capsys.readouterr().out.strip().splitlines()[-1]
    assert csv_total.endswith(",derived")
    outputs += [table, json.dumps(js)]

    line = f"team: {lent} parameters borrowed from Northamptonshire; 3 changed, now the area's own"
    assert lent == 35  # the team file: its posts, money, work, and staffing history
    args = ["--area", "test_shire", "--scenario", "central", "--draws", "120"]
    assert main([*root, "project", *args]) == 0
    text = capsys.readouterr().out
    assert f"Borrowed: {line}" in text
    outputs.append(text)

    pdf, xlsx = tmp_path / "d.pdf", tmp_path / "d.xlsx"
    report = [*root, "report", *args, "--sensitivity-runs", "30", "--quiet"]
    assert main([*report, "--out", str(pdf), "--xlsx", str(xlsx)]) == 0
    pages = _pdf_text(pdf)
    # the cover's particulars run long here (the borrowed team): the contents move to a
    # page of their own and still give every section's page
    document = pdfium.PdfDocument(str(pdf))
    bodies = pdfcheck.page_texts(document, body_only=True)
    assert pdfcheck.contents_problems(bodies, SECTIONS[1:]) == []
    assert pdfcheck.text_outside(document) == []
    doc = " ".join(pages)
    flat = " ".join(doc.split())
    assert "Early Intervention Foundation's estimate of what late intervention" not in flat
    assert "Foundation's estimate for the area" not in flat
    assert "An estimate derived for Test Shire" in flat
    assert "Total £" in flat and not re.search(r"Total £[\d.]+m 100% published", flat)
    assert re.search(r"Total £[\d.]+m 100% derived", flat)
    assert "3 changed, now the area's own" in " ".join(pages[0].split())
    note = " ".join(_pdf_text(tmp_path / "d-technical-note.pdf"))
    annex = " ".join(note.split("Parameters and their sources")[-1].split())
    assert "Budget: total (from" not in annex and "Budget: total £300,000" in annex
    assert "Staff: posts (from Northamptonshire) 7" in annex
    outputs.append(doc)

    book = openpyxl.load_workbook(xlsx, read_only=True)
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    rows = {r[0]: r for r in book["Assumptions"].iter_rows(values_only=True) if r and r[0]}
    head = list(rows["Parameter path"])
    who = head.index("Borrowed from")
    assert rows["team.budget.total"][who] in ("", None)
    assert rows["team.staff.posts"][who] == "Northamptonshire"
    baseline_rows = [r for r in book["Baseline by issue"].iter_rows(values_only=True) if r]
    assert "derived" in next(r for r in baseline_rows if r[0] == "Total")
    assert not any(
        isinstance(c, str) and c.strip() == "published"
        for r in baseline_rows
        if r[0] == "Total"
        for c in r
    )
    assert not {830, 1541} & {c for c in cells if isinstance(c, (int, float))}
    outputs.append(" ".join(str(c) for c in cells if isinstance(c, str)))
    for out in outputs:
        for count in LENDER_COUNTS:
            assert not re.search(rf"(?<![\d.,£]){re.escape(count)}(?![\d,]|\.\d)", out), count


def test_a_borrowed_team_is_rescaled_to_the_area_and_says_so(folder, capsys):
    """A tenth of the lender's population: the size-dependent values are a tenth, their
    ranges too, the rest as lent; the rescaling is shown; without a population, one line
    and nothing written."""
    root = ["--parameters", str(folder)]
    new = ["new-area", "small_shire", "--team-from", "northamptonshire"]
    assert main([*root, *new]) == 1
    assert "--population" in capsys.readouterr().err
    assert not (folder / "areas" / "small_shire").exists()
    lender = costmodel.load("northamptonshire", root=folder)
    people = float(lender["areas.northamptonshire.population"].value)  # 715,474
    assert main([*root, *new, "--population", str(round(people / 10))]) == 0
    capsys.readouterr()
    area = folder / "areas" / "small_shire"
    fill(area / "area.yaml", FILLED["area.yaml"][1:])
    text = (area / "area.yaml").read_text(encoding="utf-8")
    (area / "area.yaml").write_text(
        text.replace("value: TODO  # a number of people", f"value: {round(people / 10)}")
    )
    p = costmodel.load("small_shire", root=folder)
    scaled = [
        k for k, q in lender.items() if q.scales_with == "population" and k.startswith("team.")
    ]
    assert sorted(scaled) == ["team.light_touch.referral_rate", "team.referrals.rate"]
    assert p.value("team.referrals.rate") == pytest.approx(1.2)  # 12 a week ÷ 10
    assert p.value("team.light_touch.referral_rate") == pytest.approx(7.9)  # 79 ÷ 10
    d = p["team.light_touch.referral_rate"].distribution.params
    assert (d["low"], d["high"]) == pytest.approx((3.0, 15.0))  # 30–150 ÷ 10
    assert p.value("team.direct_work.caseload") == lender.value("team.direct_work.caseload")
    for path in scaled:
        prov = p.provenance(path)
        assert prov["status"] == "borrowed" and p.lender(path) == "northamptonshire"
        assert prov["rescaled"].startswith(f"{lender.value(path):,.4g} × 0.1 (population: ")
    assert main([*root, "reach", "--area", "small_shire", "--runs", "50"]) == 0
    out = capsys.readouterr().out
    assert "Borrowed: team: 38 parameters borrowed from Northamptonshire" in out
    assert "Borrowed: team.referrals.rate rescaled to the area's size: 12 × 0.1" in out
    assert "= 1.2\n" in out and "= 7.9\n" in out
    # the analyst's own figure overrides the rescaled one, and is the area's
    text = (area / "team.yaml").read_text(encoding="utf-8")
    (area / "team.yaml").write_text(text.replace("value: 1.2\n", "value: 2\n", 1))
    p = costmodel.load("small_shire", root=folder)
    assert p.value("team.referrals.rate") == 2 and p.lender("team.referrals.rate") is None


def test_validate_lists_every_todo_and_names_the_folder(folder, capsys):
    assert main(["--parameters", str(folder), "new-area", "test_shire"]) == 0
    capsys.readouterr()
    area = folder / "areas" / "test_shire"
    todo = [
        (f, i)
        for f in sorted(area.rglob("*.yaml"))
        for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1)
        if "TODO" in line and not line.lstrip().startswith("#")
    ]
    assert main(["--parameters", str(folder), "validate"]) == 1
    err = capsys.readouterr().err.splitlines()
    said = [line for line in err if "still to fill in" in line]
    assert sorted(said) == sorted(
        next(line for line in said if line.startswith(f"{f}:{i}: ")) for f, i in todo
    )
    assert len(said) == len(todo) == 17  # 7 in area.yaml, 10 in the programme
    assert err[-1] == f"costmodel: {len(err) - 1} problem(s) found in {folder}"


def test_an_unknown_area_is_one_line_naming_the_known_ones():
    with pytest.raises(ParameterError, match=r"unknown area 'nowhere'.*northamptonshire"):
        costmodel.load("nowhere")


def test_the_area_page_snippets_run_as_written(tmp_path):
    """The Python of the docs' "Using costmodel for your area" runs in a fresh
    interpreter, imports included."""
    import subprocess
    import sys
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "areas.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    for code in blocks:
        script = tmp_path / "snippet.py"
        script.write_text(code, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        assert "237000000" in done.stdout.replace(",", "").replace(".0", "")


def test_the_baseline_view_offers_every_area_and_loads_the_one_chosen(params):
    from costmodel.present import widgets as cw

    view = cw.BaselineView(params)
    values = [v for _, v in view.area.options]
    assert values == ["northamptonshire", "staffordshire"]
    view.area.value = "staffordshire"
    assert view.params.area == "staffordshire"
    assert view.result.area == "staffordshire"
    assert costmodel.baseline(view.params, "staffordshire", view.price_year.value).total == (
        pytest.approx(view.result.total)
    )
    assert "Staffordshire" in view.table.value


def test_the_savings_view_switches_area_and_offers_its_scenarios(params):
    from costmodel.present import widgets as cw

    view = cw.SavingsView(params)
    assert [v for _, v in view.area.options] == ["northamptonshire", "staffordshire"]
    view.area.value = "staffordshire"
    assert view.params.area == "staffordshire"
    assert set(view.scenario.options) == {"central", "cautious"}
    assert view.scenario.value == "central"
    want = costmodel.project(costmodel.load("staffordshire"), "central", draws=1)
    assert view.result.appraisal.npv[0] == pytest.approx(want.appraisal.npv[0], rel=1e-9)
