"""The project lock is exclusive under any interleaving of processes, and says who holds it."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from qdaapp.core import lock as lock_mod
from qdaapp.core.errors import ProjectInUse
from qdaapp.core.lock import ProjectLock

PROCESSES = 8
ROUNDS = 50


def _worker(project: str, rounds: int) -> int:
    """Take the lock ``rounds`` times; inside it, prove nobody else is inside and bump a counter."""
    project_path = Path(project)
    inside = Path(f"{project}.inside")
    counter = Path(f"{project}.counter")
    overlaps = 0
    done = 0
    while done < rounds:
        lock = ProjectLock(project_path)
        try:
            lock.acquire()
        except ProjectInUse:
            continue
        try:
            try:
                fd = os.open(inside, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                overlaps += 1
                fd = None
            value = int(counter.read_text() or "0")
            os.sched_yield()
            counter.write_text(str(value + 1))
            if fd is not None:
                os.close(fd)
                inside.unlink()
        finally:
            lock.release()
        done += 1
    return overlaps


def test_lock_is_exclusive_across_many_processes(tmp_path: Path) -> None:
    project = tmp_path / "study.qda"
    Path(f"{project}.counter").write_text("0")
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(PROCESSES) as pool:
        overlaps = pool.starmap(_worker, [(str(project), ROUNDS)] * PROCESSES)
    assert sum(overlaps) == 0
    assert int(Path(f"{project}.counter").read_text()) == PROCESSES * ROUNDS


def test_released_lock_leaves_no_file_and_can_be_taken_again(tmp_path: Path) -> None:
    project = tmp_path / "study.qda"
    first = ProjectLock(project)
    first.acquire()
    with pytest.raises(ProjectInUse):
        ProjectLock(project).acquire()
    first.release()
    assert not Path(f"{project}.lock").exists()
    again = ProjectLock(project)
    again.acquire()
    again.release()


def _hold_as_cli(project: str, ready, stop) -> None:
    lock_mod.set_holder("cli", "code")
    held = ProjectLock(Path(project))
    held.acquire()
    ready.set()
    stop.wait(30)
    held.release()


def test_a_cli_holder_is_named_as_a_qdaapp_process(tmp_path: Path) -> None:
    project = tmp_path / "study.qda"
    ctx = multiprocessing.get_context("fork")
    ready, stop = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_as_cli, args=(str(project), ready, stop))
    proc.start()
    try:
        assert ready.wait(30)
        info = json.loads(Path(f"{project}.lock").read_text())
        assert info["kind"] == "cli" and info["pid"] == proc.pid
        with pytest.raises(ProjectInUse) as caught:
            ProjectLock(project).acquire()
    finally:
        stop.set()
        proc.join(30)
    message = str(caught.value)
    assert "another qdaapp process (qdaapp CLI command 'qdaapp code'" in message
    assert "window" not in message


def test_a_window_holder_is_named_as_a_window(tmp_path: Path) -> None:
    project = tmp_path / "study.qda"
    held = ProjectLock(project)
    held.acquire()
    try:
        with pytest.raises(ProjectInUse, match="open in another qdaapp window by"):
            ProjectLock(project).acquire()
    finally:
        held.release()
