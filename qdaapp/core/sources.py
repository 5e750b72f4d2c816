"""Sources: importing files into the project, and reading them back.

Every file of an import is written in ONE write transaction with one audit
event each. The files are parsed first (:func:`read_files`, slow,
cancellable, no database), or one at a time as the transaction asks for them
(:func:`stream_files`, so a whole study is never held in memory at once). A
failure or Cancel at any point therefore leaves the project exactly as it
was, and a process killed during the write leaves SQLite to roll the
transaction back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .case_names import case_name_for
from .commands import Change, command
from .errors import Conflict, ImportFailure, InvalidInput, NotFound
from .models import SOURCE_KINDS, Case, Coding, Source, utcnow
from .progress import CancelToken, Progress, checkpoint
from .source_list import SourceInfo, source_infos
from .speakers import turn_figures

if TYPE_CHECKING:  # pragma: no cover
    from .importers.base import ImportedDocument

__all__ = ["SourceInfo", "import_documents", "list_sources", "read_files", "resolve", "structure"]


def check_kind(kind: str) -> str:
    if kind not in SOURCE_KINDS:
        raise InvalidInput(f"'{kind}' is not a kind of source; use one of: {', '.join(SOURCE_KINDS)}.")
    return kind


def read_files(
    paths: Sequence[str | Path],
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> tuple[list[ImportedDocument], list[ImportFailure]]:
    """Parse files without touching any project. Returns (documents, failures)."""
    docs: list[ImportedDocument] = []
    failures: list[ImportFailure] = []
    if progress:
        progress.start(len(paths), "Reading files")
    for path in paths:
        doc = _read_one(path, failures, progress, cancel)
        if doc is not None:
            docs.append(doc)
    return docs, failures


def _read_one(path: str | Path, failures: list[ImportFailure], progress: Progress | None,
              cancel: CancelToken | None) -> ImportedDocument | None:
    """One file parsed, or None with its failure added to ``failures``; progress advanced."""
    from .importers import read_file

    checkpoint(cancel)
    doc = None
    try:
        doc = read_file(Path(path), cancel=cancel)
    except ImportFailure as failure:
        failures.append(failure)
    except MemoryError:
        failures.append(ImportFailure(str(path), "it is too large to read into memory."))
    if progress:
        progress.advance(1, Path(path).name)
    return doc


def stream_files(
    paths: Sequence[str | Path],
    failures: list[ImportFailure],
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Iterator[ImportedDocument]:
    """Parse the files one at a time, for :func:`import_documents` to write each as it comes.

    A file that cannot be read goes into ``failures`` and the rest are still
    read (so every problem is reported at once), but nothing more is handed on;
    at the end the first failure is raised, so the import in progress is rolled
    back and the project stays as it was."""
    if progress:
        progress.start(len(paths), "Reading files")
    for path in paths:
        doc = _read_one(path, failures, progress, cancel)
        if doc is not None and not failures:
            yield doc
        del doc
    if failures:
        raise failures[0]


def _free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2).ext``, ``name (3).ext``... if it is taken."""
    candidate, n = name, 1
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    while candidate in taken:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})"
    return candidate


def _case_id(session: Session, case_name: str | None) -> tuple[int | None, Change | None]:
    """The case called ``case_name`` (made if missing, with the change that records it)."""
    case_name = (case_name or "").strip()
    if not case_name:
        return None, None
    case = session.scalar(select(Case).where(Case.name == case_name))
    if case is not None:
        return case.id, None
    case = Case(name=case_name)
    session.add(case)
    session.flush()
    return case.id, Change("case.create", "case", case.id, f"create case '{case.name}'",
                           after={"id": case.id, "name": case.name})


# Sources are written with the driver's own cursor: an ORM object per source would keep every
# text in the session until the command ends, and cost more than the row itself.
_SOURCE_COLUMNS = ("name", "kind", "format", "case_id", "original_name", "sha256", "encoding", "words", "length",
                   "page_starts", "imported_at", "imported_by", "language", "turn_stats", "paragraph_starts", "turns",
                   "text", "original")
