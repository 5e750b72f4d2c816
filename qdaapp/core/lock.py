"""One writer per project file: a lock held while a project is open for writing.

A second window (or a second program) that opens the same project is told
who has it open and may open it read-only. The lock is an operating-system
lock on ``PROJECT.lock``, so it disappears with the process that held it,
even after a crash.

Exclusive under any interleaving: the lock belongs to the file the name
``PROJECT.lock`` points at. A process that got the OS lock checks that the
name still points at the file it locked (same device and inode) and starts
again if not; the holder removes the name only while it still holds the
lock. So two processes can never each hold a lock on a different file: the
one whose file lost its name finds out before it goes on. (Where a locked
file cannot be removed, on Windows, the file simply stays.)
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO

from .errors import ProjectInUse

# Who takes locks in this process, recorded in the lock file so another process can say who holds it:
# "window" (the app) unless the command line says which command it runs (:func:`set_holder`).
_holder: dict[str, str] = {"kind": "window", "detail": ""}
MAX_ATTEMPTS = 1000


def set_holder(kind: str, detail: str = "") -> None:
    """Say what this process is ("window", or "cli" with the command's name as ``detail``)."""
    _holder["kind"], _holder["detail"] = kind, detail


@contextmanager
def held_as(kind: str, detail: str = "") -> Iterator[None]:
    """Locks taken inside the block say they were taken by ``kind``/``detail`` (then as before)."""
    before = dict(_holder)
    set_holder(kind, detail)
    try:
        yield
    finally:
        _holder.update(before)


def _try_lock(fh: IO[bytes]) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _same_file(fh: IO[bytes], path: Path) -> bool:
    """Whether the name ``path`` still points at the open file ``fh``."""
    try:
        named = os.stat(path)
    except OSError:
        return False
    mine = os.fstat(fh.fileno())
    return (named.st_dev, named.st_ino) == (mine.st_dev, mine.st_ino)


def holder_text(info: dict) -> str:
    """'another qdaapp window by ana on lab-3 since …' from what a lock file says."""
    who = f" by {info['user']} on {info['host']} since {info['since']}" if info.get("user") else ""
    if info.get("kind") == "cli":
        command = f"'qdaapp {info['detail']}'" if info.get("detail") else "a qdaapp command"
        pid = f", process {info['pid']}" if info.get("pid") else ""
        return f"another qdaapp process (qdaapp CLI command {command}{pid}){who}"
    return f"another qdaapp window{who}"


class ProjectLock:
    def __init__(self, project_path: Path) -> None:
        self.path = Path(f"{project_path}.lock")
        self.project_name = Path(project_path).name
        self._fh: IO[bytes] | None = None

    def acquire(self) -> None:
        for _ in range(MAX_ATTEMPTS):
            fh = open(self.path, "a+b")
            if not _try_lock(fh):
                self._refuse(fh)
            if _same_file(fh, self.path):
                break
            fh.close()  # the file we locked was removed by its last holder: lock the one there now
        else:  # pragma: no cover - would need the name replaced a thousand times in a row
            raise ProjectInUse(f"{self.project_name} could not be locked: its lock file keeps changing.")
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"user": getpass.getuser(), "host": socket.gethostname(), "pid": os.getpid(),
                             "kind": _holder["kind"], "detail": _holder["detail"],
                             "since": datetime.now().strftime("%Y-%m-%d %H:%M")}).encode("utf-8"))
        fh.flush()
        self._fh = fh

    def _refuse(self, fh: IO[bytes]) -> None:
        fh.seek(0)
        try:
            info = json.loads(fh.read().decode("utf-8") or "{}")
        except ValueError:
            info = {}
        fh.close()
        if not isinstance(info, dict):
            info = {}
        if info.get("kind") == "cli":
            advice = "Wait for that command to finish, or open the project read-only to browse it."
        else:
            advice = "Open it read-only to browse it, or close it there first."
        raise ProjectInUse(f"{self.project_name} is open in {holder_text(info)}. {advice}")

    def release(self) -> None:
        if self._fh is not None:
            try:
                # Removed while still locked: whoever opened this file meanwhile sees it lost its name.
                if _same_file(self._fh, self.path):
                    self.path.unlink()
            except OSError:
                pass  # cannot be removed (Windows): it stays, and stays the one file everyone locks
            self._fh.close()  # closing releases the OS lock
            self._fh = None
