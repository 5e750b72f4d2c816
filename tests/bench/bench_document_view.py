"""Benchmark: open a long interview with 2,000 overlapping codings.

Run:  QT_QPA_PLATFORM=offscreen python tests/bench/bench_document_view.py

Prints the time to open (set text, highlights, stripes, first full paint via
``grab()``) and to add one coding and repaint (after one pass of the event
loop, as happens while the reader selects text), for the document view and
for two naive baselines measured in the same run on a plain QTextEdit: one
QTextCursor.mergeCharFormat per coding, and the same plus a comparison of
every pair of codings to shade overlaps.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QApplication, QTextEdit


from qdaapp.core.layers import CodingSpan, speaker_labels
from qdaapp.core.text import count_words, normalise
from qdaapp.gui.views.document_view import DocumentView

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "transcripts" / "txt"
if not FIXTURES.is_dir():
    FIXTURES = Path("/work/shared/fixtures/transcripts/txt")
TARGET_WORDS = 13_000
NODES = [
    ("Manipulation", "#E69F00"), ("Commitment", "#56B4E9"), ("Competence", "#009E73"),
    ("Performance", "#0072B2"), ("Sanction", "#D55E00"), ("Trust", "#CC79A7"),
    ("Doubt", "#F0E442"), ("Housing", "#999999"), ("Council", "#882255"), ("Method", "#44AA99"),
]  # fmt: skip
CODINGS = 2_000


def build_text() -> str:
    parts = []
    for name in ("Ana.txt", "David.txt"):
        path = FIXTURES / name
        if path.exists():
            parts.append(normalise(path.read_text(encoding="utf-8")))
    text = "\n".join(parts)
    if not text:
        rng = random.Random(1)
        words = ["we", "said", "the", "council", "trust", "assembly", "housing", "promise", "people", "time"]
        lines = []
        while sum(len(line.split()) for line in lines) < TARGET_WORDS:
            speaker = rng.choice(["Ana", "Researcher 1"])
            lines.append(f"{speaker}: " + " ".join(rng.choice(words) for _ in range(rng.randint(8, 120))))
        text = "\n".join(lines)
    # Cut at a line end near the target word count.
    words = 0
    cut = len(text)
    for i, line in enumerate(text.split("\n")):
        words += count_words(line)
        if words >= TARGET_WORDS:
            cut = sum(len(x) + 1 for x in text.split("\n")[: i + 1]) - 1
            break
    return text[:cut]


def turns_of(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        head = line.split(":", 1)[0]
        if ":" in line and len(head) < 40:
            out.append((pos, pos + len(line), head))
        pos += len(line) + 1
    return out


def build_codings(n_chars: int, rng: random.Random) -> list[CodingSpan]:
    """200 codings per node, each node covering ~90% of the text: ~9 layers."""
    per_node = CODINGS // len(NODES)
    spans, cid = [], 0
    for node_id, (name, color) in enumerate(NODES, start=1):
        lengths = [rng.uniform(0.5, 1.5) for _ in range(per_node)]
        gaps = [rng.uniform(0.0, 0.2) for _ in range(per_node + 1)]
        scale = n_chars / (sum(lengths) + sum(gaps))
        pos = gaps[0] * scale
        for length, gap in zip(lengths, gaps[1:]):
            start, end = int(pos), min(n_chars, int(pos + length * scale))
            cid += 1
            spans.append(CodingSpan(cid, start, max(start + 1, end), node_id, name, color, rng.choice(["ana", "bo"])))
            pos += (length + gap) * scale
    return spans


def layers_per_char(text: str, spans: list[CodingSpan]) -> float:
    return sum(s.end - s.start for s in spans) / max(1, len(text))


def ms(t: float) -> str:
    return f"{t * 1000:8.1f} ms"


def bench_view(text, spans, turns, extra) -> tuple[float, float, float]:
    """Open; let the event loop run once (as it does while the reader selects
    text); add one coding. Returns (open, idle work, add) in seconds."""
    view = DocumentView()
    view.resize(1200, 800)
    t0 = time.perf_counter()
    view.set_document(text, spans, page_starts=None, turns=turns)
    view.grab()
    t_open = time.perf_counter() - t0
    t0 = time.perf_counter()
    QApplication.processEvents()
    t_idle = time.perf_counter() - t0
    t0 = time.perf_counter()
    view.add_span(extra)
    view.grab()
    t_add = time.perf_counter() - t0
    assert len(view.stripe_rects()) > 0
    view.deleteLater()
    return t_open, t_idle, t_add


def bench_naive(text, spans, extra, pairwise: bool = False) -> tuple[float, float]:
    """One mergeCharFormat per coding; with ``pairwise``, the depth of each
    coding's tint comes from comparing it with every other coding (the peer's
    way of finding overlaps)."""
    edit = QTextEdit()
    edit.resize(1200, 800)
    edit.setReadOnly(True)
    t0 = time.perf_counter()
    edit.setPlainText(text)
    doc = edit.document()
    for span in spans:
        depth = 0
        if pairwise:
            depth = sum(1 for o in spans if o is not span and o.start < span.end and span.start < o.end)
        cursor = QTextCursor(doc)
        cursor.setPosition(span.start)
        cursor.setPosition(span.end, QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(span.color).lighter(170 - min(depth, 60)))
        cursor.mergeCharFormat(fmt)
    edit.grab()
    t_open = time.perf_counter() - t0
    QApplication.processEvents()
    t0 = time.perf_counter()
    cursor = QTextCursor(doc)
    cursor.setPosition(extra.start)
    cursor.setPosition(extra.end, QTextCursor.MoveMode.KeepAnchor)
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(extra.color).lighter(170))
    cursor.mergeCharFormat(fmt)
    edit.grab()
    t_add = time.perf_counter() - t0
    edit.deleteLater()
    return t_open, t_add


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    text = build_text()
    rng = random.Random(7)
    spans = build_codings(len(text), rng)
    turns = turns_of(text)
    extra = CodingSpan(99_999, 40, 400, 3, "Competence", "#009E73", "ana")
    print(f"text: {count_words(text):,} words, {len(text):,} code points, {text.count(chr(10)) + 1} paragraphs")
    print(f"codings: {len(spans):,} over {len(NODES)} nodes, {layers_per_char(text, spans):.1f} layers per character")
    print(f"speaker labels: {len(speaker_labels(text, turns))}")

    # One throw-away run loads fonts and warms caches, as a running app would have.
    bench_view(text[:2000], [s for s in spans if s.end <= 2000], turns[:5], extra)
    app.processEvents()

    opens, idles, adds = [], [], []
    for _ in range(7):
        t_open, t_idle, t_add = bench_view(text, spans, turns, extra)
        opens.append(t_open)
        idles.append(t_idle)
        adds.append(t_add)
        app.processEvents()
    n_open, n_add = bench_naive(text, spans, extra)
    p_open, p_add = bench_naive(text, spans, extra, pairwise=True)

    v_open, v_add = statistics.median(opens), statistics.median(adds)
    print()
    print("baselines: A = one mergeCharFormat per coding, no layers or stripes;")
    print("           B = A plus comparing every pair of codings to shade overlaps")
    print(f"{'':38}{'document view':>14}{'A':>12}{'ratio':>8}{'B':>12}{'ratio':>8}")
    for label, v, n, p in (
        ("open (text+highlights+stripes+paint)", v_open, n_open, p_open),
        ("add one coding + repaint", v_add, n_add, p_add),
    ):
        print(f"{label:38}{ms(v):>14}{ms(n):>12}{n / v:7.1f}x{ms(p):>12}{p / v:7.1f}x")
    print(
        f"document view runs: open {', '.join(f'{t * 1000:.0f}' for t in opens)} ms; "
        f"add {', '.join(f'{t * 1000:.1f}' for t in adds)} ms"
    )
    print(f"idle work after the first paint (not in the figures above): {statistics.median(idles) * 1000:.1f} ms")
    budget_ok = v_open <= 0.300 and v_add <= 0.050
    print(f"budget (open <= 300 ms, add <= 50 ms): {'met' if budget_ok else 'NOT met'}")


if __name__ == "__main__":
    main()
