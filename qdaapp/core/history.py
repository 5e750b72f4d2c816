"""Undo and redo, kept in the project so they survive a restart.

Capture triggers on every table that holds the user's work record each row a
command inserts, deletes or updates (``undo_ops``); the command runner then
ties those rows to the command's audit event. Undo applies the inverse of an
event's row changes, and is itself an audited command whose own row changes
are recorded; redo applies the inverse of that undo. So undo works the same
for every command, including the ones added later, as long as their tables
have capture triggers.

The capture is generated from the schema, never from column lists written by
hand: :func:`generate` reads the live columns of each table (``PRAGMA
table_info`` on SQLite, the inspector elsewhere) and :func:`capture_sql`
writes the triggers for SQLite, or for PostgreSQL as PL/pgSQL. A migration
that changes a table of user work keeps the text generated at that revision
(``CAPTURE``, printed by ``python -m qdaapp.core.history freeze PROJECT.qda
TABLE...`` on a project upgraded to it) and installs it with
:func:`install`, so later edits of the models or of the
generator do not change what an old migration does. :func:`capture_gaps` names
every table and column of user work that the installed capture misses; the
tables that are not user work are listed in :data:`NOT_USER_WORK`.

The stack is per coder. A new command clears that coder's redo stack. An
undo that would overwrite someone else's later change is refused.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from . import blind
from .commands import Change, command
from .errors import Conflict, InvalidInput

NOT_UNDOABLE = {"project.create", "audit.baseline", "project.identify", "undo", "redo", "project.end_blind"}

# ---------------------------------------------------------------------- what the capture records
# Columns stored as hex (binary values in a JSON record).
BLOBS = {"sources": ("original",)}
# Columns that never change once a row is written: updates leave them out of the record.
IMMUTABLE = {"sources": ("text", "original", "page_starts", "paragraph_starts", "turns", "turn_stats")}
# Tables whose rows are only ever inserted with their parent (hits with their run): undoing the
# parent deletes them by cascade, and those deletes are captured, so inserts need no record.
INSERTED_WITH_PARENT = frozenset({"search_hits"})
# Tables that do not hold the user's work: bookkeeping, the audit log, undo itself, and indexes
# derived from the immutable text (rebuilt, never undone). Every other table must be captured.
NOT_USER_WORK = frozenset({
    "alembic_version", "meta",  # schema version, project settings and the audit head
    "audit_events", "audit_rows", "audit_refs",  # the append-only log and its index; never undone
    "undo_ops", "history",  # undo's own records
    "source_index", "sentences",  # derived from the text
})
# FTS5 tables and their shadow tables (derived search indexes).
NOT_USER_WORK_PREFIXES = ("text_fts", "lemma_fts")

_SUFFIXES = ("ai", "ad", "au")


def is_user_work(table: str) -> bool:
    """Whether ``table`` holds the user's work and so must have undo capture."""
    if table in NOT_USER_WORK or table.startswith("sqlite_"):
        return False
    return not table.startswith(NOT_USER_WORK_PREFIXES)


def capture_sql(table: str, columns: list[str], dialect: str = "sqlite", key: str = "id") -> list[str]:
    """The statements that capture inserts, deletes and updates of ``table`` with these ``columns``.

    Inserts keep only the row's key (undo deletes it; the undo's own delete
    captures the full row for redo). Columns in :data:`BLOBS` are stored as
    hex; those in :data:`IMMUTABLE` never change, so updates leave them out.
    On SQLite the key is the rowid; on PostgreSQL it is the integer primary
    key column ``key``.
    """
    if dialect == "sqlite":
        return _sqlite_capture(table, columns)
    if dialect == "postgresql":
        return _postgresql_capture(table, columns, key)
    raise ValueError(f"no undo capture for the {dialect} dialect")


def _record(func: str, prefix: str, table: str, cols: list[str], hexed: str) -> str:
    blobs = BLOBS.get(table, ())
    parts = []
    for c in cols:
        value = f'{prefix}."{c}"'
        parts.append(f"'{c}', " + (hexed.format(value) if c in blobs else value))
    return f"{func}(" + ", ".join(parts) + ")"


