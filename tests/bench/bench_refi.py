"""Benchmark: REFI-QDA export and import of 100 sources with 20,000 codings.

Run:  python tests/bench/bench_refi.py

Builds a project of 100 interview sources (about 10,000 words each, the
three real transcripts in ../shared/fixtures/transcripts/txt repeated) with
60 nodes and 20,000 codings by two coders (inserted in bulk), then times
exporting it as .qdpx and importing that file into a new project. Beside
each figure is a baseline measured in the same run: writing the same texts
with plain ``zipfile`` plus serialising an XML tree of the same size with
lxml (for export), and reading the archive plus parsing its XML (for
import). The target is 10 s for each.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from qdaapp.core import nodes, sources  # noqa: E402
from qdaapp.core.exchange.refi_export import export_qdpx  # noqa: E402
from qdaapp.core.exchange.refi_import import import_qdpx  # noqa: E402
from qdaapp.core.importers.base import build_document  # noqa: E402
from qdaapp.core.models import Coding, Node, Source  # noqa: E402
from qdaapp.core.project import Project  # noqa: E402

FIXTURES = Path(os.environ.get("QDAAPP_FIXTURES") or ROOT.parent / "shared" / "fixtures")
TRANSCRIPTS = FIXTURES / "transcripts" / "txt"
N_SOURCES, N_CODINGS, TARGET_S = 100, 20_000, 10.0


def build(folder: Path) -> Path:
    texts = [p.read_text(encoding="utf-8") for p in sorted(TRANSCRIPTS.glob("*.txt"))]
    if not texts:
        sys.exit(f"the transcripts are missing from {TRANSCRIPTS}")
    rng = random.Random(7)
    docs = []
    for i in range(N_SOURCES):
        body = texts[i % len(texts)]
        while len(body.split()) < 10_000:
            body += "\n" + texts[(i + 1) % len(texts)]
        raw = f"Interview {i:03} 🙂\n{body}"
        docs.append(build_document(folder / f"Interview {i:03}.txt", "txt", raw, raw.encode("utf-8"), encoding="utf-8"))
    path = folder / "bench.qda"
    project = Project.create(path, coder="bench")
    project.run(sources.import_documents, docs)
    for t in range(10):
        for c in range(5):
            project.run(nodes.create_node, f"Theme {t}/Code {c}")
    for f in range(10):
        project.run(nodes.create_node, f"Free {f}", free=True)
    with project.write_session() as s:
        lengths = dict(s.execute(select(Source.id, Source.length)).all())
        node_ids = s.scalars(select(Node.id)).all()
        rows, seen = [], set()
        while len(rows) < N_CODINGS:
            sid = rng.choice(list(lengths))
            start = rng.randrange(0, lengths[sid] - 400)
            key = (sid, rng.choice(node_ids), start, start + rng.randint(20, 400), rng.choice(("ann", "bob")))
            if key not in seen:
                seen.add(key)
                rows.append(dict(zip(("source_id", "node_id", "start", "end", "coder"), key, strict=True)))
        s.execute(insert(Coding), rows)
        s.commit()
    project.close()
    return path


def baseline_export(project: Project, out: Path) -> float:
    from lxml import etree

    t0 = time.perf_counter()
    with project.read_session() as s:
        texts = s.execute(select(Source.id, Source.text)).all()
        rows = s.execute(select(Coding.source_id, Coding.start, Coding.end, Coding.node_id, Coding.coder)).all()
    root = etree.Element("Project")
    for sid, a, b, nid, coder in rows:
        sel = etree.SubElement(root, "PlainTextSelection", startPosition=str(a), endPosition=str(b), guid=f"{sid}")
        coding = etree.SubElement(sel, "Coding", creatingUser=coder, guid=f"{a}-{b}")
        etree.SubElement(coding, "CodeRef", targetGUID=str(nid))
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", data)
        for sid, text in texts:
            zf.writestr(f"sources/{sid}.txt", text.encode("utf-8"))
    return time.perf_counter() - t0


def baseline_import(qdpx: Path) -> float:
    from lxml import etree

    t0 = time.perf_counter()
    with zipfile.ZipFile(qdpx) as zf:
        root = etree.fromstring(zf.read("project.qde"))
        for name in zf.namelist()[1:]:
            zf.read(name).decode("utf-8")
    sum(1 for _ in root.iter())
    return time.perf_counter() - t0


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        t0 = time.perf_counter()
        path = build(folder)
        print(f"setup: {N_SOURCES} sources, {N_CODINGS} codings in {time.perf_counter() - t0:.1f} s")
        project = Project.open(path, coder="bench", read_only=True)
        base_out = baseline_export(project, folder / "baseline.zip")
        t0 = time.perf_counter()
        with project.read_session() as s:
            out = export_qdpx(s, folder / "bench.qdpx")
        export_s = time.perf_counter() - t0
        project.close()
        size = out.stat().st_size / 1024 / 1024
        base_in = baseline_import(out)
        target = Project.create(folder / "imported.qda", coder="bench")
        t0 = time.perf_counter()
        summary = import_qdpx(target, out)
        import_s = time.perf_counter() - t0
        target.close()
        assert (summary.sources, summary.codings) == (N_SOURCES, N_CODINGS), summary.counts()
        for label, took, base, extra, what in (
            ("export", export_s, base_out, f"({size:.1f} MB)", "zipfile + lxml"),
            ("import", import_s, base_in, "", "unzip + parse "),
        ):
            verdict = "ok" if took <= TARGET_S else "SLOW"
            print(f"{label} .qdpx: {took:6.2f} s {extra:>10}   baseline {what}: {base:5.2f} s   "
                  f"ratio {took / base:4.1f}x   target <= {TARGET_S:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
