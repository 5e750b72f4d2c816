"""Undo and redo, kept in the project so they survive a restart.

SQLite triggers on every table that holds the user's work record each row a
command inserts, deletes or updates (``undo_ops``); the command runner then
ties those rows to the command's audit event. Undo applies the inverse of an
event's row changes, and is itself an audited command whose own row changes
are recorded; redo applies the inverse of that undo. So undo works the same
for every command, including the ones added later, as long as their tables
have capture triggers (see :func:`trigger_sql`, used by the migrations).

The stack is per coder. A new command clears that coder's redo stack. An
undo that would overwrite someone else's later change is refused.
"""

from __future__ import annotations

import json
from typing import Optional

from sqlalchemy import text
from sqlalchemy.orm import Session

from .commands import Change, command
from .errors import Conflict, InvalidInput

NOT_UNDOABLE = {"project.create", "audit.baseline", "undo", "redo"}


def trigger_sql(table: str, columns: list[str], blobs: tuple[str, ...] = (), immutable: tuple[str, ...] = ()) -> list[str]:
    """CREATE TRIGGER statements capturing inserts, deletes and updates of ``table``.

    Inserts keep only the rowid (undo deletes it; the undo's own delete
    captures the full row for redo). ``blobs`` are stored as hex; columns in
    ``immutable`` never change, so updates leave them out.
    """

    def obj(prefix: str, cols: list[str]) -> str:
        parts = []
        for c in cols:
            value = f'{prefix}."{c}"'
            parts.append(f"'{c}', " + (f"hex({value})" if c in blobs else value))
        return "json_object(" + ", ".join(parts) + ")"

    changing = [c for c in columns if c not in immutable]
    q = f'"{table}"'
    return [
        f"CREATE TRIGGER undo_{table}_ai AFTER INSERT ON {q} BEGIN "
        f"INSERT INTO undo_ops(tbl, op, row_id) VALUES ('{table}', 'I', NEW.rowid); END",
        f"CREATE TRIGGER undo_{table}_ad AFTER DELETE ON {q} BEGIN "
        f"INSERT INTO undo_ops(tbl, op, row_id, old) VALUES ('{table}', 'D', OLD.rowid, {obj('OLD', columns)}); END",
        f"CREATE TRIGGER undo_{table}_au AFTER UPDATE ON {q} BEGIN "
        f"INSERT INTO undo_ops(tbl, op, row_id, old, new) VALUES ('{table}', 'U', OLD.rowid, "
        f"{obj('OLD', changing)}, {obj('NEW', changing)}); END",
    ]


BLOBS = {"sources": ("original",)}


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


def next_undo(session: Session, coder: str) -> Optional[tuple[int, str]]:
    """(event seq, summary) of what Undo would revert for ``coder``, or None."""
    seq = session.execute(text("SELECT max(seq) FROM history WHERE coder = :c AND state = 'done'"),
                          {"c": coder}).scalar()
    return (seq, _summary(session, seq)) if seq else None


def next_redo(session: Session, coder: str) -> Optional[tuple[int, str]]:
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
    undone_by = session.execute(text("SELECT undone_by FROM history WHERE seq = :s"), {"s": seq}).scalar()
    _check_later_changes(session, undone_by, coder)
    _apply_inverse(session, undone_by)
    def mark(s: Session, _redo_seq: int) -> None:
        s.execute(text("UPDATE history SET state = 'done', undone_by = NULL WHERE seq = :seq"), {"seq": seq})

    return Change("redo", "event", seq, f"redo: {summary}", before={"seq": seq, "undo": undone_by}, result=seq,
                  on_recorded=mark)

