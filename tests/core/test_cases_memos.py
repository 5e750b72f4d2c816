"""Cases with typed attributes; memos and diary entries."""

from __future__ import annotations

import pytest

from qdaapp.core import cases, memos, sources
from qdaapp.core.errors import Conflict, InvalidInput, NotFound
from qdaapp.core.project import Project


def test_case_assign_and_typed_attributes(project: Project) -> None:
    cid = project.run(cases.create_case, "Millbrook Surgery")
    project.run(cases.assign_source, cid, "Notes.txt")
    project.run(cases.set_attribute, "case", cid, "staff", "12")
    project.run(cases.set_attribute, "case", cid, "visited", "2026-03-01")
    project.run(cases.set_attribute, "case", cid, "cluster", "North")
    with pytest.raises(InvalidInput, match="not a number"):
        project.run(cases.set_attribute, "case", cid, "staff", "a dozen")
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        project.run(cases.set_attribute, "case", cid, "visited", "1st March")
    with pytest.raises(Conflict):
        project.run(cases.create_case, "Millbrook Surgery")
    with project.read_session() as s:
        info = {c.name: c for c in cases.list_cases(s)}["Millbrook Surgery"]
        types = cases.attributes_of(s, "case", cid)
    assert info.sources == ["Notes.txt"]
    assert info.attributes == {"staff": "12", "visited": "2026-03-01", "cluster": "North"}
    assert types["staff"][0] == "number" and types["visited"][0] == "date" and types["cluster"][0] == "text"


def test_source_attributes_and_kind(project: Project) -> None:
    project.run(cases.set_attribute, "source", "Notes.txt", "pages", "3", type_="number")
    project.run(sources.update_source, "Notes.txt", kind="diary")
    with project.read_session() as s:
        assert {i.name: i.kind for i in sources.list_sources(s)}["Notes.txt"] == "diary"
    with pytest.raises(InvalidInput):
        project.run(sources.update_source, "Notes.txt", kind="poem")


def test_memos_on_targets_and_diary(project: Project) -> None:
    with project.read_session() as s:
        sid = sources.resolve(s, "Rosa.txt").id
    project.run(memos.add_memo, "Overall impression", target=None)
    mid = project.run(memos.add_memo, "Rosa sounded tired", target=f"source:{sid}")
    project.run(memos.update_memo, mid, text="Rosa sounded tired but proud")
    project.run(memos.add_diary_entry, "Moved Trust into the tree", day="2026-03-02")
    with pytest.raises(NotFound):
        project.run(memos.add_memo, "x", target="node:999")
    with pytest.raises(InvalidInput):
        project.run(memos.add_memo, "x", target="banana:1")
    with pytest.raises(InvalidInput):
        project.run(memos.add_diary_entry, "x", day="March")
    with project.read_session() as s:
        rows = memos.list_memos(s)
    assert {(m.target_type, m.text) for m in rows} >= {
        ("project", "Overall impression"), ("source", "Rosa sounded tired but proud"),
        ("diary", "Moved Trust into the tree"),
    }


def test_case_rename_attribute_removal_and_listing(project: Project) -> None:
    project.run(cases.update_case, "P1 Rosa", name="P1 Rosa M.")
    project.run(cases.set_attribute, "case", "P1 Rosa M.", "site", "Millbrook")
    project.run(cases.remove_attribute, "case", "P1 Rosa M.", "site")
    with project.read_session() as s:
        info = {c.name: c for c in cases.list_cases(s)}["P1 Rosa M."]
        assert "site" not in info.attributes and info.attributes["role"] == "Practice nurse"
        assert ("role", "text") in cases.list_attributes(s)
    with pytest.raises(NotFound):
        project.run(cases.remove_attribute, "case", "P1 Rosa M.", "site")
    project.undo()
    project.undo()
    with project.read_session() as s:
        assert {c.name for c in cases.list_cases(s)} == {"P1 Rosa M."}
