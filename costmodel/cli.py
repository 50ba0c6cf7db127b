"""The ``costmodel`` command line.

Every command reads the validated parameter store. Any problem is printed as one
line per problem on standard error, ``costmodel: error: ...``, with a non-zero exit
code: 1 for a bad input, 2 for a command line that cannot be parsed, 130 when
interrupted (Ctrl-C) and 143 when terminated (SIGTERM). Files are written whole or
not at all, so an interrupted command leaves none behind.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from .params.errors import CostModelError
from .params.limits import DEFAULT_SEED, SENSITIVITY_RUNS

if TYPE_CHECKING:  # the commands import what they use when they run, for a quick start
    import datetime as dt
    import subprocess
    from pathlib import Path

    from .model.decision import OptionsAppraisal
    from .model.result import Projection
    from .model.team import Observation
    from .params.decisions import DecisionSpec
    from .params.store import ParameterSet

EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

#: ``costmodel app``: visitors served at once, by default (docs/serving.md: measured).
DEFAULT_MAX_SESSIONS = 10
#: ``costmodel app``: minutes without activity before a visitor's kernel is shut down.
DEFAULT_CULL_IDLE_MINUTES = 30.0
#: ``costmodel app``: seconds the server has to stop before it and its kernels are killed.
APP_STOP_SECONDS = 15
#: ``costmodel app``: the longest single wait for its server (each wait itself looks every
#: few hundredths of a second, running Python between looks; see :func:`_wait_for`).
WAIT_POLL_SECONDS = 1.0


class UsageError(CostModelError):
    """The command line cannot be parsed (an unknown option, a missing value ...)."""


class Terminated(BaseException):
    """SIGTERM arrived: unwind (removing temporary files) and stop."""


class _Parser(argparse.ArgumentParser):
    """argparse, with a parse error as one line instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


#: How every command's --area is explained.
AREA_HELP = (
    "area: a folder parameters/areas/NAME (default: $COSTMODEL_AREA, else the one "
    "parameters/areas/DEFAULT names, else the only area)"
)


def _appraisal_options(parser: argparse.ArgumentParser) -> None:
    """The options that set an appraisal's period, discounting base and price base
    (project, compare and report take them alike)."""
    parser.add_argument(
        "--horizon",
        type=int,
        help="years appraised from the first programme's start (default: the last "
        "programme year plus the years each cohort is followed)",
    )
    parser.add_argument(
        "--years-after-support",
        type=int,
        help="years each cohort of families is followed after its support "
        "(default: savings.appraisal.years_after_support)",
    )
    parser.add_argument(
        "--base-date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the date discounting counts from (default: the first programme's start; "
        "compare and report use one for every scenario)",
    )
    parser.add_argument(
        "--price-year", metavar="YYYY/YY", help="price base (default: the budget's price year)"
    )


