"""Speaker turns in interview transcripts.

A transcript marks who speaks with a label at the start of a line. Two
families of labels are recognised:

* a short name followed by a colon: ``Interviewer:``, ``Researcher 1:``,
  ``P3:``, ``Dr Smith:``, optionally preceded or followed by a time stamp
  (``[00:01:02] Ana:``, ``Ana (03:15):``);
* a short name followed by a time stamp, as exported by transcription
  services: ``Sara Mannheimer  00:13`` on a line of its own, or at the start
  of the line with the speech after it.

A turn starts at the beginning of its label line and runs to the end of the
last non-blank character before the next label. Text before the first label
is not part of any turn. Transcription services add lines that are neither
speech nor a speaker: a header block (``SUMMARY KEYWORDS``, ``SPEAKERS``,
``SUMMARY``, ``ACTION ITEMS`` on a line of their own, each followed by its
content), a closing "Transcribed by https://otter.ai", and time stamps on a
line of their own before the next speaker. Such a line ends the turn before
it, so a header block between two transcripts or a stamp line is never
counted as the previous speaker's words.

The time at which a turn starts is read from its label (``[00:12:31] Ana:``,
``Ana  00:15``, ``Ana (03:15):``), from the start of its speech (``Ana:
[00:12:31] well``) or from a stamp line just before it, by
:func:`turn_timestamps`, for found turns and for the ``[start, end,
speaker]`` triples a project stores alike. Finding turns does not read
times, so it costs no more than before.

The search is deliberately conservative: a label is at most four words and
40 characters, every word is capitalised (or a number, or a name particle
such as "de" or "van"), and common heading words ("Date", "Note",
"Location"...) are not speakers. So "The plan was simple: we..." is never a
turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LABEL_CHARS = 40

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_TS_ANY = rf"(?:\[{_TS}\]|\({_TS}\)|{_TS})"
_WORD = r"[^\W\d_][\w.'\u2019\-]*"
_NEXT = r"[\w.'\u2019\-]+"
_LABEL = rf"{_WORD}(?:[ \t]{{1,3}}{_NEXT}){{0,3}}"
# Header lines of transcription-service exports, and their closing credit.
_HEADERS = r"summary[ \t]+keywords|keywords|speakers|summary|action[ \t]+items|transcribed[ \t]+by[ \t]+\S+"

# One pass over the whole text. Every alternative is anchored at a line start
# and bounded in length, so a line that is not a label is rejected after a few
# characters.
_TURN_RE = re.compile(
    rf"""
    ^[ \t]*
    (?:
        (?:(?P<ts_before>{_TS_ANY})[ \t]+(?:-[ \t]+)?)?
        (?P<colon>{_LABEL})
        [ \t]*(?:(?P<ts_inside>{_TS_ANY})[ \t]*)?
        :(?=[ \t]|$)
    |
        (?P<stamp>{_LABEL})
        [ \t]+(?P<ts_after>{_TS_ANY})
        (?=[ \t]*$|[ \t]*[:\-\u2013\u2014][ \t]|[ \t]{{2,}}|\t)
    |
        (?P<header>(?i:{_HEADERS}))[ \t]*$
    )
    """,
    re.MULTILINE | re.VERBOSE,
)
_STAMP_LINE = re.compile(rf"[ \t]*(?P<ts>{_TS_ANY})[ \t]*$")
_STAMP_AT = re.compile(rf"[ \t]*(?P<ts>{_TS_ANY})(?=\s)")
_STAMP_ENDS = frozenset("0123456789])")  # the last character of a time stamp
_STAMP_STARTS = frozenset("0123456789[(")

_PARTICLES = frozenset(
    """
    de da das do dos du del della der den di la le van von ten ter bin binti ibn al el y
    e und and of
    """.split()
)

# Words that start heading or metadata lines ("Date: 12 May", "Note: ...").
_NOT_SPEAKERS = frozenset(
    """
    note notes nb ps pps date time duration length location place venue site title
    subject re fw fwd cc bcc to from keywords keyword summary speakers participants
    transcript transcription transcriber recorded recording page source sources tel
    telephone phone mobile fax email e-mail web website url http https www step example
    examples e.g i.e eg ie update edit warning caution tip important total agenda
    minutes present apologies attendees absent action actions ref reference references
    file filename version copyright abstract introduction conclusion conclusions chapter
    section figure table appendix aim aims objective objectives purpose background
    method methods result results outcome outcomes question questions answer answers
    topic theme themes category code codes memo comment comments remark remarks monday
    tuesday wednesday thursday friday saturday sunday january february march april june
    july august september october november december start end begin beginning break
    pause dear hi hello
    """.split()
)
_TITLES = frozenset("dr. mr. mrs. ms. mx. prof. rev. fr. sr. jr. st. sra. dra.".split())
# "Question" and "Answer" alone are used as labels (Q/A transcripts); they are
# blocked above only when followed by more words, see _plausible().
_SINGLE_OK = frozenset({"question", "answer"})


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn: ``text[start:end]`` including the label."""

    start: int
    end: int
    speaker: str

    def __iter__(self):
        """Unpack as ``start, end, speaker`` (the form stored in a project)."""
        return iter((self.start, self.end, self.speaker))


def normalise_speaker(label: str) -> str:
    """Speaker name as shown to the user: trimmed, single spaces, no colon."""
    return " ".join(label.replace("\t", " ").split()).rstrip(":").strip()


