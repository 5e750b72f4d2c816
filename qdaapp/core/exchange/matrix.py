"""Export the framework matrix to XLSX, CSV and DOCX.

A matrix is read and quoted from, so XLSX and DOCX cells are written whole:
every fragment with its speech act, and every passage quoted with its source
name and, for paged sources (PDF), the page it starts on. A long cell makes a
tall table row; rows may break across pages and the header row repeats. Only
XLSX has a hard limit (32,767 characters a cell); a cell beyond it says so.
CSV stays one plain summary per cell, for use in other tools.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..framework import Matrix, build
from ..models import Fragment, Source
from ..text import page_of
from . import sheets, write_atomically
from .themes import clean

FORMATS = (".xlsx", ".csv", ".docx")
XLSX_CELL_LIMIT = 32_767
NO_ACT_LABEL = "Background"


@dataclass
class Quote:
    text: str
    source: str
    page: int | None = None

    @property
    def citation(self) -> str:
        """'P3.pdf, p. 4', or the source name alone when the source has no pages."""
        return f"{self.source}, p. {self.page}" if self.page else self.source


@dataclass
class CellParts:
    """What one exported cell holds: (label, text) entries, then the quoted passages."""

    entries: list[tuple[str | None, str]] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)


def act_label(act: str | None) -> str:
    return act.capitalize() if act else NO_ACT_LABEL


def cell_parts(session: Session, matrix: Matrix) -> dict[tuple[int, int], CellParts]:
    """Every non-empty cell's fragments (labelled by speech act) or summary, and its quotes, in full."""
    needed = {sid for c in matrix.cells.values() for sid, _, _ in c.passages}
    sources: dict[int, tuple[str, str, list[int] | None]] = {}
    if needed:
        for sid, name, text, stored_pages in session.execute(
            select(Source.id, Source.name, Source.text, Source.page_starts).where(Source.id.in_(needed))
        ):
            sources[sid] = (name, text, json.loads(stored_pages) if stored_pages else None)
    fragment_ids = {fid for c in matrix.cells.values() for fid in c.fragments}
    fragments = {fid: (act, summary) for fid, act, summary in session.execute(
        select(Fragment.id, Fragment.act, Fragment.summary).where(Fragment.id.in_(fragment_ids)))} \
        if fragment_ids else {}
    out: dict[tuple[int, int], CellParts] = {}
    for key, cell in matrix.cells.items():
        parts = CellParts()
        if matrix.col_kind == "accounts":
            for fid in cell.fragments:
                act, summary = fragments[fid]
                parts.entries.append((act_label(act), summary.strip()))
        elif cell.summary.strip():
            parts.entries.append((None, cell.summary.strip()))
        for sid, a, b in cell.passages:
            name, text, pages = sources[sid]
            words = text[a:b].split()
            if not words:  # what is left of a passage around an interviewer's turn may be a line break
                continue
            first = text.index(words[0], a)  # the page the quote's first word is printed on
            parts.quotes.append(Quote(" ".join(words), name, page_of(pages, first)))
        out[key] = parts
    return out


def plain_text(parts: CellParts) -> str:
    """A cell as plain text (XLSX): 'Competence: summary' lines, a blank line, '“quote” (source, p. 3)' lines."""
    lines = [f"{label}: {text}" if label else text for label, text in parts.entries]
    quotes = [f"“{q.text}” ({q.citation})" for q in parts.quotes]
    return "\n\n".join(part for part in ("\n".join(lines), "\n".join(quotes)) if part)


def _fit_xlsx(text: str) -> str:
    if len(text) <= XLSX_CELL_LIMIT:
        return text
    note = "\n[cut at Excel's 32,767-character cell limit; the DOCX export has the whole cell]"
    return text[: XLSX_CELL_LIMIT - len(note)] + note


