"""Page one of the audit report: the figures a reader of an examination file needs.

Every figure is one grouped SQL query, so a project with 100,000 events and
20,000 codings is summarised in well under a second. ``Scope`` narrows the
figures to work done since a day and/or by one coder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from ... import audit
from ...models import AuditEvent, Coding, Memo, SearchHit, SearchRun, Source

# Coding.origin -> how the coding was made, in the order the report lists them.
ORIGINS = (("manual", "by hand"), ("markers:", "accepting marker hits"), ("search", "coding search results"),
           ("similar", "accepting similar passages"), ("agreement", "settling coders' disagreements"),
           ("refi-import", "imported from another QDA program"))
# Decisions a reader expects a reason for: bulk and destructive actions.
WEIGHTY_ACTIONS = ("hits.accept", "hits.reject", "search.code", "node.merge", "project.merge")
WITHOUT_REASON_DEFINITION = (
    "A decision without a reason is a bulk or destructive action (accepting or rejecting marker hits, coding "
    "search results, merging nodes, merging a coder's copy, moving a node that has child nodes, or deleting "
    "anything) for which the person gave no reason when doing it, wrote no memo on the thing it changed, and "
    "wrote no diary entry that day.")
VERIFY_PROVES = (
    "Every action in this project is recorded as an event, and each event carries a fingerprint (a SHA-256 hash) "
    "of its own content and of the event before it, like links in a chain; each coding, node, memo and source "
    "also carries the fingerprint it had after its last recorded change. Checking the trail ('qdaapp audit verify') "
    "recomputes all of these: if an event was edited, removed or inserted outside the app, or a row of the work "
    "was changed behind the trail's back, the check says where. The seal names the last event and the start of "
    "its fingerprint; a copy of the project that still holds this seal holds this exact history up to here.")


@dataclass(frozen=True)
class Scope:
    since: str | None = None  # YYYY-MM-DD, inclusive
    coder: str | None = None

    def events(self, *extra):
        conds = list(extra)
        if self.since:
            conds.append(AuditEvent.time >= self.since)
        if self.coder:
            conds.append(AuditEvent.coder == self.coder)
        return conds

    def codings(self) -> list:
        conds = []
        if self.since:
            conds.append(Coding.created_at >= self.since)
        if self.coder:
            conds.append(Coding.coder == self.coder)
        return conds

    def hits(self) -> list:
        """Decisions by the coder since the day; hits still open count for the run's coder."""
        conds = []
        decided = SearchHit.status.in_(("accepted", "rejected"))
        if self.since:
            conds.append(or_(~decided, SearchHit.decided_at >= self.since))
        if self.coder:
            run_coder = select(SearchRun.coder).where(SearchRun.id == SearchHit.run_id).scalar_subquery()
            conds.append(or_(and_(decided, SearchHit.decided_by == self.coder),
                             and_(~decided, run_coder == self.coder)))
        return conds

    def describe(self) -> str:
        parts = []
        if self.since:
            parts.append(f"work from {self.since} on")
        if self.coder:
            parts.append(f"the work of {self.coder}")
        return " and ".join(parts)


@dataclass
class MarkerTotals:
    hits: int = 0
    accepted: int = 0
    rejected: int = 0
    open: int = 0
    negated_accepted: int = 0


@dataclass
class Unreasoned:
    total: int  # weighty decisions in scope
    without: int  # of those, with no reason, memo or diary entry
    by_action: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Summary:
    title: str
    seal: str
    chain: audit.VerifyResult
    period: tuple[str, str]  # first and last day covered ("" when nothing)
    coders: list[str]
    sources: list[tuple[str, str, str]]  # name, kind, sha256 of the imported file
    codings_by_coder: list[tuple[str, int]]
    codings_by_origin: list[tuple[str, int]]
    merged: int  # codings that a merge of nodes moved to another node
    markers: MarkerTotals
    memos: int
    diary: int
    unreasoned: Unreasoned
    scope: Scope


def origin_label(origin: str) -> str:
    for prefix, label in ORIGINS:
        if origin == prefix or (prefix.endswith(":") and origin.startswith(prefix)) or \
                origin.startswith(prefix + ":"):
            return label
    return "other"


def _codings(session: Session, scope: Scope) -> tuple[list, list, int]:
    where = scope.codings()
    by_coder = session.execute(select(Coding.coder, func.count()).where(*where).group_by(Coding.coder)).all()
    by_origin: dict[str, int] = {}
    for origin, n in session.execute(select(Coding.origin, func.count()).where(*where).group_by(Coding.origin)):
        label = origin_label(origin or "")
        by_origin[label] = by_origin.get(label, 0) + n
    order = [label for _, label in ORIGINS] + ["other"]
    origins = [(label, by_origin[label]) for label in order if label in by_origin]
    merged = session.execute(
        select(func.count()).select_from(Coding).where(
            *where, Coding.id.in_(_merged_ids()))).scalar() or 0
    return sorted(by_coder, key=lambda r: r[0].lower()), origins, merged


def _merged_ids():
    each = func.json_each(AuditEvent.before, "$.moved_codings").table_valued("value").alias("moved")
    return (select(each.c.value).select_from(AuditEvent).join(each, literal(True))
            .where(AuditEvent.action == "node.merge"))


