"""Which case an imported file belongs to, read from the file itself.

"One case per file" names each file's case after the person interviewed
when the file says who that is, and after the file otherwise. The rules are
few and predictable, because the user cannot see them at work:

1. A header line in the first lines of the text that labels the person:
   ``Interviewee: Ana Silva``, ``Participant: P3``, ``Narrator: …``,
   ``Respondent: …`` (also ``Informant``), with a colon or a dash.
2. The one participant among the speakers of an interview, when the
   speakers' labels, a header, the questions and the order tell the
   interviewer apart (``Priya Shah`` in a Zoom or Otter transcript with one
   interviewer); never a label such as ``P1`` or ``Participant``, which many
   studies give a different person in every file.
3. The title line of a transcription-service export: the first non-blank
   line when the next lines carry the service's ``SUMMARY KEYWORDS`` or
   ``SPEAKERS`` header (as Otter.ai writes them).
4. Otherwise the file name without its extension (``BSR01_transcript.txt``
   → ``BSR01_transcript``), left as it is so the user recognises it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from .speakers import participant_of
from .turns import find_turns

HEAD_LINES = 15  # a header that names the interviewee sits at the top of the file
MAX_NAME = 80
_LABELLED = re.compile(
    r"^\s*(?:interviewee|participant|narrator|respondent|informant)s?\s*(?:name)?\s*[:\-–—]\s*(?P<name>\S.*?)\s*$",
    re.IGNORECASE,
)
_SERVICE_HEADERS = ("summary keywords", "speakers", "keywords")


def case_name_for(text: str, file_name: str, turns: Sequence | None = None) -> str:
    """The case name for one imported file: the interviewee it names, else its file name without extension."""
    return interviewee(text, turns) or file_stem(file_name)


def interviewee(text: str, turns: Sequence | None = None) -> str | None:
    """The person a transcript says it is with (rules 1 to 3 above), or None.

    ``turns``: the text's speaker turns as found at import; found here when not given."""
    lines = [line.strip() for line in text.split("\n", HEAD_LINES + 1)[:HEAD_LINES]]
    for line in lines:
        match = _LABELLED.match(line)
        if match and _usable(match.group("name")):
            return match.group("name")
    participant = participant_of(text, find_turns(text) if turns is None else list(turns))
    if participant and _usable(participant):
        return participant
    filled = [line for line in lines if line]
    if len(filled) >= 2 and any(line.lower() in _SERVICE_HEADERS for line in filled[1:4]):
        title = filled[0]
        if title.lower() not in _SERVICE_HEADERS and _usable(title):
            return title
    return None


def file_stem(file_name: str) -> str:
    """``Ana Silva.docx`` → ``Ana Silva``; a name that is all extension stays whole."""
    path = PurePath(file_name)
    return (path.stem or path.name).strip() or file_name


def _usable(name: str) -> bool:
    return 0 < len(name) <= MAX_NAME and any(ch.isalnum() for ch in name)
