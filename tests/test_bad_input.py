"""Bad input: one clear line, a non-zero exit code and no file left behind.

Hostile or broken YAML in a parameter folder, folders and scenarios that validation
refuses, API arguments and command-line options outside their ranges, output paths
refused before the computing, and a report stopped by Ctrl-C or SIGTERM part-way.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

import costmodel
from costmodel import ParameterError
from costmodel.cli import (
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    Terminated,
    main,
)
from costmodel.params.errors import CostModelError, OutputError
from costmodel.params.limits import MAX_DRAWS, MAX_HORIZON, MAX_RUNS
from costmodel.params.store import default_root
from costmodel.params.yamlio import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES, read_yaml
from costmodel.present import files

pytestmark = pytest.mark.end_to_end(seconds=75)

#: The shipped area's folder, inside a parameter folder.
AREA = "areas/northamptonshire"

# ------------------------------------------------------------------ helpers


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    """The shipped parameters unless a test names a folder, and no tracebacks."""
    monkeypatch.delenv("COSTMODEL_PARAMETERS", raising=False)
    monkeypatch.delenv("COSTMODEL_DEBUG", raising=False)


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    """The current folder while a command runs (where a default-named report would go)."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of the shipped parameter folder, to break one thing in."""
    copy = tmp_path / "parameters"
    shutil.copytree(default_root(), copy)
    return copy


def left_behind(folder: Path) -> list[str]:
    """Every file under ``folder``, hidden temporary ``.part`` files included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())


@pytest.fixture
def refuse(capsys, tmp_path, work):
    """Run ``costmodel ARGS`` in-process and check it is refused with one line.

    Checks the exit code, that standard output is empty, that standard error is one
    line starting ``costmodel: ``, and that no file appeared under ``tmp_path`` (no
    report, no ``.part``); returns the line.
    """

    def run(*argv: str, code: int = EXIT_INPUT) -> str:
        before = left_behind(tmp_path)
        got = main(list(argv))
        out, err = capsys.readouterr()
        assert (got, out) == (code, ""), err
        lines = err.splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("costmodel: "), err
        assert left_behind(tmp_path) == before
        return lines[0]

    return run


@pytest.fixture
def validate_refuses(capsys, tmp_path, work):
    """Run ``costmodel ... validate ...`` in-process; return its problem lines.

    ``validate`` prints one line per problem, then ``costmodel: N problem(s) found in
    FOLDER`` (the folder or file it checked), and exits 1.
    """

    def run(*argv: str) -> list[str]:
        before = left_behind(tmp_path)
        got = main(list(argv))
        out, err = capsys.readouterr()
        assert (got, out) == (EXIT_INPUT, ""), err
        lines = err.splitlines()
        assert len(lines) >= 2, err
        assert lines[-1].startswith(f"costmodel: {len(lines) - 1} problem(s) found in "), err
        assert left_behind(tmp_path) == before
        return lines[:-1]

    return run


@pytest.fixture
def computed(monkeypatch) -> list[str]:
    """Stand-ins for the models' entry points; a command that reaches one is computing.

    Each records its name and stops the command, so a test can check that a bad
    request was refused before any computing started.
    """
    from costmodel.analysis import report
    from costmodel.model import calibration, projection, team

    calls: list[str] = []

    def stand_in(name: str):
        def started(*args, **kwargs):
            calls.append(name)
            raise CostModelError(f"{name} started computing")

        return started

    for module, name in (
        (projection, "project"),
        (projection, "compare"),
        (team, "reach"),
        (calibration, "calibrate"),
        (report, "report_content"),
    ):
        monkeypatch.setattr(module, name, stand_in(name))
    return calls


def costmodel_process(*argv: str, **kwargs) -> subprocess.Popen:
    """``python -m costmodel ARGS`` as a real process, with Ctrl-C acting as it would."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("COSTMODEL_PARAMETERS", "COSTMODEL_DEBUG")
    }
    return subprocess.Popen(
        [sys.executable, "-m", "costmodel", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # a shell without job control starts background jobs with SIGINT ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        **kwargs,
    )


def set_value(file: Path, key: str, value: str, *more: str) -> None:
    """Write ``value`` as the value of the first parameter named ``key`` in ``file``.

    ``more`` are further fields (``distribution: ...``) added after the value.
    """
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, s in enumerate(lines) if s.strip() == f"{key}:")
    at = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("value:"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at : at + 1] = [f"{indent}{field}\n" for field in (f"value: {value}", *more)]
    file.write_text("".join(lines), encoding="utf-8")