def export_matrix(session: Session, path: str | Path, rows: str = "cases", cols: str = "accounts",
                  include_interviewer: bool = False) -> Path:
    """Write the ``rows`` x ``cols`` framework matrix to ``path`` (.xlsx, .csv or .docx); passages lose
    the text inside interviewer turns unless ``include_interviewer``, as in the matrix on screen."""
    matrix = build(session, rows, cols, include_interviewer)
    header = [rows[:-1].title()] + [name for _, name in matrix.cols]
    parts = cell_parts(session, matrix) if Path(path).suffix.lower() != ".csv" else {}

    def write_csv(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
            sheets.write_csv(fh, header, ([name] + [matrix.cell(r, c).summary for c, _ in matrix.cols]
                                          for r, name in matrix.rows))

    def write_xlsx(tmp: Path) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        wb = Workbook()
        ws = wb.active
        ws.title = "Framework"
        sheets.append_row(ws, [clean(h) for h in header])
        for r, name in matrix.rows:
            sheets.append_row(ws, [clean(name)] + [_fit_xlsx(clean(plain_text(parts.get((r, c), CellParts()))))
                                                   for c, _ in matrix.cols])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in ws.iter_rows(min_row=2):
            row[0].font = Font(bold=True)
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions["A"].width = 22
        for i in range(2, len(header) + 1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = 45
        ws.freeze_panes = "B2"
        wb.save(tmp)

    def write_docx(tmp: Path) -> None:
        _write_docx(tmp, matrix, header, parts)

    writers = {".csv": write_csv, ".xlsx": write_xlsx, ".docx": write_docx}
    suffix = Path(path).suffix.lower()
    return write_atomically(path, writers.get(suffix, write_csv), FORMATS)


def _write_docx(tmp: Path, matrix: Matrix, header: list[str], parts: dict[tuple[int, int], CellParts]) -> None:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt, RGBColor

    doc = docx.Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    margin = Inches(0.6)
    section.left_margin = section.right_margin = margin
    doc.add_heading(f"Framework matrix: {matrix.row_kind} by {matrix.col_kind}", level=1)
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    first = Inches(1.3)
    page_width = section.page_width
    assert page_width is not None  # the default template sets the page size
    rest = int((page_width - 2 * margin - first) / max(1, len(header) - 1))
    widths = [first] + [rest] * (len(header) - 1)
    head = table.rows[0]
    head._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeat on every page
    for i, title in enumerate(header):
        _text(head.cells[i].paragraphs[0], title, bold=True)
    for r, name in matrix.rows:
        cells = table.add_row().cells
        _text(cells[0].paragraphs[0], name, bold=True)
        for i, (c, _) in enumerate(matrix.cols, start=1):
            _docx_cell(cells[i], parts.get((r, c), CellParts()), Pt, RGBColor)
    for width, column in zip(widths, table.columns, strict=True):
        column.width = width  # the grid (LibreOffice reads it) and each cell (Word does)
    for row in table.rows:
        for width, cell in zip(widths, row.cells, strict=True):
            cell.width = width
        for cell in row.cells:
            cell._tc.get_or_add_tcPr().append(_valign_top(OxmlElement, qn))
            for para in cell.paragraphs:
                para.paragraph_format.space_after = Pt(3)
                for run in para.runs:
                    run.font.size = Pt(8)
    doc.save(str(tmp))


def _text(paragraph: Any, text: str, bold: bool = False, italic: bool = False) -> Any:
    run = paragraph.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    return run


def _docx_cell(cell: Any, parts: CellParts, pt: Any, rgb: Any) -> None:
    """Fragments as 'Competence: summary' paragraphs (label bold), then one paragraph per quote."""
    paragraphs = iter([cell.paragraphs[0]])

    def paragraph() -> Any:
        return next(paragraphs, None) or cell.add_paragraph()

    for label, text in parts.entries:
        p = paragraph()
        if label:
            _text(p, f"{label}: ", bold=True)
        _text(p, text)
    for i, quote in enumerate(parts.quotes):
        p = paragraph()
        if i == 0 and parts.entries:
            p.paragraph_format.space_before = pt(4)
        _text(p, f"“{quote.text}”", italic=True)
        _text(p, f" ({quote.citation})").font.color.rgb = rgb(0x55, 0x55, 0x55)


def _valign_top(oxml_element: Any, qn: Any) -> Any:
    v = oxml_element("w:vAlign")
    v.set(qn("w:val"), "top")
    return v
