"""Reading a coder's copy for a merge: checked, verified, and taken as plain rows.

The copy is never written: it is copied with SQLite's online backup into a
temporary folder, checked there (a project, a schema this program knows, an
audit chain that holds), upgraded there if it is older, and read whole. Its
seal is taken from the file as it was given.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import audit
from .db import check_project_file, make_engine, read_only_uri
from .errors import ProjectError
from .schema import check_known, schema_revision

# The tables a merge reads, in the order their rows may be inserted (parents first).
TABLES = ("cases", "attributes", "sources", "attribute_values", "nodes", "codings", "accounts",
          "account_passages", "fragments", "fragment_passages", "fragment_links", "memos")


class MergeRefused(ProjectError):
    """The copy cannot be merged; the project was not changed."""


@dataclass
class Copy:
    """What a coder's copy holds, as rows (dicts by column), and what is known about it."""

    name: str
    seal: str
    project_id: str
    copy_for: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    deleted: dict[str, set[str]] = field(default_factory=dict)  # guids of rows the copy's history removed
    events: int = 0


def read_copy(path: Path, own_path: Path | None = None,
              progress: Callable[[str], None] | None = None) -> Copy:
    """Check and read the copy at ``path``; :class:`MergeRefused` (naming the file and the problem) if it
    cannot be merged."""
    path = Path(path)
    say = progress or (lambda _text: None)
    if own_path is not None and path.exists() and path.resolve() == Path(own_path).resolve():
        raise MergeRefused(f"{path.name} is this project itself; choose a coder's copy of it.")
    try:
        check_project_file(path, read_only=True)
        revision = schema_revision(path)
        check_known(path, revision)
    except MergeRefused:
        raise
    except ProjectError as exc:
        raise MergeRefused(f"{exc} Nothing was merged.") from exc
    say(f"Checking {path.name}")
    with tempfile.TemporaryDirectory(prefix="qdaapp-merge-") as folder:
        work = Path(folder) / "copy.qda"
        try:
            src = sqlite3.connect(read_only_uri(path), uri=True)
            try:
                dest = sqlite3.connect(work)
                try:
                    src.backup(dest)
                finally:
                    dest.close()
            finally:
                src.close()
            seal = audit.seal_of_file(work)
        except sqlite3.DatabaseError as exc:
            raise MergeRefused(f"{path.name} cannot be read as a qdaapp project ({exc}). Nothing was merged.") \
                from exc
        engine = make_engine(work)
        try:
            if revision >= "0009":  # verified as it was given, before any upgrade could re-digest its rows
                _verify(engine, path.name)
            from .project import _migrate
            from .schema import SCHEMA_HEAD

            if revision != SCHEMA_HEAD:
                say(f"Upgrading a copy of {path.name} to read it")
                _migrate(engine)
            if revision < "0009":
                _verify(engine, path.name)
            say(f"Reading {path.name}")
            with engine.connect() as conn:
                raw = conn.connection.driver_connection
                assert raw is not None
                return _read(raw, path.name, seal)
        finally:
            engine.dispose()


def _verify(engine: Any, name: str) -> None:
    with engine.connect() as conn:
        result = audit.verify(conn)
    if not result.ok:
        lines = result.message().splitlines()
        detail = "; ".join(line.strip() for line in lines[:4])
        more = f" (and {len(lines) - 4} more)" if len(lines) > 4 else ""
        raise MergeRefused(f"{name} was refused: its audit trail does not hold ({detail}{more}). "
                           "It may have been changed outside qdaapp; nothing was merged.")


def _read(raw: sqlite3.Connection, name: str, seal: str) -> Copy:
    meta = dict(raw.execute("SELECT key, value FROM meta").fetchall())
    copy = Copy(name=name, seal=seal, project_id=meta.get("project_id", ""), copy_for=meta.get("copy_for", ""))
    copy.events = raw.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    for table in TABLES:
        cur = raw.execute(f'SELECT * FROM "{table}" ORDER BY id')
        cols = [d[0] for d in cur.description]
        copy.rows[table] = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    copy.deleted = deleted_guids(raw)
    return copy


def deleted_guids(raw: sqlite3.Connection) -> dict[str, set[str]]:
    """The guids of the rows of each identified table that the project's history removed (and that are
    not there now), from the rows undo keeps."""
    out: dict[str, set[str]] = {}
    for tbl, guid in raw.execute(
            "SELECT tbl, json_extract(old, '$.guid') FROM undo_ops "
            "WHERE op = 'D' AND tbl IN ('nodes', 'cases', 'attributes', 'memos', 'accounts', 'fragments') "
            "AND json_extract(old, '$.guid') IS NOT NULL"):
        out.setdefault(tbl, set()).add(guid)
    for tbl, guids in out.items():
        present = {r[0] for r in raw.execute(f'SELECT guid FROM "{tbl}" WHERE guid IS NOT NULL')}
        guids -= present
    return out
