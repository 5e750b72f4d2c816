"""Preferences (plugins) and coding frames, installed into a main window.

:func:`install` adds **Edit ▸ Preferences…** (Ctrl+,) and a **Codebook** menu
with **Add a coding frame…**, and reports plugins that failed to load in the
status bar. :func:`offer_frames_on_new_project` is for the new-project flow:
right after a project is created it asks whether to start from a frame.

The window needs ``project``, ``menuBar()`` and ``statusBar()``; ``runner``
(changes go through ``runner.call`` so the reason is recorded), ``actions``
(enable/disable with the project) and ``nodes_panel`` are used when present.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QToolButton

from qdaapp.core import frames as frame_ops
from qdaapp.core import plugins as plugin_ops
from qdaapp.gui.dialogs.messages import inform, show_error, warn

from .dialog import PreferencesDialog, register_page
from .frames_dialog import FramesDialog
from .plugins_page import PluginsPage, failure_count_text

PREFERENCES_ACTION = "preferences"
FRAME_ACTION = "add_coding_frame"
FAILURE_NOTICE = "PluginFailureNotice"
NOTICE_STYLE = ("QToolButton#PluginFailureNotice { color: #B42318; border: none; padding: 0 6px; }"
                "QToolButton#PluginFailureNotice:hover { text-decoration: underline; }")


def _plain(text: str) -> str:
    return text.replace("&", "").rstrip("…").strip().lower()


def _menu(window: Any, title: str, create_before: str | None = None) -> QMenu:
    bar = window.menuBar()
    for action in bar.actions():
        if action.menu() is not None and _plain(action.text()) == _plain(title):
            return action.menu()
    menu = QMenu(title, bar)
    before = next((a for a in bar.actions() if create_before and _plain(a.text()) == _plain(create_before)), None)
    bar.insertMenu(before, menu) if before is not None else bar.addMenu(menu)
    return menu


def install(window: Any) -> None:
    """Add Edit ▸ Preferences… and Codebook ▸ Add a coding frame… to ``window`` (once)."""
    if window.findChild(QAction, PREFERENCES_ACTION) is not None:
        return
    prefs = QAction("&Preferences…", window)
    prefs.setObjectName(PREFERENCES_ACTION)
    prefs.setShortcut(QKeySequence("Ctrl+,"))
    prefs.setMenuRole(QAction.MenuRole.PreferencesRole)
    prefs.setStatusTip("Plugins and other settings of qdaapp on this computer")
    prefs.triggered.connect(lambda _checked=False: open_preferences(window))
    edit = _menu(window, "&Edit", create_before="&View")
    edit.addSeparator()
    edit.addAction(prefs)

    frame = QAction("Add a &coding frame…", window)
    frame.setObjectName(FRAME_ACTION)
    frame.setStatusTip("Add a ready-made set of codes with definitions (Greimas, Callon, Wenger…) to the project")
    frame.triggered.connect(lambda _checked=False: add_coding_frame(window))
    codebook = _menu(window, "&Codebook", create_before="&View")
    codebook.addAction(frame)

    def sync() -> None:
        project = getattr(window, "project", None)
        frame.setEnabled(project is not None and not project.read_only)

    codebook.aboutToShow.connect(sync)
    actions = getattr(window, "actions", None)
    if actions is not None and isinstance(getattr(actions, "edits", None), list):
        actions.edits.append(frame)  # enabled with an editable project, like the window's own edits
    sync()
    report_plugin_failures(window)


# ---------------------------------------------------------------------- preferences and plugin failures
def open_preferences(window: Any, page: str | None = None) -> PreferencesDialog:
    """Show the Preferences dialog (window-modal, not blocking); the plugin notice is rechecked after."""
    dialog = PreferencesDialog(window, page)
    dialog.finished.connect(lambda _result: report_plugin_failures(window))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def report_plugin_failures(window: Any) -> QToolButton | None:
    """'1 plugin could not be loaded — see Preferences ▸ Plugins' in the status bar, or nothing.

    Clicking it opens Preferences on the Plugins page. It goes away once no plugin fails.
    """
    bar = window.statusBar()
    notice = bar.findChild(QToolButton, FAILURE_NOTICE)
    failed = plugin_ops.registry().errors()
    if not failed:
        if notice is not None:
            notice.hide()
        return None
    if notice is None:
        notice = QToolButton(bar)
        notice.setObjectName(FAILURE_NOTICE)
        notice.setAutoRaise(True)
        notice.setStyleSheet(NOTICE_STYLE)
        notice.clicked.connect(lambda: open_preferences(window, "Plugins"))
        bar.addPermanentWidget(notice)
    notice.setText(f"⚠ {failure_count_text(len(failed))}")
    notice.setToolTip("\n".join(f"{p.name}: {p.error}" for p in failed) + "\n\nClick to open Preferences ▸ Plugins.")
    notice.show()
    return notice


# ---------------------------------------------------------------------- coding frames
def apply_frame_in_window(window: Any, project: Any, name: str) -> frame_ops.ApplyResult | None:
    """Add frame ``name`` to ``project`` as one undoable command; says what happened; None on error."""
    try:
        frame = frame_ops.load(name)
        with project.read_session() as s:
            add, have = frame_ops.missing_paths(s, frame)
        if not add:
            result = frame_ops.ApplyResult(frame.name, frame.title, [], have)
            inform(window, result.message())
            return result
        runner = getattr(window, "runner", None)
        if runner is not None and getattr(runner, "project", None) is project:
            result = runner.call(frame_ops.apply_frame_command, frame, created_by=project.coder)
        else:
            result = project.run(frame_ops.apply_frame_command, frame, created_by=project.coder)
    except Exception as exc:
        show_error(window, exc)
        return None
    nodes_panel = getattr(window, "nodes_panel", None)
    if nodes_panel is not None and getattr(window, "project", None) is project:
        nodes_panel.reload()  # one command adds many nodes: re-read the small node tree
        if hasattr(window, "update_status"):
            window.update_status()
    window.statusBar().showMessage(f"{result.message()} Ctrl+Z takes it out again.", 10000)
    return result


def _choose_frame(window: Any, offer: bool) -> str | None:
    dialog = FramesDialog(window, offer=offer)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.chosen
    finally:
        dialog.deleteLater()


def add_coding_frame(window: Any) -> frame_ops.ApplyResult | None:
    """Codebook ▸ Add a coding frame…"""
    project = getattr(window, "project", None)
    if project is None:
        return None
    if project.read_only:
        warn(window, f"{project.path.name} is open read-only, so no codes can be added to it.")
        return None
    name = _choose_frame(window, offer=False)
    return apply_frame_in_window(window, project, name) if name else None


def offer_frames_on_new_project(window: Any, project: Any) -> frame_ops.ApplyResult | None:
    """Right after a project is created: 'Start from a coding frame?' with No thanks.

    Call it from the new-project flow once the window shows the new project
    (``ProjectFlow.create``, after ``self.w.set_project(project)``). Nothing is
    asked when no frame is available or the project cannot be changed.
    """
    if project is None or project.read_only:
        return None
    try:
        usable = [f for f in frame_ops.list_frames() if not f.error]
    except Exception:  # a broken plugin must not spoil creating a project
        return None
    if not usable:
        return None
    name = _choose_frame(window, offer=True)
    return apply_frame_in_window(window, project, name) if name else None


__all__ = ["FramesDialog", "PluginsPage", "PreferencesDialog", "add_coding_frame", "apply_frame_in_window",
           "install", "offer_frames_on_new_project", "open_preferences", "register_page",
           "report_plugin_failures"]
