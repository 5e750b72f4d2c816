"""Benchmark: the figures of a whole study (issue 14), each as a whole process beside a same-run baseline.

Run:  python tests/bench/bench_study.py [--words 10000000] [--out /tmp/bench-study] [--reuse]
                                        [--skip-pathological] [--profile]

Builds (or reuses, see ``corpus.py``) N words of distinct transcripts, then
runs each figure as its own process and prints a table: figure, measured
time, peak memory of that process, target, and a baseline measured in the
same run on the same texts (reading the same bytes; a raw ``re.finditer``; a
bare SQLite count; an empty interpreter). The machine may be busy, so compare
each figure with its baseline rather than with another day's run.

* CLI rows run ``python -m qdaapp ...`` (import, index, search, markers,
  sources); peak memory is the child's own ``ru_maxrss`` from ``os.wait4``,
  or, where the step runs worker processes (index), the sampled peak of the
  whole process tree's resident memory, with its largest process beside it.
  Each markers step stores one more run in the project, as the command does.
* App rows open the project in the real main window offscreen and time the
  sources tree, then (once the background work opening started is done) show
  the Search panel and time the first and a later keyword query, then show
  the Marker review panel (it reads the newest marker run when it first
  shows, on a worker: timed until the queue is shown, with the longest
  event-loop step meanwhile) and time scrolling the tree, the results and
  the review queue; then close the project and time opening it again.
* With ``--words 1000000`` the rows of the 1M table are added (the import
  call in-process, the keyword and lemma indexes apart).
* The pathological files (a 90 MB transcript without line breaks, a
  200,000-paragraph .docx) are imported and indexed in projects of their own.

``--reuse`` keeps an already built and indexed project (the import and index
rows are then left out) and ``--only search,app`` runs some steps; a step that fails prints its error and the table
goes on. ``--profile`` also runs each CLI step under cProfile and prints its
top functions (slower; the timed rows are measured without it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bench"))

import corpus  # noqa: E402

PHRASE = '"have to"'
PHRASE_RE = re.compile(r"\bhave\s+to\b", re.IGNORECASE)
WORD_RE = re.compile(r"\w+")
TIMEOUT = 3600
STEPS = ("import", "index", "search", "markers", "sources", "app", "pathological")


@dataclass
class Row:
    figure: str
    measured: str = "-"
    peak_mb: str = "-"
    target: str = ""
    baseline: str = ""
    note: str = ""


@dataclass
class Run:
    seconds: float
    peak_mb: float
    code: int
    out: str
    err: str
    tree_mb: float = 0.0  # the peak of the whole process tree's resident memory (sampled)

    @property
    def peak(self) -> str:
        """The peak column: the whole tree's when the step ran other processes beside its own."""
        if self.tree_mb > self.peak_mb * 1.05:
            return f"{self.tree_mb:.0f} (largest process {self.peak_mb:.0f})"
        return f"{self.peak_mb:.0f}"


@dataclass
class Bench:
    words: int
    out: Path
    texts: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    profile: bool = False

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {row.figure}: {row.measured}, peak {row.peak_mb} MB (target {row.target}); baseline {row.baseline}"
              + (f"  [{row.note}]" if row.note else ""), flush=True)

    def step(self, figure: str, fn: Callable[[], Row | list[Row] | None]) -> None:
        """Run one figure; a failure becomes a row with its error and the table goes on."""
        print(f"- {figure} ...", flush=True)
        try:
            made = fn()
        except Exception as exc:  # the table must go on whatever one step does
            traceback.print_exc()
            self.add(Row(figure, "FAILED", note=f"{type(exc).__name__}: {str(exc).strip()[-300:]}"))
            return
        for row in made if isinstance(made, list) else [made] if made else []:
            self.add(row)


