"""Everything the audit report shows, collected as plain data for the Word, HTML and PDF writers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ... import audit
from ...audit_text import describe_rows
from ...errors import InvalidInput
from ...models import AuditEvent, Coding
from ...project import default_coder
from ...review_comments import ReviewComment
from ..codebook_doc import CodebookEntry, codebook
from ..memo_export import LabelledMemo
from ..memo_export import collect as collect_memos
from ..themes import project_title, today
from .accounts import AccountSection, FlowchartRenderer, account_sections
from .changes import CodebookChange, MarkerRow, codebook_changes, marker_rows
from .docx_layout import check_paper
from .facts import Scope, Summary, summary
from .timeline import CoderTimeline, Describe, timelines


@dataclass
class Comment:
    when: str
    author: str
    on: str
    text: str


@dataclass
class AuditReport:
    title: str
    generated: str
    author: str
    paper: str
    summary: Summary
    changes: list[CodebookChange]
    markers: list[MarkerRow]
    accounts: list[AccountSection]
    comments: list[Comment]
    coders: list[CoderTimeline]
    tree: list[CodebookEntry]
    free: list[CodebookEntry]
    memo_groups: list[tuple[str, list[LabelledMemo]]]
    diary: list[LabelledMemo]
    extra: dict = field(default_factory=dict)

    @property
    def chain(self) -> audit.VerifyResult:
        return self.summary.chain


def check_since(since: str | None) -> str | None:
    """A day as YYYY-MM-DD, or None; a clear message for anything else."""
    if since is None or not str(since).strip():
        return None
    try:
        return date.fromisoformat(str(since).strip()).isoformat()
    except ValueError:
        raise InvalidInput(f"'{since}' is not a date; write it as YYYY-MM-DD, e.g. 2024-05-01.") from None


def check_coder(session: Session, coder: str | None) -> str | None:
    """The coder's name as the project records it (case-insensitive match); a clear message if unknown."""
    if coder is None or not coder.strip():
        return None
    known = {c for c in session.scalars(select(AuditEvent.coder).distinct()) if c}
    known |= {c for c in session.scalars(select(Coding.coder).distinct()) if c}
    for name in known:
        if name.lower() == coder.strip().lower():
            return name
    names = ", ".join(sorted(known, key=str.lower)) or "nobody yet"
    raise InvalidInput(f"Nobody called '{coder}' has worked on this project; the coders are: {names}.")


def as_comment(item: ReviewComment) -> Comment:
    """A review comment as the report lists it: what it is on, its status, and its replies below it."""
    on = "the project" if item.kind == "project" else f"{item.kind} {item.label}".strip()
    text = item.text + "".join(f"\n↳ {r.author} ({_minute(r.time)}): {r.text}" for r in item.replies)
    return Comment(_minute(item.time), item.author, on, f"{text}\n[{item.status}]")


def _minute(stamp: str) -> str:
    return stamp[:16].replace("T", " ")


def build_report(session: Session, render_flowchart: FlowchartRenderer | None = None, chart_format: str = "png",
                 *, since: str | None = None, coder: str | None = None, paper: str = "a4",
                 describe: Describe | None = None, comments: Sequence[ReviewComment] = (),
                 author: str | None = None) -> AuditReport:
    """Everything the report shows, as data (``chart_format``: 'png' for Word and PDF, 'svg' for HTML).

    ``since`` (YYYY-MM-DD) and ``coder`` narrow the figures, the codebook changes, the marker decisions and
    the timeline; ``describe(conn, rows)`` words events as sentences (by default the audit trail's own,
    :func:`qdaapp.core.audit_text.describe_rows`); ``comments`` are the supervisors' review comments
    (:func:`qdaapp.core.review_comments.comments_for_report`).
    """
    if describe is None:
        describe = describe_rows
    scope = Scope(check_since(since), check_coder(session, coder))
    paper = check_paper(paper)
    chain = audit.verify(session.connection())
    title = project_title(session)
    tree, free = codebook(session)
    groups, diary = collect_memos(session)
    if scope.coder:
        groups = [(h, [m for m in items if m.memo.author == scope.coder]) for h, items in groups]
        groups = [(h, items) for h, items in groups if items]
        diary = [m for m in diary if m.memo.author == scope.coder]
    if scope.since:
        groups = [(h, [m for m in items if (m.memo.updated_at or "") >= scope.since]) for h, items in groups]
        groups = [(h, items) for h, items in groups if items]
        diary = [m for m in diary if (m.memo.date or m.memo.updated_at or "") >= scope.since]
    return AuditReport(
        title, today(), author if author is not None else default_coder(), paper,
        summary(session, title, scope, chain), codebook_changes(session, scope, describe), marker_rows(session, scope),
        account_sections(session, render_flowchart, chart_format), [as_comment(c) for c in comments or ()],
        timelines(session, scope, describe), tree, free, groups, diary)
