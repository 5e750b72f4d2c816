"""What a committed change did, as typed data: which rows of which kind it created, changed or removed.

The capture triggers list every row a transaction writes in ``undo_ops`` (see
:mod:`qdaapp.core.history`), whatever the command: a single coding, a bulk
accept of search hits, an import, an undo or a redo. :func:`compute` reads
that list before it is tied to the command's audit event and folds each row's
operations into one net kind: a row inserted and removed again in the same
transaction is not reported; one removed and put back is "changed".

For codings, the hot path of every view, each row comes with what the views
need to draw or drop its span without a query (:class:`CodingKey`); for the
other entities, the parents their rows hang under (a fragment's account, a
memo's target, a node's parent) where the capture holds them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from . import audit
from .db import driver_connection

Kind = Literal["created", "changed", "removed"]
KINDS: tuple[Kind, ...] = ("created", "changed", "removed")

# The columns of a coding the views need: where its span is drawn and at which node.
CODING_COLUMNS = ("source_id", "node_id", "start", "end", "coder")
# Per table, the columns that link its rows to a parent, and the parent's entity name.
PARENT_LINKS: dict[str, tuple[tuple[str, str], ...]] = {
    "codings": (("source_id", "source"), ("node_id", "node")),
    "nodes": (("parent_id", "node"),),
    "attribute_values": (("attribute_id", "attribute"), ("case_id", "case"), ("source_id", "source")),
    "account_passages": (("account_id", "account"), ("source_id", "source")),
    "fragments": (("account_id", "account"), ("case_id", "case")),
    "fragment_passages": (("fragment_id", "fragment"), ("source_id", "source")),
    "fragment_links": (("from_id", "fragment"), ("to_id", "fragment")),
    "actant_roles": (("account_id", "account"),),
    "search_hits": (("run_id", "search run"), ("source_id", "source")),
}
# A memo's parent is named by two columns: its target's kind and id.
MEMO_TARGET = ("target_type", "target_id")


class CodingKey(NamedTuple):
    """One coding as the views draw it: its span in one source, at one node, by one coder.

    A named tuple, not a dataclass: a bulk command makes thousands, and a tuple is made fastest."""

    id: int
    source_id: int
    node_id: int
    start: int
    end: int
    coder: str


@dataclass(frozen=True)
class Touched:
    """The rows of one entity that one change created, changed or removed.

    ``ids`` are the rows' ids, ascending. For codings, ``codings`` holds each
    row as it is now (created, changed) or as it was (removed), in the order
    of ``ids``, and ``before`` each changed one as it was. ``parents`` are the
    distinct ``(entity, id)`` the rows hang under, before and after the change
    (a coding's source and node, a fragment's account, a memo's target:
    ``("project", 0)`` or ``("diary", 0)`` for memos that name no row).
    """

    entity: str
    kind: Kind
    ids: tuple[int, ...]
    codings: tuple[CodingKey, ...] = ()
    before: tuple[CodingKey, ...] = ()
    parents: tuple[tuple[str, int], ...] = ()

    def parent_ids(self, entity: str) -> set[int]:
        """The ids of the parents of kind ``entity`` (the nodes of the codings, say)."""
        return {pid for name, pid in self.parents if name == entity}


# ---------------------------------------------------------------------- asking a change's list
def find(touched: Iterable[Touched], entity: str, kind: Kind | None = None) -> list[Touched]:
    return [t for t in touched if t.entity == entity and (kind is None or t.kind == kind)]


def ids(touched: Iterable[Touched], entity: str, kind: Kind | None = None) -> set[int]:
    """The ids of the rows of ``entity`` touched (in that way, if ``kind`` is given)."""
    return {i for t in find(touched, entity, kind) for i in t.ids}


def codings(touched: Iterable[Touched], kind: Kind) -> list[CodingKey]:
    return [k for t in find(touched, "coding", kind) for k in t.codings]


def parents(touched: Iterable[Touched], entity: str) -> set[int]:
    """The ids of the ``entity`` rows that any touched row hangs under."""
    return {pid for t in touched for pid in t.parent_ids(entity)}


# ---------------------------------------------------------------------- computing it
def compute(conn: Any, pending: audit.PendingOps | None = None) -> tuple[Touched, ...]:
    """What the rows this transaction wrote so far amount to, one :class:`Touched` per entity and kind.

    ``conn`` is the transaction's connection; call it before the row changes are tied to an event.
    ``pending``: :func:`audit.pending_ops`, when the caller has read it already.
    """
    if pending is None:
        pending = audit.pending_ops(conn)
    if not pending:
        return ()
    # Per row: the first and the last operation (a row's net change lies between them).
    last = {(table, row_id): op for table, op, row_id in pending}
    first = {(table, row_id): op for table, op, row_id in reversed(pending)}
    ops: dict[str, set[str]] = {}
    for (table, _row_id), op in last.items():
        ops.setdefault(table, set()).add(op)
    for (table, _row_id), op in first.items():
        ops[table].add(op)
    kinds: dict[str, dict[Kind, list[int]]] = {}
    for key, op in first.items():
        end = last[key]
        if op == "I":
            if end == "D":
                continue  # made and removed again: nothing to show
            kind: Kind = "created"
        elif end == "D":
            kind = "removed"
        else:
            kind = "changed"
        kinds.setdefault(key[0], {}).setdefault(kind, []).append(key[1])
    out: list[Touched] = []
    for table in sorted(kinds, key=audit.row_name):
        states = _states(conn, table, ops[table]) if _linked(table) else None
        for kind in KINDS:
            row_ids = sorted(kinds[table].get(kind, ()))
            if row_ids:
                out.append(_touched(table, kind, row_ids, states))
    return tuple(out)


def _fetch(conn: Any, sql: str) -> list[tuple]:
    """Rows of ``sql`` read through the driver's own cursor (a bulk change lists thousands)."""
    cursor = driver_connection(conn.connection).cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _linked(table: str) -> bool:
    return table in PARENT_LINKS or table == "memos"


