"""The audit trail and the memo manager in the window, and the hash chain's check.

Both are docks added through :meth:`MainWindow.add_panel` (hidden until asked
for: View ▸ Audit trail, Ctrl+Shift+A; View ▸ Memos and diary, Ctrl+Shift+M).
Their requests to show something (a passage, node, source, case, memo or
account) land here and go to the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from qdaapp.core import audit
from qdaapp.core.logs import log_exception
from qdaapp.gui.audit.memos import MemoManager
from qdaapp.gui.audit.viewer import AuditViewer
from qdaapp.gui.workers import run_in_worker

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow

DOCK_HEIGHT = 400


class TrustPanels(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.job: Any = None
        self.viewer = AuditViewer()
        self.viewer.namer = window.name_of
        self.viewer.setToolTip("Every change to the project: who, when, what and why")
        self.audit_dock = window.layout_docks.add(self.viewer, "Audit trail", "AuditDock", "bottom", False,
                                                  DOCK_HEIGHT)
        self.manager = MemoManager(window.runner)
        self.manager.setToolTip("All memos and diary entries in one place")
        self.memo_dock = window.layout_docks.add(self.manager, "Memos and diary", "MemoManagerDock", "bottom",
                                                 False, DOCK_HEIGHT)
        v = self.viewer
        v.openPassage.connect(lambda s, start, end: window.show_passage(s, start, end))
        v.openNode.connect(self.select_node)
        v.openSource.connect(self.open_source)
        v.openCase.connect(self.open_case)
        v.openMemo.connect(self.show_memo)
        v.openAccount.connect(window.accountRequested)
        v.message.connect(self.tell)
        v.verifyRequested.connect(self.verify_audit)
        self.manager.openTarget.connect(self.open_target)
        self.manager.exportRequested.connect(window.export_memos)

    def tell(self, text: str) -> None:
        self.w.statusBar().showMessage(text, 8000)

    # -- the chain ------------------------------------------------------------------
    def verify_audit(self) -> None:
        """Walk the hash chain on a worker; the status bar and the viewer show the result."""
        project = self.w.project
        if project is None:
            return
        self.w.status.show_audit(None, checking=True)
        self.viewer.set_chain(None, checking=True)

        def done(result: audit.VerifyResult) -> None:
            if project is self.w.project:
                self.w.audit_result = result
                self.viewer.set_chain(result)
                self.w.update_status()

        def failed(exc: BaseException) -> None:
            if project is self.w.project:
                log_exception(exc)
                self.w.status.show_audit(None, failed="the audit trail could not be checked")
                self.viewer.set_chain(None)

        self.job = run_in_worker(lambda _p, _c: project.verify_audit(), done, failed)

    # -- showing things -------------------------------------------------------------
    def show_audit_trail(self) -> None:
        if self.w.project is not None:
            self.w.show_dock(self.audit_dock)
            self.viewer.table.setFocus()

    def show_memo_manager(self) -> None:
        if self.w.project is not None:
            self.w.show_dock(self.memo_dock)

    def show_memo(self, memo_id: int) -> None:
        self.show_memo_manager()
        if not self.manager.select_memo(memo_id):
            self.tell("That memo is no longer in the project.")

    def write_diary_entry(self) -> None:
        if self.w.project is not None and not self.w.project.read_only:
            self.show_memo_manager()
            self.manager.new_diary_entry()

    def open_source(self, source_id: int) -> None:
        if source_id in self.w.sources_panel.model.source_names:
            self.w.open_source(source_id)
        else:
            self.tell("That source is no longer in the project.")

    def open_case(self, case_id: int) -> None:
        if case_id in self.w.sources_panel.model.case_names:
            self.w.case_properties(case_id)
        else:
            self.tell("That case is no longer in the project.")

    def select_node(self, node_id: int) -> bool:
        if self.w.nodes_panel.model.node(node_id) is None:
            self.tell("That node is no longer in the project.")
            return False
        self.w.show_dock(self.w.nodes_dock)
        self.w.nodes_panel.select_node(node_id)
        return True

    def open_target(self, kind: str, ident: int) -> None:
        """Show what a memo is about: a source, node, coding (its passage), case or account."""
        if kind == "source":
            self.open_source(ident)
        elif kind == "node":
            self.select_node(ident)
        elif kind == "case":
            self.open_case(ident)
        elif kind == "account":
            self.w.accountRequested.emit(ident)
        elif kind == "coding" and self.w.project is not None:
            with self.w.project.engine.connect() as conn:
                made = audit.event_rows(conn, audit.EventFilter(entity="coding", entity_id=ident), limit=1,
                                        newest_first=False)
            if made:
                self.viewer.open_row(made[0])
