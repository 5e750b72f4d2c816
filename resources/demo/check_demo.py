#!/usr/bin/env python3
"""Check the qdaapp demo project (resources/demo/study.toml).

Standard library only. Run from anywhere:

    python resources/demo/check_demo.py

Verifies that
  * every source file exists and is UTF-8,
  * every case referenced by a source exists, and case attributes match their declared types,
  * every node referenced by a coding is declared (no "Speech acts/..." nodes, Okabe-Ito colours),
  * every coding quote occurs exactly once in its source (after normalising \\r\\n to \\n),
  * every memo points at the project, a declared node or a declared source.

Then prints word counts and counts of the narrative marker phrases per file.
Exit status is 0 when there are no errors, 1 otherwise.
"""

from __future__ import annotations

import re
import sys
import tomllib
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
STUDY = HERE / "study.toml"

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999", "#000000"}
SOURCE_KINDS = {"interview", "field-note", "document", "diary"}
ATTRIBUTE_TYPES = {"text", "number", "date"}

# Marker families from the published keyword-search step (case-insensitive, whole words).
MARKERS = {
    "have to": r"\b(?:have|has|had|having) to\b",
    "want to": r"\b(?:want|wanted|wants) to\b",
    "able to": r"\bable to\b",
    "know how to": r"\b(?:know|knew|knows) how to\b",
}
# Wider set of speech-act markers, reported for information only.
SPEECH_ACTS = {
    "manipulation": r"\b(?:(?:have|has|had|having) (?:\w+ )?(?:got )?to|must|need(?:s|ed)? to|(?:were|was) told to"
                    r"|asked (?:us|me|them|him|her) to|supposed to)\b",
    "commitment": r"\b(?:(?:want|wanted|wants) to|decided to|agreed to|we will|I will|I'll)\b",
    "competence": r"\b(?:(?:un)?able to|(?:know|knew|knows) how to|managed to|can|couldn['’]t|can['’]t)\b",
    "performance": r"\b(?:we|I) (?:set up|did|ran|started|launched|sorted|fixed|rang)\b",
    "sanction": r"\b(?:worked well|failed|(?:was|were) (?:a )?success(?:ful)?|didn['’]t work|was a success)\b",
}

errors: list[str] = []
warnings: list[str] = []


def error(msg: str) -> None:
    errors.append(msg)


def warn(msg: str) -> None:
    warnings.append(msg)


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n")


def plain_text(rel: str, raw: str) -> str:
    """The analysable text of a source: the file itself, or the entry texts of a diary.toml."""
    if rel.endswith(".toml"):
        data = tomllib.loads(raw)
        return "\n\n".join(f"{e.get('date', '')}\n{e.get('text', '')}" for e in data.get("entry", []))
    return raw


def words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def check_attributes(owner: str, attrs: dict, declared: dict[str, str]) -> None:
    for key, value in attrs.items():
        kind = declared.get(key)
        if kind is None:
            error(f"{owner}: attribute {key!r} is not declared in [[attribute]]")
        elif kind == "number" and not (isinstance(value, (int, float)) and not isinstance(value, bool)):
            error(f"{owner}: attribute {key!r} should be a number, got {value!r}")
        elif kind == "date":
            try:
                date.fromisoformat(str(value))
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
                    raise ValueError
            except ValueError:
                error(f"{owner}: attribute {key!r} should be a YYYY-MM-DD date, got {value!r}")
        elif kind == "text" and not isinstance(value, str):
            error(f"{owner}: attribute {key!r} should be text, got {value!r}")


