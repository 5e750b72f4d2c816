"""The schema revisions this program knows, and opening a project to read it with ``sqlite3`` alone.

:func:`connect_read_only` makes the same checks as ``Project.open(read_only=True)``
(the file, its schema revision, ``quick_check``) and returns a plain
``sqlite3`` connection. A one-off command that only lists what a project holds
(``qdaapp sources``) uses it, so it does not import SQLAlchemy: on a busy
machine that import costs more than the listing itself.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .db import BUSY_TIMEOUT_MS, check_project_file, damaged, is_damage, quick_check_connection, read_only_uri
from .errors import NeedsUpgrade, ProjectError

# The newest schema this program knows; tests check it equals Alembic's head.
SCHEMA_HEAD = "0012"
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011", "0012")


def schema_revision(path: Path) -> str:
    """The Alembic revision stamped in the file, read without migrating."""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error as exc:
        raise ProjectError(f"{path.name} cannot be opened: {exc}.") from exc
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except UnicodeDecodeError as exc:
        raise damaged(path, f"it cannot be read: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        if is_damage(exc) or "malformed" in str(exc):  # a SQLite file (its header says so) that cannot be read
            raise damaged(path, f"it cannot be read: {exc}") from exc
        if "no such table" not in str(exc):
            raise ProjectError(f"{path.name} cannot be read: {exc}.") from exc
        raise ProjectError(
            f"{path.name} is a SQLite database but not a qdaapp project ({exc}). "
            "Choose a project file made by qdaapp."
        ) from exc
    finally:
        conn.close()
    if not row:
        raise ProjectError(f"{path.name} has no schema version; it is not a complete qdaapp project.")
    return str(row[0])


def check_known(path: Path, revision: str) -> None:
    """Refuse a schema newer than this program knows."""
    if revision not in KNOWN_REVISIONS:
        raise ProjectError(
            f"{path.name} was saved by a newer version of qdaapp (schema {revision}); "
            f"this version knows schemas up to {SCHEMA_HEAD}. Update qdaapp to open it."
        )


def connect_read_only(path: str | Path) -> sqlite3.Connection:
    """A read-only ``sqlite3`` connection to the project at ``path``, checked as
    ``Project.open(read_only=True)`` checks it; :class:`NeedsUpgrade` for an older schema."""
    path = Path(path)
    check_project_file(path, read_only=True)
    revision = schema_revision(path)
    check_known(path, revision)
    conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA mmap_size=0")  # a one-off read: mapping would only add the pages to its memory
        quick_check_connection(conn, path.name, path)
        if revision != SCHEMA_HEAD:
            raise NeedsUpgrade(
                f"{path.name} uses an older schema and must be upgraded before it can be read; "
                "open it normally once."
            )
    except BaseException:
        conn.close()
        raise
    return conn
