"""Edit a node's definition (its codebook description) and colour."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core.nodes import PALETTE


class ColorPicker(QWidget):
    """The palette's colours as buttons, plus "Other…" for any colour."""

    def __init__(self, color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._color = color.upper()
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for value in PALETTE:
            button = QToolButton()
            button.setCheckable(True)
            button.setFixedSize(26, 26)
            button.setToolTip(value)
            button.setStyleSheet(
                f"QToolButton {{ background: {value}; border: 1px solid #8a8a8a; border-radius: 4px; }}"
                "QToolButton:checked { border: 3px solid #1f1f1f; }"
            )
            button.setChecked(value.upper() == self._color)
            button.clicked.connect(lambda _=False, v=value: self._set(v))
            self._group.addButton(button)
            row.addWidget(button)
        self._other = QPushButton("Other…")
        self._other.clicked.connect(self._choose_other)
        row.addWidget(self._other)
        self._preview = QLabel()
        self._preview.setFixedSize(26, 26)
        row.addWidget(self._preview)
        row.addStretch(1)
        self._update_preview()

    def color(self) -> str:
        return self._color

    def _set(self, value: str) -> None:
        self._color = value.upper()
        self._update_preview()

    def _choose_other(self) -> None:
        chosen = QColorDialog.getColor(QColor(self._color), self, "Node colour")
        if chosen.isValid():
            self._set(chosen.name())
            for button in self._group.buttons():
                button.setChecked(button.toolTip().upper() == self._color)

    def _update_preview(self) -> None:
        self._preview.setStyleSheet(f"background: {self._color}; border: 1px solid #666; border-radius: 4px;")
        self._preview.setToolTip(f"Chosen: {self._color}")


class NodeDialog(QDialog):
    """Name, definition and colour of one node; ``values()`` after ``exec()``."""

    def __init__(self, parent: QWidget | None, name: str, path: str, description: str, color: str,
                 codings: int = 0) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Node '{name}'")
        self.setMinimumWidth(480)
        self.name_edit = QLineEdit(name)
        self.description_edit = QPlainTextEdit(description)
        self.description_edit.setPlaceholderText(
            "What this node means and when to use it — the codebook definition. "
            "For example: 'Passages where staff say they were asked or told to act.'"
        )
        self.description_edit.setTabChangesFocus(True)
        self.picker = ColorPicker(color)
        where = QLabel(f"{path} · {codings} coding{'s' if codings != 1 else ''}")
        where.setObjectName("Muted")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Name:", self.name_edit)
        form.addRow("Definition:", self.description_edit)
        form.addRow("Colour:", self.picker)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(where)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.description_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def values(self) -> dict:
        return {
            "name": self.name_edit.text().strip(),
            "description": self.description_edit.toPlainText().strip(),
            "color": self.picker.color(),
        }
