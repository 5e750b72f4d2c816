"""Damaged files, full disks and read-only places: nothing lost, and the user is told plainly."""

from __future__ import annotations

import errno
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from qdaapp.core import coding, db, memos, nodes, sources
from qdaapp.core.errors import DiskFull, ImportFailure, ProjectDamaged, ReadOnlyPlace
from qdaapp.core.models import Source
from qdaapp.core.project import Project, _migrate, list_backups

from ..conftest import ROOT, SAMPLE

FLIPS = 100
PROJECTS = 10


@pytest.fixture(scope="module")
def rich_project(tmp_path_factory: pytest.TempPathFactory, template_project: Path) -> Path:
    """The template with thirty interviews (about 1.5 MB of text) and 1,500 codings, closed cleanly:
    large enough that most flipped bytes land in the data, not the schema every open reads."""
    folder = tmp_path_factory.mktemp("rich")
    path = folder / "rich.qda"
    shutil.copy(template_project, path)
    files = []
    for i in range(30):
        f = folder / f"Interview {i:02d}.txt"
        f.write_text(f"Interview {i}.\n" + SAMPLE * 150, encoding="utf-8")
        files.append(f)
    project = Project.open(path, coder="tester")
    docs, failures = sources.read_files(files)
    assert not failures
    project.run(sources.import_documents, docs, kind="interview")
    for n in range(6):
        project.run(nodes.create_node, f"Theme {n}", free=True, description=f"Theme number {n} " * 10)
    with project.read_session() as s:
        ids = dict(s.execute(select(Source.name, Source.id)).all())
    for i in range(30):
        spans = [(ids[f"Interview {i:02d}.txt"], k * 40, k * 40 + 25) for k in range(50)]
        project.run(coding.code_passages, spans, f"Theme {i % 6}", "tester")
    project.close()
    return path


def flip_bytes(path: Path, seed: int, count: int = FLIPS) -> None:
    rng = random.Random(seed)
    data = bytearray(path.read_bytes())
    for offset in rng.sample(range(len(data)), count):
        data[offset] ^= rng.randrange(1, 256)
    path.write_bytes(bytes(data))


def open_check_and_write(path: Path) -> None:
    """What the app does: open (the quick check), the full check, then a change."""
    project = Project.open(path, coder="tester")
    project.check_integrity()
    try:
        project.run(nodes.create_node, "Written after the damage", free=True)
    finally:
        project.close()


def where_found(path: Path) -> str:
    """'open' when opening refuses the file; else 'full check' when the full check finds the
    damage (and then a change is refused); else 'missed'."""
    try:
        project = Project.open(path, coder="tester")
    except ProjectDamaged:
        return "open"
    try:
        if not project.check_integrity():
            return "missed"
        with pytest.raises(ProjectDamaged, match="is damaged .*: restore a backup"):
            project.run(nodes.create_node, "Written after the damage", free=True)
        return "full check"
    finally:
        project.close()


@pytest.mark.parametrize("seed", range(PROJECTS))
def test_flipped_bytes_are_found_and_refuse_writes(rich_project: Path, tmp_path: Path, seed: int) -> None:
    path = tmp_path / "rich.qda"
    shutil.copy(rich_project, path)
    flip_bytes(path, seed)
    assert where_found(path) in ("open", "full check")


@pytest.mark.parametrize("seed", range(PROJECTS))
def test_flipped_bytes_behind_a_clean_stamp_are_found_by_the_full_check(rich_project: Path, tmp_path: Path,
                                                                        seed: int) -> None:
    """The case the open cannot see: the file was closed cleanly here, then damaged in place with
    its size and times kept, so the open checks only its schema (see db.clean_stamp)."""
    path = tmp_path / "rich.qda"
    shutil.copy(rich_project, path)
    Project.open(path).close()
    assert db.trust(path) == db.CLOSED
    st = path.stat()
    flip_bytes(path, seed)  # rewrites the same inode
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_ino == st.st_ino
    assert where_found(path) in ("open", "full check")


