"""The memo manager: every memo and diary entry in one list, with filters, editing and links.

Memos are attached to the project, a source, node, coding, case, account, or
another memo (a *link*: "memo:ID"); diary entries have a date. Saving is a
command (``memo.create`` / ``memo.update`` / ``diary.create``), so the audit
trail keeps every version; it happens on Ctrl+S, on Save, when the editor
loses focus, and before another memo is shown.
"""

from __future__ import annotations

from datetime import date
from html import escape as _escape
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import memos as memo_ops
from qdaapp.core.exchange.memo_export import target_labels
from qdaapp.core.memos import MemoInfo
from qdaapp.gui.dialogs.messages import confirm

from .memo_list import MemoList, memo_title

PLACEHOLDERS = {"memo": "Write what you notice, why you coded this way, questions for later…",
                "diary": "What did you do today, what surprised you, what are you unsure of?",
                "none": ""}


def escape(text: str) -> str:
    return _escape(text, quote=False)

class MemoManager(QWidget):
    openTarget = Signal(str, int)  # 'source' | 'node' | 'coding' | 'case' | 'account', id
    exportRequested = Signal()

    def __init__(self, runner: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MemoManager")
        self.runner = runner
        self.project: Any = None
        self._memos: dict[int, MemoInfo] = {}
        self._labels: dict[int, str] = {}
        self.current_id: int | None = None
        self.draft: tuple[str, str | None] | None = None  # ('memo', target) or ('diary', None), unsaved
        self._saved = ("", "")

        self.memo_list = MemoList()
        self.kind, self.author, self.search = self.memo_list.kind, self.memo_list.author, self.memo_list.search
        self.model, self.list = self.memo_list.model, self.memo_list.tree
        self.new_button = QPushButton("New memo")
        self.new_button.setToolTip("A memo on the whole project")
        self.diary_button = QPushButton("New diary entry")
        self.diary_button.setToolTip("Write in your reflexive diary (Ctrl+D)")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write every memo and the diary to a Word or Markdown file")
        for widget in (self.new_button, self.diary_button, self.export_button):
            self.memo_list.bar.addWidget(widget)

        self.heading = QLabel()
        self.heading.setObjectName("PanelHeader")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.linkActivated.connect(self._on_link)
        self.title = QLineEdit()
        self.title.setPlaceholderText("Title (optional)")
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setToolTip("The day this diary entry is about")
        self.editor = QPlainTextEdit()
        self.links = QLabel()
        self.links.setObjectName("Muted")
        self.links.setWordWrap(True)
        self.links.setTextFormat(Qt.TextFormat.RichText)
        self.links.linkActivated.connect(self._on_link)
        self.status = QLabel()
        self.status.setObjectName("Muted")
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save this memo (Ctrl+S)")
        self.link_button = QPushButton("Linked memo…")
        self.link_button.setToolTip("Write a new memo about this one: a link between memos")
        self.delete_button = QPushButton("Delete…")
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.day)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for widget in (self.link_button, self.delete_button, self.save_button):
            buttons.addWidget(widget)
        editor_box = QWidget()
        editor_layout = QVBoxLayout(editor_box)
        editor_layout.setContentsMargins(6, 0, 0, 0)
        editor_layout.addWidget(self.heading)
        editor_layout.addLayout(title_row)
        editor_layout.addWidget(self.editor, 1)
        editor_layout.addWidget(self.links)
        editor_layout.addLayout(buttons)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.memo_list.tree)
        self.splitter.addWidget(editor_box)
        self.splitter.setSizes([560, 560])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self.memo_list.bar)
        layout.addWidget(self.splitter, 1)

        self.memo_list.picked.connect(self._on_picked)
        self.new_button.clicked.connect(lambda: self.new_memo())
        self.diary_button.clicked.connect(self.new_diary_entry)
        self.export_button.clicked.connect(self.exportRequested.emit)
        self.save_button.clicked.connect(self.save)
        self.link_button.clicked.connect(self.new_linked_memo)
        self.delete_button.clicked.connect(self.delete_current)
        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self.save)
        for widget in (self.editor, self.title):
            widget.installEventFilter(self)
        self.editor.textChanged.connect(self._on_edited)
        self.title.textChanged.connect(self._on_edited)
        self.setFocusProxy(self.list)
        self._show(None)

    # -- loading ------------------------------------------------------------------
    def editable(self) -> bool:
        return self.project is not None and not self.project.read_only

    def set_project(self, project: Any) -> None:
        self.project = project
        self.current_id, self.draft = None, None
        self.reload()
        self._show(None)

    def reload(self) -> None:
        memos: list[MemoInfo] = []
        labels: dict[int, str] = {}
        if self.project is not None:
            with self.project.read_session() as s:
                memos = memo_ops.list_memos(s)
                labels = target_labels(s, memos)
        self._memos = {m.id: m for m in memos}
        for m in memos:  # a link names the other memo by its title, or its first line
            if m.target_type == "memo" and m.target_id in self._memos:
                labels[m.id] = f"memo '{memo_title(self._memos[m.target_id])}'"
        self._labels = labels
        self.memo_list.set_memos(self._memos, labels, self.current_id)
        for widget in (self.new_button, self.diary_button):
            widget.setEnabled(self.editable())
        self.export_button.setEnabled(self.project is not None)

    def visible_ids(self) -> list[int]:
        return self.memo_list.visible_ids()

    def apply_filters(self) -> None:
        self.memo_list.select(self.current_id)
        self.memo_list.apply_filters()

    def select_memo(self, memo_id: int) -> bool:
        if memo_id not in self._memos:
            return False
        if memo_id not in self.visible_ids():
            self.memo_list.clear_filters()
        if not self.save():
            return False
        self._show(self._memos[memo_id])
        self.memo_list.select(memo_id)
        return True

    def on_change(self, _change: Any = None) -> None:
        """Memos changed somewhere (here, the memo tab, undo): re-read, keeping what is being typed."""
        self.reload()
        if not self.dirty() and self.draft is None:
            self._show(self._memos.get(self.current_id) if self.current_id is not None else None)

    # -- the editor ---------------------------------------------------------------
    def _on_picked(self, memo_id: int | None) -> None:
        if memo_id == self.current_id and self.draft is None:
            return
        if not self.save():  # the error was shown; stay on what is being written
            self.memo_list.select(self.current_id)
            return
        self._show(self._memos.get(memo_id) if memo_id is not None else None)
        self.memo_list.select(memo_id)

    def _show(self, memo: MemoInfo | None, draft: tuple[str, str | None] | None = None) -> None:
        self.current_id = memo.id if memo else None
        self.draft = draft
        for widget in (self.title, self.editor):
            widget.blockSignals(True)
        self.title.setText(memo.title if memo else "")
        self.editor.setPlainText(memo.text if memo else "")
        for widget in (self.title, self.editor):
            widget.blockSignals(False)
        self._saved = (self.title.text(), self.editor.toPlainText())
        is_diary = (memo is not None and memo.target_type == "diary") or (draft is not None and draft[0] == "diary")
        self.day.setVisible(is_diary)
        self.day.setEnabled(draft is not None and self.editable())
        self.day.setDate(QDate.fromString(memo.date, "yyyy-MM-dd") if memo and memo.date else QDate.currentDate())
        has_text = memo is not None or draft is not None
        editable = self.editable() and has_text
        self.title.setReadOnly(not editable)
        self.editor.setReadOnly(not editable)
        self.save_button.setEnabled(editable)
        self.delete_button.setEnabled(self.editable() and memo is not None)
        self.link_button.setEnabled(self.editable() and memo is not None)
        self.editor.setPlaceholderText(PLACEHOLDERS["diary" if is_diary else "memo"] if draft else
                                       PLACEHOLDERS["none"] if memo is None else "")
        self.heading.setText(self._heading(memo, draft))
        self.links.setText(self._links(memo))
        self.status.setText(self._meta(memo) if memo else ("Not saved yet (Ctrl+S)" if draft else ""))

    def _heading(self, memo: MemoInfo | None, draft: tuple[str, str | None] | None) -> str:
        if self.project is None:
            return "No project is open."
        if memo is None and draft is None:
            hint = "or write a new one" if self.editable() else "to read it"
            return f"<span style='color:#6B6B6B'>Select a memo on the left, {hint}.</span>"
        if draft is not None:
            kind, target = draft
            if kind == "diary":
                return f"<b>New diary entry</b> by {escape(self.project.coder)}"
            on = self._target_link(*memo_ops.parse_target(target)) if target else "the project"
            return f"<b>New memo</b> on {on} by {escape(self.project.coder)}"
        if memo.target_type == "diary":
            return f"<b>Diary entry for {escape(memo.date or '')}</b>"
        return f"<b>Memo on {self._target_link(memo.target_type, memo.target_id, memo.id)}</b>"

    def _target_link(self, kind: str, ident: int | None, memo_id: int | None = None) -> str:
        if kind == "project" or ident is None:
            return "the project"
        label = escape(self._labels.get(memo_id, f"{kind} {ident}") if memo_id else self._label_for(kind, ident))
        return f"<a href='{kind}:{ident}'>{label}</a>"

    def _label_for(self, kind: str, ident: int) -> str:
        if kind == "memo" and ident in self._memos:
            return f"memo '{memo_title(self._memos[ident])}'"
        return f"{kind} {ident}"

    def _links(self, memo: MemoInfo | None) -> str:
        if memo is None:
            return ""
        linked = [m for m in self._memos.values() if m.target_type == "memo" and m.target_id == memo.id]
        if not linked:
            return ""
        items = ", ".join(f"<a href='memo:{m.id}'>{escape(memo_title(m))}</a> ({escape(m.author or '—')})"
                          for m in linked)
        return f"Linked memos: {items}"

    @staticmethod
    def _meta(memo: MemoInfo) -> str:
        text = f"By {memo.author or 'unknown author'} · written {memo.created_at[:10]}"
        if memo.updated_at[:16] != memo.created_at[:16]:
            text += f" · last changed {memo.updated_at[:16].replace('T', ' ')}"
        return text

    def _on_link(self, href: str) -> None:
        kind, _, ident = href.partition(":")
        if not ident.isdigit():
            return
        if kind == "memo":
            self.select_memo(int(ident))
        else:
            self.openTarget.emit(kind, int(ident))

    # -- new memos ----------------------------------------------------------------
    def new_memo(self, target: str | None = None) -> bool:
        """Start a memo on ``target`` ('node:5', 'memo:4'… ; None: the project)."""
        if not self.editable() or not self.save():
            return False
        self.list.clearSelection()
        self._show(None, ("memo", target))
        self.editor.setFocus()
        return True

    def new_linked_memo(self) -> bool:
        if self.current_id is None:
            return False
        return self.new_memo(f"memo:{self.current_id}")

    def new_diary_entry(self) -> bool:
        if not self.editable() or not self.save():
            return False
        self.list.clearSelection()
        self._show(None, ("diary", None))
        self.editor.setFocus()
        return True

    # -- saving -------------------------------------------------------------------
    def dirty(self) -> bool:
        return (self.title.text(), self.editor.toPlainText()) != self._saved

    def _on_edited(self) -> None:
        if self.dirty():
            self.status.setText("Not saved yet (Ctrl+S)")

    def save(self) -> bool:
        """Save what is in the editor if it changed; True when nothing is left unsaved."""
        if not self.editable() or not self.dirty():
            return True
        title, text = self.title.text().strip(), self.editor.toPlainText()
        author = self.project.coder
        if self.draft is not None:
            if not text.strip():
                return True
            kind, target = self.draft
            if kind == "diary":
                day = self.day.date().toString("yyyy-MM-dd") or date.today().isoformat()
                ok, memo_id = self.runner.run(memo_ops.add_diary_entry, text, day=day, author=author)
            else:
                ok, memo_id = self.runner.run(memo_ops.add_memo, text, target=target, title=title, author=author)
            if not ok:
                return False
            self.draft = None
            self.current_id = memo_id
        elif self.current_id is not None:
            ok, _ = self.runner.run(memo_ops.update_memo, self.current_id, text=text, title=title)
            if not ok:
                return False
        self._saved = (self.title.text(), self.editor.toPlainText())
        self.reload()
        if self.current_id in self._memos:
            self._show(self._memos[self.current_id])
        memo = self._memos.get(self.current_id) if self.current_id is not None else None
        self.status.setText(f"Saved. {self._meta(memo)}" if memo else "Saved.")
        return True

    def delete_current(self) -> bool:
        memo = self._memos.get(self.current_id) if self.current_id is not None else None
        if memo is None or not self.editable():
            return False
        text = (f"Delete the memo '{memo_title(memo)}'?\n\nThe audit trail keeps its text, and Edit ▸ Undo "
                "brings it back.")
        if not confirm(self, text, "Delete memo"):
            return False
        ok, _ = self.runner.run(memo_ops.delete_memo, memo.id)
        if ok:
            self._saved = ("", "")
            self._show(None)
            self.reload()
        return ok

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and obj in (self.editor, self.title):
            self.save()
        return super().eventFilter(obj, event)