# ------------------------------------------------------------------ YAML that is refused

LAUGHS = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10)
)


def _new_file(content: bytes):
    def write(folder: Path) -> Path:
        path = folder / "hostile.yaml"
        path.write_bytes(content)
        return path

    return write


def _team(key: str, value: str, *more: str):
    def write(folder: Path) -> Path:
        path = folder / AREA / "team.yaml"
        set_value(path, key, value, *more)
        return path

    return write


def _oversized(folder: Path) -> Path:
    path = folder / "hostile.yaml"
    path.write_bytes(b"description: big\n# " + b"x" * MAX_FILE_BYTES + b"\n")
    return path


BROKEN_YAML = {
    "python-object-tag-on-mapping": (
        _new_file(b"!!python/object:os.system {args: [echo, hello]}\n"),
        "tag !!python/object:os.system is not allowed",
    ),
    "python-tuple-tag-on-list": (
        _new_file(b"description: x\nparameters: !!python/tuple [1, 2]\n"),
        "tag !!python/tuple is not allowed",
    ),
    "local-tag": (_new_file(b"description: !foo x\n"), "tag !foo is not allowed"),
    "nul-byte": (_new_file(b"description: a\x00b\n"), "special characters are not allowed"),
    "latin-1": (_new_file("description: café\n".encode("latin-1")), "not UTF-8 text"),
    "recursive-alias": (
        _new_file(b"a: &a [*a]\n"),
        "an alias refers to the mapping or list that holds it",
    ),
    "billion-laughs": (_new_file(LAUGHS.encode()), f"more than {MAX_VALUES:,} values"),
    "nested-100-deep": (
        _new_file(b"a: " + b"[" * 100 + b"]" * 100 + b"\n"),
        f"more than {MAX_DEPTH} levels",
    ),
    "nested-5000-deep": (
        _new_file(b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n"),
        f"more than {MAX_DEPTH} levels",
    ),
    "integer-of-5000-digits": (_new_file(b"a: " + b"9" * 5000 + b"\n"), "cannot read the value"),
    "integer-of-400-digits-as-a-value": (
        _team("posts", "9" * 400),
        "team.staff.posts: must be a number",
    ),
    "impossible-date": (
        _team("start_date", "2019-02-30"),
        "team.programme.start_date.value: cannot read the value '2019-02-30'",
    ),
    "distribution-on-a-date": (
        _team("start_date", "2019-02-01", "distribution: {type: uniform, low: 0, high: 1}"),
        "team.programme.start_date: a date cannot have a distribution",
    ),
    "larger-than-max-file-bytes": (_oversized, f"files above {MAX_FILE_BYTES:,} bytes"),
    "empty-file": (_new_file(b""), "file is empty"),
}


@pytest.mark.parametrize("case", BROKEN_YAML)
@pytest.mark.parametrize("command", ["validate", "baseline"])
def test_a_broken_parameter_file_is_one_line_naming_the_file(
    folder, refuse, validate_refuses, case, command
):
    write, words = BROKEN_YAML[case]
    path = write(folder)
    if command == "validate":
        problems = validate_refuses("--parameters", str(folder), "validate")
        assert len(problems) == 1, problems
        line = problems[0]
        assert line.startswith(f"{path}:"), line
    else:
        line = refuse("--parameters", str(folder), "baseline")
        assert line.startswith(f"costmodel: error: {path}:"), line
    assert words in line


def test_billion_laughs_is_refused_at_once_without_growing_memory():
    started = time.perf_counter()
    with pytest.raises(ParameterError, match="anchors and aliases"):
        read_yaml("laughs.yaml", LAUGHS)
    assert time.perf_counter() - started < 30  # expanded fully it would never finish
    tracemalloc.start()
    try:
        with pytest.raises(ParameterError):
            read_yaml("laughs.yaml", LAUGHS)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MAX_VALUES * 1000  # about 200 bytes a value are built before it stops


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(50 * MAX_FILE_BYTES)  # sparse: no disk used
    read: list[Path] = []
    real = Path.read_bytes

    def spy(self):
        read.append(self)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    with pytest.raises(ParameterError) as caught:
        read_yaml(big)
    assert read == []
    assert str(caught.value) == (
        f"{big}: <file>: file is {50 * MAX_FILE_BYTES:,} bytes; "
        f"files above {MAX_FILE_BYTES:,} bytes are not read"
    )


# ------------------------------------------------------------------ folders validate refuses


def test_the_shipped_parameters_and_a_copy_of_them_are_valid(folder, capsys, work):
    # the copy is the shipped folder's every file (tests/test_store.py reads the shipped
    # folder itself); validating it covers --parameters too
    assert main(["--parameters", str(folder), "validate"]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == (f"ok: {folder} is valid\n", "")


@pytest.mark.parametrize("how", ["--parameters", "argument"])
def test_an_empty_folder_is_refused(tmp_path, validate_refuses, how):
    empty = tmp_path / "empty"
    empty.mkdir()
    argv = ["--parameters", str(empty), "validate"] if how == "--parameters" else []
    problems = validate_refuses(*(argv or ["validate", str(empty)]))
    assert problems == [f"{empty}: <file>: no parameter files (*.yaml) in this folder"]


def test_an_area_without_a_team_or_programme_is_told_there_is_nothing_to_appraise(
    folder, validate_refuses
):
    (folder / AREA / "team.yaml").unlink()
    problems = validate_refuses("--parameters", str(folder), "validate")
    assert problems[0].startswith(f"{folder / AREA}: programmes: nothing to appraise"), problems
    # the scenarios that set team parameters say so, each naming its file
    assert all(p.startswith(str(folder)) for p in problems), problems


@pytest.mark.parametrize(
    "file, key, value, words",
    [
        (
            "prices/discounting.yaml",
            "standard",
            "{0: 1.0, 31: 0.030, 76: 0.025, 126: 0.020, 201: 0.015, 301: 0.010}",
            "prices.discounting.standard: discount rates must lie in [0, 1)",
        ),
        (
            "prices/discounting.yaml",
            "standard",
            "{1: 0.035, 31: 0.030, 76: 0.025, 126: 0.020, 201: 0.015, 301: 0.010}",
            "prices.discounting.standard: a discount schedule must start at year 0",
        ),
        (
            "areas/northamptonshire/team.yaml",
            "management_posts",
            "8",
            "team.staff.management_posts: 8 management posts in a team of 7",
        ),
    ],
    ids=["discount-rate-of-1", "no-year-0", "more-managers-than-posts"],
)
def test_rules_across_parameters_are_one_problem_naming_the_file(
    folder, validate_refuses, file, key, value, words
):
    path = folder / file
    set_value(path, key, value)
    problems = validate_refuses("--parameters", str(folder), "validate")
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:") and words in problems[0]


def test_a_scenario_with_a_yaml_error_is_one_problem(folder, validate_refuses):
    broken = folder / AREA / "scenarios" / "broken.yaml"
    broken.write_text("description: broken\noverrides: {team.staff.posts: [}\n")
    problems = validate_refuses("--parameters", str(folder), "validate")
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{broken}:2: ") and "invalid YAML" in problems[0]


def test_a_scenario_putting_a_table_where_a_number_belongs_names_file_and_path(
    folder, validate_refuses
):
    scenario = folder / AREA / "scenarios" / "posts_as_a_table.yaml"
    scenario.write_text(
        "description: Posts written as a table.\noverrides:\n  team.staff.posts: {a: 1}\n"
    )
    problems = validate_refuses("validate", str(scenario))
    assert problems == [
        f"{scenario}:3: team.staff.posts: expects a single value, got a table",
    ]


def test_a_scenario_based_on_a_missing_scenario_names_file_and_based_on(folder, validate_refuses):
    scenario = folder / AREA / "scenarios" / "orphan.yaml"
    scenario.write_text("description: Built on nothing.\nbased_on: nowhere\noverrides: {}\n")
    problems = validate_refuses("validate", str(scenario))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{scenario}:2: based_on: no scenario 'nowhere'"), problems


# ------------------------------------------------------------------ the Python API


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert text and "\n" not in text, text
    return text


@pytest.mark.parametrize(
    "values, words",
    [
        ({"team.staff.posts": {"a": 1}}, "expects a single value, got a table"),
        ({"team.referrals.by_source": 0.3}, "team.referrals.by_source"),
        ({"team.staff.posts": {"value": 7, "unit": "count"}}, "cannot be changed to 'count'"),
    ],
    ids=["table-for-a-number", "number-for-a-table", "changed-unit"],
)
def test_with_values_keeps_each_parameters_shape_and_unit(params, values, words):
    with pytest.raises(ParameterError) as caught:
        params.with_values(values)
    line = one_line(caught.value)
    assert next(iter(values)) in line and words in line


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"draws": 0}, "draws"),
        ({"draws": MAX_DRAWS * 100}, "draws"),
        ({"draws": 1.5}, "draws"),
        ({"seed": -1}, "seed"),
        ({"horizon": 10**6}, "horizon"),
        ({"horizon": MAX_HORIZON + 1}, "horizon"),
    ],
)
def test_project_refuses_an_argument_out_of_range_naming_it(params, kwargs, name):
    with pytest.raises(ParameterError) as caught:
        costmodel.project(params, **kwargs)
    assert one_line(caught.value).startswith(f"{name}: ")