_INSERT_SOURCE = (f"INSERT INTO sources ({', '.join(_SOURCE_COLUMNS)}) "
                  f"VALUES ({', '.join('?' for _ in _SOURCE_COLUMNS)})")


@command("source.import")
def import_documents(
    session: Session,
    docs: Iterable[ImportedDocument],
    kind: str = "interview",
    case_name: str | None = None,
    imported_by: str = "",
    cancel: CancelToken | None = None,
    language: str | None = None,
    case_per_file: bool = False,
) -> Change:
    """Add parsed documents as sources; duplicates (same bytes) are refused by name.

    ``docs`` may be a list or an iterator that parses each file as it is asked
    for (:func:`stream_files`): each document is written as it comes and let go,
    so importing a whole study does not hold every text at once, and it is still
    one transaction (a failure anywhere, or a killed process, leaves the project
    as it was).

    ``language`` (an ISO code) overrides the language detected in each document.
    ``case_per_file`` puts each source in a case of its own, named after the
    interviewee the file names or else after the file (:mod:`.case_names`); a
    case of that name that exists already receives the source. Sources, cases and
    memberships are written in this one command, so one undo removes them all."""
    check_kind(kind)
    if case_per_file and case_name:
        raise InvalidInput("Choose one case for all the files or one case per file, not both.")
    if language is not None and not re.match(r"^[a-z]{2,3}$", language):
        raise InvalidInput(f"'{language}' is not a language code; use an ISO code such as en or fr.")
    if isinstance(docs, Sequence) and not docs:
        raise InvalidInput("There is nothing to import.")
    case_id, case_change = _case_id(session, case_name)
    case_events: list[Change] = [case_change] if case_change else []
    events: list[Change] = []
    taken: set[str] = set(session.scalars(select(Source.name)).all())
    seen: dict[str, str] = {}
    ids = []
    cursor = session.connection().connection.cursor()
    try:
        for doc in docs:
            checkpoint(cancel)
            if doc.sha256 in seen:
                raise Conflict(f"{doc.name} and {seen[doc.sha256]} are the same file; choose one of them.")
            existing = cursor.execute("SELECT name FROM sources WHERE sha256 = ?", (doc.sha256,)).fetchone()
            if existing is not None:
                raise Conflict(f"{doc.name} is already in the project as '{existing[0]}' (the same file); "
                               "it was not imported again.")
            seen[doc.sha256] = doc.name
            if case_per_file:
                case_id, case_change = _case_id(session, case_name_for(doc.text, doc.name, doc.turns))
                case_events += [case_change] if case_change else []
            name = _free_name(doc.name, taken)
            taken.add(name)
            lang = language or doc.language
            cursor.execute(_INSERT_SOURCE, (
                name, kind, doc.format, case_id, doc.name, doc.sha256, doc.encoding, doc.words, len(doc.text),
                json.dumps(doc.page_starts) if doc.page_starts is not None else None, utcnow(), imported_by, lang,
                turn_figures(doc.text, doc.turns), json.dumps(doc.paragraph_starts),
                json.dumps([[t.start, t.end, t.speaker] for t in doc.turns]), doc.text, doc.original,
            ))
            source_id = cursor.lastrowid
            ids.append(source_id)
            after = {"id": source_id, "name": name, "kind": kind, "format": doc.format, "sha256": doc.sha256,
                     "words": doc.words, "length": len(doc.text), "encoding": doc.encoding, "case_id": case_id,
                     "pages": len(doc.page_starts) if doc.page_starts else None, "language": lang}
            events.append(Change("source.import", "source", source_id, f"import {name}", after=after))
    finally:
        cursor.close()
    if not events:
        raise InvalidInput("There is nothing to import.")
    first, rest = events[0], events[1:]
    first.extra_events = case_events + rest
    first.result = ids
    return first


