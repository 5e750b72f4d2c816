"""GUI test setup: Qt runs offscreen (set before PySide6 is imported), and a
test fails if it leaves a visible window open or a worker thread running."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(autouse=True)
def no_leaked_windows_or_threads(qapp):
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    yield
    pool = QThreadPool.globalInstance()
    finished = pool.waitForDone(10_000)
    leaked = [w for w in QApplication.topLevelWidgets() if w.isVisible() and id(w) not in before]
    for widget in leaked:
        widget.close()
    QApplication.processEvents()
    assert finished, "a worker thread was still running 10 s after the test"
    assert not leaked, f"the test left windows open: {[type(w).__name__ for w in leaked]}"
