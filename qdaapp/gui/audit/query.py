"""What the audit viewer reads from the timeline, and how actions are grouped for people.

Pages and counts go through :mod:`qdaapp.core.audit` (``query_events`` and
``count_events``). Two filters the core's :class:`EventFilter` cannot say yet
are added here on top of its query: an action *group* (several prefixes, such
as memos and diary) and a case (events about the case, its attributes, and
sources assigned to it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Optional

from sqlalchemy import Connection, and_, func, or_, select

from qdaapp.core import audit
from qdaapp.core.audit import EventFilter
from qdaapp.core.models import AuditEvent

PAGE = 500

# (label, prefixes or exact actions, [(action, label)]) in the order the combo shows them.
ACTION_GROUPS: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
    ("Coding", ("coding.",), (("coding.create", "code"), ("coding.create_at_new_node", "code at a new free node"),
                              ("coding.delete", "uncode"))),
    ("Nodes", ("node.", "frame."), (("node.create", "create node"), ("node.update", "rename or describe node"),
                                    ("node.move", "move node"), ("node.merge", "merge nodes"),
                                    ("node.delete", "delete node"), ("frame.apply", "apply a coding frame"))),
    ("Sources and cases", ("source.", "case.", "attribute.", "refi.", "speaker."),
     (("source.import", "import source"), ("source.update", "change source"), ("source.delete", "delete source"),
      ("case.create", "create case"), ("case.update", "rename case"), ("case.assign", "assign source to case"),
      ("attribute.set", "set attribute"), ("attribute.remove", "remove attribute"),
      ("speaker.set_role", "set speaker role"))),
    ("Markers and review", ("markers.", "hits.", "lexicon.", "search."),
     (("markers.run", "marker search"), ("hits.accept", "accept hits"), ("hits.reject", "reject hits"),
      ("lexicon.edit", "edit lexicon"), ("search.code", "code search results"))),
    ("Accounts and fragments", ("account.", "fragment.", "link.", "actor.", "actant.", "framework."),
     (("account.create", "create account"), ("account.update", "edit account"), ("account.delete", "delete account"),
      ("fragment.create", "create fragment"), ("fragment.update", "edit fragment"),
      ("fragment.move", "reorder fragment"), ("fragment.place", "move boxes"), ("link.create", "link fragments"))),
    ("Memos and diary", ("memo.", "diary."), (("memo.create", "write memo"), ("memo.update", "edit memo"),
                                              ("memo.delete", "delete memo"), ("diary.create", "diary entry"))),
    ("Undo and redo", ("undo", "redo"), (("undo", "undo"), ("redo", "redo"))),
)
ACTION_LABELS = {action: label for _, _, items in ACTION_GROUPS for action, label in items}
ACTION_LABELS.update({"project.create": "create project", "coding.create": "code", "account.add_passage":
                      "add passage to account", "account.remove_passage": "remove passage from account",
                      "fragment.delete": "delete fragment", "link.delete": "unlink fragments",
                      "actor.create": "add actor", "actant.assign": "assign actant", "actant.remove": "remove actant",
                      "framework.set": "framework cell", "refi.import": "REFI-QDA import",
                      "attribute.create": "create attribute"})


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@dataclass(frozen=True)
class ViewFilter:
    """The core filter plus what the viewer adds: an action group, and items (node, source, case)
    matched also inside compound events (code at a new node) and memos attached to them."""

    base: EventFilter = EventFilter()
    actions: tuple[str, ...] = ()  # several prefixes or exact actions (one group)
    case_id: Optional[int] = None
    node_id: Optional[int] = None
    source_id: Optional[int] = None

    def is_plain(self) -> bool:
        return not self.actions and self.case_id is None and self.node_id is None and self.source_id is None


def _match(action: str):  # noqa: ANN202
    return AuditEvent.action.startswith(action) if action.endswith(".") else AuditEvent.action == action


def _about(kind: str, ident: int, nested: bool):  # noqa: ANN202
    """Events about item ``kind`` ``ident``: the item itself, rows that point to it, memos on it."""
    key = f"{kind}_id"
    conds = [and_(AuditEvent.entity == kind, AuditEvent.entity_id == ident)]
    for snap in (AuditEvent.after, AuditEvent.before):
        conds.append(func.json_extract(snap, f"$.{key}") == ident)
        if nested:
            conds.append(func.json_extract(snap, f"$.coding.{key}") == ident)
        conds.append(and_(func.json_extract(snap, "$.target_type") == kind,
                          func.json_extract(snap, "$.target_id") == ident))
    return or_(*conds)


def _statement(f: ViewFilter):  # noqa: ANN202
    q = audit._filtered(f.base)  # the core's filter; ours narrow it further
    if f.actions:
        q = q.where(or_(*[_match(a) for a in f.actions]))
    if f.case_id is not None:
        q = q.where(_about("case", f.case_id, nested=False))
    if f.node_id is not None:
        q = q.where(_about("node", f.node_id, nested=True))
    if f.source_id is not None:
        q = q.where(_about("source", f.source_id, nested=True))
    return q


Row = tuple  # (seq, time, coder, action, entity, entity_id, summary, before, after, reason)


def _row(e: Any) -> Row:
    return (e.seq, e.time, e.coder, e.action, e.entity, e.entity_id, e.summary, e.before, e.after, e.reason)


def fetch_page(conn: Connection, f: ViewFilter, offset: int, limit: int = PAGE) -> list[Row]:
    """One page of matching events, newest first."""
    if f.is_plain():
        return [_row(e) for e in audit.query_events(conn, f.base, offset=offset, limit=limit)]
    q = (_statement(f).with_only_columns(
        AuditEvent.seq, AuditEvent.time, AuditEvent.coder, AuditEvent.action, AuditEvent.entity,
        AuditEvent.entity_id, AuditEvent.summary, AuditEvent.before, AuditEvent.after, AuditEvent.reason)
        .order_by(AuditEvent.seq.desc()).offset(offset).limit(limit))
    return [tuple(r) for r in conn.execute(q)]


def count(conn: Connection, f: ViewFilter) -> int:
    if f.is_plain():
        return audit.count_events(conn, f.base)
    return conn.execute(select(func.count()).select_from(_statement(f).subquery())).scalar() or 0


def coders(conn: Connection) -> list[str]:
    """Everyone who appears in the timeline, by name."""
    return [c for c in conn.execute(select(AuditEvent.coder).distinct().order_by(AuditEvent.coder)).scalars() if c]


def time_range(conn: Connection) -> tuple[Optional[date], Optional[date]]:
    """The local days of the first and the last event."""
    first, last = conn.execute(select(func.min(AuditEvent.time), func.max(AuditEvent.time))).one()

    def day(stamp: Optional[str]) -> Optional[date]:
        try:
            return datetime.fromisoformat(stamp).astimezone().date() if stamp else None
        except ValueError:
            return None

    return day(first), day(last)


def event(conn: Connection, seq: int) -> Optional[Row]:
    row = conn.execute(select(AuditEvent.seq, AuditEvent.time, AuditEvent.coder, AuditEvent.action,
                              AuditEvent.entity, AuditEvent.entity_id, AuditEvent.summary, AuditEvent.before,
                              AuditEvent.after, AuditEvent.reason).where(AuditEvent.seq == seq)).first()
    return tuple(row) if row is not None else None


# ---------------------------------------------------------------------- times and values
def local_time(stamp: str) -> str:
    """'2024-05-03T12:01:02.123+00:00' as local '2024-05-03 14:01:02'."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return stamp or ""


