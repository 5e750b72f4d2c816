"""Benchmark: open a long interview with 2,000 overlapping codings.

Run:  QT_QPA_PLATFORM=offscreen python tests/bench/bench_document_view.py

Prints, in a shown window (offscreen), the time from opening the document to
the end of its first paint (text with its tints, and the stripes beside it;
``paintEvent`` is timed, not ``show()``), and from adding one coding to the
end of its repaint (once the view is idle, as it is while the reader selects
text), for the document view and, measured in the same run, for a plain
QTextEdit showing the same text (the floor), that plus one
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
from PySide6.QtWidgets import QApplication, QTextEdit, QWidget

from qdaapp.core.layers import CodingSpan, speaker_labels
from qdaapp.core.text import count_words, normalise
from qdaapp.gui.views.document_view import DocumentView, _ReadingEdit
from qdaapp.gui.views.stripes import StripeMargin

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
        for length, gap in zip(lengths, gaps[1:], strict=True):
            start, end = int(pos), min(n_chars, int(pos + length * scale))
            cid += 1
            spans.append(CodingSpan(cid, start, max(start + 1, end), node_id, name, color, rng.choice(["ana", "bo"])))
            pos += (length + gap) * scale
    return spans


def layers_per_char(text: str, spans: list[CodingSpan]) -> float:
    return sum(s.end - s.start for s in spans) / max(1, len(text))


def ms(t: float) -> str:
    return f"{t * 1000:8.1f} ms"


PAINT_ENDS: list[tuple[str, float]] = []  # (what, when its paintEvent returned)


def clock_paint(cls: type, name: str) -> None:
    """Note when each paint of ``cls`` ends (the text, or the stripes beside it)."""
    original = cls.paintEvent

    def paintEvent(self, event) -> None:
        original(self, event)
        PAINT_ENDS.append((name, time.perf_counter()))

    cls.paintEvent = paintEvent


class PlainEdit(QTextEdit):
    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        PAINT_ENDS.append(("text", time.perf_counter()))


def first_paint(needs: set[str], timeout: float = 10.0) -> float:
    """Run the event loop until each of ``needs`` has painted once; when the last of them finished."""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        QApplication.processEvents()
        seen = {name: t for name, t in PAINT_ENDS}
        if needs <= set(seen):
            return max(seen[n] for n in needs)
    raise SystemExit(f"no paint of {needs} within {timeout} s")


def settle(quiet: float = 0.25) -> float:
    """Run the event loop until nothing has painted for ``quiet`` s; when the last paint ended (0 if none)."""
    PAINT_ENDS.clear()
    last_seen, count = time.perf_counter(), 0
    while time.perf_counter() - last_seen < quiet:
        QApplication.processEvents()
        if len(PAINT_ENDS) != count:
            count, last_seen = len(PAINT_ENDS), time.perf_counter()
        time.sleep(0.0005)
    return max((t for _, t in PAINT_ENDS), default=0.0)


def bench_view(host: QWidget, text, spans, turns, extra) -> tuple[float, float, float]:
    """Open a document in a shown window, to the end of its first paint (text and stripes); let it
    idle; add one coding, to the end of its repaint. Returns (open, idle work, add) in seconds."""
    PAINT_ENDS.clear()
    t0 = time.perf_counter()
    view = DocumentView(host)
    view.setGeometry(host.rect())
    view.set_document(text, spans, page_starts=None, turns=turns)
    view.show()
    t_open = first_paint({"text", "stripes"}) - t0
    t0 = time.perf_counter()
    t_idle = max(0.0, settle() - t0)  # what runs after the first paint (the rest of the layout)
    t0 = time.perf_counter()
    view.add_span(extra)
    t_add = settle() - t0
    assert len(view.stripe_rects()) > 0 and extra.coding_id in view.stripe_rects()
    view.deleteLater()
    settle(0.05)
    return t_open, t_idle, t_add


def bench_plain(host: QWidget, text, spans, extra, formats: bool = False, pairwise: bool = False):
    """A plain QTextEdit showing the same text (the floor), or with one mergeCharFormat per coding
    (``formats``), the depth of each tint from comparing it with every other coding (``pairwise``,
    the peer's way of finding overlaps). Returns (open to first paint, add one format and repaint)."""
    PAINT_ENDS.clear()
    t0 = time.perf_counter()
    edit = PlainEdit(host)
    edit.setGeometry(host.rect())
    edit.setReadOnly(True)
    edit.setPlainText(text)
    doc = edit.document()
    for span in spans if formats else ():
        depth = 0
        if pairwise:
            depth = sum(1 for o in spans if o is not span and o.start < span.end and span.start < o.end)
        cursor = QTextCursor(doc)
        cursor.setPosition(span.start)
        cursor.setPosition(span.end, QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(span.color).lighter(170 - min(depth, 60)))
        cursor.mergeCharFormat(fmt)
    edit.show()
    t_open = first_paint({"text"}) - t0
    settle()
    t0 = time.perf_counter()
    cursor = QTextCursor(doc)
    cursor.setPosition(extra.start)
    cursor.setPosition(extra.end, QTextCursor.MoveMode.KeepAnchor)
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(extra.color).lighter(170))
    cursor.mergeCharFormat(fmt)
    t_add = settle() - t0
    edit.deleteLater()
    settle(0.05)
    return t_open, t_add


