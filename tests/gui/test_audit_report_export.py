"""File ▸ Export ▸ Audit report: the options dialog (paper, period, coder) and the file written on a worker."""

from __future__ import annotations

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
