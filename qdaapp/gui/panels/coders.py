"""Whose codings the window shows, the project's coders, and blind coding.

:class:`CoderView` holds the window's choice "my codings / all coders / one
coder" (View ▸ Show codings of, and a compact box in the status bar),
remembered per project on this computer. The views never filter by
themselves: the document stripes, the node counts and the coded passages are
read through the core queries' ``coders`` argument, and :meth:`CoderView.coders`
is what they pass. In blind coding (see :mod:`qdaapp.core.blind`) a coder
other than the owner can only choose their own codings; the other choices
are greyed out and say why.

The Team menu holds the coders list (:class:`CodersDialog`) and the blind
coding switches, which only the project owner may use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import blind
from qdaapp.core.coders import CoderWork, coders
from qdaapp.core.passage_history import when_text
from qdaapp.gui.dialogs.messages import confirm

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow

MINE, ALL = "mine", "all"
BLIND_TIP = ("Blind coding is on: you see only your own codings until the project owner ({owner}) ends the "
             "blind phase.")
STATE_TEXT = {
    blind.OFF: "Blind coding is off: everyone sees all codings.",
    blind.ON: "Blind coding is on: each coder sees only their own codings; the project owner sees all.",
    blind.ENDED: "The blind phase has ended: everyone sees all codings.",
}


def team_menu(window: Any) -> QMenu:
    """The menu bar's Team menu (made before View the first time it is asked for)."""
    bar = window.menuBar()
    found = next((a.menu() for a in bar.actions() if a.text() == "&Team" and a.menu() is not None), None)
    if found is not None:
        return found
    view_action = next((a for a in bar.actions() if a.menu() is window.actions.view_menu), None)
    menu = QMenu("&Team", bar)
    menu.setToolTipsVisible(True)
    bar.insertMenu(view_action, menu) if view_action is not None else bar.addMenu(menu)
    return menu


