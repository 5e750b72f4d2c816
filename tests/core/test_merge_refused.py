"""Bad copies are refused with a message naming the file and the problem; the project stays as it was."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from qdaapp.core import merge, nodes
from qdaapp.core.merge_read import MergeRefused
from qdaapp.core.project import Project

from .merge_helpers import code_phrase, plain_copy, state


def _worked_copy(project_path: Path) -> Path:
    other = plain_copy(project_path, "ben.qda")
    with Project.open(other, coder="Ben") as b:
        code_phrase(b, "I wanted to help", "Trust")
        b.run(nodes.create_node, "Barriers/Paperwork")
    return other


def _refused(project_path: Path, other: Path, *words: str) -> str:
    before = state(project_path)
    with Project.open(project_path, coder="Ana") as p:
        with pytest.raises(MergeRefused) as info:
            merge.merge_copy(p, other)
    assert state(project_path) == before
    message = str(info.value)
    assert other.name in message and "nothing was merged" in message.lower()
    for word in words:
        assert word in message, message
    return message


def test_a_text_file_is_refused(project_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "notes.qda"
    other.write_text("These are my notes, not a project.\n", encoding="utf-8")
    _refused(project_path, other, "not a qdaapp project")


def test_an_empty_file_is_refused(project_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "empty.qda"
    other.write_bytes(b"")
    _refused(project_path, other, "is empty")


def test_random_bytes_are_refused(project_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "noise.qda"
    other.write_bytes(os.urandom(8192))
    _refused(project_path, other, "not a qdaapp project")


def test_a_database_that_is_not_a_project_is_refused(project_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.qda"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    _refused(project_path, other, "not a qdaapp project")


def test_a_copy_from_a_newer_schema_is_refused(project_path: Path) -> None:
    other = _worked_copy(project_path)
    conn = sqlite3.connect(other)
    conn.execute("UPDATE alembic_version SET version_num = '0099'")
    conn.commit()
    conn.close()
    _refused(project_path, other, "newer version of qdaapp", "schema 0099")


def test_a_copy_whose_event_was_edited_is_refused(project_path: Path) -> None:
    other = _worked_copy(project_path)
    conn = sqlite3.connect(other)
    conn.execute("UPDATE audit_events SET summary = 'nothing happened' WHERE seq = 3")
    conn.commit()
    conn.close()
    _refused(project_path, other, "audit trail does not hold", "event 3")


def test_a_copy_whose_coding_was_changed_outside_the_app_is_refused(project_path: Path) -> None:
    other = _worked_copy(project_path)
    conn = sqlite3.connect(other)
    conn.execute('UPDATE codings SET "end" = "end" + 1')
    conn.commit()
    conn.close()
    _refused(project_path, other, "audit trail does not hold", "changed outside the app")


def test_a_copy_whose_last_events_were_removed_is_refused(project_path: Path) -> None:
    other = _worked_copy(project_path)
    conn = sqlite3.connect(other)
    last = conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
    conn.execute("DELETE FROM audit_events WHERE seq = ?", (last,))
    conn.commit()
    conn.close()
    _refused(project_path, other, "audit trail does not hold", "missing")


def test_the_project_itself_is_refused(project_path: Path) -> None:
    before = state(project_path)
    with Project.open(project_path, coder="Ana") as p:
        with pytest.raises(MergeRefused, match="is this project itself"):
            merge.merge_copy(p, project_path)
    assert state(project_path) == before


def test_a_missing_file_is_refused(project_path: Path, tmp_path: Path) -> None:
    _refused(project_path, tmp_path / "nowhere.qda", "does not exist")
