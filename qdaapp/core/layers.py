"""Layers of codings over a text: elementary segments and stripe lanes.

A document with many overlapping codings is drawn from two derived views:

* :func:`segments` cuts the text at every coding boundary (one sort, one
  sweep) into stretches whose set of covering codings is constant. The
  document view tints each stretch once instead of merging one format per
  coding.
* :func:`assign_lanes` gives every coding a margin lane so that codings that
  overlap are drawn side by side. Lanes are handed out per node, so a node
  keeps one lane (labelled with its name) unless its own codings overlap.
* :func:`tint` and :func:`speaker_labels` decide the light background of a
  stretch and the bold speaker labels.

:class:`LayerIndex` keeps both up to date while codings are added or removed,
touching only the stretches the change covers. Offsets are code points, like
everywhere in qdaapp. Pure Python: no Qt here.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .turns import label_length


@dataclass(frozen=True, slots=True)
class CodingSpan:
    """One coding as the document view needs it. ``coding_id`` is unique."""

    coding_id: int
    start: int
    end: int
    node_id: int
    node_name: str
    color: str
    coder: str


class Segment(NamedTuple):
    """A stretch ``[start, end)`` covered by the same codings throughout.

    ``coding_ids`` and ``node_ids`` are sorted and never empty: text covered
    by no coding has no segment. (A named tuple: a long interview has
    thousands, made on every open.)
    """

    start: int
    end: int
    coding_ids: tuple[int, ...]
    node_ids: tuple[int, ...]


def segments(spans: Iterable[CodingSpan]) -> list[Segment]:
    """Elementary stretches of the covered text, in order, with their codings.

    Boundaries are sorted once and swept, so the cost is O(n log n) plus the
    size of the output. Empty spans (``end <= start``) cover nothing.
    """
    events: list[tuple[int, int, int]] = []  # (position, coding id or ~coding id when it ends, node)
    for span in spans:
        if span.end > span.start:
            events.append((span.start, span.coding_id, span.node_id))
            events.append((span.end, ~span.coding_id, span.node_id))
    events.sort(key=_position)
    out: list[Segment] = []
    append = out.append
    make = tuple.__new__  # Segment(...) without the keyword handling: thousands are made on each open
    active: list[int] = []  # the codings covering [pos, next position), sorted
    per_node: dict[int, int] = {}  # node id -> how many of them
    nodes: tuple[int, ...] = ()
    nodes_changed = False
    pos = -1
    for at, cid, node in events:
        if at != pos:
            if active:
                if nodes_changed:
                    nodes, nodes_changed = tuple(sorted(per_node)), False
                append(make(Segment, (pos, at, tuple(active), nodes)))
            pos = at
        if cid >= 0:
            insort(active, cid)
            count = per_node.get(node, 0)
            per_node[node] = count + 1
            nodes_changed = nodes_changed or not count
        else:
            del active[bisect_left(active, ~cid)]
            count = per_node[node] - 1
            if count:
                per_node[node] = count
            else:
                del per_node[node]
                nodes_changed = True
    return out


def _position(event: tuple[int, int, int]) -> int:
    return event[0]


def _sub_lanes(spans: list[CodingSpan]) -> list[list[CodingSpan]]:
    """Split one node's codings into the fewest groups without overlaps."""
    groups: list[list[CodingSpan]] = []
    busy: list[tuple[int, int]] = []  # (end, group index)
    free: list[int] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end, s.coding_id)):
        while busy and busy[0][0] <= span.start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            g = heapq.heappop(free)
        else:
            g = len(groups)
            groups.append([])
        groups[g].append(span)
        heapq.heappush(busy, (max(span.end, span.start), g))
    return groups


def assign_lanes(spans: Iterable[CodingSpan]) -> dict[int, int]:
    """Lane (0, 1, ...) for every coding id; codings in one lane never overlap.

    Each node's codings form one group (more only where the node's own codings
    overlap). Groups are placed by interval colouring of their extents, in
    order of first appearance: a group takes the lowest lane free at its
    extent's start. Nodes that appear in separate parts of a text can share a
    lane; nodes that interleave get one lane each. O(n log n).
    """
    by_node: dict[int, list[CodingSpan]] = defaultdict(list)
    for span in spans:
        by_node[span.node_id].append(span)
    return place_groups({node_id: node_groups(node_spans) for node_id, node_spans in by_node.items()})


Group = tuple[int, int, list[CodingSpan]]  # (extent start, extent end, codings) of one node's lane


def node_groups(spans: list[CodingSpan]) -> list[Group]:
    """One node's codings split into the fewest groups without overlaps, with each group's extent."""
    out = []
    for members in _sub_lanes(spans):
        out.append((min(s.start for s in members), max(max(s.end, s.start) for s in members), members))
    return out


