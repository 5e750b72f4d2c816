"""Page layout and metadata of the Word report: paper, margins, page numbers, document properties."""

from __future__ import annotations

from datetime import UTC, datetime

from ...errors import InvalidInput

# paper -> (width, height, margin) in centimetres
PAPERS = {"a4": (21.0, 29.7, 2.0), "letter": (21.59, 27.94, 2.54)}


def check_paper(paper: str) -> str:
    key = (paper or "a4").strip().lower()
    if key not in PAPERS:
        raise InvalidInput(f"'{paper}' is not a paper size; choose {' or '.join(PAPERS)}.")
    return key


def text_width_cm(paper: str) -> float:
    width, _height, margin = PAPERS[check_paper(paper)]
    return width - 2 * margin


def widths(fractions: list[float], paper: str) -> list[float]:
    """Column widths in cm that fill the text width of ``paper`` in the given proportions."""
    total = sum(fractions)
    usable = text_width_cm(paper) - 0.05
    return [usable * f / total for f in fractions]


def set_page(doc, paper: str) -> None:
    """Paper size and margins on every section."""
    from docx.shared import Cm

    width, height, margin = PAPERS[check_paper(paper)]
    for section in doc.sections:
        section.page_width, section.page_height = Cm(width), Cm(height)
        section.left_margin = section.right_margin = Cm(margin)
        section.top_margin = section.bottom_margin = Cm(margin)
        section.header_distance = section.footer_distance = Cm(margin / 2)


def add_page_numbers(doc, title: str) -> None:
    """'Title · page N of M' centred in the footer, as PAGE and NUMPAGES fields Word and LibreOffice update."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Pt

    from ..themes import clean

    def field(code: str) -> list:
        return [parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:sz w:val="16"/></w:rPr><w:fldChar w:fldCharType="begin"/>'
                          '</w:r>'),
                parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:sz w:val="16"/></w:rPr>'
                          f'<w:instrText xml:space="preserve"> {code} </w:instrText></w:r>'),
                parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:sz w:val="16"/></w:rPr><w:fldChar w:fldCharType="separate"/>'
                          '</w:r>'),
                parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:sz w:val="16"/></w:rPr><w:t>1</w:t></w:r>'),
                parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:sz w:val="16"/></w:rPr>'
                          '<w:fldChar w:fldCharType="end"/></w:r>')]

    for section in doc.sections:
        para = section.footer.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        lead = para.add_run(f"{clean(title)} \u00b7 page ")
        lead.font.size = Pt(8)
        for run in field("PAGE"):
            para._p.append(run)
        mid = para.add_run(" of ")
        mid.font.size = Pt(8)
        para._p.append(mid._r)
        for run in field("NUMPAGES"):
            para._p.append(run)


def set_properties(doc, title: str, author: str, now: datetime | None = None) -> None:
    """Title, author (the person writing the report) and today's dates: none of the template's own."""
    from ..themes import clean

    now = (now or datetime.now(UTC)).replace(microsecond=0)
    props = doc.core_properties
    props.title = clean(title)[:255]
    props.subject = "Audit report"
    props.author = clean(author)[:255] or "unknown"
    props.last_modified_by = props.author
    props.created = props.modified = now
    props.last_printed = now
    props.revision = 1
    props.comments = "Written by qdaapp from the project's audit trail."
    props.keywords = "audit trail; qualitative analysis"
    props.category = props.content_status = props.identifier = props.language = props.version = ""
    _application(doc)


def _application(doc) -> None:
    """The extended properties name qdaapp as the program, not the template's 'Microsoft Macintosh Word'."""
    import re

    for part in doc.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            xml = part.blob.decode("utf-8")
            xml = re.sub(r"<Application>.*?</Application>", "<Application>qdaapp</Application>", xml)
            xml = re.sub(r"\s*<AppVersion>.*?</AppVersion>", "", xml)
            xml = re.sub(r"<Template>.*?</Template>", "<Template/>", xml)
            part._blob = xml.encode("utf-8")
