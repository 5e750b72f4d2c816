"""Marker runs on both cores and with a cached lexicon plan: the same hits, item by item, as the plain path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qdaapp.core import indexing, lexicon, markers, review, sources
from qdaapp.core.project import Project

from .test_markers import DENSE, TEXT


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory: pytest.TempPathFactory, fixtures_root: Path):
    """The fixture transcripts with two more sources of dense markers, indexed once."""
    folder = tmp_path_factory.mktemp("parallel")
    extra = [folder / "dense.txt", folder / "P2.txt"]
    extra[0].write_text(DENSE, encoding="utf-8")
    extra[1].write_text(TEXT, encoding="utf-8")
    project = Project.create(folder / "fx.qda", coder="tester")
    docs, failures = sources.read_files(sorted((fixtures_root / "transcripts" / "txt").glob("*.txt")) + extra)
    assert not failures
    project.run(sources.import_documents, docs)
    indexing.index_sources(project)
    yield project
    project.close()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many batches this process gave the helper."""
    count = {"given": 0}
    give = markers._Helper.give

    def counting(self, rows):
        count["given"] += 1
        return give(self, rows)

    monkeypatch.setattr(markers._Helper, "give", counting)
    return count


def _find(project: Project, compiled: markers.CompiledLexicon, **kw) -> list[markers.MarkerHit]:
    with project.read_session() as s:
        return markers.find_markers(s, compiled, **kw)


