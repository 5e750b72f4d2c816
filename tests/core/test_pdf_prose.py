"""PDF text read as prose: lines joined, hyphenation undone, running headers and page numbers left out.

The PDFs are laid out here line by line, with Helvetica's real widths (the
metrics pdfminer itself uses), so line ends fall where a word processor
would put them and the tests know where every word was printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from qdaapp.core.importers import read_file
from qdaapp.core.importers.pdf_layout import Line, mid_sentence_breaks, rebuild, running_lines
from tests.core.test_importers_pdf import make_pdf

SIZE = 11
LEFT = 72
TOP = 700
BOTTOM = 110
LEADING = 14
GAP = 12  # extra space between paragraphs


def width(text: str, size: float = SIZE) -> float:
    from pdfminer.fontmetrics import FONT_METRICS

    widths = FONT_METRICS["Helvetica"][1]
    return sum(widths.get(ch, 556) for ch in text) * size / 1000


def wrap(paragraph: str, measure: float, hyphenate: bool = False) -> list[tuple[str, int]]:
    """Lines of at most ``measure`` points, each with the offset in ``paragraph`` of its first character.

    With ``hyphenate``, a long word that does not fit is broken with a hyphen
    (at least three letters on each side), as typesetting software does.
    """
    lines: list[tuple[str, int]] = []
    current, start = "", 0
    for m in re.finditer(r"\S+", paragraph):
        word, offset = m.group(), m.start()
        trial = f"{current} {word}" if current else word
        if width(trial) <= measure:
            current, start = trial, start if current else offset
            continue
        if hyphenate and current and word.isalpha() and len(word) >= 7:
            cut = next((k for k in range(len(word) - 3, 2, -1) if width(f"{current} {word[:k]}-") <= measure), 0)
            if cut:
                lines.append((f"{current} {word[:cut]}-", start))
                current, start = word[cut:], offset + cut
                continue
        if current:
            lines.append((current, start))
        current, start = word, offset
    if current:
        lines.append((current, start))
    return lines


@dataclass
class Layout:
    """Pages of positioned lines, filled top to bottom; records where each page's first line came from."""

    header: list[tuple[float, str]] = field(default_factory=list)  # (y, text) on every page; "{page}" filled in
    pages: list[list[tuple[float, float, str]]] = field(default_factory=list)
    firsts: list[tuple[int, int]] = field(default_factory=list)  # (block, offset in block) of each page's first line
    y: float = 0.0
    top: float = TOP

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.top

    def block(self, number: int, lines: list[tuple[str, int]], gap: bool = True, page_break: bool = False) -> None:
        """Print one paragraph's lines; ``gap`` puts space above it (a new text box)."""
        if page_break or not self.pages:
            self.new_page()
        elif gap and self.pages[-1]:
            self.y -= LEADING + GAP
        else:
            self.y -= LEADING if self.pages[-1] else 0
        for i, (text, offset) in enumerate(lines):
            if i and self.y - LEADING < BOTTOM:
                self.new_page()
            elif i:
                self.y -= LEADING
            if not self.pages[-1]:
                self.firsts.append((number, offset))
            self.pages[-1].append((LEFT, self.y, text))

    def pdf(self) -> bytes:
        streams = []
        for n, lines in enumerate(self.pages, start=1):
            running = [(LEFT, y, text.format(page=n, pages=len(self.pages))) for y, text in self.header]
            streams.append(positioned(running + lines))
        return make_pdf(streams)


def positioned(lines: list[tuple[float, float, str]], size: float = SIZE) -> bytes:
    ops = []
    for x, y, text in lines:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"BT /F1 {size} Tf {x} {y:.1f} Td ({escaped}) Tj ET")
    return "\n".join(ops).encode("latin-1")


