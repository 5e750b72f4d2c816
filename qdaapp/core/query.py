"""The keyword query language, parsed and checked before SQLite sees it.

Users type: words, "exact phrases", prefix wildcards (``manag*``), AND / OR /
NOT, parentheses and ``NEAR(word word, N)``. Adjacent terms mean AND.
Matching is case-insensitive. Operators are written in capitals, so the word
"and" inside a phrase is just a word. A malformed query raises
:class:`QueryError` with a message that points at the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import InvalidInput


class QueryError(InvalidInput):
    """A query that cannot be run; the message says where and why."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # lower-case words of a word or phrase
    prefix: bool = False  # last word is a prefix (manag*)


@dataclass
class ParsedQuery:
    fts: str  # FTS5 MATCH expression
    terms: list[Term] = field(default_factory=list)  # terms to highlight (not under NOT)

    def map_words(self, fn) -> ParsedQuery:  # fn(str) -> str
        """A copy with every word passed through ``fn`` (used for lemmas)."""
        return ParsedQuery(_FTS_STRING.sub(lambda m: '"' + " ".join(fn(w) for w in m.group(1).split()) + '"', self.fts),
                           [Term(tuple(fn(w) for w in t.words), t.prefix) for t in self.terms])


_TOKEN = re.compile(r'\s*(?:(?P<quote>")|(?P<lp>\()|(?P<rp>\))|(?P<near>NEAR\()|(?P<word>[^\s()"]+))')
_WORD = re.compile(r"\w+", re.UNICODE)
_FTS_STRING = re.compile(r'"([^"]+)"')
OPERATORS = {"AND", "OR", "NOT"}


def _words(text: str, where: int) -> list[str]:
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        raise QueryError(f"'{text}' at position {where + 1} has no letters or digits to search for.")
    return words


def _fts_phrase(words: list[str], prefix: bool) -> str:
    return '"' + " ".join(words) + '"' + ("*" if prefix else "")


def parse(query: str) -> ParsedQuery:
    """Check ``query`` and translate it to FTS5 syntax."""
    if not query or not query.strip():
        raise QueryError("The search is empty: type a word or a phrase in quotes.")
    out: list[str] = []
    terms: list[Term] = []
    depth = 0
    expect_operand = True  # at start, after an operator or '('
    negated_depths: list[int] = []  # NOT applies to the next operand
    pos = 0
    n = len(query)

    def add_operand(fts: str, term: Term | None) -> None:
        nonlocal expect_operand
        if not expect_operand:
            out.append("AND")
        out.append(fts)
        if term is not None and not negated_depths:
            terms.append(term)
        if negated_depths and negated_depths[-1] == depth:
            negated_depths.pop()
        expect_operand = False

    while pos < n:
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            if query[pos:].strip() == "":
                break
            raise QueryError(f"Cannot read the search at position {pos + 1}.")
        kind = m.lastgroup
        assert kind is not None  # every alternative of _TOKEN is a named group
        start = m.start(kind)
        pos = m.end()
        if kind == "quote":
            close = query.find('"', pos)
            if close == -1:
                raise QueryError(
                    f'The quotation mark at position {start + 1} is not closed: add a " after the phrase.'
                )
            inner = query[pos:close]
            pos = close + 1
            prefix = pos < n and query[pos] == "*"
            pos += 1 if prefix else 0
            words = _words(inner, start)
            add_operand(_fts_phrase(words, prefix), Term(tuple(words), prefix))
        elif kind == "lp":
            if not expect_operand:
                out.append("AND")
            out.append("(")
            depth += 1
            expect_operand = True
        elif kind == "rp":
            if depth == 0:
                raise QueryError(f"The ')' at position {start + 1} has no matching '('.")
            if expect_operand:
                raise QueryError(f"Something is missing before the ')' at position {start + 1}.")
            out.append(")")
            depth -= 1
            if negated_depths and negated_depths[-1] == depth:
                negated_depths.pop()
        elif kind == "near":
            close = query.find(")", pos)
            if close == -1:
                raise QueryError(f"NEAR( at position {start + 1} is not closed: write NEAR(word word, 10).")
            inner, _, dist = query[pos:close].partition(",")
            dist = dist.strip()
            if dist and not dist.isdigit():
                raise QueryError(f"NEAR at position {start + 1}: the distance '{dist}' must be a whole number.")
            words = _words(inner, start)
            if len(words) < 2:
                raise QueryError(f"NEAR at position {start + 1} needs at least two words.")
            pos = close + 1
            fts = "NEAR(" + " ".join(f'"{w}"' for w in words) + (f", {dist}" if dist else "") + ")"
            add_operand(fts, None)
            if not negated_depths:
                terms.extend(Term((w,)) for w in words)
        else:
            word = m.group("word")
            if word in OPERATORS:
                if expect_operand:
                    if word == "NOT":
                        raise QueryError(
                            f"NOT at position {start + 1} must stand between two words, as in 'trust NOT money' "
                            "(it keeps what has the first word and not the second)."
                        )
                    raise QueryError(f"{word} at position {start + 1} needs a word before it.")
                out.append(word)
                if word == "NOT":
                    negated_depths.append(depth)
                expect_operand = True
                continue
            prefix = word.endswith("*")
            core = word.rstrip("*")
            if "*" in core:
                raise QueryError(f"'{word}' at position {start + 1}: a * can only end a word (manag*).")
            words = _words(core, start)
            add_operand(_fts_phrase(words, prefix), Term(tuple(words), prefix))
    if depth:
        raise QueryError("A '(' is not closed: add a ')'.")
    if expect_operand:
        last = out[-1] if out else ""
        raise QueryError(f"The search ends with {last}: add a word after it." if last in OPERATORS
                         else "The search is empty: type a word or a phrase in quotes.")
    if not terms:
        raise QueryError("The search only excludes words: add a word to look for, e.g. 'trust NOT money'.")
    return ParsedQuery(" ".join(out), terms)
