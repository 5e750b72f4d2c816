"""Benchmark: what the performance and sanction groups cost a marker run, and candidates for an account.

Run:  python tests/bench/bench_act_candidates.py [WORDS]

Builds a project of about WORDS words (default one million) by repeating the
fixture transcripts (100 sources), indexes it, then prints:
  * a marker run on one core with every default group, beside the same run
    with the performance and sanction groups left out (measured in the same
    run), and the hits each group adds;
  * candidates for performance and for sanction in an account of five
    passages spread over three sources (the query the completeness panel makes).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qdaapp.core import act_candidates, indexing, lexicon, markers, narrative, sources  # noqa: E402
from qdaapp.core.project import Project  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "bench"))
from bench_import_open import corpus_text  # noqa: E402


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main(words: int) -> None:
    text = corpus_text(words)
    parts = text.split(" ")
    per = len(parts) // 100
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        files = []
        for i in range(100):
            f = tmp / f"interview_{i:03}.txt"
            f.write_text(f"Interview {i}\n" + " ".join(parts[i * per:(i + 1) * per]), encoding="utf-8")
            files.append(f)
        del text, parts
        project = Project.create(tmp / "bench.qda", coder="bench")
        docs, _ = sources.read_files(files)
        project.run(sources.import_documents, docs)
        t = time.perf_counter()
        indexing.index_sources(project)
        print(f"corpus: {sum(doc.words for doc in docs):,} words in 100 sources; indexed in "
              f"{time.perf_counter() - t:.1f} s")
        with project.read_session() as s:
            spec = lexicon.load(s)
            every = spec.default_groups()
            without = [g for g in every if g not in ("performance", "sanction")]
            with_all = markers.CompiledLexicon(spec, every)
            fewer = markers.CompiledLexicon(spec, without)
            t_all, hits_all = timed(lambda: markers.find_markers(s, with_all))
            t_fewer, hits_fewer = timed(lambda: markers.find_markers(s, fewer))
        by_act = {act: sum(1 for h in hits_all if h.act == act) for act in spec.acts}
        print(f"marker run, one core: every default group {t_all:.2f} s ({len(hits_all):,} hits); without "
              f"performance and sanction {t_fewer:.2f} s ({len(hits_fewer):,} hits)")
        print("hits by act: " + ", ".join(f"{act} {n:,}" for act, n in by_act.items()))

        account = project.run(narrative.create_account, "Bench account")
        with project.read_session() as s:
            texts = {sid: sources.text_and_pages(s, sid)[0] for sid in (1, 40, 80)}
        for sid, body in texts.items():
            for frac in (0.3, 0.6) if sid == 1 else (0.5,):
                start = body.index(". ", int(len(body) * frac)) + 2
                project.run(narrative.add_passage, account, sid, start, body.index(".", start + 40) + 1)
        for act in ("performance", "sanction"):
            with project.read_session() as s:
                first, _ = timed(lambda a=act: act_candidates.candidates(s, account, a), repeat=1)
                t_cand, found = timed(lambda a=act: act_candidates.candidates(s, account, a))
            print(f"candidates for {act} in an account of 5 passages in 3 sources: {t_cand:.2f} s "
                  f"(first {first:.2f} s), {len(found)} found")
        project.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
