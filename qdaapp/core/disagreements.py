"""Where two coders disagree at a node, and how far a team is in settling it.

A disagreement is a stretch of a source where one coder coded at a node and
the other did not. At character level it is a maximal span (in code points)
coded at the node by exactly one of the two; at sentence or paragraph level it
is a whole unit that one of them coded (any of it) and the other did not touch.
Everything is computed with interval arithmetic on each coder's merged
stretches, never character by character.

A consensus coding (coder ``consensus``) at the node settles what it covers: a
span stays open only where no consensus coding covers it (at unit level, a
unit is settled once a consensus coding touches it). Keeping one coder's
coding, or both, settles a span by making the two coders' codings agree (see
:mod:`qdaapp.core.disagreement_decisions`).

:func:`progress` counts the decisions made for a pair of coders (their audit
events, not undone) and the disagreements still open.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from . import nodes as node_ops
from . import sources as source_ops
from .agreement import CONSENSUS, UNITS, known_coders
from .agreement_units import UnitIndex, load_units
from .errors import InvalidInput
from .layers import merge_stretches
from .models import Coding, Source

DECISIONS = ("disagreement.keep", "disagreement.keep_both", "disagreement.consensus")
_ACTIONS = ", ".join(f"'{action}'" for action in DECISIONS)  # for SQL

Span = tuple[int, int]


@dataclass(frozen=True)
class Disagreement:
    """One span at one node coded by one coder (``coded_by``) and not by the other (``missing``).

    ``codings`` holds, for each of the two coders, the ids of their codings at
    the node that overlap the span (none for the coder who did not code it)."""

    source_id: int
    node_id: int
    start: int
    end: int
    coded_by: tuple[str, ...]
    missing: tuple[str, ...]
    codings: tuple[tuple[str, tuple[int, ...]], ...]


# ---------------------------------------------------------------------- interval arithmetic
def subtract(spans: Sequence[Span], taken: Sequence[Span]) -> list[Span]:
    """What of ``spans`` lies outside ``taken`` (both sorted, disjoint)."""
    out: list[Span] = []
    j = 0
    for start, end in spans:
        cur = start
        while j < len(taken) and taken[j][1] <= cur:
            j += 1
        k = j
        while k < len(taken) and taken[k][0] < end:
            a, b = taken[k]
            if a > cur:
                out.append((cur, a))
            cur = max(cur, b)
            if cur >= end:
                break
            k += 1
        if cur < end:
            out.append((cur, end))
    return out


def intersect(spans: Sequence[Span], other: Sequence[Span]) -> list[Span]:
    """What ``spans`` and ``other`` share (both sorted, disjoint)."""
    out: list[Span] = []
    i = j = 0
    while i < len(spans) and j < len(other):
        a, b = max(spans[i][0], other[j][0]), min(spans[i][1], other[j][1])
        if a < b:
            out.append((a, b))
        if spans[i][1] < other[j][1]:
            i += 1
        else:
            j += 1
    return out


def clip(spans: Sequence[Span], start: int, end: int) -> list[Span]:
    return intersect(spans, [(start, end)])


# ---------------------------------------------------------------------- units
def touched_units(units: UnitIndex, spans: Sequence[Span]) -> set[int]:
    """Indexes of the units that any of ``spans`` overlaps."""
    out: set[int] = set()
    for start, end in spans:
        first, stop = units.touched(start, end)
        out.update(range(first, stop))
    return out


# ---------------------------------------------------------------------- arguments
def check_coders(session: Session, coders: Sequence[str]) -> tuple[str, str]:
    """Two different coders, each of whom has coded something in the project."""
    pair = tuple(c.strip() for c in coders)
    if len(pair) != 2 or pair[0] == pair[1] or not all(pair):
        raise InvalidInput("Disagreements are reviewed between two different coders; name two.")
    for coder in pair:
        if coder == CONSENSUS:
            raise InvalidInput(f"'{CONSENSUS}' holds the agreed codings; compare two of the coders instead.")
        if not _known(session, coder):
            known = [c for c in known_coders(session) if c != CONSENSUS]
            raise InvalidInput(f"This project has no coder '{coder}'. Its coders: {', '.join(known) or 'none yet'}.")
    return pair[0], pair[1]


def _known(session: Session, coder: str) -> bool:
    """Whether the project knows ``coder`` (see :func:`.agreement.known_coders`), or knew them before a
    decision on a disagreement removed their last coding."""
    if coder in known_coders(session):
        return True
    named = json.dumps(coder)
    return any(named in (after or "") and coder in (json.loads(after).get("coders") or [])
               for (after,) in session.execute(text(f"SELECT after FROM audit_events WHERE action IN ({_ACTIONS})")))


def check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise InvalidInput(f"'{unit}' is not a unit; use {', '.join(UNITS)}.")
    return unit


# ---------------------------------------------------------------------- finding them
Row = tuple[int, int, int]  # (start, end, coding id)


def _codings(session: Session, coders: Iterable[str], node_id: int | None,
             source_id: int | None) -> dict[tuple[int, int], dict[str, list[Row]]]:
    q = (select(Coding.source_id, Coding.node_id, Coding.coder, Coding.start, Coding.end, Coding.id)
         .where(Coding.coder.in_(list(coders))))
    if node_id is not None:
        q = q.where(Coding.node_id == node_id)
    if source_id is not None:
        q = q.where(Coding.source_id == source_id)
    groups: dict[tuple[int, int], dict[str, list[Row]]] = {}
    for sid, nid, coder, a, b, cid in session.execute(q.order_by(Coding.source_id, Coding.node_id, Coding.start)):
        groups.setdefault((sid, nid), {}).setdefault(coder, []).append((a, b, cid))
    return groups


class _Rows:
    """One coder's codings at one node in one source, sorted by start, to find those over a span."""

    __slots__ = ("rows", "starts", "longest")

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        self.starts = [r[0] for r in rows]
        self.longest = max((b - a for a, b, _ in rows), default=0)

    def over(self, start: int, end: int) -> tuple[int, ...]:
        """Ids of the codings that overlap ``[start, end)``."""
        rows = self.rows
        lo, hi = bisect_left(self.starts, start - self.longest), bisect_left(self.starts, end)
        return tuple(rows[i][2] for i in range(lo, hi) if rows[i][1] > start)


