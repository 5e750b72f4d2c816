"""Disagreements between two coders: the spans, at character, sentence and paragraph level, and progress."""

from __future__ import annotations

import pytest

from qdaapp.core import coding, disagreements, nodes, sources
from qdaapp.core.agreement_units import load_units
from qdaapp.core.disagreements import CONSENSUS, Disagreement, intersect, subtract
from qdaapp.core.errors import InvalidInput
from qdaapp.core.project import Project

NOTES = "Field note 3 May.\nThe team met and agreed to start.\n"  # paragraphs 0-17 and 18-51


def ids(project: Project) -> tuple[int, int, int]:
    with project.read_session() as s:
        return (sources.resolve(s, "Notes.txt").id, nodes.resolve(s, "Trust").id,
                nodes.resolve(s, "Barriers/Workload").id)


def code(project: Project, coder: str, start: int, end: int, node: str = "Trust", source: str = "Notes.txt") -> int:
    return project.run(coding.code, source, start, end, node, coder)


def found(project: Project, coders=("Ana", "Ben"), **kw) -> list[Disagreement]:
    with project.read_session() as s:
        return disagreements.disagreements(s, coders, **kw)


def spans(project: Project, **kw) -> list[tuple[int, int, str]]:
    return [(d.start, d.end, d.coded_by[0]) for d in found(project, **kw)]


def test_interval_arithmetic() -> None:
    assert subtract([(0, 10), (20, 30)], [(5, 22), (25, 26)]) == [(0, 5), (22, 25), (26, 30)]
    assert subtract([(0, 10)], []) == [(0, 10)]
    assert subtract([(0, 10)], [(0, 10)]) == []
    assert intersect([(0, 10), (20, 30)], [(5, 22), (25, 40)]) == [(5, 10), (20, 22), (25, 30)]


def test_character_spans_are_maximal_overlaps_and_touching_codings_join(project: Project) -> None:
    a1 = code(project, "Ana", 0, 10)
    a2 = code(project, "Ana", 10, 17)  # touches the first: one stretch 0-17
    b1 = code(project, "Ben", 5, 25)
    assert spans(project) == [(0, 5, "Ana"), (17, 25, "Ben")]
    first, second = found(project)
    assert first.missing == ("Ben",) and second.missing == ("Ana",)
    assert first.codings == (("Ana", (a1,)), ("Ben", ()))
    assert second.codings == (("Ana", ()), ("Ben", (b1,)))
    assert a2 not in first.codings[0][1]  # 10-17 does not overlap 0-5


def test_what_both_coded_and_other_coders_and_nodes_are_no_disagreement(project: Project) -> None:
    code(project, "Ana", 0, 17)
    code(project, "Ben", 0, 17)
    code(project, "Cleo", 20, 30)  # a third coder is not compared
    code(project, "Ana", 20, 30, node="Barriers/Workload")
    source_id, trust, workload = ids(project)
    assert spans(project) == [(20, 30, "Ana")]
    assert spans(project, node_id=trust) == []
    assert [d.node_id for d in found(project, node_id=workload, source_id=source_id)] == [workload]


def test_ordered_by_source_then_start(project: Project) -> None:
    code(project, "Ana", 30, 40)
    code(project, "Ben", 2, 4, node="Barriers/Workload")
    code(project, "Ana", 3, 9, source="Rosa.txt")
    code(project, "Ben", 0, 1)  # Ana must have coded something anywhere: she has
    got = [(d.source_id, d.start) for d in found(project)]
    assert got == sorted(got) and len(got) == 4


def test_a_consensus_coding_settles_what_it_covers(project: Project) -> None:
    code(project, "Ana", 0, 17)
    code(project, "Ben", 30, 40)
    code(project, CONSENSUS, 0, 10)
    code(project, CONSENSUS, 30, 40, node="Barriers/Workload")  # another node settles nothing here
    assert spans(project) == [(10, 17, "Ana"), (30, 40, "Ben")]


def test_paragraph_units_count_a_unit_coded_when_any_of_it_is(project: Project) -> None:
    code(project, "Ana", 2, 4)
    code(project, "Ben", 5, 6)  # both touched paragraph 1
    code(project, "Ben", 20, 22)  # only Ben touched paragraph 2
    assert spans(project, unit="paragraph") == [(18, 51, "Ben")]
    assert NOTES[18:51] == "The team met and agreed to start."
    code(project, CONSENSUS, 40, 41)  # touching the unit settles it at unit level
    assert spans(project, unit="paragraph") == []
    assert spans(project) == [(2, 4, "Ana"), (5, 6, "Ben"), (20, 22, "Ben")]


def test_sentence_units_need_the_index_and_follow_it(project: Project) -> None:
    code(project, "Ana", 2, 4)
    code(project, "Ben", 20, 22)
    with pytest.raises(InvalidInput, match="'Notes.txt' is not indexed yet"):
        spans(project, unit="sentence")
    from qdaapp.core import indexing

    indexing.index_sources(project)
    with project.read_session() as s:
        index = load_units(s, "sentence", [ids(project)[0]], {})[ids(project)[0]]
    units = list(zip(index.starts, index.ends, strict=True))
    assert units[0][0] == 0 and len(units) >= 2
    got = spans(project, unit="sentence")
    assert [c for _a, _b, c in got] == ["Ana", "Ben"]
    assert all(any(u == (a, b) for u in units) for a, b, _c in got)


@pytest.mark.parametrize("coders, problem", [
    (("Ana",), "two different coders"),
    (("Ana", "Ana"), "two different coders"),
    (("Ana", "Zoe"), "This project has no coder 'Zoe'. Its coders: Ana, Ben, tester"),
    (("Ana", CONSENSUS), "holds the agreed codings"),
])
def test_bad_coders_are_named(project: Project, coders, problem: str) -> None:
    code(project, "Ana", 0, 5)
    code(project, "Ben", 0, 5)
    with pytest.raises(InvalidInput, match=problem):
        found(project, coders=coders)


def test_an_unknown_unit_is_refused(project: Project) -> None:
    code(project, "Ana", 0, 5)
    code(project, "Ben", 0, 5)
    with pytest.raises(InvalidInput, match="'word' is not a unit; use character, sentence, paragraph"):
        found(project, unit="word")


def test_nodes_applied_lists_each_coders_nodes_over_a_span(project: Project) -> None:
    code(project, "Ana", 0, 17)
    code(project, "Ana", 5, 8, node="Barriers/Workload")
    code(project, "Ben", 16, 30)
    with project.read_session() as s:
        got = disagreements.nodes_applied(s, ids(project)[0], 0, 10, ("Ana", "Ben"))
    assert got == {"Ana": ["Barriers/Workload", "Trust"], "Ben": []}
