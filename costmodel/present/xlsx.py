"""Writing the workbook's sheets to an .xlsx file.

The sheets are data (:class:`costmodel.present.workbook.Sheet`: a table, the kind of
each column, totals and sums to write as formulas, notes, links). This module only
writes them, with openpyxl, in steps: header, values, formulas, links, layout. Two
things openpyxl does not do are added to the saved XML: the value of each formula
beside it (Excel recalculates on opening, but pandas and file previews read the value),
and the rows of long numeric tables (the per-draw sheets), written straight as XML.

XlsxWriter writes both natively, but on the 10,000-draw workbook (about 1.7 million
cells) it took about three times as long as this writer when tried, its XML writing
the most of it; so openpyxl stays.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .formatting import parameter_value

#: Excel's limit on sheet-name length.
MAX_SHEET_NAME = 31
#: Control characters Excel refuses in cell text.
ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
#: Widest column, in characters.
MAX_WIDTH = 60
#: zlib's level for the file's parts: the fastest; the per-draw sheets, most of the
#: file, compress to about the size level 6 gave them when their cells carried
#: references, in a quarter of the time.
COMPRESS_LEVEL = 1


@dataclass(frozen=True)
class Formula:
    """A cell written as an Excel formula (``text``, starting ``=``) with the value it
    evaluates to (``value``: a number, a truth value, or None), which the file carries
    for readers that do not recalculate."""

    text: str
    value: float | bool | None = None


def cell_value(v: object) -> object:
    """A table's value as the workbook holds it (None for missing and non-finite)."""
    if v is None or isinstance(v, str):
        return ILLEGAL.sub("", v) if isinstance(v, str) else None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.to_pydatetime()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, dict):
        return parameter_value(v)
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def column_letter(j: int) -> str:
    """``1`` → ``A``, ``27`` → ``AA``."""
    out = ""
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def sum_ranges(columns: Sequence[int], row_from: int, row_to: int) -> str:
    """``SUM`` arguments for 1-based ``columns`` over rows ``row_from``–``row_to``,
    contiguous columns joined into one range."""

    def span(first: int, last: int) -> str:
        a, b = f"{column_letter(first)}{row_from}", f"{column_letter(last)}{row_to}"
        return a if a == b else f"{a}:{b}"

    parts: list[str] = []
    start = prev = None
    for c in columns:
        if start is not None and prev is not None and c != prev + 1:
            parts.append(span(start, prev))
            start = None
        if start is None:
            start = c
        prev = c
    if start is not None and prev is not None:
        parts.append(span(start, prev))
    return ",".join(parts)


def text_width(value: object, kind: str) -> int:
    """Characters a cell needs, roughly, as Excel shows it."""
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dt.date):
        return 11
    if isinstance(value, (int, float)):
        if kind in ("share", "proportion"):
            return 8
        digits = len(f"{abs(float(value)):,.0f}")
        return digits + (5 if kind in ("money", "pence", "value", "factor", "ratio") else 1)
    return len(str(value))


@dataclass
class _Written:
    """What a sheet's XML still needs after openpyxl has saved it: the value of each
    formula cell, and the rows of a bulk table with the range they fill."""

    values: dict[str, float | bool] = field(default_factory=dict)
    rows: str = ""
    ref: str = ""


@dataclass
class _Sheet:
    """One sheet being written: its worksheet, headers and what is known so far."""

    ws: Any
    sheet: Any
    formats: Mapping[str, str]
    headers: list[str]
    columns: list[np.ndarray]
    values: dict[tuple[int, str], float] = field(default_factory=dict)
    cached: dict[str, float | bool] = field(default_factory=dict)
    widths: dict[str, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.sheet.frame)

    @property
    def total(self) -> bool:
        return bool(self.sheet.total_row) and self.n > 0

    def kind(self, h: str, i: int) -> str:
        k = self.sheet.kinds.get(h, "text")
        return k if isinstance(k, str) else k[i]

    def column(self, h: str) -> int:
        return self.headers.index(h) + 1

    @property
    def bulk(self) -> bool:
        """A long numeric table whose rows after the first are written as XML."""
        return bool(
            self.sheet.bulk
            and self.n > 1
            and all(isinstance(self.sheet.kinds.get(h, "text"), str) for h in self.headers)
            and all(np.issubdtype(np.asarray(d).dtype, np.number) for d in self.columns)
        )


def _header(s: _Sheet) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, Side

    bold = Font(bold=True)
    for j, h in enumerate(s.headers, start=1):
        c = s.ws.cell(row=1, column=j, value=ILLEGAL.sub("", h))
        c.font = bold
        c.border = Border(bottom=Side(style="thin"))
        c.alignment = Alignment(wrap_text=True, vertical="top")
        if h in s.sheet.notes:
            c.comment = Comment(s.sheet.notes[h], "costmodel", width=320, height=120)


