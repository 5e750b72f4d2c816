"""The project: one SQLite file, opened safely, the facade CLI and GUI call.

``Project.create`` builds the schema through the Alembic migrations (so new
and migrated projects are made by the same code). ``Project.open`` checks the
file first, refuses a schema newer than this program knows, and takes a
backup copy before migrating an older one.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from . import audit, durability
from .commands import Change, CommandFn, command, execute
from .db import (
    CLOSED,
    FULL,
    backup_files,
    check_project_file,
    damaged,
    disk_full,
    driver_connection,
    forget_clean,
    integrity_problems,
    is_damage,
    is_disk_full,
    make_engine,
    quick_check,
    read_only_error,
    read_only_reason,
    remember_clean,
)
from .errors import DiskFull, NeedsUpgrade, ProjectDamaged, ProjectError
from .lock import ProjectLock
from .models import AuditEvent, Coding, Meta, Node, Source, utcnow
from .schema import KNOWN_REVISIONS, SCHEMA_HEAD, check_known
from .schema import schema_revision as _schema_revision

__all__ = ["KNOWN_REVISIONS", "SCHEMA_HEAD", "Project"]

PROJECT_SUFFIX = ".qda"


def default_coder() -> str:
    """``QDAAPP_CODER``, else the login name when it names a person (not "root", "user"...), else "coder"."""
    from .coders import login_name

    return os.environ.get("QDAAPP_CODER") or login_name() or "coder"


class Project:
    """An open project. Use :meth:`create` or :meth:`open`, then :meth:`close`."""

    def __init__(self, path: Path, engine: Engine, coder: str, read_only: bool,
                 lock: ProjectLock | None = None) -> None:
        self.path = path
        self._lock = lock
        self.engine = engine
        self.coder = coder
        self.read_only = read_only
        self._writer = engine.execution_options(qda_begin="IMMEDIATE")
        self._listeners: list[Callable[[Change], None]] = []
        self._project_id: str | None = None
        self._head_record: durability.HeadRecord | None = None
        # Set on open when the file lacks work acknowledged on this computer (see durability).
        self.missing_work: durability.MissingWork | None = None
        self.last_backup_seal: str | None = None
        # Set once SQLite (or the decoding of a stored value) reports damage, or the full check
        # finds it: from then on the project refuses every write (require_writable).
        self.damaged: ProjectDamaged | None = None
        # Why a project opened read-only could not have been opened for writing (None: by choice).
        self.read_only_reason: str | None = read_only_reason(path) if read_only else None
        # Whether the file is known sound in full as it was opened: a writer here closed it last,
        # or the full check passed since (see db.trust). Otherwise a change checks it in full first.
        self.checked_in_full = False
        from sqlalchemy import event

        event.listen(engine, "handle_error", self._on_database_error)

    # ------------------------------------------------------------------ life cycle
    @classmethod
    def create(cls, path: str | Path, coder: str | None = None) -> Project:
        path = Path(path)
        if path.exists():
            raise ProjectError(f"{path.name} already exists; qdaapp will not overwrite it. Choose another name.")
        if not path.parent.exists():
            raise ProjectError(f"The folder {path.parent} does not exist.")
        if not os.access(path.parent, os.W_OK):
            raise ProjectError(f"Cannot create {path.name}: the folder {path.parent} is read-only.")
        lock = ProjectLock(path)
        lock.acquire()
        engine = make_engine(path)
        try:
            _migrate(engine)
            project = cls(path, engine, coder or default_coder(), read_only=False, lock=lock)
            project._write_meta({"project_id": str(uuid.uuid4()), "created_at": utcnow(), "owner": project.coder})
            project.run(_create_project, path.stem)
        except BaseException:
            engine.dispose()
            lock.release()
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
            raise
        return project

    @classmethod
    def open(cls, path: str | Path, coder: str | None = None, read_only: bool = False,
             exclusive: bool = True, mmap: bool = True) -> Project:
        """Open a project. Writing takes the project's lock unless ``exclusive`` is False
        (several writers in one process, e.g. tests of concurrent coders). ``mmap``: see
        :func:`.db.make_engine` (a one-off command passes False)."""
        path = Path(path)
        check_project_file(path, read_only)
        revision = _schema_revision(path)
        check_known(path, revision)
        lock = ProjectLock(path) if exclusive and not read_only else None
        if lock is not None:
            lock.acquire()
        wal_before = durability.wal_state(path)  # before SQLite opens it (and resets a damaged log)
        engine = make_engine(path, read_only=read_only, mmap=mmap)
        try:
            trusted = quick_check(engine, path.name, path)
            if revision != SCHEMA_HEAD:
                if read_only:
                    raise NeedsUpgrade(
                        f"{path.name} uses an older schema and must be upgraded before it can be read; "
                        "open it normally once."
                    )
                backup_copy(path, engine, label=f"before-migration-{revision}")
                _migrate(engine)
        except BaseException:
            engine.dispose()
            if lock is not None:
                lock.release()
            raise
        project = cls(path, engine, coder or default_coder(), read_only, lock)
        project.checked_in_full = trusted in (CLOSED, FULL)
        try:
            project.missing_work = durability.missing_work(path, project.project_id(), project.audit_head(),
                                                           wal_before)
        except Exception:  # pages it cannot read: the damage checks report those, not this
            project.missing_work = None
        return project

    def close(self) -> None:
        from . import fts_text

        fts_text.forget(str(self.engine.url.database))  # the passages kept for keyword search
        if not self.read_only:
            try:  # the file alone holds everything once closed (a reader elsewhere may delay it)
                self.checkpoint("TRUNCATE")
            except Exception:  # closing goes on; SQLite checkpoints again when it can
                pass
        self.engine.dispose()
        if self._head_record is not None:
            self._head_record.close()
            self._head_record = None
        if not self.read_only:
            remember_clean(self.path)  # closed cleanly: the next open need not read every page
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ sessions
    def require_writable(self) -> None:
        if self.damaged is not None:
            raise ProjectDamaged(str(self.damaged), self.damaged.backups)
        if self.read_only:
            if self.read_only_reason:
                raise read_only_error(self.path, self.read_only_reason)
            raise ProjectError(f"{self.path.name} is open read-only; nothing can be changed.")

    def mark_damaged(self, detail: str) -> ProjectDamaged:
        """Record that the file is damaged: from now on it is read-only (writes are refused, and
        closing it does not record it as sound); returns the error."""
        self.damaged = damaged(self.path, detail)
        self.read_only = True
        self.read_only_reason = "it is damaged"
        forget_clean(self.path)
        return self.damaged

    def check_integrity(self) -> list[str]:
        """The full check (:func:`.db.integrity_problems`); safe on a worker thread while the
        project is in use. Marks the project damaged when it finds anything."""
        raw = self.engine.raw_connection()
        try:
            problems = integrity_problems(driver_connection(raw))
        finally:
            raw.close()
        if problems:
            self.mark_damaged(f"its full integrity check found: {'; '.join(problems[:3])}")
        elif self.damaged is None:
            self.checked_in_full = True
            remember_clean(self.path, wait_ns=0, kind=FULL)  # recorded only when no log holds part of it
        return problems

    def _on_database_error(self, context: Any) -> None:
        """SQLAlchemy's ``handle_error``: damage and full disks become errors a user can act on."""
        exc = context.original_exception
        if is_damage(exc):
            raise self.mark_damaged(str(exc)) from exc
        if is_disk_full(exc):
            raise disk_full(self.path.parent, f"saving to {self.path.name}") from exc

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE); rolled back unless committed."""
        with Session(self._writer, expire_on_commit=False) as session:
            try:
                yield session
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def run(self, fn: CommandFn, *args: Any, reason: str = "", **kwargs: Any) -> Any:
        """Execute a command (see :mod:`qdaapp.core.commands`) and return its result.

        A command that writes through the driver's own cursor (bulk imports) bypasses the
        engine's error hook; its damage and full-disk errors are translated here the same way."""
        try:
            return execute(self, fn, *args, reason=reason, **kwargs)
        except (ProjectDamaged, DiskFull):
            raise
        except Exception as exc:
            if is_damage(exc):
                raise self.mark_damaged(str(exc)) from exc
            if is_disk_full(exc):
                raise disk_full(self.path.parent, f"saving to {self.path.name}") from exc
            raise

    # ------------------------------------------------------------------ undo / redo
    def undo(self) -> int:
        """Revert this coder's last change; returns the audit seq it reverted."""
        from . import history

        return self.run(history.undo, self.coder)

    def redo(self) -> int:
        from . import history

        return self.run(history.redo, self.coder)

    def undo_redo_text(self) -> tuple[str | None, str | None]:
        """What Undo and Redo would do now, for the Edit menu (None: nothing)."""
        from . import history

        with self.read_session() as s:
            u, r = history.next_undo(s, self.coder), history.next_redo(s, self.coder)
        return (u[1] if u else None), (r[1] if r else None)

    # ------------------------------------------------------------------ observers
    def subscribe(self, listener: Callable[[Change], None]) -> None:
        """Call ``listener(change)`` after every committed command (GUI redraws)."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[Change], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def notify(self, change: Change) -> None:
        """Called after each committed command: the new head is acknowledged, then listeners run."""
        if self._head_record is None:
            self._head_record = durability.HeadRecord(self.path, self.project_id())
        self._head_record.write(self.audit_head())
        for listener in list(self._listeners):
            listener(change)

    # ------------------------------------------------------------------ facts
    def meta(self) -> dict[str, str]:
        with self.read_session() as s:
            return dict(s.execute(select(Meta.key, Meta.value)).all())

    def _write_meta(self, values: dict[str, str]) -> None:
        with self.write_session() as s:
            for key, value in values.items():
                s.merge(Meta(key=key, value=value))
            s.commit()

    def summary(self) -> dict[str, int]:
        """Counts for the status bar, by SQL aggregates."""
        with self.read_session() as s:
            return {
                "sources": s.scalar(select(func.count()).select_from(Source)) or 0,
                "nodes": s.scalar(select(func.count()).select_from(Node)) or 0,
                "codings": s.scalar(select(func.count()).select_from(Coding)) or 0,
                "events": s.scalar(select(func.count()).select_from(AuditEvent)) or 0,
            }

    def project_id(self) -> str:
        if self._project_id is None:
            self._project_id = self.meta().get("project_id", "")
        return self._project_id

    def audit_head(self) -> durability.Head | None:
        """(seq, hash) of the last audit event, or None."""
        raw = self.engine.raw_connection()  # the driver's own connection: this runs after every commit
        try:
            return durability.audit_head(lambda sql: driver_connection(raw).execute(sql).fetchall())
        finally:
            raw.close()

    def checkpoint(self, mode: str = "PASSIVE") -> bool:
        """Copy the write-ahead log into the project file (see :func:`.durability.checkpoint`);
        True when nothing is left only in the log."""
        if self.read_only:
            return False
        return durability.checkpoint(self.engine, mode)

    def save_copy(self, target: str | Path, force: bool = False, progress: Any = None,
                  cancel: Any = None) -> durability.CopyResult:
        """A self-contained, checked copy of the project as it is now at ``target`` (works while open
        and being written; refuses to replace a file unless ``force``)."""
        return durability.save_copy(self.engine, self.path, target, force=force, progress=progress, cancel=cancel)

    def verify_audit(self, seal: str | None = None) -> audit.VerifyResult:
        """Check the chain, its kept head, ``seal`` if given, and every row against its history."""
        with self.engine.connect() as conn:
            return audit.verify(conn, seal)

    def seal(self) -> str:
        """The seal of the audit chain as it is now (see :func:`.audit.seal`)."""
        with self.engine.connect() as conn:
            return audit.seal(conn)

    def backup(self, label: str = "manual") -> Path:
        """A backup copy; its seal is written beside it (``NAME.qda.seal``) and kept in ``last_backup_seal``."""
        made = backup_copy(self.path, self.engine, label)
        self.last_backup_seal = audit.seal_of_file(made)
        from .safe_write import write_via_temp

        seal = self.last_backup_seal + "\n"
        write_via_temp(made.with_name(made.name + ".seal"), lambda tmp: tmp.write_text(seal, encoding="utf-8"),
                       temp_suffix=".part", what=f"making a backup of {self.path.name}")
        return made

    def rotate_backups(self, keep: int = 10) -> Path:
        """An automatic backup (on open, and every 10 minutes of work); keeps the newest ``keep``."""
        made = backup_copy(self.path, self.engine, "auto")
        if not self.checked_in_full or self.damaged is not None:
            return made  # the older copies stay until this file is known sound: this one may hold damage
        autos = [b for b in list_backups(self.path) if "-auto" in b.name]
        for old in autos[keep:]:
            old.unlink(missing_ok=True)
        return made


def list_backups(path: str | Path) -> list[Path]:
    """Backup copies of the project at ``path``, newest first."""
    return backup_files(Path(path))


def restore_backup(path: str | Path, backup: str | Path) -> Path:
    """Replace the (closed) project with a backup; the current state is kept as a backup first.

    Returns the path of the copy of the state before the restore.
    """
    path, backup = Path(path), Path(backup)
    check_project_file(backup, read_only=True)
    lock = ProjectLock(path)
    lock.acquire()  # refuses while the project is open anywhere
    try:
        engine = make_engine(path)
        try:
            before = backup_copy(path, engine, "before-restore")
        finally:
            engine.dispose()
        src = sqlite3.connect(f"file:{backup.resolve().as_posix()}?mode=ro", uri=True)
        dest = sqlite3.connect(path)
        try:
            src.backup(dest)
            # The restored state is now the acknowledged one: its head is not "missing work".
            fetch = lambda sql: dest.execute(sql).fetchall()  # noqa: E731
            project_id = dict(fetch("SELECT key, value FROM meta")).get("project_id", "")
            durability.record_head(path, project_id, durability.audit_head(fetch))
        finally:
            src.close()
            dest.close()
    finally:
        lock.release()
    return before


@command("project.create")
def _create_project(session: Session, name: str) -> Change:
    return Change("project.create", "project", None, f"create project '{name}'", after={"name": name})


# ---------------------------------------------------------------------- helpers
def backup_copy(path: Path, engine: Engine, label: str) -> Path:
    """Copy the live database with SQLite's online backup (safe while open).

    The copy is written under a temporary name that :func:`list_backups` does not match,
    flushed to the disk and only then renamed: a full disk or a kill never leaves an empty
    or cut-off file that looks like a backup."""
    from .safe_write import write_via_temp

    folder = path.parent / f"{path.stem}.backups"
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full(path.parent, f"making a backup of {path.name}") from exc
        raise
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}-{stamp}-{label}{path.suffix or PROJECT_SUFFIX}"

    def copy(tmp: Path) -> None:
        raw = engine.raw_connection()
        try:
            dest = sqlite3.connect(tmp)
            try:
                driver_connection(raw).backup(dest)
            finally:
                dest.close()
        finally:
            raw.close()

    return write_via_temp(target, copy, temp_suffix=".part", what=f"making a backup of {path.name}")


def _migrate(engine: Engine, target: str = "head", down: bool = False) -> None:
    """Upgrade (or, for tests, downgrade) the schema with Alembic, imported only when needed."""
    from alembic import command as alembic_command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (alembic_command.downgrade if down else alembic_command.upgrade)(cfg, target)


def alembic_head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    return ScriptDirectory.from_config(cfg).get_current_head() or ""

