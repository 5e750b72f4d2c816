"""Benchmark: how many held-back coded passages "Find similar passages" finds, beside two baselines.

Run:  python tests/bench/bench_similar_recall.py [--transcripts 24] [--draws 5]

Generates a coded study (interview transcripts written from templates with
a seeded random generator: everyday talk, interviewer questions, and the
passages of four themes, each coded at its node; theme passages say the same
kind of thing in varied words, and everyday talk borrows theme words now and
then). For each theme and each of ``--draws`` draws, 3 coded passages are the
examples and the others are held back; printed is the recall at 50 (share of
held-back passages that one of the first 50 results overlaps) of

* the similarity ranking (sentences, leaving out the examples),
* 50 sentences drawn at random (the mean of 20 draws), and
* a plain keyword OR-query of the examples' words (stop words out): the
  first 50 sentences holding a hit, in the order the hits are listed; also
  its recall when every sentence it finds is read, and how many that is.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

THEMES = {
    "Performance": {
        "subjects": ["we", "I", "the team", "my colleague and I", "the nurses", "our practice"],
        "verbs": ["set up", "organised", "ran", "launched", "started", "introduced", "arranged", "delivered",
                  "built", "trained", "held", "rolled out"],
        "objects": ["a weekly clinic", "a training session", "the new rota", "a drop-in service", "a pilot",
                    "the referral pathway", "a support group", "an audit of the records", "a health fair",
                    "the screening programme"],
        "tails": ["last spring", "in the autumn", "over three months", "with the practice manager",
                  "for the whole surgery", "after the meeting", "in two weeks", "on our own"],
    },
    "Sanction": {
        "subjects": ["it", "the pilot", "the clinic", "the whole thing", "that session", "the programme"],
        "verbs": ["worked well", "was a real success", "failed in the end", "made a big difference",
                  "went really well", "did not work", "was a disappointment", "paid off", "was effective",
                  "fell flat"],
        "objects": ["and patients were pleased", "and I was proud of it", "and the results showed it",
                    "and the feedback was good", "and nobody came back", "and the figures improved",
                    "and the outcome surprised us", "and the managers praised it"],
        "tails": ["in my view", "looking back", "honestly", "by the end of the year", "according to the audit",
                  "as far as I can tell"],
    },
    "Background": {
        "subjects": ["years ago", "before I arrived", "originally", "historically", "back then",
                     "in the old days"],
        "verbs": ["the surgery used to", "the practice had always", "the board traditionally",
                  "the community had long", "the district previously", "the old partners would"],
        "objects": ["rely on paper records", "share one building with the pharmacy", "serve a farming village",
                    "close on Wednesday afternoons", "employ a single district nurse",
                    "depend on the hospital for tests", "belong to a larger trust"],
        "tails": ["long before the merger", "since the nineteen eighties", "according to the older staff",
                  "as the history goes", "when the town was smaller", "under the previous management"],
    },
    "Funding": {
        "subjects": ["the budget", "the grant", "money", "the funding", "the trust", "the commissioners"],
        "verbs": ["would not cover", "paid for", "was cut for", "could barely afford", "ran out for",
                  "was allocated to", "was found for", "was spent on"],
        "objects": ["the extra staff", "the equipment", "the room hire", "the overtime", "the locum cover",
                    "the new software", "the training costs", "the leaflets"],
        "tails": ["this financial year", "after the cuts", "from the central fund", "at the last minute",
                  "through a bid we wrote", "under the new contract"],
    },
}
EVERYDAY_SUBJECTS = ["I", "we", "my daughter", "the weather", "the car park", "the kitchen", "my husband",
                     "the receptionist", "the town", "the bus"]
EVERYDAY_VERBS = ["was", "seemed", "looked", "got", "felt", "stayed", "became"]
EVERYDAY_REST = ["busy on Mondays", "quite cold in winter", "full by nine", "noisy at lunch",
                 "late again", "fine most days", "a bit small", "hard to find", "nice in summer",
                 "closed for repairs", "always friendly", "far from the station"]
QUESTIONS = ["Can you tell me more about that?", "What happened next?", "How did you feel about it?",
             "Who else was involved?", "And how long have you worked there?", "What was your role?"]


def theme_sentence(rng: random.Random, theme: str) -> str:
    t = THEMES[theme]
    text = f"{rng.choice(t['subjects'])} {rng.choice(t['verbs'])} {rng.choice(t['objects'])} {rng.choice(t['tails'])}."
    return text[0].upper() + text[1:]


def everyday(rng: random.Random) -> str:
    text = f"{rng.choice(EVERYDAY_SUBJECTS)} {rng.choice(EVERYDAY_VERBS)} {rng.choice(EVERYDAY_REST)}"
    if rng.random() < 0.15:  # everyday talk borrows a theme word now and then
        t = THEMES[rng.choice(list(THEMES))]
        text += f", {rng.choice(t['tails'])}"
    return text[0].upper() + text[1:] + "."


def transcript(rng: random.Random, who: str) -> tuple[str, list[tuple[str, int, int]]]:
    """A transcript and its theme passages (theme, start, end)."""
    parts: list[str] = []
    coded: list[tuple[str, int, int]] = []
    at = 0

    def say(line: str) -> None:
        nonlocal at
        parts.append(line)
        at += len(line)

    plan = [theme for theme in THEMES for _ in range(rng.choice((1, 2)))]
    plan += [None] * 14
    rng.shuffle(plan)
    for theme in plan:
        say(f"Interviewer: {rng.choice(QUESTIONS)}\n")
        say(f"{who}: ")
        for _ in range(rng.randrange(1, 4)):
            say(everyday(rng) + " ")
        if theme is not None:
            start = at
            say(" ".join(theme_sentence(rng, theme) for _ in range(rng.choice((1, 2)))))
            coded.append((theme, start, at))
            say(" ")
        say(everyday(rng) + "\n")
    return "".join(parts), coded


def build(folder: Path, transcripts: int, seed: int = 7) -> tuple[Path, dict[str, list[tuple[int, int, int]]]]:
    from qdaapp.core import coding, indexing, nodes, sources
    from qdaapp.core.project import Project

    rng = random.Random(seed)
    files, passages = [], []
    for i in range(transcripts):
        body, coded = transcript(rng, f"P{i + 1}")
        f = folder / f"P{i + 1:02}.txt"
        f.write_text(body, encoding="utf-8")
        files.append(f)
        passages.append(coded)
    path = folder / "study.qda"
    p = Project.create(path, coder="bench")
    docs, failures = sources.read_files(files)
    assert not failures
    ids = p.run(sources.import_documents, docs)
    indexing.index_sources(p, workers=0)
    truth: dict[str, list[tuple[int, int, int]]] = {theme: [] for theme in THEMES}
    for sid, coded in zip(ids, passages, strict=True):
        for theme, a, b in coded:
            truth[theme].append((sid, a, b))
    for theme, spans in truth.items():
        node = p.run(nodes.create_node, f"Themes/{theme}")
        p.run(coding.code_passages, spans, node, "bench", origin="manual")
    p.close()
    return path, truth


def overlaps(found: list[tuple[int, int, int]], passage: tuple[int, int, int]) -> bool:
    sid, a, b = passage
    return any(s == sid and x < b and y > a for s, x, y in found)


def recall(found: list[tuple[int, int, int]], held: list[tuple[int, int, int]]) -> float:
    return sum(overlaps(found, h) for h in held) / len(held)


def keyword_or(session, examples, stop) -> list[tuple[int, int, int]]:
    """Sentences holding a hit of an OR-query of the examples' words, in the order of the hits."""
    import re

    from qdaapp.core import search
    from qdaapp.core.models import Source

    words: dict[str, None] = {}
    for ex in examples:
        body = session.get(Source, ex.source_id).text[ex.start:ex.end]
        for w in re.findall(r"[^\W\d_]+", body.lower()):
            if len(w) >= 2 and w not in stop:
                words.setdefault(w, None)
    hits = search.keyword_search(session, " OR ".join(words), context=0)
    con = session.connection().connection.driver_connection
    seen: dict[tuple[int, int, int], None] = {}
    for h in hits:
        row = con.execute('SELECT start, "end" FROM sentences WHERE source_id = ? AND start <= ? AND "end" > ? '
                          "LIMIT 1", (h.source_id, h.start, h.start)).fetchone()
        if row and not any(h.source_id == ex.source_id and row[0] < ex.end and row[1] > ex.start for ex in examples):
            seen.setdefault((h.source_id, row[0], row[1]), None)
    return list(seen)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--transcripts", type=int, default=24)
    ap.add_argument("--draws", type=int, default=5)
    args = ap.parse_args()

    from qdaapp.core import similar
    from qdaapp.core.project import Project
    from qdaapp.core.similar_index import stop_words

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        path, truth = build(Path(tmp), args.transcripts)
        print(f"study: {args.transcripts} transcripts, themes: "
              + ", ".join(f"{k} ({len(v)} passages)" for k, v in truth.items())
              + f"; built in {time.perf_counter() - t:.1f} s")
        con = sqlite3.connect(path)
        sentences = [(sid, a, b) for sid, a, b in con.execute('SELECT source_id, start, "end" FROM sentences')]
        con.close()
        p = Project.open(path, coder="bench")
        stop = stop_words({"en"})
        print(f"{'theme':<12} {'similar@50':>10} {'random 50':>10} {'OR-query@50':>12} {'OR all':>8} {'OR read':>8}")
        totals = [0.0] * 4
        for theme, passages in truth.items():
            rng = random.Random(theme)
            figures = [0.0] * 4
            read = 0
            for _ in range(args.draws):
                picked = rng.sample(passages, 3)
                held = [x for x in passages if x not in picked]
                examples = [similar.Example(*x) for x in picked]
                with p.read_session() as s:
                    ranked = similar.rank(s, examples, top=50)
                    found_or = keyword_or(s, examples, stop)
                figures[0] += recall([(r.source_id, r.start, r.end) for r in ranked], held)
                pool = [x for x in sentences if not overlaps([x], picked[0]) and not overlaps([x], picked[1])
                        and not overlaps([x], picked[2])]
                draws = random.Random(len(held))
                figures[1] += sum(recall(draws.sample(pool, 50), held) for _ in range(20)) / 20
                figures[2] += recall(found_or[:50], held)
                figures[3] += recall(found_or, held)
                read += len(found_or)
            figures = [f / args.draws for f in figures]
            totals = [a + b for a, b in zip(totals, figures, strict=True)]
            print(f"{theme:<12} {figures[0]:>10.2f} {figures[1]:>10.2f} {figures[2]:>12.2f} {figures[3]:>8.2f} "
                  f"{read / args.draws:>8.0f}")
        n = len(truth)
        print(f"{'mean':<12} {totals[0] / n:>10.2f} {totals[1] / n:>10.2f} {totals[2] / n:>12.2f} "
              f"{totals[3] / n:>8.2f}")
        print(f"({len(sentences)} sentences in the study; 'OR all': recall when every sentence the OR-query "
              "finds is read, 'OR read': how many sentences that is)")
        p.close()



if __name__ == "__main__":
    main()
