"""What every importer returns, and the checks every importer shares.

A reader turns one file into an :class:`ImportedDocument`: the normalised
plain text that all offsets refer to, the structure found in it (pages,
paragraphs, speaker turns) and the original bytes for provenance. Readers call
:func:`load_bytes` to get the file's bytes (which applies the common checks)
and :func:`build_document` to finish the record, so every format behaves the
same way for missing, empty and oversized files.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from qdaapp.core.errors import ImportFailure
from qdaapp.core.nlp import detect_language
from qdaapp.core.text import count_words, normalise, paragraph_starts
from qdaapp.core.turns import Turn, find_turns

MAX_IMPORT_BYTES = 100 * 1024 * 1024

PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class ImportedDocument:
    """One imported file.

    ``text`` is normalised (NFC, ``\\n`` line ends, no leading BOM) and never
    changes afterwards; every offset below is a code point index into it.
    """

    name: str
    format: str
    text: str = field(repr=False)
    encoding: str | None
    page_starts: list[int] | None
    paragraph_starts: list[int] = field(repr=False)
    turns: list[Turn] = field(repr=False)
    original: bytes = field(repr=False)
    sha256: str
    words: int
    warnings: list[str] = field(default_factory=list)
    language: str = "en"  # ISO code, detected from the text; the import may override it


def fail(path: PathLike, problem: str, advice: str = "") -> ImportFailure:
    """An :class:`ImportFailure` for ``path`` (to be raised by the caller)."""
    return ImportFailure(os.fspath(path), problem, advice)


def check_path(path: PathLike) -> int:
    """Apply the checks shared by all formats; return the file size in bytes."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise fail(
            path,
            "the file does not exist (it may have been moved, renamed or deleted).",
            "Check the folder and choose the file again.",
        ) from None
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    if stat.S_ISDIR(st.st_mode):
        raise fail(path, "it is a folder, not a file.", "Open the folder and choose the files in it.")
    if not stat.S_ISREG(st.st_mode):
        raise fail(
            path,
            f"it is not a regular file (it is {_kind(st.st_mode)}).",
            "Choose a document saved on the disk, such as a .txt, .docx or .pdf file.",
        )
    if st.st_size == 0:
        raise fail(
            path,
            "the file is empty (0 bytes).",
            "Check that you chose the right file; if it should have content, open it in "
            "the program that made it and save it again.",
        )
    if st.st_size > MAX_IMPORT_BYTES:
        raise fail(
            path,
            f"the file is too large ({st.st_size / (1024 * 1024):.0f} MB; the limit is "
            f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB).",
            "Split it into smaller files (for example one per interview) and import those.",
        )
    return st.st_size


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not an ordinary file"


def load_bytes(path: PathLike) -> bytes:
    """The file's bytes, after :func:`check_path`."""
    check_path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    if not data:
        raise fail(path, "the file is empty (0 bytes).", "Check that you chose the right file.")
    if len(data) > MAX_IMPORT_BYTES:
        raise fail(
            path,
            "the file is too large (over 100 MB).",
            "Split it into smaller files and import those.",
        )
    return data


def _unreadable(path: PathLike, exc: OSError) -> ImportFailure:
    reason = exc.strerror or exc.__class__.__name__
    return fail(
        path,
        f"the file cannot be read ({reason.lower()}).",
        "Close it in any program that has it open, check that you may read it, and try again.",
    )


def build_document(
    path: PathLike,
    fmt: str,
    raw_text: str,
    original: bytes,
    *,
    encoding: str | None = None,
    page_starts: list[int] | None = None,
    warnings: list[str] | None = None,
    empty_problem: str = "the file contains no text (only spaces or blank lines).",
    empty_advice: str = "Check that you chose the right file.",
) -> ImportedDocument:
    """Normalise ``raw_text`` and derive everything else from it.

    ``page_starts``, when given, are offsets into the text *after*
    normalisation, so the caller must pass text that is already normalised.
    """
    text = normalise(raw_text)
    if page_starts is not None and len(text) != len(raw_text):
        raise ValueError("page_starts given for text that was not normalised")
    if not text.strip():
        raise fail(path, empty_problem, empty_advice)
    return ImportedDocument(
        name=Path(path).name,
        format=fmt,
        text=text,
        encoding=encoding,
        page_starts=page_starts,
        paragraph_starts=paragraph_starts(text),
        turns=find_turns(text),
        original=original,
        sha256=hashlib.sha256(original).hexdigest(),
        words=count_words(text),
        warnings=list(warnings or ()),
        language=detect_language(text),
    )
