"""Indexing with the analysis in worker processes: the same rows as in one process, cancel keeps what is done."""

from __future__ import annotations

import multiprocessing
import re
import sqlite3
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdaapp.core import analysis_pool, indexing, nlp, sources
from qdaapp.core.progress import Cancelled, CancelToken
from qdaapp.core.project import Project

from ..conftest import FIXTURES as FIXTURE_ROOT
from .test_nlp_index import TRICKY, _expected

FIXTURES = sorted((FIXTURE_ROOT / "transcripts" / "txt").glob("*.txt"))
FRENCH = "Interviewer: Ça va?\nAna: Très bien. Nous avons dû partir. Les Managers ont dit non.\n" * 50


def _project(path: Path, tmp: Path) -> Project:
    """Fixture transcripts (with speaker turns), a French one, and a long one without line breaks."""
    files = []
    for i, fixture in enumerate(FIXTURES):
        files.append(tmp / f"{i}-{fixture.name}")
        files[-1].write_text(fixture.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp / "fr.txt").write_text(FRENCH, encoding="utf-8")
    (tmp / "long.txt").write_text(("Ünïcode 😀 words, “quoted.” We HAD to go.  Then more " * 4000)
                                  + "\n\nManagers HAD TO agree.", encoding="utf-8")
    files += [tmp / "fr.txt", tmp / "long.txt"]
    project = Project.create(path, coder="t")
    docs, failed = sources.read_files(files)
    assert not failed
    project.run(sources.import_documents, docs)
    return project


def _rows(path: Path) -> dict[str, list]:
    with sqlite3.connect(path) as db:
        return {
            "sentences": db.execute('SELECT id, source_id, start, "end", lemmas, offsets FROM sentences '
                                    "ORDER BY id").fetchall(),
            "passages": db.execute("SELECT source_id, start, body FROM text_fts ORDER BY source_id, start").fetchall(),
            "lemma hits": db.execute("SELECT rowid FROM lemma_fts WHERE lemma_fts MATCH 'have AND to' "
                                     "ORDER BY rowid").fetchall(),
            "state": db.execute("SELECT source_id, fts_at IS NOT NULL, pipeline FROM source_index "
                                "ORDER BY source_id").fetchall(),
        }


