"""Code search results at a node: choose how much text each hit codes and where.

:class:`CodeResultsDialog` asks for the spread (the hit, its sentence,
paragraph or speaker turn) and a node (filter box + list, ranked like the
quick pick; a new free node can be made from the filter text).
:func:`code_hits` then codes every hit on a worker in one ``search.code``
command (one undo step), skipping passages already coded there by this coder.
Coding more than one result asks why too (optional), in the same dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import coding, nodes, search
from qdaapp.core.progress import CancelToken, Progress
from qdaapp.core.search import KeywordHit
from qdaapp.gui.dialogs.quick_pick import Choice, rank
from qdaapp.gui.dialogs.reason import ReasonField
from qdaapp.gui.models.node_tree import swatch
from qdaapp.gui.search.common import plural
from qdaapp.gui.workers import Job, make_progress_dialog, run_in_worker

SPREAD_LABELS = (("hit", "Only the hit"), ("sentence", "Its sentence"), ("paragraph", "Its paragraph"),
                 ("turn", "The speaker's turn"))
SPREAD_NAMES = {key: label.lower() for key, label in SPREAD_LABELS}
NODE_ROLE = Qt.ItemDataRole.UserRole + 1
NEW_NODE = -1


@dataclass
class CodePlan:
    spread: str
    node_id: int | None  # None: create the free node ``new_name``
    new_name: str
    selected_only: bool
    reason: str = ""  # why, for the audit trail


class CodeResultsDialog(QDialog):
    def __init__(self, parent: QWidget | None, project: Any, total: int, selected: int,
                 spread: str = "sentence") -> None:
        super().__init__(parent)
        self.setWindowTitle("Code search results")
        self.setMinimumSize(480, 520)
        with project.read_session() as s:
            self._choices = [Choice(n.id, n.name, n.path, n.kind, n.color, n.codings) for n in nodes.list_nodes(s)]
        self.which = QButtonGroup(self)
        self.all_button = QRadioButton(f"All {plural(total, 'result')}")
        self.selected_button = QRadioButton(f"Only the {plural(selected, 'selected result')}")
        self.selected_button.setEnabled(selected > 0)
        (self.selected_button if selected > 1 else self.all_button).setChecked(True)
        which = QHBoxLayout()
        for button in (self.all_button, self.selected_button):
            self.which.addButton(button)
            which.addWidget(button)
        which.addStretch(1)
        self.spreads = QButtonGroup(self)
        spread_box = QVBoxLayout()
        for key, label in SPREAD_LABELS:
            button = QRadioButton(label)
            button.setProperty("spread", key)
            button.setChecked(key == spread)
            self.spreads.addButton(button)
            spread_box.addWidget(button)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Type part of a node name, or a new free node's name")
        self.filter.setClearButtonEnabled(True)
        self.nodes = QListWidget()
        self.nodes.setUniformItemSizes(True)
        self.why = ReasonField("search.code", parent=self)
        self.why.setVisible(self.why.isVisibleTo(self) and total > 1)  # one passage is not a bulk action
        form = QFormLayout()
        form.addRow("Code:", which)
        form.addRow("How much text:", spread_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("Code", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("At node:"))
        layout.addWidget(self.filter)
        layout.addWidget(self.nodes, 1)
        hint = QLabel("Passages already coded at that node by you are skipped. Undo (Ctrl+Z) removes all the codings "
                      "made here at once.")
        hint.setObjectName("Muted")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.why)
        layout.addWidget(self.buttons)
        self.filter.textChanged.connect(self._refill)
        self.nodes.currentItemChanged.connect(lambda *_: self._update_ok())
        self.nodes.itemDoubleClicked.connect(lambda _item: self.accept() if self.ok.isEnabled() else None)
        self.which.buttonToggled.connect(lambda *_: self._update_ok())
        self._refill("")

    def _refill(self, text: str) -> None:
        self.nodes.clear()
        for choice in rank(text, self._choices):
            label = choice.path + ("   (free node)" if choice.kind == "free" else "")
            item = QListWidgetItem(swatch(choice.color), label)
            item.setData(NODE_ROLE, choice.node_id)
            self.nodes.addItem(item)
        name = text.strip()
        if name and "/" not in name and not any(c.kind == "free" and c.name == name for c in self._choices):
            item = QListWidgetItem(f"＋  Create free node '{name}'")
            item.setData(NODE_ROLE, NEW_NODE)
            self.nodes.addItem(item)
        if self.nodes.count():
            self.nodes.setCurrentRow(0)
        self._update_ok()

    def choose_node(self, node_id: int) -> None:
        for i in range(self.nodes.count()):
            if self.nodes.item(i).data(NODE_ROLE) == node_id:
                self.nodes.setCurrentRow(i)
                return

    def set_spread(self, spread: str) -> None:
        for button in self.spreads.buttons():
            button.setChecked(button.property("spread") == spread)

    def _update_ok(self) -> None:
        self.ok.setEnabled(self.nodes.currentItem() is not None)
        self.ok.setText("Code the selected results" if self.selected_button.isChecked() else "Code all results")

    def plan(self) -> CodePlan | None:
        item = self.nodes.currentItem()
        button = self.spreads.checkedButton()
        if item is None or button is None:
            return None
        node_id = int(item.data(NODE_ROLE))
        reason = self.why.remember() if self.why.isVisibleTo(self) else ""
        return CodePlan(str(button.property("spread")), None if node_id == NEW_NODE else node_id,
                        self.filter.text().strip(), self.selected_button.isChecked(), reason)


@dataclass
class CodeOutcome:
    node_path: str
    coded: int
    skipped: int


def code_hits(parent: QWidget | None, project: Any, hits: Sequence[KeywordHit], plan: CodePlan,
              on_done: Callable[[CodeOutcome], None], on_error: Callable[[BaseException], None],
              on_cancelled: Callable[[], None] | None = None, query: str = "") -> Job:
    """Code ``hits`` (found by ``query``) on a worker with a progress dialog (shown if it takes a moment).

    The hits are widened to their passages in one read, then coded by one
    ``search.code`` command: one transaction, one audit event per coding, one
    Undo, and one change notice, so the window repaints once at the end.
    The write is all or nothing: Cancel leaves the project as it was.
    """
    found = [(h.source_id, h.start, h.end) for h in hits]
    coder = project.coder

    def work(progress: Progress, cancel: CancelToken) -> CodeOutcome:
        progress.start(0, f"Finding the passages of {plural(len(found), 'result')}…")
        with project.read_session() as s:
            passages = search.spread_spans(s, found, plan.spread)
            path = plan.new_name if plan.node_id is None else nodes.path_of(s, nodes.resolve(s, plan.node_id))
        cancel.check()
        progress.start(0, f"Coding {plural(len(set(passages)), 'passage')} at {path}…")
        label = plural(len(found), "search result")
        if query:
            label = f"{plural(len(found), 'result')} of the search {query}"
        try:
            done = project.run(coding.code_passages, passages, plan.node_id, coder, origin="search",
                               new_node=plan.new_name, label=f"{label}, {SPREAD_NAMES[plan.spread]}", cancel=cancel,
                               reason=plan.reason)
        except coding.AlreadyCoded as exc:
            return CodeOutcome(path, 0, exc.skipped)
        return CodeOutcome(path, done["coded"], done["skipped"])

    dialog = make_progress_dialog(parent, "Coding search results", f"Coding {plural(len(hits), 'result')}…")
    return run_in_worker(work, on_done, on_error, dialog, on_cancelled)