def disagreements(session: Session, coders: Sequence[str], node_id: int | None = None,
                  source_id: int | None = None, unit: str = "character") -> list[Disagreement]:
    """The open disagreements between two coders, ordered by source and start."""
    a, b = check_coders(session, coders)
    check_unit(unit)
    if node_id is not None:
        node_id = node_ops.resolve(session, node_id).id
    if source_id is not None:
        source_id = source_ops.resolve(session, source_id).id
    out: list[Disagreement] = []
    groups = _codings(session, (a, b, CONSENSUS), node_id, source_id)
    units: dict[int, UnitIndex] = {}
    if unit != "character":
        ids = sorted({sid for sid, _nid in groups})
        names = {i: n for i, n in session.execute(select(Source.id, Source.name).where(Source.id.in_(ids)))}
        units = load_units(session, unit, ids, names)
    for (sid, nid), by in groups.items():
        rows = {c: by.get(c, []) for c in (a, b)}
        if not rows[a] and not rows[b]:
            continue
        cover = {c: merge_stretches((s, e) for s, e, _ in by.get(c, [])) for c in (a, b, CONSENSUS)}
        agreed = cover[CONSENSUS]
        found: list[tuple[int, int, str]] = []
        if unit == "character":
            for one, other in ((a, b), (b, a)):
                found += [(s, e, one) for s, e in subtract(subtract(cover[one], cover[other]), agreed)]
        else:
            index = units[sid]
            hit = {c: touched_units(index, cover[c]) for c in (a, b)}
            settled = touched_units(index, agreed)
            for one, other in ((a, b), (b, a)):
                found += [(index.starts[i], index.ends[i], one) for i in hit[one] - hit[other] - settled]
        sorted_rows = {c: _Rows(rows[c]) for c in (a, b)}
        for s, e, one in found:  # the coder who did not code the span has no coding over it
            other = b if one == a else a
            over = sorted_rows[one].over(s, e)
            out.append(Disagreement(sid, nid, s, e, (one,), (other,),
                                    ((a, over), (b, ())) if one == a else ((a, ()), (b, over))))
    out.sort(key=order)
    return out


def order(d: Disagreement) -> tuple[int, int, int, int]:
    """The order disagreements are listed in: by source, then start."""
    return d.source_id, d.start, d.end, d.node_id


# ---------------------------------------------------------------------- progress
def decisions(session: Session, coders: Sequence[str], node_id: int | None = None,
              source_id: int | None = None) -> list[int]:
    """The audit seqs of the decisions made for this pair of coders (not undone), oldest first."""
    pair = sorted(c.strip() for c in coders)
    rows = session.execute(text(
        f"SELECT e.seq, e.after FROM audit_events e WHERE e.action IN ({_ACTIONS}) "
        "AND NOT EXISTS (SELECT 1 FROM history h WHERE h.seq = e.seq AND h.state <> 'done') ORDER BY e.seq"))
    out = []
    for seq, after in rows:
        facts = json.loads(after) if after else {}
        if sorted(facts.get("coders") or []) != pair:
            continue
        if node_id is not None and facts.get("node_id") != node_id:
            continue
        if source_id is not None and facts.get("source_id") != source_id:
            continue
        out.append(seq)
    return out


def progress(session: Session, coders: Sequence[str], node_id: int | None = None, source_id: int | None = None,
             unit: str = "character") -> tuple[int, int]:
    """(decisions made, disagreements left) for two coders, at a node and in a source if given."""
    left = len(disagreements(session, coders, node_id, source_id, unit))
    return len(decisions(session, coders, node_id, source_id)), left


def settled_words(action: str, facts: dict) -> str:
    """'a disagreement between Ana and Ben was settled by keeping Ana's coding', from a decision's event."""
    pair = facts.get("coders") or ["one coder", "another"]
    how = {"disagreement.keep": f"keeping {facts.get('kept')}'s coding",
           "disagreement.keep_both": "keeping both codings",
           "disagreement.consensus": "a consensus coding"}.get(action, "a decision")
    return f"a disagreement between {pair[0]} and {pair[1]} was settled by {how}"


# ---------------------------------------------------------------------- what the review shows
def nodes_applied(session: Session, source_id: int, start: int, end: int,
                  coders: Sequence[str]) -> dict[str, list[str]]:
    """For each coder, the paths of the nodes they coded anywhere over ``[start, end)`` of a source."""
    rows = session.execute(select(Coding.coder, Coding.node_id).where(
        Coding.source_id == source_id, Coding.coder.in_(list(coders)), Coding.start < end, Coding.end > start
    ).distinct()).all()
    paths = {n.id: n.path for n in node_ops.list_nodes(session)} if rows else {}
    out: dict[str, list[str]] = {c: [] for c in coders}
    for coder, nid in rows:
        out[coder].append(paths.get(nid, "?"))
    return {c: sorted(v, key=str.casefold) for c, v in out.items()}
