"""A REFI-QDA project as read from a file: plain records, no database.

Reading (slow, cancellable, touching no project) fills these records;
the ``refi.import`` command then writes them in one transaction. Every
position here is already a code point into the normalised text of its
source, and every GUID is normalised (lower case, no braces).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .refi_common import Skipped, norm_guid


@dataclass
class RCode:
    guid: str
    name: str
    parent: str | None  # parent code's GUID
    free: bool = False
    color: str | None = None
    description: str = ""


@dataclass
class RCoding:
    guid: str | None
    code: str | None  # the CodeRef's GUID
    coder: str | None
    created_at: str | None


@dataclass
class RSelection:
    guid: str | None
    start: int
    end: int
    codings: list[RCoding] = field(default_factory=list)
    description: str = ""


@dataclass
class RSource:
    guid: str
    name: str
    text: str
    original: bytes
    format: str
    encoding: str | None
    kind: str = "interview"
    imported_by: str | None = None
    imported_at: str | None = None
    page_starts: list[int] | None = None
    selections: list[RSelection] = field(default_factory=list)
    values: list[tuple[str, str]] = field(default_factory=list)  # (variable GUID, value)


@dataclass
class RVariable:
    guid: str
    name: str
    type: str  # text | number | date


@dataclass
class RCase:
    guid: str
    name: str
    description: str = ""
    sources: list[str] = field(default_factory=list)
    values: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RNote:
    guid: str
    title: str
    text: str
    author: str | None
    created_at: str | None
    updated_at: str | None
    diary_date: str | None = None
    fragment: dict | None = None  # qdaapp narrative fragment: act, actors, case, position, placed


@dataclass
class RLink:
    guid: str | None
    name: str
    origin: str | None
    target: str | None


@dataclass
class RSet:
    guid: str
    name: str
    description: str
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    diary: bool = False


@dataclass
class RVertex:
    guid: str
    represented: str | None
    x: float
    y: float


@dataclass
class RGraph:
    guid: str
    name: str
    vertices: list[RVertex] = field(default_factory=list)
    edges: int = 0


@dataclass
class RProject:
    """Everything read from one .qdpx or .qdc file."""

    file_name: str
    origin: str = ""
    ours: bool = False  # written by qdaapp: its conventions for free nodes and narrative can be read back
    codebook_only: bool = False
    users: dict[str, str] = field(default_factory=dict)
    codes: list[RCode] = field(default_factory=list)
    variables: list[RVariable] = field(default_factory=list)
    cases: list[RCase] = field(default_factory=list)
    sources: list[RSource] = field(default_factory=list)
    notes: list[RNote] = field(default_factory=list)
    # note GUID -> what it annotates: ("project"|"source"|"code"|"coding"|"selection"|"case"|"note"|"set", GUID)
    note_targets: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    selections: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # GUID -> (source GUID, start, end)
    # coding GUID -> (source GUID, start, end, code GUID, coder), to find the coding a note is about
    coding_keys: dict[str, tuple[str, int, int, str | None, str | None]] = field(default_factory=dict)
    links: list[RLink] = field(default_factory=list)
    sets: list[RSet] = field(default_factory=list)
    graphs: list[RGraph] = field(default_factory=list)
    duplicate_codes: list[tuple[str, str]] = field(default_factory=list)  # (GUID, name) of a code GUID seen again
    # a top-level "Free Nodes" folder of another program: GUID -> the code it would be if codings refer to it
    free_folders: dict[str, RCode] = field(default_factory=dict)
    source_names: dict[str, str] = field(default_factory=dict)  # GUID -> name of every source in the file
    kind_variable: str | None = None  # GUID of the variable that carries qdaapp's source kinds
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def skip(self, kind: str, name: str, reason: str, count: int = 1) -> None:
        self.skipped.append(Skipped(kind, name, reason, count))

    def user_name(self, guid: str | None) -> str | None:
        """The name of the user with this GUID; a stand-in for a GUID the file does not list."""
        key = norm_guid(guid)
        if key is None:
            return None
        return self.users.get(key) or f"user {key[:8]}"

    def annotate(self, note: str | None, kind: str, target: str | None) -> None:
        if note:
            self.note_targets.setdefault(note, []).append((kind, target))
