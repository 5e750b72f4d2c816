"""The append-only, hash-chained audit log, and the digests that tie the data to it.

Every command appends exactly one event in the same transaction as its
change. Each event's hash covers its own fields and the previous event's
hash, so editing or deleting any row breaks the chain from that row on, and
:func:`verify` names the first event that no longer fits.

The head of the chain (its last seq and hash) is also kept in ``meta``, so
removing the last events is caught; printed short, it is the project's
**seal** (:func:`seal`), which travels outside the file in every report,
export and backup, and ``verify(seal=...)`` proves the chain still holds and
extends it.

Each event since schema 0009 also records a digest of every row it wrote
(``audit_rows``: table, row id, digest, or none for a removed row), and its
hash covers those digests (``rows_hash``). :func:`verify` recomputes the
digest of every current row of the user's work and names each row that was
changed, added or removed without an event.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock_time
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from .db import driver_connection
from .models import AuditEvent, utcnow

GENESIS = "0" * 64


def _encoder(sort_keys: bool) -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)``, made once.

    json.dumps with options builds an encoder per call, a third of the time of verifying a long
    chain; the C encoder is made once here instead, and checked to write the very same text.
    """
    plain = json.JSONEncoder(ensure_ascii=False, sort_keys=sort_keys, separators=(",", ":"))
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython has it
        return plain.encode
    fast = make(None, plain.default, json.encoder.encode_basestring, None, ":", ",", sort_keys, False, True)

    def encode(value: Any) -> str:
        return "".join(fast(value, 0))

    sample = [1, "é 😀 \"q\"\n", None, 2.5, -0.1, {"b": 1, "a": [True, False]}, "", 10**20]
    if encode(sample) != json.dumps(sample, ensure_ascii=False, sort_keys=sort_keys, separators=(",", ":")):
        return plain.encode  # pragma: no cover
    return encode


_CHAIN_JSON = _encoder(False)
_ROW_JSON = _encoder(True)


def _fetched(cursor, size: int = 5000):  # a driver cursor
    while True:
        batch = cursor.fetchmany(size)
        if not batch:
            return
        yield from batch


def to_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_hash(
    seq: int,
    time: str,
    coder: str,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str,
    before: str | None,
    after: str | None,
    reason: str,
    prev_hash: str,
    rows_hash: str | None = None,
) -> str:
    fields = [seq, time, coder, action, entity, entity_id, summary, before, after, reason, prev_hash]
    if rows_hash is not None:  # events before schema 0009 have none, and keep their hashes
        fields.append(rows_hash)
    return hashlib.sha256(_CHAIN_JSON(fields).encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    coder: str,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
    rows_hash: str | None = None,
) -> AuditEvent:
    """Add the next event to the chain inside the caller's (write) transaction."""
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    time = utcnow()
    before_s, after_s = to_json(before), to_json(after)
    digest = event_hash(seq, time, coder, action, entity, entity_id, summary, before_s, after_s, reason, prev,
                        rows_hash)
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
        rows_hash=rows_hash,
    )
    session.add(event)
    _keep_head(session.connection(), seq, digest)
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
        rows.append((seq, time, coder, action, entity, entity_id, summary, before_s, after_s, reason, prev, digest,
                     None))
        prev = digest
    if rows:
        names = ", ".join(f'"{c.key}"' for c in _COLUMNS)
        conn = session.connection()
        conn.exec_driver_sql(
            f'INSERT INTO "{AuditEvent.__tablename__}" ({names}) VALUES ({", ".join("?" * len(_COLUMNS))})', rows)
        _keep_head(conn, seq, prev)
    return seq


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
    AuditEvent.rows_hash,
)


# ---------------------------------------------------------------------- the kept head and the seal
HEAD_KEY = "audit_head"
_SEAL_HEX = 20  # 80 bits of the head's hash: short enough to copy, far too long to forge by trial


def _keep_head(conn: Connection, seq: int, digest: str) -> None:
    """Record the chain's new head with the data, in the same transaction as the event."""
    conn.exec_driver_sql(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (HEAD_KEY, f"{seq} {digest}"))


def kept_head(conn: Connection) -> tuple[int, str] | None:
    """(seq, hash) of the last event as recorded with the data, or None before the first event."""
    value = conn.exec_driver_sql("SELECT value FROM meta WHERE key = ?", (HEAD_KEY,)).scalar()
    if not value:
        return None
    seq, digest = str(value).split(" ", 1)
    return int(seq), digest


