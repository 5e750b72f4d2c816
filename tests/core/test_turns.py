"""Speaker-turn detection: labels with colons, name + time stamp headers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdaapp.core.importers import read_file
from qdaapp.core.turns import Turn, find_turns, line_label, speakers, turn_timestamps


def spans(text: str) -> list[tuple[str, str]]:
    return [(t.speaker, text[t.start : t.end]) for t in find_turns(text)]


def test_colon_labels_and_turn_extent():
    text = (
        "Transcript of interview 4\n"
        "\n"
        "Interviewer: How did it start?\n"
        "P3: We had to do it.\n"
        "Then it went on for a while.\n"
        "\n"
        "Interviewer: And then?\n"
    )
    assert spans(text) == [
        ("Interviewer", "Interviewer: How did it start?"),
        ("P3", "P3: We had to do it.\nThen it went on for a while."),
        ("Interviewer", "Interviewer: And then?"),
    ]
    # Text before the first label belongs to no turn.
    assert find_turns(text)[0].start == text.index("Interviewer")


@pytest.mark.parametrize(
    "line, speaker",
    [
        ("Interviewer: so", "Interviewer"),
        ("Researcher 1: Perfect.", "Researcher 1"),
        ("P3: yes", "P3"),
        ("Ana:  What I'm doing", "Ana"),
        ("Dr Smith: well", "Dr Smith"),
        ("Dr. Smith: well", "Dr. Smith"),
        ("Ana de Souza: hello", "Ana de Souza"),
        ("INTERVIEWER: right", "INTERVIEWER"),
        ("I: So tell me", "I"),
        ("Jean-Luc O'Brien: fine", "Jean-Luc O'Brien"),
        ("  Focus Group 2a: we", "Focus Group 2a"),
        ("Interviewer:", "Interviewer"),
        ("[00:01:02] Interviewer: hello", "Interviewer"),
        ("00:01:02 Jane Doe: hello", "Jane Doe"),
        ("Ana (03:15): yes", "Ana"),
        ("Jane Doe  03:15", "Jane Doe"),
        ("Speaker 1 00:01:02", "Speaker 1"),
        ("Sara Mannheimer  00:13", "Sara Mannheimer"),
        ("BSR01  34:19", "BSR01"),
        ("Jane Doe [03:15]", "Jane Doe"),
        ("Jane Doe 03:15 - So I said", "Jane Doe"),
        ("Jane Doe\t03:15\tSo I said", "Jane Doe"),
        ("Question: what do you do?", "Question"),
        ("المحاور: نعم", "المحاور"),
        ("Ana:\tyes", "Ana"),
    ],
)
def test_recognised_labels(line, speaker):
    turns = find_turns("intro\n" + line + "\nmore words\n")
    assert [t.speaker for t in turns] == [speaker]


@pytest.mark.parametrize(
    "line",
    [
        "The plan was simple: we would start in May.",
        "So I said: no way.",
        "we agreed: fine",
        "Note: the recorder stopped here.",
        "Date: 12 May 2023",
        "Location: Sheffield",
        "Duration: 1h09m",
        "Step 1: open the file",
        "Question 3: how long?",
        "See http://example.org for more",
        "http://example.org: a link",
        "She arrived at 10:30 and left.",
        "12-May-2023 - 10:36 - 1h09m31s – Ana",
        "Meeting at 10:30",
        "Monday 10:30",
        "Finally. It worked: yes",
        "A very long label that goes on and on and on: text",
        "Yes, Dr Smith: you said",
        "Jane Doe 03:15 so I said",
        "Ratio 3:1 was used",
        "",
    ],
)
def test_ordinary_lines_are_not_turns(line):
    assert find_turns("intro\n" + line + "\nmore words\n") == []


def test_label_only_at_line_start():
    assert find_turns("She turned and said Ana: hello") == []


def test_turn_ends_before_trailing_blank_lines():
    text = "A: one\n\n\nB: two\n\n"
    assert [(t.start, t.end) for t in find_turns(text)] == [(0, 6), (9, 15)]


def test_turn_unpacks_and_speakers_in_order():
    turns = find_turns("B: x\nA: y\nB: z")
    start, end, speaker = turns[0]
    assert (start, end, speaker) == (0, 4, "B")
    assert speakers(turns) == ["B", "A"]


def test_timestamp_headers_with_speech_on_next_lines():
    text = "SPEAKERS\nBSR01, Sara\n\nBSR01  00:00\nI have not.\n\nSara  00:13\nAnd you?\n"
    assert spans(text) == [
        ("BSR01", "BSR01  00:00\nI have not."),
        ("Sara", "Sara  00:13\nAnd you?"),
    ]


def test_fixture_transcript_turns(fixtures_root):
    doc = read_file(fixtures_root / "transcripts" / "txt" / "Ana.txt")
    lines = doc.text.split("\n")
    expected = [i for i, line in enumerate(lines) if re.match(r"(Researcher 1|Ana):", line)]
    assert len(doc.turns) == len(expected) == 246
    assert {t.speaker for t in doc.turns} == {"Researcher 1", "Ana"}
    assert [doc.paragraph_starts[i] for i in expected] == [t.start for t in doc.turns]
    # The heading line with date and duration is not a turn.
    assert doc.turns[0].start == doc.paragraph_starts[1]


def test_one_million_words_gives_every_copy_its_turns(fixtures_root):
    folder = fixtures_root / "transcripts" / "txt"
    one = "".join((folder / f"{n}.txt").read_text(encoding="utf-8") + "\n" for n in ("Ana", "David", "Jessica"))
    text = one * 50  # about 1 million words
    turns = find_turns(text)
    assert len(turns) == 50 * len(find_turns(one))


_labels = st.sampled_from(["Interviewer", "P1", "Ana", "Dr Smith", "Speaker 2", "The plan", "note", "BSR01"])
_seps = st.sampled_from([": ", ":", "  03:15", " [00:01:02]", " ", " - "])
_speech = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@st.composite
def transcripts(draw):
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 2))
        if kind == 0:
            parts.append(draw(_labels) + draw(_seps) + draw(_speech))
        elif kind == 1:
            parts.append(draw(_speech))
        else:
            parts.append("")
    joiner = draw(st.sampled_from(["\n", "\r\n", "\n\n"]))
    return joiner.join(parts)


@settings(max_examples=300, deadline=None)
@given(st.one_of(transcripts(), st.text()))
def test_turns_sorted_disjoint_inside(text):
    turns = find_turns(text)
    previous_end = 0
    for turn in turns:
        assert isinstance(turn, Turn)
        assert 0 <= turn.start < turn.end <= len(text)
        assert turn.start >= previous_end
        assert turn.speaker and turn.speaker == turn.speaker.strip()
        assert not turn.speaker.endswith(":")
        # A turn begins at a line start.
        assert turn.start == 0 or text[turn.start - 1] == "\n"
        previous_end = turn.end


def test_service_header_blocks_are_neither_turns_nor_speech():
    text = (
        "Interview 3\n"
        "SUMMARY KEYWORDS\n"
        "data, people, platform\n"
        "SPEAKERS\n"
        "Ana, Sara Lind\n"
        "\n"
        "Ana  00:00\n"
        "I have not.\n"
        "\n"
        "Sara Lind  00:13\n"
        "And you?\n"
        "\n"
        "Transcribed by https://otter.ai\n"
        "Summary\n"
        "Ana talked about data.\n"
        "Action Items\n"
        "Send the form.\n"
    )
    assert spans(text) == [
        ("Ana", "Ana  00:00\nI have not."),
        ("Sara Lind", "Sara Lind  00:13\nAnd you?"),
    ]


def test_a_header_block_between_two_transcripts_ends_the_turn():
    text = "Ana: last words.\n\nSUMMARY KEYWORDS\nmoney, time\n\nSPEAKERS\nBo, Ana\n\nBo  00:02\nHello.\n"
    assert spans(text) == [("Ana", "Ana: last words."), ("Bo", "Bo  00:02\nHello.")]


def test_stamp_lines_belong_to_the_next_turn():
    text = "[00:00:05]\nInterviewer: Hello.\nStill me.\n\n[00:01:10]\nAna: Hi.\n[00:01:30]\nStill Ana after a stamp.\n"
    assert spans(text) == [
        ("Interviewer", "Interviewer: Hello.\nStill me."),
        ("Ana", "Ana: Hi.\n[00:01:30]\nStill Ana after a stamp."),
    ]
    assert turn_timestamps(text, find_turns(text)) == [5.0, 70.0]


@pytest.mark.parametrize(
    "line, time",
    [
        ("[00:12:31] Ana: well", 751.0),
        ("00:12:31 - Ana: well", 751.0),
        ("Ana (03:15): well", 195.0),
        ("Ana [1:03:15]: well", 3795.0),
        ("Ana  00:15", 15.0),
        ("Ana  1:02:03.5", 3723.5),
        ("Ana: [00:00:05] well", 5.0),
        ("Ana: (00:07) well", 7.0),
        ("Ana: well, at 10:30 we met", None),
        ("Ana: well", None),
    ],
)
def test_turn_timestamps(line, time):
    text = "intro\n" + line + "\nmore words\n"
    turns = find_turns(text)
    assert [t.speaker for t in turns] == ["Ana"]
    assert turn_timestamps(text, turns) == [time]
    # Stored triples give the same answer.
    assert turn_timestamps(text, [[t.start, t.end, t.speaker] for t in turns]) == [time]


def test_fixture_service_transcript_timestamps(fixtures_root):
    doc = read_file(fixtures_root / "transcripts" / "txt" / "BSR01_transcript_deidentified.txt")
    stamps = re.findall(r"(?m)^(?:BSR01|Sara Mannheimer)  (\d\d):(\d\d)$", doc.text)
    assert len(doc.turns) == len(stamps) > 50
    assert turn_timestamps(doc.text, doc.turns) == [int(m) * 60.0 + int(s) for m, s in stamps]
    assert doc.turns[0].start > doc.text.index("SPEAKERS")


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Sara Mannheimer  00:13", ("Sara Mannheimer", True)),
        ("Interviewer:", ("Interviewer", True)),
        ("Interviewer: so tell me", ("Interviewer", False)),
        ("[00:12:31] Ana: yes", ("Ana", False)),
        ("The plan was simple: we", None),
        ("SPEAKERS", None),
        ("and then we went home", None),
    ],
)
def test_line_label(line, expected):
    assert line_label(line) == expected
