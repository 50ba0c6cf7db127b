"""How long the report takes: `make run`'s board paper, workbook and technical note.

Times the report on the calibrated case as `make run` writes it (10,000 draws, every
shipped scenario compared, the decision's options) as ``costmodel report`` does it: the
figures (the projections in this process, the sensitivity analysis and the decision's
options in a second one), then the files (the paper laid out here while the workbook
and the technical note, its replications first, are made in processes of their own). Against
it, in the same run, the previous pipeline: the team simulation's previous step
(``previous_team_engine.py``), every team simulation run anew, nothing kept between
steps, everything in this one process, the files one after another. The figures are also
timed in one process with the team simulations kept, and each file alone. All must give
the same numbers, bit for bit, and the files made side by side the bytes of those made
alone. A small report runs first, untimed, so that what a process pays once for its
figures falls on none of them (the files' first use of matplotlib and fpdf falls on the
new pipeline). The machine's load average is printed before and after: on a shared
machine, other work slows every figure.

    python benchmarks/bench_report.py [--draws N] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from previous_team_engine import previous_engine

import costmodel
from costmodel.analysis.parallel import WORKERS_VARIABLE, workers
from costmodel.analysis.replication import replicate_all
from costmodel.analysis.report import report_content
from costmodel.present.note import REPLICATION_DRAWS, note_bytes
from costmodel.present.pdf import pdf_bytes, report_bytes
from costmodel.present.workbook import workbook_bytes


def timed(f, *args, **kwargs):
    start = time.perf_counter()
    out = f(*args, **kwargs)
    return time.perf_counter() - start, out


@contextmanager
def one_process():
    """Everything evaluated in this process."""
    before = os.environ.get(WORKERS_VARIABLE)
    os.environ[WORKERS_VARIABLE] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[WORKERS_VARIABLE]
        else:
            os.environ[WORKERS_VARIABLE] = before


def same_figures(a, b) -> bool:
    """The same NPVs, central NPVs, tornado, switching values, value of information and
    board's case, bit for bit."""
    npvs = all(
        (a.projections[s].appraisal.npv == b.projections[s].appraisal.npv).all()
        and a.projections[s].central_npv == b.projections[s].central_npv
        for s in a.compared
    )
    tables = [
        (a.tornado, b.tornado),
        (a.switching, b.switching),
        (a.decision.incremental(), b.decision.incremental()),
    ]
    if a.value_of_information is not None:
        tables.append((a.value_of_information, b.value_of_information))
    if a.board is not None:
        tables += [(a.board.options, b.board.options), (a.board.risks, b.board.risks)]
    tables += [(a.sample_size[k], b.sample_size[k]) for k in a.sample_size]
    return (
        npvs
        and a.sample_size.keys() == b.sample_size.keys()
        and all(x.equals(y) for x, y in tables)
    )


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws (default 10000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = ap.parse_args(argv)
    print(f"load average before: {load()} ({os.cpu_count()} cores)")
    params = costmodel.load()
    settings = dict(draws=args.draws, seed=args.seed)
    # what the first report in a process alone pays (imports, files read once) is not
    # timed: a small report first
    report_content(params, ["calibrated"], draws=200, seed=args.seed)

    # as `costmodel report` makes it (the note's replications run where it is laid out)
    t_content, content = timed(report_content, params, ["calibrated"], **settings)
    reps_draws = min(args.draws, REPLICATION_DRAWS)

    def replications():
        return replicate_all(params, draws=reps_draws, seed=args.seed)

    t_files, made = timed(
        report_bytes, content, workbook=True, note=True, replications=replications
    )
    total = t_content + t_files

    with one_process():
        t_pdf, pdf = timed(pdf_bytes, content)
        t_xlsx, _ = timed(workbook_bytes, content)
        t_reps, reps = timed(replications)
        t_note, note = timed(note_bytes, content, reps)
        t_serial, serial = timed(report_content, params, ["calibrated"], **settings)
        with previous_engine():
            t_ref, ref = timed(
                report_content, params, ["calibrated"], share_simulations=False, **settings
            )
    same = same_figures(content, serial) and same_figures(content, ref)
    same_files = made["pdf"] == pdf and made["note"] == note
    one_by_one = t_pdf + t_xlsx + t_reps + t_note
    ref_total = t_ref + one_by_one
    print(
        f"report on calibrated, {args.draws:,} draws, {len(content.compared)} scenarios "
        f"compared, {len(made['pdf']) / 1e6:.1f} MB PDF, {len(made['xlsx']) / 1e6:.1f} MB "
        f"workbook, {len(made['note']) / 1e6:.1f} MB note"
    )
    print(
        f"figures (projections | sensitivity and the decision's options): {t_content:.1f} s "
        f"({workers(2)} processes)"
    )
    print(
        f"files (paper here | workbook, note beside): {t_files:.1f} s; one by one in one "
        f"process: PDF {t_pdf:.1f} s, workbook {t_xlsx:.1f} s, note {t_note:.1f} s "
        f"(its replications {t_reps:.1f} s)"
    )
    print(f"total (make run's report step, less loading the parameters): {total:.1f} s")
    print(f"figures in one process, team simulations kept: {t_serial:.1f} s")
    print(
        f"previous pipeline: figures {t_ref:.1f} s (the previous team-simulation step, "
        f"every team simulation run anew, one process), files one by one {one_by_one:.1f} s, "
        f"total {ref_total:.1f} s"
    )
    print(
        f"speed ratio: figures {t_ref / t_content:.2f}x, total {ref_total / total:.2f}x "
        f"(same figures, bit for bit: {same}; same files: {same_files})"
    )
    print(f"load average after: {load()}")
    return 0 if same and same_files else 1


if __name__ == "__main__":
    sys.exit(main())
