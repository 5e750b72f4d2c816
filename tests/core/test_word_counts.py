"""Words are counted over bytes of character classes: the counts must be the regular expressions' own."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from qdaapp.core import nlp
from qdaapp.core.text import count_words

WORD = re.compile(r"\w+(?:['\u2019]\w+)*")  # what a reader counts as a word
LETTERS = re.compile(r"[^\W\d_]+")  # the words the language guess counts

# Characters that decide the counts (apostrophes, letters, digits, underscore, marks, other scripts,
# spaces of every kind) mixed with any character at all.
TRICKY = ("a'\u2019_ 1\u00b2\u00bd\u0301e\u00e9\u00c9\u0130\u2013\u2014\u00a0\u2003\n\t"
          "\u65e5\u0416\U0001d400\U0001f600-.,")
texts = st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(exclude_categories=("Cs",))), max_size=80)


@settings(max_examples=400, deadline=None)
@given(texts)
@example("rock'n'roll, the dogs'' bowls 'tis")
@example("don’t l'été a'' b' c'")
@example("x''")
@example("é''’é")
def test_count_words_is_the_number_of_matches(text: str) -> None:
    assert count_words(text) == len(WORD.findall(text))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(list(TRICKY)), min_size=300, max_size=400).map("".join),
       st.integers(min_value=0x100, max_value=0xD000))
def test_count_words_in_a_text_of_many_kinds_of_characters(base: str, start: int) -> None:
    many = [chr(c) for c in range(start, start + 300) if not 0xD800 <= c <= 0xDFFF]
    assume(len(many) > 256)  # more kinds than the class replacement takes: the pattern itself counts
    text = "".join(a + b for a, b in zip(base, many, strict=False)) + base[len(many):]
    assert count_words(text) == len(WORD.findall(text))


@settings(max_examples=400, deadline=None)
@given(texts)
def test_the_language_guess_counts_the_words_the_pattern_finds(text: str) -> None:
    expected = Counter(w.encode("utf-8") for w in LETTERS.findall(text))
    assert nlp._word_counts(text) == expected


def test_counts_on_the_fixture_transcripts(fixtures_root: Path) -> None:
    files = sorted(fixtures_root.rglob("*.txt"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert count_words(text) == len(WORD.findall(text)), path.name
        assert nlp._word_counts(text[:20_000].lower()) == Counter(
            w.encode("utf-8") for w in LETTERS.findall(text[:20_000].lower())), path.name
