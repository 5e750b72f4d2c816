"""Account details (title, description) and Greimas's actantial roles of an account."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import flowgraph, narrative
from qdaapp.core.narrative import ACTANT_ROLES, actor_names

from .common import muted_label, try_run, watch

ROLE_HINTS = {
    "subject": "who acts",
    "object": "what they seek to achieve",
    "sender": "who asks or moves them to act",
    "receiver": "who benefits",
    "helper": "who or what helps",
    "opponent": "who or what stands in the way",
}


class AccountDetailsDialog(QDialog):
    """Edit an account's title (the object of the activity) and description."""

    def __init__(self, project: Any, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.account_id = project, int(account_id)
        with project.read_session() as s:
            account = narrative.resolve_account(s, self.account_id)
            self._title, self._description = account.title, account.description or ""
        self.setWindowTitle("Account details")
        self.setMinimumWidth(520)
        self.title = QLineEdit(self._title)
        self.description = QPlainTextEdit(self._description)
        self.description.setPlaceholderText("What happened, where and when; why these passages belong together.")
        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("", muted_label("The object of the activity, e.g. “Planning a health promotion event”."))
        form.addRow("Description", self.description)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not project.read_only)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def save(self) -> None:
        title = self.title.text().strip()
        description = self.description.toPlainText()
        changes: dict[str, str] = {}
        if title and title != self._title:
            changes["title"] = title
        if description != self._description:
            changes["description"] = description
        if not changes or try_run(self, self.project, narrative.update_account, self.account_id, **changes)[0]:
            self.accept()


class ActantRolesDialog(QDialog):
    """Who is subject, object, sender, receiver, helper and opponent in this account.
    Each assignment or removal is saved at once (and can be undone)."""

    def __init__(self, project: Any, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.account_id = project, int(account_id)
        self.setWindowTitle("Actantial roles")
        self.setMinimumSize(560, 440)
        intro = muted_label("Greimas's actants: " + "; ".join(f"<b>{r}</b> {h}" for r, h in ROLE_HINTS.items())
                            + ". A story can be told from several actors' perspectives.")
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Role", "Actor"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.role = QComboBox()
        for role in ACTANT_ROLES:
            self.role.addItem(f"{role} ({ROLE_HINTS[role]})", role)
        self.actor = QComboBox()
        self.actor.setEditable(True)
        self.actor.lineEdit().setPlaceholderText("Actor")
        self.assign_button = QPushButton("Assign")
        self.assign_button.clicked.connect(self._on_assign_clicked)
        self.remove_button = QPushButton("Remove selected")
        self.remove_button.clicked.connect(self._on_remove_clicked)
        for w in (self.assign_button, self.remove_button, self.actor, self.role):
            w.setEnabled(not project.read_only)
        row = QHBoxLayout()
        row.addWidget(self.actor, 2)
        row.addWidget(QLabel("is the"))
        row.addWidget(self.role, 2)
        row.addWidget(self.assign_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.remove_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addLayout(bottom)
        watch(project, self, lambda change: self.reload())
        self.reload()

    def reload(self) -> None:
        with self.project.read_session() as s:
            data = flowgraph.show(s, self.account_id)
            known = actor_names(s)
        self.roles = [(r["role"], r["actor"]) for r in data["roles"]]
        self.table.setRowCount(len(self.roles))
        for i, (role, actor) in enumerate(self.roles):
            self.table.setItem(i, 0, QTableWidgetItem(role))
            self.table.setItem(i, 1, QTableWidgetItem(actor))
        text = self.actor.currentText()
        self.actor.clear()
        names = list(dict.fromkeys(data["actors"] + known))
        self.actor.addItems(names)
        self.actor.setEditText(text)

    def assign(self, actor: str, role: str) -> bool:
        return bool(actor.strip()) and try_run(self, self.project, narrative.assign_role, self.account_id,
                                               actor.strip(), role)[0]

    def _on_assign_clicked(self) -> None:
        if self.assign(self.actor.currentText(), self.role.currentData()):
            self.actor.setEditText("")

    def _on_remove_clicked(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for role, actor in [self.roles[r] for r in rows]:
            try_run(self, self.project, narrative.remove_role, self.account_id, actor, role)
