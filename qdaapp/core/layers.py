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


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch ``[start, end)`` covered by the same codings throughout.

    ``coding_ids`` and ``node_ids`` are sorted and never empty: text covered
    by no coding has no segment.
    """

    start: int
    end: int
    coding_ids: tuple[int, ...]
    node_ids: tuple[int, ...]


def _make_segment(start: int, end: int, active: dict[int, CodingSpan]) -> Segment:
    ids = tuple(sorted(active))
    nodes = tuple(sorted({active[c].node_id for c in ids}))
    return Segment(start, end, ids, nodes)


def segments(spans: Iterable[CodingSpan]) -> list[Segment]:
    """Elementary stretches of the covered text, in order, with their codings.

    Boundaries are sorted once and swept, so the cost is O(n log n) plus the
    size of the output. Empty spans (``end <= start``) cover nothing.
    """
    events: list[tuple[int, int, CodingSpan]] = []
    for span in spans:
        if span.end > span.start:
            events.append((span.start, 1, span))
            events.append((span.end, 0, span))
    events.sort(key=lambda ev: ev[0])
    out: list[Segment] = []
    active: dict[int, CodingSpan] = {}
    i, n = 0, len(events)
    prev = 0
    while i < n:
        pos = events[i][0]
        if active and pos > prev:
            out.append(_make_segment(prev, pos, active))
        while i < n and events[i][0] == pos:
            _, opening, span = events[i]
            if opening:
                active[span.coding_id] = span
            else:
                active.pop(span.coding_id, None)
            i += 1
        prev = pos
    return out


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
    groups: list[tuple[int, int, int, int, list[CodingSpan]]] = []
    for node_id, node_spans in by_node.items():
        for sub, members in enumerate(_sub_lanes(node_spans)):
            lo = min(s.start for s in members)
            hi = max(max(s.end, s.start) for s in members)
            groups.append((lo, node_id, sub, hi, members))
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
    rgb = [(int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)) for c in colors]
    n = len(rgb)
    alpha = min(0.22 + 0.04 * (n - 1), 0.46)
    mixed = (round(255 - (255 - sum(ch) / n) * alpha) for ch in zip(*rgb))
    return "#" + "".join(f"{v:02x}" for v in mixed)


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
        old = self._spans.get(span.coding_id)
        if old is not None:
            self.remove(span.coding_id)
        self._spans[span.coding_id] = span
        insort(self._by_start, (span.start, span.coding_id))
        if span.end > span.start:
            self._insert_segments(span)
        self._set_lanes()
        if old is not None:
            return min(old.start, span.start), max(old.end, span.end)
        return span.start, span.end

    def remove(self, coding_id: int) -> tuple[int, int] | None:
        """Remove a coding; returns the stretch that changed, None if unknown."""
        span = self._spans.pop(coding_id, None)
        if span is None:
            return None
        k = bisect_left(self._by_start, (span.start, coding_id))
        del self._by_start[k]
        if span.end > span.start:
            self._drop_segments(span)
        self._set_lanes()
        return span.start, span.end

    # -- internals -------------------------------------------------------
    def _set_lanes(self) -> None:
        self._lanes = assign_lanes(self._spans.values())
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
