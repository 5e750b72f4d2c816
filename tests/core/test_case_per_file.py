"""Import with one case per file: named after the interviewee the file names, else after the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdaapp.core import cases, sources
from qdaapp.core.case_names import case_name_for, interviewee
from qdaapp.core.errors import Conflict, InvalidInput
from qdaapp.core.project import Project


@pytest.mark.parametrize("head, expected", [
    ("Interviewee: Ana Silva\nDate: 3 May\n\nInterviewer: Hello.\n", "Ana Silva"),
    ("Project X\nParticipant: P3\n", "P3"),
    ("Narrator - Joan Mbeki\n", "Joan Mbeki"),
    ("respondent name: R12\n", "R12"),
    ("\nBSR07 interview\nSUMMARY KEYWORDS\ndata, people\nSPEAKERS\nBSR07, Sara\n", "BSR07 interview"),
    ("Interviewer: How did it start?\nP1: We had to.\n", None),
    ("Participant:   \nSome text.\n", None),
    ("Participant: ---\nSome text.\n", None),
    ("SPEAKERS\nA, B\n", None),
])
def test_interviewee_is_read_from_the_header(head: str, expected: str | None) -> None:
    assert interviewee(head) == expected


ZOOM = ("[00:00:05] Interviewer: Could you describe your role?\n"
        "[00:00:12] Priya Shah: I lead the outpatient team. We had to redesign referrals.\n"
        "[00:01:02] Interviewer: Did the team agree?\n"
        "[00:01:07] Priya Shah: Most of them wanted to try it.\n")
OTTER = ("Discharge pilot\n\nSUMMARY KEYWORDS\nward, referral\n\nSPEAKERS\nHelen Price, Tom Okafor\n\n"
         "Helen Price  00:03\nHow did the pilot start?\n\nTom Okafor  00:09\nThe trust told us we had to.\n\n"
         "Helen Price  00:41\nWhat happened next?\n\nTom Okafor  00:44\nWe decided to meet every morning.\n")


@pytest.mark.parametrize("text, expected", [
    (ZOOM, "Priya Shah"),  # the interviewer is labelled; the one other speaker is the person
    (OTTER, "Tom Okafor"),  # who asks the questions tells the interviewer; not the meeting's title
    (ZOOM + "[00:02:00] Tom Lee: And I had to book the rooms.\n", None),  # two participants: a group
    (ZOOM.replace("Priya Shah", "Participant"), None),  # a label is not a person
])
def test_the_one_participant_names_the_case(text: str, expected: str | None) -> None:
    assert interviewee(text) == expected


def test_a_label_far_into_the_text_is_not_a_header() -> None:
    text = "".join(f"Line {i} of the talk.\n" for i in range(40)) + "Participant: P9\n"
    assert interviewee(text) is None
    assert case_name_for(text, "Walk with P9.docx") == "Walk with P9"
    assert case_name_for("Some words.\n", "BSR01_transcript_deidentified.txt") == "BSR01_transcript_deidentified"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _case_of(project: Project) -> dict[str, str | None]:
    with project.read_session() as s:
        return {i.name: i.case for i in sources.list_sources(s)}


def test_each_file_gets_its_case_and_one_undo_removes_the_batch(project: Project, tmp_path: Path) -> None:
    paths = [
        _write(tmp_path, "int1.txt", "Interviewee: Ana Silva\n\nInterviewer: Hello.\nAna: Hi.\n"),
        _write(tmp_path, "second visit.txt", "Interviewee: Ana Silva\n\nInterviewer: Again.\nAna: Yes.\n"),
        _write(tmp_path, "Ward 7 notes.txt", "We met on the ward.\n"),
        _write(tmp_path, "rosa-followup.txt", "Participant: P1 Rosa\n\nInterviewer: Back again.\n"),
    ]
    docs, failures = sources.read_files(paths)
    assert not failures
    before = project.summary()
    with project.read_session() as s:
        cases_before = {c.name for c in cases.list_cases(s)}
    ids = project.run(sources.import_documents, docs, case_per_file=True)
    assert len(ids) == 4
    owner = _case_of(project)
    assert owner["int1.txt"] == owner["second visit.txt"] == "Ana Silva"
    assert owner["Ward 7 notes.txt"] == "Ward 7 notes"
    assert owner["rosa-followup.txt"] == "P1 Rosa"  # an existing case receives the source
    with project.read_session() as s:
        listed = {c.name: c.sources for c in cases.list_cases(s)}
    assert set(listed) == cases_before | {"Ana Silva", "Ward 7 notes"}
    assert listed["P1 Rosa"] == ["Rosa.txt", "rosa-followup.txt"]
    with project.engine.connect() as conn:
        actions = [r[0] for r in conn.exec_driver_sql(
            "SELECT action FROM audit_events ORDER BY seq DESC LIMIT 6").all()]
    assert sorted(actions) == ["case.create", "case.create"] + ["source.import"] * 4

    project.undo()  # the whole batch is one step: sources, new cases, memberships
    assert {k: v for k, v in project.summary().items() if k != "events"} == \
        {k: v for k, v in before.items() if k != "events"}
    with project.read_session() as s:
        assert {c.name for c in cases.list_cases(s)} == cases_before


def test_case_per_file_and_one_case_are_exclusive(project: Project, tmp_path: Path) -> None:
    docs, _ = sources.read_files([_write(tmp_path, "a.txt", "Interviewee: Ana\n")])
    before = project.summary()
    with pytest.raises(InvalidInput, match="not both"):
        project.run(sources.import_documents, docs, case_name="Site A", case_per_file=True)
    assert project.summary() == before


def test_a_failing_batch_leaves_no_case_behind(project: Project, tmp_path: Path) -> None:
    good = _write(tmp_path, "fresh.txt", "Interviewee: Nobody Yet\n\nSome words.\n")
    again = _write(tmp_path, "copy.txt", "Interviewee: Nobody Yet\n\nSome words.\n")  # same bytes as fresh.txt
    docs, _ = sources.read_files([good, again])
    with project.read_session() as s:
        cases_before = cases.list_cases(s)
    before = project.summary()
    with pytest.raises(Conflict, match="the same file"):
        project.run(sources.import_documents, docs, case_per_file=True)
    assert project.summary() == before
    with project.read_session() as s:
        assert cases.list_cases(s) == cases_before
