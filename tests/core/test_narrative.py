"""Accounts, fragments, links, completeness, framework matrix and exports."""

from __future__ import annotations

import csv
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert {(link["from"], link["to"], link["kind"]) for link in data["links"]} == \
        {(f1, f2, "sequence"), (f2, f3, "sequence")}  # inserting f2 after f1 re-made the sequence
    project.run(narrative.unlink_fragments, f2, f3)
    project.run(narrative.link_fragments, f2, f3, label="then")  # drawn between neighbours: the sequence again
    project.run(narrative.link_fragments, f3, f1, label="back")  # a loop back: extra
    project.run(narrative.move_fragment, f3, 0)
    with project.read_session() as s:
        data = flowgraph.show(s, acc)
    assert [f["id"] for f in data["fragments"]] == [f3, f1, f2]
    assert {(link["from"], link["to"], link["label"], link["kind"]) for link in data["links"]} == \
        {(f3, f1, "back", "extra"), (f1, f2, "", "sequence")}
    assert data["actors"] == ["GP", "we"]  # f2 -> f3 went with the order: they are no longer neighbours
    with pytest.raises(Conflict):
        project.run(narrative.link_fragments, f3, f1)
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


def _links(project: Project, acc: int) -> set[tuple[int, int, str, str]]:
    with project.read_session() as s:
        return {(e["from"], e["to"], e["label"], e["kind"]) for e in flowgraph.show(s, acc)["links"]}


def _order(project: Project, acc: int) -> list[int]:
    with project.read_session() as s:
        return [f["id"] for f in flowgraph.show(s, acc)["fragments"]]


def test_move_relinks_the_sequence_keeps_extra_links_and_is_one_undo(project: Project) -> None:
    acc = project.run(narrative.create_account, "Story")
    a, b, c, d = (project.run(narrative.add_fragment, acc, f"Fragment {n}") for n in "abcd")
    project.run(narrative.unlink_fragments, b, c)
    project.run(narrative.link_fragments, b, c, label="then")
    project.run(narrative.link_fragments, a, c, label="branch")
    project.run(narrative.link_fragments, d, b, label="back")
    project.run(narrative.place_fragments, {c: (600.0, 10.0)})
    before_links, events = _links(project, acc), project.summary()["events"]
    project.run(narrative.move_fragment, d, 1)
    assert project.summary()["events"] == events + 1  # one audited command
    assert _order(project, acc) == [a, d, b, c]
    assert _links(project, acc) == {(a, d, "", "sequence"), (b, c, "then", "sequence"),
                                    (a, c, "branch", "extra"), (d, b, "back", "extra")}
    with project.read_session() as s:
        assert not any(box.saved for box in flowgraph.account_graph(s, acc).boxes)  # re-laid out
    project.undo()
    assert _order(project, acc) == [a, b, c, d] and _links(project, acc) == before_links
    with project.read_session() as s:
        placed = {box.id: (box.x, box.y) for box in flowgraph.account_graph(s, acc).boxes if box.saved}
    assert placed == {c: (600.0, 10.0)}
    assert project.verify_audit().ok


def test_insert_and_delete_join_the_neighbours(project: Project) -> None:
    acc = project.run(narrative.create_account, "Story")
    a, b, c = (project.run(narrative.add_fragment, acc, f"Fragment {n}") for n in "abc")
    project.run(narrative.link_fragments, a, c, label="skip")
    project.run(narrative.place_fragments, {a: (0.0, 300.0)})
    x = project.run(narrative.add_fragment, acc, "Inserted", after=a)
    assert _links(project, acc) == {(a, x, "", "sequence"), (x, b, "", "sequence"), (b, c, "", "sequence"),
                                    (a, c, "skip", "extra")}
    project.run(narrative.delete_fragment, b)
    assert _order(project, acc) == [a, x, c]
    # x and c are neighbours now; the extra link a->c is left as drawn, and the sequence gets x->c
    assert _links(project, acc) == {(a, x, "", "sequence"), (x, c, "", "sequence"), (a, c, "skip", "extra")}
    project.run(narrative.delete_fragment, x)
    # a and c are neighbours: the link the user drew between them stands for the sequence, unchanged
    assert _links(project, acc) == {(a, c, "skip", "extra")}
    project.undo()
    assert _order(project, acc) == [a, x, c]
    assert (x, c, "", "sequence") in _links(project, acc)


