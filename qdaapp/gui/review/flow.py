"""Review comments in the main window: the Review menu, the inbox dock, the status-bar notice.

"Add review comment…" (Ctrl+Shift+R; Ctrl+Alt is avoided because it types
characters on keyboards with AltGr) comments on what has the focus: the event
selected in the audit trail, the node selected in the Nodes panel, the fragment
selected in an account, the coding stripe last clicked in the document (else the
document), and otherwise the project. It works in read-only mode: comments are
written beside the project, never in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QPushButton, QWidget

from qdaapp.core import review_comments as rc
from qdaapp.core.review_targets import label_for, locate_in
from qdaapp.gui.dialogs.messages import error_text

from .dialog import CommentDialog
from .hooks import SHORTCUT
from .inbox import ReviewInbox

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow

NOTICE_STYLE = ("QPushButton#ReviewNotice { border: 1px solid #D9B44A; border-radius: 9px; background: #FFF4CE; "
                "padding: 1px 10px; color: #5A4500; } QPushButton#ReviewNotice:hover { background: #FFEBA8; }")
NOUNS = {"event": "change", "coding": "coding", "node": "node", "fragment": "fragment", "account": "account",
         "source": "source"}


class ReviewFlow(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.project: Any = None
        self.dialog: CommentDialog | None = None
        self.inbox = ReviewInbox()
        self.inbox.goToTarget.connect(self.go_to)
        self.inbox.message.connect(self.tell)
        self.inbox.changed.connect(self.refresh_notice)
        self.dock = window.add_panel(self.inbox, "Review inbox", "ReviewInboxDock", "bottom", visible=False)
        self.dock.visibilityChanged.connect(self._on_dock_visible)  # comments written meanwhile elsewhere

        self.add_action = QAction("Add &review comment…", window)
        self.add_action.setObjectName("AddReviewComment")
        self.add_action.setShortcut(QKeySequence(SHORTCUT))
        self.add_action.setStatusTip("Comment on the selected event, coding, node or fragment (or the project) "
                                     "for its author; works read-only, the project is not changed")
        self.add_action.triggered.connect(lambda _c=False: self.add_comment(*self.current_target()))
        self.project_action = QAction("Comment on the &project…", window)
        self.project_action.setStatusTip("A review comment on the project as a whole")
        self.project_action.triggered.connect(lambda _c=False: self.add_comment("project", None))
        self.inbox_action = QAction("Review &inbox", window)
        self.inbox_action.setStatusTip("Every review comment on this project, with the answers")
        self.inbox_action.triggered.connect(lambda _c=False: self.show_inbox())
        self.menu = self._review_menu()
        self.menu.addActions([self.add_action, self.project_action])
        self.menu.addSeparator()
        self.menu.addAction(self.inbox_action)

        self.notice = QPushButton()
        self.notice.setObjectName("ReviewNotice")
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.notice.setCursor(Qt.CursorShape.PointingHandCursor)
        self.notice.setToolTip("Open the Review inbox")
        self.notice.clicked.connect(self.show_inbox)
        self.notice.setVisible(False)
        window.statusBar().addPermanentWidget(self.notice)
        self.set_project(None)

    def _review_menu(self) -> QMenu:
        bar = self.w.menuBar()
        view = next((a for a in bar.actions() if a.text() == "&View"), None)
        menu = QMenu("&Review", self.w)
        bar.insertMenu(view, menu) if view is not None else bar.addMenu(menu)
        return menu

    def tell(self, text: str) -> None:
        self.w.statusBar().showMessage(text, 8000)

    # -- project ------------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        self.project = project
        for action in (self.add_action, self.project_action, self.inbox_action):
            action.setEnabled(project is not None)
        self.inbox.set_project(project)
        self.refresh_notice()

    def refresh_notice(self) -> str:
        """'3 review comments from Dr Lee' in the status bar while any is not resolved."""
        text = rc.summary(self.inbox.comments) if self.project is not None else ""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        return text

    def _on_dock_visible(self, visible: bool) -> None:
        if visible and self.project is not None:
            self.inbox.reload()
            self.refresh_notice()

    def show_inbox(self) -> None:
        if self.project is None:
            return
        self.w.show_dock(self.dock)
        self.inbox.reload()
        self.refresh_notice()
        if self.inbox.current_comment() is None and self.inbox.table.rowCount():
            self.inbox.table.selectRow(0)
        self.inbox.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- adding -------------------------------------------------------------------------
    def current_target(self) -> tuple[str, int | None]:
        """What the user is looking at: the kind and id a new comment would be on."""
        w = self.w
        focus = QApplication.focusWidget()

        def inside(widget: QWidget | None) -> bool:
            return focus is not None and widget is not None and (focus is widget or widget.isAncestorOf(focus))

        if inside(w.audit_viewer):
            row = w.audit_viewer.current_row()
            if row is not None:
                return "event", int(row[0])
        if inside(w.nodes_panel) and w.nodes_panel.current_node_id() is not None:
            node_id = w.nodes_panel.current_node_id()
            if node_id is not None and node_id > 0:
                return "node", int(node_id)
        for workspace in w.documents.workspaces():
            if inside(workspace) and hasattr(workspace, "account_id"):
                return self._workspace_target(workspace)
        view = w.documents.current_view()
        if view is not None and inside(w.documents):
            source_id = int(view.property("source_id"))
            clicked = w.coding.clicked
            if clicked is not None and clicked[0] == source_id:
                return "coding", int(clicked[1])
            return "source", source_id
        return "project", None

    @staticmethod
    def _workspace_target(workspace: Any) -> tuple[str, int | None]:
        from qdaapp.gui.narrative.common import ID_ROLE

        chosen = workspace.flowchart.selected_ids()
        item = workspace.fragments.currentItem()
        if len(chosen) == 1:
            return "fragment", int(chosen[0])
        if item is not None and item.data(ID_ROLE) is not None:
            return "fragment", int(item.data(ID_ROLE))
        return "account", int(workspace.account_id)

    def add_comment(self, kind: str, ident: int | None) -> CommentDialog | None:
        """Open the dialog for a comment on ``kind``/``ident`` (returned; None if the target is gone)."""
        if self.project is None:
            return None
        try:
            label = label_for(self.project, kind, ident)
        except Exception as exc:  # e.g. the target was just removed
            self.tell(error_text(exc))
            return None
        dialog = CommentDialog(self.w, self.project, kind, ident, label)
        dialog.saved.connect(self._on_saved)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_saved(self, comment: rc.ReviewComment) -> None:
        self.inbox.reload()
        self.inbox.select_comment(comment.id)
        self.refresh_notice()
        self.tell(f"Review comment saved in {rc.side_file(self.project.path).name}; the project was not changed.")

    # -- going to what a comment is on ----------------------------------------------------
    def go_to(self, comment: rc.ReviewComment) -> bool:
        if self.project is None or comment.kind == "project":
            return False
        where = locate_in(self.project, comment.kind, comment.target_id)
        if where is None:
            noun = NOUNS.get(comment.kind, comment.kind)
            self.tell(f"That {noun} is no longer in the project; the comment was on: {comment.label}")
            return False
        kind, ident, trust = comment.kind, int(comment.target_id or 0), self.w.trust
        if kind == "event":
            trust.show_audit_trail()
            self.w.audit_viewer.refresh()
            if not self.w.audit_viewer.select_seq(ident):
                self.tell(f"Change #{ident} is hidden by the audit trail's filters; clear them to see it.")
                return False
        elif kind == "coding":
            self.w.show_passage(where[0], where[1], where[2], ident)
        elif kind == "node":
            return trust.select_node(ident)
        elif kind == "source":
            trust.open_source(ident)
        elif kind in ("account", "fragment"):
            workspace = self.w.analysis.open_account(where[0] if kind == "fragment" else ident)
            if workspace is not None and kind == "fragment":
                workspace.flowchart.select_fragment(ident)
        return True
