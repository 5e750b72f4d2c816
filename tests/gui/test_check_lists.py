"""Ticking a check box far down a list leaves that row, and the scroll position, where they were."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QListWidget, QStyle

from qdaapp.core import sources as source_ops
from qdaapp.gui.dialogs.case_dialog import CaseDialog
from qdaapp.gui.search.common import ChecklistDialog

from .test_main_window import make_window, messages, settings  # noqa: F401


def tick_far_down(qtbot, view: QListWidget) -> None:
    """Scroll half way, click the check box of the last row in view, and check nothing moved."""
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0, "the list must be long enough to scroll"
    bar.setValue(bar.maximum() // 2)
    qtbot.wait(20)
    viewport = view.viewport().rect()
    index = view.indexAt(QPoint(5, viewport.bottom() - 6))
    item = view.item(index.row())
    before, scrolled = view.visualItemRect(item), bar.value()
    assert before.top() > viewport.height() // 2  # far down the visible part
    style = view.style()
    x = before.left() + style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 3 \
        + style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) // 2
    y = min(before.center().y(), viewport.bottom() - 3)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, y))
    qtbot.wait(50)
    assert item.checkState() == Qt.CheckState.Checked  # the click did tick it
    assert view.row(item) == index.row()
    assert view.visualItemRect(item) == before
    assert bar.value() == scrolled


def test_case_dialog_source_list_keeps_still(make_window, project_path: Path, tmp_path: Path,
                                             qtbot) -> None:
    window = make_window(project_path)
    paths = []
    for i in range(40):
        paths.append(tmp_path / f"Interview {i:02}.txt")
        paths[-1].write_text(f"Interview number {i}.\n", encoding="utf-8")
    docs, _ = source_ops.read_files(paths)
    window.project.run(source_ops.import_documents, docs)
    dialog = CaseDialog(window, window.project, window.runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    tick_far_down(qtbot, dialog.source_list)
    dialog.close()


def test_checklist_dialog_keeps_still(make_window, qtbot) -> None:
    window = make_window()  # the application's style sheet, as in use
    dialog = ChecklistDialog(window, "Search chosen sources", "Tick the sources to search:",
                             [(i, f"Source {i:03}.docx") for i in range(120)])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    tick_far_down(qtbot, dialog.list)
    dialog.close()
