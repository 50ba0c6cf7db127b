"""The PDF report and the workbook: contents, figures, appendix, safe writing."""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pandas as pd
import pytest

from costmodel.analysis.report import report_content
from costmodel.cli import main
from costmodel.greenbook.prices import deflators_from_params
from costmodel.model.late_intervention import baseline
from costmodel.model.projection import project
from costmodel.params.errors import OutputError, ParameterError
from costmodel.params.scenarios import apply_scenario
from costmodel.present import content as shown
from costmodel.present.files import write_files
from costmodel.present.formatting import money_m, money_round, percent
from costmodel.present.labels import INDICATORS

pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.end_to_end(seconds=40)

DRAWS, SEED = 200, 3
CREATED = dt.date(2026, 1, 2)


@pytest.fixture(scope="module")
def content(params):
    return report_content(
        params,
        ["central"],
        draws=DRAWS,
        seed=SEED,
        nominal=True,
        compare=["cautious", "no_team"],
        sensitivity_runs=100,
        created=CREATED,
    )


@pytest.fixture(scope="module")
def pdf(content):
    from costmodel.present.pdf import pdf_bytes

    return pdf_bytes(content)


@pytest.fixture(scope="module")
def reader(pdf):
    return pypdf.PdfReader(io.BytesIO(pdf))


@pytest.fixture(scope="module")
def text(reader):
    return "\n".join(page.extract_text() for page in reader.pages)


def squeeze(s: str) -> str:
    return re.sub(r"\s+", "", s)


# ------------------------------------------------------------------ the document


def test_pdf_opens_with_pages_metadata_and_page_numbers(reader, text):
    n = len(reader.pages)
    assert n >= 10
    assert "Northamptonshire" in reader.metadata.title
    assert f"Page 1 of {n}" in text and f"Page {n} of {n}" in text


def test_every_section_is_present_in_text_and_outline(reader, text):
    from costmodel.present.pdf import SECTIONS

    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    for title in SECTIONS:
        assert title in outline
        assert title in text


def test_cover_names_area_scenario_price_base_date_version_and_fingerprint(content, params, reader):
    import costmodel

    cover = reader.pages[0].extract_text()
    assert "Northamptonshire" in cover and "central" in cover
    assert "real terms, 2018/19 prices" in cover
    assert "2 January 2026" in cover
    assert f"costmodel {costmodel.__version__}" in cover
    fp = apply_scenario(params, "central").fingerprint()
    assert content.fingerprint == fp and fp in cover
    assert apply_scenario(params, "cautious").fingerprint() != fp


def _page_with(reader, words: str) -> str:
    for page in reader.pages[2:]:  # after the cover (with the contents) and the summary
        t = page.extract_text()
        if words in t:
            return t
    raise AssertionError(f"no page has {words!r}")


def test_headline_figures_are_those_the_model_computes_for_the_same_seed(params, reader):
    """An independent projection with the same draws and seed gives the printed figures
    (rounded to fit: £1.4m, £946k)."""
    p = project(params, "central", draws=DRAWS, seed=SEED)
    a = p.appraisal
    figures = _page_with(reader, "Key figures (fiscal)")
    for value in (
        a.pv_costs.mean(),
        a.pv_savings_gross.mean(),
        a.pv_savings_net.mean(),
        a.npv.mean(),
        np.percentile(a.npv, 5),
        np.percentile(a.npv, 95),
    ):
        assert money_round(value) in figures, money_round(value)
    assert f"{a.pv_savings_net.mean() / a.pv_costs.mean():.2f}" in figures  # ratio of means
    assert percent(p.p_npv_positive, 0) in figures
    assert f"{p.families_started.mean():,.0f}" in figures
    bl = baseline(params, "northamptonshire", "2018/19")
    assert money_m(bl.total) in _page_with(reader, "1. The cost of late intervention")
    shares = p.by_agency()
    who = _page_with(reader, "PV of net savings")
    assert money_round(shares.loc["police", "pv_savings_net"]) in who
    assert percent(shares.loc["police", "share"], 0) in who


def test_negative_amounts_print_in_brackets_with_pound_signs(content, text):
    low = np.percentile(content.main.appraisal.npv, 5)
    assert low < 0  # the central scenario's 5th percentile loses money
    assert money_round(low) in text and money_round(low).startswith("(£")
    assert "-£" not in text


