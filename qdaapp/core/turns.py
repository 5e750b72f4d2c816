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
is not part of any turn.

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

# One pass over the whole text. Every alternative is anchored at a line start
# and bounded in length, so a line that is not a label is rejected after a few
# characters.
_TURN_RE = re.compile(
    rf"""
    ^[ \t]*
    (?:
        (?:{_TS_ANY}[ \t]+(?:-[ \t]+)?)?
        (?P<colon>{_LABEL})
        [ \t]*(?:{_TS_ANY}[ \t]*)?
        :(?=[ \t]|$)
    |
        (?P<stamp>{_LABEL})
        [ \t]+{_TS_ANY}
        (?=[ \t]*$|[ \t]*[:\-\u2013\u2014][ \t]|[ \t]{{2,}}|\t)
    )
    """,
    re.MULTILINE | re.VERBOSE,
)

_PARTICLES = frozenset(
    """
    de da das do dos du del della der den di la le van von ten ter bin binti ibn al el y
    e und and of
    """.split()  # noqa: SIM905
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
    """.split()  # noqa: SIM905
)
_TITLES = frozenset("dr. mr. mrs. ms. mx. prof. rev. fr. sr. jr. st. sra. dra.".split())  # noqa: SIM905
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
    marks: list[tuple[int, int, str]] = []
    names: dict[str, str | None] = {}  # raw label -> speaker, or None if rejected
    for m in _TURN_RE.finditer(text):
        label = m.group("colon") or m.group("stamp")
        if label not in names:
            names[label] = normalise_speaker(label) if _plausible(label) else None
        speaker = names[label]
        if speaker:
            marks.append((m.start(), m.end(), speaker))
    turns: list[Turn] = []
    n = len(marks)
    for i, (start, label_end, speaker) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < n else len(text)
        while end > label_end and text[end - 1].isspace():
            end -= 1
        turns.append(Turn(start, end, speaker))
    return turns


def speakers(turns: list[Turn]) -> list[str]:
    """Distinct speaker names in order of first appearance."""
    seen: dict[str, None] = {}
    for turn in turns:
        seen.setdefault(turn.speaker, None)
    return list(seen)
