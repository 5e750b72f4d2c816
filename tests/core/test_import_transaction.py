"""Import writes all or nothing: failures, Cancel and a killed process leave no partial source."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qdaapp.core import sources
from qdaapp.core.errors import Conflict, ImportFailure
from qdaapp.core.progress import CancelToken, Cancelled
from qdaapp.core.project import Project

from ..conftest import ROOT, SAMPLE


def test_reimporting_the_same_file_is_caught(project: Project, tmp_path: Path) -> None:
    copy = tmp_path / "Rosa again.txt"
    copy.write_text(SAMPLE, encoding="utf-8")
    docs, failures = sources.read_files([copy])
    before = project.summary()
    with pytest.raises(Conflict, match="already in the project as 'Rosa.txt'"):
        project.run(sources.import_documents, docs)
    assert project.summary() == before


def test_batch_with_a_duplicate_imports_nothing(project: Project, tmp_path: Path) -> None:
    (tmp_path / "new.txt").write_text("A new interview.\n", encoding="utf-8")
    (tmp_path / "dup.txt").write_text(SAMPLE, encoding="utf-8")
    docs, _ = sources.read_files([tmp_path / "new.txt", tmp_path / "dup.txt"])
    before = project.summary()
    with pytest.raises(Conflict):
        project.run(sources.import_documents, docs)
    assert project.summary() == before


def test_failures_are_reported_per_file(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Some words.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    docs, failures = sources.read_files([tmp_path / "good.txt", tmp_path / "empty.txt", tmp_path / "gone.txt"])
    assert [d.name for d in docs] == ["good.txt"]
    assert len(failures) == 2 and all(isinstance(f, ImportFailure) for f in failures)
    assert "empty.txt" in str(failures[0]) and "gone.txt" in str(failures[1])


def test_cancel_during_write_leaves_project_unchanged(project: Project, tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"s{i}.txt").write_text(f"Interview number {i}.\n", encoding="utf-8")
    docs, _ = sources.read_files(sorted(tmp_path.glob("s*.txt")))

    class CancelAfterFirst(CancelToken):
        calls = 0

        def check(self) -> None:
            self.calls += 1
            if self.calls == 2:
                raise Cancelled()

    before = project.summary()
    with pytest.raises(Cancelled):
        project.run(sources.import_documents, docs, cancel=CancelAfterFirst())
    assert project.summary() == before


def test_cancel_while_reading(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x y z\n", encoding="utf-8")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        sources.read_files([tmp_path / "a.txt"], cancel=token)


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_killed_during_import_leaves_no_partial_source(project_path: Path, tmp_path: Path) -> None:
    for i in range(5):
        (tmp_path / f"k{i}.txt").write_text(f"Interview {i}. " * 2000, encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from qdaapp.core import sources
        from qdaapp.core.progress import CancelToken
        from qdaapp.core.project import Project

        class Stall(CancelToken):
            n = 0
            def check(self):
                self.n += 1
                if self.n == 4:  # three sources written inside the open transaction
                    print("writing", flush=True)
                    time.sleep(60)

        p = Project.open({str(project_path)!r})
        docs, _ = sources.read_files(sorted(Path({str(tmp_path)!r}).glob("k*.txt")))
        p.run(sources.import_documents, docs, cancel=Stall())
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    p = Project.open(project_path)
    try:
        assert p.summary()["sources"] == 2
        assert p.verify_audit().ok
        with p.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        p.close()
