"""File ▸ Import from other QDA tools and File ▸ Export: the menu actions and the work behind them.

Imports read the REFI-QDA file and write it in one command on a worker
(``refi_read`` then ``refi_import.import_parsed``): Cancel or a broken file
leaves the project as it was. Exports only read the project; each runs its
writer from :mod:`.kinds` on a worker and ends with a notice in the corner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QFileDialog, QMainWindow, QMenu

from qdaapp.core.logs import log_exception
from qdaapp.core.progress import CancelToken, Progress, checkpoint
from qdaapp.gui.dialogs.messages import show_error, warn
from qdaapp.gui.workers import Job, make_progress_dialog, run_in_worker

from .kinds import BY_KEY, KINDS, ExportKind, default_name, fix_suffix, plain
from .notice import show_saved
from .options import ExportOptionsDialog
from .summary import ImportSummaryDialog

CONTROLLER_NAME = "ExchangeController"
IMPORT_MENU_TITLE = "Import from other QDA &tools"
IMPORT_TYPES = {
    "qdpx": ("Import a REFI-QDA project", "REFI-QDA projects (*.qdpx);;All files (*)"),
    "qdc": ("Import a REFI-QDA codebook", "REFI-QDA codebooks (*.qdc);;All files (*)"),
}
READ_ONLY_TEXT = ("{name} is open read-only, so nothing can be imported into it. Close it and open it "
                  "again with File ▸ Open project… to import.")


def find_menu(container: Any, title: str) -> QMenu | None:
    """The submenu of a menu bar or menu whose text is ``title`` (ignoring '&' and '…')."""
    for action in container.actions():
        if action.menu() is not None and plain(action.text()).lower() == plain(title).lower():
            return action.menu()
    return None


def file_menu_of(window: QMainWindow) -> QMenu:
    bar = window.menuBar()
    menu = find_menu(bar, "File")
    if menu is None:
        first = bar.actions()[0] if bar.actions() else None
        menu = QMenu("&File", bar)
        bar.insertMenu(first, menu) if first is not None else bar.addMenu(menu)
    return menu


class ExchangeController(QObject):
    """Owns the import and export actions of one window."""

    exported = Signal(object)  # the Path written
    imported = Signal(object)  # the ImportSummary
    failed = Signal(object)  # the exception shown to the user

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName(CONTROLLER_NAME)
        self.window = window
        self.job: Job | None = None
        self.summary_dialog: ImportSummaryDialog | None = None
        self.last_written: Path | None = None
        self.import_actions: dict[str, QAction] = {}
        self.export_actions: dict[str, QAction] = {}

    # -- menus ------------------------------------------------------------------------------
    def install_menus(self) -> None:
        w = self.window
        file_menu = file_menu_of(w)
        export_menu = find_menu(file_menu, "Export")
        if export_menu is None:
            export_menu = file_menu.addMenu("&Export")
        import_menu = find_menu(file_menu, IMPORT_MENU_TITLE) or find_menu(file_menu, "Import")
        if import_menu is None:
            import_menu = QMenu(IMPORT_MENU_TITLE, file_menu)
            anchor = self._after_import_files(file_menu) or export_menu.menuAction()
            file_menu.insertMenu(anchor, import_menu)
        self.import_menu, self.export_menu = import_menu, export_menu

        for key, text, tip in (
            ("qdpx", "REFI-QDA &project (.qdpx)…",
             "Sources, nodes, codings, memos and cases from NVivo, ATLAS.ti, MAXQDA, QDA Miner or Transana"),
            ("qdc", "&Codebook (.qdc)…", "Nodes and their definitions from another program's REFI-QDA codebook"),
        ):
            action = self._action(text, tip, lambda _c=False, k=key: self.import_refi(k))
            action.setObjectName(f"import_{key}")
            import_menu.addAction(action)
            self.import_actions[key] = action

        present = {plain(a.text()).lower() for a in export_menu.actions() if not a.isSeparator()}
        first_existing = next((a for a in export_menu.actions()), None)
        groups = (("qdpx", "qdc"), ("themes", "codebook_doc", "frequencies", "cooccurrence", "framework"),
                  ("memos", "audit"))
        for group in groups:
            added = False
            for key in group:
                kind = BY_KEY[key]
                if plain(kind.text).lower() in present:
                    continue  # the window already offers this export
                action = self._action(kind.text, kind.tip, lambda _c=False, k=key: self.export(k))
                action.setObjectName(f"export_{key}")
                self._insert(export_menu, action, first_existing)
                self.export_actions[key] = action
                added = True
            if added and group != groups[-1]:
                self._insert(export_menu, None, first_existing)
        for menu in (file_menu, import_menu, export_menu):
            menu.aboutToShow.connect(self.sync_state)
        actions = getattr(w, "actions", None)
        if actions is not None and hasattr(actions, "needs_project") and hasattr(actions, "edits"):
            actions.needs_project.extend(self.export_actions.values())  # the window's own enable/disable
            actions.edits.extend(self.import_actions.values())
        self.sync_state()

    def _action(self, text: str, tip: str, slot: Any) -> QAction:
        action = QAction(text, self.window)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    @staticmethod
    def _insert(menu: QMenu, action: QAction | None, before: QAction | None) -> None:
        if action is None:
            menu.insertSeparator(before) if before is not None else menu.addSeparator()
        elif before is not None:
            menu.insertAction(before, action)
        else:
            menu.addAction(action)

    @staticmethod
    def _after_import_files(menu: QMenu) -> QAction | None:
        actions = menu.actions()
        for i, action in enumerate(actions):
            if plain(action.text()).lower().startswith("import files") and i + 1 < len(actions):
                return actions[i + 1]
        return None

    def sync_state(self) -> None:
        project = getattr(self.window, "project", None)
        for action in self.export_actions.values():
            action.setEnabled(project is not None)
        for action in self.import_actions.values():
            action.setEnabled(project is not None and not project.read_only)

    # -- shared -----------------------------------------------------------------------------
    def busy(self) -> bool:
        if self.job is None:
            return False
        self.window.statusBar().showMessage("Another import or export is still running; wait for it to finish.",
                                            6000)
        return True

    def _folder(self) -> str:
        settings = getattr(self.window, "settings", None)
        folder = settings.value("export/folder", "") if settings is not None else ""
        return str(folder or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation))

    def _remember(self, path: Path) -> None:
        settings = getattr(self.window, "settings", None)
        if settings is not None:
            settings.setValue("export/folder", str(path.parent))

    def _reason(self) -> str:
        runner = getattr(self.window, "runner", None)
        return str(getattr(runner, "reason", "") or "").strip()

    # -- import -----------------------------------------------------------------------------
    def import_refi(self, kind: str, path: str | Path | None = None) -> Job | None:
        """Import a .qdpx project or .qdc codebook into the open project; the summary shows at the end."""
        w = self.window
        project = getattr(w, "project", None)
        if project is None or self.busy():
            return None
        if project.read_only:
            warn(w, READ_ONLY_TEXT.format(name=project.path.name))
            return None
        if path is None:
            title, filters = IMPORT_TYPES[kind]
            chosen, _ = QFileDialog.getOpenFileName(w, title, self._folder(), filters)
            if not chosen:
                return None
            path = chosen
        path = Path(path)
        self._remember(path)
        reason = self._reason()
        outcome: dict[str, Any] = {}

        def work(progress: Progress, cancel: CancelToken) -> Any:
            from qdaapp.core.exchange.refi_import import import_parsed
            from qdaapp.core.exchange.refi_read import read_qdc, read_qdpx

            parsed = read_qdpx(path, progress=progress, cancel=cancel) if kind == "qdpx" else read_qdc(path)
            checkpoint(cancel)
            progress.start(0, f"Adding what {path.name} holds to the project…")
            outcome["summary"] = project.run(import_parsed, parsed, coder=project.coder, cancel=cancel,
                                             reason=reason)
            return outcome["summary"]

        def cancelled() -> None:
            if "summary" in outcome:  # Cancel came after the import was saved
                self._imported(outcome["summary"])
            else:
                self.job = None
                w.statusBar().showMessage(f"Import of {path.name} cancelled; the project is unchanged.", 8000)

        dialog = make_progress_dialog(w, "Import", f"Reading {path.name}…")
        self.job = run_in_worker(work, self._imported, self._failed, dialog, cancelled)
        return self.job

    def _imported(self, summary: Any) -> None:
        self.job = None
        self.refresh_views()
        total = sum(s.count for s in summary.skipped)
        self.window.statusBar().showMessage(
            f"Imported {summary.file}" + (f"; {total} item(s) were left out (see the summary)." if total else "."),
            10000)
        self.summary_dialog = ImportSummaryDialog(self.window, summary)
        self.summary_dialog.finished.connect(self._summary_closed)
        self.summary_dialog.open()
        self.imported.emit(summary)

    def _summary_closed(self, _result: int) -> None:
        if self.summary_dialog is not None:
            self.summary_dialog.deleteLater()
            self.summary_dialog = None

    def refresh_views(self) -> None:
        """Re-read what the window shows after a whole-project change (sources, nodes, memos)."""
        w = self.window
        if getattr(w, "project", None) is None or not hasattr(w, "sources_panel"):
            return
        try:
            from qdaapp.gui.panels.changes import refresh_shown

            refresh_shown(w)
            w.update_status()
        except Exception as exc:  # the import is saved; only the views are behind
            path = log_exception(exc)
            w.statusBar().showMessage(f"Imported, but the window could not show everything; close and reopen the "
                                      f"project. Details: {path}")

    def _failed(self, exc: BaseException) -> None:
        self.job = None
        show_error(self.window, exc)
        self.failed.emit(exc)

    # -- export -----------------------------------------------------------------------------
    def ask_options(self, kind: ExportKind) -> dict | None:
        project = self.window.project
        nodes, attributes = [], []
        with project.read_session() as s:
            if "nodes" in kind.options:
                from qdaapp.core.nodes import list_nodes

                nodes = list_nodes(s)
            if "group" in kind.options:
                from qdaapp.core.cases import list_attributes

                attributes = [name for name, _type in list_attributes(s)]
        dialog = ExportOptionsDialog(self.window, plain(kind.text), kind.options, nodes, attributes, kind.tip + ".")
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.options()
        finally:
            dialog.deleteLater()

    def ask_path(self, kind: ExportKind) -> Path | None:
        w = self.window
        start = str(Path(self._folder()) / default_name(kind, w.project.path.stem))
        chosen, chosen_filter = QFileDialog.getSaveFileName(w, plain(kind.text), start, kind.filters())
        if not chosen:
            return None
        path = fix_suffix(Path(chosen), chosen_filter or "", kind)
        self._remember(path)
        return path

    def export(self, key: str, path: str | Path | None = None, options: dict | None = None) -> Job | None:
        """Write export ``key`` (see :data:`.kinds.KINDS`); asks for options and a file unless given."""
        kind = BY_KEY[key]
        w = self.window
        project = getattr(w, "project", None)
        if project is None or self.busy():
            return None
        if options is None:
            options = self.ask_options(kind) if kind.options else {}
            if options is None:
                return None
        path = Path(path) if path is not None else self.ask_path(kind)
        if path is None:
            return None

        outcome: dict[str, Any] = {}

        def work(progress: Progress, cancel: CancelToken) -> Any:
            checkpoint(cancel)
            outcome["written"] = kind.writer(project, path, options, progress, cancel)
            return outcome["written"]

        def done(result: Any) -> None:
            self.job = None
            written, note = result if isinstance(result, tuple) else (result, "")
            self.last_written = Path(written)
            seal = f"Audit trail seal: {project.seal()}"  # to keep beside the file
            show_saved(w, self.last_written, f"{note}\n{seal}" if note else seal)
            self.exported.emit(self.last_written)

        def cancelled() -> None:
            if "written" in outcome:  # Cancel came after the file was complete: it is there
                done(outcome["written"])
                return
            self.job = None
            w.statusBar().showMessage(f"Export cancelled; {path.name} was not written.", 6000)

        dialog = make_progress_dialog(w, "Export", kind.label)
        self.job = run_in_worker(work, done, self._failed, dialog, cancelled)
        return self.job


__all__ = ["CONTROLLER_NAME", "KINDS", "ExchangeController", "file_menu_of", "find_menu"]
