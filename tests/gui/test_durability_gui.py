"""The window keeps acknowledged work in the project file: a checkpoint when idle after a change,
an empty log on close, File ▸ Save a copy…, and a plain warning when earlier work is missing."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from qdaapp.gui.panels import durable as durable_module

from ..conftest import ROOT
from .test_coding_flow import node_id
from .test_main_window import make_window, messages, settings, source_id  # noqa: F401


def main_file_only(path: Path, folder: Path) -> Path:
    """The .qda file alone, as a user would copy or mail it."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    copy = folder / path.name
    shutil.copyfile(path, copy)
    return copy


def coding_count(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    finally:
        conn.close()


def settled(window, qtbot) -> None:
    """Background indexing after open has finished (it checkpoints the derived indexes it writes)."""
    qtbot.waitUntil(lambda: window.analysis.indexer.is_complete(), timeout=60000)


def code_one(window) -> None:
    assert window.coding.code(node_id(window, "Trust"), source_id(window.project, "Rosa.txt"), 0, 11)


def test_work_reaches_the_project_file_when_the_app_is_idle(make_window, project_path: Path, tmp_path: Path,
                                                            qtbot) -> None:
    window = make_window(project_path)
    settled(window, qtbot)
    code_one(window)
    timer = window.durable.timer
    assert timer.isActive() and timer.isSingleShot() and timer.interval() == durable_module.IDLE_MS
    assert coding_count(main_file_only(project_path, tmp_path / "now")) == 0  # still only in the log
    qtbot.waitUntil(lambda: coding_count(main_file_only(project_path, tmp_path / "idle")) == 1, timeout=15000)


def test_closing_leaves_everything_in_the_project_file(make_window, project_path: Path, tmp_path: Path,
                                                       qtbot) -> None:
    reader = sqlite3.connect(project_path)  # another program has it open: SQLite would not checkpoint itself
    reader.execute("SELECT count(*) FROM codings").fetchall()
    try:
        window = make_window(project_path)
        window.durable.timer.timeout.disconnect()  # no idle checkpoint: the close alone must do it
        settled(window, qtbot)
        code_one(window)
        assert window.close_project()
        assert coding_count(main_file_only(project_path, tmp_path / "closed")) == 1
    finally:
        reader.close()


def test_save_a_copy_from_the_file_menu(make_window, project_path: Path, tmp_path: Path, qtbot,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(project_path)
    file_menu = window.menuBar().actions()[0].menu()
    assert window.actions.save_copy in file_menu.actions()
    assert window.actions.save_copy.shortcut().isEmpty() and window.actions.save_copy.isEnabled()
    code_one(window)
    target = tmp_path / "out" / "Sent to supervisor"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.actions.save_copy.trigger()
    qtbot.waitUntil(lambda: window.durable.copy_job is None, timeout=10000)
    saved = target.with_name("Sent to supervisor.qda")
    assert window.durable.last_copy == saved
    assert sorted(p.name for p in saved.parent.iterdir()) == [saved.name]
    assert coding_count(saved) == 1
    assert "Copy saved: Sent to supervisor.qda" in window.statusBar().currentMessage()


def test_save_a_copy_refuses_an_existing_file_unless_told(make_window, project_path: Path, tmp_path: Path,
                                                          messages, qtbot) -> None:
    window = make_window(project_path)
    target = tmp_path / "taken.qda"
    target.write_bytes(b"not mine")
    assert window.durable.save_copy(target)
    qtbot.waitUntil(lambda: window.durable.copy_job is None, timeout=10000)
    assert target.read_bytes() == b"not mine"
    assert messages and "already exists; qdaapp will not overwrite it" in messages[-1][1]


KILLED_WRITER = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from qdaapp.core import nodes
    from qdaapp.core.project import Project
    p = Project.open({path!r})
    p.checkpoint("TRUNCATE")
    p.run(nodes.create_node, "Only in the log")
    os._exit(0)
""")


def test_opening_a_project_whose_wal_was_removed_says_what_is_missing(make_window, project_path: Path,
                                                                      messages) -> None:
    subprocess.run([sys.executable, "-c", KILLED_WRITER.format(root=str(ROOT), path=str(project_path))],
                   check=True, timeout=120)
    Path(f"{project_path}-wal").unlink()
    Path(f"{project_path}-shm").unlink(missing_ok=True)
    window = make_window(project_path)
    warnings = [text for kind, text in messages if kind == "warning"]
    assert len(warnings) == 1
    assert "recent work (event " in warnings[0] and "is missing" in warnings[0]
    assert "project.qda-wal file that held it beside the project was removed" in warnings[0]
    assert window.project is not None