def _decision_date(
    parser: argparse.ArgumentParser,
    default: str = "none: appraise everything from the first programme's start",
) -> None:
    parser.add_argument(
        "--decision-date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="appraise forward from this date: in its financial year's prices, discounted "
        "to it, with costs and savings before it sunk and shown apart (default: "
        f"{default})",
    )


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = _Parser(
        prog="costmodel",
        description="Costs of late intervention and the economics of early help.",
        epilog="The parameters are the shipped set unless --parameters DIR or the "
        "environment variable COSTMODEL_PARAMETERS=DIR names another folder.",
    )
    p.add_argument("--version", action="version", version=f"costmodel {__version__}")
    p.add_argument(
        "--parameters",
        metavar="DIR",
        help="parameter folder to use instead of the shipped one "
        "(default: $COSTMODEL_PARAMETERS, else the shipped set)",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    na = sub.add_parser(
        "new-area",
        help="start a folder for another area: a template of what it must supply, marked TODO",
    )
    na.add_argument("name", help="the area's name in snake_case, e.g. staffordshire")
    na.add_argument(
        "--team-from",
        metavar="AREA",
        help="start the area's team from another area's team.yaml, declared as borrowed "
        "(every output then says so; a value you change becomes the area's own); its "
        "reported counts are left behind and its size-dependent values rescaled by "
        "--population; no programme file is written",
    )
    na.add_argument(
        "--population",
        type=int,
        metavar="N",
        help="the area's population: fills it in (its source stays to fill in) and "
        "rescales a borrowed team's size-dependent values",
    )
    na.add_argument(
        "--derive-total",
        action="store_true",
        help="no published late-intervention figure for the area: derive it from the "
        "national cost per person × --population, marked derived, with the spread "
        "across councils as its range",
    )

    ap = sub.add_parser(
        "app",
        help="serve the commissioners' app (no code) until Ctrl-C or SIGTERM",
        description="Serve the commissioners' app with Voilà: a kernel for each visitor, "
        "up to --max-sessions at once. Stops its server, kernels and temporary folder on "
        "Ctrl-C (exit 0) or SIGTERM (exit 143). See docs/serving.md for serving it to a "
        "room: a password, a reverse proxy, systemd or a container.",
    )
    ap.add_argument("--area", help=AREA_HELP)
    ap.add_argument(
        "--ip",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on (default: %(default)s, this machine only; 0.0.0.0 for "
        "every interface, with --password-file)",
    )
    ap.add_argument("--port", type=int, default=8866, help="port (default: %(default)s)")
    ap.add_argument(
        "--base-url",
        default="/",
        metavar="PATH",
        help="the path the app is served under, behind a reverse proxy (default: %(default)s)",
    )
    ap.add_argument(
        "--password-file",
        metavar="PATH",
        help="a file whose first line is the password visitors type to open the app "
        "(default: no password)",
    )
    ap.add_argument(
        "--max-sessions",
        type=int,
        default=DEFAULT_MAX_SESSIONS,
        metavar="N",
        help="visitors served at once, a kernel each; the next is shown a page saying the "
        "app is busy (default: %(default)s)",
    )
    ap.add_argument(
        "--cull-idle",
        type=float,
        default=DEFAULT_CULL_IDLE_MINUTES,
        metavar="MINUTES",
        help="shut down a visitor's kernel after this many minutes without activity, even "
        "with the page still open; 0 never (default: %(default)s)",
    )

    v = sub.add_parser("validate", help="check parameter files; exit non-zero on any problem")
    v.add_argument("path", nargs="?", help="a parameter folder or file (default: the shipped set)")

    b = sub.add_parser("baseline", help="an area's annual cost of late intervention")
    b.add_argument("--area", help=AREA_HELP)
    b.add_argument(
        "--price-year",
        metavar="YYYY/YY",
        help="express figures in this financial year's prices (default: as published)",
    )
    b.add_argument("--by", choices=("issue", "agency", "both"), default="both")
    b.add_argument("--format", choices=("table", "csv", "json"), default="table")
    b.add_argument(
        "--bottom-up",
        action="store_true",
        help="also show the bottom-up view (counts × unit costs) and its reconciliation",
    )

    r = sub.add_parser("reach", help="simulate the families the early-intervention team reaches")
    r.add_argument("--area", help=AREA_HELP)
    r.add_argument(
        "--scenario",
        default=None,
        help="scenario name or YAML file (default: calibrated, the team calibrated to its "
        "reports; 'central' is the stored, uncalibrated parameters)",
    )
    r.add_argument("--runs", type=int, default=10_000, help="replications (default: %(default)s)")
    r.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)"
    )
    r.add_argument(
        "--fixed-parameters",
        action="store_true",
        help="central parameter values in every run (chance only, no parameter uncertainty)",
    )
    r.add_argument("--format", choices=("table", "csv", "json"), default="table")

    c = sub.add_parser(
        "calibrate",
        help="update the team's uncertain parameters on the counts it reported",
    )
    c.add_argument("--area", help=AREA_HELP)
    c.add_argument(
        "--observed",
        action="append",
        metavar="families=N[,children=N],weeks=W",
        help="a reported count from the start: families (and children) supported in the "
        "first W weeks; repeat for several (default: team.observed)",
    )
    c.add_argument(
        "--reporting-error",
        type=float,
        help="relative error of a report (default: team.observed.reporting_error)",
    )
    c.add_argument(
        "--scenario",
        default=None,
        help="the prior: a scenario name or YAML file (default: the stored parameters)",
    )
    c.add_argument(
        "--runs", type=int, default=20_000, help="runs from the prior (default: %(default)s)"
    )
    c.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)"
    )
    c.add_argument(
        "--save",
        metavar="SCENARIO.yaml",
        help="write the calibrated scenario there, with its posterior draws beside it",
    )
    c.add_argument("--force", action="store_true", help="replace existing files")
    c.add_argument("--format", choices=("table", "json"), default="table")

    sc = sub.add_parser("scenarios", help="list the area's scenarios")
    sc.add_argument("--area", help=AREA_HELP)

    pr = sub.add_parser("project", help="savings, NPV and benefit-cost ratio under a scenario")
    pr.add_argument("--area", help=AREA_HELP)
    pr.add_argument("--scenario", default=None)
    pr.add_argument(
        "--draws",
        type=int,
        default=10_000,
        help="Monte Carlo draws; 1 gives the deterministic result",
    )
    pr.add_argument("--seed", type=int, default=DEFAULT_SEED)
    _appraisal_options(pr)
    _decision_date(pr)
    pr.add_argument("--format", choices=("table", "csv", "json"), default="table")
    pr.add_argument("--progress", action="store_true", help="show a progress bar")

    rl = sub.add_parser(
        "replicate",
        help="published appraisals rebuilt from their own inputs, beside the published figures",
    )
    rl.add_argument("--area", help=AREA_HELP)
    rl.add_argument("--draws", type=int, default=4000)
    rl.add_argument("--seed", type=int, default=DEFAULT_SEED)
    rl.add_argument("--format", choices=("table", "json"), default="table")

    cm = sub.add_parser("compare", help="scenarios side by side")
    cm.add_argument("--area", help=AREA_HELP)
    cm.add_argument("names", nargs="+", metavar="SCENARIO")
    cm.add_argument("--draws", type=int, default=2000)
    cm.add_argument("--seed", type=int, default=DEFAULT_SEED)
    _appraisal_options(cm)
    _decision_date(cm)
    cm.add_argument(
        "--counterfactual",
        metavar="SCENARIO",
        help="show each scenario less this one (incremental), e.g. successor_stop",
    )
    cm.add_argument("--format", choices=("table", "csv", "json"), default="table")

    op = sub.add_parser(
        "options",
        help="the decision in front of the board: options from the decision date, "
        "against the counterfactual, and who should pay",
    )
    op.add_argument("--area", help=AREA_HELP)
    op.add_argument(
        "--decision",
        default=None,
        help="a decision in the area's decisions/ folder, or a file (default: successor)",
    )
    _decision_date(op, "the decision file's date (today unless it gives one)")
    op.add_argument("--draws", type=int, default=2000)
    op.add_argument("--seed", type=int, default=DEFAULT_SEED)
    op.add_argument("--format", choices=("table", "json"), default="table")

    up = sub.add_parser(
        "update",
        help="update the effects on the team's own monitoring data (prior against "
        "posterior) and appraise the decision's options on the posterior",
    )
    up.add_argument("--area", help=AREA_HELP)
    up.add_argument(
        "--monitoring", required=True, metavar="CSV", help="counts in the monitoring template"
    )
    up.add_argument(
        "--decision", default=None, help="the decision to appraise (default: successor)"
    )
    _decision_date(up, "the decision file's date (today unless it gives one)")
    up.add_argument("--draws", type=int, default=1000)
    up.add_argument("--seed", type=int, default=DEFAULT_SEED)
    up.add_argument("--format", choices=("table", "json"), default="table")

    rp = sub.add_parser("report", help="the PDF report for finance staff (and an Excel workbook)")
    rp.add_argument(
        "--scenario",
        action="extend",
        nargs="+",
        metavar="NAME",
        help="scenario(s) to report, by name or YAML file; the first is reported "
        "in full (default: calibrated)",
    )
    rp.add_argument(
        "--compare",
        nargs="+",
        metavar="NAME",
        help="scenarios set side by side (default: every shipped scenario when "
        "one is reported, else those reported)",
    )
    rp.add_argument("--area", help=AREA_HELP)
    rp.add_argument(
        "--draws", type=int, default=10_000, help="Monte Carlo draws (default: %(default)s)"
    )
    rp.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)"
    )
    _appraisal_options(rp)
    rp.add_argument(
        "--nominal",
        action="store_true",
        help="add year-by-year cash flows in nominal (cash) prices",
    )
    rp.add_argument(
        "--stance",
        choices=["ex-post", "in-flight", "ex-ante"],
        help="whether the paper evaluates a programme that has run (ex post), reviews one "
        "under way, or appraises one to come (default: from the report's date and the "
        "programme's dates)",
    )
    rp.add_argument(
        "--out",
        metavar="PATH",
        help="PDF to write (default: AREA-SCENARIO.pdf in the current folder)",
    )
    _decision_date(rp, "the area's decision file's date, else today: the report's decision section")
    rp.add_argument("--xlsx", metavar="PATH", help="also write the tables as an Excel workbook")
    rp.add_argument(
        "--note",
        metavar="PATH",
        help="the technical note to write (default: beside the PDF, NAME-technical-note.pdf)",
    )
    rp.add_argument(
        "--sensitivity-runs",
        type=int,
        default=SENSITIVITY_RUNS,
        metavar="N",
        help="team-simulation runs behind each point of the sensitivity analysis and the "
        "risk register (default: %(default)s; fewer is quicker and coarser)",
    )
    rp.add_argument("--force", action="store_true", help="replace existing files")
    rp.add_argument("--quiet", action="store_true", help="no progress messages")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (errors are one line each on stderr)."""

    def terminate(signum: int, frame: FrameType | None) -> NoReturn:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        return _run(argv)
    except KeyboardInterrupt:
        print("costmodel: stopped: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print("costmodel: stopped: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(argv: Sequence[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
    except UsageError as exc:
        print(f"costmodel: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        _check_options(args)
        _default_scenario(args)
        if args.command == "validate":
            return _validate(args)
        if args.command == "app":
            return _app(args)
        if args.command == "new-area":
            print(_new_area(args), end="")
            return 0
        text = {
            "baseline": _baseline,
            "reach": _reach,
            "calibrate": _calibrate,
            "scenarios": _scenarios,
            "project": _project,
            "replicate": _replicate,
            "compare": _compare,
            "options": _options,
            "update": _update,
            "report": _report,
        }[args.command](args)
    except CostModelError as exc:
        for line in str(exc).splitlines():
            print(f"costmodel: error: {line}", file=sys.stderr)
        return EXIT_INPUT
    except MemoryError:
        print("costmodel: error: out of memory; ask for fewer draws or runs", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:
        if os.environ.get("COSTMODEL_DEBUG"):
            raise
        line = " ".join(f"{type(exc).__name__}: {exc}".split())
        print(f"costmodel: internal error: {line} (COSTMODEL_DEBUG=1 shows where)", file=sys.stderr)
        return EXIT_INPUT
    sys.stdout.write(text)
    return 0


def _date(text: str) -> dt.date:
    """A YYYY-MM-DD date from the command line."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _check_options(args: argparse.Namespace) -> None:
    """The numbers on the command line, checked against their documented ranges."""
    from .params.limits import check_draws, check_horizon, check_runs, check_seed

    for name, check in (
        ("draws", check_draws),
        ("runs", check_runs),
        ("horizon", check_horizon),
        ("years_after_support", check_horizon),
        ("seed", check_seed),
    ):
        value = getattr(args, name, None)
        if value is not None:
            check(value, f"--{name.replace('_', '-')}")