class CoderView(QObject):
    """The window's choice of whose codings to show, and the Team menu."""

    changed = Signal()  # the coders shown changed: the views read their codings again

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.project: Any = None
        self.choice = ALL
        self.names: list[str] = []  # the project's coders
        self.state = blind.OFF
        self.owner: str | None = None
        self.allowed: set[str] | None = None  # what blind coding lets this coder see (None: all)
        self._shown: set[str] | None = None

        self.label = QLabel("Show:")
        self.label.setObjectName("Muted")
        self.combo = QComboBox()
        self.combo.setObjectName("CoderFilter")
        self.combo.setModel(QStandardItemModel(self.combo))
        self.combo.setToolTip("Whose codings this window shows: stripes, node counts and coded passages")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.activated.connect(lambda i: self.choose(self.combo.itemData(i)))
        self.label.setBuddy(self.combo)
        window.status.insert_permanent(self.label, self.combo)

        self.menu = QMenu("Show codings &of", window)
        self.menu.setToolTipsVisible(True)
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        view = window.actions.view_menu
        if view is not None:
            view.insertMenu(view.actions()[0] if view.actions() else None, self.menu)
            view.insertSeparator(view.actions()[1] if len(view.actions()) > 1 else None)

        self.coders_action = QAction("&Coders…", window)
        self.coders_action.setStatusTip("Who works on this project, with their codings, memos and fragments")
        self.coders_action.triggered.connect(lambda _c=False: self.show_coders())
        self.blind_action = QAction("&Blind coding", window)
        self.blind_action.setCheckable(True)
        self.blind_action.triggered.connect(self.set_blind)
        self.end_action = QAction("&End the blind phase…", window)
        self.end_action.triggered.connect(lambda _c=False: self.end_blind())
        menu = team_menu(window)
        menu.addActions([self.coders_action])
        menu.addSeparator()
        menu.addActions([self.blind_action, self.end_action])
        self.set_project(None)

    # -- what the views read ---------------------------------------------------------------
    def coders(self) -> set[str] | None:
        """The coders whose codings the views show (None: everyone's): pass it to the core queries."""
        return None if self._shown is None else set(self._shown)

    def shown_count(self) -> int | None:
        """How many codings the views show, when not everyone's (None: all of them)."""
        if self.project is None or self._shown is None:
            return None
        from qdaapp.core.nodes import coding_counts

        with self.project.read_session() as s:
            return sum(coding_counts(s, self._shown).values())

    def shows(self, coder: str) -> bool:
        return self._shown is None or coder in self._shown

    def me(self) -> str:
        return str(self.project.coder) if self.project is not None else ""

    def _key(self) -> str | None:
        project_id = self.project.project_id() if self.project is not None else ""
        return f"coder_view/{project_id}" if project_id else None

    # -- project -------------------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        self.project = project
        key = self._key()
        self.choice = str(self.w.settings.value(key, ALL) or ALL) if key else ALL
        self.refresh(notify=False)

    def refresh(self, notify: bool = True) -> bool:
        """Read the coders and the blind setting again; True (and ``changed`` emitted if ``notify``) when
        the coders shown changed."""
        before = self._shown
        if self.project is None:
            self.names, self.state, self.owner, self.allowed = [], blind.OFF, None, None
        else:
            with self.project.read_session() as s:
                self.names = [w.name for w in coders(s)]
                self.state, self.owner = blind.state(s), blind.owner(s)
                self.allowed = blind.visible_coders(s, self.me())
        if self.choice not in (MINE, ALL) and self.choice not in self.names:
            self.choice = ALL
        self._shown = blind.narrow(self._wanted(), self.allowed)
        self._fill()
        moved = self._shown != before
        if moved and notify:
            self.changed.emit()
        return moved

    def current(self) -> str:
        """The choice in force: the one made, or "mine" while blind coding allows no other."""
        return MINE if self.allowed is not None else self.choice

    def _wanted(self) -> set[str] | None:
        choice = self.current()
        if self.project is None or choice == ALL:
            return None
        return {self.me()} if choice == MINE else {choice}

    def choose(self, choice: str) -> None:
        """Show "mine", "all" or one coder's codings (refused in blind coding for all but one's own)."""
        if self.project is None or (self.allowed is not None and choice != MINE):
            self._fill()
            return
        self.choice = choice
        key = self._key()
        if key:
            self.w.settings.setValue(key, choice)
        before = self._shown
        self._shown = blind.narrow(self._wanted(), self.allowed)
        self._fill()
        if self._shown != before:
            self.changed.emit()

    def choices(self) -> list[tuple[str, str]]:
        """(choice, text) in the order offered."""
        if self.project is None:
            return []
        me = self.me()
        return [(MINE, f"My codings ({me})"), (ALL, "All coders")] + [(n, n) for n in self.names if n != me]

    def _fill(self) -> None:
        blocked = BLIND_TIP.format(owner=self.owner or "the project owner") if self.allowed is not None else ""
        model = self.combo.model()
        assert isinstance(model, QStandardItemModel)
        self.combo.blockSignals(True)
        self.combo.clear()
        for action in self.group.actions():
            self.group.removeAction(action)
        self.menu.clear()
        for i, (choice, text) in enumerate(self.choices()):
            self.combo.addItem(text, choice)
            action = self.menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(choice == self.current())
            action.setData(choice)
            action.triggered.connect(lambda _c=False, c=choice: self.choose(c))
            self.group.addAction(action)
            if choice == MINE:
                action.setShortcut(QKeySequence("Ctrl+Alt+M"))
            elif choice == ALL:
                action.setShortcut(QKeySequence("Ctrl+Alt+A"))
            if blocked and choice != MINE:
                model.item(i).setEnabled(False)
                self.combo.setItemData(i, blocked, Qt.ItemDataRole.ToolTipRole)
                action.setEnabled(False)
                action.setToolTip(blocked)
                action.setStatusTip(blocked)
            if choice == self.current():
                self.combo.setCurrentIndex(i)
        self.combo.blockSignals(False)
        has = self.project is not None
        self.combo.setVisible(has)
        self.label.setVisible(has)
        self.menu.setEnabled(has)
        self.combo.setToolTip(blocked or "Whose codings this window shows: stripes, node counts and coded passages")
        self._sync_actions()

    def _sync_actions(self) -> None:
        has = self.project is not None
        writable = has and not self.project.read_only
        is_owner = has and (self.owner is None or self.owner == self.me())
        self.coders_action.setEnabled(has)
        self.blind_action.setChecked(self.state == blind.ON)
        self.blind_action.setEnabled(writable and is_owner)
        self.end_action.setEnabled(writable and is_owner and self.state == blind.ON)
        why = ("" if is_owner or not has else f"Only the project owner, {self.owner}, may change blind coding.")
        self.blind_action.setStatusTip(why or "While it is on, each coder sees only their own codings")
        self.end_action.setStatusTip(why or "Let everyone see all coders' codings from now on")
        for action in (self.blind_action, self.end_action):
            action.setToolTip(action.statusTip())

    # -- changes -----------------------------------------------------------------------------
    def on_change(self, change: Any) -> bool:
        """A committed change: the blind setting, or a coder new to the project. True when the coders
        shown changed (the views must then read their codings again)."""
        setting = change.touches(blind.SETTING)
        new_coder = any(k.coder not in self.names for k in change.codings("created"))
        if not (setting or new_coder):
            return False
        return self.refresh(notify=False)

    # -- Team menu -----------------------------------------------------------------------------
    def set_blind(self, on: bool) -> None:
        if self.project is None:
            return
        self.w.runner.run(blind.set_blind, bool(on), self.me())
        self._sync_actions()

    def end_blind(self) -> bool:
        if self.project is None:
            return False
        if not confirm(self.w, "End the blind phase? From now on every coder sees everyone's codings, counts "
                               "and stripes. This is recorded in the audit trail and cannot be undone.",
                       "End the blind phase"):
            return False
        ok, _ = self.w.runner.run(blind.end_blind, self.me())
        return ok

    def show_coders(self) -> CodersDialog | None:
        if self.project is None:
            return None
        dialog = CodersDialog(self.project, self, self.w)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog


