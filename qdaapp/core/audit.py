"""The append-only, hash-chained audit log.

Every command appends exactly one event in the same transaction as its
change. Each event's hash covers its own fields and the previous event's
hash, so editing or deleting any row breaks the chain from that row on, and
:func:`verify` names the first event that no longer fits.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from .models import AuditEvent, utcnow

GENESIS = "0" * 64


def to_json(value: Any) -> Optional[str]:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_hash(
    seq: int,
    time: str,
    coder: str,
    action: str,
    entity: str,
    entity_id: Optional[int],
    summary: str,
    before: Optional[str],
    after: Optional[str],
    reason: str,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        [seq, time, coder, action, entity, entity_id, summary, before, after, reason, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    coder: str,
    action: str,
    entity: str,
    entity_id: Optional[int],
    summary: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEvent:
    """Add the next event to the chain inside the caller's (write) transaction."""
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    time = utcnow()
    before_s, after_s = to_json(before), to_json(after)
    digest = event_hash(seq, time, coder, action, entity, entity_id, summary, before_s, after_s, reason, prev)
    event = AuditEvent(
        seq=seq,
        time=time,
        coder=coder,
        action=action,
        entity=entity,
        entity_id=entity_id,
        summary=summary,
        before=before_s,
        after=after_s,
        reason=reason,
        prev_hash=prev,
        hash=digest,
    )
    session.add(event)
    return event


def append_many(session: Session, coder: str, events: list[tuple], reason: str = "") -> int:
    """Add many events to the chain at once; returns the seq of the last one.

    ``events`` are ``(action, entity, entity_id, summary, before, after)``.
    One read of the chain's end, one hashing pass and one multi-row insert, so
    a bulk command records a thousand events in milliseconds. The events are
    the same as if :func:`append` had added them one by one (they share one time).
    """
    session.flush()
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    time = utcnow()
    rows = []
    for action, entity, entity_id, summary, before, after in events:
        seq += 1
        before_s, after_s = to_json(before), to_json(after)
        digest = event_hash(seq, time, coder, action, entity, entity_id, summary, before_s, after_s, reason, prev)
        rows.append((seq, time, coder, action, entity, entity_id, summary, before_s, after_s, reason, prev, digest))
        prev = digest
    if rows:
        names = ", ".join(f'"{c.key}"' for c in _COLUMNS)
        session.connection().exec_driver_sql(
            f'INSERT INTO "{AuditEvent.__tablename__}" ({names}) VALUES ({", ".join("?" * len(_COLUMNS))})', rows)
    return seq


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events: int
    first_bad_seq: Optional[int] = None
    problem: str = ""

    def message(self) -> str:
        if self.ok:
            return f"audit chain verified: {self.events} events"
        return f"audit chain broken at event {self.first_bad_seq}: {self.problem}"


_COLUMNS = (
    AuditEvent.seq,
    AuditEvent.time,
    AuditEvent.coder,
    AuditEvent.action,
    AuditEvent.entity,
    AuditEvent.entity_id,
    AuditEvent.summary,
    AuditEvent.before,
    AuditEvent.after,
    AuditEvent.reason,
    AuditEvent.prev_hash,
    AuditEvent.hash,
)


def verify(conn: Connection) -> VerifyResult:
    """Walk the whole chain in order; stop at the first event that does not fit."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    result = conn.execute(select(*_COLUMNS).order_by(AuditEvent.seq)).yield_per(5000)
    sha = hashlib.sha256
    dumps = json.dumps
    for row in result:
        seq, time, coder, action, entity, entity_id, summary, before, after, reason, prev_hash, digest = row
        if seq != expected_seq:
            return VerifyResult(False, count, expected_seq, f"event {expected_seq} is missing (next is {seq})")
        if prev_hash != prev:
            return VerifyResult(False, count, seq, "it does not point to the event before it")
        payload = dumps(
            [seq, time, coder, action, entity, entity_id, summary, before, after, reason, prev_hash],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        if sha(payload.encode("utf-8")).hexdigest() != digest:
            return VerifyResult(False, count, seq, "its content was changed after it was written")
        prev = digest
        expected_seq += 1
        count += 1
    return VerifyResult(True, count)


@dataclass(frozen=True)
class EventFilter:
    """What the audit viewer and ``qdaapp audit`` narrow the timeline to."""

    coder: Optional[str] = None
    action: Optional[str] = None  # exact, or a prefix ending in '.' ("coding.")
    since: Optional[str] = None  # ISO date or time, inclusive
    until: Optional[str] = None  # ISO date or time, inclusive (a date means the whole day)
    text: Optional[str] = None  # in the summary or reason, case-insensitive
    entity: Optional[str] = None
    entity_id: Optional[int] = None
    node_id: Optional[int] = None  # events about this node or its codings
    source_id: Optional[int] = None  # events about this source or its codings


def _filtered(f: EventFilter):  # noqa: ANN202
    from sqlalchemy import and_, func, or_

    q = select(AuditEvent)
    conds = []
    if f.coder:
        conds.append(AuditEvent.coder == f.coder)
    if f.action:
        conds.append(AuditEvent.action.startswith(f.action) if f.action.endswith(".") else AuditEvent.action == f.action)
    if f.since:
        conds.append(AuditEvent.time >= f.since)
    if f.until:
        conds.append(AuditEvent.time <= (f.until + "T99" if len(f.until) == 10 else f.until))
    if f.text:
        like = f"%{f.text.lower()}%"
        conds.append(or_(func.lower(AuditEvent.summary).like(like), func.lower(AuditEvent.reason).like(like)))
    if f.entity:
        conds.append(AuditEvent.entity == f.entity)
    if f.entity_id is not None:
        conds.append(AuditEvent.entity_id == f.entity_id)
    for key, value in (("node", f.node_id), ("source", f.source_id)):
        if value is not None:
            conds.append(or_(
                and_(AuditEvent.entity == key, AuditEvent.entity_id == value),
                func.json_extract(AuditEvent.after, f"$.{key}_id") == value,
                func.json_extract(AuditEvent.before, f"$.{key}_id") == value,
            ))
    return q.where(*conds) if conds else q


def query_events(conn: Connection, f: EventFilter = EventFilter(), offset: int = 0,
                 limit: Optional[int] = None, newest_first: bool = True) -> list[AuditEvent]:
    """One page of the timeline; the viewer fetches pages as the user scrolls."""
    from sqlalchemy.orm import Session as _Session

    q = _filtered(f).order_by(AuditEvent.seq.desc() if newest_first else AuditEvent.seq).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    with _Session(bind=conn) as s:
        return list(s.scalars(q).all())


def count_events(conn: Connection, f: EventFilter = EventFilter()) -> int:
    from sqlalchemy import func

    return conn.execute(select(func.count()).select_from(_filtered(f).subquery())).scalar() or 0


def event_dict(e: AuditEvent) -> dict:
    return {"seq": e.seq, "time": e.time, "coder": e.coder, "action": e.action, "entity": e.entity,
            "entity_id": e.entity_id, "summary": e.summary,
            "before": json.loads(e.before) if e.before else None,
            "after": json.loads(e.after) if e.after else None, "reason": e.reason}
