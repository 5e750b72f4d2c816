"""Crash test: kill a process that is coding in bursts (SIGKILL), many times, then check the project.

Run:  python tests/bench/crash_test.py [KILLS]   (default 50)

Each round starts a process that codes one passage after another and prints
each coding's id as soon as its command returns; the process is killed at a
random moment. Afterwards the project must pass PRAGMA integrity_check, its
audit chain must verify, and every coding whose command returned must be there.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from qdaapp.core import coding
    from qdaapp.core.project import Project
    p = Project.open({path!r}, coder="crash")
    i = p.summary()["codings"]  # continue where the killed process stopped: every span is new
    while True:
        cid = p.run(coding.code, {source!r}, i % 150, i % 150 + 3 + i // 150, {node!r}, "crash")
        print(cid, flush=True)
        i += 1
""")


def crash_run(project_path: Path, source: str, node: str, kills: int, seed: int = 7) -> tuple[list[int], set[int]]:
    """Kill a coding process ``kills`` times; return (ids whose command returned, ids present)."""
    sys.path.insert(0, str(ROOT))
    from qdaapp.core import coding
    from qdaapp.core.project import Project

    rng = random.Random(seed)
    returned: list[int] = []
    script = CODER.format(root=str(ROOT), path=str(project_path), source=source, node=node)
    for _ in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + rng.uniform(0.6, 1.6)
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.strip().isdigit():
                returned.append(int(line))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        returned.extend(int(x) for x in proc.stdout.read().split() if x.isdigit())
    p = Project.open(project_path)
    try:
        with p.engine.connect() as conn:
            integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
        if integrity != "ok":
            raise AssertionError(f"integrity check failed: {integrity}")
        result = p.verify_audit()
        if not result.ok:
            raise AssertionError(result.message())
        with p.read_session() as s:
            present = {c.id for c in coding.list_codings(s)}
    finally:
        p.close()
    return returned, present


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from qdaapp.core import nodes, sources
    from qdaapp.core.project import Project

    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        (folder / "a.txt").write_text("We had to do it and we were able to. " * 200, encoding="utf-8")
        p = Project.create(folder / "crash.qda", coder="crash")
        docs, _ = sources.read_files([folder / "a.txt"])
        p.run(sources.import_documents, docs)
        p.run(nodes.create_node, "Trust", free=True)
        p.close()
        t = time.perf_counter()
        returned, present = crash_run(folder / "crash.qda", "a.txt", "Trust", kills)
        missing = set(returned) - present
        print(f"{kills} SIGKILLs in {time.perf_counter() - t:.0f} s: {len(returned)} commands returned, "
              f"{len(present)} codings present, {len(missing)} returned but missing; integrity ok; audit chain ok")
        if missing:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
