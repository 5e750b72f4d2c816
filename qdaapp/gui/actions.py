"""Menus, shortcuts, and the one door every change goes through.

:class:`CommandRunner` runs core commands for the GUI: user errors become a
message box, anything else goes to the log; the reason the user typed (if
any) is recorded with each command. It also holds the window's
:class:`QUndoStack`. The project is the source of truth for undo: its
history is per coder and survives a restart, so the stack only *mirrors*
``project.undo_redo_text()`` (at most one step to undo and one to redo) and
its commands call ``project.undo()`` / ``project.redo()``. The mirror is
rebuilt after every committed change, whoever made it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

from qdaapp.core.errors import ProjectDamaged
from qdaapp.core.logs import log_exception
from qdaapp.gui.dialogs.messages import show_error
from qdaapp.gui.read_only import BlockedShortcuts, blocked_text
from qdaapp.gui.speakers import open_speakers_dialog

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.core.project import Project

MENU_TEXT_MAX = 70
DOCK_SHORTCUTS = {"AuditDock": "Ctrl+Shift+A", "MemoManagerDock": "Ctrl+Shift+M"}


class CoreStep(QUndoCommand):
    """One step of the coder's history in the project; undo and redo ask the core."""

    def __init__(self, runner: CommandRunner, text: str) -> None:
        super().__init__(text)
        self._runner = runner
        self.armed = False

    def undo(self) -> None:
        if self.armed:
            self._runner._core_step("undo")

    def redo(self) -> None:
        if self.armed:
            self._runner._core_step("redo")


