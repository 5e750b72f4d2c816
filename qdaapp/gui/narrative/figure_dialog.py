"""Export figure: the layout, and the paper the figure should fit (or its own size)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from .common import muted_label

LAYOUT_NAMES = {"down": "Down (top to bottom)", "across": "Across (left to right)", "snake": "Snake (rows that wrap)"}
PAPERS = {None: "The figure's own size", "a4": "A4 (21.0 × 29.7 cm)", "letter": "Letter (8.5 × 11 in)"}


class FigureOptionsDialog(QDialog):
    """Choose layout, paper and orientation; the file is asked for afterwards."""

    def __init__(self, layout: str, page: str | None = "a4", landscape: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export figure")
        self.layout_box = QComboBox()
        for mode, name in LAYOUT_NAMES.items():
            self.layout_box.addItem(name, mode)
        self.layout_box.setCurrentIndex(list(LAYOUT_NAMES).index(layout))
        self.paper = QComboBox()
        for key, name in PAPERS.items():
            self.paper.addItem(name, key)
        self.paper.setCurrentIndex(list(PAPERS).index(page))
        self.portrait, self.landscape = QRadioButton("&Portrait"), QRadioButton("&Landscape")
        group = QButtonGroup(self)
        group.addButton(self.portrait)
        group.addButton(self.landscape)
        (self.landscape if landscape else self.portrait).setChecked(True)
        turn = QHBoxLayout()
        turn.addWidget(self.portrait)
        turn.addWidget(self.landscape)
        turn.addStretch(1)
        form = QFormLayout()
        form.addRow("&Layout:", self.layout_box)
        form.addRow("&Paper:", self.paper)
        form.addRow("Orientation:", turn)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Save as…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout_ = QVBoxLayout(self)
        layout_.addLayout(form)
        layout_.addWidget(muted_label("On paper the chart is scaled down to fit inside 1.5 cm margins, never "
                                      "enlarged; text stays text in SVG and PDF."))
        layout_.addWidget(buttons)
        self.paper.currentIndexChanged.connect(self._on_paper_changed)
        self._on_paper_changed()

    def _on_paper_changed(self) -> None:
        on_paper = self.paper.currentData() is not None
        self.portrait.setEnabled(on_paper)
        self.landscape.setEnabled(on_paper)

    def choices(self) -> tuple[str, str | None, bool]:
        """(layout, paper or None, landscape)."""
        page = self.paper.currentData()
        return self.layout_box.currentData(), page, bool(page) and self.landscape.isChecked()