def test_reach_and_baseline_draws_refuse_arguments_out_of_range(params):
    with pytest.raises(ParameterError) as caught:
        costmodel.reach(params, runs=MAX_RUNS * 100)
    assert one_line(caught.value).startswith("runs: ")
    with pytest.raises(ParameterError) as caught:
        costmodel.baseline_draws(params, draws=0)
    assert one_line(caught.value).startswith("draws: ")


@pytest.mark.parametrize("what", ["a-file", "missing"])
def test_load_refuses_a_root_that_is_not_a_folder(tmp_path, what):
    root = tmp_path / "team.yaml"
    if what == "a-file":
        shutil.copy(default_root() / AREA / "team.yaml", root)
    with pytest.raises(ParameterError) as caught:
        costmodel.load(root=root)
    assert type(caught.value) is ParameterError
    assert one_line(caught.value).startswith(f"{root}: ")


# ------------------------------------------------------------------ command-line options


@pytest.mark.parametrize(
    "argv, option",
    [
        (["project", "--seed", "-1"], "--seed"),
        (["project", "--draws", "0"], "--draws"),
        (["project", "--draws", "100000000"], "--draws"),
        (["project", "--horizon", "1000000"], "--horizon"),
        (["reach", "--runs", "10000000"], "--runs"),
        (["calibrate", "--runs", "0"], "--runs"),
        (["compare", "central", "--draws", "100000000"], "--draws"),
        (["report", "--draws", "100000000"], "--draws"),
        (["report", "--seed", "-1"], "--seed"),
        (["report", "--sensitivity-runs", "0"], "--sensitivity-runs"),
    ],
)
def test_an_option_out_of_range_is_refused_before_computing(refuse, computed, argv, option):
    started = time.perf_counter()
    line = refuse(*argv)
    assert line.startswith(f"costmodel: error: {option}: must be from "), line
    assert computed == []
    assert time.perf_counter() - started < 30