def _sqlite_capture(table: str, columns: list[str]) -> list[str]:
    changing = [c for c in columns if c not in IMMUTABLE.get(table, ())]
    q = f'"{table}"'

    def rec(prefix: str, cols: list[str]) -> str:
        return _record("json_object", prefix, table, cols, "hex({})")

    statements = [
        f"CREATE TRIGGER undo_{table}_ai AFTER INSERT ON {q} BEGIN "
        f"INSERT INTO undo_ops(tbl, op, row_id) VALUES ('{table}', 'I', NEW.rowid); END",
        f"CREATE TRIGGER undo_{table}_ad AFTER DELETE ON {q} BEGIN "
        f"INSERT INTO undo_ops(tbl, op, row_id, old) VALUES ('{table}', 'D', OLD.rowid, {rec('OLD', columns)}); END",
        f"CREATE TRIGGER undo_{table}_au AFTER UPDATE ON {q} BEGIN "
        f"INSERT INTO undo_ops(tbl, op, row_id, old, new) VALUES ('{table}', 'U', OLD.rowid, "
        f"{rec('OLD', changing)}, {rec('NEW', changing)}); END",
    ]
    return statements[1:] if table in INSERTED_WITH_PARENT else statements


def _postgresql_capture(table: str, columns: list[str], key: str) -> list[str]:
    """One PL/pgSQL function per table and its three row triggers, named as on SQLite."""
    changing = [c for c in columns if c not in IMMUTABLE.get(table, ())]
    q = f'"{table}"'

    def rec(prefix: str, cols: list[str]) -> str:
        # json_build_object takes at most 100 arguments; no table comes near 50 columns.
        return _record("json_build_object", prefix, table, cols, "encode({}, 'hex')") + "::text"

    fn = f"undo_{table}_capture"
    body = {
        "ai": f"INSERT INTO undo_ops(tbl, op, row_id) VALUES ('{table}', 'I', NEW.\"{key}\");",
        "ad": f"INSERT INTO undo_ops(tbl, op, row_id, old) VALUES ('{table}', 'D', OLD.\"{key}\", "
              f"{rec('OLD', columns)});",
        "au": f"INSERT INTO undo_ops(tbl, op, row_id, old, new) VALUES ('{table}', 'U', OLD.\"{key}\", "
              f"{rec('OLD', changing)}, {rec('NEW', changing)});",
    }
    events = {"ai": "INSERT", "ad": "DELETE", "au": "UPDATE"}
    suffixes = [s for s in _SUFFIXES if not (s == "ai" and table in INSERTED_WITH_PARENT)]
    statements: list[str] = []
    for s in suffixes:
        statements.append(
            f"CREATE OR REPLACE FUNCTION {fn}_{s}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{body[s]} RETURN NULL; END $$")
        statements.append(
            f"CREATE TRIGGER undo_{table}_{s} AFTER {events[s]} ON {q} FOR EACH ROW EXECUTE FUNCTION {fn}_{s}()")
    return statements


def live_columns(conn: Connection, table: str) -> list[str]:
    """The columns ``table`` has now, in the order the database stores them."""
    if conn.dialect.name == "sqlite":
        return [r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info(\"{table}\")").all()]
    return [c["name"] for c in inspect(conn).get_columns(table)]


def _live_key(conn: Connection, table: str) -> str:
    """The column PostgreSQL's capture keys rows by: the table's single integer primary key."""
    pk = inspect(conn).get_pk_constraint(table)["constrained_columns"]
    types = {c["name"]: str(c["type"]).upper() for c in inspect(conn).get_columns(table)}
    if len(pk) != 1 or "INT" not in types[pk[0]]:
        raise ValueError(f"{table} needs a single integer primary key for its undo capture on PostgreSQL")
    return str(pk[0])


