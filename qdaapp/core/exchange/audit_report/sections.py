"""The report's words and table rows, shared by the Word and HTML writers so both say the same."""

from __future__ import annotations

from .accounts import FragmentEntry, Quote
from .facts import VERIFY_PROVES, WITHOUT_REASON_DEFINITION, Summary, chain_sentence
from .report import AuditReport
from .timeline import CoderTimeline

__all__ = ["VERIFY_PROVES", "WITHOUT_REASON_DEFINITION", "chain_sentence"]

FINGERPRINT_NOTE = ("Each source's fingerprint is the SHA-256 hash of the file as it was imported. Anyone holding "
                    "the original file can compute it (e.g. 'sha256sum FILE') and compare.")
MARKER_NOTE = ("Per speech act and marker phrase: how many hits the marker searches found, how many were accepted "
               "(coded), rejected, or are still open (never reviewed), and how many accepted hits were negated "
               "(e.g. 'did not ask us to'), which a reader may want to check one by one.")
TIMELINE_NOTE = ("Per coder and day: codings made or removed are counted; every other decision (marker runs and "
                 "reviews, accounts and fragments, memos and diary entries, sources and cases, deletions, undo and "
                 "redo) is listed with the reason given; codebook changes are listed in their own section above. "
                 "Deletions, rejections and undo/redo are in bold. Times are UTC.")
CHANGE_HEADER = ["Date", "Time", "Coder", "Change", "Node", "Details", "Reason"]
CHANGE_WIDTHS = [2.2, 1.3, 1.7, 2.1, 3.2, 4.4, 2.1]
MARKER_HEADER = ["Speech act", "Marker phrase", "Hits", "Accepted", "Rejected", "Open", "Negated accepted"]
MARKER_WIDTHS = [2.6, 4.4, 1.3, 2.0, 2.0, 1.4, 2.3]
COMMENT_HEADER = ["When", "Who", "On", "Comment"]
COMMENT_WIDTHS = [2.6, 2.2, 3.6, 8.6]
TIMELINE_HEADER = ["Date", "Time", "What", "Decision", "Reason"]
TIMELINE_WIDTHS = [2.2, 1.3, 2.3, 8.0, 3.2]


def scope_suffix(report: AuditReport) -> str:
    said = report.summary.scope.describe()
    return f" in {said}" if said else ""


def generated_line(report: AuditReport) -> str:
    who = f" by {report.author}" if report.author else ""
    line = (f"Written {report.generated}{who}. Drawn from the project's hash-chained audit trail, codebook, memos, "
            "diary and accounts; it changes nothing in the project.")
    said = report.summary.scope.describe()
    return line + (f" This report covers {said} only." if said else "")


def period(s: Summary) -> str:
    first, last = s.period
    if not first:
        return "nothing recorded yet"
    return f"{first} to {last or first} (UTC)"


def identity_rows(report: AuditReport) -> list[list[str]]:
    s = report.summary
    return [["Project", report.title],
            ["Seal", f"{s.seal} (check a copy later with: qdaapp audit verify PROJECT --seal {s.seal})"],
            ["Audit trail now", "intact" if s.chain.ok else "NOT intact: " + s.chain.message().split("\n")[0]],
            ["Period covered", period(s)],
            ["Coders", ", ".join(s.coders) or "none"]]


def total_rows(s: Summary) -> list[list[str]]:
    m = s.markers
    rows = [["Sources", str(len(s.sources))],
            ["Codings by coder", "; ".join(f"{c}: {n}" for c, n in s.codings_by_coder) or "none"],
            ["Codings by origin", "; ".join(f"{label}: {n}" for label, n in s.codings_by_origin) or "none"]]
    if s.merged:
        rows.append(["Codings moved by merging nodes", f"{s.merged} (counted above by how they were first made)"])
    rows += [["Marker hits", (f"{m.hits}: {m.accepted} accepted, {m.rejected} rejected, {m.open} never reviewed; "
                              f"{m.negated_accepted} negated hit(s) accepted")],
             ["Memos", str(s.memos)],
             ["Diary entries", str(s.diary)],
             ["Decisions without a reason", f"{s.unreasoned.without} of {s.unreasoned.total}"]]
    return rows


def source_rows(s: Summary) -> list[list[str]]:
    return [[name, kind, sha] for name, kind, sha in s.sources]


def unreasoned_sentence(s: Summary) -> str:
    u = s.unreasoned
    if not u.total:
        return "There were no bulk or destructive decisions."
    if not u.without:
        return f"All {u.total} bulk or destructive decision(s) have a reason, a memo or a diary entry."
    kinds = "; ".join(f"{name.lower()}: {n}" for name, n in unreasoned_rows(s))
    return (f"{u.without} of {u.total} bulk or destructive decision(s) have no reason, no memo on what they "
            f"changed and no diary entry that day ({kinds}).")


ACTION_NAMES = {"hits.accept": "Accepting marker hits", "hits.reject": "Rejecting marker hits",
                "search.code": "Coding search results", "node.merge": "Merging nodes",
                "project.merge": "Merging a coder's copy",
                "node.move": "Moving a node with its child nodes"}


def unreasoned_rows(s: Summary) -> list[tuple[str, int]]:
    def name(action: str) -> str:
        if action in ACTION_NAMES:
            return ACTION_NAMES[action]
        if action.endswith(".delete"):
            return "Deleting a " + action.split(".")[0]
        return action

    return [(name(a), n) for a, n in s.unreasoned.by_action]


def change_rows(report: AuditReport) -> list[list[str]]:
    return [[c.day, c.time, c.coder, c.change, c.node, c.details, c.reason] for c in report.changes]


def marker_rows(report: AuditReport) -> list[list[str]]:
    return [[r.act, r.marker, str(r.hits), str(r.accepted), str(r.rejected), str(r.open), str(r.negated_accepted)]
            for r in report.markers]


def comment_rows(report: AuditReport) -> list[list[str]]:
    return [[c.when, c.author, c.on, c.text] for c in report.comments]


def fragment_meta(f: FragmentEntry) -> str:
    parts = [f.act or "no speech act", f.case or "no case"]
    if f.actors:
        parts.append("actors: " + ", ".join(f.actors))
    return "; ".join(parts)


def quote_source(q: Quote) -> str:
    return f"{q.source}, {q.where}" if q.where else q.source


def coder_line(t: CoderTimeline) -> str:
    span = f", {t.first} to {t.last}" if t.first else ""
    return f"{t.events} recorded event(s){span}; {t.codings} coding(s) in the project are theirs."


def not_listed_line(t: CoderTimeline) -> str:
    return (f"{t.not_listed} later decision(s) are not listed here; 'qdaapp audit PROJECT --coder "
            f"\"{t.coder}\"' shows the complete trail.")
