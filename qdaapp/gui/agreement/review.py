"""Stepping through the disagreements of one cell of the agreement table, deciding each.

For each span where the two coders differ the pane shows the passage with
both coders' stripes side by side, the nodes each applied there, and four
decisions: keep A's (1), keep B's (2), keep both (3), consensus… (4), with an
optional memo; N and P step to the next and previous one. Each decision is one
audited command (:mod:`qdaapp.core.disagreement_decisions`), undone with the
main window's Ctrl+Z. "12 done · 30 left" counts the decisions made for the
pair and the disagreements still open in the cell.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import coding as coding_ops
from qdaapp.core import disagreement_decisions as decide
from qdaapp.core import disagreements as found
from qdaapp.core import sources as source_ops
from qdaapp.core.layers import CodingSpan
from qdaapp.core.logs import log_exception
from qdaapp.gui.agreement.passage import PairedPassage

QUOTE = 160


def _cut(text: str, size: int = QUOTE) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[:size - 1] + "…"


class ConsensusDialog(QDialog):
    """Where the consensus coding goes: the span (adjustable), its words, and the memo."""

    def __init__(self, text: str, start: int, end: int, memo: str, node: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Consensus coding")
        self._text = text
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"A coding by <b>consensus</b> at <b>{escape(node)}</b>. Adjust where it starts "
                                "and ends; both coders' codings stay as they are."))
        form = QFormLayout()
        self.start, self.end = QSpinBox(), QSpinBox()
        for box, value in ((self.start, start), (self.end, end)):
            box.setRange(0, len(text))
            box.setValue(value)
            box.setGroupSeparatorShown(True)
            box.valueChanged.connect(self._show)
        form.addRow("Starts at character", self.start)
        form.addRow("Ends before character", self.end)
        layout.addLayout(form)
        self.quote = QLabel()
        self.quote.setWordWrap(True)
        self.quote.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.quote)
        self.memo = QLineEdit(memo)
        self.memo.setPlaceholderText("Memo on this decision (optional)")
        layout.addWidget(self.memo)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Make consensus coding")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._show()

    def span(self) -> tuple[int, int]:
        return self.start.value(), self.end.value()

    def _show(self) -> None:
        a, b = self.span()
        ok = a < b
        self.quote.setText(f"<i>“{escape(_cut(self._text[a:b], 400))}”</i>" if ok
                           else "<span style='color:#b3261e'>The end must come after the start.</span>")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)


class ReviewPane(QWidget):
    """The disagreements of one cell, one at a time."""

    decided = Signal()  # a decision was made (the table refreshes through the project's change)
    closeRequested = Signal()
    historyRequested = Signal(int)  # a coding's id, from a stripe's menu

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DisagreementReview")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # takes the keys 1–4, N and P when opened from the table
        self.project: Any = None
        self.runner: Any = None
        self.ask_consensus = self._ask_consensus  # replaced in tests
        self.pair: tuple[str, str] = ("", "")
        self.unit = "character"
        self.node_id: int | None = None
        self.source_id: int | None = None
        self.items: list[found.Disagreement] = []
        self.position = 0
        self.done = 0
        self._texts: dict[int, str] = {}
        self._spans: dict[int, list[CodingSpan]] = {}
        self._names: dict[int, str] = {}
        self._deciding = False

        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("ReviewProgress")
        self.progress_label.setStyleSheet("font-weight: bold;")
        close = QPushButton("Close")
        close.setToolTip("Close the review (Esc)")
        close.clicked.connect(self.closeRequested)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.progress_label)
        top.addWidget(close)
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.where.setTextFormat(Qt.TextFormat.RichText)
        self.passage = PairedPassage()
        for margin in self.passage.margins:
            margin.historyRequested.connect(self.historyRequested)
        self.applied = QLabel()
        self.applied.setWordWrap(True)
        self.applied.setTextFormat(Qt.TextFormat.RichText)
        self.memo = QLineEdit()
        self.memo.setPlaceholderText("Memo on this decision (optional; kept with the coding it makes)")
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        specs = [("keep_a", "1", 0, 0), ("keep_b", "2", 0, 1), ("both", "3", 0, 2), ("consensus", "4", 0, 3),
                 ("previous", "P", 1, 0), ("next", "N", 1, 3)]
        for name, key, row, column in specs:
            button = QPushButton()
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, n=name: self.trigger(n))
            grid.addWidget(button, row, column)
            self.buttons[name] = button
            action = QAction(self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _c=False, n=name: self.trigger(n))
            self.addAction(action)
        escape_action = QAction(self)
        escape_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        escape_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape_action.triggered.connect(self.closeRequested)
        self.addAction(escape_action)
        self.buttons["previous"].setText("◀ Previous (P)")
        self.buttons["next"].setText("Next (N) ▶")
        self.buttons["both"].setText("Keep both (3)")
        self.buttons["consensus"].setText("Consensus… (4)")
        self.buttons["both"].setToolTip("Each coder gets what either coded here")
        self.buttons["consensus"].setToolTip("A new coding by 'consensus' over a span you may adjust; "
                                             "the coders' codings stay as they are")
        hint = QLabel("Undo a decision with Ctrl+Z in the main window.")
        hint.setObjectName("Muted")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.where)
        layout.addWidget(self.passage, 1)
        layout.addWidget(self.applied)
        layout.addWidget(self.memo)
        layout.addLayout(grid)
        layout.addWidget(hint)

    # -- what is reviewed ------------------------------------------------------------------
    def set_scope(self, project: Any, runner: Any, pair: tuple[str, str], unit: str, node_id: int | None,
                  source_id: int | None, node_name: str, source_name: str) -> None:
        self.project, self.runner = project, runner
        self.pair, self.unit = pair, unit
        self.node_id, self.source_id = node_id, source_id
        a, b = pair
        node = f"<b>{escape(node_name)}</b>" if node_id is not None else "every node"
        source = f"<b>{escape(source_name)}</b>" if source_id is not None else "every source"
        self.title.setText(f"Disagreements between <b>{escape(a)}</b> and <b>{escape(b)}</b> at {node} in {source}")
        self.buttons["keep_a"].setText(f"Keep {a}'s (1)")
        self.buttons["keep_b"].setText(f"Keep {b}'s (2)")
        self.buttons["keep_a"].setToolTip(f"{b}'s coding here is made to match {a}'s")
        self.buttons["keep_b"].setToolTip(f"{a}'s coding here is made to match {b}'s")
        self.passage.set_coders(pair)
        self.position = 0
        self.reload()

    def reload(self, groups: set[tuple[int, int]] | None = None) -> None:
        """Read the disagreements and progress again, keeping the place. With ``groups`` (source id, node id)
        only those are read again: a pooled cell of a large project is not read whole after each decision."""
        if self.project is None:
            return
        self._texts.clear()
        self._spans.clear()
        pooled = self.node_id is None or self.source_id is None
        with self.project.read_session() as s:
            if groups is not None and pooled and self.items:
                groups = {g for g in groups if self._in_scope(*g)}
                kept = [d for d in self.items if (d.source_id, d.node_id) not in groups]
                for sid, nid in sorted(groups):
                    kept += found.disagreements(s, self.pair, nid, sid, self.unit)
                self.items = sorted(kept, key=found.order)
            else:
                self.items = found.disagreements(s, self.pair, self.node_id, self.source_id, self.unit)
            self.done = len(found.decisions(s, self.pair, self.node_id, self.source_id))
            if not self._names:
                self._names = {src.id: src.name for src in source_ops.list_sources(s)}
        self.position = min(self.position, max(0, len(self.items) - 1))
        self._show()

    def on_change(self, change: Any) -> None:
        """Codings changed (an undo, someone's coding): read again; a decision made here reloads by itself."""
        if self._deciding:
            return
        keys = change.codings("created") + change.codings("removed") + change.codings("changed")
        try:
            self.reload({(k.source_id, k.node_id) for k in keys})
        except Exception as exc:  # the change is committed; only this pane is behind
            log_exception(exc)
            self.where.setText("The disagreements could not be read again; open the cell again to review it.")

    def _in_scope(self, source_id: int, node_id: int) -> bool:
        return self.source_id in (None, source_id) and self.node_id in (None, node_id)

    def current(self) -> found.Disagreement | None:
        return self.items[self.position] if 0 <= self.position < len(self.items) else None

    def progress_text(self) -> str:
        return f"{self.done:,} done · {len(self.items):,} left"

    # -- showing one ---------------------------------------------------------------------------
    def _show(self) -> None:
        self.progress_label.setText(self.progress_text())
        item = self.current()
        for name in ("keep_a", "keep_b", "both", "consensus"):
            self.buttons[name].setEnabled(item is not None and self._editable())
        self.buttons["previous"].setEnabled(self.position > 0)
        self.buttons["next"].setEnabled(self.position + 1 < len(self.items))
        if item is None:
            self.where.setText("<b>No disagreements are left here.</b> Pick another cell of the table, "
                               "or close the review.")
            self.passage.clear()
            self.applied.setText("")
            return
        text, spans = self._source(item.source_id)
        node = self._node_name(item.node_id)
        source = self._names.get(item.source_id, "?")
        (who,), (lacking,) = item.coded_by, item.missing
        self.where.setText(
            f"<b>{self.position + 1:,}</b> of {len(self.items):,}: <b>{escape(who)}</b> coded this at "
            f"<b>{escape(node)}</b>; <b>{escape(lacking)}</b> did not. "
            f"<span style='color:#555'>{escape(source)}, characters {item.start:,}–{item.end:,}</span>")
        per_coder = [[s for s in spans if s.coder == coder] for coder in self.pair]
        self.passage.show_passage(text, item.start, item.end, per_coder, f"{source}: {node}")
        with self.project.read_session() as s:
            applied = found.nodes_applied(s, item.source_id, item.start, item.end, self.pair)
        self.applied.setText("<br>".join(
            f"<b>{escape(coder)}</b> applied here: {escape(', '.join(paths)) if paths else '<i>no node</i>'}"
            for coder, paths in applied.items()))

    def _editable(self) -> bool:
        return self.project is not None and not self.project.read_only

    def _source(self, source_id: int) -> tuple[str, list[CodingSpan]]:
        if source_id not in self._texts:
            with self.project.read_session() as s:
                self._texts[source_id] = source_ops.text_and_pages(s, source_id)[0]
                self._spans[source_id] = [
                    CodingSpan(cid, a, b, nid, name, color or "#999999", coder)
                    for cid, a, b, nid, name, color, coder in coding_ops.spans_for_source(s, source_id)
                    if coder in self.pair]
        return self._texts[source_id], self._spans[source_id]

    def _node_name(self, node_id: int) -> str:
        from qdaapp.core import nodes as node_ops

        with self.project.read_session() as s:
            return next((n.path for n in node_ops.list_nodes(s) if n.id == node_id), "?")

    # -- stepping and deciding ----------------------------------------------------------------
    def trigger(self, name: str) -> None:
        if name == "next":
            self.step(1)
        elif name == "previous":
            self.step(-1)
        elif self.buttons[name].isEnabled():
            self.decide(name)

    def step(self, by: int) -> None:
        if self.items:
            self.position = max(0, min(len(self.items) - 1, self.position + by))
            self._show()

    def decide(self, how: str) -> bool:
        item = self.current()
        if item is None or self.runner is None:
            return False
        a, b = self.pair
        memo = self.memo.text().strip()
        by = getattr(self.project, "coder", "")
        args: tuple = (item.source_id, item.node_id, item.start, item.end)
        if how == "consensus":
            chosen = self.ask_consensus(item, memo)
            if chosen is None:
                return False
            (start, end), memo = chosen
            call: tuple = (decide.consensus, item.source_id, item.node_id, start, end, self.pair)
        elif how == "both":
            call = (decide.keep_both, *args, self.pair)
        else:
            call = (decide.keep, *args, *((a, b) if how == "keep_a" else (b, a)))
        self._deciding = True
        try:
            ok, _ = self.runner.run(*call, memo=memo, by=by, unit=self.unit)
        finally:
            self._deciding = False
        if ok:
            self.memo.clear()
            self.reload({(item.source_id, item.node_id)})  # the change reaches the table through the listeners
            self.decided.emit()
        return bool(ok)

    def _ask_consensus(self, item: found.Disagreement, memo: str) -> tuple[tuple[int, int], str] | None:
        text, _spans = self._source(item.source_id)
        start, end = self.passage.selected_span() or (item.start, item.end)
        dialog = ConsensusDialog(text, start, end, memo, self._node_name(item.node_id), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.span(), dialog.memo.text().strip()