class CommandRunner(QObject):
    """Runs commands on the open project and mirrors its undo history in :attr:`stack`."""

    undoStateChanged = Signal()

    def __init__(self, parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self._widget = parent_widget
        self.project: Project | None = None
        self.reason = ""
        self.stack = QUndoStack(self)
        self._busy = False
        self._error: BaseException | None = None

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a command and let its error propagate (for dialogs that show errors inline)."""
        if self.project is None:
            raise RuntimeError("no project is open")
        kwargs.setdefault("reason", self.reason.strip())
        return self.project.run(fn, *args, **kwargs)

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        """Run a command; on failure tell the user and return ``(False, None)``."""
        try:
            return True, self.call(fn, *args, **kwargs)
        except ProjectDamaged:
            on_damage = getattr(self._widget, "project_damaged", None)
            if on_damage is None:
                raise
            on_damage()  # the window turns read-only and says which backups there are
            return False, None
        except Exception as exc:
            show_error(self._widget, exc)
            return False, None

    # -- undo and redo --------------------------------------------------------------
    def editable(self) -> bool:
        return self.project is not None and not self.project.read_only

    def sync(self) -> None:
        """Mirror what the project would undo and redo now (after every change, open, new coder)."""
        if self._busy:
            return
        undo_text = redo_text = None
        if self.editable():
            try:
                undo_text, redo_text = self.project.undo_redo_text()  # type: ignore[union-attr]
            except Exception as exc:  # the menu stays usable; the reason goes to the log
                log_exception(exc)
        self.stack.clear()
        steps = [CoreStep(self, text) for text in (undo_text, redo_text) if text]
        for step in steps:
            self.stack.push(step)  # push calls redo(): not armed yet, so nothing runs
        if redo_text:
            self.stack.setIndex(self.stack.count() - 1)  # calls undo() on the redo step: not armed
        for step in steps:
            step.armed = True
        self.undoStateChanged.emit()

    def can_undo(self) -> bool:
        return self.editable() and self.stack.canUndo()

    def can_redo(self) -> bool:
        return self.editable() and self.stack.canRedo()

    def undo_text(self) -> str:
        return self.stack.undoText() if self.can_undo() else ""

    def redo_text(self) -> str:
        return self.stack.redoText() if self.can_redo() else ""

    def undo(self) -> bool:
        """Revert this coder's last change; errors (nothing to undo, a conflict) are shown plainly."""
        return self.can_undo() and self._step(self.stack.undo)

    def redo(self) -> bool:
        return self.can_redo() and self._step(self.stack.redo)

    def _step(self, move: Callable[[], None]) -> bool:
        self._busy, self._error = True, None
        try:
            move()
        finally:
            self._busy = False
        self.sync()
        if self._error is not None:
            show_error(self._widget, self._error)
            return False
        return True

    def _core_step(self, which: str) -> None:
        try:
            (self.project.undo if which == "undo" else self.project.redo)()  # type: ignore[union-attr]
        except Exception as exc:
            self._error = exc


def _action(parent: QObject, text: str, slot: Callable[[], Any] | None = None, shortcut: Any = None,
            tip: str = "") -> QAction:
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    if slot is not None:
        action.triggered.connect(lambda _checked=False: slot())
    return action


def _merge_flow(window: Any) -> Any:
    """The window's merge and copy-for-a-coder flow (its module is loaded on first use)."""
    from .exchange.merge_dialog import MergeFlow

    return MergeFlow.of(window)


def menu_text(prefix: str, text: str) -> str:
    """'Undo: code 'Trust' in Ana.docx (12-40)' for a menu (shortened, ampersands kept literal)."""
    if len(text) > MENU_TEXT_MAX:
        text = text[: MENU_TEXT_MAX - 1] + "…"
    return f"{prefix}: {text.replace('&', '&&')}"


class Actions:
    """Every menu action of the main window, grouped by what enables it."""

    def __init__(self, window: Any) -> None:
        w = window
        k = QKeySequence.StandardKey
        self.window = w
        self.new_project = _action(w, "&New project…", w.new_project, k.New, "Create an empty project file")
        self.open_project = _action(w, "&Open project…", w.open_project_dialog, k.Open, "Open a project file")
        self.open_read_only = _action(w, "Open &read-only…", lambda: w.open_project_dialog(read_only=True),
                                      tip="Open a project to read it without changing anything")
        self.open_demo = _action(w, "Open the &demo project", w.open_demo, tip="A small study to try things out")
        self.import_files = _action(w, "&Import files…", w.import_files, "Ctrl+I",
                                    "Import interview transcripts, notes or documents (.txt, .docx, .pdf)")
        self.new_case = _action(w, "New &case…", w.new_case, tip="A person or site your sources belong to")
        self.speakers = _action(w, "&Speakers and roles…", lambda: open_speakers_dialog(w, w.project),
                                tip="Who interviews and who is interviewed; interviewer turns are left out of searches")
        self.new_diary_entry = _action(w, "New &diary entry…", w.write_diary_entry, "Ctrl+D",
                                       tip="Write an entry in your reflexive diary")
        self.export_memos = _action(w, "&Memos and diary…", w.export_memos,
                                    tip="Every memo and the diary, as a Word or Markdown file")
        self.export_audit = _action(w, "&Audit report for supervisors…", w.export_audit_report,
                                    tip="How the analysis was done: decisions per coder, codebook, diary, memos, "
                                        "accounts — as a Word or HTML file")
        self.back_up = _action(w, "&Back up now", w.backups.back_up_now,
                               tip="Keep a copy of the project as it is now in its .backups folder")
        self.restore = _action(w, "Restore from &backup…", w.backups.restore_dialog,
                               tip="Go back to an earlier copy of the project (the current state is kept too)")
        self.save_copy = _action(w, "Save a cop&y…", w.durable.save_copy_dialog,
                                 tip="Save the project as it is now to another file, complete in itself "
                                     "(to send or archive it); works while the project is open")
        self.merge_copy = _action(w, "&Merge a coder's copy…", lambda: _merge_flow(w).merge_dialog(),
                                  tip="Bring the work a coder did in their own copy of this project back in "
                                      "(its audit trail is checked first; nothing of either side is lost)")
        self.copy_for_coder = _action(w, "Make a copy for a &coder…", lambda: _merge_flow(w).copy_dialog(),
                                      tip="Save a copy of the project for one coder to code on their own, "
                                          "to be merged back later")
        self.coder_name = _action(w, "Your &name…", w.flow.ask_coder,
                                  tip="The name recorded with every coding, memo and change you make")
        self.close_project = _action(w, "&Close project", w.close_project)
        self.quit = _action(w, "&Quit", w.close, k.Quit)

        self.undo = _action(w, "Undo", w.runner.undo, k.Undo)
        self.redo = _action(w, "Redo", w.runner.redo)
        redo_keys = [QKeySequence("Ctrl+Shift+Z")] + ([QKeySequence("Ctrl+Y")] if sys.platform == "win32" else [])
        self.redo.setShortcuts(redo_keys)
        self.code_selection = _action(w, "&Code selection…", w.coding.code_selection_quick, "Ctrl+K",
                                      "Type a few letters of a node name to code the selected text")
        self.code_new_free = _action(w, "Code at &new free node…", w.coding.code_at_new_free_node, "Ctrl+Shift+N",
                                     "Create a free node from the selected text in one step")
        self.uncode = _action(w, "&Uncode", w.coding.uncode_current, Qt.Key.Key_Delete,
                              "Remove the coding whose stripe you clicked")
        self.uncode.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.new_free_node = _action(w, "New &free node…", w.nodes_panel.new_free_node,
                                     tip="A flat label for something you notice while reading")
        self.new_tree_node = _action(w, "New &tree node…", w.nodes_panel.new_tree_node,
                                     tip="A theme in the tree; use / for levels, e.g. Trust/Between staff")
        self.give_reason = _action(w, "Give a &reason for your changes…", w.status.edit_reason,
                                   tip="A short reason recorded in the audit trail with each change you make next")

        # The shortcuts live on each document view (Ctrl+F, F3, Shift+F3); the menu shows the keys.
        self.find = _action(w, "&Find in document…\tCtrl+F", w.documents.find_in_document,
                            tip="Find words in the open document (F3: next match, Shift+F3: previous)")
        self.find.setEnabled(False)
        w.documents.currentSourceChanged.connect(lambda sid: self.find.setEnabled(sid is not None))
        self.reset_layout = _action(w, "&Reset layout", w.reset_layout)
        self.show_log = _action(w, "Show &log file", w.show_log_folder, tip="Open the folder holding qdaapp.log")
        self.about = _action(w, "&About qdaapp", w.show_about)

        self.needs_project = [self.close_project, self.export_memos, self.export_audit, self.speakers,
                              self.save_copy, self.copy_for_coder]
        self.edits = [self.import_files, self.new_case, self.new_diary_entry, self.code_selection,
                      self.code_new_free, self.uncode, self.new_free_node, self.new_tree_node, self.back_up,
                      self.restore, self.give_reason, self.merge_copy]
        self.blocked = BlockedShortcuts(w)  # disabled edits say why, and so do their keys
        self.dock_toggles: list[QAction] = []
        self.dock_actions: dict[str, QAction] = {}
        self.view_menu: QMenu | None = None
        self._panels_end: QAction | None = None
        w.runner.undoStateChanged.connect(self.refresh_undo)
        self.refresh_undo()

    def build_menus(self, bar: QMenuBar, window: Any) -> QMenu:
        """Fill the menu bar; returns the (empty) recent-projects menu."""
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.new_project, self.open_project, self.open_read_only])
        recent = file_menu.addMenu("Open &recent")
        file_menu.addAction(self.open_demo)
        file_menu.addSeparator()
        file_menu.addActions([self.import_files, self.new_case, self.speakers, self.new_diary_entry])
        export = file_menu.addMenu("&Export")
        export.addActions([self.export_memos, self.export_audit])
        self.export_menu = export
        file_menu.addSeparator()
        file_menu.addActions([self.save_copy, self.back_up, self.restore])
        file_menu.addSeparator()
        file_menu.addActions([self.copy_for_coder, self.merge_copy])
        file_menu.addSeparator()
        file_menu.addAction(self.coder_name)
        file_menu.addSeparator()
        file_menu.addActions([self.close_project, self.quit])

        edit = bar.addMenu("&Edit")
        edit.addActions([self.undo, self.redo])
        edit.addSeparator()
        edit.addActions([self.code_selection, self.code_new_free, self.uncode])
        edit.addSeparator()
        edit.addActions([self.new_free_node, self.new_tree_node])
        edit.addSeparator()
        edit.addAction(self.give_reason)
        edit.addSeparator()
        edit.addAction(self.find)
        edit.aboutToShow.connect(self.refresh_undo)
        for menu in (file_menu, edit):
            menu.setToolTipsVisible(True)  # a disabled edit's tooltip says why it is disabled
        self.edit_menu = edit

        view = bar.addMenu("&View")
        self.view_menu = view
        for dock in window.docks():
            self.add_dock_toggle(dock)
        self._panels_end = view.addSeparator()
        view.addAction(self.reset_layout)

        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.show_log, self.about])
        return recent

    def add_dock_toggle(self, dock: Any) -> QAction:
        """List ``dock`` in the View menu: shows it (in front of its tab group, focused) or hides it."""
        action = QAction(dock.windowTitle(), dock)
        action.setCheckable(True)
        action.setChecked(not dock.isHidden())
        if dock.objectName() in DOCK_SHORTCUTS:
            action.setShortcut(QKeySequence(DOCK_SHORTCUTS[dock.objectName()]))
        if dock.widget() is not None and dock.widget().toolTip():
            action.setStatusTip(dock.widget().toolTip())

        def toggle(_checked: bool = False) -> None:
            if dock.isHidden() or not dock.isVisible():
                self.window.show_dock(dock)
                dock.widget().setFocus(Qt.FocusReason.ShortcutFocusReason)
            else:
                dock.hide()
            action.setChecked(not dock.isHidden())

        action.triggered.connect(toggle)
        dock.visibilityChanged.connect(lambda _visible: action.setChecked(not dock.isHidden()))
        dock.windowTitleChanged.connect(action.setText)
        if self.view_menu is not None:
            self.view_menu.insertAction(self._panels_end, action) if self._panels_end else \
                self.view_menu.addAction(action)
        self.dock_toggles.append(action)
        self.dock_actions[dock.objectName()] = action
        action.setEnabled(self.window.project is not None)
        return action

    def watch_edits(self) -> None:
        """Give every editing action (the window's and those panels added) its read-only reason and keys;
        call once the menus are complete."""
        for action in [*self.edits, self.undo, self.redo]:
            self.blocked.watch(action)

    def refresh_undo(self) -> None:
        runner = self.window.runner
        can_undo, can_redo = runner.can_undo(), runner.can_redo()
        project = self.window.project
        read_only = project is not None and project.read_only
        self.undo.setEnabled(can_undo)
        self.undo.setText(menu_text("Undo", runner.undo_text()) if can_undo else "Undo")
        self.undo.setStatusTip(f"Undo: {runner.undo_text()}" if can_undo else
                               blocked_text(project, "Undo") if read_only else "Nothing to undo")
        self.redo.setEnabled(can_redo)
        self.redo.setText(menu_text("Redo", runner.redo_text()) if can_redo else "Redo")
        self.redo.setStatusTip(f"Redo: {runner.redo_text()}" if can_redo else
                               blocked_text(project, "Redo") if read_only else "Nothing to redo")
        for action in (self.undo, self.redo):
            action.setToolTip(action.statusTip())

    def set_state(self, has_project: bool, read_only: bool) -> None:
        for action in self.needs_project:
            action.setEnabled(has_project)
        for action in self.edits:
            action.setEnabled(has_project and not read_only)
        for toggle in self.dock_toggles:
            toggle.setEnabled(has_project)
        self.reset_layout.setEnabled(has_project)
        self.undo.setEnabled(False)
        self.redo.setEnabled(False)  # until refresh_undo asks the runner: their keys say why while read-only
        self.blocked.set_state(self.window.project if has_project else None, read_only)
        self.refresh_undo()
