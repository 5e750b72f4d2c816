"""Source texts from other programs, and what their positions really count.

REFI-QDA positions are code points into the plain text file, first = 0,
end excluded. qdaapp stores every text normalised (NFC, ``\\n`` line ends,
no byte order mark), so a text written with ``\\r\\n`` line ends is shorter
here than in the file: :class:`TextMap` moves each position by what was
removed before it, so a coding keeps covering the same words.

Programs do not all count the same way. NVivo for Windows counts UTF-16
units (an emoji counts two) in the ``\\r\\n`` text. :func:`choose_counting`
looks at where each way of counting puts the selections of the file: the
standard's way is kept unless another one clearly lands more selections on
word boundaries (they are made by people selecting words).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable

from ..text import OffsetMap

STANDARD = ("cp", "raw")
COUNTINGS = (STANDARD, ("u16", "raw"), ("cp", "lf"), ("u16", "lf"))
DESCRIBE = {
    ("cp", "raw"): "code points",
    ("u16", "raw"): "UTF-16 units (as NVivo for Windows writes them)",
    ("cp", "lf"): "code points with each line end counted once",
    ("u16", "lf"): "UTF-16 units with each line end counted once",
}


def decode(data: bytes) -> tuple[str, str]:
    """(text without byte order mark, encoding). REFI-QDA says UTF-8; others are tolerated."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16").lstrip("\ufeff"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


class TextMap:
    """A text as the file has it (``raw``) and as qdaapp stores it (``text``), with positions between."""

    def __init__(self, raw: str) -> None:
        self.raw = raw.lstrip("\ufeff") if raw.startswith("\ufeff") else raw
        raw = self.raw
        self._removed = [m.start() for m in re.finditer("\r\n", raw)]  # each \r dropped from a \r\n
        lf = raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw
        self.lf = lf
        self._nfc: list[int] | None = None
        self._nfc_end: dict[int, int] = {}
        self.nfc_kept = False
        text = lf
        if not unicodedata.is_normalized("NFC", lf):
            mapped = _nfc_offsets(lf)
            if mapped is None:
                self.nfc_kept = True  # normalising would move positions unpredictably: keep as given
            else:
                text, self._nfc, self._nfc_end = mapped
        self.text = text
        self._u16: dict[str, OffsetMap] = {}
        self._astral: bool | None = None

    @property
    def has_crlf(self) -> bool:
        return bool(self._removed)

    @property
    def has_astral(self) -> bool:
        if self._astral is None:
            self._astral = not self.raw.isascii() and any(ord(ch) > 0xFFFF for ch in self.raw)
        return self._astral

    def position(self, p: int, counting: tuple[str, str] = STANDARD, end: bool = False) -> int | None:
        """Where position ``p`` of the file lands in ``text``; None if outside the text."""
        unit, base_name = counting
        base = self.raw if base_name == "raw" else self.lf
        if p < 0:
            return None
        if unit == "u16":
            omap = self._u16.get(base_name)
            if omap is None:
                omap = self._u16[base_name] = OffsetMap.for_text(base)
            if p > omap.utf16_length():
                return None
            p = omap.to_codepoint(p)
        elif p > len(base):
            return None
        if base_name == "raw" and self._removed:
            p -= bisect_left(self._removed, p)
        if self._nfc is not None:
            p = self._nfc_end.get(p, self._nfc[p]) if end else self._nfc[p]
        return p

    def span(self, start: int, end: int, counting: tuple[str, str] = STANDARD) -> tuple[int, int] | None:
        a, b = self.position(start, counting), self.position(end, counting, end=True)
        if a is None or b is None or a >= b:
            return None
        return a, b


def _nfc_offsets(s: str) -> tuple[str, list[int], dict[int, int]] | None:
    """NFC of ``s`` cluster by cluster, with old -> new offsets; None if clusters interact."""
    mapping = [0] * (len(s) + 1)
    interior_end: dict[int, int] = {}
    pieces: list[str] = []
    i, n, new = 0, len(s), 0
    combining = unicodedata.combining
    while i < n:
        j = i + 1
        while j < n and combining(s[j]):
            j += 1
        seg = s[i:j]
        norm = unicodedata.normalize("NFC", seg) if not seg.isascii() else seg
        if norm == seg:
            for k in range(i, j):
                mapping[k] = new + (k - i)
        else:
            for k in range(i, j):
                mapping[k] = new
                if k > i:
                    interior_end[k] = new + len(norm)
        pieces.append(norm)
        new += len(norm)
        i = j
    mapping[n] = new
    text = "".join(pieces)
    if text != unicodedata.normalize("NFC", s):
        return None
    return text, mapping, interior_end


def aligned(text: str, a: int, b: int) -> bool:
    """True if ``text[a:b]`` holds something and starts and ends at word boundaries."""
    if not (0 <= a < b <= len(text)) or not text[a:b].strip():
        return False
    start_ok = a == 0 or not (text[a - 1].isalnum() and text[a].isalnum())
    end_ok = b == len(text) or not (text[b - 1].isalnum() and text[b].isalnum())
    return start_ok and end_ok


def choose_counting(samples: Iterable[tuple[TextMap, list[tuple[int, int]]]]) -> tuple[tuple[str, str], int, int]:
    """The way the file counts positions: (counting, selections it aligns, selections looked at)."""
    scores = dict.fromkeys(COUNTINGS, 0)
    total = 0
    for tmap, spans in samples:
        total += len(spans)
        astral, crlf = tmap.has_astral, tmap.has_crlf
        differs = {("u16", "raw"): astral, ("cp", "lf"): crlf, ("u16", "lf"): astral or crlf}
        standard = _count_aligned(tmap, spans, STANDARD)
        scores[STANDARD] += standard
        for counting, differ in differs.items():
            scores[counting] += _count_aligned(tmap, spans, counting) if differ else standard
    best = max(COUNTINGS, key=lambda c: (scores[c], c == STANDARD))
    if best != STANDARD and scores[best] >= scores[STANDARD] + max(3, total // 10):
        return best, scores[best], total
    return STANDARD, scores[STANDARD], total


def _count_aligned(tmap: TextMap, spans: list[tuple[int, int]], counting: tuple[str, str]) -> int:
    n = 0
    for start, end in spans:
        mapped = tmap.span(start, end, counting)
        if mapped is not None and aligned(tmap.text, *mapped):
            n += 1
    return n
