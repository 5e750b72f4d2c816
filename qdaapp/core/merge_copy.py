"""A copy of the project for one coder to work on alone, to be merged back later.

The copy is a checked single-file copy (SQLite's online backup, see
:func:`.durability.save_copy`) that records in its ``meta`` who it is for and
where and when it was taken. A plain file copy of a closed project works as
well; it only lacks that note.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InvalidInput
from .models import utcnow

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project


@dataclass(frozen=True)
class CoderCopy:
    path: Path
    coder: str
    seal: str
    bytes: int


def make_copy(project: Project, target: str | Path, coder: str, force: bool = False,
              progress: Any = None, cancel: Any = None) -> CoderCopy:
    """Save a copy of ``project`` at ``target`` for ``coder``; the project itself is not changed."""
    coder = " ".join((coder or "").split())
    if not coder:
        raise InvalidInput("Name the coder the copy is for.")
    target = Path(target)
    result = project.save_copy(target, force=force, progress=progress, cancel=cancel)
    conn = sqlite3.connect(target)
    try:
        with conn:
            conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", [
                ("copy_for", coder), ("copied_at", utcnow()), ("copied_from", project.path.name),
                ("copied_at_seal", result.seal or "")])
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return CoderCopy(target, coder, result.seal or "", target.stat().st_size)


def copy_note(path: str | Path) -> dict[str, str]:
    """What a copy's ``meta`` says about it (empty for a plain file copy)."""
    from .schema import connect_read_only

    conn = connect_read_only(Path(path))
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()
    return {k: v for k, v in meta.items() if k in ("copy_for", "copied_at", "copied_from", "copied_at_seal")}
