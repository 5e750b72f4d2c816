"""The window on a damaged project and on one in a read-only folder."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from .test_main_window import make_window, messages, settings  # noqa: F401


def _damage_an_index(path: Path) -> None:
    """Damage only the full check sees: an index whose entries no longer match its table."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA writable_schema=ON")
    con.execute("UPDATE sqlite_schema SET sql = 'CREATE INDEX ix_audit_events_action ON audit_events (summary)' "
                "WHERE name = 'ix_audit_events_action'")
    con.commit()
    con.close()


def test_damage_found_after_open_makes_the_window_read_only(make_window, project_path: Path, messages,
                                                            qtbot) -> None:
    _damage_an_index(project_path)
    window = make_window(project_path)
    qtbot.waitUntil(lambda: window.integrity.problems is not None, timeout=10_000)
    assert window.integrity.problems and "ix_audit_events_action" in window.integrity.problems[0]
    assert window.project.damaged is not None and window.project.read_only
    assert window.windowTitle() == "project — qdaapp (damaged: read-only)"
    assert window.read_only_banner.isVisible() and "project.qda is damaged" in window.read_only_banner.text()
    assert [kind for kind, _ in messages] == ["warning"]
    assert "restore a backup" in messages[0][1]
    for action in window.actions.edits + [window.actions.undo, window.actions.redo]:
        assert not action.isEnabled(), action.text()
    qtbot.waitUntil(lambda: window.trust.job is None or window.audit_result is not None, timeout=10_000)


def test_a_sound_project_is_checked_quietly(make_window, project_path: Path, messages, qtbot) -> None:
    window = make_window(project_path)
    qtbot.waitUntil(lambda: window.integrity.problems is not None, timeout=10_000)
    assert window.integrity.problems == [] and window.project.damaged is None
    assert not window.project.read_only and messages == []
    assert window.windowTitle() == "project — qdaapp"
    qtbot.waitUntil(lambda: window.audit_result is not None, timeout=10_000)


def test_a_project_in_a_read_only_folder_says_why(make_window, project_path: Path, messages, qtbot,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated through os.access: tests may run as root, for whom permission bits do not stop writes."""
    real = os.access
    folder = project_path.parent.resolve()
    monkeypatch.setattr(os, "access", lambda p, m, *a, **k: False if (m & os.W_OK and Path(p).resolve() == folder)
                        else real(p, m, *a, **k))
    window = make_window()
    assert window.open_project(str(project_path))
    kind, text = messages[0]
    assert kind == "question" and text.startswith("project.qda is in a read-only folder: it can be read but not "
                                                  "changed; copy it to a folder you can write to.")
    assert window.project.read_only
    assert window.windowTitle() == "project — qdaapp (read-only: in a read-only folder)"
    assert window.read_only_badge.isVisible() and "in a read-only folder" in window.read_only_badge.toolTip()
    assert "project.qda is in a read-only folder" in window.read_only_banner.text()
    qtbot.waitUntil(lambda: window.integrity.problems is not None and window.audit_result is not None,
                    timeout=10_000)


def test_damage_met_by_a_command_makes_the_window_read_only(make_window, project_path: Path, messages,
                                                            qtbot) -> None:
    from qdaapp.core import memos

    window = make_window(project_path)
    qtbot.waitUntil(lambda: window.integrity.problems is not None, timeout=10_000)
    con = sqlite3.connect(project_path)  # damage after the check: met by the next command that reads it
    con.execute("UPDATE nodes SET name = CAST(x'54727573ff74' AS TEXT) WHERE name = 'Trust'")
    con.commit()
    con.close()
    ok, _ = window.runner.run(memos.add_memo, "on a node", f"node:{_trust_id(project_path)}")
    assert not ok
    assert window.project.damaged is not None
    assert window.windowTitle() == "project — qdaapp (damaged: read-only)"
    assert [kind for kind, _ in messages] == ["warning"] and "restore a backup" in messages[0][1]
    for action in window.actions.edits:
        assert not action.isEnabled(), action.text()


def _trust_id(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT id FROM nodes WHERE CAST(name AS BLOB) = x'54727573ff74'").fetchone()[0]
    finally:
        con.close()