def test_both_cores_give_the_same_hits_as_one(fixture_project: Project, counted: dict[str, int],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Small batches, so the helper matches many of them and this process the others."""
    with fixture_project.read_session() as s:
        compiled = markers.CompiledLexicon(lexicon.load(s), cache=False)
    plain = _find(fixture_project, compiled)
    assert len(plain) >= 300 and len({h.source_id for h in plain}) >= 6
    for size in (7, 40, 150):
        monkeypatch.setattr(markers, "SENTENCE_BATCH", size)
        counted["given"] = 0
        assert _find(fixture_project, compiled, workers=2) == plain, size
        assert counted["given"] >= 1, size  # the helper did match some batches
    for acts in (["manipulation"], ["competence", "performance"]):
        assert (_find(fixture_project, compiled, workers=2, acts=acts)
                == _find(fixture_project, compiled, acts=acts)
                == [h for h in plain if h.act in acts])


def test_a_failing_helper_leaves_its_batches_to_the_process(fixture_project: Project, counted: dict[str, int],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with fixture_project.read_session() as s:
        compiled = markers.CompiledLexicon(lexicon.load(s), cache=False)
    plain = _find(fixture_project, compiled)
    match_rows, parent = markers._match_rows, os.getpid()

    def failing_in_helper(compiled, rows, acts):
        if os.getpid() != parent:
            raise RuntimeError("the helper fails")
        return match_rows(compiled, rows, acts)

    monkeypatch.setattr(markers, "_match_rows", failing_in_helper)
    monkeypatch.setattr(markers, "SENTENCE_BATCH", 25)
    assert _find(fixture_project, compiled, workers=2) == plain
    assert counted["given"] >= 1


def test_a_stored_run_is_the_same_with_both_cores(fixture_project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markers, "SENTENCE_BATCH", 30)
    with fixture_project.read_session() as s:
        spec = lexicon.load(s)
    runs = [fixture_project.run(markers.run_markers, spec, coder="tester", workers=w) for w in (1, 2)]
    columns = "status, source_id, start, end, act, marker, polarity, subject, speaker, sentence_start, sentence_end"
    with fixture_project.read_session() as s:
        raw = s.connection().connection
        one, two = ([tuple(r) for r in raw.execute(f"SELECT {columns} FROM search_hits WHERE run_id = ? ORDER BY id",
                                                   (run,))] for run in runs)
    assert len(one) >= 200  # interviewer turns left out
    assert one == two


def _state(compiled: markers.CompiledLexicon) -> tuple:
    """Everything matching reads from a compiled lexicon, the Matchers' patterns in their order."""
    patterns = {first: [(compiled.vocab.strings[key], m.get(compiled.vocab.strings[key])[1])
                        for key in m._patterns] for first, m in compiled.matchers.items()}
    return (compiled.keys, compiled.reach, compiled.nexts, compiled.near, compiled.finals, compiled.firsts,
            compiled.fts_query, compiled.negations, compiled.subjects, compiled.determiners, patterns,
            list(compiled.matchers), compiled.groups)


def test_a_cached_plan_needs_no_pipeline_and_gives_the_same_hits(fixture_project: Project, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QDAAPP_HOME", str(tmp_path / "home"))
    with fixture_project.read_session() as s:
        spec = lexicon.load(s)
    plain = markers.CompiledLexicon(spec, cache=False)
    assert not plain.from_cache and not markers.plan_path(spec, plain.groups).exists()
    first = markers.CompiledLexicon(spec)
    assert not first.from_cache and markers.plan_path(spec, first.groups).exists()
    every = list(spec.groups)  # other groups: another plan
    assert every != first.groups and markers.plan_path(spec, every) != markers.plan_path(spec, first.groups)
    assert not markers.CompiledLexicon(spec, every).from_cache

    def no_pipeline(lang: str):
        raise AssertionError("a cached plan must not need the spaCy pipeline")

    monkeypatch.setattr(markers, "_lemmatiser", no_pipeline)
    cached = markers.CompiledLexicon(spec)
    assert cached.from_cache
    assert _state(cached) == _state(first) == _state(plain)
    hits = _find(fixture_project, plain)
    assert _find(fixture_project, cached) == _find(fixture_project, cached, workers=2) == hits


def test_a_changed_lexicon_never_meets_its_old_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QDAAPP_HOME", str(tmp_path / "home"))
    body = "We had to start over. I wanted to start over too.\n"
    (tmp_path / "T.txt").write_text(body, encoding="utf-8")
    project = Project.create(tmp_path / "m.qda", coder="tester")
    try:
        docs, _ = sources.read_files([tmp_path / "T.txt"])
        project.run(sources.import_documents, docs)
        indexing.index_sources(project)
        with project.read_session() as s:
            old = lexicon.load(s)
        before = markers.CompiledLexicon(old)
        assert markers.CompiledLexicon(old).from_cache
        assert "start over" not in {body[h.start:h.end] for h in _find(project, before)}
        project.run(lexicon.edit_lexicon, "greimas-en", add=("performance", "start over"))
        with project.read_session() as s:
            new = lexicon.load(s)
        assert markers.plan_path(new, before.groups) != markers.plan_path(old, before.groups)
        after = markers.CompiledLexicon(new)
        assert not after.from_cache  # made again, not the old plan
        found = [(body[h.start:h.end], h.act) for h in _find(project, after)]
        assert found.count(("start over", "performance")) == 2
        assert _find(project, markers.CompiledLexicon(new)) == _find(project, markers.CompiledLexicon(new, cache=False))
        # An unreadable or outdated plan file is made again too.
        path = markers.plan_path(new, after.groups)
        path.write_text("{not json", encoding="utf-8")
        assert not markers.CompiledLexicon(new).from_cache
        stored = path.read_text(encoding="utf-8")
        path.write_text(stored.replace(f'"format": {markers.PLAN_FORMAT}', '"format": 0', 1), encoding="utf-8")
        assert '"format": 0' in path.read_text(encoding="utf-8")
        assert not markers.CompiledLexicon(new).from_cache
        assert markers.CompiledLexicon(new).from_cache
        # Nor does another version of the code that makes plans, or of the lemmatising packages.
        monkeypatch.setattr(markers, "_CODE_STAMP", "another version")
        assert not markers.CompiledLexicon(new).from_cache
        monkeypatch.setattr(markers, "_lemma_source", lambda lang: "spacy=0.0")
        assert not markers.CompiledLexicon(new).from_cache
        assert markers.CompiledLexicon(new).from_cache
    finally:
        project.close()


def test_listed_hits_come_in_list_hits_order_without_sentences(fixture_project: Project) -> None:
    """The markers command lists a run from the database's sort: the same rows, in the same order."""
    with fixture_project.read_session() as s:
        run = fixture_project.run(markers.run_markers, lexicon.load(s), coder="tester", include_interviewer=True)
    with fixture_project.read_session() as s:
        listed = list(review.listed_hits(s, run))
        rows = review.list_hits(s, run)
    assert len(listed) >= 300 and len({h.source for h in listed}) >= 6
    assert [tuple(h) for h in listed] == [tuple(getattr(r, f) for f in review.ListedHit._fields) for r in rows]


def test_no_data_folder_means_no_cache_not_a_failure(marker_text_project: Project, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("QDAAPP_HOME", str(blocked / "home"))  # below a file: cannot be made
    with marker_text_project.read_session() as s:
        spec = lexicon.load(s)
    compiled = markers.CompiledLexicon(spec)
    assert not compiled.from_cache
    uncached = markers.CompiledLexicon(spec, cache=False)
    assert _find(marker_text_project, compiled) == _find(marker_text_project, uncached)
    assert len(_find(marker_text_project, compiled)) >= 5


@pytest.fixture
def marker_text_project(tmp_path: Path):
    (tmp_path / "P2.txt").write_text(TEXT, encoding="utf-8")
    project = Project.create(tmp_path / "t.qda", coder="tester")
    docs, _ = sources.read_files([tmp_path / "P2.txt"])
    project.run(sources.import_documents, docs)
    indexing.index_sources(project)
    yield project
    project.close()
