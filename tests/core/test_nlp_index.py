"""The sentence index: the fast analysis gives exactly what spaCy's pipeline gives, chunk cuts, stored rows."""

from __future__ import annotations

import re
import sqlite3
from array import array
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdaapp.core import indexing, nlp, sources
from qdaapp.core.project import Project

from ..conftest import FIXTURES as FIXTURE_ROOT

FIXTURES = sorted((FIXTURE_ROOT / "transcripts" / "txt").glob("*.txt"))

TRICKY = [
    "Hello 😀 world.  Next one!\n\nP2: WE HAD TO GO. Had to leave... Mr. Smith's well-known self-esteem.",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 co-op.\tTab\xa0nbsp\u2003em space. \"Quoted.\" (Paren.) Done?! "
    "Yes\u2026 ok 👩‍👩‍👧 fam.",
    "   leading spaces. Two  spaces?  :) :-) e.g. U.S.A. at 3 A.M. it was 3.5% or $10; don't can't I'm",
    "Interviewer: So?\nAna: I WAS TOLD TO. Managers HAD to agree\u2014or not. ALL-CAPS-HYPHEN. I. A. Richards",
    "No line breaks at all. " * 40 + "Ending without a stop",
    "Ça va? Très bien. L'été était long. Nous avons dû partir. Les Managers ont dit non.",
    "\"Had to go,\" she said.\n(Managers) HAD to.\n- Went away.",
    "\n\n\x1c\x1f\u2028odd separators.\u2029Then text. ...  ?! ?!  End.",
]


def reference(text: str, lang: str, breaks: list[int]) -> tuple[list, list, list, list]:
    """What the sentence index held before it was made fast: spaCy's whole pipeline, token by token."""
    pipe = nlp.pipeline(lang)
    lookup = nlp._lower_lemma(pipe)
    pending = sorted(breaks)
    nb = 0
    starts, ends, lemmas, sents = [], [], [], []
    chunks = list(nlp._chunks(text))
    for (offset, _chunk), doc in zip(chunks, pipe.pipe(c for _, c in chunks), strict=True):
        new_sentence, opening = True, False
        for token in doc:
            if token.is_space:
                new_sentence = new_sentence or "\n" in token.text
                continue
            position = offset + token.idx
            while nb < len(pending) and pending[nb] <= position:
                nb += 1
                new_sentence = True
            if new_sentence or token.is_sent_start:
                sents.append(len(starts))
                new_sentence, opening = False, True
            starts.append(position)
            ends.append(position + len(token.text))
            lemma = token.lemma_ or token.text
            if lookup is not None and lemma == token.text and (opening or (token.is_upper and len(lemma) > 1)):
                lemma = lookup(lemma.lower())
            opening = opening and not token.is_alpha
            lemmas.append(lemma.lower())
    return starts, ends, lemmas, sents


def fast(text: str, lang: str, breaks: list[int]) -> tuple[list, list, list, list]:
    got = nlp.analyse(text, lang=lang, breaks=breaks)
    return list(got.starts), list(got.ends), got.lemmas, list(got.sent_starts)


def _labels(text: str) -> list[int]:
    return [m.end() for m in re.finditer(r"(?m)^[A-Z][\w ]{0,20}:", text)]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_transcripts_analyse_as_the_pipeline_does(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert fast(text, "en", _labels(text)) == reference(text, "en", _labels(text))


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("text", TRICKY, ids=range(len(TRICKY)))
def test_tricky_texts_analyse_as_the_pipeline_does(text: str, lang: str) -> None:
    breaks = _labels(text) + [7, 40]
    assert fast(text, lang, breaks) == reference(text, lang, breaks)


def test_a_pipeline_the_fast_analysis_does_not_cover_is_run_whole(monkeypatch) -> None:
    from qdaapp.core import nlp_fast

    monkeypatch.setattr(nlp_fast.FastAnalyser, "get", classmethod(lambda cls, pipe, lower: None))
    for text in TRICKY:
        assert fast(text, "en", _labels(text)) == reference(text, "en", _labels(text))


PIECES = ["we", "We", "WE", "had", "Had", "HAD", "to", "go", "Managers", "self-esteem", "don't", "I", "A",
          ".", "!", "?", "...", "\u2026", ",", ";", ":", "\"", "'", ")", "(", "-", "\u2014", "😀", "𝔘𝔫𝔦",
          "P2:", "Ana:", "3.5", "e.g.", "U.S.", ":)", " ", " ", " ", "  ", "\n", "\n\n", "\t", "\xa0", " \n "]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60), st.lists(st.integers(0, 200), max_size=4),
       st.sampled_from(["en", "fr"]))
