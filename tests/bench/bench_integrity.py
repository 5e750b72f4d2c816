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
  (e.g. the main branch) on the same files, for a before/after in one run (alternated, best of three).
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

from tests.bench import bench_import_open  # noqa: E402
from tests.bench.bench_import_open import corpus_text  # noqa: E402


def build_study(tmp: Path, text: str) -> Path:
    """100 sources of the corpus and 20,000 codings (written in bulk: this measures the file, not
    the audit trail), closed cleanly."""
    return bench_import_open.build_study(tmp, text, through_commands=False)


def timed(fn) -> float:
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

    study = build_study(tmp, corpus_text(args.words))
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
    roots = [("this checkout", ROOT)] + ([("other", args.other)] if args.other else [])
    best: dict[str, float] = {}
    for attempt in range(3):  # alternated, best of three: the machine may be busy
        for label, root in roots:
            key = f"memo add on a copy ({label})"
            best[key] = min(best.get(key, 1e9), cli_memo(root, copy(f"cli-{attempt}-{label[:5]}.qda"), home))
            closed = copy(f"closed-{attempt}-{label[:5]}.qda")
            Project.open(closed).close()  # closed here: trusted by its stamp
            key = f"memo add on a file closed here ({label})"
            best[key] = min(best.get(key, 1e9), cli_memo(root, closed, home))
    rows += sorted(best.items())
    print(f"study: {args.words:,} words, 20,000 codings, {size:.0f} MB")
    for label, seconds in rows:
        print(f"{label:<50} {seconds:8.3f} s")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
