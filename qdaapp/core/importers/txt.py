"""Plain text files (.txt).

The encoding is found in this order:

1. a byte order mark (UTF-32, UTF-8, UTF-16), which is decisive;
2. UTF-16 without a mark, recognised by its pattern of zero bytes;
3. strict UTF-8, which almost never decodes text in any other encoding;
4. a legacy single-byte code page. Windows-1252 (Western European) is by far
   the most common, and a text in it reads correctly; when the Windows-1252
   reading looks wrong (mostly non-ASCII letters, or symbols inside words,
   as Cyrillic or Polish text does), charset-normalizer is asked for a better
   guess. Latin-1 is the last resort.

The encoding used is recorded, and a legacy guess adds a warning so the user
knows to check accented letters.
"""

from __future__ import annotations

import re

from qdaapp.core.importers.base import ImportedDocument, PathLike, build_document, fail, load_bytes
from qdaapp.core.progress import CancelToken, Progress, checkpoint

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32", "utf-32"),
    (b"\xff\xfe\x00\x00", "utf-32", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8-sig"),
    (b"\xfe\xff", "utf-16", "utf-16"),
    (b"\xff\xfe", "utf-16", "utf-16"),
)

# Control characters that never occur in text (tab, line feed, vertical tab,
# form feed and carriage return do, and so does the escape in old files).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
_SAMPLE_CHARS = 200_000
_MAX_CONTROL_SHARE = 0.02

_WESTERN = {"cp1252", "windows-1252", "latin_1", "latin-1", "iso8859_1", "iso8859_15", "ascii"}
_SYMBOL_IN_WORD = re.compile(r"(?<=[^\W\d_])[\u00a1-\u00bf\u00d7\u00f7\u0080-\u009f](?=[^\W\d_])")
_LETTER = re.compile(r"[^\W\d_]")
_NON_ASCII_LETTER = re.compile(r"[^\W\d_a-zA-Z]")

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document; rename it to end in .pdf"),
    (b"PK\x03\x04", "a Word document or another ZIP file; if it is from Word, rename it to end in .docx"),
    (b"\xd0\xcf\x11\xe0", "an old Word or Office file; open it in Word and save it as .docx"),
    (b"{\\rtf", "a Rich Text (RTF) document; open it in Word and save it as .docx"),
)


def read_txt(
    path: PathLike,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> ImportedDocument:
    """Read a plain text file, detecting its encoding."""
    if progress is not None:
        progress.start(2, "Reading text")
    checkpoint(cancel)
    data = load_bytes(path)
    text, encoding, warnings = decode_text(path, data)
    checkpoint(cancel)
    if progress is not None:
        progress.advance(1, "Finding paragraphs and speakers")
    doc = build_document(path, "txt", text, data, encoding=encoding, warnings=warnings)
    if progress is not None:
        progress.advance(1)
    return doc


def decode_text(path: PathLike, data: bytes) -> tuple[str, str, list[str]]:
    """Decode ``data``; return ``(text, encoding used, warnings)``.

    Raises ImportFailure if the bytes are not text.
    """
    warnings: list[str] = []
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            text = _strict(path, data, codec, label)
            _reject_binary(path, data, text)
            return text, label, warnings
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        text = _strict(path, data, utf16, utf16)
        _reject_binary(path, data, text)
        return text, utf16, warnings
    if b"\x00" in data:
        raise _binary(path, data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _reject_binary(path, data, text)
        return text, "utf-8", warnings
    text, encoding = _legacy(data)
    _reject_binary(path, data, text)
    warnings.append(
        f"The file is not in UTF-8; it was read as {_describe(encoding)}. If accented "
        "letters or quotation marks look wrong, save the file as UTF-8 and import it again."
    )
    return text, encoding, warnings


def _strict(path: PathLike, data: bytes, codec: str, label: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise fail(
            path,
            f"the file says it is {label.upper()} text but is damaged at byte {exc.start}.",
            "Open it in a text editor, save it again as UTF-8, and import that copy.",
        ) from exc


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' if ``data`` looks like BOM-less UTF-16."""
    sample = data[:4096]
    if len(sample) < 4 or len(data) % 2:
        return None
    pairs = len(sample) // 2
    even_zero = sample[0::2].count(0)
    odd_zero = sample[1::2].count(0)
    if odd_zero > 0.4 * pairs and even_zero < 0.02 * pairs:
        return "utf-16-le"
    if even_zero > 0.4 * pairs and odd_zero < 0.02 * pairs:
        return "utf-16-be"
    return None


def _legacy(data: bytes) -> tuple[str, str]:
    try:
        western = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # one of the five bytes cp1252 leaves undefined
        western = data.decode("latin-1"), "latin-1"
    if _reads_as_western(western[0]):
        return western
    return _charset_guess(data) or western


def _reads_as_western(text: str) -> bool:
    """True if a Windows-1252 reading of the text is plausible.

    Western European languages use few non-ASCII letters and never put a
    symbol such as '³' or '¿' between two letters; text in another code page
    read as Windows-1252 does one or the other.
    """
    sample = text[:_SAMPLE_CHARS]
    letters = len(_LETTER.findall(sample))
    if not letters:
        return True
    foreign = len(_NON_ASCII_LETTER.findall(sample))
    if foreign > 0.3 * letters:
        return False
    odd = len(_SYMBOL_IN_WORD.findall(sample))
    return odd <= max(2, letters // 5000)


def _charset_guess(data: bytes) -> tuple[str, str] | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - optional helper
        return None
    matches = list(from_bytes(data[:1_000_000]))
    if not matches:
        return None
    # Among equally clean readings prefer a Windows code page: files from
    # Windows are far more common than Mac or DOS ones.
    least = min(m.chaos for m in matches)
    clean = [m for m in matches if m.chaos <= least + 0.01]
    best = next((m for m in clean if m.encoding.startswith("cp125")), clean[0])
    if best.encoding in _WESTERN or best.encoding.startswith("utf"):
        return None
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError):
        return None


def _describe(encoding: str) -> str:
    names = {
        "cp1252": "Windows-1252 (Western European)",
        "latin-1": "Latin-1 (Western European)",
        "cp1250": "Windows-1250 (Central European)",
        "cp1251": "Windows-1251 (Cyrillic)",
    }
    return names.get(encoding, encoding)


def _reject_binary(path: PathLike, data: bytes, text: str) -> None:
    sample = text[:_SAMPLE_CHARS]
    if not sample:
        return
    controls = len(_CONTROL.findall(sample))
    if controls > max(4, _MAX_CONTROL_SHARE * len(sample)) or "\x00" in sample:
        raise _binary(path, data)


def _binary(path: PathLike, data: bytes):
    hint = ""
    for signature, what in _SIGNATURES:
        if data[:1024].lstrip().startswith(signature):
            hint = f" It seems to be {what}."
            break
    return fail(
        path,
        "it looks like a binary file, not text." + hint,
        "Check that you chose the right file; plain text files can be made with any "
        "text editor (Save As > Plain Text, UTF-8).",
    )
