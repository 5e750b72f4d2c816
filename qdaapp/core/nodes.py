"""Free and tree nodes: create, update, move, merge, delete, and the node tree.

Free nodes are flat labels made while reading; tree nodes form the
hierarchy of themes. Moving a free node into a tree makes it a tree node, and
a childless tree node can go back to being free. Names are unique among
siblings (enforced by a unique index as well as here, with a clearer message).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import asdict, dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from .blind import only_coders
from .commands import Change, command
from .errors import Conflict, InvalidInput, NotFound
from .models import Coding, Memo, Node

PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")
# Speech-act nodes get their act's colour (UX.md) wherever they are made.
ACT_COLORS = {"manipulation": "#E69F00", "commitment": "#56B4E9", "competence": "#009E73",
              "performance": "#0072B2", "sanction": "#D55E00"}
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class NodeInfo:
    id: int
    name: str
    path: str
    kind: str
    parent_id: int | None
    description: str
    color: str
    codings: int
    position: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _row(node: Node) -> dict:
    return {
        "id": node.id,
        "name": node.name,
        "description": node.description,
        "color": node.color,
        "kind": node.kind,
        "parent_id": node.parent_id,
        "position": node.position,
    }


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("A node needs a name.")
    if "/" in name:
        raise InvalidInput(f"'{name}': a node name cannot contain '/', which separates levels of the tree.")
    if len(name) > 255:
        raise InvalidInput("A node name can be at most 255 characters.")
    return name


def check_color(color: str | None) -> str | None:
    if color is None:
        return None
    if not _COLOR.match(color):
        raise InvalidInput(f"'{color}' is not a colour; use the form #RRGGBB, for example #E69F00.")
    return color.upper()


def split_path(path: str) -> list[str]:
    parts = [p.strip() for p in path.strip().strip("/").split("/")]
    if not parts or any(not p for p in parts):
        raise InvalidInput(f"'{path}' is not a node path; write it like 'Theme/Sub-theme'.")
    return [check_name(p) for p in parts]


def _sibling(session: Session, parent_id: int | None, kind: str, name: str) -> Node | None:
    q = select(Node).where(Node.kind == kind, Node.name == name)
    q = q.where(Node.parent_id.is_(None) if parent_id is None else Node.parent_id == parent_id)
    return session.scalars(q).first()


def _next_position(session: Session, parent_id: int | None, kind: str) -> int:
    q = select(func.coalesce(func.max(Node.position), -1)).where(Node.kind == kind)
    q = q.where(Node.parent_id.is_(None) if parent_id is None else Node.parent_id == parent_id)
    return int(session.execute(q).scalar_one()) + 1


def _default_color(session: Session) -> str:
    count = session.scalar(select(func.count()).select_from(Node)) or 0
    return PALETTE[count % (len(PALETTE) - 1)]


def path_of(session: Session, node: Node) -> str:
    names = [node.name]
    parent_id = node.parent_id
    while parent_id is not None:
        parent = session.get_one(Node, parent_id)
        names.append(parent.name)
        parent_id = parent.parent_id
    return "/".join(reversed(names))


def find_tree_path(session: Session, path: str) -> Node | None:
    parent_id = None
    node = None
    for name in split_path(path):
        node = _sibling(session, parent_id, "tree", name)
        if node is None:
            return None
        parent_id = node.id
    return node


def resolve(session: Session, ref: str | int) -> Node:
    """A node by id, by tree path ('Theme/Sub'), by free node name, or by the name of a tree node
    anywhere in the tree when no other node has that name ('Sub' for 'Theme/Sub')."""
    text = str(ref).strip()
    if text.isdigit():
        node = session.get(Node, int(text))
        if node is None:
            raise NotFound(f"There is no node with id {text}.")
        return node
    tree = find_tree_path(session, text)
    free = _sibling(session, None, "free", text) if "/" not in text else None
    if tree is not None and free is not None:
        raise Conflict(
            f"'{text}' names both a free node (id {free.id}) and a tree node (id {tree.id}); give the id."
        )
    node = tree or free
    if node is None and "/" not in text:
        named = session.scalars(select(Node).where(Node.kind == "tree", Node.name == text).order_by(Node.id)).all()
        if len(named) > 1:
            paths = sorted(path_of(session, n) for n in named)
            raise Conflict(f"'{text}' names {len(named)} tree nodes: " + ", ".join(f"'{p}'" for p in paths)
                           + "; give the path or the id.")
        node = named[0] if named else None
    if node is None:
        raise NotFound(f"There is no node '{text}'. List nodes with 'qdaapp nodes'.")
    return node


@command("node.create")
def create_node(
    session: Session,
    path: str,
    free: bool = False,
    description: str = "",
    color: str | None = None,
    created_by: str = "",
) -> Change:
    """Create a free node, or tree nodes along ``path`` (ancestors made as needed)."""
    names = split_path(path)
    color = check_color(color)
    if free:
        if len(names) > 1:
            raise InvalidInput(f"'{path}': free nodes are flat, so a free node's name cannot contain '/'.")
        if _sibling(session, None, "free", names[0]) is not None:
            raise Conflict(f"A free node called '{names[0]}' already exists.")
    made: list[Node] = []
    parent_id: int | None = None
    kind = "free" if free else "tree"
    for depth, name in enumerate(names):
        last = depth == len(names) - 1
        node = _sibling(session, parent_id, kind, name)
        if node is not None and last:
            raise Conflict(f"The node '{'/'.join(names)}' already exists.")
        if node is None:
            node = Node(
                name=name,
                kind=kind,
                parent_id=parent_id,
                description=description if last else "",
                color=(color if last and color else ACT_COLORS.get(name.lower()) or _default_color(session)),
                position=_next_position(session, parent_id, kind),
                created_by=created_by,
            )
            session.add(node)
            session.flush()
            made.append(node)
        parent_id = node.id
    leaf = made[-1]
    label = "free node" if free else "node"
    return Change(
        "node.create", "node", leaf.id, f"create {label} '{'/'.join(names)}'",
        after=[_row(n) for n in made], result=leaf.id,
    )


@command("node.update")
def update_node(
    session: Session,
    node_id: int,
    name: str | None = None,
    description: str | None = None,
    color: str | None = None,
) -> Change:
    """Rename, redefine (codebook description) or recolour a node."""
    node = resolve(session, node_id)
    changes: dict = {}
    if name is not None and check_name(name) != node.name:
        name = check_name(name)
        if _sibling(session, node.parent_id, node.kind, name) is not None:
            raise Conflict(f"A sibling node called '{name}' already exists.")
        changes["name"] = name
    if description is not None and description != node.description:
        changes["description"] = description
    if color is not None and check_color(color) != node.color:
        changes["color"] = check_color(color)
    if not changes:
        raise InvalidInput(f"Nothing to change for node '{node.name}'.")
    before = {k: getattr(node, k) for k in changes}
    for key, value in changes.items():
        setattr(node, key, value)
    if "name" in changes:
        summary = f"rename node '{before['name']}' to '{changes['name']}'"
    else:
        summary = f"change {' and '.join(changes)} of node '{node.name}'"
    return Change("node.update", "node", node.id, summary, before=before, after=changes, result=node.id)


def _subtree_ids(session: Session, node_id: int) -> list[int]:
    ids, frontier = [node_id], [node_id]
    while frontier:
        children = session.scalars(select(Node.id).where(Node.parent_id.in_(frontier))).all()
        ids.extend(children)
        frontier = list(children)
    return ids


@command("node.move")
def move_node(session: Session, node_id: int, to_parent: str | None = None, free: bool = False) -> Change:
    """Move a node (and its subtree) under ``to_parent`` (a tree path; '' = top level) or make it free."""
    node = resolve(session, node_id)
    before = {"kind": node.kind, "parent_id": node.parent_id, "position": node.position}
    if free:
        if node.kind == "free":
            raise InvalidInput(f"'{node.name}' is already a free node.")
        children = session.scalar(select(func.count()).where(Node.parent_id == node.id))
        if children:
            raise Conflict(
                f"'{node.name}' has {children} child node(s); free nodes are flat. "
                "Move or merge its children first."
            )
        new_parent, new_kind = None, "free"
    else:
        new_kind = "tree"
        if to_parent:
            parent = find_tree_path(session, to_parent) if not str(to_parent).isdigit() else resolve(session, to_parent)
            if parent is None or parent.kind != "tree":
                raise NotFound(f"There is no tree node '{to_parent}' to move into.")
            if parent.id in _subtree_ids(session, node.id):
                raise Conflict(f"'{node.name}' cannot be moved inside itself.")
            new_parent = parent.id
        else:
            new_parent = None
    if (new_parent, new_kind) == (node.parent_id, node.kind):
        raise InvalidInput(f"'{node.name}' is already there.")
    if _sibling(session, new_parent, new_kind, node.name) is not None:
        raise Conflict(f"A node called '{node.name}' already exists there.")
    node.kind, node.parent_id = new_kind, new_parent
    node.position = _next_position(session, new_parent, new_kind)
    session.flush()
    where = "free nodes" if free else (f"'{path_of(session, session.get_one(Node, new_parent))}'" if new_parent
                                       else "the top of the tree")
    after = {"kind": node.kind, "parent_id": node.parent_id, "position": node.position}
    return Change("node.move", "node", node.id, f"move node '{node.name}' to {where}", before=before, after=after,
                  result=node.id)


@command("node.merge")
def merge_nodes(session: Session, node_id: int, into_id: int) -> Change:
    """Move every coding, child and memo of ``node_id`` to ``into_id``, then delete it.

    Codings that would become exact duplicates (same source, span and coder)
    collapse into the one already at the target.
    """
    node, into = resolve(session, node_id), resolve(session, into_id)
    if node.id == into.id:
        raise InvalidInput("A node cannot be merged into itself.")
    if into.id in _subtree_ids(session, node.id):
        raise Conflict(f"'{node.name}' cannot be merged into its own child '{into.name}'.")
    children = session.scalars(select(Node).where(Node.parent_id == node.id)).all()
    if children and into.kind == "free":
        raise Conflict(f"'{node.name}' has child nodes and '{into.name}' is a free node, which cannot have children.")
    for child in children:
        if _sibling(session, into.id, "tree", child.name) is not None:
            raise Conflict(f"Both nodes have a child called '{child.name}'; merge or rename those first.")
    existing = {
        (s, a, b, c) for s, a, b, c in session.execute(
            select(Coding.source_id, Coding.start, Coding.end, Coding.coder).where(Coding.node_id == into.id)
        )
    }
    moved, collapsed = [], []
    for coding in session.scalars(select(Coding).where(Coding.node_id == node.id)).all():
        if (coding.source_id, coding.start, coding.end, coding.coder) in existing:
            collapsed.append(_coding_row(coding))
            session.delete(coding)
        else:
            moved.append(coding.id)
            coding.node_id = into.id
    for child in children:
        child.parent_id = into.id
    memo_ids = session.scalars(select(Memo.id).where(Memo.target_type == "node", Memo.target_id == node.id)).all()
    session.execute(update(Memo).where(Memo.id.in_(memo_ids)).values(target_id=into.id))
    before = {"node": _row(node), "moved_codings": moved, "collapsed_codings": collapsed,
              "children": [c.id for c in children], "memos": list(memo_ids)}
    session.flush()
    session.delete(node)
    summary = f"merge node '{node.name}' into '{into.name}' ({len(moved)} moved, {len(collapsed)} duplicates collapsed)"
    return Change("node.merge", "node", into.id, summary, before=before, after={"into": into.id}, result=into.id)


def _coding_row(c: Coding) -> dict:
    return {"id": c.id, "source_id": c.source_id, "node_id": c.node_id, "start": c.start, "end": c.end,
            "coder": c.coder, "created_at": c.created_at, "origin": c.origin}


@command("node.delete")
def delete_node(session: Session, node_id: int) -> Change:
    """Delete a node, its subtree and their codings (kept in the audit record)."""
    node = resolve(session, node_id)
    ids = _subtree_ids(session, node.id)
    nodes = [_row(n) for n in session.scalars(select(Node).where(Node.id.in_(ids))).all()]
    codings = [_coding_row(c) for c in session.scalars(select(Coding).where(Coding.node_id.in_(ids))).all()]
    session.execute(delete(Coding).where(Coding.node_id.in_(ids)))
    session.delete(node)
    summary = f"delete node '{node.name}'" + (f" and {len(ids) - 1} child node(s)" if len(ids) > 1 else "")
    if codings:
        summary += f" with {len(codings)} coding(s)"
    return Change("node.delete", "node", node.id, summary, before={"nodes": nodes, "codings": codings})


def coding_counts(session: Session, coders: Collection[str] | None = None) -> dict[int, int]:
    """node id -> how many codings it has (nodes without any are left out): one grouped query.
    ``coders``: count only these coders' codings (None: everyone's)."""
    return dict(session.execute(
        select(Coding.node_id, func.count()).where(only_coders(Coding.coder, coders)).group_by(Coding.node_id)
    ).all())


def list_nodes(session: Session, coders: Collection[str] | None = None) -> list[NodeInfo]:
    """Every node with its path and coding count (of ``coders``' codings, None: everyone's), free nodes
    first, then the tree in order."""
    counts = coding_counts(session, coders)
    rows = session.execute(
        select(Node.id, Node.name, Node.kind, Node.parent_id, Node.description, Node.color, Node.position)
    ).all()
    by_id = {r.id: r for r in rows}
    paths: dict[int, str] = {}

    def path(node_id: int) -> str:
        if node_id not in paths:
            r = by_id[node_id]
            paths[node_id] = r.name if r.parent_id is None else f"{path(r.parent_id)}/{r.name}"
        return paths[node_id]

    children: dict[int | None, list] = {}
    for r in rows:
        if r.kind == "tree":
            children.setdefault(r.parent_id, []).append(r)
    ordered = sorted((r for r in rows if r.kind == "free"), key=lambda r: r.name.lower())

    def walk(parent: int | None) -> None:
        for r in sorted(children.get(parent, []), key=lambda r: (r.position, r.name.lower())):
            ordered.append(r)
            walk(r.id)

    walk(None)
    return [
        NodeInfo(r.id, r.name, path(r.id), r.kind, r.parent_id, r.description, r.color, counts.get(r.id, 0), r.position)
        for r in ordered
    ]
