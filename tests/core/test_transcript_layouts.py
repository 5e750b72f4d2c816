"""Transcription-service layouts give the same turns, speakers and times in .txt, .docx and .pdf.

One interview is written in three layouts (Otter/Zoom ``Name  00:15`` lines
under a SUMMARY KEYWORDS / SPEAKERS header block, ``Name:`` prefixes,
``[00:12:31] Name:`` time stamps) and saved in each format; the PDF is laid
out with wrapped lines, turns running across page breaks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qdaapp.core.importers import read_file
from qdaapp.core.importers.pdf_layout import mid_sentence_breaks
from qdaapp.core.turns import turn_timestamps
from tests.core.test_pdf_prose import Layout, wrap

TURNS = [
    ("Bo Lind", 15, "Thank you for coming. Could you tell me how the rota changed when the new system arrived "
                    "on the ward last year?"),
    ("Ana Silva", 42, "We had to negotiate every change with the manager, and honestly it was exhausting because "
                      "nobody wanted to be responsible for the gaps over the holidays."),
    ("Bo Lind", 75, "Why?"),
    ("Ana Silva", 3681, "Because we were not able to decide for ourselves any more, and the managers wanted every "
                        "single arrangement documented in advance, which we could not do."),
]
HEADER = ["Interview 12", "SUMMARY KEYWORDS", "rota, nurses, managers, holidays", "SPEAKERS", "Ana Silva, Bo Lind"]


def stamp(seconds: int, hours: bool) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02}:{m:02}:{s:02}" if hours else f"{h * 60 + m:02}:{s:02}"


def paragraphs(layout: str) -> list[list[str]]:
    """The transcript as blocks of lines: each block is a paragraph group printed together."""
    if layout == "otter":
        return [HEADER[:1], HEADER[1:3], HEADER[3:]] + [
            [f"{name}  {stamp(t, t >= 3600)}", speech] for name, t, speech in TURNS
        ] + [["Transcribed by https://otter.ai"]]
    if layout == "colon":
        return [["Interview 12"], [f"{name}: {speech}" for name, _t, speech in TURNS]]
    return [["Interview 12"], [f"[{stamp(t, True)}] {name}: {speech}" for name, t, speech in TURNS]]


def write_txt(tmp_path: Path, blocks: list[list[str]]) -> Path:
    path = tmp_path / "interview.txt"
    path.write_text("\n\n".join("\n".join(block) for block in blocks) + "\n", encoding="utf-8")
    return path


def write_docx(tmp_path: Path, blocks: list[list[str]]) -> Path:
    import docx

    document = docx.Document()
    for block in blocks:
        for line in block:
            document.add_paragraph(line)
        document.add_paragraph("")
    path = tmp_path / "interview.docx"
    document.save(path)
    return path


def write_pdf(tmp_path: Path, blocks: list[list[str]]) -> Path:
    layout = Layout(top=260)
    for number, block in enumerate(blocks):
        lines = [piece for line in block for piece in wrap(line, 280)]
        layout.block(number, lines)
    assert len(layout.pages) >= 2
    path = tmp_path / "interview.pdf"
    path.write_bytes(layout.pdf())
    return path


def speech(text: str) -> str:
    """A turn's words after its label, spacing folded."""
    body = re.sub(r"^(?:\[[\d:]+\] )?[A-Z]\w+ [A-Z]\w+(?: +[\d:]+\n|: )", "", text)
    return " ".join(body.split())


@pytest.mark.parametrize("fmt", ["txt", "docx", "pdf"])
@pytest.mark.parametrize("layout", ["otter", "colon", "bracket"])
def test_same_turns_speakers_and_times_in_every_format(tmp_path, fmt, layout):
    blocks = paragraphs(layout)
    path = {"txt": write_txt, "docx": write_docx, "pdf": write_pdf}[fmt](tmp_path, blocks)
    doc = read_file(path)

    assert [t.speaker for t in doc.turns] == [name for name, _t, _s in TURNS]
    assert [speech(doc.text[t.start : t.end]) for t in doc.turns] == [s for _n, _t, s in TURNS]
    expected_times = [float(t) for _n, t, _s in TURNS] if layout != "colon" else [None] * len(TURNS)
    assert turn_timestamps(doc.text, doc.turns) == expected_times
    # The title, the header block and the closing credit are no one's speech.
    assert doc.turns[0].start > doc.text.index("Interview 12")
    inside = " ".join(doc.text[t.start : t.end] for t in doc.turns)
    assert "SPEAKERS" not in inside and "holidays," not in inside and "otter.ai" not in inside
    if fmt == "pdf":  # a turn runs across a page break, and each turn's speech is one paragraph
        assert any(t.start < page < t.end for page in doc.page_starts for t in doc.turns)
        assert [doc.text[t.start : t.end].count("\n") for t in doc.turns] == [1 if layout == "otter" else 0] * 4
    assert mid_sentence_breaks(doc.text) == []
    if layout == "otter":
        assert doc.turns[0].start > doc.text.index("SPEAKERS")
        assert doc.text.index("otter.ai") > doc.turns[-1].end
