"""The one background-work helper: results, errors, Cancel, the progress dialog's estimate."""

from __future__ import annotations

import threading
import time

from PySide6.QtWidgets import QPushButton, QWidget

from qdaapp.core.errors import InvalidInput
from qdaapp.gui.workers import estimate_text, make_progress_dialog, run_in_worker, running_jobs


def collect():
    seen: dict = {}
    return seen, (lambda r: seen.setdefault("done", r)), (lambda e: seen.setdefault("error", e)), \
        (lambda: seen.setdefault("cancelled", True))


def test_result_arrives_on_the_gui_thread(qtbot) -> None:
    seen, done, error, cancelled = collect()
    threads = []

    def work(progress, cancel):
        threads.append(threading.current_thread())
        progress.start(2, "one")
        progress.advance(2, "two")
        return 42

    def on_done(result: int) -> None:
        seen["thread"] = threading.current_thread()
        done(result)

    run_in_worker(work, on_done, error, None, cancelled)
    qtbot.waitUntil(lambda: "done" in seen)
    assert seen["done"] == 42
    assert threads[0] is not threading.main_thread()
    assert seen["thread"] is threading.main_thread()
    assert not running_jobs()


def test_user_error_reaches_on_error(qtbot) -> None:
    seen, done, error, cancelled = collect()

    def work(progress, cancel):
        raise InvalidInput("There is nothing to import.")

    run_in_worker(work, done, error, None, cancelled)
    qtbot.waitUntil(lambda: "error" in seen)
    assert str(seen["error"]) == "There is nothing to import."


def test_cancel_button_stops_the_work_and_skips_on_done(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen, done, error, cancelled = collect()
    started = threading.Event()

    def work(progress, cancel):
        progress.start(100, "Reading files")
        started.set()
        for i in range(100):
            cancel.check()
            progress.advance(1, f"file {i}")
            time.sleep(0.02)
        return "finished"

    dialog = make_progress_dialog(parent, "Importing", "Reading…")
    job = run_in_worker(work, done, error, dialog, cancelled)
    assert started.wait(5)
    qtbot.waitUntil(lambda: dialog.maximum() == 100)
    qtbot.waitUntil(dialog.isVisible)  # shown once the work takes more than a moment
    dialog.findChild(QPushButton).click()
    assert job.cancel.cancelled
    qtbot.waitUntil(lambda: "cancelled" in seen)
    assert "done" not in seen and "error" not in seen
    assert not job.running


def test_estimate_text() -> None:
    assert estimate_text(0, 10, 5.0) == ""
    assert estimate_text(5, 10, 2.0) == "A few seconds left"
    assert estimate_text(1, 10, 5.0) == "About 45 seconds left"
    assert estimate_text(1, 10, 60.0) == "About 9 minutes left"
    assert estimate_text(10, 10, 60.0) == ""


def test_data_built_for_the_session_is_moved_out_of_the_collectors_reach() -> None:
    import gc

    from qdaapp.gui.workers import building_kept_data, release_kept_data

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        with building_kept_data():
            assert not gc.isenabled()  # no collection stops the GUI thread while the data is built
            with building_kept_data():  # nested (two workers at once): still none until both are done
                kept = [[i] for i in range(1000)]
            assert not gc.isenabled()
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen + len(kept)  # what was built is no longer walked
        release_kept_data()
        assert gc.get_freeze_count() == 0  # the collector walks it again once the project closes
    finally:
        gc.enable()
