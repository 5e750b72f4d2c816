"""The marker review queue as a tree model: speech act → marker → hits.

All hits of a run are read once (:func:`qdaapp.core.review.list_hits`);
statuses live in a dict that :meth:`ReviewModel.set_statuses` updates in
place, so accepting, rejecting or undoing never rebuilds the tree. Hiding
speakers regroups the hits in memory. Item ids encode the level: an act
row's id names the act, a marker row's id names its group, and a hit row's
id names its parent marker group (its row gives the hit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from qdaapp.core.lexicon import readable
from qdaapp.core.review import ACT_COLORS, HitRow
from qdaapp.gui.models.node_tree import swatch
from qdaapp.gui.models.passage_drag import PassageDrag

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Passage", "Subject", "Speaker", "Source")
PASSAGE, SUBJECT, SPEAKER, SOURCE = range(4)
KIND_ROLE = Qt.ItemDataRole.UserRole + 1
HIT_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3
_ACT, _MARKER, _HIT = 1, 2, 3
_SHIFT = 40
_LOW = (1 << _SHIFT) - 1
_GROUP_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
# A hit row never has children: a view lays it out without asking for any.
_HIT_FLAGS = _GROUP_FLAGS | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemNeverHasChildren
ACCEPTED_TINT = QColor("#EDF5EE")
STATUS_TEXT = {"candidate": "to review", "accepted": "accepted ✓", "rejected": "rejected ✗"}


@dataclass
class _Marker:
    act: int
    row: int
    marker: str
    hits: list[HitRow] = field(default_factory=list)


@dataclass
class _Act:
    name: str
    markers: list[int] = field(default_factory=list)  # positions in ReviewModel._markers
    hits: list[HitRow] = field(default_factory=list)


class ReviewModel(PassageDrag, QAbstractItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[HitRow] = []
        self._status: dict[int, str] = {}
        self._hidden: set[str] = set()
        self._acts: list[_Act] = []
        self._markers: list[_Marker] = []
        self._where: dict[int, tuple[int, int]] = {}  # hit id -> (marker group, row)
        self._bold = QFont()
        self._bold.setBold(True)
        self._muted = QColor("#6B6B6B")

    # -- content -----------------------------------------------------------------------
    def set_hits(self, hits: list[HitRow], hidden_speakers: set[str] | None = None,
                 grouping: Grouping | None = None) -> None:
        """Show ``hits`` (leaving out the passages of ``hidden_speakers``, default: those hidden now);
        ``grouping``, if given, is ``group_hits(hits, hidden_speakers)`` made beforehand."""
        self._all = list(hits)
        self._status = {h.id: h.status for h in hits}
        if hidden_speakers is not None:
            self._hidden = set(hidden_speakers)
        self.set_grouping(grouping if grouping is not None else group_hits(self._all, self._hidden))

    def set_hidden_speakers(self, speakers: set[str]) -> None:
        if set(speakers) != self._hidden:
            self._hidden = set(speakers)
            self._regroup()

    def hidden_speakers(self) -> set[str]:
        return set(self._hidden)

    def speakers(self) -> list[str]:
        return sorted({h.speaker for h in self._all if h.speaker})

    def _regroup(self) -> None:
        self.set_grouping(group_hits(self._all, self._hidden))

    def set_grouping(self, grouping: Grouping) -> None:
        """Show a grouping made by :func:`group_hits` from the hits and hidden speakers held now
        (it can be made off the GUI thread: it touches no Qt object)."""
        self.beginResetModel()
        self._acts, self._markers, self._where = grouping
        self.endResetModel()

    def set_statuses(self, statuses: dict[int, str]) -> list[int]:
        """Apply new statuses (hit id -> status); returns the ids that changed."""
        changed = [i for i, s in statuses.items() if i in self._status and self._status[i] != s]
        if not changed:
            return []
        self._status.update({i: statuses[i] for i in changed})
        touched_markers = set()
        for hit_id in changed:
            where = self._where.get(hit_id)
            if where is None:
                continue
            m, row = where
            touched_markers.add(m)
            parent = self.createIndex(self._markers[m].row, 0, (_MARKER << _SHIFT) | m)
            self.dataChanged.emit(self.index(row, 0, parent), self.index(row, len(COLUMNS) - 1, parent))
        for m in touched_markers:
            group = self._markers[m]
            self.dataChanged.emit(self.createIndex(group.row, 0, (_MARKER << _SHIFT) | m),
                                  self.createIndex(group.row, 0, (_MARKER << _SHIFT) | m))
            self.dataChanged.emit(self.createIndex(group.act, 0, (_ACT << _SHIFT) | group.act),
                                  self.createIndex(group.act, 0, (_ACT << _SHIFT) | group.act))
        return changed

    def hit_ids(self) -> list[int]:
        return [h.id for h in self._all]

    def status(self, hit_id: int) -> str:
        return self._status.get(hit_id, "candidate")

    def counts(self) -> tuple[int, int, int]:
        """(reviewed, total, hidden) over the whole run."""
        reviewed = sum(1 for s in self._status.values() if s != "candidate")
        shown = len(self._where)
        return reviewed, len(self._all), len(self._all) - shown

    # -- lookups -------------------------------------------------------------------------
    def kind(self, index: Index) -> str | None:
        if not index.isValid():
            return None
        return {_ACT: "act", _MARKER: "marker", _HIT: "hit"}[index.internalId() >> _SHIFT]

    def hit(self, index: Index) -> HitRow | None:
        if not index.isValid() or index.internalId() >> _SHIFT != _HIT:
            return None
        group = self._markers[index.internalId() & ((1 << _SHIFT) - 1)]
        return group.hits[index.row()] if 0 <= index.row() < len(group.hits) else None

    def hit_index(self, hit_id: int) -> QModelIndex:
        where = self._where.get(hit_id)
        if where is None:
            return QModelIndex()
        m, row = where
        return self.createIndex(row, 0, (_HIT << _SHIFT) | m)

    def marker_of(self, index: Index) -> tuple[str, str, list[HitRow]] | None:
        """(act, marker, hits shown) of a marker row or of a hit row's marker."""
        kind = self.kind(index)
        if kind == "hit":
            index = index.parent()
        elif kind != "marker":
            return None
        group = self._markers[index.internalId() & ((1 << _SHIFT) - 1)]
        return self._acts[group.act].name, group.marker, list(group.hits)

    def group_of(self, index: Index) -> tuple[str, list[HitRow]] | None:
        """(name, hits shown in display order) of an act row, or of the marker of a marker or hit row."""
        if self.kind(index) == "act":
            act = self._acts[index.internalId() & ((1 << _SHIFT) - 1)]
            return act.name.capitalize(), [h for m in act.markers for h in self._markers[m].hits]
        found = self.marker_of(index)
        return (f"'{found[1]}'", found[2]) if found is not None else None

    def visible_hits(self) -> list[HitRow]:
        """Hits in display order (act, marker, then position)."""
        return [h for act in self._acts for m in act.markers for h in self._markers[m].hits]

    def group_indexes(self) -> list[QModelIndex]:
        """The act rows and marker rows (every row that has children), acts first."""
        acts = [self.createIndex(a, 0, (_ACT << _SHIFT) | a) for a in range(len(self._acts))]
        return acts + [self.createIndex(g.row, 0, (_MARKER << _SHIFT) | m) for m, g in enumerate(self._markers)]

    # -- Qt model ------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        # Asked for every row a view lays out (each hit of an unfolded marker): the common case first.
        if row < 0 or column < 0 or column >= len(COLUMNS):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, (_ACT << _SHIFT) | row) if row < len(self._acts) else QModelIndex()
        pid = parent.internalId()
        level, n = pid >> _SHIFT, pid & _LOW
        if level == _MARKER:
            return self.createIndex(row, column, (_HIT << _SHIFT) | n) if row < len(self._markers[n].hits) \
                else QModelIndex()
        if level == _ACT and row < len(self._acts[n].markers):
            return self.createIndex(row, column, (_MARKER << _SHIFT) | self._acts[n].markers[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        level, n = index.internalId() >> _SHIFT, index.internalId() & ((1 << _SHIFT) - 1)
        if level == _MARKER:
            act = self._markers[n].act
            return self.createIndex(act, 0, (_ACT << _SHIFT) | act)
        if level == _HIT:
            return self.createIndex(self._markers[n].row, 0, (_MARKER << _SHIFT) | n)
        return QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._acts)
        if parent.column() != 0:
            return 0
        level, n = parent.internalId() >> _SHIFT, parent.internalId() & ((1 << _SHIFT) - 1)
        if level == _ACT:
            return len(self._acts[n].markers)
        if level == _MARKER:
            return len(self._markers[n].hits)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(COLUMNS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:
        if not parent.isValid():
            return bool(self._acts)
        return parent.column() == 0 and parent.internalId() >> _SHIFT != _HIT and self.rowCount(parent) > 0

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        # Asked for every row a view lays out: decided from the index's id alone.
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _HIT_FLAGS if index.internalId() >> _SHIFT == _HIT else _GROUP_FLAGS

    # -- dragging hits (as their sentences) onto an account: see PassageDrag --------------
    def passage_at(self, index: Index) -> tuple[int, int, int] | None:
        hit = self.hit(index)
        return (hit.source_id, hit.sentence_start, hit.sentence_end) if hit is not None else None

    def drag_text(self, index: Index) -> str:
        hit = self.hit(index)
        return hit.sentence if hit is not None else ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        level, n = index.internalId() >> _SHIFT, index.internalId() & ((1 << _SHIFT) - 1)
        if level == _HIT:
            return self._hit_data(self._markers[n].hits[index.row()], index.column(), role)
        if role == KIND_ROLE:
            return "act" if level == _ACT else "marker"
        if index.column() != 0:
            return None
        if level == _ACT:
            act = self._acts[n]
            if role == Qt.ItemDataRole.DisplayRole:
                done = sum(1 for h in act.hits if self._status[h.id] != "candidate")
                return f"{act.name.capitalize()}    {done}/{len(act.hits)} reviewed"
            if role == Qt.ItemDataRole.DecorationRole:
                return swatch(ACT_COLORS.get(act.name, "#999999"))
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Shift+A / Shift+R accept / reject every passage of {act.name} left to review."
            return None
        group = self._markers[n]
        if role == Qt.ItemDataRole.DisplayRole:
            left = sum(1 for h in group.hits if self._status[h.id] == "candidate")
            tail = f"   · {left} to review" if left and left != len(group.hits) else ("   · done" if not left else "")
            return f"{readable(group.marker)} ({len(group.hits)}){tail}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"Select a passage and press A or R; Shift+A / Shift+R accept / reject every passage of "
                    f"'{readable(group.marker)}' left to review (right-click for more).")
        return None

    def _hit_data(self, h: HitRow, col: int, role: int) -> Any:
        if role == HIT_ROLE:
            return h
        if role == STATUS_ROLE:
            return self._status[h.id]
        if role == KIND_ROLE:
            return "hit"
        if role == Qt.ItemDataRole.DisplayRole:
            if col == PASSAGE:
                return h.sentence.replace("\n", " ")
            if col == SUBJECT:
                return h.subject or ""
            if col == SPEAKER:
                return h.speaker or ""
            return h.source
        if role == Qt.ItemDataRole.ForegroundRole and (col != PASSAGE and self._status[h.id] == "rejected"):
            return self._muted
        if role == Qt.ItemDataRole.BackgroundRole and self._status[h.id] == "accepted":
            return ACCEPTED_TINT
        if role == Qt.ItemDataRole.ToolTipRole:
            status = STATUS_TEXT[self._status[h.id]]
            negative = " The marker is negated here (\"not\")." if h.polarity == "negative" else ""
            return (f"<p style='white-space:pre-wrap'>{_escape(h.sentence)}</p>"
                    f"<p>{_escape(readable(h.marker))} · {h.act} · {status}."
                    f"{negative}<br>{h.source}, characters {h.start:,}–{h.end:,}. "
                    "A accept · R reject · Space show in document</p>")
        return None


Grouping = tuple[list[_Act], list[_Marker], dict[int, tuple[int, int]]]


def group_hits(hits: list[HitRow], hidden: set[str]) -> Grouping:
    """Acts, their markers and where each shown hit sits (marker group, row), leaving out
    the passages of the ``hidden`` speakers; ``hits`` come sorted by act then marker."""
    acts: list[_Act] = []
    markers: list[_Marker] = []
    where: dict[int, tuple[int, int]] = {}
    act_pos: dict[str, int] = {}
    marker_pos: dict[tuple[str, str], int] = {}
    for h in hits:
        if h.speaker is not None and h.speaker in hidden:
            continue
        a = act_pos.get(h.act)
        if a is None:
            a = act_pos[h.act] = len(acts)
            acts.append(_Act(h.act))
        act = acts[a]
        m = marker_pos.get((h.act, h.marker))
        if m is None:
            m = marker_pos[(h.act, h.marker)] = len(markers)
            markers.append(_Marker(a, len(act.markers), h.marker))
            act.markers.append(m)
        group = markers[m]
        where[h.id] = (m, len(group.hits))
        group.hits.append(h)
        act.hits.append(h)
    return acts, markers, where


def _escape(text: str) -> str:
    import html

    return html.escape(text)