def main() -> int:
    study = tomllib.loads(read_text(STUDY))

    # -- attributes and cases
    declared_attrs: dict[str, str] = {}
    for a in study.get("attribute", []):
        if a.get("type") not in ATTRIBUTE_TYPES:
            error(f"attribute {a.get('name')!r}: type must be one of {sorted(ATTRIBUTE_TYPES)}")
        declared_attrs[a["name"]] = a.get("type")
    cases: dict[str, dict] = {}
    for c in study.get("case", []):
        if c["name"] in cases:
            error(f"case {c['name']!r} declared twice")
        cases[c["name"]] = c
        check_attributes(f"case {c['name']!r}", c.get("attributes", {}), declared_attrs)

    # -- sources
    sources: dict[str, dict] = {}
    texts: dict[str, str] = {}      # raw file text (quotes are matched here)
    plains: dict[str, str] = {}     # analysable text (word and marker counts)
    for s in study.get("source", []):
        rel = s["file"]
        if rel in sources:
            error(f"source {rel!r} declared twice")
        sources[rel] = s
        if s.get("kind") not in SOURCE_KINDS:
            error(f"source {rel!r}: kind {s.get('kind')!r} not in {sorted(SOURCE_KINDS)}")
        if "case" in s and s["case"] not in cases:
            error(f"source {rel!r}: case {s['case']!r} is not declared")
        path = HERE / rel
        if not path.is_file():
            error(f"source {rel!r}: file does not exist")
            continue
        try:
            texts[rel] = read_text(path)
            plains[rel] = plain_text(rel, texts[rel])
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            error(f"source {rel!r}: cannot read ({exc})")
    on_disk = {p.relative_to(HERE).as_posix() for d in ("interviews", "minutes", "fieldnotes", "diary")
               for p in (HERE / d).glob("*") if p.is_file()}
    for rel in sorted(on_disk - set(sources)):
        warn(f"file {rel!r} is not declared as a [[source]]")

    # -- nodes
    nodes: dict[str, dict] = {}
    for n in study.get("node", []):
        path = n["path"]
        if path in nodes:
            error(f"node {path!r} declared twice")
        nodes[path] = n
        if path.split("/")[0].strip().lower() == "speech acts":
            error(f"node {path!r}: the app creates the 'Speech acts' nodes itself")
        if not n.get("description", "").strip():
            error(f"node {path!r}: missing description")
        if n.get("free") and "/" in path:
            error(f"node {path!r}: a free node cannot have a path")
        color = n.get("color")
        if color is not None and color.upper() not in OKABE_ITO:
            error(f"node {path!r}: colour {color} is not an Okabe-Ito colour")

    # -- codings
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for i, c in enumerate(study.get("coding", []), 1):
        where = f"coding #{i} ({c.get('node')!r} in {c.get('source')!r})"
        if c.get("node") not in nodes:
            error(f"{where}: node is not declared")
        if c.get("source") not in sources:
            error(f"{where}: source is not declared")
            continue
        if not c.get("coder"):
            error(f"{where}: missing coder")
        text = texts.get(c["source"])
        if text is None:
            continue
        quote = c.get("quote", "").replace("\r\n", "\n")
        n = text.count(quote) if quote else 0
        if n != 1:
            error(f"{where}: quote occurs {n} times, expected exactly once: {quote[:70]!r}")
            continue
        if c["source"] != c["source"].removesuffix(".toml") and plains[c["source"]].count(quote) != 1:
            error(f"{where}: quote is not inside a single diary entry text")
        nw = words(quote)
        if not 5 <= nw <= 40:
            warn(f"{where}: quote has {nw} words (aim 5-40)")
        start = text.index(quote)
        spans.setdefault(c["source"], []).append((start, start + len(quote), c["node"]))

    overlaps = 0
    for ss in spans.values():
        ss.sort()
        for a in range(len(ss)):
            for b in range(a + 1, len(ss)):
                if ss[b][0] < ss[a][1]:
                    overlaps += 1

    # -- memos
    for m in study.get("memo", []):
        on = m.get("on", "")
        if on == "project":
            pass
        elif on.startswith("node:"):
            if on[5:] not in nodes:
                error(f"memo on {on!r}: node not declared")
        elif on.startswith("source:"):
            if on[7:] not in sources:
                error(f"memo on {on!r}: source not declared")
        else:
            error(f"memo on {on!r}: expected 'project', 'node:...' or 'source:...'")
        if not m.get("text", "").strip():
            error(f"memo on {on!r}: empty text")

    # -- report
    fam = list(MARKERS)
    acts = list(SPEECH_ACTS)
    name_w = max(len(r) for r in plains) if plains else 10
    print(f"{'file':<{name_w}}  {'kind':<10} {'words':>5}  " + "  ".join(f"{f:>11}" for f in fam))
    for rel, s in sources.items():
        if rel not in plains:
            continue
        t = plains[rel]
        counts = [len(re.findall(MARKERS[f], t, re.IGNORECASE)) for f in fam]
        print(f"{rel:<{name_w}}  {s['kind']:<10} {words(t):>5}  " + "  ".join(f"{n:>11}" for n in counts))
        if s["kind"] == "interview":
            for f, n in zip(fam, counts, strict=True):
                if n < 2:
                    warn(f"{rel}: only {n} '{f}' markers")
            if not 1200 <= words(t) <= 2000:
                warn(f"{rel}: {words(t)} words (aim 1,200-2,000)")
    print()
    print(f"{'speech-act markers (info)':<{name_w}}  " + "  ".join(f"{a:>12}" for a in acts))
    for rel in sources:
        if rel in plains:
            t = plains[rel]
            counts = (len(re.findall(SPEECH_ACTS[a], t, re.IGNORECASE)) for a in acts)
            print(f"{rel:<{name_w}}  " + "  ".join(f"{c:>12}" for c in counts))
    print()
    free = sum(1 for n in nodes.values() if n.get("free"))
    codings = study.get("coding", [])
    print(f"cases: {len(cases)}  sources: {len(sources)}  nodes: {len(nodes)} ({free} free, {len(nodes) - free} tree)  "
          f"codings: {len(codings)} on {len({c['source'] for c in codings})} sources  "
          f"overlapping coding pairs: {overlaps}  memos: {len(study.get('memo', []))}")
    for w in warnings:
        print(f"warning: {w}")
    for e in errors:
        print(f"ERROR: {e}")
    print("OK" if not errors else f"FAILED: {len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