# The child is started by a small launcher process: a process forked from this one (which holds
# the corpus texts) would report this process's memory as its own peak (ru_maxrss counts the
# pages it shares before exec), so the launcher, itself small, starts it and reports wait4's figures.
# wait4's ru_maxrss is the largest of the child and the processes it waited for, not their sum: a step
# that analyses in worker processes (index) would look as small as its largest process. So the launcher
# also samples the resident memory of the child's whole process tree (Linux /proc; 0 elsewhere).
LAUNCHER = r"""
import json, os, subprocess, sys, threading, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL)
tree_peak = [0]
def tree_kb(root):
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    children.setdefault(int(fh.read().rsplit(")", 1)[1].split()[1]), []).append(int(name))
            except (OSError, IndexError, ValueError):
                pass
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
        except OSError:
            pass
    return total
def sample():
    while proc.returncode is None and os.path.isdir("/proc"):
        tree_peak[0] = max(tree_peak[0], tree_kb(proc.pid))
        time.sleep(0.05)
threading.Thread(target=sample, daemon=True).start()
_pid, status, usage = os.wait4(proc.pid, 0)
proc.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as fh:
    json.dump({"seconds": time.perf_counter() - started, "peak_kb": usage.ru_maxrss, "code": proc.returncode,
               "tree_kb": max(tree_peak[0], usage.ru_maxrss)}, fh)
"""


def run_process(argv: list[str], env: dict | None = None, timeout: float = TIMEOUT) -> Run:
    """Run ``argv``; its wall time and the peak resident memory of that one process (``wait4``)."""
    with tempfile.TemporaryDirectory() as d:
        result, out_path, err_path = Path(d) / "result.json", Path(d) / "out", Path(d) / "err"
        with out_path.open("w") as out, err_path.open("w") as err:
            launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(result), *argv], stdout=out,
                                        stderr=err, env=env, stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                launcher.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, 9)  # the launcher's own group: it and the step it started
                launcher.wait()
        got = json.loads(result.read_text()) if result.exists() else {"seconds": timeout, "peak_kb": 0, "code": -9}
        return Run(got["seconds"], got["peak_kb"] / 1024, got["code"], out_path.read_text(), err_path.read_text(),
                   got.get("tree_kb", 0) / 1024)


