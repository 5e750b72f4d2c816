"""Importers: turn a file into plain text plus structure.

Each file type has a *reader*, a function ``reader(path, progress=None,
cancel=None) -> ImportedDocument``. Readers are kept in a registry keyed by
file extension. The built-in readers come from the plugin registry
(``core/plugins.py``, the built-in plugin "qdaapp") exactly the way plugins'
readers do, and lazily: a reader is imported only when a file of its type is
first read, so importing this package never loads python-docx, pdfminer,
lxml or charset-normalizer. ``register_importer`` adds a reader directly; it
takes precedence over a plugin's reader for the same extension.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from threading import Lock

from qdaapp.core.importers.base import (
    MAX_IMPORT_BYTES,
    ImportedDocument,
    PathLike,
    check_path,
    fail,
)
from qdaapp.core.progress import CancelToken, Progress

Reader = Callable[..., ImportedDocument]

__all__ = [
    "MAX_IMPORT_BYTES",
    "ImportedDocument",
    "Reader",
    "importer_for",
    "importer_name",
    "read_file",
    "register_importer",
    "supported_extensions",
]


@dataclass
class _Entry:
    name: str
    target: Reader | str
    loaded: Reader | None = None
    plugin: str | None = None  # target is relative to this plugin's package


_registry: dict[str, _Entry] = {}
_lock = Lock()
_from_plugins: dict[str, _Entry] = {}
_synced_with: object = None


def _clean_extension(ext: str) -> str:
    ext = ext.strip().lower()
    if not ext or ext == ".":
        raise ValueError("an importer needs a non-empty file extension")
    return ext if ext.startswith(".") else "." + ext


def register_importer(extensions: tuple[str, ...], reader: Reader | str, name: str) -> None:
    """Register ``reader`` for files ending in any of ``extensions``.

    ``reader`` is a callable or a ``"module:function"`` string resolved on first
    use. A later registration for the same extension replaces the earlier one.
    """
    if isinstance(extensions, str):
        extensions = (extensions,)
    if isinstance(reader, str) and ":" not in reader:
        raise ValueError(f"reader {reader!r} must look like 'package.module:function'")
    if not isinstance(reader, str) and not callable(reader):
        raise TypeError("reader must be callable or a 'module:function' string")
    cleaned = [_clean_extension(e) for e in extensions]
    with _lock:
        for ext in cleaned:
            _registry[ext] = _Entry(name=name, target=reader)


def _entries() -> dict[str, _Entry]:
    """Plugin readers (rebuilt when the plugin registry is reloaded), then direct registrations."""
    global _from_plugins, _synced_with
    from qdaapp.core.plugins import registry

    current = registry()
    with _lock:
        if current is not _synced_with:
            _from_plugins = {
                _clean_extension(ext): _Entry(name=imp.label, target=imp.reader, plugin=imp.plugin)
                for imp in current.importers()
                for ext in imp.extensions
            }
            _synced_with = current
        return {**_from_plugins, **_registry}


def supported_extensions() -> tuple[str, ...]:
    """Registered extensions (lower case, with the dot), in registration order."""
    return tuple(_entries())


def _suffix(path: PathLike) -> str:
    return Path(os.fspath(path)).suffix.lower()


def _entry_for(path: PathLike) -> _Entry:
    ext = _suffix(path)
    entry = _entries().get(ext)
    if entry is None:
        supported = ", ".join(supported_extensions())
        kind = f"files of type {ext}" if ext else "files without an extension"
        raise fail(
            path,
            f"{kind} cannot be imported; supported: {supported}.",
            "Save it in one of these formats (for example from Word: File > Save As) and import that copy.",
        )
    return entry


def importer_name(path: PathLike) -> str:
    """Human-readable name of the importer that would read ``path``."""
    return _entry_for(path).name


def importer_for(path: PathLike) -> Reader:
    """The reader for ``path``'s extension; ImportFailure if there is none."""
    entry = _entry_for(path)
    if entry.loaded is None:
        target = entry.target
        if entry.plugin is not None:
            from qdaapp.core.plugins import PluginError, registry

            try:
                target = registry().load(entry.plugin, str(target))
            except PluginError as exc:
                raise fail(path, f"the importer for {_suffix(path)} files cannot be used. {exc}",
                           "Check the plugin in Preferences > Plugins, or turn it off.") from exc
        elif isinstance(target, str):
            module_name, _, attr = target.partition(":")
            target = getattr(importlib.import_module(module_name), attr)
        entry.loaded = target
    return entry.loaded


def read_file(
    path: PathLike,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> ImportedDocument:
    """Read one file with the importer registered for its extension."""
    check_path(path)
    reader = importer_for(path)
    return reader(path, progress=progress, cancel=cancel)

