"""Keyword search: the query language, the index, scopes, word forms and spreads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from qdaapp.core import cases, coding, indexing, search, sources
from qdaapp.core.errors import InvalidInput
from qdaapp.core.project import Project
from qdaapp.core.query import QueryError, parse

A = ("Interviewer: Tell me about it.\nAna: We had to manage the budget. Managers had to agree. 😀 "
     "We have to trust the team, having to wait is hard.\n")
B = "Notes from the site visit. The manager wanted to change the rota; management said no.\n"


@pytest.fixture
def sp(tmp_path: Path):
    (tmp_path / "Ana.txt").write_text(A, encoding="utf-8")
    (tmp_path / "Notes.txt").write_text(B, encoding="utf-8")
    p = Project.create(tmp_path / "s.qda", coder="tester")
    docs, _ = sources.read_files([tmp_path / "Ana.txt"])
    p.run(sources.import_documents, docs, case_name="Ana")
    docs, _ = sources.read_files([tmp_path / "Notes.txt"])
    p.run(sources.import_documents, docs, kind="field-note")
    p.run(cases.set_attribute, "case", "Ana", "role", "nurse")
    indexing.index_sources(p)
    yield p
    p.close()


def _find(p: Project, q: str, **kw) -> list[tuple[str, str]]:
    with p.read_session() as s:
        return [(h.source, h.text) for h in search.keyword_search(s, q, **kw)]


@pytest.mark.parametrize(
    "query, message",
    [
        ('"have to', "quotation mark at position 1 is not closed"),
        ("NOT money", "NOT at position 1 must stand between two words"),
        ("trust AND NOT money", "NOT at position 11 must stand between two words"),
        ("trust OR", "ends with OR"),
        ("(trust", "'(' is not closed"),
        ("trust)", "')' at position 6 has no matching"),
        ("ma*nage", "a * can only end a word"),
        ("   ", "empty"),
        ("NEAR(trust, 5)", "needs at least two words"),
        ("NEAR(trust team, five)", "must be a whole number"),
    ],
)
def test_malformed_queries_point_at_the_problem(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        parse(query)


def test_words_phrases_prefix_boolean_near(sp: Project) -> None:
    assert _find(sp, '"had to"') == [("Ana.txt", "had to"), ("Ana.txt", "had to")]
    assert {t for _, t in _find(sp, "manag*")} == {"manage", "Managers", "manager", "management"}
    assert {s for s, _ in _find(sp, "manager OR trust")} == {"Ana.txt", "Notes.txt"}
    # AND / NOT apply within a sentence-sized passage: "Managers had to agree." has no "budget".
    assert _find(sp, "manag* NOT budget") == [("Ana.txt", "Managers"), ("Notes.txt", "manager"),
                                              ("Notes.txt", "management")]
    assert _find(sp, "manag* AND budget") == [("Ana.txt", "manage"), ("Ana.txt", "budget")]
    assert _find(sp, "budget AND rota") == []
    assert {t for _, t in _find(sp, "NEAR(trust team, 3)")} == {"trust", "team"}
    assert _find(sp, "TRUST") == [("Ana.txt", "trust")]


def test_offsets_are_code_points_after_emoji(sp: Project) -> None:
    with sp.read_session() as s:
        (hit,) = search.keyword_search(s, '"have to"')
        text = sources.text_and_pages(s, hit.source_id)[0]
    assert text[hit.start:hit.end] == "have to" and text.index("😀") < hit.start
    assert hit.left.endswith("We ") and hit.right.startswith(" trust")


def test_word_forms(sp: Project) -> None:
    assert sorted(t for _, t in _find(sp, '"have to"', forms=True)) == ["had to", "had to", "have to", "having to"]
    assert [t for _, t in _find(sp, "want", forms=True)] == ["wanted"]


def test_scopes(sp: Project) -> None:
    with sp.read_session() as s:
        ana = sources.resolve(s, "Ana.txt").id
    assert {s for s, _ in _find(sp, "manag*", scope=search.Scope(kinds=["field-note"]))} == {"Notes.txt"}
    assert {s for s, _ in _find(sp, "manag*", scope=search.Scope(source_ids=[ana]))} == {"Ana.txt"}
    assert {s for s, _ in _find(sp, "manag*", scope=search.Scope(case_attribute=("role", "nurse")))} == {"Ana.txt"}
    start = A.index("Managers")
    from qdaapp.core import nodes

    nid = sp.run(nodes.create_node, "Budget", free=True)
    sp.run(coding.code, "Ana.txt", start, start + 25, nid, "tester")
    assert _find(sp, "manag*", scope=search.Scope(node_ids=[nid])) == [("Ana.txt", "Managers")]
    with pytest.raises(InvalidInput, match="scope"):
        search.Scope.parse(["colour:red"])


def test_spreads(sp: Project) -> None:
    with sp.read_session() as s:
        (hit,) = search.keyword_search(s, "budget")
        text = sources.text_and_pages(s, hit.source_id)[0]
        sentence = search.spread_span(s, hit.source_id, hit.start, hit.end, "sentence")
        turn = search.spread_span(s, hit.source_id, hit.start, hit.end, "turn")
        para = search.spread_span(s, hit.source_id, hit.start, hit.end, "paragraph")
    assert text[slice(*sentence)] == "We had to manage the budget."
    assert text[slice(*turn)].startswith("Ana: We had to") and text[slice(*turn)].endswith("is hard.")
    assert text[slice(*para)] == text[slice(*turn)]


def test_empty_project_says_nothing_to_search(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "e.qda")
    try:
        with p.read_session() as s, pytest.raises(InvalidInput, match="nothing to search"):
            search.keyword_search(s, "trust")
    finally:
        p.close()


def test_unindexed_sources_are_named(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("trust me\n", encoding="utf-8")
    p = Project.create(tmp_path / "u.qda")
    try:
        docs, _ = sources.read_files([tmp_path / "a.txt"])
        p.run(sources.import_documents, docs)
        with p.read_session() as s, pytest.raises(InvalidInput, match="not indexed yet"):
            search.keyword_search(s, "trust")
    finally:
        p.close()


def test_indexing_leaves_one_compact_segment_per_index(tmp_path: Path) -> None:
    """Each source is indexed in its own transaction (Cancel keeps what is done); afterwards the
    segments are merged and the write-ahead log folded back, so queries read a compact index."""
    from sqlalchemy import text

    p = Project.create(tmp_path / "seg.qda")
    try:
        for n in range(3):
            f = tmp_path / f"s{n}.txt"
            f.write_text(f"P{n}: We had to start again, number {n}.\n", encoding="utf-8")
            docs, _ = sources.read_files([f])
            p.run(sources.import_documents, docs)
        assert indexing.index_sources(p) == 3
        with p.read_session() as s:
            assert s.execute(text("SELECT count(DISTINCT segid) FROM text_fts_idx")).scalar() == 1
            assert s.execute(text("SELECT count(DISTINCT segid) FROM lemma_fts_idx")).scalar() == 1
        assert len(_find(p, '"had to"')) == 3
    finally:
        p.close()


WORDS = ["have", "HAVE", "Have", "to", "To", "had", "haven't", "have_to", "behave", "tomorrow", "2to", "to2",
         "été", "Été", "ÉTÉ", "naïve", "İstanbul", "straße", "STRASSE", "😀", "we", "manage", "management",
         "manag", "ﬁle", "Ǆ", "ǅ", "ǆ"]
SEPARATORS = [" ", "  ", ", ", " — ", "\n", "'", "_", "-", " (", ") ", "…", "\t", "’"]
QUERIES = ['"have to"', "have", "to", "manag*", '"été naïve"', "été", "we", "İstanbul", "straße", "ǆ",
           '"to have"', '"haven t"']


def _both_ways(p: Project, query: str, kept: bool = False) -> tuple[list, list]:
    """The hits found by the expression (in passages read from the index, or in the kept ones)
    and those highlight() marks."""
    from qdaapp.core import fts_text
    from qdaapp.core.search import _exact_hits, _highlight_hits, allowed_sources, parse

    parsed = parse(query)
    with p.read_session() as s:
        allowed = allowed_sources(s, search.Scope())
        if kept:
            fts_text.passages(s)
        else:
            fts_text.forget()
        fast = sorted(_exact_hits(s, parsed, allowed))
        slow = sorted(_highlight_hits(s, parsed, allowed))
    assert fts_text.usable(parsed) or fast == slow
    return fast, slow


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1, max_size=40))
def test_hits_found_in_kept_text_are_exactly_fts5s_own(tmp_path_factory, pieces) -> None:
    """The positions found without highlight() are the ones highlight() marks, word for word,
    whatever the case, accents, apostrophes, underscores or emoji."""
    folder = tmp_path_factory.mktemp("fts")
    body = "".join(w + sep for w, sep in pieces) + "\n"
    (folder / "t.txt").write_text(body, encoding="utf-8")
    p = Project.create(folder / "t.qda")
    try:
        docs, failures = sources.read_files([folder / "t.txt"])
        assume(not failures)
        p.run(sources.import_documents, docs)
        indexing.index_sources(p, nlp=False)
        for query in QUERIES:
            for kept in (False, True):
                fast, slow = _both_ways(p, query, kept)
                assert fast == slow, (query, kept, body)
    finally:
        p.close()


def test_kept_passages_follow_reindexing_and_deletion(sp: Project) -> None:
    """The passages kept in memory are read again when an index changes (a source deleted, undone)."""
    from qdaapp.core import fts_text

    with sp.read_session() as s:
        fts_text.passages(s)  # kept, as the app keeps them
    before = _find(sp, '"had to"')
    assert before
    with sp.read_session() as s:
        ana = sources.resolve(s, "Ana.txt").id
    sp.run(sources.delete_source, ana)
    assert all(src != "Ana.txt" for src, _ in _find(sp, "had"))
    sp.undo()
    indexing.index_sources(sp)
    assert _find(sp, '"had to"') == before


def test_passages_are_kept_only_up_to_the_size_limit(sp: Project) -> None:
    """A project past the limit is searched from the index row by row: nothing is kept, and what
    was kept before is let go; the hits are the same either way."""
    from qdaapp.core import fts_text

    where = str(sp.engine.url.database)
    with sp.read_session() as s:
        size = sum(len(sources.text_and_pages(s, src.id)[0]) for src in sources.list_sources(s))
        assert fts_text.keep(s, limit=size)
    assert where in fts_text._cache
    kept = _find(sp, '"had to"')
    with sp.read_session() as s:
        assert not fts_text.keep(s, limit=size - 1)
    assert where not in fts_text._cache
    assert _find(sp, '"had to"') == kept and kept


def test_closing_the_project_lets_go_of_the_kept_passages(sp: Project) -> None:
    from qdaapp.core import fts_text

    where = str(sp.engine.url.database)
    _find(sp, '"had to"')
    assert where not in fts_text._cache  # a query alone reads only the passages it matched
    with sp.read_session() as s:
        fts_text.passages(s)
    assert where in fts_text._cache
    sp.close()
    assert where not in fts_text._cache
