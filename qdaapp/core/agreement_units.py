"""Units of agreement and the sweep that counts who coded them, by intervals.

A coder's codings at one node in one source become a sorted list of disjoint
intervals: of characters (``[start, end)`` offsets) for the character level, or of
unit indexes for sentences and paragraphs (a unit counts as coded when any of it is
coded). One sweep over the coders' interval ends then counts, for each ``k``, how many
units exactly ``k`` coders coded, and how many only one coder coded: the work grows
with the number of codings, never with the length of the texts.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import InvalidInput
from .models import Sentence, Source

Span = tuple[int, int]


def merged(spans: Iterable[Span]) -> list[Span]:
    """``spans`` sorted and merged: overlapping or touching intervals become one; empty ones are dropped."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def sweep(per_coder: Sequence[Sequence[Span]], length: int) -> tuple[list[int], list[int]]:
    """Count units by how many coders coded them.

    ``per_coder[i]`` holds coder ``i``'s intervals (any order, may overlap) within ``[0, length)``.
    Returns ``(by_k, only)``: ``by_k[k]`` units coded by exactly ``k`` coders (``by_k[0]``, by none,
    is what is left of ``length``), ``only[i]`` units coded by coder ``i`` and no one else."""
    m = len(per_coder)
    events: list[tuple[int, int]] = []
    for i, spans in enumerate(per_coder):
        bit = 1 << i
        for start, end in merged((max(0, a), min(length, b)) for a, b in spans):
            events.append((start, bit))
            events.append((end, bit))
    events.sort()
    by_k = [0] * (m + 1)
    only = [0] * m
    mask = 0
    at = 0
    for pos, bit in events:
        if mask and pos > at:
            k = mask.bit_count()
            by_k[k] += pos - at
            if k == 1:
                only[mask.bit_length() - 1] += pos - at
        mask ^= bit  # a coder's merged intervals neither overlap nor touch: each end toggles them
        at = pos
    by_k[0] = length - sum(by_k)
    return by_k, only


class UnitIndex:
    """The units of one source (sentences or paragraphs) as sorted, disjoint ``[start, end)`` spans."""

    def __init__(self, starts: Sequence[int], ends: Sequence[int]) -> None:
        self.starts = list(starts)
        self.ends = list(ends)

    def __len__(self) -> int:
        return len(self.starts)

    def touched(self, start: int, end: int) -> Span:
        """The indexes ``[first, last + 1)`` of the units that ``[start, end)`` overlaps (empty if none)."""
        first = bisect_right(self.ends, start)  # the first unit ending after start
        stop = bisect_left(self.starts, end)  # units starting before end
        return (first, stop) if first < stop else (first, first)


def paragraph_units(text: str, starts: Sequence[int] | None) -> UnitIndex:
    """The source's paragraphs (lines) without their line break; blank lines are no unit."""
    starts = list(starts or [0])
    unit_starts: list[int] = []
    unit_ends: list[int] = []
    for i, a in enumerate(starts):
        b = starts[i + 1] if i + 1 < len(starts) else len(text)
        while b > a and text[b - 1] in "\r\n":
            b -= 1
        if text[a:b].strip():
            unit_starts.append(a)
            unit_ends.append(b)
    return UnitIndex(unit_starts, unit_ends)


def load_units(session: Session, unit: str, source_ids: Sequence[int],
               names: dict[int, str]) -> dict[int, UnitIndex]:
    """Sentence or paragraph units of each source; InvalidInput naming sources without a sentence index."""
    ids = list(source_ids)
    return _paragraphs(session, ids) if unit == "paragraph" else _sentences(session, ids, names)


def _paragraphs(session: Session, ids: list[int]) -> dict[int, UnitIndex]:
    out: dict[int, UnitIndex] = {}
    for i in range(0, len(ids), 500):
        rows = session.execute(select(Source.id, Source.text, Source.paragraph_starts)
                               .where(Source.id.in_(ids[i:i + 500]))).all()
        for sid, text, starts in rows:
            out[sid] = paragraph_units(text, json.loads(starts) if starts else None)
    return out


def _sentences(session: Session, ids: list[int], names: dict[int, str]) -> dict[int, UnitIndex]:
    found: dict[int, tuple[list[int], list[int]]] = {sid: ([], []) for sid in ids}
    lengths: dict[int, int] = {}
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        for sid, start, end in session.execute(select(Sentence.source_id, Sentence.start, Sentence.end)
                                               .where(Sentence.source_id.in_(part))
                                               .order_by(Sentence.source_id, Sentence.start)):
            found[sid][0].append(start)
            found[sid][1].append(end)
        for sid, length in session.execute(select(Source.id, Source.length).where(Source.id.in_(part))):
            lengths[sid] = length
    missing = sorted(names[sid] for sid, (starts, _e) in found.items() if not starts and lengths.get(sid, 0) > 0)
    if missing:
        shown = ", ".join(f"'{n}'" for n in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise InvalidInput(
            f"Agreement by sentence needs the sentence index, and {shown} "
            f"{'is' if len(missing) == 1 else 'are'} not indexed yet. Index the sources first "
            "('qdaapp index PROJECT', or wait for the app to finish indexing), or compare by character or paragraph."
        )
    return {sid: UnitIndex(starts, ends) for sid, (starts, ends) in found.items()}


def to_units(spans: Iterable[Span], units: UnitIndex) -> list[Span]:
    """Character spans as intervals of the indexes of the units they touch."""
    return [units.touched(a, b) for a, b in spans]
