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
from qdaapp.core.progress import Cancelled, CancelToken
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


def _killed_mid_import(project_path: Path, tmp_path: Path, stall_at: int, run: str) -> None:
    """Import five files (``run``) in a child process that is killed at its ``stall_at``-th cancel
    check, while its transaction is open: the project keeps just the two sources it had before,
    with a sound audit trail and file."""
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
                if self.n == {stall_at}:
                    print("writing", flush=True)
                    time.sleep(60)

        p = Project.open({str(project_path)!r})
        paths = sorted(Path({str(tmp_path)!r}).glob("k*.txt"))
        """
    ) + textwrap.dedent(run)
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


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_killed_during_import_leaves_no_partial_source(project_path: Path, tmp_path: Path) -> None:
    # The fourth check: three sources written inside the open transaction.
    _killed_mid_import(project_path, tmp_path, 4, """
        docs, _ = sources.read_files(paths)
        p.run(sources.import_documents, docs, cancel=Stall())
        """)


# -- streamed import: each file parsed, written and let go in turn, in one transaction ----------------

def _files(tmp_path: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        path = tmp_path / f"st{i}.txt"
        path.write_text(f"Interviewer: Question {i}?\nP{i}: Answer number {i}, at some length.\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_a_streamed_import_is_the_same_as_one_of_a_list(tmp_path: Path) -> None:
    paths = _files(tmp_path, 4)
    listed = Project.create(tmp_path / "listed.qda")
    streamed = Project.create(tmp_path / "streamed.qda")
    try:
        docs, _ = sources.read_files(paths)
        listed.run(sources.import_documents, docs, case_per_file=True)
        failures: list = []
        ids = streamed.run(sources.import_documents, sources.stream_files(paths, failures), case_per_file=True)
        assert failures == [] and len(ids) == 4
        for p in (listed, streamed):
            assert p.summary()["sources"] == 4
        with listed.read_session() as a, streamed.read_session() as b:
            assert [i.as_dict() for i in sources.list_sources(a)] == [i.as_dict() for i in sources.list_sources(b)]
            assert [sources.structure(a, i) for i in ids] == [sources.structure(b, i) for i in ids]
    finally:
        listed.close()
        streamed.close()


def test_the_import_lets_each_document_go_once_written(project: Project, tmp_path: Path) -> None:
    import weakref

    from qdaapp.core.importers import read_file

    refs: list = []
    alive: list[int] = []

    def docs():
        for path in _files(tmp_path, 5):
            doc = read_file(path)
            refs.append(weakref.ref(doc))
            yield doc
            del doc
            alive.append(sum(r() is not None for r in refs))  # the import holds at most the one in hand

    project.run(sources.import_documents, docs())
    assert len(alive) == 5 and max(alive) <= 1


def test_a_file_that_fails_late_rolls_back_the_files_written_before_it(project: Project, tmp_path: Path) -> None:
    paths = _files(tmp_path, 3)
    (tmp_path / "empty.txt").write_bytes(b"")
    paths[1:1] = [tmp_path / "gone.txt"]
    paths.append(tmp_path / "empty.txt")
    before = project.summary()
    failures: list = []
    with pytest.raises(ImportFailure, match="gone.txt"):
        project.run(sources.import_documents, sources.stream_files(paths, failures))
    assert project.summary() == before
    assert ["gone.txt" in str(failures[0]), "empty.txt" in str(failures[1])] == [True, True]


def test_nothing_to_import_from_an_empty_stream(project: Project) -> None:
    from qdaapp.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="nothing to import"):
        project.run(sources.import_documents, iter(()))


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_killed_during_a_streamed_import_leaves_no_partial_source(project_path: Path, tmp_path: Path) -> None:
    # The seventh check: the first file written inside the open transaction, the second being read.
    _killed_mid_import(project_path, tmp_path, 7, """
        stall = Stall()
        p.run(sources.import_documents, sources.stream_files(paths, [], cancel=stall), cancel=stall)
        """)
