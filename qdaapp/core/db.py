"""Opening the SQLite store safely.

A project file may come from another machine or another program, so it is
checked before anything is written to it: that it is a SQLite database at
all, that it is writable (or opened read-only on purpose), and that
``PRAGMA quick_check`` passes. Write transactions start with ``BEGIN
IMMEDIATE`` so two processes never interleave a read-then-write (the audit
chain depends on that); reads use deferred transactions and, in WAL mode, see
a consistent snapshot without blocking writers.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event

from .errors import ProjectError

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


def looks_like_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def check_project_file(path: Path, read_only: bool) -> None:
    """Raise :class:`ProjectError` with a plain message if ``path`` cannot be opened."""
    name = path.name
    if not path.exists():
        raise ProjectError(f"{name} does not exist ({path}). Check the path, or create it with 'qdaapp new'.")
    if path.is_dir():
        raise ProjectError(f"{name} is a folder, not a project file.")
    if path.stat().st_size == 0:
        raise ProjectError(f"{name} is empty: it is not a qdaapp project.")
    if not looks_like_sqlite(path):
        raise ProjectError(
            f"{name} is not a qdaapp project (it is not a SQLite database). "
            "Choose the project file itself (usually ending in .qda)."
        )
    if not read_only and not os.access(path, os.W_OK):
        raise ProjectError(
            f"{name} is read-only: qdaapp cannot save changes to it. "
            "Open it read-only to browse, or copy it somewhere you can write."
        )
    if not read_only and not os.access(path.parent, os.W_OK):
        raise ProjectError(
            f"The folder holding {name} is read-only, so changes cannot be saved safely. "
            "Open it read-only to browse, or move it to a folder you can write to."
        )


def make_engine(path: Path, read_only: bool = False) -> Engine:
    if read_only:
        uri = f"file:{path.resolve().as_posix()}?mode=ro"

        def creator() -> sqlite3.Connection:
            return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)

        engine = create_engine("sqlite://", creator=creator)
    else:
        engine = create_engine(
            f"sqlite:///{path.resolve().as_posix()}",
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        # Autocommit at the driver level: SQLAlchemy's "begin" hook below
        # issues BEGIN itself, so the transaction mode is ours to choose.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # A whole study's indexes stay in memory: searches read pages, not the disk.
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA mmap_size=268435456")
        if not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        mode = conn.get_execution_options().get("qda_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def quick_check(engine: Engine, name: str) -> None:
    with engine.connect() as conn:
        try:
            rows = conn.exec_driver_sql("PRAGMA quick_check").fetchall()
        except Exception as exc:  # sqlite3.DatabaseError: file is not a database, etc.
            raise ProjectError(f"{name} is damaged and cannot be opened: {exc}. Restore it from a backup.") from exc
        conn.rollback()
    if rows != [("ok",)]:
        problem = "; ".join(str(r[0]) for r in rows[:3])
        raise ProjectError(f"{name} failed its integrity check ({problem}). Restore it from a backup.")
