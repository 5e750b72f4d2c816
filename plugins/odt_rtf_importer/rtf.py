"""Rich Text (.rtf): a small RTF-to-text reader.

RTF is a stream of groups (``{ }``), control words (``\\par``, ``\\u233``),
control symbols (``\\~``, ``\\'e9``) and text. The reader keeps the text of
the document body and drops what is not text on the page:

* paragraph and line breaks (``\\par``, ``\\line``, ``\\sect``, ``\\page``)
  become line ends, ``\\tab`` a tab, table cells are joined by a tab and each
  table row ends its line;
* ``\\'hh`` bytes are decoded with the document's code page (``\\ansicpg``,
  or ``\\mac``/``\\pc``/``\\pca``); ``\\uN`` is a Unicode character (UTF-16
  code unit, negative values wrap), after which the ``\\ucN`` fallback
  characters are skipped;
* destinations that hold no body text are skipped: font, colour and style
  tables, document information, pictures, objects, headers and footers,
  footnotes, comments, field instructions (a field's result is kept) and
  every ``{\\*\\...}`` group.
"""

from __future__ import annotations

import codecs
import re

from qdaapp.core.importers.base import ImportedDocument, PathLike, build_document, fail, load_bytes
from qdaapp.core.progress import CancelToken, Progress, checkpoint

_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # 1, 2: control word and parameter (a space delimiter is eaten)
    rb"|\\'([0-9a-fA-F]{2})"  # 3: a byte in the code page
    rb"|\\([^a-zA-Z])"  # 4: control symbol
    rb"|([{}])"  # 5: group
    rb"|([^\\{}\r\n]+)"  # 6: text
    rb"|[\r\n]+|\\",  # line ends in the file are not text; a lone backslash at the end
    re.S,
)

SKIPPED = frozenset((
    "fonttbl colortbl stylesheet listtable listoverridetable revtbl rsidtbl info pict object objdata shp "
    "shpinst shptxt nonshppict header headerl headerr headerf footer footerl footerr footerf footnote "
    "annotation atnid atnauthor atndate atnref fldinst datafield themedata colorschememapping datastore "
    "latentstyles xmlnstbl generator filetbl pgdsctbl template bkmkstart bkmkend listtext pntext pntxta "
    "pntxtb docvar userprops xform mmathPr wgrffmtfilter passwordhash protusertbl private"
).split())
_CHARS = {
    "par": "\n", "line": "\n", "sect": "\n", "page": "\n", "tab": "\t", "cell": "\t", "nestcell": "\t",
    "emdash": "\u2014", "endash": "\u2013", "bullet": "\u2022", "lquote": "\u2018", "rquote": "\u2019",
    "ldblquote": "\u201c", "rdblquote": "\u201d", "emspace": "\u2003", "enspace": "\u2002", "qmspace": "\u2005",
}
_SYMBOLS = {b"~": "\u00a0", b"_": "-", b"{": "{", b"}": "}", b"\\": "\\", b"\n": "\n", b"\r": "\n"}
_CODE_PAGES = {"ansi": "cp1252", "mac": "mac_roman", "pc": "cp437", "pca": "cp850"}
_ASIDES = {"footnote": "footnotes", "annotation": "comments", "header": "page headers", "headerl": "page headers",
           "headerr": "page headers", "headerf": "page headers", "footer": "page footers",
           "footerl": "page footers", "footerr": "page footers", "footerf": "page footers"}

_ADVICE = "Open it in a word processor and save it again as .rtf or .docx, then import that copy."


def read_rtf(path: PathLike, progress: Progress | None = None, cancel: CancelToken | None = None) -> ImportedDocument:
    """Read the body text of a Rich Text file."""
    if progress is not None:
        progress.start(1, "Reading the RTF file")
    checkpoint(cancel)
    data = load_bytes(path)
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        raise fail(path, "it is not a Rich Text (RTF) file: it does not start with '{\\rtf'.",
                   "Check that you chose the right file; if it is plain text, rename it to end in .txt.")
    text, codec, warnings = rtf_to_text(data, cancel)
    if progress is not None:
        progress.advance(1)
    return build_document(path, "rtf", text, data, encoding=codec, warnings=warnings)


