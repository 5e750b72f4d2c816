"""Bottom dock "Similar passages": the passages most like some examples, as a queue to accept or reject.

Keys on the list: **A** accept (codes the passage at the chosen node, then
the next passage left to review is selected), **R** reject (kept in this
queue only: nothing is written), **Space** shows the passage in its document,
**Shift+A** accepts every passage left (or the selected ones), asking
why first. Rows can be dragged onto an account. Accepting is one audited,
undoable ``search.code`` command with origin ``similar``; after an undo or
redo the marks follow what is coded at the node.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import coding, nodes, similar
from qdaapp.core.errors import QdaError
from qdaapp.gui.dialogs.messages import show_error
from qdaapp.gui.dialogs.reason import ask_reason
from qdaapp.gui.models.passages import HtmlDelegate
from qdaapp.gui.search.common import ChangeBridge, MessageLabel, hint_label, plural
from qdaapp.gui.search.review_panel import DISABLED_STYLE
from qdaapp.gui.similar.model import PASSAGE, SHARES, SOURCE, STATUS, SimilarModel
from qdaapp.gui.workers import Job, make_progress_dialog, run_in_worker

EMPTY = ("<p style='font-size:11pt'><b>No similar passages yet.</b></p><p>Select a node, some coded passages, "
         "search results or marker hits, or an account, and press <b>Ctrl+Shift+L</b> (Analysis ▸ Find similar "
         "passages). The sentences most like them are listed here: <b>A</b> codes one at the node you choose, "
         "<b>R</b> passes it by.</p>")
KEYS_HINT = ("A accept · R reject · ↑ ↓ next passage · Space show in document · Shift+A accept all left "
             "(or the selected) · drag onto an account")
UNITS = (("sentence", "Sentences"), ("paragraph", "Paragraphs"), ("turn", "Speaker turns"))
TOP = 50


class SimilarPanel(QWidget):
    openPassage = Signal(int, int, int)  # source id, start, end

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Any = None
        self.examples: list[similar.Example] = []
        self.about = ""  # what the examples are ("'Performance'", "3 coded passages")
        self.job: Job | None = None
        self._runs = 0  # rankings started: only the newest one's results are shown
        self._bridge = ChangeBridge(self)
        self._bridge.changed.connect(self._on_project_change)

        self.counter = QLabel("")
        self.counter.setObjectName("PanelHeader")
        self.unit_combo = QComboBox()
        for key, label in UNITS:
            self.unit_combo.addItem(label, key)
        self.unit_combo.setToolTip("What to rank: sentences, paragraphs or whole speaker turns")
        self.unit_combo.currentIndexChanged.connect(lambda _i: self.find_again())
        self.node_combo = QComboBox()
        self.node_combo.setToolTip("Accepted passages are coded at this node")
        self.node_combo.setMinimumWidth(200)
        self.accept_button = QPushButton("Accept (A)")
        self.accept_button.setObjectName("PrimaryButton")
        self.accept_button.setStyleSheet(DISABLED_STYLE)
        self.accept_button.clicked.connect(lambda: self.decide(True))
        self.reject_button = QPushButton("Reject (R)")
        self.reject_button.clicked.connect(lambda: self.decide(False))
        self.bulk_button = QPushButton("Accept all left…")
        self.bulk_button.setToolTip("Code every passage not yet reviewed (or the selected ones) at the node, "
                                    "asking why first (Shift+A)")
        self.bulk_button.clicked.connect(self.accept_many)
        self.message = MessageLabel()
        self.model = SimilarModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(PASSAGE, HtmlDelegate(self.table, max_lines=2))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.setWordWrap(True)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(STATUS, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(STATUS, 28)
        header.setSectionResizeMode(PASSAGE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SHARES, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(SHARES, 220)
        header.setSectionResizeMode(SOURCE, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(SOURCE, 150)
        self.table.doubleClicked.connect(lambda index: self.show_passage(index.row()))
        self.table.installEventFilter(self)
        self.empty = hint_label(EMPTY)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.keys_hint = QLabel(KEYS_HINT)
        self.keys_hint.setObjectName("Muted")

        top = QHBoxLayout()
        top.addWidget(self.counter, 1)
        top.addWidget(QLabel("Rank:"))
        top.addWidget(self.unit_combo)
        top.addSpacing(12)
        top.addWidget(QLabel("Code at:"))
        top.addWidget(self.node_combo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keys_hint, 1)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.bulk_button)
        buttons.addWidget(self.accept_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self._sync()

    # -- project ----------------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        self.project = project
        self._bridge.attach(project)
        self.examples, self.about = [], ""
        self.model.set_results([])
        self.message.clear_message()
        self._fill_nodes(None)
        self._sync()

    def _fill_nodes(self, chosen: int | None) -> None:
        current = chosen if chosen is not None else self.node_combo.currentData()
        self.node_combo.blockSignals(True)
        self.node_combo.clear()
        if self.project is not None:
            with self.project.read_session() as s:
                for n in nodes.list_nodes(s):
                    self.node_combo.addItem(n.path, n.id)
        at = self.node_combo.findData(current)
        self.node_combo.setCurrentIndex(at if at >= 0 else -1)
        self.node_combo.blockSignals(False)

    def node_id(self) -> int | None:
        data = self.node_combo.currentData()
        return int(data) if data is not None else None

    # -- finding ----------------------------------------------------------------------------
    def find(self, examples: Sequence[similar.Example], about: str, node_id: int | None = None) -> Job | None:
        """Rank the passages like ``examples`` on a worker (a progress dialog if it takes a while)
        and list them; ``node_id``: the node to code at, whose passages are left out."""
        if self.project is None:
            return None
        self.examples, self.about = list(examples), about
        self._fill_nodes(node_id)
        return self.find_again()

    def find_again(self) -> Job | None:
        if self.project is None or not self.examples:
            return None
        if self.job is not None:
            self.job.request_cancel()
        project, examples, unit, exclude = self.project, list(self.examples), self.unit(), self.node_id()

        def work(progress: Any, cancel: Any) -> tuple[list[similar.Similar], list[list[tuple[int, int]]]]:
            def told(done: int, total: int) -> bool:
                if progress.total != total:
                    progress.start(total, "Reading the words of every sentence (once per project)")
                progress.advance(done - progress.done)
                return not cancel.cancelled

            with project.read_session() as s:
                found = similar.rank(s, examples, unit=unit, top=TOP, exclude_node=exclude, progress=told)
                return found, [similar.shared_spans(s, r) for r in found]

        dialog = make_progress_dialog(self, "Find similar passages", "Ranking the passages of every source…")
        self.counter.setText(f"Looking for passages like {self.about}…")
        self._runs += 1
        run = self._runs

        def latest(fn: Any) -> Any:  # a ranking overtaken by a newer one says nothing
            return lambda *args: fn(*args) if run == self._runs else None

        self.job = run_in_worker(work, latest(self._on_found), latest(self._on_failed), dialog,
                                 on_cancelled=latest(self._on_cancelled))
        return self.job

    def unit(self) -> str:
        return str(self.unit_combo.currentData())

    def _on_found(self, payload: tuple[list[similar.Similar], list[list[tuple[int, int]]]]) -> None:
        self.job = None
        found, marks = payload
        self.model.set_results(found, marks)
        self.message.clear_message()
        if not found:
            self.message.show_note(f"No passage shares a word with {self.about} (that is not coded at the node).")
        if found:
            self.table.selectRow(0)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._sync()

    def _on_failed(self, exc: BaseException) -> None:
        self.job = None
        self.model.set_results([])
        if isinstance(exc, QdaError):
            self.message.show_error(str(exc))
        else:
            show_error(self, exc)
        self._sync()

    def _on_cancelled(self) -> None:
        self.job = None
        self.message.show_note("Stopped: nothing was ranked.")
        self._sync()

    # -- deciding ---------------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.table.selectionModel().selectedRows()})

    def current_row(self) -> int | None:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else None

    def decide(self, accept: bool, rows: list[int] | None = None, reason: str = "") -> bool:
        """Accept (code at the node) or reject ``rows`` (default: the current one), then go to the next
        passage left to review."""
        if rows is None:
            row = self.current_row()
            if row is None:
                self.message.show_note("Select a passage first.")
                return False
            rows = [row]
        if accept and not self._code(rows, reason):
            return False
        self.model.set_status(rows, "accepted" if accept else "rejected")
        self._next_after(max(rows))
        self._sync()
        return True

    def _code(self, rows: list[int], reason: str) -> bool:
        if self.project is None or self.project.read_only:
            self.message.show_note("This project is open read-only: nothing can be coded.")
            return False
        node = self.node_id()
        if node is None:
            self.message.show_note("Choose the node to code at first (Code at:, above the list).")
            self.node_combo.setFocus()
            return False
        passages = [p for p in (self.model.passage(r) for r in rows) if p is not None]
        try:
            self.project.run(coding.code_passages, passages, node, self.project.coder, origin=similar.ORIGIN,
                             label=similar.label(len(self.examples)), reason=reason)
        except coding.AlreadyCoded:
            pass  # coded there already: marked accepted all the same
        except QdaError as exc:
            self.message.show_error(str(exc))
            return False
        except Exception as exc:  # logged and shown by show_error
            show_error(self, exc)
            return False
        self.message.clear_message()
        return True

    def accept_many(self) -> bool:
        """Accept the selected passages (when more than one is selected) or every one left, asking why first."""
        chosen = self.selected_rows()
        rows = chosen if len(chosen) > 1 else self.model.rows_with("candidate")
        rows = [r for r in rows if self.model.status[r] != "accepted"]
        if not rows:
            self.message.show_note("No passage is left to review.")
            return False
        node = self.node_combo.currentText() or "the chosen node"
        answer = ask_reason(self, "similar.accept", f"Code {plural(len(rows), 'passage')} at '{node}'?",
                            "Code them", details="Undo (Ctrl+Z) removes them all again.")
        if answer is None:
            return False
        return self.decide(True, rows, reason=answer.reason)

    def _next_after(self, row: int) -> None:
        left = self.model.rows_with("candidate")
        following = [r for r in left if r > row] or left
        if following:
            self.table.selectRow(following[0])
        else:
            self.message.show_ok(f"Every passage has been reviewed. The accepted ones are coded at "
                                 f"'{self.node_combo.currentText()}'.")

    def show_passage(self, row: int | None = None) -> None:
        p = self.model.passage(row if row is not None else (self.current_row() or 0))
        if p is not None:
            self.openPassage.emit(*p)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self.handle_key(event)
        return super().eventFilter(watched, event)

    def handle_key(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key == Qt.Key.Key_A and mods == Qt.KeyboardModifier.ShiftModifier:
            self.accept_many()
            return True
        if mods != Qt.KeyboardModifier.NoModifier:
            return False
        if key == Qt.Key.Key_A:
            self.decide(True)
            return True
        if key == Qt.Key.Key_R:
            self.decide(False)
            return True
        if key == Qt.Key.Key_Space:
            self.show_passage()
            return True
        return False

    # -- keeping up with the project ----------------------------------------------------------
    def _on_project_change(self, change: Any) -> None:
        if change.touches("node"):
            self._fill_nodes(None)
        if not self.model.results or not change.touches("coding") or self.node_id() is None:
            return
        rows = range(len(self.model.results))
        with self.project.read_session() as s:
            coded = similar.coded_at(s, int(self.node_id() or 0), [p for r in rows if (p := self.model.passage(r))])
        for row in rows:
            is_coded = self.model.passage(row) in coded
            status = self.model.status[row]
            if status == "accepted" and not is_coded:
                self.model.set_status([row], "candidate")  # undone
            elif status == "candidate" and is_coded and change.action == "redo":
                self.model.set_status([row], "accepted")
        self._sync()

    def _sync(self) -> None:
        has = bool(self.model.results)
        self.stack.setCurrentWidget(self.table if has else self.empty)
        editable = self.project is not None and not self.project.read_only
        for button in (self.accept_button, self.reject_button, self.bulk_button):
            button.setEnabled(has and editable)
        if not has:
            self.counter.setText(f"Passages like {self.about}" if self.about else "")
            return
        counts = self.model.counts()
        examples = plural(len(self.examples), "example")
        self.counter.setText(f"{plural(len(self.model.results), 'passage')} like {self.about} ({examples}): "
                             f"{counts['candidate']} to review, {counts['accepted']} accepted, "
                             f"{counts['rejected']} rejected")
