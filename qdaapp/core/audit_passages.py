"""The passages one audit event coded, uncoded or moved, listed on demand (the viewer's
"Show the N passages", reports).

They are read from the rows the event wrote (``undo_ops``: a coding added,
removed or changed, and for a marker decision the hits it decided, which give
each passage its marker phrase and polarity). Names come from the project as
it is, or from the rows the event itself removed (a deleted source's name and
text, a merged node's name). An event recorded before row capture lists the
codings its snapshot holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from .audit_text import Lookup, cut
from .db import driver_connection

QUOTE = 160


@dataclass(frozen=True)
class Passage:
    source: str
    source_id: int
    start: int
    end: int
    quote: str
    node: str
    change: str  # coded | uncoded | moved
    marker: str | None = None
    polarity: str | None = None
    coding_id: int | None = None

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _loads(text: str | None) -> dict:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _rows(conn: Connection, seq: int) -> list[tuple[str, str, int, dict, dict]]:
    raw = driver_connection(conn.connection)
    out = []
    for tbl, op, row_id, old, new in raw.execute(
            "SELECT tbl, op, row_id, old, new FROM undo_ops WHERE event_seq = ? "
            "AND tbl IN ('codings', 'search_hits', 'sources', 'nodes') ORDER BY id", (seq,)):
        out.append((tbl, op, int(row_id), _loads(old), _loads(new)))
    return out


def _codings_now(conn: Connection, seq: int, ids: list[int]) -> dict[int, dict]:
    """The rows of codings the event added, as it recorded them (else as they are now)."""
    raw = driver_connection(conn.connection)
    found: dict[int, dict] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        marks = ", ".join("?" * len(part))
        for row_id, row in raw.execute(f"SELECT row_id, row FROM audit_rows WHERE seq = ? AND tbl = 'codings' "
                                       f"AND row_id IN ({marks})", (seq, *part)):
            if row:
                found[int(row_id)] = _loads(row)
        missing = [i for i in part if i not in found]
        if missing:
            cols = ("id", "source_id", "node_id", "start", "end")
            for r in raw.execute(f'SELECT id, source_id, node_id, start, "end" FROM codings '
                                 f"WHERE id IN ({', '.join('?' * len(missing))})", missing):
                found[int(r[0])] = dict(zip(cols, r, strict=True))
    return found


def _snapshot_codings(conn: Connection, seq: int) -> list[tuple[str, dict]]:
    """Codings an event's own snapshot holds (events recorded before row capture)."""
    row = driver_connection(conn.connection).execute(
        "SELECT action, before, after FROM audit_events WHERE seq = ?", (seq,)).fetchone()
    if row is None:
        return []
    action, before, after = row[0], _loads(row[1]), _loads(row[2])
    if action == "coding.create":
        return [("coded", after)]
    if action == "coding.create_at_new_node":
        return [("coded", after.get("coding") or {})]
    if action == "coding.delete":
        return [("uncoded", before)]
    listed = before.get("codings") or before.get("removed_codings") or before.get("collapsed_codings") or []
    return [("uncoded", c) for c in listed if isinstance(c, dict)]


def _changes(conn: Connection, seq: int) -> tuple[list[tuple[str, dict]], dict[int, tuple[str | None, str | None]],
                                                   dict[int, dict], dict[int, str]]:
    rows = _rows(conn, seq)
    changes: list[tuple[str, dict]] = []
    added: list[int] = []
    hits: dict[int, tuple[str | None, str | None]] = {}  # coding id -> (marker, polarity)
    gone_sources: dict[int, dict] = {}
    gone_nodes: dict[int, str] = {}
    for tbl, op, row_id, old, new in rows:
        if tbl == "codings":
            if op == "I":
                added.append(row_id)
            elif op == "D":
                changes.append(("uncoded", old))
            elif old.get("node_id") != new.get("node_id"):
                changes.append(("moved", {**old, **new}))
        elif tbl == "search_hits":
            for snap in (new, old):
                if snap.get("coding_id") is not None:
                    hits.setdefault(int(snap["coding_id"]), (snap.get("marker"), snap.get("polarity")))
        elif tbl == "sources" and op == "D":
            gone_sources[row_id] = old
        elif tbl == "nodes" and op == "D":
            gone_nodes[row_id] = old.get("name") or ""
    if added:
        now = _codings_now(conn, seq, added)
        changes[0:0] = [("coded", now[i]) for i in added if i in now]
    if not rows:
        changes = _snapshot_codings(conn, seq)
    return changes, hits, gone_sources, gone_nodes


def passage_count(conn: Connection, seq: int) -> int:
    """How many passages :func:`event_passages` lists for event ``seq``."""
    n = driver_connection(conn.connection).execute(
        "SELECT count(*) FROM undo_ops WHERE event_seq = ? AND tbl = 'codings' "
        "AND (op <> 'U' OR json_extract(old, '$.node_id') IS NOT json_extract(new, '$.node_id'))", (seq,)).fetchone()[0]
    if n:
        return int(n)
    if driver_connection(conn.connection).execute("SELECT 1 FROM undo_ops WHERE event_seq = ? LIMIT 1",
                                                 (seq,)).fetchone():
        return 0
    return len(_snapshot_codings(conn, seq))


def event_passages(conn: Connection, seq: int, limit: int | None = None) -> list[Passage]:
    """The passages event ``seq`` coded, uncoded or moved, by source and position (the first ``limit``)."""
    changes, hits, gone_sources, gone_nodes = _changes(conn, seq)
    lookup = Lookup(conn)

    def source_of(sid: Any) -> str:
        return lookup.source_name(sid) or gone_sources.get(sid, {}).get("name") or "a source since deleted"

    def node_of(nid: Any) -> str:
        return lookup.node_path(nid) or gone_nodes.get(nid) or "a node since deleted"

    def quote(row: dict) -> str:
        sid, a, b = row.get("source_id"), row.get("start"), row.get("end")
        found = lookup.quote(sid, a, b, QUOTE)
        if found is None and sid in gone_sources and isinstance(a, int) and isinstance(b, int):
            found = cut((gone_sources[sid].get("text") or "")[a:b], QUOTE)
        return found or ""

    ordered = sorted(changes, key=lambda c: (source_of(c[1].get("source_id")), c[1].get("start") or 0,
                                             c[1].get("end") or 0))
    if limit is not None:
        ordered = ordered[:limit]
    out = []
    for change, row in ordered:
        coding_id = row.get("id")
        marker, polarity = hits.get(coding_id, (None, None)) if coding_id is not None else (None, None)
        out.append(Passage(source_of(row.get("source_id")), row["source_id"], row["start"], row["end"],
                           quote(row), node_of(row.get("node_id")), change, marker, polarity, coding_id))
    return out
