"""Speech-act markers: lemmas, adverbs, polarity, subjects, exclusions, speakers, review."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, update

from qdaapp.core import coding, indexing, lexicon, markers, review, sources
from qdaapp.core.errors import InvalidInput, NotFound
from qdaapp.core.models import Lexicon, SearchRun, Sentence, SourceIndex
from qdaapp.core.project import Project

TEXT = (
    "Interviewer: What happened next?\n"
    "P2: We had to do everything again. The manager asked us to start over. "
    "I really wanted to help. We have really got to change it. "
    "I wasn't able to go. They were unable to come. "
    "It has to do with money. I knew how to fix it. "
    "You don't have to worry.\n"
    "Interviewer: Did it work?\n"
    "P2: It worked well in the end.\n"
)


def indexed_sources(tmp_path: Path, files: dict[str, str]) -> Project:
    """A project (coder 'tester') with one source per file name and text of ``files``, indexed."""
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    project = Project.create(tmp_path / "m.qda", coder="tester")
    docs, _ = sources.read_files([tmp_path / name for name in files])
    project.run(sources.import_documents, docs)
    indexing.index_sources(project)
    return project


def _indexed(tmp_path: Path, body: str, name: str = "T.txt") -> Project:
    """A project with one source holding ``body``, indexed."""
    return indexed_sources(tmp_path, {name: body})


def run_every_marker(project: Project) -> int:
    """Run the project's lexicon over every source as 'tester'; the run's id."""
    with project.read_session() as s:
        spec = lexicon.load(s)
    return project.run(markers.run_markers, spec, coder="tester")


@pytest.fixture
def marker_project(tmp_path: Path):
    project = _indexed(tmp_path, TEXT, "P2.txt")
    yield project
    project.close()


def _hits(project: Project, **kw) -> list[markers.MarkerHit]:
    with project.read_session() as s:
        return markers.find_markers(s, markers.CompiledLexicon(lexicon.load(s)), **kw)


def _at(hits, phrase: str):
    start = TEXT.index(phrase)
    return [h for h in hits if h.start <= start < h.end or start <= h.start < start + len(phrase)]


def test_lemmas_adverbs_polarity_subjects_speakers(marker_project: Project) -> None:
    hits = _hits(marker_project)
    (had,) = _at(hits, "had to do")
    assert ((had.act, had.marker, had.polarity, had.subject, had.speaker)
            == ("manipulation", "have to", "positive", "we", "P2"))
    assert TEXT[had.start:had.end] == "had to"
    assert TEXT[had.sentence_start:had.sentence_end] == "We had to do everything again."
    (asked,) = _at(hits, "asked us to")
    assert asked.marker == "asked * to"
    (wanted,) = _at(hits, "wanted to")
    assert (wanted.act, wanted.subject) == ("commitment", "I")
    (got,) = _at(hits, "have really got to")
    assert got.marker == "have got to" and TEXT[got.start:got.end] == "have really got to"
    (able,) = _at(hits, "able to go")
    assert (able.act, able.polarity, able.subject) == ("competence", "negative", "I")
    (unable,) = _at(hits, "unable to")
    assert (unable.marker, unable.polarity, unable.subject) == ("unable to", "negative", "they")
    assert not _at(hits, "has to do with")
    (knew,) = _at(hits, "knew how to")
    assert knew.marker == "know how to"
    (dont,) = _at(hits, "have to worry")
    assert (dont.polarity, dont.subject) == ("negative", "you")
    (worked,) = _at(hits, "worked well")
    assert worked.act == "sanction"


def test_acts_filter_and_empty_project(marker_project: Project, tmp_path: Path) -> None:
    assert {h.act for h in _hits(marker_project, acts=["competence"])} == {"competence"}
    empty = Project.create(tmp_path / "empty.qda")
    try:
        with empty.read_session() as s:
            spec = lexicon.load(s)
        with pytest.raises(InvalidInput, match="nothing to search"):
            empty.run(markers.run_markers, spec)
    finally:
        empty.close()


def test_run_is_stored_and_reviewed(marker_project: Project) -> None:
    p = marker_project
    with p.read_session() as s:
        spec = lexicon.load(s)
    run_id = p.run(markers.run_markers, spec, coder="tester")
    with p.read_session() as s:
        rows = review.list_hits(s, run_id)
        have = review.select_hits(s, run_id, marker="have to")
    assert len(rows) == 9 and all(r.status == "candidate" for r in rows)
    result = p.run(review.accept_hits, run_id, have, spread="sentence", coder="tester")
    assert result["accepted"] == len(have) == 2
    with p.read_session() as s:
        coded = coding.list_codings(s, node_ref="Speech acts/manipulation")
        assert {c.text for c in coded} == {"We had to do everything again.", "You don't have to worry."}
        assert all(c.origin == f"markers:{run_id}" for c in coded)
        assert review.speech_act_nodes(s).keys() == {"manipulation"}
    p.run(review.reject_hits, run_id, have[:1], coder="tester")
    assert p.summary()["codings"] == 1
    assert p.verify_audit().ok
    with p.read_session() as s:
        with pytest.raises(NotFound):
            review.select_hits(s, run_id, hit_ids=[99999])


def test_turn_spread(marker_project: Project) -> None:
    p = marker_project
    with p.read_session() as s:
        spec = lexicon.load(s)
    run_id = p.run(markers.run_markers, spec, coder="tester")
    with p.read_session() as s:
        (hit,) = [h for h in review.list_hits(s, run_id) if h.act == "sanction"]
    p.run(review.accept_hits, run_id, [hit.id], spread="turn", coder="tester")
    with p.read_session() as s:
        (c,) = coding.list_codings(s, node_ref="Speech acts/sanction")
    assert c.text == "P2: It worked well in the end."


def test_lexicon_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[lexicon]\nname = "x"\n\n[acts.manipulation]\nphrases = ["have to", 3]\n', encoding="utf-8")
    with pytest.raises(lexicon.LexiconError, match=r"bad.toml .*line 4"):
        lexicon.load_file(bad)
    bad.write_text('[lexicon]\nname = "x"\n[acts.wishing]\nphrases = ["hope"]\n', encoding="utf-8")
    with pytest.raises(lexicon.LexiconError, match=r"line 3.*'wishing' is not a speech act"):
        lexicon.load_file(bad)
    bad.write_text('[lexicon]\nname = "x\n', encoding="utf-8")
    with pytest.raises(lexicon.LexiconError, match=r"bad.toml has an error: .*line 2"):
        lexicon.load_file(bad)


def test_lexicon_edit_keeps_project_version(marker_project: Project) -> None:
    p = marker_project
    v = p.run(lexicon.edit_lexicon, "greimas-en", add=("commitment", "be keen to"))
    assert v == 4  # one above the shipped version 3
    p.run(lexicon.edit_lexicon, "greimas-en", move=("should", "commitment"))
    with p.read_session() as s:
        spec = lexicon.load(s)
    assert spec.version == 5
    assert "should" in [ph.text for ph in spec.acts["commitment"].phrases]
    with pytest.raises(InvalidInput):
        p.run(lexicon.edit_lexicon, "greimas-en", add=("commitment", "will"))


FIXTURE_MODALS = re.compile(
    r"\b(?:(?:have|has|had|having)\s+to|(?:want|wants|wanted|wanting)\s+to|(?:un)?able\s+to"
    r"|(?:know|knows|knew|knowing|known)\s+how\s+to)\b", re.IGNORECASE,
)


def test_fixture_transcripts_every_regex_modal_is_found(fixtures_root: Path, tmp_path: Path) -> None:
    """Every modal 'have to / want to / able to / know how to' a regex finds is a marker hit,
    except the uses the lexicon excludes on purpose ('has to do with')."""
    p = Project.create(tmp_path / "fx.qda")
    try:
        docs, failures = sources.read_files(sorted((fixtures_root / "transcripts" / "txt").glob("*.txt")))
        assert not failures
        p.run(sources.import_documents, docs)
        indexing.index_sources(p)
        hits = _hits(p)
        left_out = []
        with p.read_session() as s:
            for info in sources.list_sources(s):
                text = sources.text_and_pages(s, info.id)[0]
                mine = [h for h in hits if h.source_id == info.id]
                for m in FIXTURE_MODALS.finditer(text):
                    if not any(h.start <= m.start() < h.end for h in mine):
                        left_out.append(text[m.start():m.end() + 12].lower())
        assert all(re.match(r"ha\w+\s+to\s+do\s+with", x) for x in left_out), left_out
    finally:
        p.close()


def test_suggest_act_from_stored_hits(marker_project: Project) -> None:
    with marker_project.read_session() as s:
        spec = lexicon.load(s)
    run = marker_project.run(markers.run_markers, spec, coder="tester")
    start = TEXT.index("We had to do everything")
    end = TEXT.index("I really wanted")
    with marker_project.read_session() as s:
        assert review.suggest_act(s, [(1, start, end)]) == ("manipulation", "have to")
        negated = TEXT.index("You don't have to worry.")
        assert review.suggest_act(s, [(1, negated, negated + 24)]) is None  # "don't have to"
        assert review.suggest_act(s, [(1, 0, 30)]) is None
    assert run


DENSE = (
    "We have to have to go. I had to, and then we had really got to stop. We have nothing to do with it, "
    "but we have to do it. You need to know basis was the rule, yet they need to know. "
    "We were not supposed to, we were told to wait and they told us to go and asked Rosa to stay. "
    "I can. She will. We must. It failed, and it did not work, and then it went well and was a success. "
    "We set up a group, we did it, we ran it and we put on a show. I would like to and I wanted to. "
    "He figured out how to, she learned how to swim and they were able to, not unable to, to have to."
)


def test_windows_find_what_whole_sentences_find(tmp_path: Path) -> None:
    """The cut-down windows give the Matcher the same matches as whole sentences would."""
    (tmp_path / "dense.txt").write_text(DENSE, encoding="utf-8")
    project = Project.create(tmp_path / "d.qda", coder="tester")
    docs, _ = sources.read_files([tmp_path / "dense.txt"])
    project.run(sources.import_documents, docs)
    indexing.index_sources(project)
    with project.read_session() as s:
        compiled = markers.CompiledLexicon(lexicon.load(s))
        windowed = markers.find_markers(s, compiled)
        # No pre-test and no cut: every occurrence of a first word is matched up to its sentence's end.
        for first in compiled.reach:
            compiled.reach[first] = 10_000
            compiled.nexts[first] = None
            compiled.finals[first] = None
        whole = markers.find_markers(s, compiled)
    project.close()
    assert len(windowed) >= 25
    assert windowed == whole
    found = {(DENSE[h.start:h.end].lower(), h.act) for h in windowed}
    assert ("have to", "manipulation") in found and ("have nothing to do", "manipulation") not in found
    assert sum(1 for h in windowed if h.marker == "have to") >= 4


def _spans(body: str, hits: list[markers.MarkerHit]) -> set[tuple[str, str]]:
    """(text of the sentence, text of the marker) of each hit."""
    return {(body[h.sentence_start:h.sentence_end], body[h.start:h.end]) for h in hits}


NOT_MARKERS = [
    "They sent the Air Force to help with the floods.",  # a capitalised name ("forced to")
    "Pilots train for G-forces to build up slowly.",  # a hyphenated noun ("forced to")
    "We had gotten to the point where nobody cared.",  # reaching a point ("have got to")
    "I've got to a stage where it is easy.",
    "Nobody liked the plan to merge the wards.",  # nouns after a determiner ("planned to", "promised to")
    "Their promises to the staff were broken.",
    "Everyone felt a need to talk.",
    "It has to do with money.",  # excluded in the lexicon
    "Then I'm going to the repository itself.",  # going somewhere
]
STILL_MARKERS = [
    ("Then Rosa had to leave early.", "had to"),  # a name before the marker is its subject
    ("Had to stop there, she said.", "Had to"),  # a capital at the start of a sentence
    ("He said: \"Have to go now.\"", "Have to"),  # a capital after punctuation
    ("WE HAD TO CLOSE THE WARD.", "HAD TO"),  # text all in capitals
    ("The Air Force had to fly them out.", "had to"),
    ("We were forced to close.", "forced to"),
    ("We planned to merge the wards.", "planned to"),
    ("She promises to call back.", "promises to"),
    ("We've got to change it.", "'ve got to"),
    ("I'm going to ask them.", "'m going to"),
    ("We agreed to the plan.", "agreed to"),  # agreeing to something is still commitment
    ("I was a well-trained nurse, able to cope.", "able to"),
]


@pytest.fixture(scope="module")
def found_in_examples(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str]]:
    """(sentence, marker text) of every hit in NOT_MARKERS and STILL_MARKERS, indexed once."""
    body = " ".join(NOT_MARKERS + [s for s, _ in STILL_MARKERS])
    project = _indexed(tmp_path_factory.mktemp("examples"), body)
    try:
        # Stage 1 acts: "They sent the Air Force" is a performance (a past action), not a "forced to".
        return _spans(body, _hits(project, acts=["manipulation", "commitment", "competence"]))
    finally:
        project.close()


@pytest.mark.parametrize("sentence", NOT_MARKERS)
def test_names_nouns_and_other_uses_are_not_markers(found_in_examples: set, sentence: str) -> None:
    assert not [m for s, m in found_in_examples if s == sentence]


@pytest.mark.parametrize("sentence, marker", STILL_MARKERS)
def test_subjects_sentence_starts_and_verbs_still_are(found_in_examples: set, sentence: str, marker: str) -> None:
    assert (sentence, marker) in found_in_examples


PUBLISHED = {
    "manipulation": ["We have to go.", "She had to go.", "He has to go.", "Having to go was hard.",
                     "We have really got to go."],
    "commitment": ["I want to go.", "I wanted to go.", "She wants to go.", "Wanting to go, we left."],
    "competence": ["We were able to go.", "She was able to go.", "I know how to do it.", "He knew how to do it.",
                   "She knows how to do it.", "We were unable to go."],
}


def test_the_four_published_markers_and_their_forms_are_found(tmp_path: Path) -> None:
    sentences = [(act, s) for act, items in PUBLISHED.items() for s in items]
    body = " ".join(s for _act, s in sentences)
    project = _indexed(tmp_path, body)
    try:
        hits = _hits(project)
    finally:
        project.close()
    by_sentence = {body[h.sentence_start:h.sentence_end]: h.act for h in hits}
    assert by_sentence == dict((s, act) for act, s in sentences)


MODALS = ("I can help. They could come. We will see. You would know. We must go. They should stop. We may try. "
          "It might work.")


def test_bare_modals_are_a_group_that_is_off_by_default(tmp_path: Path) -> None:
    body = MODALS + " I would like to help. It was in May, and we agreed to wait."
    project = _indexed(tmp_path, body)
    try:
        with project.read_session() as s:
            spec = lexicon.load(s)
        group = spec.groups["modals"]
        assert not group.enabled and "low precision" in group.label
        assert "modals" not in spec.default_groups()
        default = _hits(project)
        with project.read_session() as s:
            every = markers.find_markers(s, markers.CompiledLexicon(spec, ["modals"]))
            with pytest.raises(InvalidInput, match="'nope' is not a phrase group of lexicon greimas-en"):
                markers.CompiledLexicon(spec, ["nope"])
        run_id = project.run(markers.run_markers, spec, coder="tester", groups=["modals"])
        with project.read_session() as s:
            params = json.loads(s.get(SearchRun, run_id).params)
    finally:
        project.close()
    assert {body[h.start:h.end] for h in default} == {"would like to", "agreed to"}
    words = {body[h.start:h.end]: h for h in every}
    assert set(words) == {"can", "could", "will", "would", "must", "should", "may", "might", "would like to",
                          "agreed to"}  # "May" the month is a name, not the modal
    assert (words["can"].act, words["could"].act, words["could"].marker) == ("competence", "competence", "can")
    assert (words["must"].act, words["will"].act) == ("manipulation", "commitment")
    assert params["groups"] == ["modals"]


def _old_copy(version: int, extra: str = "") -> str:
    """A project copy as version 1 of greimas-en had it: no groups, the bare modals used like any phrase."""
    spec = lexicon.load_file(lexicon.available()["greimas-en"])
    spec.groups, spec.determiners, spec.version = {}, [], version
    for act in spec.acts.values():
        act.phrases = [lexicon.Phrase(p.text, p.polarity) for p in act.phrases]
    if extra:
        spec.acts["commitment"].phrases.append(lexicon.Phrase(extra))
    return lexicon.dump(spec)


def test_an_unedited_project_copy_gets_the_new_default_an_edited_one_stays(marker_project: Project) -> None:
    p = marker_project
    with p.write_session() as s:
        s.add(Lexicon(name="greimas-en", version=1, content=_old_copy(1)))
        s.commit()
    with p.read_session() as s:
        spec = lexicon.load(s)
    assert spec.version == 3 and not spec.groups["modals"].enabled and spec.determiners
    with p.write_session() as s:
        s.get(Lexicon, "greimas-en").version, s.get(Lexicon, "greimas-en").content = 2, _old_copy(2, "be keen to")
        s.commit()
    with p.read_session() as s:
        mine = lexicon.load(s)
    assert mine.version == 2 and not mine.groups and "be keen to" in [x.text for x in mine.acts["commitment"].phrases]
    # The user's copy keeps running its bare modals, as before.
    assert "can" in {phrase for _act, phrase, _polarity in markers.CompiledLexicon(mine).keys.values()}


def test_groups_and_determiners_survive_an_edit(marker_project: Project) -> None:
    p = marker_project
    p.run(lexicon.edit_lexicon, "greimas-en", move=("can", "manipulation"))
    with p.read_session() as s:
        spec = lexicon.load(s)
    moved = next(x for x in spec.acts["manipulation"].phrases if x.text == "can")
    assert moved.group == "modals" and spec.groups["modals"].label == "Bare modal verbs (low precision)"
    assert not spec.groups["modals"].enabled and "their" in spec.determiners
    assert lexicon.parse(lexicon.dump(spec), "copy") == spec


@pytest.mark.parametrize("body, message", [
    ('[acts.manipulation]\nphrases = [{ phrase = "must", group = "modal" }]\n',
     r"bad.toml .*line 5: the phrase 'must' names the group 'modal', which has no \[groups.modal\] table"),
    ('[groups.modals]\nenabled = "no"\n[acts.manipulation]\nphrases = ["must"]\n',
     r"line 5: enabled of groups.modals must be true or false"),
    ('[acts.manipulation]\nphrases = ["have to"]\nexclude = ["have got to the|"]\n',
     r"line 6: the excluded use 'have got to the\|' of manipulation needs words"),
])
def test_group_and_choice_errors_name_the_line(tmp_path: Path, body: str, message: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[lexicon]\nname = "x"\n\n' + body, encoding="utf-8")
    with pytest.raises(lexicon.LexiconError, match=message):
        lexicon.load_file(bad)


def test_sources_indexed_with_an_older_lemma_index_are_indexed_again(tmp_path: Path) -> None:
    body = "Had to stop the clinic. WE HAD TO start again.\n"
    project = _indexed(tmp_path, body)
    with project.write_session() as s:  # as a project indexed before sentence openings were lower-cased
        s.execute(update(SourceIndex).values(pipeline="blank-en"))
        s.execute(update(Sentence).values(lemmas=func.replace(Sentence.lemmas, "have", "had")))
        s.commit()
    with project.read_session() as s:
        assert indexing.pending(s) == [1]
        assert _hits(project) == []
    assert indexing.index_sources(project) == 1
    with project.read_session() as s:
        assert indexing.pending(s) == []
    assert [body[h.start:h.end] for h in _hits(project)] == ["Had to", "HAD TO"]
    project.close()


def test_hits_are_the_same_whatever_the_sentence_batches(marker_project: Project,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Sentences are read in batches; a batch boundary anywhere changes no hit and no order."""
    whole = _hits(marker_project)
    assert len({h.sentence_start for h in whole}) >= 3
    for size in (1, 2, 3):
        monkeypatch.setattr(markers, "SENTENCE_BATCH", size)
        assert _hits(marker_project) == whole, size


def test_listed_hits_carry_their_own_sources_sentences(tmp_path: Path) -> None:
    """list_hits cuts each sentence from its own source's text, read one source at a time."""
    texts = {"A.txt": "We had to leave early. Then we had to wait.\n",
             "B.txt": "Nobody was able to help. They have to come back.\n"}
    for name, body in texts.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    project = Project.create(tmp_path / "two.qda", coder="tester")
    try:
        docs, _ = sources.read_files([tmp_path / n for n in texts])
        project.run(sources.import_documents, docs)
        indexing.index_sources(project)
        with project.read_session() as s:
            spec = lexicon.load(s)
        run_id = project.run(markers.run_markers, spec, coder="tester")
        with project.read_session() as s:
            rows = review.list_hits(s, run_id)
    finally:
        project.close()
    assert {r.source for r in rows} == set(texts)
    for r in rows:
        assert r.sentence == texts[r.source][r.sentence_start:r.sentence_end]
        assert r.as_dict() == dataclasses.asdict(r)
