"""Build a benchmark study: N words of distinct .txt transcripts, plus two pathological files.

Run:  python tests/bench/corpus.py --out /tmp/study [--words 10000000]

The transcripts repeat the fixture interviews one file per copy (about 7,000
words each, so ten million words make about 1,400 files). Every copy starts
with a header line naming its copy number and ends with a suffix line, so no
two files are byte-identical: a study of real interviews has no duplicates,
and an importer that deduplicates by hash must not get an easy ride.

The two pathological files test that memory does not grow with the size of
one source:

* ``no_breaks_90mb.txt``: the transcripts with every line break replaced by
  a space, repeated to 90 MB, one single line;
* ``paragraphs_200k.docx``: 200,000 paragraphs, written as WordprocessingML
  directly (python-docx takes minutes and gigabytes for a document this size).

Everything is cached under ``--out`` and reused when present (a marker file
records what was built), so repeated benchmark runs do not rebuild it.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "transcripts" / "txt"
if not FIXTURES.is_dir():
    FIXTURES = Path("/work/shared/fixtures/transcripts/txt")

NO_BREAKS_BYTES = 90 * 1024 * 1024
DOCX_PARAGRAPHS = 200_000


def fixture_texts() -> list[tuple[str, str]]:
    """(stem, text) of every fixture transcript, in name order."""
    found = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.txt"))]
    if not found:
        raise SystemExit(f"no fixture transcripts in {FIXTURES}")
    return found


def _done(folder: Path, key: dict) -> bool:
    stamp = folder / "built.json"
    return stamp.is_file() and json.loads(stamp.read_text()) == key


def _stamp(folder: Path, key: dict) -> None:
    (folder / "built.json").write_text(json.dumps(key))


def build_transcripts(out: Path, words: int) -> list[Path]:
    """Write distinct copies of the fixtures until ``words`` words; return the files (cached)."""
    folder = out / f"txt-{words}"
    key = {"words": words, "fixtures": [name for name, _ in fixture_texts()]}
    if _done(folder, key):
        return sorted(folder.glob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    fixtures = [(name, text.rstrip("\n"), len(text.split())) for name, text in fixture_texts()]
    files: list[Path] = []
    total = copy = 0
    while total < words:
        name, text, n = fixtures[copy % len(fixtures)]
        copy += 1
        path = folder / f"{copy:05}_{name}.txt"
        header = f"Copy {copy} of {name} – interview {copy:05}"
        suffix = f"[End of copy {copy} of {name}; transcript {copy:05}.]"
        path.write_text(f"{header}\n{text}\n{suffix}\n", encoding="utf-8")
        files.append(path)
        total += n + len(header.split()) + len(suffix.split())
    _stamp(folder, key)
    return files


def build_no_breaks(out: Path, size: int = NO_BREAKS_BYTES) -> Path:
    """One transcript of ``size`` bytes with no line break at all (cached)."""
    path = out / f"no_breaks_{size // (1024 * 1024)}mb.txt"
    if path.is_file() and path.stat().st_size == size:
        return path
    out.mkdir(parents=True, exist_ok=True)
    block = " ".join(" ".join(text.split("\n")) for _, text in fixture_texts()).encode("utf-8") + b" "
    tmp = path.with_suffix(".part")
    with tmp.open("wb") as fh:
        written = 0
        while written + len(block) <= size:
            fh.write(block)
            written += len(block)
        fh.write(b"x" * (size - written))  # pad to the exact size with ASCII so no character is cut
    tmp.replace(path)
    return path


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
_DOC_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)
_DOC_TAIL = "</w:body></w:document>"


def build_paragraphs_docx(out: Path, paragraphs: int = DOCX_PARAGRAPHS) -> Path:
    """A .docx of ``paragraphs`` paragraphs (the fixture lines in turn), streamed into the zip (cached)."""
    path = out / f"paragraphs_{paragraphs // 1000}k.docx"
    if path.is_file() and path.stat().st_size > 0:
        return path
    out.mkdir(parents=True, exist_ok=True)
    lines = [line for _, text in fixture_texts() for line in text.split("\n") if line.strip()]
    tmp = path.with_suffix(".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(_DOC_HEAD.encode())
            for i in range(paragraphs):
                run = escape(lines[i % len(lines)])
                fh.write(f'<w:p><w:r><w:t xml:space="preserve">{run}</w:t></w:r></w:p>'.encode())
            fh.write(_DOC_TAIL.encode())
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="cache folder (reused when present)")
    ap.add_argument("--words", type=int, default=10_000_000)
    ap.add_argument("--no-pathological", action="store_true", help="only the transcripts")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    files = build_transcripts(args.out, args.words)
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files):,} transcripts, {size / 1e6:.0f} MB, in {files[0].parent}")
    if not args.no_pathological:
        for built in (build_no_breaks(args.out), build_paragraphs_docx(args.out)):
            print(f"{built} ({built.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    sys.exit(main())
