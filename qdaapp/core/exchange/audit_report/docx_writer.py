"""The audit report as a Word document that lays out alike in Word and LibreOffice.

Every table has fixed column widths that fill the text width of the chosen
paper (A4 or Letter), header rows repeat on each page, the footer numbers
the pages, and the document properties name the project and the person who
wrote the report.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from ..codebook_doc import add_codebook_table
from ..memo_export import add_memo_docx, add_memos_docx
from ..themes import clean, docx_table, fix_widths
from . import sections as S
from .docx_layout import add_page_numbers, set_page, set_properties, text_width_cm, widths
from .report import AuditReport


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", data[16:24])
    return (800, 600)


def _add_picture(doc, png: bytes, paper: str) -> None:
    from docx.shared import Cm

    w, h = _png_size(png)
    width = min(text_width_cm(paper), w / 144 * 2.54)  # drawn at 2x: 144 px per inch of the figure
    if h and width * h / w > 21:
        width = 21 * w / h
    doc.add_picture(io.BytesIO(png), width=Cm(width))


def _table(doc, report: AuditReport, header, rows, fractions, size=8.5, bold_rows=None):
    if not rows:
        return None
    return docx_table(doc, header, rows, widths(fractions, report.paper), size, bold_rows)


def _small(doc, text: str, italic: bool = False):
    from docx.shared import Pt

    run = doc.add_paragraph().add_run(clean(text))
    run.font.size = Pt(9)
    run.italic = italic
    return run


def _page_one(doc, report: AuditReport) -> None:
    from docx.shared import Pt

    s = report.summary
    doc.add_heading(f"Audit report: {clean(report.title)}", level=0)
    _small(doc, S.generated_line(report), italic=True)
    _table(doc, report, None, S.identity_rows(report), [4.2, 12.8], 9)
    doc.add_heading("What the check of the audit trail proves", level=3)
    _small(doc, S.VERIFY_PROVES)
    _small(doc, S.chain_sentence(s.chain)).bold = not s.chain.ok
    doc.add_heading("Totals", level=3)
    _table(doc, report, None, S.total_rows(s), [5.6, 11.4], 9)
    doc.add_heading("Decisions without a reason", level=3)
    para = doc.add_paragraph()
    for text, italic in ((S.unreasoned_sentence(s) + " ", False), (S.WITHOUT_REASON_DEFINITION, True)):
        run = para.add_run(clean(text))
        run.font.size, run.italic = Pt(9), italic
    doc.add_heading("Sources and their fingerprints", level=3)
    _small(doc, S.FINGERPRINT_NOTE)
    table = _table(doc, report, ["Source", "Kind", "SHA-256 of the file as imported"], S.source_rows(s),
                   [4.6, 1.9, 10.5], 8)
    for row in (table.rows[1:] if table is not None else []):
        for run in row.cells[2].paragraphs[0].runs:
            run.font.name, run.font.size = "Courier New", Pt(7)
    if not s.sources:
        doc.add_paragraph("No sources.")


def _codebook_changes(doc, report: AuditReport) -> None:
    # The next page starts with this heading (a break of its own would leave a blank page whenever
    # page one ends exactly at the bottom of a page).
    doc.add_heading("Codebook changes over time", level=1).paragraph_format.page_break_before = True
    if not report.changes:
        doc.add_paragraph("No changes to the codebook" + S.scope_suffix(report) + ".")
        return
    _table(doc, report, S.CHANGE_HEADER, S.change_rows(report), S.CHANGE_WIDTHS, 8)


def _markers(doc, report: AuditReport) -> None:
    doc.add_heading("Marker decisions", level=1)
    doc.add_paragraph(S.MARKER_NOTE)
    if not report.markers:
        doc.add_paragraph("No marker hits" + S.scope_suffix(report) + ".")
        return
    table = _table(doc, report, S.MARKER_HEADER, S.marker_rows(report), S.MARKER_WIDTHS, 8.5)
    _right_align(table, range(2, len(S.MARKER_HEADER)))


def _right_align(table, columns) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for row in table.rows:
        for i in columns:
            row.cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _accounts(doc, report: AuditReport) -> None:
    from docx.shared import Cm, Pt

    doc.add_heading("Narrative accounts", level=1)
    if not report.accounts:
        doc.add_paragraph("No accounts.")
    for a in report.accounts:
        doc.add_heading(clean(a.title), level=2)
        if a.description:
            doc.add_paragraph(clean(a.description))
        _small(doc, a.facts, italic=True)
        for f in a.fragments:
            para = doc.add_paragraph()
            para.paragraph_format.keep_with_next = bool(f.quotes)
            para.add_run(f"{f.number}. ").bold = True
            para.add_run(clean(f.summary))
            meta = para.add_run(" \u2014 " + S.fragment_meta(f))
            meta.italic, meta.font.size = True, Pt(9)
            if not f.quotes:
                _small(doc, "No passage marked for this fragment.", italic=True)
            for q in f.quotes:
                quote = doc.add_paragraph(clean(q.text), style="Quote")
                quote.paragraph_format.left_indent = Cm(0.8)
                quote.paragraph_format.keep_with_next = True
                where = doc.add_paragraph()
                where.paragraph_format.left_indent = Cm(0.8)
                run = where.add_run("\u2014 " + S.quote_source(q))
                run.font.size = Pt(8.5)
        if a.chart_png:
            _add_picture(doc, a.chart_png, report.paper)


def _comments(doc, report: AuditReport) -> None:
    doc.add_heading("Review comments", level=1)
    if not report.comments:
        doc.add_paragraph("No review comments.")
        return
    _table(doc, report, S.COMMENT_HEADER, S.comment_rows(report), S.COMMENT_WIDTHS, 8.5)


def _timeline(doc, report: AuditReport) -> None:
    doc.add_heading("Timeline of analytic decisions", level=1)
    doc.add_paragraph(S.TIMELINE_NOTE)
    if not report.coders:
        doc.add_paragraph("Nothing recorded" + S.scope_suffix(report) + ".")
    for t in report.coders:
        doc.add_heading(clean(t.coder), level=2)
        doc.add_paragraph(S.coder_line(t))
        _table(doc, report, S.TIMELINE_HEADER, [[r.day, r.time, r.kind, r.text, r.reason] for r in t.rows],
               S.TIMELINE_WIDTHS, 8, bold_rows=[r.weighty for r in t.rows])
        if t.not_listed > 0:
            doc.add_paragraph(S.not_listed_line(t))


def _codebook_now(doc, report: AuditReport) -> None:
    doc.add_heading("Codebook as it is now", level=1)
    for heading, entries in (("Tree nodes", report.tree), ("Free nodes", report.free)):
        doc.add_heading(heading, level=2)
        before = len(doc.tables)
        add_codebook_table(doc, entries)
        if len(doc.tables) > before:
            fix_widths(doc.tables[-1], [round(w * 567) for w in widths([4.3, 7.2, 0.8, 1.9, 1.9], report.paper)])


def _memos(doc, report: AuditReport) -> None:
    doc.add_heading("Reflective diary", level=1)
    for item in report.diary:
        add_memo_docx(doc, item, level=2)
    if not report.diary:
        doc.add_paragraph("No diary entries.")
    doc.add_heading("Memos", level=1)
    if report.memo_groups:
        add_memos_docx(doc, report.memo_groups, [], level=2)
    else:
        doc.add_paragraph("No memos.")


def write_docx(report: AuditReport, path: Path) -> None:
    import docx
    from docx.shared import Pt

    doc = docx.Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(4)
    set_page(doc, report.paper)
    set_properties(doc, f"Audit report: {report.title}", report.author)
    add_page_numbers(doc, f"Audit report: {report.title}")
    for part in (_page_one, _codebook_changes, _markers, _accounts, _comments, _timeline, _codebook_now, _memos):
        part(doc, report)
    doc.save(str(path))
