"""Speakers and roles, in one place for the whole project.

:class:`SpeakersDialog` lists every speaker name found in the sources with
its role (interviewer or participant), how many sources and turns it has,
and whether the role is the user's word or a guess (with the reason). Keys
on the table: **I** interviewer, **P** participant, **G** back to the guess,
for every selected row at once; the Role cell also has a combo box (double
click or F2). Each change is one audited command, undone with Ctrl+Z.

:class:`InterviewerCheck` is the "Leave out interviewer turns" box that the
search panel and the framework matrix share: on by default, and it says
whose turns it leaves out.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import speakers
from qdaapp.core.errors import QdaError
from qdaapp.core.speakers import INTERVIEWER, PARTICIPANT, SpeakerInfo
from qdaapp.gui.search.common import ChangeBridge, MessageLabel, plural

COLUMNS = ("Speaker", "Role", "Sources", "Turns", "Why")
NAME, ROLE, SOURCES, TURNS, WHY = range(5)
NAME_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
MUTED = QColor("#6B6B6B")
INTRO = ("Who interviews and who is interviewed, for the whole project. Text in interviewer turns is left out of "
         "marker runs, keyword search and the framework matrix (each has a box to include it).")
KEYS_HINT = "I interviewer · P participant · G back to the guess · Ctrl+Z undo"
WHERE = "File ▸ Speakers and roles…"
REFRESH_ON = ("speaker", "source")  # a change that touches these re-reads the list
KEYS = {Qt.Key.Key_I: INTERVIEWER, Qt.Key.Key_P: PARTICIPANT, Qt.Key.Key_G: None}


def interviewer_names(project: Any) -> list[str]:
    """The project's speakers whose role, set or guessed, is interviewer."""
    if project is None:
        return []
    with project.read_session() as s:
        return [i.name for i in speakers.list_speakers(s) if i.role == INTERVIEWER]


def said_by(names: list[str], most: int = 6) -> str:
    """'Ana', 'Ana and Ben', 'Ana, Ben and Cy', 'Ana, Ben, … and 4 more'."""
    if len(names) > most:
        return ", ".join(names[:most]) + f" and {len(names) - most} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def role_text(info: SpeakerInfo) -> str:
    role = info.role.capitalize() if info.role else "—"
    return f"{role} (guess)" if info.guessed and info.role else role


class _RoleDelegate(QStyledItemDelegate):
    """A combo box in the Role cell; choosing an item runs the command (the model is never written)."""

    def __init__(self, dialog: SpeakersDialog) -> None:
        super().__init__(dialog.table)
        self.dialog = dialog

    def createEditor(self, parent: QWidget, _option: QStyleOptionViewItem, index: QModelIndex) -> QWidget:
        combo = QComboBox(parent)
        combo.addItem("Interviewer", INTERVIEWER)
        combo.addItem("Participant", PARTICIPANT)
        combo.addItem("Use the guess", None)
        info = self.dialog.info(index)
        if info is not None and info.role:
            combo.setCurrentIndex(combo.findData(info.role))
        name = info.name if info is not None else None
        combo.activated.connect(lambda _i, c=combo: self._chosen(c, name))
        return combo

    def _chosen(self, combo: QComboBox, name: str | None) -> None:
        info = self.dialog.info_named(name)
        role = combo.currentData()
        self.closeEditor.emit(combo)
        if info is not None and role != (None if info.guessed else info.role):
            self.dialog.set_roles({info.name: role})

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        pass  # set once in createEditor; a refresh must not move the user's choice

    def setModelData(self, editor: QWidget, _model: Any, index: QModelIndex) -> None:
        pass  # a choice runs a command (see _chosen); the table is re-read after it


