"""The decisions that settle a disagreement between two coders, each one audited and undoable.

* **keep** one coder's coding: over the span, the other coder's coding at the
  node is made to match it (what the other coded beyond it is removed, or
  trimmed in place so the coding keeps its memos and history; what they lack
  is added with origin ``agreement``);
* **keep both**: each coder gets what either coded over the span;
* **consensus**: a coding by coder ``consensus`` over a span the user chose;
  the two coders' codings are left as they are.

Each decision is one command (one audit event, one undo step) that records
the pair of coders, the node, the source and the span, with the codings it
made, trimmed and removed. An optional memo is attached to the coding the decision
made (or, when it only removed coding, to the kept coder's coding there, or
to the node), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import nodes as node_ops
from . import sources as source_ops
from .coding import _check_span, coding_row
from .coding import _summary as coding_summary
from .commands import Change, command
from .disagreements import CONSENSUS, check_unit, clip, intersect, subtract
from .errors import Conflict, InvalidInput
from .layers import merge_stretches
from .memos import add_memo
from .models import Coding, Node, Source

ORIGIN = "agreement"  # codings a decision adds
MEMO_TITLE = "Decision on a disagreement"


class _Decision:
    """The codings one decision removes and adds, with their audit events."""

    def __init__(self, session: Session, source: Source, node: Node, start: int, end: int) -> None:
        self.session, self.source, self.node = session, source, node
        self.start, self.end = start, end
        self.removed: list[dict] = []
        self.created: list[dict] = []
        self.changed: list[tuple[dict, dict]] = []  # (before, after) of the codings trimmed
        self.events: list[Change] = []

    def codings(self, coder: str, start: int, end: int) -> list[Coding]:
        """``coder``'s codings at the node overlapping ``[start, end)``, by start."""
        return list(self.session.scalars(select(Coding).where(
            Coding.source_id == self.source.id, Coding.node_id == self.node.id, Coding.coder == coder,
            Coding.start < end, Coding.end > start).order_by(Coding.start, Coding.end)))

    def remove(self, coding: Coding) -> None:
        row = coding_row(coding)
        self.session.delete(coding)
        self.session.flush()
        self.removed.append(row)
        self.events.append(Change("coding.delete", "coding", row["id"], "un" + self._summary(row), before=row))

    def _exists(self, coder: str, start: int, end: int) -> bool:
        return self.session.scalar(select(Coding.id).where(
            Coding.source_id == self.source.id, Coding.node_id == self.node.id, Coding.coder == coder,
            Coding.start == start, Coding.end == end)) is not None

    def trim(self, coding: Coding, start: int, end: int) -> None:
        """Narrow ``coding`` to ``[start, end)``, keeping it (its id, memos and history); removed if the
        coder has that very coding already."""
        if self._exists(coding.coder, start, end):
            self.remove(coding)
            return
        before = coding_row(coding)
        coding.start, coding.end = start, end
        self.session.flush()
        self.changed.append((before, coding_row(coding)))

    def add(self, coder: str, start: int, end: int, origin: str = ORIGIN, created_at: str | None = None) -> None:
        if self._exists(coder, start, end):
            return
        coding = Coding(source_id=self.source.id, node_id=self.node.id, start=start, end=end, coder=coder,
                        origin=origin)
        if created_at is not None:
            coding.created_at = created_at
        self.session.add(coding)
        self.session.flush()
        row = coding_row(coding)
        self.created.append(row)
        self.events.append(Change("coding.create", "coding", row["id"], self._summary(row), after=row))

    def _summary(self, row: dict) -> str:
        return coding_summary(self.node.name, self.source.name, row["start"], row["end"])

    def match(self, coder: str, wanted: list[tuple[int, int]], start: int, end: int) -> None:
        """Make ``coder``'s coding at the node over ``[start, end)`` cover exactly ``wanted``."""
        for coding in self.codings(coder, start, end):
            own = (coding.start, coding.end)
            keep = merge_stretches(subtract([own], [(start, end)]) + intersect(clip([own], start, end), wanted))
            if keep == [own]:
                continue
            if not keep:
                self.remove(coding)
                continue
            origin, created_at = coding.origin, coding.created_at
            self.trim(coding, *keep[0])
            for a, b in keep[1:]:  # what else is left of the coder's own coding keeps its origin and date
                self.add(coder, a, b, origin, created_at)
        have = merge_stretches((c.start, c.end) for c in self.codings(coder, start, end))
        for a, b in subtract(wanted, clip(have, start, end)):
            self.add(coder, a, b)

    def memo(self, text: str, by: str, kept: str | None) -> int | None:
        """Attach ``text`` as a memo to what the decision made (see the module's doc); its memo id."""
        if not text.strip():
            return None
        target = None
        if self.created:
            target = f"coding:{self.created[0]['id']}"
        elif kept is not None:
            there = self.codings(kept, self.start, self.end)
            target = f"coding:{there[0].id}" if there else None
        made = add_memo(self.session, text.strip(), target or f"node:{self.node.id}", MEMO_TITLE, by)
        self.events.append(made)
        return int(made.result)

    def change(self, action: str, summary: str, facts: dict[str, Any], memo_id: int | None) -> Change:
        after = {**facts, "source_id": self.source.id, "node_id": self.node.id, "created": self.created,
                 "changed": [a for _b, a in self.changed], "memo": memo_id}
        before = {"removed": self.removed, "changed": [b for b, _a in self.changed]}
        return Change(action, "node", self.node.id, summary, before=before, after=after,
                      result={"created": len(self.created), "changed": len(self.changed),
                              "removed": len(self.removed), "memo": memo_id},
                      extra_events=self.events)


