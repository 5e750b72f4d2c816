"""A command-palette style node picker: type a few letters, Enter picks.

Matching is forgiving: an exact name first, then names starting with what was
typed, words starting with it, names containing it, paths containing it, and
finally the letters in order (so "hlthp" finds "Health promotion"). With an
empty query the most recent nodes come first. The last row can offer to
create a free node with the typed name.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from qdaapp.gui.models.node_tree import swatch

CHOICE_ROLE = Qt.ItemDataRole.UserRole + 1
CREATE = "create"


@dataclass(frozen=True)
class Choice:
    node_id: int
    name: str
    path: str
    kind: str
    color: str
    count: int = 0


def _subsequence(query: str, text: str) -> bool:
    it = iter(text)
    return all(ch in it for ch in query)


def match_score(query: str, name: str, path: str) -> float | None:
    """Higher is better; None when ``query`` does not match at all."""
    q = query.strip().lower()
    if not q:
        return 0.0
    n, p = name.lower(), path.lower()
    if n == q:
        return 100.0
    if n.startswith(q):
        return 90.0 - len(n) / 1000
    if any(word.startswith(q) for word in n.replace("-", " ").split()):
        return 80.0 - len(n) / 1000
    if q in n:
        return 70.0 - n.index(q) / 100
    if q in p:
        return 50.0
    if _subsequence(q, n):
        return 30.0
    if _subsequence(q, p):
        return 20.0
    return None


def rank(query: str, choices: list[Choice], recent: list[int] = ()) -> list[Choice]:  # type: ignore[assignment]
    recent_rank = {node_id: i for i, node_id in enumerate(recent)}
    scored = []
    for c in choices:
        score = match_score(query, c.name, c.path)
        if score is not None:
            scored.append((-score, recent_rank.get(c.node_id, len(recent_rank)), c.path.lower(), c))
    scored.sort(key=lambda t: t[:3])
    return [t[3] for t in scored]


class QuickPick(QFrame):
    """Popup node picker. Emits ``picked(node_id)`` or ``createRequested(name)``, then closes."""

    picked = Signal(int)
    createRequested = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        choices: list[Choice],
        title: str = "Code the selection at…",
        recent: list[int] | None = None,
        allow_create: bool = True,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("QuickPick")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._choices = choices
        self._recent = list(recent or [])
        self._allow_create = allow_create
        self._free_names = {c.name for c in choices if c.kind == "free"}

        self.title = QLabel(title)
        self.title.setObjectName("QuickPickTitle")
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Type part of a node name, then press Enter")
        self.edit.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hint = QLabel("↑ ↓ to choose · Enter to code · Esc to cancel")
        self.hint.setObjectName("QuickPickHint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.edit)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)

        self.edit.textChanged.connect(self._refill)
        self.edit.installEventFilter(self)
        self.list.itemActivated.connect(self._on_item_activated)
        self.list.itemClicked.connect(self._on_item_activated)
        self._refill("")

    # -- behaviour --------------------------------------------------------------
    def popup(self, at: QPoint) -> None:
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            at.setX(max(screen.left(), min(at.x(), screen.right() - self.width())))
            at.setY(max(screen.top(), min(at.y(), screen.bottom() - self.height())))
        self.move(at)
        self.show()
        self.activateWindow()
        self.edit.setFocus(Qt.FocusReason.PopupFocusReason)

    def items(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _refill(self, text: str) -> None:
        self.list.clear()
        for choice in rank(text, self._choices, self._recent):
            label = choice.name
            where = choice.path.rpartition("/")[0] if choice.kind == "tree" else "free node"
            if where:
                label += f"   —   {where}"
            item = QListWidgetItem(swatch(choice.color), label)
            item.setData(CHOICE_ROLE, choice.node_id)
            item.setToolTip(f"{choice.path} ({choice.count} codings)")
            self.list.addItem(item)
        name = text.strip()
        if self._allow_create and name and "/" not in name and name not in self._free_names:
            item = QListWidgetItem(f"＋  Create free node '{name}'")
            item.setData(CHOICE_ROLE, CREATE)
            font = item.font()
            font.setItalic(True)
            item.setFont(font)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self._fit_list()

    def _fit_list(self) -> None:
        """Make the list as tall as its rows (between 3 and 10 of them), so the popup stays small."""
        row = self.list.sizeHintForRow(0) if self.list.count() else self.list.fontMetrics().height() + 6
        rows = max(3, min(10, self.list.count()))
        self.list.setFixedHeight(rows * row + 2 * self.list.frameWidth() + 4)
        self.adjustSize()
        self.resize(460, self.sizeHint().height())

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.edit and event.type() == QEvent.Type.KeyPress:
            key = QKeyEvent(event).key() if not isinstance(event, QKeyEvent) else event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 8, Qt.Key.Key_PageUp: -8}[key]
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._accept(self.list.currentItem())
                return True
            if key == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(obj, event)

    def _on_item_activated(self, item: QListWidgetItem) -> None:
        self._accept(item)

    def _accept(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        value = item.data(CHOICE_ROLE)
        name = self.edit.text().strip()
        self.close()
        if value == CREATE:
            self.createRequested.emit(name)
        else:
            self.picked.emit(int(value))