PROSE = [
    "Most of the nurses on the ward said that they had to negotiate every change in the rota with the "
    "manager, and that the negotiations were exhausting because nobody wanted to be responsible for the "
    "consequences of understaffing during the holidays.",
    "When the hospital introduced the electronic scheduling system, the administrators promised that "
    "everything would become transparent. In practice the well-known problems remained, and several "
    "participants described the implementation as bureaucratic, inconsiderate and fundamentally "
    "disorganised; they wanted to be able to decide for themselves.",
    "A third group of respondents, mainly experienced practitioners, explained that they were able to "
    "circumvent the restrictions through informal arrangements with colleagues, which they considered "
    "indispensable for maintaining professional responsibility and their commitment to patients.",
    "Finally, the interviews suggest that managers underestimated how much the organisational "
    "arrangements depended on reciprocity, understanding and improvisation rather than on documentation.",
]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_prose_with_hyphenation_running_header_footer_and_page_numbers(tmp_path):
    running = [(750, "Study of Care - Interview 4"), (50, "Confidential draft"), (35, "Page {page} of {pages}")]
    layout = Layout(header=running, top=300)
    wrapped = [wrap(p, 200, hyphenate=True) for p in PROSE]
    for number, lines in enumerate(wrapped):
        layout.block(number, lines)
    assert len(layout.pages) >= 3
    assert sum(line.endswith("-") for lines in wrapped for line, _ in lines) >= 3  # the text is hyphenated
    doc = read_file(write(tmp_path, "prose.pdf", layout.pdf()))

    assert doc.text == "\n\n".join(PROSE)
    assert mid_sentence_breaks(doc.text) == []
    assert "Confidential" not in doc.text and "Page" not in doc.text and "Interview 4" not in doc.text
    # Each page starts at the first character printed on it, inside a word when it was hyphenated.
    block_starts = [sum(len(p) + 2 for p in PROSE[:i]) for i in range(len(PROSE))]
    assert doc.page_starts == [block_starts[number] + offset for number, offset in layout.firsts]
    assert len(doc.page_starts) == len(layout.pages)
    # The printed lines, read as lines, cut sentences all the time.
    printed = "\n".join(text for lines in layout.pages for _x, _y, text in lines)
    assert len(mid_sentence_breaks(printed)) > 10


def fill(start: str, measure: float) -> str:
    """``start`` with words added until the line is full: the next one-letter word would not fit."""
    while width(start + " a") <= measure:
        start += " a"
    return start


def test_deliberate_line_ends_are_kept(tmp_path):
    full = "The committee met on Monday and agreed that the rota would change."
    measure = width(full)
    lines = [
        "Please send the form to:",  # short: the next word would have fitted
        "the ward office",
        "level two",
        full,
        "Then a new paragraph began with an indent.",  # printed 20 points further right
        fill("- one list item", measure),  # full, but the next line is a list item
        "- another item",
    ]
    page = [(LEFT + (20 if text.startswith("Then") else 0), TOP - i * LEADING, text) for i, text in enumerate(lines)]
    doc = read_file(write(tmp_path, "lines.pdf", make_pdf([positioned(page)])))
    assert re.split(r"\n+", doc.text) == lines


def test_speaker_labels_start_lines_even_after_a_full_line(tmp_path):
    full = fill("Bo Lind: so the rota changed when the new system came in and we", 300)
    page1 = [(LEFT, TOP, full), (LEFT, TOP - LEADING, "Ana Silva: yes, and then we had to ask."),
             (LEFT, TOP - 2 * LEADING - GAP, "Bo Lind  03:15")]
    page2 = [(LEFT, TOP, "why did you have to ask?")]
    doc = read_file(write(tmp_path, "labels.pdf", make_pdf([positioned(page1), positioned(page2)])))
    assert doc.text == f"{full}\nAna Silva: yes, and then we had to ask.\n\nBo Lind  03:15\nwhy did you have to ask?"
    assert [t.speaker for t in doc.turns] == ["Bo Lind", "Ana Silva", "Bo Lind"]


