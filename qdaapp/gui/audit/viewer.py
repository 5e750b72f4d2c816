"""The audit trail: every change to the project, who made it, when and why.

A timeline table (lazy: pages of 500 events, each event a sentence made as it
comes into view), filters above it, and a detail pane beside it with the
event's sentence, its reason, its passages on demand (each opening its
document there) and its before and after as readable lines. The state of
the hash chain is shown at the top. Double-clicking a row opens what it
touched; the viewer only emits signals, the main window decides how to show
a passage, a node, a source, a case, a memo or an account.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import blind
from qdaapp.core import cases as case_ops
from qdaapp.core import nodes as node_ops
from qdaapp.core import sources as source_ops
from qdaapp.gui.review.hooks import add_comment_item

from . import query
from .detail import PASSAGES_SHOWN, event_html
from .filters import FilterBar
from .model import ACTION, CODER, REASON, SEQ, SUMMARY, TIME, AuditModel

EMPTY_DETAIL = "<p style='color:#6B6B6B'>Select an event to see what it changed and why.</p>"
FIND_PAGES = 40  # how far "go to the reverted event" reads before giving up (40 × 500 events)


class AuditViewer(QWidget):
    openPassage = Signal(int, int, int)  # source id, start, end
    openNode = Signal(int)
    openSource = Signal(int)
    openCase = Signal(int)
    openMemo = Signal(int)
    openAccount = Signal(int)
    verifyRequested = Signal()
    message = Signal(str)  # something to tell the user in the status bar

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AuditViewer")
        self.project: Any = None
        self.namer: Callable[[str, int], str | None] | None = None
        self._stale = False
        self._chain: Any = None
        self._checking = False
        self.events_now = 0  # every event in the project, whatever the filters

        self.chain_label = QLabel()
        self.chain_label.setObjectName("AuditChain")
        self.chain_label.linkActivated.connect(lambda _link: self.show_findings())
        self.verify_button = QPushButton("Check again")
        self.verify_button.setToolTip("Recompute every event's hash to confirm that no event was changed or removed")
        self.verify_button.clicked.connect(self.verifyRequested.emit)
        self.count_label = QLabel()
        self.count_label.setObjectName("Muted")
        top = QHBoxLayout()
        top.addWidget(self.chain_label)
        top.addWidget(self.verify_button)
        top.addStretch(1)
        top.addWidget(self.count_label)

        self.filters = FilterBar()
        self.filters.changed.connect(self._on_filter_changed)
        self.filters.text.returnPressed.connect(self.filters.flush)

        self.model = AuditModel(self)
        self.table = QTableView()
        self.table.setObjectName("AuditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(SUMMARY, QHeaderView.ResizeMode.Stretch)
        for column, width in ((SEQ, 64), (TIME, 150), (CODER, 90), (ACTION, 150), (REASON, 170)):
            header.resizeSection(column, width)
        self.table.doubleClicked.connect(self._on_activated)
        self.table.activated.connect(self._on_activated)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        self.setFocusProxy(self.table)

        self.detail = QTextBrowser()
        self.detail.setObjectName("AuditDetail")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._on_link)
        self.detail.setHtml(EMPTY_DETAIL)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([880, 420])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addWidget(self.splitter, 1)
        self.set_chain(None)

    # -- project ------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        self.project = project
        self._chain = None
        self.detail.setHtml(EMPTY_DETAIL)
        if project is None:
            self.model.set_engine(None)
            self.filters.set_choices([], [], [], [])
            self._stale = False
        elif self.isVisible():
            self.refresh()
        else:
            self._stale = True
        self._update_counts()

    def refresh(self) -> None:
        """Re-read the filter choices and the first page (when shown, or after a project opened)."""
        self._stale = False
        if self.project is None:
            return
        self.load_choices()
        if self.model.engine is not self.project.engine:
            self.model.engine = self.project.engine
        self.model.set_filter(self.filters.value())
        self._update_counts()
        chain = self._chain
        if chain is not None and chain.ok and not self._checking and chain.events < self.events_now:
            self.verifyRequested.emit()  # the trail grew since it was checked: check it again (on a worker)

    def load_choices(self) -> None:
        with self.project.engine.connect() as conn:
            coders = query.coders(conn)
            first, last = query.time_range(conn)
        today = QDate.currentDate()
        self.filters.set_date_bounds(QDate(first) if first else today, QDate(last) if last else today)
        with self.project.read_session() as s:
            nodes = [(n.id, n.path) for n in node_ops.list_nodes(s)]
            sources = [(i.id, i.name) for i in source_ops.list_sources(s)]
            cases = [(c.id, c.name) for c in case_ops.list_cases(s)]
            shown = blind.visible_coders(s, self.project.coder)
        self.filters.set_choices(coders, nodes, sources, cases, only=None if shown is None else self.project.coder)

    def on_change(self) -> None:
        """The project committed something: new events go on top (now if shown, else when shown)."""
        if self.project is None:
            return
        if not self.isVisible():
            self._stale = True
            return
        if self.model.engine is None:
            self.refresh()
            return
        self.model.add_new_events()
        self._update_counts()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    # -- the chain ----------------------------------------------------------------
    def set_chain(self, result: Any, checking: bool = False) -> None:
        """Show the hash chain's state: ``result`` is a VerifyResult or None (not known yet)."""
        self._chain, self._checking = result, checking
        self.verify_button.setEnabled(self.project is not None and not checking)
        if result is None:
            text = "Checking the audit chain…" if checking else "The audit chain has not been checked yet."
            self.chain_label.setText(text)
            self.chain_label.setStyleSheet("color: #6B6B6B;")
            self.chain_label.setToolTip("")
        elif result.ok:
            newer = self.events_now - result.events
            self.chain_label.setText(f"✔ Audit chain verified: {result.events:,} events"
                                     + (f" (and {newer:,} newer, not checked yet)" if newer > 0 else ""))
            self.chain_label.setStyleSheet("color: #2E6B3A; font-weight: 600;")
            self.chain_label.setToolTip("Every event's hash matches its content and the event before it: "
                                        "nothing in the trail was edited or removed.")
        elif result.first_bad_seq is not None or result.problem:
            where = (f"broken at event {result.first_bad_seq:,}" if result.first_bad_seq is not None
                     else "not as recorded")
            self.chain_label.setText(f"✖ Audit chain {where}: {result.problem}")
            self.chain_label.setStyleSheet("color: #B3261E; font-weight: bold;")
            self.chain_label.setToolTip("Events from this one on cannot be trusted: the project file was changed "
                                        "outside qdaapp, or damaged. Restore a backup from before it if you can.\n\n"
                                        + _findings_text(result))
        else:
            rows = len(result.findings)
            self.chain_label.setText(f"✖ Audit chain verified, but {rows:,} row(s) were changed outside qdaapp: "
                                     "<a href='findings'>show which</a>")
            self.chain_label.setStyleSheet("color: #B3261E; font-weight: bold;")
            self.chain_label.setToolTip("These rows do not match the events that wrote them: the project file was "
                                        "changed outside qdaapp.\n\n" + _findings_text(result))

    def show_findings(self) -> None:
        """List the rows that do not match their history in the detail pane."""
        findings = getattr(self._chain, "findings", ())
        if not findings:
            return
        items = "".join(f"<li>{html.escape(f.message())}</li>" for f in findings[:200])
        more = len(findings) - 200
        tail = f"<p>… and {more:,} more: <tt>qdaapp audit verify PROJECT</tt> lists them all.</p>" if more > 0 else ""
        self.detail.setHtml(
            f"<h3>{len(findings):,} row(s) changed outside qdaapp</h3>"
            "<p>These rows do not match the events that wrote them: the project file was changed by another "
            "program. Restore a backup from before the change, or ask whoever changed it.</p>"
            f"<ul>{items}</ul>{tail}")

    def _update_counts(self) -> None:
        if self.project is None or self.model.engine is None:
            self.count_label.setText("")
            return
        with self.project.engine.connect() as conn:
            self.events_now = query.count(conn, query.ViewFilter())
        self.set_chain(self._chain, self._checking)
        total = self.model.total
        noun = f"event{'s' if total != 1 else ''}"
        if self.filters.is_filtered():
            self.count_label.setText(f"{total:,} {noun} match the filters")
        else:
            self.count_label.setText(f"{total:,} {noun}")

    # -- filters ------------------------------------------------------------------
    def _on_filter_changed(self, value: query.ViewFilter) -> None:
        if self.project is None or self.model.engine is None:
            return
        self.model.set_filter(value)
        self.detail.setHtml(EMPTY_DETAIL)
        self._update_counts()

    # -- rows ---------------------------------------------------------------------
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row(current.row()) if current.isValid() else None
        self.show_detail(row, current.row() if row is not None else -1)

    def show_detail(self, row: query.Row | None, index: int = -1, listed: bool = False) -> None:
        """The event in the detail pane: its sentence, and its passages as a link (or listed)."""
        if row is None or self.model.engine is None:
            self.detail.setHtml(EMPTY_DETAIL)
            return
        sentence = self.model.sentence(index) if index >= 0 else None
        with self.model.engine.connect() as conn:
            if sentence is None:
                sentence = query.sentences(conn, [row])[0]
            count = query.passage_count(conn, row[0])
            shown = query.passages(conn, row[0], PASSAGES_SHOWN) if listed and count else None
        self.detail.setHtml(event_html(row, self.namer, sentence, count, shown))

    def _on_link(self, url: QUrl) -> None:
        """'Show the N passages' lists them; a passage opens its document there."""
        link = url.toString()
        kind, _, rest = link.partition(":")
        if kind == "passages" and rest.isdigit():
            row = self.current_row()
            if row is not None and row[0] == int(rest):
                self.show_detail(row, self.table.currentIndex().row(), listed=True)
        elif kind == "open":
            parts = rest.split(":")
            if len(parts) == 3 and all(p.isdigit() for p in parts):
                self.openPassage.emit(int(parts[0]), int(parts[1]), int(parts[2]))

    def current_row(self) -> query.Row | None:
        index = self.table.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def select_seq(self, seq: int) -> bool:
        """Select event ``seq``, reading further pages if needed; False if the filters hide it."""
        row = self.model.row_of_seq(seq)
        pages = 0
        while row is None and self.model.canFetchMore() and pages < FIND_PAGES:
            last = self.model.row(self.model.loaded() - 1)
            if last is not None and last[0] < seq:
                break
            self.model.fetchMore()
            pages += 1
            row = self.model.row_of_seq(seq)
        if row is None:
            return False
        index = self.model.index(row, SUMMARY)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def build_context_menu(self, row: query.Row) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Open what it changed", lambda: self.open_row(row))
        add_comment_item(menu, self, "event", int(row[0]))
        return menu

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        row = self.model.row(index.row()) if index.isValid() else None
        if row is None:
            return
        self.table.setCurrentIndex(index)
        menu = self.build_context_menu(row)
        menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _on_activated(self, index: QModelIndex) -> None:
        row = self.model.row(index.row())
        if row is not None:
            self.open_row(row)

    def open_row(self, row: query.Row) -> None:
        """Show what the event touched: its passage, node, source, case, memo or account."""
        t = query.touched(row)
        entity, action, entity_id = t["entity"], t["action"], row[5]
        if action in ("undo", "redo") and entity_id is not None:
            if not self.select_seq(entity_id):
                self.message.emit(f"Event {entity_id:,} is not in the list; clear the filters to see it.")
            return
        if entity in ("account", "fragment"):
            account = t.get("account_id") if entity == "fragment" else entity_id
            if account is None and entity == "fragment" and self.project is not None:
                with self.project.engine.connect() as conn:
                    account = query.account_of_fragment(conn, entity_id)
            if account is not None:
                self.openAccount.emit(int(account))
            else:
                self.message.emit("The account of this fragment no longer exists.")
            return
        if entity == "coding" or ("source_id" in t and "start" in t and "end" in t):
            self.openPassage.emit(int(t["source_id"]), int(t["start"]), int(t["end"]))
        elif entity == "node" and entity_id is not None:
            self.openNode.emit(int(entity_id))
        elif entity == "source" and entity_id is not None:
            self.openSource.emit(int(entity_id))
        elif entity == "case" and entity_id is not None:
            self.openCase.emit(int(entity_id))
        elif entity == "memo" and entity_id is not None:
            self.openMemo.emit(int(entity_id))


def _findings_text(result: Any, most: int = 30) -> str:
    """The rows that do not match their history, for a tooltip (the first ``most`` of them)."""
    lines = [f.message() for f in getattr(result, "findings", ())[:most]]
    more = len(getattr(result, "findings", ())) - most
    if more > 0:
        lines.append(f"… and {more:,} more (qdaapp audit verify PROJECT lists them all)")
    return "\n".join(lines)
