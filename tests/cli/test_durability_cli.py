"""`qdaapp backup`, commands that write leave nothing only in the -wal file, a lost -wal is reported,
and a project locked by a command says so."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qdaapp.cli import main

from ..conftest import ROOT


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _memos(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT text FROM memos ORDER BY id")]
    finally:
        conn.close()


def test_backup_writes_a_checked_copy_and_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    proj, out = tmp_path / "study.qda", tmp_path / "copies" / "copy.qda"
    out.parent.mkdir()
    assert run(capsys, "new", proj)[0] == 0
    assert run(capsys, "memo", "add", proj, "first thought")[0] == 0
    code, stdout, err = run(capsys, "backup", proj, out)
    assert code == 0, err
    assert f"saved a copy to {out}" in stdout and "copy checked: audit chain verified: 2 events" in stdout
    assert _memos(out) == ["first thought"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["copy.qda"]
    code, seal_line, _ = run(capsys, "audit", "seal", out)  # the backup prints the copy's seal
    assert code == 0 and seal_line.startswith("seal: ") and seal_line in stdout

    assert run(capsys, "memo", "add", proj, "second thought")[0] == 0
    code, stdout, err = run(capsys, "backup", proj, out)
    assert code == 1 and stdout == ""
    assert err == (f"qdaapp: {out} already exists; qdaapp will not overwrite it. Choose another name, "
                   "or add --force to replace it.\n")
    assert _memos(out) == ["first thought"]
    code, _, err = run(capsys, "backup", proj, out, "--force")
    assert code == 0, err
    assert _memos(out) == ["first thought", "second thought"]

    code, _, err = run(capsys, "backup", proj, proj, "--force")
    assert code == 1 and "cannot be saved over the project itself" in err
    code, _, err = run(capsys, "backup", tmp_path / "nothing.qda", tmp_path / "x.qda")
    assert code == 1 and "nothing.qda does not exist" in err


def test_a_command_that_writes_leaves_nothing_only_in_the_wal(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    proj = tmp_path / "study.qda"
    assert run(capsys, "new", proj)[0] == 0
    reader = sqlite3.connect(proj)  # another program has it open, so SQLite does not checkpoint by itself
    reader.execute("SELECT count(*) FROM memos").fetchall()
    try:
        assert run(capsys, "memo", "add", proj, "kept in the file")[0] == 0
        mailed = tmp_path / "mailed"
        mailed.mkdir()
        shutil.copyfile(proj, mailed / proj.name)  # the .qda file alone
        assert _memos(mailed / proj.name) == ["kept in the file"]
    finally:
        reader.close()


KILLED_WRITER = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from qdaapp.core import memos
    from qdaapp.core.project import Project
    p = Project.open({path!r})
    p.checkpoint("TRUNCATE")
    p.run(memos.add_memo, "only in the log")
    p.run(memos.add_memo, "this one too")
    os._exit(0)
""")


def test_a_removed_wal_is_reported_by_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    proj = tmp_path / "study.qda"
    assert run(capsys, "new", proj)[0] == 0  # event 1
    subprocess.run([sys.executable, "-c", KILLED_WRITER.format(root=str(ROOT), path=str(proj))],
                   check=True, timeout=120)
    Path(f"{proj}-wal").unlink()
    Path(f"{proj}-shm").unlink(missing_ok=True)
    code, out, err = run(capsys, "memo", "list", proj)
    assert code == 0
    assert "(no memos yet)" in out
    assert err.startswith("qdaapp: warning: study.qda: recent work (events 2..3 of the audit trail")
    assert "study.qda-wal file that held it beside the project was removed" in err
    assert "Restore a backup" in err


HOLDER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    import qdaapp.core.project as project_mod
    from qdaapp.cli import main
    real_close = project_mod.Project.close

    def slow_close(self):
        print("holding", flush=True)
        time.sleep(60)
        real_close(self)

    project_mod.Project.close = slow_close
    main(["memo", "add", {path!r}, "held"])
""")


def test_a_project_locked_by_a_command_names_the_command(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    proj = tmp_path / "study.qda"
    assert run(capsys, "new", proj)[0] == 0
    holder = subprocess.Popen([sys.executable, "-c", HOLDER.format(root=str(ROOT), path=str(proj))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        code, _, err = run(capsys, "memo", "add", proj, "second")
    finally:
        holder.kill()
        holder.wait(30)
    assert code == 1
    assert "study.qda is open in another qdaapp process (qdaapp CLI command 'qdaapp memo'" in err
    assert "window" not in err
