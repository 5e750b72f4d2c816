"""One writer per project file: a lock held while a project is open for writing.

A second window (or a second program) that opens the same project is told
who has it open and may open it read-only. The lock is an operating-system
lock on ``PROJECT.lock``, so it disappears with the process that held it,
even after a crash.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import IO, Optional

from .errors import ProjectInUse


def _try_lock(fh: IO[bytes]) -> bool:
    if os.name == "nt":  # pragma: no cover - exercised on Windows builds
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


class ProjectLock:
    def __init__(self, project_path: Path) -> None:
        self.path = Path(f"{project_path}.lock")
        self.project_name = Path(project_path).name
        self._fh: Optional[IO[bytes]] = None

    def acquire(self) -> None:
        fh = open(self.path, "a+b")
        if not _try_lock(fh):
            fh.seek(0)
            try:
                info = json.loads(fh.read().decode("utf-8") or "{}")
            except ValueError:
                info = {}
            fh.close()
            who = f" by {info['user']} on {info['host']} since {info['since']}" if info.get("user") else ""
            raise ProjectInUse(
                f"{self.project_name} is open in another qdaapp window{who}. "
                "Open it read-only to browse it, or close it there first."
            )
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"user": getpass.getuser(), "host": socket.gethostname(), "pid": os.getpid(),
                             "since": datetime.now().strftime("%Y-%m-%d %H:%M")}).encode("utf-8"))
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()  # closing releases the OS lock
            self._fh = None
            try:
                self.path.unlink()
            except OSError:
                pass