def _plausible(label: str) -> bool:
    if len(label) > MAX_LABEL_CHARS:
        return False
    words = label.split()
    first = words[0]
    key = first.lower().rstrip(".")
    if key in _NOT_SPEAKERS and not (len(words) == 1 and key in _SINGLE_OK):
        return False
    if first[0].islower():  # uncased scripts (Arabic, Chinese...) pass
        return False
    if first.endswith(".") and len(first) > 2 and first.lower() not in _TITLES:
        # "Finally." or "However." end a sentence; "Dr." and "J." do not.
        return False
    for word in words[1:]:
        head = word[0]
        if word.isdigit() or (head.isalpha() and not head.islower()):
            continue  # "1", "Smith", or a name in an uncased script
        if word.lower() in _PARTICLES:
            continue  # "Ana de Souza"
        if head.isdigit() and len(word) <= 4 and word.isalnum():
            continue  # "Group 2a"
        return False
    return True


def find_turns(text: str) -> list[Turn]:
    """Speaker turns in ``text``, sorted, never overlapping, inside the text."""
    marks: list[tuple[int, re.Match, str | None]] = []  # speaker None: a header line
    names: dict[str, str | None] = {}  # raw label -> speaker, or None if rejected
    for m in _TURN_RE.finditer(text):
        colon, stamp, header = m.group("colon", "stamp", "header")
        if header:
            marks.append((m.start(), m, None))
            continue
        label = colon or stamp
        if label not in names:
            names[label] = normalise_speaker(label) if _plausible(label) else None
        speaker = names[label]
        if speaker:
            marks.append((m.start(), m, speaker))
    turns: list[Turn] = []
    n = len(marks)
    for i, (start, m, speaker) in enumerate(marks):
        if speaker is None:
            continue
        label_end = m.end()
        end = marks[i + 1][0] if i + 1 < n else len(text)
        while end > label_end and text[end - 1].isspace():
            end -= 1
        if text[end - 1] in _STAMP_ENDS:  # perhaps a stamp line of its own, which belongs to the next turn
            stamp = _stamp_line_before(text, label_end, end)
            if stamp is not None:
                end = _trim(text, label_end, stamp)
        turns.append(Turn(start, end, speaker))
    return turns


def line_label(line: str) -> tuple[str, bool] | None:
    """``(speaker, alone)`` if ``line`` starts with a speaker label, else None.

    ``alone`` is True when nothing but the label (and its time stamp) is on the
    line, as in a ``Name  00:15`` header with the speech on the next lines.
    """
    m = _TURN_RE.match(line)
    if m is None or m.group("header"):
        return None
    label = m.group("colon") or m.group("stamp")
    if not _plausible(label):
        return None
    return normalise_speaker(label), not line[m.end() :].strip()


def label_length(line: str) -> int:
    """How many characters of ``line`` its speaker label takes (with its colon or time stamp), or 0."""
    m = _TURN_RE.match(line)
    if m is None or m.group("header") or not _plausible(m.group("colon") or m.group("stamp")):
        return 0
    return len(line[: m.end()].rstrip())


def is_header_line(line: str) -> bool:
    """True for a transcription-service header line such as ``SPEAKERS``."""
    m = _TURN_RE.match(line)
    return m is not None and bool(m.group("header"))


def turn_timestamps(text: str, turns) -> list[float | None]:  # Turns or stored triples
    """The time stamp of each turn in seconds, None where the transcript gives none.

    ``turns`` may be :class:`Turn` objects or the ``[start, end, speaker]``
    triples stored in a project; the stamps are read again from the text.
    """
    out: list[float | None] = []
    for turn in turns:
        start = turn[0] if not isinstance(turn, Turn) else turn.start
        m = _TURN_RE.match(text, start)
        out.append(_label_time(text, m) if m is not None and not m.group("header") else _time_before(text, start))
    return out


def seconds(stamp: str) -> float:
    """``"01:02:03"``, ``"[02:03]"`` or ``"2:03.5"`` as seconds (hours:minutes:seconds or minutes:seconds)."""
    parts = stamp.strip("[]() \t").replace(",", ".").split(":")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    return total


def _label_time(text: str, m: re.Match) -> float | None:
    """Time stamp of the turn whose label ``m`` matched: in the label, after it, or on the line before."""
    before, inside, after = m.group("ts_before", "ts_inside", "ts_after")
    stamp = before or inside or after
    if stamp:
        return seconds(stamp)
    end = m.end()
    if text[end : end + 2].lstrip()[:1] in _STAMP_STARTS:
        at = _STAMP_AT.match(text, end)  # "Ana: [00:12:31] well"
        if at is not None:
            return seconds(at.group("ts"))
    start = m.start()
    previous = text[max(0, start - 24) : start].rstrip()
    if previous and previous[-1] in _STAMP_ENDS:
        return _time_before(text, start)
    return None


def _trim(text: str, floor: int, end: int) -> int:
    while end > floor and text[end - 1].isspace():
        end -= 1
    return end


def _stamp_line_before(text: str, floor: int, end: int) -> int | None:
    """Start of the last line of ``text[floor:end]`` if it is a time stamp alone."""
    line_start = text.rfind("\n", floor, end) + 1
    if line_start == 0 or line_start <= floor:
        return None
    return line_start if _STAMP_LINE.match(text, line_start, end) else None


def _time_before(text: str, start: int) -> float | None:
    """The stamp on the last non-blank line before ``start``, if that line is only a stamp."""
    end = _trim(text, 0, start)
    if end == 0 or text[end - 1] not in _STAMP_ENDS:
        return None
    line_start = text.rfind("\n", 0, end) + 1
    m = _STAMP_LINE.match(text, line_start, end)
    return seconds(m.group("ts")) if m else None


def speakers(turns: list[Turn]) -> list[str]:
    """Distinct speaker names in order of first appearance."""
    seen: dict[str, None] = {}
    for turn in turns:
        seen.setdefault(turn.speaker, None)
    return list(seen)
