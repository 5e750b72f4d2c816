"""Analysis ▸ Coder agreement…: ask what to compare, compute it on a worker, show it as a tab, export it.

The comparison respects blind coding: while the project's blind phase keeps
the coders' work apart, :func:`closed_comparison` says why and nothing is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog

from qdaapp.core.logs import log_exception
from qdaapp.gui.dialogs.messages import inform, show_error
from qdaapp.gui.workers import make_progress_dialog, run_in_worker

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow

SHORTCUT = "Ctrl+Shift+I"
EXPORT_FILTER = "Excel workbook (*.xlsx);;Word document (*.docx);;Web page (*.html)"


def closed_comparison(project: Any) -> str | None:
    """Why the coders' work may not be compared now (blind coding keeps it apart), or None."""
    from qdaapp.core import blind

    with project.read_session() as s:
        return None if blind.comparison_open(s, project.coder) else blind.comparison_closed_message(s)


def _compute(project: Any, request: dict[str, Any], report: Callable[[int, int], bool] | None = None) -> Any:
    from qdaapp.core.agreement import compute

    with project.read_session() as s:
        return compute(s, request["coders"], request.get("nodes"), request.get("sources"), request["unit"],
                       progress=report)


class AgreementFlow(QObject):
    """The menu action, the setup dialog, the workers and the export of the agreement table."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.views: list[Any] = []
        self.jobs: dict[int, Any] = {}
        self.action = QAction("Coder &agreement…", window)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        tip = "Compare coders: percent agreement, Cohen's kappa and Krippendorff's alpha per node and source"
        self.action.setStatusTip(tip)
        self.action.setToolTip(tip)
        self.action.triggered.connect(lambda _checked=False: self.open())
        analysis = getattr(window, "analysis", None)
        if analysis is not None:
            menu = analysis.menu
            before = next((a for a in menu.actions() if a.menu() is not None), None)  # above Plugin analyses
            menu.insertAction(before, self.action)
            menu.insertSeparator(before)
            analysis.needs_project.append(self.action)  # enabled with a project open, like its neighbours
        self.sync()

    @property
    def project(self) -> Any:
        return self.w.project

    @property
    def runner(self) -> Any:
        return self.w.runner

    def sync(self) -> None:
        self.action.setEnabled(self.project is not None)

    def tell(self, text: str) -> None:
        self.w.statusBar().showMessage(text, 8000)

    def show_error(self, exc: BaseException) -> None:
        show_error(self.w, exc)

    def open_coding_history(self, coding_id: int) -> None:
        histories = getattr(self.w, "histories", None)
        if histories is not None:
            histories.open_coding(coding_id)

    # -- asking and computing ------------------------------------------------------------------
    def open(self, request: dict[str, Any] | None = None) -> bool:
        """Ask what to compare (unless ``request`` says it) and compute it; the view opens when it is done."""
        project = self.project
        if project is None:
            return False
        closed = closed_comparison(project)
        if closed:
            inform(self.w, closed)
            return False
        if request is None:
            request = self.ask()
            if request is None:
                return False
        self.compute(request, lambda agreement: self.show(request, agreement), show_progress=True)
        return True

    def ask(self) -> dict[str, Any] | None:
        from qdaapp.core.agreement import CONSENSUS, UNITS, known_coders
        from qdaapp.core.nodes import list_nodes
        from qdaapp.core.sources import list_sources
        from qdaapp.gui.agreement.setup import AgreementSetup

        with self.project.read_session() as s:
            coders = [c for c in known_coders(s) if c != CONSENSUS]
            nodes = [(n.id, n.path) for n in list_nodes(s)]
            sources = [(src.id, src.name) for src in list_sources(s)]
        if len(coders) < 2:
            inform(self.w, "Agreement compares two coders or more, and this project has work by "
                           f"{coders[0] if coders else 'no one'} only so far.")
            return None
        dialog = AgreementSetup(coders, nodes, sources, self.project.coder, UNITS, self.w)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.request()

    def compute(self, request: dict[str, Any], on_done: Callable[[Any], None], show_progress: bool = False,
                view: Any = None) -> Any:
        project = self.project
        if project is None:
            return None
        dialog = make_progress_dialog(self.w, "Coder agreement", "Comparing the coders' codings…") \
            if show_progress else None

        def work(progress: Any, cancel: Any) -> Any:
            def report(done: int, total: int) -> bool:
                progress.total = total
                progress.done = done
                progress.advance(0, f"Comparing node {min(done + 1, total):,} of {total:,}…")
                return not cancel.cancelled

            return _compute(project, request, report)

        def failed(exc: BaseException) -> None:
            if view is None or show_progress:
                show_error(self.w, exc)
            else:  # a refresh in the background: the table stays as it was
                log_exception(exc)

        def done(agreement: Any) -> None:
            if view is None or shiboken6.isValid(view) and not view.closed:  # the tab may have closed meanwhile
                on_done(agreement)

        key = id(view)
        old = self.jobs.pop(key, None)
        if old is not None and old.running:
            old.request_cancel()
        job = run_in_worker(work, done, failed, dialog)
        self.jobs[key] = job
        return job

    def show(self, request: dict[str, Any], agreement: Any) -> Any:
        from qdaapp.gui.agreement.view import AgreementView

        if self.project is None:
            return None
        view = AgreementView(self, request, agreement)
        view.destroyed.connect(lambda _obj=None, v=view: self.views.remove(v) if v in self.views else None)
        self.views.append(view)
        who = " · ".join(agreement.coders)
        self.w.open_central_tab(view, f"Agreement: {who}")
        view.table.setFocus()
        return view

    def recompute_cells(self, view: Any, cells: set[tuple[int, int]]) -> None:
        """Figures of a few node × source cells at once (cheap: only their codings are read)."""
        request = dict(view.request)
        request["nodes"] = sorted({n for n, _s in cells})
        request["sources"] = sorted({s for _n, s in cells})
        try:
            fresh = _compute(self.project, request)
        except Exception as exc:  # the pooled refresh that follows shows what it can
            log_exception(exc)
            return
        view.model.replace_cells([c for c in fresh.cells if (c.node_id, c.source_id) in cells])

    # -- export --------------------------------------------------------------------------------
    def export(self, agreement: Any) -> Path | None:
        folder = self.w.settings.value("export/folder", "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        name = "Agreement " + " and ".join(agreement.coders)
        path, chosen = QFileDialog.getSaveFileName(self.w, "Export the agreement table", str(Path(folder) / name),
                                                   EXPORT_FILTER)
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() not in (".xlsx", ".docx", ".html"):
            target = target.with_suffix(".xlsx" if "Excel" in chosen else ".docx" if "Word" in chosen else ".html")
        self.w.settings.setValue("export/folder", str(target.parent))
        return self.write(agreement, target)

    def write(self, agreement: Any, target: Path) -> Path | None:
        try:
            from qdaapp.core.exchange.agreement_export import write_agreement

            write_agreement(agreement, target, title=Path(self.project.path).stem if self.project else "")
        except Exception as exc:
            show_error(self.w, exc)
            return None
        self.tell(f"Agreement table written to {target}")
        return target