def test_any_mix_of_words_and_punctuation_analyses_as_the_pipeline_does(pieces, breaks, lang) -> None:
    text = "".join(pieces)
    assert fast(text, lang, breaks) == reference(text, lang, breaks)


def test_text_without_line_breaks_is_cut_between_sentences_never_inside_a_word() -> None:
    text = ("We had to wait for the manager. " * 4000)[:-1]
    pieces = list(nlp._chunks(text))
    assert len(pieces) > 2
    assert "".join(piece for _, piece in pieces) == text
    for offset, piece in pieces[:-1]:
        assert len(piece) <= nlp.CHUNK
        assert piece.endswith(". ") and offset + len(piece) < len(text)
    got = nlp.analyse(text)
    words = {text[a:b] for a, b in zip(got.starts, got.ends, strict=True)}
    assert words == set("We had to wait for the manager .".split())


def test_text_without_sentence_ends_is_cut_at_whitespace() -> None:
    text = " ".join(f"word{i}" for i in range(30_000))
    for offset, piece in list(nlp._chunks(text))[:-1]:
        assert piece.endswith(" ") and not text[offset + len(piece)].isspace()
    got = nlp.analyse(text)
    assert [text[a:b] for a, b in zip(got.starts, got.ends, strict=True)] == text.split()


def test_one_word_longer_than_a_chunk_is_cut_at_the_chunk_size() -> None:
    text = "x" * (nlp.CHUNK + 10)
    assert [len(piece) for _, piece in nlp._chunks(text)] == [nlp.CHUNK, 10]


def test_chunks_come_one_at_a_time_with_their_own_sentences() -> None:
    text = ("Sentence one is here. " * 5000)
    parts = nlp.analyse_chunks(text)
    first = next(parts)
    assert first.starts[-1] < nlp.CHUNK and first.sent_starts[0] == 0
    assert sum(len(p.starts) for p in parts) + len(first.starts) == len(text.split()) + text.count(".")


