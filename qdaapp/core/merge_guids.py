"""Stable identity of the rows a coder's copy is matched by (schema 0012).

Nodes, cases, attributes, memos, accounts and fragments carry a ``guid``: a
new row gets a random one (``models.new_guid``); rows made before 0012 get
one derived from the project's id, the kind of row and its id (the same
name-based GUID a REFI-QDA export gave them), so two copies of a project
taken before the upgrade give their rows the same identity.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .commands import Change, command

# Table -> the kind of row, as the name-based GUIDs of exports name it.
IDENTIFIED = {
    "nodes": "node",
    "cases": "case",
    "attributes": "attribute",
    "memos": "memo",
    "accounts": "account",
    "fragments": "fragment",
}


def backfill(conn: Connection, project_id: str) -> int:
    """Give every row of :data:`IDENTIFIED` that has no guid its derived one; the number of rows given one."""
    from .exchange.refi_common import guid_maker

    make = guid_maker(project_id)
    done = 0
    for table, entity in IDENTIFIED.items():
        ids = [r[0] for r in conn.exec_driver_sql(f'SELECT id FROM "{table}" WHERE guid IS NULL ORDER BY id')]
        if ids:
            conn.exec_driver_sql(f'UPDATE "{table}" SET guid = ? WHERE id = ?', [(make(entity, i), i) for i in ids])
            done += len(ids)
    return done


@command("project.identify")
def identify(session: Session, rows: int) -> Change:
    """The audit event of the upgrade that gave existing rows their stable identity (written by 0012).

    The rows it updated are digested like any command's, so verify finds them as the event left them."""
    return Change("project.identify", "project", None,
                  f"give {rows} existing node(s), case(s), memo(s), attribute(s), account(s) and fragment(s) "
                  "an identity kept across copies (schema upgrade)", after={"rows": rows})
