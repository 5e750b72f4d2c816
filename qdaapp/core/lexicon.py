"""Speech-act lexicons: loading, checking, editing and the project's own copy.

A lexicon is a TOML file (``resources/lexicons/NAME.toml``, or a plugin's).
A project keeps its own copy in the ``lexicons`` table from its first edit
on, and every edit there (add a phrase, move it to another act, exclude a
use) is an audited command that raises the copy's version. A marker run
records the name and version it used.

Phrases can belong to a named group (``[groups.NAME]``); a group with
``enabled = false`` is left out of a run unless the user asks for it, which
is how phrases that are rarely the speech act (bare modal verbs) stay out of
the review queue by default.

A phrase may end in a word written ``=form``: that written form only ("it
=worked" finds "it worked", not "it works"). A phrase may end in the word ``<past>``: a verb in the past tense, found
without a tagger from the written form (see :class:`PastRule`), so "i|we|they
<past>" finds "we started", "I ran" and "they've set up" but not "we start".
An act with ``negation_keeps_act = true`` counts a negated phrase as the act
itself: "it didn't work" is a sanction, not a negated one.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from .commands import Change, command
from .errors import InvalidInput, NotFound
from .models import Lexicon, utcnow
from .resources import resources_dir

ACTS = ("manipulation", "commitment", "competence", "performance", "sanction")


class LexiconError(InvalidInput):
    """A lexicon that cannot be used; the message names the file and line."""

# A hit's polarity when its marker is negated ("did not have to", "wasn't able to").
NEGATED = "negative"
# The word of a phrase that stands for a verb in the past tense ("we <past>").
PAST = "<past>"
# Before the last word of a phrase: that written form only ("it =worked" finds "it worked", not "it works").
EXACT = "="


@dataclass(frozen=True)
class PastRule:
    """What ``<past>`` finds (the ``[past]`` table of a lexicon).

    A word is a verb in the past tense when its written form ends in one of
    ``endings`` and is not its own lemma ("started", not "need"), or is one of
    ``forms`` (irregular pasts and participles: "ran", "begun", "set"). One
    of ``auxiliaries`` may stand before it ("we've started", "we'd set up"). Verbs of ``not_actions``
    (lemmas: states, wishes, thoughts, saying: "wanted", "thought") never
    count: they are not something done.
    """

    endings: tuple[str, ...] = ()
    forms: frozenset[str] = frozenset()
    not_actions: tuple[str, ...] = ()
    auxiliaries: tuple[str, ...] = ()

    def is_past(self, form: str, lemma: str) -> bool:
        """Whether ``form`` (as written), whose lemma is ``lemma``, is a verb in the past tense."""
        word = form.lower().replace("\u2019", "'")
        if word in self.forms:
            return True
        return word != lemma.lower() and any(word.endswith(e) and len(word) > len(e) + 1 for e in self.endings)


@dataclass(frozen=True)
class Phrase:
    text: str  # as written
    polarity: str = "positive"
    group: str | None = None  # a [groups.NAME] the phrase belongs to


@dataclass(frozen=True)
class Group:
    """Phrases that are switched on or off together in a run (``enabled``: on unless asked)."""

    name: str
    label: str
    enabled: bool = True
    description: str = ""


@dataclass
class ActEntry:
    name: str
    label: str
    stage: int
    description: str
    phrases: list[Phrase] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    # A negation does not make a hit 'not' the act: "it didn't work" is still a sanction.
    negation_keeps_act: bool = False


@dataclass
class LexiconSpec:
    name: str
    version: int
    language: str
    description: str
    adverbs: list[str]
    negations: list[str]
    subjects: list[str]
    acts: dict[str, ActEntry]
    # A marker right after one of these words is a noun ("the plan to", "their promises to").
    determiners: list[str] = field(default_factory=list)
    groups: dict[str, Group] = field(default_factory=dict)
    past: PastRule = field(default_factory=PastRule)

    def phrase_count(self) -> int:
        return sum(len(a.phrases) for a in self.acts.values())

    def default_groups(self) -> list[str]:
        """The groups a run uses unless told otherwise."""
        return [g.name for g in self.groups.values() if g.enabled]

    def check_groups(self, names: list[str]) -> list[str]:
        """``names`` if each is a group of this lexicon; InvalidInput naming the unknown one otherwise."""
        for name in names:
            if name not in self.groups:
                known = ", ".join(self.groups) or "none"
                raise InvalidInput(f"'{name}' is not a phrase group of lexicon {self.name}; its groups: {known}.")
        return list(dict.fromkeys(names))


def available() -> dict[str, Path]:
    """Lexicon files shipped with the app (and registered by plugins)."""
    folder = resources_dir() / "lexicons"
    found = {p.stem: p for p in sorted(folder.glob("*.toml"))}
    try:
        from .plugins import registry

        found.update(registry().lexicons())
    except ImportError:
        pass
    return found


def _line_of(source: str, needle: str) -> int:
    for number, line in enumerate(source.splitlines(), start=1):
        if needle in line:
            return number
    return 1


def parse(source: str, origin: str) -> LexiconSpec:
    """Check a lexicon's TOML text; errors name ``origin`` and the line."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"The lexicon {origin} has an error: {exc}.") from None

    def fail(problem: str, needle: str) -> LexiconError:
        return LexiconError(f"The lexicon {origin} has an error at line {_line_of(source, needle)}: {problem}.")

    head = data.get("lexicon")
    if not isinstance(head, dict) or not isinstance(head.get("name"), str):
        raise fail("it needs a [lexicon] table with a name", "[lexicon]")
    version = head.get("version", 1)
    if not isinstance(version, int) or version < 1:
        raise fail("version must be a whole number from 1", "version")

    def words(key: str, default: list[str]) -> list[str]:
        value = head.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"{key} must be a list of words in quotes", key)
        return [v.lower() for v in value]

    past = _past_rule(data.get("past"), fail)
    groups: dict[str, Group] = {}
    group_table = data.get("groups", {})
    if not isinstance(group_table, dict):
        raise fail("groups must be tables such as [groups.modals]", "groups")
    for name, body in group_table.items():
        if not isinstance(body, dict):
            raise fail(f"groups.{name} must be a table", f"groups.{name}")
        enabled = body.get("enabled", True)
        if not isinstance(enabled, bool):
            raise fail(f"enabled of groups.{name} must be true or false", "enabled")
        groups[name] = Group(name, str(body.get("label", name)), enabled, str(body.get("description", "")))

    acts: dict[str, ActEntry] = {}
    table = data.get("acts", {})
    if not isinstance(table, dict) or not table:
        raise fail("it needs at least one [acts.NAME] table", "[lexicon]")
    for name, body in table.items():
        if name not in ACTS:
            raise fail(f"'{name}' is not a speech act; use {', '.join(ACTS)}", f"acts.{name}")
        if not isinstance(body, dict):
            raise fail(f"acts.{name} must be a table", f"acts.{name}")
        phrases = []
        for item in body.get("phrases", []):
            if isinstance(item, str):
                phrase = Phrase(item)
            elif isinstance(item, dict) and isinstance(item.get("phrase"), str):
                polarity = item.get("polarity", "positive")
                if polarity not in ("positive", NEGATED):
                    raise fail(f"polarity must be \"positive\" or \"negative\", not {polarity!r}", str(polarity))
                group = item.get("group")
                if group is not None and group not in groups:
                    raise fail(f"the phrase {item['phrase']!r} names the group {group!r}, which has no "
                               f"[groups.{group}] table", str(group))
                phrase = Phrase(item["phrase"], polarity, group)
            else:
                raise fail(f"each phrase of {name} must be text in quotes", f"acts.{name}")
            if not re.search(r"\w", phrase.text):
                raise fail(f"the phrase {phrase.text!r} has no words", phrase.text or "phrases")
            if _empty_choice(phrase.text):
                raise fail(f"the phrase {phrase.text!r} has an empty choice around '|'", phrase.text)
            _check_past(phrase.text, past, lambda problem, text=phrase.text: fail(problem, text))
            phrases.append(phrase)
        exclude = body.get("exclude", [])
        if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
            raise fail(f"exclude of {name} must be a list of phrases in quotes", "exclude")
        for use in exclude:
            if not re.search(r"\w", use) or _empty_choice(use):
                raise fail(f"the excluded use {use!r} of {name} needs words (and a word on each side of '|')",
                           use or "exclude")
            _check_past(use, past, lambda problem, text=use: fail(problem, text))
        keeps = body.get("negation_keeps_act", False)
        if not isinstance(keeps, bool):
            raise fail(f"negation_keeps_act of {name} must be true or false", "negation_keeps_act")
        acts[name] = ActEntry(name, body.get("label", name.title()), int(body.get("stage", 1)),
                              body.get("description", ""), phrases, list(exclude), keeps)
    return LexiconSpec(head["name"], version, head.get("language", "en"), head.get("description", ""),
                       words("adverbs", []), words("negations", ["not", "never", "no"]),
                       words("subjects", ["i", "we", "they", "you"]), acts, words("determiners", []), groups, past)


