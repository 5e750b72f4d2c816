"""The main window: Sources | documents | Nodes, coded passages and memos below.

The window owns the open :class:`~qdaapp.core.project.Project`, builds the
docks from ``panels/``, and routes each committed change (the project's
listener) to the views it touches (``panels/changes.py``). Opening, creating
and closing projects live in ``panels/project_flow.py``.
"""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QObject, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMessageBox, QStackedWidget, QTabWidget, QWidget

from qdaapp import __version__
from qdaapp.core import cases as case_ops
from qdaapp.core.logs import log_exception, log_path
from qdaapp.gui.actions import Actions, CommandRunner
from qdaapp.gui.dialogs.case_dialog import CaseDialog
from qdaapp.gui.dialogs.import_dialog import ImportFlow
from qdaapp.gui.dialogs.quick_pick import QuickPick
from qdaapp.gui.panels.changes import apply_change
from qdaapp.gui.panels.coding import CodingController
from qdaapp.gui.panels.documents import DocumentArea
from qdaapp.gui.panels.memo_panel import MemoPanel
from qdaapp.gui.panels.nodes_panel import NodesPanel
from qdaapp.gui.panels.passages_panel import PassagesPanel
from qdaapp.gui.panels.project_flow import ProjectFlow
from qdaapp.gui.panels.sources_panel import SourcesPanel
from qdaapp.gui.panels.welcome import WelcomeWidget
from qdaapp.gui.workers import run_in_worker

STATE_VERSION = 1


class _ChangeBridge(QObject):
    """Delivers project changes on the GUI thread, whichever thread committed them."""

    changed = Signal(object)


