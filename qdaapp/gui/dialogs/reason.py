"""Asking why before a bulk or destructive action ("Why? (optional)").

Accepting or rejecting a whole group of marker passages, deleting or merging
a node, moving a branch of the tree, deleting a source or a fragment, coding
a whole search: each asks once, in one dialog that also stands for the
confirmation, what the action is for. The answer goes into the audit trail
with the change, so a supervisor reading the trail later sees the decision
and its reason.

The reason is optional. **OK** (default) does the action with the reason
typed, **Skip** (or Esc) does it without one, **Cancel** does nothing. The
reasons typed during this session are offered again in the field, and
"Don't ask again this session" stops the question for that kind of action
until the app is closed (a destructive action then still asks a plain
yes/no). :class:`ReasonField` is the field and that box on their own, for a
dialog that already asks something (Code search results).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qdaapp.gui.dialogs.messages import confirm

RECENT_MAX = 12
PLACEHOLDER = "For example: agreed in supervision on 3 May"


@dataclass
class ReasonMemory:
    """What this session remembers: the reasons typed (newest first) and the kinds of action not to ask about."""

    recent: list[str] = field(default_factory=list)
    quiet: set[str] = field(default_factory=set)

    def used(self, reason: str) -> None:
        reason = reason.strip()
        if reason:
            self.recent = [reason] + [r for r in self.recent if r != reason][:RECENT_MAX - 1]

    def forget(self) -> None:
        self.recent.clear()
        self.quiet.clear()


SESSION = ReasonMemory()  # one per running app


@dataclass(frozen=True)
class Answer:
    """The user's go-ahead: the reason (empty when skipped) and whether negated passages are included."""

    reason: str = ""
    include_negated: bool = False
    asked: bool = True  # False when the session said not to ask

    def run_kwargs(self) -> dict:
        """Keyword arguments for ``runner.run``: the reason when there is one (else the status bar's applies)."""
        return {"reason": self.reason} if self.reason else {}


class ReasonField(QWidget):
    """"Why? (optional)": an editable list of this session's reasons and "Don't ask again this session"."""

    def __init__(self, kind: str, memory: ReasonMemory = SESSION, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.memory = memory
        self.label = QLabel("Why? (optional)")
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItems(memory.recent)
        self.combo.setCurrentIndex(-1)
        self.combo.setEditText("")
        self.combo.lineEdit().setPlaceholderText(PLACEHOLDER)
        self.combo.lineEdit().setClearButtonEnabled(True)
        self.combo.setToolTip("Saved in the audit trail with this change; the reasons given earlier in this session "
                              "are in the list")
        self.label.setBuddy(self.combo)
        self.dont_ask = QCheckBox("Don't ask again this session")
        self.dont_ask.setToolTip("Until qdaapp is closed, this kind of action no longer asks for a reason")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.combo)
        layout.addWidget(self.dont_ask)
        self.setVisible(kind not in memory.quiet)

    def reason(self) -> str:
        return self.combo.currentText().strip() if self.kind not in self.memory.quiet else ""

    def remember(self, with_reason: bool = True) -> str:
        """Note the answer in the session (the reason if ``with_reason``, and "don't ask"); returns the reason."""
        reason = self.reason() if with_reason else ""
        self.memory.used(reason)
        if self.dont_ask.isChecked():
            self.memory.quiet.add(self.kind)
        return reason


class ReasonDialog(QDialog):
    """One dialog per bulk or destructive action: what it does, why, and (for accepts) the negated passages."""

    SKIPPED = 2  # exec() result besides Accepted (OK) and Rejected (Cancel)

    def __init__(self, parent: QWidget | None, kind: str, description: str, action_text: str,
                 details: str = "", negated: int = 0, negated_example: str = "",
                 memory: ReasonMemory = SESSION, title: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title or action_text)
        self.setMinimumWidth(460)
        self.description = description
        self.what = QLabel(f"<b>{_html(description)}</b>")
        self.what.setWordWrap(True)
        self.details = QLabel(details)
        self.details.setWordWrap(True)
        self.details.setObjectName("Muted")
        self.details.setVisible(bool(details))
        self.field = ReasonField(kind, memory, self)
        self.include_negated = QCheckBox(_negated_text(negated, negated_example))
        self.include_negated.setToolTip("Negated passages often tell the opposite of the act. Left unticked, they "
                                        "stay in the queue to be accepted or rejected one by one.")
        self.include_negated.setVisible(negated > 0)
        self.negated_note = QLabel("Unticked, they stay in the queue to be accepted or rejected one by one.")
        self.negated_note.setObjectName("Muted")
        self.negated_note.setWordWrap(True)
        self.negated_note.setContentsMargins(22, 0, 0, 0)
        self.negated_note.setVisible(negated > 0)
        self.buttons = QDialogButtonBox()
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.skip_button = QPushButton("Skip")
        self.skip_button.setToolTip("Do it without a reason (Esc)")
        self.buttons.addButton(self.skip_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.ok_button = self.buttons.addButton(action_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.ok_button.setAutoDefault(True)
        self.skip_button.setAutoDefault(False)
        self.cancel_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        self.skip_button.clicked.connect(self.skip)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(self.what)
        layout.addWidget(self.details)
        layout.addWidget(self.include_negated)
        layout.addWidget(self.negated_note)
        layout.addSpacing(4)
        layout.addWidget(self.field)
        layout.addSpacing(4)
        layout.addWidget(self.buttons)
        self.field.combo.setFocus()

    def skip(self) -> None:
        self.done(self.SKIPPED)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.skip()  # Esc skips the reason; the action still happens (Cancel is its own button)
            return
        super().keyPressEvent(event)

    def answer(self) -> Answer | None:
        """The go-ahead after ``exec``: None if cancelled."""
        code = self.result()
        if code not in (QDialog.DialogCode.Accepted, self.SKIPPED):
            return None
        reason = self.field.remember(with_reason=code == QDialog.DialogCode.Accepted)
        return Answer(reason, self.include_negated.isVisibleTo(self) and self.include_negated.isChecked())


def ask_reason(parent: QWidget | None, kind: str, description: str, action_text: str, *, details: str = "",
               negated: int = 0, negated_example: str = "", destructive: bool = False,
               memory: ReasonMemory = SESSION) -> Answer | None:
    """Ask why before ``description`` ("Accept all 227 passages of 'have to'?"); None means Cancel.

    ``kind`` is the kind of action the "Don't ask again" box remembers ("review.accept",
    "node.delete"...). When the session says not to ask, a ``destructive`` action still asks a
    plain yes/no, and negated passages are left out."""
    if kind in memory.quiet:
        if destructive and not confirm(parent, description + (f"\n\n{details}" if details else ""), action_text):
            return None
        return Answer(asked=False)
    dialog = ReasonDialog(parent, kind, description, action_text, details, negated, negated_example, memory)
    dialog.exec()
    return dialog.answer()


def _negated_text(count: int, example: str) -> str:
    them = "the negated passage" if count == 1 else f"the {count} negated passages"
    return f"Include {them}" + (f" (\u201c{example}\u2026\u201d)" if example else "")


def _html(text: str) -> str:
    import html

    return html.escape(text).replace("\n", "<br>")