def _stored(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute('SELECT source_id, start, "end", lemmas, offsets FROM sentences ORDER BY id').fetchall()


def _expected(source_id: int, text: str, breaks: list[int]) -> list[tuple]:
    starts, ends, lemmas, sents = reference(text, "en", breaks)
    bounds = sents + [len(starts)]
    rows = []
    for a, b in pairwise(bounds):
        pairs = array("i", [v for i in range(a, b) for v in (starts[i], ends[i])])
        rows.append((source_id, starts[a], ends[b - 1], " ".join(lemmas[a:b]), indexing.pack_offsets(pairs)))
    return rows


@pytest.mark.parametrize("stream", [False, True], ids=["analysed first", "streamed"])
def test_stored_sentences_are_the_pipelines(tmp_path: Path, monkeypatch, stream: bool) -> None:
    if stream:
        monkeypatch.setattr(indexing, "_ANALYSE_FIRST", 0)
        monkeypatch.setattr(indexing, "_BATCH", 3)
    text = FIXTURES[0].read_text(encoding="utf-8")[:20_000] + "\nEnd. " + "No breaks here. " * 4000
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    p = Project.create(tmp_path / "p.qda", coder="t")
    docs, _ = sources.read_files([tmp_path / "a.txt"])
    p.run(sources.import_documents, docs)
    with p.read_session() as s:
        body = s.execute(indexing.select(indexing.Source.text)).scalar_one()
        turns = s.execute(indexing.select(indexing.Source.turns)).scalar_one()
    indexing.index_sources(p)
    p.close()
    breaks = [end for _start, end in indexing.speaker_labels(body, indexing.json.loads(turns or "[]"))]
    assert _stored(tmp_path / "p.qda") == _expected(1, body, breaks)


def test_indexing_again_replaces_the_rows_of_both_indexes(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("We had to go. Then we left.\nAna: Fine.\n", encoding="utf-8")
    p = Project.create(tmp_path / "p.qda", coder="t")
    docs, _ = sources.read_files([tmp_path / "a.txt"])
    p.run(sources.import_documents, docs)
    indexing.index_sources(p)
    before = _stored(tmp_path / "p.qda")
    with p.write_session() as s:  # a stale index of both kinds: built again, not added to
        s.execute(indexing.text("UPDATE source_index SET fts_at = NULL, pipeline = 'old'"))
        s.commit()
    indexing.index_sources(p)
    p.close()
    with sqlite3.connect(tmp_path / "p.qda") as db:
        passages = db.execute("SELECT start, body FROM text_fts ORDER BY start").fetchall()
    assert passages == [(0, "We had to go."), (14, "Then we left."), (28, "Ana: Fine.")]
    assert _stored(tmp_path / "p.qda") == before and len(before) == 4


def test_text_with_line_breaks_is_cut_after_the_last_line_break_of_a_chunk() -> None:
    text = "One line. Another sentence.\n" * 4000
    pieces = list(nlp._chunks(text))
    assert all(piece.endswith(".\n") for _, piece in pieces) and "".join(p for _, p in pieces) == text
    assert all(len(piece) > nlp.CHUNK - 30 for _, piece in pieces[:-1])


def test_text_read_in_parts_is_cut_and_split_as_the_whole_text() -> None:
    text = ("Ünïcode 😀 words, “quoted.” Then more.\n" * 300 + "No line break here. " * 6000 + "end")
    for size, shift in ((777, 0), (nlp.CHUNK // 2, 0), (nlp.CHUNK // 2, 3)):  # a chunk filled exactly
        text = text[shift:]
        parts = [text[i:i + size] for i in range(0, len(text), size)]
        assert list(nlp._chunks(iter(parts))) == list(nlp._chunks(text))
        assert list(indexing._passages(iter(parts))) == indexing.passages(text)
    short = "We went.  \n Then? “Yes.”\n\nNo"
    for cut in range(len(short)):  # a part may end inside the spaces after a sentence
        assert list(indexing._passages(iter([short[:cut], short[cut:]]))) == indexing.passages(short)


def test_a_long_source_without_turns_is_read_and_indexed_in_parts(tmp_path: Path, monkeypatch) -> None:
    read_text = indexing._read_text
    monkeypatch.setattr(indexing, "_ANALYSE_FIRST", 0)
    monkeypatch.setattr(indexing, "_READ_BYTES", 1001)  # parts end inside multi-byte characters
    text = "Ünïcode 😀 words, “quoted.” Then more. " * 3000 + "\n\nWe had to go.  Managers HAD TO agree."
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    p = Project.create(tmp_path / "p.qda", coder="t")
    docs, _ = sources.read_files([tmp_path / "a.txt"])
    p.run(sources.import_documents, docs)
    with p.read_session() as s:
        body, turns = s.execute(indexing.select(indexing.Source.text, indexing.Source.turns)).one()
    assert "".join(indexing._read_text(p, 1)) == body and turns in (None, "[]")
    reads = []
    monkeypatch.setattr(indexing, "_read_text", lambda *a: reads.append(a) or "".join(read_text(*a)))
    indexing.index_sources(p)
    assert len(reads) == 1  # once for both indexes, never the whole text at once
    p.close()
    assert _stored(tmp_path / "p.qda") == _expected(1, body, [])
    with sqlite3.connect(tmp_path / "p.qda") as db:
        assert db.execute("SELECT start, body FROM text_fts ORDER BY start").fetchall() == indexing.passages(body)
