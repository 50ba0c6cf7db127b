"""The report's tables as an Excel workbook (one sheet per table), via openpyxl.

Each sheet is a plain table with its index in the first column and one header row,
so ``pandas.read_excel(path, sheet_name=None, index_col=0)`` reads the workbook back.
An "About" sheet says what the run was (area, scenarios, price base, seed, version,
parameter fingerprints).
"""

from __future__ import annotations

import io

from .content import ReportContent
from .formatting import distribution_text, parameter_value

#: Excel's limit on sheet-name length.
MAX_SHEET_NAME = 31


def workbook_tables(content: ReportContent) -> dict:
    """Sheet name → DataFrame: "About" first, then every table of the report.

    In the assumptions, numbers stay numbers; tables of values, dates and
    distributions are written as text.
    """
    tables = {"About": content.about(), **content.tables()}
    a = tables["Assumptions"].copy()
    a["value"] = [
        v if isinstance(v, (int, float)) and not isinstance(v, bool) else parameter_value(v)
        for v in a["value"]
    ]
    a["distribution"] = [distribution_text(d) for d in a["distribution"]]
    tables["Assumptions"] = a
    return tables


def workbook_bytes(content: ReportContent) -> bytes:
    """The workbook as bytes (write it with :func:`costmodel.output_files.write_files`)."""
    import pandas as pd

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, frame in workbook_tables(content).items():
            sheet = name[:MAX_SHEET_NAME]
            frame.to_excel(xl, sheet_name=sheet)
            ws = xl.sheets[sheet]
            ws.freeze_panes = "B2"
            for col in ws.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in col[:200])
                ws.column_dimensions[col[0].column_letter].width = min(max(10, width + 2), 60)
                for c in col[1:]:
                    if isinstance(c.value, float):
                        c.number_format = (
                            "#,##0.00;(#,##0.00)" if abs(c.value) < 100 else "#,##0;(#,##0)"
                        )
    return buf.getvalue()
