"""Conflicts between a project and a coder's copy: listed, settled by default rules, overridable."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdaapp.core import memos, merge, nodes, sources
from qdaapp.core.errors import InvalidInput
from qdaapp.core.merge_read import MergeRefused, read_copy
from qdaapp.core.project import Project

from .merge_helpers import code_phrase, coding_keys, plain_copy, state


def _node_id(p: Project, path: str) -> int:
    with p.read_session() as s:
        return nodes.resolve(s, path).id


def _names(path: Path) -> set[str]:
    with Project.open(path, coder="x", read_only=True) as p, p.read_session() as s:
        return {n.name for n in s.query(nodes.Node).all()}


def _conflict(report: merge.MergeReport, kind: str) -> merge.MergeConflict:
    found = [c for c in report.conflicts if c.kind == kind]
    assert len(found) == 1, report.conflicts
    return found[0]


def _renamed_both(project_path: Path) -> Path:
    other = plain_copy(project_path, "ben.qda")
    with Project.open(project_path, coder="Ana") as p:
        p.run(nodes.update_node, _node_id(p, "Trust"), name="Trust in the GP")
    with Project.open(other, coder="Ben") as b:
        b.run(nodes.update_node, _node_id(b, "Trust"), name="Confidence")
    return other


def test_a_node_renamed_differently_keeps_this_projects_name_by_default(project_path: Path) -> None:
    other = _renamed_both(project_path)
    with Project.open(project_path, coder="Ana") as p:
        report = merge.merge_copy(p, other)
    c = _conflict(report, "renamed")
    assert (c.entity, c.ours, c.theirs, c.default, c.chosen) == ("node", "Trust in the GP", "Confidence", "ours",
                                                                 "ours")
    assert c.choices == ("ours", "theirs") and "the copy" in c.label
    assert "Trust in the GP" in _names(project_path) and "Confidence" not in _names(project_path)


def test_a_rename_conflict_can_take_the_copys_name(project_path: Path) -> None:
    other = _renamed_both(project_path)
    with Project.open(project_path, coder="Ana") as p:
        key = merge.preview(p, read_copy(other)).conflicts[0].key
        report = merge.merge_copy(p, other, {key: "theirs"})
        assert p.verify_audit().ok
    assert _conflict(report, "renamed").chosen == "theirs"
    assert "Confidence" in _names(project_path) and "Trust in the GP" not in _names(project_path)


def test_an_unknown_resolution_or_choice_is_refused(project_path: Path) -> None:
    other = _renamed_both(project_path)
    before = state(project_path)
    with Project.open(project_path, coder="Ana") as p:
        key = merge.preview(p, read_copy(other)).conflicts[0].key
        with pytest.raises(InvalidInput, match="not 'mine'"):
            merge.merge_copy(p, other, {key: "mine"})
        with pytest.raises(InvalidInput, match="No conflict is called node:nothing"):
            merge.merge_copy(p, other, {"node:nothing": "ours"})
    assert state(project_path) == before


def test_a_node_moved_to_two_parents_stays_where_it_is_here(project_path: Path) -> None:
    with Project.open(project_path, coder="Ana") as p:
        p.run(nodes.create_node, "Context")
    other = plain_copy(project_path, "ben.qda")
    with Project.open(project_path, coder="Ana") as p:
        p.run(nodes.move_node, _node_id(p, "Barriers/Workload"), "Context")
    with Project.open(other, coder="Ben") as b:
        b.run(nodes.move_node, _node_id(b, "Barriers/Workload"), "")
    with Project.open(project_path, coder="Ana") as p:
        report = merge.merge_copy(p, other)
        c = _conflict(report, "moved")
        assert (c.ours, c.theirs, c.chosen) == ("Context", "the top level", "ours")
        assert _node_id(p, "Context/Workload")
        merge.merge_copy(p, other, {c.key: "theirs"})
        assert _node_id(p, "Workload")


def test_a_node_deleted_here_and_used_in_the_copy_comes_back_with_its_codings(project_path: Path) -> None:
    other = plain_copy(project_path, "ben.qda")
    with Project.open(project_path, coder="Ana") as p:
        p.run(nodes.delete_node, _node_id(p, "Trust"))
    with Project.open(other, coder="Ben") as b:
        code_phrase(b, "I wanted to help", "Trust")
    with Project.open(project_path, coder="Ana") as p:
        report = merge.merge_copy(p, other)
        again = merge.merge_copy(p, other)
    c = _conflict(report, "deleted-here")
    assert (c.entity, c.default, c.chosen, c.theirs) == ("node", "restore", "restore", "1 coding(s) at it")
    assert "Trust" in _names(project_path) and coding_keys(other) <= coding_keys(project_path)
    assert not again.written and again.conflicts == ()


def test_a_node_deleted_here_can_be_left_deleted(project_path: Path) -> None:
    other = plain_copy(project_path, "ben.qda")
    with Project.open(project_path, coder="Ana") as p:
        p.run(nodes.delete_node, _node_id(p, "Trust"))
    with Project.open(other, coder="Ben") as b:
        code_phrase(b, "I wanted to help", "Trust")
    with Project.open(project_path, coder="Ana") as p:
        key = merge.preview(p, read_copy(other)).conflicts[0].key
        report = merge.merge_copy(p, other, {key: "leave"})
    assert "Trust" not in _names(project_path)
    assert report.skipped == {"node": 1, "coding": 1}


def test_a_node_deleted_in_the_copy_and_used_here_is_kept(project_path: Path) -> None:
    other = plain_copy(project_path, "ben.qda")
    with Project.open(project_path, coder="Ana") as p:
        code_phrase(p, "I wanted to help", "Trust")
    with Project.open(other, coder="Ben") as b:
        b.run(nodes.delete_node, _node_id(b, "Trust"))
    with Project.open(project_path, coder="Ana") as p:
        report = merge.merge_copy(p, other)
    c = _conflict(report, "deleted-there")
    assert (c.chosen, c.choices, c.ours) == ("keep", ("keep", "delete"), "1 coding(s) at it")
    assert "Trust" in _names(project_path) and not report.written


def test_a_memo_edited_in_both_keeps_both_texts(project_path: Path) -> None:
    with Project.open(project_path, coder="Ana") as p:
        memo_id = p.run(memos.add_memo, "First draft", None, "Plan", "Ana")
    other = plain_copy(project_path, "ben.qda")
    with Project.open(project_path, coder="Ana") as p:
        p.run(memos.update_memo, memo_id, text="Ana's version")
    with Project.open(other, coder="Ben") as b:
        b.run(memos.update_memo, memo_id, text="Ben's version")
    with Project.open(project_path, coder="Ana") as p:
        report = merge.merge_copy(p, other)
        again = merge.merge_copy(p, other)
        with p.read_session() as s:
            texts = sorted(m.text for m in s.query(memos.Memo).all())
    assert _conflict(report, "edited").chosen == "both"
    assert "Ana's version" in texts and "Ben's version" in texts
    assert not again.written


def test_a_source_with_the_same_name_and_another_text_is_refused_unless_renamed(project_path: Path,
                                                                                tmp_path: Path) -> None:
    other = plain_copy(project_path, "ben.qda")
    folder = tmp_path / "ben-files"
    folder.mkdir()
    (folder / "Extra.txt").write_text("Ben's version of the interview.\n", encoding="utf-8")
    (tmp_path / "Extra.txt").write_text("Ana's version of the interview.\n", encoding="utf-8")
    with Project.open(other, coder="Ben") as b:
        docs, _ = sources.read_files([folder / "Extra.txt"])
        b.run(sources.import_documents, docs, kind="interview")
    with Project.open(project_path, coder="Ana") as p:
        docs, _ = sources.read_files([tmp_path / "Extra.txt"])
        p.run(sources.import_documents, docs, kind="interview")
    before = state(project_path)
    with Project.open(project_path, coder="Ana") as p:
        with pytest.raises(MergeRefused, match="source 'Extra.txt' has a different text in the copy"):
            merge.merge_copy(p, other)
        assert state(project_path) == before
        key = merge.preview(p, read_copy(other)).conflicts[0].key
        report = merge.merge_copy(p, other, {key: "rename"})
        with p.read_session() as s:
            names = {src.name for src in s.query(sources.Source).all()}
    assert report.merged == {"source": 1} and "Extra.txt (the copy)" in names