class MainWindow(QMainWindow):
    def __init__(self, settings: Optional[QSettings] = None) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle("qdaapp")
        self.resize(1400, 880)
        self.settings = settings if settings is not None else QSettings()
        self.project: Any = None
        self.audit_result: Any = None
        self.import_flow: Optional[ImportFlow] = None
        self.runner = CommandRunner(self)
        self._bridge = _ChangeBridge(self)
        self._bridge.changed.connect(self._on_project_change)

        self.documents = DocumentArea()
        self.welcome = WelcomeWidget()
        self.central = QStackedWidget()
        self.central.addWidget(self.welcome)
        self.central.addWidget(self.documents)
        self.setCentralWidget(self.central)

        self.sources_panel = SourcesPanel(self.runner)
        self.nodes_panel = NodesPanel(self.runner)
        self.passages = PassagesPanel()
        self.memos = MemoPanel(self.runner)
        self.memos.describe = self.describe_target
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.setDocumentMode(True)
        self.bottom_tabs.addTab(self.passages, "Coded passages")
        self.bottom_tabs.addTab(self.memos, "Memos")
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.sources_dock = self._dock("Sources", "SourcesDock", self.sources_panel, left)
        self.nodes_dock = self._dock("Nodes", "NodesDock", self.nodes_panel, right)
        self.bottom_dock = self._dock("Passages and memos", "BottomDock", self.bottom_tabs,
                                      Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.sources_dock, self.nodes_dock], [270, 300], Qt.Orientation.Horizontal)
        self.resizeDocks([self.bottom_dock], [230], Qt.Orientation.Vertical)

        self.coding = CodingController(self)
        self.flow = ProjectFlow(self)
        self.actions = Actions(self)
        self.recent_menu = self.actions.build_menus(self.menuBar(), self)
        self.documents.addAction(self.actions.uncode)
        self._build_status_bar()
        self._connect()
        self._default_state = self.saveState(STATE_VERSION)
        self._show_welcome()
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    # -- construction -------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def docks(self) -> list[QDockWidget]:
        return [self.sources_dock, self.nodes_dock, self.bottom_dock]

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.summary_label = QLabel()
        self.summary_label.setObjectName("StatusSummary")
        self.audit_label = QLabel()
        self.audit_label.setObjectName("StatusAudit")
        self.read_only_badge = QLabel("Read-only")
        self.read_only_badge.setObjectName("ReadOnlyBadge")
        self.read_only_badge.setToolTip("This project is open read-only: you can read and browse, but not change it.")
        self.read_only_badge.setVisible(False)
        bar.addWidget(self.summary_label)
        bar.addWidget(self.audit_label, 1)
        bar.addPermanentWidget(self.read_only_badge)

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
        sp.casePropertiesRequested.connect(self.case_properties)
        sp.newDiaryRequested.connect(self.new_diary_entry)
        self.nodes_panel.code_span_handler = self.coding.code_span_at
        self.nodes_panel.nodeSelected.connect(self._on_node_selected)
        self.nodes_panel.showPassagesRequested.connect(self._on_show_passages)
        self.passages.openPassage.connect(self.open_passage)
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

    def set_project(self, project: Any) -> None:
        """Show ``project`` (already open) in the window."""
        self.project = project
        self.runner.project = project
        project.subscribe(self._bridge.changed.emit)
        for panel in (self.sources_panel, self.nodes_panel, self.passages, self.memos):
            panel.set_project(project)
        self.documents.project = project
        self.coding.load_recent()
        self.documents.set_empty_hint(has_sources=not self.sources_panel.model.is_empty())
        self.central.setCurrentWidget(self.documents)
        state = self.settings.value("window/state")
        if state is None or not self.restoreState(state, STATE_VERSION):
            self.restoreState(self._default_state, STATE_VERSION)
        for dock in self.docks():
            if dock.isHidden() and state is None:
                dock.show()
        name = project.path.stem
        self.setWindowTitle(f"{name} — qdaapp" + (" (read-only)" if project.read_only else ""))
        self.read_only_badge.setVisible(project.read_only)
        self.actions.set_state(True, project.read_only)
        self.audit_result = None
        self.update_status()
        self._verify_audit(project)

    def detach_project(self) -> Any:
        """Take the project out of the window (the caller closes it)."""
        project = self.project
        if project is None:
            return None
        self.memos.save()
        for popup in self.findChildren(QuickPick):
            popup.close()
        self.settings.setValue("window/state", self.saveState(STATE_VERSION))
        project.unsubscribe(self._bridge.changed.emit)
        self.documents.close_all()
        self.project = None
        self.runner.project = None
        self.documents.project = None
        self.coding.recent = []
        self.coding.clicked = None
        for panel in (self.sources_panel, self.nodes_panel, self.passages, self.memos):
            panel.set_project(None)
        self._show_welcome()
        return project

    def _show_welcome(self) -> None:
        self.central.setCurrentWidget(self.welcome)
        self.welcome.set_recent(self.flow.recent())
        for dock in self.docks():
            dock.hide()
        self.setWindowTitle("qdaapp")
        self.read_only_badge.setVisible(False)
        self.actions.set_state(False, False)
        self.update_status()
        self.flow.fill_recent_menu()

    # -- status bar ---------------------------------------------------------------
    def _verify_audit(self, project: Any) -> None:
        self.audit_label.setText("checking the audit trail…")
        self.audit_label.setStyleSheet("color: #6b6b6b;")

        def done(result: Any) -> None:
            if project is self.project:
                self.audit_result = result
                self.update_status()

        def failed(exc: BaseException) -> None:
            if project is self.project:
                self.audit_label.setText("the audit trail could not be checked")
                self.audit_label.setStyleSheet("color: #B3261E;")

        self.audit_job = run_in_worker(lambda _p, _c: project.verify_audit(), done, failed)

    def update_status(self) -> None:
        if self.project is None:
            self.summary_label.setText("No project open")
            self.audit_label.setText("")
            return
        counts = self.project.summary()
        s, c = counts["sources"], counts["codings"]
        self.summary_label.setText(
            f"{self.project.path.stem} · {self.project.coder} · {s:,} source{'s' if s != 1 else ''} · "
            f"{c:,} coding{'s' if c != 1 else ''} ·"
        )
        result = self.audit_result
        if result is None:
            return
        if result.ok:
            self.audit_label.setText("audit chain verified")
            self.audit_label.setStyleSheet("color: #2E6B3A;")
            self.audit_label.setToolTip(result.message())
        else:
            self.audit_label.setText(f"audit chain broken at event {result.first_bad_seq}")
            self.audit_label.setStyleSheet("color: #B3261E; font-weight: bold;")
            self.audit_label.setToolTip(result.message())

    # -- changes ------------------------------------------------------------------
    def _on_project_change(self, change: Any) -> None:
        """Redraw what ``change`` touched; a failure here must never look like a failed command."""
        if self.project is None:
            return
        try:
            apply_change(self, change)
        except Exception as exc:  # the change is committed; only the view is behind
            path = log_exception(exc)
            self.statusBar().showMessage(
                f"Saved, but the window could not show the change; close and reopen the project. Details: {path}")

    # -- documents, nodes, passages --------------------------------------------------
    def open_source(self, source_id: int, select: Optional[tuple[int, int]] = None) -> Any:
        if self.project is None:
            return None
        view = self.documents.open_source(source_id, select)
        self.sources_panel.select_source(source_id)
        return view

    def open_passage(self, source_id: int, start: int, end: int, coding_id: int) -> None:
        self.open_source(source_id, (start, end))
        self.coding.on_stripe_clicked(source_id, coding_id)
        self.memos.set_target("coding", coding_id)

    def _on_stripe_clicked(self, source_id: int, coding_id: int) -> None:
        self.coding.on_stripe_clicked(source_id, coding_id)
        self.memos.set_target("coding", coding_id)

    def _on_current_source_changed(self, source_id: Optional[int]) -> None:
        if source_id is not None:
            self.memos.set_target("source", source_id)

    def _on_node_selected(self, node_id: Optional[int]) -> None:
        item = self.nodes_panel.model.node(node_id) if node_id is not None else None
        self.passages.show_node(node_id, item.path() if item else "")
        if node_id is not None:
            self.memos.set_target("node", node_id)

    def _on_show_passages(self, node_id: int) -> None:
        self._on_node_selected(node_id)
        self.bottom_dock.show()
        self.bottom_tabs.setCurrentWidget(self.passages)

    def describe_target(self, kind: str, ident: Optional[int]) -> str:
        if kind == "project":
            return "the project"
        if kind == "source":
            return f"source '{self.sources_panel.model.source_names.get(ident, ident)}'"
        if kind == "case":
            return f"case '{self.sources_panel.model.case_names.get(ident, ident)}'"
        if kind == "node":
            item = self.nodes_panel.model.node(ident)
            return f"node '{item.path() if item else ident}'"
        if kind == "coding":
            for source_id, view in self.documents.views().items():
                span = next((s for s in view.spans() if s.coding_id == ident), None)
                if span is not None:
                    source = self.sources_panel.model.source_names.get(source_id, "")
                    return f"the coding of '{span.node_name}' in {source} ({span.start}–{span.end})"
        return f"{kind} {ident}"

    # -- import, cases, diary --------------------------------------------------------
    def import_files(self) -> bool:
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

    def new_case(self) -> Optional[int]:
        if self.project is None or self.project.read_only:
            return None
        dialog = CaseDialog(self, self.project, self.runner)
        dialog.exec()
        return dialog.case_id

    def case_properties(self, case_id: int) -> None:
        if self.project is not None:
            CaseDialog(self, self.project, self.runner, case_id).exec()

    def new_diary_entry(self) -> None:
        if self.project is None or self.project.read_only:
            return
        self.bottom_dock.show()
        self.bottom_tabs.setCurrentWidget(self.memos)
        self.memos.set_target("diary", None)
        self.memos.editor.setFocus()

    # -- view and help ------------------------------------------------------------
    def reset_layout(self) -> None:
        self.restoreState(self._default_state, STATE_VERSION)
        if self.project is not None:
            for dock in self.docks():
                dock.show()

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
