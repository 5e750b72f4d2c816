"""Review comments: kept beside the project, never in it; read-only projects can be commented on."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import UTC
from pathlib import Path

import pytest

from qdaapp.core import coding, narrative
from qdaapp.core import review_comments as rc
from qdaapp.core.errors import InvalidInput, NotFound, ProjectError
from qdaapp.core.project import Project
from qdaapp.core.review_targets import parse_target


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def _coded(project: Project) -> int:
    with project.read_session() as s:
        from qdaapp.core import nodes

        node = nodes.resolve(s, "Trust").id
    return project.run(coding.code, 1, 62, 80, node, coder="tester")


def test_store_list_reply_resolve(project: Project) -> None:
    coding_id = _coded(project)
    first = rc.add_comment(project, "Why is this trust?", "coding", coding_id, author="Dr Lee")
    second = rc.add_comment(project, "Overall fine.", "project", author="Dr Lee")
    assert first.label.startswith("Trust: “")
    assert "(Rosa.txt)" in first.label
    assert second.label == "Project project" and second.target_id is None
    listed = rc.list_comments(project.path)
    assert [c.text for c in listed] == ["Why is this trust?", "Overall fine."]
    assert [c.status for c in listed] == ["open", "open"]
    assert listed[0].time.endswith("+00:00")

    answered = rc.reply(project.path, first.id, "Because she relies on the GP.", author="tester")
    assert answered.status == "answered"
    assert answered.replies[0].text == "Because she relies on the GP." and answered.replies[0].author == "tester"
    # The reviewer adding to her own comment does not mark it answered.
    own = rc.reply(project.path, second.id, "Except chapter 3.", author="Dr Lee")
    assert own.status == "open"

    resolved = rc.set_status(project.path, first.id, "resolved")
    assert resolved.status == "resolved"
    assert [c.id for c in rc.list_comments(project.path, status="open")] == [second.id]
    assert rc.summary(rc.list_comments(project.path)) == "1 review comment from Dr Lee"
    with pytest.raises(NotFound, match="no review comment 99"):
        rc.reply(project.path, 99, "x", author="tester")
    with pytest.raises(InvalidInput, match="status"):
        rc.set_status(project.path, first.id, "done")
    with pytest.raises(InvalidInput, match="needs some text"):
        rc.add_comment(project, "   ", "project")


def test_label_survives_the_target(project: Project) -> None:
    acc = project.run(narrative.create_account, "Referral system")
    frag = project.run(narrative.add_fragment, acc, "The GP asked us to set it up.", act="manipulation")
    comment = rc.add_comment(project, "Is this manipulation?", "fragment", frag)
    project.run(narrative.delete_fragment, frag)
    (kept,) = rc.list_comments(project.path)
    assert kept.id == comment.id
    assert kept.label == "Fragment “The GP asked us to set it up.” in Referral system"


def test_comments_for_report_filters(project: Project) -> None:
    rc.add_comment(project, "One", "node", 1, author="Dr Lee")
    rc.add_comment(project, "Two", "source", 1, author="Prof Kim")
    assert [c.text for c in rc.comments_for_report(project.path)] == ["One", "Two"]
    assert [c.text for c in rc.comments_for_report(project.path, author="Prof Kim")] == ["Two"]
    assert rc.comments_for_report(project.path, since="2999-01-01") == []
    assert len(rc.comments_for_report(project.path, since="2000-01-01")) == 2
    from datetime import date, datetime, timedelta

    assert len(rc.comments_for_report(project.path, since=date(2000, 1, 1))) == 2
    assert rc.comments_for_report(project.path, since=datetime.now(UTC) + timedelta(hours=1)) == []
    assert rc.comments_for_report(project.path.with_name("other.qda")) == []


def test_read_only_project_stays_byte_identical(project_path: Path) -> None:
    with Project.open(project_path) as p:
        coding_id = _coded(p)
        seal = p.seal()
    os.chmod(project_path, stat.S_IRUSR | stat.S_IRGRP)
    before = _fingerprint(project_path)
    try:
        with Project.open(project_path, coder="Dr Lee", read_only=True) as ro:
            rc.add_comment(ro, "Check this coding", "coding", coding_id)
            rc.add_comment(ro, "And this change", "event", 2)
            rc.add_comment(ro, "Whole project", "project")
        assert _fingerprint(project_path) == before
        with Project.open(project_path, read_only=True) as ro:
            result = ro.verify_audit(seal)
            assert result.ok, result
    finally:
        os.chmod(project_path, stat.S_IRUSR | stat.S_IWUSR)
    assert [c.author for c in rc.list_comments(project_path)] == ["Dr Lee"] * 3
    assert rc.side_file(project_path).name == "project.qda.review"


def test_bad_target_is_refused_and_nothing_written(project: Project) -> None:
    with pytest.raises(NotFound, match="no coding 999"):
        rc.add_comment(project, "Where?", "coding", 999)
    with pytest.raises(NotFound, match="no event 12345"):
        rc.add_comment(project, "Where?", "event", 12345)
    with pytest.raises(NotFound, match="no node 77"):
        rc.add_comment(project, "Where?", "node", 77)
    assert not rc.side_file(project.path).exists()
    assert parse_target("coding:12") == ("coding", 12)
    assert parse_target(" project ") == ("project", None)
    for bad in ("coding", "coding:x", "memo:3", "project:4", "node:-1"):
        with pytest.raises(InvalidInput):
            parse_target(bad)


@pytest.mark.parametrize("content", [b"not a database at all, just some words" * 10,
                                     b"SQLite format 3\x00" + b"\x00" * 200])
def test_damaged_side_file_is_reported_and_kept(project: Project, content: bytes) -> None:
    side = rc.side_file(project.path)
    side.write_bytes(content)
    with pytest.raises(ProjectError, match=r"project\.qda\.review .*cannot be read"):
        rc.list_comments(project.path)
    with pytest.raises(ProjectError, match=r"project\.qda\.review .*cannot be read"):
        rc.add_comment(project, "Hello", "project")
    assert side.read_bytes() == content


def test_an_empty_side_file_holds_nothing_and_is_started(project: Project) -> None:
    """Empty: another writer is creating it this moment, or a first write failed; nothing to lose."""
    side = rc.side_file(project.path)
    side.write_bytes(b"")
    assert rc.list_comments(project.path) == []
    rc.add_comment(project, "Hello", "project", author="Dr Lee")
    assert [c.text for c in rc.list_comments(project.path)] == ["Hello"]


def test_some_other_sqlite_file_is_not_taken_over(project: Project) -> None:
    import sqlite3

    side = rc.side_file(project.path)
    with sqlite3.connect(side) as conn:
        conn.execute("CREATE TABLE notes (x)")
    conn.close()
    before = side.read_bytes()
    with pytest.raises(ProjectError, match="not a qdaapp review-comments file"):
        rc.add_comment(project, "Hello", "project")
    assert side.read_bytes() == before


def _simulate_read_only_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permission bits do not stop root (these tests may run as root): answer as a read-only folder would."""
    real = os.access

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path).resolve() == folder.resolve():
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_unwritable_folder_names_the_file(project_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Project.open(project_path) as p:
        p.checkpoint("TRUNCATE")
    _simulate_read_only_folder(project_path.parent, monkeypatch)
    with Project.open(project_path, coder="Dr Lee", read_only=True) as ro:
        with pytest.raises(ProjectError, match=r"folder .* is read-only, so project\.qda\.review cannot be written"):
            rc.add_comment(ro, "Hello", "project")
        assert rc.list_comments(project_path) == []
    assert not rc.side_file(project_path).exists()


def test_existing_side_file_in_an_unwritable_folder(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    rc.add_comment(project, "First", "project", author="Dr Lee")
    before = rc.side_file(project.path).read_bytes()
    _simulate_read_only_folder(project.path.parent, monkeypatch)
    with pytest.raises(ProjectError, match=r"project\.qda\.review in .* is read-only"):
        rc.add_comment(project, "Second", "project")
    assert rc.side_file(project.path).read_bytes() == before
    assert [c.text for c in rc.list_comments(project.path)] == ["First"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="permission bits do not stop root; the test above simulates the folder")
def test_a_really_unwritable_folder(project_path: Path) -> None:
    folder = project_path.parent
    with Project.open(project_path) as p:
        p.checkpoint("TRUNCATE")
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        with Project.open(project_path, coder="Dr Lee", read_only=True) as ro:
            with pytest.raises(ProjectError, match=r"project\.qda\.review cannot be written"):
                rc.add_comment(ro, "Hello", "project")
    finally:
        os.chmod(folder, stat.S_IRWXU)
    assert not rc.side_file(project_path).exists()


def test_two_writers_at_once_lose_nothing(project: Project) -> None:
    """A supervisor on the command line while the student answers in the app: both are kept."""
    from concurrent.futures import ThreadPoolExecutor

    first = rc.add_comment(project, "Start", "project", author="Dr Lee")

    def write(who: str) -> int:
        for n in range(15):
            rc.reply(project.path, first.id, f"{who} {n}", author=who)
        return 15

    with ThreadPoolExecutor(2) as pool:
        done = [pool.submit(write, who) for who in ("Ana", "Dr Lee")]
        assert [f.result() for f in done] == [15, 15]  # result() raises what a writer raised
    (kept,) = rc.list_comments(project.path)
    assert sorted(r.text for r in kept.replies) == sorted(f"{w} {n}" for w in ("Ana", "Dr Lee") for n in range(15))
