"""Where the shipped resources (lexicons, coding frames, demo material) live."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Where an installed wheel keeps them: ``qdaapp/_data/resources`` and ``qdaapp/_data/plugins``
# (setup.py copies the repository's top-level folders there when it builds the wheel).
INSTALLED_DATA = Path(__file__).resolve().parents[1] / "_data"


def resources_dir() -> Path:
    """The ``resources/`` folder: set by ``QDAAPP_RESOURCES``, in a bundle, inside an installed package,
    or beside the package in a checkout. ``plugins/`` is always its sibling (see :mod:`.plugins`)."""
    override = os.environ.get("QDAAPP_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    installed = INSTALLED_DATA / "resources"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "resources"
