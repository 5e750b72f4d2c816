"""What REFI-QDA export and import share: names, GUIDs, dates, and safe reading.

A .qdpx file comes from elsewhere, so it is read defensively: entries that
would land outside the archive's folder are refused, sizes are checked as
declared *and* counted while reading (a small archive can expand to
gigabytes), and XML is parsed without DTDs, entities or network access,
after refusing any document type declaration that defines entities or
points to an external file. Nothing is ever extracted to disk.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..errors import ImportFailure

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN_PREFIX = "qdaapp"

# Conventions for what REFI-QDA has no element for (see docs/refi-mapping.md).
FREE_FOLDER_NAME = "Free Nodes"
FREE_FOLDER_NOTE = "Free nodes: flat labels not yet placed in the tree (qdaapp)."
DIARY_SET_NOTE = "Reflective diary entries (qdaapp)."
DIARY_PREFIX = "qdaapp diary "
FRAGMENT_PREFIX = "qdaapp fragment "
# A source's kind travels as the value of this variable (TextSource/Description holds the source's memo,
# which is where other programs show it). Files written before kept the kind in the Description.
SOURCE_KIND_VARIABLE = "qdaapp source kind"


def is_free_folder_name(name: str | None) -> bool:
    """True for 'Free Nodes', 'free nodes', 'FreeNodes', 'Free_Nodes'...: the folder other programs keep
    qdaapp's free nodes in after a round trip, whatever they did to its case and spacing."""
    return re.sub(r"[\s_\-]+", "", name or "").casefold() == "freenodes"


def same_name(a: str | None, b: str) -> bool:
    return " ".join((a or "").split()).casefold() == b.casefold()

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Limits:
    """How much an archive may hold; tests pass small limits."""

    max_total_bytes: int = 4 * 1024**3  # every entry, as declared
    max_entry_bytes: int = 256 * 1024**2  # one entry that is read (project.qde, a text, a PDF)
    max_entries: int = 100_000


DEFAULT_LIMITS = Limits()


# ---------------------------------------------------------------------- GUIDs
def stable_guid(project_id: str, entity: str, ident: object) -> str:
    """The same object of the same project always gets the same GUID (a name-based UUID, version 5)."""
    return guid_maker(project_id)(entity, ident)


def guid_maker(project_id: str) -> Callable[[str, object], str]:
    """A fast :func:`stable_guid` for one project (exports make one GUID per selection and coding)."""
    namespace = (uuid.UUID(project_id) if _GUID.match(project_id or "") else uuid.NAMESPACE_URL).bytes
    prefix = f"qdaapp:{project_id}:"

    def make(entity: str, ident: object) -> str:
        h = bytearray(hashlib.sha1(namespace + f"{prefix}{entity}:{ident}".encode()).digest()[:16])
        h[6] = (h[6] & 0x0F) | 0x50
        h[8] = (h[8] & 0x3F) | 0x80
        x = h.hex()
        return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"

    return make


def norm_guid(value: str | None) -> str | None:
    """GUIDs compare without braces and case ('{ABC-...}' == 'abc-...'); None if malformed."""
    if not value:
        return None
    m = _GUID.match(value.strip())
    return m.group(1).lower() if m else None


# ---------------------------------------------------------------------- dates
def xsd_datetime(value: str | None) -> str | None:
    """An ISO timestamp as xsd:dateTime in UTC ('...Z'), or None if it is not one."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).isoformat(timespec="microseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def parse_datetime(value: str | None) -> str | None:
    """An xsd:dateTime from a file as the ISO form the project stores, or None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


