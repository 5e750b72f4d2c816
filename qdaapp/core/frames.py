"""Coding frames: ready trees of codes with definitions that a project can start from.

A frame is a REFI-QDA codebook (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``):
``CodeBook/Codes/Code[@name, @guid, @color, @isCodable]/Description`` with
nested ``Code`` elements. The app ships frames in ``resources/frames/``
(contributed by the built-in plugin) and plugins may add more; a frame's name
is its file name without ``.qdc``.

When the codebook has a single top-level code that is not codable, that code
is the frame's title node ("Speech acts", where marker review codes what it accepts) and its children are the
frame's codes; otherwise a title node named after the file holds them all.
Applying a frame adds the codes as tree nodes under the title node, with
their definitions and colours, in ONE audited command; what already exists
is left as it is, so applying again only adds what is missing.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from . import nodes
from .commands import Change, command
from .errors import InvalidInput, NotFound

if TYPE_CHECKING:  # pragma: no cover
    from .project import Project

NS = "urn:QDA-XML:codebook:1.0"
MAX_FRAME_BYTES = 5 * 1024 * 1024


class FrameError(InvalidInput):
    """A coding frame file that cannot be used; the message names the file."""


@dataclass
class FrameCode:
    name: str
    description: str = ""
    color: str | None = None
    guid: str = ""
    codable: bool = True
    children: list[FrameCode] = field(default_factory=list)


@dataclass
class Frame:
    name: str  # file stem: greimas-speech-acts
    title: str  # the top node: Speech acts
    description: str
    color: str | None
    codes: list[FrameCode]
    path: Path | None = None
    plugin: str | None = None

    def walk(self) -> Iterator[tuple[str, FrameCode]]:
        """(tree path, code) of every code under the title node, parents first."""

        def visit(prefix: str, codes: list[FrameCode]) -> Iterator[tuple[str, FrameCode]]:
            for code in codes:
                path = f"{prefix}/{code.name}"
                yield path, code
                yield from visit(path, code.children)

        yield from visit(self.title, self.codes)

    def count(self) -> int:
        return sum(1 for _ in self.walk())


@dataclass(frozen=True)
class FrameInfo:
    """One available frame, for lists (``error`` is set when its file cannot be read)."""

    name: str
    title: str
    description: str
    codes: int
    plugin: str | None
    path: str
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ApplyResult:
    frame: str
    title: str
    added: list[str]
    existing: list[str]

    def message(self) -> str:
        if not self.added:
            return (f"The coding frame '{self.title}' is already in the project "
                    f"({len(self.existing)} node(s)); nothing was added.")
        note = f"; {len(self.existing)} were already there" if self.existing else ""
        return f"Applied the coding frame '{self.title}': {len(self.added)} node(s) added{note}."

    def as_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------- reading
def _title_from(stem: str) -> str:
    words = stem.replace("_", " ").replace("-", " ").split()
    return " ".join(words)[:1].upper() + " ".join(words)[1:] if words else stem


def parse(data: bytes, name: str, origin: str = "") -> Frame:
    """A frame from codebook bytes; refuses DTDs/entities and anything that is not a codebook."""
    from lxml import etree

    from .importers.docx import _declares_doctype

    where = origin or f"{name}.qdc"
    if len(data) > MAX_FRAME_BYTES:
        raise FrameError(f"The coding frame {where} is too large to be a codebook.")
    if _declares_doctype(io.BytesIO(data)):
        raise FrameError(f"The coding frame {where} declares a DOCTYPE or entities, which codebooks never need; "
                         "it was not read.")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                             remove_pis=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FrameError(f"The coding frame {where} is not valid XML: {exc}.") from None
    if root.tag != f"{{{NS}}}CodeBook":
        raise FrameError(f"The coding frame {where} is not a REFI-QDA codebook (its root is not CodeBook).")
    codes_el = root.find(f"{{{NS}}}Codes")
    if codes_el is None:
        raise FrameError(f"The coding frame {where} has no Codes.")
    top = [_code(el, where) for el in codes_el.iterfind(f"{{{NS}}}Code")]
    if not top:
        raise FrameError(f"The coding frame {where} has no codes.")
    if len(top) == 1 and not top[0].codable and top[0].children:
        head = top[0]
        return Frame(name, head.name, head.description, head.color, head.children)
    return Frame(name, _title_from(name), "", None, top)


def _code(el, where: str) -> FrameCode:  # lxml element
    raw = (el.get("name") or "").strip()
    try:
        name = nodes.check_name(raw)
    except InvalidInput as exc:
        raise FrameError(f"The coding frame {where} has a code name that cannot be a node name: {exc}") from None
    color = el.get("color")
    if color is not None:
        color = color.strip()
        if len(color) == 4 and color.startswith("#"):  # #RGB
            color = "#" + "".join(c * 2 for c in color[1:])
        try:
            color = nodes.check_color(color)
        except InvalidInput:
            color = None
    desc_el = el.find(f"{{{NS}}}Description")
    description = " ".join((desc_el.text or "").split()) if desc_el is not None else ""
    codable = (el.get("isCodable") or "true").strip().lower() not in ("false", "0")
    children = [_code(child, where) for child in el.iterfind(f"{{{NS}}}Code")]
    names = [c.name for c in children]
    if len(set(names)) != len(names):
        raise FrameError(f"The coding frame {where} has two codes with the same name under '{name}'.")
    return FrameCode(name, description, color, el.get("guid", ""), codable, children)


def read_file(path: Path, name: str | None = None, plugin: str | None = None) -> Frame:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FrameError(f"The coding frame {path.name} cannot be read: {exc.strerror or exc}.") from None
    frame = parse(data, name or path.stem, path.name)
    frame.path, frame.plugin = path, plugin
    return frame


# ---------------------------------------------------------------------- listing
def available() -> dict[str, Path]:
    """Frame name -> .qdc file, from every active plugin (the built-in one ships resources/frames)."""
    from .plugins import registry

    return dict(sorted(registry().frames().items()))


def find(name: str) -> tuple[str, Path]:
    """(name, file) of the frame called ``name`` (file name or title, any case); NotFound lists them."""
    frames = available()
    if name in frames:
        return name, frames[name]
    wanted = name.strip().lower()
    for key, path in frames.items():
        if key.lower() == wanted:
            return key, path
    for info in list_frames():
        if info.title.lower() == wanted:
            return info.name, frames[info.name]
    raise NotFound(f"There is no coding frame '{name}'; available: {', '.join(frames) or 'none'}.")


def load(name: str) -> Frame:
    from .plugins import registry

    key, path = find(name)
    return read_file(path, key, registry().frame_owner(key))


def list_frames() -> list[FrameInfo]:
    """Every available frame with its title and number of codes (a broken file carries its error)."""
    from .plugins import registry

    reg = registry()
    out = []
    for key, path in available().items():
        owner = reg.frame_owner(key)
        try:
            frame = read_file(path, key, owner)
        except FrameError as exc:
            out.append(FrameInfo(key, _title_from(key), "", 0, owner, str(path), str(exc)))
            continue
        out.append(FrameInfo(key, frame.title, frame.description, frame.count(), owner, str(path)))
    return out


# ---------------------------------------------------------------------- applying
def missing_paths(session: Session, frame: Frame) -> tuple[list[str], list[str]]:
    """(paths to add, paths already there) for ``frame`` in this project, title node included."""
    add: list[str] = []
    have: list[str] = []
    for path in [frame.title] + [p for p, _ in frame.walk()]:
        (have if nodes.find_tree_path(session, path) is not None else add).append(path)
    return add, have


@command("frame.apply")
def apply_frame_command(session: Session, frame: Frame, created_by: str = "") -> Change:
    """Add the frame's missing nodes (title node first, then each code under its parent)."""
    add, have = missing_paths(session, frame)
    wanted = set(add)
    made: list[Change] = []
    if frame.title in wanted:
        made.append(nodes.create_node(session, frame.title, description=frame.description, color=frame.color,
                                      created_by=created_by))
    for path, code in frame.walk():
        if path in wanted:
            made.append(nodes.create_node(session, path, description=code.description, color=code.color,
                                          created_by=created_by))
    root = nodes.find_tree_path(session, frame.title)
    summary = (f"apply coding frame '{frame.title}': {len(add)} node(s) added" +
               (f", {len(have)} already there" if have else ""))
    result = ApplyResult(frame.name, frame.title, add, have)
    return Change("frame.apply", "node", root.id if root is not None else None, summary,
                  after={"frame": frame.name, "title": frame.title, "plugin": frame.plugin, "added": add,
                         "existing": have},
                  result=result, extra_events=made)


def apply_frame(project: Project, name: str | Frame) -> ApplyResult:
    """Apply the frame ``name`` to ``project``; writes nothing when every node is already there."""
    frame = name if isinstance(name, Frame) else load(name)
    with project.read_session() as s:
        add, have = missing_paths(s, frame)
    if not add:
        return ApplyResult(frame.name, frame.title, [], have)
    return project.run(apply_frame_command, frame, created_by=project.coder)
