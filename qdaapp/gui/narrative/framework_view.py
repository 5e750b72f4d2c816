"""The framework matrix (step 3 of the method): cases or sources by accounts or nodes.

Select a cell to see its passages beside the grid. A node-column cell has a
summary the user writes (saved with ``set_cell_summary``); an account-column
cell is made of the account's fragments for that row, added and edited here.

Run ``python -m qdaapp.gui.narrative.framework_view`` for a quick look.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import flowgraph, framework
from qdaapp.core.exchange.matrix import export_matrix
from qdaapp.core.framework import Cell
from qdaapp.core.narrative import source_facts
from qdaapp.gui.dialogs.messages import confirm, show_error
from qdaapp.gui.speakers import InterviewerCheck
from qdaapp.gui.workers import run_in_worker

from .common import ID_ROLE, SPAN_ROLE, act_color, muted_label, section_label, try_run, watch
from .framework_model import CellDelegate, FrameworkModel
from .side_panels import _card_list, card

ROWS = (("cases", "Cases"), ("sources", "Sources"))
COLS = (("accounts", "Accounts"), ("nodes", "Nodes"))
HINTS = {
    "accounts": "Each cell holds an account's fragments for that row. Select a cell to add or edit fragments.",
    "nodes": "Summarise each cell from its coded passages: keep marker phrases, name the actors, keep “I” and “we”.",
}


class FrameworkView(QWidget):
    """The framework matrix with a side panel for the selected cell.

    Signals: ``openPassage(source_id, start, end)``, ``openAccount(account_id)``
    (double-click on an account column's header).
    """

    openPassage = Signal(int, int, int)
    openAccount = Signal(int)

    def __init__(self, project: Any, rows: str = "cases", cols: str = "accounts",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.rows, self.cols = project, rows, cols
        self.key: tuple[int, int] | None = None
        self._saved_text = ""
        self.row_box, self.col_box = QComboBox(), QComboBox()
        for box, options, value in ((self.row_box, ROWS, rows), (self.col_box, COLS, cols)):
            for data, text in options:
                box.addItem(text, data)
            box.setCurrentIndex(box.findData(value))
            box.activated.connect(self._on_axes_changed)
        bar = QHBoxLayout()
        bar.setContentsMargins(10, 8, 10, 4)
        bar.addWidget(QLabel("Rows"))
        bar.addWidget(self.row_box)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Columns"))
        bar.addWidget(self.col_box)
        bar.addSpacing(12)
        self.interviewer_check = InterviewerCheck("Leave out interviewer turns")
        self.interviewer_check.toggled.connect(lambda _on: self.reload())
        bar.addWidget(self.interviewer_check)
        bar.addStretch(1)
        bar.addWidget(QLabel("Export"))
        for suffix in (".xlsx", ".csv", ".docx"):
            button = QPushButton(suffix[1:].upper())
            button.setToolTip(f"Save the matrix as {suffix[1:].upper()}: " + (
                "one summary per cell" if suffix == ".csv" else
                "whole cells, each fragment with its speech act, each passage quoted with its source and page"))
            button.clicked.connect(lambda _=False, s=suffix: self.export_dialog(s))
            bar.addWidget(button)
        self.hint = muted_label("")
        self.hint.setContentsMargins(10, 0, 10, 4)
        self.model = FrameworkModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.delegate = CellDelegate(self.table)
        self.table.setItemDelegate(self.delegate)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setShowGrid(False)
        self.table.setWordWrap(True)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        line = self.table.fontMetrics().lineSpacing()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(line * 4 + 16)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setDefaultSectionSize(220)
        self.table.horizontalHeader().setStretchLastSection(True)  # few columns use the free width
        self.table.setStyleSheet(
            "QHeaderView::section { background: #F6F4EF; color: #24313D; border: none; font-weight: 600;"
            " border-right: 1px solid #E4E1DA; border-bottom: 1px solid #E4E1DA; padding: 4px 8px; }")
        self.table.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setMaximumWidth(220)
        self.table.verticalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.horizontalHeader().sectionDoubleClicked.connect(self._on_header_double_clicked)
        self.table.selectionModel().currentChanged.connect(self._on_current_changed)
        self._build_side()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.side)
        split.setStretchFactor(0, 1)
        split.setSizes([900, 360])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.hint)
        layout.addWidget(split, 1)
        watch(project, self, lambda change: self.reload())
        self.reload()

    def _build_side(self) -> None:
        self.side = QWidget()
        self.side.setMinimumWidth(300)
        self.cell_title = section_label("")
        self.cell_title.setWordWrap(True)
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Write the cell's summary from the passages below, or use Draft summary.")
        self.editor.textChanged.connect(self._on_editor_changed)
        self.draft_button = QPushButton("Draft summary")
        self.draft_button.setToolTip("Fill the editor with a draft from the cell's passages; nothing is saved.")
        self.draft_button.clicked.connect(self.draft_summary)
        self.save_button = QPushButton("Save summary")
        self.save_button.clicked.connect(self.save_summary)
        buttons = QHBoxLayout()
        buttons.addWidget(self.draft_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        node_page = QWidget()
        nv = QVBoxLayout(node_page)
        nv.setContentsMargins(0, 0, 0, 0)
        nv.addWidget(self.editor, 1)
        nv.addLayout(buttons)
        self.fragments = QListWidget()
        _card_list(self.fragments, 4)
        self.fragments.itemActivated.connect(lambda item: self.edit_fragment(item.data(ID_ROLE)))
        self.new_button = QPushButton("New fragment here…")
        self.new_button.clicked.connect(self.new_fragment_here)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(lambda: self.fragments.currentItem()
                                         and self.edit_fragment(self.fragments.currentItem().data(ID_ROLE)))
        fb = QHBoxLayout()
        fb.addWidget(self.new_button)
        fb.addWidget(self.edit_button)
        fb.addStretch(1)
        account_page = QWidget()
        av = QVBoxLayout(account_page)
        av.setContentsMargins(0, 0, 0, 0)
        av.addWidget(self.fragments, 1)
        av.addLayout(fb)
        self.pages = QStackedWidget()
        self.pages.addWidget(node_page)
        self.pages.addWidget(account_page)
        self.passages_title = section_label("Passages")
        self.passages = QListWidget()
        _card_list(self.passages, 4)
        self.passages.setToolTip("Double-click to open the passage in its document")
        self.passages.itemActivated.connect(self._on_passage_activated)
        self.empty = muted_label("Select a cell to see its passages and summary.")
        sv = QVBoxLayout(self.side)
        sv.setContentsMargins(10, 4, 10, 8)
        sv.addWidget(self.cell_title)
        sv.addWidget(self.empty)
        sv.addWidget(self.pages, 2)
        sv.addWidget(self.passages_title)
        sv.addWidget(self.passages, 3)
        sv.addStretch(0)
        self._side_layout = sv

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        self.interviewer_check.refresh(self.project)
        with self.project.read_session() as s:
            matrix = framework.build(s, self.rows, self.cols, self.interviewer_check.include_interviewer())
        self.delegate.account_columns = self.cols == "accounts"
        self.model.set_matrix(matrix)
        self.hint.setText(HINTS[self.cols] if matrix.rows and matrix.cols else self._empty_hint(matrix))
        key = self.key if self.key is not None else self._first_filled_cell(matrix)
        index = self.model.index_of(*key) if key else QModelIndex()
        if index.isValid():
            self.table.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.show_cell(key if index.isValid() else None, keep_editor=True)

    @staticmethod
    def _first_filled_cell(matrix: Any) -> tuple[int, int] | None:
        for row_id, _ in matrix.rows:
            for col_id, _ in matrix.cols:
                cell = matrix.cells.get((row_id, col_id))
                if cell is not None and (cell.passages or cell.fragments):
                    return row_id, col_id
        return None

    def _empty_hint(self, matrix: Any) -> str:
        if not matrix.rows:
            return ("No cases yet: make cases for your interviewees (Cases ▸ New case), or choose Rows: Sources."
                    if self.rows == "cases" else "No sources yet: import your documents first.")
        return ("No accounts yet: select passages in a document and choose Add to account…"
                if self.cols == "accounts" else "No nodes yet: code some passages first.")

    def set_axes(self, rows: str, cols: str) -> None:
        if not self._leave_cell():
            return
        self.rows, self.cols, self.key = rows, cols, None
        self.row_box.setCurrentIndex(self.row_box.findData(rows))
        self.col_box.setCurrentIndex(self.col_box.findData(cols))
        self.reload()

    def select_cell(self, row_id: int, col_id: int) -> None:
        index = self.model.index_of(row_id, col_id)
        if index.isValid():
            self.table.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    # ------------------------------------------------------------------ the side panel
    def current_cell(self) -> Cell:
        return self.model.matrix.cell(*self.key) if self.key and self.model.matrix else Cell()

    def show_cell(self, key: tuple[int, int] | None, keep_editor: bool = False) -> None:
        same = key == self.key
        self.key = key
        for w in (self.pages, self.passages_title, self.passages):
            w.setVisible(key is not None)
        self.empty.setVisible(key is None)
        self._side_layout.setStretch(self._side_layout.count() - 1, 1 if key is None else 0)
        if key is None:
            self.cell_title.setText("")
            return
        m = self.model.matrix
        names = dict(m.rows), dict(m.cols)
        self.cell_title.setText(f"{names[0].get(key[0], '')} × {names[1].get(key[1], '')}")
        cell = self.current_cell()
        writable = not self.project.read_only
        if self.cols == "nodes":
            self.pages.setCurrentIndex(0)
            if not (keep_editor and same and self.dirty()):
                self._set_editor(cell.summary)
            self.draft_button.setEnabled(writable and bool(cell.passages))
            self.editor.setReadOnly(not writable)
        else:
            self.pages.setCurrentIndex(1)
            self._fill_fragments(cell)
            self.new_button.setEnabled(writable)
        self._fill_passages(cell)

    def _fill_fragments(self, cell: Cell) -> None:
        self.fragments.clear()
        with self.project.read_session() as s:
            listed = flowgraph.fragments(s, self.key[1], with_text=False)
        frags = {f.id: (n, f) for n, f in enumerate(listed, start=1)}
        for fid in cell.fragments:
            n, f = frags.get(fid, (0, None))
            if f is not None:
                heading = f"{n} · {(f.act or 'no speech act').upper()}" + (f" · {f.case}" if f.case else "")
                self.fragments.addItem(card(heading, f.summary, act_color(f.act).name(), f.id))
        self.edit_button.setEnabled(bool(cell.fragments))
        if not cell.fragments:
            item = card("No fragments here yet", "Read the passages below, then New fragment here…")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.fragments.addItem(item)

    def _fill_passages(self, cell: Cell) -> None:
        self.passages.clear()
        with self.project.read_session() as s:
            facts = source_facts(s, [sid for sid, _, _ in cell.passages])
        self._texts = []
        for sid, a, b in cell.passages:
            name, case, text = facts.get(sid, ("?", "", ""))
            self._texts.append(text[a:b])
            self.passages.addItem(card(f"{name}{' · ' + case if case else ''} · {a}–{b}", text[a:b], None, None,
                                       (sid, a, b)))
        self.passages_title.setText(f"Passages ({len(cell.passages)})")

    def _set_editor(self, text: str) -> None:
        self._saved_text = text
        blocker = self.editor.blockSignals(True)
        self.editor.setPlainText(text)
        self.editor.blockSignals(blocker)
        self._on_editor_changed()

    def dirty(self) -> bool:
        return self.cols == "nodes" and self.key is not None and self.editor.toPlainText() != self._saved_text

    def _on_editor_changed(self) -> None:
        self.save_button.setEnabled(not self.project.read_only and self.dirty())

    # ------------------------------------------------------------------ actions
    def draft_summary(self) -> None:
        if not self._texts:
            return
        actor = dict(self.model.matrix.rows).get(self.key[0]) if self.rows == "cases" else None
        cursor = self.editor.textCursor()
        cursor.select(cursor.SelectionType.Document)
        cursor.insertText(framework.draft_summary(self._texts, actor=actor))
        self.editor.setFocus()

    def save_summary(self) -> bool:
        if not self.dirty():
            return True
        text = self.editor.toPlainText().strip()
        done, _ = try_run(self, self.project, framework.set_cell_summary, self.rows, self.key[0], self.key[1], text)
        if done:
            self._set_editor(self.current_cell().summary)
        return done

    def _leave_cell(self) -> bool:
        if self.dirty() and confirm(self, f"Save the summary of {self.cell_title.text()}?", default_yes=True):
            return self.save_summary()
        return True

    def new_fragment_here(self) -> int | None:
        from .fragment_dialog import FragmentDialog

        if self.key is None or self.cols != "accounts":
            return None
        case_id = self.key[0] if self.rows == "cases" else None
        dialog = FragmentDialog(self.project, self.key[1], case_id=case_id, passages=self.current_cell().passages,
                                parent=self)
        return dialog.fragment_id if dialog.exec() else None

    def edit_fragment(self, fragment_id: int | None) -> None:
        from .fragment_dialog import FragmentDialog

        if fragment_id and self.key:
            FragmentDialog(self.project, self.key[1], fragment_id=fragment_id, parent=self).exec()

    def export(self, path: str | Path) -> Path:
        with self.project.read_session() as s:
            return export_matrix(s, path, self.rows, self.cols, self.interviewer_check.include_interviewer())

    def export_dialog(self, suffix: str) -> None:
        name = f"framework {self.rows} x {self.cols}{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, "Export the framework matrix", str(Path.home() / name),
                                              f"{suffix[1:].upper()} (*{suffix})")
        if not path:
            return
        path = path if path.lower().endswith(suffix) else path + suffix
        project, rows, cols = self.project, self.rows, self.cols
        include = self.interviewer_check.include_interviewer()

        def work(progress: Any, cancel: Any) -> Path:
            with project.read_session() as s:
                return export_matrix(s, path, rows, cols, include)

        self.hint.setText(f"Saving {Path(path).name}…")
        run_in_worker(work, lambda saved: self.hint.setText(f"Saved {saved}"), lambda exc: show_error(self, exc))

    # ------------------------------------------------------------------ handlers
    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        key = self.model.key(current) if current.isValid() else None
        if key == self.key:
            return
        if self.dirty() and not self._leave_cell():
            return
        self.show_cell(key)

    def _on_axes_changed(self, _index: int) -> None:
        self.set_axes(self.row_box.currentData(), self.col_box.currentData())

    def _on_header_double_clicked(self, section: int) -> None:
        if self.cols == "accounts" and self.model.matrix and 0 <= section < len(self.model.matrix.cols):
            self.openAccount.emit(self.model.matrix.cols[section][0])

    def _on_passage_activated(self, item: Any) -> None:
        span = item.data(SPAN_ROLE)
        if span:
            self.openPassage.emit(*span)


if __name__ == "__main__":
    import os

    from .demo import quick_look

    quick_look(lambda project, account_id: FrameworkView(project, cols=os.environ.get("QDAAPP_COLS", "accounts")),
               "framework matrix")
