"""Accounts, fragments, links, completeness, framework matrix and exports."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from qdaapp.core import coding, flowgraph, framework, narrative, nodes, sources
from qdaapp.core.errors import Conflict, InvalidInput, NotFound
from qdaapp.core.exchange.matrix import export_matrix
from qdaapp.core.project import Project

from ..conftest import SAMPLE


def _rosa(project: Project) -> int:
    with project.read_session() as s:
        return sources.resolve(s, "Rosa.txt").id


def test_account_fragments_sequence_and_links(project: Project) -> None:
    acc = project.run(narrative.create_account, "Referral system", description="Setting up referrals")
    start = SAMPLE.index("We had to")
    f1 = project.run(narrative.add_fragment, acc, "The GP asked us to set it up; we had to.", act="manipulation",
                     case_ref="P1 Rosa", actors=["GP", "we"], passages=[("Rosa.txt", start, start + 9)])
    f3 = project.run(narrative.add_fragment, acc, "It worked well.", act="sanction")
    f2 = project.run(narrative.add_fragment, acc, "I wanted to help.", act="commitment", after=f1)
    with project.read_session() as s:
        data = flowgraph.show(s, "Referral system")
    assert [f["id"] for f in data["fragments"]] == [f1, f2, f3]
    assert data["fragments"][0]["passages"][0]["text"] == "We had to"
    assert {(link["from"], link["to"]) for link in data["links"]} == {(f1, f3), (f1, f2)}
    project.run(narrative.unlink_fragments, f1, f3)
    project.run(narrative.link_fragments, f2, f3, label="then")
    project.run(narrative.move_fragment, f3, 0)
    with project.read_session() as s:
        data = flowgraph.show(s, acc)
    assert [f["id"] for f in data["fragments"]] == [f3, f1, f2]
    assert {(link["from"], link["to"], link["label"]) for link in data["links"]} == {(f1, f2, ""), (f2, f3, "then")}
    assert data["actors"] == ["GP", "we"]
    with pytest.raises(Conflict):
        project.run(narrative.link_fragments, f2, f3)
    with pytest.raises(InvalidInput):
        project.run(narrative.link_fragments, f2, f2)


def test_completeness(project: Project, tmp_path: Path) -> None:
    acc = project.run(narrative.create_account, "Event")
    for act in ("manipulation", "commitment", "competence"):
        project.run(narrative.add_fragment, acc, f"A {act} fragment", act=act, passages=[("Rosa.txt", 0, 10)])
    project.run(narrative.add_passage, acc, "Notes.txt", 0, 10)
    with project.read_session() as s:
        check = flowgraph.completeness(s, acc)
    assert check["present"] == ["manipulation", "commitment", "competence"]
    assert check["missing"] == ["performance", "sanction"]
    assert (check["cases"], check["sources"]) == (1, 2)


def test_bad_input_changes_nothing(project: Project) -> None:
    acc = project.run(narrative.create_account, "A")
    before = project.summary()
    with pytest.raises(NotFound, match="no account 'Nope'"):
        project.run(narrative.add_fragment, "Nope", "x")
    with pytest.raises(InvalidInput, match="outside Rosa.txt"):
        project.run(narrative.add_fragment, acc, "x", passages=[("Rosa.txt", 0, 10**6)])
    with pytest.raises(InvalidInput, match="not a speech act"):
        project.run(narrative.add_fragment, acc, "x", act="hope")
    with pytest.raises(InvalidInput, match="SOURCE:START:END"):
        narrative.parse_passage("Rosa.txt:12")
    with pytest.raises(Conflict):
        project.run(narrative.create_account, "A")
    assert project.summary() == before


def test_delete_account_keeps_codings(project: Project) -> None:
    cid = project.run(coding.code, "Rosa.txt", 0, 12, "Trust", "tester")
    acc = project.run(narrative.create_account, "Gone")
    project.run(narrative.add_passage, acc, "Rosa.txt", 0, 12)
    project.run(narrative.add_fragment, acc, "Summary", passages=[("Rosa.txt", 0, 12)])
    project.run(narrative.delete_account, acc)
    with project.read_session() as s:
        assert [c.id for c in coding.list_codings(s)] == [cid]
        assert flowgraph.list_accounts(s) == []
    assert project.verify_audit().ok


def test_positions_and_layout(project: Project) -> None:
    acc = project.run(narrative.create_account, "Chart")
    ids = [project.run(narrative.add_fragment, acc, f"Fragment {i} " * (i + 1)) for i in range(4)]
    project.run(narrative.link_fragments, ids[0], ids[2])  # a branch
    with project.read_session() as s:
        graph = flowgraph.account_graph(s, acc)
    by_id = {b.id: b for b in graph.boxes}
    assert by_id[ids[0]].y < by_id[ids[1]].y
    assert by_id[ids[1]].layer == by_id[ids[2]].layer - 1 or by_id[ids[2]].layer >= 1
    project.run(narrative.place_fragments, {ids[3]: (500.0, 20.0)})
    with project.read_session() as s:
        graph = flowgraph.account_graph(s, acc)
    moved = {b.id: b for b in graph.boxes}[ids[3]]
    assert (moved.x, moved.y, moved.saved) == (500.0, 20.0, True)


def test_framework_matrix_and_exports(project: Project, tmp_path: Path) -> None:
    acc = project.run(narrative.create_account, "Referral")
    project.run(narrative.add_fragment, acc, "We had to set it up.", act="manipulation", case_ref="P1 Rosa")
    project.run(narrative.add_passage, acc, "Rosa.txt", 0, 20)
    tid = project.run(coding.code, "Rosa.txt", 0, 12, "Trust", "tester")
    with project.read_session() as s:
        m = framework.build(s, "cases", "accounts", include_interviewer=True)
        case_id = dict((n, i) for i, n in m.rows)["P1 Rosa"]
        cell = m.cell(case_id, acc)
        assert cell.summary == "We had to set it up." and cell.passages == [(_rosa(project), 0, 20)]
        trust = nodes.resolve(s, "Trust").id
    project.run(framework.set_cell_summary, "cases", case_id, trust, "Trust in the GP")
    with project.read_session() as s:
        m = framework.build(s, "cases", "nodes", include_interviewer=True)
        assert m.cell(case_id, trust).summary == "Trust in the GP" and len(m.cell(case_id, trust).passages) == 1
        for suffix in (".csv", ".xlsx", ".docx"):
            export_matrix(s, tmp_path / f"m{suffix}", "cases", "accounts")
        with pytest.raises(InvalidInput, match="choose a file ending"):
            export_matrix(s, tmp_path / "m.pdf")
        with pytest.raises(InvalidInput, match="does not exist"):
            export_matrix(s, tmp_path / "no" / "m.csv")
    rows = list(csv.reader(open(tmp_path / "m.csv", encoding="utf-8-sig")))
    assert rows[0] == ["Case", "Referral"] and ["P1 Rosa", "We had to set it up."] in rows
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "m.xlsx").active
    assert ws["B1"].value == "Referral" and ws["B2"].value.startswith("We had to set it up.")
    import docx

    table = docx.Document(str(tmp_path / "m.docx")).tables[0]
    assert table.rows[0].cells[1].text == "Referral"
    assert tid


def test_draft_summary_keeps_markers_and_subjects() -> None:
    draft = framework.draft_summary(
        ["P1: Erm, you know, we had to set it up because the GP asked us to. The weather was nice.",
         "I wasn't able to, like, find the form."], actor="Rosa")
    assert draft.startswith("Rosa: ")
    assert "we had to set it up because the GP asked us to" in draft.replace("We had", "we had")
    assert "I wasn't able to find the form" in draft
    assert "weather" not in draft and "Erm" not in draft and "you know" not in draft


def test_suggest_actors() -> None:
    from qdaapp.core.nlp import suggest_actors

    found = suggest_actors(["We told the practice manager and Dr Khan; they agreed."], ["Practice manager", "Dr Khan"])
    assert {"Practice manager", "Dr Khan", "we", "they"} <= set(found)
