"""Measure: PDF transcripts read as prose, compared with an earlier revision and with their .txt twins.

Run:  python tests/bench/bench_pdf_prose.py [--before REV] [--no-markers]

For each PDF fixture with a .txt twin it prints, for this tree and for the
importer of revision REV (default ``main``; unpacked with ``git archive`` into
a temporary folder and run there):

* the line ends that cut a sentence (``pdf_layout.mid_sentence_breaks``), and
  the same count for the .txt twin;
* whether the words are the same as REV's (all word characters in order, so
  end-of-line hyphens and spacing do not count; then the whitespace-separated
  tokens, REV's words broken at line ends joined) and whether the page count is;
* the speech-act marker hits of the PDF and of its .txt twin, imported into
  one project and searched with the default lexicon, compared by (marker,
  sentence text with spacing folded): how many both give, how many only one
  gives, and the share of the PDF's hits whose sentence starts with a
  lower-case letter (a sentence cut by a line end).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("QDAAPP_FIXTURES") or ROOT.parent / "shared" / "fixtures") / "transcripts"
PAIRS = [
    ("pdf/Mannheimer_BSR01_Transcript.pdf", "txt/BSR01_transcript_deidentified.txt"),
    ("pdf/Mannheimer_BSR02_Transcript.pdf", "txt/BSR02_transcript_deidentified.txt"),
]

READ = r"""
import json, sys
from qdaapp.core.importers import read_file
out = {}
for path in sys.argv[1:]:
    doc = read_file(path)
    out[path] = {"text": doc.text, "page_starts": doc.page_starts}
print(json.dumps(out))
"""


def unpack(rev: str, into: Path) -> Path:
    """The ``qdaapp`` package and its resources at revision ``rev``, unpacked under ``into``."""
    archive = ["git", "-C", str(ROOT), "archive", rev, "qdaapp", "resources"]
    data = subprocess.run(archive, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def run(root: Path, args: list[str], code: str | None = None) -> str:
    env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"}
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "qdaapp", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=root, check=False)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd[:4])} failed:\n{proc.stderr}")
    return proc.stdout


def read(root: Path, paths: list[Path]) -> dict[str, dict]:
    return json.loads(run(root, [str(p) for p in paths], READ))


def word_chars(text: str) -> str:
    return "".join(re.findall(r"\w", text))


def tokens_differing(before: str, after: str) -> int:
    """Whitespace-separated tokens that differ, with ``before``'s end-of-line hyphens joined and hyphens ignored.

    A word broken at a line end ("docu-" / "ment") is one token once joined,
    whether or not the hyphen was kept ("well-regarded") or dropped.
    """
    a = [t.replace("-", "") for t in re.sub(r"(?<=[^\W\d_])-\n", "-", before).split()]
    b = [t.replace("-", "") for t in after.split()]
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def marker_hits(root: Path, tmp: Path, label: str, pdf: Path, txt: Path) -> tuple[dict, dict]:
    """Hits of the default lexicon in ``pdf`` and ``txt`` as {(marker, sentence): count}, and the texts."""
    project = tmp / f"markers-{label}-{pdf.stem}.qda"
    run(root, ["new", str(project)])
    run(root, ["import", str(project), str(pdf), str(txt), "--kind", "interview", "--language", "en"])
    data = json.loads(run(root, ["markers", str(project), "--json"]))
    texts = {name: run(root, ["text", str(project), name]) for name in (pdf.name, txt.name)}
    hits: dict[str, dict[tuple[str, str], int]] = {pdf.name: {}, txt.name: {}}
    for h in data["hits"]:
        sentence = " ".join(texts[h["source"]][h["sentence_start"] : h["sentence_end"]].split())
        key = (h["marker"], sentence)
        bucket = hits[h["source"]]
        bucket[key] = bucket.get(key, 0) + 1
    return hits, texts


def compare(pdf_hits: dict, txt_hits: dict) -> tuple[int, int, int]:
    both = sum(min(n, txt_hits.get(k, 0)) for k, n in pdf_hits.items())
    return both, sum(pdf_hits.values()) - both, sum(txt_hits.values()) - both


def lower_start_share(hits: dict) -> float:
    total = sum(hits.values())
    cut = sum(n for (_m, sentence), n in hits.items() if sentence[:1].islower())
    return cut / total if total else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", default="main", help="revision whose importer is the baseline (default main)")
    ap.add_argument("--no-markers", action="store_true", help="skip the marker comparison (needs spaCy)")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from qdaapp.core.importers.pdf_layout import mid_sentence_breaks

    pairs = [(FIXTURES / p, FIXTURES / t) for p, t in PAIRS if (FIXTURES / p).exists()]
    if not pairs:
        raise SystemExit(f"no PDF fixtures under {FIXTURES}")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        old_root = unpack(args.before, tmp / "before")
        paths = [p for pair in pairs for p in pair]
        now, then = read(ROOT, paths), read(old_root, paths)
        print(f"PDF prose: this tree vs {args.before}")
        for pdf, txt in pairs:
            a, b = then[str(pdf)], now[str(pdf)]
            was, now_count = len(mid_sentence_breaks(a["text"])), len(mid_sentence_breaks(b["text"]))
            twin = len(mid_sentence_breaks(now[str(txt)]["text"]))
            share = now_count / was if was else 0.0
            print(f"  {pdf.name}: mid-sentence line breaks {was} -> {now_count} ({share:.1%} of before; "
                  f".txt twin {twin}); same word characters: {word_chars(a['text']) == word_chars(b['text'])}; "
                  f"tokens differing: {tokens_differing(a['text'], b['text'])}; "
                  f"pages {len(a['page_starts'])} -> {len(b['page_starts'])}")
        if args.no_markers:
            return
        print("Marker hits, PDF vs .txt twin, by (marker, sentence text); same lexicon within each tree")
        for label, root in ((args.before, old_root), ("this tree", ROOT)):
            for pdf, txt in pairs:
                hits, _texts = marker_hits(root, tmp, re.sub(r"\W", "_", label), pdf, txt)
                ph, th = hits[pdf.name], hits[txt.name]
                both, only_pdf, only_txt = compare(ph, th)
                print(f"  {label:>10} {pdf.name}: PDF {sum(ph.values())} hits, .txt {sum(th.values())}; "
                      f"both {both}, only PDF {only_pdf}, only .txt {only_txt}; "
                      f"PDF hits in a sentence starting lower-case {lower_start_share(ph):.0%}")


if __name__ == "__main__":
    main()
