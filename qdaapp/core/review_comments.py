"""Review comments: a supervisor's notes on a project, kept apart from the student's work.

Where they live: a side file beside the project, ``NAME.qda.review``, a small
SQLite database (tables ``comments`` and ``replies``). Never in the project file,
so a project opened read-only (by choice, or a read-only file) can be commented
on while the project file, its audit chain and its seal stay byte for byte as
they were. SQLite rather than JSON because two people may comment at once (a
supervisor from the command line while the student answers in the app): SQLite
serialises their writes and commits each one whole, where a JSON file rewritten
by two processes would lose one of them. The file is one ordinary file that can
be sent along with the project.

Safety: a side file that is not one of ours (damaged, or some other file under
that name) is reported with its name and left exactly as it is; nothing is
created or written in a folder that cannot be written, and the message names
the file. Reading never creates the file.

One interface: :func:`add_comment`, :func:`list_comments`, :func:`reply`,
:func:`set_status` and :func:`comments_for_report` take the project's path and
return plain :class:`ReviewComment` values. A project kept in a database server
keeps the same interface over a ``review_comments`` table that read-only
sessions may write (see ARCHITECTURE.md).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from .errors import InvalidInput, NotFound, ProjectError

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project

KINDS = ("event", "coding", "node", "fragment", "account", "source", "project")
SUFFIX = ".review"
STATUSES = ("open", "answered", "resolved")
APPLICATION_ID = 0x51524556  # "QREV": marks the file as qdaapp review comments
FORMAT = 1
TEXT_MAX = 20_000

_SCHEMA = f"""
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {FORMAT};
CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    author TEXT NOT NULL,
    time TEXT NOT NULL,
    kind TEXT NOT NULL,
    target_id INTEGER,
    label TEXT NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open'
);
CREATE TABLE replies (
    id INTEGER PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments(id),
    author TEXT NOT NULL,
    time TEXT NOT NULL,
    text TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Reply:
    author: str
    time: str
    text: str


@dataclass(frozen=True)
class ReviewComment:
    id: int
    author: str
    time: str  # UTC, ISO 8601
    kind: str  # event|coding|node|fragment|account|source|project
    target_id: int | None
    label: str  # what the target was when the comment was written
    text: str
    status: str  # open|answered|resolved
    replies: tuple[Reply, ...] = field(default=())

    @property
    def target(self) -> str:
        return self.kind if self.target_id is None else f"{self.kind}:{self.target_id}"

    def as_dict(self) -> dict:
        d = asdict(self)
        d["replies"] = [asdict(r) for r in self.replies]
        return d


def side_file(project_path: str | Path) -> Path:
    """Where the comments of ``project_path`` are kept: ``NAME.qda.review`` beside it."""
    path = Path(project_path)
    return path.with_name(path.name + SUFFIX)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _damaged(path: Path, detail: str) -> ProjectError:
    return ProjectError(
        f"{path.name} (the review comments beside the project) cannot be read: {detail}. It was left as it "
        f"is; move it out of {path.parent} to start a new one, or restore it from a backup."
    )


def _check_ours(conn: sqlite3.Connection, path: Path) -> None:
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise _damaged(path, "it is not a qdaapp review-comments file")
        conn.execute("SELECT count(*) FROM comments").fetchone()
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, str(exc)) from exc
    if version > FORMAT:
        raise ProjectError(f"{path.name} was written by a newer qdaapp; update qdaapp to read its comments.")


@contextmanager
def _connect(project_path: str | Path, write: bool) -> Iterator[sqlite3.Connection | None]:
    """A connection to the side file (None when reading and there is none yet)."""
    path = side_file(project_path)
    exists = path.exists()
    if exists:
        with open(path, "rb") as fh:
            header = fh.read(16)
        # Empty: being created by someone else this moment, or left by a first write that failed.
        # It holds nothing, so it is started under the write lock below.
        exists = bool(header)
        if exists and header != b"SQLite format 3\x00":
            raise _damaged(path, "it is not a qdaapp review-comments file")
    if not exists and not write:
        yield None
        return
    if write:
        folder = path.parent
        if not path.exists() and not os.access(folder, os.W_OK):
            raise ProjectError(f"Cannot save the review comment: the folder {folder} is read-only, so {path.name} "
                               "cannot be written there. Copy the project to a folder you can write to.")
        if path.exists() and (not os.access(path, os.W_OK) or not os.access(folder, os.W_OK)):
            raise ProjectError(f"Cannot save the review comment: {path.name} in {folder} is read-only. "
                               "Copy the project and its .review file to a folder you can write to.")
    uri = f"file:{quote(path.resolve().as_posix())}?mode={'rwc' if write else 'ro'}"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=15, isolation_level=None)
    except sqlite3.Error as exc:
        raise _damaged(path, str(exc)) from exc
    with closing(conn):
        try:
            if write:
                conn.execute("BEGIN IMMEDIATE")
                if not conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] and \
                        not conn.execute("PRAGMA application_id").fetchone()[0]:
                    for statement in _SCHEMA.strip().split(";"):  # a new file (or one another writer just made)
                        if statement.strip():
                            conn.execute(statement)
            _check_ours(conn, path)
            yield conn
            if write:
                conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if not exists and path.exists() and path.stat().st_size == 0:
                path.unlink(missing_ok=True)  # a first write that failed leaves no file behind
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise ProjectError(f"{path.name} is busy: someone else is saving a review comment. "
                                   "Try again in a moment.") from exc
            if isinstance(exc, sqlite3.DatabaseError):
                raise _damaged(path, str(exc)) from exc
            raise


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("A review comment needs some text.")
    if len(text) > TEXT_MAX:
        raise InvalidInput(f"A review comment can be at most {TEXT_MAX:,} characters long.")
    return text


