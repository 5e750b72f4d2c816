"""Dragging passages out of a list: coded passages, keyword hits, marker hits.

A model mixes in :class:`PassageDrag` and implements :meth:`passage_at`
(the passage a row stands for, or None). Dragged rows carry
``application/x-qdaapp-passages`` (read by the Accounts dock and an
account's passage list) and the passages' text.

:class:`PassageDropTarget` lets any other widget take such drops (an open
account's flow chart and fragment list) without changing the widget itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QModelIndex, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

from qdaapp.gui.narrative.common import PASSAGES_MIME, passages_from_mime, passages_mime

Passage = tuple[int, int, int]


class PassageDrag:
    def passage_at(self, index: QModelIndex) -> Passage | None:  # pragma: no cover - each model says
        raise NotImplementedError

    def drag_text(self, index: QModelIndex) -> str:
        return ""

    def draggable(self, index: QModelIndex) -> bool:
        """Cheap test asked for every row the view paints; :meth:`passage_at` runs only on a drag."""
        return self.passage_at(index) is not None

    def flags(self, index: Any) -> Qt.ItemFlag:
        flags = super().flags(index)  # type: ignore[misc]
        if index.isValid() and self.draggable(index):
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def mimeTypes(self) -> list[str]:
        return [PASSAGES_MIME, "text/plain"]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes: Any) -> QMimeData:
        passages: list[Passage] = []
        texts: list[str] = []
        rows_seen: set[tuple] = set()
        for index in indexes:
            key = (index.row(), index.parent().row(), index.internalId())
            if key in rows_seen:
                continue
            rows_seen.add(key)
            p = self.passage_at(index)
            if p is not None and p not in passages:
                passages.append(p)
                text = self.drag_text(index)
                if text:
                    texts.append(text)
        return passages_mime(passages, "\n\n".join(texts))


class PassageDropTarget(QObject):
    """Passages dropped on ``widget`` (a view's viewport) go to ``on_drop([(source id, start, end)])``.

    Other drags (moving a box, reordering fragments) pass through untouched. The
    command runs after the drop returns, outside the drag's own event loop."""

    _DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)

    def __init__(self, widget: QWidget, on_drop: Callable[[list[Passage]], Any]) -> None:
        super().__init__(widget)
        self._on_drop = on_drop
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in self._DRAG_EVENTS:
            return False
        passages = passages_from_mime(event.mimeData())  # type: ignore[attr-defined]
        if not passages:
            return False
        event.setDropAction(Qt.DropAction.CopyAction)  # type: ignore[attr-defined]
        event.accept()
        if event.type() == QEvent.Type.Drop:
            QTimer.singleShot(0, lambda: self._on_drop(passages))
        return True