def _columns(table: str) -> tuple[str, ...]:
    if table == "codings":
        return CODING_COLUMNS
    if table == "memos":
        return MEMO_TARGET
    return tuple(c for c, _ in PARENT_LINKS[table])


class _States:
    """Each touched row's linked columns before the transaction (``was``) and now (``now``)."""

    def __init__(self) -> None:
        self.was: dict[int, tuple] = {}
        self.now: dict[int, tuple] = {}


# Linked columns that hold text; the others hold row ids or offsets.
_TEXT_COLUMNS = frozenset({"coder", "target_type"})


def _extract(conn: Any, record: str, column: str) -> str:
    """SQL reading one value of a capture record (a JSON object stored as text), typed as in its table."""
    if conn.dialect.name == "postgresql":
        value = f"(({record})::json ->> '{column}')"
        return value if column in _TEXT_COLUMNS else f"{value}::bigint"
    return f"json_extract({record}, '$.\"{column}\"')"


def _states(conn: Any, table: str, ops: set[str]) -> _States:
    """The linked columns of the touched rows of ``table``: as the capture recorded them, and as they are now.

    ``ops`` are the kinds of row change the capture listed for the table here ("I", "D", "U")."""
    cols = _columns(table)
    states = _States()
    pending = f"FROM undo_ops WHERE event_seq IS NULL AND tbl = '{table}'"
    if ops - {"I"}:
        n = len(cols)
        reads = ", ".join(_extract(conn, rec, c) for rec in ("old", "new") for c in cols)
        for row in _fetch(conn, f"SELECT op, row_id, {reads} {pending} AND op <> 'I' ORDER BY id"):
            row_id = row[1]
            states.was.setdefault(row_id, row[2:2 + n])  # the first record of a row holds it as it was before
            if row[0] == "U":
                states.now[row_id] = row[2 + n:]
    if "I" in ops:
        # Rows made (or put back) here: the capture keeps only their key, so read what they hold now
        # (a row made and removed again is not there any more).
        quoted = ", ".join(f'"{c}"' for c in cols)
        for row in _fetch(conn, f'SELECT rowid, {quoted} FROM "{table}" '
                                f"WHERE rowid IN (SELECT row_id {pending} AND op = 'I')"):
            states.now[row[0]] = row[1:]
    return states


def _parents(table: str, rows: list[tuple]) -> set[tuple[str, int]]:
    """The distinct ``(entity, id)`` that ``rows`` (linked values, as in :func:`_columns`) hang under."""
    if table == "memos":
        # A memo on the project, or a diary entry, names no row: its parent is (kind, 0).
        return {(kind, ident or 0) for kind, ident in rows if kind is not None}
    out: set[tuple[str, int]] = set()
    for i, (_column, entity) in enumerate(PARENT_LINKS[table]):
        out.update((entity, v[i]) for v in rows if v[i] is not None)
    return out


def _touched(table: str, kind: Kind, row_ids: list[int], states: _States | None) -> Touched:
    entity = audit.row_name(table)
    if states is None:
        return Touched(entity, kind, tuple(row_ids))
    # Each row as it is now (created, changed) or as it was (removed); and, when changed, as it was.
    source = states.was if kind == "removed" else states.now
    shown = [(r, source[r]) for r in row_ids if r in source]
    was = [(r, states.was[r]) for r in row_ids if r in states.was] if kind == "changed" else []
    linked = _parents(table, [v for _r, v in shown] + [v for _r, v in was])
    if table != "codings":
        return Touched(entity, kind, tuple(row_ids), parents=tuple(sorted(linked)))
    keys = tuple(CodingKey(r, *v) for r, v in shown if v[0] is not None)
    before = tuple(CodingKey(r, *v) for r, v in was if v[0] is not None)
    return Touched(entity, kind, tuple(row_ids), keys, before, tuple(sorted(linked)))