def test_scenario_overrides_are_marked_in_the_appendix(params):
    c = report_content(
        params, ["cautious"], draws=1, seed=1, compare=[], sensitivity_runs=50, created=CREATED
    )
    a = c.assumptions()
    marked = set(a.index[a["scenario_override"]])
    assert "savings.outcomes.domestic_abuse.effect" in marked
    assert "savings.evidence.transfer" in marked
    assert a.loc["savings.evidence.transfer", "value"] == 0.2
    assert c.value_of_information is None  # too few draws for it
    assert c.compared == ("cautious",)


# ------------------------------------------------------------------ the tables


def test_cash_flows_add_up_and_discount_to_the_npv(content):
    a = content.main.appraisal
    real = content.cash_flows(basis="real")
    disc = content.cash_flows(basis="discounted")
    agencies = [c for c in real.columns if c.startswith("net_") and c != "net_benefit"]
    assert len(agencies) == 6
    body = real.drop(index="Total")
    np.testing.assert_allclose(body[agencies].sum(axis=1), body["savings_net"], rtol=1e-12)
    np.testing.assert_allclose(real.loc["Total"], body.sum(axis=0), rtol=1e-12)
    assert real.loc["Total", "costs"] == pytest.approx(a.costs.sum(axis=1).mean())
    assert disc.loc["Total", "net_benefit"] == pytest.approx(a.npv.mean())
    assert disc.loc["Total", "costs"] == pytest.approx(a.pv_costs.mean())
    assert (real["savings_gross"] >= real["savings_net"]).all()


def test_nominal_cash_flows_reinflate_each_year_by_the_deflator(content, params):
    real = content.cash_flows(basis="real")
    nominal = content.cash_flows(basis="nominal")
    idx = params["prices.gdp_deflator.financial_year"].value
    fc = params["prices.gdp_deflator.forecast"].value
    level = {**idx, **fc}
    # hand-computed: year 2 (Feb 2020 – Jan 2021, mostly in 2020/21) in cash = real 2018/19
    # × index(2020/21) / index(2018/19)
    assert real.index[1] == "Feb 2020 – Jan 2021" and content.years()[1] == "2020/21"
    factor = level["2020/21"] / level["2018/19"]
    assert nominal.iloc[1]["costs"] == pytest.approx(real.iloc[1]["costs"] * factor)
    assert nominal.attrs["basis"] == "nominal" and real.attrs["basis"] == "real"
    worded = shown.cash_flows(content, basis="nominal")
    assert "nominal" in worded.attrs["basis"]
    assert "real terms" in shown.cash_flows(content, basis="real").attrs["basis"]
    # every year's cash amount is its real amount × the deflator's rise to that year
    rises = [level[y] / level[content.price_year] for y in content.years()]
    np.testing.assert_allclose(
        nominal.drop(index="Total").to_numpy(),
        real.drop(index="Total").to_numpy() * np.array(rises)[:, None],
        rtol=1e-12,
    )
    np.testing.assert_allclose(nominal.loc["Total"], nominal.drop(index="Total").sum(), rtol=1e-12)
    assert deflators_from_params(params).factor("2018/19", "2020/21") == pytest.approx(factor)


def test_nominal_beyond_the_deflator_series_is_a_clear_error(params):
    with pytest.raises(ParameterError, match="no deflator for"):
        report_content(
            params, ["central"], draws=1, horizon=15, nominal=True, compare=[], sensitivity_runs=20
        )


def test_scenario_table_matches_each_projection(content, params):
    t = content.scenario_table()
    assert list(t.columns) == ["central", "cautious", "no_team"]
    p = project(params, "cautious", draws=DRAWS, seed=SEED)
    assert t.loc["npv", "cautious"] == pytest.approx(p.appraisal.npv.mean())
    assert t.loc["p_npv_positive", "cautious"] == pytest.approx(p.p_npv_positive)
    assert t.loc["pv_costs", "no_team"] == 0


def test_workbook_round_trips_with_pandas(content, tmp_path):
    from costmodel.present.workbook import workbook_bytes, workbook_tables

    path = tmp_path / "tables.xlsx"
    write_files({path: workbook_bytes(content)})
    back = pd.read_excel(path, sheet_name=None, index_col=0)
    frames = workbook_tables(content)
    assert list(back) == [name[:31] for name in frames]
    assert "Assumptions" in back and "Cash flows nominal" in back
    for name, frame in frames.items():
        got = back[name[:31]]
        assert list(got.columns) == [str(c) for c in frame.columns], name
        assert [str(i) for i in got.index] == [str(i) for i in frame.index], name
        for col in frame.columns:
            want = frame[col]
            if pd.api.types.is_numeric_dtype(want) and not pd.api.types.is_bool_dtype(want):
                np.testing.assert_allclose(
                    got[str(col)].to_numpy(float),
                    want.to_numpy(float),
                    rtol=1e-9,
                    equal_nan=True,
                    err_msg=f"{name}: {col}",
                )
    assert len(back["Assumptions"]) == len(content.parameters)
    npv = INDICATORS["npv"].long
    assert back["Summary"].loc[npv, "Estimate"] == pytest.approx(content.main.appraisal.npv.mean())


