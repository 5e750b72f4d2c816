"""The project's tables, as SQLAlchemy 2 declarative models.

Kept portable: nothing here is SQLite-only, so a team's project can live on a
PostgreSQL server with the same code. Structure that is read whole and never
queried by SQL (page starts, speaker turns) is stored as JSON text.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column, relationship

SOURCE_KINDS = ("interview", "field-note", "document", "diary")
NODE_KINDS = ("free", "tree")
ATTRIBUTE_TYPES = ("text", "number", "date")
MEMO_TARGETS = ("project", "source", "node", "coding", "case", "account", "memo")


def new_guid() -> str:
    """A fresh stable identity for a row that must be matched across copies of a project (0012)."""
    return str(uuid.uuid4())


def utcnow() -> str:
    """ISO-8601 UTC timestamp with seconds, the one time format stored."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    # The row's identity across copies of the project (0012): kept when a coder's copy is merged back.
    guid: Mapped[str | None] = mapped_column(String(36), default=new_guid, unique=True, index=True)


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (CheckConstraint(f"kind IN {SOURCE_KINDS!r}", name="ck_source_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="interview")
    format: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    original_name: Mapped[str] = mapped_column(String(1024))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    encoding: Mapped[str | None] = mapped_column(String(32))
    words: Mapped[int] = mapped_column(Integer, default=0)
    length: Mapped[int] = mapped_column(Integer, default=0)
    page_starts: Mapped[str | None] = deferred(mapped_column(Text))  # JSON list
    imported_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(255), default="")
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")  # ISO code
    # What the speaker role guess needs from this source (JSON, see speakers.turn_figures).
    turn_stats: Mapped[str | None] = deferred(mapped_column(Text))
    # The long values come last in each row (0008): SQLite reads a row's columns in order, so a
    # query of the short ones above never walks through the pages of a text.
    paragraph_starts: Mapped[str | None] = deferred(mapped_column(Text))  # JSON list
    turns: Mapped[str | None] = deferred(mapped_column(Text))  # JSON [[start, end, speaker]]
    # Immutable after import: every offset in the project points into this.
    text: Mapped[str] = deferred(mapped_column(Text))
    original: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    case: Mapped[Case | None] = relationship(lazy="joined")


class Node(Base):
    __tablename__ = "nodes"
    __table_args__ = (
        CheckConstraint(f"kind IN {NODE_KINDS!r}", name="ck_node_kind"),
        CheckConstraint("kind = 'tree' OR parent_id IS NULL", name="ck_free_nodes_flat"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    color: Mapped[str] = mapped_column(String(9), default="#999999")
    kind: Mapped[str] = mapped_column(String(8), default="free")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("nodes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(255), default="")
    # The row's identity across copies of the project (0012): kept when a coder's copy is merged back.
    guid: Mapped[str | None] = mapped_column(String(36), default=new_guid, unique=True, index=True)


# Names are unique among siblings; top-level free and tree nodes are two sibling sets.
Index(
    "uq_node_sibling_name",
    func.coalesce(Node.parent_id, 0),
    Node.kind,
    Node.name,
    unique=True,
)


class Coding(Base):
    __tablename__ = "codings"
    __table_args__ = (
        UniqueConstraint("source_id", "node_id", "start", "end", "coder", name="uq_coding"),
        CheckConstraint("start >= 0 AND start < \"end\"", name="ck_coding_span"),
        Index("ix_codings_source_start", "source_id", "start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    node_id: Mapped[int] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    coder: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    origin: Mapped[str] = mapped_column(String(64), default="manual")


class Attribute(Base):
    __tablename__ = "attributes"
    __table_args__ = (CheckConstraint(f"type IN {ATTRIBUTE_TYPES!r}", name="ck_attr_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(8), default="text")
    # The row's identity across copies of the project (0012): kept when a coder's copy is merged back.
    guid: Mapped[str | None] = mapped_column(String(36), default=new_guid, unique=True, index=True)


class AttributeValue(Base):
    __tablename__ = "attribute_values"
    __table_args__ = (
        UniqueConstraint("attribute_id", "case_id", name="uq_attr_case"),
        UniqueConstraint("attribute_id", "source_id", name="uq_attr_source"),
        CheckConstraint(
            "(case_id IS NULL) <> (source_id IS NULL)", name="ck_attr_value_owner"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attribute_id: Mapped[int] = mapped_column(
        ForeignKey("attributes.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(Text)


class Memo(Base):
    __tablename__ = "memos"
    __table_args__ = (
        CheckConstraint(f"target_type IN {MEMO_TARGETS + ('diary',)!r}", name="ck_memo_target"),
        Index("ix_memos_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    target_type: Mapped[str] = mapped_column(String(16), default="project")
    target_id: Mapped[int | None] = mapped_column(Integer)
    date: Mapped[str | None] = mapped_column(String(10))  # diary entries: YYYY-MM-DD
    author: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    updated_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    # The row's identity across copies of the project (0012): kept when a coder's copy is merged back.
    guid: Mapped[str | None] = mapped_column(String(36), default=new_guid, unique=True, index=True)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_time", "time"),
        Index("ix_audit_entity", "entity", "entity_id"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    time: Mapped[str] = mapped_column(String(40))
    coder: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[str | None] = mapped_column(Text)  # JSON
    after: Mapped[str | None] = mapped_column(Text)  # JSON
    reason: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The hash of the digests of the rows the event wrote (schema 0009; see audit_rows).
    rows_hash: Mapped[str | None] = mapped_column(String(64))


class AuditRow(Base):
    """A row an audit event wrote: its digest after the event, or none if the event removed it (0009)."""

    __tablename__ = "audit_rows"
    __table_args__ = (Index("ix_audit_rows_row", "tbl", "row_id"), {"sqlite_with_rowid": False})
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tbl: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    digest: Mapped[str | None] = mapped_column(String(32))
    row: Mapped[str | None] = mapped_column(Text)  # the canonical row, when short (to say what changed)


class AuditRef(Base):
    """An item an audit event touched, for finding its events (0011; see core/audit_refs.py)."""

    __tablename__ = "audit_refs"
    __table_args__ = {"sqlite_with_rowid": False}
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    ref_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


# ---------------------------------------------------------------------- search (schema 0002)
class SourceIndex(Base):
    """Which derived indexes a source has (keyword FTS, NLP tokens)."""

    __tablename__ = "source_index"
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True)
    fts_at: Mapped[str | None] = mapped_column(String(40))
    nlp_at: Mapped[str | None] = mapped_column(String(40))
    pipeline: Mapped[str | None] = mapped_column(String(64))


class Sentence(Base):
    """One sentence of a source as spaCy saw it: lemmas and token offsets.

    ``lemmas`` is the space-joined lower-case lemma of each token (indexed
    by the ``lemma_fts`` table); ``offsets`` packs the start and end code
    point of each token as little-endian 32-bit integers.
    """

    __tablename__ = "sentences"
    __table_args__ = (Index("ix_sentences_source_start", "source_id", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    lemmas: Mapped[str] = mapped_column(Text)
    offsets: Mapped[bytes] = mapped_column(LargeBinary)


class Lexicon(Base):
    """The project's own copy of a speech-act lexicon (TOML text), versioned."""

    __tablename__ = "lexicons"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    content: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(255), default="")


class SearchRun(Base):
    __tablename__ = "search_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # markers | keyword
    query: Mapped[str] = mapped_column(Text, default="")
    lexicon: Mapped[str | None] = mapped_column(String(64))
    lexicon_version: Mapped[int | None] = mapped_column(Integer)
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    coder: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)


class SearchHit(Base):
    __tablename__ = "search_hits"
    __table_args__ = (
        CheckConstraint("status IN ('candidate', 'accepted', 'rejected')", name="ck_hit_status"),
        Index("ix_hits_run_act_marker", "run_id", "act", "marker"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("search_runs.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    act: Mapped[str] = mapped_column(String(32))
    marker: Mapped[str] = mapped_column(String(128))
    polarity: Mapped[str] = mapped_column(String(8), default="positive")
    subject: Mapped[str | None] = mapped_column(String(16))
    speaker: Mapped[str | None] = mapped_column(String(255))
    sentence_start: Mapped[int] = mapped_column(Integer)
    sentence_end: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="candidate")
    coding_id: Mapped[int | None] = mapped_column(ForeignKey("codings.id", ondelete="SET NULL"), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[str | None] = mapped_column(String(40))


# ---------------------------------------------------------------------- narrative (schema 0003)
SPEECH_ACTS = ("manipulation", "commitment", "competence", "performance", "sanction")
ACTANT_ROLES = ("subject", "object", "sender", "receiver", "helper", "opponent")


class Account(Base):
    """A narrative account: the passages about one object of activity."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(255), default="")
    # The row's identity across copies of the project (0012): kept when a coder's copy is merged back.
    guid: Mapped[str | None] = mapped_column(String(36), default=new_guid, unique=True, index=True)


class AccountPassage(Base):
    __tablename__ = "account_passages"
    __table_args__ = (
        UniqueConstraint("account_id", "source_id", "start", "end", name="uq_account_passage"),
        CheckConstraint("start >= 0 AND start < \"end\"", name="ck_account_passage_span"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)


class Fragment(Base):
    """A narrative fragment: a summary in the method's conventions, one speech act, actors, a case."""

    __tablename__ = "fragments"
    __table_args__ = (
        CheckConstraint(f"act IS NULL OR act IN {SPEECH_ACTS!r}", name="ck_fragment_act"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    act: Mapped[str | None] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    actors: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of names
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the tellable sequence
    x: Mapped[float | None] = mapped_column()
    y: Mapped[float | None] = mapped_column()
    created_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    # The row's identity across copies of the project (0012): kept when a coder's copy is merged back.
    guid: Mapped[str | None] = mapped_column(String(36), default=new_guid, unique=True, index=True)


class FragmentPassage(Base):
    __tablename__ = "fragment_passages"
    __table_args__ = (CheckConstraint("start >= 0 AND start < \"end\"", name="ck_fragment_passage_span"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fragment_id: Mapped[int] = mapped_column(ForeignKey("fragments.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class FragmentLink(Base):
    """A sequence edge of the flow chart, with an optional label."""

    __tablename__ = "fragment_links"
    __table_args__ = (
        UniqueConstraint("from_id", "to_id", name="uq_fragment_link"),
        CheckConstraint("from_id <> to_id", name="ck_fragment_link_loop"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("fragments.id", ondelete="CASCADE"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("fragments.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(255), default="")
    kind: Mapped[str] = mapped_column(String(8), default="extra", server_default="extra")  # LINK_KINDS


LINK_KINDS = ("sequence", "extra")


class Speaker(Base):
    """The user's word on one speaker name's role, for the whole project (schema 0006)."""

    __tablename__ = "speakers"
    __table_args__ = (CheckConstraint("role IN ('interviewer', 'participant')", name="ck_speaker_role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[str] = mapped_column(String(40), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(255), default="")


class Actor(Base):
    """An actor the user keeps (a person, team or organisation), used to suggest actors."""

    __tablename__ = "actors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default="person")


class ActantRole(Base):
    """Greimas's actantial role of an actor within one account."""

    __tablename__ = "actant_roles"
    __table_args__ = (
        UniqueConstraint("account_id", "actor", "role", name="uq_actant_role"),
        CheckConstraint(f"role IN {ACTANT_ROLES!r}", name="ck_actant_role"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))


class FrameworkCell(Base):
    """A framework-matrix cell summary for node columns (account columns are made of fragments)."""

    __tablename__ = "framework_cells"
    __table_args__ = (UniqueConstraint("row_kind", "row_id", "col_kind", "col_id", name="uq_framework_cell"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    row_kind: Mapped[str] = mapped_column(String(8))  # case | source
    row_id: Mapped[int] = mapped_column(Integer)
    col_kind: Mapped[str] = mapped_column(String(8))  # node
    col_id: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[str] = mapped_column(String(40), default=utcnow)


# ---------------------------------------------------------------------- undo (schema 0004)
class UndoOp(Base):
    """One row change recorded by the capture triggers (see core/history.py)."""

    __tablename__ = "undo_ops"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_seq: Mapped[int | None] = mapped_column(Integer, index=True)
    tbl: Mapped[str] = mapped_column(String(32))
    op: Mapped[str] = mapped_column(String(1))  # I | D | U
    row_id: Mapped[int] = mapped_column(Integer)
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)


class HistoryEntry(Base):
    """The undo stack: an undoable audit event and whether it is done or undone."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_coder_state", "coder", "state"),)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    coder: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(8))  # done | undone | dead
    undone_by: Mapped[int | None] = mapped_column(Integer)
