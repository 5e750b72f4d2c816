"""The timeline of analytic decisions, per coder.

Built with SQL aggregates: codings made or removed (and flow-chart boxes
dragged) are counted per coder and day; every other decision (marker runs
and review decisions, accounts and fragments, memos, sources and cases,
deletions, undo and redo) is listed one event per line (codebook changes
have a section of their own), worded by the ``describe``
callback when one is given (``describe(conn, rows) -> sentences``, rows as
:data:`qdaapp.core.audit.EventRow`), else by the event's own summary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ...models import AuditEvent, Coding
from .changes import CODEBOOK_ACTIONS
from .facts import Scope

Describe = Callable[[Connection, list[tuple]], Sequence[str]]
# Actions counted per coder and day instead of listed one by one.
COUNTED = {"coding.create": "coding(s) made", "coding.delete": "coding(s) removed",
           "fragment.place": "flow-chart box move(s)"}
# Listed in the report's own section on codebook changes, so not again in the timeline.
ELSEWHERE = tuple(CODEBOOK_ACTIONS)
KINDS = (("node.", "Codebook"), ("coding.", "Coding"), ("search.", "Keyword search"), ("markers.", "Marker search"),
         ("hits.", "Marker review"),
         ("lexicon.", "Lexicon"), ("account.", "Account"), ("fragment.", "Fragment"), ("link.", "Fragment"),
         ("actant.", "Account"), ("actor.", "Account"), ("framework.", "Framework"), ("source.", "Sources"),
         ("case.", "Cases"), ("attribute.", "Cases"), ("memo.", "Memo"), ("diary.", "Diary"),
         ("project.", "Project"), ("undo", "Undo"), ("redo", "Redo"))
EVENTS_PER_CODER = 5000
DESCRIBE_BATCH = 2000


def kind_of(action: str) -> str:
    return next((label for prefix, label in KINDS if action.startswith(prefix)), action)


def is_weighty(action: str) -> bool:
    """Deletions, merges and undo/redo: shown in bold."""
    return action.endswith(".delete") or action in ("node.merge", "undo", "redo", "hits.reject")


@dataclass
class TimelineRow:
    day: str
    time: str  # HH:MM (UTC); empty for a day's counted activity
    kind: str
    text: str
    reason: str = ""
    weighty: bool = False


@dataclass
class CoderTimeline:
    coder: str
    events: int
    first: str
    last: str
    codings: int
    rows: list[TimelineRow] = field(default_factory=list)
    not_listed: int = 0


def _worded(session: Session, rows: list[tuple], describe: Describe | None) -> list[str]:
    """One sentence per event row: ``describe``'s where it gives one, else the stored summary."""
    if describe is None:
        return [r[6] for r in rows]
    out: list[str] = []
    conn = session.connection()
    for i in range(0, len(rows), DESCRIBE_BATCH):
        chunk = rows[i:i + DESCRIBE_BATCH]
        said = list(describe(conn, chunk))
        out += [said[j] if j < len(said) and said[j] else chunk[j][6] for j in range(len(chunk))]
    return out


def timelines(session: Session, scope: Scope | None = None, describe: Describe | None = None,
              per_coder: int = EVENTS_PER_CODER) -> list[CoderTimeline]:
    """Per coder: counted activity per day, then each decision, in time order (a few grouped queries)."""
    scope = scope or Scope()
    day = func.substr(AuditEvent.time, 1, 10)
    totals = session.execute(
        select(AuditEvent.coder, func.count(), func.min(AuditEvent.time), func.max(AuditEvent.time))
        .where(*scope.events()).group_by(AuditEvent.coder)).all()
    codings = dict(session.execute(select(Coding.coder, func.count()).where(*scope.codings())
                                   .group_by(Coding.coder)).all())
    out = {c: CoderTimeline(c, n, (a or "")[:10], (b or "")[:10], codings.get(c, 0)) for c, n, a, b in totals}
    for c, n in codings.items():  # codings imported without events of their own
        out.setdefault(c, CoderTimeline(c, 0, "", "", n))
    counted: dict[tuple[str, str], dict[str, int]] = {}
    for coder, d, action, n in session.execute(
        select(AuditEvent.coder, day, AuditEvent.action, func.count())
        .where(*scope.events(AuditEvent.action.in_(list(COUNTED))))
        .group_by(AuditEvent.coder, day, AuditEvent.action)
    ):
        counted.setdefault((coder, d), {})[action] = n
    # The snapshots are read only for the sentences: they are most of an event's bytes.
    snapshots = (AuditEvent.before, AuditEvent.after) if describe is not None else (literal(None), literal(None))
    not_listed_here = AuditEvent.action.not_in(list(COUNTED) + list(ELSEWHERE))
    ranked = (
        select(AuditEvent.seq, AuditEvent.time, AuditEvent.coder, AuditEvent.action, AuditEvent.entity,
               AuditEvent.entity_id, AuditEvent.summary, *snapshots, AuditEvent.reason,
               func.row_number().over(partition_by=AuditEvent.coder, order_by=AuditEvent.seq).label("rank"))
        .where(*scope.events(not_listed_here)).subquery()
    )
    rows = [tuple(r)[:10] for r in session.execute(
        select(ranked).where(ranked.c.rank <= per_coder).order_by(ranked.c.seq))]
    listed: dict[str, list[TimelineRow]] = {}
    for r, text in zip(rows, _worded(session, rows, describe), strict=True):
        _seq, time, coder, action = r[:4]
        listed.setdefault(coder, []).append(
            TimelineRow(time[:10], time[11:16], kind_of(action), text, r[9] or "", is_weighty(action)))
    decisions = dict(session.execute(
        select(AuditEvent.coder, func.count()).where(*scope.events(not_listed_here))
        .group_by(AuditEvent.coder)).all())
    for coder, t in out.items():
        mine = listed.get(coder, [])
        t.not_listed = decisions.get(coder, 0) - len(mine)
        for (c, d), actions in counted.items():
            if c == coder:
                text = ", ".join(f"{actions[a]} {label}" for a, label in COUNTED.items() if a in actions)
                mine.append(TimelineRow(d, "", "Coding", text))
        mine.sort(key=lambda r: (r.day, r.time != "", r.time))
        t.rows = mine
    return sorted(out.values(), key=lambda t: t.coder.lower())
