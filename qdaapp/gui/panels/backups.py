"""Never losing work: automatic backups while the project is open, and restoring one.

A backup is taken (on a worker) when a project opens for writing, and every
10 minutes after that if something changed since the last one; the project
keeps the newest ten automatic copies in ``NAME.backups/``. File ▸ Back up
now makes a manual copy. File ▸ Restore from backup… closes the project,
replaces it with the chosen copy (the state before the restore is kept as a
copy too), and opens it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication

from qdaapp.core.project import list_backups, restore_backup
from qdaapp.gui.dialogs.messages import confirm, inform, show_error
from qdaapp.gui.dialogs.restore_dialog import RestoreDialog, describe_backup, when_text
from qdaapp.gui.workers import run_in_worker

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow

BACKUP_EVERY_MS = 10 * 60 * 1000
KEEP = 10


class BackupKeeper(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.changed = False
        self.job: Any = None
        self.last: Path | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(BACKUP_EVERY_MS)
        self.timer.timeout.connect(self.on_timer)

    # -- automatic ------------------------------------------------------------------
    def project_opened(self, project: Any) -> None:
        self.changed = False
        self.last = None
        if project is None or project.read_only:
            self.timer.stop()
            return
        self.timer.start()
        self._rotate(project)

    def project_closed(self) -> None:
        self.timer.stop()
        self.changed = False

    def note_change(self) -> None:
        self.changed = True

    def on_timer(self) -> None:
        """Every 10 minutes: a backup, but only if there was work since the last one."""
        project = self.w.project
        if project is None or project.read_only or not self.changed or self.job is not None:
            return
        self.changed = False
        self._rotate(project)

    def _rotate(self, project: Any) -> None:
        def done(path: Path) -> None:
            self.job = None
            self.last = path

        def failed(exc: BaseException) -> None:
            self.job = None
            self.changed = True  # try again next time
            if project is self.w.project:
                self.w.statusBar().showMessage(f"The automatic backup could not be made: {exc}", 10000)

        self.job = run_in_worker(lambda _p, _c: project.rotate_backups(keep=KEEP), done, failed)

    def back_up_now(self) -> None:
        project = self.w.project
        if project is None or project.read_only:
            return

        def done(path: Path) -> None:
            self.last = path
            self.w.statusBar().showMessage(f"Backup saved: {path.name} in {path.parent}", 8000)

        def failed(exc: BaseException) -> None:
            show_error(self.w, exc)

        self.manual_job = run_in_worker(lambda _p, _c: project.backup("manual"), done, failed)

    # -- restore --------------------------------------------------------------------
    def make_dialog(self) -> RestoreDialog | None:
        project = self.w.project
        if project is None:
            return None
        return RestoreDialog(self.w, Path(project.path), list_backups(project.path))

    def restore_dialog(self) -> bool:
        dialog = self.make_dialog()
        if dialog is None or self.w.project is None or self.w.project.read_only:
            return False
        try:
            if dialog.exec() != RestoreDialog.DialogCode.Accepted or dialog.selected() is None:
                return False
            backup = dialog.selected()
        finally:
            dialog.deleteLater()
        return self.restore(backup)

    def restore(self, backup: Path, ask: bool = True) -> bool:
        """Close the project, put ``backup`` in its place (keeping the current state), reopen it."""
        project = self.w.project
        if project is None or project.read_only:
            return False
        path = Path(project.path)
        when, kind = describe_backup(path, backup)
        if ask and not confirm(self.w, f"Go back to the copy of {path.name} from {when_text(when)} ({kind.lower()})?"
                               "\n\nThe project will close and open again. Your project as it is now is kept "
                               "as a backup first, so you can come back to it.", "Restore from backup"):
            return False
        if not self.w.close_project():
            return False
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            before = restore_backup(path, backup)
        except Exception as exc:
            QGuiApplication.restoreOverrideCursor()
            show_error(self.w, exc)
            self.w.open_project(str(path))
            return False
        QGuiApplication.restoreOverrideCursor()
        if not self.w.open_project(str(path)):
            return False
        inform(self.w, f"{path.name} is back as it was on {when_text(when)}.\n\n"
                       f"Your project as it was just before the restore was kept as:\n{before.name}\n"
                       f"in {before.parent}\n\nFile ▸ Restore from backup… can bring it back.",
               "Backup restored")
        self.last_restore = before
        return True
