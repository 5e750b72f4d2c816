"""PDF import: page offsets, fixtures, encrypted, image-only and damaged files.

The small PDFs here are written byte by byte with a correct cross-reference
table, so the tests need no PDF-writing library.
"""

from __future__ import annotations

import hashlib
import re
import struct
from io import BytesIO
from pathlib import Path

import pytest

from qdaapp.core.errors import ImportFailure
from qdaapp.core.importers import read_file
from qdaapp.core.importers.pdf_layout import mid_sentence_breaks
from qdaapp.core.progress import Cancelled, CancelToken, Progress

PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def content(lines: list[str]) -> bytes:
    """A content stream that writes ``lines`` top-down in Helvetica."""
    ops = ["BT", "/F1 12 Tf", "72 720 Td", "14 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    return "\n".join(ops).encode("latin-1")


def make_pdf(pages: list[bytes], user_password: bytes | None = None) -> bytes:
    """A PDF with one page per content stream; RC4 40-bit encrypted if a password is given."""
    n = len(pages)
    page_ids = [4 + 2 * i for i in range(n)]
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % i for i in page_ids) + b"] /Count %d >>" % n,
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    file_id = hashlib.md5(b"qdaapp test").digest()
    key = None
    encrypt_id = 4 + 2 * n
    if user_password is not None:
        permissions = -4
        owner_key = hashlib.md5((b"owner" + PAD)[:32]).digest()[:5]
        o_value = rc4(owner_key, (user_password + PAD)[:32])
        key = hashlib.md5((user_password + PAD)[:32] + o_value + struct.pack("<i", permissions) + file_id).digest()[:5]
        u_value = rc4(key, PAD)
        objects[encrypt_id] = b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P %d /O <%s> /U <%s> >>" % (
            permissions,
            o_value.hex().encode(),
            u_value.hex().encode(),
        )
    for page_id, stream in zip(page_ids, pages, strict=True):
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_id + 1)
        )
        if key is not None:
            object_key = hashlib.md5(key + struct.pack("<I", page_id + 1)[:3] + b"\0\0").digest()[:10]
            stream = rc4(object_key, stream)
        objects[page_id + 1] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"

    out = BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n")
    xref = out.tell()
    size = max(objects) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[number])
    trailer = b"<< /Size %d /Root 1 0 R /ID [<%s> <%s>]" % (size, file_id.hex().encode(), file_id.hex().encode())
    if key is not None:
        trailer += b" /Encrypt %d 0 R" % encrypt_id
    out.write(b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def failure(path) -> str:
    with pytest.raises(ImportFailure) as info:
        read_file(path)
    message = str(info.value)
    assert Path(path).name in message
    return message


def pdfminer_pages(path: Path, password: str = "") -> list[str]:
    """Each page's text as pdfminer's own extract_text gives it."""
    from pdfminer.high_level import extract_text
    from pdfminer.pdfpage import PDFPage

    with open(path, "rb") as fh:
        count = sum(1 for _ in PDFPage.get_pages(fh, password=password))
    return [extract_text(str(path), page_numbers=[i], password=password) for i in range(count)]


def test_page_starts_and_blank_pages(tmp_path):
    pages = [
        content(["Interviewer: How did it start?", "P1: We had to do it."]),
        b"",
        content(["P1: Then it worked (mostly)."]),
    ]
    path = write(tmp_path, "three.pdf", make_pdf(pages))
    doc = read_file(path)
    assert doc.format == "pdf" and doc.encoding is None
    assert doc.text == "Interviewer: How did it start?\nP1: We had to do it.\n\nP1: Then it worked (mostly)."
    # The blank page starts where the next page with text does.
    assert doc.page_starts == [0, 53, 53]
    assert doc.text[doc.page_starts[2] :].startswith("P1: Then")
    assert "\f" not in doc.text
    assert [t.speaker for t in doc.turns] == ["Interviewer", "P1", "P1"]
    assert doc.warnings and "Page 2" in doc.warnings[0]
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "name, pages",
    [("Mannheimer_BSR01_Transcript.pdf", 10), ("Mannheimer_BSR02_Transcript.pdf", 14)],
)
def test_fixture_pdfs(fixtures_root, name, pages):
    path = fixtures_root / "transcripts" / "pdf" / name
    doc = read_file(path)
    reference = pdfminer_pages(path)
    assert len(reference) == pages == len(doc.page_starts)
    assert doc.page_starts[0] == 0 and doc.page_starts == sorted(doc.page_starts)
    for i, page_text in enumerate(reference):
        # Each page start is the first character that came from that page.
        assert re.findall(r"\w+", doc.text[doc.page_starts[i] :])[:8] == re.findall(r"\w+", page_text)[:8]
    # The words are pdfminer's, page after page: nothing lost, nothing added.
    assert re.findall(r"\w+", doc.text) == re.findall(r"\w+", "\n".join(reference))
    assert "\f" not in doc.text
    # Lines are joined into paragraphs: the printed lines cut sentences hundreds of times, the text almost never.
    printed = len(mid_sentence_breaks("\n".join(reference)))
    assert printed > 150
    assert len(mid_sentence_breaks(doc.text)) <= 0.02 * printed
    # `Speaker  mm:ss` headers are speaker turns, each on its own line.
    headers = re.findall(r"(?m)^(BSR0\d|Sara Mannheimer)  \d\d:\d\d$", doc.text)
    assert len(doc.turns) == len(headers) > 50
    assert {t.speaker for t in doc.turns} == {name[11:16], "Sara Mannheimer"}
    first = re.search(r"(?m)^(BSR0\d|Sara Mannheimer)  \d\d:\d\d$", doc.text)
    assert doc.turns[0].start == first.start()
    assert doc.turns[0].start > doc.text.index("SPEAKERS")  # the preamble is not a turn


