"""Menus, shortcuts, and the one door every change goes through.

:class:`CommandRunner` runs core commands for the GUI: user errors become a
message box, anything else goes to the log. It is also the hook for undo:
when the core grows revertible commands, ``run`` will push each command on a
``QUndoStack`` and :meth:`CommandRunner.undo`/``redo``/``undo_text`` will
answer from it; the Edit menu already asks the runner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

from qdaapp.gui.dialogs.messages import show_error

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.core.project import Project


class CommandRunner(QObject):
    """Runs commands on the open project; the future undo stack lives here."""

    undoStateChanged = Signal()

    def __init__(self, parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self._widget = parent_widget
        self.project: Optional["Project"] = None

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a command and let its error propagate (for dialogs that show errors inline)."""
        if self.project is None:
            raise RuntimeError("no project is open")
        result = self.project.run(fn, *args, **kwargs)
        self.undoStateChanged.emit()
        return result

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        """Run a command; on failure tell the user and return ``(False, None)``."""
        try:
            return True, self.call(fn, *args, **kwargs)
        except Exception as exc:
            show_error(self._widget, exc)
            return False, None

    # -- undo hook (revertible commands arrive in a later change) --------------------
    def can_undo(self) -> bool:
        return False

    def can_redo(self) -> bool:
        return False

    def undo_text(self) -> str:
        return ""

    def redo_text(self) -> str:
        return ""

    def undo(self) -> None:
        """Revert the last command (not available yet)."""

    def redo(self) -> None:
        """Re-apply the last undone command (not available yet)."""


def _action(parent: QObject, text: str, slot: Optional[Callable[[], Any]] = None, shortcut: Any = None,
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


class Actions:
    """Every menu action of the main window, grouped by what enables it."""

    def __init__(self, window: Any) -> None:
        w = window
        k = QKeySequence.StandardKey
        self.new_project = _action(w, "&New project…", w.new_project, k.New, "Create an empty project file")
        self.open_project = _action(w, "&Open project…", w.open_project_dialog, k.Open, "Open a project file")
        self.open_read_only = _action(w, "Open &read-only…", lambda: w.open_project_dialog(read_only=True),
                                      tip="Open a project to read it without changing anything")
        self.open_demo = _action(w, "Open the &demo project", w.open_demo, tip="A small study to try things out")
        self.import_files = _action(w, "&Import files…", w.import_files, "Ctrl+I",
                                    "Import interview transcripts, notes or documents (.txt, .docx, .pdf)")
        self.new_case = _action(w, "New &case…", w.new_case, tip="A person or site your sources belong to")
        self.new_diary_entry = _action(w, "New &diary entry", w.new_diary_entry,
                                       tip="Write today's entry in your reflexive diary")
        self.coder_name = _action(w, "Your name as &coder…", w.flow.ask_coder,
                                  tip="The name recorded with every coding and change you make")
        self.close_project = _action(w, "&Close project", w.close_project)
        self.quit = _action(w, "&Quit", w.close, k.Quit)

        self.undo = _action(w, "Undo", w.runner.undo, k.Undo)
        self.redo = _action(w, "Redo", w.runner.redo, k.Redo)
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

        self.reset_layout = _action(w, "&Reset layout", w.reset_layout)
        self.show_log = _action(w, "Show &log file", w.show_log_folder, tip="Open the folder holding qdaapp.log")
        self.about = _action(w, "&About qdaapp", w.show_about)

        self.needs_project = [self.close_project]
        self.edits = [self.import_files, self.new_case, self.new_diary_entry, self.code_selection,
                      self.code_new_free, self.uncode, self.new_free_node, self.new_tree_node]
        self.undo.setEnabled(False)
        self.redo.setEnabled(False)

    def build_menus(self, bar: QMenuBar, window: Any) -> QMenu:
        """Fill the menu bar; returns the (empty) recent-projects menu."""
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.new_project)
        file_menu.addAction(self.open_project)
        file_menu.addAction(self.open_read_only)
        recent = file_menu.addMenu("Open &recent")
        file_menu.addAction(self.open_demo)
        file_menu.addSeparator()
        file_menu.addAction(self.import_files)
        file_menu.addAction(self.new_case)
        file_menu.addAction(self.new_diary_entry)
        file_menu.addSeparator()
        file_menu.addAction(self.coder_name)
        file_menu.addSeparator()
        file_menu.addAction(self.close_project)
        file_menu.addAction(self.quit)

        edit = bar.addMenu("&Edit")
        edit.addAction(self.undo)
        edit.addAction(self.redo)
        edit.addSeparator()
        edit.addAction(self.code_selection)
        edit.addAction(self.code_new_free)
        edit.addAction(self.uncode)
        edit.addSeparator()
        edit.addAction(self.new_free_node)
        edit.addAction(self.new_tree_node)
        edit.aboutToShow.connect(self.refresh_undo)

        view = bar.addMenu("&View")
        self.dock_toggles = [dock.toggleViewAction() for dock in window.docks()]
        for toggle in self.dock_toggles:
            view.addAction(toggle)
        view.addSeparator()
        view.addAction(self.reset_layout)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.show_log)
        help_menu.addAction(self.about)
        self._runner = window.runner
        return recent

    def refresh_undo(self) -> None:
        runner = getattr(self, "_runner", None)
        if runner is None:
            return
        self.undo.setEnabled(runner.can_undo())
        self.undo.setText(f"Undo {runner.undo_text()}" if runner.can_undo() else "Undo")
        self.redo.setEnabled(runner.can_redo())
        self.redo.setText(f"Redo {runner.redo_text()}" if runner.can_redo() else "Redo")

    def set_state(self, has_project: bool, read_only: bool) -> None:
        for action in self.needs_project:
            action.setEnabled(has_project)
        for action in self.edits:
            action.setEnabled(has_project and not read_only)
        for toggle in getattr(self, "dock_toggles", []):
            toggle.setEnabled(has_project)
        self.reset_layout.setEnabled(has_project)
        self.refresh_undo()