def test_move_refuses_bad_places_and_changes_nothing(project: Project) -> None:
    acc = project.run(narrative.create_account, "Story")
    a, b = (project.run(narrative.add_fragment, acc, f"Fragment {n}") for n in "ab")
    before = project.summary()
    with pytest.raises(InvalidInput, match="Position 3 is outside the sequence of 2 fragments"):
        project.run(narrative.move_fragment, a, 2)
    with pytest.raises(InvalidInput, match="already at place 1"):
        project.run(narrative.move_fragment, a, 0)
    with pytest.raises(NotFound):
        project.run(narrative.move_fragment, 999, 0)
    assert project.summary() == before and _order(project, acc) == [a, b]


def _info(n: int) -> list[flowgraph.FragmentInfo]:
    return [flowgraph.FragmentInfo(i, i, "word " * (3 + 7 * (i % 4)), "sanction", None, ["we"] if i % 2 else [])
            for i in range(n)]


def _crosses(p: tuple[float, float], q: tuple[float, float], box: flowgraph.Box) -> bool:
    """Does the axis-parallel segment p-q pass through the inside of ``box``?"""
    (x0, y0), (x1, y1) = p, q
    left, right, top, bottom = box.x, box.x + box.width, box.y, box.y + box.height
    if x0 == x1:
        return left < x0 < right and min(max(y0, y1), bottom) - max(min(y0, y1), top) > 0.01
    assert y0 == y1, "routes on the grid are made of horizontal and vertical lines"
    return top < y0 < bottom and min(max(x0, x1), right) - max(min(x0, x1), left) > 0.01


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 14), extra=st.lists(st.tuples(st.integers(0, 13), st.integers(0, 13)), max_size=6),
       mode=st.sampled_from(flowgraph.LAYOUTS))
def test_layout_follows_the_order_with_even_boxes_and_arrows_around_them(n, extra, mode) -> None:
    edges = [{"from": i, "to": i + 1, "label": "", "kind": "sequence"} for i in range(n - 1)]
    pairs = {(a % n, b % n) for a, b in extra if a % n != b % n and b % n != a % n + 1}
    edges += [{"from": a, "to": b, "label": "", "kind": "extra"} for a, b in sorted(pairs)]
    graph = flowgraph.layout("T", _info(n), edges, mode=mode)
    boxes = graph.boxes
    assert len({(b.width, b.height) for b in boxes}) == 1
    cols = graph.columns
    assert cols == {"down": 1, "across": n}.get(mode, cols)
    for i, (p, q) in enumerate(pairwise(boxes)):
        if (i + 1) % cols:  # same row: the next box is to the right
            assert q.y == p.y and q.x > p.x + p.width
        else:  # a new row starts at the left, below
            assert q.x == boxes[0].x and q.y > p.y + p.height
    for e in graph.edges:
        pts = e["points"]
        assert len(pts) >= 2
        for seg in pairwise(pts):
            assert not any(_crosses(*seg, box) for box in boxes), (mode, e, seg)
    assert all(0 <= b.x and b.x + b.width <= graph.width and b.y + b.height <= graph.height for b in boxes)


def test_boxes_placed_by_hand_stay_until_a_relayout(project: Project) -> None:
    acc = project.run(narrative.create_account, "Chart")
    ids = [project.run(narrative.add_fragment, acc, f"Fragment {i} " * (i + 1)) for i in range(4)]
    project.run(narrative.place_fragments, {ids[3]: (500.0, 20.0)})
    with project.read_session() as s:
        moved = {b.id: b for b in flowgraph.account_graph(s, acc).boxes}[ids[3]]
        again = {b.id: b for b in flowgraph.account_graph(s, acc, keep_saved=False).boxes}[ids[3]]
    assert (moved.x, moved.y, moved.saved) == (500.0, 20.0, True)
    assert not again.saved and again.x == 0.0
    project.run(narrative.add_fragment, acc, "Appended")  # appending changes no one's place
    with project.read_session() as s:
        assert {b.id: b for b in flowgraph.account_graph(s, acc).boxes}[ids[3]].saved
    project.run(narrative.move_fragment, ids[3], 0)
    with project.read_session() as s:
        assert not any(b.saved for b in flowgraph.account_graph(s, acc).boxes)


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
    assert ws["B1"].value == "Referral" and ws["B2"].value.startswith("Manipulation: We had to set it up.")
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
