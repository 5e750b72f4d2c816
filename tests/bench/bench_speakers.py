"""Benchmark: speaker roles and leaving out interviewer turns over 1,000 sources.

Run:  python tests/bench/bench_speakers.py [N]

Builds a project of N (default 1,000) interviews made from a fixture
transcript, each with its own participant and one of ten interviewers whose
names say nothing (so the roles come from the questions), indexes it for
keyword search, then prints:
  * listing the speakers with their guessed roles, the first time in a
    process (every text is read) and again (per-source figures are kept);
  * ``interviewer_spans`` for every source;
  * a keyword query with interviewer turns left out vs kept.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qdaapp.core import indexing, search, sources, speakers  # noqa: E402
from qdaapp.core.project import Project  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "bench"))
from bench_markers import timed  # noqa: E402

FIXTURE = ROOT.parent / "shared" / "fixtures" / "transcripts" / "txt" / "Jessica.txt"
INTERVIEWERS = ["Alex Moreno", "Dana Kim", "Lee Park", "Sam Ortiz", "Noor Haddad", "Eva Lind", "Tom Reyes",
                "Ines Costa", "Yuki Sato", "Omar Said"]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    base = FIXTURE.read_text(encoding="utf-8-sig")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        files = []
        for i in range(n):
            body = base.replace("Researcher 1:", f"{INTERVIEWERS[i % 10]}:").replace("Jessica:", f"Person {i}:")
            f = tmp / f"interview_{i:04}.txt"
            f.write_text(f"Interview {i}\n{body}", encoding="utf-8")
            files.append(f)
        project = Project.create(tmp / "bench.qda", coder="bench")
        docs, _ = sources.read_files(files)
        project.run(sources.import_documents, docs)
        t = time.perf_counter()
        indexing.index_sources(project, nlp=False)
        print(f"{n} sources, {sum(len(x.text) for x in docs) / 1e6:.1f} M characters; "
              f"keyword index built in {time.perf_counter() - t:.1f} s")
        del docs
        with project.read_session() as s:
            t = time.perf_counter()
            found = speakers.list_speakers(s)
            first = time.perf_counter() - t
            again, _ = timed(lambda: speakers.list_speakers(s))
            spans_time, spans = timed(lambda: speakers.interviewer_spans(s))
            left, hits_left = timed(lambda: search.keyword_search(s, "research", context=0))
            kept, hits_kept = timed(lambda: search.keyword_search(s, "research", context=0, include_interviewer=True))
        interviewers = [i.name for i in found if i.role == "interviewer"]
        print(f"speakers: {len(found)} names, {len(interviewers)} guessed interviewers "
              f"({', '.join(sorted(interviewers))})")
        print(f"list_speakers: first call {first * 1000:.0f} ms, again {again * 1000:.0f} ms")
        print(f"interviewer_spans (all sources): {spans_time * 1000:.0f} ms, "
              f"{sum(len(v) for v in spans.values())} spans in {len(spans)} sources")
        print(f'keyword "research": {len(hits_left)} hits in {left * 1000:.0f} ms with interviewer turns left out, '
              f"{len(hits_kept)} in {kept * 1000:.0f} ms with them kept")
        project.close()


if __name__ == "__main__":
    main()
