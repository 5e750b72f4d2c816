"""Choices asked before an export: which nodes, grouped by what, which unit, which rows and columns.

:class:`NodePicker` is a checkable node tree (ticking a node ticks its
subtree). :class:`ExportOptionsDialog` shows only the sections an export
needs; :meth:`ExportOptionsDialog.options` returns what the writers in
:mod:`.kinds` read (``node_ids``, ``by``, ``unit``, ``rows``, ``cols``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qdaapp.gui.models.node_tree import swatch

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class NodePicker(QTreeWidget):
    """Tree nodes under 'Tree nodes', free nodes under 'Free nodes', each with a check box."""

    def __init__(self, nodes: Sequence[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NodePicker")
        self.setHeaderLabels(["Node", "Codings"])
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate
        roots = {}
        for kind, title in (("tree", "Tree nodes"), ("free", "Free nodes")):
            root = QTreeWidgetItem(self, [title])
            root.setFlags(flags)
            root.setCheckState(0, Qt.CheckState.Unchecked)
            font = root.font(0)
            font.setBold(True)
            root.setFont(0, font)
            roots[kind] = root
        items: dict[int, QTreeWidgetItem] = {}
        for node in nodes:
            parent_item = items.get(node.parent_id) if node.parent_id is not None else None
            item = QTreeWidgetItem(parent_item or roots.get(node.kind, roots["free"]), [node.name, str(node.codings)])
            item.setFlags(flags)
            item.setData(0, ID_ROLE, node.id)
            item.setIcon(0, swatch(node.color or "#999999"))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if node.description:
                item.setToolTip(0, node.description)
            item.setCheckState(0, Qt.CheckState.Unchecked)
            items[node.id] = item
        for root in roots.values():
            if root.childCount() == 0:
                root.setDisabled(True)
        self.items = items
        self.expandAll()
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, self.header().ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, self.header().ResizeMode.ResizeToContents)

    def checked_ids(self) -> list[int]:
        return [nid for nid, item in self.items.items() if item.checkState(0) == Qt.CheckState.Checked]

    def set_checked(self, ids: Sequence[int]) -> None:
        for nid in ids:
            if nid in self.items:
                self.items[nid].setCheckState(0, Qt.CheckState.Checked)


class ExportOptionsDialog(QDialog):
    """The choices one export needs before its file is chosen."""

    def __init__(self, parent: QWidget | None, title: str, sections: Sequence[str], nodes: Sequence[Any] = (),
                 attributes: Sequence[str] = (), intro: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.sections = tuple(sections)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        heading = QLabel(f"<b>{html.escape(title)}</b>" + (f"<br>{html.escape(intro)}" if intro else ""))
        heading.setWordWrap(True)
        layout.addWidget(heading)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.group_combo = self.unit_combo = self.rows_combo = self.cols_combo = None
        if "group" in self.sections:
            self.group_combo = QComboBox()
            self.group_combo.addItem("Case", "case")
            self.group_combo.addItem("Source", "source")
            for name in attributes:
                self.group_combo.addItem(f"Attribute: {name}", f"attribute:{name}")
            self.group_combo.setToolTip("One column per case, per source, or per value of an attribute")
            form.addRow("Count codings by:", self.group_combo)
        if "unit" in self.sections:
            self.unit_combo = QComboBox()
            self.unit_combo.addItem("Overlapping codings (pairs of passages that share text)", "overlap")
            self.unit_combo.addItem("Sources coded at both nodes", "source")
            form.addRow("Count:", self.unit_combo)
        if "framework" in self.sections:
            self.rows_combo = QComboBox()
            self.rows_combo.addItem("Cases", "cases")
            self.rows_combo.addItem("Sources", "sources")
            self.cols_combo = QComboBox()
            self.cols_combo.addItem("Accounts", "accounts")
            self.cols_combo.addItem("Nodes", "nodes")
            form.addRow("Rows:", self.rows_combo)
            form.addRow("Columns:", self.cols_combo)
        if form.rowCount():
            layout.addLayout(form)

        self.picker: NodePicker | None = None
        if "nodes" in self.sections:
            self.all_nodes = QRadioButton("All nodes")
            self.some_nodes = QRadioButton("Only these nodes:")
            self.all_nodes.setChecked(True)
            self._scope = QButtonGroup(self)
            self._scope.addButton(self.all_nodes)
            self._scope.addButton(self.some_nodes)
            self.picker = NodePicker(nodes)
            self.picker.setMinimumHeight(240)
            self.picker.setEnabled(False)
            self.hint = QLabel("Tick at least one node.")
            self.hint.setObjectName("Muted")
            layout.addWidget(self.all_nodes)
            layout.addWidget(self.some_nodes)
            layout.addWidget(self.picker, 1)
            layout.addWidget(self.hint)
            self.some_nodes.toggled.connect(self._update)
            self.picker.itemChanged.connect(lambda *_: self._update())

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("Choose file…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update()

    def _update(self) -> None:
        if self.picker is None:
            return
        some = self.some_nodes.isChecked()
        self.picker.setEnabled(some)
        missing = some and not self.picker.checked_ids()
        self.hint.setVisible(missing)
        self.ok.setEnabled(not missing)

    def options(self) -> dict:
        out: dict = {}
        if self.picker is not None and self.some_nodes.isChecked():
            out["node_ids"] = self.picker.checked_ids()
        for key, combo in (("by", self.group_combo), ("unit", self.unit_combo), ("rows", self.rows_combo),
                           ("cols", self.cols_combo)):
            if combo is not None:
                out[key] = combo.currentData()
        return out
