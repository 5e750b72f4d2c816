"""Writing notes, links, sets and graphs read from a REFI-QDA file.

Every note becomes a memo. What it annotates comes from the NoteRefs and
Links that point at it (a memo annotates one thing in qdaapp: the first
reference wins); a note whose target was not imported is kept as a project
memo rather than lost. From files written by qdaapp, diary entries and
narrative accounts (sets with fragment notes, links and a graph) are
rebuilt; sets, links and graphs from other programs have no place in
qdaapp and are listed as skipped.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import SPEECH_ACTS, Account, AccountPassage, Case, Fragment, FragmentLink, FragmentPassage, Memo, utcnow
from .refi_common import Skipped
from .refi_model import RLink, RNote, RProject, RSet

if TYPE_CHECKING:  # pragma: no cover
    from .refi_import import ImportSummary

_ABOUT = ("source", "code", "coding", "selection", "case", "note")


class NoteWriter:
    def __init__(self, session: Session, parsed: RProject, coder: str, summary: ImportSummary,
                 node_ids: dict[str, int], source_ids: dict[str, int], case_ids: dict[str, int]) -> None:
        self.s, self.p, self.coder, self.summary = session, parsed, coder, summary
        self.node_ids, self.source_ids, self.case_ids = node_ids, source_ids, case_ids
        self.account_ids: dict[str, int] = {}
        self._used_fragments: set[str] = set()
        self._existing: dict[tuple, int] | None = None
        self.duplicates = 0
        self.on_passages = 0
        self._texts: dict[str, tuple[str, str]] | None = None
        self._coding_ids: dict | None = None
        self.kinds: dict[str, str] = {}
        for kind, guids in (("code", [c.guid for c in parsed.codes]), ("source", [s.guid for s in parsed.sources]),
                            ("selection", parsed.selections), ("coding", parsed.coding_keys),
                            ("case", [c.guid for c in parsed.cases]), ("note", [n.guid for n in parsed.notes]),
                            ("set", [s.guid for s in parsed.sets])):
            for guid in guids:
                self.kinds.setdefault(guid, kind)

    def skip(self, kind: str, name: str, reason: str, count: int = 1) -> None:
        self.summary.skipped.append(Skipped(kind, name, reason, count))

    def write(self) -> None:
        p = self.p
        fragments = {n.guid: n for n in p.notes if n.fragment is not None}
        accounts = [s for s in p.sets if p.ours and not s.diary]
        flinks: list[RLink] = []
        fpassages: dict[str, list[str]] = {}
        apassages: dict[str, list[str]] = {}
        for link in p.links:
            o, t = link.origin or "", link.target or ""
            ko, kt = self.kinds.get(o), self.kinds.get(t)
            if o in fragments and t in fragments:
                flinks.append(link)
            elif o in fragments and kt == "selection":
                fpassages.setdefault(o, []).append(t)
            elif p.ours and ko == "set" and kt == "selection":
                apassages.setdefault(o, []).append(t)
            elif ko == "note" and kt in _ABOUT:
                p.annotate(o, kt, t)
            elif kt == "note" and ko in _ABOUT:
                p.annotate(t, ko, o)
            elif ko is None or kt is None:
                self.skip("link", link.name or "(no name)", "one of the things it links was not imported.")
            else:
                self.skip("link", link.name or "(no name)", f"qdaapp keeps links only between a memo and what it "
                          f"is about (this one links a {ko} to a {kt}).")
        for s in p.sets:
            if s in accounts:
                for g in s.notes:
                    if g not in fragments:
                        p.annotate(g, "set", s.guid)
            elif not s.diary:
                n = len(s.codes) + len(s.sources) + len(s.notes)
                self.skip("set", s.name, f"qdaapp has no sets of sources, codes or notes; its {n} member(s) "
                          "were imported without it.")
        if not p.ours:
            for graph in p.graphs:
                self.skip("graph", graph.name, "graphs from other programs are not imported (qdaapp draws flow "
                          "charts of its own narrative accounts).")
        self._accounts(accounts, fragments, flinks, fpassages, apassages)
        self._memos(fragments)
        if self.duplicates:
            self.skip("memo", self.p.file_name, "the same memo is already in the project.", self.duplicates)

    # ------------------------------------------------------------------ memos
    def _memos(self, fragments: dict[str, RNote]) -> None:
        memo_ids: dict[str, int] = {}
        later: list[tuple[RNote, str]] = []
        for note in self.p.notes:
            if note.guid in fragments and note.guid in self._used_fragments:
                continue
            if note.diary_date is not None:
                self._add(note, "diary", None, memo_ids, day=_day(note.diary_date, note.created_at))
                continue
            targets = self.p.note_targets.get(note.guid, [])
            if len(targets) > 1:
                self.skip("memo", note.title or note.guid, f"it annotates {len(targets)} things; a memo in qdaapp "
                          "annotates one, so it was attached to the first.")
            if targets and targets[0][0] == "note":
                later.append((note, targets[0][1] or ""))
                continue
            kind, ident = self._target(*targets[0]) if targets else ("project", None)
            if targets and kind == "project" and targets[0][0] != "project":
                self.skip("memo", note.title or note.guid, "what it annotates was not imported; it was kept as a "
                          "project memo.")
            if targets and kind == "source" and (span := self._passage(*targets[0])) is not None:
                note = self._on_passage(note, *span)
            self._add(note, kind, ident, memo_ids)
        if self.on_passages:
            self.summary.notices.append(
                f"{self.on_passages} note(s) on passages without a coding were kept as memos on their source, "
                "each beginning with the passage it is about (a memo in qdaapp is not anchored to a passage).")
        for note, target in later:
            if target in memo_ids:
                self._add(note, "memo", memo_ids[target], memo_ids)
            else:
                self.skip("memo", note.title or note.guid, "the note it annotates was not imported; it was kept "
                          "as a project memo.")
                self._add(note, "project", None, memo_ids)

    def _passage(self, kind: str, guid: str | None) -> tuple[str, int, int] | None:
        """(source GUID, start, end) of the selection a note is about, else None."""
        return self.p.selections.get(guid or "") if kind == "selection" else None

    def _on_passage(self, note: RNote, sguid: str, a: int, b: int) -> RNote:
        """The note with the passage it annotates named at the top of its text."""
        if self._texts is None:
            self._texts = {src.guid: (src.name, src.text) for src in self.p.sources}
        name, text = self._texts.get(sguid, ("", ""))
        words = " ".join(text[a:b].split())
        excerpt = words if len(words) <= 200 else words[:199] + "\u2026"
        self.on_passages += 1
        head = f"On characters {a}\u2013{b} of {name}: \u201c{excerpt}\u201d"
        body = note.text if note.text.strip() else note.title
        return replace(note, text=f"{head}\n\n{body}" if body else head)

    def _add(self, note: RNote, kind: str, ident: int | None, memo_ids: dict[str, int],
             day: str | None = None) -> None:
        text = note.text or note.title
        if self._existing is None:
            self._existing = {(m.target_type, m.target_id, m.text, m.title, m.date): m.id
                              for m in self.s.scalars(select(Memo))}
        same = self._existing.get((kind, ident, text, note.title, day))
        if same is not None:
            memo_ids[note.guid] = same
            self.duplicates += 1
            return
        created = note.created_at or utcnow()
        memo = Memo(title=note.title, text=text, target_type=kind, target_id=ident, date=day,
                    author=note.author or "", created_at=created, updated_at=note.updated_at or created)
        self.s.add(memo)
        self.s.flush()
        memo_ids[note.guid] = self._existing[(kind, ident, text, note.title, day)] = memo.id
        self.summary.memos += 1

    def _target(self, kind: str, guid: str | None) -> tuple[str, int | None]:
        """Where a memo goes in qdaapp; falls back to the source, then the project."""
        key = guid or ""
        if kind == "source" and key in self.source_ids:
            return "source", self.source_ids[key]
        if kind == "code" and key in self.node_ids:
            return "node", self.node_ids[key]
        if kind == "case" and key in self.case_ids:
            return "case", self.case_ids[key]
        if kind == "set" and key in self.account_ids:
            return "account", self.account_ids[key]
        if kind == "coding" and key in self.p.coding_keys:
            sguid, a, b, code, coder = self.p.coding_keys[key]
            sid, nid = self.source_ids.get(sguid), self.node_ids.get(code or "")
            found = self.coding_ids.get((sid, nid, a, b, coder or self.coder))
            if found is not None:
                return "coding", found
            return ("source", sid) if sid is not None else ("project", None)
        if kind == "selection" and key in self.p.selections:
            sguid, a, b = self.p.selections[key]
            sid = self.source_ids.get(sguid)
            found = min((i for (s, _, x, y, _), i in self.coding_ids.items() if (s, x, y) == (sid, a, b)),
                        default=None)
            if found is not None:
                return "coding", found
            return ("source", sid) if sid is not None else ("project", None)
        return "project", None

    @property
    def coding_ids(self) -> dict:
        if self._coding_ids is None:
            from .refi_import import coding_id_lookup

            self._coding_ids = coding_id_lookup(self.s, self.source_ids.values())
        return self._coding_ids

    # ------------------------------------------------------------------ narrative accounts
    def _accounts(self, sets: list[RSet], fragments: dict[str, RNote], flinks: list[RLink],
                  fpassages: dict[str, list[str]], apassages: dict[str, list[str]]) -> None:
        if not sets:
            return
        titles = dict(self.s.execute(select(Account.title, Account.id)).all())
        cases = dict(self.s.execute(select(Case.name, Case.id)).all())
        places = {v.represented: (v.x, v.y) for g in self.p.graphs for v in g.vertices if v.represented}
        for rset in sets:
            title = rset.name[:255]
            if title in titles:
                self.account_ids[rset.guid] = titles[title]
                self._used_fragments.update(g for g in rset.notes if g in fragments)
                self.skip("account", title, "an account with this title is already in the project; it was kept "
                          "as it is.")
                continue
            account = Account(title=title, description=rset.description, created_by=self.coder)
            self.s.add(account)
            self.s.flush()
            self.account_ids[rset.guid] = titles[title] = account.id
            self.summary.accounts += 1
            members = sorted((fragments[g] for g in rset.notes if g in fragments),
                             key=lambda note: int((note.fragment or {}).get("position", 0) or 0))
            frag_ids: dict[str, int] = {}
            for position, note in enumerate(members):
                info = note.fragment or {}
                act = info.get("act") if info.get("act") in SPEECH_ACTS else None
                actors = sorted({str(a) for a in info.get("actors") or []}, key=str.lower)
                x, y = places.get(note.guid, (None, None)) if info.get("placed") else (None, None)
                fragment = Fragment(account_id=account.id, summary=note.text.strip() or note.title, act=act,
                                    case_id=cases.get(info.get("case") or ""), actors=json.dumps(actors),
                                    position=position, x=x, y=y, created_at=note.created_at or utcnow())
                self.s.add(fragment)
                self.s.flush()
                frag_ids[note.guid] = fragment.id
                self._used_fragments.add(note.guid)
                for sel in fpassages.get(note.guid, []):
                    span = self._span(sel)
                    if span is not None:
                        self.s.add(FragmentPassage(fragment_id=fragment.id, source_id=span[0], start=span[1],
                                                   end=span[2]))
            seen: set[tuple[int, int]] = set()
            order = list(frag_ids.values())
            steps = set(pairwise(order))  # a link to the next fragment is the sequence (as in schema 0007)
            for link in flinks:
                a, b = frag_ids.get(link.origin or ""), frag_ids.get(link.target or "")
                if a is not None and b is not None and a != b and (a, b) not in seen:
                    seen.add((a, b))
                    self.s.add(FragmentLink(from_id=a, to_id=b, label=link.name,
                                            kind="sequence" if (a, b) in steps else "extra"))
            spans = {span for sel in apassages.get(rset.guid, []) if (span := self._span(sel)) is not None}
            for sid, a, b in sorted(spans):
                self.s.add(AccountPassage(account_id=account.id, source_id=sid, start=a, end=b, added_by=self.coder))
        self.s.flush()

    def _span(self, selection: str) -> tuple[int, int, int] | None:
        sguid, a, b = self.p.selections.get(selection, ("", 0, 0))
        sid = self.source_ids.get(sguid)
        return (sid, a, b) if sid is not None else None


def _day(value: str | None, created: str | None) -> str:
    for candidate in (value, (created or "")[:10]):
        try:
            return date.fromisoformat(candidate or "").isoformat()
        except ValueError:
            continue
    return date.today().isoformat()
