"""One coding's history: how it was made, by whom and why, and every later change to it.

:func:`coding_history` gathers the audit events that touched one coding and
says each in a sentence ("Coded by accepting marker hit 'have to' …", "Moved
from 'Trust' to 'Relationships' by merging …", "Removed by undoing …"). It
works for a coding that has since been removed too: the rows each event
wrote (``audit_rows``) keep the coding as it was.

Where the events come from:

* ``audit_rows`` rows of table ``codings`` with the coding's id: every event
  since row digests (schema 0009) that wrote it, bulk ones and undo/redo
  included. An index on ``audit_rows(tbl, row_id)`` makes this a seek; without
  one SQLite scans the table.
* events about the coding itself (``entity = 'coding'``, indexed): the
  per-coding events a bulk coding records beside its own, and the events of
  projects made before row digests. An event recorded as part of a bulk
  command whose own event is in the history is folded into that line.
* before row digests, bulk events carried their codings only in their JSON
  (accepting hits, rejecting them, merging or deleting nodes); those events
  are read by action and searched.
* the marker hits linked to the coding (now, or in the decisions of the
  events), the events that decided them, and the memos on the coding.

Memos on the coding are listed with their events; memos on its node are
listed apart (``node_memos``), without their events.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from .db import driver_connection
from .errors import NotFound
from .lexicon import NEGATED

_EVENT_COLUMNS = "seq, time, coder, action, entity, entity_id, summary, before, after, reason, rows_hash"
# Bulk actions whose events carried their codings only in JSON before row digests.
_OLD_BULK = ("hits.accept", "hits.reject", "node.merge", "node.delete")


@dataclass(frozen=True)
class MarkerHitInfo:
    """A marker hit that made (or supports) the coding."""

    hit_id: int
    run_id: int
    run: str  # "marker run #3 (lexicon 'greimas' v2)"
    marker: str
    act: str
    polarity: str
    status: str
    decided_by: str
    decided_at: str

    @property
    def negated(self) -> bool:
        return self.polarity == NEGATED

    def phrase(self) -> str:
        """``'have to' (manipulation, negated)``"""
        return f"'{self.marker}' ({self.act}{', negated' if self.negated else ''})"


@dataclass(frozen=True)
class HistoryLine:
    """One event in a coding's history, said in a sentence."""

    seq: int
    time: str  # as stored (UTC, ISO 8601)
    coder: str
    action: str
    kind: str  # created | changed | removed | restored | hit | memo | node | noted
    text: str
    reason: str = ""
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class MemoNote:
    memo_id: int
    title: str
    text: str
    author: str
    updated_at: str


@dataclass(frozen=True)
class CodingHistory:
    coding_id: int
    exists: bool  # False: the coding has been removed; the passage is as it last was
    source: str
    source_id: int | None
    start: int
    end: int
    quote: str
    node: str  # the node's path (or its last known name)
    node_id: int | None
    coder: str
    created_at: str
    origin: str
    how: str  # "by hand", "from marker 'have to'", …
    lines: tuple[HistoryLine, ...] = ()
    memos: tuple[MemoNote, ...] = ()
    node_memos: tuple[MemoNote, ...] = ()
    hits: tuple[MarkerHitInfo, ...] = field(default=())

    def as_dict(self) -> dict:
        d = asdict(self)
        d["hits"] = [dict(asdict(h), negated=h.negated) for h in self.hits]
        return d


