"""The project.qde of a .qdpx export, and the files that go beside it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    Account,
    AccountPassage,
    Attribute,
    AttributeValue,
    AuditEvent,
    Case,
    Coding,
    Fragment,
    FragmentLink,
    FragmentPassage,
    Memo,
    Source,
)
from ..progress import CancelToken, Progress, checkpoint
from .refi_common import (
    DIARY_PREFIX,
    DIARY_SET_NOTE,
    FRAGMENT_PREFIX,
    PROJECT_NS,
    SOURCE_KIND_VARIABLE,
    xsd_datetime,
)
from .refi_export import ExportContext, add_codes, clean, serialise, source_rows, when, zip_stamp

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

STAGE_COLOR = {"manipulation": "#E69F00", "commitment": "#E69F00", "competence": "#E69F00",
               "performance": "#0072B2", "sanction": "#0072B2"}


def _q(tag: str) -> str:
    return f"{{{PROJECT_NS}}}{tag}"


def build_project(session: Session, node_ids: Iterable[int] | None, progress: Progress | None,
                  cancel: CancelToken | None) -> tuple[bytes, list[tuple[str, bytes]], tuple]:
    """(project.qde bytes, [(archive name, bytes)], zip timestamp)."""
    return _Builder(session, ExportContext(session, node_ids), progress, cancel).build()


class _Builder:
    def __init__(self, session: Session, ctx: ExportContext, progress: Progress | None,
                 cancel: CancelToken | None) -> None:
        self.s, self.ctx, self.progress, self.cancel = session, ctx, progress, cancel
        self.users: set[str] = set()
        self.user_guids: dict[str, str] = {}
        self.case_elems: dict[int, etree._Element] = {}
        self.kept_codings: set[int] = set()
        self.files: list[tuple[str, bytes]] = []
        self.links: list[dict] = []
        self.memos = session.scalars(select(Memo).order_by(Memo.id)).all()
        self.notes_on: dict[tuple[str, int | None], list[str]] = {}
        self.memo_guid = {m.id: ctx.guid("memo", m.id) for m in self.memos}
        self.fragments = session.scalars(select(Fragment).order_by(Fragment.account_id, Fragment.position,
                                                                   Fragment.id)).all()
        self.source_memo: dict[int, str] = {}
        for m in self.memos:
            if m.target_type == "source" and m.target_id is not None:
                self.source_memo.setdefault(m.target_id, m.text)
        self.has_sources = session.scalar(select(Source.id).limit(1)) is not None
        for m in self.memos:
            if m.target_type in ("case", "memo") and m.target_id is not None:
                target = (self.ctx.guid("case", m.target_id) if m.target_type == "case"
                          else self.memo_guid.get(m.target_id))
                if target is not None:
                    self.links.append({"guid": ctx.guid("memo-link", m.id), "name": "memo about",
                                       "originGUID": self.memo_guid[m.id], "targetGUID": target})
                    continue
            key = (m.target_type, m.target_id) if m.target_type not in ("diary", "account") else None
            if key is not None:
                self.notes_on.setdefault(key, []).append(self.memo_guid[m.id])

    def build(self) -> tuple[bytes, list[tuple[str, bytes]], tuple]:
        from lxml import etree

        ctx = self.ctx
        root = etree.Element(_q("Project"), nsmap={None: PROJECT_NS})
        first = self.s.execute(select(AuditEvent.coder, AuditEvent.after).order_by(AuditEvent.seq).limit(1)).first()
        last = self.s.execute(select(AuditEvent.coder, AuditEvent.time)
                              .order_by(AuditEvent.seq.desc()).limit(1)).first()
        name = "qdaapp project"
        if first is not None and first.after:
            name = str(json.loads(first.after).get("name") or name)
        root.set("name", clean(name))
        root.set("origin", ctx.origin)
        if first is not None:
            root.set("creatingUserGUID", self._user(first.coder))
        if xsd_datetime(ctx.created_at):
            root.set("creationDateTime", xsd_datetime(ctx.created_at))
        if last is not None:
            root.set("modifyingUserGUID", self._user(last.coder))
            if xsd_datetime(last.time):
                root.set("modifiedDateTime", xsd_datetime(last.time))
        users = etree.SubElement(root, _q("Users"))
        if ctx.nodes:
            codes = etree.SubElement(etree.SubElement(root, _q("CodeBook")), _q("Codes"))
            add_codes(codes, ctx, PROJECT_NS, {nid: g for (kind, nid), g in self.notes_on.items()
                                                if kind == "node" and nid is not None})
        self._variables_and_cases(root)
        self._sources(root)
        self._notes(root)
        self._links(root)
        self._sets(root)
        self._graphs(root)
        for note in self.notes_on.get(("project", None), []):
            etree.SubElement(root, _q("NoteRef"), targetGUID=note)
        for name in sorted(self.users):
            etree.SubElement(users, _q("User"), guid=ctx.guid("user", name), name=clean(name))
        if not self.users:
            root.remove(users)
        for group in list(root):
            if group.tag != _q("NoteRef") and len(group) == 0 and group.tag != _q("Description"):
                root.remove(group)
        return serialise(root), self.files, zip_stamp(self.s)

    def _user(self, name: str | None) -> str:
        guid = self.user_guids.get(name or "")
        if guid is None:
            guid = self.user_guids[name or ""] = self.ctx.guid("user", name or "")
            if name:
                self.users.add(name)
        return guid

    # ------------------------------------------------------------------ variables and cases
    def _variables_and_cases(self, root: etree._Element) -> None:
        from lxml import etree

        attrs = self.s.scalars(select(Attribute).order_by(Attribute.id)).all()
        values = self.s.execute(select(AttributeValue.attribute_id, AttributeValue.case_id, AttributeValue.source_id,
                                       AttributeValue.value).order_by(AttributeValue.attribute_id,
                                                                      AttributeValue.id)).all()
        self.kinds: dict[int, str] = {}
        for a in attrs:
            mine = [v.value for v in values if v.attribute_id == a.id]
            if a.type == "number":
                self.kinds[a.id] = "Integer" if all(_is_int(v) for v in mine) else "Float"
            else:
                self.kinds[a.id] = {"date": "Date"}.get(a.type, "Text")
        self.values: dict[tuple[str, int], list] = {}
        for v in values:
            owner = ("case", v.case_id) if v.case_id is not None else ("source", v.source_id)
            self.values.setdefault(owner, []).append(v)
        group = etree.SubElement(root, _q("Variables"))
        for a in attrs:
            etree.SubElement(group, _q("Variable"), guid=self.ctx.guid("attribute", a.id), name=clean(a.name),
                             typeOfVariable=self.kinds[a.id])
        if self.has_sources:
            etree.SubElement(group, _q("Variable"), guid=self.ctx.guid("source-kind", 0), name=SOURCE_KIND_VARIABLE,
                             typeOfVariable="Text")
        group = etree.SubElement(root, _q("Cases"))
        for c in self.s.scalars(select(Case).order_by(Case.id)).all():
            elem = etree.SubElement(group, _q("Case"), guid=self.ctx.guid("case", c.id), name=clean(c.name))
            if c.description:
                etree.SubElement(elem, _q("Description")).text = clean(c.description)
            self._values(elem, ("case", c.id))
            self.case_elems[c.id] = elem

    def _values(self, elem: etree._Element, owner: tuple[str, int]) -> None:
        from lxml import etree

        for v in self.values.get(owner, []):
            vv = etree.SubElement(elem, _q("VariableValue"))
            etree.SubElement(vv, _q("VariableRef"), targetGUID=self.ctx.guid("attribute", v.attribute_id))
            kind = self.kinds[v.attribute_id]
            value = v.value
            if kind == "Float":
                value = _decimal(value)
            etree.SubElement(vv, _q(f"{kind}Value" if kind != "Integer" else "IntegerValue")).text = clean(value)

    # ------------------------------------------------------------------ sources
    def _sources(self, root: etree._Element) -> None:
        from lxml import etree

        ctx = self.ctx
        group = etree.SubElement(root, _q("Sources"))
        codings: dict[int, list] = {}
        q = (select(Coding.id, Coding.source_id, Coding.node_id, Coding.start, Coding.end, Coding.coder,
                    Coding.created_at)
             .order_by(Coding.source_id, Coding.start, Coding.end, Coding.node_id, Coding.coder, Coding.id))
        for c in self.s.execute(q):
            if ctx.codable(c.node_id):
                codings.setdefault(c.source_id, []).append(c)
                self.kept_codings.add(c.id)
        spans: dict[int, set[tuple[int, int]]] = {}
        for sid, a, b in self.s.execute(select(FragmentPassage.source_id, FragmentPassage.start, FragmentPassage.end)):
            spans.setdefault(sid, set()).add((a, b))
        for sid, a, b in self.s.execute(select(AccountPassage.source_id, AccountPassage.start, AccountPassage.end)):
            spans.setdefault(sid, set()).add((a, b))
        rows = source_rows(self.s)
        if self.progress is not None:
            self.progress.start(len(rows), "Writing sources")
        for r in rows:
            checkpoint(self.cancel)
            guid, text_guid = ctx.guid("source", r.id), ctx.guid("source-text", r.id)
            attrs = {"guid": guid, "name": clean(r.name)}
            if r.imported_by:
                attrs["creatingUser"] = self._user(r.imported_by)
            attrs.update(when(r.imported_at))
            self.files.append((f"sources/{text_guid}.txt", r.text.encode("utf-8")))
            is_pdf = r.format == "pdf" and r.original
            elem = etree.SubElement(group, _q("PDFSource" if is_pdf else "TextSource"), attrs)
            if r.id in self.source_memo:  # where other programs show a source's memo; the kind is a variable
                etree.SubElement(elem, _q("Description")).text = clean(self.source_memo[r.id])
            if is_pdf:
                file_guid = ctx.guid("source-file", r.id)
                elem.set("path", f"internal://{file_guid}.pdf")
                self.files.append((f"sources/{file_guid}.pdf", r.original))
                body = etree.SubElement(elem, _q("Representation"), guid=text_guid, name=clean(r.name),
                                        plainTextPath=f"internal://{text_guid}.txt")
            else:
                body = elem
                elem.set("plainTextPath", f"internal://{text_guid}.txt")
                if r.format == "docx" and r.original:
                    file_guid = ctx.guid("source-file", r.id)
                    elem.set("richTextPath", f"internal://{file_guid}.docx")
                    self.files.append((f"sources/{file_guid}.docx", r.original))
            self._selections(body, r, codings.get(r.id, []), spans.get(r.id, set()))
            for note in self.notes_on.get(("source", r.id), []):
                etree.SubElement(elem, _q("NoteRef"), targetGUID=note)
            self._values(elem, ("source", r.id))
            vv = etree.SubElement(elem, _q("VariableValue"))
            etree.SubElement(vv, _q("VariableRef"), targetGUID=ctx.guid("source-kind", 0))
            etree.SubElement(vv, _q("TextValue")).text = r.kind
            if r.case_id in self.case_elems:
                etree.SubElement(self.case_elems[r.case_id], _q("SourceRef"), targetGUID=guid)
            if self.progress is not None:
                self.progress.advance(1, r.name)

    def _selections(self, body: etree._Element, r, codings: list, extra: set[tuple[int, int]]) -> None:
        from lxml import etree

        ctx = self.ctx
        # One selection per span and coder: a program that keeps one user per selection then keeps every
        # coder's codings. The first selection of a span has the span's GUID (links to passages name it).
        by_span: dict[tuple[int, int], dict[str, list]] = {}
        for c in codings:
            by_span.setdefault((c.start, c.end), {}).setdefault(c.coder or "", []).append(c)
        for span in extra:
            by_span.setdefault(span, {})
        for (a, b) in sorted(by_span):
            coders = by_span[(a, b)]
            for n, coder in enumerate(sorted(coders) or [None]):
                group = coders.get(coder, []) if coder is not None else []
                key = f"{r.id}:{a}:{b}" if n == 0 else f"{r.id}:{a}:{b}:{coder}"
                attrs = {"guid": ctx.guid("selection", key), "name": clean(_excerpt(r.text[a:b])),
                         "startPosition": str(a), "endPosition": str(b)}
                if group:
                    attrs["creatingUser"] = self._user(group[0].coder)
                    attrs.update(when(min(c.created_at for c in group)))
                sel = etree.SubElement(body, _q("PlainTextSelection"), attrs)
                self._codings(sel, group)

    def _codings(self, sel: etree._Element, group: list) -> None:
        from lxml import etree

        ctx = self.ctx
        for c in group:
            cattrs = {"guid": ctx.guid("coding", c.id), "creatingUser": self._user(c.coder), **when(c.created_at)}
            coding = etree.SubElement(sel, _q("Coding"), cattrs)
            etree.SubElement(coding, _q("CodeRef"), targetGUID=ctx.guid("node", c.node_id))
            for note in self.notes_on.get(("coding", c.id), []):
                etree.SubElement(coding, _q("NoteRef"), targetGUID=note)

    # ------------------------------------------------------------------ notes, links, sets, graphs
    def _notes(self, root: etree._Element) -> None:
        from lxml import etree

        group = etree.SubElement(root, _q("Notes"))
        node_ids = {n.id for n in self.ctx.nodes}
        for m in self.memos:
            if m.target_type == "coding" and m.target_id not in self.kept_codings:
                continue
            if m.target_type == "node" and m.target_id not in node_ids:
                continue
            attrs = {"guid": self.memo_guid[m.id]}
            if m.title:
                attrs["name"] = clean(m.title)
            if m.author:
                attrs["creatingUser"] = self._user(m.author)
            attrs.update(when(m.created_at))
            if modified := xsd_datetime(m.updated_at):
                attrs["modifiedDateTime"] = modified
            note = etree.SubElement(group, _q("Note"), attrs)
            if m.target_type == "diary":
                etree.SubElement(note, _q("Description")).text = f"{DIARY_PREFIX}{m.date or ''}"
            etree.SubElement(note, _q("PlainTextContent")).text = clean(m.text)
        cases: dict[int | None, str] = dict(self.s.execute(select(Case.id, Case.name)).all())
        for f in self.fragments:
            info = {"act": f.act, "actors": json.loads(f.actors or "[]"), "case": cases.get(f.case_id),
                    "position": f.position, "placed": f.x is not None and f.y is not None}
            note = etree.SubElement(group, _q("Note"), guid=self.ctx.guid("fragment", f.id),
                                    name=f"{f.position + 1}. {f.act or 'fragment'}", **when(f.created_at))
            etree.SubElement(note, _q("Description")).text = FRAGMENT_PREFIX + json.dumps(info, ensure_ascii=False)
            etree.SubElement(note, _q("PlainTextContent")).text = clean(f.summary)
        ctx = self.ctx
        for f_id, sid, a, b in self.s.execute(select(FragmentPassage.fragment_id, FragmentPassage.source_id,
                                                     FragmentPassage.start, FragmentPassage.end)
                                              .order_by(FragmentPassage.id)):
            self.links.append({"guid": ctx.guid("fragment-passage", f"{f_id}:{sid}:{a}:{b}"), "name": "rests on",
                               "originGUID": ctx.guid("fragment", f_id),
                               "targetGUID": ctx.guid("selection", f"{sid}:{a}:{b}")})
        for p in self.s.scalars(select(AccountPassage).order_by(AccountPassage.id)):
            self.links.append({"guid": ctx.guid("account-passage", p.id), "name": "passage of the account",
                               "originGUID": ctx.guid("account", p.account_id),
                               "targetGUID": ctx.guid("selection", f"{p.source_id}:{p.start}:{p.end}")})
        for link in self.s.scalars(select(FragmentLink).order_by(FragmentLink.id)):
            self.links.append({"guid": ctx.guid("fragment-link", link.id), "name": link.label or None,
                               "originGUID": ctx.guid("fragment", link.from_id),
                               "targetGUID": ctx.guid("fragment", link.to_id)})

    def _links(self, root: etree._Element) -> None:
        from lxml import etree

        group = etree.SubElement(root, _q("Links"))
        for link in self.links:
            attrs = {k: v for k, v in link.items() if v}
            etree.SubElement(group, _q("Link"), direction="OneWay", **attrs)

    def _sets(self, root: etree._Element) -> None:
        from lxml import etree

        ctx = self.ctx
        group = etree.SubElement(root, _q("Sets"))
        drawn: dict[int, set[int]] = {}
        for aid, sid in self.s.execute(select(AccountPassage.account_id, AccountPassage.source_id)):
            drawn.setdefault(aid, set()).add(sid)
        for aid, sid in self.s.execute(select(Fragment.account_id, FragmentPassage.source_id)
                                       .join(FragmentPassage, FragmentPassage.fragment_id == Fragment.id)):
            drawn.setdefault(aid, set()).add(sid)
        for a in self.s.scalars(select(Account).order_by(Account.id)):
            elem = etree.SubElement(group, _q("Set"), guid=ctx.guid("account", a.id), name=clean(a.title))
            if a.description:
                etree.SubElement(elem, _q("Description")).text = clean(a.description)
            for sid in sorted(drawn.get(a.id, ())):
                etree.SubElement(elem, _q("MemberSource"), targetGUID=ctx.guid("source", sid))
            for f in self.fragments:
                if f.account_id == a.id:
                    etree.SubElement(elem, _q("MemberNote"), targetGUID=ctx.guid("fragment", f.id))
            for m in self.memos:
                if m.target_type == "account" and m.target_id == a.id:
                    etree.SubElement(elem, _q("MemberNote"), targetGUID=self.memo_guid[m.id])
        diary = [m for m in self.memos if m.target_type == "diary"]
        if diary:
            elem = etree.SubElement(group, _q("Set"), guid=ctx.guid("diary", 0), name="Diary")
            etree.SubElement(elem, _q("Description")).text = DIARY_SET_NOTE
            for m in diary:
                etree.SubElement(elem, _q("MemberNote"), targetGUID=self.memo_guid[m.id])

    def _graphs(self, root: etree._Element) -> None:
        from lxml import etree

        from ..flowgraph import account_graph

        ctx = self.ctx
        group = etree.SubElement(root, _q("Graphs"))
        link_ids = {(a, b): i for i, a, b in self.s.execute(select(FragmentLink.id, FragmentLink.from_id,
                                                                  FragmentLink.to_id))}
        for a in self.s.scalars(select(Account).order_by(Account.id)):
            graph = account_graph(self.s, a.id)
            if not graph.boxes:
                continue
            elem = etree.SubElement(group, _q("Graph"), guid=ctx.guid("graph", a.id), name=clean(a.title))
            for box in sorted(graph.boxes, key=lambda b: b.id):
                attrs = {"guid": ctx.guid("vertex", box.id), "representedGUID": ctx.guid("fragment", box.id),
                         "name": clean(_excerpt(box.summary)), "firstX": str(round(box.x)), "firstY": str(round(box.y)),
                         "secondX": str(round(box.x + box.width)), "secondY": str(round(box.y + box.height)),
                         "shape": "RoundedRectangle"}
                if box.act in STAGE_COLOR:
                    attrs["color"] = STAGE_COLOR[box.act]
                etree.SubElement(elem, _q("Vertex"), attrs)
            for edge in graph.edges:
                lid = link_ids.get((edge["from"], edge["to"]))
                attrs = {"guid": ctx.guid("edge", lid), "representedGUID": ctx.guid("fragment-link", lid),
                         "sourceVertex": ctx.guid("vertex", edge["from"]),
                         "targetVertex": ctx.guid("vertex", edge["to"]), "direction": "OneWay"}
                if edge.get("label"):
                    attrs["name"] = clean(edge["label"])
                etree.SubElement(elem, _q("Edge"), attrs)


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


def _is_int(value: str) -> bool:
    try:
        return float(value).is_integer() and "e" not in value.lower()
    except ValueError:
        return False


def _decimal(value: str) -> str:
    from decimal import Decimal, InvalidOperation

    try:
        return format(Decimal(value), "f")
    except InvalidOperation:
        return value
