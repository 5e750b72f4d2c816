"""The audit viewer's filter bar: coder, action, node, source, case, dates, text.

Every change of a filter emits :attr:`FilterBar.changed` with the new
:class:`~qdaapp.gui.audit.query.ViewFilter`; typing in the search field
waits for a pause (300 ms) first, so the timeline is not re-queried on every key.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QDateEdit, QGridLayout, QLabel, QLineEdit, QPushButton, QWidget

from qdaapp.core.audit import EventFilter

from .query import ACTION_GROUPS, ViewFilter, day_end_utc, day_start_utc

DEBOUNCE_MS = 300


CODER_TIP = "Only the changes made by one coder"
BLIND_TIP = ("Blind coding: you see only your own changes until the project's owner ends the blind phase "
             "(Team ▸ Blind coding).")


def _combo(tip: str, width: int = 150) -> QComboBox:
    combo = QComboBox()
    combo.setToolTip(tip)
    combo.setMinimumContentsLength(12)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMaximumWidth(width + 80)
    return combo


def _date_edit(tip: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setToolTip(tip)
    return edit


class FilterBar(QWidget):
    changed = Signal(object)  # ViewFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.coder = _combo(CODER_TIP)
        self.action = _combo("Only one kind of change (a group, or one action in it)", 180)
        self._fill_actions()
        self.node = _combo("Only changes about this node and its codings")
        self.source = _combo("Only changes about this source and its codings")
        self.case = _combo("Only changes about this case: its attributes and the sources assigned to it")
        self.since = _date_edit("From this day (inclusive)")
        self.until = _date_edit("To this day (inclusive)")
        self.text = QLineEdit()
        self.text.setPlaceholderText("Search what changed and the reasons…")
        self.text.setClearButtonEnabled(True)
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.clicked.connect(self.clear)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        cells = (("Coder", self.coder), ("Action", self.action), ("Node", self.node), ("Source", self.source),
                 ("Case", self.case), ("From", self.since), ("To", self.until))
        for i, (label, widget) in enumerate(cells):
            caption = QLabel(label)
            caption.setObjectName("Muted")
            caption.setBuddy(widget)
            grid.addWidget(caption, 0, i)
            grid.addWidget(widget, 1, i)
        grid.addWidget(self.text, 1, len(cells), 1, 1)
        grid.addWidget(self.clear_button, 1, len(cells) + 1)
        grid.setColumnStretch(len(cells), 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)
        self.text.textChanged.connect(lambda _t: self._timer.start())
        for combo in (self.coder, self.action, self.node, self.source, self.case):
            combo.currentIndexChanged.connect(lambda _i: self._emit())
        for edit in (self.since, self.until):
            edit.dateChanged.connect(lambda _d: self._emit())
        self._quiet = False
        self.first_day = self.last_day = QDate.currentDate()
        self.set_choices([], [], [], [])
        self.set_date_bounds(self.first_day, self.last_day)

    # -- choices ------------------------------------------------------------------
    def _fill_actions(self) -> None:
        model = QStandardItemModel(self.action)
        bold = QFont()
        bold.setBold(True)
        everything = QStandardItem("All actions")
        everything.setData(None, Qt.ItemDataRole.UserRole)
        model.appendRow(everything)
        for label, prefixes, items in ACTION_GROUPS:
            group = QStandardItem(label)
            group.setFont(bold)
            group.setData(prefixes, Qt.ItemDataRole.UserRole)
            model.appendRow(group)
            for action, text in items:
                item = QStandardItem(f"    {text}")
                item.setData((action,), Qt.ItemDataRole.UserRole)
                item.setToolTip(action)
                model.appendRow(item)
        self.action.setModel(model)

    @staticmethod
    def _refill(combo: QComboBox, everything: str, items: list[tuple[Any, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for value, label in items:
            combo.addItem(label, value)
        found = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(found, 0))
        combo.blockSignals(False)

    def set_choices(self, coders: list[str], nodes: list[tuple[int, str]], sources: list[tuple[int, str]],
                    cases: list[tuple[int, str]], only: str | None = None) -> None:
        """Fill the combos (the current choice is kept when it still exists). ``only``: the one coder
        whose changes may be shown (blind coding), fixed in the coder box."""
        if only is None:
            self.coder.setEnabled(True)
            self.coder.setToolTip(CODER_TIP)
            self._refill(self.coder, "Everyone", [(c, c) for c in coders])
        else:
            self.coder.blockSignals(True)
            self.coder.clear()
            self.coder.addItem(only, only)
            self.coder.blockSignals(False)
            self.coder.setEnabled(False)
            self.coder.setToolTip(BLIND_TIP)
        self._refill(self.node, "Any node", nodes)
        self._refill(self.source, "Any source", sources)
        self._refill(self.case, "Any case", cases)

    def set_date_bounds(self, first: QDate, last: QDate) -> None:
        """The days the timeline covers: the date range starts as all of it (no date filter)."""
        last = max(last, QDate.currentDate())
        whole = self.since.date() == self.first_day and self.until.date() == self.last_day
        self.first_day, self.last_day = first, last
        self._quiet = True
        for edit in (self.since, self.until):
            edit.setDateRange(first, last)
        if whole:
            self.since.setDate(first)
            self.until.setDate(last)
        self._quiet = False

    # -- the filter ---------------------------------------------------------------
    def value(self) -> ViewFilter:
        actions = self.action.currentData() or ()
        single = actions[0] if len(actions) == 1 else None
        since = self.since.date() if self.since.date() > self.first_day else None
        until = self.until.date() if self.until.date() < self.last_day else None
        base = EventFilter(
            coder=self.coder.currentData(),
            action=single,
            since=day_start_utc(since.toPython()) if since else None,
            until=day_end_utc(until.toPython()) if until else None,
            text=self.text.text().strip() or None,
        )
        return ViewFilter(base, tuple(actions) if len(actions) > 1 else (), self.case.currentData(),
                          self.node.currentData(), self.source.currentData())

    def is_filtered(self) -> bool:
        return self.value() != ViewFilter()

    def _emit(self) -> None:
        self._timer.stop()
        if not self._quiet:
            self.changed.emit(self.value())

    def flush(self) -> None:
        """Apply a pending text search now (tests, Enter)."""
        if self._timer.isActive():
            self._emit()

    def clear(self) -> None:
        self._quiet = True
        for combo in (self.coder, self.action, self.node, self.source, self.case):
            combo.setCurrentIndex(0)
        self.since.setDate(self.first_day)
        self.until.setDate(self.last_day)
        self.text.clear()
        self._quiet = False
        self._emit()