def place_groups(groups_by_node: dict[int, list[Group]]) -> dict[int, int]:
    """Lanes for every coding from each node's groups (see :func:`assign_lanes`)."""
    groups = [(lo, node_id, sub, hi, members)
              for node_id, node_groups_ in groups_by_node.items()
              for sub, (lo, hi, members) in enumerate(node_groups_)]
    groups.sort(key=lambda g: (g[0], g[1], g[2]))
    lanes: dict[int, int] = {}
    busy: list[tuple[int, int]] = []  # (extent end, lane)
    free: list[int] = []
    count = 0
    for lo, _node, _sub, hi, members in groups:
        while busy and busy[0][0] <= lo:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane = count
            count += 1
        heapq.heappush(busy, (hi, lane))
        for span in members:
            lanes[span.coding_id] = lane
    return lanes


def tint(colors: list[str] | tuple[str, ...]) -> str:
    """Light background ('#rrggbb') for text covered by nodes of these colours.

    The colours are averaged and mixed with white; more layers give a
    stronger tint, capped so that black text stays readable.
    """
    rgb = [_rgb(c) for c in colors]
    n = len(rgb)
    alpha = min(0.22 + 0.04 * (n - 1), 0.46)
    mixed = (round(255 - (255 - sum(ch) / n) * alpha) for ch in zip(*rgb, strict=True))
    return "#" + "".join(f"{v:02x}" for v in mixed)


@lru_cache(maxsize=1024)
def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def speaker_labels(text: str, turns: Iterable[tuple[int, int, str]] | None) -> list[tuple[int, int]]:
    """Code point ranges to set in bold: each speaker turn's label (``Name:``, ``[00:12] Name:``,
    ``Name  00:15``) as turn detection reads it, else through the first ':' within 80 characters on
    the turn's first line, else the speaker's name where the turn starts with it. The indexes end a
    sentence at each label's end, so a time stamp never opens the next sentence."""
    out: list[tuple[int, int]] = []
    for start, end, speaker in turns or ():
        line_end = text.find("\n", start, end)
        line_end = end if line_end == -1 else line_end
        length = label_length(text[start:line_end])
        colon = text.find(":", start, min(line_end, start + 80))
        if length:
            out.append((start, start + length))
        elif colon != -1:  # turns from elsewhere (REFI-QDA): through the colon
            out.append((start, colon + 1))
        elif speaker and text.startswith(speaker, start):
            out.append((start, start + len(speaker)))
    return sorted(out)


