"""The odt-rtf-importer plugin: OpenDocument text and Rich Text through the importer registry."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from qdaapp.core.errors import ImportFailure
from qdaapp.core.importers import importer_name, read_file
from qdaapp.core.plugins import registry

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/"')
MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            '</manifest:manifest>')
BODY = """
<text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Illustration"/></text:sequence-decls>
<text:tracked-changes><text:changed-region text:id="c1"><text:deletion><office:change-info>
  <dc:creator>Ana</dc:creator></office:change-info><text:p>DELETED TEXT</text:p></text:deletion></text:changed-region>
</text:tracked-changes>
<text:h text:outline-level="1">Entretien avec Héloïse</text:h>
<text:p>Interviewer: Comment   ça a <text:span>commencé</text:span> ?<text:change text:change-id="c1"/></text:p>
<text:p>P3: Il faut <text:s text:c="2"/>du temps.<text:tab/>Fin<text:line-break/>suite 😀<text:note
 text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>NOTE TEXT</text:p>
 </text:note-body></text:note><office:annotation><dc:creator>A</dc:creator><text:p>COMMENT TEXT</text:p>
 </office:annotation></text:p>
<text:list><text:list-item><text:p>premier point</text:p><text:list><text:list-item><text:p>sous-point</text:p>
</text:list-item></text:list></text:list-item><text:list-item><text:p>second point</text:p></text:list-item></text:list>
<table:table table:name="T"><table:table-column table:number-columns-repeated="3"/>
 <table:table-header-rows><table:table-row><table:table-cell><text:p>Nom</text:p></table:table-cell>
 <table:table-cell><text:p>Rôle</text:p></table:table-cell><table:table-cell/></table:table-row></table:table-header-rows>
 <table:table-row><table:table-cell><text:p>Rosa</text:p><text:p>(P1)</text:p></table:table-cell>
 <table:table-cell><text:p>infirmière</text:p></table:table-cell><table:covered-table-cell/></table:table-row>
</table:table>
<text:section text:name="S"><text:p><draw:frame><draw:text-box><text:p>Encadré</text:p></draw:text-box>
</draw:frame>Après
 le cadre</text:p></text:section>
