"""Lists with check boxes whose rows stay where they are when one is ticked.

A list filled before it is shown lays its rows out before the window's style
sheet (the ``::item`` padding) applies to it, so the rows are placed closer
together than they are drawn. The first tick lays them out again at their
real height and every row below the top jumps down, the ticked one out from
under the pointer. Laying the list out again when it is shown, before
anything is painted, places the rows where they will stay.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractItemView


class _LayOutWhenShown(QObject):
    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._view and event.type() == QEvent.Type.Show:
            self._view.doItemsLayout()  # now that the style sheet's row padding applies
        return False


def keep_rows_still(view: QAbstractItemView) -> QAbstractItemView:
    """Make ticking a check box in ``view`` leave every row (and the scroll position) where it is."""
    _LayOutWhenShown(view)
    return view
