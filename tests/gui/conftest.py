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


class AskedReasons(list):
    """The reason dialogs shown, as (kind, "description\ndetails", the negated box's text or False);
    each is answered ``answer``."""

    answer = "skip"  # "skip", "cancel", or a reason typed then OK
    include_negated = False


@pytest.fixture(autouse=True)
def asked_reasons(monkeypatch: pytest.MonkeyPatch) -> AskedReasons:
    """A modal reason dialog would wait for a person: each is answered as a test says (Skip by default),
    through its own buttons. The session's remembered reasons start empty in every test."""
    from qdaapp.gui.dialogs import reason

    asked = AskedReasons()

    def answer(dialog: reason.ReasonDialog) -> int:
        negated = dialog.include_negated.isVisibleTo(dialog)
        asked.append((dialog.field.kind, f"{dialog.description}\n{dialog.details.text()}",
                      negated and dialog.include_negated.text()))
        dialog.include_negated.setChecked(asked.include_negated)
        if asked.answer == "skip":
            dialog.skip_button.click()
        elif asked.answer == "cancel":
            dialog.cancel_button.click()
        else:
            dialog.field.combo.setEditText(asked.answer)
            dialog.ok_button.click()
        return dialog.result()

    monkeypatch.setattr(reason.ReasonDialog, "exec", answer)
    reason.SESSION.forget()
    yield asked
    reason.SESSION.forget()
