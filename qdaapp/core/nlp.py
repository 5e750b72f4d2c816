"""The only module that imports spaCy: builds and caches the pipelines.

No English model is downloaded at run time. When a full pipeline package is
installed (``en_core_web_sm`` or larger) it is used; otherwise a blank
English pipeline with a lookup lemmatizer (from the installed lookup tables)
and a rule-based sentencizer does the work. Both give what marker matching
needs: token offsets, lemmas and sentence starts. Other languages (French)
always use the blank pipeline with the lookup lemmatizer, so the lemmas their
lexicons are written for do not depend on which models happen to be installed.

Each source has a language (ISO code); :func:`detect_language` guesses it at
import from common function words.
"""

from __future__ import annotations

import re
import threading
from array import array
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

_LOCK = threading.Lock()
_PIPELINES: dict[Any, Any] = {}
FULL_MODELS = {"en": ("en_core_web_lg", "en_core_web_md", "en_core_web_sm")}

# Frequent function words that are rare in the other language ("a", "on", "en" are in both).
_FUNCTION_WORDS = {
    "en": frozenset("the and to of that it is was we they you he she have has had not but with for this be are "
                    "were do did what so there about would could which when then our my your their if".split()),
    "fr": frozenset("le la les de des du un une et est que qui nous je il elle pas ne ce dans pour avec sur au aux "
                    "mais ou vous ils elles était été avons sont être avoir cette qu c j l d n s y ça très aussi "
                    "leur nos notre donc alors comme faut".split()),
}
_WORD = re.compile(r"[^\W\d_]+")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


_ASCII_BYTES = bytes(range(128))
_LETTER_BYTES = bytes(b if _WORD.match(chr(b)) else ord(" ") for b in range(128)) + bytes(range(128, 256))
_FUNCTION_BYTES = {lang: [w.encode("utf-8") for w in words] for lang, words in _FUNCTION_WORDS.items()}


def _word_counts(text: str) -> Counter:
    """The words of ``text`` (runs of letters, as ``_WORD`` finds them) counted, as UTF-8 bytes.

    Splitting bytes in which every ASCII non-letter (and every other non-letter there is) is a
    space gives the same words as the pattern, at a fraction of its cost."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (not from any importer): the pattern itself
        return Counter(w.encode("utf-8", "surrogatepass") for w in _WORD.findall(text))
    if not data.isascii():
        for ch in set(data.translate(None, _ASCII_BYTES).decode("utf-8")):
            if not _WORD.match(ch):
                data = data.replace(ch.encode("utf-8"), b" ")
    return Counter(data.translate(_LETTER_BYTES).split())


def detect_language(text: str, default: str = "en") -> str:
    """'en' or 'fr' by counting function words in the first 20,000 characters; ``default`` if unclear."""
    seen = _word_counts(text[:20_000].lower())
    counts = {lang: sum(seen[w] for w in words if w in seen) for lang, words in _FUNCTION_BYTES.items()}
    best = max(counts, key=lambda lang: counts[lang])
    if counts[best] < 3 or sorted(counts.values())[-2] * 1.5 >= counts[best]:
        return default
    return best


def check_language(lang: str) -> str:
    """``lang`` if it is an ISO code spaCy has a pipeline for; InvalidInput otherwise."""
    from .errors import InvalidInput

    code = (lang or "").strip().lower()
    if not _LANGUAGE_CODE.match(code):
        raise InvalidInput(f"'{lang}' is not a language code; use an ISO code such as en or fr.")
    try:
        import spacy.util

        spacy.util.get_lang_class(code)
    except (ImportError, KeyError, ValueError):
        raise InvalidInput(
            f"'{lang}' is not a language qdaapp can analyse; use an ISO code such as en or fr.") from None
    return code


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


CHUNK = 50_000  # characters per spaCy call, cut at a paragraph break, else between sentences or words
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s")
_SPACE = re.compile(r"\s")


def _chunks(text: str | Iterable[str]) -> Iterator[tuple[int, str]]:
    """(offset, piece) of ``text`` in pieces of at most CHUNK characters, one piece at a time.

    A piece ends at the last line break of its second half; in text without
    line breaks, after the last sentence end there, else at the last
    whitespace, so a word is never cut in two (only a single "word" longer
    than half a chunk is). ``text`` may come as consecutive parts (read from
    the project a little at a time); the pieces are the same.
    """
    if isinstance(text, str):
        pos = 0
        while pos < len(text):
            end = _cut(text, pos) if pos + CHUNK < len(text) else len(text)
            yield pos, text[pos:end]
            pos = end
        return
    parts, buffer, offset, more = iter(text), "", 0, True
    while True:
        while more and len(buffer) <= CHUNK:
            part = next(parts, None)
            more = part is not None
            buffer += part or ""
        if not buffer:
            return
        end = _cut(buffer, 0) if len(buffer) > CHUNK else len(buffer)
        yield offset, buffer[:end]
        offset += end
        buffer = buffer[end:]


def _cut(text: str, pos: int) -> int:
    """Where the piece of ``text`` from ``pos`` ends, when more than CHUNK characters follow."""
    end, low = pos + CHUNK, pos + CHUNK // 2
    cut = text.rfind("\n", low, end)
    if cut == -1:
        window = text[low:end]
        last = deque(_SENTENCE_END.finditer(window), maxlen=1) or deque(_SPACE.finditer(window), maxlen=1)
        cut = low + last[0].end() - 1 if last else -1
    return cut + 1 if cut != -1 else end


def analyse(
    text: str, lang: str = "en", progress: Any | None = None, cancel: Any | None = None,
    breaks: Sequence[int] = (),
) -> TokenData:
    """Tokenise, lemmatise and split ``text`` into sentences (all of it at once; see :func:`analyse_chunks`)."""
    starts, ends, sent_starts = array("i"), array("i"), array("i")
    lemmas: list[str] = []
    for part in analyse_chunks(text, lang, progress, cancel, breaks):
        sent_starts.extend(i + len(starts) for i in part.sent_starts)
        starts.extend(part.starts)
        ends.extend(part.ends)
        lemmas.extend(part.lemmas)
    return TokenData(starts, ends, lemmas, sent_starts)


def analyse_chunks(
    text: str | Iterable[str], lang: str = "en", progress: Any | None = None, cancel: Any | None = None,
    breaks: Sequence[int] = (),
) -> Iterator[TokenData]:
    """Tokenise, lemmatise and split ``text`` into sentences, one chunk of text at a time.

    Each :class:`TokenData` holds whole sentences of one chunk, with offsets
    into ``text``, so a caller can store them and let them go: memory does
    not grow with the size of the source. Whitespace tokens are dropped.
    Paragraph breaks always end a sentence, and so does each offset in
    ``breaks`` (the end of a speaker label such as "P2:"), so a coded
    sentence never swallows its speaker's label. ``text`` may come as
    consecutive parts (see :func:`_chunks`).
    """
    analyser = _analyser(lang)
    pending = sorted(breaks)
    state = [0]  # index of the next break
    for offset, chunk in _chunks(text):
        if cancel is not None:
            cancel.check()
        yield analyser(chunk, offset, pending, state)
        if progress is not None:
            progress.advance(len(chunk))


def analyse_piece(piece: str, offset: int, lang: str = "en", breaks: Sequence[int] = ()) -> TokenData:
    """One piece of a text as :func:`_chunks` cuts it (``offset``: where it starts), on its own:
    the same tokens and sentences :func:`analyse_chunks` gives for it within the whole text.

    ``breaks`` may hold every break of the text or only those inside the piece: a break
    before the piece's first word changes nothing, as each piece starts a sentence. So the
    pieces of one text can be analysed apart (in other processes) and put back in order.
    """
    return _analyser(lang)(piece, offset, sorted(breaks), [0])


def _analyser(lang: str) -> Any:
    """``f(chunk, offset, pending, state) -> TokenData`` for ``lang``'s pipeline."""
    from .nlp_fast import FastAnalyser

    nlp = pipeline(lang)
    fast = FastAnalyser.get(nlp, _lower_lemma(nlp))
    if fast is not None:
        return fast.chunk
    return lambda chunk, offset, pending, state: _pipeline_chunk(nlp, nlp(chunk), offset, pending, state)


