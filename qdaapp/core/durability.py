"""Nothing acknowledged lives only in the write-ahead log, and a lost log is noticed.

In WAL mode a committed change first goes to ``PROJECT.qda-wal``; SQLite copies it into the
project file itself at a *checkpoint*. A user who copies or mails the ``.qda`` file alone, or a
sync tool that drops the ``-wal`` file, would lose whatever had not been checkpointed yet. So:

* :func:`checkpoint` copies the log into the file. The app calls it (``PASSIVE``: it never waits
  for readers) when it has been idle for a moment after a change, and :meth:`Project.close
  <qdaapp.core.project.Project.close>` calls it with ``TRUNCATE``, which leaves the log empty:
  after a close, or a CLI command that wrote, the ``.qda`` file alone holds everything.
* Every acknowledged change records the head of the audit chain (last sequence number and its
  hash) in the user's data folder, keyed by the project's path and id (:func:`record_head`). On
  open, :func:`missing_work` compares it with the head the file holds: a file behind what was
  acknowledged lost work from its log (the ``-wal`` file was removed or damaged), and the user is
  told which events are missing.
* :func:`save_copy` writes a single-file copy with SQLite's online backup API (safe while the
  project is open and being written), checks it, and only then gives it its name.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .db import driver_connection
from .errors import ProjectError, ProjectInUse
from .progress import CancelToken, Progress

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine

HEADS_DIR = "project-heads"
WAL_MAGIC = (0x377F0682, 0x377F0683)
WAL_VERSION = 3007000
COPY_STEP_PAGES = 1024  # pages per backup step: progress and cancelling between steps

Head = tuple[int, str]  # (seq, hash) of the last audit event


# ---------------------------------------------------------------------- checkpoints
def checkpoint(engine: Engine, mode: str = "PASSIVE", wait_ms: int = 1000) -> bool:
    """Copy the write-ahead log into the project file; True when all of it was copied.

    ``PASSIVE`` copies what no reader still needs and never waits. ``TRUNCATE`` also empties the
    log file; it waits up to ``wait_ms`` for readers and writers to finish (the busy timeout is
    set back afterwards)."""
    mode = mode.upper()
    if mode not in ("PASSIVE", "FULL", "RESTART", "TRUNCATE"):
        raise ValueError(f"unknown checkpoint mode {mode!r}")
    raw = engine.raw_connection()
    try:
        conn = driver_connection(raw)
        previous = conn.execute("PRAGMA busy_timeout").fetchone()[0]
        conn.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
        try:
            busy, log_frames, copied = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        finally:
            conn.execute(f"PRAGMA busy_timeout={int(previous)}")
    finally:
        raw.close()
    # Not in WAL mode at all: (0, -1, -1); nothing lives in a log then.
    return busy == 0 and (log_frames == -1 or copied == log_frames)


# ---------------------------------------------------------------------- the acknowledged head
def audit_head(fetch: Callable[[str], Sequence]) -> Head | None:
    """The last event's (seq, hash), or None for a project without events."""
    rows = fetch("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
    return (int(rows[0][0]), str(rows[0][1])) if rows else None


def _head_file(path: Path) -> Path:
    from .logs import data_dir

    key = hashlib.sha256(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:32]
    folder = data_dir() / HEADS_DIR
    folder.mkdir(exist_ok=True)
    return folder / f"{key}.json"


RECORD_BYTES = 512  # a record is rewritten in place, always this long: no temporary file, no rename


class HeadRecord:
    """The acknowledged head of one project, kept in a small file of its own that stays open and
    is overwritten in place after each commit (a few microseconds; a torn write reads as no record,
    which only means nothing is compared on the next open)."""

    def __init__(self, path: Path, project_id: str) -> None:
        self.path, self.project_id = Path(path), project_id
        self._resolved = str(self.path.resolve())
        self._fd: int | None = None

    def write(self, head: Head | None) -> bool:
        """Never raises: without a record the next open simply has nothing to compare with."""
        if not self.project_id:
            return False
        try:
            if head is None:  # a project without events: nothing can be missing from it
                self.close()
                _head_file(self.path).unlink(missing_ok=True)
                return True
            if self._fd is None:
                self._fd = os.open(_head_file(self.path), os.O_RDWR | os.O_CREAT, 0o600)
            payload = json.dumps({"path": self._resolved, "project_id": self.project_id,
                                  "seq": head[0], "hash": head[1]}).encode("utf-8")
            if len(payload) > RECORD_BYTES:
                return False
            os.pwrite(self._fd, payload.ljust(RECORD_BYTES), 0) if hasattr(os, "pwrite") else \
                (os.lseek(self._fd, 0, os.SEEK_SET), os.write(self._fd, payload.ljust(RECORD_BYTES)))
        except OSError:
            return False
        return True

    def close(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None

    __del__ = close  # a project dropped without close() does not keep the file open


def record_head(path: Path, project_id: str, head: Head | None) -> bool:
    """Remember that ``head`` of the project at ``path`` was acknowledged (one-off; an open
    project keeps a :class:`HeadRecord`)."""
    record = HeadRecord(path, project_id)
    try:
        return record.write(head)
    finally:
        record.close()


def recorded_head(path: Path, project_id: str) -> Head | None:
    """The head last acknowledged for this project at this path (None: none, or another project)."""
    try:
        data = json.loads(_head_file(path).read_bytes().decode("utf-8").strip())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("project_id") != project_id:
        return None
    try:
        return int(data["seq"]), str(data["hash"])
    except (KeyError, TypeError, ValueError):
        return None


def wal_state(path: Path) -> str:
    """'none' (no log, or an empty one), 'ok', 'damaged' (not a write-ahead log header) or
    'unreadable'. Looked at before SQLite opens the project, which would reset a damaged log."""
    wal = Path(f"{path}-wal")
    try:
        if not wal.exists() or wal.stat().st_size == 0:
            return "none"
        with open(wal, "rb") as fh:
            header = fh.read(32)
    except OSError:
        return "unreadable"
    if len(header) < 32:
        return "damaged"
    magic, version = struct.unpack(">II", header[:8])
    if magic not in WAL_MAGIC or version != WAL_VERSION:
        return "damaged"
    # The header's own checksum (SQLite's running checksum over its first 24 bytes).
    big_endian = magic & 1
    fmt = ">6I" if big_endian else "<6I"
    words = struct.unpack(fmt, header[:24])
    s0 = s1 = 0
    for i in range(0, 6, 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    if struct.unpack(">II", header[24:32]) != (s0, s1):
        return "damaged"
    return "ok"


@dataclass(frozen=True)
class MissingWork:
    """What the file lacks compared with what was acknowledged."""

    name: str
    file_seq: int
    recorded_seq: int
    wal: str  # wal_state() before the open
    backups: Path | None = None

    def message(self) -> str:
        if self.recorded_seq > self.file_seq:
            first, last = self.file_seq + 1, self.recorded_seq
            what = f"event {first}" if first == last else f"events {first}..{last}"
            lost = f"recent work ({what} of the audit trail, acknowledged on this computer) is missing"
        else:
            lost = (f"its latest work (event {self.recorded_seq} of the audit trail) is not the one acknowledged "
                    "on this computer, so recent work is missing")
        if self.wal == "none":
            why = f"the {self.name}-wal file that held it beside the project was removed"
        elif self.wal == "unreadable":
            why = f"the {self.name}-wal file beside the project cannot be read"
        else:
            why = f"the {self.name}-wal file beside the project is damaged"
        where = f" (copies are kept in {self.backups})" if self.backups is not None else ""
        return (f"{self.name}: {lost}: {why}. Restore a backup{where} to get back what it holds: File ▸ Restore from "
                "backup… in the app. If you put an older copy of the project there on purpose, carry on; "
                "this warning stops after your next change.")


def missing_work(path: Path, project_id: str, head: Head | None, wal_before: str) -> MissingWork | None:
    """Compare the file's head with the acknowledged one; None when nothing is missing."""
    recorded = recorded_head(path, project_id)
    if recorded is None:
        return None
    file_seq = head[0] if head is not None else 0
    if file_seq > recorded[0]:
        return None  # work done since (by a program that kept no record here): nothing is missing
    if file_seq == recorded[0] and head is not None and head[1] == recorded[1]:
        return None
    backups = path.parent / f"{path.stem}.backups"
    return MissingWork(path.name, file_seq, recorded[0], wal_before, backups if backups.is_dir() else None)


# ---------------------------------------------------------------------- copies
@dataclass(frozen=True)
class CopyResult:
    path: Path
    pages: int
    bytes: int
    head: Head | None

    @property
    def seal(self) -> str:
        """The copy's audit seal (see :func:`.audit.seal_string`)."""
        from .audit import GENESIS, seal_string

        return seal_string(*self.head) if self.head else seal_string(0, GENESIS)

    def message(self) -> str:
        head = f"; audit trail up to event {self.head[0]}" if self.head else ""
        return (f"saved a copy to {self.path} ({self.bytes / 1_048_576:.1f} MB{head}); the copy opens and checks out; "
                f"seal: {self.seal}")


def save_copy(engine: Engine, source: Path, target: str | Path, force: bool = False,
              progress: Progress | None = None, cancel: CancelToken | None = None) -> CopyResult:
    """Copy the open project at ``source`` to ``target`` as one self-contained file.

    Uses SQLite's online backup, step by step (``progress`` counts pages; ``cancel`` stops between
    steps), into a temporary file beside ``target``; the copy is checked (integrity, and that its
    audit trail reaches the head the project had when the copy began) before it takes its name.
    Refuses to replace an existing file unless ``force``."""
    from .lock import ProjectLock

    source, target = Path(source), Path(target)
    if target.exists() and target.resolve() == source.resolve():
        raise ProjectError(f"A copy cannot be saved over the project itself ({target}). Choose another name.")
    if target.is_dir():
        raise ProjectError(f"{target} is a folder; give the copy a file name, e.g. {target / source.name}.")
    if not target.parent.is_dir():
        raise ProjectError(f"The folder {target.parent} does not exist.")
    if target.exists() and not force:
        raise ProjectError(f"{target} already exists; qdaapp will not overwrite it. "
                           "Choose another name, or use --force to replace it.")
    if not os.access(target.parent, os.W_OK):
        raise ProjectError(f"Cannot save a copy in {target.parent}: the folder is read-only.")
    lock = ProjectLock(target)  # a project open at the target's name is never replaced under it
    try:
        lock.acquire()
    except ProjectInUse as exc:
        raise ProjectError(f"{target.name} cannot be replaced: {exc}") from None
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
        raw = engine.raw_connection()
        try:
            src = driver_connection(raw)
            head_before = audit_head(lambda sql: src.execute(sql).fetchall())
            dest = sqlite3.connect(tmp, isolation_level=None)
            try:
                def step(_status: int, remaining: int, total: int) -> None:
                    if progress is not None:
                        if progress.total != total:
                            progress.start(total, "Copying")
                        progress.advance(total - remaining - progress.done)
                    if cancel is not None:
                        cancel.check()

                src.backup(dest, pages=COPY_STEP_PAGES, progress=step)
                dest.execute("PRAGMA journal_mode=DELETE")  # one file: no log beside the copy
                _check_copy(dest, target.name, head_before)
                pages = dest.execute("PRAGMA page_count").fetchone()[0]
                head = audit_head(lambda sql: dest.execute(sql).fetchall())
            finally:
                dest.close()
        finally:
            raw.close()
        _fsync(tmp)
        check = sqlite3.connect(f"file:{tmp.resolve().as_posix()}?mode=ro", uri=True)
        try:
            _check_copy(check, target.name, head_before)
        finally:
            check.close()
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm"), Path(f"{target}-journal")):
            stale.unlink(missing_ok=True)  # they belonged to the file being replaced
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        lock.release()
    return CopyResult(target, int(pages), target.stat().st_size, head)


def _check_copy(conn: sqlite3.Connection, name: str, head_before: Head | None) -> None:
    problems = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall() if r[0] != "ok"]
    if problems:
        raise ProjectError(f"The copy {name} failed its check ({'; '.join(problems[:3])}); it was not saved.")
    head = audit_head(lambda sql: conn.execute(sql).fetchall())
    if head_before is not None and (head is None or head[0] < head_before[0]):
        raise ProjectError(f"The copy {name} lacks recent events of the audit trail; it was not saved.")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover - directories cannot be opened there
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
