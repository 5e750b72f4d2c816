"""Add to account…: put passages (a document selection, a coded passage, a
search or marker hit) into an existing account or a new one.

The main window calls :func:`add_to_account` with ``[(source_id, start, end)]``.

Run ``python -m qdaapp.gui.narrative.add_to_account`` for a quick look.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import flowgraph, narrative
from qdaapp.core.errors import Conflict, QdaError
from qdaapp.gui.dialogs.messages import inform, show_error

from .common import ID_ROLE, Passage, muted_label, one_line

NEW = -1
_last_account: dict[str, int] = {}  # project path -> the account used last


class AddToAccountDialog(QDialog):
    """Choose an account (type to filter) or type a new title. After ``exec()``:
    ``account_id`` and ``added`` (how many passages were new to it)."""

    def __init__(self, project: Any, passages: list[Passage], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.passages = project, list(passages)
        self.account_id: int | None = None
        self.added = 0
        with project.read_session() as s:
            self.accounts = flowgraph.list_accounts(s)
            facts = narrative.source_facts(s, [sid for sid, _, _ in self.passages])
        self.setWindowTitle("Add to account")
        self.setMinimumSize(520, 440)
        n = len(self.passages)
        first = self.passages[0] if self.passages else None
        preview = ""
        if first and first[0] in facts:
            name, _case, text = facts[first[0]]
            quote = one_line(text[first[1]:first[2]])
            preview = (f"{name}: “{quote[:220]}{'…' if len(quote) > 220 else ''}”"
                       + (f" and {n - 1} more" if n > 1 else ""))
        intro = QLabel(f"<b>Add {n} passage{'s' if n != 1 else ''} to an account</b>")
        self.preview = muted_label(preview)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type to find an account, or the title of a new one")
        self.search.textChanged.connect(self._refill)
        self.list = QListWidget()
        self.list.itemDoubleClicked.connect(lambda _item: self.save())
        hint = muted_label("An account gathers the passages about one object of activity, "
                           "for example “Planning a health promotion event”.")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.preview)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self._refill("")
        self.search.setFocus()

    def _refill(self, text: str) -> None:
        text = text.strip()
        self.list.clear()
        last = _last_account.get(str(self.project.path))
        exact = any(a["title"].lower() == text.lower() for a in self.accounts)
        for a in self.accounts:
            if text and text.lower() not in a["title"].lower():
                continue
            missing = f" · missing {', '.join(a['missing'])}" if a["fragments"] and a["missing"] else ""
            item = QListWidgetItem(f"{a['title']}\n{a['passages']} passages · {a['fragments']} fragments{missing}")
            item.setData(ID_ROLE, a["id"])
            self.list.addItem(item)
            if a["id"] == last and not text:
                self.list.setCurrentItem(item)
        if text and not exact:
            item = QListWidgetItem(f"＋ New account “{text}”")
            item.setData(ID_ROLE, NEW)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            self.list.addItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        if not self.accounts and not text:
            item = QListWidgetItem("There are no accounts yet: type a title above to make the first one.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            not self.project.read_only and self.list.currentItem() is not None
            and self.list.currentItem().data(ID_ROLE) is not None)

    def choose(self, text: str) -> None:
        """Type ``text`` in the search field (the first match, or a new account, is chosen)."""
        self.search.setText(text)

    def save(self) -> None:
        item = self.list.currentItem()
        choice = item.data(ID_ROLE) if item is not None else None
        if choice is None:
            return
        try:
            if choice == NEW:
                choice = self.project.run(narrative.create_account, self.search.text().strip(),
                                          created_by=self.project.coder)
            self.account_id = int(choice)
            for sid, start, end in self.passages:
                try:
                    self.project.run(narrative.add_passage, self.account_id, sid, start, end,
                                     added_by=self.project.coder)
                    self.added += 1
                except Conflict:
                    continue
        except QdaError as exc:
            show_error(self, exc)
            if self.account_id is None:
                return
        _last_account[str(self.project.path)] = self.account_id
        if not self.added and self.passages:
            inform(self, "The passage is already in that account." if len(self.passages) == 1
                   else "These passages are already in that account.")
        self.accept()


def add_to_account(parent: QWidget | None, project: Any, passages: list[Passage]) -> int | None:
    """Ask which account to add ``passages`` to and add them; the account id, or None if cancelled."""
    if not passages:
        return None
    dialog = AddToAccountDialog(project, passages, parent)
    return dialog.account_id if dialog.exec() else None


if __name__ == "__main__":
    from .demo import quick_look

    quick_look(lambda project, account_id: AddToAccountDialog(project, [(1, 0, 120)]), "add to account",
               size=(560, 460))
