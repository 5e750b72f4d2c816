"""Speech-act lexicons: loading, checking, editing and the project's own copy.

A lexicon is a TOML file (``resources/lexicons/NAME.toml``, or a plugin's).
When a project first uses one it keeps its own copy in the ``lexicons``
table, and every edit there (add a phrase, move it to another act, exclude a
use) is an audited command that raises the copy's version. A marker run
records the name and version it used.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from sqlalchemy.orm import Session

from .commands import Change, command
from .errors import InvalidInput, NotFound
from .models import Lexicon, utcnow
from .resources import resources_dir

ACTS = ("manipulation", "commitment", "competence", "performance", "sanction")


class LexiconError(InvalidInput):
    """A lexicon that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Phrase:
    text: str  # as written
    polarity: str = "positive"


@dataclass
class ActEntry:
    name: str
    label: str
    stage: int
    description: str
    phrases: list[Phrase] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


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

    def phrase_count(self) -> int:
        return sum(len(a.phrases) for a in self.acts.values())


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
                if polarity not in ("positive", "negative"):
                    raise fail(f"polarity must be \"positive\" or \"negative\", not {polarity!r}", str(polarity))
                phrase = Phrase(item["phrase"], polarity)
            else:
                raise fail(f"each phrase of {name} must be text in quotes", f"acts.{name}")
            if not re.search(r"\w", phrase.text):
                raise fail(f"the phrase {phrase.text!r} has no words", phrase.text or "phrases")
            phrases.append(phrase)
        exclude = body.get("exclude", [])
        if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
            raise fail(f"exclude of {name} must be a list of phrases in quotes", "exclude")
        acts[name] = ActEntry(name, body.get("label", name.title()), int(body.get("stage", 1)),
                              body.get("description", ""), phrases, list(exclude))
    return LexiconSpec(head["name"], version, head.get("language", "en"), head.get("description", ""),
                       words("adverbs", []), words("negations", ["not", "never", "no"]),
                       words("subjects", ["i", "we", "they", "you"]), acts)


def dump(spec: LexiconSpec) -> str:
    """TOML text for ``spec`` (the project copy is stored as text)."""

    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def lst(items: list[str]) -> str:
        return "[" + ", ".join(q(i) for i in items) + "]"

    out = ["[lexicon]", f"name = {q(spec.name)}", f"version = {spec.version}", f"language = {q(spec.language)}",
           f"description = {q(spec.description)}", f"adverbs = {lst(spec.adverbs)}",
           f"negations = {lst(spec.negations)}", f"subjects = {lst(spec.subjects)}", ""]
    for act in spec.acts.values():
        phrases = ", ".join(q(p.text) if p.polarity == "positive" else f"{{ phrase = {q(p.text)}, polarity = \"negative\" }}"
                            for p in act.phrases)
        out += [f"[acts.{act.name}]", f"label = {q(act.label)}", f"stage = {act.stage}",
                f"description = {q(act.description)}", f"phrases = [{phrases}]", f"exclude = {lst(act.exclude)}", ""]
    return "\n".join(out)


def load(session: Session, name: str = "greimas-en") -> LexiconSpec:
    """The project's copy of ``name`` if it has one, else the shipped file."""
    row = session.get(Lexicon, name)
    if row is not None:
        spec = parse(row.content, f"'{name}' (project copy)")
        spec.version = row.version
        return spec
    files = available()
    if name not in files:
        raise NotFound(f"There is no lexicon '{name}'; available: {', '.join(sorted(files)) or 'none'}.")
    path = files[name]
    return parse(path.read_text(encoding="utf-8"), path.name)


def load_file(path: Path) -> LexiconSpec:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"The lexicon {path.name} cannot be read: {exc}.") from None
    return parse(source, path.name)


@command("lexicon.edit")
def edit_lexicon(
    session: Session, name: str, add: Optional[tuple[str, str]] = None, move: Optional[tuple[str, str]] = None,
    remove: Optional[str] = None, exclude: Optional[tuple[str, str]] = None, editor: str = "",
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