def main() -> None:
    _app = QApplication.instance() or QApplication(sys.argv)
    clock_paint(_ReadingEdit, "text")
    clock_paint(StripeMargin, "stripes")
    host = QWidget()
    host.resize(1200, 800)
    host.show()
    settle()
    text = build_text()
    rng = random.Random(7)
    spans = build_codings(len(text), rng)
    turns = turns_of(text)
    extra = CodingSpan(99_999, 40, 400, 3, "Competence", "#009E73", "ana")
    print(f"text: {count_words(text):,} words, {len(text):,} code points, {text.count(chr(10)) + 1} paragraphs")
    print(f"codings: {len(spans):,} over {len(NODES)} nodes, {layers_per_char(text, spans):.1f} layers per character")
    print(f"speaker labels: {len(speaker_labels(text, turns))}")

    # One throw-away run loads fonts and warms caches, as a running app would have.
    bench_view(host, text[:2000], [s for s in spans if s.end <= 2000], turns[:5], extra)

    opens, idles, adds = [], [], []
    for _ in range(7):
        t_open, t_idle, t_add = bench_view(host, text, spans, turns, extra)
        opens.append(t_open)
        idles.append(t_idle)
        adds.append(t_add)
    runs = [bench_plain(host, text, spans, extra) for _ in range(5)]
    f_open, f_add = (statistics.median(r[i] for r in runs) for i in (0, 1))
    n_open, n_add = bench_plain(host, text, spans, extra, formats=True)
    p_open, p_add = bench_plain(host, text, spans, extra, formats=True, pairwise=True)

    v_open, v_add = statistics.median(opens), statistics.median(adds)
    print()
    print("measured in a shown window, to the end of the paint (text and stripes), as the reader sees it;")
    print("baselines: plain = a QTextEdit showing the same text, no codings;")
    print("           A = plain plus one mergeCharFormat per coding, no layers or stripes;")
    print("           B = A plus comparing every pair of codings to shade overlaps")
    print(f"{'':34}{'document view':>14}{'plain':>11}{'A':>11}{'B':>11}")
    for label, v, f, n, p in (
        ("open, to first paint", v_open, f_open, n_open, p_open),
        ("add one coding, to its repaint", v_add, f_add, n_add, p_add),
    ):
        print(f"{label:34}{ms(v):>14}{ms(f):>11}{ms(n):>11}{ms(p):>11}")
    print(
        f"document view runs: open {', '.join(f'{t * 1000:.0f}' for t in opens)} ms; "
        f"add {', '.join(f'{t * 1000:.1f}' for t in adds)} ms"
    )
    print(f"idle work after the first paint (the rest of the layout; not in the figures above): "
          f"{statistics.median(idles) * 1000:.1f} ms")
    budget_ok = v_open <= 0.100 and v_add <= 0.020
    print(f"targets (open <= 100 ms, add <= 20 ms): {'met' if budget_ok else 'NOT met'}")
    host.close()


if __name__ == "__main__":
    main()
