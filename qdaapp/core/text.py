"""Text normalisation and offset maps.

Every position qdaapp stores is a Unicode code point index into a source's
normalised text. The text is normalised exactly once, at import, and never
changes afterwards. Qt counts UTF-16 code units, so characters outside the
Basic Multilingual Plane (emoji, some CJK) take two units there and one here;
:class:`OffsetMap` converts between the two and is the only place that does.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

_NEWLINES = re.compile(r"\r\n?")
_WORD = re.compile(r"\w+(?:['\u2019]\w+)*")
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")  # characters that take two UTF-16 units


def normalise(raw: str) -> str:
    """Return ``raw`` in NFC with every ``\\r\\n`` and lone ``\\r`` made ``\\n``.

    Nothing else changes: no trimming, no whitespace folding. A leading byte
    order mark is dropped because it is an encoding artefact, not text.
    """
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    return unicodedata.normalize("NFC", _NEWLINES.sub("\n", raw))


_WORD_CHAR = re.compile(r"\w")
_ASCII_BYTES = bytes(range(128))
# Bytes of text in which every character stands for its class: "a" a word character (\w), "'" an
# apostrophe that may join two words, " " anything else.
_CLASS_OF_BYTE = bytes(ord("a") if _WORD_CHAR.match(chr(b)) else ord("'") if b == ord("'") else ord(" ")
                       for b in range(128)) + bytes(128)
_MANY_KINDS = 256


def count_words(text: str) -> int:
    r"""Words as a reader counts them: runs of letters/digits, apostrophes inside.

    The count of matches of ``\w+(?:['’]\w+)*``, found without running that pattern over
    the text: each character is replaced by its class (a word character, an apostrophe, or
    neither) in bytes, where the ends of words are counted with ``bytes.count``."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (not from any importer): the pattern itself
        return _WORD.subn("", text)[1]
    if not data.isascii():
        # The few kinds of non-ASCII characters (the bytes of all of them, in order, decode to them).
        kinds = set(data.translate(None, _ASCII_BYTES).decode("utf-8"))
        if len(kinds) > _MANY_KINDS:  # a text in a script of its own: the pattern itself is quicker
            return _WORD.subn("", text)[1]
        for ch in kinds:
            data = data.replace(ch.encode("utf-8"),
                                b"a" if _WORD_CHAR.match(ch) else b"'" if ch == "\u2019" else b" ")
    marks = data.translate(_CLASS_OF_BYTE)
    # A word ends where a run of word characters is not followed by an apostrophe and another
    # run: before a space, before an apostrophe that is not followed by a word character, or at
    # the end. (None of these patterns can overlap itself, so bytes.count counts every one.)
    return (marks.count(b"a ") + marks.count(b"a' ") + marks.count(b"a''")
            + marks.endswith(b"a") + marks.endswith(b"a'"))


def paragraph_starts(text: str) -> list[int]:
    """Code point offsets where each line (paragraph) of ``text`` starts."""
    starts = [0]
    find = text.find
    i = find("\n")
    while i != -1:
        starts.append(i + 1)
        i = find("\n", i + 1)
    if starts and starts[-1] == len(text) and len(text) > 0:
        starts.pop()
    return starts


@dataclass(frozen=True)
class OffsetMap:
    """Maps code point offsets to UTF-16 offsets and back for one text.

    ``astral`` holds the code point positions of characters above U+FFFF,
    sorted. Each one before a position adds one UTF-16 unit.
    """

    astral: tuple[int, ...]
    length: int

    @classmethod
    def for_text(cls, text: str) -> OffsetMap:
        if text.isascii():
            return cls((), len(text))
        astral = tuple(m.start() for m in _ASTRAL.finditer(text))
        return cls(astral, len(text))

    @property
    def identity(self) -> bool:
        return not self.astral

    def to_utf16(self, cp: int) -> int:
        """UTF-16 offset of code point offset ``cp`` (0 <= cp <= length)."""
        if not self.astral:
            return cp
        return cp + bisect_left(self.astral, cp)

    def to_codepoint(self, u16: int) -> int:
        """Code point offset of UTF-16 offset ``u16``.

        An offset that falls between the two halves of a surrogate pair is
        rounded down to the start of that character, so a selection can never
        cut a character in two.
        """
        if not self.astral:
            return u16
        lo, hi = 0, len(self.astral)
        # Find how many astral characters lie wholly before u16.
        while lo < hi:
            mid = (lo + hi) // 2
            if self.astral[mid] + mid + 2 <= u16:
                lo = mid + 1
            else:
                hi = mid
        cp = u16 - lo
        if lo < len(self.astral) and self.astral[lo] < cp:
            cp = self.astral[lo]
        return cp

    def utf16_length(self) -> int:
        return self.length + len(self.astral)


def utf16_to_cp(text: str, u16: int) -> int:
    """One-off conversion; build an :class:`OffsetMap` for many."""
    return OffsetMap.for_text(text).to_codepoint(u16)


def cp_to_utf16(text: str, cp: int) -> int:
    """One-off conversion; build an :class:`OffsetMap` for many."""
    return OffsetMap.for_text(text).to_utf16(cp)


def page_of(page_starts: list[int] | None, offset: int) -> int | None:
    """1-based page number holding ``offset``, or None for sources without pages."""
    if not page_starts:
        return None
    return max(1, bisect_right(page_starts, offset))


def line_context(text: str, start: int, end: int, width: int = 60) -> tuple[str, str]:
    """Up to ``width`` code points left and right of a span, newlines shown as spaces."""
    left = text[max(0, start - width) : start].replace("\n", " ")
    right = text[end : end + width].replace("\n", " ")
    return left, right
