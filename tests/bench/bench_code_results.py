"""Benchmark: code every hit of "have to" from the Search panel, in the app, over one million words.

Run:  QT_QPA_PLATFORM=offscreen python tests/bench/bench_code_results.py [--project FILE] [--profile OUT]

Builds a project of about one million words as 140 interview transcripts (the
fixture transcripts repeated, each copy a source of its own), indexes it, opens
it in the main window with the source that has the most hits open, and runs
the search '"have to"'. It then measures what the user waits for after the
"Code results…" dialog's OK (only the hit, at an existing node): from the
action to the end of the repaint of the open document and the Nodes panel
(events processed until those have been idle for 0.3 s; other paints, such
as the search box's blinking caret, do not count).

Printed beside it, measured in the same run:
  * baseline: a bare SQLite insert of the same coding rows, one transaction;
  * the core bulk command alone (one transaction with its audit events, no window),
    and the CLI doing the same as a whole process;
  * one Ctrl+Z of the bulk coding in the app (all of it), to the end of its repaint.

``--project FILE`` keeps the built project in FILE (and reuses it when it
exists), so repeated runs skip the build; every run works on a copy.
``--profile OUT`` writes a cProfile of the timed action to OUT.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QDAAPP_CODER"] = "bench"
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT.parent / "shared" / "fixtures" / "transcripts" / "txt"
if not FIXTURES.is_dir():
    FIXTURES = Path("/work/shared/fixtures/transcripts/txt")

QUERY = '"have to"'
SOURCES = 140
NODE = "Obligation"


def build_project(path: Path) -> None:
    """140 transcripts (the fixtures, repeated), keyword- and sentence-indexed, and one node."""
    from qdaapp.core import indexing, nodes, sources
    from qdaapp.core.project import Project

    originals = sorted(FIXTURES.glob("*.txt"))
    with tempfile.TemporaryDirectory() as d:
        files = []
        for k in range(SOURCES):
            src = originals[k % len(originals)]
            f = Path(d) / f"{src.stem}_{k // len(originals) + 1:02}.txt"
            f.write_text(f"[copy {k}]\n" + src.read_text(encoding="utf-8"), encoding="utf-8")
            files.append(f)
        project = Project.create(path, coder="bench")
        docs, failures = sources.read_files(files)
        assert not failures, failures
        project.run(sources.import_documents, docs)
        print(f"built: {sum(doc.words for doc in docs):,} words in {len(docs)} sources; indexing…", flush=True)
        indexing.index_sources(project)
        project.run(nodes.create_node, NODE, free=True, created_by="bench")
        project.close()


def bare_sqlite_insert(rows: list[tuple[int, int, int, int]]) -> float:
    """The same coding rows inserted with sqlite3 alone, one transaction, in a file like the project's."""
    with tempfile.TemporaryDirectory() as d:
        conn = sqlite3.connect(Path(d) / "bare.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE codings (id INTEGER PRIMARY KEY, source_id INT, node_id INT, start INT, "
                     '"end" INT, coder TEXT, created_at TEXT, origin TEXT, '
                     'UNIQUE (source_id, node_id, start, "end", coder))')
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO codings (source_id, node_id, start, \"end\", coder, created_at, origin) "
                         "VALUES (?, ?, ?, ?, 'bench', '2026-01-01T00:00:00Z', 'search')", rows)
        conn.execute("COMMIT")
        elapsed = time.perf_counter() - t
        conn.close()
    return elapsed


