"""The timeline filter shared by the audit viewer and ``qdaapp audit``: items are matched inside
compound events and through memos, and several actions (a group) are one condition."""

from __future__ import annotations

from datetime import date

from qdaapp.core import audit, coding, memos, nodes


def seqs(project, f: audit.EventFilter) -> list[int]:
    with project.engine.connect() as conn:
        rows = audit.event_rows(conn, f, newest_first=False)
        assert audit.count_events(conn, f) == len(rows)
    return [r[0] for r in rows]


def test_a_node_made_while_coding_is_found_inside_the_compound_event(project) -> None:
    made = project.run(coding.code_at_new_node, "Notes.txt", 0, 5, "Field", "tester")
    node_id = made["node_id"]
    last = seqs(project, audit.EventFilter())[-1]
    assert seqs(project, audit.EventFilter(node_id=node_id)) == [last]
    assert last in seqs(project, audit.EventFilter(source_id=2))


def test_memos_on_an_item_belong_to_it(project) -> None:
    with project.read_session() as s:
        trust = nodes.resolve(s, "Trust").id
    project.run(memos.add_memo, "Why trust?", target=f"node:{trust}", author="tester")
    found = seqs(project, audit.EventFilter(node_id=trust))
    assert len(found) == 2 and seqs(project, audit.EventFilter(action="memo.create"))[-1] == found[-1]


def test_several_actions_and_one_action_narrow_together(project) -> None:
    group = audit.action_group("Sources and cases")
    assert group is not None and audit.action_group("nothing") is None
    everything = seqs(project, audit.EventFilter(actions=group))
    assert everything == [2, 3, 4, 7, 8]
    assert seqs(project, audit.EventFilter(actions=group, action="case.create")) == [3]


def test_event_rows_are_the_events(project) -> None:
    with project.engine.connect() as conn:
        rows = audit.event_rows(conn, audit.EventFilter(), offset=1, limit=3)
        events = audit.query_events(conn, audit.EventFilter(), offset=1, limit=3)
        assert rows == [(e.seq, e.time, e.coder, e.action, e.entity, e.entity_id, e.summary, e.before, e.after,
                         e.reason) for e in events]
        assert audit.event_row(conn, rows[0][0]) == rows[0]
        assert audit.event_row(conn, 10_000) is None
        assert audit.coders(conn) == ["tester"]
        first, last = audit.time_span(conn)
        assert first is not None and first <= last


def test_a_local_day_covers_every_stored_time_of_that_day() -> None:
    start, end = audit.day_start_utc(date(2024, 5, 3)), audit.day_end_utc(date(2024, 5, 3))
    assert start < end and end.endswith(".999999+99")
