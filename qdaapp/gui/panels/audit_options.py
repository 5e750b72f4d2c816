"""File ▸ Export ▸ Audit report: the few choices asked before the file (paper, since when, whose work).

The file type (Word, web page or PDF) is chosen in the save dialog that follows.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

EVERYONE = "Everyone"


class AuditReportOptions(QDialog):
    """Paper (A4 or Letter), an optional first day, and everyone's work or one coder's."""

    def __init__(self, parent: QWidget | None, coders: Sequence[str], paper: str = "a4",
                 first_day: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AuditReportOptions")
        self.setWindowTitle("Audit report")
        intro = QLabel("How the analysis was done, for a supervisor or an examination file: the seal and the "
                       "check of the audit trail, the totals, codebook changes, marker decisions, accounts with "
                       "their quotes, and every decision per coder.")
        intro.setWordWrap(True)
        self.paper = QComboBox()
        self.paper.addItem("A4", "a4")
        self.paper.addItem("Letter (US)", "letter")
        self.paper.setCurrentIndex(max(0, self.paper.findData(paper)))
        self.paper.setToolTip("Paper size of the Word and PDF files")
        self.limit = QCheckBox("Only work from")
        self.since = QDateEdit()
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd")
        start = QDate.fromString(first_day[:10], "yyyy-MM-dd") if first_day else QDate.currentDate()
        self.since.setDate(start if start.isValid() else QDate.currentDate())
        self.since.setEnabled(False)
        self.limit.toggled.connect(self.since.setEnabled)
        since_row = QHBoxLayout()
        since_row.addWidget(self.limit)
        since_row.addWidget(self.since)
        since_row.addWidget(QLabel("on"))
        since_row.addStretch(1)
        self.coder = QComboBox()
        self.coder.addItem(EVERYONE, None)
        for name in coders:
            self.coder.addItem(name, name)
        form = QFormLayout()
        form.addRow("&Paper:", self.paper)
        form.addRow("Period:", since_row)
        form.addRow("&Whose work:", self.coder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Choose file…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(480, self.sizeHint().height())

    def options(self) -> dict:
        """``paper``, ``since`` (YYYY-MM-DD or None) and ``coder`` (None for everyone)."""
        since = self.since.date().toString("yyyy-MM-dd") if self.limit.isChecked() else None
        return {"paper": self.paper.currentData(), "since": since, "coder": self.coder.currentData()}
