"""Codebook changes over time and the marker decisions, as rows for the report's tables.

Nodes are named by their path as it is now; a node that no longer exists is
named as it was when it was last recorded (its name in the event).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ...models import AuditEvent, SearchHit
from ...nodes import list_nodes
from .facts import Scope

CODEBOOK_ACTIONS = {"node.create": "Created", "node.update": "Changed", "node.move": "Moved",
                    "node.merge": "Merged", "node.delete": "Deleted", "frame.apply": "Coding frame applied"}


@dataclass
class CodebookChange:
    day: str
    time: str
    coder: str
    change: str  # Created, Renamed, Moved, ...
    node: str  # path now, or the name as recorded
    details: str
    reason: str


@dataclass
class MarkerRow:
    act: str
    marker: str
    hits: int
    accepted: int
    rejected: int
    open: int
    negated_accepted: int


def _recorded_name(before: dict | None, after: dict | None) -> str:
    for snap in (before or {}, after or {}):
        if isinstance(snap.get("node"), dict) and snap["node"].get("name"):
            return str(snap["node"]["name"])
        nodes = snap.get("nodes")
        if isinstance(nodes, list) and nodes and isinstance(nodes[0], dict):
            return str(nodes[0].get("name", ""))
        if snap.get("name"):
            return str(snap["name"])
    return ""


def _load(text: str | None) -> dict | None:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    if isinstance(value, list):  # node.create records the rows it made
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else None


def codebook_changes(session: Session, scope: Scope, describe=None) -> list[CodebookChange]:
    """Every change to the codebook in scope, oldest first; ``describe(conn, rows)`` words the details."""
    paths = {n.id: n.path for n in list_nodes(session)}
    found = session.execute(
        select(AuditEvent.seq, AuditEvent.time, AuditEvent.coder, AuditEvent.action, AuditEvent.entity,
               AuditEvent.entity_id, AuditEvent.summary, AuditEvent.before, AuditEvent.after, AuditEvent.reason)
        .where(*scope.events(AuditEvent.action.in_(list(CODEBOOK_ACTIONS)))).order_by(AuditEvent.seq)).all()
    rows = [tuple(r) for r in found]
    sentences = list(describe(session.connection(), rows)) if describe is not None and rows else []
    out = []
    for i, (_seq, time, coder, action, _entity, eid, summary, before, after, reason) in enumerate(rows):
        change = CODEBOOK_ACTIONS[action]
        if action == "node.update":  # many, and only whether the name changed matters
            b = a = None
            if after and '"name"' in after:
                change = "Renamed"
        else:
            b, a = _load(before), _load(after)
        node = paths.get(eid) if action != "node.delete" and eid is not None else None
        if node is None or action in ("node.merge", "node.delete"):
            node = _recorded_name(b, a) or node or "(a node since removed)"
        if action == "node.merge" and a and a.get("into") in paths:
            node = f"{node} \u2192 {paths[a['into']]}"
        details = sentences[i] if i < len(sentences) and sentences[i] else summary
        out.append(CodebookChange(time[:10], time[11:16], coder, change, node, details, reason or ""))
    return out


def marker_rows(session: Session, scope: Scope) -> list[MarkerRow]:
    """Per speech act and marker phrase: hits found, accepted, rejected, still open, negated ones accepted."""
    accepted = SearchHit.status == "accepted"
    q = (select(SearchHit.act, SearchHit.marker, func.count(),
                func.sum(case((accepted, 1), else_=0)),
                func.sum(case((SearchHit.status == "rejected", 1), else_=0)),
                func.sum(case((SearchHit.status.not_in(("accepted", "rejected")), 1), else_=0)),
                func.sum(case(((accepted & (SearchHit.polarity != "positive")), 1), else_=0)))
         .where(*scope.hits()).group_by(SearchHit.act, SearchHit.marker)
         .order_by(SearchHit.act, func.lower(SearchHit.marker)))
    return [MarkerRow(act, marker, n, a or 0, r or 0, o or 0, neg or 0)
            for act, marker, n, a, r, o, neg in session.execute(q)]