def test_the_full_check_passes_a_sound_project(rich_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "rich.qda"
    shutil.copy(rich_project, path)
    open_check_and_write(path)  # no error: the check finds nothing in a sound file
    project = Project.open(path, read_only=True)
    try:
        assert project.check_integrity() == []
        assert project.damaged is None
    finally:
        project.close()


def _break_a_node_name(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("UPDATE nodes SET name = CAST(x'54727573ff74' AS TEXT) WHERE name = 'Trust'")
    con.commit()
    con.close()


def test_text_that_no_longer_decodes_marks_the_project_damaged(project_path: Path) -> None:
    with Project.open(project_path) as project:
        made = project.backup("manual")
    _break_a_node_name(project_path)
    project = Project.open(project_path)  # the quick check cannot see it
    try:
        with pytest.raises(ProjectDamaged, match="is damaged .*Could not decode.*: restore a backup") as info:
            with project.read_session() as s:
                nodes.list_nodes(s)
        assert str(made) in str(info.value) and info.value.backups == (str(made),)
        assert project.damaged is not None
        with pytest.raises(ProjectDamaged, match="restore a backup"):
            project.run(memos.add_memo, "a memo", None)
    finally:
        project.close()


def test_the_full_check_finds_text_that_no_longer_decodes(project_path: Path) -> None:
    _break_a_node_name(project_path)
    with Project.open(project_path, read_only=True) as project:
        problems = project.check_integrity()
        assert any("Could not decode" in p and "nodes" in p for p in problems)
        assert project.damaged is not None


def test_a_half_truncated_file_is_damaged_not_a_stranger(rich_project: Path, tmp_path: Path) -> None:
    path = tmp_path / "rich.qda"
    shutil.copy(rich_project, path)
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 2)
    with pytest.raises(ProjectDamaged, match=r"rich\.qda is damaged \(the file is shorter than its header says: "
                                             r"it was cut off\): restore a backup"):
        Project.open(path)
    with pytest.raises(ProjectDamaged, match="is damaged"):
        Project.open(path, read_only=True)


def test_automatic_backups_of_a_file_not_yet_known_sound_delete_nothing(project_path: Path) -> None:
    """Each open of a damaged file makes an automatic copy of it; rotating those out must not
    push out the sound copies made before the damage."""
    with Project.open(project_path) as project:
        project.check_integrity()
        sound = [project.rotate_backups(keep=2) for _ in range(2)]
    _break_a_node_name(project_path)
    for _ in range(3):
        with Project.open(project_path) as project:
            project.rotate_backups(keep=2)
            assert project.check_integrity()
    assert set(sound) <= set(list_backups(project_path))


# ---------------------------------------------------------------------- full disks
@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch):
    """SQLite connections that cannot grow their file: writes that need a page fail with
    SQLITE_FULL ("database or disk is full"), as on a full disk."""
    real = sqlite3.connect

    def tight(*args, **kwargs):
        conn = real(*args, **kwargs)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={max(pages, 1)}")
        return conn

    monkeypatch.setattr(sqlite3, "connect", tight)
    monkeypatch.setattr(sqlite3.dbapi2, "connect", tight)  # the module SQLAlchemy's driver calls
    return monkeypatch


def test_a_full_disk_while_saving_says_so_and_loses_nothing(project_path: Path, full_disk) -> None:
    project = Project.open(project_path)
    try:
        before = project.summary()
        with pytest.raises(DiskFull, match=f"no space left in {project_path.parent.resolve()}.*Nothing was lost"):
            project.run(memos.add_memo, "long " * 400_000, None)
        assert project.summary() == before
        assert project.damaged is None
    finally:
        project.close()


def test_an_import_that_fills_the_disk_says_so(project_path: Path, tmp_path: Path, full_disk) -> None:
    """Imports write through the driver's own cursor, past the engine's error hook."""
    big = tmp_path / "Long interview.txt"
    big.write_text("Interviewer: And then?\n" + "P2: We kept going. " * 100_000, encoding="utf-8")
    docs, failures = sources.read_files([big])
    assert not failures
    project = Project.open(project_path)
    try:
        with pytest.raises(DiskFull, match="no space left in .* while saving to project.qda"):
            project.run(sources.import_documents, docs)
        assert project.summary()["sources"] == 2
    finally:
        project.close()


def test_a_backup_that_fills_the_disk_leaves_no_backup(project_path: Path, full_disk) -> None:
    project = Project.open(project_path)
    try:
        with pytest.raises(DiskFull, match="no space left in .*making a backup"):
            project.backup("manual")
    finally:
        project.close()
    assert list_backups(project_path) == []
    assert list((project_path.parent / "project.backups").iterdir()) == []


