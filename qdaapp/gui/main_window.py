"""The main window: Sources | documents | Nodes, coded passages and memos below.

The window owns the open :class:`~qdaapp.core.project.Project`, builds the
docks from ``panels/``, and routes each committed change (the project's
listener) to the views it touches (``panels/changes.py``). Opening, creating
and closing projects live in ``panels/project_flow.py``; backups in
``panels/backups.py``; exports in ``panels/exports.py``.

Other panels plug in through three methods:

* :meth:`MainWindow.add_panel` — a dock, remembered in the layout and listed
  in the View menu;
* :meth:`MainWindow.open_central_tab` — a workspace tab beside the documents;
* :meth:`MainWindow.show_passage` — open a source and select a span in it.

and one signal, :attr:`MainWindow.accountRequested` (an account id), emitted
when the audit trail or a memo asks for an account. Panels that change the
project should run their commands through ``window.runner.call`` / ``run``
so the reason in the status bar is recorded with them (undo follows any
command, however it was run).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox, QTabWidget, QWidget

from qdaapp import __version__
from qdaapp.core import cases as case_ops
from qdaapp.core.logs import log_exception, log_path
from qdaapp.gui import agreement, exchange, preferences, review
from qdaapp.gui.actions import Actions, CommandRunner
from qdaapp.gui.audit.passage_history import PassageHistories
from qdaapp.gui.dialogs.case_dialog import CaseDialog
from qdaapp.gui.dialogs.import_dialog import ImportFlow
from qdaapp.gui.dialogs.quick_pick import QuickPick
from qdaapp.gui.panels import naming
from qdaapp.gui.panels.analysis import AnalysisPanels
from qdaapp.gui.panels.backups import BackupKeeper
from qdaapp.gui.panels.changes import apply_change
from qdaapp.gui.panels.coders import CoderView
from qdaapp.gui.panels.coding import CodingController
from qdaapp.gui.panels.documents import DocumentArea
from qdaapp.gui.panels.durable import Durability
from qdaapp.gui.panels.exports import ExportFlow
from qdaapp.gui.panels.integrity import IntegrityCheck
from qdaapp.gui.panels.layout import READ_ONLY_TEXT, DockLayout, build_centre
from qdaapp.gui.panels.memo_panel import MemoPanel
from qdaapp.gui.panels.nodes_panel import NodesPanel
from qdaapp.gui.panels.passages_panel import PassagesPanel
from qdaapp.gui.panels.project_flow import ProjectFlow
from qdaapp.gui.panels.sources_panel import SourcesPanel
from qdaapp.gui.panels.status import StatusArea
from qdaapp.gui.panels.trust import TrustPanels
from qdaapp.gui.panels.welcome import WelcomeWidget
from qdaapp.gui.read_only import tell_blocked


class _ChangeBridge(QObject):
    """Delivers project changes on the GUI thread, whichever thread committed them."""

    changed = Signal(object)


class MainWindow(QMainWindow):
    accountRequested = Signal(int)  # the audit trail asks to open an account (narrative workspace)

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle("qdaapp")
        self.resize(1400, 880)
        self.settings = settings if settings is not None else QSettings()
        self.project: Any = None
        self.audit_result: Any = None
        self.import_flow: ImportFlow | None = None
        self.runner = CommandRunner(self)
        self._bridge = _ChangeBridge(self)
        self._bridge.changed.connect(self._on_project_change)

        self.documents = DocumentArea()
        self.welcome = WelcomeWidget()
        self.central, self.read_only_banner = build_centre(self, self.welcome, self.documents)

        self.sources_panel = SourcesPanel(self.runner)
        self.nodes_panel = NodesPanel(self.runner)
        self.passages = PassagesPanel()
        self.memos = MemoPanel(self.runner)
        self.memos.describe = self.describe_target
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.setDocumentMode(True)
        self.bottom_tabs.addTab(self.passages, "Coded passages")
        self.bottom_tabs.addTab(self.memos, "Memos")
        self.layout_docks = DockLayout(self)
        self.sources_dock = self.add_panel(self.sources_panel, "Sources", "SourcesDock", "left")
        self.nodes_dock = self.add_panel(self.nodes_panel, "Nodes", "NodesDock", "right")
        self.bottom_dock = self.add_panel(self.bottom_tabs, "Passages and memos", "BottomDock", "bottom")
        self.resizeDocks([self.sources_dock, self.nodes_dock], [270, 300], Qt.Orientation.Horizontal)
        self.resizeDocks([self.bottom_dock], [230], Qt.Orientation.Vertical)

        self.coding = CodingController(self)
        self.flow = ProjectFlow(self)
        self.backups = BackupKeeper(self)
        self.durable = Durability(self)  # idle checkpoints, Save a copy…, work missing from the file
        self.exports = ExportFlow(self)
        self.status = StatusArea(self.statusBar(), self.runner)
        self.actions = Actions(self)
        self.recent_menu = self.actions.build_menus(self.menuBar(), self)
        self.layout_docks.on_added = self.actions.add_dock_toggle
        self.documents.addAction(self.actions.uncode)

        self.trust = TrustPanels(self)
        self.integrity = IntegrityCheck(self)
        self.audit_viewer, self.audit_dock = self.trust.viewer, self.trust.audit_dock
        self.memo_manager, self.memo_dock = self.trust.manager, self.trust.memo_dock
        exchange.install(self)
        preferences.install(self)
        self.analysis = AnalysisPanels(self)
        self.agreement = agreement.install(self)  # Analysis ▸ Coder agreement…: the table and the review
        self.review = review.install(self)  # review comments: Review menu, inbox dock, status-bar notice
        self.histories = PassageHistories(self)  # each coding's history, from its stripe, passage or hit
        self.coder_view = CoderView(self)  # whose codings the views show; the Team menu (after Review)
        for panel in (self.documents, self.nodes_panel, self.passages):
            panel.shown_coders = self.coder_view.coders
        self.coder_view.changed.connect(self.show_coders_changed)
        self.actions.watch_edits()
        self._connect()
        self.layout_docks.remember_default()
        self._show_welcome()
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    # -- extension points -----------------------------------------------------------
    def add_panel(self, widget: QWidget, title: str, object_name: str, area: str = "bottom",
                  visible: bool = True) -> QDockWidget:
        """Add ``widget`` as a dock and return it.

        The dock is remembered in the saved layout (by ``object_name``, which must be unique), listed in
        the View menu, and tabbed with the dock already in ``area`` ('bottom', 'left', 'right', 'top').
        ``visible`` says whether it shows the first time; afterwards the user's layout decides. It is
        hidden while no project is open.
        """
        return self.layout_docks.add(widget, title, object_name, area, visible)

    def open_central_tab(self, widget: QWidget, title: str) -> int:
        """Show a workspace (an account, a query…) as a tab beside the documents; returns its index.

        The tab closes with its ✕ button or when the project closes; the widget is deleted then.
        """
        self.central.setCurrentWidget(self.documents)
        return self.documents.open_workspace(widget, title)

    def show_passage(self, source_id: int, start: int, end: int, coding_id: int | None = None) -> Any:
        """Open source ``source_id`` and select ``start``–``end`` (code points); None if it is gone."""
        if self.project is None:
            return None
        if source_id not in self.sources_panel.model.source_names:
            self.statusBar().showMessage("That source is no longer in the project.", 6000)
            return None
        view = self.open_source(source_id, (start, end))
        if coding_id is not None:
            self.coding.on_stripe_clicked(source_id, coding_id)
            self.memos.set_target("coding", coding_id)
        return view

    def docks(self) -> list[QDockWidget]:
        """The docks of the default layout (shown unless the user closed them)."""
        return [d for d in self.layout_docks.docks if d.property("showByDefault")]

    def all_docks(self) -> list[QDockWidget]:
        """Every dock, including panels hidden until asked for (audit trail, memo manager)."""
        return list(self.layout_docks.docks)

    def show_dock(self, dock: QDockWidget, height: int = 0) -> None:
        self.layout_docks.show(dock, height)

    # -- construction -------------------------------------------------------------
    def _connect(self) -> None:
        w = self.welcome
        w.newRequested.connect(self.new_project)
        w.openRequested.connect(self.open_project_dialog)
        w.demoRequested.connect(self.open_demo)
        w.recentRequested.connect(self.open_project)
        sp = self.sources_panel
        sp.sourceActivated.connect(self.open_source)
        sp.targetSelected.connect(self.memos.set_target)
        sp.importRequested.connect(self.import_files)
        sp.newCaseRequested.connect(self.new_case)
        sp.newCaseForSourceRequested.connect(self.new_case)
        sp.casePropertiesRequested.connect(self.case_properties)
        sp.newDiaryRequested.connect(self.write_diary_entry)
        self.nodes_panel.code_span_handler = self.coding.code_span_at
        self.nodes_panel.nodeSelected.connect(self._on_node_selected)
        self.nodes_panel.showPassagesRequested.connect(self._on_show_passages)
        self.passages.openPassage.connect(self.show_passage)
        d = self.documents
        d.stripeClicked.connect(self._on_stripe_clicked)
        d.contextMenuRequested.connect(self.coding.show_context_menu)
        d.currentSourceChanged.connect(self._on_current_source_changed)

    # -- project life cycle (details in ProjectFlow) ------------------------------------
    def new_project(self) -> bool:
        return self.flow.new_project()

    def open_project_dialog(self, read_only: bool = False) -> bool:
        return self.flow.open_dialog(read_only)

    def open_project(self, path: str, read_only: bool = False) -> bool:
        return self.flow.open(path, read_only)

    def open_demo(self) -> None:
        self.flow.open_demo()

    def close_project(self) -> bool:
        return self.flow.close()

    def _panels(self) -> tuple:
        return (self.sources_panel, self.nodes_panel, self.passages, self.memos, self.memo_manager,
                self.audit_viewer)

    def set_project(self, project: Any) -> None:
        """Show ``project`` (already open) in the window."""
        self.project = project
        self.runner.project = project
        project.subscribe(self._bridge.changed.emit)
        self.coder_view.set_project(project)
        for panel in self._panels():
            panel.set_project(project)
        self.documents.project = project
        self.coding.load_recent()
        self.documents.set_empty_hint(has_sources=not self.sources_panel.model.is_empty())
        self.central.setCurrentWidget(self.documents)
        self.layout_docks.restore()
        name = project.path.stem
        self.setWindowTitle(f"{name} — qdaapp" + (" (read-only)" if project.read_only else ""))
        self.status.set_project(project)
        self.statusBar().clearMessage()
        self.read_only_banner.setText(READ_ONLY_TEXT)
        self.read_only_banner.setVisible(project.read_only)
        self.actions.set_state(True, project.read_only)
        reason = getattr(project, "read_only_reason", None)
        if project.read_only and reason:  # not by choice: say why
            place = reason.removeprefix("it is ")
            self.show_read_only(project, f"{name} — qdaapp (read-only: {place})",
                                f"<b>Read-only: {project.path.name} is {place}.</b> It can be read but not changed; "
                                "to work on it, copy it to a folder you can write to.")
        self.runner.sync()
        self.audit_result = None
        self.update_status()
        self.trust.verify_audit()
        self.backups.project_opened(project)
        self.analysis.set_project(project)
        self.review.set_project(project)
        self.durable.project_opened(project)
        self.integrity.start(project)

    def project_damaged(self) -> None:
        """A command or read found the open project damaged (it already refuses writes)."""
        if self.project is not None and self.project.damaged is not None:
            self.integrity.show_damage(self.project)

    def show_read_only(self, project: Any, title: str, why: str) -> None:
        """The window for a project that cannot be changed, saying why (a read-only place, damage)."""
        self.setWindowTitle(title)
        self.status.set_project(project)
        self.read_only_badge.setToolTip(why)
        self.read_only_banner.setText(why)
        self.read_only_banner.setVisible(True)
        self.actions.set_state(True, True)
        self.backups.project_closed()  # no automatic backups of a file that cannot be changed
        self.runner.sync()

    def detach_project(self) -> Any:
        """Take the project out of the window (the caller closes it)."""
        project = self.project
        if project is None:
            return None
        self.memos.save()
        self.memo_manager.save()
        self.backups.project_closed()
        self.durable.project_closed()
        for popup in self.findChildren(QuickPick):
            popup.close()
        self.layout_docks.save()
        project.unsubscribe(self._bridge.changed.emit)
        self.documents.close_all()
        self.analysis.set_project(None)
        self.review.set_project(None)
        self.project = None
        self.runner.project = None
        self.documents.project = None
        self.coding.recent = []
        self.coding.clicked = None
        for panel in self._panels():
            panel.set_project(None)
        self.coder_view.set_project(None)
        self.runner.sync()
        self._show_welcome()
        return project

    def _show_welcome(self) -> None:
        self.central.setCurrentWidget(self.welcome)
        self.welcome.set_recent(self.flow.recent())
        self.layout_docks.hide_all()
        self.setWindowTitle("qdaapp")
        self.status.set_project(None)
        self.statusBar().clearMessage()
        self.read_only_banner.setVisible(False)
        self.actions.set_state(False, False)
        if hasattr(self, "analysis"):
            self.analysis.sync_actions()
        self.update_status()
        self.flow.fill_recent_menu()

    # -- status bar and the audit chain -----------------------------------------------
    @property
    def summary_label(self):
        return self.status.summary_label

    @property
    def audit_label(self):
        return self.status.audit_label

    @property
    def read_only_badge(self):
        return self.status.read_only_badge

    def update_status(self) -> None:
        coder_view = getattr(self, "coder_view", None)  # made once the menus are complete
        self.status.show_summary(self.project, coder_view.shown_count() if coder_view is not None else None)
        if self.project is not None and self.audit_result is not None:
            self.status.show_audit(self.audit_result)

    # -- changes ------------------------------------------------------------------
    def show_coders_changed(self) -> None:
        """The window shows other coders' codings now: read the stripes, node counts and passages again."""
        if self.project is None:
            return
        self.nodes_panel.recount()
        self.documents.reload_spans()
        self.passages.refresh()
        self.update_status()

    def _on_project_change(self, change: Any) -> None:
        """Redraw what ``change`` touched; a failure here must never look like a failed command."""
        if self.project is None:
            return
        self.backups.note_change()
        self.durable.note_change()
        try:
            apply_change(self, change)
            self.audit_viewer.on_change()
        except Exception as exc:  # the change is committed; only the view is behind
            path = log_exception(exc)
            self.statusBar().showMessage(
                f"Saved, but the window could not show the change; close and reopen the project. Details: {path}")
        self.runner.sync()

    # -- documents, nodes, passages, memos ----------------------------------------------
    def open_source(self, source_id: int, select: tuple[int, int] | None = None) -> Any:
        if self.project is None:
            return None
        view = self.documents.open_source(source_id, select)
        self.sources_panel.select_source(source_id)
        return view

    def _on_stripe_clicked(self, source_id: int, coding_id: int) -> None:
        self.coding.on_stripe_clicked(source_id, coding_id)
        self.memos.set_target("coding", coding_id)

    def _on_current_source_changed(self, source_id: int | None) -> None:
        if source_id is not None:
            self.memos.set_target("source", source_id)

    def _on_node_selected(self, node_id: int | None) -> None:
        item = self.nodes_panel.model.node(node_id) if node_id is not None else None
        self.passages.show_node(node_id, item.path() if item else "")
        if node_id is not None:
            self.memos.set_target("node", node_id)

    def _on_show_passages(self, node_id: int) -> None:
        self._on_node_selected(node_id)
        self.show_dock(self.bottom_dock)
        self.bottom_tabs.setCurrentWidget(self.passages)

    def name_of(self, kind: str, ident: int) -> str | None:
        return naming.name_of(self, kind, ident)

    def describe_target(self, kind: str, ident: int | None) -> str:
        return naming.describe_target(self, kind, ident)

    def show_audit_trail(self) -> None:
        self.trust.show_audit_trail()

    def show_memo_manager(self) -> None:
        self.trust.show_memo_manager()

    def write_diary_entry(self) -> None:
        """Ctrl+D: a new, dated diary entry in the memo manager."""
        self.trust.write_diary_entry()

    def export_memos(self) -> None:
        self.exports.export_memos()

    def export_audit_report(self) -> None:
        self.exports.export_audit_report()

    # -- import, cases, diary --------------------------------------------------------
    def import_files(self) -> bool:
        if self.project is not None and self.project.read_only:  # e.g. files dropped on the Sources panel
            tell_blocked(self, self.project, "Import files")
        if self.project is None or self.project.read_only:
            return False
        with self.project.read_session() as s:
            cases = [c.name for c in case_ops.list_cases(s)]
        self.import_flow = ImportFlow(self, self.project, self.runner.run, self.settings)
        self.import_flow.finished.connect(self._on_import_finished)
        return self.import_flow.start(cases)

    def _on_import_finished(self, ids: Any) -> None:
        if ids:
            n = len(ids)
            self.statusBar().showMessage(f"Imported {n} source{'s' if n != 1 else ''}. Double-click one to open it.",
                                         8000)
            self.sources_panel.select_source(ids[0])

    def new_case(self, source_id: int | None = None) -> int | None:
        if self.project is not None and self.project.read_only:
            tell_blocked(self, self.project, "New case")
        if self.project is None or self.project.read_only:
            return None
        dialog = CaseDialog(self, self.project, self.runner, source_ids=[source_id] if source_id else [])
        dialog.exec()
        return dialog.case_id

    def case_properties(self, case_id: int) -> None:
        if self.project is not None:
            CaseDialog(self, self.project, self.runner, case_id).exec()

    def new_diary_entry(self) -> None:
        """Today's diary entry in the memo tab below the documents (File ▸ New diary entry… and the
        Sources panel open a dated one in the memo manager: :meth:`write_diary_entry`)."""
        if self.project is not None and self.project.read_only:
            tell_blocked(self, self.project, "New diary entry")
        if self.project is None or self.project.read_only:
            return
        self.show_dock(self.bottom_dock)
        self.bottom_tabs.setCurrentWidget(self.memos)
        self.memos.set_target("diary", None)
        self.memos.editor.setFocus()

    # -- view and help ------------------------------------------------------------
    def reset_layout(self) -> None:
        self.layout_docks.reset()

    def show_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_path().parent)))

    def show_about(self) -> None:
        QMessageBox.about(self, "About qdaapp",
                          f"<b>qdaapp {__version__}</b><br>Qualitative data analysis built around narrative coding."
                          f"<br><br>Log file: {log_path()}")

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.close_project():
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.sync()
        event.accept()
