"""Benchmark: what keeping acknowledged work in the project file costs.

Run:  python tests/bench/bench_durability.py [commands]

Prints, in one run and on one file:

* the time per command (creating a node) with the acknowledged head recorded after each commit,
  beside the same commands with the record switched off (the baseline);
* a passive checkpoint after a burst of commands (what the app does when idle), and the
  truncating one on close;
* saving a checked copy of a study of about 200 interviews, beside a plain file copy of it.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qdaapp.core import durability, nodes, sources  # noqa: E402
from qdaapp.core.project import Project  # noqa: E402


def per_command(project: Project, n: int, prefix: str) -> float:
    start = time.perf_counter()
    for i in range(n):
        project.run(nodes.create_node, f"{prefix}/{i}")
    return (time.perf_counter() - start) / n * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["QDAAPP_HOME"] = str(Path(tmp) / "home")
        path = Path(tmp) / "bench.qda"
        project = Project.create(path, coder="bench")
        per_command(project, 20, "warm")
        real = durability.HeadRecord.write
        with_record, without = [], []
        for round_ in range(3):
            with_record.append(per_command(project, n, f"with{round_}"))
            durability.HeadRecord.write = lambda *a, **k: True  # type: ignore[method-assign]
            without.append(per_command(project, n, f"without{round_}"))
            durability.HeadRecord.write = real  # type: ignore[method-assign]
        print(f"per command, head recorded:     {statistics.median(with_record):.3f} ms (median of 3 x {n})")
        print(f"per command, baseline (no record): {statistics.median(without):.3f} ms")
        wal = Path(f"{path}-wal")
        print(f"-wal before the idle checkpoint: {wal.stat().st_size / 1024:.0f} KB")
        start = time.perf_counter()
        done = project.checkpoint("PASSIVE")
        print(f"idle checkpoint (PASSIVE): {(time.perf_counter() - start) * 1000:.1f} ms, complete={done}")
        per_command(project, 50, "burst")
        start = time.perf_counter()
        project.close()
        print(f"close with TRUNCATE checkpoint: {(time.perf_counter() - start) * 1000:.1f} ms; "
              f"-wal left: {wal.stat().st_size if wal.exists() else 0} bytes")

        big = Path(tmp) / "study.qda"
        study = Project.create(big, coder="bench")
        words = ("the nurse said we had to do it because the GP asked and nobody knew how to measure "
                 "whether the referral system worked at all ").split()
        folder = Path(tmp) / "interviews"
        folder.mkdir()
        files = []
        for i in range(200):
            files.append(folder / f"Interview {i}.txt")
            files[-1].write_text(" ".join(words[(i + j) % len(words)] for j in range(6000)) + f" {i}\n",
                                 encoding="utf-8")
        study.run(sources.import_documents, sources.stream_files(files, []), language="en")
        study.checkpoint("TRUNCATE")
        size = big.stat().st_size
        target = Path(tmp) / "copy.qda"
        start = time.perf_counter()
        study.save_copy(target)
        copy_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        shutil.copyfile(big, Path(tmp) / "plain.qda")
        plain_ms = (time.perf_counter() - start) * 1000
        study.close()
        print(f"save a checked copy of {size / 1_048_576:.1f} MB: {copy_ms:.0f} ms "
              f"(baseline, plain file copy: {plain_ms:.0f} ms)")


if __name__ == "__main__":
    main()