# ---------------------------------------------------------------------- archives
class SafeArchive:
    """A .qdpx opened for reading, with every entry name and size checked up front."""

    def __init__(self, path: str | Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = Path(path)
        self.limits = limits
        self._zip = _open_zip(self.path)
        try:
            self._entries = self._check_entries()
        except BaseException:
            self._zip.close()
            raise

    def fail(self, problem: str, advice: str = "") -> ImportFailure:
        return ImportFailure(str(self.path), problem, advice)

    def _check_entries(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_entries:
            raise self.fail(f"it holds {len(infos)} entries, more than a project exchange file can hold.",
                            "It may be damaged or malicious.")
        total = 0
        entries: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            if _escapes(name):
                raise self.fail(f"it contains an entry '{name}' whose path points outside the archive's folder; "
                                "the file may be malicious.", "Ask for a new export of the project.")
            total += info.file_size
            if total > self.limits.max_total_bytes:
                raise self.fail(f"it would expand to more than {_mb(self.limits.max_total_bytes)}; "
                                "it may be a damaged or malicious archive (a 'zip bomb').")
            if not name.endswith("/"):
                entries.setdefault(name.lower(), info)
        return entries

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def project_entry(self) -> str:
        """The name of the project XML: 'project.qde' in any case, else the only .qde at the top."""
        if "project.qde" in self._entries:
            return self._entries["project.qde"].filename
        top = [i.filename for key, i in self._entries.items() if key.endswith(".qde") and "/" not in key]
        if len(top) == 1:
            return top[0]
        raise self.fail("it has no project.qde inside, so it is not a REFI-QDA project exchange file.",
                        "Export the project again from the program that made it (File > Export > REFI-QDA).")

    def find_source(self, reference: str) -> str | None:
        """The entry for a source path ('internal://x.txt', 'sources/x.txt' or a bare 'x.txt'), any case."""
        ref = reference.strip()
        if ref.lower().startswith("internal://"):
            ref = ref[len("internal://"):]
        ref = ref.replace("\\", "/").lstrip("/")
        if _escapes(ref):
            return None
        base = ref.rsplit("/", 1)[-1].lower()
        for key in (ref.lower(), f"sources/{base}", base):
            if key in self._entries:
                return self._entries[key].filename
        return None

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """An entry's bytes, counted while reading so a lying header cannot inflate past the limit."""
        limit = min(max_bytes or self.limits.max_entry_bytes, self.limits.max_entry_bytes)
        info = self._entries.get(name.lower())
        if info is None:
            raise KeyError(name)
        if info.file_size > limit:
            raise self.fail(f"its entry '{name}' would expand to {_mb(info.file_size)}, more than the "
                            f"{_mb(limit)} allowed; it may be a damaged or malicious archive (a 'zip bomb').")
        parts, count = [], 0
        try:
            with self._zip.open(info) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    count += len(chunk)
                    if count > limit or count > info.file_size:
                        raise self.fail(f"its entry '{name}' expands beyond its declared size; "
                                        "it may be a damaged or malicious archive (a 'zip bomb').")
                    parts.append(chunk)
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise self.fail(f"its entry '{name}' cannot be read ({exc}); the archive is damaged.",
                            "Ask for a new export of the project.") from exc
        return b"".join(parts)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _escapes(name: str) -> bool:
    """True for absolute names, drive letters and any '..' step: entries must stay inside the archive."""
    clean = name.replace("\\", "/")
    if clean.startswith("/") or re.match(r"^[A-Za-z]:", clean) or "\x00" in clean:
        return True
    return any(part == ".." for part in PurePosixPath(clean).parts)


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImportFailure(str(path), "the file does not exist.", "Check the name and the folder.") from None
    except OSError as exc:
        raise ImportFailure(str(path), f"the file cannot be read ({exc.strerror or exc}).") from exc
    if path.is_dir():
        raise ImportFailure(str(path), "it is a folder, not a file.")
    if not path.is_file():
        raise ImportFailure(str(path), "it is not a regular file (it is a pipe, a device or a socket).",
                            "Choose the exported file saved on the disk.")
    if size == 0:
        raise ImportFailure(str(path), "the file is empty (0 bytes).", "Export the project again.")
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ImportFailure(str(path), "it is not a .qdpx project exchange file (it is not a ZIP archive).",
                            "Choose the .qdpx file that the other program exported.") from None
    except OSError as exc:
        raise ImportFailure(str(path), f"the file cannot be read ({exc.strerror or exc}).") from exc


# ---------------------------------------------------------------------- XML
_EXTERNAL_DOCTYPE = re.compile(r"<!DOCTYPE[^>\[]*\b(?:SYSTEM|PUBLIC)\b")
_ENTITY_MARKS = tuple("<!ENTITY".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def parse_xml(data: bytes, label: str, path: str) -> etree._Element:
    """Parse untrusted XML: no DTD, no entities, no network; errors name the file and the line.

    Entity declarations and external document types are refused before
    parsing (REFI-QDA files never need them); the parser is configured so
    that it could not expand or fetch them anyway.
    """
    from lxml import etree

    if any(mark in data for mark in _ENTITY_MARKS) or _EXTERNAL_DOCTYPE.search(_head_text(data)):
        raise ImportFailure(path, f"{label} declares XML entities or an external document type, which "
                            "REFI-QDA files never contain; the file may be malicious.",
                            "Ask for a new export of the project.")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else "?")
        message = (exc.msg or str(exc)).split(", line ")[0]
        raise ImportFailure(path, f"{label} is not well-formed XML (line {line}: {message}).",
                            "The file is damaged; export it again.") from None
    for _ in root.iter(etree.Entity):
        raise ImportFailure(path, f"{label} uses XML entities, which REFI-QDA files never contain.")
    return root


def _head_text(data: bytes) -> str:
    """The first part of the document as text, where a document type declaration would be."""
    head = data[: 1 << 16]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        le = head[:2] == b"\xff\xfe" or (len(head) > 1 and head[1:2] == b"\x00")
        return head.decode("utf-16-le" if le else "utf-16-be", errors="ignore")
    return head.decode("utf-8", errors="ignore")


def local(tag: object) -> str:
    """An element's name without its namespace (files differ in how they qualify names)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(elem: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in elem if local(c.tag) == name]


def child(elem: etree._Element, name: str) -> etree._Element | None:
    for c in elem:
        if local(c.tag) == name:
            return c
    return None


def child_text(elem: etree._Element, name: str) -> str:
    c = child(elem, name)
    return (c.text or "") if c is not None else ""


# ---------------------------------------------------------------------- what was left out
@dataclass
class Skipped:
    """Something in the file that was not imported (or was changed on the way in), and why."""

    kind: str
    name: str
    reason: str
    count: int = 1

    def as_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "reason": self.reason, "count": self.count}
