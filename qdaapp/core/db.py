"""Opening the SQLite store safely.

A project file may come from another machine or another program, so it is
checked before anything is written to it: that it is a SQLite database at
all, that it is writable (or opened read-only on purpose), and that
``PRAGMA quick_check`` passes. That check reads every page (over a second on a
study of ten million words), so a file that this user's qdaapp last closed
cleanly (or checked in full) and that has not changed since gets a check of
its schema and small tables only (see :func:`clean_stamp`). Write
transactions start with ``BEGIN IMMEDIATE`` so two processes never
interleave a read-then-write (the audit chain depends on that); reads use
deferred transactions and, in WAL mode, see a consistent snapshot without
blocking writers.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from .errors import ProjectError

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine

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
        where = "" if str(path) == name else f" in {path.parent}"
        raise ProjectError(f"{name} does not exist{where}. Check the path, or create it with 'qdaapp new'.")
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


def make_engine(path: Path, read_only: bool = False, mmap: bool = True) -> Engine:
    """An engine for ``path``. ``mmap`` maps up to 256 MB of the file, for a long-lived process
    (the app) that reads the same index pages again and again; a one-off command reads each page
    about once, and mapping then only adds the pages it touched to its resident memory."""
    from sqlalchemy import create_engine, event

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
        cur.execute(f"PRAGMA mmap_size={268435456 if mmap else 0}")
        if not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        mode = conn.get_execution_options().get("qda_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def quick_check(engine: "Engine", name: str, path: Optional[Path] = None) -> None:
    """Refuse a damaged file. With ``path``, a file that is as this machine last closed it
    (:func:`clean_stamp`) gets the cheap check only: its schema and small tables."""
    trusted = path is not None and _recorded(path) == clean_stamp(path)
    with engine.connect() as conn:
        rows = _check_rows(lambda sql: conn.exec_driver_sql(sql).fetchall(), name, trusted)
        conn.rollback()
    _judge(rows, name, path, trusted)


def quick_check_connection(conn: sqlite3.Connection, name: str, path: Optional[Path] = None) -> None:
    """:func:`quick_check` on a plain ``sqlite3`` connection."""
    trusted = path is not None and _recorded(path) == clean_stamp(path)
    rows = _check_rows(lambda sql: conn.execute(sql).fetchall(), name, trusted)
    _judge(rows, name, path, trusted)


def _check_rows(fetch: Callable[[str], list], name: str, trusted: bool) -> list[tuple]:
    pragmas = ("PRAGMA quick_check(sqlite_schema)", "PRAGMA quick_check(meta)") if trusted else ("PRAGMA quick_check",)
    try:
        return [tuple(row) for pragma in pragmas for row in fetch(pragma)]
    except Exception as exc:  # sqlite3.DatabaseError: file is not a database, etc.
        raise ProjectError(f"{name} is damaged and cannot be opened: {exc}. Restore it from a backup.") from exc


def _judge(rows: list[tuple], name: str, path: Optional[Path], trusted: bool) -> None:
    rows = [r for r in rows if r != ("ok",)]
    if rows:
        problem = "; ".join(str(r[0]) for r in rows[:3])
        raise ProjectError(f"{name} failed its integrity check ({problem}). Restore it from a backup.")
    if path is not None and not trusted:
        remember_clean(path)  # checked in full as it is now: the next open need not read it all again


# ---------------------------------------------------------------------- clean-close stamps
# Why skipping the full check is safe: the stamp is the file's device, inode, size, modification
# time (ns) and SQLite header, taken when no write-ahead log is left (everything is in the file
# itself). Anything that writes the file afterwards (another program, a sync tool, a copy or a
# restore over it) changes the modification time or the inode, so the stamps differ and the full
# check runs. A write in the same clock tick as the stamp could keep the time unchanged, so a
# stamp is only taken once the file's time is older than any such tick (RACY_NS; a file system
# that keeps whole seconds gets two). The stamps live in the user's own folder, not beside the
# project: a file that comes from elsewhere never carries one. What this cannot see is damage
# that keeps inode, size, time and header alike (a byte-damaged copy of the very same state put
# back in place with its times kept); SQLite still reports such pages when it reads them.
STAMPS_FILE = "checked-projects.json"
RACY_NS = 20_000_000
COARSE_RACY_NS = 2_100_000_000
MAX_STAMPS = 200


def clean_stamp(path: Path) -> Optional[str]:
    """The file as it is on disk now, or None while a write-ahead log holds part of it."""
    try:
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size:
            return None
        st = path.stat()
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{header.hex()}"


def _stamps_path() -> Path:
    from .logs import data_dir

    return data_dir() / STAMPS_FILE


def _load_stamps() -> dict[str, str]:
    try:
        data = json.loads(_stamps_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _recorded(path: Path) -> Optional[str]:
    return _load_stamps().get(str(path.resolve()))


def remember_clean(path: Path, wait_ns: int = RACY_NS) -> bool:
    """Record that ``path`` is sound as it is now (after a full check, or a clean close).

    Waits up to ``wait_ns`` for the file's modification time to leave the racy window; a file
    changed too recently (or on a file system that keeps whole seconds) is not recorded, so it
    is checked in full next time. Returns whether it was recorded."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return False
    racy = COARSE_RACY_NS if mtime % 1_000_000_000 == 0 else RACY_NS
    age = time.time_ns() - mtime
    if age < racy:
        if racy - age > wait_ns:
            return False
        time.sleep((racy - age) / 1e9)
    stamp = clean_stamp(path)
    if stamp is None:
        return False
    stamps = _load_stamps()
    key = str(path.resolve())
    stamps.pop(key, None)
    stamps[key] = stamp
    while len(stamps) > MAX_STAMPS:
        stamps.pop(next(iter(stamps)))
    try:
        target = _stamps_path()
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(stamps), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        return False  # no record: the next open checks in full, as it would have anyway
    return True