def seal_string(seq: int, digest: str) -> str:
    return f"{seq}-{digest[:_SEAL_HEX]}"


def seal(conn: Connection) -> str:
    """The project's seal: the last event's seq and the start of its hash ("0-" before any event)."""
    last = conn.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return seal_string(last[0], last[1]) if last else seal_string(0, GENESIS)


def seal_of_file(path: Any) -> str:
    """The seal of the project file at ``path`` (a backup copy), read with sqlite3 alone."""
    import sqlite3
    from pathlib import Path

    con = sqlite3.connect(f"file:{Path(path).resolve().as_posix()}?mode=ro", uri=True)
    try:
        last = con.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return seal_string(last[0], last[1]) if last else seal_string(0, GENESIS)


_SEAL_RE = re.compile(r"^\s*(?:seal:?\s*)?(\d+)-([0-9a-fA-F]{8,64})\s*$")


def parse_seal(text: str) -> tuple[int, str]:
    """``(seq, hash prefix)`` of a seal as printed (``57-3f2a…``); ValueError if it is not one."""
    m = _SEAL_RE.match(text or "")
    if not m:
        raise ValueError(f"'{text}' is not a seal; a seal looks like 57-3f2a9c0d1e2f3a4b5c6d.")
    return int(m.group(1)), m.group(2).lower()


# ---------------------------------------------------------------------- row digests
# A row's digest covers every non-null column by name, so a column added later with no value
# leaves the digests as they were. Binary values enter by their SHA-256.
_ROW_KEEP = 1000  # a row's canonical text up to this length is kept, to say what changed
_EMPTY_ROWS = hashlib.sha256(b"").hexdigest()
_NAMES = {"codings": "coding", "nodes": "node", "sources": "source", "memos": "memo", "cases": "case",
          "attributes": "attribute", "attribute_values": "attribute value", "accounts": "account",
          "account_passages": "account passage", "fragments": "fragment", "fragment_passages": "fragment passage",
          "fragment_links": "fragment link", "actors": "actor", "actant_roles": "actant role",
          "framework_cells": "framework cell", "lexicons": "lexicon", "search_runs": "search run",
          "search_hits": "search hit", "speakers": "speaker"}


def row_name(table: str) -> str:
    return _NAMES.get(table, table)


def digested_tables(conn: Connection) -> list[str]:
    """The tables of the user's work: those the undo triggers capture (see history.capture_sql)."""
    names = conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'undo\\_%\\_ad' ESCAPE '\\'"
    ).scalars().all()
    return sorted(n[len("undo_"):-len("_ad")] for n in names)


def _canon_rows(cursor_rows, columns: list[str]):  # a driver cursor's rows
    """Yield (rowid, digest, canonical text) of rows read as ``SELECT rowid, * ...``.

    The canonical text is the JSON object of the row's non-null columns, keys sorted (a dict
    built in sorted column order is written as ``sort_keys`` would write it). Binary values
    enter by their SHA-256.
    """
    encode, sha = _CHAIN_JSON, hashlib.sha256
    order = sorted(range(1, len(columns)), key=lambda i: columns[i])
    pairs = [(columns[i], i) for i in order]
    for row in cursor_rows:
        values = {name: row[i] for name, i in pairs if row[i] is not None}
        try:
            text = encode(values)
        except TypeError:  # a binary value (sources.original, or one put where text belongs)
            text = encode({k: ("sha256:" + sha(bytes(v)).hexdigest() if isinstance(v, (bytes, memoryview)) else v)
                           for k, v in values.items()})
        yield row[0], sha(text.encode("utf-8")).hexdigest()[:32], text


def _read_rows(conn: Connection, table: str, where: str = "", ids: list[int] | None = None):
    """Digest rows of ``table`` (all, or those ``where`` the rowid is in ``ids``), in chunks."""
    raw = driver_connection(conn.connection)
    chunks = [None] if ids is None else [ids[i:i + 500] for i in range(0, len(ids), 500)]
    for chunk in chunks:
        sql = f'SELECT rowid, * FROM "{table}"'
        if chunk is not None:
            sql += f" WHERE {where or 'rowid'} IN ({', '.join(str(int(i)) for i in chunk)})"
        cursor = raw.execute(sql)
        columns = [d[0] for d in cursor.description]
        while True:
            batch = cursor.fetchmany(2000)
            if not batch:
                break
            yield from _canon_rows(batch, columns)


