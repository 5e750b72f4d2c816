"""``qdaapp audit`` filters the timeline as the audit viewer does: coder, action (or group), node,
source, case and dates, with the one filter of :mod:`qdaapp.core.audit`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from qdaapp.cli import main
from qdaapp.cli.project_cmds import ACTION_GROUP_NAMES
from qdaapp.core.audit import ACTION_GROUPS

# The template project's timeline, and what this module adds to it:
#  1 project.create   2 source.import Rosa.txt (case 1)   3 case.create P1 Rosa   4 source.import Notes.txt
#  5 node.create Trust   6 node.create Barriers/Workload   7 attribute.set on P1 Rosa   8 attribute.create
#  9 coding.create (alice, Rosa.txt, Trust)   10 memo.create on Trust


@pytest.fixture
def timeline(project_path: Path, capsys: pytest.CaptureFixture) -> Path:
    assert main(["code", str(project_path), "Rosa.txt", "0", "11", "Trust", "--coder", "alice"]) == 0
    assert main(["memo", "add", str(project_path), "a memo on trust", "--on", "node:1"]) == 0
    capsys.readouterr()
    return project_path


def seqs(capsys: pytest.CaptureFixture, project: Path, *options: str) -> list[int]:
    code = main(["audit", str(project), "--json", *options])
    out, err = capsys.readouterr()
    assert code == 0, err
    return [event["seq"] for event in json.loads(out)]


def test_everything_without_a_filter(timeline: Path, capsys: pytest.CaptureFixture) -> None:
    assert seqs(capsys, timeline) == list(range(1, 11))


def test_coder(timeline: Path, capsys: pytest.CaptureFixture) -> None:
    assert seqs(capsys, timeline, "--coder", "alice") == [9]
    assert seqs(capsys, timeline, "--coder", "tester") == [1, 2, 3, 4, 5, 6, 7, 8, 10]


def test_action_exact_prefix_and_group(timeline: Path, capsys: pytest.CaptureFixture) -> None:
    assert seqs(capsys, timeline, "--action", "node.create") == [5, 6]
    assert seqs(capsys, timeline, "--action", "coding.") == [9]
    assert seqs(capsys, timeline, "--action", "Memos and diary") == [10]
    assert seqs(capsys, timeline, "--action", "sources and cases") == [2, 3, 4, 7, 8]


def test_the_groups_the_help_names_are_the_viewers() -> None:
    assert ACTION_GROUP_NAMES == tuple(label for label, _, _ in ACTION_GROUPS)


def test_node_by_name_path_or_id(timeline: Path, capsys: pytest.CaptureFixture) -> None:
    # the node's creation, a coding at it and a memo on it
    assert seqs(capsys, timeline, "--node", "Trust") == [5, 9, 10]
    assert seqs(capsys, timeline, "--node", "1") == [5, 9, 10]
    assert seqs(capsys, timeline, "--node", "Barriers/Workload") == [6]


def test_source(timeline: Path, capsys: pytest.CaptureFixture) -> None:
    assert seqs(capsys, timeline, "--source", "Rosa.txt") == [2, 9]
    assert seqs(capsys, timeline, "--source", "Notes.txt") == [4]


def test_case(timeline: Path, capsys: pytest.CaptureFixture) -> None:
    # the source assigned to it on import, its creation, its attribute and a coding in its source
    assert seqs(capsys, timeline, "--case", "P1 Rosa") == [2, 3, 7, 9]


def test_filters_combine(timeline: Path, capsys: pytest.CaptureFixture) -> None:
    assert seqs(capsys, timeline, "--node", "Trust", "--action", "Coding") == [9]
    assert seqs(capsys, timeline, "--source", "Rosa.txt", "--coder", "tester") == [2]


def test_date_range(timeline: Path, capsys: pytest.CaptureFixture) -> None:
    con = sqlite3.connect(timeline)
    for first, last, day in ((1, 5, "2024-01-10"), (6, 8, "2024-01-11"), (9, 10, "2024-01-12")):
        con.execute("update audit_events set time = ? where seq between ? and ?",
                    (f"{day}T10:00:00+00:00", first, last))
    con.commit()
    con.close()
    assert seqs(capsys, timeline, "--since", "2024-01-11", "--until", "2024-01-11") == [6, 7, 8]
    assert seqs(capsys, timeline, "--since", "2024-01-11") == [6, 7, 8, 9, 10]
    assert seqs(capsys, timeline, "--until", "2024-01-10") == [1, 2, 3, 4, 5]
    assert seqs(capsys, timeline, "--until", "2024-01-11", "--node", "Trust") == [5]


def test_an_unknown_item_is_one_line(timeline: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(["audit", str(timeline), "--node", "Nothing"])
    out, err = capsys.readouterr()
    assert code == 1 and "There is no node 'Nothing'" in err and err.count("\n") == 1
    code = main(["audit", str(timeline), "--case", "Nobody"])
    out, err = capsys.readouterr()
    assert code == 1 and "There is no case 'Nobody'" in err


def test_a_deleted_node_by_id(timeline: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["node", "delete", str(timeline), "Barriers/Workload"]) == 0
    capsys.readouterr()
    assert seqs(capsys, timeline, "--node", "3") == [6, 11]


def test_events_read_as_sentences(timeline: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["audit", str(timeline), "--json", "--coder", "alice"]) == 0
    (event,) = json.loads(capsys.readouterr().out)
    assert event["sentence"] == "Coded 'Interviewer' in Rosa.txt at Trust"
    assert event["summary"] == "code 'Trust' in Rosa.txt (0-11)"
    assert main(["audit", str(timeline), "--coder", "alice"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("alice        Coded 'Interviewer' in Rosa.txt at Trust")
