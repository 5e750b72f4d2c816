"""File ▸ Export: memos and diary, and the audit report for supervisors, written on a worker.

Both are core functions (``qdaapp.core.exchange.memo_export.export_memos``
and ``qdaapp.core.exchange.audit_report.export_audit_report``); the window
asks where to save (for the audit report first paper, period and coder, see
:mod:`.audit_options`), runs them off the GUI thread with a progress dialog,
and says where the file went. A PDF is printed by Qt (:mod:`qdaapp.render.pdf`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog

from qdaapp.gui.dialogs.messages import show_error
from qdaapp.gui.workers import make_progress_dialog, run_in_worker

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow

MEMO_FILTER = "Word document (*.docx);;Markdown (*.md)"
AUDIT_FILTER = "Word document (*.docx);;Web page (*.html);;PDF document (*.pdf)"


def _write_memos(project: Any, path: Path) -> Path:
    from qdaapp.core.exchange.memo_export import export_memos

    with project.read_session() as s:
        return export_memos(s, path)


def _write_audit_report(project: Any, path: Path, options: dict | None = None) -> Path:
    """``options``: ``paper`` ('a4' or 'letter'), ``since`` (YYYY-MM-DD) and ``coder``, all optional."""
    from qdaapp.core.exchange.audit_report import check_since, export_audit_report
    from qdaapp.core.review_comments import comments_for_report
    from qdaapp.render.charts import flowchart_bytes
    from qdaapp.render.pdf import print_blocks

    options = options or {}
    with project.read_session() as s:
        return export_audit_report(s, path, render_flowchart=flowchart_bytes, since=options.get("since"),
                                   coder=options.get("coder"), paper=options.get("paper") or "a4",
                                   author=getattr(project, "coder", None), pdf_printer=print_blocks,
                                   comments=comments_for_report(project.path,
                                                                since=check_since(options.get("since"))))


def _coders_and_start(project: Any) -> tuple[list[str], str | None]:
    from qdaapp.core import audit

    with project.read_session() as s:
        conn = s.connection()
        return audit.coders(conn), audit.time_span(conn)[0]


class ExportFlow(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.job: Any = None
        self.written: Path | None = None

    def _ask(self, title: str, name: str, filters: str) -> Path | None:
        folder = self.w.settings.value("export/folder", "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        path, chosen = QFileDialog.getSaveFileName(self.w, title, str(Path(folder) / name), filters)
        if not path:
            return None
        path_obj = Path(path)
        if not path_obj.suffix:
            path_obj = path_obj.with_suffix(".md" if "Markdown" in chosen else ".html" if "Web" in chosen
                                            else ".pdf" if "PDF" in chosen else ".docx")
        self.w.settings.setValue("export/folder", str(path_obj.parent))
        return path_obj

    def export_memos(self) -> None:
        if self.w.project is None:
            return
        path = self._ask("Export memos and diary", f"{self.w.project.path.stem} memos.docx", MEMO_FILTER)
        if path is not None:
            self.write(_write_memos, path, "Writing the memos and the diary…")

    def ask_audit_options(self) -> dict | None:
        """Paper, period and coder for the audit report; None if the user cancels."""
        from .audit_options import AuditReportOptions

        coders, first = _coders_and_start(self.w.project)
        dialog = AuditReportOptions(self.w, coders, str(self.w.settings.value("export/audit_paper", "a4")), first)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            options = dialog.options()
        finally:
            dialog.deleteLater()
        self.w.settings.setValue("export/audit_paper", options["paper"])
        return options

    def export_audit_report(self, options: dict | None = None, path: Path | None = None) -> None:
        """Ask paper, period and coder, then where to save (Word, web page or PDF), then write it on a worker."""
        if self.w.project is None or self.job is not None:
            return
        options = options if options is not None else self.ask_audit_options()
        if options is None:
            return
        path = path or self._ask("Audit report for supervisors", f"{self.w.project.path.stem} audit report.docx",
                                 AUDIT_FILTER)
        if path is not None:
            self.write(partial(_write_audit_report, options=options), path, "Writing the audit report…")

    def write(self, fn: Callable[[Any, Path], Path], path: Path, label: str) -> None:
        """Run ``fn(project, path)`` on a worker; the status bar says where the file went."""
        project = self.w.project
        if project is None or self.job is not None:
            return

        def done(written: Path) -> None:
            self.job = None
            self.written = Path(written)
            seal = project.seal()  # the audit trail's seal, to keep beside the file
            self.w.statusBar().showMessage(f"Saved {self.written.name} in {self.written.parent} "
                                           f"(audit trail seal {seal})", 10000)

        def failed(exc: BaseException) -> None:
            self.job = None
            show_error(self.w, exc)

        def cancelled() -> None:
            self.job = None

        dialog = make_progress_dialog(self.w, "Export", label)
        self.job = run_in_worker(lambda _p, _c: fn(project, path), done, failed, dialog, cancelled)