def _past_rule(table: object, fail) -> PastRule:
    """The ``[past]`` table: endings, forms, not_actions and auxiliaries, each a list of words in quotes."""
    if table is None:
        return PastRule()
    if not isinstance(table, dict):
        raise fail("past must be a table: [past]", "past")
    lists = {}
    for key in ("endings", "forms", "not_actions", "auxiliaries"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise fail(f"{key} of [past] must be a list of words in quotes", key)
        lists[key] = [v.strip().lower() for v in value]
    return PastRule(tuple(lists["endings"]), frozenset(lists["forms"]), tuple(lists["not_actions"]),
                    tuple(lists["auxiliaries"]))


def _check_past(text: str, past: PastRule, fail) -> None:
    """``<past>`` (and a word written ``=form``) may only end a phrase of more than one word; ``<past>``
    needs a lexicon that says what it finds."""
    words = text.lower().split()
    if any(w.startswith(EXACT) for w in words[:-1]) or (words[-1].startswith(EXACT) and
                                                         (len(words) < 2 or "|" in words[-1] or words[-1] == EXACT)):
        raise fail(f"in {text!r}, a word written with {EXACT} must be the last, one word, after at least one other")
    if PAST not in words:
        return
    if words.index(PAST) != len(words) - 1 or len(words) < 2:
        raise fail(f"in {text!r}, {PAST} must be the last word, after at least one other")
    if not past.endings and not past.forms:
        raise fail(f"{text!r} uses {PAST}, but the lexicon has no [past] table with endings or forms")


def readable(phrase: str) -> str:
    """A phrase as plain words for a reader: "i|we <past>" is "I/we + past verb", "*" is "…", and a
    choice of more than three words shows the first three ("I/we/they…")."""
    words = []
    for word in phrase.split():
        if word.lower() == PAST:
            words.append("+ past verb")
        elif word == "*":
            words.append("…")
        else:
            choices = ["I" if w == "i" else w for w in word.split("|")]
            words.append("/".join(c.removeprefix(EXACT) for c in choices[:3]) + ("…" if len(choices) > 3 else ""))
    return " ".join(words)


def _empty_choice(phrase: str) -> bool:
    """Whether a word of ``phrase`` written as choices ("the|a") has an empty one ("the|", "|")."""
    return any("" in word.split("|") for word in phrase.split() if "|" in word)


def dump(spec: LexiconSpec) -> str:
    """TOML text for ``spec`` (the project copy is stored as text)."""

    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def lst(items: list[str]) -> str:
        return "[" + ", ".join(q(i) for i in items) + "]"

    def phrase(p: Phrase) -> str:
        if p.polarity == "positive" and p.group is None:
            return q(p.text)
        fields = [f"phrase = {q(p.text)}"] + ([f"polarity = {q(p.polarity)}"] if p.polarity != "positive" else [])
        return "{ " + ", ".join(fields + ([f"group = {q(p.group)}"] if p.group else [])) + " }"

    out = ["[lexicon]", f"name = {q(spec.name)}", f"version = {spec.version}", f"language = {q(spec.language)}",
           f"description = {q(spec.description)}", f"adverbs = {lst(spec.adverbs)}",
           f"negations = {lst(spec.negations)}", f"subjects = {lst(spec.subjects)}"]
    out += [f"determiners = {lst(spec.determiners)}"] if spec.determiners else []
    out.append("")
    if spec.past != PastRule():
        out += ["[past]", f"endings = {lst(list(spec.past.endings))}", f"forms = {lst(sorted(spec.past.forms))}",
                f"not_actions = {lst(list(spec.past.not_actions))}",
                f"auxiliaries = {lst(list(spec.past.auxiliaries))}", ""]
    for group in spec.groups.values():
        key = group.name if re.fullmatch(r"[A-Za-z0-9_-]+", group.name) else q(group.name)
        out += [f"[groups.{key}]", f"label = {q(group.label)}", f"enabled = {str(group.enabled).lower()}",
                f"description = {q(group.description)}", ""]
    for act in spec.acts.values():
        phrases = ", ".join(phrase(p) for p in act.phrases)
        out += [f"[acts.{act.name}]", f"label = {q(act.label)}", f"stage = {act.stage}",
                f"description = {q(act.description)}", f"phrases = [{phrases}]", f"exclude = {lst(act.exclude)}"]
        out += ["negation_keeps_act = true", ""] if act.negation_keeps_act else [""]
    return "\n".join(out)


def load(session: Session, name: str = "greimas-en") -> LexiconSpec:
    """The project's copy of ``name`` if the user has edited it, else the shipped file.

    Every edit raises the copy's version above the one it started from, so a
    stored copy still at version 1 holds no edit of the user's: the shipped
    file is used instead (a newer one brings its new defaults, such as the
    low-precision group), while an edited copy stays as the user left it.
    """
    row = session.get(Lexicon, name)
    if row is not None:
        spec = parse(row.content, f"'{name}' (project copy)")
        spec.version = row.version
        return spec if row.version > 1 else (_shipped(name) or spec)
    shipped = _shipped(name)
    if shipped is None:
        files = available()
        raise NotFound(f"There is no lexicon '{name}'; available: {', '.join(sorted(files)) or 'none'}.")
    return shipped


def _shipped(name: str) -> LexiconSpec | None:
    """The lexicon file shipped (or brought by a plugin) under ``name``, None if there is none."""
    path = available().get(name)
    return parse(path.read_text(encoding="utf-8"), path.name) if path is not None else None


def load_file(path: Path) -> LexiconSpec:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"The lexicon {path.name} cannot be read: {exc}.") from None
    return parse(source, path.name)