@pytest.mark.parametrize(
    "argv",
    [
        ["project", "--draws", "x"],
        ["frobnicate"],
        [],
        ["project", "--no-such-option"],
        ["report", "--draws"],
    ],
    ids=["not-a-number", "unknown-command", "no-command", "unknown-option", "missing-value"],
)
def test_a_command_line_that_cannot_be_parsed_is_one_line_without_usage(refuse, argv):
    line = refuse(*argv, code=EXIT_USAGE)
    assert line.startswith("costmodel: error: ") and "usage" not in line.lower()


def test_the_installed_command_gives_one_line_and_exit_2(tmp_path):
    proc = costmodel_process("project", "--draws", "x", cwd=tmp_path)
    out, err = proc.communicate(timeout=120)
    assert (proc.returncode, out) == (EXIT_USAGE, "")
    assert err.splitlines() == [
        "costmodel: error: argument --draws: invalid int value: 'x' "
        "(see 'costmodel project --help')"
    ]
    assert left_behind(tmp_path) == []


@pytest.mark.parametrize(
    "overrides, path",
    [
        (
            {
                "programmes.troubled_families_phase2.duration": 1000000,
                "programmes.troubled_families_phase2.share_appraised": 1,
            },
            "programmes.troubled_families_phase2.duration",
        ),
        ({"team.programme.duration": 1000000}, "team.programme.duration"),
    ],
    ids=["programme", "team"],
)
def test_a_programme_lasting_a_million_years_is_refused_quickly(tmp_path, refuse, overrides, path):
    scenario = tmp_path / "a_scenario_with_a_programme_lasting_a_million_years.yaml"
    scenario.write_text(
        "description: A programme lasting a million years.\noverrides:\n"
        + "".join(f"  {k}: {v}\n" for k, v in overrides.items())
    )
    started = time.perf_counter()
    line = refuse("project", "--scenario", str(scenario))
    assert line.startswith(f"costmodel: error: {scenario}: {path}: "), line
    assert "50 years" in line
    assert time.perf_counter() - started < 60  # the default 10,000 draws never start