def child_env(**extra: str) -> dict:
    """The children's environment. Compiled modules are cached (outside the tree), as in an
    installed app: without them every process would compile qdaapp's sources again."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QDAAPP_CODER="bench", **extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "qdaapp-bench-pycache"))
    env.setdefault("QDAAPP_HOME", str(Path(tempfile.gettempdir()) / "qdaapp-bench-home"))
    return env


def qdaapp(*args: str, check: bool = True) -> Run:
    """``python -m qdaapp ARGS`` as a whole process."""
    run = run_process([sys.executable, "-m", "qdaapp", *args], env=child_env())
    if check and run.code:
        raise RuntimeError(f"qdaapp {args[0]} exited {run.code}: {run.err.strip()[-800:]}")
    return run


def profiled(out: Path, label: str, *args: str, top: int = 25) -> None:
    """Run ``qdaapp ARGS`` under cProfile and print its top functions by cumulative and own time."""
    import pstats

    stats = out / f"profile-{label}.pstats"
    run = run_process([sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "qdaapp", *args], env=child_env())
    print(f"  profile of {label}: {run.seconds:.1f} s under cProfile, peak {run.peak_mb:.0f} MB, exit {run.code}; "
          f"{stats}")
    if stats.exists():
        for key in ("cumulative", "tottime"):
            pstats.Stats(str(stats)).sort_stats(key).print_stats(top)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def sec(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


# -- the steps ------------------------------------------------------------------------------------------

def project_path(bench: Bench) -> Path:
    return bench.out / f"study-{bench.words}.qda"


def interpreter_baseline(bench: Bench) -> Row:
    bare = run_process([sys.executable, "-c", "pass"])
    run_process([sys.executable, "-m", "qdaapp", "--help"], env=child_env())  # fills the compiled-module cache
    cli = run_process([sys.executable, "-m", "qdaapp", "--help"], env=child_env())
    return Row("(baseline) empty interpreter / qdaapp --help", f"{sec(bare.seconds)} / {sec(cli.seconds)}",
               f"{bare.peak_mb:.0f} / {cli.peak_mb:.0f}", "", "every CLI row includes the --help cost")


def import_cli(bench: Bench) -> Row:
    path = project_path(bench)
    for p in path.parent.glob(path.name + "*"):
        p.unlink()
    qdaapp("new", str(path))
    base, _ = timed(lambda: [f.read_bytes().decode("utf-8") for f in bench.files])
    run = qdaapp("import", str(path), *map(str, bench.files))
    target = "<= 5 s, <= 300 MB" if bench.words >= 5_000_000 else "(see import call)"
    return Row(f"import {len(bench.files):,} .txt files (CLI)", sec(run.seconds), f"{run.peak_mb:.0f}", target,
               f"read+decode the same bytes {sec(base)}")


IMPORT_CALL = r"""
import json, resource, sys, time
from pathlib import Path
from qdaapp.core import sources
from qdaapp.core.project import Project
path, files = Path(sys.argv[1]), sys.argv[2:]
p = Project.create(path, coder="bench")
t0 = time.perf_counter()
docs, failures = sources.read_files(files)
p.run(sources.import_documents, docs)
t1 = time.perf_counter()
p.close()
print(json.dumps({"seconds": t1 - t0, "words": sum(d.words for d in docs)}))
"""


def import_call(bench: Bench) -> Row:
    """The 1M-word row: the import call itself (read + one write transaction), without process start."""
    with tempfile.TemporaryDirectory(dir=bench.out) as d:
        run = run_process([sys.executable, "-c", IMPORT_CALL, str(Path(d) / "call.qda"), *map(str, bench.files)],
                          env=child_env())
        if run.code:
            raise RuntimeError(run.err.strip()[-800:])
        got = json.loads(run.out)
    base, _ = timed(lambda: [f.read_bytes().decode("utf-8") for f in bench.files])
    return Row(f"import call, {got['words']:,} words of .txt (read_files + import_documents)", sec(got["seconds"]),
               f"{run.peak_mb:.0f}", "<= 0.39 s (QualCoder); was 0.88 s", f"read+decode {sec(base)}")


SPLIT_INDEX = r"""
import json, sys, time
from qdaapp.core import indexing
from qdaapp.core.project import Project
p = Project.open(sys.argv[1], coder="bench")
t0 = time.perf_counter(); indexing.index_sources(p, nlp=False); t1 = time.perf_counter()
indexing.index_sources(p); t2 = time.perf_counter()
p.close()
print(json.dumps({"keyword": t1 - t0, "lemma": t2 - t1}))
"""


def index_cli(bench: Bench) -> list[Row]:
    path = project_path(bench)
    rows = []
    split_copy = None
    if bench.words <= 2_000_000:  # the 1M row splits keyword and lemma indexes: keep an unindexed copy
        split_copy = bench.out / f"split-{bench.words}.qda"
        shutil.copy(path, split_copy)
    if bench.profile:  # an unindexed copy for profile_steps
        shutil.copy(path, bench.out / "profile-index.qda")
    base, n = timed(lambda: sum(1 for t in bench.texts for _ in WORD_RE.finditer(t)))
    run = qdaapp("index", str(path))
    target = "<= 30 s, <= 300 MB, background + progress" if bench.words >= 5_000_000 else "<= 3 s (was 13 s)"
    rows.append(Row("build indexes (CLI)", sec(run.seconds), run.peak, target,
                    f"re.finditer(\\w+) over the texts: {n:,} words in {sec(base)}"))
    if split_copy is not None:
        split = run_process([sys.executable, "-c", SPLIT_INDEX, str(split_copy)], env=child_env())
        for p in split_copy.parent.glob(split_copy.name + "*"):
            p.unlink()
        if split.code:
            raise RuntimeError(split.err.strip()[-800:])
        got = json.loads(split.out)
        rows.append(Row("  keyword index / lemma index (in-process)", f"{sec(got['keyword'])} / {sec(got['lemma'])}",
                        split.peak, "<= 3 s together (was 2 s + 10 s)", ""))
    return rows


def search_cli(bench: Bench) -> Row:
    base, n = timed(lambda: sum(1 for t in bench.texts for _ in PHRASE_RE.finditer(t)))
    run = qdaapp("search", str(project_path(bench)), PHRASE)
    hits = re.search(r"(\d+) hit\(s\)", run.out)
    target = "<= 1 s, <= 300 MB" if bench.words >= 5_000_000 else ""
    return Row(f"qdaapp search {PHRASE} ({hits.group(1) if hits else '?'} hits), whole process", sec(run.seconds),
               f"{run.peak_mb:.0f}", target, f"re.finditer: {n:,} matches in {sec(base)}")


def markers_cli(bench: Bench) -> Row:
    from bench_markers import regex_for

    from qdaapp.core import lexicon
    from qdaapp.core.project import Project

    project = Project.open(project_path(bench), coder="bench", read_only=True)
    with project.read_session() as s:
        spec = lexicon.load(s)
    project.close()
    pattern = regex_for(spec)
    base, n = timed(lambda: sum(1 for t in bench.texts for _ in pattern.finditer(t)))
    run = qdaapp("markers", str(project_path(bench)))
    hits = re.search(r"run (\d+): (\d+) hit", run.out)
    target = "<= 8 s, <= 400 MB" if bench.words >= 5_000_000 else ""
    return Row(f"qdaapp markers, default lexicon ({hits.group(2) if hits else '?'} hits), whole process",
               sec(run.seconds), f"{run.peak_mb:.0f}", target,
               f"re.finditer over the same phrases: {n:,} matches in {sec(base)}")


def sources_cli(bench: Bench) -> Row:
    path = project_path(bench)

    def bare() -> int:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return con.execute("select count(*) from sources").fetchone()[0]
        finally:
            con.close()

    base, n = timed(bare)
    run = qdaapp("sources", str(path))
    target = "<= 0.3 s, <= 100 MB" if bench.words >= 5_000_000 else ""
    return Row(f"qdaapp sources (list {n:,} sources)", sec(run.seconds), f"{run.peak_mb:.0f}", target,
               f"bare sqlite3 connect + count {sec(base)}")


APP = r"""
import json, os, sys, time
t_start = time.perf_counter()
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from qdaapp.gui.app import configure_application
app = QApplication(sys.argv)
configure_application(app)
from qdaapp.gui.main_window import MainWindow
from qdaapp.gui.workers import running_jobs
settings = QSettings(os.path.join(sys.argv[2], "settings.ini"), QSettings.Format.IniFormat)
window = MainWindow(settings)
window.resize(1440, 900)
window.show()
app.processEvents()
t_window = time.perf_counter()