def marker_totals(session: Session, scope: Scope) -> MarkerTotals:
    t = MarkerTotals()
    for status, polarity, n in session.execute(
        select(SearchHit.status, SearchHit.polarity, func.count()).where(*scope.hits())
        .group_by(SearchHit.status, SearchHit.polarity)
    ):
        t.hits += n
        if status == "accepted":
            t.accepted += n
            if polarity != "positive":
                t.negated_accepted += n
        elif status == "rejected":
            t.rejected += n
        else:
            t.open += n
    return t


def _rows(text: str | None) -> list[dict]:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return []
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]


def subtree_moves(session: Session) -> list[int]:
    """The events that moved a node while it had child nodes, found by replaying the codebook's events."""
    parent: dict[int, int | None] = {}
    found = []
    for seq, action, eid, before, after in session.execute(
        select(AuditEvent.seq, AuditEvent.action, AuditEvent.entity_id, AuditEvent.before, AuditEvent.after)
        .where(AuditEvent.action.in_(("node.create", "node.move", "node.merge", "node.delete")))
        .order_by(AuditEvent.seq)
    ):
        if eid is None:
            continue
        if action == "node.create":
            parent.update({r["id"]: r.get("parent_id") for r in _rows(after) if "id" in r})
        elif action == "node.move":
            if any(p == eid for p in parent.values()):
                found.append(seq)
            for r in _rows(after):
                parent[eid] = r.get("parent_id")
        elif action == "node.merge":
            for r in _rows(before):
                for child in r.get("children") or []:
                    parent[child] = eid
                gone = r["node"].get("id") if isinstance(r.get("node"), dict) else None
                if isinstance(gone, int):
                    parent.pop(gone, None)
        else:
            for r in _rows(before):
                for node in r.get("nodes") or []:
                    if isinstance(node, dict) and isinstance(node.get("id"), int):
                        parent.pop(node["id"], None)
    return found


def weighty(session: Session, scope: Scope):
    """Conditions picking the bulk and destructive events in scope (see WITHOUT_REASON_DEFINITION)."""
    return scope.events(or_(AuditEvent.action.in_(WEIGHTY_ACTIONS), AuditEvent.action.like("%.delete"),
                            AuditEvent.seq.in_(subtree_moves(session))))


def unreasoned(session: Session, scope: Scope) -> Unreasoned:
    conds = weighty(session, scope)
    total = session.execute(select(func.count()).select_from(AuditEvent).where(*conds)).scalar() or 0
    memo_on_it = exists().where(Memo.target_type == AuditEvent.entity, Memo.target_id == AuditEvent.entity_id)
    diary_that_day = exists().where(Memo.target_type == "diary", Memo.author == AuditEvent.coder,
                                    Memo.date == func.substr(AuditEvent.time, 1, 10))
    rows = session.execute(
        select(AuditEvent.action, func.count()).where(*conds, func.trim(AuditEvent.reason) == "", ~memo_on_it,
                                                      ~diary_that_day)
        .group_by(AuditEvent.action).order_by(func.count().desc(), AuditEvent.action)).all()
    return Unreasoned(total, sum(n for _, n in rows), [(a, n) for a, n in rows])


def summary(session: Session, title: str, scope: Scope, chain: audit.VerifyResult) -> Summary:
    first, last = session.execute(select(func.min(AuditEvent.time), func.max(AuditEvent.time))
                                  .where(*scope.events())).one()
    period = ((scope.since or (first or "")[:10]), (last or "")[:10]) if first or scope.since else ("", "")
    coders = sorted({c for c in session.scalars(select(AuditEvent.coder).where(*scope.events()).distinct()) if c}
                    | {c for c in session.scalars(select(Coding.coder).where(*scope.codings()).distinct()) if c},
                    key=str.lower)
    sources = [(name, kind, sha) for name, kind, sha in session.execute(select(Source.name, Source.kind, Source.sha256)
                                                  .order_by(func.lower(Source.name)))]
    by_coder, by_origin, merged = _codings(session, scope)
    memo_where = []
    if scope.coder:
        memo_where.append(Memo.author == scope.coder)
    if scope.since:
        memo_where.append(Memo.updated_at >= scope.since)
    memos = session.execute(select(func.count()).select_from(Memo)
                            .where(Memo.target_type != "diary", *memo_where)).scalar() or 0
    diary = session.execute(select(func.count()).select_from(Memo)
                            .where(Memo.target_type == "diary", *memo_where)).scalar() or 0
    return Summary(title, audit.seal(session.connection()), chain, period, coders, sources,
                   [tuple(r) for r in by_coder], by_origin, merged, marker_totals(session, scope), memos, diary,
                   unreasoned(session, scope), scope)


def chain_sentence(chain: audit.VerifyResult) -> str:
    """The result of checking the trail now, in one plain sentence."""
    if chain.ok:
        return (f"Checked when this report was written: intact. All {chain.events} events are in their chain and "
                "every row of the work matches its recorded history.")
    found = chain.message().split("\n")[0]
    extra = ""
    if chain.findings:
        shown = "; ".join(f.message() for f in chain.findings[:20])
        more = f"; and {len(chain.findings) - 20} more" if len(chain.findings) > 20 else ""
        extra = f" Rows changed outside the app: {shown}{more}."
    return (f"Checked when this report was written: NOT intact ({found}).{extra} "
            "The history below may be incomplete or inaccurate.")
