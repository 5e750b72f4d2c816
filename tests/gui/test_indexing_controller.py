"""Background indexing: a worker indexes new sources, reports progress, can be cancelled."""

from __future__ import annotations

from pathlib import Path

from qdaapp.core import indexing, sources
from qdaapp.core.project import Project
from qdaapp.gui.search.indexing import IndexingController


def pending(project: Project) -> list[int]:
    with project.read_session() as s:
        return indexing.pending(s)


def test_indexes_in_a_worker_and_again_after_import(project: Project, qtbot, tmp_path: Path) -> None:
    assert len(pending(project)) == 2
    reports: list[tuple] = []
    controller = IndexingController(auto_start=True)
    controller.progress.connect(lambda *args: reports.append(args))
    with qtbot.waitSignal(controller.finished, timeout=20000):
        controller.set_project(project)
        assert controller.is_running()
        assert controller.status_text == "Indexing 1 of 2 sources…"
    assert pending(project) == [] and controller.is_complete()
    assert reports[0][:2] == (0, 2) and reports[-1][:2] == (2, 2)
    assert "Indexing 2 of 2 sources…" in [r[2] for r in reports]

    (tmp_path / "New.txt").write_text("P3: We had to wait.\n", encoding="utf-8")
    docs, _ = sources.read_files([tmp_path / "New.txt"])
    with qtbot.waitSignal(controller.finished, timeout=20000):
        project.run(sources.import_documents, docs)  # the source.import change starts it
    assert pending(project) == []
    controller.set_project(None)


def test_cancel_stops_and_a_later_check_finishes(project: Project, qtbot) -> None:
    controller = IndexingController(project, auto_start=False)
    assert not controller.is_running()
    with qtbot.waitSignals([controller.cancelled, controller.finished], timeout=20000):
        assert controller.check() == 2
        controller.cancel()
    assert not controller.is_running()
    left = pending(project)  # the sources finished before Cancel keep their indexes
    if left:
        with qtbot.waitSignal(controller.finished, timeout=20000):
            assert controller.check() == len(left)
    assert controller.is_complete()
