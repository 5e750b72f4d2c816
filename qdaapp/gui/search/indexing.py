"""Background indexing: after a project opens or sources arrive, build what search needs.

:class:`IndexingController` asks :func:`qdaapp.core.indexing.pending` which
sources lack their indexes and builds them on a worker thread (the sentence
analysis in worker processes when there is much to do), one source per
transaction, so Cancel keeps the finished ones. It never shows a dialog: the main window puts :attr:`status_text`
in its status bar from the ``progress`` signal. A ``source.import`` change
(or an undo/redo, which can bring a source back) makes it look again.

Signals: ``started(int total)``, ``progress(int done, int total, str message)``,
``cancelled()``, ``failed(str message)`` and ``finished()``, which ends every
run however it ended. ``is_complete()`` says whether every source is indexed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from qdaapp.core import indexing
from qdaapp.core.progress import CancelToken, Progress
from qdaapp.gui.search.common import ChangeBridge, plural
from qdaapp.gui.workers import Job, run_in_worker


class _Relay(QObject):
    """Carries progress from the worker to the GUI thread (queued)."""

    progress = Signal(int, int, str)


class IndexingController(QObject):
    started = Signal(int)
    progress = Signal(int, int, str)
    cancelled = Signal()
    failed = Signal(str)
    finished = Signal()

    def __init__(self, project: Any = None, parent: QObject | None = None, nlp: bool = True,
                 auto_start: bool = True) -> None:
        super().__init__(parent)
        self.nlp = nlp
        self.auto_start = auto_start
        self.project: Any = None
        self.job: Job | None = None
        self.done = 0
        self.total = 0
        self._again = False
        self._relay = _Relay(self)
        self._relay.progress.connect(self._on_job_progress)
        self._bridge = ChangeBridge(self)
        self._bridge.changed.connect(self._on_project_change)
        if project is not None:
            self.set_project(project)

    # -- public API ----------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        """Follow ``project`` (None: stop following). Starts indexing if ``auto_start``."""
        self.cancel()
        self._bridge.attach(project)
        self.project = project
        self.done = self.total = 0
        if project is not None and self.auto_start:
            self.check()

    def pending(self) -> list[int]:
        if self.project is None:
            return []
        with self.project.read_session() as s:
            return indexing.pending(s, need_nlp=self.nlp)

    def check(self) -> int:
        """Start indexing the sources that need it; returns how many that is."""
        if self.project is None:
            return 0
        if self.is_running():
            self._again = True
            return self.total - self.done
        if self.project.read_only:
            return 0
        todo = self.pending()
        if todo:
            self._start(todo)
        return len(todo)

    def cancel(self) -> None:
        """Stop after the source being indexed; finished sources keep their indexes."""
        self._again = False
        if self.job is not None:
            self.job.request_cancel()

    def is_running(self) -> bool:
        return self.job is not None and self.job.running

    def is_complete(self) -> bool:
        return not self.is_running() and not self.pending()

    @property
    def status_text(self) -> str:
        if not self.is_running():
            return ""
        return f"Indexing {min(self.done + 1, self.total)} of {plural(self.total, 'source')}…"

    # -- the work ------------------------------------------------------------------
    def _start(self, todo: list[int]) -> None:
        project, nlp, relay = self.project, self.nlp, self._relay
        total = len(todo)
        self.done, self.total = 0, total

        def work(_progress: Progress, cancel: CancelToken) -> int:
            def step(done: int, _total: int) -> None:
                if done < total:
                    relay.progress.emit(done, total, f"Indexing {done + 1} of {plural(total, 'source')}…")

            cancel.check()
            relay.progress.emit(0, total, f"Indexing 1 of {plural(total, 'source')}…")
            # One call for all: the sentence analysis runs in worker processes beside this thread.
            indexing.index_sources(project, todo, nlp=nlp, cancel=cancel, on_source=step)
            relay.progress.emit(total, total, f"Indexed {plural(total, 'source')}.")
            return total

        self.job = run_in_worker(work, self._on_done, self._on_error, on_cancelled=self._on_cancelled)
        self.started.emit(total)
        self.progress.emit(0, total, self.status_text)

    def _on_job_progress(self, done: int, total: int, message: str) -> None:
        if self.job is None:
            return
        self.done, self.total = done, total
        self.progress.emit(done, total, message)

    def _end(self) -> None:
        self.job = None
        self.finished.emit()
        if self._again and self.project is not None:
            self._again = False
            self.check()

    def _on_done(self, _count: int) -> None:
        self._end()

    def _on_error(self, exc: BaseException) -> None:
        from qdaapp.gui.dialogs.messages import error_text

        self._again = False
        self.failed.emit("Indexing stopped: " + error_text(exc))
        self._end()

    def _on_cancelled(self) -> None:
        self.cancelled.emit()
        self._end()

    def _on_project_change(self, change: Any) -> None:
        if change.ids("source", "created") and self.auto_start:  # imported, or put back by undo
            self.check()


if __name__ == "__main__":
    from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

    from qdaapp.gui.search._demo import run_standalone

    def make(project: Any) -> QWidget:
        box = QWidget()
        label = QLabel("Looking for sources to index…")
        bar = QProgressBar()
        layout = QVBoxLayout(box)
        layout.addWidget(label)
        layout.addWidget(bar)
        controller = IndexingController(parent=box)
        controller.progress.connect(lambda done, total, message: (bar.setRange(0, total), bar.setValue(done),
                                                                  label.setText(message)))
        controller.finished.connect(lambda: label.setText("Every source is indexed: search and marker runs "
                                                          "see all the text."))
        controller.set_project(project)
        return box

    run_standalone(make, "Indexing", markers=False, index=False, size=(460, 90))
