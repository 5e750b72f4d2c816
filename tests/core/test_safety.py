"""Never losing work: the project lock, two writers, backups and restore, killed processes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from qdaapp.core import coding, nodes
from qdaapp.core.errors import ProjectInUse
from qdaapp.core.project import Project, list_backups, restore_backup

from ..conftest import ROOT

HOLD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from qdaapp.core.project import Project
    p = Project.open({path!r})
    print("open", flush=True)
    time.sleep(60)
""")


def test_second_window_is_told_the_project_is_in_use(project_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD.format(root=str(ROOT), path=str(project_path))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(ProjectInUse, match="open in another qdaapp window by .* Open it read-only"):
            Project.open(project_path)
        ro = Project.open(project_path, read_only=True)
        assert ro.summary()["sources"] == 2
        ro.close()
    finally:
        holder.kill()
        holder.wait(timeout=30)
    Project.open(project_path).close()  # the lock went with the killed process


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from qdaapp.core import coding
    from qdaapp.core.project import Project
    p = Project.open({path!r}, coder={coder!r}, exclusive=False)
    for i in range({n}):
        p.run(coding.code, "Rosa.txt", i, i + 5, "Trust", {coder!r})
    p.close()
""")


def test_two_processes_writing_lose_nothing(project_path: Path) -> None:
    n = 40
    procs = [subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), path=str(project_path),
                                                                   coder=c, n=n)]) for c in ("ana", "bob")]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    p = Project.open(project_path)
    try:
        assert p.summary()["codings"] == 2 * n
        assert p.verify_audit().ok
        with p.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        p.close()


def test_rotating_backups_and_restore(project_path: Path) -> None:
    p = Project.open(project_path)
    p.check_integrity()  # a copied file: older backups are deleted only once it is known sound
    first = p.rotate_backups(keep=3)
    p.run(nodes.create_node, "After backup", free=True)
    for _ in range(4):
        time.sleep(0.002)
        p.rotate_backups(keep=3)
    assert len([b for b in list_backups(project_path) if "-auto" in b.name]) == 3
    assert not first.exists()
    oldest_kept = [b for b in list_backups(project_path) if "-auto" in b.name][-1]
    with pytest.raises(ProjectInUse):
        restore_backup(project_path, oldest_kept)
    p.close()
    p = Project.open(project_path)
    p.run(coding.code, "Rosa.txt", 0, 5, "Trust", "tester")
    p.close()
    before = restore_backup(project_path, oldest_kept)
    p = Project.open(project_path)
    try:
        assert p.summary()["codings"] == 0 and p.verify_audit().ok
    finally:
        p.close()
    con = sqlite3.connect(before)
    assert con.execute("select count(*) from codings").fetchone() == (1,)
    con.close()


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_sigkill_during_bursts_of_coding(project_path: Path) -> None:
    """A shorter run of tests/bench/crash_test.py (which kills 50 times)."""
    from ..bench.crash_test import crash_run

    returned, present = crash_run(project_path, "Rosa.txt", "Trust", kills=6)
    assert returned and set(returned) <= present
