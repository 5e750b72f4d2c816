"""Dragging passages out of a list: coded passages, keyword hits, marker hits.

A model mixes in :class:`PassageDrag` and implements :meth:`passage_at`
(the passage a row stands for, or None). Dragged rows carry
``application/x-qdaapp-passages`` (read by the Accounts dock and an
account's passage list) and the passages' text.
"""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QMimeData, QModelIndex, Qt

from qdaapp.gui.narrative.common import PASSAGES_MIME, passages_mime

Passage = tuple[int, int, int]


class PassageDrag:
    def passage_at(self, index: QModelIndex) -> Optional[Passage]:  # pragma: no cover - each model says
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