def day_start_utc(day: date) -> str:
    """The first moment of a local calendar day, as a stored (UTC) time string."""
    moment = datetime.combine(day, time.min).astimezone().astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def day_end_utc(day: date) -> str:
    """The last moment of a local calendar day, as a string every stored time that day sorts below."""
    moment = datetime.combine(day, time.max).astimezone().astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".999999+99"


def loads(value: Optional[str]) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def touched(row: Row) -> dict:
    """The ids an event is about, merged from its before and after snapshots."""
    _seq, _t, _c, action, entity, entity_id, _s, before, after, _r = row
    out: dict = {}
    for snap in (loads(before), loads(after)):
        if isinstance(snap, dict):
            inner = snap.get("coding") if isinstance(snap.get("coding"), dict) else snap
            for key in ("source_id", "node_id", "start", "end", "account_id", "case_id"):
                if key in inner and inner[key] is not None:
                    out.setdefault(key, inner[key])
            if "coding" in snap and isinstance(snap["coding"], dict):
                out.setdefault("coding_id", snap["coding"].get("id"))
            elif entity == "coding" and "id" in snap:
                out.setdefault("coding_id", snap["id"])
    if entity_id is not None:
        out.setdefault(f"{entity}_id", entity_id)
    out["entity"], out["action"] = entity, action
    return out


def account_of_fragment(conn: Connection, fragment_id: int) -> Optional[int]:
    from qdaapp.core.models import Fragment

    return conn.execute(select(Fragment.account_id).where(Fragment.id == fragment_id)).scalar()