#: Rows whose text sets a column's width (and the last row): enough to see how wide a
#: long table's numbers run without measuring every one.
WIDTH_ROWS = 500


def _values(s: _Sheet) -> None:
    """Every value (a bulk table's first row only), with its number format."""
    bulk = s.bulk
    # a bulk table's rows after the first are written later, as XML: only those that
    # set the column's width are looked at here
    rows = (
        [*range(min(WIDTH_ROWS, s.n)), *([s.n - 1] if s.n > WIDTH_ROWS else [])]
        if bulk
        else range(s.n)
    )
    for j, (h, data) in enumerate(zip(s.headers, s.columns, strict=True), start=1):
        width = 0
        for i in rows:
            raw = data[i]
            k = s.kind(h, i)
            if isinstance(raw, Formula):
                width = max(width, text_width(raw.value, k))
                _formula_cell(s, i + 2, j, h, raw, k)
                continue
            v = cell_value(raw)
            if i < WIDTH_ROWS or i == s.n - 1:
                width = max(width, text_width(v, k))
            if (bulk and i > 0) or (v is None and not bulk):
                continue
            _put(s, i + 2, j, h, v, k)
        s.widths[h] = width


def _put(s: _Sheet, r: int, j: int, h: str, v: object, k: str) -> None:
    c = s.ws.cell(row=r, column=j, value=v)
    if isinstance(v, str) and v.startswith("="):  # text, not a formula
        c.data_type = "s"
    if isinstance(v, dt.date):
        c.number_format = s.formats["date"]
    elif v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)):
        c.number_format = s.formats[k]
        if v is not None:
            s.values[(r, h)] = float(v)


def _formula_cell(s: _Sheet, r: int, j: int, h: str, f: Formula, k: str) -> None:
    c = s.ws.cell(row=r, column=j, value=f.text)
    c.number_format = s.formats[k]
    if isinstance(f.value, bool):
        s.cached[c.coordinate] = f.value
    elif f.value is not None and math.isfinite(f.value):
        s.values[(r, h)] = float(f.value)
        s.cached[c.coordinate] = float(f.value)


def _formula(s: _Sheet, r: int, h: str, text: str, value: float) -> None:
    c = s.ws.cell(row=r, column=s.column(h), value=text)
    c.number_format = s.formats[s.kind(h, r - 2)]
    s.values[(r, h)] = value
    s.cached[c.coordinate] = value


def _formulas(s: _Sheet) -> None:
    """Sums across a row, signed sums, and the total row, as formulas with values."""
    sheet, last = s.sheet, s.n + 1
    letter = {h: column_letter(s.column(h)) for h in s.headers}
    for r in range(2, last if s.total else last + 1):
        for target, sources in sheet.row_sums.items():
            cells = sum_ranges([s.column(x) for x in sources], r, r)
            value = sum(s.values.get((r, x), 0.0) for x in sources)
            _formula(s, r, target, f"=SUM({cells})", value)
        for target, terms in sheet.row_terms.items():
            text = "".join(f"{'+' if sign > 0 else '-'}{letter[x]}{r}" for sign, x in terms)
            value = sum(sign * s.values.get((r, x), 0.0) for sign, x in terms)
            _formula(s, r, target, "=" + text.removeprefix("+"), value)
    if s.total:
        from openpyxl.styles import Font

        for h in sheet.summed:
            value = sum(s.values.get((r, h), 0.0) for r in range(2, last))
            _formula(s, last, h, f"=SUM({letter[h]}2:{letter[h]}{last - 1})", value)
        for j in range(1, len(s.headers) + 1):
            s.ws.cell(row=last, column=j).font = Font(bold=True)


def _links(s: _Sheet) -> None:
    """Rows labelled "Sheet: NAME" link to that sheet."""
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    for i, label in enumerate(s.sheet.frame.index):
        target = str(label).removeprefix("Sheet: ")
        if target != str(label):
            quoted = target.replace("'", "''")
            c = s.ws.cell(row=i + 2, column=1)
            c.hyperlink = Hyperlink(ref=c.coordinate, location=f"'{quoted}'!A1")
            c.font = Font(color="0563C1", underline="single")


