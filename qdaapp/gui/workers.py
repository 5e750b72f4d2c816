"""The one place the GUI runs long work off the GUI thread.

:func:`run_in_worker` hands a function to the global :class:`QThreadPool`.
The function receives a :class:`~qdaapp.core.progress.Progress` and a
:class:`~qdaapp.core.progress.CancelToken`; what it reports reaches the GUI
thread through queued signals, so callbacks (``on_done``, ``on_error``,
``on_cancelled``) always run on the GUI thread. A job whose token was set
ends in ``on_cancelled`` even if the function finished its last step, so
callers can rely on Cancel meaning "nothing happens afterwards".
"""

from __future__ import annotations

import gc
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog

from qdaapp.core.progress import Cancelled, CancelToken, Progress

WorkFn = Callable[[Progress, CancelToken], Any]
SHOW_DIALOG_AFTER_MS = 400

_running: set[Job] = set()


class _Signals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(bool, object)


class _Task(QRunnable):
    """Runs the work on a pool thread.

    Qt objects must be deleted on the thread that owns them: the task keeps only a weak reference
    to the job's signals and drops everything it holds before it sets ``released``; the job waits
    for that before it lets go of itself, so its signals are never deleted on the pool thread.
    """

    def __init__(self, fn: WorkFn, progress: Progress, cancel: CancelToken, signals: _Signals,
                 released: threading.Event) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn, self._progress, self._cancel = fn, progress, cancel
        self._signals = weakref.ref(signals)
        self._released = released

    def run(self) -> None:
        try:
            try:
                ok, payload = True, self._fn(self._progress, self._cancel)
            except BaseException as exc:  # reported on the GUI thread
                ok, payload = False, exc
            self._fn = self._progress = self._cancel = None
            signals = self._signals()
            if signals is not None:
                signals.finished.emit(ok, payload)
            del signals, payload
        finally:
            self._released.set()


def estimate_text(done: int, total: int, elapsed: float) -> str:
    """'About 20 seconds left' once there is something to extrapolate from."""
    if total <= 0 or done <= 0 or done >= total or elapsed < 0.5:
        return ""
    left = elapsed / done * (total - done)
    if left < 5:
        return "A few seconds left"
    if left < 90:
        return f"About {int(round(left / 5.0) * 5)} seconds left"
    return f"About {int(round(left / 60.0))} minutes left"


class Job(QObject):
    """A handle on one piece of background work."""

    def __init__(
        self,
        fn: WorkFn,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        dialog: QProgressDialog | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.cancel = CancelToken()
        self._signals = _Signals()
        self._signals.progress.connect(self._on_progress)
        self._signals.finished.connect(self._on_finished)
        self.progress = Progress(self._signals.progress.emit)
        self._fn = fn
        self._on_done, self._on_error, self._on_cancelled = on_done, on_error, on_cancelled
        self._dialog = dialog
        self._started = time.monotonic()
        self._message = ""
        self.running = False
        self._released = threading.Event()  # set once the pool thread holds nothing of this job
        if dialog is not None:
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            dialog.setMinimumDuration(1 << 30)
            dialog.setRange(0, 0)
            dialog.setValue(0)
            dialog.canceled.connect(self._on_dialog_cancelled)
            self._message = dialog.labelText()

    def start(self) -> Job:
        self.running = True
        self._started = time.monotonic()
        _running.add(self)
        if self._dialog is not None:
            QTimer.singleShot(SHOW_DIALOG_AFTER_MS, self._show_dialog)
        QThreadPool.globalInstance().start(_Task(self._fn, self.progress, self.cancel, self._signals,
                                                 self._released))
        return self

    def request_cancel(self) -> None:
        self.cancel.cancel()

    # -- handlers (GUI thread) ---------------------------------------------
    def _show_dialog(self) -> None:
        if self.running and self._dialog is not None and not self.cancel.cancelled:
            self._dialog.show()

    def _on_dialog_cancelled(self) -> None:
        self.cancel.cancel()
        if self._dialog is not None:
            self._dialog.setLabelText("Cancelling… nothing will be changed.")

    def _on_progress(self, done: int, total: int, message: str) -> None:
        dialog = self._dialog
        if dialog is None or not self.running:
            return
        if total > 0:
            if dialog.maximum() != total:
                dialog.setRange(0, total)
            dialog.setValue(min(done, total))
        label = message or self._message
        estimate = estimate_text(done, total, time.monotonic() - self._started)
        dialog.setLabelText(f"{label}\n{estimate}" if estimate else label)

    def _on_finished(self, ok: bool, payload: object) -> None:
        self.running = False
        if self._dialog is not None:
            self._dialog.canceled.disconnect(self._on_dialog_cancelled)
            self._dialog.hide()
            self._dialog.deleteLater()
            self._dialog = None
        try:
            if self.cancel.cancelled or (not ok and isinstance(payload, Cancelled)):
                if self._on_cancelled is not None:
                    self._on_cancelled()
            elif ok:
                self._on_done(payload)
            else:
                self._on_error(payload)  # type: ignore[arg-type]
        finally:
            # The pool thread sets this right after its last use of the job (see _Task); waiting for it
            # keeps the job, and its Qt signals, alive until then.
            self._released.wait(5)
            _running.discard(self)


def run_in_worker(
    fn: WorkFn,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    progress_dialog: QProgressDialog | None = None,
    on_cancelled: Callable[[], None] | None = None,
) -> Job:
    """Run ``fn(progress, cancel)`` on the thread pool; callbacks run on the GUI thread.

    ``progress_dialog`` (optional) is shown if the work takes more than a
    moment; its Cancel button sets the job's token, and it is closed and
    deleted when the job ends.
    """
    return Job(fn, on_done, on_error, progress_dialog, on_cancelled).start()


def running_jobs() -> list[Job]:
    return list(_running)


_kept_lock = threading.Lock()
_kept_depth = 0


@contextmanager
def building_kept_data() -> Iterator[None]:
    """Around work that builds data kept for the session (a study's passages, a run's hits).

    A garbage collection stops every thread, the GUI's too, and one over a heap that is growing by
    hundreds of thousands of objects takes tens of milliseconds, again and again: none runs while
    the work builds (what it builds is kept, not garbage), and afterwards what exists is moved out
    of the collector's reach (``gc.freeze``), so later collections do not walk it each time. Objects
    still free themselves when nothing refers to them; a reference cycle among them waits for
    :func:`release_kept_data` (called when the project closes)."""
    global _kept_depth
    with _kept_lock:
        _kept_depth += 1
        gc.disable()
    try:
        yield
    finally:
        with _kept_lock:
            _kept_depth -= 1
            if _kept_depth == 0:
                gc.freeze()
                gc.enable()


def make_progress_dialog(parent, title: str, label: str) -> QProgressDialog:  # QWidget
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setMinimumWidth(420)
    dialog.setWindowModality(dialog.windowModality().WindowModal)
    return dialog


def release_kept_data() -> None:
    """Give what :func:`building_kept_data` moved aside back to the collector (the project closed)."""
    with _kept_lock:
        if _kept_depth == 0:
            gc.unfreeze()
