"""What each audit event touched, kept as an index: ``audit_refs(seq, kind, ref_id)``.

The audit viewer and ``qdaapp audit`` narrow the timeline to one node, source
or case. A bulk event (accept 227 marker hits, merge two nodes, delete a source
with its codings) names none of the rows it wrote in its own fields, so each
event's references are written beside it, in the same transaction, from:

* the rows it wrote (``undo_ops``): the row itself and what it points to, in
  its old and its new values, so that a removed row is found too (a coding
  names its node and source, a node its parent, a source its case, a memo
  its target...);
* the event's own fields: its entity, and the ``node_id``/``source_id``/
  ``case_id`` and memo target its snapshots name (events recorded besides a
  command's main event write no rows of their own);
* the case of every source it touched.

:func:`write` indexes a range of events; the migration to schema 0011 runs it
over the whole trail. The table is derived bookkeeping, not the user's work:
it has no undo capture and no row digests.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection

from .db import driver_connection

# Per table of user work: the kind of the row itself (or None), and (kind, column) of what it points to.
# A kind written "=column" is read from that column (a memo's target_type, a framework cell's row_kind).
ROW_REFS: dict[str, tuple[str | None, tuple[tuple[str, str], ...]]] = {
    "codings": ("coding", (("node", "node_id"), ("source", "source_id"))),
    "nodes": ("node", (("node", "parent_id"),)),
    "sources": ("source", (("case", "case_id"),)),
    "cases": ("case", ()),
    "attributes": ("attribute", ()),
    "attribute_values": (None, (("attribute", "attribute_id"), ("case", "case_id"), ("source", "source_id"))),
    "memos": ("memo", (("=target_type", "target_id"),)),
    "search_runs": ("run", ()),
    "search_hits": (None, (("source", "source_id"), ("run", "run_id"))),
    "accounts": ("account", ()),
    "account_passages": (None, (("account", "account_id"), ("source", "source_id"))),
    "fragments": ("fragment", (("account", "account_id"), ("case", "case_id"))),
    "fragment_passages": (None, (("fragment", "fragment_id"), ("source", "source_id"))),
    "fragment_links": (None, (("fragment", "from_id"), ("fragment", "to_id"))),
    "actors": ("actor", ()),
    "actant_roles": (None, (("account", "account_id"),)),
    "framework_cells": (None, (("=row_kind", "row_id"), ("=col_kind", "col_id"))),
    "speakers": ("speaker", ()),
    "lexicons": ("lexicon", ()),
}
# The kinds an event's entity may name; other entities (project, event, chain) are not items.
KINDS = frozenset({"coding", "node", "source", "case", "attribute", "memo", "run", "account", "fragment",
                   "actor", "speaker", "lexicon", "link"})
# Paths into an event's before/after snapshots that name an item.
# Keys of an event's before/after snapshot (and of a coding inside it) that name an item.
_SNAPSHOT_KEYS = (("node_id", "node"), ("source_id", "source"), ("case_id", "case"), ("parent_id", "node"),
                  ("into", "node"), ("account_id", "account"), ("fragment_id", "fragment"))

_INSERT = "INSERT OR IGNORE INTO audit_refs(seq, kind, ref_id) "


def _kind(kind: str, alias: str) -> str:
    """SQL for a kind: a literal, or read from a column ('=col') of the row as ``alias`` holds it."""
    if not kind.startswith("="):
        return f"'{kind}'"
    col = kind[1:]
    return alias.format(col=col)


def _row_statements(table: str, recorded: bool) -> list[str]:
    """Statements that index the rows ``table`` lost, changed or gained in events ``:first``-``:last``.

    An added row is read as it is now, or with ``recorded`` as the event recorded it (audit_rows),
    when it still holds it: the upgrade indexes events whose rows may have changed since."""
    own, refs = ROW_REFS[table]
    ops = f"FROM undo_ops u WHERE u.tbl = '{table}' AND u.event_seq BETWEEN :first AND :last"
    out = []
    if own:
        out.append(f"{_INSERT}SELECT DISTINCT u.event_seq, '{own}', u.row_id {ops}")
    for kind, col in refs:
        for snap in ("old", "new"):  # a removed or changed row as it was, a changed row as it became
            k = _kind(kind, f"json_extract(u.{snap}, '$.{{col}}')")
            out.append(f"{_INSERT}SELECT DISTINCT u.event_seq, {k}, json_extract(u.{snap}, '$.{col}') {ops} "
                       f"AND u.{snap} IS NOT NULL AND json_extract(u.{snap}, '$.{col}') IS NOT NULL")
        k_now = _kind(kind, 't."{col}"')
        if not recorded:
            out.append(f"{_INSERT}SELECT * FROM (SELECT DISTINCT u.event_seq AS s, {k_now} AS k, t.\"{col}\" AS r "
                       f"FROM undo_ops u JOIN \"{table}\" t ON t.rowid = u.row_id WHERE u.tbl = '{table}' "
                       f"AND u.op = 'I' AND u.event_seq BETWEEN :first AND :last) "
                       "WHERE r IS NOT NULL AND k IS NOT NULL")
            continue
        # An added row: as the event recorded it (audit_rows), else as it is now.
        k_rec = _kind(kind, "json_extract(ar.row, '$.{col}')")
        value = f"CASE WHEN ar.row IS NOT NULL THEN json_extract(ar.row, '$.{col}') ELSE t.\"{col}\" END"
        kind_sql = f"CASE WHEN ar.row IS NOT NULL THEN {k_rec} ELSE {k_now} END" if kind.startswith("=") else k_rec
        out.append(
            f"{_INSERT}SELECT * FROM (SELECT DISTINCT u.event_seq AS s, {kind_sql} AS k, {value} AS r "
            f"FROM undo_ops u LEFT JOIN audit_rows ar ON ar.seq = u.event_seq AND ar.tbl = u.tbl "
            f"AND ar.row_id = u.row_id LEFT JOIN \"{table}\" t ON t.rowid = u.row_id "
            f"WHERE u.tbl = '{table}' AND u.op = 'I' AND u.event_seq BETWEEN :first AND :last) "
            f"WHERE r IS NOT NULL AND k IS NOT NULL")
    if table == "search_runs":  # a run's hits come with it, their inserts not captured one by one
        out.append(f"{_INSERT}SELECT DISTINCT u.event_seq, 'source', h.source_id FROM undo_ops u "
                   "JOIN search_hits h ON h.run_id = u.row_id "
                   "WHERE u.tbl = 'search_runs' AND u.op = 'I' AND u.event_seq BETWEEN :first AND :last")
    return out


def event_refs(events: Iterable[tuple[int, str, Any, Any, Any]]) -> list[tuple[int, str, int]]:
    """(seq, kind, id) of what events name in their own fields, sorted as the index keeps them:
    ``(seq, entity, entity_id, before, after)`` with the snapshots as values (or their JSON text)."""
    out: set[tuple[int, str, int]] = set()
    add = out.add
    for seq, entity, entity_id, before, after in events:
        if entity in KINDS and type(entity_id) is int:
            add((seq, entity, entity_id))
        for snap in (before, after):
            if isinstance(snap, str):
                try:
                    snap = json.loads(snap)
                except ValueError:
                    continue
            if not isinstance(snap, dict):
                continue
            inner = snap.get("coding")
            for holder in (snap, inner) if isinstance(inner, dict) else (snap,):
                for key, kind in _SNAPSHOT_KEYS:
                    value = holder.get(key)
                    if type(value) is int:
                        add((seq, kind, value))
            target, ident = snap.get("target_type"), snap.get("target_id")
            if target in KINDS and type(ident) is int:
                add((seq, target, ident))
    return sorted(out, key=lambda r: (r[1], r[2], r[0]))


_CASES_OF_SOURCES = (f"{_INSERT}SELECT r.seq, 'case', s.case_id FROM audit_refs r JOIN sources s ON s.id = r.ref_id "
                     "WHERE r.kind = 'source' AND r.seq BETWEEN :first AND :last AND s.case_id IS NOT NULL")


# A source removed since: its case as its removal recorded it (the first removal after the event).
_CASES_OF_REMOVED_SOURCES = (
    f"{_INSERT}SELECT r.seq, 'case', (SELECT json_extract(u.old, '$.case_id') FROM undo_ops u "
    "WHERE u.tbl = 'sources' AND u.op = 'D' AND u.row_id = r.ref_id AND u.event_seq > r.seq "
    "ORDER BY u.event_seq LIMIT 1) AS c FROM audit_refs r WHERE r.kind = 'source' "
    "AND r.seq BETWEEN :first AND :last AND c IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM sources s WHERE s.id = r.ref_id)")


def write(conn: Connection, first: int, last: int, removed_sources: bool = False,
          events: list[tuple[int, str, Any, Any, Any]] | None = None) -> None:
    """Index what events ``first`` to ``last`` touched (their rows must be tied to them in ``undo_ops``).

    ``events``: their ``(seq, entity, entity_id, before, after)`` when the caller has them (else read).
    ``removed_sources``: also find the case of a source removed since (the upgrade's backfill).
    """
    if last < first:
        return
    params = {"first": first, "last": last}
    raw = driver_connection(conn.connection)
    tables = [r[0] for r in raw.execute(
        "SELECT DISTINCT tbl FROM undo_ops WHERE event_seq BETWEEN :first AND :last", params)]
    for table in tables:
        if table in ROW_REFS:
            for statement in _row_statements(table, recorded=removed_sources):
                raw.execute(statement, params)
    if events is None:
        events = raw.execute("SELECT seq, entity, entity_id, before, after FROM audit_events "
                             "WHERE seq BETWEEN :first AND :last", params).fetchall()
    raw.executemany(f"{_INSERT}VALUES (?, ?, ?)", event_refs(events))
    raw.execute(_CASES_OF_SOURCES, params)
    if removed_sources:
        raw.execute(_CASES_OF_REMOVED_SOURCES, params)


def index_events(conn: Connection, seq: int, main: tuple, extras: list[tuple]) -> None:
    """Index a command's event ``seq`` and the extras recorded after it, all as
    ``(action, entity, entity_id, summary, before, after)`` (see ``commands.record``)."""
    events = [(seq + i, e[1], e[2], e[4], e[5]) for i, e in enumerate([main, *extras])]
    write(conn, seq, seq + len(extras), events=events)
    # One import of several files is one event per file, but the rows are all the first event's:
    # an item that has an event of its own among them (same action) is that event's alone.
    own = [(e[1], e[2]) for e in extras if e[0] == main[0] and e[2] is not None and (e[1], e[2]) != main[1:3]]
    if own:
        driver_connection(conn.connection).executemany(
            "DELETE FROM audit_refs WHERE kind = ? AND ref_id = ? AND seq = ?", [(k, i, seq) for k, i in own])


def backfill(conn: Connection) -> None:
    """Index every event of the trail (the upgrade to schema 0011), best effort: an event before
    row capture is indexed from its own fields; an added row no longer there from its recorded digest text."""
    last = conn.exec_driver_sql("SELECT max(seq) FROM audit_events").scalar()
    if last:
        step = 20_000
        for first in range(1, int(last) + 1, step):
            write(conn, first, min(first + step - 1, int(last)), removed_sources=True)


def events_about(kind: str, ref_id: int):  # a SQLAlchemy select
    """The seqs of the events that touched item ``kind`` ``ref_id`` (a subquery for a filter)."""
    from sqlalchemy import column, select, table

    refs = table("audit_refs", column("seq"), column("kind"), column("ref_id"))
    return select(refs.c.seq).where(refs.c.kind == kind, refs.c.ref_id == ref_id)
