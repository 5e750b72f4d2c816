"""File ▸ Export ▸ Audit report: the options dialog (paper, period, coder) and the file written on a worker."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QDate

from qdaapp.gui.panels.audit_options import AuditReportOptions

from .test_main_window import make_window, messages, settings  # noqa: F401 - fixtures used by name


def test_options_dialog_offers_paper_period_and_coder(qtbot) -> None:
    dialog = AuditReportOptions(None, ["ann", "tester"], paper="letter", first_day="2024-05-01T10:00:00")
    qtbot.addWidget(dialog)
    assert dialog.options() == {"paper": "letter", "since": None, "coder": None}
    assert not dialog.since.isEnabled()
    dialog.limit.setChecked(True)
    assert dialog.since.isEnabled() and dialog.since.date() == QDate(2024, 5, 1)
    dialog.since.setDate(QDate(2024, 6, 2))
    dialog.coder.setCurrentIndex(dialog.coder.findData("tester"))
    dialog.paper.setCurrentIndex(dialog.paper.findData("a4"))
    assert dialog.options() == {"paper": "a4", "since": "2024-06-02", "coder": "tester"}


def test_audit_report_written_with_the_chosen_options(make_window, project_path: Path, qtbot,
                                                      tmp_path: Path) -> None:
    import docx

    window = make_window(project_path)
    out = tmp_path / "audit.docx"
    window.exports.export_audit_report({"paper": "letter", "since": None, "coder": "tester"}, out)
    qtbot.waitUntil(lambda: window.exports.job is None, timeout=30000)
    doc = docx.Document(str(out))
    assert round(doc.sections[0].page_width.inches, 2) == 8.5
    assert doc.core_properties.author == window.project.coder
    assert "the work of tester" in " ".join(p.text for p in doc.paragraphs)
    assert "audit.docx" in window.statusBar().currentMessage()
    pdf = tmp_path / "audit.pdf"
    window.exports.export_audit_report({"paper": "a4", "since": "2000-01-01", "coder": None}, pdf)
    qtbot.waitUntil(lambda: window.exports.job is None, timeout=60000)
    assert pdf.read_bytes().startswith(b"%PDF")


def _page_texts(path: Path) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    # Qt writes no space characters between words, so the text comes back with tabs: spaces here.
    return [" ".join(" ".join(el.get_text() for el in page if isinstance(el, LTTextContainer)).split())
            for page in extract_pages(str(path))]


def test_qt_pdf_repeats_the_header_and_numbers_every_page(tmp_path: Path) -> None:
    from qdaapp.core.exchange.audit_report.blocks import BlockDocument, Heading, Table
    from qdaapp.render.pdf import print_blocks

    rows = [[f"row {i}", "a cell long enough to wrap over more than one line in its narrow column " * (i % 3)]
            for i in range(400)]
    doc = BlockDocument("Long", "ana", "letter", [Heading(1, "Long"), Table(("When", "What"), rows, (1, 1))])
    out = tmp_path / "long.pdf"
    print_blocks(doc, out)
    pages = _page_texts(out)
    assert len(pages) > 5
    for number, text in enumerate(pages, start=1):
        assert f"Long · page {number} of {len(pages)}" in text
        assert "When" in text and "What" in text  # the header on every page
    listed = re.findall(r"row (\d+)", " ".join(pages))
    assert [int(n) for n in listed] == list(range(400))  # every row once, in order


def test_qt_pdf_splits_a_row_taller_than_a_page(tmp_path: Path) -> None:
    from qdaapp.core.exchange.audit_report.blocks import BlockDocument, Table
    from qdaapp.render.pdf import print_blocks

    text = "\n".join(f"line {i}" for i in range(300))
    out = tmp_path / "tall.pdf"
    print_blocks(BlockDocument("Tall", "", "a4", [Table(("Comment",), [[text], ["after"]], (1,))]), out)
    pages = _page_texts(out)
    assert len(pages) >= 3
    found = re.findall(r"line (\d+)", " ".join(pages))
    assert [int(n) for n in found] == list(range(300)) and "after" in pages[-1]


def test_words_wrap_within_the_width_and_long_words_break() -> None:
    from PySide6.QtGui import QPdfWriter

    from qdaapp.render.flowchart import ensure_app
    from qdaapp.render.pdf import Face

    ensure_app()
    writer = QPdfWriter(str(Path("/dev/null")))
    face = Face("DejaVu Sans", 9)
    face.bind(writer)
    text = "we have to ask the manager first\nbefore " + "x" * 200
    width = face.width("we have to ask")
    lines = face.wrap(text, width)
    for narrow in range(150, 1200, 23):  # every width: no line wider than it
        assert all(face.metrics.horizontalAdvance(line) <= narrow + 0.5 for line in face.wrap(text, narrow))
    assert " ".join(lines[:3]) == "we have to ask the manager first"
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    assert lines[3].startswith("before") and len(lines) > 5  # the long word in pieces on lines of its own


def test_a_heading_and_a_table_header_never_end_a_page(tmp_path: Path) -> None:
    from qdaapp.core.exchange.audit_report.blocks import BlockDocument, Heading, MemoBody, Table
    from qdaapp.render.pdf import print_blocks

    rows = [["top row", "x"], ["next row", "y"]]
    crossed = False
    for filler in range(62, 84, 2):  # the heading falls lower and lower on page one, then past it
        out = tmp_path / f"keep{filler}.pdf"
        text = "\n".join(f"line {i}" for i in range(filler))
        print_blocks(BlockDocument("Keep", "", "a4", [MemoBody("meta", text), Heading(2, "Changes"),
                                                       Table(("What", "Value"), rows, (1, 1))]), out)
        pages = _page_texts(out)
        where = [i for i, page in enumerate(pages) if "Changes" in page]
        assert len(where) == 1 and "What" in pages[where[0]] and "top row" in pages[where[0]], filler
        crossed = crossed or where[0] > 0
    assert crossed  # some of them moved to page two
