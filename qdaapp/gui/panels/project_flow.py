"""Creating, opening and closing projects from the window; recent projects; the demo."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QStandardPaths, QThreadPool
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit

from qdaapp.core.coders import login_name
from qdaapp.core.db import looks_like_sqlite
from qdaapp.core.errors import ProjectError, ProjectInUse, QdaError
from qdaapp.core.logs import data_dir
from qdaapp.core.project import PROJECT_SUFFIX, Project
from qdaapp.gui.dialogs.messages import confirm, show_error, warn
from qdaapp.gui.workers import make_progress_dialog, run_in_worker, running_jobs

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow

RECENT_MAX = 8
PROJECT_FILTER = f"qdaapp projects (*{PROJECT_SUFFIX});;All files (*)"


def demo_path() -> Path:
    return data_dir() / "demo" / f"Demo study{PROJECT_SUFFIX}"


def _remove_project_files(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    backups = path.parent / f"{path.stem}.backups"
    if backups.is_dir():
        shutil.rmtree(backups, ignore_errors=True)


def could_open_read_only(path: Path) -> bool:
    """True when ``path`` is a project file we may not write to (or cannot write now)."""
    if not path.is_file() or not looks_like_sqlite(path):
        return False
    return not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)


class ProjectFlow(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.demo_job: Any = None

    # -- who is coding ------------------------------------------------------------------
    def coder(self) -> str:
        """The name last given on this computer (the suggestion for a new project), else the login name
        when it names a person; "" when there is none yet (a generic login such as "root" is never used)."""
        return os.environ.get("QDAAPP_CODER") or str(self.w.settings.value("coder", "") or login_name())

    def ensure_coder(self, project_name: str = "") -> str | None:
        """The coder's name, asked for once when this computer has none yet (the first start); None if the
        user gave none."""
        name = self.coder()
        if os.environ.get("QDAAPP_CODER") or self.w.settings.value("coder", ""):
            return name
        given = self._ask_name(name, project_name)
        if given is not None:
            self.w.settings.setValue("coder", given)
        return given

    @staticmethod
    def _coder_key(project: Any) -> str | None:
        try:
            project_id = project.meta().get("project_id")
        except Exception:
            return None
        return f"coders/{project_id}" if project_id else None

    def _is_demo(self, path: Path) -> bool:
        return Path(path).resolve() == demo_path().resolve()

    def _ask_name(self, current: str, project_name: str = "") -> str | None:
        where = f" in {project_name}" if project_name else ""
        name, ok = QInputDialog.getText(
            self.w, "Your name as coder",
            f"Your name or initials{where}. It is recorded with every coding, memo and change you make,\n"
            "so a supervisor or a co-coder can tell who did what. (Asked once per project on this computer;\n"
            "File ▸ Your name… changes it.)",
            QLineEdit.EchoMode.Normal, current,
        )
        return name.strip() if ok and name.strip() else None

    def resolve_coder(self, project: Any) -> str:
        """The coder for ``project`` on this computer: remembered per project, asked the first time.

        ``QDAAPP_CODER`` in the environment wins (scripts, tests, shared lab machines).
        """
        if os.environ.get("QDAAPP_CODER"):
            return os.environ["QDAAPP_CODER"]
        key = self._coder_key(project)
        stored = self.w.settings.value(key, "") if key else ""
        if stored:
            return str(stored)
        if project.read_only:
            return self.coder() or "Guest"  # nothing is recorded under it; blind coding shows a guest nothing
        if self._is_demo(project.path):
            return self.ensure_coder(project.path.stem) or "Guest"
        name = self._ask_name(self.coder(), project.path.stem) or self.coder()
        if not name:
            raise ProjectError(f"{project.path.name} was not opened: your name is recorded with every change you "
                               "make, so it is needed to work on a project. Open it again and give your name or "
                               "initials.")
        self.w.settings.setValue("coder", name)
        if key:
            self.w.settings.setValue(key, name)
        return name

    def ask_coder(self) -> bool:
        """File ▸ Your name…: the name recorded with every change; True if one was given."""
        project = self.w.project
        name = self._ask_name(project.coder if project is not None else self.coder(),
                              project.path.stem if project is not None else "")
        if name is None:
            return False
        self.w.settings.setValue("coder", name)
        if project is not None:
            key = self._coder_key(project)
            if key and not project.read_only:
                self.w.settings.setValue(key, name)
            project.coder = name
            self.w.coder_view.refresh()  # "my codings" are the new name's; blind coding may show more or less
            self.w.coding.load_recent()
            self.w.runner.sync()
            self.w.update_status()
        return True

    def recent(self) -> list[str]:
        value = self.w.settings.value("recent", [])
        paths = [value] if isinstance(value, str) else list(value or [])
        return [p for p in paths if Path(p).is_file()][:RECENT_MAX]

    def remember(self, path: Path) -> None:
        if path.resolve() == demo_path().resolve():
            return
        paths = [str(path.resolve())] + [p for p in self.recent() if p != str(path.resolve())]
        self.w.settings.setValue("recent", paths[:RECENT_MAX])
        self.fill_recent_menu()

    def fill_recent_menu(self) -> None:
        menu = self.w.recent_menu if hasattr(self.w, "recent_menu") else None
        if menu is None:
            return
        menu.clear()
        paths = self.recent()
        for path in paths:
            menu.addAction(Path(path).name, lambda p=path: self.open(p)).setToolTip(path)
        menu.setEnabled(bool(paths))

    def _start_folder(self) -> str:
        last = self.w.settings.value("project/folder", "")
        return str(last) if last else QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)

    # -- new / open -----------------------------------------------------------------
    def new_project(self) -> bool:
        if self.ensure_coder() is None:
            return False
        start = str(Path(self._start_folder()) / f"My study{PROJECT_SUFFIX}")
        path, _ = QFileDialog.getSaveFileName(self.w, "New project", start, PROJECT_FILTER)
        if not path:
            return False
        if not self.create(path):
            return False
        from qdaapp.gui.preferences import offer_frames_on_new_project

        offer_frames_on_new_project(self.w, self.w.project)
        return True

    def create(self, path: str | Path) -> bool:
        path = Path(path)
        if path.suffix.lower() != PROJECT_SUFFIX:
            path = path.with_name(path.name + PROJECT_SUFFIX)
        if not self.close():
            return False
        coder = self.ensure_coder(path.stem)
        if coder is None:
            return False
        try:
            project = Project.create(path, coder=coder)
        except Exception as exc:
            show_error(self.w, exc)
            return False
        self.w.settings.setValue("project/folder", str(path.parent))
        key = self._coder_key(project)
        if key:
            self.w.settings.setValue(key, project.coder)
        self.remember(path)
        self.w.set_project(project)
        return True

    def open_dialog(self, read_only: bool = False) -> bool:
        title = "Open project read-only" if read_only else "Open project"
        path, _ = QFileDialog.getOpenFileName(self.w, title, self._start_folder(), PROJECT_FILTER)
        return self.open(path, read_only) if path else False

    def open(self, path: str | Path, read_only: bool = False) -> bool:
        path = Path(path)
        current = self.w.project
        if current is not None and Path(current.path).resolve() == path.resolve() and current.read_only == read_only:
            return True
        if not self.close():
            return False
        try:
            project = Project.open(path, coder=self.coder(), read_only=read_only)
        except ProjectInUse as exc:
            question = (f"{exc}\n\nOpen it read-only now? You can read, browse and search it and look at "
                        "its audit trail, but not change it.")
            if confirm(self.w, question, "Project in use", default_yes=True):
                return self.open(path, read_only=True)
            return False
        except ProjectError as exc:
            if not read_only and could_open_read_only(path):
                question = (f"{exc}\n\nOpen it read-only instead? You can read, browse and search it, "
                            "but not change it.")
                if confirm(self.w, question, "Open read-only?", default_yes=True):
                    return self.open(path, read_only=True)
                return False
            show_error(self.w, exc)
            return False
        except Exception as exc:
            show_error(self.w, exc)
            return False
        try:
            project.coder = self.resolve_coder(project)
        except Exception as exc:
            project.close()
            show_error(self.w, exc)
            return False
        self.w.settings.setValue("project/folder", str(path.parent))
        self.remember(path)
        self.w.set_project(project)
        return True

    def open_demo(self) -> None:
        """Build a fresh copy of the demo study (the old copy is deleted) and open it."""
        if self.demo_job is not None or not self.close():
            return
        from qdaapp.core.demo import build_demo

        path = demo_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _remove_project_files(path)
        except OSError as exc:
            warn(self.w, f"The old demo project in {path.parent} could not be removed ({exc}).")
            return
        coder = self.coder()

        def build(progress: Any, cancel: Any) -> Project:
            return build_demo(path, coder=coder, progress=progress, cancel=cancel)

        def done(project: Project) -> None:
            self.demo_job = None
            self.w.set_project(project)

        def failed(exc: BaseException) -> None:
            self.demo_job = None
            detail = str(exc) if isinstance(exc, QdaError) else "see the log file (Help ▸ Show log file)"
            if not isinstance(exc, QdaError):
                from qdaapp.core.logs import log_exception

                log_exception(exc)
            warn(self.w, f"The demo project could not be built: {detail}")

        def cancelled() -> None:
            self.demo_job = None
            _remove_project_files(path)

        dialog = make_progress_dialog(self.w, "Demo project", "Building the demo project…")
        self.demo_job = run_in_worker(build, done, failed, dialog, cancelled)

    # -- close ----------------------------------------------------------------------
    def close(self) -> bool:
        """Close the open project (if any) after finishing background work; True when closed."""
        if self.w.project is None:
            return True
        for job in running_jobs():
            if job is not self.demo_job:
                job.request_cancel()
        QThreadPool.globalInstance().waitForDone(10000)
        project: Project | None = self.w.detach_project()
        if project is not None:
            project.close()
        return True
