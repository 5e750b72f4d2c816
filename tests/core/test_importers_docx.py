"""Word (.docx) import: reading order, fixtures against their .txt twins, bad files."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import pytest

from qdaapp.core.errors import ImportFailure
from qdaapp.core.importers import docx as docx_importer
from qdaapp.core.importers import read_file
from qdaapp.core.progress import Cancelled, CancelToken, Progress
from qdaapp.core.text import normalise

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def failure(path) -> str:
    with pytest.raises(ImportFailure) as info:
        read_file(path)
    message = str(info.value)
    assert Path(path).name in message
    return message


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@pytest.fixture
def small_docx(tmp_path) -> Path:
    """A document with a heading, list items, a nested table, tabs and breaks."""
    import docx

    document = docx.Document()
    document.add_heading("Interview 7", level=1)
    document.add_paragraph("Interviewer: First question?")
    p = document.add_paragraph("P7: Line one")
    p.add_run().add_break()
    p.add_run("line two\tafter tab")
    document.add_paragraph("A point", style="List Bullet")
    document.add_paragraph("Another point", style="List Number")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Name"
    table.cell(0, 1).text = "Role"
    table.cell(1, 0).text = "Rosa"
    cell = table.cell(1, 1)
    cell.text = "Nurse"
    cell.add_paragraph("Practice team")
    inner = cell.add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "inner A"
    inner.cell(0, 1).text = "inner B"
    document.add_paragraph("Interviewer: Last question after the table.")
    document.sections[0].header.paragraphs[0].text = "Confidential header"
    path = tmp_path / "small.docx"
    document.save(path)
    return path


def rewrite_part(source: Path, target: Path, part: str, change) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                data = change(data)
            zout.writestr(info, data)
    return target


def test_reading_order_tables_and_breaks(small_docx):
    doc = read_file(small_docx)
    assert doc.format == "docx" and doc.encoding is None and doc.page_starts is None
    assert doc.text.split("\n") == [
        "Interview 7",
        "Interviewer: First question?",
        "P7: Line one",
        "line two\tafter tab",
        "A point",
        "Another point",
        "Name\tRole",
        "Rosa\tNurse",
        "Practice team",
        "inner A\tinner B",
        "",
        "Interviewer: Last question after the table.",
    ]
    assert [t.speaker for t in doc.turns] == ["Interviewer", "P7", "Interviewer"]
    assert doc.warnings == ["The document has page headers; these were not imported, only the main text."]
    assert doc.original == small_docx.read_bytes()


def test_content_controls_tracked_changes_and_textboxes(tmp_path, small_docx):
    body = (
        '<w:p><w:r><w:t xml:space="preserve">Ana: we </w:t></w:r>'
        "<w:ins><w:r><w:t>really </w:t></w:r></w:ins>"
        "<w:del><w:r><w:delText>never </w:delText></w:r></w:del>"
        "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:r><w:t>had</w:t></w:r>"
        '</w:sdtContent></w:sdt><w:r><w:t xml:space="preserve"> to</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        "<w:r><w:t>7</w:t></w:r>"
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:r><w:drawing><w:txbxContent>'
        "<w:p><w:r><w:t>Box text</w:t></w:r></w:p></w:txbxContent></w:drawing></w:r></mc:Choice>"
        "<mc:Fallback><w:r><w:pict><w:txbxContent><w:p><w:r><w:t>Box text</w:t></w:r></w:p>"
        "</w:txbxContent></w:pict></w:r></mc:Fallback></mc:AlternateContent></w:p>"
    )

    def change(xml: bytes) -> bytes:
        if b"xmlns:mc=" not in xml:
            xml = xml.replace(
                b"<w:document ",
                b'<w:document xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" ',
                1,
            )
        start = xml.index(b"<w:body>") + len(b"<w:body>")
        end = xml.index(b"<w:sectPr")
        return xml[:start] + body.encode() + xml[end:]

    path = rewrite_part(small_docx, tmp_path / "features.docx", "word/document.xml", change)
    doc = read_file(path)
    assert doc.text == "Box text\nAna: we really had to7"
    assert any("tracked changes" in w for w in doc.warnings)


# --- fixtures ------------------------------------------------------------------------


def paragraph_texts(path: Path) -> tuple[list[str], list[str]]:
    """Each body paragraph's text, with and without content-control (w:sdt) text.

    Derived with XPath, independently of the importer.
    """
    from lxml import etree

    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    body = root.find(f"{W}body")
    full, without_sdt = [], []
    for p in body.iterchildren(f"{W}p"):
        runs = p.xpath(".//w:t", namespaces={"w": W[1:-1]})
        full.append("".join(t.text or "" for t in runs))
        without_sdt.append(
            "".join(t.text or "" for t in runs if not t.xpath("ancestor::w:sdt", namespaces={"w": W[1:-1]}))
        )
    return [normalise(x) for x in full], [normalise(x) for x in without_sdt]


@pytest.mark.parametrize("name", ["Ana", "David", "Jessica"])
def test_fixture_docx_matches_txt_twin(fixtures_root, name):
    folder = fixtures_root / "transcripts"
    doc = read_file(folder / "docx" / f"{name}.docx")
    twin = read_file(folder / "txt" / f"{name}.txt")
    full, without_sdt = paragraph_texts(folder / "docx" / f"{name}.docx")

    # The importer gives every body paragraph as one line, in order...
    assert doc.text.split("\n") == full
    # ...and the .txt twins were made by a tool that drops text inside content
    # controls (w:sdt). Without that text the .docx is the .txt exactly.
    assert "\n".join(without_sdt) == twin.text
    # Title line with date and duration is body text in both.
    assert doc.text.split("\n")[0] == twin.text.split("\n")[0]
    assert {t.speaker for t in doc.turns} == {t.speaker for t in twin.turns} == {"Researcher 1", name}
    assert len(doc.turns) == len(twin.turns)

    if full == without_sdt:  # David and Jessica: no content controls with text
        assert words(doc.text) == words(twin.text)
        assert doc.text == twin.text
    else:
        # Ana.docx is a Google Docs export whose suggested edits sit in content
        # controls; Word shows that text, so the importer keeps it. The twin
        # lacks those 30-odd words (and joins the words either side of them).
        # Documented tolerance: at most 1% of the words differ.
        extra = len(words(doc.text)) - len(words(twin.text))
        assert 0 < extra <= 0.01 * len(words(twin.text))
        assert "in particular where I am doing the reserach" in doc.text


def test_readme_fixture_imports(fixtures_root):
    doc = read_file(fixtures_root / "transcripts" / "docx" / "Readme - Interviews.docx")
    assert doc.text.startswith("ReadMe:")
    assert "Labelled as ‘Researcher 1’ throughout the dataset" in doc.text
    assert doc.words > 300


def test_comments_are_reported(fixtures_root):
    doc = read_file(fixtures_root / "transcripts" / "docx" / "David.docx")
    assert doc.warnings == ["The document has 9 comments; comments are not imported."]


def test_progress_and_cancel(small_docx):
    seen = []
    read_file(small_docx, progress=Progress(lambda d, t, m: seen.append((d, t))))
    assert seen and seen[-1][0] == seen[-1][1]
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        read_file(small_docx, cancel=token)


# --- bad files --------------------------------------------------------------------------


def test_truncated_docx(tmp_path, fixtures_root):
    data = (fixtures_root / "transcripts" / "docx" / "Jessica.docx").read_bytes()
    path = tmp_path / "Jessica cut.docx"
    path.write_bytes(data[: len(data) // 2])
    assert "the file is damaged (not a valid Word document)" in failure(path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "fake.docx"
    path.write_text("Interviewer: this is really text\n")
    assert "damaged (not a valid Word document)" in failure(path)


def test_corrupt_xml(tmp_path, small_docx):
    path = rewrite_part(small_docx, tmp_path / "broken.docx", "word/document.xml", lambda x: x[: len(x) // 2])
    assert "damaged" in failure(path)


LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def _insert_doctype(xml: bytes) -> bytes:
    end = xml.index(b"?>") + 2
    return xml[:end] + LAUGHS + xml[end:].replace(b"</w:t>", b"&lol3;</w:t>", 1)


@pytest.mark.parametrize("part", ["word/document.xml", "[Content_Types].xml", "word/styles.xml"])
def test_billion_laughs_is_refused_before_parsing(tmp_path, small_docx, part, monkeypatch):
    from lxml import etree

    path = rewrite_part(small_docx, tmp_path / "laughs.docx", part, _insert_doctype)

    def must_not_parse(*args, **kwargs):
        raise AssertionError("lxml was asked to parse an unsafe part")

    monkeypatch.setattr(etree, "iterparse", must_not_parse)
    monkeypatch.setattr(etree, "fromstring", must_not_parse)
    message = failure(path)
    assert "contains XML entity declarations, which Word never writes; the file may be unsafe" in message


def test_doctype_in_utf16_part_is_refused(tmp_path, small_docx):
    def to_utf16(xml: bytes) -> bytes:
        text = _insert_doctype(xml).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
        return text.encode("utf-16")

    path = rewrite_part(small_docx, tmp_path / "laughs16.docx", "word/document.xml", to_utf16)
    assert "entity declarations" in failure(path)


def test_zip_bomb_is_refused(tmp_path, small_docx, monkeypatch):
    padding = b" " * 2_000_000

    def inflate(xml: bytes) -> bytes:
        return xml.replace(b"<w:body>", b"<w:body>" + padding, 1)

    path = rewrite_part(small_docx, tmp_path / "bomb.docx", "word/document.xml", inflate)
    assert path.stat().st_size < 100_000
    monkeypatch.setattr(docx_importer, "MAX_PART_BYTES", 1_000_000)
    assert "unpacks to far more data than any real document" in failure(path)


def test_streamed_size_limit(small_docx, monkeypatch):
    """The limit also holds while streaming, whatever the zip header claims."""
    monkeypatch.setattr(docx_importer, "MAX_PART_BYTES", 100)
    with zipfile.ZipFile(small_docx) as zf:
        info = zf.getinfo("word/document.xml")
        with docx_importer.open_part(zf, info) as stream, pytest.raises(docx_importer.DocxProblem):
            while stream.read(64):
                pass


def _compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (version 3, 512-byte sectors) holding ``streams``.

    Every stream is at least 4096 bytes so it lives in regular sectors.
    """
    free, end, fat_sect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_sect, end]  # sector 0: FAT, sector 1: directory
    data_sectors = b""
    entries = []
    for name, content in streams.items():
        content = content.ljust(max(4096, -(-len(content) // 512) * 512), b"\0")
        first = len(fat)
        count = len(content) // 512
        fat += [first + i + 1 for i in range(count - 1)] + [end]
        data_sectors += content
        entries.append((name, 2, first, len(content)))
    fat += [free] * (128 - len(fat))

    def entry(name, kind, start, size, child=nostream, right=nostream):
        raw = name.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", nostream, right, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, end, 0, child=1)
    for i, (name, kind, start, size) in enumerate(entries):
        right = i + 2 if i + 1 < len(entries) else nostream
        directory += entry(name, kind, start, size, right=right)
    directory = directory.ljust(512, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + data_sectors


def test_password_protected_docx(tmp_path):
    path = tmp_path / "secret.docx"
    path.write_bytes(
        _compound_file({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x01" * 5000})
    )
    message = failure(path)
    assert "password-protected" in message and "remove the password" in message


def test_old_doc_renamed_to_docx(tmp_path):
    path = tmp_path / "old.docx"
    path.write_bytes(_compound_file({"WordDocument": b"\xec\xa5" + bytes(4000)}))
    assert "old-style Word document (.doc)" in failure(path)


def test_other_office_file(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr("xl/workbook.xml", "<workbook/>")
    path = tmp_path / "sheet.docx"
    path.write_bytes(buf.getvalue())
    assert "not a Word document" in failure(path)


def test_document_without_text(tmp_path):
    import docx

    path = tmp_path / "blank.docx"
    docx.Document().save(path)
    assert "contains no text" in failure(path)
