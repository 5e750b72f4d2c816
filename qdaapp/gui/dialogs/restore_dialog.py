"""Choose a backup copy of the project to go back to (newest first: when, what kind, size)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

PATH_ROLE = Qt.ItemDataRole.UserRole + 1
_STAMP = re.compile(r"-(\d{8})-(\d{6})-(\d{6})-(.+)$")
LABELS = {"auto": "Automatic", "manual": "Made by you", "before-restore": "Before a restore"}


def describe_backup(project: Path, backup: Path) -> tuple[datetime | None, str]:
    """(when it was made, what kind of copy) from a backup's file name."""
    stem = backup.name[: -len(backup.suffix)] if backup.suffix else backup.name
    match = _STAMP.search(stem[len(project.stem):]) if stem.startswith(project.stem) else None
    if match is None:
        return None, "Copy"
    day, clock, micro, label = match.groups()
    when = datetime.strptime(f"{day}{clock}{micro}", "%Y%m%d%H%M%S%f")
    if label.startswith("before-migration-"):
        kind = f"Before upgrading the file (schema {label.rsplit('-', 1)[-1]})"
    else:
        kind = LABELS.get(label, label.replace("-", " ").capitalize())
    return when, kind


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


def when_text(when: datetime | None) -> str:
    if when is None:
        return "—"
    today = datetime.now().date()
    if when.date() == today:
        return f"Today {when:%H:%M:%S}"
    return f"{when:%a %d %b %Y, %H:%M}"


class RestoreDialog(QDialog):
    def __init__(self, parent: QWidget | None, project_path: Path, backups: list[Path]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        self.setMinimumSize(620, 420)
        self.project_path = Path(project_path)
        intro = QLabel(
            f"<b>Go back to an earlier copy of {self.project_path.name}.</b><br>"
            "qdaapp copies the project when you open it and every 10 minutes while you work. "
            "Restoring keeps your project as it is now as another copy first, so nothing is lost.")
        intro.setWordWrap(True)
        folder = QLabel(f"Copies are kept in {self.project_path.parent / (self.project_path.stem + '.backups')}")
        folder.setObjectName("Muted")
        folder.setWordWrap(True)
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tree = QTreeWidget()
        self.tree.setObjectName("BackupList")
        self.tree.setHeaderLabels(["When", "Kind", "Size"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        for backup in backups:
            when, kind = describe_backup(self.project_path, backup)
            try:
                size = human_size(backup.stat().st_size)
            except OSError:
                size = "—"
            item = QTreeWidgetItem([when_text(when), kind, size])
            item.setData(0, PATH_ROLE, str(backup))
            item.setToolTip(0, str(backup))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)
        self.empty = QLabel("There are no backups of this project yet. One is made each time you open it.")
        self.empty.setObjectName("PanelHint")
        self.empty.setWordWrap(True)
        self.empty.setMargin(8)
        self.empty.setVisible(not backups)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = self.buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(False)
        self.restore_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.tree.itemSelectionChanged.connect(
            lambda: self.restore_button.setEnabled(self.selected() is not None))
        self.tree.itemDoubleClicked.connect(lambda *_: self.accept())
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(folder)
        layout.addWidget(self.empty)
        layout.addWidget(self.buttons)
        if backups:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def selected(self) -> Path | None:
        item = self.tree.currentItem()
        return Path(item.data(0, PATH_ROLE)) if item is not None and item.isSelected() else None

    def select(self, backup: Path) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if Path(item.data(0, PATH_ROLE)) == Path(backup):
                self.tree.setCurrentItem(item)
                return True
        return False
