"""Where details go that a user should not see in a dialog: a log file they can find."""

from __future__ import annotations

import logging
import os
import traceback
from pathlib import Path


def data_dir() -> Path:
    """The per-user folder for settings, logs and the demo project."""
    base = os.environ.get("QDAAPP_HOME")
    if base:
        path = Path(base)
    elif os.name == "nt":
        path = Path(os.environ.get("APPDATA", Path.home())) / "qdaapp"
    else:
        path = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "qdaapp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_path() -> Path:
    return data_dir() / "qdaapp.log"


def log_exception(exc: BaseException) -> Path:
    """Append a traceback to the log file and return its path."""
    path = log_path()
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        fh.write("\n")
    logging.getLogger("qdaapp").debug("logged %s", exc)
    return path
