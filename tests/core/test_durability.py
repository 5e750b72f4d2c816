"""Nothing acknowledged lives only in the write-ahead log; a lost or damaged log is reported;
a copy saved while the project is open holds everything and checks out."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qdaapp.core import nodes
from qdaapp.core.errors import ProjectError
from qdaapp.core.progress import Cancelled, CancelToken, Progress
from qdaapp.core.project import Project, restore_backup

from ..conftest import ROOT


def _node_names(path: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM nodes")}
    finally:
        conn.close()


def _reader(path: Path) -> sqlite3.Connection:
    """Another program with the project open (a read-only window, a sync tool): while it is
    connected, closing the project's own connections does not make SQLite checkpoint."""
    conn = sqlite3.connect(path)
    conn.execute("SELECT count(*) FROM nodes").fetchall()
    return conn


def _copy_main_file_only(path: Path, folder: Path) -> Path:
    """What a user who copies or mails the .qda file takes with them (no -wal beside it)."""
    folder.mkdir()
    copy = folder / path.name
    shutil.copyfile(path, copy)
    assert not Path(f"{copy}-wal").exists()
    return copy


def test_a_checkpoint_puts_acknowledged_work_in_the_file(project_path: Path, tmp_path: Path) -> None:
    reader = _reader(project_path)  # another reader keeps SQLite from checkpointing on its own
    p = Project.open(project_path)
    try:
        p.run(nodes.create_node, "Checkpointed theme")
        assert Path(f"{project_path}-wal").stat().st_size > 0
        assert "Checkpointed theme" not in _node_names(_copy_main_file_only(project_path, tmp_path / "before"))
        assert p.checkpoint("PASSIVE")
        assert "Checkpointed theme" in _node_names(_copy_main_file_only(project_path, tmp_path / "after"))
    finally:
        p.close()
        reader.close()


def test_close_leaves_everything_in_the_file_even_with_another_reader(project_path: Path, tmp_path: Path) -> None:
    reader = _reader(project_path)
    try:
        p = Project.open(project_path)
        p.run(nodes.create_node, "Closed theme")
        p.close()
        wal = Path(f"{project_path}-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        assert "Closed theme" in _node_names(_copy_main_file_only(project_path, tmp_path / "copy"))
    finally:
        reader.close()


KILLED_WRITER = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from qdaapp.core import nodes
    from qdaapp.core.project import Project
    p = Project.open({path!r})
    p.checkpoint("TRUNCATE")
    for i in range(3):
        p.run(nodes.create_node, f"Unsaved theme {{i}}")
    sys.stdout.flush()
    os._exit(0)  # as if killed: the three changes are only in the -wal file
""")


def _work_only_in_wal(project_path: Path) -> tuple[int, int]:
    """Leave three acknowledged events only in the log; returns (head in the file, acknowledged head)."""
    before = Project.open(project_path)
    before_seq = before.audit_head()[0]
    before.close()
    subprocess.run([sys.executable, "-c", KILLED_WRITER.format(root=str(ROOT), path=str(project_path))],
                   check=True, timeout=120)
    assert Path(f"{project_path}-wal").stat().st_size > 0
    return before_seq, before_seq + 3


def test_a_removed_wal_is_reported_with_the_missing_events(project_path: Path) -> None:
    file_seq, acknowledged = _work_only_in_wal(project_path)
    Path(f"{project_path}-wal").unlink()
    Path(f"{project_path}-shm").unlink(missing_ok=True)
    p = Project.open(project_path, read_only=True)
    try:
        assert p.missing_work is not None
        message = p.missing_work.message()
    finally:
        p.close()
    assert f"recent work (events {file_seq + 1}..{acknowledged} of the audit trail" in message
    assert "project.qda-wal file that held it beside the project was removed" in message
    assert "Restore a backup" in message


def test_a_damaged_wal_is_reported(project_path: Path) -> None:
    file_seq, acknowledged = _work_only_in_wal(project_path)
    wal = Path(f"{project_path}-wal")
    with open(wal, "r+b") as fh:
        fh.write(os.urandom(32))
    Path(f"{project_path}-shm").unlink(missing_ok=True)
    p = Project.open(project_path)
    try:
        assert p.missing_work is not None
        message = p.missing_work.message()
        assert f"events {file_seq + 1}..{acknowledged}" in message and "is damaged" in message
        p.run(nodes.create_node, "Carrying on")  # told once: the next change is the new acknowledged head
    finally:
        p.close()
    again = Project.open(project_path)
    try:
        assert again.missing_work is None
    finally:
        again.close()


def test_an_intact_wal_reports_nothing(project_path: Path) -> None:
    _work_only_in_wal(project_path)
    p = Project.open(project_path)
    try:
        assert p.missing_work is None
        assert {"Unsaved theme 0", "Unsaved theme 2"} <= _node_names(project_path)
    finally:
        p.close()


def test_restoring_a_backup_is_not_missing_work(project_path: Path) -> None:
    p = Project.open(project_path)
    backup = p.backup("manual")
    p.run(nodes.create_node, "After the backup")
    p.close()
    restore_backup(project_path, backup)
    again = Project.open(project_path)
    try:
        assert again.missing_work is None
    finally:
        again.close()


def test_save_a_copy_while_open_holds_everything_and_refuses_to_overwrite(project_path: Path,
                                                                         tmp_path: Path) -> None:
    reader = _reader(project_path)
    p = Project.open(project_path)
    try:
        p.run(nodes.create_node, "Copied theme")
        target = tmp_path / "out" / "copy.qda"
        target.parent.mkdir()
        seen: list[tuple[int, int]] = []
        result = p.save_copy(target, progress=Progress(lambda done, total, _m: seen.append((done, total))))
        assert result.head == p.audit_head()
        assert seen and seen[-1][0] == seen[-1][1] > 0
        assert sorted(x.name for x in target.parent.iterdir()) == ["copy.qda"]  # one file, no log beside it
        assert "Copied theme" in _node_names(target)
        with pytest.raises(ProjectError, match="already exists; qdaapp will not overwrite it"):
            p.save_copy(target)
        p.run(nodes.create_node, "Second theme")
        p.save_copy(target, force=True)
        assert "Second theme" in _node_names(target)
        with pytest.raises(ProjectError, match="over the project itself"):
            p.save_copy(project_path, force=True)
        cancel = CancelToken()
        cancel.cancel()
        with pytest.raises(Cancelled):
            p.save_copy(tmp_path / "out" / "cancelled.qda", cancel=cancel)
        assert sorted(x.name for x in target.parent.iterdir()) == ["copy.qda"]
    finally:
        p.close()
        reader.close()
    copy = Project.open(target)
    try:
        assert copy.verify_audit().ok
        assert copy.missing_work is None
    finally:
        copy.close()


def test_a_file_whose_last_event_differs_from_the_acknowledged_one_is_reported(project_path: Path) -> None:
    from qdaapp.core import durability

    p = Project.open(project_path)
    seq, _hash = p.audit_head()
    durability.record_head(project_path, p.project_id(), (seq, "0" * 64))  # as if another history was acknowledged
    p.close()
    again = Project.open(project_path, read_only=True)
    try:
        assert again.missing_work is not None
        assert f"its latest work (event {seq} of the audit trail) is not the one acknowledged" in \
            again.missing_work.message()
    finally:
        again.close()
