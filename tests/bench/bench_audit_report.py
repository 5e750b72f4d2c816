"""Benchmark: the audit report of a study with 20,000 codings and 100,000 events.

Run:  python tests/bench/bench_audit_report.py [--events 100000] [--words 300000] [--no-libreoffice]

Builds the study of bench_import_open (100 sources, 20,000 codings made by the
bulk coding command), adds three accounts with quoted fragments, then fills the
audit trail to 100,000 events with bench_audit's event writer (codings, node
renames, memo edits by three coders). Prints the time to collect the report
and to write it as Word, HTML and PDF (Qt's writer, and LibreOffice's
conversion of the Word file when ``soffice`` is installed), with the file sizes
and page counts, beside a bare SQLite count of the events in the same run.

Target: each written in at most 10 s (the PDF through LibreOffice is reported as measured).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_audit import fill_events  # noqa: E402
from tests.bench.bench_import_open import build_study, corpus_text  # noqa: E402


def add_accounts(p, n_accounts: int = 3, per_account: int = 8) -> None:
    from qdaapp.core import narrative

    acts = ("manipulation", "commitment", "competence", "performance", "sanction")
    for a in range(n_accounts):
        acc = p.run(narrative.create_account, f"Account {a}", description="built for the benchmark")
        prev = None
        for i in range(per_account):
            start = 500 + 300 * i
            prev = p.run(narrative.add_fragment, acc, f"Step {i} of account {a}", act=acts[i % len(acts)],
                         passages=[(f"interview_{(a * 7 + i) % 100:03}.txt", start, start + 180)],
                         **({"after": prev} if prev else {}))


def build(tmp: Path, events: int, words: int) -> Path:
    from qdaapp.core.nodes import list_nodes
    from qdaapp.core.project import Project

    path = build_study(tmp, corpus_text(words))
    p = Project.open(path, coder="ana")
    add_accounts(p)
    with p.read_session() as s:
        node_ids = [n.id for n in list_nodes(s)]
    n = p.summary()["events"]
    fill_events(p, events - n, 1, node_ids)
    p.close()
    return path


def timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    value = fn()
    return time.perf_counter() - t, value


def pages(path: Path) -> str:
    data = path.read_bytes()
    counts = [int(x) for x in __import__("re").findall(rb"/Count (\d+)", data)]
    return f"{max(counts)} pages" if counts else "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=300_000)
    parser.add_argument("--no-libreoffice", action="store_true")
    args = parser.parse_args()

    from qdaapp.core.errors import InvalidInput
    from qdaapp.core.exchange import audit_report
    from qdaapp.core.project import Project
    from qdaapp.render.charts import flowchart_bytes
    from qdaapp.render.pdf import print_blocks

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        t_build, path = timed(lambda: build(tmp, args.events, args.words))
        con = sqlite3.connect(path)
        t_bare, (n_events,) = timed(lambda: con.execute("SELECT count(*) FROM audit_events").fetchone())
        (n_codings,) = con.execute("SELECT count(*) FROM codings").fetchone()
        con.close()
        print(f"study: {n_codings:,} codings, {n_events:,} events (built in {t_build:.1f} s); "
              f"bare SELECT count(*) of events: {t_bare * 1000:.1f} ms", flush=True)
        listed = 0

        def show(name: str, t: float | None, note: str) -> None:
            figure = f"{t:6.2f} s" if t is not None else "     -  "
            target = "" if t is None or name.startswith("collect") else (
                f"  (target <= 10 s: {'met' if t <= 10 else 'NOT met'})")
            print(f"  {name:55} {figure}  {note}{target}", flush=True)

        with Project.open(path, read_only=True) as p, p.read_session() as s:
            t, report = timed(lambda: audit_report.build_report(s, flowchart_bytes))
            listed = sum(len(c.rows) for c in report.coders)
            show("collect the report (verify chain, figures, timeline)", t,
                 f"{listed:,} timeline rows listed (each coder's first "
                 f"{audit_report.timeline.EVENTS_PER_CODER:,} decisions; codings counted per day)")
            for name, suffix, kw in (("Word (.docx)", ".docx", {}), ("HTML", ".html", {}),
                                     ("PDF, Qt's writer", ".pdf", {"pdf_converter": "qt",
                                                                   "pdf_printer": print_blocks}),
                                     ("PDF, LibreOffice", ".pdf", {"pdf_converter": "libreoffice"})):
                if kw.get("pdf_converter") == "libreoffice" and (args.no_libreoffice
                                                                 or not audit_report.office_program()):
                    show(name, None, "skipped" if args.no_libreoffice else "LibreOffice is not installed")
                    continue
                out = tmp / f"report{suffix}"
                try:
                    t, _ = timed(lambda out=out, kw=kw: audit_report.export_audit_report(s, out, flowchart_bytes,
                                                                                         **kw))
                except InvalidInput as exc:
                    show(name, None, f"failed: {exc}")
                    continue
                size = out.stat().st_size / 1e6
                show(name, t, f"{size:.1f} MB" + (f", {pages(out)}" if suffix == ".pdf" else ""))

if __name__ == "__main__":
    main()
