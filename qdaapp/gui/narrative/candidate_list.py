"""Candidates for a missing speech act, under that act in the completeness panel.

A card per candidate: why it is proposed and where it is (heading), the
sentence (body). Keys, shown in the tooltips and the context menu:
**Enter** opens the passage in its document, **Ctrl+Enter** makes a fragment
of the missing act resting on it, **Insert** adds it to the account's
passages. The changes go through the usual audited commands (the workspace
runs them), so Edit ▸ Undo takes them back.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core.act_candidates import Candidate

from .common import COLOR_ROLE, HEADING_ROLE, SPAN_ROLE, CardDelegate, act_color

KEYS = "Enter: open in document · Ctrl+Enter: new fragment from it · Insert: add to the account's passages"
NONE_FOUND = ("No sentence near the account's passages has a phrase of this act or is like them. "
              "Read around the passages in their documents.")


KEY_HINT = "Enter: open · Ctrl+Enter: new fragment · Ins: add to passages"


def heading(c: Candidate) -> str:
    """'I/we/they… + past verb · 2 sentences away · Rosa.txt · P1': why, then where."""
    away = f"{c.distance} sentence{'s' if c.distance != 1 else ''} away"
    why = "; ".join(r.removeprefix("pattern ").strip("'") if r.startswith("pattern '") else r for r in c.reasons)
    return " · ".join(x for x in (why, away, c.source, c.speaker) if x)


class CandidateBox(QWidget):
    """A candidate list with its keys written under it."""

    def __init__(self, found: CandidateList, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = found
        hint = QLabel(KEY_HINT)
        hint.setStyleSheet("QLabel { color: #6B6B6B; font-size: 8pt; }")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(2)
        layout.addWidget(found)
        layout.addWidget(hint)


class CandidateList(QListWidget):
    """The candidates of one act. Signals carry the act and the passage (source id, start, end)."""

    openRequested = Signal(int, int, int)
    addRequested = Signal(int, int, int)
    fragmentRequested = Signal(str, int, int, int)

    def __init__(self, act: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.act = act
        self.writable = True
        self.candidates: list[Candidate] = []
        self.setItemDelegate(CardDelegate(self, 3))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.itemActivated.connect(lambda item: self.open_current())
        self.setMinimumHeight(150)
        self.setMaximumHeight(260)
        self.setToolTip(KEYS)
        self.setAccessibleName(f"Candidates for {act}")

    def show_candidates(self, found: list[Candidate]) -> None:
        keep = self.current()
        self.candidates = list(found)
        self.clear()
        for c in found:
            item = QListWidgetItem(c.text)
            item.setData(HEADING_ROLE, heading(c))
            item.setData(COLOR_ROLE, act_color(self.act).name())
            item.setData(SPAN_ROLE, (c.source_id, c.start, c.end))
            terms = f"<br>Shared words: {escape(', '.join(c.shared_terms))}" if c.shared_terms else ""
            item.setToolTip(f"<b>{escape(c.source)}</b> · {escape(c.speaker or 'no speaker')}<br>"
                            f"{escape(c.text[:600])}<br><i>Why: {escape(c.reason)}</i>{terms}<br><br>{KEYS}")
            self.addItem(item)
            if keep is not None and (c.source_id, c.start, c.end) == (keep.source_id, keep.start, keep.end):
                self.setCurrentItem(item)
        if not found:
            self.show_message(NONE_FOUND)
        elif self.currentRow() < 0:
            self.setCurrentRow(0)

    def show_message(self, text: str) -> None:
        """A note in place of the cards (nothing found, or why nothing could be looked for)."""
        self.candidates = []
        self.clear()
        item = QListWidgetItem(text)
        item.setData(HEADING_ROLE, f"Candidates for {self.act}")
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.addItem(item)

    def current(self) -> Candidate | None:
        row = self.currentRow()
        return self.candidates[row] if 0 <= row < len(self.candidates) else None

    # ------------------------------------------------------------------ actions
    def open_current(self) -> bool:
        c = self.current()
        if c is not None:
            self.openRequested.emit(c.source_id, c.start, c.end)
        return c is not None

    def add_current(self) -> bool:
        c = self.current()
        if c is None or not self.writable:
            return False
        self.addRequested.emit(c.source_id, c.start, c.end)
        return True

    def fragment_from_current(self) -> bool:
        c = self.current()
        if c is None or not self.writable:
            return False
        self.fragmentRequested.emit(self.act, c.source_id, c.start, c.end)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if mods & Qt.KeyboardModifier.ControlModifier:
                self.fragment_from_current()
            else:
                self.open_current()
            event.accept()
            return
        if key == Qt.Key.Key_Insert:
            self.add_current()
            event.accept()
            return
        super().keyPressEvent(event)

    def _menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return
        self.setCurrentItem(item)
        menu = self.context_menu()
        menu.exec(self.viewport().mapToGlobal(pos))

    def context_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Open in document\tEnter", self.open_current)
        menu.addAction(f"New {self.act} fragment from it…\tCtrl+Enter", self.fragment_from_current
                       ).setEnabled(self.writable)
        menu.addAction("Add to the account's passages\tInsert", self.add_current).setEnabled(self.writable)
        return menu


def connect_candidates(workspace: Any) -> None:
    """Give the workspace's completeness panel its candidates and carry out what is asked of them:
    open in the document, add to the account's passages, a fragment of the act resting on it."""
    from qdaapp.core import act_candidates

    from .fragment_dialog import FragmentDialog

    panel = workspace.completeness

    def find(act: str) -> list[Candidate]:
        with workspace.project.read_session() as s:
            return act_candidates.candidates(s, workspace.account_id, act)

    def new_fragment(act: str, source_id: int, start: int, end: int) -> None:
        dialog = FragmentDialog(workspace.project, workspace.account_id, passages=[(source_id, start, end)],
                                parent=workspace)
        dialog.set_act(act)
        if dialog.exec():
            workspace.flowchart.select_fragment(dialog.fragment_id)

    panel.set_finder(find)
    panel.openPassage.connect(workspace.openPassage)
    panel.addPassage.connect(lambda sid, a, b: workspace.add_passages([(sid, a, b)]))
    panel.newFragment.connect(new_fragment)