def _app(args: argparse.Namespace) -> int:
    """Serve the app with Voilà (see :mod:`costmodel.present.serve`) until Ctrl-C or
    SIGTERM; then stop the server and its kernels and remove the temporary folder."""
    import subprocess
    import tempfile
    from pathlib import Path

    from .params.store import load
    from .present.app import app_notebook
    from .present.serve import Settings, read_password

    _check_app_options(args)
    load(area=args.area, root=args.parameters)  # bad parameters fail here, in one line
    if args.password_file:
        read_password(args.password_file)  # an unusable file fails here, in one line
    elif args.ip not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"costmodel app: warning: serving on {args.ip} without --password-file: "
            "anyone who can reach this machine can use the app",
            file=sys.stderr,
        )
    base_url = "/" + args.base_url.strip("/") + "/" if args.base_url.strip("/") else "/"
    host = f"[{args.ip}]" if ":" in args.ip else args.ip
    url = f"http://{host}:{args.port}{base_url}"
    folder: Path | None = None
    server: subprocess.Popen | None = None
    code, stopped_by = 0, None
    try:
        folder = Path(tempfile.mkdtemp(prefix="costmodel-app-"))
        notebook = folder / "costmodel.ipynb"
        notebook.write_text(app_notebook(args.area, args.parameters), encoding="utf-8")
        settings = Settings(
            notebook=str(notebook),
            folder=str(folder),
            ip=args.ip,
            port=args.port,
            base_url=base_url,
            password_file=str(Path(args.password_file).resolve()) if args.password_file else None,
            max_sessions=args.max_sessions,
            cull_idle_minutes=args.cull_idle,
        )
        settings.write(folder / "settings.json")
        command = [sys.executable, "-m", "costmodel.present.serve", str(folder / "settings.json")]
        print(f"costmodel app: {url}  (Ctrl-C stops it)", flush=True)
        with (folder / "server.log").open("wb") as log:
            # a session of its own: Ctrl-C in the terminal reaches this process only,
            # which stops the server and its kernels in order
            server = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=log,
                cwd=folder,
                start_new_session=True,
            )
            code = _wait_for(server)
    except KeyboardInterrupt:
        stopped_by = "interrupted"
    except Terminated:
        stopped_by = "terminated"
    finally:
        err = _stop_app(server, folder)
    if stopped_by == "terminated":
        raise Terminated()
    if stopped_by:
        print("costmodel app: stopped", flush=True)
        return 0
    if code:
        last = err.splitlines()[-1] if err else f"exit code {code}"
        print(f"costmodel: error: the app server stopped: {last}", file=sys.stderr)
        return EXIT_INPUT
    return 0