class Idle:
    """Process events until the watched widgets have been idle a while; the time of their last paint is the end.

    Only the widgets that show the result count (the open document, the Nodes
    panel): the blinking caret of the search box repaints its row every half
    second whatever the app does. Nothing watched: every paint counts."""

    def __init__(self, app) -> None:
        from PySide6.QtCore import QEvent, QObject

        outer = self

        class Watch(QObject):
            def eventFilter(self, obj, event) -> bool:
                if event.type() == QEvent.Type.Paint and (not outer.watched or any(
                        w is obj or w.isAncestorOf(obj) for w in outer.watched)):
                    outer.painted = True
                return False

        self.app = app
        self.painted = False
        self.watched: list = []
        self.watch = Watch()
        app.installEventFilter(self.watch)

    def settle(self, busy=lambda: False, quiet: float = 0.3) -> float:
        """Run the event loop until ``busy()`` is false and nothing painted for ``quiet`` s; returns the end time."""
        last = time.perf_counter()
        while True:
            self.painted = False
            self.app.processEvents()
            now = time.perf_counter()
            if self.painted or busy():
                last = now
            elif now - last > quiet:
                return last
            time.sleep(0.0005)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", type=Path, help="keep (or reuse) the built project here")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the timed action here")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from qdaapp.core import coding, nodes, search, sources
    from qdaapp.core.project import Project
    from qdaapp.gui.app import configure_application
    from qdaapp.gui.main_window import MainWindow
    from qdaapp.gui.search.code_results import CodePlan

    tmp = Path(tempfile.mkdtemp(prefix="bench-code-results-"))
    os.environ["QDAAPP_HOME"] = str(tmp / "home")
    built = args.project or tmp / "built.qda"
    if not built.exists():
        t = time.perf_counter()
        partial = built.with_name(built.name + ".part")
        partial.unlink(missing_ok=True)
        build_project(partial)
        partial.rename(built)
        print(f"project built in {time.perf_counter() - t:.0f} s")

    app = QApplication.instance() or QApplication(sys.argv)
    configure_application(app)
    idle = Idle(app)

    def fresh(k: int) -> Path:
        path = tmp / f"run{k}.qda"
        shutil.copyfile(built, path)
        return path

    # The core command alone, and the same rows through bare sqlite3.
    project = Project.open(fresh(0))
    with project.read_session() as s:
        hits = search.keyword_search(s, QUERY, context=0)
        node_id = nodes.resolve(s, NODE).id
        words = sum(info.words for info in sources.list_sources(s))
    rows = list(dict.fromkeys((h.source_id, node_id, h.start, h.end) for h in hits))
    base = statistics.median(bare_sqlite_insert(rows) for _ in range(5))
    t = time.perf_counter()
    project.run(coding.code_passages, [(h.source_id, h.start, h.end) for h in hits], node_id, "bench", origin="search")
    core_time = time.perf_counter() - t
    project.close()
    t = time.perf_counter()
    cli = subprocess.run([sys.executable, "-m", "qdaapp", "search", str(fresh(99)), QUERY, "--code", NODE,
                          "--spread", "hit", "--coder", "bench"], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    cli_time = time.perf_counter() - t
    assert f"coded {len(rows)} passage(s)" in cli.stderr, cli.stderr
    print(f"corpus: {words:,} words in {SOURCES} sources; {QUERY}: {len(hits):,} hits, {len(rows):,} passages")

    times, undo_times = [], []
    for k in range(1, args.runs + 1):
        settings = QSettings(str(tmp / f"settings{k}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.resize(1440, 900)
        window.show()
        window.open_project(str(fresh(k)))
        indexer = window.analysis.indexer
        idle.settle(indexer.is_running)
        busiest = max({h.source_id for h in hits}, key=lambda sid: sum(h.source_id == sid for h in hits))
        window.open_source(busiest)
        window.analysis.show_search()
        panel = window.analysis.search
        panel.run_search(QUERY)
        assert panel.model.rowCount() == len(hits), (panel.model.rowCount(), len(hits))
        idle.settle()
        view = window.documents.view(busiest)
        before = len(view.spans())
        plan = CodePlan("hit", node_id, "", selected_only=False)
        idle.watched = [view, window.nodes_panel]

        profiler = None
        if args.profile and k == 1:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        t0 = time.perf_counter()
        panel.code_results(plan)
        end = idle.settle(lambda panel=panel: panel.job is not None)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(args.profile))
        times.append(end - t0)
        item = window.nodes_panel.model.node(node_id)
        shown = len(view.spans()) - before
        assert shown == sum(h.source_id == busiest for h in hits), shown
        assert item.count == len(rows), (item.count, len(rows))

        t0 = time.perf_counter()
        window.project.undo()
        end = idle.settle()
        undo_times.append(end - t0)
        assert len(view.spans()) == before and window.nodes_panel.model.node(node_id).count == 0, "one undo, all gone"
        idle.watched = []
        window.close()
        window.deleteLater()
        idle.settle(quiet=0.05)

    app_time = statistics.median(times)
    print(f'"Code results…" of {len(hits):,} hits (only the hit) in the app, OK to the end of the repaint of the '
          f"open document ({shown} new codings shown) and node counts: {app_time * 1000:.0f} ms "
          f"(runs {', '.join(f'{t * 1000:.0f}' for t in times)}; target <= 300 ms)")
    print(f"baseline, bare SQLite insert of the same {len(rows):,} rows in one transaction: {base * 1000:.1f} ms; "
          f"ratio {app_time / base:.0f}x")
    print(f"the core bulk command alone (one transaction, {len(rows):,} codings with their audit events): "
          f"{core_time * 1000:.0f} ms; the CLI doing the same (qdaapp search --code, a whole process): "
          f"{cli_time * 1000:.0f} ms")
    print(f"Ctrl+Z of the bulk coding in the app, to the end of its repaint: "
          f"{statistics.median(undo_times) * 1000:.0f} ms")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
