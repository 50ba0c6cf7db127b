"""How long the report takes: `make run`'s board paper, workbook and technical note.

Times the report on the calibrated case as `make run` writes it (10,000 draws, every
shipped scenario compared, the decision's options), stage by stage, against the previous
pipeline measured in the same run: every scenario's team simulation run anew, nothing
kept between steps and every sensitivity point in this one process (the same PDF,
workbook and note stages follow). The figures are also timed in one process
(``COSTMODEL_WORKERS=1``), with the team simulations kept, to show what the worker
processes add. All three must give the same numbers, bit for bit. A small report runs
first, untimed, so that what a process pays once falls on none of them.

    python benchmarks/bench_report.py [--draws N] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager

import costmodel
from costmodel.analysis.parallel import WORKERS_VARIABLE, workers
from costmodel.analysis.report import report_content
from costmodel.present.note import REPLICATION_DRAWS, note_bytes, note_replications
from costmodel.present.pdf import pdf_bytes
from costmodel.present.workbook import workbook_bytes


def timed(f, *args, **kwargs):
    start = time.perf_counter()
    out = f(*args, **kwargs)
    return time.perf_counter() - start, out


@contextmanager
def one_process():
    """Every sensitivity point evaluated in this process."""
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
    """The same NPVs, tornado, switching values and board's case, bit for bit."""
    npvs = all(
        (a.projections[s].appraisal.npv == b.projections[s].appraisal.npv).all() for s in a.compared
    )
    tables = [
        (a.tornado, b.tornado),
        (a.switching, b.switching),
        (a.decision.incremental(), b.decision.incremental()),
    ]
    if a.board is not None:
        tables += [(a.board.options, b.board.options), (a.board.risks, b.board.risks)]
    return npvs and all(x.equals(y) for x, y in tables)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws (default 10000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = ap.parse_args(argv)
    params = costmodel.load()
    settings = dict(draws=args.draws, seed=args.seed)
    # what the first report in a process alone pays (imports, files read once) is not
    # timed: a small report first
    report_content(params, ["calibrated"], draws=200, seed=args.seed)
    t_content, content = timed(report_content, params, ["calibrated"], **settings)
    t_pdf, pdf = timed(pdf_bytes, content)
    t_xlsx, xlsx = timed(workbook_bytes, content)
    t_reps, reps = timed(note_replications, content, REPLICATION_DRAWS)
    t_note, note = timed(note_bytes, content, reps)
    total = t_content + t_pdf + t_xlsx + t_reps + t_note
    with one_process():
        t_serial, serial = timed(report_content, params, ["calibrated"], **settings)
        t_ref, ref = timed(
            report_content, params, ["calibrated"], share_simulations=False, **settings
        )
    same = same_figures(content, serial) and same_figures(content, ref)
    ref_total = t_ref + t_pdf + t_xlsx + t_reps + t_note
    print(
        f"report on calibrated, {args.draws:,} draws, {len(content.compared)} scenarios "
        f"compared, {len(pdf) / 1e6:.1f} MB PDF, {len(xlsx) / 1e6:.1f} MB workbook"
    )
    print(
        f"figures (projections, sensitivity, value of information): {t_content:.1f} s "
        f"({workers(os.cpu_count() or 1)} worker processes)"
    )
    print(f"PDF layout and charts: {t_pdf:.1f} s")
    print(f"workbook: {t_xlsx:.1f} s")
    print(
        f"technical note: replications {t_reps:.1f} s, layout {t_note:.1f} s "
        f"({len(note) / 1e6:.1f} MB)"
    )
    print(f"total (make run's report step, less loading the parameters): {total:.1f} s")
    print(f"figures in one process, team simulations kept: {t_serial:.1f} s")
    print(
        f"previous pipeline: figures {t_ref:.1f} s (every team simulation run anew, "
        f"one process), total {ref_total:.1f} s"
    )
    print(
        f"speed ratio: figures {t_ref / t_content:.2f}x, total {ref_total / total:.2f}x "
        f"(same figures, bit for bit: {same})"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
