"""Segments and lanes of overlapping codings (no Qt)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from qdaapp.core.layers import (
    CodingSpan,
    LayerIndex,
    Segment,
    assign_lanes,
    merge_stretches,
    segments,
    speaker_labels,
    tint,
)
from qdaapp.core.turns import find_turns

TEXT_LEN = 60


@st.composite
def span_lists(draw, max_size: int = 25) -> list[CodingSpan]:
    n = draw(st.integers(0, max_size))
    out = []
    for cid in range(n):
        a = draw(st.integers(0, TEXT_LEN))
        b = draw(st.integers(0, TEXT_LEN))
        node = draw(st.integers(1, 5))
        out.append(CodingSpan(cid + 1, min(a, b), max(a, b), node, f"n{node}", "#336699", "ann"))
    return out


def brute_cover(spans: list[CodingSpan], point: int) -> tuple[int, ...]:
    return tuple(sorted(s.coding_id for s in spans if s.start <= point < s.end))


def overlaps(a: CodingSpan, b: CodingSpan) -> bool:
    return a.start < b.end and b.start < a.end


def check_segments(segs: list[Segment], spans: list[CodingSpan]) -> None:
    by_id = {s.coding_id: s for s in spans}
    for seg in segs:
        assert seg.start < seg.end
        assert seg.coding_ids
        assert seg.node_ids == tuple(sorted({by_id[c].node_id for c in seg.coding_ids}))
    for a, b in itertools.pairwise(segs):
        assert a.end <= b.start
        if a.end == b.start:
            assert a.coding_ids != b.coding_ids  # canonical: no needless cuts
    covered = {}
    for seg in segs:
        for p in range(seg.start, seg.end):
            covered[p] = seg.coding_ids
    for p in range(TEXT_LEN + 1):
        assert covered.get(p, ()) == brute_cover(spans, p), p


def test_segments_simple() -> None:
    a = CodingSpan(1, 0, 10, 1, "Trust", "#E69F00", "ann")
    b = CodingSpan(2, 5, 15, 2, "Doubt", "#56B4E9", "bob")
    assert segments([a, b]) == [
        Segment(0, 5, (1,), (1,)),
        Segment(5, 10, (1, 2), (1, 2)),
        Segment(10, 15, (2,), (2,)),
    ]


def test_segments_skip_gaps_and_empty_spans() -> None:
    a = CodingSpan(1, 0, 3, 1, "A", "#000000", "x")
    b = CodingSpan(2, 7, 9, 1, "A", "#000000", "x")
    empty = CodingSpan(3, 5, 5, 2, "B", "#000000", "x")
    assert [(s.start, s.end) for s in segments([b, empty, a])] == [(0, 3), (7, 9)]


@settings(max_examples=200, deadline=None)
@given(span_lists())
def test_segments_match_brute_force(spans: list[CodingSpan]) -> None:
    check_segments(segments(spans), spans)


@settings(max_examples=200, deadline=None)
@given(span_lists())
def test_lanes_never_overlap(spans: list[CodingSpan]) -> None:
    lanes = assign_lanes(spans)
    assert set(lanes) == {s.coding_id for s in spans}
    for i, a in enumerate(spans):
        for b in spans[i + 1 :]:
            if lanes[a.coding_id] == lanes[b.coding_id]:
                assert not overlaps(a, b)
    if lanes:
        assert set(lanes.values()) == set(range(max(lanes.values()) + 1))


def test_one_lane_per_node_when_a_node_does_not_overlap_itself() -> None:
    spans = []
    cid = 0
    for node in range(10):
        for k in range(20):
            cid += 1
            start = k * 50 + node
            spans.append(CodingSpan(cid, start, start + 40, node, f"n{node}", "#000000", "x"))
    lanes = assign_lanes(spans)
    per_node: dict[int, set[int]] = {}
    for s in spans:
        per_node.setdefault(s.node_id, set()).add(lanes[s.coding_id])
    assert all(len(v) == 1 for v in per_node.values())
    assert len({next(iter(v)) for v in per_node.values()}) == 10


def test_nodes_in_separate_parts_share_a_lane() -> None:
    a = CodingSpan(1, 0, 10, 1, "A", "#000000", "x")
    b = CodingSpan(2, 20, 30, 2, "B", "#000000", "x")
    c = CodingSpan(3, 5, 25, 3, "C", "#000000", "x")
    lanes = assign_lanes([a, b, c])
    assert lanes[1] == lanes[2] != lanes[3]


def test_lanes_are_stable_across_input_order() -> None:
    spans = [CodingSpan(i, (i * 7) % 50, (i * 7) % 50 + 12, i % 4, "n", "#000000", "x") for i in range(1, 40)]
    assert assign_lanes(spans) == assign_lanes(list(reversed(spans)))


@settings(max_examples=150, deadline=None)
@given(span_lists(), st.data())
def test_index_updates_match_a_fresh_sweep(spans: list[CodingSpan], data) -> None:
    half = len(spans) // 2
    index = LayerIndex(spans[:half])
    live = {s.coding_id: s for s in spans[:half]}
    for span in spans[half:]:
        changed = index.add(span)
        assert changed == (span.start, span.end)
        live[span.coding_id] = span
        assert index.all_segments() == segments(live.values())
    for cid in data.draw(st.permutations(sorted(live))):
        if data.draw(st.booleans()):
            assert index.remove(cid) == (live[cid].start, live[cid].end)
            del live[cid]
            assert index.all_segments() == segments(live.values())
    assert index.remove(10_000) is None
    assert len(index) == len(live)
    lanes = assign_lanes(live.values())
    assert all(index.lane_of(c) == lanes[c] for c in live)


@settings(max_examples=150, deadline=None)
@given(span_lists(), span_lists(max_size=12), st.data())
def test_a_batch_update_matches_a_fresh_index(spans: list[CodingSpan], more: list[CodingSpan], data) -> None:
    """Removing and adding (or replacing) many codings at once: the segments and lanes of a fresh index,
    every changed stretch reported (sorted, merged), and ``lanes_moved`` true exactly when a coding that
    stayed changed lane."""
    index = LayerIndex(spans)
    before = {s.coding_id: index.lane_of(s.coding_id) for s in spans}
    ids = sorted(s.coding_id for s in spans)
    remove = data.draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
    add = [CodingSpan(s.coding_id + data.draw(st.sampled_from([0, 100])), s.start, s.end, s.node_id, s.node_name,
                      s.color, s.coder) for s in more]  # +0 replaces a coding, +100 adds one
    add = list({s.coding_id: s for s in add}.values())
    changed = index.update(add, remove + [10_000])
    was = {s.coding_id: s for s in spans}
    live = {s.coding_id: s for s in spans if s.coding_id not in remove}
    live.update({s.coding_id: s for s in add})
    assert index.all_segments() == segments(live.values())
    lanes = assign_lanes(live.values())
    assert all(index.lane_of(c) == lanes[c] for c in live) and len(index) == len(live)
    touched = {s.coding_id for s in add} | set(remove)
    assert index.lanes_moved == any(lanes[c] != before[c] for c in live if c not in touched)
    assert changed == merge_stretches(changed)
    redrawn = [was[c] for c in touched if c in was] + add  # what was there before, and what is there now
    assert all(any(a <= s.start and s.end <= b for a, b in changed) for s in redrawn)


def test_merge_stretches() -> None:
    assert merge_stretches([(5, 9), (0, 2), (2, 4), (8, 12), (20, 20)]) == [(0, 4), (5, 12), (20, 20)]
    assert merge_stretches([]) == []


@settings(max_examples=150, deadline=None)
@given(span_lists(), st.integers(0, TEXT_LEN), st.integers(0, TEXT_LEN))
def test_spans_overlapping_a_window(spans: list[CodingSpan], a: int, b: int) -> None:
    lo, hi = min(a, b), max(a, b)
    index = LayerIndex(spans)
    got = {s.coding_id for s in index.spans_overlapping(lo, hi)}
    want = {s.coding_id for s in spans if (s.start <= lo < s.end) or (lo <= s.start <= hi)}
    assert got == want


def test_replacing_a_coding_keeps_one_copy() -> None:
    index = LayerIndex([CodingSpan(1, 0, 10, 1, "A", "#000000", "x")])
    changed = index.add(CodingSpan(1, 5, 20, 1, "A", "#000000", "x"))
    assert changed == (0, 20)
    assert [(s.start, s.end) for s in index.all_segments()] == [(5, 20)]
    assert len(index) == 1


def test_tints_are_light_and_darken_with_layers() -> None:
    one = tint(["#0072B2"])
    many = tint(["#0072B2"] * 9)
    assert one.startswith("#") and len(one) == 7
    lum = [sum(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in (one, many)]
    assert lum[0] > lum[1] > 3 * 120  # darker with more layers, still light


def test_speaker_labels() -> None:
    text = "Ana: Yes.\nResearcher 1: Why?\nDavid said no: never\nplain line\nBo\nBo went home"
    lines = text.split("\n")
    turns, pos = [], 0
    for line, who in zip(lines, ["Ana", "Researcher 1", "David", "", "Bo", "Bo"], strict=True):
        turns.append((pos, pos + len(line), who))
        pos += len(line) + 1
    labels = [text[s:e] for s, e in speaker_labels(text, turns)]
    assert labels == ["Ana:", "Researcher 1:", "David said no:", "Bo", "Bo"]
    assert speaker_labels(text, None) == []


def test_speaker_labels_take_their_time_stamps() -> None:
    text = "Sara Mannheimer  00:01\nAlright, so.\n\n[00:00:12] Priya Shah: I lead.\nAna (03:15): Yes.\nBo  1:02:03\nHi."
    labels = [text[s:e] for s, e in speaker_labels(text, [tuple(t) for t in find_turns(text)])]
    assert labels == ["Sara Mannheimer  00:01", "[00:00:12] Priya Shah:", "Ana (03:15):", "Bo  1:02:03"]