@command("source.update")
def update_source(
    session: Session, source_ref: str | int, name: str | None = None, kind: str | None = None,
    case_name: str | None = None, clear_case: bool = False,
) -> Change:
    """Rename a source, change its kind or assign it to a case. Its text never changes."""
    source = resolve(session, source_ref)
    changes: dict = {}
    if name is not None and name.strip() and name.strip() != source.name:
        if session.scalar(select(Source.id).where(Source.name == name.strip())):
            raise Conflict(f"A source called '{name.strip()}' already exists.")
        changes["name"] = name.strip()
    if kind is not None and kind != source.kind:
        changes["kind"] = check_kind(kind)
    if case_name is not None or clear_case:
        case_id = None
        if case_name:
            case_id = session.scalar(select(Case.id).where(Case.name == case_name))
            if case_id is None:
                raise NotFound(f"There is no case '{case_name}'. Create it with 'qdaapp case add'.")
        if case_id != source.case_id:
            changes["case_id"] = case_id
    if not changes:
        raise InvalidInput(f"Nothing to change for {source.name}.")
    before = {k: getattr(source, k) for k in changes}
    for key, value in changes.items():
        setattr(source, key, value)
    what = ", ".join(changes).replace("case_id", "case")
    return Change("source.update", "source", source.id, f"change {what} of {source.name}", before=before, after=changes)


@command("source.delete")
def delete_source(session: Session, source_ref: str | int) -> Change:
    source = resolve(session, source_ref)
    n = session.scalar(select(func.count()).where(Coding.source_id == source.id))
    before = {"id": source.id, "name": source.name, "kind": source.kind, "sha256": source.sha256, "codings": n}
    session.delete(source)
    return Change("source.delete", "source", source.id, f"delete {before['name']} and its {n} coding(s)",
                  before=before)


def resolve(session: Session, ref: str | int) -> Source:
    """A source by id, by exact name, or by name without extension when unique."""
    text = str(ref).strip()
    if text.isdigit():
        source = session.get(Source, int(text))
        if source is None:
            raise NotFound(f"There is no source with id {text}.")
        return source
    source = session.scalar(select(Source).where(Source.name == text))
    if source is not None:
        return source
    names = session.scalars(select(Source.name)).all()
    matches = [n for n in names if n.rsplit(".", 1)[0] == text]
    if len(matches) == 1:
        return session.scalars(select(Source).where(Source.name == matches[0])).one()
    if matches:
        raise Conflict(f"'{text}' could mean {', '.join(matches)}; give the full name or the id.")
    raise NotFound(f"There is no source '{text}'. List sources with 'qdaapp sources'.")


def text_and_pages(session: Session, source_id: int) -> tuple[str, list[int] | None]:
    row = session.execute(select(Source.text, Source.page_starts).where(Source.id == source_id)).first()
    if row is None:
        raise NotFound(f"There is no source with id {source_id}.")
    return row[0], (json.loads(row[1]) if row[1] else None)


def list_sources(session: Session) -> list[SourceInfo]:
    """Every source with its coding count, by kind then name (see :mod:`.source_list`)."""
    session.flush()  # sources added in this session but not yet written are listed too
    return source_infos(session.connection().exec_driver_sql)


def structure(session: Session, source_id: int) -> dict:
    """Text, pages, paragraphs and speaker turns of one source, for views and search."""
    row = session.execute(
        select(Source.text, Source.page_starts, Source.paragraph_starts, Source.turns, Source.name)
        .where(Source.id == source_id)
    ).first()
    if row is None:
        raise NotFound(f"There is no source with id {source_id}.")
    return {
        "name": row[4],
        "text": row[0],
        "page_starts": json.loads(row[1]) if row[1] else None,
        "paragraph_starts": json.loads(row[2]) if row[2] else [0],
        "turns": [tuple(t) for t in json.loads(row[3])] if row[3] else [],
    }

