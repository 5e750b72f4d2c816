"""Bottom dock "Search results (KWIC)": find words and phrases across the sources.

Type a query and press Enter; the hits appear as a keyword-in-context table
(context is filled lazily, see :mod:`kwic_model`). Selecting a row emits
``openPassage(source_id, start, end)`` for the main window to show it in its
document. "Code results…" codes all (or the selected) hits at a node.

While background indexing is still running, sources without an index are
left out and the panel says so; the search runs again by itself when
indexing finishes.

The table never measures its rows: the Hit column is as wide as the widest
hit text (measured once per result set, over its distinct texts), rows are
all one height, and the context columns are filled for the rows on screen.
With ``load_when_shown`` (the main window's dock) who interviews is read
when the panel first shows or searches, not as the project opens.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import indexing, search
from qdaapp.core.errors import QdaError
from qdaapp.core.search import Scope
from qdaapp.gui.dialogs.messages import error_text
from qdaapp.gui.search.code_results import CodeOutcome, CodePlan, CodeResultsDialog, code_hits
from qdaapp.gui.search.common import ChangeBridge, MessageLabel, hint_label, plural
from qdaapp.gui.search.kwic_model import HIT, LEFT, PAGE, POSITION, RIGHT, SOURCE, KwicModel, LeftElideDelegate
from qdaapp.gui.search.scope_menu import ScopeButton
from qdaapp.gui.speakers import InterviewerCheck
from qdaapp.gui.workers import Job, run_in_worker

PLACEHOLDER = 'have to   "were told to"   manag*   trust NOT money'
FORMS_TIP = "have to also finds had to, has to, having to"
EMPTY_HINT = ("<p style='font-size:11pt'><b>Search your sources for words and phrases.</b></p>"
              "<p>Type a word, or a <b>\"phrase in quotes\"</b>, and press <b>Enter</b>.<br>"
              "<b>manag*</b> finds manage, manager, managing &nbsp;·&nbsp; <b>trust NOT money</b> leaves out "
              "passages with money &nbsp;·&nbsp; tick <b>Word forms</b> to find had to with have to.</p>"
              "<p>Select a result to see it in its document; <b>Code results…</b> codes them at a node.</p>")


class SearchPanel(QWidget):
    openPassage = Signal(int, int, int)  # source id, start, end
    searched = Signal(int)  # number of hits shown
    historyRequested = Signal(int, int, int, QPoint)  # source id, start, end, where: the history of its coding

    def __init__(self, project: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Any = None
        self.indexer: Any = None
        self.job: Job | None = None
        self.partial = False
        self.load_when_shown = False  # read who interviews when the panel first shows (see ensure_loaded)
        self._speakers_read = False
        self._last: tuple[str, bool, Scope] | None = None
        self._bridge = ChangeBridge(self)

        self.query_edit = QLineEdit()
        self.query_edit.setPlaceholderText(PLACEHOLDER)
        self.query_edit.setClearButtonEnabled(True)
        self.query_edit.setToolTip("Words, \"phrases in quotes\", manag* for any ending, AND / OR / NOT, "
                                   "NEAR(word word, 10). Press Enter to search.")
        self.forms_check = QCheckBox("Word forms")
        self.forms_check.setToolTip(FORMS_TIP)
        self.scope_button = ScopeButton()
        self.interviewer_check = InterviewerCheck("Leave out interviewer")
        self.search_button = QPushButton("Search")
        self.message = MessageLabel()
        self.count_label = QLabel("")
        self.count_label.setObjectName("PanelHeader")
        self.code_button = QPushButton("Code results…")
        self.code_button.setToolTip("Code all results, or the selected ones, at a node")
        self.code_button.setEnabled(False)

        self.model = KwicModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(LEFT, LeftElideDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        rows = self.table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(LEFT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(RIGHT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(HIT, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(HIT, self.hit_column_width([]))
        header.resizeSection(SOURCE, 170)
        header.resizeSection(POSITION, 80)
        self.empty = hint_label(EMPTY_HINT)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)

        top = QHBoxLayout()
        top.addWidget(self.query_edit, 1)
        top.addWidget(self.forms_check)
        top.addWidget(self.scope_button)
        top.addWidget(self.interviewer_check)
        top.addWidget(self.search_button)
        counts = QHBoxLayout()
        counts.addWidget(self.count_label, 1)
        counts.addWidget(self.code_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addLayout(counts)
        layout.addWidget(self.stack, 1)

        self.query_edit.returnPressed.connect(self.run_search)
        self.query_edit.textEdited.connect(lambda _t: self.message.clear_message())
        self.search_button.clicked.connect(lambda: self.run_search())
        self.forms_check.toggled.connect(self._on_forms_toggled)
        self.scope_button.scopeChanged.connect(self._rerun)
        self.interviewer_check.toggled.connect(lambda _on: self._rerun())
        self.code_button.clicked.connect(lambda: self.code_results())
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.activated.connect(self._on_row_activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        self._bridge.changed.connect(self._on_project_change)
        self.set_project(project)

    # -- project and indexing ---------------------------------------------------------
    def set_project(self, project: Any) -> None:
        self.project = project
        self._bridge.attach(project)
        self.scope_button.set_project(project)
        self._speakers_read = False
        if not self.load_when_shown or self.on_screen():
            self.ensure_loaded()
        self.model.set_hits(project, [])
        self._last = None
        self.partial = False
        self.message.clear_message()
        self.count_label.setText("")
        self.stack.setCurrentWidget(self.empty)
        self._update_buttons()

    def on_screen(self) -> bool:
        """Whether some of the panel can be seen (a dock behind another dock's tab cannot)."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def ensure_loaded(self) -> None:
        """Read who interviews (for "Leave out interviewer"), if that was left until the panel shows."""
        if not self._speakers_read:
            self._speakers_read = True
            self.interviewer_check.refresh(self.project)

    def set_indexer(self, indexer: Any) -> None:
        """Follow an :class:`~qdaapp.gui.search.indexing.IndexingController` (for notes and re-runs)."""
        self.indexer = indexer
        if indexer is not None:
            indexer.progress.connect(lambda *_: self._show_partial_note())
            indexer.finished.connect(self._on_indexing_finished)

    def _on_indexing_finished(self) -> None:
        if self.partial and self._last is not None:
            self.run_search(self._last[0])

    def _on_project_change(self, change: Any) -> None:
        if self._speakers_read and change.touches("speaker", "source"):
            self.interviewer_check.refresh(self.project)
        if (change.ids("source", "removed") or change.touches("speaker")) and self._last is not None:
            self.run_search(self._last[0])

    # -- searching -----------------------------------------------------------------------
    def _on_forms_toggled(self, on: bool) -> None:
        """Word forms need the language pipeline (about a second to load once): load it off the GUI thread."""
        if not on:
            self._rerun()
            return
        from qdaapp.core import nlp

        self.message.show_note("Getting word forms ready…")
        self.warm_job = run_in_worker(lambda _p, _c: nlp.pipeline(), lambda _r: self._on_forms_ready(),
                                      lambda exc: self.message.show_error(error_text(exc)))

    def _on_forms_ready(self) -> None:
        self.message.clear_message()
        self._rerun()

    def _rerun(self) -> None:
        if self.query_edit.text().strip() and self._last is not None:
            self.run_search()

    def run_search(self, query: str | None = None) -> list | None:
        """Search for ``query`` (default: the text in the box); returns the hits, or None on an error."""
        if query is not None:
            self.query_edit.setText(query)
        query = self.query_edit.text()
        self.message.clear_message()
        if self.project is None:
            return None
        self.ensure_loaded()
        forms, scope = self.forms_check.isChecked(), self.scope_button.scope()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            with self.project.read_session() as s:
                allowed = search.allowed_sources(s, scope)
                waiting = set(indexing.pending(s, need_nlp=forms)) & set(allowed)
                self.partial = bool(waiting)
                if waiting and len(waiting) == len(allowed):
                    self._last = (query, forms, scope)
                    self._show_results([])
                    self._show_partial_note()
                    return []
                if waiting:
                    scope = Scope(source_ids=[i for i in allowed if i not in waiting], kinds=scope.kinds,
                                  case_attribute=scope.case_attribute, node_ids=scope.node_ids)
                hits = search.keyword_search(s, query, scope=scope, forms=forms, context=0,
                                             include_interviewer=self.interviewer_check.include_interviewer())
        except QdaError as exc:
            self.message.show_error(str(exc))
            return None
        finally:
            QApplication.restoreOverrideCursor()
        self._last = (query, forms, scope)
        self._show_results(hits)
        self._show_partial_note()
        if hits and not self.partial and _looks_like_loose_phrase(query):
            words = query.split()
            self.message.show_note(f'These are hits for each word. To find the words together, '
                                   f'put them in quotes: "{" ".join(words)}".')
        return hits

    def hit_column_width(self, hits: list) -> int:
        """Pixels for the Hit column: its widest text in bold (or the header), plus the cell's margins."""
        texts = {h.text.replace("\n", " ") for h in hits}
        bold = QFontMetrics(self.model.bold_font())
        widest = max((bold.horizontalAdvance(t) for t in texts), default=0)
        margin = 2 * (self.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table) + 1)
        return max(widest + margin + 8, self.table.horizontalHeader().sectionSizeHint(HIT))

    def _show_results(self, hits: list) -> None:
        header = self.table.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.model.set_hits(self.project, hits)
        header.resizeSection(HIT, self.hit_column_width(hits))
        self.table.setColumnHidden(PAGE, not any(h.page for h in hits))
        n, sources = len(hits), self.model.source_count()
        if n:
            left_out = " · interviewer turns left out" if self.interviewer_check.leaves_out() else ""
            self.count_label.setText(f"<b>{plural(n, 'hit')}</b> in {plural(sources, 'source')} "
                                     f"<span style='color:#6b6b6b'>· {self.scope_button.describe()}{left_out}</span>")
            self.stack.setCurrentWidget(self.table)
            self.table.scrollToTop()
        else:
            query = self.query_edit.text().strip()
            self.count_label.setText(f"No hits for <b>{_html(query)}</b> in {self.scope_button.describe().lower()}.")
            tips = [] if self.forms_check.isChecked() else ["Tick <b>Word forms</b> to find other forms of the words."]
            tips += ["Try a shorter phrase, or <b>manag*</b> to match any ending."]
            self.empty.setText("<p>" + "<br>".join(tips) + "</p>")
            self.stack.setCurrentWidget(self.empty)
        self._update_buttons()
        self.searched.emit(n)

    def _show_partial_note(self) -> None:
        if not self.partial:
            return
        running = self.indexer is not None and self.indexer.is_running()
        if running:
            self.message.show_note(f"{self.indexer.status_text} results will be complete when it finishes.")
        else:
            self.message.show_note("Some sources are not indexed yet, so their text was not searched. "
                                   "They are indexed in the background after import; search again when it finishes.")

    # -- rows ----------------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.table.selectionModel().selectedRows()})

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        current = self.table.currentIndex()
        rows = self.selected_rows()
        if current.isValid() and current.row() in rows:
            self._emit_open(current.row())
        elif len(rows) == 1:
            self._emit_open(rows[0])

    def _on_row_activated(self, index: QModelIndex) -> None:
        self._emit_open(index.row())

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        h = self.model.hit(index.row()) if index.isValid() else None
        if h is None:
            return
        where = self.table.viewport().mapToGlobal(pos)
        menu = QMenu(self.table)
        menu.addAction("Open in its document", lambda: self._emit_open(index.row()))
        menu.addAction("History of the coding here…",
                       lambda: self.historyRequested.emit(h.source_id, h.start, h.end, where))
        menu.exec(where)

    def _emit_open(self, row: int) -> None:
        h = self.model.hit(row)
        if h is not None:
            self.openPassage.emit(h.source_id, h.start, h.end)

    def _update_buttons(self) -> None:
        writable = self.project is not None and not self.project.read_only
        self.code_button.setEnabled(writable and self.model.rowCount() > 0 and self.job is None)

    # -- coding the results ------------------------------------------------------------------
    def code_results(self, plan: CodePlan | None = None) -> Job | None:
        """Ask how and where to code the results (unless ``plan`` is given), then code them on a worker."""
        if self.project is None or not self.model.rowCount():
            return None
        selected = self.selected_rows()
        if plan is None:
            dialog = CodeResultsDialog(self, self.project, self.model.rowCount(), len(selected))
            if dialog.exec() != CodeResultsDialog.DialogCode.Accepted:
                return None
            plan = dialog.plan()
            if plan is None:
                return None
        hits = [self.model.hit(r) for r in selected] if plan.selected_only and selected else self.model.hits()
        self.message.show_note(f"Coding {plural(len(hits), 'result')}…")
        self.job = code_hits(self, self.project, hits, plan, self._on_coded, self._on_code_error,
                             self._on_code_cancelled, query=self.query_edit.text().strip())
        self._update_buttons()
        return self.job

    def _on_coded(self, outcome: CodeOutcome) -> None:
        self.job = None
        self._update_buttons()
        text = f"Coded {plural(outcome.coded, 'passage')} at {outcome.node_path}."
        if outcome.skipped:
            text += f" {plural(outcome.skipped, 'result')} fell in passages already coded there."
        self.message.show_ok(text + (" Ctrl+Z removes them all." if outcome.coded else ""))

    def _on_code_error(self, exc: BaseException) -> None:
        self.job = None
        self._update_buttons()
        self.message.show_error(error_text(exc))

    def _on_code_cancelled(self) -> None:
        self.job = None
        self._update_buttons()
        self.message.show_note("Coding was cancelled; nothing was coded.")


def _looks_like_loose_phrase(query: str) -> bool:
    words = query.split()
    return len(words) > 1 and not any(c in query for c in '"()*') and not any(w in ("AND", "OR", "NOT") for w in words)


def _html(text: str) -> str:
    import html

    return html.escape(text)


if __name__ == "__main__":
    from qdaapp.gui.search._demo import run_standalone

    def make(project: Any) -> QWidget:
        panel = SearchPanel(project)
        panel.run_search('"have to"')
        return panel

    run_standalone(make, "Search results (KWIC)", markers=False)
