"""Find passages like these: ranking by shared lemmas, what is left out, units, accepting, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from qdaapp.core import coding, indexing, narrative, nodes, similar, sources
from qdaapp.core.errors import InvalidInput, NotFound
from qdaapp.core.models import AuditEvent
from qdaapp.core.progress import Cancelled
from qdaapp.core.project import Project

from .test_audit_text import sentences
from .test_markers import indexed_sources

CLINIC = (
    "Interviewer: How did it start?\n"
    "P1: We set up a new diabetes clinic for the practice. The weather was cold that spring.\n"
    "P1: Our diabetes clinic saw forty patients in the first month.\n"
    "Interviewer: And the staff?\n"
    "P1: The nurses ran the clinic on Tuesdays. Parking was hard.\n"
)
WARD = (
    "P2: The ward opened a diabetes clinic for new patients. I like football on Sundays.\n"
    "P2: Patients with diabetes came to the clinic every week.\n"
)


def _span(body: str, phrase: str) -> tuple[int, int]:
    at = body.index(phrase)
    return at, at + len(phrase)


@pytest.fixture
def clinic(tmp_path: Path):
    project = indexed_sources(tmp_path, {"Clinic.txt": CLINIC, "Ward.txt": WARD})
    yield project
    project.close()


def _ids(project: Project) -> dict[str, int]:
    with project.read_session() as s:
        return {row.name: row.id for row in sources.list_sources(s)}


def _example(project: Project, name: str, body: str, phrase: str) -> similar.Example:
    return similar.Example(_ids(project)[name], *_span(body, phrase))


def _seq(project: Project) -> int:
    with project.read_session() as s:
        return s.scalar(select(func.max(AuditEvent.seq))) or 0


def test_sentences_that_share_rare_words_come_first_and_say_which(clinic: Project) -> None:
    ex = _example(clinic, "Clinic.txt", CLINIC, "We set up a new diabetes clinic for the practice.")
    with clinic.read_session() as s:
        found = similar.rank(s, [ex], top=10)
    texts = [r.text for r in found]
    assert texts[0] == "The ward opened a diabetes clinic for new patients."
    assert set(found[0].shared_terms) == {"new", "diabetes", "clinic"}
    # most weighty first: 'new' and 'diabetes' are in fewer sentences than 'clinic'
    assert found[0].shared_terms[-1] == "clinic"
    assert "The weather was cold that spring." not in texts  # shares no word: not a result
    assert "I like football on Sundays." not in texts
    assert all(r.score > 0 for r in found) and [r.score for r in found] == sorted((r.score for r in found),
                                                                                   reverse=True)
    assert ex.start not in [r.start for r in found if r.source_id == ex.source_id]  # the example itself is out
    first = found[0]
    assert WARD[first.start:first.end] == first.text and first.source == "Ward.txt"


def test_top_sources_and_a_node_already_coded_there(clinic: Project) -> None:
    ids = _ids(clinic)
    ex = _example(clinic, "Clinic.txt", CLINIC, "We set up a new diabetes clinic for the practice.")
    node = clinic.run(nodes.create_node, "Clinics", free=True)
    a, b = _span(WARD, "Patients with diabetes came to the clinic every week.")
    clinic.run(coding.code, ids["Ward.txt"], a, b, node, "tester")
    with clinic.read_session() as s:
        everything = similar.rank(s, [ex], top=50)
        assert len(similar.rank(s, [ex], top=1)) == 1
        only_clinic = similar.rank(s, [ex], sources=[ids["Clinic.txt"]])
        not_coded = similar.rank(s, [ex], exclude_node=node)
    assert any(r.start == a and r.source_id == ids["Ward.txt"] for r in everything)
    assert {r.source for r in only_clinic} == {"Clinic.txt"}
    assert not any(r.start == a and r.source_id == ids["Ward.txt"] for r in not_coded)
    assert len(not_coded) == len(everything) - 1


def test_paragraphs_and_turns(clinic: Project) -> None:
    ex = _example(clinic, "Clinic.txt", CLINIC, "We set up a new diabetes clinic for the practice.")
    with clinic.read_session() as s:
        paragraphs = similar.rank(s, [ex], unit="paragraph")
        turns = similar.rank(s, [ex], unit="turn")
    ward = paragraphs[0]
    assert ward.text == "The ward opened a diabetes clinic for new patients. I like football on Sundays."
    assert ward.source == "Ward.txt"
    # the paragraph of the example overlaps it and is left out; the others are there, whole
    assert "Our diabetes clinic saw forty patients in the first month." in [p.text for p in paragraphs]
    assert "The nurses ran the clinic on Tuesdays. Parking was hard." in [t.text for t in turns]
    assert not any(t.start < ex.end and t.end > ex.start and t.source_id == ex.source_id for t in turns)


def test_examples_of_codings_a_node_an_account_and_a_fragment(clinic: Project) -> None:
    ids = _ids(clinic)
    node = clinic.run(nodes.create_node, "Start", free=True)
    a, b = _span(CLINIC, "We set up a new diabetes clinic")
    c, d = _span(WARD, "The ward opened")
    first = clinic.run(coding.code, ids["Clinic.txt"], a, b, node, "tester")
    clinic.run(coding.code, ids["Ward.txt"], c, d, node, "tester")
    account = clinic.run(narrative.create_account, "Setting up the clinic")
    clinic.run(narrative.add_passage, account, ids["Ward.txt"], c, d)
    fragment = clinic.run(narrative.add_fragment, account, "They opened it",
                          passages=[(ids["Clinic.txt"], a, b)])
    with clinic.read_session() as s:
        assert similar.examples_of(s, coding_ids=[first]) == [similar.Example(ids["Clinic.txt"], a, b)]
        assert similar.examples_of(s, node_id=node) == [similar.Example(ids["Clinic.txt"], a, b),
                                                        similar.Example(ids["Ward.txt"], c, d)]
        assert similar.examples_of(s, account_id=account) == [similar.Example(ids["Ward.txt"], c, d)]
        assert similar.examples_of(s, fragment_id=fragment) == [similar.Example(ids["Clinic.txt"], a, b)]
        with pytest.raises(NotFound, match="no coding with id 999"):
            similar.examples_of(s, coding_ids=[999])


def test_accepting_codes_at_the_node_with_its_origin_and_reads_as_similar_to_n_examples(clinic: Project) -> None:
    ex = _example(clinic, "Clinic.txt", CLINIC, "We set up a new diabetes clinic for the practice.")
    node = clinic.run(nodes.create_node, "Set-up", free=True)
    with clinic.read_session() as s:
        found = similar.rank(s, [ex], top=2)
    passages = [(r.source_id, r.start, r.end) for r in found]
    clinic.run(coding.code_passages, passages, node, "tester", origin=similar.ORIGIN, label=similar.label(1),
               reason="like the opening of the clinic")
    with clinic.read_session() as s:
        made = coding.list_codings(s, node)
    assert {(c.source_id, c.start, c.end) for c in made} == set(passages)
    assert {c.origin for c in made} == {"similar"}
    assert sentences(clinic, "search.code")[-1] == "Coded 2 passages similar to 1 example at Set-up"
    clinic.undo()
    with clinic.read_session() as s:
        assert coding.list_codings(s, node) == []
    assert similar.label(3) == "similar to 3 examples"


def test_a_new_source_is_ranked_once_indexed(clinic: Project, tmp_path: Path) -> None:
    ex = _example(clinic, "Clinic.txt", CLINIC, "We set up a new diabetes clinic for the practice.")
    with clinic.read_session() as s:
        before = similar.rank(s, [ex])
    (tmp_path / "More.txt").write_text("P3: A diabetes clinic was set up in the new practice.\n", encoding="utf-8")
    docs, _ = sources.read_files([tmp_path / "More.txt"])
    clinic.run(sources.import_documents, docs)
    with clinic.read_session() as s, pytest.raises(InvalidInput, match=r"1 source\(s\) are not indexed yet \(More"):
        similar.rank(s, [ex])
    indexing.index_sources(clinic)
    with clinic.read_session() as s:
        after = similar.rank(s, [ex])
    assert "More.txt" not in {r.source for r in before}
    assert after[0].source == "More.txt"


def test_indexing_prepares_the_counts_so_the_first_ranking_does_not_wait(clinic: Project, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from qdaapp.core import similar_index

    ex = _example(clinic, "Clinic.txt", CLINIC, "We set up a new diabetes clinic for the practice.")
    (tmp_path / "More.txt").write_text("P3: A diabetes clinic was set up in the new practice.\n", encoding="utf-8")
    docs, _ = sources.read_files([tmp_path / "More.txt"])
    clinic.run(sources.import_documents, docs)
    indexing.index_sources(clinic)  # counts the lemmas of every sentence, new source included

    def no_second_build(*args, **kwargs):
        raise AssertionError("the first ranking after indexing built the counts again")

    monkeypatch.setattr(similar_index, "build", no_second_build)
    with clinic.read_session() as s:
        assert similar.rank(s, [ex])[0].source == "More.txt"


def test_progress_may_stop_the_first_ranking(clinic: Project) -> None:
    ex = _example(clinic, "Clinic.txt", CLINIC, "We set up a new diabetes clinic for the practice.")
    from qdaapp.core import similar_index

    told: list[tuple[int, int]] = []
    with clinic.read_session() as s:
        similar_index.forget(s)
        with pytest.raises(Cancelled):
            similar.rank(s, [ex], progress=lambda done, total: False)
        similar.rank(s, [ex], progress=lambda done, total: told.append((done, total)) is None)
    assert told and told[-1] == (1, 1)


# ---------------------------------------------------------------------- bad input: a clear message, nothing changes
def test_no_examples(clinic: Project) -> None:
    seq = _seq(clinic)
    with clinic.read_session() as s, pytest.raises(InvalidInput, match="There are no example passages"):
        similar.rank(s, [])
    assert _seq(clinic) == seq


def test_one_very_short_example(clinic: Project) -> None:
    seq = _seq(clinic)
    short = _example(clinic, "Clinic.txt", CLINIC, "Parking was hard.")
    with clinic.read_session() as s, pytest.raises(InvalidInput) as err:
        similar.rank(s, [short])
    assert str(err.value).startswith("There is too little to compare in the example 'Parking was hard.' in "
                                     "Clinic.txt: only 'hard' and 'park' say what it is about")
    nothing = _example(clinic, "Clinic.txt", CLINIC, "And the staff?")
    with clinic.read_session() as s, pytest.raises(InvalidInput, match="only 'staff' says what"):
        similar.rank(s, [nothing])
    assert _seq(clinic) == seq


def test_empty_project(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "empty.qda", coder="tester")
    try:
        with project.read_session() as s, pytest.raises(InvalidInput, match="The project has no sources yet"):
            similar.rank(s, [similar.Example(1, 0, 10)])
    finally:
        project.close()


def test_unindexed_sources(tmp_path: Path) -> None:
    (tmp_path / "Raw.txt").write_text(CLINIC, encoding="utf-8")
    project = Project.create(tmp_path / "raw.qda", coder="tester")
    try:
        docs, _ = sources.read_files([tmp_path / "Raw.txt"])
        project.run(sources.import_documents, docs)
        seq = _seq(project)
        ex = similar.Example(_ids(project)["Raw.txt"], *_span(CLINIC, "We set up a new diabetes clinic"))
        with project.read_session() as s, pytest.raises(InvalidInput) as err:
            similar.rank(s, [ex])
        assert str(err.value) == (
            "1 source(s) are not indexed yet (Raw.txt), so their words cannot be compared. Index them first "
            "('qdaapp index PROJECT', or wait until the app has finished indexing) and try again.")
        assert _seq(project) == seq
    finally:
        project.close()


def test_bad_unit_top_and_unknown_sources(clinic: Project) -> None:
    ex = _example(clinic, "Clinic.txt", CLINIC, "We set up a new diabetes clinic for the practice.")
    with clinic.read_session() as s:
        with pytest.raises(InvalidInput, match="'page' is not a unit"):
            similar.rank(s, [ex], unit="page")
        with pytest.raises(InvalidInput, match="at least 1"):
            similar.rank(s, [ex], top=0)
        with pytest.raises(NotFound, match="no source with id 77"):
            similar.rank(s, [ex], sources=[77])


def test_shared_words_are_found_in_the_text_and_coded_passages_known(clinic: Project) -> None:
    ex = _example(clinic, "Clinic.txt", CLINIC, "We set up a new diabetes clinic for the practice.")
    node = clinic.run(nodes.create_node, "Set-up", free=True)
    with clinic.read_session() as s:
        first = similar.rank(s, [ex], top=1)[0]
        spans = similar.shared_spans(s, first)
        assert [WARD[a:b] for a, b in spans] == ["diabetes", "clinic", "new"]
        passage = (first.source_id, first.start, first.end)
        assert similar.coded_at(s, node, [passage]) == set()
    clinic.run(coding.code_passages, [passage], node, "tester", origin=similar.ORIGIN)
    with clinic.read_session() as s:
        assert similar.coded_at(s, node, [passage, (ex.source_id, ex.start, ex.end)]) == {passage}


def test_the_matrix_is_kept_on_disk_until_the_index_changes(clinic: Project, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from qdaapp.core import similar_index

    ex = _example(clinic, "Clinic.txt", CLINIC, "We set up a new diabetes clinic for the practice.")
    real_build = similar_index.build
    with clinic.read_session() as s:
        similar_index.forget(s)
        first = similar.rank(s, [ex], unit="turn")

    def no_build(*_args: object, **_kw: object) -> None:
        raise AssertionError("built again")

    monkeypatch.setattr(similar_index, "build", no_build)
    with clinic.read_session() as s:
        similar_index.forget(s)  # as when the project is opened again: read from the file
        assert similar.rank(s, [ex], unit="turn") == first
    (tmp_path / "More.txt").write_text("P3: A diabetes clinic was set up in the new practice.\n", encoding="utf-8")
    docs, _ = sources.read_files([tmp_path / "More.txt"])
    clinic.run(sources.import_documents, docs)
    builds: list[int] = []

    def counted(*args: object, **kw: object):
        builds.append(1)
        return real_build(*args, **kw)

    monkeypatch.setattr(similar_index, "build", counted)
    indexing.index_sources(clinic)  # the index changed: the counts are made again, once, as it ends
    with clinic.read_session() as s:
        assert similar.rank(s, [ex])[0].source == "More.txt"
    assert builds == [1]


def test_what_counts_as_a_content_word() -> None:
    from qdaapp.core.similar_index import is_content, stop_words

    stop = stop_words({"en"})
    assert [w for w in ("clinic", "work", "well", "made", "the", "n't", "n\u2019t", "p1", "2019", "a", "-", "um")
            if is_content(w, stop)] == ["clinic", "work", "well", "made"]


def test_interviewer_turns_are_left_out_unless_asked_for(tmp_path: Path) -> None:
    body = ("Interviewer: Did the diabetes clinic help your patients?\n"
            "P1: The diabetes clinic helped many patients a lot.\n"
            "P1: Another diabetes clinic for older patients opened in town.\n")
    project = indexed_sources(tmp_path, {"Q.txt": body})
    try:
        ex = similar.Example(_ids(project)["Q.txt"], *_span(body, "Another diabetes clinic for older patients"))
        with project.read_session() as s:
            for unit in ("sentence", "turn"):
                texts = [r.text for r in similar.rank(s, [ex], unit=unit)]
                asked = [r.text for r in similar.rank(s, [ex], unit=unit, include_interviewer=True)]
                assert texts == ["The diabetes clinic helped many patients a lot."]
                assert asked[1:] == texts and asked[0].startswith("Did the diabetes clinic")
    finally:
        project.close()