PendingOps = list[tuple[str, str, int]]


def pending_ops(conn: Connection) -> PendingOps:
    """The row changes the capture triggers listed for this transaction, not yet tied to an event,
    in the order they were made: (table, op 'I'|'U'|'D', row id). Read once per command and shared
    by the row digests and the change's description (:mod:`qdaapp.core.touched`)."""
    cursor = driver_connection(conn.connection).cursor()
    try:
        cursor.execute("SELECT tbl, op, row_id FROM undo_ops WHERE event_seq IS NULL ORDER BY id")
        return cursor.fetchall()
    finally:
        cursor.close()


def written_rows(conn: Connection, everything: bool = False,
                 pending: PendingOps | None = None) -> list[tuple[str, int, str | None, str | None]]:
    """The rows this transaction wrote so far, as (table, row id, digest or None if gone, canonical text).

    The capture triggers listed them in ``undo_ops`` (not yet tied to an event); each table is
    read once per 500 rows, so a bulk command digests thousands of rows in one pass. The hits of
    a search run are written with their run and not listed one by one: a run made here brings its
    hits. ``everything``: every row of every table (the baseline an upgraded project starts from).
    ``pending``: :func:`pending_ops`, when the caller has read it already.
    """
    entries: list[tuple[str, int, str | None, str | None]] = []
    if everything:
        for table in digested_tables(conn):
            entries.extend((table, rid, digest, text if len(text) <= _ROW_KEEP else None)
                           for rid, digest, text in _read_rows(conn, table))
        entries.sort(key=lambda e: (e[0], e[1]))
        return entries
    last_op: dict[tuple[str, int], str] = {}
    runs: set[int] = set()
    for table, op, row_id in (pending_ops(conn) if pending is None else pending):
        last_op[(table, int(row_id))] = op
        if table == "search_runs" and op == "I":
            runs.add(int(row_id))
    wanted: dict[str, list[int]] = {}
    for (table, row_id), op in last_op.items():
        if op == "D" and table != "search_hits":  # gone: its last change here removed it
            entries.append((table, row_id, None, None))
            continue
        wanted.setdefault(table, []).append(row_id)
    found: dict[tuple[str, int], tuple[str, str]] = {}
    for table, ids in wanted.items():
        for rid, digest, text in _read_rows(conn, table, ids=sorted(ids)):
            found[(table, rid)] = (digest, text)
    if runs:
        # A search run's hits are written with it, and their inserts are not captured one by one.
        hits = wanted.setdefault("search_hits", [])
        for rid, digest, text in _read_rows(conn, "search_hits", "run_id", sorted(runs)):
            if ("search_hits", rid) not in found:
                found[("search_hits", rid)] = (digest, text)
                hits.append(rid)
    for table, ids in wanted.items():
        for rid in ids:
            digest, text = found.get((table, rid), (None, None))
            entries.append((table, rid, digest, text if text is not None and len(text) <= _ROW_KEEP else None))
    entries.sort(key=lambda e: (e[0], e[1]))
    return entries


def _row_line(table: str, row_id: int, digest: str | None) -> bytes:
    return f"{table}\t{row_id}\t{digest or '-'}\n".encode()


def rows_hash(entries: list[tuple]) -> str:
    """The hash an event's record of its rows has (entries sorted by table and row id)."""
    h = hashlib.sha256()
    for table, row_id, digest, _text in entries:
        h.update(_row_line(table, row_id, digest))
    return h.hexdigest()


def store_rows(conn: Connection, seq: int, entries: list[tuple]) -> None:
    if entries:
        conn.exec_driver_sql("INSERT INTO audit_rows(seq, tbl, row_id, digest, row) VALUES (?, ?, ?, ?, ?)",
                             [(seq, *e) for e in entries])