# ------------------------------------------------------------------ output paths


def report(*paths: str) -> list[str]:
    return ["report", "--draws", "10", "--quiet", *paths]


def test_a_folder_as_the_report_is_refused_before_computing(work, refuse, computed):
    line = refuse(*report("--out", str(work)))
    assert line == f"costmodel: error: {work}: is a folder; give a file name"
    assert computed == []


def test_a_missing_folder_is_named_before_computing(work, refuse, computed):
    line = refuse(*report("--out", "missing/x.pdf"))
    assert line == "costmodel: error: missing/x.pdf: folder missing does not exist"
    assert computed == []


@pytest.mark.parametrize("xlsx", ["a.pdf", "./a.pdf"])
def test_the_same_file_named_twice_is_refused_before_computing(work, refuse, computed, xlsx):
    line = refuse(*report("--out", "a.pdf", "--xlsx", xlsx))
    assert line.startswith("costmodel: error: ") and "named twice" in line
    assert computed == []


def test_an_existing_report_is_kept_and_refused_before_computing(work, refuse, computed):
    (work / "a.pdf").write_bytes(b"the report from last week")
    line = refuse(*report("--out", "a.pdf"))
    assert line == "costmodel: error: a.pdf: already exists; use --force to replace it"
    assert (work / "a.pdf").read_bytes() == b"the report from last week"
    assert computed == []