@command("lexicon.edit")
def edit_lexicon(
    session: Session, name: str, add: tuple[str, str] | None = None, move: tuple[str, str] | None = None,
    remove: str | None = None, exclude: tuple[str, str] | None = None, editor: str = "",
) -> Change:
    """Change the project's copy: ``add``=(act, phrase), ``move``=(phrase, to act),
    ``remove``=phrase, ``exclude``=(act, phrase). The version goes up by one."""
    spec = load(session, name)
    before_text = dump(spec)
    where = {p.text: a for a in spec.acts.values() for p in a.phrases}
    if add:
        act, phrase = add
        if act not in spec.acts:
            raise InvalidInput(f"'{act}' is not an act of this lexicon.")
        if phrase in where:
            raise InvalidInput(f"'{phrase}' is already a marker of {where[phrase].name}.")
        spec.acts[act].phrases.append(Phrase(phrase.strip()))
        summary = f"add marker '{phrase}' to {act}"
    elif move:
        phrase, act = move
        if phrase not in where or act not in spec.acts:
            raise InvalidInput(f"Cannot move '{phrase}' to '{act}': check the phrase and the act.")
        old = where[phrase]
        item = next(p for p in old.phrases if p.text == phrase)
        old.phrases.remove(item)
        spec.acts[act].phrases.append(item)
        summary = f"move marker '{phrase}' from {old.name} to {act}"
    elif remove:
        if remove not in where:
            raise InvalidInput(f"'{remove}' is not a marker of this lexicon.")
        act_entry = where[remove]
        act_entry.phrases = [p for p in act_entry.phrases if p.text != remove]
        summary = f"remove marker '{remove}' from {act_entry.name}"
    elif exclude:
        act, phrase = exclude
        if act not in spec.acts:
            raise InvalidInput(f"'{act}' is not an act of this lexicon.")
        spec.acts[act].exclude.append(phrase.strip())
        summary = f"exclude '{phrase}' from {act}"
    else:
        raise InvalidInput("Say what to change in the lexicon.")
    spec.version += 1
    content = dump(spec)
    parse(content, f"'{name}'")  # never store a copy that would not load
    row = session.get(Lexicon, name)
    if row is None:
        row = Lexicon(name=name)
        session.add(row)
    row.version, row.content, row.updated_at, row.updated_by = spec.version, content, utcnow(), editor
    return Change("lexicon.edit", "lexicon", None, f"{summary} (lexicon {name} v{spec.version})",
                  before={"name": name, "content": before_text}, after={"name": name, "version": spec.version},
                  result=spec.version)
