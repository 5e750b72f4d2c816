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

import errno
import json
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from .errors import DiskFull, ProjectDamaged, ProjectError, ReadOnlyPlace

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine
    from sqlalchemy.pool import PoolProxiedConnection

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
BACKUP_SUFFIX = ".qda"
# What SQLite (and Python's sqlite3 module reading a damaged text value) say about a damaged file.
DAMAGE_SIGNS = ("malformed", "file is not a database", "could not decode", "database corrupt")
SQLITE_FULL = 13


def driver_connection(pooled: PoolProxiedConnection) -> sqlite3.Connection:
    """The sqlite3 connection under SQLAlchemy's pooled one (``conn.connection``, ``engine.raw_connection()``)."""
    raw = pooled.driver_connection
    if raw is None:  # only once the pooled connection was closed
        raise ProjectError("The connection to the project file is already closed.")
    return raw


# ---------------------------------------------------------------------- damage, full disks
def backup_files(path: Path) -> list[Path]:
    """Backup copies of the project at ``path`` (in ``NAME.backups`` beside it), newest first."""
    path = Path(path)
    folder = path.parent / f"{path.stem}.backups"
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{path.stem}-*{path.suffix or BACKUP_SUFFIX}"), reverse=True)


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, the driver error a SQLAlchemy error wraps, and their causes."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        todo.extend([getattr(item, "orig", None), item.__cause__, item.__context__])
    return seen


