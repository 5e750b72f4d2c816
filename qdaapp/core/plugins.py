"""Plugins: discovery, manifests, a lazy registry and the user's enable/disable choice.

A plugin is a Python package folder with a manifest, ``qdaapp-plugin.toml``
(``name``, ``version``, ``api``, ``description`` and a ``[contributes]``
table of importers, exporters, lexicons, frames and analyses; see
``docs/plugins.md``). Plugins are found through the ``qdaapp.plugins`` entry
point group, in the ``plugins/`` folder beside ``resources/`` (the
repository's top-level folders, ``qdaapp/_data/`` in an installed wheel,
``_internal/`` in a bundle) and in the user's plugin folder (``data_dir()/plugins``). The app's own importers,
lexicons and coding frames are the built-in plugin ``qdaapp``, so every
contribution goes through this registry.

Discovery reads manifests only; a plugin's code is imported the first time
one of its contributions is used, with module names relative to the plugin's
package. A plugin whose manifest is wrong, whose files are missing or whose
code fails to import keeps its error and contributes nothing; the others
still work. The plugins a user turned off are listed in
``data_dir()/plugins.json``.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import importlib.util
import json
import logging
import os
import re
import sys
import threading
import tomllib
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InvalidInput, NotFound, QdaError
from .logs import data_dir
from .resources import resources_dir

PLUGIN_API = 1
MANIFEST = "qdaapp-plugin.toml"
ENTRY_POINT_GROUP = "qdaapp.plugins"
BUILTIN = "qdaapp"
STATE_FILE = "plugins.json"
KINDS = ("importers", "exporters", "lexicons", "frames", "analyses")

_NAMESPACE = "qdaapp_plugins"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
log = logging.getLogger("qdaapp")


class PluginError(QdaError):
    """A plugin cannot be used (disabled, broken manifest, code that fails to import)."""


@dataclass(frozen=True)
class Importer:
    plugin: str
    extensions: tuple[str, ...]
    reader: str  # "module:function", relative to the plugin's package
    label: str


@dataclass(frozen=True)
class Exporter:
    plugin: str
    name: str
    extensions: tuple[str, ...]
    writer: str  # writer(project, path, **options)
    label: str


@dataclass(frozen=True)
class Analysis:
    plugin: str
    name: str
    run: str  # run(project, **options) -> dict (JSON-ready; "columns" and "rows" for CSV)
    chart: str | None = None  # chart(result, path) writes a .png or .svg
    title: str = ""
    description: str = ""


def save_analysis_table(result: dict, path: str | os.PathLike) -> None:
    """Write an analysis result's ``columns`` and ``rows`` as CSV (UTF-8 with a BOM, for Excel),
    through a temporary file (:mod:`.safe_write`); text a spreadsheet would run as a formula is
    neutralised (see :mod:`qdaapp.core.exchange.sheets`)."""
    from .exchange import sheets
    from .safe_write import write_via_temp

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            sheets.write_csv(fh, result.get("columns", []), result.get("rows", []))

    write_via_temp(Path(path), write)


@dataclass
class Plugin:
    """One discovered plugin. ``error`` is None when it loaded; ``active`` when it may contribute."""

    name: str
    version: str = ""
    api: int | None = None
    description: str = ""
    origin: str = "folder"  # builtin | entry-point | folder | user
    location: Path | None = None  # the folder holding the manifest
    package: str = ""  # the importable package module names are relative to
    enabled: bool = True
    error: str | None = None
    importers: list[Importer] = field(default_factory=list)
    exporters: list[Exporter] = field(default_factory=list)
    lexicons: dict[str, Path] = field(default_factory=dict)
    frames: dict[str, Path] = field(default_factory=dict)
    analyses: dict[str, Analysis] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.enabled and self.error is None

    @property
    def builtin(self) -> bool:
        return self.origin == "builtin"

    def contributes(self) -> dict[str, list[str]]:
        return {"importers": [ext for imp in self.importers for ext in imp.extensions],
                "exporters": [e.name for e in self.exporters], "lexicons": sorted(self.lexicons),
                "frames": sorted(self.frames), "analyses": sorted(self.analyses)}

    def as_dict(self) -> dict:
        """The listing the CLI prints: name, version, contributes, enabled, error."""
        return {"name": self.name, "version": self.version, "contributes": self.contributes(),
                "enabled": self.enabled, "error": self.error}


# ---------------------------------------------------------------------- manifests
class _Bad(Exception):
    pass


def _target(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _TARGET.match(value):
        raise _Bad(f"{what} must look like \"module:function\" (got {value!r})")
    return value


def _strings(value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Bad(f"{what} must be a list of text values in quotes")
    return list(value)


def _file(location: Path, rel: str, what: str) -> Path:
    path = (location / rel).resolve()
    if not path.is_relative_to(location.resolve()):
        raise _Bad(f"{what} '{rel}' is outside the plugin folder")
    if not path.is_file():
        raise _Bad(f"{what} '{rel}' is missing")
    return path


def _extensions(value: Any, what: str) -> tuple[str, ...]:
    out = []
    for ext in _strings(value, what):
        ext = ext.strip().lower()
        out.append(ext if ext.startswith(".") else "." + ext)
    if not out:
        raise _Bad(f"{what} needs at least one file extension")
    return tuple(out)


def _contributions(plugin: Plugin, table: Any) -> None:
    if not isinstance(table, dict):
        raise _Bad("[contributes] must be a table")
    unknown = sorted(set(table) - set(KINDS))
    if unknown:
        raise _Bad(f"[contributes] has '{unknown[0]}', which is not one of {', '.join(KINDS)}")
    location, name = plugin.location, plugin.name
    assert location is not None
    for n, item in enumerate(table.get("importers", []), start=1):
        if not isinstance(item, dict):
            raise _Bad(f"importer {n} must be a table with extensions and reader")
        exts = _extensions(item.get("extensions"), f"the extensions of importer {n}")
        label = str(item.get("label") or item.get("name") or f"{exts[0]} ({name})")
        reader = _target(item.get("reader"), f"the reader of importer {n}")
        plugin.importers.append(Importer(name, exts, reader, label))
    for n, item in enumerate(table.get("exporters", []), start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _Bad(f"exporter {n} must be a table with name, extensions and writer")
        key = item["name"]
        exts = _extensions(item.get("extensions"), f"the extensions of exporter {key}")
        writer = _target(item.get("writer"), f"the writer of exporter {key}")
        plugin.exporters.append(Exporter(name, key, exts, writer, str(item.get("label", key))))
    for rel in _strings(table.get("lexicons", []), "lexicons"):
        path = _file(location, rel, "the lexicon file")
        plugin.lexicons[path.stem] = path
    for rel in _strings(table.get("frames", []), "frames"):
        path = _file(location, rel, "the coding frame file")
        plugin.frames[path.stem] = path
    analyses = table.get("analyses", {})
    if isinstance(analyses, list):  # ["module:function", ...]: named after the function
        analyses = {_target(t, "an analysis").rsplit(":", 1)[1].replace("_", "-"): t for t in analyses}
    if not isinstance(analyses, dict):
        raise _Bad("analyses must be a table of NAME = \"module:function\"")
    for key, item in analyses.items():
        if isinstance(item, str):
            item = {"run": item}
        if not isinstance(item, dict):
            raise _Bad(f"analysis '{key}' must be \"module:function\" or a table with run")
        chart = item.get("chart")
        plugin.analyses[key] = Analysis(
            name, key, _target(item.get("run"), f"the run function of analysis '{key}'"),
            _target(chart, f"the chart function of analysis '{key}'") if chart is not None else None,
            str(item.get("title", key)), str(item.get("description", "")))


def read_manifest(location: Path, origin: str, package: str = "", fallback: str = "") -> Plugin:
    """The plugin described by ``location/qdaapp-plugin.toml``; problems go in ``error``."""
    plugin = Plugin(name=fallback or location.name, origin=origin, location=location, package=package)
    path = location / MANIFEST
    try:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise _Bad(f"it has no {MANIFEST}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise _Bad(f"its {MANIFEST} cannot be read ({exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise _Bad(f"its {MANIFEST} has an error: {exc}") from None
        name = data.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise _Bad(f"its {MANIFEST} needs a name of lower-case letters, digits, '-', '_' or '.' (got {name!r})")
        plugin.name = name
        if not package:
            digest = hashlib.sha1(str(location.resolve()).encode()).hexdigest()[:8]
            plugin.package = f"{_NAMESPACE}.{re.sub(r'[^0-9a-zA-Z_]', '_', name)}_{digest}"
        plugin.version = str(data.get("version", ""))
        plugin.description = str(data.get("description", ""))
        if not plugin.version:
            raise _Bad(f"its {MANIFEST} needs a version")
        api = data.get("api")
        if not isinstance(api, int) or isinstance(api, bool):
            raise _Bad(f"its {MANIFEST} needs api = {PLUGIN_API} (the plugin API version it was written for)")
        plugin.api = api
        if api != PLUGIN_API:
            raise _Bad(f"it was written for plugin API {api}; this qdaapp supports API {PLUGIN_API}")
        _contributions(plugin, data.get("contributes", {}))
    except _Bad as exc:
        plugin.error = f"{exc}."
        plugin.importers, plugin.exporters = [], []
        plugin.lexicons, plugin.frames, plugin.analyses = {}, {}, {}
    return plugin


def builtin_plugin() -> Plugin:
    from qdaapp import __version__

    res = resources_dir()
    return Plugin(
        name=BUILTIN, version=__version__, api=PLUGIN_API, origin="builtin", location=res,
        description="The importers, lexicons and coding frames that come with qdaapp.",
        package="qdaapp.core.importers",
        importers=[Importer(BUILTIN, (".txt",), "txt:read_txt", "Plain text"),
                   Importer(BUILTIN, (".docx",), "docx:read_docx", "Word document"),
                   Importer(BUILTIN, (".pdf",), "pdf:read_pdf", "PDF")],
        lexicons={p.stem: p for p in sorted((res / "lexicons").glob("*.toml"))},
        frames={p.stem: p for p in sorted((res / "frames").glob("*.qdc"))},
    )


# ---------------------------------------------------------------------- discovery
def plugin_folders() -> list[tuple[str, Path]]:
    """(origin, folder) pairs searched for plugin folders, in order."""
    return [("folder", resources_dir().parent / "plugins"), ("user", data_dir() / "plugins")]


def _entry_points() -> list[Any]:
    from importlib.metadata import entry_points

    return list(entry_points(group=ENTRY_POINT_GROUP))


def _from_entry_point(ep: Any) -> Plugin:
    package = (getattr(ep, "module", None) or str(ep.value).partition(":")[0]).strip()
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError) as exc:
        spec, problem = None, f"its package '{package}' cannot be found ({exc})."
    else:
        problem = f"its package '{package}' is not installed."
    if spec is None or not spec.submodule_search_locations:
        if spec is not None:
            problem = f"'{package}' is a module, not a package folder with a {MANIFEST}."
        return Plugin(name=ep.name, origin="entry-point", package=package, error=problem)
    return read_manifest(Path(list(spec.submodule_search_locations)[0]), "entry-point", package, ep.name)


def discover(folders: Iterable[tuple[str, Path]] | None = None, entry_points: Iterable[Any] | None = None,
             disabled: set[str] | None = None) -> Registry:
    """Find every plugin (reading manifests only) and build a registry."""
    found = [builtin_plugin()]
    try:
        eps = list(_entry_points() if entry_points is None else entry_points)
    except Exception as exc:  # a broken installed distribution must not stop the app
        log.warning("cannot list plugin entry points: %s", exc)
        eps = []
    found += [_from_entry_point(ep) for ep in eps]
    for origin, folder in (plugin_folders() if folders is None else folders):
        if folder.is_dir():
            for child in sorted(folder.iterdir()):
                if child.is_dir() and (child / MANIFEST).is_file():
                    found.append(read_manifest(child, origin))
    off = disabled_plugins() if disabled is None else disabled
    plugins: list[Plugin] = []
    seen: dict[str, Plugin] = {}
    for plugin in found:
        if plugin.name in seen and plugin.error is None:
            first = seen[plugin.name]
            plugin.error = (f"another plugin called '{plugin.name}' is already loaded"
                            f"{' from ' + str(first.location) if first.location else ''}; this copy was skipped.")
        seen.setdefault(plugin.name, plugin)
        plugin.enabled = plugin.builtin or plugin.name not in off
        plugins.append(plugin)
    for plugin in plugins:
        if plugin.error:
            log.warning("plugin %s (%s) skipped: %s", plugin.name, plugin.location or plugin.package, plugin.error)
    return Registry(plugins)


# ---------------------------------------------------------------------- registry
class Registry:
    """The discovered plugins and what the active ones contribute."""

    def __init__(self, plugins: list[Plugin]) -> None:
        self._plugins = plugins
        self._loaded: dict[tuple[str, str], Any] = {}
        self._lock = threading.RLock()

    def plugins(self) -> list[Plugin]:
        """Every plugin found, the built-in one first, including disabled and failed ones."""
        return list(self._plugins)

    def get(self, name: str) -> Plugin:
        for plugin in self._plugins:
            if plugin.name == name:  # the first one found; later copies carry an error
                return plugin
        names = ", ".join(sorted({p.name for p in self._plugins}))
        raise NotFound(f"There is no plugin '{name}'; installed: {names}.")

    def errors(self) -> list[Plugin]:
        """The plugins that failed to load, for a failure report (name, location, error)."""
        return [p for p in self._plugins if p.error]

    def active(self) -> list[Plugin]:
        return [p for p in self._plugins if p.active]

    def importers(self) -> list[Importer]:
        return [imp for p in self.active() for imp in p.importers]

    def exporters(self) -> list[Exporter]:
        return [e for p in self.active() for e in p.exporters]

    def lexicons(self) -> dict[str, Path]:
        """Lexicon name -> TOML file (later plugins override earlier names)."""
        return {k: v for p in self.active() for k, v in p.lexicons.items()}

    def frames(self) -> dict[str, Path]:
        """Coding frame name -> .qdc file."""
        return {k: v for p in self.active() for k, v in p.frames.items()}

    def frame_owner(self, name: str) -> str | None:
        """The plugin whose frame ``name`` is used (the last one that contributes it)."""
        return next((p.name for p in reversed(self.active()) if name in p.frames), None)

    def analyses(self) -> dict[str, Analysis]:
        return {k: v for p in self.active() for k, v in p.analyses.items()}

    def analysis(self, name: str) -> Analysis:
        found = self.analyses()
        if name not in found:
            raise NotFound(f"There is no analysis '{name}'; available: {', '.join(sorted(found)) or 'none'}.")
        return found[name]

    def load(self, plugin: str, target: str) -> Any:
        """The object ``target`` ("module:attr") of ``plugin``, importing its code on first use."""
        p = self.get(plugin)
        if not p.enabled:
            raise PluginError(f"The plugin '{p.name}' is turned off; turn it on with 'qdaapp plugins enable {p.name}'.")
        if p.error:
            raise PluginError(f"The plugin '{p.name}' cannot be used: {p.error}")
        module_name, _, attr = target.partition(":")
        with self._lock:
            key = (p.name, target)
            if key not in self._loaded:
                try:
                    self._loaded[key] = getattr(self.import_module(p.name, module_name), attr)
                except PluginError:
                    raise
                except Exception as exc:  # any failure in a plugin's code is reported, not fatal
                    p.error = f"its code could not be loaded ({type(exc).__name__}: {exc})."
                    log.warning("plugin %s failed to load %s: %s", p.name, target, exc, exc_info=True)
                    raise PluginError(f"The plugin '{p.name}' failed to load: {p.error}") from exc
            return self._loaded[key]

    def import_module(self, plugin: str, module: str) -> types.ModuleType:
        """Import ``module`` (relative to the plugin's package) of ``plugin``."""
        p = self.get(plugin)
        with self._lock:
            if p.origin in ("folder", "user"):
                _ensure_folder_package(p)
            return importlib.import_module(f"{p.package}.{module}" if p.package else module)


def _ensure_folder_package(p: Plugin) -> None:
    """Make a folder plugin importable as ``qdaapp_plugins.<name>_<hash>`` (its folder name is not used)."""
    if p.package in sys.modules:
        return
    assert p.location is not None
    if _NAMESPACE not in sys.modules:
        namespace = types.ModuleType(_NAMESPACE)
        namespace.__path__ = []
        sys.modules[_NAMESPACE] = namespace
    init = p.location / "__init__.py"
    if init.is_file():
        spec = importlib.util.spec_from_file_location(p.package, init, submodule_search_locations=[str(p.location)])
    else:
        spec = importlib.machinery.ModuleSpec(p.package, None, is_package=True)
        spec.submodule_search_locations = [str(p.location)]
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[p.package] = module
    try:
        if spec.loader is not None:
            spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[p.package]
        raise


_REGISTRY: Registry | None = None
_REGISTRY_LOCK = threading.Lock()


def registry() -> Registry:
    """The registry, discovered once per process (see :func:`reload_registry`)."""
    global _REGISTRY
    with _REGISTRY_LOCK:
        if _REGISTRY is None:
            _REGISTRY = discover()
        return _REGISTRY


def reload_registry() -> Registry:
    """Discover again (after installing a plugin or changing the enabled state)."""
    global _REGISTRY
    with _REGISTRY_LOCK:
        _REGISTRY = discover()
        return _REGISTRY


# ---------------------------------------------------------------------- enabled state
def state_path() -> Path:
    return data_dir() / STATE_FILE


def disabled_plugins() -> set[str]:
    """Names of the plugins the user turned off."""
    path = state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(n) for n in data.get("disabled", [])}
    except FileNotFoundError:
        return set()
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        log.warning("ignoring unreadable plugin settings %s: %s", path, exc)
        return set()


def set_enabled(name: str, enabled: bool) -> Plugin:
    """Turn a plugin on or off for this user; returns it as the reloaded registry sees it."""
    plugin = registry().get(name)
    if plugin.builtin and not enabled:
        raise InvalidInput(f"The built-in plugin '{name}' cannot be turned off.")
    off = disabled_plugins()
    if enabled:
        off.discard(name)
    else:
        off.add(name)
    path = state_path()
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"disabled": sorted(off)}, indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return reload_registry().get(name)
