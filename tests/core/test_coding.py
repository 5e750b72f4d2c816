"""Coding spans: bounds, duplicates, code-point offsets with astral characters."""

from __future__ import annotations

import pytest

from qdaapp.core import coding, sources
from qdaapp.core.errors import Conflict, InvalidInput, NotFound
from qdaapp.core.project import Project


def _text(project: Project, name: str) -> str:
    with project.read_session() as s:
        return sources.text_and_pages(s, sources.resolve(s, name).id)[0]


def test_code_span_reports_exact_text_after_emoji(project: Project) -> None:
    text = _text(project, "Rosa.txt")
    start = text.index("It worked well")
    assert text.index("😀") < start  # an astral character lies before the span
    cid = project.run(coding.code, "Rosa", start, start + len("It worked well"), "Trust", "tester")
    with project.read_session() as s:
        (row,) = [c for c in coding.list_codings(s) if c.id == cid]
    assert row.text == "It worked well"
    assert (row.source, row.node, row.case) == ("Rosa.txt", "Trust", "P1 Rosa")


@pytest.mark.parametrize("start, end, problem", [
    (-1, 5, "The span -1-5 is outside Rosa.txt"),
    (0, 10_000, "The span 0-10000 is outside Rosa.txt"),
    (5, 5, "The span 5-5 in Rosa.txt is empty"),
    (10, 3, r"The span 10-3 in Rosa.txt is reversed: its start \(10\) is after its end \(3\)\.$"),
])
def test_a_bad_span_is_refused_with_what_is_wrong(project: Project, start: int, end: int, problem: str) -> None:
    before = project.summary()
    with pytest.raises(InvalidInput, match=problem):
        project.run(coding.code, "Rosa.txt", start, end, "Trust", "tester")
    assert project.summary() == before


def test_duplicate_coding_refused_overlaps_allowed(project: Project) -> None:
    project.run(coding.code, "Rosa.txt", 0, 20, "Trust", "tester")
    project.run(coding.code, "Rosa.txt", 10, 30, "Trust", "tester")
    project.run(coding.code, "Rosa.txt", 0, 20, "Barriers/Workload", "tester")
    with pytest.raises(Conflict, match="already coded"):
        project.run(coding.code, "Rosa.txt", 0, 20, "Trust", "tester")
    assert project.summary()["codings"] == 3


def test_uncode_and_unknown_refs(project: Project) -> None:
    cid = project.run(coding.code, "Rosa.txt", 0, 20, "Trust", "tester")
    project.run(coding.uncode, cid)
    with pytest.raises(NotFound):
        project.run(coding.uncode, cid)
    with pytest.raises(NotFound, match="no source"):
        project.run(coding.code, "Nobody.txt", 0, 5, "Trust", "tester")
    with pytest.raises(NotFound, match="no node"):
        project.run(coding.code, "Rosa.txt", 0, 5, "Nothing", "tester")


def test_spans_for_source(project: Project) -> None:
    project.run(coding.code, "Rosa.txt", 3, 9, "Trust", "tester")
    with project.read_session() as s:
        rows = coding.spans_for_source(s, sources.resolve(s, "Rosa.txt").id)
    assert [(r[1], r[2], r[4]) for r in rows] == [(3, 9, "Trust")]


def test_code_at_new_free_node_is_one_undo_step(project: Project) -> None:
    from qdaapp.core import nodes

    result = project.run(coding.code_at_new_node, "Rosa.txt", 0, 12, "Hope", "tester")
    with project.read_session() as s:
        assert nodes.resolve(s, "Hope").kind == "free"
        assert [(c.node, c.start, c.end) for c in coding.list_codings(s)] == [("Hope", 0, 12)]
        assert coding.recent_nodes(s, "tester") == [(result["node_id"], "Hope")]
    project.undo()
    with project.read_session() as s:
        assert coding.list_codings(s) == [] and "Hope" not in {n.path for n in nodes.list_nodes(s)}


def test_speech_act_nodes_get_their_colour(project: Project) -> None:
    from qdaapp.core import nodes

    project.run(nodes.create_node, "Speech acts/manipulation")
    with project.read_session() as s:
        assert {n.path: n.color for n in nodes.list_nodes(s)}["Speech acts/manipulation"] == "#E69F00"