def _wait_for(server: subprocess.Popen) -> int:
    """The server's exit code, once it stops. Waited for in short polls, not one blocking
    wait: this process has threads besides the main one (started by the libraries it
    imports), and a Ctrl-C or SIGTERM the system gives one of them is acted on only when
    the main thread next runs Python, which a blocking wait would put off until the
    server stopped by itself."""
    import subprocess

    while True:
        try:
            return server.wait(timeout=WAIT_POLL_SECONDS)
        except subprocess.TimeoutExpired:
            continue


def _check_app_options(args: argparse.Namespace) -> None:
    """``costmodel app``'s options, each refused in one line."""
    import socket

    from .params.errors import ParameterError, Problem

    if not 0 < args.port < 65536:
        raise ParameterError(Problem("", "--port", f"{args.port} is not a port"))
    if args.max_sessions < 1:
        raise ParameterError(
            Problem("", "--max-sessions", f"{args.max_sessions}: give 1 or more visitors")
        )
    if not 0 <= args.cull_idle < 1e6:
        raise ParameterError(
            Problem("", "--cull-idle", f"{args.cull_idle}: give minutes, 0 or more (0: never)")
        )
    if any(c in args.base_url for c in "?#\\ ") or not args.base_url.startswith("/"):
        raise ParameterError(
            Problem("", "--base-url", f"{args.base_url!r}: give a path such as /costmodel/")
        )
    family = socket.AF_INET6 if ":" in args.ip else socket.AF_INET
    try:
        with socket.socket(family) as s:
            s.bind((args.ip, args.port))
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ParameterError(
            Problem("", "--ip/--port", f"cannot listen on {args.ip} port {args.port}: {reason}")
        ) from None


