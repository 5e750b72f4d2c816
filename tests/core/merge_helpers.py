"""Helpers for the merge tests: copies of a project, what it holds, and its coding keys."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

from qdaapp.core import coding, sources
from qdaapp.core.project import Project

TABLES = ("cases", "attributes", "attribute_values", "sources", "nodes", "codings", "memos", "accounts",
          "account_passages", "fragments", "fragment_passages", "fragment_links")


def plain_copy(path: Path, name: str) -> Path:
    """A plain file copy of a closed project (what a coder gets by copying the file)."""
    target = path.with_name(name)
    shutil.copy(path, target)
    return target


def state(path: Path) -> tuple[str, str]:
    """The audit head and a digest of every row of the user's work: equal means the project is as it was."""
    conn = sqlite3.connect(path)
    try:
        head = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
        h = hashlib.sha256()
        for table in TABLES:
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY id'):
                h.update(repr(row).encode())
        return (head[0] if head else ""), h.hexdigest()
    finally:
        conn.close()


def coding_keys(path: Path) -> set[tuple]:
    """Every coding as (source content hash, node guid, start, end, coder): what two copies can compare."""
    conn = sqlite3.connect(path)
    try:
        return set(conn.execute(
            'SELECT s.sha256, n.guid, c.start, c."end", c.coder FROM codings c '
            "JOIN sources s ON s.id = c.source_id JOIN nodes n ON n.id = c.node_id").fetchall())
    finally:
        conn.close()


def text_of(p: Project, source: str) -> str:
    with p.read_session() as s:
        return sources.structure(s, sources.resolve(s, source).id)["text"]


def code_phrase(p: Project, phrase: str, node: str, source: str = "Rosa.txt") -> int:
    start = text_of(p, source).index(phrase)
    return p.run(coding.code, source, start, start + len(phrase), node, p.coder)


def coding_paths(path: Path) -> set[tuple]:
    """Every coding as (source content hash, node path, start, end, coder)."""
    conn = sqlite3.connect(path)
    try:
        parents = {i: (name, parent) for i, name, parent in conn.execute("SELECT id, name, parent_id FROM nodes")}

        def node_path(i: int | None) -> str:
            names = []
            while i is not None:
                names.append(parents[i][0])
                i = parents[i][1]
            return "/".join(reversed(names))

        rows = conn.execute('SELECT s.sha256, c.node_id, c.start, c."end", c.coder FROM codings c '
                            "JOIN sources s ON s.id = c.source_id").fetchall()
        return {(sha, node_path(n), a, b, coder) for sha, n, a, b, coder in rows}
    finally:
        conn.close()