def _read(conn: sqlite3.Connection | None, where: str = "", params: tuple = ()) -> list[ReviewComment]:
    if conn is None:
        return []
    rows = conn.execute(
        "SELECT id, author, time, kind, target_id, label, text, status FROM comments "
        f"{where} ORDER BY time, id", params).fetchall()
    replies: dict[int, list[Reply]] = {}
    for comment_id, author, time, text in conn.execute(
            "SELECT comment_id, author, time, text FROM replies ORDER BY time, id"):
        replies.setdefault(comment_id, []).append(Reply(author, time, text))
    return [ReviewComment(i, author, time, kind, target, label, text, status, tuple(replies.get(i, ())))
            for i, author, time, kind, target, label, text, status in rows]


def _one(conn: sqlite3.Connection, comment_id: int, path: Path) -> ReviewComment:
    found = _read(conn, "WHERE id = ?", (comment_id,))
    if not found:
        raise NotFound(f"There is no review comment {comment_id} in {side_file(path).name}.")
    return found[0]


# ---------------------------------------------------------------------------- the interface
def add_comment(project: Project, text: str, kind: str, target_id: int | None = None,
                author: str | None = None) -> ReviewComment:
    """Write a comment on a target of ``project`` (open read-only or not); the project is not changed."""
    text = _clean_text(text)
    if kind not in KINDS:
        raise InvalidInput(f"'{kind}' is not something a comment can be on; use one of {', '.join(KINDS)}.")
    from .review_targets import label_for  # reads the project (SQLAlchemy): only when adding

    label = label_for(project, kind, target_id)
    who = (author or project.coder).strip() or "reviewer"
    with _connect(project.path, write=True) as conn:
        assert conn is not None
        cur = conn.execute(
            "INSERT INTO comments (author, time, kind, target_id, label, text, status) VALUES (?,?,?,?,?,?,?)",
            (who, now(), kind, None if kind == "project" else target_id, label, text, "open"))
        assert cur.lastrowid is not None  # an INSERT always sets it
        return _one(conn, cur.lastrowid, project.path)


def list_comments(project_path: str | Path, status: str | None = None) -> list[ReviewComment]:
    """Every comment on the project, oldest first (only those with ``status`` if given)."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"'{status}' is not a comment status; use {', '.join(STATUSES)}.")
    with _connect(project_path, write=False) as conn:
        return _read(conn, "WHERE status = ?" if status else "", (status,) if status else ())


def reply(project_path: str | Path, comment_id: int, text: str, author: str) -> ReviewComment:
    """Answer comment ``comment_id``; an open comment answered by someone else becomes 'answered'."""
    text = _clean_text(text)
    with _connect(project_path, write=True) as conn:
        assert conn is not None
        comment = _one(conn, comment_id, Path(project_path))
        conn.execute("INSERT INTO replies (comment_id, author, time, text) VALUES (?,?,?,?)",
                     (comment_id, author, now(), text))
        if comment.status == "open" and author != comment.author:
            conn.execute("UPDATE comments SET status = 'answered' WHERE id = ?", (comment_id,))
        return _one(conn, comment_id, Path(project_path))


def set_status(project_path: str | Path, comment_id: int, status: str) -> ReviewComment:
    """Mark a comment open, answered or resolved."""
    if status not in STATUSES:
        raise InvalidInput(f"'{status}' is not a comment status; use {', '.join(STATUSES)}.")
    with _connect(project_path, write=True) as conn:
        assert conn is not None
        _one(conn, comment_id, Path(project_path))
        conn.execute("UPDATE comments SET status = ? WHERE id = ?", (status, comment_id))
        return _one(conn, comment_id, Path(project_path))


def comments_for_report(project_path: str | Path, since: str | date | datetime | None = None,
                        author: str | None = None) -> list[ReviewComment]:
    """The comments an audit report lists: written on or after ``since`` (a date, an aware datetime,
    or their ISO text, UTC) and by ``author`` when given; oldest first, each with its replies.
    No side file: an empty list."""
    found = list_comments(project_path)
    if isinstance(since, datetime):
        since = since.astimezone(UTC).isoformat(timespec="seconds")
    elif isinstance(since, date):
        since = since.isoformat()
    if since:
        found = [c for c in found if c.time >= since]
    if author:
        found = [c for c in found if c.author == author]
    return found


def summary(comments: list[ReviewComment]) -> str:
    """'3 review comments from Dr Lee' (open or answered ones; '' when none are)."""
    pending = [c for c in comments if c.status != "resolved"]
    if not pending:
        return ""
    authors = sorted({c.author for c in pending})
    who = authors[0] if len(authors) == 1 else f"{len(authors)} reviewers"
    n = len(pending)
    return f"{n} review comment{'s' if n != 1 else ''} from {who}"