@pytest.mark.parametrize("number", ["01", "02"])
def test_fixture_pdf_reads_like_its_txt_twin(fixtures_root, number):
    pdf = read_file(fixtures_root / "transcripts" / "pdf" / f"Mannheimer_BSR{number}_Transcript.pdf")
    txt = read_file(fixtures_root / "transcripts" / "txt" / f"BSR{number}_transcript_deidentified.txt")

    def turns(doc):
        return [(t.speaker, " ".join(doc.text[t.start : t.end].split())) for t in doc.turns]

    # Turn by turn the same speech, but for characters the two files really differ in.
    differing = [(a, b) for a, b in zip(turns(pdf), turns(txt), strict=False) if a != b]
    assert len(turns(pdf)) == len(turns(txt)) and len(differing) <= 1
    for (_s, a), (_t, b) in differing:
        assert a.replace("\u2019", "'") == b.replace("\u2019", "'")


def test_progress_per_page_and_cancel(tmp_path):
    path = write(tmp_path, "two.pdf", make_pdf([content(["Page one"]), content(["Page two"])]))
    seen = []
    read_file(path, progress=Progress(lambda d, t, m: seen.append((d, t))))
    assert seen == [(0, 2), (1, 2), (2, 2)]
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        read_file(path, cancel=token)


def test_encrypted_pdf(tmp_path):
    data = make_pdf([content(["Secret words in here."])], user_password=b"secret")
    path = write(tmp_path, "locked.pdf", data)
    # The file is really encrypted: with its password pdfminer reads it.
    assert "Secret words in here." in pdfminer_pages(path, password="secret")[0]
    message = failure(path)
    assert "the PDF is password-protected" in message


def test_owner_password_only_still_imports(tmp_path):
    path = write(tmp_path, "restricted.pdf", make_pdf([content(["Open words."])], user_password=b""))
    assert read_file(path).text == "Open words."


def test_pdf_without_text_layer(tmp_path):
    image = b"q 200 0 0 200 100 400 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q"
    path = write(tmp_path, "scan.pdf", make_pdf([b"", b"0 0 1 rg 10 10 100 100 re f", image]))
    message = failure(path)
    assert "the PDF has no text layer (it is a scanned image)" in message
    assert "OCR" in message


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
        b"%PDF-1.4\n" + bytes(range(256)) * 8,
    ],
)
def test_damaged_pdf(tmp_path, data):
    message = failure(write(tmp_path, "broken.pdf", data))
    assert "the PDF is damaged" in message


def test_truncated_fixture(tmp_path, fixtures_root):
    data = (fixtures_root / "transcripts" / "pdf" / "Mannheimer_BSR01_Transcript.pdf").read_bytes()
    path = write(tmp_path, "cut.pdf", data[:2000])
    message = failure(path)
    assert "the PDF is damaged" in message


def test_not_a_pdf(tmp_path):
    message = failure(write(tmp_path, "letter.pdf", b"Dear colleague,\nthis is text.\n"))
    assert "not a PDF" in message
