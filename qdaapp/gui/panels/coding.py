"""Coding gestures: quick pick (Ctrl+K), new free node (Ctrl+Shift+N), drop, context menu, uncode.

Each gesture ends in one command through the window's runner; the views
change when the project reports the committed coding, not before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu

from qdaapp.core import coding as coding_ops
from qdaapp.core.layers import CodingSpan
from qdaapp.gui.dialogs.quick_pick import Choice, QuickPick
from qdaapp.gui.read_only import explain_disabled, tell_blocked
from qdaapp.gui.review.hooks import add_comment_choices

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow

RECENT_MAX = 5
NO_SELECTION = "Select some text in a document first; then press Ctrl+K, or drag it onto a node."


def _excerpt(text: str, limit: int = 36) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CodingController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.recent: list[int] = []
        self.clicked: tuple[int, int] | None = None  # (source id, coding id) of the last clicked stripe
        self.picker: QuickPick | None = None

    # -- helpers ------------------------------------------------------------------
    @property
    def project(self):
        return self.window.project

    def _editable(self, what: str = "") -> bool:
        """Whether the project can be changed; if it is open read-only and ``what`` names the gesture,
        the status bar says why it does nothing."""
        if self.project is not None and self.project.read_only and what:
            tell_blocked(self.window, self.project, what)
        return self.project is not None and not self.project.read_only

    def selection(self) -> tuple[int, int, int] | None:
        """(source id, start, end) of the selected text in the current document."""
        view = self.window.documents.current_view()
        span = view.selected_span() if view is not None else None
        if view is None or span is None or span[0] >= span[1]:
            return None
        return int(view.property("source_id")), span[0], span[1]

    def _hint(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 6000)

    def remember(self, node_id: int) -> None:
        if node_id in self.recent:
            self.recent.remove(node_id)
        self.recent.insert(0, node_id)
        del self.recent[RECENT_MAX * 2:]

    def load_recent(self) -> None:
        """Start the recent-node list from this coder's latest codings in the project."""
        self.recent = []
        if self.project is None:
            return
        with self.project.read_session() as s:
            self.recent = [node_id for node_id, _path in coding_ops.recent_nodes(s, self.project.coder, RECENT_MAX)]

    def recent_nodes(self) -> list[int]:
        model = self.window.nodes_panel.model
        return [n for n in self.recent if model.node(n) is not None][:RECENT_MAX]

    def choices(self) -> list[Choice]:
        return [Choice(n.id, n.name, n.path(), n.kind, n.color, n.count)
                for n in self.window.nodes_panel.model.nodes()]

    # -- the commands ---------------------------------------------------------------
    def code(self, node_id: int, source_id: int, start: int, end: int) -> bool:
        if not self._editable("Code"):
            return False
        ok, _ = self.window.runner.run(coding_ops.code, source_id, start, end, node_id, self.project.coder)
        if ok:
            self.remember(node_id)
            item = self.window.nodes_panel.model.node(node_id)
            self._hint(f"Coded at '{item.path() if item else node_id}'.")
        return ok

    def code_span_at(self, node_id: int, start: int, end: int, source_id: int | None) -> bool:
        """A dragged selection was dropped on a node."""
        source_id = source_id if source_id is not None else self.window.documents.current_source_id()
        if source_id is None or start >= end:
            return False
        return self.code(node_id, source_id, start, end)

    def create_and_code(self, name: str, selection: tuple[int, int, int]) -> int | None:
        """A new free node and the coding of ``selection`` at it: one command, so one Ctrl+Z undoes both."""
        if not self._editable("Code at new free node"):
            return None
        source_id, start, end = selection
        ok, made = self.window.runner.run(coding_ops.code_at_new_node, source_id, start, end, name,
                                          self.project.coder)
        if not ok:
            return None
        node_id = made["node_id"]
        self.remember(node_id)
        self.window.nodes_panel.select_node(node_id)
        self._hint(f"Coded at the new free node '{name}'.")
        return node_id

    def uncode(self, coding_id: int) -> bool:
        ok, _ = self.window.runner.run(coding_ops.uncode, coding_id)
        if ok:
            self._hint("Coding removed.")
            if self.clicked and self.clicked[1] == coding_id:
                self.clicked = None
        return ok

    # -- gestures -------------------------------------------------------------------
    def code_selection_quick(self) -> QuickPick | None:
        """Ctrl+K: a quick-pick list of nodes for the selected text."""
        if not self._editable("Code selection"):
            return None
        selection = self.selection()
        if selection is None:
            self._hint(NO_SELECTION)
            return None
        picker = QuickPick(self.window, self.choices(), "Code the selection at…", self.recent_nodes())
        picker.picked.connect(lambda node_id: self.code(node_id, *selection))
        picker.createRequested.connect(lambda name: self.create_and_code(name, selection))
        picker.destroyed.connect(lambda *_: setattr(self, "picker", None))
        self.picker = picker
        picker.popup(self._popup_point())
        return picker

    def _popup_point(self) -> QPoint:
        view = self.window.documents.current_view()
        if view is None:
            return self.window.mapToGlobal(self.window.rect().center())
        edit = view.text_edit
        rect = edit.cursorRect()
        point = edit.viewport().mapToGlobal(rect.bottomLeft()) + QPoint(0, 8)
        if not edit.viewport().rect().contains(rect.bottomLeft()):
            point = edit.mapToGlobal(edit.rect().center()) - QPoint(230, 180)
        return point

    def code_at_new_free_node(self) -> int | None:
        """Ctrl+Shift+N: name a new free node and code the selection there, in one step."""
        if not self._editable("Code at new free node"):
            return None
        selection = self.selection()
        if selection is None:
            self._hint(NO_SELECTION)
            return None
        name, ok = QInputDialog.getText(self.window, "Code at new free node",
                                        "Name of the new free node for the selected text:")
        if not ok or not name.strip():
            return None
        return self.create_and_code(name.strip(), selection)

    def on_stripe_clicked(self, source_id: int, coding_id: int) -> None:
        self.clicked = (source_id, coding_id)

    def uncode_current(self) -> bool:
        """Delete: remove the coding whose stripe was clicked (or the only one under the selection)."""
        if not self._editable("Uncode"):
            return False
        view = self.window.documents.current_view()
        if view is None:
            return False
        source_id = int(view.property("source_id"))
        selected = view.selected_span()
        if self.clicked and self.clicked[0] == source_id:
            span = next((s for s in view.spans() if s.coding_id == self.clicked[1]), None)
            if span is not None and selected == (span.start, span.end):
                return self.uncode(span.coding_id)
        if selected is not None:
            exact = [s for s in view.spans() if (s.start, s.end) == selected]
            if len(exact) == 1:
                return self.uncode(exact[0].coding_id)
        self._hint("Click a coding stripe in the margin first, then press Delete to uncode it.")
        return False

    # -- context menu -------------------------------------------------------------------
    def covering(self, source_id: int, start: int, end: int) -> list[CodingSpan]:
        view = self.window.documents.view(source_id)
        if view is None:
            return []
        if start == end:
            found = [s for s in view.spans() if s.start <= start < s.end]
        else:
            found = [s for s in view.spans() if s.start < end and s.end > start]
        return sorted(found, key=lambda s: (s.start, s.node_name.lower()))

    def build_context_menu(self, source_id: int, start: int, end: int) -> QMenu:
        menu = QMenu(self.window)
        editable = self._editable()
        has_text = start < end
        selection = (source_id, start, end)
        model = self.window.nodes_panel.model
        for node_id in self.recent_nodes():
            item = model.node(node_id)
            action = menu.addAction(f"Code at '{item.name}'", lambda n=node_id: self.code(n, *selection))
            action.setEnabled(editable and has_text)
            action.setToolTip(item.path())
        if self.recent_nodes():
            menu.addSeparator()
        quick = menu.addAction("Code at…", self.code_selection_quick)
        quick.setShortcut(QKeySequence("Ctrl+K"))
        quick.setEnabled(editable and has_text)
        new = menu.addAction("Code at new free node…", self.code_at_new_free_node)
        new.setShortcut(QKeySequence("Ctrl+Shift+N"))
        new.setEnabled(editable and has_text)
        menu.addSeparator()
        uncode = menu.addMenu("Uncode")
        text = self.window.documents.view(source_id).text() if self.window.documents.view(source_id) else ""
        spans = self.covering(source_id, start, end)
        for span in spans:
            label = f"{span.node_name} — “{_excerpt(text[span.start:span.end])}” ({span.coder})"
            uncode.addAction(label, lambda c=span.coding_id: self.uncode(c))
        uncode.setEnabled(editable and bool(spans))
        if has_text:
            menu.addSeparator()
            add = menu.addAction("Add to account…", lambda: self.window.analysis.add_to_account([selection]))
            add.setShortcut(QKeySequence("Ctrl+Shift+G"))
            add.setEnabled(editable)
            menu.addAction("Copy", lambda: QApplication.clipboard().setText(text[start:end]))
        on = [("coding", s.coding_id, f"{s.node_name} — “{_excerpt(text[s.start:s.end])}”") for s in spans]
        add_comment_choices(menu, self.window, on or [("source", source_id, "")])
        return explain_disabled(menu, self.project)

    def show_context_menu(self, source_id: int, pos: QPoint, start: int, end: int) -> None:
        menu = self.build_context_menu(source_id, start, end)
        menu.exec(pos)
        menu.deleteLater()
