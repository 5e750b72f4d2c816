"""Files for people and other tools: reports, matrices, REFI-QDA."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..errors import DiskFull, InvalidInput
from ..safe_write import write_via_temp


def write_atomically(path: str | Path, write: Callable[[Path], object], allowed: tuple[str, ...]) -> Path:
    """Check ``path`` (suffix, folder) then write it through a temporary file.

    Nothing is left behind if writing fails, and an existing file is only
    replaced once the new one is complete (see :mod:`qdaapp.core.safe_write`, which
    every export goes through).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise InvalidInput(f"{path.name}: choose a file ending in {', '.join(allowed)}.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput(f"Cannot write {path.name}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InvalidInput(f"Cannot write {path.name}: {folder} is not writable. Choose another folder.")
    try:
        return write_via_temp(path, write)
    except DiskFull:
        raise
    except OSError as exc:
        raise InvalidInput(f"Cannot write {path.name}: {exc.strerror or exc}.") from exc