def _stop_app(server: subprocess.Popen | None, folder: Path | None) -> str:
    """Stop the app server and every kernel it started; remove the temporary folder;
    return the server's log. A second Ctrl-C or SIGTERM meanwhile does not cut it short."""
    import shutil
    import subprocess

    from .present.files import held_signals

    with held_signals():
        kernels = []
        if server is not None and server.poll() is None:
            try:
                import psutil

                kernels = psutil.Process(server.pid).children(recursive=True)
            except Exception:  # the server has just gone: nothing left to find
                kernels = []
            server.terminate()  # Voilà shuts its kernels down on SIGTERM
            try:
                server.wait(timeout=APP_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        for k in kernels:  # any the server did not stop in time
            try:
                k.kill()
                k.wait(timeout=5)
            except Exception:  # already gone
                pass
        err = ""
        if folder is not None:
            log = folder / "server.log"
            err = log.read_text(errors="replace").strip() if log.is_file() else ""
            shutil.rmtree(folder, ignore_errors=True)
    # signals held while stopping are acted on here: a SIGTERM now still exits 143
    return err


def _new_area(args: argparse.Namespace) -> str:
    import shutil
    from pathlib import Path

    from .params.errors import ParameterError, Problem
    from .params.schema import check_name
    from .params.store import default_root, read_parameter_file
    from .present.files import write_files
    from .present.labels import area_label
    from .present.templates import NATIONAL, area_files, borrowed_team, derived_total

    root = Path(args.parameters) if args.parameters else default_root()
    if not check_name(args.name):
        raise ParameterError(
            Problem("", "new-area", f"{args.name!r} must be snake_case (a-z, 0-9, _)")
        )
    folder = root / "areas" / args.name
    if folder.exists():
        raise ParameterError(
            Problem(str(folder), "new-area", "already exists; choose another name")
        )
    if args.population is not None and not 1 <= args.population <= 100_000_000:
        raise ParameterError(
            Problem("", "--population", f"{args.population} is not a number of people")
        )
    if args.derive_total and args.population is None:
        raise ParameterError(
            Problem("", "--derive-total", "needs the area's population: --population N")
        )

    def national(rel: str, area: str | None = None) -> dict:
        file = root / rel
        params, problems = read_parameter_file(file, root)
        if problems:
            raise ParameterError(problems)
        return {p.path: p for p in params}

    total = None
    if args.derive_total:
        total = derived_total(
            area_label(args.name), args.population, national(f"areas/{NATIONAL}.yaml")
        )
    files = {
        root / rel: text.encode()
        for rel, text in area_files(
            args.name, args.population, total, programme=not args.team_from
        ).items()
    }
    if args.team_from:
        lender = root / "areas" / args.team_from / "team.yaml"
        if not lender.is_file():
            raise ParameterError(
                Problem(str(lender), "--team-from", f"area {args.team_from!r} has no team.yaml")
            )
        lent = national(f"areas/{args.team_from}/area.yaml")
        files[folder / "team.yaml"] = borrowed_team(
            lender.read_text(encoding="utf-8"),
            str(lender),
            args.team_from,
            float(lent[f"areas.{args.team_from}.population"].value),
            args.population,
        ).encode()
    try:
        for path in files:
            path.parent.mkdir(parents=True, exist_ok=True)
        written = write_files(files)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # nothing half-written
        raise
    lines = [f"wrote {p}" for p in written]
    if total is not None:
        lines.append(f"derived the late-intervention total: £{total['value']:,} (see its method)")
    if args.team_from:
        lines.append(
            f"borrowed {args.team_from}'s team: change a value to make it the area's own; "
            "its reported counts were not copied"
        )
    lines += [
        "",
        "Fill in every TODO (a value and its source), then:",
        f"  costmodel --parameters {root} validate",
        f"  costmodel --parameters {root} baseline --area {args.name}",
        f"  costmodel --parameters {root} report --area {args.name} --scenario central",
    ]
    return "\n".join(lines) + "\n"


def _validate(args: argparse.Namespace) -> int:
    from .model.validation import validate
    from .params.store import default_root

    checked = args.path or args.parameters or default_root()
    problems = validate(checked)
    for p in problems:
        print(str(p), file=sys.stderr)
    if problems:
        print(f"costmodel: {len(problems)} problem(s) found in {checked}", file=sys.stderr)
        return EXIT_INPUT
    print(f"ok: {checked} is valid")
    return 0


def _baseline(args: argparse.Namespace) -> str:
    from .model.late_intervention import baseline
    from .present import text

    params = _params(args)
    result = baseline(params, args.area, args.price_year)
    if args.format == "json":
        d = result.to_dict()
        if args.by == "issue":
            d.pop("by_agency")
        elif args.by == "agency":
            d.pop("by_issue")
        else:
            d["by_issue_and_agency"] = {
                i: {a: int(v) for a, v in row.items()} for i, row in result.table.iterrows()
            }
        if args.bottom_up and result.bottom_up is not None:
            d["bottom_up"] = json.loads(result.bottom_up.to_json(orient="records"))
        return json.dumps(d, indent=2) + "\n"
    if args.format == "csv":
        return text.baseline_csv(result, args.by)
    return text.baseline_table(result, args.by, args.bottom_up)


def _default_scenario(args: argparse.Namespace) -> None:
    """Commands that show the team's results default to the calibrated scenario."""
    from .params.scenarios import default_scenario

    if args.command in ("reach", "project") and args.scenario is None:
        args.scenario = default_scenario(args.parameters, getattr(args, "area", None))
    if args.command == "report" and not args.scenario:
        args.scenario = [
            default_scenario(args.parameters, getattr(args, "area", None)) or "central"
        ]


def _params(args: argparse.Namespace) -> ParameterSet:
    from .params.scenarios import apply_scenario
    from .params.store import load

    return apply_scenario(
        load(area=getattr(args, "area", None), root=args.parameters),
        getattr(args, "scenario", None),
    )


def _scenarios(args: argparse.Namespace) -> str:
    from .params.scenarios import list_scenarios
    from .present import text

    return text.scenario_list(list_scenarios(args.parameters, getattr(args, "area", None)))


def _reach(args: argparse.Namespace) -> str:
    from .model.team import reach
    from .params.errors import ParameterError, Problem
    from .present import text
    from .present.content import borrowed_lines

    if args.runs < 1:
        raise ParameterError(Problem("", "--runs", "must be at least 1"))
    params = _params(args)
    if "team.budget.total" not in params:
        raise ParameterError(
            Problem(
                "",
                "team",
                f"the area {params.area!r} has no team (areas/{params.area}/team.yaml): "
                "reach simulates a team; its programmes are appraised by project",
            )
        )
    res = reach(
        params,
        runs=args.runs,
        seed=args.seed,
        parameter_uncertainty=not args.fixed_parameters,
    )
    borrowed = borrowed_lines(params)
    if args.format == "json":
        d = res.to_dict()
        d["borrowed"] = borrowed
        d["scenario"] = args.scenario or "central"
        d["parameter_uncertainty"] = not args.fixed_parameters
        return json.dumps(d, indent=2) + "\n"
    if args.format == "csv":
        return text.reach_csv(res)
    return "".join(f"Borrowed: {line}\n" for line in borrowed) + text.reach_table(
        res,
        seed=args.seed,
        scenario=args.scenario,
        parameter_uncertainty=not args.fixed_parameters,
    )


def _calibrate(args: argparse.Namespace) -> str:
    from .model.calibration import calibrate
    from .present.calibration import calibration_text, scenario_files
    from .present.files import check_writable, write_files

    observations = None
    if args.observed:
        observations = [_observation(text, i) for i, text in enumerate(args.observed, 1)]
    files = {}
    if args.save:
        from pathlib import Path

        from .present.calibration import draws_name

        save = Path(args.save)
        if save.suffix not in (".yaml", ".yml"):
            raise UsageError(f"--save {args.save}: a scenario file ends in .yaml")
        check_writable([save, save.with_name(draws_name(save))], args.force)
    cal = calibrate(
        _params(args),
        observations=observations,
        reporting_error=args.reporting_error,
        runs=args.runs,
        seed=args.seed,
    )
    if args.save:
        based_on = args.scenario if args.scenario and "/" not in args.scenario else "central"
        files = scenario_files(cal, args.save, based_on=based_on)
        write_files(files, force=args.force)
    if args.format == "json":
        d = cal.to_dict()
        d["saved"] = [str(f) for f in files]
        return json.dumps(d, indent=2) + "\n"
    text = calibration_text(cal)
    if files:
        text += "".join(f"wrote {f}\n" for f in files)
    return text


def _observation(text: str, number: int) -> Observation:
    """``families=830,children=1541,weeks=113`` as an Observation."""
    from .model.team import Observation

    fields: dict[str, float] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in ("families", "children", "weeks", "name"):
            raise UsageError(
                f"--observed {text}: write families=N[,children=N],weeks=W (got {part!r})"
            )
        if key == "name":
            continue
        try:
            fields[key] = float(value)
        except ValueError:
            raise UsageError(f"--observed {text}: {key} must be a number, got {value!r}") from None
    if "families" not in fields or "weeks" not in fields:
        raise UsageError(f"--observed {text}: give at least families=N and weeks=W")
    if fields["weeks"] != int(fields["weeks"]) or fields["weeks"] < 1:
        raise UsageError(f"--observed {text}: weeks must be a whole number of at least 1")
    return Observation(
        name=f"observed_{number}",
        weeks=int(fields["weeks"]),
        families=fields["families"],
        children=fields.get("children"),
    )


def _progress_bar(label: str) -> Callable[[Iterable[int]], Iterable[int]]:
    """A tqdm wrapper for the simulation's time loop, on standard error."""
    from tqdm import tqdm

    return lambda steps: tqdm(steps, desc=label, unit="week", file=sys.stderr, leave=False)


def _replicate(args: argparse.Namespace) -> str:
    from .analysis.replication import replicate_all
    from .params.store import load
    from .present import text

    params = load(area=getattr(args, "area", None), root=args.parameters)
    reps = replicate_all(params, draws=args.draws, seed=args.seed)
    if args.format == "json":
        return json.dumps({k: r.to_dict() for k, r in reps.items()}, indent=2) + "\n"
    return text.replication_table(reps, seed=args.seed)


def _projection(args: argparse.Namespace, params: ParameterSet) -> Projection:
    """``costmodel project``'s appraisal, with progress bars on standard error if asked."""
    from .model.projection import project

    bar = None
    if args.progress:
        from tqdm import tqdm

        bar = tqdm(total=args.draws, desc="appraising", unit="draw", file=sys.stderr, leave=False)
    try:
        return project(
            params,
            args.scenario,
            draws=args.draws,
            seed=args.seed,
            horizon=args.horizon,
            years_after_support=args.years_after_support,
            base_date=args.base_date,
            price_year=args.price_year,
            decision_date=args.decision_date,
            progress=_progress_bar("simulating the team") if args.progress else None,
            central=True,
            on_chunk=bar.update if bar is not None else None,
        )
    finally:
        if bar is not None:
            bar.close()


def _project(args: argparse.Namespace) -> str:
    from .model.projection import published_returns
    from .model.savings import family_cost_reconciliation
    from .params.scenarios import apply_scenario
    from .params.store import load
    from .present import text
    from .present.content import borrowed_lines

    params = load(area=getattr(args, "area", None), root=args.parameters)
    res = _projection(args, params)
    scenario_params = apply_scenario(params, args.scenario)
    recon = family_cost_reconciliation(scenario_params, res.price_year)
    published = published_returns(scenario_params, res)
    borrowed = borrowed_lines(params)
    if args.format == "json":
        d = res.to_dict()
        d["borrowed"] = borrowed
        d["family_cost_reconciliation"] = {
            k: float(v) for k, v in recon["yearly_cost_per_family"].items()
        }
        d["published_returns"] = {
            k: {c: (r[c] if c == "source" else float(r[c])) for c in published.columns}
            for k, r in published.iterrows()
        }
        return json.dumps(d, indent=2) + "\n"
    if args.format == "csv":
        return text.projection_csv(res)
    return text.projection_table(
        res, seed=args.seed, borrowed=borrowed, reconciliation=recon, published=published
    )


def _compare(args: argparse.Namespace) -> str:
    from .model.projection import compare
    from .params.store import load
    from .present import text

    params = load(area=getattr(args, "area", None), root=args.parameters)
    if args.counterfactual:
        from .params.decisions import DecisionSpec

        options = [n for n in args.names if n != args.counterfactual]
        spec = DecisionSpec(
            name="compare",
            description=f"{', '.join(options)} against {args.counterfactual}",
            counterfactual=args.counterfactual,
            options=tuple(options),
            decision_date=args.decision_date,
        )
        return _options_text(_appraise(params, spec, args), args, brief=True)
    table = compare(
        params,
        args.names,
        draws=args.draws,
        seed=args.seed,
        horizon=args.horizon,
        years_after_support=args.years_after_support,
        base_date=args.base_date,
        price_year=args.price_year,
        decision_date=args.decision_date,
    )
    if args.format == "json":
        return table.to_json(indent=2) + "\n"
    if args.format == "csv":
        return table.to_csv(lineterminator="\n")
    return text.comparison_table(table, draws=args.draws, seed=args.seed)


def _appraise(
    params: ParameterSet, spec: DecisionSpec, args: argparse.Namespace
) -> OptionsAppraisal:
    from .model.decision import appraise_options

    settings = {
        k: getattr(args, k)
        for k in ("horizon", "years_after_support", "base_date", "price_year")
        if getattr(args, k, None) is not None
    }
    return appraise_options(
        params,
        spec,
        draws=args.draws,
        seed=args.seed,
        decision_date=args.decision_date,
        **settings,
    )


def _options(args: argparse.Namespace) -> str:
    from .params.decisions import DEFAULT_DECISION, load_decision
    from .params.store import load

    params = load(area=getattr(args, "area", None), root=args.parameters)
    spec = load_decision(args.decision or DEFAULT_DECISION, args.parameters, params.area)
    return _options_text(_appraise(params, spec, args), args)


def _update(args: argparse.Namespace) -> str:
    """Prior against posterior for each monitored outcome, the decision's options before
    and after, and what a larger local sample would be worth."""
    from .analysis.monitoring import sample_size_value, update, updated_parameters
    from .params.decisions import DEFAULT_DECISION, load_decision
    from .params.monitoring import read_monitoring
    from .params.scenarios import apply_scenario
    from .params.store import load
    from .present import text

    params = load(area=getattr(args, "area", None), root=args.parameters)
    spec = load_decision(args.decision or DEFAULT_DECISION, args.parameters, params.area)
    monitoring = read_monitoring(args.monitoring)
    # the prior: the effects as the first option applies them to the team
    first = apply_scenario(params, spec.options[0])
    result = update(first, monitoring, seed=args.seed)
    before = _appraise(params, spec, args)
    after = _appraise(updated_parameters(params, result), spec, args)
    best = after.incremental()["npv"].idxmax()
    worth = {
        o: sample_size_value(after.projections[best], o, params=first) for o in monitoring.outcomes
    }
    if args.format == "json":
        return (
            json.dumps(
                {
                    "monitoring": monitoring.file,
                    "update": json.loads(result.table.to_json(orient="index")),
                    "before": before.to_dict()["incremental"],
                    "after": after.to_dict()["incremental"],
                    "sample_size_value": {
                        o: json.loads(w.to_json(orient="records")) for o, w in worth.items()
                    },
                    "sample_size_value_for": best,
                },
                indent=2,
            )
            + "\n"
        )
    return text.update_table(
        result,
        monitoring_file=monitoring.file,
        before=before,
        after=after,
        worth=worth,
        best=best,
        draws=args.draws,
    )


def _options_text(res: OptionsAppraisal, args: argparse.Namespace, brief: bool = False) -> str:
    """A decision's tables as text, JSON or CSV, as ``--format`` asks."""
    from .present import text

    if args.format == "json":
        return json.dumps(res.to_dict(), indent=2) + "\n"
    if args.format == "csv":
        return res.incremental().to_csv(lineterminator="\n")
    return text.options_table(res, draws=args.draws, seed=args.seed, brief=brief)


def _report(args: argparse.Namespace) -> str:
    from pathlib import Path

    from .analysis.report import report_content
    from .params.errors import ParameterError, Problem
    from .params.limits import check_runs
    from .params.store import load
    from .present.files import check_writable

    scenarios = args.scenario
    from .model.late_intervention import default_area

    params = load(area=getattr(args, "area", None), root=args.parameters)
    area = args.area or default_area(params)
    if area is None:
        raise ParameterError(
            Problem("", "--area", "the parameters hold several areas; name one with --area")
        )
    out = Path(args.out or f"{area}-{Path(scenarios[0]).stem}.pdf")
    note = Path(args.note or out.with_name(f"{out.stem}-technical-note.pdf"))
    targets = [out, *([Path(args.xlsx)] if args.xlsx else []), note]
    check_runs(args.sensitivity_runs, "--sensitivity-runs")
    check_writable(targets, args.force)  # before the minutes of computing

    def say(step: str) -> None:
        if not args.quiet:
            print(f"costmodel: {step}", file=sys.stderr)

    content = report_content(
        params,
        scenarios,
        area=area,
        draws=args.draws,
        seed=args.seed,
        price_year=args.price_year,
        horizon=args.horizon,
        years_after_support=args.years_after_support,
        base_date=args.base_date,
        compare=args.compare,
        nominal=args.nominal,
        stance=args.stance.replace("-", "_") if args.stance else None,
        decision_date=args.decision_date,
        sensitivity_runs=args.sensitivity_runs,
        progress=say,
    )
    say("laying out the report")
    say("the technical note")
    from .analysis.replication import replicate_all
    from .present.files import write_files
    from .present.note import REPLICATION_DRAWS
    from .present.pdf import report_bytes

    def replications() -> Mapping[str, Any]:  # run where the note is laid out
        return replicate_all(params, draws=min(args.draws, REPLICATION_DRAWS), seed=args.seed)

    # every file laid out before any is written; then all of them, or none
    made = report_bytes(content, workbook=bool(args.xlsx), note=True, replications=replications)
    blobs = {out: made["pdf"], **({Path(args.xlsx): made["xlsx"]} if args.xlsx else {})}
    written = write_files({**blobs, note: made["note"]}, args.force)
    return "".join(f"wrote {p}\n" for p in written)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
