"""Speakers and roles: each guessing rule, the user's word (undoable), and interviewer spans."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from qdaapp.core import sources, speakers
from qdaapp.core.errors import InvalidInput, NotFound
from qdaapp.core.models import AuditEvent
from qdaapp.core.project import Project
from qdaapp.core.speakers import INTERVIEWER, PARTICIPANT, inside, label_role, subtract

ASKING = (
    "Maria: Thanks for coming. How did it start?\n"
    "Joe: We had a meeting in March and the manager said we had to change the whole rota by summer.\n"
    "Maria: Who decided that?\n"
    "Joe: The board, mostly. Nobody asked the nurses, so why would it go well?\n"
    "Maria: And then what happened?\n"
    "Joe: We wrote a letter. It took weeks, but in the end they listened to us and changed it.\n"
)


def _project(tmp_path: Path, texts: dict[str, str]) -> Project:
    project = Project.create(tmp_path / "p.qda", coder="tester")
    for name, body in texts.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
        docs, failures = sources.read_files([tmp_path / name])
        assert not failures
        project.run(sources.import_documents, docs)
    return project


def _roles(project: Project) -> dict[str, tuple]:
    with project.read_session() as s:
        return {i.name: (i.role, i.guessed, i.reason) for i in speakers.list_speakers(s)}


@pytest.mark.parametrize("label, role", [
    ("I", INTERVIEWER), ("Q", INTERVIEWER), ("Int.", INTERVIEWER), ("Interviewer", INTERVIEWER),
    ("Researcher 1", INTERVIEWER), ("Moderator", INTERVIEWER), ("Facilitator 2", INTERVIEWER),
    ("A", PARTICIPANT), ("R", PARTICIPANT), ("P1", PARTICIPANT), ("Participant 3", PARTICIPANT),
    ("Respondent", PARTICIPANT), ("Interviewee", PARTICIPANT),
    ("Ana", None), ("Sara Mannheimer", None), ("Isabel", None), ("BSR01", None),
])
def test_labels_name_their_role(label: str, role: str | None) -> None:
    assert label_role(label) == role


def test_labels_decide_and_the_other_speaker_answers(tmp_path: Path) -> None:
    p = _project(tmp_path, {"a.txt": "Q: Where do you work?\nBen: At the clinic, since 2019.\n"})
    roles = _roles(p)
    assert roles["Q"] == (INTERVIEWER, True, "the label 'Q' means interviewer")
    assert roles["Ben"] == (PARTICIPANT, True, "speaks with Q in a.txt")
    p.close()


HEADED = ("Interviewer(s): Jane Doe, Tom Lee\n\n"
          "Ruth: I started in 1990, long before the merger, and stayed until it closed?\n"
          "Jane: Tell me more.\nRuth: There is not much to tell, it was a small place?\n"
          "Tom: Did you like it.\nRuth: Yes, very much, it was a good team to work with?\n")


def test_header_names_the_interviewers(tmp_path: Path) -> None:
    p = _project(tmp_path, {"b.txt": HEADED})
    roles = _roles(p)
    # Ruth asks the most "questions", but the header says who interviewed.
    assert roles["Jane"] == (INTERVIEWER, True, "named as interviewer in the header of b.txt")
    assert roles["Tom"][0] == INTERVIEWER
    assert roles["Ruth"] == (PARTICIPANT, True, "speaks with Jane in b.txt")
    p.close()


def test_header_names_the_interviewee_and_outweighs_questions_elsewhere(tmp_path: Path) -> None:
    named = "Interviewee: Ruth Pym\n\nRuth: It was a small place.\nJane: Was it?\nRuth: Yes.\n"
    asked = "Ruth: Why did you go?\nJane: Money.\nRuth: And then?\nJane: I came back.\nRuth: Why?\nJane: Family.\n"
    p = _project(tmp_path, {"b.txt": named, "c.txt": asked, "d.txt": asked.replace("Money", "Pay")})
    roles = _roles(p)
    assert roles["Ruth"] == (PARTICIPANT, True, "named as participant in the header of b.txt")
    assert roles["Jane"] == (PARTICIPANT, True, "speaks with Ruth in 2 sources")
    p.close()


def test_who_asks_the_questions_interviews(tmp_path: Path) -> None:
    p = _project(tmp_path, {"c.txt": ASKING})
    roles = _roles(p)
    assert roles["Maria"] == (INTERVIEWER, True, "asks 75% of the questions in c.txt")
    assert roles["Joe"] == (PARTICIPANT, True, "speaks with Maria in c.txt")
    p.close()


def test_first_speaker_in_much_shorter_turns_interviews_when_nobody_asks(tmp_path: Path) -> None:
    text = ("Lena: Tell me about the ward.\n"
            "Omar: It was busy all the time, with too few staff and a manager who never listened to anyone.\n"
            "Lena: Go on.\n"
            "Omar: So we organised ourselves, wrote our own rota and shared the night shifts between us.\n")
    p = _project(tmp_path, {"d.txt": text})
    roles = _roles(p)
    assert roles["Lena"] == (INTERVIEWER, True, "speaks first and in much shorter turns in d.txt")
    assert roles["Omar"][0] == PARTICIPANT
    p.close()


def test_one_speaker_or_no_sign_means_no_guess(tmp_path: Path) -> None:
    p = _project(tmp_path, {
        "e.txt": "Kim: I kept a diary that year. It helped me a lot.\nKim: Later I stopped.\n",
        "f.txt": "Ava: We met at noon and talked.\nEli: Then we went home.\n",
    })
    roles = _roles(p)
    assert roles["Kim"] == (None, True, "the only speaker in its source(s)")
    assert roles["Ava"][0] is None and roles["Eli"][0] is None
    with p.read_session() as s:
        assert speakers.interviewer_spans(s) == {}
    p.close()


def test_votes_of_several_sources_are_counted(tmp_path: Path) -> None:
    second = ASKING.replace("Joe", "Zoe")
    third = "Maria: I did it myself. It took a year, and the board paid for it.\nZoe: Why?\nMaria: Because.\n"
    p = _project(tmp_path, {"c.txt": ASKING, "g.txt": second, "h.txt": third})
    assert _roles(p)["Maria"] == (INTERVIEWER, True, "asks 75% of the questions in 2 sources")
    p.close()


def test_setting_a_role_is_audited_undoable_and_informs_the_guess(tmp_path: Path) -> None:
    p = _project(tmp_path, {"c.txt": ASKING})
    p.run(speakers.set_roles, {"Joe": INTERVIEWER}, coder="tester")
    roles = _roles(p)
    assert roles["Joe"] == (INTERVIEWER, False, "set by you")
    # Joe is now the known interviewer of c.txt, so Maria answers him.
    assert roles["Maria"] == (PARTICIPANT, True, "speaks with Joe in c.txt")
    with p.read_session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.summary) == ("speaker.set_role", "set speaker 'Joe' as interviewer")
    p.undo()
    assert _roles(p)["Joe"] == (PARTICIPANT, True, "speaks with Maria in c.txt")
    p.redo()
    p.run(speakers.set_roles, {"Joe": None}, coder="tester")
    assert _roles(p)["Joe"][:2] == (PARTICIPANT, True)
    p.close()


def test_bad_names_and_roles_leave_the_project_unchanged(tmp_path: Path) -> None:
    p = _project(tmp_path, {"c.txt": ASKING})
    with pytest.raises(NotFound, match="There is no speaker 'Nobody'"):
        p.run(speakers.set_roles, {"Joe": PARTICIPANT, "Nobody": INTERVIEWER})
    with pytest.raises(InvalidInput, match="'boss' is not a role"):
        p.run(speakers.set_roles, {"Joe": "boss"})
    with pytest.raises(InvalidInput, match="at least one speaker"):
        p.run(speakers.set_roles, {})
    assert all(guessed for _role, guessed, _reason in _roles(p).values())
    p.close()


def test_interviewer_spans_cover_interviewer_turns_only(tmp_path: Path) -> None:
    p = _project(tmp_path, {"c.txt": ASKING, "e.txt": "Kim: alone.\n"})
    with p.read_session() as s:
        spans = speakers.interviewer_spans(s)
        (sid,) = spans
        body = sources.text_and_pages(s, sid)[0]
        assert speakers.interviewer_spans(s, []) == {}
    assert [body[a:b] for a, b in spans[sid]] == [
        "Maria: Thanks for coming. How did it start?\n", "Maria: Who decided that?\n",
        "Maria: And then what happened?\n"]
    p.close()


def test_inside_and_subtract() -> None:
    spans = [(0, 10), (20, 30)]
    assert [o for o in (0, 9, 10, 19, 20, 29, 30) if inside(spans, o)] == [0, 9, 20, 29]
    assert subtract(spans, 5, 25) == [(10, 20)]
    assert subtract(spans, 10, 20) == [(10, 20)]
    assert subtract(spans, 0, 40) == [(10, 20), (30, 40)]
    assert subtract(spans, 21, 29) == []
    assert subtract([], 3, 4) == [(3, 4)]
    assert subtract([(5, 10)], 4, 11) == [(4, 5), (10, 11)]


def test_fixtures_guesses(fixtures_root: Path, tmp_path: Path) -> None:
    """The real interviews: the researchers interview, the people they talk to answer."""
    txt = fixtures_root / "transcripts" / "txt"
    p = Project.create(tmp_path / "f.qda", coder="tester")
    names = ("Ana.txt", "Jessica.txt", "BSR01_transcript_deidentified.txt")
    docs, failures = sources.read_files([txt / n for n in names])
    assert not failures
    p.run(sources.import_documents, docs)
    roles = {name: role for name, (role, _g, _r) in _roles(p).items()}
    assert roles == {"Researcher 1": INTERVIEWER, "Sara Mannheimer": INTERVIEWER, "Ana": PARTICIPANT,
                     "Jessica": PARTICIPANT, "BSR01": PARTICIPANT}
    p.close()


def test_a_name_that_interviews_in_one_source_and_answers_in_another_gets_no_guess(tmp_path: Path) -> None:
    p = _project(tmp_path, {"c.txt": ASKING.replace("Joe", "Ava"), "x.txt": ASKING.replace("Maria", "Ava")})
    roles = _roles(p)
    assert roles["Ava"] == (None, True, "interviewer in 1 source(s), participant in 1")
    p.close()


def test_header_names_match_initials_and_first_names(tmp_path: Path) -> None:
    text = ("Interviewer: Sara Mannheimer\nParticipant: Bo Kim\n\n"
            "SM: Thanks. Shall we start with your project?\nBK: Yes, it began in 2019 with a small grant.\n"
            "SM: Great.\nBK: Then it grew?\nSara: Go on.\nBK: It did, a lot. We hired four people.\n")
    p = _project(tmp_path, {"h.txt": text})
    roles = _roles(p)
    assert roles["SM"] == (INTERVIEWER, True, "named as interviewer in the header of h.txt")
    assert roles["Sara"] == (INTERVIEWER, True, "named as interviewer in the header of h.txt")
    assert roles["BK"] == (PARTICIPANT, True, "named as participant in the header of h.txt")
    p.close()


def test_a_first_question_that_names_the_participant_is_not_a_header(tmp_path: Path) -> None:
    text = ("Interviewer: Maria, thanks for coming. Tell me how it started.\nMaria: With a letter.\n"
            "Interviewer: Who wrote it?\nMaria: The manager.\n")
    p = _project(tmp_path, {"m.txt": text})
    assert _roles(p)["Maria"] == (PARTICIPANT, True, "speaks with Interviewer in m.txt")
    p.close()
