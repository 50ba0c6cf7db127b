"""The command line: table, CSV and JSON output; clear errors with non-zero exits."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
import threading
import time

import pytest

from costmodel.cli import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_json(capsys):
    code, out, _ = run(capsys, "baseline", "--area", "northamptonshire", "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert d["area"] == "northamptonshire"
    assert d["price_year"] == "2014/15"
    assert d["total"] == 199_000_000
    assert d["by_issue"]["crime_and_antisocial_behaviour"] == {
        "value": 59_500_000,
        "status": "published",
    }
    assert d["by_issue"]["youth_economic_inactivity"]["status"] == "derived"
    assert sum(v["value"] for v in d["by_issue"].values()) == d["total"]
    assert sum(v["value"] for v in d["by_agency"].values()) == d["total"]
    assert d["per_person"] == pytest.approx(199_000_000 / 715_474, abs=0.005)


def test_json_by_issue_only_and_price_year(capsys):
    code, out, _ = run(
        capsys, "baseline", "--by", "issue", "--format", "json", "--price-year", "2024/25"
    )
    d = json.loads(out)
    assert code == 0 and "by_agency" not in d
    assert d["price_year"] == "2024/25"
    assert d["total"] == round(199_000_000 * 100 / 74.0662)


def test_csv(capsys):
    code, out, _ = run(capsys, "baseline", "--format", "csv", "--by", "both")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    issues = [r for r in rows if r["dimension"] == "issue"]
    cells = [r for r in rows if r["dimension"] == "cell"]
    assert len(issues) == 6 and len(cells) == 36
    assert sum(int(r["value_gbp"]) for r in cells) == 199_000_000
    total = next(r for r in rows if r["dimension"] == "total")
    assert total["value_gbp"] == "199000000"


def test_table(capsys):
    code, out, _ = run(capsys, "baseline", "--bottom-up")
    assert code == 0
    assert "£199,000,000" in out and "£59,500,000" in out and "£63,000,000" in out
    assert "2014/15 prices" in out
    assert "Not itemised" in out


@pytest.mark.parametrize(
    "args, words",
    [
        (["baseline", "--area", "rutland"], "unknown area 'rutland'"),
        (["baseline", "--price-year", "1990/91"], "no deflator for 1990/91"),
        (["baseline", "--price-year", "2024"], "financial year"),
    ],
)
def test_bad_requests_fail_with_one_line(capsys, args, words):
    code, out, err = run(capsys, *args)
    assert code != 0 and out == ""
    assert words in err


def test_validate_exit_codes(capsys, tmp_path):
    # exit 0 for the shipped folder: tests/test_bad_input.py validates it (a copy, in full)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "description: x\nparameters:\n  a:\n    description: d\n    value: 2\n"
        "    unit: proportion\n    status: assumed\n    confidence: low\n"
        "    rationale: r\n    source: {title: t}\n"
    )
    code, _, err = run(capsys, "validate", str(bad))
    assert code == 1
    assert f"{bad}:5: bad.a: 2 is above 1" in err


def test_console_entry_point_runs_as_a_module():
    r = subprocess.run(
        [sys.executable, "-m", "costmodel", "baseline", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["total"] == 199_000_000


def test_the_apps_wait_ends_on_a_signal_another_thread_was_given():
    """A process-wide Ctrl-C may be given to any thread of the process. `costmodel app`
    waits for its server in short polls, so a signal handled on another thread still
    ends the wait (a single blocking wait would last until the server stopped)."""
    from costmodel import cli

    assert threading.current_thread() is threading.main_thread()
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])

    def interrupt_this_thread() -> None:
        time.sleep(0.5)
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)

    other = threading.Thread(target=interrupt_this_thread)
    try:
        other.start()
        with pytest.raises(KeyboardInterrupt):
            cli._wait_for(server)
        assert server.poll() is None  # the wait ended on the signal, not on the server
    finally:
        other.join()
        server.kill()
        server.wait()
