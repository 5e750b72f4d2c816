"""All memos and the reflective diary, to Word or Markdown.

Memos are grouped by what they are attached to (the project, sources, cases,
nodes, codings, accounts, other memos), each labelled with its target's
current name; the diary follows in date order. The grouping and labels are
shared with the supervisor's audit report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..memos import MemoInfo, list_memos
from ..models import Account, Case, Coding, Memo, Source
from ..nodes import list_nodes
from . import write_atomically
from .themes import clean, esc, project_title, today

GROUPS = (
    ("project", "Project memos"),
    ("source", "Memos on sources"),
    ("case", "Memos on cases"),
    ("node", "Memos on nodes"),
    ("coding", "Memos on codings"),
    ("account", "Memos on accounts"),
    ("memo", "Memos on memos"),
)


@dataclass(frozen=True)
class LabelledMemo:
    memo: MemoInfo
    target: str  # what the memo is attached to, for people

    @property
    def heading(self) -> str:
        if self.memo.title:
            return self.memo.title
        return f"Diary, {self.memo.date}" if self.memo.target_type == "diary" else f"Memo {self.memo.id}"

    @property
    def meta(self) -> str:
        parts = [self.target] if self.target else []
        parts.append(self.memo.author or "unknown author")
        parts.append(f"written {self.memo.created_at[:10]}")
        if self.memo.updated_at[:16] != self.memo.created_at[:16]:
            parts.append(f"edited {self.memo.updated_at[:10]}")
        return " \u00b7 ".join(parts)


def _names(session: Session, model, column, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(model.id, column).where(model.id.in_(ids))).all())


def target_labels(session: Session, memos: list[MemoInfo]) -> dict[int, str]:
    """memo id -> "node 'Barriers/Workload'", "source 'Rosa.txt'", ... (batched look-ups)."""
    wanted: dict[str, set[int]] = {}
    for m in memos:
        if m.target_id is not None:
            wanted.setdefault(m.target_type, set()).add(m.target_id)
    node_paths = {n.id: n.path for n in list_nodes(session)} if "node" in wanted or "coding" in wanted else {}
    names = {
        "source": _names(session, Source, Source.name, wanted.get("source", set())),
        "case": _names(session, Case, Case.name, wanted.get("case", set())),
        "account": _names(session, Account, Account.title, wanted.get("account", set())),
        "memo": _names(session, Memo, Memo.title, wanted.get("memo", set())),
        "node": {i: node_paths[i] for i in wanted.get("node", set()) if i in node_paths},
    }
    codings: dict[int | None, str] = {}
    if wanted.get("coding"):
        rows = session.execute(
            select(Coding.id, Coding.node_id, Source.name, Coding.start, Coding.end)
            .join(Source, Source.id == Coding.source_id).where(Coding.id.in_(wanted["coding"])))
        codings = {cid: f"coding of '{node_paths.get(nid, nid)}' in {src} ({a}\u2013{b})"
                   for cid, nid, src, a, b in rows}
    out = {}
    for m in memos:
        if m.target_type == "project":
            out[m.id] = "the project"
        elif m.target_type == "diary":
            out[m.id] = f"diary, {m.date}"
        elif m.target_type == "coding":
            out[m.id] = codings.get(m.target_id, f"coding {m.target_id} (since removed)")
        else:
            name = names.get(m.target_type, {}).get(m.target_id) if m.target_id is not None else None
            out[m.id] = (f"{m.target_type} '{name or m.target_id}'" if name is not None
                         else f"{m.target_type} {m.target_id} (since removed)")
    return out


def collect(session: Session) -> tuple[list[tuple[str, list[LabelledMemo]]], list[LabelledMemo]]:
    """([(group heading, memos)] for non-empty groups, diary entries in date order)."""
    memos = list_memos(session)
    labels = target_labels(session, memos)
    groups = []
    for kind, heading in GROUPS:
        items = [LabelledMemo(m, labels[m.id]) for m in memos if m.target_type == kind]
        items.sort(key=lambda lm: (lm.target.lower(), lm.memo.created_at))
        if items:
            groups.append((heading, items))
    diary = sorted((LabelledMemo(m, "") for m in memos if m.target_type == "diary"),
                   key=lambda lm: (lm.memo.date or "", lm.memo.created_at))
    return groups, diary


# ---------------------------------------------------------------------- Word
def add_memo_docx(doc, item: LabelledMemo, level: int = 3) -> None:
    from docx.shared import Pt, RGBColor

    doc.add_heading(clean(item.heading), level=level)
    meta = doc.add_paragraph().add_run(clean(item.meta))
    meta.italic = True
    meta.font.size, meta.font.color.rgb = Pt(8.5), RGBColor(0x55, 0x55, 0x55)
    for para in clean(item.memo.text).split("\n\n"):
        doc.add_paragraph(para)


def add_memos_docx(doc, groups, diary, level: int = 1) -> None:
    if not groups and not diary:
        doc.add_paragraph("There are no memos or diary entries yet.")
    for heading, items in groups:
        doc.add_heading(heading, level=level)
        for item in items:
            add_memo_docx(doc, item, level + 1)
    if diary:
        doc.add_heading("Reflective diary", level=level)
        for item in diary:
            add_memo_docx(doc, item, level + 1)


# ---------------------------------------------------------------------- HTML (audit report)
def memo_html(item: LabelledMemo, level: int = 4) -> str:
    h = f"h{level}"
    return (f'<{h}>{esc(item.heading)}</{h}><div class="memo"><span class="meta">{esc(item.meta)}</span>'
            f"{esc(item.memo.text)}</div>")


# ---------------------------------------------------------------------- Markdown
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def md_escape(text: str) -> str:
    """Escape Markdown syntax in a one-line label or heading."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_memo(item: LabelledMemo) -> list[str]:
    return [f"### {md_escape(item.heading)}", "", f"*{md_escape(item.meta)}*", "", item.memo.text.strip(), ""]


def memos_markdown(title: str, groups, diary) -> str:
    lines = [f"# Memos and diary: {md_escape(title)}", "", f"*Generated {today()}.*", ""]
    if not groups and not diary:
        lines += ["There are no memos or diary entries yet.", ""]
    for heading, items in groups:
        lines += [f"## {heading}", ""]
        for item in items:
            lines += _md_memo(item)
    if diary:
        lines += ["## Reflective diary", ""]
        for item in diary:
            lines += _md_memo(item)
    return "\n".join(lines).rstrip() + "\n"


def export_memos(session: Session, path: str | Path) -> Path:
    """Write every memo and the diary as DOCX or Markdown (chosen by the suffix)."""
    title = project_title(session)
    groups, diary = collect(session)

    def write_md(tmp: Path) -> None:
        tmp.write_text(memos_markdown(title, groups, diary), encoding="utf-8")

    def write_docx(tmp: Path) -> None:
        import docx

        doc = docx.Document()
        doc.add_heading(f"Memos and diary: {clean(title)}", level=0)
        n = sum(len(items) for _, items in groups)
        doc.add_paragraph(f"{n} memo(s) and {len(diary)} diary entr{'y' if len(diary) == 1 else 'ies'}. "
                          f"Generated {today()}.")
        add_memos_docx(doc, groups, diary)
        doc.save(str(tmp))

    suffix = Path(path).suffix.lower()
    return write_atomically(path, write_docx if suffix == ".docx" else write_md, (".docx", ".md"))