def test_a_pre_migration_backup_on_a_full_disk_leaves_the_project_as_it_was(project_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    engine = db.make_engine(project_path)
    _migrate(engine, "0007", down=True)
    engine.dispose()

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(DiskFull, match="making a backup of project.qda"):
        Project.open(project_path)
    monkeypatch.undo()
    assert list_backups(project_path) == []
    assert list((project_path.parent / "project.backups").iterdir()) == []
    con = sqlite3.connect(project_path)
    assert con.execute("select version_num from alembic_version").fetchone() == ("0007",)
    con.close()


KILLED_BACKUP = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from qdaapp.core import safe_write
    from qdaapp.core.project import Project
    p = Project.open({path!r})
    safe_write.fsync_path = lambda path: os._exit(9)  # killed once the copy is written, before the rename
    p.backup("manual")
""")


def test_a_backup_killed_before_it_is_complete_does_not_look_real(project_path: Path) -> None:
    run = subprocess.run([sys.executable, "-c", KILLED_BACKUP.format(root=str(ROOT), path=str(project_path))],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 9, run.stderr
    folder = project_path.parent / "project.backups"
    assert [f.suffix for f in folder.iterdir()] == [".part"]  # the unfinished copy, under a name no list shows
    assert list_backups(project_path) == []


# ---------------------------------------------------------------------- read-only places
@pytest.fixture
def read_only_folder(monkeypatch: pytest.MonkeyPatch, project_path: Path) -> Path:
    """The project's folder refuses writes. Simulated through os.access (tests may run as root,
    for whom permission bits do not stop writes)."""
    real = os.access
    folder = project_path.parent.resolve()

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path).resolve() == folder:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    return project_path


def test_a_project_in_a_read_only_folder_opens_read_only_and_says_why(read_only_folder: Path) -> None:
    with pytest.raises(ReadOnlyPlace, match="project.qda is in a read-only folder: it can be read but not "
                                            "changed; copy it to a folder you can write to"):
        Project.open(read_only_folder)
    with Project.open(read_only_folder, read_only=True) as project:
        assert project.summary()["sources"] == 2
        assert project.read_only_reason == "it is in a read-only folder"
        with pytest.raises(ReadOnlyPlace, match="in a read-only folder: it can be read but not changed"):
            project.run(nodes.create_node, "New", free=True)


def test_reading_in_a_read_only_folder_writes_nothing_beside_the_project(read_only_folder: Path) -> None:
    """SQLite would create NAME-shm beside a write-ahead-log project even to read it, which a
    read-only folder refuses ("attempt to write a readonly database")."""
    before = sorted(p.name for p in read_only_folder.parent.iterdir())
    with Project.open(read_only_folder, read_only=True) as project:
        assert project.summary()["nodes"] == 3
        assert project.check_integrity() == []
    assert sorted(p.name for p in read_only_folder.parent.iterdir()) == before


def test_unsaved_changes_in_a_read_only_folder_are_not_ignored(read_only_folder: Path) -> None:
    Path(f"{read_only_folder}-wal").write_bytes(b"\0" * 4096)  # a log SQLite could read only through NAME-shm
    with pytest.raises(ReadOnlyPlace, match="latest changes are still in project.qda-wal"):
        Project.open(read_only_folder, read_only=True)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="permission bits do not stop root; the tests above simulate the folder")
def test_a_really_read_only_folder(project_path: Path) -> None:
    folder = project_path.parent
    folder.chmod(0o555)
    try:
        with pytest.raises(ReadOnlyPlace, match="is in a read-only folder"):
            Project.open(project_path)
        with Project.open(project_path, read_only=True) as project:
            assert project.summary()["sources"] == 2
    finally:
        folder.chmod(0o755)


def test_a_read_only_file_says_so(project_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m, *a, **k: False if (m & os.W_OK and Path(p) == project_path)
                        else real(p, m, *a, **k))
    with pytest.raises(ReadOnlyPlace, match="project.qda is a read-only file: it can be read but not changed"):
        Project.open(project_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_or_a_device_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "interview.txt"
    os.mkfifo(fifo)
    docs, failures = sources.read_files([fifo, "/dev/null"])
    assert docs == []
    assert [f.problem for f in failures] == ["it is not a regular file (it is a pipe).",
                                            "it is not a regular file (it is a device)."]
    assert all(isinstance(f, ImportFailure) and "empty" not in str(f) for f in failures)