class _Item(QTableWidgetItem):
    """A cell that sorts by its key (a number or a stored time), not by the text shown."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(Qt.ItemDataRole.UserRole), other.data(Qt.ItemDataRole.UserRole)
        if type(mine) is type(theirs) and mine is not None:
            return bool(mine < theirs)
        return super().__lt__(other)


def _count(n: int | None) -> tuple[str, int]:
    """A count as shown and sorted; None (hidden in blind coding) as a dash."""
    return ("–", -1) if n is None else (f"{n:,}", n)


COLUMNS = ("Coder", "Codings", "Memos", "Fragments", "Changes", "First worked", "Last worked")


class CodersDialog(QDialog):
    """Team ▸ Coders…: everyone who worked on the project, with their work, and the blind setting."""

    def __init__(self, project: Any, view: CoderView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CodersDialog")
        self.setWindowTitle(f"Coders of {project.path.stem}")
        self.resize(720, 360)
        self.view = view
        with project.read_session() as s:
            work = coders(s, viewer=project.coder)
        self.blind_label = QLabel()
        self.blind_label.setWordWrap(True)
        self.table = QTableWidget(len(work), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        for row, w in enumerate(work):
            self._fill_row(row, w, project.coder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setSortingEnabled(True)
        self.table.sortItems(5, Qt.SortOrder.AscendingOrder)  # in the order they started
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.blind_button = buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.blind_button.clicked.connect(lambda: self._switch())
        self.end_button = buttons.addButton("End the blind phase…", QDialogButtonBox.ButtonRole.ActionRole)
        self.end_button.clicked.connect(lambda: self._end())
        box = QVBoxLayout(self)
        box.addWidget(self.blind_label)
        box.addWidget(self.table, 1)
        box.addWidget(buttons)
        self._sync()

    def _fill_row(self, row: int, w: CoderWork, me: str) -> None:
        name = f"{w.name} (you)" if w.name == me else w.name
        if w.name == self.view.owner:
            name += " · owner"
        cells: list[tuple[str, Any]] = [(name, w.name.lower()), *(_count(n) for n in (w.codings, w.memos,
                                                                                        w.fragments, w.changes)),
                                        (when_text(w.first) if w.first else "", w.first or ""),
                                        (when_text(w.last) if w.last else "", w.last or "")]
        for col, (shown, key) in enumerate(cells):
            item = _Item(shown)
            item.setData(Qt.ItemDataRole.UserRole, key)
            if 1 <= col <= 4:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if key == -1:
                    item.setToolTip("Hidden during blind coding: you see only your own work until the "
                                    "project owner ends the blind phase")
            self.table.setItem(row, col, item)

    def _sync(self) -> None:
        v = self.view
        lines = [STATE_TEXT[v.state], f"Project owner: {v.owner or 'not recorded'}."]
        if v.allowed is not None:
            lines.append("You see only your own codings and figures until the owner ends the blind phase.")
        self.blind_label.setText(" ".join(lines))
        self.blind_button.setText("Switch blind coding off" if v.state == blind.ON else "Switch blind coding on")
        self.blind_button.setEnabled(v.blind_action.isEnabled())
        self.blind_button.setToolTip(v.blind_action.statusTip())
        self.end_button.setEnabled(v.end_action.isEnabled())
        self.end_button.setToolTip(v.end_action.statusTip())

    def _switch(self) -> None:
        self.view.set_blind(self.view.state != blind.ON)
        self._sync()

    def _end(self) -> None:
        self.view.end_blind()
        self._sync()