def test_an_unwritable_folder_is_named_before_computing(work, refuse, computed, monkeypatch):
    locked = work / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        if os.access(locked, os.W_OK):  # running as root: the folder stays writable
            real = os.access

            def access(path, mode, *args, **kwargs):
                if Path(path).resolve() == locked.resolve():
                    return False
                return real(path, mode, *args, **kwargs)

            monkeypatch.setattr(files.os, "access", access)
        line = refuse(*report("--out", "locked/x.pdf"))
    finally:
        locked.chmod(0o755)
    assert line == "costmodel: error: locked/x.pdf: folder locked is not writable"
    assert ".part" not in line
    assert computed == []


def test_a_file_name_too_long_for_the_file_system_is_refused_before_computing(
    work, refuse, computed
):
    name = "a" * (os.pathconf(work, "PC_NAME_MAX") + 1) + ".pdf"
    line = refuse(*report("--out", name))
    assert line.startswith(f"costmodel: error: {name}: "), line
    assert computed == []


def test_the_longest_file_name_the_file_system_takes_is_written(tmp_path):
    """The temporary file beside it must fit too, whatever the destination's name."""
    path = tmp_path / ("a" * (os.pathconf(tmp_path, "PC_NAME_MAX") - 4) + ".pdf")
    assert files.write_files({path: b"%PDF"}) == [path]
    assert path.read_bytes() == b"%PDF"
    assert left_behind(tmp_path) == [path.name]


def test_a_failure_to_make_the_temporary_file_names_the_users_path(tmp_path, monkeypatch):
    def refused(dir=None, prefix="", suffix=""):
        hidden = Path(dir) / f"{prefix}x1y2z3{suffix}"
        raise PermissionError(13, "Permission denied", str(hidden))

    monkeypatch.setattr(files.tempfile, "mkstemp", refused)
    with pytest.raises(OutputError) as caught:
        files.write_files({tmp_path / "r.pdf": b"%PDF"})
    assert one_line(caught.value) == f"{tmp_path / 'r.pdf'}: Permission denied"
    assert left_behind(tmp_path) == []


# ------------------------------------------------------------------ interrupts


@pytest.mark.parametrize("stop", [KeyboardInterrupt, Terminated])
def test_an_interrupt_while_moving_files_into_place_leaves_none(tmp_path, monkeypatch, stop):
    real = files.os.replace
    moved: list[str] = []

    def replace(src, dst):
        moved.append(str(dst))
        if len(moved) == 2:
            raise stop()
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(stop):
        files.write_files({tmp_path / "r.pdf": b"%PDF", tmp_path / "r.xlsx": b"PK"})
    assert len(moved) == 2
    assert left_behind(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    "signum, code, last",
    [
        (signal.SIGTERM, EXIT_TERMINATED, "costmodel: stopped: terminated"),
        (signal.SIGINT, EXIT_INTERRUPTED, "costmodel: stopped: interrupted"),
    ],
    ids=["SIGTERM", "SIGINT"],
)
def test_a_report_stopped_while_computing_leaves_no_file(tmp_path, signum, code, last):
    out = tmp_path / "out"
    out.mkdir()
    proc = costmodel_process(
        "report",
        "--out",
        str(out / "x.pdf"),
        "--xlsx",
        str(out / "x.xlsx"),
        "--draws",
        "20000",
        cwd=out,
    )
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(ln.rstrip("\n") for ln in proc.stderr))
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while not err and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # the first progress line: the report is computing
        time.sleep(1)
        assert proc.poll() is None, err
        proc.send_signal(signum)
        assert proc.wait(timeout=120) == code, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=10)
    with proc.stdout, proc.stderr:
        assert proc.stdout.read() == ""
    assert err[-1] == last, err
    assert all(line.startswith("costmodel: ") for line in err), err
    assert not any("error" in line for line in err), err
    assert left_behind(out) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_at_any_point_of_a_write_leaves_no_part_file(tmp_path):
    """SIGTERM sent from another thread at many moments of a two-file write (before,
    while writing, between the renames, after): each time the folder holds both files
    whole or none of them, never a ``.part`` file, and the signal still stops the call."""
    blob = os.urandom(4_000_000)
    targets = {tmp_path / "r.pdf": blob, tmp_path / "r.xlsx": blob[::-1]}

    def stop(signum, frame):
        raise Terminated()

    start = time.perf_counter()
    files.write_files(targets, force=True)
    took = time.perf_counter() - start  # one write, to spread the signals across it
    previous = signal.signal(signal.SIGTERM, stop)
    outcomes = {"stopped, none left": 0, "written whole": 0}
    try:
        for i in range(60):
            for p in targets:
                p.unlink(missing_ok=True)
            delay = took * 1.2 * i / 60
            sender = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGTERM))
            with pytest.raises(Terminated):  # during the write, or after it
                sender.start()
                files.write_files(targets)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    time.sleep(0.001)
            sender.join()
            left = left_behind(tmp_path)
            assert not [n for n in left if n.endswith(".part")], (delay, left)
            if left:
                assert left == ["r.pdf", "r.xlsx"], (delay, left)
                assert all(p.read_bytes() == b for p, b in targets.items()), delay
                outcomes["written whole"] += 1
            else:
                outcomes["stopped, none left"] += 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert outcomes["stopped, none left"] > 0, outcomes  # the signals did land mid-write


