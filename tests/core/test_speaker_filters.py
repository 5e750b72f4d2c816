"""Leaving out interviewer turns: marker runs, keyword search and the framework matrix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from qdaapp.core import coding, framework, indexing, lexicon, markers, nodes, search, sources, speakers
from qdaapp.core.models import SearchRun
from qdaapp.core.project import Project

TEXT = (
    "Interviewer: Did you have to do it on your own?\n"
    "P1: We had to do it. I wanted to help.\n"
    "Interviewer: Why did you want to stop?\n"
    "P1: Nobody had to tell me.\n"
)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("filters")
    (folder / "P1.txt").write_text(TEXT, encoding="utf-8")
    (folder / "Diary.txt").write_text("Kim: I had to write it down. I want to remember.\n", encoding="utf-8")
    project = Project.create(folder / "f.qda", coder="tester")
    for name in ("P1.txt", "Diary.txt"):
        docs, _ = sources.read_files([folder / name])
        project.run(sources.import_documents, docs)
    indexing.index_sources(project)
    project.close()
    return folder / "f.qda"


@pytest.fixture
def project(indexed: Path, tmp_path: Path):
    path = tmp_path / "f.qda"
    path.write_bytes(indexed.read_bytes())
    p = Project.open(path, coder="tester")
    yield p
    p.close()


def _run(p: Project, **kw) -> tuple[set, dict]:
    with p.read_session() as s:
        spec = lexicon.load(s)
    run_id = p.run(markers.run_markers, spec, coder="tester", **kw)
    with p.read_session() as s:
        params = json.loads(s.get(SearchRun, run_id).params)
        said = {sp for (sp,) in s.execute(text("SELECT speaker FROM search_hits WHERE run_id = :r"), {"r": run_id})}
    return said, params


def test_marker_runs_leave_out_interviewer_turns_by_default(project: Project) -> None:
    said, params = _run(project)
    assert said == {"P1", "Kim"} and params["interviewer_turns_left_out"] is True
    said, params = _run(project, include_interviewer=True)
    assert said == {"P1", "Kim", "Interviewer"} and params["interviewer_turns_left_out"] is False


def test_nothing_is_left_out_once_the_user_says_nobody_interviews(project: Project) -> None:
    project.run(speakers.set_roles, {"Interviewer": "participant"}, coder="tester")
    said, params = _run(project)
    assert "Interviewer" in said and params["interviewer_turns_left_out"] is False


def test_keyword_search_leaves_out_interviewer_turns(project: Project) -> None:
    def found(**kw) -> list[tuple[str, str]]:
        with project.read_session() as s:
            return [(h.source, h.text) for h in search.keyword_search(s, "want* OR have", **kw)]

    assert found() == [("P1.txt", "wanted"), ("Diary.txt", "want")]
    assert found(include_interviewer=True) == [("P1.txt", "have"), ("P1.txt", "wanted"), ("P1.txt", "want"),
                                               ("Diary.txt", "want")]
    with project.read_session() as s:
        forms = [h.text for h in search.keyword_search(s, '"have to"', forms=True)]
    assert forms == ["had to", "had to", "had to"]


def test_framework_passages_lose_the_interviewer_text(project: Project) -> None:
    with project.read_session() as s:
        sid = sources.resolve(s, "P1.txt").id
    project.run(nodes.create_node, "Help", free=True)
    end = TEXT.index("Interviewer: Why")
    project.run(coding.code, sid, 0, end, "Help", "tester")
    with project.read_session() as s:
        node = nodes.resolve(s, "Help").id
        cut = framework.build(s, "sources", "nodes")
        whole = framework.build(s, "sources", "nodes", include_interviewer=True)
    assert cut.interviewer_left_out and not whole.interviewer_left_out
    assert [TEXT[a:b] for _s, a, b in cut.cell(sid, node).passages] == ["P1: We had to do it. I wanted to help."]
    assert whole.cell(sid, node).passages == [(sid, 0, end)]


def test_keep_outside_drops_exactly_the_items_inside_a_span() -> None:
    spans = {1: [(0, 5), (10, 12)], 3: [(4, 6)]}
    items = sorted([(1, 0), (1, 4), (1, 5), (1, 9), (1, 10), (1, 11), (1, 12), (2, 3), (3, 3), (3, 4), (3, 6)])
    kept = speakers.keep_outside(items, spans)
    assert kept == [(1, 5), (1, 9), (1, 12), (2, 3), (3, 3), (3, 6)]
    assert kept == [i for i in items if not speakers.inside(spans.get(i[0], []), i[1])]
