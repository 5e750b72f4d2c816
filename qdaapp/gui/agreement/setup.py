"""What to compare: two coders or more, the unit, and optionally some nodes and sources."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

UNIT_WORDS = {"character": "Characters (as NVivo counts them)",
              "sentence": "Sentences (a sentence counts when any of it is coded)",
              "paragraph": "Paragraphs (a paragraph counts when any of it is coded)"}
ID_ROLE = Qt.ItemDataRole.UserRole


def _checklist(items: Sequence[tuple[Any, str]], checked: Collection[Any] = ()) -> QListWidget:
    widget = QListWidget()
    for ident, text in items:
        item = QListWidgetItem(text)
        item.setData(ID_ROLE, ident)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if ident in checked else Qt.CheckState.Unchecked)
        widget.addItem(item)
    return widget


def _ticked(widget: QListWidget) -> list[Any]:
    return [widget.item(i).data(ID_ROLE) for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked]


class AgreementSetup(QDialog):
    """Pick the coders (two or more), the unit, and the nodes and sources (none ticked: all)."""

    def __init__(self, coders: Sequence[str], nodes: Sequence[tuple[int, str]], sources: Sequence[tuple[int, str]],
                 me: str = "", units: Sequence[str] = tuple(UNIT_WORDS), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Coder agreement")
        self.resize(720, 520)
        first = [c for c in coders if c == me][:1] + [c for c in coders if c != me]
        self.coders = _checklist([(c, c) for c in coders], set(first[:2]))
        self.coders.itemChanged.connect(lambda _item: self._check())
        self.unit = QComboBox()
        for unit in units:
            self.unit.addItem(UNIT_WORDS.get(unit, unit), unit)
        self.nodes = _checklist(nodes)
        self.sources = _checklist(sources)
        form = QFormLayout()
        form.addRow("Coders to compare", self.coders)
        form.addRow("Unit", self.unit)
        lists = QHBoxLayout()
        for title, widget in (("Nodes (none ticked: every node they applied)", self.nodes),
                              ("Sources (none ticked: every source they coded)", self.sources)):
            column = QVBoxLayout()
            column.addWidget(QLabel(title))
            column.addWidget(widget)
            lists.addLayout(column)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b3261e;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Compute")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(lists, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.coders.setMaximumHeight(120)
        self._check()

    def _check(self) -> None:
        enough = len(_ticked(self.coders)) >= 2
        self.message.setText("" if enough else "Tick two coders or more to compare.")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(enough)

    def request(self) -> dict[str, Any]:
        """What to compute: coders, unit, nodes and sources (None: all)."""
        return {"coders": tuple(_ticked(self.coders)), "unit": self.unit.currentData(),
                "nodes": _ticked(self.nodes) or None, "sources": _ticked(self.sources) or None}
