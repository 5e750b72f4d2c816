"""The supervisor's audit report: how the analysis was done, fit for an examination file.

Page one gives the project, its seal and what checking the audit trail
proves (with the result of checking it now), the period covered, the coders
and the totals; then come the codebook changes, the marker decisions, each
account with the quotes its fragments rest on, review comments, the timeline
of decisions per coder, the codebook as it is now, the diary and the memos.

Written as Word (``.docx``), self-contained HTML, or PDF: a PDF printer
passed in by the caller (Qt's, in :mod:`qdaapp.render.pdf`) lays out the
report's blocks, or LibreOffice converts the Word file when asked to or when
no printer is given. The core never imports Qt: flow charts and the Qt PDF come from
callbacks.

Modules: :mod:`.facts` (page-one figures), :mod:`.changes` (codebook changes,
marker table), :mod:`.accounts`, :mod:`.timeline`, :mod:`.report` (collects
it all), :mod:`.sections` (shared words), :mod:`.blocks` (the content in order, for
the HTML writer and the PDF printer), :mod:`.docx_writer`,
:mod:`.docx_layout`, :mod:`.html_writer` and :mod:`.pdf`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from ...errors import InvalidInput
from ...review_comments import ReviewComment
from .. import write_atomically
from .accounts import AccountSection, FlowchartRenderer, inline_svg
from .blocks import BlockDocument, report_blocks
from .docx_layout import PAPERS, check_paper
from .docx_writer import write_docx
from .facts import Scope
from .html_writer import report_html
from .pdf import docx_to_pdf, office_program
from .report import AuditReport, build_report, check_coder, check_since
from .timeline import COUNTED, CoderTimeline, Describe, TimelineRow, timelines

# (the report's blocks, pdf path) -> writes the PDF
PdfPrinter = Callable[[BlockDocument, Path], None]
SUFFIXES = (".docx", ".html", ".htm", ".pdf")
CONVERTERS = ("auto", "libreoffice", "qt")

__all__ = [
    "CONVERTERS",
    "COUNTED",
    "PAPERS",
    "SUFFIXES",
    "AccountSection",
    "AuditReport",
    "BlockDocument",
    "CoderTimeline",
    "Describe",
    "FlowchartRenderer",
    "PdfPrinter",
    "Scope",
    "TimelineRow",
    "build_report",
    "check_coder",
    "check_paper",
    "check_since",
    "export_audit_report",
    "inline_svg",
    "office_program",
    "pdf_route",
    "report_blocks",
    "report_html",
    "timelines",
]


def pdf_route(converter: str, pdf_printer: PdfPrinter | None) -> str:
    """'libreoffice' or 'qt': how a PDF will be made; InvalidInput saying what is missing.

    'auto' prints with Qt when its printer is given (it lays out any size of report in seconds),
    else converts the Word file with LibreOffice when that is installed; 'libreoffice' asks for the
    conversion, whose pages look exactly like the Word file's but which takes minutes on a long trail.
    """
    if converter not in CONVERTERS:
        raise InvalidInput(f"'{converter}' is not a PDF converter; choose {', '.join(CONVERTERS)}.")
    office = office_program()
    if converter == "libreoffice" or (converter == "auto" and pdf_printer is None and office):
        if not office:
            raise InvalidInput("LibreOffice is not installed (no 'soffice' or 'libreoffice' on PATH); "
                               "install it, or let the app print the PDF itself.")
        return "libreoffice"
    if pdf_printer is None:
        raise InvalidInput("Cannot write a PDF here: LibreOffice is not installed (no 'soffice' or 'libreoffice' "
                           "on PATH) and the Qt libraries (PySide6) that can print one are missing. Install either, "
                           "or write the report as .docx or .html.")
    return "qt"


def export_audit_report(session: Session, path: str | Path, render_flowchart: FlowchartRenderer | None = None, *,
                        since: str | None = None, coder: str | None = None, paper: str = "a4",
                        describe: Describe | None = None, comments: Sequence[ReviewComment] = (),
                        author: str | None = None,
                        pdf_printer: PdfPrinter | None = None, pdf_converter: str = "auto") -> Path:
    """Write the audit report as DOCX (charts as PNG), self-contained HTML (inline SVG) or PDF.

    ``render_flowchart(graph, 'png' | 'svg')`` returns a drawn chart's bytes; without it the
    accounts are listed without their charts. For PDF, ``pdf_converter`` chooses as
    :func:`pdf_route` says. Nothing is written if anything fails.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(f"{path.name}: choose a file ending in {', '.join(SUFFIXES)}.")
    route = pdf_route(pdf_converter, pdf_printer) if suffix == ".pdf" else ""
    fmt = "svg" if suffix in (".html", ".htm") else "png"
    report = build_report(session, render_flowchart, fmt, since=since, coder=coder, paper=paper,
                          describe=describe, comments=comments, author=author)
    if suffix == ".docx":
        return write_atomically(path, lambda tmp: write_docx(report, tmp), SUFFIXES)
    if suffix in (".html", ".htm"):
        page = report_html(report)
        return write_atomically(path, lambda tmp: tmp.write_text(page, encoding="utf-8"), SUFFIXES)
    if route == "libreoffice":
        def convert(tmp: Path) -> None:
            with tempfile.TemporaryDirectory(prefix="qdaapp-report-") as work:
                docx_file = Path(work) / (path.stem + ".docx")
                write_docx(report, docx_file)
                docx_to_pdf(docx_file, tmp)

        return write_atomically(path, convert, SUFFIXES)
    assert pdf_printer is not None  # pdf_route chose Qt's printer because it was given
    doc = report_blocks(report)
    return write_atomically(path, lambda tmp: pdf_printer(doc, tmp), SUFFIXES)