# ---------------------------------------------------------------------- verify
@dataclass(frozen=True)
class RowFinding:
    """A row of the user's work that does not match its history."""

    table: str
    row_id: int
    kind: str  # changed | added | removed
    detail: str = ""

    def message(self) -> str:
        text = f"{row_name(self.table)} {self.row_id} {self.kind} outside the app"
        return text + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    problem: str = ""
    findings: tuple[RowFinding, ...] = ()
    notes: tuple[str, ...] = ()
    seal: str = ""  # the seal of the chain as it is

    def message(self) -> str:
        if self.first_bad_seq is not None:
            lines = [f"audit chain broken at event {self.first_bad_seq}: {self.problem}"]
        elif self.problem:
            lines = [f"audit chain does not match: {self.problem}"]
        elif self.findings:
            lines = [f"audit chain verified: {self.events} events, but {len(self.findings)} row(s) do not match "
                     "their history:"]
        else:
            lines = [f"audit chain verified: {self.events} events; every row matches its history"]
        lines += [f"  {f.message()}" for f in self.findings]
        lines += list(self.notes)
        return "\n".join(lines)


def _shown(value: Any) -> str:
    return "(none)" if value is None else (repr(value) if isinstance(value, str) else str(value))


def _changes(old: str | None, new: str) -> str:
    if old is None:
        return ""
    before, after = json.loads(old), json.loads(new)
    parts = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a != b:
            parts.append(f"{key} {_shown(a)[:60]} -> {_shown(b)[:60]}")
    return "; ".join(parts)


def verify(conn: Connection, seal: str | None = None) -> VerifyResult:
    """Walk the whole chain in order, then check its kept head, the seal and every row's digest.

    The chain walk stops at the first event that does not fit. ``seal`` (as :func:`seal` printed
    it) must name an event the chain still holds, with that hash.
    """
    sealed = parse_seal(seal) if seal else None
    prev = GENESIS
    expected_seq = 1
    count = 0
    row_hashes: dict[int, str] = {}
    sealed_hash = None
    baseline_seq = None
    names = ", ".join(f'"{c.key}"' for c in _COLUMNS)
    cursor = driver_connection(conn.connection).execute(
        f'SELECT {names} FROM "{AuditEvent.__tablename__}" ORDER BY seq')
    sha = hashlib.sha256
    encode = _CHAIN_JSON
    for row in _fetched(cursor):
        seq, time, coder, action, entity, entity_id, summary, before, after, reason, prev_hash, digest, rh = row
        if seq != expected_seq:
            return VerifyResult(False, count, expected_seq, f"event {expected_seq} is missing (next is {seq})")
        if prev_hash != prev:
            return VerifyResult(False, count, seq, "it does not point to the event before it")
        fields = [seq, time, coder, action, entity, entity_id, summary, before, after, reason, prev_hash]
        if rh is not None:
            fields.append(rh)
            row_hashes[seq] = rh
            if action == "audit.baseline" and baseline_seq is None:
                baseline_seq = seq
        payload = encode(fields)
        if sha(payload.encode("utf-8")).hexdigest() != digest:
            return VerifyResult(False, count, seq, "its content was changed after it was written")
        if sealed is not None and seq == sealed[0]:
            sealed_hash = digest
        prev = digest
        expected_seq += 1
        count += 1
    now_seal = seal_string(count, prev)
    problems: list[str] = []
    first_bad: int | None = None
    head = kept_head(conn)
    if head is not None:
        if count < head[0]:
            first_bad = count + 1
            problems.append(f"event {count + 1} is missing: the project recorded events up to {head[0]}, "
                            f"the chain ends at {count} (events were removed)")
        elif count > head[0]:
            problems.append(f"events {head[0] + 1} to {count} were added to the chain outside the app")
        elif prev != head[1]:
            problems.append("the chain's last event is not the one the project recorded (the chain was rewritten)")
    if sealed is not None:
        if sealed[0] > count:
            first_bad = first_bad or count + 1
            problems.append(f"the seal is for event {sealed[0]} but the chain ends at {count} (events were removed)")
        elif sealed[0] == 0:
            pass
        elif sealed_hash is None or not sealed_hash.startswith(sealed[1]):
            first_bad = first_bad or sealed[0]
            problems.append(f"event {sealed[0]} is not the event sealed (the chain was rewritten up to it)")
    findings, notes = _check_rows(conn, row_hashes, count, problems)
    if baseline_seq is not None:
        notes.append(f"Rows written before event {baseline_seq} were not digested one by one; event "
                     f"{baseline_seq} (the upgrade) took the digests of the rows as they were then.")
    elif not row_hashes and count:
        notes.append("No event records row digests: the rows were not checked.")
    if sealed is not None and not problems:
        notes.append(f"The chain holds and extends the seal {seal_string(*sealed)}.")
    ok = not problems and not findings
    return VerifyResult(ok, count, first_bad, "; ".join(problems), tuple(findings), tuple(notes), now_seal)