@pytest.fixture()
def in_process(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """The indexes built in this process alone: what every other way must give."""
    tmp = tmp_path_factory.mktemp("reference")
    monkeypatch.setattr(indexing, "_ANALYSE_FIRST", 40_000)  # longer sources go in pieces (two with turns)
    project = _project(tmp / "p.qda", tmp)
    assert indexing.index_sources(project, workers=0) == len(FIXTURES) + 2
    with project.read_session() as s:
        stored = s.execute(indexing.select(indexing.Source.id, indexing.Source.text, indexing.Source.turns)
                           .order_by(indexing.Source.id)).all()
    project.close()
    rows = _rows(tmp / "p.qda")
    expected = []  # spaCy's pipeline token by token, source after source
    for source_id, body, turns in stored:
        if source_id == len(FIXTURES) + 1:  # French: checked against the pipeline in test_nlp_index
            expected += [row[1:] for row in rows["sentences"] if row[1] == source_id]
            continue
        breaks = [end for _start, end in indexing.speaker_labels(body, indexing.json.loads(turns or "[]"))]
        expected += _expected(source_id, body, breaks)
    assert [row[1:] for row in rows["sentences"]] == expected
    assert rows["passages"] == sorted((sid, start, chunk) for sid, body, _turns in stored
                                      for start, chunk in indexing.passages(body))
    return rows


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each piece of work went to a worker process."""
    pooled: list[bool] = []
    submit = analysis_pool.AnalysisPool._submit

    def spy(self, fn, args):
        pooled.append(not self.in_process)
        return submit(self, fn, args)

    monkeypatch.setattr(analysis_pool.AnalysisPool, "_submit", spy)
    return pooled


def test_worker_processes_store_the_rows_one_process_stores(tmp_path: Path, monkeypatch, in_process) -> None:
    monkeypatch.setattr(indexing, "_ANALYSE_FIRST", 40_000)
    pooled = _spy(monkeypatch)
    project = _project(tmp_path / "p.qda", tmp_path)
    assert indexing.index_sources(project, workers=2) == len(FIXTURES) + 2
    project.close()
    assert pooled and all(pooled) and len(pooled) > len(FIXTURES) + 2  # the long source went in pieces
    got = _rows(tmp_path / "p.qda")
    for what in in_process:
        assert got[what] == in_process[what], what
    assert len(got["sentences"]) > 1000 and got["lemma hits"]
    assert multiprocessing.active_children() == []  # the workers stopped with the run


def test_cancel_with_workers_keeps_the_finished_sources(tmp_path: Path, monkeypatch, in_process) -> None:
    monkeypatch.setattr(indexing, "_ANALYSE_FIRST", 40_000)
    project = _project(tmp_path / "p.qda", tmp_path)
    cancel, seen = CancelToken(), []

    def after(done: int, total: int) -> None:
        seen.append(done)
        if done == 2:
            cancel.cancel()

    with pytest.raises(Cancelled):
        indexing.index_sources(project, workers=1, cancel=cancel, on_source=after)
    assert seen == [1, 2] and multiprocessing.active_children() == []
    with project.read_session() as s:
        left = indexing.pending(s)
    assert left == list(range(3, len(FIXTURES) + 3))
    kept = _rows(tmp_path / "p.qda")
    done = [row for row in in_process["sentences"] if row[1] <= 2]
    assert kept["sentences"] == done
    assert [row[0] for row in kept["state"] if row[2]] == [1, 2]  # sentences of sources 1 and 2 only
    assert indexing.index_sources(project, workers=1) == len(left)
    project.close()
    assert _rows(tmp_path / "p.qda") == in_process


def test_without_worker_processes_the_work_is_done_here(tmp_path: Path, monkeypatch, in_process) -> None:
    def refuse(*_args, **_kwargs):
        raise OSError("no processes here")

    monkeypatch.setattr(indexing, "_ANALYSE_FIRST", 40_000)
    monkeypatch.setattr(multiprocessing, "get_context", refuse)
    pooled = _spy(monkeypatch)
    project = _project(tmp_path / "p.qda", tmp_path)
    assert indexing.index_sources(project, workers=2) == len(FIXTURES) + 2
    project.close()
    assert pooled and not any(pooled)
    assert _rows(tmp_path / "p.qda") == in_process


def _labels(text: str) -> list[int]:
    return [m.end() for m in re.finditer(r"(?m)^[A-Z][\w ]{0,20}:", text)]


@pytest.mark.parametrize("whole", [True, False], ids=["all breaks", "breaks of the piece"])
def test_pieces_analysed_apart_are_the_pieces_of_the_whole(whole: bool) -> None:
    text = "\n".join(TRICKY) + FIXTURES[0].read_text(encoding="utf-8")[:120_000] + "No breaks here. " * 9000
    breaks = _labels(text) + [9, 41, 70_001]
    expected = list(nlp.analyse_chunks(text, breaks=breaks))
    pieces = list(nlp._chunks(text))
    assert len(pieces) > 3
    for (offset, piece), want in zip(pieces, expected, strict=True):
        mine = breaks if whole else [b for b in breaks if offset <= b <= offset + len(piece)]
        got = nlp.analyse_piece(piece, offset, breaks=mine)
        assert (got.starts, got.ends, got.lemmas, got.sent_starts) == (
            want.starts, want.ends, want.lemmas, want.sent_starts)


def _reference_passages(text: str) -> list[tuple[int, str]]:
    """The keyword index's passages as first written: one scan of the whole text."""
    out, pos = [], 0
    for m in re.finditer(r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+|\n+", text):
        if text[pos:m.start()].strip():
            out.append((pos, text[pos:m.start()]))
        pos = m.end()
    if text[pos:].strip():
        out.append((pos, text[pos:]))
    return out


PASSAGE_PIECES = ["We", "had", "to", "go", ".", "!", "?", "\u2026", "\"", "\u201d", ")", "]", "'", " ", "  ", "\n",
                  "\n\n", "\t", "\xa0", "\u2003", "😀", "Ünï", ":"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PASSAGE_PIECES), max_size=80), st.lists(st.integers(0, 200), max_size=6))
def test_passages_split_from_parts_are_those_of_the_whole_text(pieces: list[str], cuts: list[int]) -> None:
    text = "".join(pieces)
    bounds = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    parts = [text[a:b] for a, b in pairwise(bounds)]
    assert list(indexing._passages(iter(parts))) == _reference_passages(text)
    assert indexing.passages(text) == _reference_passages(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PASSAGE_PIECES + ["a", "b. c", ".\n", "?\" ", ".) \n "]), max_size=120),
       st.lists(st.integers(0, 300), max_size=8))
def test_passages_of_pieces_split_apart_are_those_of_the_whole_text(pieces: list[str], cuts: list[int]) -> None:
    text = "".join(pieces)
    bounds = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    splitter, got = analysis_pool.PassageSplitter(), []
    for a, b in pairwise(bounds):
        got += splitter.take(text[a:b], analysis_pool.piece_passages(text[a:b], a))
    got += splitter.close()
    assert got == _reference_passages(text)


@pytest.mark.parametrize("text", ['We went."\n  Then more. And more.', "We went.)\n\n  Then? Yes.  No", "A.\n  B. C",
                                  "Go!\u201d \t\n Next. Then"])
def test_a_piece_starting_inside_a_separator_is_split_as_the_whole_text(text: str) -> None:
    for cut in range(len(text) + 1):
        splitter, got = analysis_pool.PassageSplitter(), []
        for a, b in ((0, cut), (cut, len(text))):
            got += splitter.take(text[a:b], analysis_pool.piece_passages(text[a:b], a))
        got += splitter.close()
        assert got == _reference_passages(text), cut
