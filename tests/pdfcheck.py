"""Checks of a rendered PDF for readers, on pages read back with pypdfium2.

Each function takes a ``pypdfium2.PdfDocument`` (or the pages' text) and returns what it
found wrong (an empty list when all is well), so that a test can assert it is empty and
show the offenders when it is not. Used on the technical note and the board paper.

What counts as a code name (:func:`identifiers`): a word with an underscore between
letters (``team_observed``, ``annual_report_2020_21``) or a dotted key in lower case
(``team.observed``, ``savings.outcomes``). Not counted, as a reader needs them: web
addresses and DOIs (any word with ``/``, ``://``, starting ``www.`` or ending in a web
domain such as ``.gov.uk``, as a publisher named by its site is), e-mail addresses
(``@``), names of files handed to readers (ending ``.pdf``, ``.xlsx``, ``.csv``,
``.html``), and the abbreviations e.g., i.e., a.m. and p.m.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

MM = 72 / 25.4  # points per millimetre

UNDERSCORED = re.compile(r"[A-Za-z0-9]*[A-Za-z]_[A-Za-z0-9_]+")
DOTTED = re.compile(r"\b[a-z]+\.[a-z_]+\b")
NAN = re.compile(r"\bnan\b", re.IGNORECASE)
READER_FILES = (".pdf", ".xlsx", ".csv", ".html")
WEB_DOMAINS = (".uk", ".com", ".org", ".net", ".gov", ".int", ".eu")
ABBREVIATIONS = ("e.g.", "i.e.", "a.m.", "p.m.")


def page_texts(document, body_only: bool = False, footer_mm: float = 16) -> list[str]:
    """Each page's text, in page order; with ``body_only``, without the running footer
    (the text within ``footer_mm`` of the foot of the page)."""
    out = []
    for i in range(len(document)):
        page = document[i]
        text = page.get_textpage()
        if body_only:  # character by character: the bounded text drops characters
            floor = footer_mm * MM
            chars = []
            for j in range(text.count_chars()):
                ch = text.get_text_range(j, 1)
                if ch.isspace() or text.get_charbox(j)[1] >= floor:
                    chars.append(ch)
            body = re.sub(r"(\r?\n)+", "\n", "".join(chars))
            out.append(body.strip())
        else:
            out.append(text.get_text_range())
    return out


def _reader_word(word: str) -> bool:
    w = word.strip("()[],;:'\"“”‘’.").lower()
    return (
        "/" in w
        or "@" in w
        or w.startswith("www.")
        or w.endswith(READER_FILES + WEB_DOMAINS)
        or f"{w}." in ABBREVIATIONS
    )


def nans(texts: Sequence[str]) -> list[tuple[int, str]]:
    """(page, context) of every "nan" or "NaN" printed."""
    out = []
    for i, t in enumerate(texts, start=1):
        for m in NAN.finditer(t):
            out.append((i, " ".join(t[max(0, m.start() - 30) : m.end() + 30].split())))
    return out


def identifiers(texts: Sequence[str]) -> list[tuple[int, str]]:
    """(page, word) of every code name printed (see the module's note for what is not)."""
    out = []
    for i, t in enumerate(texts, start=1):
        for word in t.split():
            if _reader_word(word):
                continue
            for pattern in (UNDERSCORED, DOTTED):
                out += [(i, m.group(0)) for m in pattern.finditer(word)]
    return out


def _contents_page(texts: Sequence[str]) -> int | None:
    """The index of the first page with a line "Contents" (a page of its own, or the
    cover with the contents below the run's particulars)."""
    return next(
        (i for i, t in enumerate(texts) if "Contents" in (x.strip() for x in t.splitlines())),
        None,
    )


def contents(texts: Sequence[str]) -> list[tuple[str, int]]:
    """The entries of the contents (the lines after the first line "Contents"): each
    line that ends in a page number, as (title, page). ``texts`` are the pages' bodies
    (:func:`page_texts` with ``body_only``), so that the footer is not read as an entry."""
    i = _contents_page(texts)
    if i is None:
        return []
    lines = [x.strip() for x in texts[i].splitlines()]
    out = []
    for line in lines[lines.index("Contents") + 1 :]:
        m = re.match(r"^\s*(.*\S)\s+(\d+)\s*$", line)
        if m and not m.group(1).startswith("Page "):
            out.append((m.group(1), int(m.group(2))))
    return out


def contents_problems(texts: Sequence[str], expected: Sequence[str] = ()) -> list[str]:
    """What is wrong with the contents: an ``expected`` title missing, a page number out
    of order or out of the document, or no heading (a line of its own) on the page the
    entry gives (a section may start part way down a page)."""
    entries = contents(texts)
    problems = []
    if not entries:
        return ["no contents page with page numbers"]
    names = [n for n, _ in entries]
    problems += [f"{name!r} missing from the contents" for name in expected if name not in names]
    pages = [p for _, p in entries]
    if pages != sorted(pages):
        problems.append(f"contents pages out of order: {pages}")
    for name, p in entries:
        if not 1 <= p <= len(texts):
            problems.append(f"{name!r}: page {p} is not in the document")
            continue
        lines = [" ".join(x.split()) for x in texts[p - 1].splitlines()]
        pairs = [f"{a} {b}" for a, b in itertools.pairwise(lines)]  # a heading on two lines
        if " ".join(name.split()) not in (*lines, *pairs):
            problems.append(f"{name!r}: no heading on page {p}")
    return problems


def fill(page, top_mm: float = 18, bottom_mm: float = 18) -> float:
    """How far down the body of the page (between the margins, above the footer) its
    lowest object reaches, 0 to 1, from the page objects' boxes."""
    height = page.get_height()
    top = height - top_mm * MM
    floor = bottom_mm * MM
    lows = [
        obj.get_bounds()[1]
        for obj in page.get_objects()
        if obj.get_bounds()[3] > floor - 1  # not the footer below the body
    ]
    if not lows:
        return 0.0
    return min(1.0, (top - max(min(lows), floor)) / (top - floor))


def thin_pages(document, section_starts: Sequence[int], least: float = 1 / 3) -> list[int]:
    """Pages less than ``least`` full that are not the last page of a section (the page
    before a section's first page, or the last page)."""
    ends = {p - 1 for p in section_starts} | {len(document)}
    return [i + 1 for i in range(len(document)) if i + 1 not in ends and fill(document[i]) < least]


def images_outside(document, margin_mm: float = 18, bottom_mm: float = 18) -> list[str]:
    """Each image that runs beyond the page's margins (its column), with its page."""
    import pypdfium2.raw as raw

    out = []
    for i in range(len(document)):
        page = document[i]
        w, h = page.get_width(), page.get_height()
        lo_x, hi_x = margin_mm * MM - 0.5, w - margin_mm * MM + 0.5
        lo_y, hi_y = bottom_mm * MM - 0.5, h - margin_mm * MM + 0.5
        for obj in page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,)):
            left, bottom, right, top = obj.get_bounds()
            if left < lo_x or right > hi_x or bottom < lo_y or top > hi_y:
                out.append(
                    f"page {i + 1}: image at x {left / MM:.0f}–{right / MM:.0f} mm, "
                    f"y {bottom / MM:.0f}–{top / MM:.0f} mm from the foot"
                )
    return out


def text_outside(document, margin_mm: float = 18) -> list[str]:
    """Each run of characters printed beyond the page's side margins, with its page (a
    line set from where the cursor was left, off the edge of the page)."""
    out = []
    for i in range(len(document)):
        page = document[i]
        lo, hi = margin_mm * MM - 1, page.get_width() - margin_mm * MM + 1
        text = page.get_textpage()
        run = ""
        for j in range(text.count_chars() + 1):
            ch = text.get_text_range(j, 1) if j < text.count_chars() else " "
            left, _, right, _ = text.get_charbox(j) if j < text.count_chars() else (0, 0, 0, 0)
            if not ch.isspace() and (left < lo or right > hi):
                run += ch
            elif run:
                out.append(f"page {i + 1}: {run!r}")
                run = ""
    return out


def section_starts(texts: Sequence[str]) -> list[int]:
    """The pages the contents lists (the first page of each section), and the contents'."""
    i = _contents_page(texts)
    return sorted({p for _, p in contents(texts)} | ({i + 1} if i is not None else set()))
