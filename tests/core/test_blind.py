"""Blind coding: who may switch it, what each coder sees, its audit events and Undo; the coders list."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from qdaapp.core import blind, coding, memos, narrative, nodes
from qdaapp.core.coders import coders
from qdaapp.core.errors import Conflict, InvalidInput
from qdaapp.core.project import Project


def _events(p: Project) -> list[tuple[str, str]]:
    with p.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT coder, action FROM audit_events ORDER BY seq"))]


def _state(p: Project) -> str:
    with p.read_session() as s:
        return blind.state(s)


def _sees(p: Project, me: str) -> set[str] | None:
    with p.read_session() as s:
        return blind.visible_coders(s, me)


@pytest.fixture
def team(project_path: Path):
    """The owner (tester, who made the template) and a co-coder (ana), each with a coding of Trust."""
    owner = Project.open(project_path, coder="tester", exclusive=False)
    ana = Project.open(project_path, coder="ana", exclusive=False)
    owner.run(coding.code, "Rosa.txt", 0, 12, "Trust", "tester")
    ana.run(coding.code, "Rosa.txt", 20, 40, "Trust", "ana")
    ana.run(coding.code, "Rosa.txt", 50, 60, "Barriers/Workload", "ana")
    yield owner, ana
    ana.close()
    owner.close()


def test_the_creator_owns_a_new_project(tmp_path: Path) -> None:
    p = Project.create(tmp_path / "new.qda", coder="Ana Ruiz")
    try:
        assert p.meta()["owner"] == "Ana Ruiz"
        with p.read_session() as s:
            assert blind.owner(s) == "Ana Ruiz"
            assert blind.state(s) == blind.OFF
    finally:
        p.close()


def test_an_older_project_is_owned_by_the_first_coder_in_its_trail(team) -> None:
    owner, ana = team
    with owner.write_session() as s:
        s.execute(text("DELETE FROM meta WHERE key = 'owner'"))
        s.commit()
    with ana.read_session() as s:
        assert blind.owner(s) == "tester"
    with pytest.raises(Conflict, match="Only the project owner, tester"):
        ana.run(blind.set_blind, True, "ana")


def test_only_the_owner_switches_blind_coding(team) -> None:
    owner, ana = team
    before = _events(owner)
    with pytest.raises(Conflict, match="Only the project owner, tester, may switch blind coding"):
        ana.run(blind.set_blind, True, "ana")
    with pytest.raises(Conflict, match="may end the blind phase"):
        ana.run(blind.end_blind, "ana")
    assert _events(owner) == before
    assert _state(owner) == blind.OFF
    assert _sees(owner, "ana") is None


def test_blind_phase_each_coder_sees_their_own_and_its_end_shows_all(team) -> None:
    owner, ana = team
    assert owner.run(blind.set_blind, True, "tester") == blind.ON
    assert _events(owner)[-1] == ("tester", "project.set_blind")
    assert _sees(owner, "ana") == {"ana"}
    assert _sees(owner, "bob") == {"bob"}
    assert _sees(owner, "tester") is None  # the owner may open the comparison
    with ana.read_session() as s:
        assert not blind.comparison_open(s, "ana")
        assert blind.comparison_open(s, "tester")
    with pytest.raises(InvalidInput, match="already on"):
        owner.run(blind.set_blind, True, "tester")
    owner.run(blind.end_blind, "tester")
    assert _events(owner)[-1] == ("tester", "project.end_blind")
    assert _state(owner) == blind.ENDED
    assert _sees(owner, "ana") is None
    with ana.read_session() as s:
        assert blind.comparison_open(s, "ana")
    with pytest.raises(InvalidInput, match="not in a blind phase"):
        owner.run(blind.end_blind, "tester")
    assert owner.verify_audit().ok


def test_switching_blind_coding_is_undone_and_redone(team) -> None:
    owner, _ana = team
    owner.run(blind.set_blind, True, "tester")
    assert owner.undo_redo_text()[0] == "switch blind coding on: each coder sees only their own codings"
    owner.undo()
    assert _state(owner) == blind.OFF
    assert _sees(owner, "ana") is None
    owner.redo()
    assert _state(owner) == blind.ON
    owner.run(blind.set_blind, False, "tester")
    owner.undo()  # back from off to on: an update of the setting's row
    assert _state(owner) == blind.ON
    owner.redo()
    assert _state(owner) == blind.OFF
    result = owner.verify_audit()
    assert result.ok, result.message()


def test_ending_the_blind_phase_is_not_undone(team) -> None:
    owner, _ana = team
    owner.run(blind.set_blind, True, "tester")
    owner.run(blind.end_blind, "tester")
    # Undo offers the switch before it, and refuses it: the end changed the setting since.
    assert owner.undo_redo_text()[0].startswith("switch blind coding on")
    with pytest.raises(Conflict, match="changed again since"):
        owner.undo()
    assert _state(owner) == blind.ENDED


def test_one_filter_narrows_spans_counts_and_passages(team) -> None:
    owner, _ana = team
    with owner.read_session() as s:
        source_id = s.execute(text("SELECT id FROM sources WHERE name = 'Rosa.txt'")).scalar_one()
        trust = nodes.resolve(s, "Trust").id
        assert {r[-1] for r in coding.spans_for_source(s, source_id)} == {"tester", "ana"}
        assert [r[-1] for r in coding.spans_for_source(s, source_id, coders={"tester"})] == ["tester"]
        assert nodes.coding_counts(s)[trust] == 2
        assert nodes.coding_counts(s, {"ana"})[trust] == 1
        assert nodes.coding_counts(s, set()) == {}
        by_path = {n.path: n.codings for n in nodes.list_nodes(s, coders={"tester"})}
        assert by_path == {"Trust": 1, "Barriers": 0, "Barriers/Workload": 0}
        assert [(c.coder, c.start) for c in coding.list_codings(s, node_ref="Trust", coders={"ana"})] == [("ana", 20)]
        assert len(coding.list_codings(s, node_ref="Trust")) == 2


def test_narrow_keeps_what_is_wanted_and_allowed() -> None:
    assert blind.narrow(None, None) is None
    assert blind.narrow({"ana"}, None) == {"ana"}
    assert blind.narrow(None, {"ana"}) == {"ana"}
    assert blind.narrow({"bob"}, {"ana"}) == set()


def test_coders_lists_everyone_with_their_work(team) -> None:
    owner, ana = team
    ana.run(memos.add_memo, "A thought", author="ana")
    account = ana.run(narrative.create_account, "Setting up referrals", created_by="ana")
    ana.run(narrative.add_fragment, account, "The GP asked")
    ana.run(narrative.add_fragment, account, "They ran an audit")
    with owner.read_session() as s:
        found = {w.name: w for w in coders(s)}
    assert set(found) == {"tester", "ana"}
    assert (found["ana"].codings, found["ana"].memos, found["ana"].fragments) == (2, 1, 2)
    assert (found["tester"].codings, found["tester"].memos, found["tester"].fragments) == (1, 0, 0)
    assert found["ana"].changes == 6
    assert found["tester"].first is not None and found["tester"].first <= found["ana"].first
    assert found["ana"].last >= found["ana"].first
    assert [w.name for w in coders(s)][0] == "tester"