def test_compound_broken_at_its_hyphen_keeps_it_when_the_document_does_not_hyphenate(tmp_path):
    text = ("She was led by a professor at a well-regarded university who had written about the topic for "
            "years, and the team trusted her judgement about almost everything.")
    # A measure at which "well-regarded" does not fit but "well-" does, as a word processor breaks it.
    for measure in range(150, 300):
        lines = [line for line, _o in wrap(text, measure)]
        cut = next(i for i, line in enumerate(lines) if "well-regarded" in line)
        if cut and lines[cut].startswith("well-") and width(lines[cut - 1] + " well-") <= measure:
            break
    rest = [line for line, _o in wrap(text[text.index("well-") + len("well-") :], measure)]
    printed = [*lines[: cut - 1], lines[cut - 1] + " well-", *rest]
    page = [(LEFT, TOP - i * LEADING, line) for i, line in enumerate(printed)]
    doc = read_file(write(tmp_path, "compound.pdf", make_pdf([positioned(page)])))
    assert doc.text == text


def test_a_paragraph_continues_across_a_page_break_and_page_starts_follow(tmp_path):
    first = [(LEFT, TOP - i * LEADING, line) for i, (line, _o) in enumerate(wrap(PROSE[0], 250))]
    # Move the last two lines to the top of page 2.
    page1, page2 = first[:-2], [(LEFT, TOP - i * LEADING, text) for i, (_x, _y, text) in enumerate(first[-2:])]
    doc = read_file(write(tmp_path, "two.pdf", make_pdf([positioned(page1), positioned(page2)])))
    assert doc.text == PROSE[0]
    assert doc.text[doc.page_starts[1] :] == " ".join(text for _x, _y, text in page2)


def test_speaker_headers_at_page_tops_are_not_running_headers(tmp_path):
    # Every page starts with the same speaker and words at the same height, the minutes even rise
    # with the page: still speech, never a running header.
    pages = []
    for n in range(1, 5):
        pages.append(positioned([(LEFT, TOP, f"Ana Silva  0{n}:10"),
                                 (LEFT, TOP - LEADING, "This is what I said, in my own words.")]))
    doc = read_file(write(tmp_path, "tops.pdf", make_pdf(pages)))
    assert [t.speaker for t in doc.turns] == ["Ana Silva"] * 4
    assert doc.text.count("Ana Silva") == 4 and doc.text.count("in my own words.") == 4


def line(text: str, y: float, box: int = 1) -> Line:
    return Line(text, LEFT, LEFT + width(text), y, y + SIZE, SIZE, width(text.split()[0]) if text else 0, box)


BODY = ["The first line of the {} body", "goes on here and then", "ends somewhere", "in the middle", "of the page."]
WORDS = "zero one two three four five six seven".split()


def test_running_lines_need_half_the_pages_and_the_same_height():
    def page(n: int, title_y: float = 750, number: str | None = None) -> list[Line]:
        body = [line(text.format(WORDS[n]), 600 - 14 * k, 2) for k, text in enumerate(BODY)]
        return [line("Report of the study", title_y, 1), *body, line(number or str(n), 40, 3)]

    pages = [page(n) for n in range(1, 7)]
    assert running_lines(pages) == {(i, j) for i in range(6) for j in (0, 6)}
    text = rebuild(pages).text
    assert "Report" not in text and not re.search(r"\d", text) and text.count("of the page.") == 6
    # At a different height on most pages the title is text, not a header.
    assert running_lines([page(n, title_y=750 - 20 * n) for n in range(1, 7)]) == {(i, 6) for i in range(6)}
    # Numbers that do not count the pages are not page numbers.
    assert running_lines([page(n, number=str(7 * n % 5)) for n in range(1, 7)]) == {(i, 0) for i in range(6)}
    # On fewer than half of the pages a repeated line is text.
    assert running_lines([page(n, title_y=750 if n < 3 else 700 - 10 * n) for n in range(1, 7)]) == {
        (i, 6) for i in range(6)}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("we have\nto go", [7]),
        ("we have  \n  to go", [9]),
        ("we stop.\nthen go", []),
        ("we stop\nThen go", []),
        ("Ana  00:15\nwell, I", []),
        ("SUMMARY KEYWORDS\ndata, people", []),
        ("one\n\ntwo", []),
        ("said \"no\"\nand", []),
    ],
)
def test_mid_sentence_breaks(text, expected):
    assert mid_sentence_breaks(text) == expected
