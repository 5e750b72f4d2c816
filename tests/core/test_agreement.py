"""Agreement figures of a project's coders: character, sentence and paragraph units, pooling, bad input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qdaapp.core import agreement, coding, nodes, sources
from qdaapp.core.agreement_stats import nominal_alpha
from qdaapp.core.agreement_units import paragraph_units, sweep, to_units
from qdaapp.core.errors import InvalidInput, NotFound
from qdaapp.core.progress import Cancelled
from qdaapp.core.project import Project

NOTES = 52  # characters of Notes.txt in the template project
ROSA = 264


def _ids(project: Project) -> dict[str, int]:
    with project.read_session() as s:
        return {"Notes": sources.resolve(s, "Notes.txt").id, "Rosa": sources.resolve(s, "Rosa.txt").id,
                "Trust": nodes.resolve(s, "Trust").id, "Workload": nodes.resolve(s, "Barriers/Workload").id}


def _code(project: Project, *rows: tuple[str, int, int, str, str]) -> None:
    for source, start, end, node, coder in rows:
        project.run(coding.code, source, start, end, node, coder)


@pytest.fixture
def coded(project: Project) -> Project:
    """Trust in Notes: Ana 0-10 and 5-12 (one stretch, 0-12), Ben 8-20. Workload in Rosa: both 10-40."""
    _code(project, ("Notes.txt", 0, 10, "Trust", "Ana"), ("Notes.txt", 5, 12, "Trust", "Ana"),
          ("Notes.txt", 8, 20, "Trust", "Ben"),
          ("Rosa.txt", 10, 40, "Barriers/Workload", "Ana"), ("Rosa.txt", 10, 40, "Barriers/Workload", "Ben"))
    return project


def _compute(project: Project, coders=("Ana", "Ben"), **kw) -> agreement.Agreement:
    with project.read_session() as s:
        return agreement.compute(s, list(coders), **kw)


def test_character_level_counts_overlaps_once_and_gives_known_figures(coded: Project) -> None:
    ids = _ids(coded)
    a = _compute(coded)
    cell = a.cell(ids["Trust"], ids["Notes"])
    assert (cell.units, cell.both, cell.none, cell.only) == (NOTES, 4, 32, (("Ana", 8), ("Ben", 8)))
    assert cell.percent == pytest.approx(100 * 36 / 52)
    # 2 x 2 table 4 / 8 / 8 / 32: p_o = 36/52, p_e = (12*12 + 40*40) / 52^2
    assert cell.kappa == pytest.approx(128 / 960)
    # alpha = 1 - (n - 1) o_01 / (n_0 n_1), n = 104, n_1 = 24, n_0 = 80, o_01 = 16
    assert cell.alpha == pytest.approx(1 - 103 * 16 / (80 * 24))


def test_perfect_agreement_and_a_cell_nobody_coded(coded: Project) -> None:
    ids = _ids(coded)
    a = _compute(coded)
    same = a.cell(ids["Workload"], ids["Rosa"])
    assert (same.both, same.only, same.percent, same.kappa, same.alpha) == (30, (("Ana", 0), ("Ben", 0)), 100.0,
                                                                            1.0, 1.0)
    empty = a.cell(ids["Trust"], ids["Rosa"])
    assert (empty.units, empty.none, empty.percent, empty.kappa, empty.alpha) == (ROSA, ROSA, 100.0, None, None)


def test_pooled_rows_columns_and_overall(coded: Project) -> None:
    ids = _ids(coded)
    a = _compute(coded)
    trust = a.cell(ids["Trust"], None)
    assert (trust.units, trust.both, trust.none, trust.only) == (NOTES + ROSA, 4, NOTES + ROSA - 20,
                                                                 (("Ana", 8), ("Ben", 8)))
    notes = a.cell(None, ids["Notes"])  # both nodes' characters in Notes
    assert (notes.units, notes.both, notes.none) == (2 * NOTES, 4, 2 * NOTES - 20)
    overall = a.overall
    assert (overall.units, overall.both, overall.none) == (2 * (NOTES + ROSA), 34, 2 * (NOTES + ROSA) - 50)
    assert overall.kappa == pytest.approx(_kappa(34, 8, 8, 2 * (NOTES + ROSA) - 50))
    assert len(a.cells) == 2 * 2 + 2 + 2 + 1
    assert "pool every pair of node and unit" in a.method and "character level" in a.method


def _kappa(a: int, b: int, c: int, d: int) -> float:
    n = a + b + c + d
    p_o = (a + d) / n
    p_e = ((a + b) / n) * ((a + c) / n) + ((c + d) / n) * ((b + d) / n)
    return (p_o - p_e) / (1 - p_e)


def test_one_coder_coded_nothing_at_the_node(coded: Project) -> None:
    _code(coded, ("Notes.txt", 30, 40, "Barriers/Workload", "Ana"))
    ids = _ids(coded)
    cell = _compute(coded).cell(ids["Workload"], ids["Notes"])
    assert cell.only == (("Ana", 10), ("Ben", 0))
    assert cell.kappa == 0.0
    assert cell.percent == pytest.approx(100 * 42 / 52)


def test_defaults_are_the_nodes_and_sources_the_coders_used(project: Project) -> None:
    _code(project, ("Notes.txt", 0, 10, "Trust", "Ana"), ("Notes.txt", 2, 6, "Trust", "Ben"))
    ids = _ids(project)
    a = _compute(project)
    assert a.nodes == ((ids["Trust"], "Trust"),)
    assert a.sources == ((ids["Notes"], "Notes.txt"),)
    picked = _compute(project, nodes=[ids["Workload"], ids["Trust"]], sources=[ids["Rosa"], ids["Notes"]])
    assert [p for _i, p in picked.nodes] == ["Trust", "Barriers/Workload"]  # in the node tree's order
    assert [n for _i, n in picked.sources] == ["Notes.txt", "Rosa.txt"]
    assert "the 2 source(s) chosen" in picked.method


def test_three_coders_alpha_equals_the_general_form_on_every_character(coded: Project) -> None:
    _code(coded, ("Notes.txt", 0, 20, "Trust", "Cleo"), ("Rosa.txt", 35, 50, "Barriers/Workload", "Cleo"),
          ("Rosa.txt", 100, 120, "Trust", "Cleo"))
    ids = _ids(coded)
    coders = ("Ana", "Ben", "Cleo")
    a = _compute(coded, coders=coders)
    assert a.overall.kappa is None  # kappa is for two coders
    with coded.read_session() as s:
        rows = [(c.source_id, c.node_id, c.start, c.end, c.coder) for c in coding.list_codings(s)]
    lengths = {ids["Notes"]: NOTES, ids["Rosa"]: ROSA}
    matrix: dict[tuple[int, int], list[list[int]]] = {}
    for node in (ids["Trust"], ids["Workload"]):
        for source, length in lengths.items():
            matrix[(node, source)] = [[int(any(r[0] == source and r[1] == node and r[4] == coder and r[2] <= i < r[3]
                                                for r in rows)) for coder in coders] for i in range(length)]
    for (node, source), units in matrix.items():
        assert a.cell(node, source).alpha == pytest.approx(nominal_alpha(units))
        assert a.cell(node, source).both == sum(all(u) for u in units)
    everything = [u for units in matrix.values() for u in units]
    assert a.overall.alpha == pytest.approx(nominal_alpha(everything))
    assert a.overall.percent == pytest.approx(100 * sum(len(set(u)) == 1 for u in everything) / len(everything))


def test_paragraph_level_counts_a_line_coded_when_any_of_it_is(project: Project) -> None:
    # Rosa's lines: 0-47, 48-177 (with an emoji), 178-200, 201-263; the line breaks belong to no paragraph
    _code(project, ("Rosa.txt", 60, 70, "Trust", "Ana"), ("Rosa.txt", 170, 190, "Trust", "Ben"),
          ("Rosa.txt", 47, 48, "Barriers/Workload", "Ana"))
    ids = _ids(project)
    a = _compute(project, unit="paragraph")
    cell = a.cell(ids["Trust"], ids["Rosa"])
    assert (cell.units, cell.both, cell.none, cell.only) == (4, 1, 2, (("Ana", 0), ("Ben", 1)))
    workload = a.cell(ids["Workload"], ids["Rosa"])
    assert (workload.both, workload.none, workload.only) == (0, 4, (("Ana", 0), ("Ben", 0)))
    assert "paragraph (non-blank line)" in a.method


def test_paragraph_units_skip_blank_lines() -> None:
    units = paragraph_units("one\n\n  \ntwo\n", [0, 4, 5, 8])
    assert (units.starts, units.ends) == ([0, 8], [3, 11])
    assert to_units([(2, 9), (3, 8), (0, 1)], units) == [(0, 2), (1, 1), (0, 1)]


def test_sentence_level_uses_the_sentence_index(project: Project) -> None:
    from sqlalchemy import select

    from qdaapp.core import indexing
    from qdaapp.core.models import Sentence

    ids = _ids(project)
    _code(project, ("Rosa.txt", 0, 5, "Trust", "Ana"), ("Rosa.txt", 60, 70, "Trust", "Ben"))
    with pytest.raises(InvalidInput, match="needs the sentence index, and 'Rosa.txt' is not indexed"):
        _compute(project, unit="sentence")
    indexing.index_sources(project)
    with project.read_session() as s:
        spans = s.execute(select(Sentence.start, Sentence.end).where(Sentence.source_id == ids["Rosa"])
                          .order_by(Sentence.start)).all()
    first, second = spans[0], spans[1]
    _code(project, ("Rosa.txt", first[1] - 1, second[0] + 1, "Barriers/Workload", "Ana"),
          ("Rosa.txt", second[0], second[0] + 2, "Barriers/Workload", "Ben"))
    a = _compute(project, unit="sentence", sources=[ids["Rosa"]])
    workload = a.cell(ids["Workload"], ids["Rosa"])
    assert (workload.units, workload.both, workload.only) == (len(spans), 1, (("Ana", 1), ("Ben", 0)))
    assert workload.none == len(spans) - 2


def test_bad_arguments_are_refused_in_plain_words(coded: Project) -> None:
    ids = _ids(coded)
    with pytest.raises(NotFound, match="This project has no coder 'Zoe'. Its coders: Ana, Ben, tester"):
        _compute(coded, coders=("Ana", "Zoe"))
    with pytest.raises(InvalidInput, match="two coders or more"):
        _compute(coded, coders=("Ana",))
    with pytest.raises(InvalidInput, match="named twice"):
        _compute(coded, coders=("Ana", "Ana"))
    with pytest.raises(InvalidInput, match="'word' is not a unit of agreement; use character, sentence, paragraph"):
        _compute(coded, unit="word")
    with pytest.raises(NotFound, match="There is no node with id 999"):
        _compute(coded, nodes=[ids["Trust"], 999])
    with pytest.raises(NotFound, match="There is no source with id 998"):
        _compute(coded, sources=[998])


def test_progress_is_told_and_can_stop_the_work(coded: Project) -> None:
    seen: list[tuple[int, int]] = []
    _compute(coded, progress=lambda done, total: seen.append((done, total)) is None)
    assert seen[0] == (0, 2) and seen[-1] == (2, 2)
    with pytest.raises(Cancelled):
        _compute(coded, progress=lambda done, total: done < 1)


def test_as_dict_names_nodes_and_sources(coded: Project) -> None:
    data = _compute(coded).as_dict()
    assert data["coders"] == ["Ana", "Ben"] and data["unit"] == "character"
    assert data["overall"]["both"] == 34
    first = data["cells"][0]
    assert (first["node"], first["source"]) == ("Trust", "Notes.txt")
    assert first["only"] == {"Ana": 8, "Ben": 8}


def _brute(per_coder: list[list[tuple[int, int]]], length: int) -> tuple[list[int], list[int]]:
    by_k = [0] * (len(per_coder) + 1)
    only = [0] * len(per_coder)
    for i in range(length):
        who = [c for c, spans in enumerate(per_coder) if any(a <= i < b for a, b in spans)]
        by_k[len(who)] += 1
        if len(who) == 1:
            only[who[0]] += 1
    return by_k, only


spans = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)).map(lambda t: (min(t), max(t))), max_size=6)


@given(st.integers(2, 4).flatmap(lambda m: st.lists(spans, min_size=m, max_size=m)), st.integers(0, 60))
def test_the_interval_sweep_counts_what_a_character_by_character_count_does(per_coder, length: int) -> None:
    assert sweep(per_coder, length) == _brute(per_coder, length)
