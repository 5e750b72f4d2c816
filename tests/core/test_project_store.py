"""Opening, creating and guarding the project file."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from qdaapp.core import db
from qdaapp.core.errors import ProjectError
from qdaapp.core.project import SCHEMA_HEAD, Project, alembic_head


def test_schema_head_matches_migrations() -> None:
    assert alembic_head() == SCHEMA_HEAD


def test_create_makes_all_tables_and_refuses_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "p.qda"
    Project.create(path).close()
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    con.close()
    assert {"sources", "nodes", "codings", "cases", "attributes", "attribute_values", "memos", "meta",
            "audit_events"} <= tables
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(path)


def test_pragmas_on_open(project: Project) -> None:
    with project.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.BUSY_TIMEOUT_MS


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty"),
        (b"hello, this is not a database at all" * 10, "not a SQLite database"),
    ],
)
def test_not_a_project(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.qda"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match=message) as err:
        Project.open(path)
    assert "bad.qda" in str(err.value)


def test_other_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("create table t(x)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="not a qdaapp project"):
        Project.open(path)
    assert path.read_bytes() == before


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="does not exist"):
        Project.open(tmp_path / "nope.qda")


def test_newer_schema_is_refused_untouched(project_path: Path) -> None:
    con = sqlite3.connect(project_path)
    con.execute("update alembic_version set version_num = '9999'")
    con.commit()
    con.close()
    before = project_path.read_bytes()
    with pytest.raises(ProjectError, match="newer version of qdaapp"):
        Project.open(project_path)
    assert project_path.read_bytes() == before


def test_read_only_file(project_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project_path.chmod(0o444)
    # Root may write anything, so ask the same question an ordinary user's account would get.
    real_access = db.os.access
    monkeypatch.setattr(db.os, "access", lambda p, mode: False if Path(p) == project_path else real_access(p, mode))
    with pytest.raises(ProjectError, match="read-only"):
        Project.open(project_path)
    ro = Project.open(project_path, read_only=True)
    try:
        assert ro.summary()["sources"] == 2
        with pytest.raises(ProjectError, match="read-only"):
            from qdaapp.core import nodes

            ro.run(nodes.create_node, "X", free=True)
    finally:
        ro.close()


def test_read_only_open_writes_nothing(project_path: Path) -> None:
    before = project_path.read_bytes()
    ro = Project.open(project_path, read_only=True)
    ro.summary()
    ro.close()
    assert project_path.read_bytes() == before


def test_backup_copy_is_a_complete_project(project: Project) -> None:
    copy = project.backup("test")
    other = Project.open(copy)
    try:
        assert other.summary() == project.summary()
        assert other.verify_audit().ok
    finally:
        other.close()


def test_damaged_database_fails_integrity_check(project_path: Path) -> None:
    data = bytearray(project_path.read_bytes())
    page = 4096
    for i in range(page * 2 + 100, min(len(data), page * 6), 7):
        data[i] = 0xFF
    project_path.write_bytes(bytes(data))
    with pytest.raises(ProjectError) as err:
        Project.open(project_path)
    assert "project.qda" in str(err.value)


def _damage_keeping_stamp(path: Path) -> None:
    """Overwrite pages in the middle of the file, then give it back its size and time."""
    st = path.stat()
    with open(path, "r+b") as fh:
        fh.seek(4096 * 2 + 100)
        fh.write(b"\xff" * 4096 * 3)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_clean_close_lets_the_next_open_skip_the_full_check(project_path: Path) -> None:
    Project.open(project_path).close()  # a clean close records the file's stamp
    assert db._recorded(project_path) == db.clean_stamp(project_path)
    _damage_keeping_stamp(project_path)
    Project.open(project_path, read_only=True).close()  # as closed here: schema and small tables only
    os.utime(project_path)  # any later write changes the time, and the full check runs again
    with pytest.raises(ProjectError, match="project.qda"):
        Project.open(project_path)


def test_a_file_copied_over_a_closed_one_gets_the_full_check(project_path: Path, tmp_path: Path) -> None:
    Project.open(project_path).close()
    damaged = tmp_path / "elsewhere.qda"
    shutil.copy2(project_path, damaged)
    _damage_keeping_stamp(damaged)
    os.utime(damaged, ns=(project_path.stat().st_atime_ns, project_path.stat().st_mtime_ns))
    os.replace(damaged, project_path)  # same size, time and header: only the file itself is another
    with pytest.raises(ProjectError, match="project.qda"):
        Project.open(project_path)
    assert db._recorded(project_path) != db.clean_stamp(project_path)


def test_older_schema_is_backed_up_then_migrated(project_path: Path) -> None:
    from qdaapp.core.project import _migrate

    engine = db.make_engine(project_path)
    _migrate(engine, "0001", down=True)
    engine.dispose()
    con = sqlite3.connect(project_path)
    assert con.execute("select version_num from alembic_version").fetchone() == ("0001",)
    con.close()
    project = Project.open(project_path)
    try:
        assert project.summary()["sources"] == 2
        with project.engine.connect() as conn:
            assert conn.exec_driver_sql("select version_num from alembic_version").scalar() == SCHEMA_HEAD
    finally:
        project.close()
    (backup,) = (project_path.parent / "project.backups").glob("*before-migration-0001*")
    con = sqlite3.connect(backup)
    assert con.execute("select version_num from alembic_version").fetchone() == ("0001",)
    assert con.execute("select count(*) from sources").fetchone() == (2,)
    con.close()
