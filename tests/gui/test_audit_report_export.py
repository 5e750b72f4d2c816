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


def test_qt_pdf_pieces_cut_only_between_tables_or_before_sections() -> None:
    from qdaapp.render.pdf import pieces

    table = "<table><tr><td>" + "x" * 50 + "</td></tr></table>\n"
    body = "<h2>One</h2>" + table * 6 + "<h2>Two</h2><p>end</p>"
    parts = pieces(body, size=120)
    assert "".join(parts) == body and len(parts) > 2
    for part in parts:  # every piece holds whole tables
        assert part.count("<table") == part.count("</table>")
    assert pieces(body, size=10**6) == [body]


def test_qt_pdf_numbers_every_page_of_a_long_report(tmp_path: Path) -> None:
    from qdaapp.render.pdf import pdf_from_html

    rows = "".join(f"<tr><td>row {i}</td></tr>" for i in range(100))
    page = "<html><head><title>Long</title></head><body>" + ("<table>" + rows + "</table>\n") * 30 + "</body></html>"
    out = tmp_path / "long.pdf"
    pdf_from_html(page, {}, out, "a4")
    data = out.read_bytes()
    pages = max(int(n) for n in re.findall(rb"/Count (\d+)", data))
    assert pages > 30  # 3,000 rows over many pages, the pieces laid out one after another
