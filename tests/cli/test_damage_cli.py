"""The CLI on damaged projects, full disks and read-only folders: one plain line, never the
"unexpected error" path, and nothing changed."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from qdaapp.core.project import Project

from .test_cli import run


def _break_a_node_name(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("UPDATE nodes SET name = CAST(x'54727573ff74' AS TEXT) WHERE name = 'Trust'")
    con.commit()
    con.close()


def _memos(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM memos").fetchone()[0]
    finally:
        con.close()


def _plain(err: str) -> None:
    assert err.count("\n") == 1 and "unexpected error" not in err and "sqlite:" not in err and "Traceback" not in err


def test_reading_a_damaged_project_says_restore_a_backup(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    with Project.open(project_path) as project:
        made = project.backup("manual")
    _break_a_node_name(project_path)
    code, _, err = run(capsys, "nodes", project_path)
    assert code == 1
    _plain(err)
    assert err.startswith("qdaapp: project.qda is damaged (") and ": restore a backup." in err
    assert f"Backups, newest first: {made}" in err


def test_a_plain_sqlite_reader_on_a_damaged_project_says_damaged(project_path: Path,
                                                                 capsys: pytest.CaptureFixture) -> None:
    con = sqlite3.connect(project_path)
    con.execute("UPDATE sources SET name = CAST(x'526f7361ff2e747874' AS TEXT) WHERE name = 'Rosa.txt'")
    con.commit()
    con.close()
    code, _, err = run(capsys, "sources", project_path)  # reads through sqlite3 alone, not SQLAlchemy
    assert code == 1
    _plain(err)
    assert "project.qda is damaged (" in err and "restore a backup" in err


def test_a_write_command_checks_in_full_first_and_refuses(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    _break_a_node_name(project_path)  # the open's quick check cannot see this
    before = _memos(project_path)
    code, _, err = run(capsys, "sources", project_path)  # reads no node: passes, and records the quick check
    assert code == 0, err
    code, _, err = run(capsys, "memo", "add", project_path, "written on a damaged file")
    assert code == 1
    _plain(err)
    assert "project.qda is damaged (its full integrity check found: table nodes: Could not decode" in err
    assert _memos(project_path) == before


def test_check_command(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "check", project_path)
    assert code == 0 and "project.qda passed its full integrity check" in out
    _break_a_node_name(project_path)
    code, _, err = run(capsys, "check", project_path)
    assert code == 1
    _plain(err)
    assert "project.qda is damaged" in err and "restore a backup" in err


def test_a_half_truncated_file_is_damaged(project_path: Path, capsys: pytest.CaptureFixture) -> None:
    with open(project_path, "r+b") as fh:
        fh.truncate(project_path.stat().st_size // 2)
    for argv in (("sources", project_path), ("memo", "add", project_path, "x")):
        code, _, err = run(capsys, *argv)
        assert code == 1
        _plain(err)
        assert "project.qda is damaged" in err and "not a qdaapp project" not in err


# ---------------------------------------------------------------------- full disks
def test_a_full_disk_says_so_where_and_that_nothing_was_lost(project_path: Path, capsys: pytest.CaptureFixture,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    before = _memos(project_path)
    real = sqlite3.connect

    def tight(*args, **kwargs):
        conn = real(*args, **kwargs)
        conn.execute(f"PRAGMA max_page_count={conn.execute('PRAGMA page_count').fetchone()[0]}")
        return conn

    monkeypatch.setattr(sqlite3, "connect", tight)
    monkeypatch.setattr(sqlite3.dbapi2, "connect", tight)  # the module SQLAlchemy's driver calls
    code, _, err = run(capsys, "memo", "add", project_path, "long " * 400_000)
    monkeypatch.undo()
    assert code == 1
    _plain(err)
    assert f"The disk is full: there is no space left in {project_path.parent.resolve()}" in err
    assert "Nothing was lost" in err
    assert _memos(project_path) == before


EXPORTS = [
    ("report", "codebook", "{p}", "--out", "{o}.docx"),
    ("report", "memos", "{p}", "--out", "{o}.md"),
    ("report", "audit", "{p}", "--out", "{o}.html"),
    ("report", "frequencies", "{p}", "--out", "{o}.csv"),
    ("report", "cooccurrence", "{p}", "--out", "{o}.xlsx"),
    ("export", "{p}", "--format", "qdpx", "--out", "{o}.qdpx"),
    ("export", "{p}", "--format", "qdc", "--out", "{o}.qdc"),
    ("export", "{p}", "--format", "csv", "--out", "{o}.csv"),
    ("export", "{p}", "--format", "docx", "--out", "{o}.docx"),
]


def _export_id(argv: tuple[str, ...]) -> str:
    return (argv[1] if argv[0] == "report" else argv[3]) + "-" + argv[-1].rsplit(".", 1)[1]


@pytest.mark.parametrize("argv", EXPORTS, ids=_export_id)
def test_an_export_on_a_full_disk_leaves_nothing_behind(argv: tuple[str, ...], project_path: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "exports"
    out.mkdir()
    filled = [a.format(p=project_path, o=out / "result") for a in argv]

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    code, _, err = run(capsys, *filled)
    monkeypatch.undo()
    assert code == 1
    _plain(err)
    assert f"The disk is full: there is no space left in {out.resolve()} while writing result." in err
    assert list(out.iterdir()) == []  # neither the export nor its temporary file


# ---------------------------------------------------------------------- read-only folders
def test_a_write_in_a_read_only_folder_says_why_and_reads_still_work(project_path: Path,
                                                                     capsys: pytest.CaptureFixture,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated through os.access: tests may run as root, for whom permission bits do not stop writes."""
    real = os.access
    folder = project_path.parent.resolve()
    monkeypatch.setattr(os, "access", lambda p, m, *a, **k: False if (m & os.W_OK and Path(p).resolve() == folder)
                        else real(p, m, *a, **k))
    code, _, err = run(capsys, "memo", "add", project_path, "a note")
    assert code == 1
    assert err == ("qdaapp: project.qda is in a read-only folder: it can be read but not changed; "
                   "copy it to a folder you can write to.\n")
    code, out, err = run(capsys, "nodes", project_path)
    assert code == 0 and "Trust" in out, err


def test_importing_a_pipe_or_a_device(project_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    fifo = tmp_path / "Interview.txt"
    os.mkfifo(fifo)
    for target in (fifo, Path("/dev/null")):
        code, _, err = run(capsys, "import", project_path, target)
        assert code == 1
        assert "is not a regular file" in err and "empty" not in err
    con = sqlite3.connect(project_path)
    assert con.execute("SELECT count(*) FROM sources").fetchone() == (2,)
    con.close()