class SpeakersDialog(QDialog):
    """Speaker names, their roles, and why; changes are commands (undoable)."""

    def __init__(self, project: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.setWindowTitle("Speakers and roles")
        self.resize(960, 520)
        self._infos: dict[str, SpeakerInfo] = {}
        self._bridge = ChangeBridge(self)
        self._bridge.changed.connect(self._on_change)

        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter speakers")
        self.filter_edit.setClearButtonEnabled(True)
        self.counter = QLabel("")
        self.counter.setObjectName("Muted")
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(NAME)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setItemDelegateForColumn(ROLE, _RoleDelegate(self))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.installEventFilter(self)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(NAME, 200)
        header.resizeSection(ROLE, 150)
        header.resizeSection(SOURCES, 70)
        header.resizeSection(TURNS, 70)

        self.interviewer_button = QPushButton("Interviewer")
        self.interviewer_button.setToolTip("Set the selected speakers as interviewers (I)")
        self.participant_button = QPushButton("Participant")
        self.participant_button.setToolTip("Set the selected speakers as participants (P)")
        self.guess_button = QPushButton("Use the guess")
        self.guess_button.setToolTip("Let the selected speakers' roles follow the guess again (G)")
        self.confirm_button = QPushButton("Confirm all guesses")
        self.confirm_button.setToolTip("Keep every guessed role as your own, in one step")
        self.message = MessageLabel()
        hint = QLabel(KEYS_HINT)
        hint.setObjectName("Muted")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        for button in (self.interviewer_button, self.participant_button, self.guess_button, self.confirm_button):
            button.setAutoDefault(False)  # Enter must not change a role
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.counter)
        actions = QHBoxLayout()
        actions.addWidget(QLabel("Selected:"))
        for button in (self.interviewer_button, self.participant_button, self.guess_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        bottom = QHBoxLayout()
        bottom.addWidget(hint, 1)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)

        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.interviewer_button.clicked.connect(lambda: self.set_selected(INTERVIEWER))
        self.participant_button.clicked.connect(lambda: self.set_selected(PARTICIPANT))
        self.guess_button.clicked.connect(lambda: self.set_selected(None))
        self.confirm_button.clicked.connect(lambda: self.confirm_guesses())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_controls())
        QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self, activated=lambda: self._step("undo"))
        QShortcut(QKeySequence("Ctrl+Shift+Z"), self, activated=lambda: self._step("redo"))
        self._bridge.attach(project)
        self.reload()
        self.table.setFocus()

    # -- reading ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the speakers; the selection (by name) is kept."""
        chosen = set(self.selected_names())
        with self.project.read_session() as s:
            found = speakers.list_speakers(s)
        self._infos = {i.name: i for i in found}
        self.table.setSortingEnabled(False)
        self.model.setRowCount(0)
        for info in found:
            self.model.appendRow(self._row(info))
        self.table.setSortingEnabled(True)
        self.select_names(chosen)
        interviewers = sum(1 for i in found if i.role == INTERVIEWER)
        self.counter.setText(f"{plural(len(found), 'speaker')} · {plural(interviewers, 'interviewer')}")
        if not found:
            self.message.show_note("No source has speaker turns yet (lines such as 'Interviewer:' or 'P1:').")
        self._update_controls()

    def _row(self, info: SpeakerInfo) -> list[QStandardItem]:
        why = info.reason if info.guessed else "set by you"
        cells = [QStandardItem(info.name), QStandardItem(role_text(info)), QStandardItem(f"{info.sources:,}"),
                 QStandardItem(f"{info.turns:,}"), QStandardItem(("Guess: " if info.guessed else "") + why)]
        sort = [info.name.casefold(), f"{info.role or '~'} {int(info.guessed)}", info.sources, info.turns, why]
        for item, key in zip(cells, sort, strict=True):
            item.setData(info.name, NAME_ROLE)
            item.setData(key, SORT_ROLE)
            item.setEditable(False)
        cells[ROLE].setEditable(not self.project.read_only)
        cells[ROLE].setToolTip("Double-click (or F2) to choose; I / P / G set the selected rows")
        cells[WHY].setToolTip(why)
        for col in (SOURCES, TURNS):
            cells[col].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if info.guessed:
            font = QFont()
            font.setItalic(True)
            for col in (ROLE, WHY):
                cells[col].setFont(font)
                cells[col].setForeground(MUTED)
        else:
            bold = QFont()
            bold.setBold(True)
            cells[ROLE].setFont(bold)
        return cells

    def info(self, index: QModelIndex) -> SpeakerInfo | None:
        return self._infos.get(index.data(NAME_ROLE)) if index.isValid() else None

    def info_named(self, name: str | None) -> SpeakerInfo | None:
        return self._infos.get(name or "")

    def selected_names(self) -> list[str]:
        return [i.data(NAME_ROLE) for i in self.table.selectionModel().selectedRows(NAME)]

    def select_names(self, names: list[str] | set[str]) -> None:
        self.table.clearSelection()
        selection = self.table.selectionModel()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, NAME)
            if index.data(NAME_ROLE) in names:
                selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
                selection.setCurrentIndex(index, selection.SelectionFlag.NoUpdate)

    # -- changing --------------------------------------------------------------------------
    def set_roles(self, roles: dict[str, str | None]) -> bool:
        """Run one ``speaker.set_role`` command; errors show in the dialog."""
        if self.project is None or self.project.read_only or not roles:
            return False
        try:
            self.project.run(speakers.set_roles, roles, coder=self.project.coder)
        except QdaError as exc:
            self.message.show_error(str(exc))
            return False
        n = len(roles)
        self.message.show_ok(("Roles set." if n > 1 else "Role set.") + " Ctrl+Z undoes it.")
        return True

    def set_selected(self, role: str | None) -> bool:
        names = self.selected_names()
        if not names:
            self.message.show_note("Select one or more speakers first.")
            return False
        return self.set_roles(dict.fromkeys(names, role))

    def confirm_guesses(self) -> bool:
        roles = {i.name: i.role for i in self._infos.values() if i.guessed and i.role}
        if not roles:
            self.message.show_note("There is no guessed role left to confirm.")
            return False
        return self.set_roles(roles)

    def _step(self, which: str) -> None:
        if self.project is None or self.project.read_only:
            return
        try:
            (self.project.undo if which == "undo" else self.project.redo)()
        except QdaError as exc:
            self.message.show_error(str(exc))
            return
        self.message.clear_message()

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if watched is self.table and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress:
            if event.modifiers() == Qt.KeyboardModifier.NoModifier and event.key() in KEYS:
                self.set_selected(KEYS[Qt.Key(event.key())])
                return True
        return super().eventFilter(watched, event)

    def _on_change(self, change: Any) -> None:
        if change.touches(*REFRESH_ON):
            self.reload()

    def _update_controls(self) -> None:
        writable = self.project is not None and not self.project.read_only
        has_selection = bool(self.selected_names())
        for button in (self.interviewer_button, self.participant_button, self.guess_button):
            button.setEnabled(writable and has_selection)
        self.confirm_button.setEnabled(writable and any(i.guessed and i.role for i in self._infos.values()))
        if not writable:
            self.message.show_note("This project is open read-only: you can see the roles but not change them.")

    def done(self, result: int) -> None:
        self._bridge.detach()
        super().done(result)


def open_speakers_dialog(parent: QWidget | None, project: Any) -> SpeakersDialog | None:
    """Show the Speakers and roles dialog for ``project`` (modal); returns it after it closes."""
    if project is None:
        return None
    dialog = SpeakersDialog(project, parent)
    dialog.exec()
    return dialog


class InterviewerCheck(QCheckBox):
    """"Leave out interviewer turns": on by default; its tooltip names whose turns, from the project's roles."""

    def __init__(self, text: str = "Leave out interviewer turns", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setChecked(True)
        self.names: list[str] = []

    def refresh(self, project: Any) -> None:
        """Re-read who interviews; with nobody known the box is disabled (nothing would be left out)."""
        self.names = interviewer_names(project)
        if self.names:
            self.setToolTip(f"Leaves out what {said_by(self.names)} said. Roles are set in {WHERE}")
        else:
            self.setToolTip(f"No speaker is known as an interviewer, so nothing is left out. Set roles in {WHERE}")
        self.setEnabled(bool(self.names))

    def include_interviewer(self) -> bool:
        return not (self.isChecked() and self.isEnabled())

    def leaves_out(self) -> bool:
        """Whether interviewer turns are being left out now."""
        return not self.include_interviewer()