def _check_rows(conn: Connection, row_hashes: dict[int, str], count: int,
                problems: list[str]) -> tuple[list[RowFinding], list[str]]:
    """Check each event's recorded rows against its hash, then every current row against its last digest."""
    notes: list[str] = []
    if not row_hashes:
        return [], notes
    latest: dict[str, dict[int, tuple[str | None, str | None]]] = {}
    seen: set[int] = set()
    bad_events: list[int] = []
    sha = hashlib.sha256
    cur_seq, h = None, sha()
    cursor = driver_connection(conn.connection).execute(
        "SELECT seq, tbl, row_id, digest, row FROM audit_rows ORDER BY seq, tbl, row_id")
    while True:
        batch = cursor.fetchmany(5000)
        for seq, table, row_id, digest, text in batch:
            if seq != cur_seq:
                if cur_seq is not None and row_hashes.get(cur_seq) != h.hexdigest():
                    bad_events.append(cur_seq)
                cur_seq, h = seq, sha()
                seen.add(seq)
            h.update(f"{table}\t{row_id}\t{digest or '-'}\n".encode())
            if seq <= count:
                latest.setdefault(table, {})[row_id] = (digest, text)
        if not batch:
            break
    if cur_seq is not None and row_hashes.get(cur_seq) != h.hexdigest():
        bad_events.append(cur_seq)
    bad_events += [s for s, value in row_hashes.items() if s not in seen and value != _EMPTY_ROWS]
    for seq in sorted(set(bad_events)):
        if seq > count:
            problems.append(f"row digests are recorded for event {seq}, which the chain does not hold")
        else:
            problems.append(f"the row digests recorded for event {seq} were changed after it was written")
    findings: list[RowFinding] = []
    for table in digested_tables(conn):
        digests = latest.get(table, {})
        present = set()
        for rid, digest, text in _read_rows(conn, table):
            present.add(rid)
            kept = digests.get(rid)
            if kept is None or kept[0] is None:
                findings.append(RowFinding(table, rid, "added"))
            elif kept[0] != digest:
                findings.append(RowFinding(table, rid, "changed", _changes(kept[1], text)))
        findings += [RowFinding(table, rid, "removed") for rid, (digest, _text) in digests.items()
                     if digest is not None and rid not in present]
    findings.sort(key=lambda f: (f.table, f.row_id))
    return findings, notes


@dataclass(frozen=True)
class EventFilter:
    """What the audit viewer and ``qdaapp audit`` narrow the timeline to.

    ``node_id``, ``source_id`` and ``case_id`` match every event that touched the item, as indexed
    in ``audit_refs``: its own events, those of rows that point to it, before or after the change (a
    coding of the node, the node's children, a source assigned to the case, a coding in a source of
    the case), bulk events among them (accept a marker's hits, merge, delete a source with its
    codings), and memos attached to it. A node's filter does not take in its descendants' codings.
    """

    coder: str | None = None
    action: str | None = None  # exact, or a prefix ending in '.' ("coding.")
    since: str | None = None  # ISO date or time, inclusive
    until: str | None = None  # ISO date or time, inclusive (a date means the whole day)
    text: str | None = None  # in the summary or reason, case-insensitive
    entity: str | None = None
    entity_id: int | None = None
    node_id: int | None = None  # events about this node or its codings
    source_id: int | None = None  # events about this source or its codings
    case_id: int | None = None  # events about this case, its attributes, or sources assigned to it
    actions: tuple[str, ...] = ()  # any of these (exact or prefixes), e.g. one of ACTION_GROUPS


# (label, prefixes or exact actions, [(action, label)]) in the order the audit viewer offers them.
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
    ("Coder agreement", ("disagreement.",),
     (("disagreement.keep", "keep one coder's coding"), ("disagreement.keep_both", "keep both coders' codings"),
      ("disagreement.consensus", "consensus coding"))),
    ("Memos and diary", ("memo.", "diary."), (("memo.create", "write memo"), ("memo.update", "edit memo"),
                                              ("memo.delete", "delete memo"), ("diary.create", "diary entry"))),
    ("Undo and redo", ("undo", "redo"), (("undo", "undo"), ("redo", "redo"))),
)


