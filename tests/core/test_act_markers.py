"""Performance and sanction markers: an actor and a past-tense verb, evaluations of a result,
negation that keeps a sanction, the groups that switch them off, and the pattern each hit names."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdaapp.core import lexicon, markers, review

from .test_markers import indexed_sources

PAST_PATTERN = "i|we|they|he|she <past>"

PERFORMED = [
    ("We started a walk-in clinic.", "We started", "we"),
    ("I ran the clinic on Tuesdays.", "I ran", "I"),
    ("Then they started the audit.", "they started", "they"),
    ("We finally launched the new rota.", "We finally launched", "we"),
    ("I've organised the training twice.", "I've organised", "I"),
    ("She trained the new staff.", "She trained", "she"),
    ("They built a small team around it.", "They built", "they"),
    ("They’d finished the rota by May.", "They’d finished", "they"),  # a curly apostrophe
    ("We did a lot of training.", "We did", "we"),
]
NOT_PERFORMED = [
    "We start the clinic tomorrow.",  # present tense
    "I want a quieter ward.",  # a wish, present
    "I wanted a quieter ward.",  # a wish, past: not something done
    "We thought about it for weeks.",  # a thought
    "I said it was fine.",  # saying
    "The nurses start at eight.",  # no personal subject
    "We need more beds.",  # "need" ends in -ed but is its own lemma
    "I do the rota on Mondays.",  # "do", not "did"
    "We didn't know the answer.",  # not doing
]
SANCTIONED = [
    ("It worked.", "It worked", "it|that|this =worked"),
    ("It didn't work at all.", "It didn't work", "it|that|this did not|n’t work"),
    ("It didn’t work at all.", "It didn’t work", "it|that|this did not|n’t work"),  # a curly apostrophe
    ("It never worked, sadly.", "It never worked", "it|that|this =worked"),
    ("The launch went really well.", "went really well", "went well"),
    ("The pilot was a success.", "was a success", "was a success"),
    ("It failed after a month.", "It failed", "it|that|this =failed"),
    ("It made a real difference to the patients.", "made a real difference", "made a * difference"),
    ("We were proud of the team.", "were proud", "were proud"),
]
NOT_SANCTIONED = [
    "Did it work?",  # a question about the result
    "That's how it worked on our ward.",  # how something works, not a judgement
    "It works with the old system too.",  # what something does, not how it went
    "I did this work for years.",  # work, the noun
    "I don't work on Fridays.",  # a person not working is no evaluation
]


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[markers.MarkerHit]]:
    """(text, every hit of the shipped lexicon) for one source holding all the example sentences."""
    body = " ".join([s for s, _, _ in PERFORMED] + NOT_PERFORMED + [s for s, _, _ in SANCTIONED] + NOT_SANCTIONED)
    project = indexed_sources(tmp_path_factory.mktemp("acts"), {"Acts.txt": body})
    try:
        with project.read_session() as s:
            return body, markers.find_markers(s, markers.CompiledLexicon(lexicon.load(s), cache=False))
    finally:
        project.close()


def _in(body: str, hits: list[markers.MarkerHit], sentence: str) -> list[markers.MarkerHit]:
    start = body.index(sentence)
    return [h for h in hits if start <= h.start < start + len(sentence)]


@pytest.mark.parametrize(("sentence", "marked", "subject"), PERFORMED)
def test_an_actor_and_a_past_tense_verb_is_a_performance(found, sentence: str, marked: str, subject: str) -> None:
    body, hits = found
    (hit,) = _in(body, hits, sentence)
    assert (hit.act, hit.marker, hit.polarity) == ("performance", PAST_PATTERN, "positive")
    assert body[hit.start:hit.end] == marked
    assert hit.subject == subject


@pytest.mark.parametrize("sentence", NOT_PERFORMED)
def test_present_tense_wishes_thoughts_and_sayings_are_not_performances(found, sentence: str) -> None:
    body, hits = found
    assert not [h for h in _in(body, hits, sentence) if h.act == "performance"]


@pytest.mark.parametrize(("sentence", "marked", "pattern"), SANCTIONED)
def test_evaluations_are_sanctions_and_a_negation_keeps_them_so(found, sentence: str, marked: str,
                                                                 pattern: str) -> None:
    body, hits = found
    (hit,) = [h for h in _in(body, hits, sentence) if h.act == "sanction"]
    assert (hit.marker, hit.polarity) == (pattern, "positive")
    assert body[hit.start:hit.end] == marked


@pytest.mark.parametrize("sentence", NOT_SANCTIONED)
def test_questions_and_descriptions_of_how_it_works_are_not_sanctions(found, sentence: str) -> None:
    body, hits = found
    assert not [h for h in _in(body, hits, sentence) if h.act == "sanction"]


def test_a_negated_performance_is_still_negated(tmp_path: Path) -> None:
    body = "We never started the clinic. Rosa didn’t have to come."  # a curly apostrophe negates too
    project = indexed_sources(tmp_path, {"N.txt": body})
    try:
        with project.read_session() as s:
            hits = markers.find_markers(s, markers.CompiledLexicon(lexicon.load(s), cache=False))
    finally:
        project.close()
    by_act = {h.act: h for h in hits}
    assert body[by_act["performance"].start:by_act["performance"].end] == "We never started"
    assert by_act["performance"].polarity == lexicon.NEGATED
    assert by_act["manipulation"].polarity == lexicon.NEGATED


def test_a_phrase_that_names_the_act_hides_the_past_pattern_it_overlaps(tmp_path: Path) -> None:
    body = "They've set up a group. We rolled out the system in May."
    project = indexed_sources(tmp_path, {"S.txt": body})
    try:
        with project.read_session() as s:
            hits = markers.find_markers(s, markers.CompiledLexicon(lexicon.load(s), cache=False))
    finally:
        project.close()
    assert [(body[h.start:h.end], h.marker, h.subject) for h in hits] == [
        ("set up", "set up", "they"), ("rolled out", "rolled out", "we")]


def test_groups_switch_performance_and_sanction_off_and_runs_store_the_pattern(tmp_path: Path) -> None:
    body = "We started the clinic. It worked. I had to go."
    project = indexed_sources(tmp_path, {"G.txt": body})
    try:
        with project.read_session() as s:
            spec = lexicon.load(s)
        assert {"performance", "sanction"} <= set(spec.default_groups())
        assert spec.groups["performance"].enabled and spec.groups["sanction"].enabled
        run_all = project.run(markers.run_markers, spec, coder="tester")
        run_without = project.run(markers.run_markers, spec, coder="tester", groups=["sanction"])
        with project.read_session() as s:
            every = review.list_hits(s, run_all)
            fewer = review.list_hits(s, run_without)
            picked = review.select_hits(s, run_all, marker=PAST_PATTERN)
    finally:
        project.close()
    assert sorted((h.act, h.marker) for h in every) == [
        ("manipulation", "have to"), ("performance", PAST_PATTERN), ("sanction", "it|that|this =worked")]
    assert sorted(h.act for h in fewer) == ["manipulation", "sanction"]
    assert len(picked) == 1  # the pattern is the hit's marker: the queue groups and accepts by it


def test_past_needs_a_rule_and_must_end_the_phrase(tmp_path: Path) -> None:
    head = '[lexicon]\nname = "x"\n[past]\nendings = ["ed"]\n'
    bad = tmp_path / "bad.toml"
    bad.write_text(head + '[acts.performance]\nphrases = ["we <past> it"]\n', encoding="utf-8")
    with pytest.raises(lexicon.LexiconError, match=r"line 6.*<past> must be the last word"):
        lexicon.load_file(bad)
    bad.write_text('[lexicon]\nname = "x"\n[acts.performance]\nphrases = ["we <past>"]\n', encoding="utf-8")
    with pytest.raises(lexicon.LexiconError, match=r"line 4.*no \[past\] table"):
        lexicon.load_file(bad)
    bad.write_text(head + '[acts.sanction]\nphrases = ["it worked"]\nnegation_keeps_act = "yes"\n', encoding="utf-8")
    with pytest.raises(lexicon.LexiconError, match="negation_keeps_act of sanction must be true or false"):
        lexicon.load_file(bad)


def test_the_past_rule_and_negation_survive_an_edit(tmp_path: Path) -> None:
    project = indexed_sources(tmp_path, {"E.txt": "They delivered the boxes. It didn't work."})
    try:
        project.run(lexicon.edit_lexicon, "greimas-en", add=("performance", "delivered the"))
        with project.read_session() as s:
            spec = lexicon.load(s)
    finally:
        project.close()
    shipped = lexicon.load_file(lexicon.available()["greimas-en"])
    assert spec.version == shipped.version + 1 and spec.past == shipped.past
    assert spec.acts["sanction"].negation_keeps_act and not spec.acts["performance"].negation_keeps_act
    assert spec.past.is_past("Started", "start") and spec.past.is_past("ran", "run")
    assert not spec.past.is_past("need", "need") and not spec.past.is_past("start", "start")


def test_the_scan_for_we_and_a_past_verb_finds_what_the_matcher_would(found, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    body, fast = found
    extra = ("We really have finished it. They just started, I had not started, we'd really set up a group. "
             "I very quickly ran. We have. They, started.")
    project = indexed_sources(tmp_path, {"Acts.txt": body, "More.txt": extra})
    try:
        with project.read_session() as s:
            spec = lexicon.load(s)
            scanned = markers.find_markers(s, markers.CompiledLexicon(spec, cache=False))
            monkeypatch.setattr(markers, "SCAN_PAST", False)
            matched = markers.find_markers(s, markers.CompiledLexicon(spec, cache=False))
    finally:
        project.close()
    assert scanned == matched
    assert [h for h in scanned if h.source_id == 1] == fast
    # "We really have finished", "They just started", "I had not started" (negated); not "They, started".
    assert len([h for h in scanned if h.source_id == 2 and h.marker == PAST_PATTERN]) == 3
