"""Merging a coder's copy: what comes in, what collapses, idempotence, order, undo, the audit event."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from qdaapp.core import cases, memos, merge, narrative, nodes
from qdaapp.core.merge_copy import copy_note, make_copy
from qdaapp.core.project import Project

from .merge_helpers import code_phrase, coding_keys, coding_paths, plain_copy, state


def _node_id(p: Project, path: str) -> int:
    with p.read_session() as s:
        return nodes.resolve(s, path).id


def test_new_work_comes_in_and_what_is_there_collapses(project_path: Path) -> None:
    with Project.open(project_path, coder="Ana") as p:
        code_phrase(p, "the GP asked us", "Trust")
    other = plain_copy(project_path, "ben.qda")
    with Project.open(other, coder="Ben") as b:
        code_phrase(b, "the GP asked us", "Trust")  # Ben's own coding of the same span: a coding of its own
        b.run(nodes.create_node, "Barriers/Paperwork")
        code_phrase(b, "I wanted to help", "Barriers/Paperwork")
        b.run(cases.create_case, "P2 Sam")
        b.run(cases.set_attribute, "case", "P2 Sam", "role", "Manager")
        b.run(memos.add_memo, "Ben's first thoughts", None, "Thoughts", "Ben")
        b.run(narrative.create_account, "Setting up referrals")
        b.run(narrative.add_fragment, "Setting up referrals", "The GP asks the nurses to set it up",
              "manipulation", "P1 Rosa", ["GP", "nurses"], [("Rosa.txt", 60, 80)])
        b.run(narrative.add_fragment, "Setting up referrals", "The nurses agree", "commitment", None, ["nurses"])
    with Project.open(project_path, coder="Ana") as p:
        before = p.summary()
        report = merge.merge_copy(p, other)
        after = p.summary()
        assert p.verify_audit().ok
        with p.engine.connect() as conn:
            event = conn.exec_driver_sql("SELECT action, summary, after FROM audit_events ORDER BY seq DESC LIMIT 1"
                                         ).one()
    assert report.written and report.copy == "ben.qda" and report.same_project
    assert report.merged == {"coding": 2, "node": 1, "case": 1, "attribute value": 1, "memo": 1, "account": 1,
                             "fragment": 2, "fragment passage": 1, "fragment link": 1}
    assert report.duplicates["coding"] == 1 and report.duplicates["source"] == 2 and report.duplicates["node"] == 3
    assert after["codings"] == before["codings"] + 2 and after["nodes"] == before["nodes"] + 1
    assert coding_keys(other) <= coding_keys(project_path)
    # One event, recording the copy's seal and what came in.
    assert event[0] == "project.merge" and report.seal in event[1]
    recorded = json.loads(event[2])
    assert recorded["seal"] == report.seal and recorded["merged"]["coding"] == 2


def test_merging_the_same_copy_twice_changes_nothing(project_path: Path) -> None:
    other = plain_copy(project_path, "ben.qda")
    with Project.open(other, coder="Ben") as b:
        code_phrase(b, "I wanted to help", "Trust")
        b.run(nodes.create_node, "Barriers/Paperwork")
    with Project.open(project_path, coder="Ana") as p:
        first = merge.merge_copy(p, other)
    once = state(project_path)
    with Project.open(project_path, coder="Ana") as p:
        second = merge.merge_copy(p, other)
    assert first.written and not second.written
    assert second.merged == {} and second.duplicates["coding"] == first.merged["coding"]
    assert state(project_path) == once


def test_codings_are_the_same_whatever_the_order_of_the_copies(project_path: Path) -> None:
    a, b = plain_copy(project_path, "a.qda"), plain_copy(project_path, "b.qda")
    with Project.open(a, coder="Ana") as p:
        code_phrase(p, "I wanted to help", "Trust")
        p.run(nodes.create_node, "Barriers/Paperwork")
        code_phrase(p, "the GP asked us", "Barriers/Paperwork")
    with Project.open(b, coder="Ben") as p:
        code_phrase(p, "I wanted to help", "Trust")
        code_phrase(p, "It worked well", "Barriers/Workload")
    first, second = plain_copy(project_path, "ab.qda"), plain_copy(project_path, "ba.qda")
    with Project.open(first, coder="Lead") as p:
        merge.merge_copy(p, a)
        merge.merge_copy(p, b)
    with Project.open(second, coder="Lead") as p:
        merge.merge_copy(p, b)
        merge.merge_copy(p, a)
    assert coding_keys(first) == coding_keys(second) == coding_keys(a) | coding_keys(b)
    assert len(coding_keys(first)) == 4  # the two coders' codings of one span are two codings


def test_a_node_both_coders_made_on_their_own_is_one_node_whatever_the_order(project_path: Path) -> None:
    a, b = plain_copy(project_path, "a.qda"), plain_copy(project_path, "b.qda")
    for path, coder, phrase in ((a, "Ana", "I wanted to help"), (b, "Ben", "It worked well")):
        with Project.open(path, coder=coder) as p:
            p.run(nodes.create_node, "Barriers/Paperwork")
            code_phrase(p, phrase, "Barriers/Paperwork")
    first, second = plain_copy(project_path, "ab.qda"), plain_copy(project_path, "ba.qda")
    for target, order in ((first, (a, b)), (second, (b, a))):
        with Project.open(target, coder="Lead") as p:
            for other in order:
                merge.merge_copy(p, other)
            with p.read_session() as s:
                paperwork = [n for n in s.query(nodes.Node).all() if n.name == "Paperwork"]
            assert len(paperwork) == 1
    assert coding_paths(first) == coding_paths(second) == coding_paths(a) | coding_paths(b)


def test_a_merge_is_undone_in_one_step(project_path: Path) -> None:
    other = plain_copy(project_path, "ben.qda")
    with Project.open(other, coder="Ben") as b:
        b.run(nodes.create_node, "Barriers/Paperwork")
        code_phrase(b, "I wanted to help", "Barriers/Paperwork")
        b.run(memos.add_memo, "A note", None, "Note", "Ben")
    before = state(project_path)[1]
    with Project.open(project_path, coder="Ana") as p:
        merge.merge_copy(p, other)
        assert state(project_path)[1] != before
        p.undo()
        assert p.verify_audit().ok
    assert state(project_path)[1] == before


def test_a_copy_for_a_coder_says_whom_it_is_for(project_path: Path, tmp_path: Path) -> None:
    before = state(project_path)
    with Project.open(project_path, coder="Ana", read_only=True) as p:
        made = make_copy(p, tmp_path / "for-ben.qda", "Ben")
    assert state(project_path) == before
    assert copy_note(made.path)["copy_for"] == "Ben" and copy_note(made.path)["copied_from"] == "project.qda"
    with Project.open(made.path, coder="Ben") as b:
        assert b.verify_audit().ok
        code_phrase(b, "I wanted to help", "Trust")
    with Project.open(project_path, coder="Ana") as p:
        report = merge.merge_copy(p, made.path)
    assert report.copy_for == "Ben" and report.merged == {"coding": 1}
    assert "(Ben's copy)" in _last_summary(project_path)


def _last_summary(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT summary FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def test_a_plan_made_before_another_change_is_made_again_inside_the_merge(project_path: Path) -> None:
    from qdaapp.core.merge_read import read_copy

    other = plain_copy(project_path, "ben.qda")
    with Project.open(other, coder="Ben") as b:
        b.run(nodes.create_node, "Barriers/Paperwork")
        code_phrase(b, "I wanted to help", "Barriers/Paperwork")
    with Project.open(project_path, coder="Ana") as p:
        copy = read_copy(other)
        planned = merge._planned(p, copy, None)
        assert planned[0].merged["node"] == 1
        p.run(nodes.create_node, "Barriers/Paperwork")  # made here meanwhile: the plan is out of date
        report = p.run(merge.merge, copy, {}, p.project_id(), planned=planned)
        assert p.verify_audit().ok
    assert report.merged == {"coding": 1} and report.duplicates["node"] == 4