def action_group(name: str) -> tuple[str, ...] | None:
    """The actions of the group called ``name`` (case-insensitive), or None."""
    for label, actions, _items in ACTION_GROUPS:
        if label.lower() == name.strip().lower():
            return actions
    return None


def _match_action(action: str):
    return AuditEvent.action.startswith(action) if action.endswith(".") else AuditEvent.action == action


def _about(kind: str, ident: int):
    """Events that touched item ``kind`` ``ident`` (see :mod:`qdaapp.core.audit_refs`)."""
    from .audit_refs import events_about

    return AuditEvent.seq.in_(events_about(kind, ident))


def _filtered(f: EventFilter):
    from sqlalchemy import func, or_

    q = select(AuditEvent)
    conds = []
    if f.coder:
        conds.append(AuditEvent.coder == f.coder)
    if f.action:
        conds.append(_match_action(f.action))
    if f.actions:
        conds.append(or_(*[_match_action(a) for a in f.actions]))
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
    if f.case_id is not None:
        conds.append(_about("case", f.case_id))
    if f.node_id is not None:
        conds.append(_about("node", f.node_id))
    if f.source_id is not None:
        conds.append(_about("source", f.source_id))
    return q.where(*conds) if conds else q


def query_events(conn: Connection, f: EventFilter = EventFilter(), offset: int = 0,
                 limit: int | None = None, newest_first: bool = True) -> list[AuditEvent]:
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


# An event as plain values: (seq, time, coder, action, entity, entity_id, summary, before, after, reason),
# before and after as their stored JSON text.
EventRow = tuple


def _row_columns():
    return (AuditEvent.seq, AuditEvent.time, AuditEvent.coder, AuditEvent.action, AuditEvent.entity,
            AuditEvent.entity_id, AuditEvent.summary, AuditEvent.before, AuditEvent.after, AuditEvent.reason)


def event_rows(conn: Connection, f: EventFilter = EventFilter(), offset: int = 0,
               limit: int | None = None, newest_first: bool = True) -> list[EventRow]:
    """Like :func:`query_events`, as plain tuples (:data:`EventRow`)."""
    q = (_filtered(f).with_only_columns(*_row_columns())
         .order_by(AuditEvent.seq.desc() if newest_first else AuditEvent.seq).offset(offset))
    if limit is not None:
        q = q.limit(limit)
    return [tuple(r) for r in conn.execute(q)]


def row_of(e: AuditEvent) -> EventRow:
    """An event as an :data:`EventRow`."""
    return (e.seq, e.time, e.coder, e.action, e.entity, e.entity_id, e.summary, e.before, e.after, e.reason)


def event_row(conn: Connection, seq: int) -> EventRow | None:
    row = conn.execute(select(*_row_columns()).where(AuditEvent.seq == seq)).first()
    return tuple(row) if row is not None else None


def coders(conn: Connection) -> list[str]:
    """Everyone who appears in the timeline, by name."""
    return [c for c in conn.execute(select(AuditEvent.coder).distinct().order_by(AuditEvent.coder)).scalars() if c]


def time_span(conn: Connection) -> tuple[str | None, str | None]:
    """The stored times of the first and the last event."""
    from sqlalchemy import func

    first, last = conn.execute(select(func.min(AuditEvent.time), func.max(AuditEvent.time))).one()
    return first, last


def day_start_utc(day: date) -> str:
    """The first moment of a local calendar day, as a stored (UTC) time string."""
    moment = datetime.combine(day, clock_time.min).astimezone().astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def day_end_utc(day: date) -> str:
    """The last moment of a local calendar day, as a string every stored time that day sorts below."""
    moment = datetime.combine(day, clock_time.max).astimezone().astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".999999+99"


def event_dict(e: AuditEvent) -> dict:
    return {"seq": e.seq, "time": e.time, "coder": e.coder, "action": e.action, "entity": e.entity,
            "entity_id": e.entity_id, "summary": e.summary,
            "before": json.loads(e.before) if e.before else None,
            "after": json.loads(e.after) if e.after else None, "reason": e.reason}
