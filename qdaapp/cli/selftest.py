"""``qdaapp --selftest``: prove an installation works, headless, in a temporary folder.

It makes a project, imports a transcript, codes a passage, runs a marker
search and accepts a hit, exports the framework matrix and the project as
REFI-QDA, undoes and redoes, verifies the audit chain, checks that the
shipped coding frames and plugins are found and load, and builds the demo
project. Exit 0 when all of it worked; otherwise the step that failed is named.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

TRANSCRIPT = (
    "Interviewer: How did the referral pathway start?\n"
    "P1: The practice manager asked us to set it up, so we had to find the time. "
    "I wanted to make it work. At first we weren't able to use the template, "
    "but after the training we knew how to do it. 😀 It worked well in the end.\n"
)


def run_selftest() -> int:
    from qdaapp.core import coding, indexing, lexicon, markers, narrative, nodes, review, sources
    from qdaapp.core.demo import build_demo
    from qdaapp.core.exchange.matrix import export_matrix
    from qdaapp.core.project import Project

    started = time.perf_counter()
    steps: list[str] = []

    def step(name: str) -> None:
        steps.append(name)
        print(f"  ok  {name}", flush=True)

    with tempfile.TemporaryDirectory(prefix="qdaapp-selftest-") as folder:
        tmp = Path(folder)
        try:
            (tmp / "P1.txt").write_text(TRANSCRIPT, encoding="utf-8")
            project = Project.create(tmp / "selftest.qda", coder="selftest")
            step("create a project")
            docs, failures = sources.read_files([tmp / "P1.txt"])
            if failures:
                raise RuntimeError(str(failures[0]))
            (source_id,) = project.run(sources.import_documents, docs, case_name="P1")
            step("import a transcript")
            start = TRANSCRIPT.index("we had to find the time")
            project.run(nodes.create_node, "Time pressure", free=True)
            project.run(coding.code, source_id, start, start + 23, "Time pressure", "selftest")
            step("code a passage")
            indexing.index_sources(project)
            with project.read_session() as s:
                spec = lexicon.load(s)
            run_id = project.run(markers.run_markers, spec, coder="selftest")
            with project.read_session() as s:
                hits = review.list_hits(s, run_id)
            if len({h.act for h in hits}) < 3:
                raise RuntimeError(f"the marker search found too little ({len(hits)} hits)")
            project.run(review.accept_hits, run_id, [hits[0].id], coder="selftest")
            step(f"run a marker search ({len(hits)} hits) and accept one")
            account = project.run(narrative.create_account, "Referral pathway")
            project.run(narrative.add_fragment, account, "The manager asked us to set it up; we had to.",
                        act="manipulation", case_ref="P1")
            with project.read_session() as s:
                export_matrix(s, tmp / "framework.csv")
            step("export the framework matrix")
            try:
                from qdaapp.core.exchange.refi_export import export_qdpx
            except ImportError:
                export_qdpx = None
            if export_qdpx is not None:
                with project.read_session() as s:
                    export_qdpx(s, tmp / "selftest.qdpx")
                step("export the project as REFI-QDA")
            project.undo()
            project.redo()
            step("undo and redo")
            result = project.verify_audit()
            if not result.ok:
                raise RuntimeError(result.message())
            step(result.message())
            project.close()
            step(_shipped_extras())
            demo = build_demo(tmp / "demo.qda")
            with demo.read_session() as s:
                demo_sources = len(sources.list_sources(s))
            demo.close()
            if not demo_sources:
                raise RuntimeError("the demo project has no sources")
            step(f"build the demo project ({demo_sources} sources)")
        except Exception as exc:  # report which step broke, in one line
            print(f"selftest FAILED after '{steps[-1] if steps else 'start'}': {type(exc).__name__}: {exc}",
                  file=sys.stderr)
            return 1
    print(f"selftest passed: {len(steps)} steps in {time.perf_counter() - started:.1f} s")
    return 0


def _shipped_extras() -> str:
    """The coding frames and the plugins that come with qdaapp are found, and every plugin loads."""
    from qdaapp.core import plugins

    folder = plugins.plugin_folders()[0][1]
    shipped = sorted(p.parent.name for p in folder.glob(f"*/{plugins.MANIFEST}"))
    if not shipped:
        raise RuntimeError(f"no shipped plugin in {folder}")
    registry = plugins.discover(folders=[("folder", folder)], entry_points=[], disabled=set())
    for plugin in registry.plugins():
        if plugin.builtin:
            continue
        try:  # import the code each one contributes (readers, analyses); a failure is kept as its error
            for importer in plugin.importers:
                registry.load(plugin.name, importer.reader)
            for analysis in plugin.analyses.values():
                registry.load(plugin.name, analysis.run)
        except plugins.PluginError:
            pass
    broken = [f"{p.name}: {p.error}" for p in registry.plugins() if p.error]
    if broken:
        raise RuntimeError("a shipped plugin does not load: " + "; ".join(broken))
    frames = plugins.builtin_plugin().frames
    if not frames:
        raise RuntimeError("no coding frame is shipped")
    return f"find {len(frames)} coding frames and {len(shipped)} shipped plugins"