# ---------------------------------------------------------------------- plain words for times
def local_time(stamp: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def when_text(stamp: str) -> str:
    """``3 May 2026, 14:05`` in local time (the stored text if it is not a time)."""
    moment = local_time(stamp)
    return f"{moment.day} {moment:%b %Y, %H:%M}" if moment else (stamp or "")


def day_text(stamp: str) -> str:
    """``3 May`` this year, ``3 May 2025`` otherwise."""
    moment = local_time(stamp)
    if moment is None:
        return stamp or ""
    same_year = moment.year == datetime.now().astimezone().year
    return f"{moment.day} {moment:%b}" + ("" if same_year else f" {moment.year}")


def origin_words(origin: str) -> str:
    """How a coding was made, from its ``origin`` column: "by hand", "from search results"…"""
    origin = origin or "manual"
    if origin == "manual":
        return "by hand"
    if origin.startswith("markers:"):
        return f"from marker run #{origin.split(':', 1)[1]}"
    if origin.startswith("search:"):
        return f"from the search '{origin.split(':', 1)[1]}'"
    if origin == "search":
        return "from search results"
    if origin == "similar":
        return "from passages found like examples"
    if origin == "refi-import":
        return "imported from a REFI-QDA project"
    return f"from {origin}"


# ---------------------------------------------------------------------- reading
def _node_label(db: Any, node_id: int | None, cache: dict) -> str:
    """The node's path now, or its last recorded name, or 'a removed node'."""
    if node_id is None:
        return "no node"
    if node_id in cache:
        return cache[node_id]
    names, current, seen = [], node_id, set()
    while current is not None and current not in seen:
        seen.add(current)
        row = db.execute("SELECT name, parent_id FROM nodes WHERE id = ?", (current,)).fetchone()
        if row is None:
            break
        names.append(row[0])
        current = row[1]
    if names and current is None:
        label = "/".join(reversed(names))
    else:
        row = db.execute("SELECT row FROM audit_rows WHERE tbl = 'nodes' AND row_id = ? AND row IS NOT NULL "
                         "ORDER BY seq DESC LIMIT 1", (node_id,)).fetchone()
        label = json.loads(row[0]).get("name", "a removed node") if row else "a removed node"
    cache[node_id] = label
    return label


def node_label_at(db: Any, node_id: int | None, seq: int, cache: dict) -> str:
    """The node as it was called just after event ``seq``: its path now, unless it was renamed since."""
    now = _node_label(db, node_id, cache)
    if node_id is None:
        return now
    row = db.execute("SELECT row FROM audit_rows WHERE tbl = 'nodes' AND row_id = ? AND seq <= ? AND row IS NOT NULL "
                     "ORDER BY seq DESC LIMIT 1", (node_id, seq)).fetchone()
    then = json.loads(row[0]).get("name") if row else None
    return now if not then or now == then or now.endswith("/" + then) else then


def _source_name(db: Any, source_id: int | None) -> str:
    row = db.execute("SELECT name FROM sources WHERE id = ?", (source_id,)).fetchone() if source_id else None
    return row[0] if row else "a removed source"


def _quote(db: Any, source_id: int | None, start: int, end: int) -> str:
    if source_id is None or end <= start:
        return ""
    row = db.execute("SELECT substr(text, ?, ?) FROM sources WHERE id = ?", (start + 1, end - start, source_id)
                     ).fetchone()
    return row[0] if row and row[0] else ""


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


def _marker_hits(db: Any, hit_ids: set[int]) -> dict[int, MarkerHitInfo]:
    if not hit_ids:
        return {}
    marks = ", ".join("?" * len(hit_ids))
    rows = db.execute(
        "SELECT h.id, h.run_id, h.marker, h.act, h.polarity, h.status, h.decided_by, h.decided_at, "
        f"r.kind, r.query, r.lexicon, r.lexicon_version FROM search_hits h LEFT JOIN search_runs r ON r.id = h.run_id "
        f"WHERE h.id IN ({marks}) ORDER BY h.id", sorted(hit_ids)).fetchall()
    out = {}
    for hid, run_id, marker, act, polarity, status, by, at, kind, query, lex, version in rows:
        if kind == "markers" and lex:
            run = f"marker run #{run_id} (lexicon '{lex}'{f' v{version}' if version else ''})"
        elif query:
            run = f"search run #{run_id} ('{query}')"
        else:
            run = f"run #{run_id}"
        out[hid] = MarkerHitInfo(hid, run_id, run, marker, act, polarity or "positive", status, by or "", at or "")
    return out


def _seqs_for_row(db: Any, table: str, row_id: int) -> list[tuple[int, str | None, str | None]]:
    return db.execute("SELECT seq, digest, row FROM audit_rows WHERE tbl = ? AND row_id = ? ORDER BY seq",
                      (table, row_id)).fetchall()


def _old_bulk_events(db: Any, coding_id: int) -> list[int]:
    """Bulk events from before row digests that carry the coding in their JSON."""
    first = db.execute("SELECT min(seq) FROM audit_events WHERE rows_hash IS NOT NULL").fetchone()[0]
    marks = ", ".join("?" * len(_OLD_BULK))
    # Read by seq (the events before the first digests), not by action: after the upgrade a
    # project can hold many more such events, none of which is wanted here.
    sql = (f"SELECT seq, action, before, after FROM audit_events WHERE seq < ? AND +action IN ({marks}) "
           "AND (instr(before, ?) > 0 OR instr(after, ?) > 0)")
    args: list = [first if first is not None else 1 << 62, *_OLD_BULK, str(coding_id), str(coding_id)]
    found = []
    for seq, action, before, after in db.execute(sql, args).fetchall():
        if _bulk_effect(action, _json(before) or {}, _json(after) or {}, coding_id) is not None:
            found.append(seq)
    return found


def _bulk_effect(action: str, before: dict, after: dict, coding_id: int) -> str | None:
    """What a bulk event did to the coding, from its JSON: created | linked | moved | collapsed | removed."""
    if action == "hits.accept":
        ds = [d for d in after.get("decisions", []) if d.get("coding") == coding_id]
        return ("created" if any(d.get("created") for d in ds) else "linked") if ds else None
    if action == "hits.reject":
        if any(c.get("id") == coding_id for c in before.get("removed_codings", [])):
            return "removed"
        return "unlinked" if any(d.get("coding") == coding_id for d in after.get("decisions", [])) else None
    if action == "node.merge":
        if coding_id in before.get("moved_codings", []):
            return "moved"
        return "collapsed" if any(c.get("id") == coding_id for c in before.get("collapsed_codings", [])) else None
    if action == "node.delete":
        return "removed" if any(c.get("id") == coding_id for c in before.get("codings") or []) else None
    return None


def coding_history(conn: Connection, coding_id: int) -> CodingHistory:
    """The history of coding ``coding_id`` (current or removed); NotFound if no record of it exists."""
    from .passage_lines import describe

    db = driver_connection(conn.connection)
    coding_id = int(coding_id)
    row_events = _seqs_for_row(db, "codings", coding_id)
    seqs = {seq for seq, _d, _r in row_events}
    seqs.update(s for (s,) in db.execute(
        "SELECT seq FROM audit_events WHERE entity = 'coding' AND entity_id = ?", (coding_id,)).fetchall())
    seqs.update(_old_bulk_events(db, coding_id))
    current = db.execute('SELECT source_id, node_id, start, "end", coder, created_at, origin FROM codings '
                         "WHERE id = ?", (coding_id,)).fetchone()
    if not seqs and current is None:
        raise NotFound(f"There is no coding {coding_id}, and the audit trail has no record of one. "
                       "List codings with 'qdaapp codings PROJECT'.")
    hit_ids = {h for (h,) in db.execute("SELECT id FROM search_hits WHERE coding_id = ?", (coding_id,)).fetchall()}
    memo_ids = [m for (m,) in db.execute("SELECT id FROM memos WHERE target_type = 'coding' AND target_id = ?",
                                         (coding_id,)).fetchall()]
    events = _events(db, seqs)
    for e in events.values():  # hits named in accepting or rejecting events
        if e["action"] in ("hits.accept", "hits.reject"):
            hit_ids.update(d["hit"] for d in (e["after"] or {}).get("decisions", []) if d.get("coding") == coding_id)
    extra: set[int] = set()
    for hid in hit_ids:
        extra.update(seq for seq, _d, _r in _seqs_for_row(db, "search_hits", hid))
    for mid in memo_ids:
        extra.update(seq for seq, _d, _r in _seqs_for_row(db, "memos", mid))
        extra.update(s for (s,) in db.execute(
            "SELECT seq FROM audit_events WHERE entity = 'memo' AND entity_id = ?", (mid,)).fetchall())
    events.update(_events(db, extra - set(events)))
    hits = _marker_hits(db, hit_ids)
    nodes: dict = {}
    described = describe(db, coding_id, events, {seq: (d, r) for seq, d, r in row_events}, hits, nodes,
                         set(memo_ids))
    lines, last_row = described.lines, described.row
    if current is not None:
        source_id, node_id, start, end, coder, created_at, origin = current
    else:
        last_row = last_row or {}
        source_id, node_id = last_row.get("source_id"), last_row.get("node_id")
        start, end = int(last_row.get("start", 0)), int(last_row.get("end", 0))
        coder, created_at, origin = last_row.get("coder", ""), last_row.get("created_at", ""), \
            last_row.get("origin", "")
    # Renames and moves of the node it is at, since it was made (not its description or colour).
    if node_id is not None:
        first = min((ln.seq for ln in lines), default=0)
        for seq, time, by, action, summary, reason in db.execute(
                "SELECT seq, time, coder, action, summary, reason FROM audit_events WHERE entity = 'node' "
                "AND entity_id = ? AND seq > ? AND (action = 'node.move' OR action = 'node.update' "
                "AND substr(summary, 1, 12) = 'rename node ') ORDER BY seq",
                (node_id, first)).fetchall():
            lines.append(HistoryLine(seq, time, by, action, "node", f"Its node: {summary}.", reason))
    lines.sort(key=lambda ln: ln.seq)
    how = origin_words(origin)
    made_by_hits = [h for h in hits.values() if origin == f"markers:{h.run_id}"]
    if made_by_hits:
        how = f"from marker {made_by_hits[0].phrase()}" + (
            f" and {len(made_by_hits) - 1} more hit(s)" if len(made_by_hits) > 1 else "")
    memos = tuple(MemoNote(*r) for r in db.execute(
        "SELECT id, title, text, author, updated_at FROM memos WHERE target_type = 'coding' AND target_id = ? "
        "ORDER BY id", (coding_id,)).fetchall())
    node_memos = tuple(MemoNote(*r) for r in db.execute(
        "SELECT id, title, text, author, updated_at FROM memos WHERE target_type = 'node' AND target_id = ? "
        "ORDER BY id", (node_id,)).fetchall()) if node_id is not None else ()
    return CodingHistory(
        coding_id, current is not None, _source_name(db, source_id), source_id, start, end,
        _quote(db, source_id, start, end), _node_label(db, node_id, nodes), node_id, coder or "", created_at or "",
        origin or "", how, tuple(lines), memos, node_memos, tuple(hits[k] for k in sorted(hits)))


def _events(db: Any, seqs: set[int]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    ordered = sorted(seqs)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i:i + 500]
        for r in db.execute(f"SELECT {_EVENT_COLUMNS} FROM audit_events WHERE seq IN ({', '.join('?' * len(chunk))})",
                            chunk).fetchall():
            out[r[0]] = {"seq": r[0], "time": r[1], "coder": r[2], "action": r[3], "entity": r[4],
                         "entity_id": r[5], "summary": r[6], "before": _json(r[7]), "after": _json(r[8]),
                         "reason": r[9] or "", "rows_hash": r[10]}
    return out


def coding_origin(conn: Connection, coding_id: int) -> str:
    """When and how a current coding was made, for a tooltip: "coded by Ana on 3 May, from marker 'have to'"."""
    db = driver_connection(conn.connection)
    row = db.execute("SELECT coder, created_at, origin FROM codings WHERE id = ?", (int(coding_id),)).fetchone()
    if row is None:
        return ""
    coder, created_at, origin = row
    how = origin_words(origin)
    if (origin or "").startswith("markers:"):
        hit = db.execute("SELECT marker, polarity FROM search_hits WHERE coding_id = ? ORDER BY id LIMIT 1",
                         (int(coding_id),)).fetchone()
        if hit is not None:
            how = f"from marker '{hit[0]}'" + (" (negated)" if hit[1] == NEGATED else "")
    return f"coded by {coder} on {day_text(created_at)}, {how}"


def coding_of_hit(conn: Connection, hit_id: int) -> int | None:
    """The coding an accepted marker hit made or joined, or None."""
    row = driver_connection(conn.connection).execute(
        "SELECT coding_id FROM search_hits WHERE id = ?", (int(hit_id),)).fetchone()
    return row[0] if row else None


def codings_at(conn: Connection, source_id: int, start: int, end: int) -> list[tuple[int, str, str]]:
    """(coding id, node path, coder) of the codings overlapping ``[start, end)`` of a source, shortest first."""
    db = driver_connection(conn.connection)
    rows = db.execute('SELECT id, node_id, coder FROM codings WHERE source_id = ? AND start < ? AND "end" > ? '
                      'ORDER BY "end" - start, id', (int(source_id), int(end), int(start))).fetchall()
    nodes: dict = {}
    return [(cid, _node_label(db, node_id, nodes), coder) for cid, node_id, coder in rows]