def _begin(session: Session, source_ref: int | str, node_ref: int | str, start: int, end: int,
           coders: Sequence[str], unit: str) -> _Decision:
    check_unit(unit)
    if len(coders) != 2 or coders[0] == coders[1] or CONSENSUS in coders or not all(coders):
        raise InvalidInput("A disagreement is settled between two different coders; name two.")
    source = source_ops.resolve(session, source_ref)
    node = node_ops.resolve(session, node_ref)
    _check_span(source.name, source.length, int(start), int(end))
    return _Decision(session, source, node, int(start), int(end))


def _where(d: _Decision) -> str:
    return f"at '{d.node.name}' in {d.source.name} ({d.start}-{d.end})"


def _facts(coders: Sequence[str], d: _Decision, unit: str) -> dict[str, Any]:
    return {"coders": sorted(coders), "start": d.start, "end": d.end, "unit": unit}


@command("disagreement.keep")
def keep(session: Session, source_ref: int | str, node_ref: int | str, start: int, end: int, kept: str,
         other: str, memo: str = "", by: str = "", unit: str = "character") -> Change:
    """Keep ``kept``'s coding over the span: ``other``'s coding at the node is made to match it."""
    d = _begin(session, source_ref, node_ref, start, end, (kept, other), unit)
    wanted = clip(merge_stretches((c.start, c.end) for c in d.codings(kept, d.start, d.end)), d.start, d.end)
    d.match(other, wanted, d.start, d.end)
    if not d.created and not d.removed and not d.changed:
        raise Conflict(f"{other}'s coding {_where(d)} already matches {kept}'s: there is nothing to change.")
    memo_id = d.memo(memo, by, kept)
    return d.change("disagreement.keep", f"keep {kept}'s coding {_where(d)} over {other}'s",
                    {**_facts((kept, other), d, unit), "kept": kept, "other": other}, memo_id)


@command("disagreement.keep_both")
def keep_both(session: Session, source_ref: int | str, node_ref: int | str, start: int, end: int,
              coders: Sequence[str], memo: str = "", by: str = "", unit: str = "character") -> Change:
    """Keep what either coder coded over the span: the coder lacking some of it gets it."""
    d = _begin(session, source_ref, node_ref, start, end, tuple(coders), unit)
    either = clip(merge_stretches((c.start, c.end) for coder in coders for c in d.codings(coder, d.start, d.end)),
                  d.start, d.end)
    for coder in coders:
        have = merge_stretches((c.start, c.end) for c in d.codings(coder, d.start, d.end))
        for piece in subtract(either, have):
            d.add(coder, *piece)
    if not d.created:
        raise Conflict(f"Both coders already coded everything either of them coded {_where(d)}.")
    memo_id = d.memo(memo, by, None)
    first, second = coders
    return d.change("disagreement.keep_both", f"keep both {first}'s and {second}'s coding {_where(d)}",
                    _facts(coders, d, unit), memo_id)


@command("disagreement.consensus")
def consensus(session: Session, source_ref: int | str, node_ref: int | str, start: int, end: int,
              coders: Sequence[str], memo: str = "", by: str = "", unit: str = "character") -> Change:
    """A coding by coder ``consensus`` over the span; the two coders' codings stay as they are."""
    d = _begin(session, source_ref, node_ref, start, end, tuple(coders), unit)
    d.add(CONSENSUS, d.start, d.end)
    if not d.created:
        raise Conflict(f"There is a consensus coding {_where(d)} already.")
    memo_id = d.memo(memo, by, None)
    first, second = coders
    return d.change("disagreement.consensus", f"make a consensus coding {_where(d)} for {first} and {second}",
                    _facts(coders, d, unit), memo_id)