def rows(model):
    n, stack = 0, [model.item(r) for r in range(model.rowCount())]
    while stack:
        item = stack.pop()
        n += 1
        stack.extend(item.child(r) for r in range(item.rowCount()))
    return n

def shown_rows(view):
    # rows the view lays out (expanded ones), walking down from the first row
    n, index = 0, view.model().index(0, 0)
    while index.isValid():
        n += 1
        index = view.indexBelow(index)
    return n

t0 = time.perf_counter()
ok = window.open_project(sys.argv[1])
app.processEvents()
t_open = time.perf_counter() - t0
shown = rows(window.sources_panel.model)

def scroll(view, steps=40):
    bar = view.verticalScrollBar()
    worst, total = 0.0, 0.0
    for i in range(steps + 1):
        t = time.perf_counter()
        bar.setValue(bar.maximum() * i // steps)
        view.viewport().repaint()
        app.processEvents()
        d = time.perf_counter() - t
        worst, total = max(worst, d), total + d
    return worst, total / (steps + 1)

tree_scroll = scroll(window.sources_panel.view)
# Background work started by opening (reading the keyword index's passages) ends before the
# user has typed a query; how long it took is printed beside the query figures.
while running_jobs():
    app.processEvents()
    time.sleep(0.005)
t_warm = time.perf_counter() - t0
panel = window.analysis.search
t = time.perf_counter(); window.analysis.show_search(); app.processEvents(); show_search = time.perf_counter() - t
t = time.perf_counter(); hits = panel.run_search(sys.argv[3]); panel.table.viewport().repaint(); app.processEvents()
first = time.perf_counter() - t
t = time.perf_counter(); panel.run_search(sys.argv[3]); panel.table.viewport().repaint(); app.processEvents()
later = time.perf_counter() - t
results_scroll = scroll(panel.table)
review = window.analysis.review
t = time.perf_counter(); window.analysis.show_review(); app.processEvents()
review_shown = time.perf_counter() - t
review_block = review_shown  # the longest the window does not answer while the run is read and laid out
reading = getattr(review, "is_reading", lambda: False)
while reading():
    t1 = time.perf_counter()
    app.processEvents()
    review_block = max(review_block, time.perf_counter() - t1)
    time.sleep(0.001)
t1 = time.perf_counter(); review.tree.viewport().repaint(); app.processEvents()
review_block = max(review_block, time.perf_counter() - t1)
review_open = time.perf_counter() - t
review_rows = shown_rows(review.tree)
review_hits = review.model.counts()[1]
review_scroll = scroll(review.tree)
# Opened again after closing it: the common case (a file this app closed cleanly may be checked
# more cheaply than one seen for the first time).
window.close_project()
app.processEvents()
t = time.perf_counter(); window.open_project(sys.argv[1]); app.processEvents(); reopen = time.perf_counter() - t
print(json.dumps({"ok": ok, "window": t_window - t_start, "open": t_open, "reopen": reopen, "tree_rows": shown,
                  "warm": t_warm,
                  "show_search": show_search, "first": first, "later": later, "hits": len(hits or []),
                  "tree_scroll": tree_scroll, "results_scroll": results_scroll,
                  "review_open": review_open, "review_rows": review_rows, "review_block": review_block,
                  "review_hits": review_hits, "review_scroll": review_scroll}))
window.close()
os._exit(0)
"""


def app_rows(bench: Bench) -> list[Row]:
    path = project_path(bench)
    base, _ = timed(lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute(
        "select id, name from sources").fetchall())
    with tempfile.TemporaryDirectory() as home:
        run = run_process([sys.executable, "-c", APP, str(path), home, PHRASE],
                          env=child_env(QT_QPA_PLATFORM="offscreen", QDAAPP_HOME=home))
    if run.code:
        raise RuntimeError(run.err.strip()[-800:])
    got = json.loads(run.out.strip().splitlines()[-1])
    qbase, n = timed(lambda: sum(1 for t in bench.texts for _ in PHRASE_RE.finditer(t)))
    ts, rs, qs = got["tree_scroll"], got["results_scroll"], got["review_scroll"]
    return [
        Row(f"open the project in the app, sources tree shown ({got['tree_rows']:,} rows)", sec(got["open"]),
            f"{run.peak_mb:.0f}", "<= 0.5 s",
            f"bare sqlite3 select of the source names {sec(base)}; window before the project {sec(got['window'])}"),
        Row("  the same, opened again after closing it in the app", sec(got["reopen"]), "", "<= 0.5 s", ""),
        Row(f"first keyword query {PHRASE} after opening ({got['hits']:,} hits, app search panel)",
            sec(got["first"]), "", "<= 50 ms (was 651 ms)",
            f"re.finditer {n:,} matches in {sec(qbase)}; open to background work done {sec(got['warm'])}; "
            f"showing the panel {sec(got['show_search'])}"),
        Row("  a later keyword query (same)", sec(got["later"]), "", "(was 7 ms)", ""),
        Row(f"show the marker review panel ({got['review_hits']:,} hits, {got['review_rows']:,} rows laid out)",
            sec(got["review_open"]), "", "", f"the run is read when the panel first shows; longest the window "
            f"did not answer meanwhile {sec(got['review_block'])}"),
        Row("scroll the sources tree / search results / review queue, worst step of 40",
            f"{sec(ts[0])} / {sec(rs[0])} / {sec(qs[0])}", "", "no stutter (< 50 ms a step)",
            f"mean step {sec(ts[1])} / {sec(rs[1])} / {sec(qs[1])}"),
    ]


def pathological(bench: Bench, file: Path, label: str) -> list[Row]:
    path = bench.out / f"patho-{file.stem}.qda"
    for p in path.parent.glob(path.name + "*"):
        p.unlink()
    qdaapp("new", str(path))
    base, _ = timed(file.read_bytes)
    imp = qdaapp("import", str(path), str(file))
    idx = qdaapp("index", str(path))
    if bench.profile:
        shutil.copy(path, bench.out / f"profile-patho-{file.stem}.qda")
    return [Row(f"{label}: import (CLI)", sec(imp.seconds), f"{imp.peak_mb:.0f}", "", f"read the bytes {sec(base)}"),
            Row(f"{label}: build indexes (CLI)", sec(idx.seconds), idx.peak, "<= 30 s, <= 500 MB",
                "was 105 s / 3.9 GB (txt), 56 s / 1.9 GB (docx)")]


def profile_steps(bench: Bench, want: set[str]) -> None:
    """cProfile the chosen CLI steps (index on an unindexed copy kept by the index step)."""
    path = str(project_path(bench))
    steps = [("search", ("search", path, PHRASE)), ("markers", ("markers", path)), ("sources", ("sources", path))]
    copy = bench.out / "profile-index.qda"
    if copy.exists():
        steps.insert(0, ("index", ("index", str(copy))))
    for label, args in steps:
        if label not in want:
            continue
        bench.step(f"profile {label}", lambda a=args, lb=label: profiled(bench.out, lb, *a))


def print_table(rows: list[Row], words: int) -> None:
    head = ("figure", "measured", "peak MB", "target", "baseline (same run)")
    cells = [head] + [(r.figure, r.measured, r.peak_mb, r.target, r.baseline + (f" [{r.note}]" if r.note else ""))
                      for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    print(f"\n=== {words:,} words ===")
    for c in cells:
        print("  ".join(c[i].ljust(widths[i]) for i in range(4)) + "  " + c[4])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--words", type=int, default=10_000_000)
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "qdaapp-bench-study")
    ap.add_argument("--reuse", action="store_true", help="keep an already built and indexed project")
    ap.add_argument("--skip-pathological", action="store_true")
    ap.add_argument("--skip-app", action="store_true")
    ap.add_argument("--only", help=f"comma-separated steps to run: {','.join(STEPS)} (default all)")
    ap.add_argument("--profile", action="store_true", help="also cProfile search, markers and sources")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    bench = Bench(args.words, args.out, profile=args.profile)
    bench.files = corpus.build_transcripts(args.out, args.words)
    bench.texts = [f.read_text(encoding="utf-8") for f in bench.files]
    print(f"corpus: {len(bench.files):,} transcripts, {sum(len(t.split()) for t in bench.texts):,} words; "
          f"project {project_path(bench)}", flush=True)

    want = set(args.only.split(",")) if args.only else set(STEPS)
    if want - set(STEPS):
        raise SystemExit(f"--only: unknown step(s) {', '.join(sorted(want - set(STEPS)))}; use {', '.join(STEPS)}")
    if args.reuse and project_path(bench).exists():
        want -= {"import", "index"}
    if args.skip_pathological:
        want.discard("pathological")
    if args.skip_app:
        want.discard("app")
    bench.step("interpreter", lambda: interpreter_baseline(bench))
    if "import" in want:
        bench.step("import", lambda: import_cli(bench))
        if args.words <= 2_000_000:
            bench.step("import call", lambda: import_call(bench))
    if "index" in want:
        bench.step("index", lambda: index_cli(bench))
    for name, fn in (("search", search_cli), ("markers", markers_cli), ("sources", sources_cli), ("app", app_rows)):
        if name in want:
            bench.step(name, lambda f=fn: f(bench))
    if "pathological" in want:
        bench.step("90 MB no breaks", lambda: pathological(bench, corpus.build_no_breaks(args.out),
                                                            "90 MB .txt, no line breaks"))
        bench.step("200k-paragraph docx", lambda: pathological(bench, corpus.build_paragraphs_docx(args.out),
                                                                "200,000-paragraph .docx"))
    print_table(bench.rows, args.words)
    (args.out / f"results-{args.words}.json").write_text(json.dumps([r.__dict__ for r in bench.rows], indent=1))
    if args.profile:
        profile_steps(bench, want)


if __name__ == "__main__":
    main()
