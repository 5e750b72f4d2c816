"""The full integrity check of a project just opened, on a worker.

Opening reads the file's structure (``quick_check``) but not every index or
stored text; the full check (:meth:`Project.check_integrity`) does, while the
user works. Damage found makes the window read-only (the project itself
already refuses writes) and says which backups there are to restore.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from qdaapp.core.db import is_damage
from qdaapp.core.logs import log_exception
from qdaapp.gui.dialogs.messages import warn
from qdaapp.gui.workers import run_in_worker

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow


class IntegrityCheck(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.job: Any = None
        self.problems: list[str] | None = None  # None: not checked (yet)

    def start(self, project: Any) -> None:
        self.problems = None

        def done(problems: list[str]) -> None:
            self.job = None
            if project is self.w.project:
                self.problems = problems
                if project.damaged is not None:
                    self.show_damage(project)

        def failed(exc: BaseException) -> None:
            self.job = None
            if project is not self.w.project:
                return
            if is_damage(exc):
                project.mark_damaged(str(exc))
                self.problems = [str(exc)]
                self.show_damage(project)
            else:
                log_exception(exc)
                self.w.statusBar().showMessage("The project's full integrity check could not run; see the log.",
                                               8000)

        self.job = run_in_worker(lambda _p, _c: project.check_integrity(), done, failed)

    def show_damage(self, project: Any) -> None:
        """The window stops offering changes and tells the user what to do."""
        self.w.show_read_only(project, f"{project.path.stem} — qdaapp (damaged: read-only)", str(project.damaged))
        warn(self.w, str(project.damaged), "Project damaged")
