"""The only module that imports spaCy: builds and caches the pipelines.

No English model is downloaded at run time. When a full pipeline package is
installed (``en_core_web_sm`` or larger) it is used; otherwise a blank
English pipeline with a lookup lemmatizer (from the installed lookup tables)
and a rule-based sentencizer does the work. Both give what marker matching
needs: token offsets, lemmas and sentence starts.
"""

from __future__ import annotations

import threading
from array import array
from dataclasses import dataclass
from collections.abc import Sequence
from typing import Any, Optional

_LOCK = threading.Lock()
_PIPELINES: dict[Any, Any] = {}
FULL_MODELS = {"en": ("en_core_web_lg", "en_core_web_md", "en_core_web_sm"), "fr": ("fr_core_news_sm",)}


def pipeline(lang: str = "en") -> Any:
    """The cached spaCy ``Language`` for ``lang`` (thread-safe, built once)."""
    with _LOCK:
        if lang not in _PIPELINES:
            _PIPELINES[lang] = _build(lang)
        return _PIPELINES[lang]


def pipeline_name(lang: str = "en") -> str:
    nlp = pipeline(lang)
    return f"{nlp.meta.get('name', 'blank')}-{nlp.meta.get('version', '')}".strip("-")


def _build(lang: str) -> Any:
    import spacy

    for name in FULL_MODELS.get(lang, ()):
        try:
            nlp = spacy.load(name, exclude=["ner", "textcat"])
            if "senter" in nlp.pipe_names and "parser" not in nlp.pipe_names:
                nlp.enable_pipe("senter")
            return nlp
        except (OSError, ImportError):
            continue
    nlp = spacy.blank(lang)
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    except Exception:  # no lookup tables for this language: lemmas fall back to lower case
        nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    nlp.meta["name"] = f"blank_{lang}"
    return nlp


@dataclass
class TokenData:
    """Compact token arrays for one source: what matching needs, nothing more.

    ``starts``/``ends`` are code point offsets; ``lemmas`` are lower-case lemma
    strings; ``sent_starts`` are token indexes where sentences begin.
    """

    starts: array
    ends: array
    lemmas: list[str]
    sent_starts: array

    def sentences(self) -> list[tuple[int, int]]:
        """(first token, end token) index pairs of each sentence."""
        bounds = list(self.sent_starts) + [len(self.starts)]
        return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1) if bounds[i] < bounds[i + 1]]


CHUNK = 50_000  # characters per spaCy call, split at paragraph breaks


def _chunks(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    while pos < len(text):
        end = min(len(text), pos + CHUNK)
        if end < len(text):
            cut = text.rfind("\n", pos + CHUNK // 2, end)
            end = cut + 1 if cut != -1 else end
        out.append((pos, text[pos:end]))
        pos = end
    return out


def analyse(
    text: str, lang: str = "en", progress: Optional[Any] = None, cancel: Optional[Any] = None,
    breaks: Sequence[int] = (),
) -> TokenData:
    """Tokenise, lemmatise and split ``text`` into sentences.

    Whitespace tokens are dropped. Paragraph breaks always end a sentence,
    and so does each offset in ``breaks`` (the end of a speaker label such
    as "P2:"), so a coded sentence never swallows its speaker's label.
    """
    pending = sorted(breaks)
    next_break = 0
    nlp = pipeline(lang)
    starts, ends, sent_starts = array("l"), array("l"), array("l")
    lemmas: list[str] = []
    chunks = _chunks(text)
    for (offset, chunk), doc in zip(chunks, nlp.pipe((c for _, c in chunks), batch_size=8)):
        if cancel is not None:
            cancel.check()
        new_sentence = True
        for token in doc:
            if token.is_space:
                if "\n" in token.text:
                    new_sentence = True
                continue
            position = offset + token.idx
            while next_break < len(pending) and pending[next_break] <= position:
                next_break += 1
                new_sentence = True
            if new_sentence or token.is_sent_start:
                sent_starts.append(len(starts))
                new_sentence = False
            starts.append(offset + token.idx)
            ends.append(offset + token.idx + len(token.text))
            lemma = token.lemma_ or token.text
            lemmas.append(lemma.lower())
        if progress is not None:
            progress.advance(len(chunk))
    return TokenData(starts, ends, lemmas, sent_starts)


PRONOUN_ACTORS = {"i": "I", "we": "we", "they": "they", "you": "you", "he": "he", "she": "she"}


def suggest_actors(texts: Sequence[str], known: Sequence[str], lang: str = "en") -> list[str]:
    """Actors named in ``texts``: the user's actor list and case names (an
    EntityRuler over the same pipeline), plus subject pronouns. Only
    suggestions: the user confirms them."""
    nlp = pipeline(lang)
    ruler_key = ("ruler", lang, tuple(sorted(set(known))))
    matcher_nlp = _PIPELINES.get(ruler_key)
    if matcher_nlp is None:
        import spacy

        matcher_nlp = spacy.blank(lang)
        ruler = matcher_nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
        ruler.add_patterns([{"label": "ACTOR", "pattern": name, "id": name} for name in known if name.strip()])
        with _LOCK:
            _PIPELINES[ruler_key] = matcher_nlp
    found: dict[str, None] = {}
    for doc in matcher_nlp.pipe(texts):
        for ent in doc.ents:
            found.setdefault(ent.ent_id_ or ent.text, None)
    for doc in nlp.pipe(texts):
        for token in doc:
            pronoun = PRONOUN_ACTORS.get(token.lower_)
            if pronoun:
                found.setdefault(pronoun, None)
    return list(found)
