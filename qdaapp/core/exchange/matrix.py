"""Export the framework matrix to XLSX, CSV and DOCX."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..framework import Matrix, build
from ..models import Source
from . import write_atomically

FORMATS = (".xlsx", ".csv", ".docx")


def _passage_texts(session: Session, matrix: Matrix, limit: int = 4) -> dict[tuple[int, int], list[str]]:
    needed = {sid for c in matrix.cells.values() for sid, _, _ in c.passages[:limit]}
    texts = dict(session.execute(select(Source.id, Source.text).where(Source.id.in_(needed))).all()) if needed else {}
    names = dict(session.execute(select(Source.id, Source.name).where(Source.id.in_(needed))).all()) if needed else {}
    return {
        key: [f"{names[sid]} {a}-{b}: “{texts[sid][a:b].strip()}”" for sid, a, b in cell.passages[:limit]]
        for key, cell in matrix.cells.items()
    }


def export_matrix(session: Session, path: str | Path, rows: str = "cases", cols: str = "accounts") -> Path:
    matrix = build(session, rows, cols)
    quotes = _passage_texts(session, matrix)
    header = [rows[:-1].title()] + [name for _, name in matrix.cols]

    def cell_text(r: int, c: int, with_quotes: bool) -> str:
        cell = matrix.cell(r, c)
        text = cell.summary
        if with_quotes and quotes.get((r, c)):
            more = len(cell.passages) - len(quotes[(r, c)])
            text += ("\n\n" if text else "") + "\n".join(quotes[(r, c)]) + (f"\n(+{more} more)" if more > 0 else "")
        return text

    def write_csv(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for r, name in matrix.rows:
                writer.writerow([name] + [cell_text(r, c, False) for c, _ in matrix.cols])

    def write_xlsx(tmp: Path) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        wb = Workbook()
        ws = wb.active
        ws.title = "Framework"
        ws.append(header)
        for r, name in matrix.rows:
            ws.append([name] + [cell_text(r, c, True) for c, _ in matrix.cols])
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
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.shared import Pt

        doc = docx.Document()
        section = doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
        doc.add_heading(f"Framework matrix: {rows} by {cols}", level=1)
        table = doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for i, title in enumerate(header):
            table.rows[0].cells[i].text = title
            for run in table.rows[0].cells[i].paragraphs[0].runs:
                run.bold = True
        for r, name in matrix.rows:
            cells = table.add_row().cells
            cells[0].text = name
            for i, (c, _) in enumerate(matrix.cols, start=1):
                cells[i].text = cell_text(r, c, True)
        for row in table.rows:
            for cell in row.cells:
                for para in cell.paragraphs:
                    for run in para.runs:
                        run.font.size = Pt(8)
        doc.save(tmp)

    writers = {".csv": write_csv, ".xlsx": write_xlsx, ".docx": write_docx}
    suffix = Path(path).suffix.lower()
    return write_atomically(path, writers.get(suffix, write_csv), FORMATS)
