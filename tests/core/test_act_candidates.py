"""Candidates for a missing speech act: near the account's passages, same sources and speakers,
found by the act's phrases or the similarity ranking, each with its reason; bad input."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from qdaapp.core import act_candidates, narrative, sources
from qdaapp.core.errors import InvalidInput, NotFound
from qdaapp.core.project import Project

from .test_markers import indexed_sources

ROSA = (
    "Interviewer: How did the referral system start?\n"
    "Rosa: We had to do something, the GP asked us to set it up.\n"
    "Interviewer: What then?\n"
    "Rosa: We started a weekly clinic in March. We never started the night clinic.\n"
    "Interviewer: Did it work?\n"
    "Rosa: It worked for most patients. The room was small.\n"
    "Sam: I ran the clinic on Tuesdays.\n"
    + "\n".join(f"Rosa: The ward had {n} beds that winter." for n in range(3, 23)) + "\n"
    "Rosa: Later we launched a phone line.\n"
)
OTHER = "Lee: We started a clinic too, and it worked.\n"
ASKED = "We had to do something, the GP asked us to set it up."
PAST = "pattern 'I/we/they… + past verb'"


@pytest.fixture
def account(tmp_path: Path):
    project = indexed_sources(tmp_path, {"Rosa.txt": ROSA, "Lee.txt": OTHER})
    account_id = project.run(narrative.create_account, "Referral system")
    start = ROSA.index(ASKED)
    project.run(narrative.add_passage, account_id, "Rosa.txt", start, start + len(ASKED))
    yield project, account_id
    project.close()


def _found(project: Project, account_id: int, act: str, **kw) -> list[act_candidates.Candidate]:
    with project.read_session() as s:
        return act_candidates.candidates(s, account_id, act, **kw)


def test_performance_candidates_are_near_the_passages_in_the_same_source_and_voice(account) -> None:
    project, account_id = account
    (found,) = _found(project, account_id, "performance")
    assert (found.text, found.source, found.speaker) == ("We started a weekly clinic in March.", "Rosa.txt", "Rosa")
    assert found.reasons == (PAST,) and found.marker == "i|we|they|he|she <past>"
    assert ROSA[found.start:found.end] == found.text and ROSA[slice(*found.marked)] == "We started"
    assert found.distance == 2  # the question between counts
    # Sam's "I ran the clinic" is another voice, the phone line is too far away, Lee's clinic
    # another source, "never started" a negated performance.
    assert _found(project, account_id, "performance", near=40)[-1].text == "Later we launched a phone line."
    assert "I ran the clinic on Tuesdays." not in [c.text for c in _found(project, account_id, "performance",
                                                                          near=40)]


def test_sanction_candidates_and_the_account_s_own_passages(account) -> None:
    project, account_id = account
    (found,) = _found(project, account_id, "sanction")
    assert found.text == "It worked for most patients." and found.reason == "pattern 'it/that/this worked'"
    assert found.as_dict()["reasons"] == ["pattern 'it/that/this worked'"]
    # Once the sentence is a passage of the account (here through a fragment), it is no candidate.
    project.run(narrative.add_fragment, account_id, "It worked.", act="sanction",
                passages=[("Rosa.txt", found.start, found.end)])
    assert _found(project, account_id, "sanction") == []


def test_the_similarity_ranking_proposes_and_explains_too(account, monkeypatch: pytest.MonkeyPatch) -> None:
    project, account_id = account
    room = ROSA.index("The room was small.")
    clinic = ROSA.index("We started a weekly")
    asked: dict = {}

    def rank(session, examples, **kw):
        asked.update(kw, examples=list(examples))
        return [SimpleNamespace(source_id=1, start=room, end=room + 19, score=0.9, shared_terms=("room",)),
                SimpleNamespace(source_id=1, start=clinic, end=clinic + 36, score=0.5, shared_terms=("clinic",)),
                SimpleNamespace(source_id=2, start=0, end=10, score=0.8, shared_terms=("clinic",))]

    def examples_of(session, **kw):
        return [SimpleNamespace(**kw)] if kw.get("account_id") else []

    fake = SimpleNamespace(rank=rank, examples_of=examples_of, Example=lambda *a: a)
    monkeypatch.setattr(act_candidates, "similar_module", lambda: fake)
    found = _found(project, account_id, "performance")
    assert [(c.text, c.reasons) for c in found] == [
        ("We started a weekly clinic in March.", (PAST, act_candidates.SIMILAR_OWN)),
        ("The room was small.", (act_candidates.SIMILAR_OWN,))]
    assert found[1].shared_terms == ("room",) and found[1].score == 0.9
    assert asked["sources"] == [1] and asked["unit"] == "sentence" and asked["examples"][0].account_id == account_id


def test_limit_and_bad_input(account, tmp_path: Path) -> None:
    project, account_id = account
    assert len(_found(project, account_id, "performance", near=40)) == 2
    assert len(_found(project, account_id, "performance", near=40, limit=1)) == 1
    with pytest.raises(InvalidInput, match="'acting' is not a speech act"):
        _found(project, account_id, "acting")
    with pytest.raises(InvalidInput, match="Name the speech act"):
        _found(project, account_id, "")
    with pytest.raises(NotFound, match="no account 'Nope'"):
        _found(project, "Nope", "performance")
    empty = project.run(narrative.create_account, "Empty")
    with pytest.raises(InvalidInput, match="'Empty' has no passages yet"):
        _found(project, empty, "performance")
    (tmp_path / "New.txt").write_text("Rosa: We opened a second clinic.\n", encoding="utf-8")
    docs, _ = sources.read_files([tmp_path / "New.txt"])
    project.run(sources.import_documents, docs)
    project.run(narrative.add_passage, empty, "New.txt", 0, 10)
    with pytest.raises(InvalidInput, match="1 source\\(s\\) of the account 'Empty' are not indexed yet"):
        _found(project, empty, "performance")
