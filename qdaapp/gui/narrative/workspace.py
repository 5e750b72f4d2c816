"""The account workspace: passages and fragments (left), the flow chart
(centre), completeness and the selected fragment (right).

Run ``python -m qdaapp.gui.narrative.workspace`` for a quick look.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import flowgraph, narrative
from qdaapp.core.errors import NotFound, QdaError
from qdaapp.core.exchange import write_atomically
from qdaapp.gui.dialogs.messages import confirm, show_error
from qdaapp.gui.read_only import explain_disabled
from qdaapp.gui.review.hooks import add_comment_item
from qdaapp.render import flowchart

from .candidate_list import connect_candidates
from .common import ID_ROLE, SPAN_ROLE, Passage, act_color, muted_label, section_label, try_run, watch
from .flowchart_view import EMPTY_TEXT, FlowchartView
from .side_panels import CompletenessPanel, FragmentDetails, FragmentList, PassageList, card

FIGURE_FILTER = "PDF document (*.pdf);;SVG figure (*.svg);;PNG image (*.png)"
PASSAGES_EMPTY = ("Drag passages here from a document, or right-click a selection ▸ Add to account…")


class AccountWorkspace(QWidget):
    """Everything about one account, for a central tab.

    Signals: ``openPassage(source_id, start, end)``, ``fragmentSelected(id)``
    (0: none), ``titleChanged(title)`` (for the tab text), ``accountRemoved(id)``
    (the account was deleted; Undo brings it back and the workspace with it).
    """

    openPassage = Signal(int, int, int)
    fragmentSelected = Signal(int)
    titleChanged = Signal(str)
    accountRemoved = Signal(int)
    similarPassages = Signal(list)  # [(source id, start, end)]: find passages like these
    similarFragment = Signal(int)  # fragment id: find passages like its passages

    def __init__(self, project: Any, account_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.account_id = project, int(account_id)
        self.data: dict | None = None
        self.check: dict = {}
        self.title = ""
        self._syncing = False
        self._figure_paper: tuple[str | None, bool] = ("a4", False)
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.flowchart = FlowchartView(project, self.account_id, self)
        self.toolbar = self._make_toolbar()
        self.passages = PassageList()
        self.passages.passagesDropped.connect(self.add_passages)
        self.passages.itemActivated.connect(self._on_passage_activated)
        self.passages.customContextMenuRequested.connect(self._on_passage_menu)
        self.passages_title = section_label("Passages")
        self.fragments = FragmentList()
        self.fragments.fragmentMoved.connect(self.move_fragment_to)
        self.fragments.currentItemChanged.connect(self._on_list_fragment_changed)
        self.fragments.itemActivated.connect(lambda item: self.flowchart.edit_fragment(item.data(ID_ROLE)))
        self.fragments.customContextMenuRequested.connect(self._on_fragment_menu)
        self.fragments_title = section_label("Fragments in sequence")
        self.move_up_action = self._list_action("Move up", "Alt+Up", -1)
        self.move_down_action = self._list_action("Move down", "Alt+Down", 1)
        self.fragments.currentRowChanged.connect(lambda *_: self._update_move_actions())
        self.completeness = CompletenessPanel()
        connect_candidates(self)
        self.details = FragmentDetails()
        self.details.openPassage.connect(self.openPassage)
        self.details.editRequested.connect(self.flowchart.edit_fragment)
        self.status = muted_label("")
        self.flowchart.fragmentSelected.connect(self._on_chart_selected)
        self.flowchart.linkModeChanged.connect(self.link_action.setChecked)
        self._layout()
        watch(project, self, self._on_project_changed)
        self.reload()

    # ------------------------------------------------------------------ layout
    def _make_toolbar(self) -> QToolBar:
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

        def action(text: str, slot: Any, tip: str, key: str | None = None, checkable: bool = False) -> QAction:
            act = QAction(text, self)
            act.setToolTip(tip + (f" ({key})" if key else ""))
            act.setCheckable(checkable)
            if key:
                act.setShortcut(QKeySequence(key))
                act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            if checkable:
                act.toggled.connect(slot)
            else:
                act.triggered.connect(lambda *_: slot())
            bar.addAction(act)
            self.addAction(act)
            return act

        self.new_action = action("New fragment…", self.new_fragment,
                                 "Summarise the selected passages into a fragment", "Ctrl+Shift+N")
        self.new_action.setIconText("New fragment…")
        bar.widgetForAction(self.new_action).setObjectName("PrimaryButton")
        bar.widgetForAction(self.new_action).setStyleSheet(
            "QToolButton { background: #2F6FA3; color: white; border-radius: 4px; padding: 4px 12px; "
            "font-weight: 600; } QToolButton:hover { background: #275D89; } "
            "QToolButton:disabled { background: #B9C7D4; }")
        bar.addSeparator()
        self.link_action = action("Link", self.flowchart.set_link_mode,
                                  "Drag from a box to the box that follows it (or Shift+drag at any time)",
                                  checkable=True)
        self.unlink_action = action("Unlink", self.unlink_selected, "Remove the selected arrow")
        self.layout_action = action("Auto layout", self.flowchart.auto_layout,
                                    "Put the boxes you moved by hand back in the layout")
        self.layout_choice = QComboBox()
        for mode, name in (("down", "Down"), ("across", "Across"), ("snake", "Snake")):
            self.layout_choice.addItem(name, mode)
        self.layout_choice.setCurrentIndex(self.layout_choice.findData(self.flowchart.layout_mode))
        self.layout_choice.setToolTip("Lay the chart out top to bottom, left to right, or in rows that wrap; "
                                      "boxes moved by hand go back into the layout (Edit ▸ Undo restores them)")
        self.layout_choice.currentIndexChanged.connect(
            lambda *_: self.flowchart.set_layout_mode(self.layout_choice.currentData()))
        bar.addWidget(QLabel(" Layout "))
        bar.addWidget(self.layout_choice)
        action("Fit", self.flowchart.fit_to_window, "Fit the chart to the window (Ctrl+wheel zooms)")
        bar.addSeparator()
        action("Export figure…", self.export_dialog, "Save the flow chart as an SVG, PNG or PDF figure")
        bar.addSeparator()
        self.details_action = action("Account details…", self.edit_details, "Title and description")
        self.roles_action = action("Actantial roles…", self.edit_roles,
                                   "Subject, object, sender, receiver, helper, opponent")
        return bar

    def _list_action(self, text: str, key: str, step: int) -> QAction:
        """Move the current fragment one place (the order is the story: the chart follows)."""
        act = QAction(text, self)
        act.setShortcut(QKeySequence(key))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.setToolTip(f"{text} in the story's sequence; the arrows and the chart follow ({key})")
        act.triggered.connect(lambda *_: self.fragments.move_current(step))
        self.addAction(act)
        return act

    def _update_move_actions(self) -> None:
        row, n = self.fragments.currentRow(), len(self.data["fragments"]) if self.data else 0
        writable = not self.project.read_only
        self.move_up_action.setEnabled(writable and 0 < row < n)
        self.move_down_action.setEnabled(writable and 0 <= row < n - 1)

    def _layout(self) -> None:
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(8, 6, 4, 6)
        split = QSplitter(Qt.Orientation.Vertical)
        moves = QHBoxLayout()
        moves.setContentsMargins(0, 2, 0, 0)
        for act in (self.move_up_action, self.move_down_action):
            button = QToolButton()
            button.setDefaultAction(act)
            moves.addWidget(button)
        moves.addStretch(1)
        for title, widget, below in ((self.passages_title, self.passages, None),
                                     (self.fragments_title, self.fragments, moves)):
            box = QWidget()
            bv = QVBoxLayout(box)
            bv.setContentsMargins(0, 4, 0, 0)
            bv.addWidget(title)
            bv.addWidget(widget, 1)
            if below is not None:
                bv.addLayout(below)
            split.addWidget(box)
        split.setSizes([300, 400])
        lv.addWidget(split)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(10, 8, 10, 8)
        rv.addWidget(self.completeness)
        rv.addSpacing(10)
        rv.addWidget(self.details, 1)
        centre = QWidget()
        cv = QVBoxLayout(centre)
        cv.setContentsMargins(0, 0, 0, 0)
        cv.setSpacing(0)
        cv.addWidget(self.flowchart, 1)
        cv.addWidget(self.status)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 760, 280])
        self.splitter.setChildrenCollapsible(False)
        left.setMinimumWidth(220)
        right.setMinimumWidth(230)
        self.status.setContentsMargins(8, 2, 8, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.header.setContentsMargins(12, 8, 12, 2)
        layout.addWidget(self.header)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.splitter, 1)

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        try:
            with self.project.read_session() as s:
                self.data = flowgraph.show(s, self.account_id)
                self.check = flowgraph.completeness(s, self.account_id)
                case_of = narrative.case_name_of_sources(s)
        except NotFound:
            self._show_removed()
            return
        self.setEnabled(True)
        title = self.data["title"]
        if title != self.title:
            self.title = title
            self.titleChanged.emit(title)
        description = self.data["description"]
        self.header.setText(f"<span style='font-size:13pt; font-weight:600'>{title}</span>"
                            + (f"<br><span style='color:#6B6B6B'>{description}</span>" if description else ""))
        self._fill_passages(case_of)
        self._fill_fragments()
        writable = not self.project.read_only
        self.completeness.set_writable(writable)
        self.completeness.set_check(self.check)
        for act in (self.new_action, self.link_action, self.unlink_action, self.layout_action,
                    self.details_action):
            act.setEnabled(writable)
        self.flowchart.set_empty_text(EMPTY_TEXT if not self.data["passages"] else
                                      f"<b>No fragments yet.</b><br>{len(self.data['passages'])} passage(s) "
                                      "gathered. Select some on the left, then <i>New fragment…</i>")
        self._on_chart_selected(self.flowchart.selected_ids()[0] if len(self.flowchart.selected_ids()) == 1 else 0)

    def _show_removed(self) -> None:
        self.data = None
        self.header.setText("<b>This account was deleted.</b> Edit ▸ Undo brings it back.")
        self.passages.clear()
        self.fragments.clear()
        self.details.show_fragment(None)
        self.accountRemoved.emit(self.account_id)

    def _fill_passages(self, case_of: dict[int, str]) -> None:
        used: dict[tuple[int, int, int], list[int]] = {}
        for n, f in enumerate(self.data["fragments"], start=1):
            for p in f["passages"]:
                used.setdefault((p["source_id"], p["start"], p["end"]), []).append(n)
        selected = {p for _, p in self.passages.selected_passages()}
        self.passages.clear()
        for p in self.data["passages"]:
            span = (p["source_id"], p["start"], p["end"])
            numbers = [n for (sid, a, b), ns in used.items() if sid == span[0] and a < span[2] and span[1] < b
                       for n in ns]
            where = (f"fragment {', '.join(map(str, sorted(set(numbers))))}" if numbers else "unused")
            case = case_of.get(p["source_id"], "")
            item = card(f"{p['source']}{' · ' + case if case else ''} · {where}", p["text"],
                        "#C8C2B4" if numbers else "#2F6FA3", p["id"], span)
            self.passages.addItem(item)
            item.setSelected(span in selected)
        if not self.data["passages"]:
            item = card("No passages yet", PASSAGES_EMPTY)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.passages.addItem(item)
        self.passages_title.setText(f"Passages ({len(self.data['passages'])})")

    def _fill_fragments(self) -> None:
        self._syncing = True
        current = self.fragments.currentItem().data(ID_ROLE) if self.fragments.currentItem() else None
        self.fragments.clear()
        for n, f in enumerate(self.data["fragments"], start=1):
            heading = f"{n} · {(f['act'] or 'no speech act').upper()}" + (f" · {f['case']}" if f["case"] else "")
            item = card(heading, f["summary"], act_color(f["act"]).name(), f["id"])
            self.fragments.addItem(item)
            if f["id"] == current:
                self.fragments.setCurrentItem(item)
        n = len(self.data["fragments"])
        if not n:
            item = card("No fragments yet", "Select passages above, then New fragment… Fragments appear here in "
                        "their tellable order; drag them to reorder.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.fragments.addItem(item)
        self.fragments_title.setText(f"Fragments ({n})" + (" · drag to reorder" if n > 1 else ""))
        self._syncing = False
        self._update_move_actions()

    def fragment(self, fragment_id: int) -> tuple[dict | None, int]:
        for n, f in enumerate(self.data["fragments"] if self.data else [], start=1):
            if f["id"] == fragment_id:
                return f, n
        return None, 0

    # ------------------------------------------------------------------ selection
    def _on_chart_selected(self, fragment_id: int) -> None:
        fragment, number = self.fragment(fragment_id)
        self.details.show_fragment(fragment, number)
        if not self._syncing:
            self._syncing = True
            self.fragments.setCurrentRow(number - 1 if fragment else -1)
            self._syncing = False
        self.fragmentSelected.emit(fragment_id if fragment else 0)

    def _on_list_fragment_changed(self, item: Any, _previous: Any) -> None:
        if not self._syncing and item is not None and item.data(ID_ROLE) is not None:
            self._syncing = True
            self.flowchart.select_fragment(item.data(ID_ROLE))
            self._syncing = False
            fragment, number = self.fragment(item.data(ID_ROLE))
            self.details.show_fragment(fragment, number)

    # ------------------------------------------------------------------ actions
    def new_fragment(self, case_id: int | None = None) -> int | None:
        from .fragment_dialog import FragmentDialog

        chosen = [span for _, span in self.passages.selected_passages()]
        dialog = FragmentDialog(self.project, self.account_id, case_id=case_id or None, passages=chosen, parent=self)
        if dialog.exec():
            self.flowchart.select_fragment(dialog.fragment_id)
            return dialog.fragment_id
        return None

    def add_passages(self, passages: list[Passage]) -> int:
        """Add passages to the account (drops call this); returns how many were added."""
        added = 0
        for sid, start, end in passages:
            try:
                self.project.run(narrative.add_passage, self.account_id, sid, start, end, added_by=self.project.coder)
                added += 1
            except QdaError as exc:
                show_error(self, exc)
                break
        self.status.setText(f"{added} passage(s) added to the account." if added else "")
        return added

    def move_fragment_to(self, fragment_id: int, position: int) -> bool:
        return try_run(self, self.project, narrative.move_fragment, fragment_id, position)[0]

    def unlink_selected(self) -> None:
        edges = self.flowchart.selected_edges()
        ids = self.flowchart.selected_ids()
        if not edges and len(ids) == 2:
            edges = [k for k in ((ids[0], ids[1]), (ids[1], ids[0])) if k in self.flowchart.edges]
        if not edges:
            self.status.setText("Click an arrow to select it (or select the two boxes it joins), then Unlink.")
        for a, b in edges:
            self.flowchart.unlink(a, b)

    def export_figure(self, path: str | Path, page: str | None = None, landscape: bool = False,
                      mode: str | None = None) -> Path:
        """Write the flow chart (SVG, PNG or PDF, by suffix) in the chart's layout or ``mode``,
        on a sheet of ``page`` paper (``a4``, ``letter``) or at the figure's own size."""
        with self.project.read_session() as s:
            graph = flowgraph.account_graph(s, self.account_id, mode=mode or self.flowchart.layout_mode)
        return write_atomically(path, lambda tmp: flowchart.export(graph, tmp, page=page, landscape=landscape),
                                (".svg", ".png", ".pdf"))

    def export_dialog(self) -> None:
        from .figure_dialog import FigureOptionsDialog

        options = FigureOptionsDialog(self.flowchart.layout_mode, *self._figure_paper, parent=self)
        if not options.exec():
            return
        mode, page, landscape = options.choices()
        self._figure_paper = (page, landscape)
        name = re.sub(r"[^\w\- ]+", "", self.title).strip() or "flow chart"
        path, _ = QFileDialog.getSaveFileName(self, "Export figure", str(Path.home() / f"{name}.pdf"), FIGURE_FILTER)
        if not path:
            return
        try:
            saved = self.export_figure(path, page, landscape, mode)
        except (QdaError, OSError) as exc:
            show_error(self, exc)
            return
        self.status.setText(f"Figure saved: {saved}")

    def edit_details(self) -> None:
        from .account_dialogs import AccountDetailsDialog

        AccountDetailsDialog(self.project, self.account_id, self).exec()

    def edit_roles(self) -> None:
        from .account_dialogs import ActantRolesDialog

        ActantRolesDialog(self.project, self.account_id, self).exec()

    # ------------------------------------------------------------------ menus and handlers
    def _on_passage_activated(self, item: Any) -> None:
        span = item.data(SPAN_ROLE)
        if span:
            self.openPassage.emit(*span)

    def _on_passage_menu(self, pos: QPoint) -> None:
        chosen = self.passages.selected_passages()
        menu = QMenu(self)
        writable = not self.project.read_only
        menu.addAction("Open in document", lambda: self.openPassage.emit(*chosen[0][1])).setEnabled(len(chosen) == 1)
        menu.addAction("New fragment from these passages…", self.new_fragment).setEnabled(writable and bool(chosen))
        menu.addAction("Find similar passages", lambda: self.similarPassages.emit([span for _, span in chosen])
                       ).setEnabled(bool(chosen))
        menu.addSeparator()
        menu.addAction("Remove from account", lambda: self._remove_passages([pid for pid, _ in chosen])
                       ).setEnabled(writable and bool(chosen))
        explain_disabled(menu, self.project)
        menu.exec(self.passages.viewport().mapToGlobal(pos))

    def _remove_passages(self, ids: list[int]) -> None:
        if confirm(self, f"Remove {len(ids)} passage(s) from this account? The text and its codings stay."):
            for pid in ids:
                if not try_run(self, self.project, narrative.remove_passage, pid)[0]:
                    break

    def _on_fragment_menu(self, pos: QPoint) -> None:
        item = self.fragments.itemAt(pos)
        if item is None or item.data(ID_ROLE) is None:
            return
        fid, row = item.data(ID_ROLE), self.fragments.row(item)
        writable = not self.project.read_only
        menu = QMenu(self)
        menu.addAction("Edit fragment…", lambda: self.flowchart.edit_fragment(fid))
        menu.addAction("Find similar passages", lambda: self.similarFragment.emit(fid))
        menu.addAction("Move up", lambda: self.move_fragment_to(fid, row - 1)).setEnabled(writable and row > 0)
        menu.addAction("Move down", lambda: self.move_fragment_to(fid, row + 1)).setEnabled(
            writable and row < self.fragments.count() - 1)
        menu.addSeparator()
        menu.addAction("Delete fragment…", lambda: self.flowchart.delete_fragments([fid])).setEnabled(writable)
        add_comment_item(menu, self, "fragment", fid)
        explain_disabled(menu, self.project)
        menu.exec(self.fragments.viewport().mapToGlobal(pos))

    def _on_project_changed(self, change: Any) -> None:
        self.reload()


if __name__ == "__main__":
    import os

    from .demo import quick_look

    quick_look(lambda project, account_id: AccountWorkspace(project, account_id), "account workspace",
               fragments=os.environ.get("QDAAPP_EMPTY") is None)
