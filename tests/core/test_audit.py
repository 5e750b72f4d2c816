"""Every command writes one audit event in its own transaction; the chain detects tampering."""

from __future__ import annotations

import importlib
import pkgutil
import sqlite3
from pathlib import Path

import pytest

from qdaapp.core import cases, coding, memos, nodes, sources  # noqa: F401 - each registers its commands
from qdaapp.core.commands import REGISTRY, SUB_EVENTS
from qdaapp.core.errors import Conflict
from qdaapp.core.project import Project


def _events(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    rows = con.execute("select seq, action, entity_id, summary, coder from audit_events order by seq").fetchall()
    con.close()
    return rows


def test_each_command_appends_its_event(project: Project) -> None:
    n0 = project.summary()["events"]
    node_id = project.run(nodes.create_node, "Hope", free=True)
    cid = project.run(coding.code, "Rosa.txt", 0, 11, node_id, "ana")
    project.run(coding.uncode, cid)
    events = _events(project.path)[n0:]
    assert [e[1] for e in events] == ["node.create", "coding.create", "coding.delete"]
    assert events[1][2] == cid and "code 'Hope' in Rosa.txt" in events[1][3]
    assert project.verify_audit().ok


def test_failed_command_writes_nothing(project: Project) -> None:
    before = project.summary()
    with pytest.raises(Conflict):
        project.run(nodes.create_node, "Trust", free=True)
    assert project.summary() == before


def test_chain_detects_edit_and_delete(project: Project) -> None:
    project.run(nodes.create_node, "A", free=True)
    project.run(nodes.create_node, "B", free=True)
    assert project.verify_audit().ok
    con = sqlite3.connect(project.path)
    con.execute("update audit_events set summary = 'nothing happened' where seq = 3")
    con.commit()
    result = project.verify_audit()
    assert not result.ok and result.first_bad_seq == 3 and "changed" in result.problem
    con.execute("delete from audit_events where seq = 3")
    con.commit()
    con.close()
    result = project.verify_audit()
    assert not result.ok and result.first_bad_seq == 3 and "missing" in result.problem


# Every action a command may write. A new command is added here on purpose, with its audit event and undo.
ACTIONS = frozenset({
    "account.add_passage", "account.create", "account.delete", "account.remove_passage", "account.update",
    "actant.assign", "actant.remove", "actor.create", "attribute.remove", "attribute.set", "audit.baseline",
    "case.assign", "case.create", "case.update", "coding.create", "coding.create_at_new_node", "coding.delete",
    "diary.create", "disagreement.consensus", "disagreement.keep", "disagreement.keep_both",
    "fragment.create", "fragment.delete", "fragment.move", "fragment.place", "fragment.update",
    "frame.apply", "framework.set", "hits.accept", "hits.reject", "lexicon.edit", "link.create", "link.delete",
    "markers.run", "memo.create", "memo.delete", "memo.update", "node.create", "node.delete", "node.merge",
    "node.move", "node.update", "project.create", "project.end_blind", "project.identify", "project.merge",
    "project.set_blind", "redo", "refi.import", "search.code", "source.delete", "source.import", "source.update",
    "speaker.set_role", "undo",
})


def test_registry_is_a_closed_set() -> None:
    # Import every core module so every command that exists has registered itself.
    import qdaapp.core

    for info in pkgutil.walk_packages(qdaapp.core.__path__, "qdaapp.core."):
        if ".migrations" not in info.name:
            importlib.import_module(info.name)
    assert set(REGISTRY) == ACTIONS
    assert not SUB_EVENTS & ACTIONS