def merge_stretches(stretches: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted stretches with the overlapping and touching ones joined."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(stretches):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


class LayerIndex:
    """Segments, lanes and a start-ordered list for one document's codings.

    ``add`` and ``remove`` rewrite only the segments inside the changed span
    and return that span, so a caller can redraw just those stretches.
    Lanes are recomputed on each change (cheap next to drawing).
    """

    def __init__(self, spans: Iterable[CodingSpan] = ()) -> None:
        self._spans: dict[int, CodingSpan] = {s.coding_id: s for s in spans}
        self._segments = segments(self._spans.values())
        self._seg_starts = [seg.start for seg in self._segments]
        self._by_start = sorted((s.start, s.coding_id) for s in self._spans.values())
        self._groups: dict[int, list[Group]] = {}  # node id -> its lanes' groups, kept per node
        self._stale_nodes: set[int] = {s.node_id for s in self._spans.values()}
        self.lanes_moved = False  # after update(): did a coding that was already there change lane?
        self._set_lanes()

    # -- queries ---------------------------------------------------------
    def __len__(self) -> int:
        return len(self._spans)

    def __contains__(self, coding_id: object) -> bool:
        return coding_id in self._spans

    def get(self, coding_id: int) -> CodingSpan | None:
        return self._spans.get(coding_id)

    def spans(self) -> list[CodingSpan]:
        return list(self._spans.values())

    def ids(self) -> list[int]:
        return list(self._spans)

    def all_segments(self) -> list[Segment]:
        return list(self._segments)

    def lane_of(self, coding_id: int) -> int | None:
        return self._lanes.get(coding_id)

    @property
    def lane_count(self) -> int:
        return self._lane_count

    def segments_between(self, start: int, end: int) -> list[Segment]:
        """Segments overlapping ``[start, end)``, in order."""
        i, j = self._range(start, end)
        return self._segments[i:j]

    def spans_overlapping(self, start: int, end: int) -> list[CodingSpan]:
        """Codings overlapping ``[start, end]`` (closed, so a caret counts)."""
        found: dict[int, CodingSpan] = {}
        k = bisect_right(self._seg_starts, start) - 1
        if k >= 0 and self._segments[k].end > start:
            for cid in self._segments[k].coding_ids:
                found[cid] = self._spans[cid]
        lo = bisect_left(self._by_start, (start, -(1 << 62)))
        hi = bisect_right(self._by_start, (end, 1 << 62))
        for _pos, cid in self._by_start[lo:hi]:
            found[cid] = self._spans[cid]
        return list(found.values())

    # -- changes ---------------------------------------------------------
    def add(self, span: CodingSpan) -> tuple[int, int]:
        """Add (or replace) a coding; returns the stretch that changed."""
        changed = self.update(add=[span])
        return changed[0][0], changed[-1][1]

    def remove(self, coding_id: int) -> tuple[int, int] | None:
        """Remove a coding; returns the stretch that changed, None if unknown."""
        changed = self.update(remove=[coding_id])
        return changed[0] if changed else None

    def update(self, add: Iterable[CodingSpan] = (), remove: Iterable[int] = ()) -> list[tuple[int, int]]:
        """Remove and add (or replace) many codings; the stretches that changed, sorted and merged.

        Only the segments inside each changed stretch are rewritten, and the
        lanes are worked out once for the whole batch, so re-reading a
        document's codings after a bulk change costs what the change touched.
        """
        changed: list[tuple[int, int]] = []
        touched: set[int] = set()
        for coding_id in remove:
            span = self._drop(coding_id)
            if span is not None:
                changed.append((span.start, span.end))
                touched.add(coding_id)
        for span in add:
            old = self._drop(span.coding_id)
            if old is not None:
                changed.append((old.start, old.end))
            self._spans[span.coding_id] = span
            self._stale_nodes.add(span.node_id)
            insort(self._by_start, (span.start, span.coding_id))
            if span.end > span.start:
                self._insert_segments(span)
            changed.append((span.start, span.end))
            touched.add(span.coding_id)
        if changed:
            before = self._lanes
            self._set_lanes()
            self.lanes_moved = any(before.get(cid, lane) != lane for cid, lane in self._lanes.items()
                                   if cid not in touched)
        return merge_stretches(changed)

    # -- internals -------------------------------------------------------
    def _set_lanes(self) -> None:
        """Regroup only the nodes whose codings changed, then place every group (a few dozen) in lanes."""
        if self._stale_nodes:
            by_node: dict[int, list[CodingSpan]] = defaultdict(list)
            for span in self._spans.values():
                if span.node_id in self._stale_nodes:
                    by_node[span.node_id].append(span)
            for node_id in self._stale_nodes:
                if by_node.get(node_id):
                    self._groups[node_id] = node_groups(by_node[node_id])
                else:
                    self._groups.pop(node_id, None)
            self._stale_nodes = set()
        self._lanes = place_groups(self._groups)
        self._lane_count = max(self._lanes.values(), default=-1) + 1

    def _range(self, start: int, end: int) -> tuple[int, int]:
        i = bisect_right(self._seg_starts, start) - 1
        if i < 0 or self._segments[i].end <= start:
            i += 1
        j = bisect_left(self._seg_starts, end)
        return i, max(i, j)

    def _replace(self, i: int, j: int, new: list[Segment]) -> None:
        self._segments[i:j] = new
        self._seg_starts[i:j] = [seg.start for seg in new]

    def _insert_segments(self, span: CodingSpan) -> None:
        s, e, cid = span.start, span.end, span.coding_id
        i, j = self._range(s, e)
        new: list[Segment] = []
        pos = s
        for seg in self._segments[i:j]:
            if seg.start < s:
                new.append(Segment(seg.start, s, seg.coding_ids, seg.node_ids))
            a, b = max(seg.start, s), min(seg.end, e)
            if pos < a:
                new.append(Segment(pos, a, (cid,), (span.node_id,)))
            ids = tuple(sorted(seg.coding_ids + (cid,)))
            nodes = tuple(sorted(set(seg.node_ids) | {span.node_id}))
            new.append(Segment(a, b, ids, nodes))
            if seg.end > e:
                new.append(Segment(e, seg.end, seg.coding_ids, seg.node_ids))
            pos = b
        if pos < e:
            new.append(Segment(pos, e, (cid,), (span.node_id,)))
        self._replace(i, j, new)

    def _drop(self, coding_id: int) -> CodingSpan | None:
        span = self._spans.pop(coding_id, None)
        if span is None:
            return None
        self._stale_nodes.add(span.node_id)
        k = bisect_left(self._by_start, (span.start, coding_id))
        del self._by_start[k]
        if span.end > span.start:
            self._drop_segments(span)
        return span

    def _drop_segments(self, span: CodingSpan) -> None:
        i, j = self._range(span.start, span.end)
        # Include the neighbours so that stretches left equal can be merged.
        i, j = max(0, i - 1), min(len(self._segments), j + 1)
        new: list[Segment] = []
        for seg in self._segments[i:j]:
            if span.coding_id in seg.coding_ids:
                ids = tuple(c for c in seg.coding_ids if c != span.coding_id)
                if not ids:
                    continue
                nodes = tuple(sorted({self._spans[c].node_id for c in ids}))
                seg = Segment(seg.start, seg.end, ids, nodes)
            if new and new[-1].end == seg.start and new[-1].coding_ids == seg.coding_ids:
                seg = Segment(new[-1].start, seg.end, seg.coding_ids, seg.node_ids)
                new[-1] = seg
            else:
                new.append(seg)
        self._replace(i, j, new)
