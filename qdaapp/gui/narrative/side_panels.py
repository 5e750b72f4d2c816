"""The account workspace's side panels: passages (a drop target), fragments in
sequence (drag to reorder), the completeness panel and the selected fragment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core.errors import QdaError
from qdaapp.core.narrative import SPEECH_ACTS

from .candidate_list import CandidateBox, CandidateList
from .common import (
    COLOR_ROLE,
    HEADING_ROLE,
    ID_ROLE,
    SPAN_ROLE,
    CardDelegate,
    Passage,
    act_color,
    act_swatch,
    hint_label,
    muted_label,
    passages_from_mime,
    section_label,
)

REMINDER = ("Each published account had all five speech acts and data from several interviewees "
            "(Ward et al. 2018).")


def _card_list(widget: QListWidget, lines: int) -> None:
    widget.setItemDelegate(CardDelegate(widget, lines))
    widget.setResizeMode(QListView.ResizeMode.Adjust)
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    widget.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    widget.setSpacing(0)
    widget.setFrameShape(QListWidget.Shape.NoFrame)
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)


def card(heading: str, body: str, color: str | None = None, key: Any = None, span: Any = None) -> QListWidgetItem:
    item = QListWidgetItem(body)
    item.setData(HEADING_ROLE, heading)
    item.setData(COLOR_ROLE, color)
    item.setData(ID_ROLE, key)
    item.setData(SPAN_ROLE, span)
    item.setToolTip(f"<b>{heading}</b><br>{body[:600]}")
    return item


class PassageList(QListWidget):
    """The account's passages. Drops of ``application/x-qdaapp-span`` (with a
    source id) or ``application/x-qdaapp-passages`` emit ``passagesDropped``."""

    passagesDropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _card_list(self, 3)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if passages_from_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if passages_from_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        passages = passages_from_mime(event.mimeData())
        if not passages:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        QTimer.singleShot(0, lambda: self.passagesDropped.emit(passages))

    def selected_passages(self) -> list[tuple[int, Passage]]:
        """(account passage id, (source id, start, end)) of the selected rows."""
        return [(item.data(ID_ROLE), tuple(item.data(SPAN_ROLE))) for item in self.selectedItems()
                if item.data(SPAN_ROLE)]


class FragmentList(QListWidget):
    """Fragments in the tellable sequence; dragging one emits ``fragmentMoved(id, position)``."""

    fragmentMoved = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _card_list(self, 3)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)

    def dropEvent(self, event: QDropEvent) -> None:
        if event.source() is not self or self.currentItem() is None:
            event.ignore()
            return
        source_row = self.currentRow()
        index = self.indexAt(event.position().toPoint())
        if not index.isValid():
            target = self.count() - 1
        else:
            row = index.row()
            if self.dropIndicatorPosition() == QAbstractItemView.DropIndicatorPosition.BelowItem:
                row += 1
            target = row if row <= source_row else row - 1
        target = max(0, min(target, self.count() - 1))
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        fid = self.currentItem().data(ID_ROLE)
        if target != source_row:
            QTimer.singleShot(0, lambda: self.fragmentMoved.emit(fid, target))

    def move_current(self, step: int) -> bool:
        """Move up (-1) or down (+1): what the Move up / Move down buttons and Alt+Up / Alt+Down do."""
        item = self.currentItem()
        target = self.currentRow() + step
        if item is None or item.data(ID_ROLE) is None or not 0 <= target < self.count():
            return False
        self.fragmentMoved.emit(item.data(ID_ROLE), target)
        return True


class CompletenessPanel(QWidget):
    """The five speech acts (present or missing), interviewees and sources, and the next step.

    A missing act has a **Candidates** button that shows, under the act,
    passages near the account's that may tell it (see :mod:`.candidate_list`;
    the workspace gives the finder with :meth:`set_finder`). Signals:
    ``openPassage``/``addPassage(source_id, start, end)``, ``newFragment(act,
    source_id, start, end)``.
    """

    openPassage = Signal(int, int, int)
    addPassage = Signal(int, int, int)
    newFragment = Signal(str, int, int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: dict[str, tuple[QLabel, QLabel, QLabel]] = {}
        self.find_buttons: dict[str, QToolButton] = {}
        self.lists: dict[str, CandidateList] = {}
        self.boxes: dict[str, CandidateBox] = {}
        self._finder: Callable[[str], list] | None = None
        self._missing: set[str] = set()
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(5)
        for i, act in enumerate(SPEECH_ACTS):
            swatch, name, status = QLabel(), QLabel(act.capitalize()), QLabel()
            grid.addWidget(swatch, 2 * i, 0)
            grid.addWidget(name, 2 * i, 1)
            grid.addWidget(status, 2 * i, 2)
            self.rows[act] = (swatch, name, status)
            button = QToolButton()
            button.setText("Candidates")
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setToolTip(f"Show passages near the account's that may tell {act}: found by its phrases "
                              "or by their likeness to passages (you decide what to add)")
            button.setAccessibleName(f"Candidates for {act}")
            button.toggled.connect(lambda on, a=act: self.show_candidates(a, on))
            grid.addWidget(button, 2 * i, 3)
            self.find_buttons[act] = button
            found = CandidateList(act)
            found.openRequested.connect(self.openPassage)
            found.addRequested.connect(self.addPassage)
            found.fragmentRequested.connect(self.newFragment)
            box = CandidateBox(found)
            box.hide()
            grid.addWidget(box, 2 * i + 1, 0, 1, 4)
            self.lists[act], self.boxes[act] = found, box
        grid.setColumnStretch(1, 1)
        self.counts = QLabel()
        self.reminder = muted_label(REMINDER)
        self.next_step = hint_label("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(section_label("Speech acts"))
        layout.addLayout(grid)
        layout.addSpacing(6)
        layout.addWidget(self.counts)
        layout.addWidget(self.reminder)
        layout.addSpacing(4)
        layout.addWidget(self.next_step)

    def set_finder(self, finder: Callable[[str], list] | None) -> None:
        """``finder(act)``: the candidates for ``act`` (QdaError: why there are none to look for)."""
        self._finder = finder

    def set_writable(self, writable: bool) -> None:
        for found in self.lists.values():
            found.writable = writable

    def show_candidates(self, act: str, shown: bool = True) -> None:
        """Show (and find again) or hide the candidates under ``act``."""
        button, found = self.find_buttons[act], self.lists[act]
        if button.isChecked() != shown:
            button.setChecked(shown)  # comes back here through toggled
            return
        self.boxes[act].setVisible(shown)
        if shown:
            self._find(act)
            found.setFocus()

    def _find(self, act: str) -> None:
        found = self.lists[act]
        if self._finder is None:
            found.show_message("Open the account in its workspace to look for candidates.")
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            found.show_candidates(self._finder(act))
        except QdaError as exc:
            found.show_message(str(exc))
        finally:
            QApplication.restoreOverrideCursor()

    def set_check(self, check: dict[str, Any]) -> None:
        present = set(check["present"])
        self._missing = {a for a in self.rows if a not in present}
        for act in self.rows:
            missing = act in self._missing
            self.find_buttons[act].setVisible(missing)
            if not missing:
                self.show_candidates(act, False)
            elif self.find_buttons[act].isChecked():
                self._find(act)  # the account changed: what is near it, and what it holds, may have too
        for act, (swatch, name, status) in self.rows.items():
            here = act in present
            swatch.setPixmap(act_swatch(act, filled=here, size=16))
            status.setText("✓" if here else "missing")
            status.setStyleSheet("QLabel { color: #1B6E3A; font-weight: 600; }" if here
                                 else "QLabel { color: #8A5A00; font-style: italic; }")
            name.setStyleSheet("" if here else "QLabel { color: #6B6B6B; }")
            swatch.setToolTip(f"{act}: {'present' if here else 'missing'}")
        self.counts.setText(f"Interviewees: {check['cases']} · Sources: {check['sources']}")
        self.next_step.setText("<b>Next step</b><br>" + next_step(check))

    def status(self, act: str) -> str:
        return self.rows[act][2].text()


def next_step(check: dict[str, Any]) -> str:
    if not check["passages"] and not check["fragments"]:
        return ("Add passages from your documents (right-click a selection ▸ <i>Add to account…</i>, "
                "or drag them onto the Passages list), then create fragments with <i>New fragment…</i>")
    if not check["fragments"]:
        return "Summarise the passages into fragments: select passages, then <i>New fragment…</i>"
    missing = check["missing"]
    if set(missing) & {"performance", "sanction"} and len(missing) <= 2:
        return ("Return to the data for the acts keyword search misses: " + " and ".join(missing)
                + " (what was done, and how it was judged).")
    if missing:
        return "Find passages for the missing speech acts: " + ", ".join(missing) + "."
    if check["cases"] < 2:
        return "Add data from another interviewee, so the account is not one person's story."
    return ("All five speech acts are here. Drag the fragments into a tellable order, link them, "
            "then <i>Export figure…</i>")


class FragmentDetails(QWidget):
    """The selected fragment: what it says and the passages it rests on."""

    openPassage = Signal(int, int, int)
    editRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fragment_id: int | None = None
        self.heading = section_label("Selected fragment")
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.passages = QListWidget()
        _card_list(self.passages, 5)
        self.passages.itemActivated.connect(self._on_passage_activated)
        self.passages.setToolTip("Double-click to open the passage in its document")
        self.edit = QPushButton("Edit fragment…")
        self.edit.clicked.connect(lambda: self.fragment_id and self.editRequested.emit(self.fragment_id))
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.body)
        layout.addWidget(self.passages, 1)
        layout.addLayout(buttons)
        layout.addStretch(0)
        self._layout = layout
        self.show_fragment(None)

    def show_fragment(self, fragment: dict | None, number: int = 0) -> None:
        self.passages.clear()
        self.fragment_id = fragment["id"] if fragment else None
        self.edit.setVisible(fragment is not None)
        self.passages.setVisible(fragment is not None)
        self._layout.setStretch(self._layout.count() - 1, 0 if fragment is not None else 1)
        if fragment is None:
            self.heading.setText("Selected fragment")
            self.body.setText("<span style='color:#6B6B6B'>Click a box in the flow chart to see the passages "
                              "it rests on.</span>")
            return
        act = fragment["act"] or "no speech act"
        color = act_color(fragment["act"]).name()
        self.heading.setText(f"Fragment {number}")
        bits = [f"<span style='color:{color}; font-weight:600'>■ {act}</span>"
                + (f" · {fragment['case']}" if fragment["case"] else "")]
        if fragment["actors"]:
            bits.append("<span style='color:#4A4A4A'>Actors: " + ", ".join(fragment["actors"]) + "</span>")
        bits.append(f"<i>Passages it rests on ({len(fragment['passages'])}):</i>" if fragment["passages"]
                    else "<span style='color:#8A5A00'>It rests on no passage yet.</span>")
        self.body.setText("<br>".join(bits))
        for p in fragment["passages"]:
            self.passages.addItem(card(f"{p['source']} · {p['start']}–{p['end']}", p["text"], None, None,
                                       (p["source_id"], p["start"], p["end"])))

    def _on_passage_activated(self, item: QListWidgetItem) -> None:
        span = item.data(SPAN_ROLE)
        if span:
            self.openPassage.emit(*span)