def _layout(s: _Sheet) -> str:
    """Column widths, header height, frozen panes and filter; returns the used range."""
    lines = 1
    for j, h in enumerate(s.headers, start=1):
        longest = max((len(w) for w in h.split()), default=0)
        width = max(min(max(s.widths.get(h, 0), longest, math.ceil(len(h) / 3)) + 2, MAX_WIDTH), 8)
        s.ws.column_dimensions[column_letter(j)].width = width
        lines = max(lines, math.ceil(len(h) / (width - 2)))
    s.ws.row_dimensions[1].height = 15 * min(lines, 8)
    s.ws.freeze_panes = "B2"
    ref = f"A1:{column_letter(len(s.headers))}{s.n + 1}"
    if s.sheet.filter and s.n:
        s.ws.auto_filter.ref = ref
    return ref


def _bulk_rows(s: _Sheet) -> str:
    """The XML of a bulk table's rows after the first, in the first row's styles.

    Its cells carry no reference: a cell's place in its row gives its column (the file
    format allows it, and it makes the largest sheets a quarter smaller); a missing or
    infinite number is an empty cell. A row is one call of a template, a number written
    as its ``repr``."""
    parts = []
    columns = []
    for j, d in enumerate(s.columns, start=1):
        a = np.asarray(d)[1:]
        style = s.ws.cell(row=2, column=j).style_id
        finite = np.isfinite(a) if a.dtype.kind == "f" else None
        if finite is None or finite.all():
            parts.append(f'<c s="{style}"><v>{{}}</v></c>')
            columns.append(a.tolist())
            continue
        empty = f'<c s="{style}"/>'
        parts.append("{}")
        columns.append(
            [
                f'<c s="{style}"><v>{v!r}</v></c>' if ok else empty
                for v, ok in zip(a.tolist(), finite.tolist(), strict=True)
            ]
        )
    template = '<row r="{}">' + "".join(parts) + "</row>"
    rows = zip(range(3, s.n + 2), zip(*columns, strict=True), strict=True)
    return "".join(template.format(r, *values) for r, values in rows)


def _write_sheet(ws: Any, sheet: Any, formats: Mapping[str, str]) -> _Written:
    """Write ``sheet`` to worksheet ``ws`` (a bulk table's first row only)."""
    frame = sheet.frame
    s = _Sheet(
        ws=ws,
        sheet=sheet,
        formats=formats,
        headers=[str(frame.index.name or ""), *(str(c) for c in frame.columns)],
        columns=[frame.index.to_numpy(), *(frame[c].to_numpy() for c in frame.columns)],
    )
    _header(s)
    _values(s)
    _formulas(s)
    if sheet.links:
        _links(s)
    ref = _layout(s)
    if not s.bulk:
        return _Written(s.cached)
    return _Written(s.cached, _bulk_rows(s), ref)


_FORMULA_CELL = re.compile(r'(<c r="([A-Z]+[0-9]+)"[^>]*>)(<f>[^<]*</f>)<v\s*/>')
_DIMENSION = re.compile(r'<dimension ref="[^"]*"\s*/>')


def _finish_sheet(text: str, w: _Written) -> str:
    def fill(m: re.Match) -> str:
        v = w.values.get(m.group(2))
        if isinstance(v, bool):
            tag = re.sub(r'\st="[^"]*"', "", m.group(1))
            return f'{tag[:-1]} t="b">{m.group(3)}<v>{int(v)}</v>'
        if v is None or not math.isfinite(v):
            return m.group(0)
        return f"{m.group(1)}{m.group(3)}<v>{v!r}</v>"

    if w.values:
        text = _FORMULA_CELL.sub(fill, text)
    if w.rows:
        text = text.replace("</sheetData>", w.rows + "</sheetData>", 1)
        text = _DIMENSION.sub(f'<dimension ref="{w.ref}" />', text, count=1)
    return text


def _finish(data: bytes, written: Mapping[str, _Written]) -> bytes:
    """The saved workbook with each formula's value beside it and the bulk rows added."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            blob = src.read(item.filename)
            w = written.get(item.filename)
            if w is not None and (w.values or w.rows):
                blob = _finish_sheet(blob.decode("utf-8"), w).encode("utf-8")
            dst.writestr(item, blob, compresslevel=COMPRESS_LEVEL)
    return out.getvalue()


def write_workbook(sheets: Sequence[Any], formats: Mapping[str, str]) -> bytes:
    """The workbook of ``sheets`` as .xlsx bytes; Excel recalculates on opening."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    written = []
    for sheet in sheets:
        if len(sheet.name) > MAX_SHEET_NAME:
            raise ValueError(f"sheet name longer than {MAX_SHEET_NAME} characters: {sheet.name}")
        ws = wb.create_sheet(sheet.name)
        written.append((ws, _write_sheet(ws, sheet, formats)))
    wb.calculation.fullCalcOnLoad = True
    buf = io.BytesIO()
    wb.save(buf)
    return _finish(buf.getvalue(), {ws.path.lstrip("/"): w for ws, w in written})