# ------------------------------------------------------------------ wrong kinds of argument

_P = costmodel.load()


@pytest.mark.parametrize(
    "call, says",
    [
        (lambda: _P.with_values([("team.staff.posts", 3)]), "ParameterSet.with_values: values"),
        (lambda: _P.with_values("team.staff.posts"), "ParameterSet.with_values: values"),
        (lambda: costmodel.load(root=123), "load: root must be a file or folder path"),
        (lambda: costmodel.load(area=["northamptonshire"]), "load: area must be a name"),
        (lambda: costmodel.load_scenario(123), "load_scenario: name_or_path"),
        (lambda: costmodel.apply_scenario(_P, {"overrides": {}}), "apply_scenario: scenario"),
        (lambda: costmodel.apply_scenario([], "central"), "apply_scenario: params"),
        (lambda: costmodel.list_scenarios(123), "list_scenarios: root"),
        (lambda: costmodel.project([], "central"), "project: params must be a mapping"),
        (lambda: costmodel.project(_P, 5), "project: scenario"),
        (lambda: costmodel.compare(_P, "central"), "compare: scenarios must be a list"),
        (lambda: costmodel.report_content(_P, "central"), "report_content: scenarios"),
        (lambda: costmodel.write_report(None, 123), "write_report: out must be a file"),
        (lambda: costmodel.validate(123), "validate: path must be a file or folder path"),
        (lambda: costmodel.baseline([]), "baseline: params must be a mapping"),
        (lambda: costmodel.reach(None), "reach: params must be a mapping"),
        (lambda: costmodel.sample([1], 10), "sample: params must be a mapping"),
        (lambda: costmodel.deflators("prices"), "deflators: params"),
        (lambda: costmodel.discount_schedule([], "standard"), "discount_schedule: params"),
        (lambda: costmodel.one_way([]), "one_way: params must be a mapping"),
        (lambda: files.check_writable(5), "check_writable: paths must be a list"),
        (lambda: files.write_files([b"%PDF"]), "write_files: expects a mapping"),
        (lambda: files.write_files({Path("x.pdf"): "text"}), "x.pdf: the content is str"),
    ],
)
def test_a_wrong_kind_of_argument_is_one_line(call, says):
    with pytest.raises(CostModelError) as err:
        call()
    line = str(err.value)
    assert says in line and "\n" not in line, line
    assert "got" in line or "not bytes" in line