def _code_page(number: int, warnings: list[str]) -> str:
    name = {65001: "utf-8", 10000: "mac_roman", 0: "cp1252"}.get(number, f"cp{number}")
    try:
        codecs.lookup(name)
    except LookupError:
        warnings.append(f"The document uses code page {number}, which qdaapp does not know; accented letters "
                        "were read as Windows-1252 and may look wrong.")
        return "cp1252"
    return name


def rtf_to_text(data: bytes, cancel: CancelToken | None = None) -> tuple[str, str, list[str]]:
    """(text, code page, warnings) of an RTF document."""
    out: list[str] = []
    pending = bytearray()  # bytes waiting to be decoded with the code page
    warnings: list[str] = []
    asides: dict[str, None] = {}
    codec = "cp1252"
    uc, skip = 1, False  # fallback characters after \uN; inside a skipped destination
    stack: list[tuple[int, bool]] = []
    to_skip = 0
    pos, end, tokens = 0, len(data), 0

    def flush() -> None:
        if pending:
            out.append(pending.decode(codec, errors="replace"))
            pending.clear()

    while pos < end:
        m = _TOKEN.match(data, pos)
        if m is None:  # pragma: no cover - the pattern matches every byte
            break
        pos = m.end()
        tokens += 1
        if not tokens % 50_000:
            checkpoint(cancel)
        word, param, byte, symbol, brace, run = m.groups()
        if brace is not None:
            flush()
            to_skip = 0
            if brace == b"{":
                stack.append((uc, skip))
                continue
            if not stack:
                continue
            uc, skip = stack.pop()
            if not stack:
                break  # the end of the document's outer group
            continue
        if word is not None:
            name = word.decode("ascii")
            if name in _ASIDES:
                asides.setdefault(_ASIDES[name], None)
            if name == "bin":  # binary data: never text
                pos += max(0, int(param or 0))
                continue
            if skip:
                continue
            if name in SKIPPED:
                skip = True
                continue
            if to_skip:
                to_skip -= 1
                continue
            if name in _CHARS:
                flush()
                out.append(_CHARS[name])
            elif name in ("row", "nestrow"):
                flush()
                if out and out[-1] == "\t":
                    out.pop()
                out.append("\n")
            elif name == "u" and param is not None:
                flush()
                code = int(param)
                out.append(chr(code + 65536 if code < 0 else code & 0xFFFF))
                to_skip = uc
            elif name == "uc" and param is not None:
                uc = max(0, int(param))
            elif name in _CODE_PAGES:
                codec = _CODE_PAGES[name]
            elif name == "ansicpg" and param is not None:
                flush()
                codec = _code_page(int(param), warnings)
            continue
        if symbol is not None:
            if symbol == b"*":
                skip = True
            elif skip:
                pass
            elif to_skip:
                to_skip -= 1
            elif symbol in _SYMBOLS:
                flush()
                out.append(_SYMBOLS[symbol])
            continue
        if skip:
            continue
        if byte is not None:
            if to_skip:
                to_skip -= 1
            else:
                pending.append(int(byte, 16))
        elif run is not None:
            if to_skip:
                cut = min(to_skip, len(run))
                run, to_skip = run[cut:], to_skip - cut
            pending.extend(run)
    flush()
    if stack:
        warnings.append("The RTF file seems to be cut short; the text up to its end was imported.")
    if asides:
        listed = list(asides)
        warnings.append(f"The document has {', '.join(listed[:-1]) + ' and ' if len(listed) > 1 else ''}"
                        f"{listed[-1]}; these were not imported, only the main text.")
    joined = "".join(out)
    # \uN gives UTF-16 code units: join surrogate pairs (emoji), replace lone halves.
    text = joined.encode("utf-16-le", "surrogatepass").decode("utf-16-le", errors="replace")
    return text, codec, warnings
