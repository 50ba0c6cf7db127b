"""The ``costmodel`` command line.

Every command reads the validated parameter store; any problem with an input is
printed as one line per problem on standard error, with a non-zero exit code.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence

from .errors import CostModelError

EXIT_INPUT = 1


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(
        prog="costmodel",
        description="Costs of late intervention and the economics of early help.",
    )
    p.add_argument("--version", action="version", version=f"costmodel {__version__}")
    p.add_argument("--parameters", metavar="DIR",
                   help="parameter folder to use instead of the shipped one")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser("validate", help="check parameter files; exit non-zero on any problem")
    v.add_argument("path", nargs="?", help="a parameter folder or file (default: the shipped set)")

    b = sub.add_parser("baseline", help="an area's annual cost of late intervention")
    b.add_argument("--area", default="northamptonshire", help="area name (default: %(default)s)")
    b.add_argument("--price-year", metavar="YYYY/YY",
                   help="express figures in this financial year's prices (default: as published)")
    b.add_argument("--by", choices=("issue", "agency", "both"), default="both")
    b.add_argument("--format", choices=("table", "csv", "json"), default="table")
    b.add_argument("--bottom-up", action="store_true",
                   help="also show the bottom-up view (counts × unit costs) and its reconciliation")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        text = _baseline(args)
    except CostModelError as exc:
        for line in str(exc).splitlines():
            print(f"costmodel: error: {line}", file=sys.stderr)
        return EXIT_INPUT
    sys.stdout.write(text)
    return 0


def _validate(args) -> int:
    from .store import validate

    problems = validate(args.path or args.parameters)
    for p in problems:
        print(str(p), file=sys.stderr)
    if problems:
        print(f"costmodel: {len(problems)} problem(s) found", file=sys.stderr)
        return EXIT_INPUT
    print(f"ok: {args.path or args.parameters or 'shipped parameters'} is valid")
    return 0


def _baseline(args) -> str:
    from .baseline import baseline
    from .store import load

    params = load(root=args.parameters)
    result = baseline(params, args.area, args.price_year)
    if args.format == "json":
        d = result.to_dict()
        if args.by == "issue":
            d.pop("by_agency")
        elif args.by == "agency":
            d.pop("by_issue")
        else:
            d["by_issue_and_agency"] = {i: {a: int(v) for a, v in row.items()}
                                        for i, row in result.table.iterrows()}
        if args.bottom_up and result.bottom_up is not None:
            d["bottom_up"] = json.loads(result.bottom_up.to_json(orient="records"))
        return json.dumps(d, indent=2) + "\n"
    if args.format == "csv":
        return _baseline_csv(result, args.by)
    return _baseline_table(result, args.by, args.bottom_up)


def _baseline_csv(result, by: str) -> str:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["area", "price_year", "dimension", "issue", "agency", "value_gbp", "status"])
    head = [result.area, result.price_year]
    if by in ("issue", "both"):
        for k, v in result.by_issue.items():
            w.writerow([*head, "issue", k, "", int(v), result.issue_status[k]])
    if by in ("agency", "both"):
        for k, v in result.by_agency.items():
            w.writerow([*head, "agency", "", k, int(v), result.agency_status[k]])
    if by == "both":
        for issue, row in result.table.iterrows():
            for agency, v in row.items():
                w.writerow([*head, "cell", issue, agency, int(v), "derived"])
    w.writerow([*head, "total", "", "", result.total, "published"])
    return buf.getvalue()


def _baseline_table(result, by: str, show_bottom_up: bool) -> str:
    from .formatting import money, number, percent, text_table
    from .vocabulary import AGENCIES, ISSUES

    name = result.area.replace("_", " ").title().replace(" And ", " and ")
    out = [f"Annual cost of late intervention: {name}",
           f"£ a year, {result.price_basis}", ""]
    for dim in (["issue", "agency"] if by == "both" else [by]):
        f = result.frame(dim)
        rows = [[r.label, money(r.cost), percent(r.share), r.status] for r in f.itertuples()]
        rows.append(["Total", money(result.total), percent(1.0), "published"])
        out += [text_table(rows, ["By " + dim, "Cost", "Share", "Status"], "lrrl"), ""]
    if by == "both":
        short = {"local_authority": "Local authority", "criminal_justice": "Justice",
                 "welfare": "Welfare"}
        header = ["Issue \\ agency", *[short.get(a, AGENCIES[a]) for a in result.table.columns],
                  "Total"]
        rows = [[ISSUES[i], *[number(v) for v in row], number(row.sum())]
                for i, row in result.table.iterrows()]
        rows.append(["Total", *[number(v) for v in result.by_agency], number(result.total)])
        out += [text_table(rows, header, "l" + "r" * (len(header) - 1)),
                "Cells are derived: each issue's cost split by its fitted agency shares.", ""]
    out.append(f"Per person: {money(result.per_person, 2)} "
               f"(population {number(result.population)})")
    if show_bottom_up:
        out += ["", *_bottom_up_lines(result)]
    return "\n".join(out) + "\n"


def _bottom_up_lines(result) -> list[str]:
    from .formatting import money, number, text_table
    from .vocabulary import ISSUES

    bu = result.bottom_up
    if bu is None or bu.empty:
        return ["No bottom-up view: this area has no activity counts."]
    rows = []
    for r in bu.itertuples():
        item = "Not itemised (EIF figure less items)" if r.item == "not_itemised" else \
            r.item.replace("_", " ").capitalize()
        rows.append([ISSUES[r.issue], item, number(r.count), money(r.unit_cost), money(r.cost)])
    return ["Bottom-up view: activity count × unit cost, and the gap to the top-down figure",
            text_table(rows, ["Issue", "Item", "Count", "Unit cost", "Cost"], "llrrr")]


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
