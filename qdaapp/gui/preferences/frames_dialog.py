"""Codebook ▸ Add a coding frame…: choose a ready-made set of codes and add it as one undoable step.

The frames come from :func:`qdaapp.core.frames.list_frames` (the app's own
and those of plugins). The dialog lists them with their number of codes and
shows the chosen one as a tree of codes with their definitions. In the
"new project" mode it asks whether to start from a frame, with No thanks.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import frames as frame_ops

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
MENU_PATH = "Codebook ▸ Add a coding frame…"
OFFER_TEXT = f"Start from a coding frame? (You can add one later from {MENU_PATH})"


class FramesDialog(QDialog):
    """Pick a coding frame; :attr:`chosen` is its name after Accept."""

    def __init__(self, parent: QWidget | None = None, offer: bool = False,
                 frames: list[Any] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FramesDialog")
        self.offer = offer
        self.setWindowTitle("Start from a coding frame?" if offer else "Add a coding frame")
        self.resize(860, 520)
        self.frames = list(frame_ops.list_frames() if frames is None else frames)
        self.chosen: str | None = None

        intro = QLabel(
            f"<b>{OFFER_TEXT}</b><br>A coding frame is a ready-made set of codes with definitions from a "
            "theory you work with. Its codes appear in the Nodes panel under one tree node; you can rename, "
            "move or delete them like your own."
            if offer else
            "<b>Add a ready-made set of codes with definitions.</b><br>The codes appear in the Nodes panel under "
            "one tree node. Codes already in the project are kept as they are; Undo (Ctrl+Z) takes the frame out.")
        intro.setWordWrap(True)

        self.list = QListWidget()
        self.list.setObjectName("FrameList")
        self.list.setFixedWidth(290)
        self.list.setSpacing(2)
        for info in self.frames:
            item = QListWidgetItem(self._list_text(info))
            item.setData(NAME_ROLE, info.name)
            item.setToolTip(info.error or info.description or info.title)
            if info.error:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                item.setForeground(Qt.GlobalColor.darkRed)
            self.list.addItem(item)

        self.title = QLabel()
        self.title.setObjectName("FrameTitle")
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600; color: #24313D;")
        self.title.setWordWrap(True)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.origin = QLabel()
        self.origin.setObjectName("Muted")
        self.preview = QTextBrowser()
        self.preview.setObjectName("FramePreview")
        self.preview.setOpenLinks(False)
        self.preview.document().setDocumentMargin(10)
        self.preview.setStyleSheet("QTextBrowser#FramePreview { background: white; border: 1px solid #DAD6CC; "
                                   "border-radius: 6px; }")
        self.codes: list[tuple[int, str, str]] = []  # (depth, name, definition) as previewed

        right = QVBoxLayout()
        right.setSpacing(6)
        right.addWidget(self.title)
        right.addWidget(self.description)
        right.addWidget(self.origin)
        right.addWidget(self.preview, 1)
        body = QHBoxLayout()
        body.setSpacing(14)
        body.addWidget(self.list)
        body.addLayout(right, 1)

        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("Add to project", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("PrimaryButton")
        self.apply_button.setDefault(True)
        if offer:
            self.cancel_button = self.buttons.addButton("No thanks", QDialogButtonBox.ButtonRole.RejectRole)
        else:
            self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addLayout(body, 1)
        layout.addWidget(self.buttons)

        self.list.currentRowChanged.connect(self._show)
        usable = [i for i, info in enumerate(self.frames) if not info.error]
        if usable:
            self.list.setCurrentRow(usable[0])
        else:
            self._show(-1)

    @staticmethod
    def _list_text(info: Any) -> str:
        if info.error:
            return f"{info.title}\n   cannot be read"
        return f"{info.title}\n   {info.codes} code{'s' if info.codes != 1 else ''}" + (
            f" · from {info.plugin}" if info.plugin and info.plugin != "qdaapp" else "")

    def select(self, name: str) -> bool:
        for row, info in enumerate(self.frames):
            if info.name == name:
                self.list.setCurrentRow(row)
                return True
        return False

    def current_info(self) -> Any | None:
        row = self.list.currentRow()
        return self.frames[row] if 0 <= row < len(self.frames) else None

    def _show(self, row: int) -> None:
        self.preview.clear()
        self.codes = []
        info = self.frames[row] if 0 <= row < len(self.frames) else None
        usable = info is not None and not info.error
        self.apply_button.setEnabled(usable)
        if info is None:
            self.title.setText("No coding frames are available")
            self.description.setText("Coding frames come with qdaapp and with plugins (Preferences ▸ Plugins).")
            self.origin.clear()
            return
        self.title.setText(info.title)
        if info.error:
            self.description.setText(info.error)
            self.origin.setText(info.path)
            return
        source = "comes with qdaapp" if info.plugin in (None, "qdaapp") else f"from the plugin {info.plugin}"
        self.origin.setText(f"{info.codes} codes · {source}")
        try:
            frame = frame_ops.load(info.name)
        except Exception as exc:  # a frame file changed or went away since the list was made
            self.description.setText(str(exc))
            self.apply_button.setEnabled(False)
            return
        self.description.setText(frame.description or "")
        self.codes = [(0, frame.title, frame.description or "")]
        self._collect(frame.codes, 1)
        colours = [frame.color] + [c.color for _, c in frame.walk()]
        self.preview.setHtml(self._html(colours))

    def _collect(self, codes: list[Any], depth: int) -> None:
        for code in codes:
            self.codes.append((depth, code.name, code.description or ""))
            self._collect(code.children, depth + 1)

    def _html(self, colours: list[str | None]) -> str:
        """The codes as an indented tree: a colour square and the name, the definition below it.

        The top node's definition is the frame's description, shown above the preview.
        """
        parts = []
        for (depth, name, definition), colour in zip(self.codes, colours, strict=False):
            square = f'<span style="color:{html.escape(colour or "#999999")}">■</span>&nbsp;'
            weight = "" if depth else "font-weight:600;"
            title = f'{square}<span style="color:#24313D;{weight}">{html.escape(name)}</span>'
            if depth == 0:
                parts.append(f'<p style="margin-top:0; margin-bottom:10px;">{title}</p>')
                continue
            text = html.escape(definition) if definition else "<i>No definition.</i>"
            parts.append(f'<p style="margin-left:{depth * 22}px; margin-top:0; margin-bottom:8px;">{title}<br>'
                         f'<span style="color:#4F4B45">{text}</span></p>')
        return "".join(parts)

    def accept(self) -> None:
        info = self.current_info()
        if info is None or info.error:
            return
        self.chosen = info.name
        super().accept()
