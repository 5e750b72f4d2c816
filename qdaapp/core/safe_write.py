"""Writing a file so that a failure never leaves a partial one that looks real.

Every file qdaapp writes for the user (exports, reports, backups) goes through
:func:`write_via_temp`: the content is written to a temporary file beside the
target (a dot-name that no listing of exports or backups matches), flushed to
the disk, and only then renamed over the target. A full disk, an error in the
writer or a kill before the rename leaves the target as it was (absent, or the
previous complete version); the temporary file is removed whenever Python is
still running to remove it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .db import disk_full, is_disk_full


def fsync_path(path: Path) -> None:
    """Flush ``path`` (a file, or a folder's entries) to the disk, where the system allows it."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:
        return  # folders cannot be opened on some systems; the file itself was flushed
    try:
        os.fsync(fd)
    except OSError as exc:
        if is_disk_full(exc):
            raise
    finally:
        os.close(fd)


def write_via_temp(path: str | Path, write: Callable[[Path], object], *, temp_suffix: str | None = None,
                   what: str = "", mode: int | None = None) -> Path:
    """Write ``path`` by calling ``write(tmp)`` on a temporary file beside it, then renaming.

    ``temp_suffix`` (default: the target's) lets writers that choose a format by the name's
    ending see the right one; ``mode`` (default: what the umask gives an ordinary file) is set
    before the rename. A full disk raises :class:`~.errors.DiskFull` naming the folder; any
    other failure is re-raised. Either way the temporary file is gone and ``path`` unchanged.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    suffix = path.suffix if temp_suffix is None else temp_suffix
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=suffix, dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        fsync_path(tmp)
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask  # mkstemp makes 0600; an export is an ordinary file
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        fsync_path(folder)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, Exception) and is_disk_full(exc):
            raise disk_full(folder, what or f"writing {path.name}") from exc
        raise
    return path
