"""Files for people and other tools: reports, matrices, REFI-QDA."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import InvalidInput


def write_atomically(path: str | Path, write: Callable[[Path], None], allowed: tuple[str, ...]) -> Path:
    """Check ``path`` (suffix, folder) then write it through a temporary file.

    Nothing is left behind if writing fails, and an existing file is only
    replaced once the new one is complete.
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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, path)
    except OSError as exc:
        raise InvalidInput(f"Cannot write {path.name}: {exc.strerror or exc}.") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
