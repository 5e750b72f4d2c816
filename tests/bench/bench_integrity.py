"""Benchmark: what the damage checks cost on a study of one million words and 20,000 codings.

Run:  python tests/bench/bench_integrity.py [--words 1000000] [--other /path/to/another/checkout]

Prints, for a file this machine did not close (a copy: every open checks it), beside a bare
SQLite count measured in the same run:

* the open's quick check (``Project.open(read_only=True)``);
* the full check (``Project.check_integrity``: integrity_check and a read of every value),
  which the app runs on a worker after open and a write command runs before changing a file
  it has not seen as it is;
* ``qdaapp memo add`` as a whole process, on a copy (full check first) and on a file this
  machine closed (no full check); with ``--other``, the same command run from another checkout
  (e.g. the main branch) on the same files, for a before/after in one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_import_open import bench_open, corpus_text  # noqa: E402


def timed(fn) -> float:  # noqa: ANN001
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def cli_memo(root: Path, path: Path, home: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(root), "QDAAPP_HOME": str(home)}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qdaapp", "memo", "add", str(path), "a memo"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--other", type=Path, help="another checkout to time the same CLI command with")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-integrity-"))
    home = tmp / "home"
    os.environ["QDAAPP_HOME"] = str(home)
    from qdaapp.core.project import Project

    bench_open(tmp, corpus_text(args.words))  # builds tmp/study.qda, closed cleanly
    study = tmp / "study.qda"
    size = study.stat().st_size / 1e6

    def copy(name: str) -> Path:
        target = tmp / name
        shutil.copy(study, target)  # another inode: never seen here, so every open checks it
        return target

    def bare() -> None:
        con = sqlite3.connect(study)
        con.execute("select count(*) from codings").fetchone()
        con.close()

    base = timed(bare)
    quick = timed(lambda: Project.open(copy("quick.qda"), read_only=True).close())
    p = Project.open(copy("full.qda"), read_only=True)
    full = timed(p.check_integrity)
    p.close()
    rows = [("bare sqlite count (baseline)", base), ("open: quick check of a copy", quick),
            ("full check (integrity_check + every value)", full)]
    for label, root in (("this checkout", ROOT), ("other", args.other)):
        if root is None:
            continue
        rows.append((f"memo add on a copy ({label})", cli_memo(root, copy(f"cli-{label[:5]}.qda"), home)))
        closed = copy(f"closed-{label[:5]}.qda")
        Project.open(closed).close()  # closed here: trusted by its stamp
        rows.append((f"memo add on a file closed here ({label})", cli_memo(root, closed, home)))
    print(f"study: {args.words:,} words, 20,000 codings, {size:.0f} MB")
    for label, seconds in rows:
        print(f"{label:<50} {seconds:8.3f} s")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
