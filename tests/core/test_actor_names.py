"""Actor suggestions for a fragment: speakers, the account's actors, known names, pronouns last."""

from __future__ import annotations

from qdaapp.core import actor_names, narrative, sources
from qdaapp.core.models import Speaker
from qdaapp.core.project import Project

from ..conftest import SAMPLE


def _span(text: str) -> tuple[int, int]:
    start = SAMPLE.index(text)
    return start, start + len(text)


def test_speakers_and_account_actors_come_before_pronouns(project: Project) -> None:
    with project.read_session() as s:
        rosa = sources.resolve(s, "Rosa.txt").id
    acc = project.run(narrative.create_account, "Referral")
    question = _span("How did the referral system start?")
    answer = _span("We had to do something")
    project.run(narrative.add_passage, acc, rosa, *question)
    project.run(narrative.assign_role, acc, "practice team", "subject")
    project.run(narrative.add_fragment, acc, "The GP asked us.", actors=["GP", "we"])
    project.run(narrative.add_actor, "Health board")
    with project.read_session() as s:
        names = actor_names.actor_candidates(s, acc, [(rosa, *answer)])
        assert actor_names.passage_speakers(s, [(rosa, *answer)]) == ["P1"]
        assert actor_names.passage_speakers(s, [(rosa, *question)]) == ["Interviewer"]
    assert names[:4] == ["P1", "practice team", "GP", "Interviewer"]
    assert {"Health board", "P1 Rosa", "Rosa"} <= set(names)
    assert names[-len(actor_names.PRONOUNS):] == list(actor_names.PRONOUNS)
    assert len({n.lower() for n in names}) == len(names)


def test_interviewers_are_offered_late(project: Project) -> None:
    with project.read_session() as s:
        rosa = sources.resolve(s, "Rosa.txt").id
    acc = project.run(narrative.create_account, "Referral")
    project.run(narrative.add_passage, acc, rosa, *_span("How did the referral system start?"))
    with project.write_session() as s:
        s.add(Speaker(name="Interviewer", role="interviewer"))
        s.commit()
    with project.read_session() as s:
        names = actor_names.actor_candidates(s, acc)
    assert names.index("Interviewer") > names.index("P1 Rosa")
    assert names.index("Interviewer") < names.index("I")