# ------------------------------------------------------------------ writing safely


def test_cli_writes_report_and_workbook_and_refuses_to_overwrite(tmp_path, capsys):
    out, xlsx, note = tmp_path / "r.pdf", tmp_path / "r.xlsx", tmp_path / "notes.pdf"
    args = [
        "report",
        "--draws",
        "120",
        "--seed",
        "5",
        "--compare",
        "no_team",
        "--sensitivity-runs",
        "30",
        "--quiet",
        "--out",
        str(out),
        "--xlsx",
        str(xlsx),
        "--note",
        str(note),
    ]
    assert main(args) == 0
    assert out.read_bytes().startswith(b"%PDF") and xlsx.stat().st_size > 0
    assert note.read_bytes().startswith(b"%PDF")
    assert "wrote" in capsys.readouterr().out
    # --note names the technical note (test_areas sees it beside the PDF without it)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.pdf", "r.pdf", "r.xlsx"]
    before = out.read_bytes()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err and len(err.splitlines()) == 1
    assert out.read_bytes() == before


def test_a_failed_run_leaves_no_file(tmp_path, capsys):
    out = tmp_path / "r.pdf"
    # the deflator does not reach the fifteenth year: the run fails after starting
    assert (
        main(
            [
                "report",
                "--draws",
                "20",
                "--horizon",
                "15",
                "--nominal",
                "--quiet",
                "--compare",
                "no_team",
                "--out",
                str(out),
            ]
        )
        == 1
    )
    assert "no deflator" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    assert main(["report", "--out", str(tmp_path / "missing" / "r.pdf")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_failure_while_writing_removes_every_file(tmp_path, monkeypatch):
    import costmodel.present.files as of

    real_replace = of.os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(of.os, "replace", flaky)
    with pytest.raises(OutputError, match="No space left"):
        write_files({tmp_path / "a.pdf": b"a", tmp_path / "b.xlsx": b"b"})
    assert list(tmp_path.iterdir()) == []


def test_same_file_twice_and_folders_are_refused(tmp_path):
    with pytest.raises(OutputError, match="named twice"):
        write_files({tmp_path / "a.pdf": b"a", str(tmp_path / "a.pdf"): b"b"})
    with pytest.raises(OutputError, match="is a folder"):
        write_files({tmp_path: b"a"}, force=True)


# ------------------------------------------------------------------ the decision


def test_the_decision_section_states_the_options_from_the_decision_date(content, text):
    """The report's decision section shows what the decision's results hold: each
    option's incremental NPV, the ask, and the monitoring template's fields in the
    monitoring plan; the technical note splits the best option's cost among every agency."""
    from costmodel.present.labels import MONITORING_FIELDS
    from costmodel.present.note import note_bytes

    d = content.decision
    from costmodel.greenbook.prices import financial_year_of

    assert d is not None
    assert d.price_year == financial_year_of(dt.date.fromisoformat(d.decision_date))
    inc = d.incremental()
    flat = squeeze(text)
    for o in d.options:
        assert squeeze(money_round(inc.loc[o, "npv"])) in flat
    assert squeeze(f"The ask: {money_round(float(content.board.ask['amount']))}") in flat
    best = inc["npv"].idxmax()
    share = d.cost_sharing(best)
    note = pypdf.PdfReader(io.BytesIO(note_bytes(content)))
    noted = squeeze("\n".join(page.extract_text() for page in note.pages))
    assert squeeze(money_round(share.attrs["outlay"])) in noted
    for r in share.itertuples():
        assert squeeze(money_round(r.pays_total)) in noted
    for words in MONITORING_FIELDS.values():
        assert squeeze(words) in flat
    # the successors are the decision's, not replays in the programme's 2018/19 prices
    assert not set(content.compared) & {d.counterfactual, *d.options}


def test_the_workbook_holds_the_decision(content):
    from costmodel.present.workbook import workbook_tables

    tables = workbook_tables(content)
    d = content.decision
    options = tables["Decision options"]
    assert options.shape[1] == len(d.options)
    pays = tables["Who pays"]
    first = pays[[i.startswith(options.columns[0]) for i in pays.index]]
    cost = d.cost_sharing(d.options[0]).attrs["outlay"]
    assert first["Pays, by cashable savings (PV)"].sum() == pytest.approx(cost)
