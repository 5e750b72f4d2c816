"""What a REFI-QDA import brought in, what it reused, and what it left out and why."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

COUNT_LABELS = (("sources", "Sources"), ("nodes", "Nodes"), ("codings", "Codings"), ("memos", "Memos"),
                ("cases", "Cases"), ("attributes", "Attributes"), ("accounts", "Accounts"))
ALWAYS_SHOWN = ("sources", "nodes", "codings", "memos", "cases")
KIND_LABELS = {"source": "Source", "coding": "Codings", "code": "Code", "note": "Note", "memo": "Memo",
               "case": "Case", "set": "Set", "link": "Link", "graph": "Graph", "variable": "Attribute"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def skipped_line(item: Any) -> str:
    count = f" ({item.count}×)" if getattr(item, "count", 1) > 1 else ""
    return f"{item.name}{count}: {item.reason}"


def summary_text(summary: Any) -> str:
    """The whole summary as plain text, for the clipboard (a mail to a supervisor, a log book)."""
    lines = [f"Imported {summary.file}"]
    counts = summary.counts()
    lines.append(", ".join(f"{counts.get(key, 0)} {label.lower()}" for key, label in COUNT_LABELS
                           if key in ALWAYS_SHOWN or counts.get(key)))
    merged = {k: n for k, n in summary.merged.items() if n}
    if merged:
        lines.append("Already in the project (reused): " + ", ".join(f"{n} {k}" for k, n in merged.items()))
    lines += [f"Note: {n}" for n in summary.notices]
    if summary.skipped:
        total = sum(s.count for s in summary.skipped)
        lines.append("")
        lines.append(f"Not imported ({total}):")
        lines += [f"- {KIND_LABELS.get(s.kind, s.kind.title())}: {skipped_line(s)}" for s in summary.skipped]
    return "\n".join(lines) + "\n"


class ImportSummaryDialog(QDialog):
    def __init__(self, parent: QWidget | None, summary: Any) -> None:
        super().__init__(parent)
        self.summary = summary
        self.setWindowTitle(f"Imported {summary.file}")
        self.setMinimumSize(640, 460)
        self.resize(820, 560)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)

        codebook = getattr(summary, "sources", 0) == 0 and str(summary.file).lower().endswith(".qdc")
        heading = QLabel(f"<b>{'Codebook' if codebook else 'Project'} imported from {_escape(summary.file)}</b>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(heading)
        intro = QLabel("This is what came into your project. Undo (Ctrl+Z) takes the whole import back.")
        intro.setObjectName("Muted")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        grid = QGridLayout()
        grid.setHorizontalSpacing(28)
        grid.setVerticalSpacing(2)
        counts = summary.counts()
        shown = [(k, label) for k, label in COUNT_LABELS if k in ALWAYS_SHOWN or counts.get(k)]
        self.count_labels: dict[str, QLabel] = {}
        for col, (key, label) in enumerate(shown):
            number = QLabel(f"{counts.get(key, 0):,}")
            number.setObjectName("SummaryCount")
            number.setStyleSheet("font-size: 16pt; font-weight: 600; color: #24313D;")
            number.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            name = QLabel(label)
            name.setObjectName("Muted")
            name.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            grid.addWidget(number, 0, col)
            grid.addWidget(name, 1, col)
            self.count_labels[key] = number
        grid.setColumnStretch(len(shown), 1)
        layout.addLayout(grid)

        extra = []
        merged = {k: n for k, n in summary.merged.items() if n}
        if merged:
            extra.append("Already in the project, so reused: " + ", ".join(f"{n} {k}" for k, n in merged.items())
                         + ".")
        extra += list(summary.notices)
        if extra:
            notes = QLabel("\n".join(extra))
            notes.setWordWrap(True)
            notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(notes)

        total = sum(s.count for s in summary.skipped)
        self.skipped_title = QLabel(
            f"<b>Not imported: {_plural(total, 'item')}</b> — qdaapp has no place for them, or they were not "
            "in the file." if total else "<b>Everything in the file was imported.</b>")
        self.skipped_title.setWordWrap(True)
        layout.addWidget(self.skipped_title)
        self.skipped = QTableWidget(len(summary.skipped), 3)
        self.skipped.setObjectName("SkippedList")
        self.skipped.setHorizontalHeaderLabels(["What", "Item", "Why"])
        self.skipped.verticalHeader().setVisible(False)
        self.skipped.setAlternatingRowColors(True)
        self.skipped.setWordWrap(True)
        self.skipped.setShowGrid(False)
        self.skipped.setStyleSheet("QTableWidget#SkippedList::item { padding-top: 3px; padding-bottom: 3px; }")
        self.skipped.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.skipped.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.skipped.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for row, s in enumerate(summary.skipped):
            name = s.name + (f" ({s.count}×)" if s.count > 1 else "")
            for col, text in enumerate((KIND_LABELS.get(s.kind, s.kind.title()), name, s.reason)):
                cell = QTableWidgetItem(text)
                cell.setToolTip(f"{name}: {s.reason}")
                cell.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                self.skipped.setItem(row, col, cell)
        header = self.skipped.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(1, 230)
        self._fit = QTimer(self)  # rows grow to fit their wrapped reasons once the widths settle
        self._fit.setSingleShot(True)
        self._fit.setInterval(0)
        self._fit.timeout.connect(self.skipped.resizeRowsToContents)
        header.sectionResized.connect(lambda *_: self._fit.start())
        self.skipped.setVisible(bool(summary.skipped))
        layout.addWidget(self.skipped, 1)
        if not summary.skipped:
            layout.addStretch(1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = self.buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setToolTip("Copy this summary as text (to paste into an e-mail or your diary)")
        self.copy_button.clicked.connect(self.copy)
        self.buttons.rejected.connect(self.reject)
        self.buttons.accepted.connect(self.accept)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)
        layout.addWidget(self.buttons)

    def skipped_lines(self) -> list[str]:
        return [f"{self.skipped.item(r, 1).text()}: {self.skipped.item(r, 2).text()}"
                for r in range(self.skipped.rowCount())]

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.skipped.resizeRowsToContents()  # the reasons wrap within the width they get

    def text(self) -> str:
        return summary_text(self.summary)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
        self.copy_button.setText("Copied")


def _escape(text: str) -> str:
    import html

    return html.escape(str(text))