def _pipeline_chunk(nlp: Any, doc: Any, offset: int, pending: list[int], state: list[int]) -> TokenData:
    """One chunk analysed by the whole spaCy pipeline (a full model: its own sentences and lemmas)."""
    starts, ends, sent_starts = array("i"), array("i"), array("i")
    lemmas: list[str] = []
    lower_lemma = _lower_lemma(nlp)
    next_break = state[0]
    new_sentence = True
    opening = False  # no word of the sentence yet
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
            opening = True
        starts.append(offset + token.idx)
        ends.append(offset + token.idx + len(token.text))
        lemma = token.lemma_ or token.text
        if lower_lemma is not None and lemma == token.text and (opening or (token.is_upper and len(lemma) > 1)):
            lemma = lower_lemma(lemma.lower())  # "Had to..." opening a sentence, "WE HAD TO"
        opening = opening and not token.is_alpha
        lemmas.append(lemma.lower())
    state[0] = next_break
    return TokenData(starts, ends, lemmas, sent_starts)


def _lower_lemma(nlp: Any) -> Any | None:
    """The lookup of a lower-case word's lemma, for a blank pipeline; None when lemmas come from a model.

    The lookup tables hold lower-case forms, so a capital at the start of a
    sentence ("Had to leave") or in text written in capitals would keep the
    form itself as its lemma; a capital after a word (a name) is left as it is.
    """
    if "lemmatizer" not in nlp.pipe_names or nlp.get_pipe("lemmatizer").mode != "lookup":
        return None
    try:
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    except KeyError:
        return None

    def lemma(word: str) -> str:
        found = table.get(word, word)
        return found if isinstance(found, str) else (found[0] if found else word)  # a list: the first, as spaCy

    return lemma


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
        patterns = [{"label": "ACTOR", "pattern": name, "id": name} for name in known if name.strip()]
        ruler.add_patterns(patterns)  # type: ignore[attr-defined]  # add_pipe is annotated as any pipe
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