def user_tables(conn: Connection) -> list[str]:
    """Every table of the user's work in the live schema."""
    if conn.dialect.name == "sqlite":
        names = [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").all()]
    else:
        names = inspect(conn).get_table_names()
    return sorted(n for n in names if is_user_work(n))


def generate(conn: Connection, tables: list[str] | None = None, dialect: str | None = None
             ) -> dict[str, list[str]]:
    """The capture of ``tables`` (every table of user work if None) generated from the live schema."""
    dialect = dialect or conn.dialect.name
    out: dict[str, list[str]] = {}
    for table in (tables if tables is not None else user_tables(conn)):
        key = "rowid" if dialect == "sqlite" else _live_key(conn, table)
        out[table] = capture_sql(table, live_columns(conn, table), dialect, key)
    return out


def drop(conn: Any, tables: list[str], dialect: str = "sqlite") -> None:
    """Drop the capture of ``tables``. ``conn`` is a connection or Alembic's ``op``."""
    for table in tables:
        for s in _SUFFIXES:
            if dialect == "postgresql":
                conn.execute(text(f'DROP TRIGGER IF EXISTS undo_{table}_{s} ON "{table}"'))
                conn.execute(text(f"DROP FUNCTION IF EXISTS undo_{table}_capture_{s}()"))
            else:
                conn.execute(text(f"DROP TRIGGER IF EXISTS undo_{table}_{s}"))


def install(conn: Any, capture: dict[str, list[str]], dialect: str = "sqlite") -> None:
    """Replace the capture of each table in ``capture`` with its frozen statements."""
    drop(conn, list(capture), dialect)
    for statements in capture.values():
        for statement in statements:
            conn.execute(text(statement))


def installed(conn: Connection) -> dict[str, list[str]]:
    """The capture statements a SQLite project holds, by table (as :func:`capture_sql` writes them)."""
    rows = conn.exec_driver_sql(
        "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'undo\\_%' ESCAPE '\\'"
    ).all()
    out: dict[str, list[str]] = {}
    def order(row: Any) -> tuple[str, int, str]:
        suffix = row[1][-2:]
        return row[0], _SUFFIXES.index(suffix) if suffix in _SUFFIXES else len(_SUFFIXES), row[1]

    for table, _name, sql in sorted(rows, key=order):
        out.setdefault(table, []).append(sql)
    return out


_RECORDED = re.compile(r"'([^']+)', (?:hex\()?(?:OLD|NEW)\.\"")


def recorded_columns(statement: str) -> list[str]:
    """The columns one capture statement records (the first record of an update trigger)."""
    record = statement.split("json_object(")[1] if "json_object(" in statement else ""
    return _RECORDED.findall(record)


def capture_gaps(conn: Connection) -> list[str]:
    """What the installed capture of a SQLite project misses, one line each (empty when complete).

    Each table of user work must have its delete and update triggers, and its
    insert trigger unless its rows come with a parent; the delete record must
    hold every column the table has now, the update record every column that
    is not immutable.
    """
    have = installed(conn)
    gaps: list[str] = []
    for table in user_tables(conn):
        columns = live_columns(conn, table)
        statements = {s.split()[2]: s for s in have.get(table, [])}
        if not statements:
            gaps.append(f"{table}: no undo capture")
            continue
        wanted = [s for s in _SUFFIXES if not (s == "ai" and table in INSERTED_WITH_PARENT)]
        gaps.extend(f"{table}: no undo_{table}_{s} trigger" for s in wanted if f"undo_{table}_{s}" not in statements)
        expected = {"ad": columns, "au": [c for c in columns if c not in IMMUTABLE.get(table, ())]}
        for s, cols in expected.items():
            stmt = statements.get(f"undo_{table}_{s}")
            if stmt is None:
                continue
            got = recorded_columns(stmt)
            missing = [c for c in cols if c not in got]
            extra = [c for c in got if c not in cols]
            if missing:
                gaps.append(f"{table}: undo_{table}_{s} does not record {', '.join(missing)}")
            if extra:
                gaps.append(f"{table}: undo_{table}_{s} records columns it no longer has: {', '.join(extra)}")
    for table in sorted(set(have) - set(user_tables(conn))):
        gaps.append(f"{table}: captured but listed as not user work")
    return gaps


def _literal(part: str) -> str:
    """A Python literal of ``part`` that keeps SQL's quotes readable."""
    if '"""' in part or "\\" in part or part.endswith('"'):
        return repr(part)
    return '"""' + part + '"""'


def freeze_source(capture: dict[str, list[str]], name: str = "CAPTURE", width: int = 100) -> str:
    """Python source of ``capture`` to paste into a migration: each statement cut at spaces into short literals."""
    lines = [f"{name} = {{"]
    for table, statements in capture.items():
        lines.append(f"    \"{table}\": [")
        for statement in statements:
            words = statement.split(" ")
            chunk = ""
            parts: list[str] = []
            for w in words:
                if chunk and len(chunk) + len(w) + 1 > width:
                    parts.append(chunk + " ")
                    chunk = w
                else:
                    chunk = f"{chunk} {w}" if chunk else w
            parts.append(chunk)
            if "".join(parts) != statement:
                raise ValueError(f"cannot cut this statement at single spaces: {statement[:60]}...")
            for i, part in enumerate(parts):
                lines.append(f"        {_literal(part)}" + ("," if i == len(parts) - 1 else ""))
        lines.append("    ],")
    lines.append("}")
    return "\n".join(lines) + "\n"


def attach(session: Session, seq: int, action: str, coder: str) -> None:
    """Tie the row changes recorded so far in this transaction to audit event ``seq``."""
    session.execute(text("UPDATE undo_ops SET event_seq = :seq WHERE event_seq IS NULL"), {"seq": seq})
    if action in NOT_UNDOABLE:
        return
    session.execute(text("UPDATE history SET state = 'dead' WHERE coder = :c AND state = 'undone'"), {"c": coder})
    session.execute(text("INSERT INTO history(seq, coder, state) VALUES (:seq, :c, 'done')"), {"seq": seq, "c": coder})


def _check_later_changes(session: Session, seq: int, coder: str) -> None:
    """Refuse to revert rows that another coder changed after event ``seq`` (and has not undone)."""
    row = session.execute(text(
        "SELECT a.coder, a.summary FROM undo_ops mine "
        "JOIN undo_ops later ON later.tbl = mine.tbl AND later.row_id = mine.row_id AND later.event_seq > :seq "
        "JOIN history h ON h.seq = later.event_seq AND h.state = 'done' AND h.coder <> :coder "
        "JOIN audit_events a ON a.seq = later.event_seq "
        "WHERE mine.event_seq = :seq ORDER BY later.event_seq LIMIT 1"
    ), {"seq": seq, "coder": coder}).first()
    if row is not None:
        raise Conflict(f"It cannot be undone: {row[0]} changed the same items since ({row[1]}).")


def _apply_inverse(session: Session, seq: int) -> int:
    ops = session.execute(
        text("SELECT tbl, op, row_id, old, new FROM undo_ops WHERE event_seq = :seq ORDER BY id DESC"), {"seq": seq}
    ).all()
    session.execute(text("PRAGMA defer_foreign_keys = ON"))
    k = 0
    while k < len(ops):
        tbl, op, row_id, old, new = ops[k]
        k += 1
        q = f'"{tbl}"'
        if op == "I":
            # A run of rows one command inserted into one table (a bulk coding's) goes in one statement.
            rows = [int(row_id)]
            while k < len(ops) and ops[k][0] == tbl and ops[k][1] == "I" and len(rows) < 500:
                rows.append(int(ops[k][2]))
                k += 1
            which = f"rowid IN ({', '.join(map(str, rows))})"
            # Counted before the delete: a row's removal may take rows of the run with it (ON DELETE CASCADE).
            if session.execute(text(f"SELECT count(*) FROM {q} WHERE {which}")).scalar() != len(rows):
                raise Conflict("It cannot be undone: something it made was removed since.")
            session.execute(text(f"DELETE FROM {q} WHERE {which}"))
        elif op == "D":
            row = json.loads(old)
            for col in BLOBS.get(tbl, ()):
                if row.get(col) is not None:
                    row[col] = bytes.fromhex(row[col])
            if session.execute(text(f"SELECT 1 FROM {q} WHERE rowid = :r"), {"r": row_id}).first():
                raise Conflict("It cannot be undone: something else now has the same place.")
            cols = ", ".join(f'"{c}"' for c in row)
            session.execute(text(f"INSERT INTO {q} (rowid, {cols}) VALUES (:__rowid, "
                                 + ", ".join(f":{c}" for c in row) + ")"), {"__rowid": row_id, **row})
        else:
            before, after = json.loads(old), json.loads(new)
            changed = {c: v for c, v in before.items() if after.get(c) != v}
            if not changed:
                continue
            current = session.execute(
                text(f"SELECT {', '.join(chr(34) + c + chr(34) for c in changed)} FROM {q} WHERE rowid = :r"),
                {"r": row_id},
            ).first()
            if current is None or any(current[i] != after[c] for i, c in enumerate(changed)):
                raise Conflict("It cannot be undone: it was changed again since.")
            sets = ", ".join(f'"{c}" = :{c}' for c in changed)
            session.execute(text(f"UPDATE {q} SET {sets} WHERE rowid = :__rowid"), {"__rowid": row_id, **changed})
    return len(ops)


def _summary(session: Session, seq: int) -> str:
    return session.execute(text("SELECT summary FROM audit_events WHERE seq = :s"), {"s": seq}).scalar() or ""


def next_undo(session: Session, coder: str) -> tuple[int, str] | None:
    """(event seq, summary) of what Undo would revert for ``coder``, or None."""
    seq = session.execute(text("SELECT max(seq) FROM history WHERE coder = :c AND state = 'done'"),
                          {"c": coder}).scalar()
    return (seq, _summary(session, seq)) if seq else None


def next_redo(session: Session, coder: str) -> tuple[int, str] | None:
    row = session.execute(
        text("SELECT seq FROM history WHERE coder = :c AND state = 'undone' ORDER BY undone_by DESC LIMIT 1"),
        {"c": coder},
    ).first()
    return (row[0], _summary(session, row[0])) if row else None


@command("undo")
def undo(session: Session, coder: str) -> Change:
    target = next_undo(session, coder)
    if target is None:
        raise InvalidInput("There is nothing to undo.")
    seq, summary = target
    _check_later_changes(session, seq, coder)
    blind.capture_setting(session)  # the blind setting lives in meta, which the schema's capture leaves out
    _apply_inverse(session, seq)
    def mark(s: Session, undo_seq: int) -> None:
        s.execute(text("UPDATE history SET state = 'undone', undone_by = :u WHERE seq = :seq"),
                  {"u": undo_seq, "seq": seq})

    return Change("undo", "event", seq, f"undo: {summary}", before={"seq": seq}, result=seq, on_recorded=mark)


@command("redo")
def redo(session: Session, coder: str) -> Change:
    target = next_redo(session, coder)
    if target is None:
        raise InvalidInput("There is nothing to redo.")
    seq, summary = target
    undone_by = session.execute(text("SELECT undone_by FROM history WHERE seq = :s"), {"s": seq}).scalar_one()
    _check_later_changes(session, undone_by, coder)
    blind.capture_setting(session)
    _apply_inverse(session, undone_by)
    def mark(s: Session, _redo_seq: int) -> None:
        s.execute(text("UPDATE history SET state = 'done', undone_by = NULL WHERE seq = :seq"), {"seq": seq})

    return Change("redo", "event", seq, f"redo: {summary}", before={"seq": seq, "undo": undone_by}, result=seq,
                  on_recorded=mark)


def _main(argv: list[str]) -> int:
    """``freeze PROJECT TABLE...``: print the capture of these tables generated from the project's schema."""
    if len(argv) < 3 or argv[0] != "freeze":
        print("usage: python -m qdaapp.core.history freeze PROJECT.qda TABLE...", file=sys.stderr)
        return 2
    from pathlib import Path

    from .db import make_engine

    engine = make_engine(Path(argv[1]), read_only=True)
    with engine.connect() as conn:
        print(freeze_source(generate(conn, argv[2:])), end="")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
