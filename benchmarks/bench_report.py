"""How long the report takes: `make run`'s board paper, workbook and technical note.

Times the report on the calibrated case as `make run` writes it (10,000 draws, every
shipped scenario compared, the decision's options), stage by stage, and the figures again
as the previous pipeline computed them, with every scenario's team simulation run anew
(the reference: scenarios and options that share the team's parameters share one
simulation in the report), measured in the same run.

    python benchmarks/bench_report.py [--draws N] [--seed S]
"""

from __future__ import annotations

import argparse
import sys
import time

import costmodel
from costmodel.analysis.report import report_content
from costmodel.present.note import REPLICATION_DRAWS, note_bytes, note_replications
from costmodel.present.pdf import pdf_bytes
from costmodel.present.workbook import workbook_bytes


def timed(f, *args, **kwargs):
    start = time.perf_counter()
    out = f(*args, **kwargs)
    return time.perf_counter() - start, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws (default 10000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = ap.parse_args(argv)
    params = costmodel.load()
    settings = dict(draws=args.draws, seed=args.seed)
    t_content, content = timed(report_content, params, ["calibrated"], **settings)
    t_pdf, pdf = timed(pdf_bytes, content)
    t_xlsx, xlsx = timed(workbook_bytes, content)
    t_reps, reps = timed(note_replications, content, REPLICATION_DRAWS)
    t_note, note = timed(note_bytes, content, reps)
    total = t_content + t_pdf + t_xlsx + t_reps + t_note
    t_ref, ref = timed(report_content, params, ["calibrated"], share_simulations=False, **settings)
    same = all(
        float(ref.projections[s].appraisal.npv.mean())
        == float(content.projections[s].appraisal.npv.mean())
        for s in content.compared
    )
    print(
        f"report on calibrated, {args.draws:,} draws, {len(content.compared)} scenarios "
        f"compared, {len(pdf) / 1e6:.1f} MB PDF, {len(xlsx) / 1e6:.1f} MB workbook"
    )
    print(f"figures (projections, sensitivity, value of information): {t_content:.1f} s")
    print(f"PDF layout and charts: {t_pdf:.1f} s")
    print(f"workbook: {t_xlsx:.1f} s")
    print(
        f"technical note: replications {t_reps:.1f} s, layout {t_note:.1f} s "
        f"({len(note) / 1e6:.1f} MB)"
    )
    print(f"total (make run's report step, less loading the parameters): {total:.1f} s")
    print(f"previous pipeline's figures, every team simulation run anew: {t_ref:.1f} s")
    print(f"speed ratio of the figures: {t_ref / t_content:.2f}x (same NPVs: {same})")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
