"""Keeping acknowledged work in the project file: idle checkpoints, File ▸ Save a copy…, and
telling the user when work acknowledged earlier is missing from the file.

A committed change first lands in the ``-wal`` file beside the project. A moment after the last
change (:data:`IDLE_MS`, restarted by each change) the log is copied into the project file with a
passive checkpoint, which never waits for anyone; if a reader (a backup, a search) still needs
part of the log, it is tried again a little later. Closing the project empties the log entirely
(see :meth:`Project.close <qdaapp.core.project.Project.close>`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFileDialog

from qdaapp.core.logs import log_exception
from qdaapp.core.project import PROJECT_SUFFIX
from qdaapp.gui.dialogs.messages import show_error, warn
from qdaapp.gui.workers import make_progress_dialog, run_in_worker

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow

IDLE_MS = 1500
RETRY_MS = 5000
COPY_FILTER = f"qdaapp projects (*{PROJECT_SUFFIX})"


class Durability(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.checkpoint_now)
        self.copy_job: Any = None
        self.last_copy: Path | None = None

    # -- idle checkpoints -----------------------------------------------------------------
    def note_change(self) -> None:
        """After each committed change: checkpoint once the app has been idle for a moment."""
        project = self.w.project
        if project is not None and not project.read_only:
            self.timer.start(IDLE_MS)

    def project_closed(self) -> None:
        self.timer.stop()

    def checkpoint_now(self) -> bool:
        """Copy the log into the project file; True when nothing is left only in the log."""
        project = self.w.project
        if project is None or project.read_only:
            return False
        try:
            done = project.checkpoint("PASSIVE")
        except Exception as exc:  # the work is committed; the log keeps it meanwhile
            log_exception(exc)
            done = False
        if not done:
            self.timer.start(RETRY_MS)  # a reader still needs part of the log: try again later
        return done

    # -- work missing from the file -------------------------------------------------------
    def project_opened(self, project: Any) -> None:
        missing = getattr(project, "missing_work", None)
        if missing is not None:
            warn(self.w, missing.message(), "Recent work is missing")

    # -- File ▸ Save a copy… -------------------------------------------------------------
    def save_copy_dialog(self) -> bool:
        project = self.w.project
        if project is None:
            return False
        path = Path(project.path)
        start = str(path.with_name(f"{path.stem} copy{PROJECT_SUFFIX}"))
        chosen, _ = QFileDialog.getSaveFileName(self.w, "Save a copy of the project", start, COPY_FILTER)
        if not chosen:
            return False
        target = Path(chosen)
        if target.suffix.lower() != PROJECT_SUFFIX:
            target = target.with_name(target.name + PROJECT_SUFFIX)
        # The file dialog has already asked whether to replace an existing file.
        return self.save_copy(target, force=True)

    def save_copy(self, target: Path, force: bool = False) -> bool:
        """Write a checked copy of the open project to ``target`` on a worker, with progress."""
        project = self.w.project
        if project is None or self.copy_job is not None:
            return False

        def work(progress: Any, cancel: Any) -> Any:
            return project.save_copy(target, force=force, progress=progress, cancel=cancel)

        def done(result: Any) -> None:
            self.copy_job = None
            self.last_copy = result.path
            self.w.statusBar().showMessage(
                f"Copy saved: {result.path.name} in {result.path.parent} — one file that holds everything, "
                "checked.", 10000)

        def failed(exc: BaseException) -> None:
            self.copy_job = None
            show_error(self.w, exc)

        def cancelled() -> None:
            self.copy_job = None
            self.w.statusBar().showMessage("No copy was saved.", 6000)

        dialog = make_progress_dialog(self.w, "Save a copy", f"Saving a copy of {Path(project.path).name}…")
        self.copy_job = run_in_worker(work, done, failed, dialog, cancelled)
        return True
