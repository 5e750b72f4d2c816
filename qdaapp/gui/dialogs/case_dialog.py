"""A case's properties: its name, its sources, its attributes (typed, checked as you type).

"New case…" on a source opens the dialog with that source ticked and, when the
transcript names its interviewee in its header, that name filled in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import cases as case_ops
from qdaapp.core import sources as source_ops
from qdaapp.core.case_names import interviewee
from qdaapp.core.cases import ATTRIBUTE_TYPES
from qdaapp.core.errors import InvalidInput, QdaError
from qdaapp.gui.views.check_lists import keep_rows_still

SOURCE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_COL, TYPE_COL, VALUE_COL = range(3)


class CaseDialog(QDialog):
    """Create a case (``case_id`` None) or edit one. Changes are made on Save, one command each.

    ``source_ids`` are ticked from the start of a new case (its name is then
    suggested from the first source's interviewee, when its header names one)."""

    def __init__(self, parent: QWidget | None, project: Any, runner: Any, case_id: int | None = None,
                 source_ids: Sequence[int] = ()) -> None:
        super().__init__(parent)
        self._project = project
        self._runner = runner
        self.case_id = case_id
        suggested = ""
        with project.read_session() as s:
            self._sources = source_ops.list_sources(s)
            self._types = dict(case_ops.list_attributes(s))
            infos = {c.id: c for c in case_ops.list_cases(s)}
            self._attrs = case_ops.attributes_of(s, "case", case_id) if case_id else {}
            if case_id is None and source_ids:
                suggested = interviewee(source_ops.text_and_pages(s, source_ids[0])[0]) or ""
        if suggested in {c.name for c in infos.values()}:
            suggested = ""  # the case exists already: the user picks it from the source's Case menu instead
        info = infos.get(case_id) if case_id else None
        self._name = info.name if info else ""
        ticked = set(source_ids)
        self.setWindowTitle(f"Case '{self._name}'" if info else "New case")
        self.setMinimumSize(560, 520)

        self.name_edit = QLineEdit(self._name or suggested)
        self.name_edit.textChanged.connect(lambda _t: self._validate())
        self.name_edit.setPlaceholderText("For example: P3 Helene, or Ward 7")
        editable = not project.read_only
        self.name_edit.setReadOnly(not editable)
        if info is not None:
            self.name_edit.setToolTip("Rename the case: its sources, attributes and memos stay with it.")

        self.source_list = keep_rows_still(QListWidget())
        for src in self._sources:
            elsewhere = f"   (now in '{src.case}')" if src.case and src.case != self._name else ""
            item = QListWidgetItem(src.name + elsewhere)
            item.setData(SOURCE_ID_ROLE, src.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            mine = (info and src.case == self._name) or (info is None and src.id in ticked)
            item.setCheckState(Qt.CheckState.Checked if mine else Qt.CheckState.Unchecked)
            self.source_list.addItem(item)
        if not self._sources:
            self.source_list.addItem("No sources yet: import some with File ▸ Import files…")

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Attribute", "Type", "Value"])
        self.table.horizontalHeader().setSectionResizeMode(VALUE_COL, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for name, (type_, value) in self._attrs.items():
            self._add_row(name, type_, value, existing=True)
        self.table.itemChanged.connect(self._validate)
        add = QPushButton("Add attribute")
        add.clicked.connect(lambda: self._add_row("", "text", "", existing=False, edit=True))
        self.error_label = QLabel()
        self.error_label.setObjectName("InlineError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #B3261E;")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Name:", self.name_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Sources in this case</b> (tick the interviews, notes… that belong to it)"))
        layout.addWidget(self.source_list, 1)
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>Attributes</b> (site, role, age… ; dates as YYYY-MM-DD)"))
        head.addStretch(1)
        head.addWidget(add)
        layout.addLayout(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._validate()

    # -- attributes ---------------------------------------------------------------
    def _add_row(self, name: str, type_: str, value: str, existing: bool, edit: bool = False) -> int:
        self.table.blockSignals(True)
        row = self.table.rowCount()
        self.table.insertRow(row)
        name_item = QTableWidgetItem(name)
        if existing:
            name_item.setFlags(name_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, NAME_COL, name_item)
        combo = QComboBox()
        combo.addItems(list(ATTRIBUTE_TYPES))
        combo.setCurrentText(type_)
        combo.setEnabled(not existing)
        combo.currentTextChanged.connect(lambda _t: self._validate())
        self.table.setCellWidget(row, TYPE_COL, combo)
        value_item = QTableWidgetItem(value)
        value_item.setData(Qt.ItemDataRole.UserRole, value if existing else None)
        self.table.setItem(row, VALUE_COL, value_item)
        self.table.blockSignals(False)
        if edit:
            self.table.editItem(name_item)
        return row

    def rows(self) -> list[tuple[str, str, str, str | None]]:
        """(name, type, value, value before) for each row with a name."""
        out = []
        for row in range(self.table.rowCount()):
            name = (self.table.item(row, NAME_COL).text() if self.table.item(row, NAME_COL) else "").strip()
            combo = self.table.cellWidget(row, TYPE_COL)
            value_item = self.table.item(row, VALUE_COL)
            if not name:
                continue
            type_ = self._types.get(name, combo.currentText())
            value = value_item.text() if value_item else ""
            out.append((name, type_, value, value_item.data(Qt.ItemDataRole.UserRole) if value_item else None))
        return out

    def _validate(self, *_args: object) -> bool:
        problems = []
        self.table.blockSignals(True)
        for row in range(self.table.rowCount()):
            name_item, value_item = self.table.item(row, NAME_COL), self.table.item(row, VALUE_COL)
            combo = self.table.cellWidget(row, TYPE_COL)
            name = name_item.text().strip() if name_item else ""
            if name in self._types and combo.isEnabled():
                combo.setCurrentText(self._types[name])
                combo.setEnabled(False)
            ok = True
            if name and value_item is not None and value_item.text().strip():
                try:
                    case_ops.canonical_value(value_item.text(), self._types.get(name, combo.currentText()), name)
                except InvalidInput as exc:
                    problems.append(str(exc))
                    ok = False
            if value_item is not None:
                value_item.setBackground(QColor("#FBE3E1") if not ok else QColor(0, 0, 0, 0))
        self.table.blockSignals(False)
        if not self.name_edit.text().strip():
            problems.insert(0, "Give the case a name.")
        self.error_label.setText("\n".join(problems))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not problems)
        return not problems

    # -- saving -------------------------------------------------------------------
    def _save(self) -> None:
        if not self._validate():
            return
        name = self.name_edit.text().strip()
        if self.case_id is None:
            ok, case_id = self._runner.run(case_ops.create_case, name)
            if not ok:
                return
            self.case_id = case_id
            self._name = name
        elif name != self._name:
            try:
                self._runner.call(case_ops.update_case, self.case_id, name=name)
            except QdaError as exc:
                self.error_label.setText(str(exc))
                return
            self._sources = [s if s.case != self._name else _renamed(s, name) for s in self._sources]
            self._name = name
        for i in range(self.source_list.count()):
            item = self.source_list.item(i)
            source_id = item.data(SOURCE_ID_ROLE)
            if source_id is None:
                continue
            was = next((s.case for s in self._sources if s.id == source_id), None) == self._name and bool(self._name)
            now = item.checkState() == Qt.CheckState.Checked
            if now and not was:
                self._runner.run(case_ops.assign_source, self.case_id, source_id)
            elif was and not now:
                self._runner.run(source_ops.update_source, source_id, clear_case=True)
        for attr, type_, value, before in self.rows():
            if value == before or (not value.strip() and not before):
                continue
            try:
                if value.strip():
                    self._runner.call(case_ops.set_attribute, "case", self.case_id, attr, value, type_=type_)
                else:
                    self._runner.call(case_ops.remove_attribute, "case", self.case_id, attr)
            except QdaError as exc:
                self.error_label.setText(str(exc))
                return
        self.accept()


def _renamed(info: Any, case_name: str) -> Any:
    from dataclasses import replace

    return replace(info, case=case_name)