"""
EXPECTED = ("Entretien avec Héloïse\nInterviewer: Comment ça a commencé ?\nP3: Il faut   du temps.\tFin\nsuite 😀\n"
            "premier point\nsous-point\nsecond point\nNom\tRôle\nRosa\n(P1)\tinfirmière\nEncadré\nAprès le cadre")


def odt(body: str = BODY, mimetype: bytes = b"application/vnd.oasis.opendocument.text", prolog: str = "",
        manifest: str = MANIFEST, content: bytes | None = None) -> bytes:
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}<office:document-content {NS} office:version="1.3">'
           f"<office:body><office:text>{body}</office:text></office:body></office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest)
        if content is not False:
            zf.writestr("content.xml", content if content is not None else xml.encode("utf-8"))
    return buf.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_registered_through_the_plugin_registry() -> None:
    assert importer_name("x.odt") == "OpenDocument text" and importer_name("x.RTF") == "Rich Text"
    plugin = registry().get("odt-rtf-importer")
    assert plugin.active and plugin.origin == "folder"


def test_odt_reading_order_and_structure(tmp_path: Path) -> None:
    doc = read_file(write(tmp_path, "Héloïse.odt", odt()))
    assert doc.text == EXPECTED
    assert doc.format == "odt" and doc.language == "fr" and doc.name == "Héloïse.odt"
    assert [t.speaker for t in doc.turns][:2] == ["Interviewer", "P3"]
    assert doc.text.index("😀") == EXPECTED.index("😀")  # code points, not UTF-16 units
    notes = " ".join(doc.warnings)
    assert "tracked changes" in notes and "1 footnote(s)" in notes and "1 comment(s)" in notes
    for hidden in ("DELETED TEXT", "NOTE TEXT", "COMMENT TEXT", "Illustration"):
        assert hidden not in doc.text


def test_odt_without_content_xml_prolog_and_headings_only(tmp_path: Path) -> None:
    body = '<text:h text:outline-level="2">Only a heading</text:h><text:p/><text:p>  and   text  </text:p>'
    assert read_file(write(tmp_path, "h.odt", odt(body))).text == "Only a heading\n\nand text"


@pytest.mark.parametrize("data, problem", [
    (b"hello, not a zip at all", "damaged (not a valid OpenDocument text file)"),
    (b"PK\x03\x04" + b"\x00" * 40, "damaged (not a valid OpenDocument text file)"),
    (odt(prolog='<!DOCTYPE office:document-content [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n'),
     "entity declarations"),
    (odt(mimetype=b"application/vnd.oasis.opendocument.spreadsheet"), "it is a spreadsheet, not a text document"),
    (odt(content=False), "has no content.xml"),
    (odt(content=b"<office:document-content"), "not valid XML"),
    (odt(manifest=MANIFEST.replace("</manifest:manifest>", "<manifest:encryption-data/></manifest:manifest>")),
     "password-protected"),
    (odt(body="<text:p><draw:frame><draw:image/></draw:frame></text:p>"), "contains no text"),
])
def test_odt_bad_input_has_clear_messages(tmp_path: Path, data: bytes, problem: str) -> None:
    with pytest.raises(ImportFailure) as err:
        read_file(write(tmp_path, "bad.odt", data))
    assert problem in str(err.value) and str(err.value).startswith("bad.odt could not be imported:")


RTF = (rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\froman Times New Roman;}{\f1 Arial;}}"
       rb"{\colortbl;\red0\green0\blue0;}{\stylesheet{\s0 Normal;}}{\*\generator Writer;}"
       rb"{\info{\title Secret title}{\author Someone}}" b"\r\n"
       rb"\pard\plain Interviewer: Caf\'e9 cr\'e8me ?\par" b"\r\n"
       rb"P1: Je \u233?t\'e9 l\'e0 \uc2\u-10179\'3f\'3f\u-8704??!\tab fin\line suite\par"
       rb"{\*\unknowndest hidden}{\field{\*\fldinst HYPERLINK \"http://x\"}{\fldrslt lien}}\par"
       rb"\trowd\cellx100\cellx200 Nom\cell R\'f4le\cell\row {\footnote NOTE}\{x\} \\ y\~z\emdash\par}")


def test_rtf_text_code_page_unicode_and_destinations(tmp_path: Path) -> None:
    doc = read_file(write(tmp_path, "notes.rtf", RTF))
    assert doc.text == ("Interviewer: Café crème ?\nP1: Je été là 😀!\tfin\nsuite\nlien\nNom\tRôle\n"
                        "{x} \\ y\u00a0z\u2014\n")
    assert doc.format == "rtf" and doc.encoding == "cp1252" and doc.language == "fr"
    assert [t.speaker for t in doc.turns] == ["Interviewer", "P1"]
    assert "footnotes" in doc.warnings[0]
    for hidden in ("Secret", "Times", "Writer", "hidden", "HYPERLINK", "NOTE", "Normal"):
        assert hidden not in doc.text


def test_rtf_other_code_pages_and_uc0(tmp_path: Path) -> None:
    cyrillic = rb"{\rtf1\ansi\ansicpg1251 \'cf\'f0\'e8\'e2\'e5\'f2, \uc0\u1084\u1080\u1088!\par}"
    assert read_file(write(tmp_path, "ru.rtf", cyrillic)).text == "Привет, мир!\n"
    mac = rb"{\rtf1\mac \'8e t\'8e\par}"
    assert read_file(write(tmp_path, "mac.rtf", mac)).text == "é té\n"


def test_rtf_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ImportFailure, match=r"not a Rich Text \(RTF\) file: it does not start with"):
        read_file(write(tmp_path, "plain.rtf", b"just some text"))
    with pytest.raises(ImportFailure, match="contains no text"):
        read_file(write(tmp_path, "empty.rtf", rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\info{\title x}}\par}"))
    cut = read_file(write(tmp_path, "cut.rtf", rb"{\rtf1\ansi Some text\par and more {\b bold"))
    assert cut.text == "Some text\nand more bold" and "cut short" in cut.warnings[0]
    odd = read_file(write(tmp_path, "odd.rtf", rb"{\rtf1\ansicpg99999 caf\'e9}"))
    assert odd.text == "café" and "code page 99999" in odd.warnings[0]