def is_damage(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite (or the decoding of a stored value) reporting a damaged file."""
    for item in _chain(exc):
        if isinstance(item, (UnicodeDecodeError, ProjectDamaged)):
            return True
        if isinstance(item, sqlite3.DatabaseError) and any(sign in str(item).lower() for sign in DAMAGE_SIGNS):
            return True
    return False


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` is the disk (or the user's quota) being full."""
    for item in _chain(exc):
        if isinstance(item, DiskFull):
            return True
        if isinstance(item, OSError) and item.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(item, sqlite3.Error) and (
            getattr(item, "sqlite_errorcode", None) == SQLITE_FULL or "database or disk is full" in str(item)
        ):
            return True
    return False


def damaged(path: Path, detail: str = "") -> ProjectDamaged:
    """The error for a damaged project: what is wrong, and the backups to restore."""
    path = Path(path)
    backups = backup_files(path)
    why = f" ({detail.rstrip('.')})" if detail else ""
    message = f"{path.name} is damaged{why}: restore a backup."
    if backups:
        shown = ", ".join(str(b) for b in backups[:5])
        more = f" and {len(backups) - 5} older" if len(backups) > 5 else ""
        message += (f" Backups, newest first: {shown}{more}. Restore one with File ▸ Restore from backup…, "
                    f"or copy it over {path.name} while qdaapp is closed.")
    else:
        message += f" There are no backups in {path.parent / (path.stem + '.backups')}; use a copy you keep elsewhere."
    return ProjectDamaged(message, tuple(str(b) for b in backups))


def disk_full(folder: Path, what: str = "") -> DiskFull:
    return DiskFull(str(Path(folder).resolve() if str(folder) else Path.cwd()), what)


def read_only_reason(path: Path) -> str | None:
    """Why ``path`` cannot be changed (a read-only file or folder), or None if it can."""
    if not os.access(path.parent, os.W_OK):
        return "it is in a read-only folder"
    if not os.access(path, os.W_OK):
        return "it is a read-only file"
    return None


def read_only_error(path: Path, reason: str) -> ReadOnlyPlace:
    return ReadOnlyPlace(
        f"{path.name} is {reason.removeprefix('it is ')}: it can be read but not changed; "
        "copy it to a folder you can write to.",
        reason,
    )


def read_only_uri(path: Path) -> str:
    """The URI that opens ``path`` read-only, also where nothing can be written beside it.

    SQLite reads a write-ahead-log project through a shared-memory file (``NAME-shm``) that it
    creates beside the project; in a read-only folder it cannot, and even a read fails
    ("attempt to write a readonly database"). With no log and no shared-memory file there, the
    file holds everything and is opened as immutable: nobody can write in that folder through
    this user, and SQLite then needs neither. A log that holds changes but cannot be read
    without that file is refused with a plain reason rather than silently ignored."""
    uri = f"file:{quote(path.resolve().as_posix())}?mode=ro"
    folder = path.resolve().parent
    if os.access(folder, os.W_OK) or Path(f"{path}-shm").exists():
        return uri
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:
        raise ReadOnlyPlace(
            f"{path.name} is in a read-only folder and its latest changes are still in {wal.name}, which "
            "cannot be read there: copy the project with its -wal file to a folder you can write to.",
            "it is in a read-only folder",
        )
    return uri + "&immutable=1"


def truncated(path: Path) -> bool:
    """Whether the file is shorter than its header says (with no write-ahead log holding the rest)."""
    try:
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size:
            return False
        with open(path, "rb") as fh:
            header = fh.read(100)
        size = path.stat().st_size
    except OSError:
        return False
    if len(header) < 100:
        return True
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is only valid when the "version valid for" number equals the change counter.
    if header[92:96] != header[24:28] or not pages:
        return size % page_size != 0 if page_size >= 512 else True
    return size < pages * page_size


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
    if truncated(path):
        raise damaged(path, "the file is shorter than its header says: it was cut off")
    if not read_only:
        reason = read_only_reason(path)
        if reason:
            raise read_only_error(path, reason)


def make_engine(path: Path, read_only: bool = False, mmap: bool = True) -> Engine:
    """An engine for ``path``. ``mmap`` maps up to 256 MB of the file, for a long-lived process
    (the app) that reads the same index pages again and again; a one-off command reads each page
    about once, and mapping then only adds the pages it touched to its resident memory."""
    from sqlalchemy import create_engine, event

    if read_only:
        uri = read_only_uri(path)

        def creator() -> sqlite3.Connection:
            return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)

        engine = create_engine("sqlite://", creator=creator)
    else:
        engine = create_engine(
            f"sqlite:///{path.resolve().as_posix()}",
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
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
    def _on_begin(conn) -> None:
        mode = conn.get_execution_options().get("qda_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def quick_check(engine: Engine, name: str, path: Path | None = None) -> str | None:
    """Refuse a damaged file. With ``path``, a file that is as this machine last closed it
    (:func:`clean_stamp`) gets the cheap check only: its schema and small tables. Returns how
    the file was trusted (see :func:`trust`), or None when every page was read now."""
    trusted = trust(path) if path is not None else None
    with engine.connect() as conn:
        rows = _check_rows(lambda sql: conn.exec_driver_sql(sql).fetchall(), path or Path(name), trusted is not None)
        conn.rollback()
    _judge(rows, name, path, trusted is not None)
    return trusted


def integrity_problems(conn: sqlite3.Connection, limit: int = 20) -> list[str]:
    """The full check, on a plain connection in autocommit mode: ``PRAGMA integrity_check``
    (every page, and every index against its table, which ``quick_check`` skips) and then a read
    of every stored value, so text that no longer decodes is found now rather than when some
    later command reads it. One read transaction: writers are not blocked. Empty: sound."""
    problems: list[str] = []
    conn.execute("BEGIN")
    try:
        try:
            rows = [str(r[0]) for r in conn.execute(f"PRAGMA integrity_check({int(limit)})") if r[0] != "ok"]
            # One row may hold several lines, under a "*** in database main ***" heading.
            problems = [line.strip() for row in rows for line in row.splitlines()
                        if line.strip() and not line.startswith("***")]
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        tables = conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
        ).fetchall()
        for (table,) in tables:
            quoted = '"' + str(table).replace('"', '""') + '"'
            try:
                for _ in conn.execute(f"SELECT * FROM {quoted}"):
                    pass
            except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
                problems.append(f"table {table}: {exc}")
            if len(problems) >= limit:
                break
    finally:
        conn.execute("ROLLBACK")
    return problems


def quick_check_connection(conn: sqlite3.Connection, name: str, path: Path | None = None) -> None:
    """:func:`quick_check` on a plain ``sqlite3`` connection."""
    trusted = path is not None and trust(path) is not None
    rows = _check_rows(lambda sql: conn.execute(sql).fetchall(), path or Path(name), trusted)
    _judge(rows, name, path, trusted)


def _check_rows(fetch: Callable[[str], Sequence], path: Path, trusted: bool) -> list[tuple]:
    pragmas = ("PRAGMA quick_check(sqlite_schema)", "PRAGMA quick_check(meta)") if trusted else ("PRAGMA quick_check",)
    try:
        return [tuple(row) for pragma in pragmas for row in fetch(pragma)]
    except Exception as exc:  # sqlite3.DatabaseError: file is not a database, etc.
        if is_disk_full(exc):
            raise
        raise damaged(path, f"it cannot be opened: {exc}") from exc


def _judge(rows: list[tuple], name: str, path: Path | None, trusted: bool) -> None:
    rows = [r for r in rows if r != ("ok",)]
    if rows:
        lines = [line.strip() for r in rows for line in str(r[0]).splitlines() if not line.startswith("***")]
        problem = "; ".join(line for line in lines[:3] if line)
        raise damaged(path or Path(name), f"it failed its integrity check: {problem}")
    if path is not None and not trusted:
        remember_clean(path, kind=QUICK)  # every page read as it is now: the next open need not again


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


def clean_stamp(path: Path) -> str | None:
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


def _recorded(path: Path) -> str | None:
    """The stamp recorded for ``path`` (without how it was checked)."""
    value = _load_stamps().get(str(path.resolve()))
    return value.split("|", 1)[0] if isinstance(value, str) else None


# How a recorded file was known sound. CLOSED: a writer of this machine closed it; FULL: the full
# check (:func:`integrity_problems`) passed; QUICK: ``quick_check`` read every page, but indexes
# and stored text were not checked, so a command that changes the file checks those first.
CLOSED, FULL, QUICK = "closed", "full", "quick"


def trust(path: Path) -> str | None:
    """How ``path`` was known sound when it was last seen as it is now (CLOSED, FULL or QUICK),
    or None: it changed since, or was never seen."""
    value = _load_stamps().get(str(path.resolve()))
    stamp = clean_stamp(path)
    if not isinstance(value, str) or stamp is None:
        return None
    recorded, _, kind = value.partition("|")
    return (kind or CLOSED) if recorded == stamp else None


def forget_clean(path: Path) -> None:
    """Drop the record for ``path`` (found damaged): the next open checks it in full."""
    stamps = _load_stamps()
    if stamps.pop(str(path.resolve()), None) is not None:
        _save_stamps(stamps)


def _save_stamps(stamps: dict[str, str]) -> bool:
    try:
        target = _stamps_path()
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(stamps), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        return False  # no record: the next open checks in full, as it would have anyway
    return True


def remember_clean(path: Path, wait_ns: int = RACY_NS, kind: str = CLOSED) -> bool:
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
    stamps[key] = stamp if kind == CLOSED else f"{stamp}|{kind}"
    while len(stamps) > MAX_STAMPS:
        stamps.pop(next(iter(stamps)))
    return _save_stamps(stamps)
